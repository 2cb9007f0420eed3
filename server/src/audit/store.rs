//! The `audit` table: append-only, written in the transaction of the
//! change it describes.

use jiff::Timestamp;
use lobby_core::api::{AuditAction, AuditEntry};
use rusqlite::{Connection, params};

use super::{Actor, Record};
use crate::store::{Result, Store, from_millis, millis};

impl Store {
    /// Appends an entry to the audit trail (inside the batch's
    /// transaction, with the change it describes).
    pub fn insert_audit(&self, at: Timestamp, actor: &Actor, record: &Record) -> Result<()> {
        let changes = serde_json::to_string(&record.changes)?;
        self.conn()
            .prepare_cached(
                "INSERT INTO audit (at, actor, action, target, address, changes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                millis(at),
                actor.who,
                record.action.name(),
                record.target,
                actor.address.map(|a| a.to_string()),
                changes
            ])?;
        Ok(())
    }
}
/// Audit entries with `at` in `[from, to)` and an id after `after`, oldest
/// first, at most `limit`, from a reader connection. `local_time` is left
/// empty for the caller to fill in.
pub fn audit_entries(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    after: i64,
    limit: usize,
) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, target, address, changes FROM audit
         WHERE at >= ?1 AND at < ?2 AND id > ?3 ORDER BY id LIMIT ?4",
    )?;
    let rows = stmt.query_map(
        params![millis(from), millis(to), after, limit as i64],
        |r| {
            let action: String = r.get(3)?;
            let changes: String = r.get(6)?;
            Ok((
                AuditEntry {
                    id: r.get(0)?,
                    at: from_millis(r.get(1)?),
                    local_time: String::new(),
                    actor: r.get(2)?,
                    action: AuditAction::Login,
                    target: r.get(4)?,
                    address: r.get(5)?,
                    changes: serde_json::from_str(&changes).unwrap_or_default(),
                },
                action,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (mut entry, action) = row?;
        match AuditAction::from_name(&action) {
            Some(a) => entry.action = a,
            None => {
                tracing::warn!(id = entry.id, action, "unknown audit action skipped");
                continue;
            }
        }
        out.push(entry);
    }
    Ok(out)
}

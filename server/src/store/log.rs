//! The event log and the current state beside it: SQLite's side of
//! [`Log`] and [`EventSource`].

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, bail};
use jiff::Timestamp;
use jiff::civil::Date;
use lobby_core::{
    Event, EventKind, Hall, Lobby, Snapshot, Ticket, TicketId, WindowNo, WindowState,
};
use rusqlite::{Connection, OptionalExtension, params};

use super::{EventSource, Log, RECENT_CALLS, Restored, Result, Store, millis, status_name};

impl Log for Store {
    fn begin(&self) -> Result<()> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }

    fn commit(&self) -> Result<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    fn rollback(&self) {
        if !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "rollback failed");
        }
    }

    fn checkpoint(&self) {
        if let Err(e) = self
            .conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "final checkpoint failed");
        }
    }

    fn bound_wal(&self) {
        let size = std::fs::metadata(&self.wal).map_or(0, |m| m.len());
        if size <= self.wal_limit {
            return;
        }
        match self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            }) {
            // 1: a reader kept it from finishing; the next batch retries.
            Ok(busy) => tracing::debug!(size, busy, "WAL over its limit: checkpointed"),
            Err(e) => tracing::warn!(error = %e, size, "bounding the WAL failed"),
        }
    }

    fn append(&self, seq: u64, event: &Event, json: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO events (seq, at, type, ticket, \"window\", json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                seq as i64,
                millis(event.at),
                event.kind.name(),
                event.kind.ticket().map(TicketId::as_str),
                event.kind.window().map(|w| w.0),
                json
            ])?;
        Ok(())
    }

    fn put_ticket(&self, t: &Ticket) -> Result<()> {
        let json = serde_json::to_string(t)?;
        self.conn
            .prepare_cached(
                "INSERT INTO tickets (id, day, number, category, status, \"window\", json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(id) DO UPDATE SET category = excluded.category,
                   status = excluded.status, \"window\" = excluded.\"window\",
                   json = excluded.json",
            )?
            .execute(params![
                t.id.as_str(),
                t.day.to_string(),
                t.number.to_string(),
                t.category.as_str(),
                status_name(t.status),
                t.window.map(|w| w.0),
                json
            ])?;
        Ok(())
    }

    fn put_window(&self, w: &WindowState) -> Result<()> {
        let json = serde_json::to_string(w)?;
        self.conn
            .prepare_cached(
                "INSERT INTO windows (number, json) VALUES (?1, ?2)
                 ON CONFLICT(number) DO UPDATE SET json = excluded.json",
            )?
            .execute(params![w.number.0, json])?;
        Ok(())
    }

    fn stored_ticket(&self, id: &TicketId) -> Result<Option<Ticket>> {
        let id = id.as_str();
        let json: Option<String> = self
            .conn()
            .prepare_cached("SELECT json FROM tickets WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    fn restore(&self, hall: &Arc<Hall>, snapshots: Vec<(u64, String)>) -> anyhow::Result<Restored> {
        let last: u64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| {
                    r.get::<_, i64>(0)
                })? as u64;
        let mut candidates = snapshots;
        {
            let mut stmt = self
                .conn()
                .prepare("SELECT seq, json FROM snapshots ORDER BY seq DESC")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                candidates.push(row?);
            }
        }
        candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
        let mut lobby = None;
        let mut from = 0u64;
        for (seq, json) in candidates {
            // A snapshot past the log's end belongs to another database.
            if seq > last {
                continue;
            }
            match serde_json::from_str::<Snapshot>(&json) {
                Ok(snapshot) => {
                    lobby = Some(Lobby::from_snapshot(hall.clone(), snapshot));
                    from = seq;
                    break;
                }
                // A snapshot from an older core may not read: fall back
                // to an earlier one, or to the whole log.
                Err(e) => tracing::warn!(seq, error = %e, "snapshot unreadable; skipping it"),
            }
        }
        let mut lobby = lobby.unwrap_or_else(|| Lobby::new(hall.clone()));
        let mut seq = from;
        let mut replayed = 0u64;
        let mut stmt = self
            .conn()
            .prepare("SELECT seq, json FROM events WHERE seq > ?1 ORDER BY seq")?;
        let rows = stmt.query_map([from as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (s, json) = row?;
            let event: Event = serde_json::from_str(&json)
                .with_context(|| format!("event {s} in the log cannot be read"))?;
            if s as u64 != seq + 1 {
                bail!("the event log has a gap before event {s}");
            }
            lobby.apply(&event);
            seq = s as u64;
            replayed += 1;
        }
        let recent_calls = self.recent_calls()?;
        tracing::info!(seq, replayed, snapshot = from, "state restored");
        Ok(Restored {
            lobby,
            seq,
            since_snapshot: replayed,
            recent_calls,
        })
    }
}

impl Store {
    fn recent_calls(&self) -> anyhow::Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(
            "SELECT json FROM events WHERE type IN ('called', 'recalled')
             ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([RECENT_CALLS as i64], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            if let Ok(e) = serde_json::from_str(&json?) {
                out.push(e);
            }
        }
        Ok(out)
    }
}

/// Which windows an event changes the state of (`None`: all of them).
pub fn windows_touched(kind: &EventKind) -> Option<Vec<WindowNo>> {
    match kind {
        EventKind::DayChanged { .. } => None,
        EventKind::Transferred {
            from_window, to, ..
        } => {
            let mut v = vec![*from_window];
            if let lobby_core::TransferTarget::Window(w) = to {
                v.push(*w);
            }
            Some(v)
        }
        EventKind::Expired { .. } => None,
        other => Some(other.window().into_iter().collect()),
    }
}

impl EventSource for Connection {
    fn for_each_event(
        &self,
        from: Timestamp,
        to: Timestamp,
        visit: &mut dyn FnMut(Event),
    ) -> Result<()> {
        let mut stmt =
            self.prepare_cached("SELECT json FROM events WHERE at >= ?1 AND at < ?2 ORDER BY seq")?;
        let mut rows = stmt.query(params![millis(from), millis(to)])?;
        while let Some(row) = rows.next()? {
            let json: String = row.get(0)?;
            match serde_json::from_str(&json) {
                Ok(e) => visit(e),
                Err(e) => tracing::warn!(error = %e, "unreadable event skipped in a report"),
            }
        }
        Ok(())
    }

    fn for_each_late_expiry(
        &self,
        day: Date,
        from: Timestamp,
        visit: &mut dyn FnMut(Event),
    ) -> Result<()> {
        let mut stmt = self.prepare_cached(
            "SELECT json FROM events WHERE type = 'expired' AND at >= ?1
               AND ticket IN (SELECT id FROM tickets WHERE day = ?2)
             ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![millis(from), day.to_string()])?;
        while let Some(row) = rows.next()? {
            let json: String = row.get(0)?;
            if let Ok(e) = serde_json::from_str(&json) {
                visit(e);
            }
        }
        Ok(())
    }

    fn staff_names(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self.prepare_cached("SELECT username, display_name FROM staff")?;
        let rows = stmt.query_map([], |row| {
            let username: String = row.get(0)?;
            let name: String = row.get(1)?;
            Ok((username, name))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (u, n) = row?;
            let name = if n.trim().is_empty() { u.clone() } else { n };
            out.insert(u, name);
        }
        Ok(out)
    }

    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<(u64, String)>> {
        let mut stmt = self
            .prepare_cached("SELECT seq, json FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let rows = stmt.query_map(params![after as i64, limit as i64], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

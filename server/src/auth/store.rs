//! The tables behind [`crate::auth`]: `staff`, `sessions` and `devices`.

use jiff::Timestamp;
use lobby_core::api::{DeviceKind, Role, StaffView};
use rusqlite::{OptionalExtension, params};

use super::{DeviceRecord, SessionRecord, StaffRecord};
use crate::store::{Result, Store, from_millis, hash_array, millis};

pub(crate) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Staff => "staff",
        Role::Guide => "guide",
        Role::Admin => "admin",
    }
}

pub(crate) fn parse_role(s: &str) -> Role {
    match s {
        "admin" => Role::Admin,
        "guide" => Role::Guide,
        _ => Role::Staff,
    }
}

/// The stored name of a device kind.
pub fn kind_name(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Kiosk => "kiosk",
        DeviceKind::Display => "display",
        DeviceKind::GuideDesk => "guide_desk",
        DeviceKind::Evaluator => "evaluator",
    }
}

fn parse_kind(s: &str) -> DeviceKind {
    match s {
        "kiosk" => DeviceKind::Kiosk,
        "guide_desk" => DeviceKind::GuideDesk,
        "evaluator" => DeviceKind::Evaluator,
        _ => DeviceKind::Display,
    }
}

impl Store {
    /// Every staff account.
    pub fn staff(&self) -> Result<Vec<StaffRecord>> {
        let mut stmt = self.conn().prepare(
            "SELECT username, display_name, password_hash, role, windows, disabled
             FROM staff ORDER BY username",
        )?;
        let rows = stmt.query_map([], |r| {
            let windows: String = r.get(4)?;
            Ok(StaffRecord {
                view: StaffView {
                    username: r.get(0)?,
                    display_name: r.get(1)?,
                    role: parse_role(&r.get::<_, String>(3)?),
                    windows: serde_json::from_str(&windows).unwrap_or_default(),
                    disabled: r.get::<_, i64>(5)? != 0,
                },
                password_hash: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether a user name is taken.
    pub fn staff_exists(&self, username: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM staff WHERE username = ?1",
                [username],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Adds a staff account.
    pub fn insert_staff(&self, s: &StaffRecord, at: Timestamp) -> Result<()> {
        let windows = serde_json::to_string(&s.view.windows)?;
        self.conn().execute(
            "INSERT INTO staff (username, display_name, password_hash, role, windows, disabled, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                s.view.username,
                s.view.display_name,
                s.password_hash,
                role_name(s.view.role),
                windows,
                s.view.disabled as i64,
                millis(at)
            ],
        )?;
        Ok(())
    }

    /// Replaces a staff account's fields.
    pub fn update_staff(&self, s: &StaffRecord) -> Result<()> {
        let windows = serde_json::to_string(&s.view.windows)?;
        self.conn().execute(
            "UPDATE staff SET display_name = ?2, password_hash = ?3, role = ?4, windows = ?5,
               disabled = ?6 WHERE username = ?1",
            params![
                s.view.username,
                s.view.display_name,
                s.password_hash,
                role_name(s.view.role),
                windows,
                s.view.disabled as i64
            ],
        )?;
        Ok(())
    }

    /// Deletes a staff account and its sessions.
    pub fn delete_staff(&self, username: &str) -> Result<bool> {
        self.conn()
            .execute("DELETE FROM sessions WHERE username = ?1", [username])?;
        Ok(self
            .conn()
            .execute("DELETE FROM staff WHERE username = ?1", [username])?
            > 0)
    }

    /// Live sessions (expired ones are deleted on the way).
    pub fn sessions(&self, now: Timestamp) -> Result<Vec<SessionRecord>> {
        self.conn()
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [millis(now)])?;
        let mut stmt = self
            .conn()
            .prepare("SELECT token_hash, username, expires_at FROM sessions")?;
        let rows = stmt.query_map([], |r| {
            Ok(SessionRecord {
                token_hash: hash_array(r.get(0)?),
                username: r.get(1)?,
                expires_at: from_millis(r.get(2)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a session.
    pub fn insert_session(&self, s: &SessionRecord) -> Result<()> {
        self.conn().execute(
            "INSERT INTO sessions (token_hash, username, expires_at) VALUES (?1, ?2, ?3)",
            params![&s.token_hash[..], s.username, millis(s.expires_at)],
        )?;
        Ok(())
    }

    /// Ends a session.
    pub fn delete_session(&self, token_hash: &[u8; 32]) -> Result<()> {
        self.conn().execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [&token_hash[..]],
        )?;
        Ok(())
    }

    /// Ends every session of an account.
    pub fn delete_sessions_of(&self, username: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM sessions WHERE username = ?1", [username])?;
        Ok(())
    }

    /// Every device.
    pub fn devices(&self) -> Result<Vec<DeviceRecord>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, name, kind, site, created_at, token_hash FROM devices ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DeviceRecord {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: parse_kind(&r.get::<_, String>(2)?),
                site: r.get::<_, Option<String>>(3)?.map(Into::into),
                created_at: from_millis(r.get(4)?),
                token_hash: hash_array(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a device; returns its id.
    pub fn insert_device(
        &self,
        name: &str,
        kind: DeviceKind,
        site: Option<&str>,
        token_hash: &[u8; 32],
        at: Timestamp,
    ) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO devices (name, kind, site, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, kind_name(kind), site, &token_hash[..], millis(at)],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Removes a device (its token stops working).
    pub fn delete_device(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM devices WHERE id = ?1", [id])?
            > 0)
    }
}

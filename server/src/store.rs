//! SQLite storage: the append-only event log, the current state, snapshots,
//! staff, sessions, devices and appointments.
//!
//! The database runs in WAL mode with `synchronous=FULL`: a commit is on
//! disk when it returns. Only the engine's thread writes (see
//! [`crate::engine`]); reports read through their own connections.
//!
//! # Tables
//!
//! - `events(seq, at, type, ticket, window, json)`: every event the core
//!   produced, in order, never changed. `seq` is gap-free; `at` is Unix
//!   milliseconds; `json` is the core's [`Event`]. It is the audit trail
//!   for supervision and the source of reports.
//! - `tickets(id, day, number, category, status, window, json)` and
//!   `windows(number, json)`: the current state, updated in the same
//!   transaction as the events that changed it. Tickets of earlier days stay
//!   here after the core forgets them, so their status pages still answer.
//! - `snapshots(seq, at, json)`: written by the first versions; snapshots
//!   now live in a file of their own (see [`crate::snapshots`]), and a
//!   restart reads both.
//! - `staff`, `sessions`, `devices`: accounts, tokens (hashed), devices.
//! - `appointments`: bookings, personal data masked.
//! - `secrets(name, value)`: the server's own keys (`rating`: the key of
//!   the rating link printed on each ticket); never sent anywhere.
//! - `audit(id, at, actor, action, target, address, changes)`: the audit
//!   trail of accounts, sessions and devices (see [`crate::audit`]),
//!   append-only, never holding a password or a token.
//!
//! # Migrations
//!
//! `PRAGMA user_version` holds the schema version; [`MIGRATIONS`] lists the
//! steps from each version to the next, and opening a file runs the missing
//! ones, each in its own transaction. A file from a newer server is refused.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use jiff::Timestamp;
use lobby_core::api::{AppointmentView, DeviceKind, Role, StaffView};
use lobby_core::{
    Event, EventKind, Hall, Lobby, Snapshot, Ticket, TicketId, WindowNo, WindowState,
};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

/// Schema steps: `MIGRATIONS[i]` takes a database from version `i` to
/// `i + 1`. Never edit a released step; add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: the event log and the current state.
    "CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        ticket TEXT,
        \"window\" INTEGER,
        json TEXT NOT NULL
    );
    CREATE INDEX events_at ON events(at);
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        number TEXT NOT NULL,
        category TEXT NOT NULL,
        status TEXT NOT NULL,
        \"window\" INTEGER,
        json TEXT NOT NULL
    );
    CREATE TABLE windows (
        number INTEGER PRIMARY KEY,
        json TEXT NOT NULL
    );
    CREATE TABLE snapshots (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        json TEXT NOT NULL
    );",
    // 2: staff accounts, their sessions, devices.
    "CREATE TABLE staff (
        username TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        windows TEXT NOT NULL DEFAULT '[]',
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        token_hash BLOB PRIMARY KEY,
        username TEXT NOT NULL REFERENCES staff(username) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE devices (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        site TEXT,
        token_hash BLOB NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    );",
    // 3: appointments; tickets by day for reports.
    "CREATE TABLE appointments (
        code TEXT PRIMARY KEY,
        category TEXT NOT NULL,
        matter TEXT,
        slot_start INTEGER NOT NULL,
        slot_end INTEGER NOT NULL,
        name TEXT NOT NULL,
        phone TEXT NOT NULL,
        id_number TEXT NOT NULL,
        ticket TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX tickets_day ON tickets(day);",
    // 4: the audit trail of accounts, sessions and devices (append-only).
    "CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        address TEXT,
        changes TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX audit_at ON audit(at);",
    // 5: the server's own secrets (the key of visitors' rating links).
    "CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );",
];

/// The schema version this server writes.
pub const VERSION: i32 = MIGRATIONS.len() as i32;

/// Take a snapshot after this many events (and at every day change).
pub const SNAPSHOT_EVERY: u64 = 5_000;

/// Calls kept for the stream's snapshot message.
pub const RECENT_CALLS: usize = 10;

/// Unix milliseconds of an instant.
pub fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

/// The instant of Unix milliseconds.
pub fn from_millis(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The single writing connection.
pub struct Store {
    conn: Connection,
}

/// What a restart rebuilt.
pub struct Restored {
    /// The hall's state.
    pub lobby: Lobby,
    /// The last event's sequence number (0 for an empty log).
    pub seq: u64,
    /// Events since the latest snapshot.
    pub since_snapshot: u64,
    /// The latest calls, newest first.
    pub recent_calls: Vec<Event>,
}

/// A staff account with its password hash.
#[derive(Debug, Clone)]
pub struct StaffRecord {
    /// The account.
    pub view: StaffView,
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// A device.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: DeviceKind,
    /// Site.
    pub site: Option<lobby_core::SiteId>,
    /// Registered at.
    pub created_at: Timestamp,
    /// SHA-256 of its token.
    pub token_hash: [u8; 32],
}

/// A login session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// SHA-256 of its token.
    pub token_hash: [u8; 32],
    /// Whose.
    pub username: String,
    /// Until when.
    pub expires_at: Timestamp,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// Brings a database to [`VERSION`].
pub fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let version: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > VERSION {
        bail!(
            "the database has schema version {version}, newer than this server's {VERSION}; \
             use a newer lobby-server"
        );
    }
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .with_context(|| format!("migrating the database to version {}", step + 1))?;
        tx.pragma_update(None, "user_version", step as i32 + 1)?;
        tx.commit()?;
        tracing::info!(version = step + 1, "database migrated");
    }
    Ok(())
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Staff => "staff",
        Role::Guide => "guide",
        Role::Admin => "admin",
    }
}

fn parse_role(s: &str) -> Role {
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
    }
}

fn parse_kind(s: &str) -> DeviceKind {
    match s {
        "kiosk" => DeviceKind::Kiosk,
        "guide_desk" => DeviceKind::GuideDesk,
        _ => DeviceKind::Display,
    }
}

fn status_name(s: lobby_core::Status) -> &'static str {
    use lobby_core::Status;
    match s {
        Status::Waiting => "waiting",
        Status::Called => "called",
        Status::Serving => "serving",
        Status::Completed => "completed",
        Status::NoShow => "no_show",
        Status::Expired => "expired",
        Status::Cancelled => "cancelled",
    }
}

fn hash_array(blob: Vec<u8>) -> [u8; 32] {
    let mut out = [0u8; 32];
    let n = blob.len().min(32);
    out[..n].copy_from_slice(&blob[..n]);
    out
}

fn json_err(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

impl Store {
    /// Opens (creating if needed) and migrates the database.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the directory {}", dir.display()))?;
        }
        let mut conn = Connection::open(path)
            .with_context(|| format!("opening the database {}", path.display()))?;
        configure(&conn).context("configuring the database")?;
        // Checkpoints run on their own thread (see `checkpointer`), so a
        // commit never waits for one.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Caps the database's size in pages, so tests can make commits fail
    /// as on a full disk.
    pub fn limit_pages(&self, pages: u32) -> rusqlite::Result<()> {
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
    }

    /// A read-only connection for reports.
    pub fn reader(path: &Path) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(conn)
    }

    /// Starts the background checkpointer: it copies the WAL into the
    /// database file every `period`, off the writer's path.
    pub fn checkpointer(path: &Path, period: std::time::Duration) -> anyhow::Result<()> {
        let conn = Connection::open(path)?;
        configure(&conn)?;
        std::thread::Builder::new()
            .name("lobby-checkpoint".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(period);
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "checkpoint failed");
                    }
                }
            })?;
        Ok(())
    }

    /// Begins a batch's transaction.
    pub fn begin(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")
    }

    /// Commits it: on disk when this returns.
    pub fn commit(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")
    }

    /// Abandons it.
    pub fn rollback(&self) {
        if !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "rollback failed");
        }
    }

    /// Copies the whole WAL into the database file (at shutdown).
    pub fn checkpoint(&self) {
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "final checkpoint failed");
        }
    }

    /// Appends an event (and its JSON) to the log.
    pub fn insert_event(&self, seq: u64, event: &Event, json: &str) -> rusqlite::Result<()> {
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

    /// Stores a ticket's current state.
    pub fn upsert_ticket(&self, t: &Ticket) -> rusqlite::Result<()> {
        let json = serde_json::to_string(t).map_err(json_err)?;
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

    /// Stores a window's current state.
    pub fn upsert_window(&self, w: &WindowState) -> rusqlite::Result<()> {
        let json = serde_json::to_string(w).map_err(json_err)?;
        self.conn
            .prepare_cached(
                "INSERT INTO windows (number, json) VALUES (?1, ?2)
                 ON CONFLICT(number) DO UPDATE SET json = excluded.json",
            )?
            .execute(params![w.number.0, json])?;
        Ok(())
    }

    /// A ticket's stored state, for tickets the core no longer holds.
    pub fn ticket(&self, id: &str) -> rusqlite::Result<Option<Ticket>> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT json FROM tickets WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Rebuilds the hall's state: the latest readable snapshot (from the
    /// snapshot file, or the `snapshots` table of older files), then every
    /// later event replayed through [`Lobby::apply`].
    pub fn restore(
        &self,
        hall: &Arc<Hall>,
        snapshots: Vec<(u64, String)>,
    ) -> anyhow::Result<Restored> {
        let last: u64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| {
                    r.get::<_, i64>(0)
                })? as u64;
        let mut candidates = snapshots;
        {
            let mut stmt = self
                .conn
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
            .conn
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

    // -- accounts -----------------------------------------------------------

    /// Every staff account.
    pub fn staff(&self) -> rusqlite::Result<Vec<StaffRecord>> {
        let mut stmt = self.conn.prepare(
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
        rows.collect()
    }

    /// The server's secret `name`, made (256 random bits) the first time
    /// it is asked for. It stays with the database, so links made with it
    /// keep working across restarts.
    pub fn secret(&self, name: &str) -> anyhow::Result<[u8; 32]> {
        let stored: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(v) = stored {
            return <[u8; 32]>::try_from(v.as_slice())
                .map_err(|_| anyhow::anyhow!("the stored secret `{name}` is not 32 bytes"));
        }
        let key = crate::secret::new_key();
        self.conn.execute(
            "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
            params![name, key.as_slice()],
        )?;
        Ok(key)
    }

    /// Whether a user name is taken.
    pub fn staff_exists(&self, username: &str) -> rusqlite::Result<bool> {
        self.conn
            .query_row(
                "SELECT 1 FROM staff WHERE username = ?1",
                [username],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
    }

    /// Adds a staff account.
    pub fn insert_staff(&self, s: &StaffRecord, at: Timestamp) -> rusqlite::Result<()> {
        let windows = serde_json::to_string(&s.view.windows).map_err(json_err)?;
        self.conn.execute(
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
    pub fn update_staff(&self, s: &StaffRecord) -> rusqlite::Result<()> {
        let windows = serde_json::to_string(&s.view.windows).map_err(json_err)?;
        self.conn.execute(
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
    pub fn delete_staff(&self, username: &str) -> rusqlite::Result<bool> {
        self.conn
            .execute("DELETE FROM sessions WHERE username = ?1", [username])?;
        Ok(self
            .conn
            .execute("DELETE FROM staff WHERE username = ?1", [username])?
            > 0)
    }

    /// Live sessions (expired ones are deleted on the way).
    pub fn sessions(&self, now: Timestamp) -> rusqlite::Result<Vec<SessionRecord>> {
        self.conn
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [millis(now)])?;
        let mut stmt = self
            .conn
            .prepare("SELECT token_hash, username, expires_at FROM sessions")?;
        let rows = stmt.query_map([], |r| {
            Ok(SessionRecord {
                token_hash: hash_array(r.get(0)?),
                username: r.get(1)?,
                expires_at: from_millis(r.get(2)?),
            })
        })?;
        rows.collect()
    }

    /// Adds a session.
    pub fn insert_session(&self, s: &SessionRecord) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO sessions (token_hash, username, expires_at) VALUES (?1, ?2, ?3)",
            params![&s.token_hash[..], s.username, millis(s.expires_at)],
        )?;
        Ok(())
    }

    /// Ends a session.
    pub fn delete_session(&self, token_hash: &[u8; 32]) -> rusqlite::Result<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [&token_hash[..]],
        )?;
        Ok(())
    }

    /// Ends every session of an account.
    pub fn delete_sessions_of(&self, username: &str) -> rusqlite::Result<()> {
        self.conn
            .execute("DELETE FROM sessions WHERE username = ?1", [username])?;
        Ok(())
    }

    /// Every device.
    pub fn devices(&self) -> rusqlite::Result<Vec<DeviceRecord>> {
        let mut stmt = self.conn.prepare(
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
        rows.collect()
    }

    /// Adds a device; returns its id.
    pub fn insert_device(
        &self,
        name: &str,
        kind: DeviceKind,
        site: Option<&str>,
        token_hash: &[u8; 32],
        at: Timestamp,
    ) -> rusqlite::Result<i64> {
        self.conn.execute(
            "INSERT INTO devices (name, kind, site, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, kind_name(kind), site, &token_hash[..], millis(at)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Removes a device (its token stops working).
    pub fn delete_device(&self, id: i64) -> rusqlite::Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM devices WHERE id = ?1", [id])?
            > 0)
    }

    // -- appointments -------------------------------------------------------

    /// Adds an appointment (already masked); false if the code is taken.
    pub fn insert_appointment(&self, a: &AppointmentView, at: Timestamp) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO appointments
               (code, category, matter, slot_start, slot_end, name, phone, id_number, ticket, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
            params![
                a.code,
                a.category.as_str(),
                a.matter.as_ref().map(|m| m.as_str()),
                millis(a.slot_start),
                millis(a.slot_end),
                a.name,
                a.phone,
                a.id_number,
                millis(at)
            ],
        )?;
        Ok(n > 0)
    }

    /// An appointment by code.
    pub fn appointment(&self, code: &str) -> rusqlite::Result<Option<AppointmentView>> {
        self.conn
            .query_row(
                "SELECT code, category, matter, slot_start, slot_end, name, phone, id_number, ticket
                 FROM appointments WHERE code = ?1",
                [code],
                appointment_row,
            )
            .optional()
    }

    /// Records the ticket an appointment checked in with.
    pub fn set_appointment_ticket(&self, code: &str, ticket: &TicketId) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE appointments SET ticket = ?2 WHERE code = ?1",
            params![code, ticket.as_str()],
        )?;
        Ok(())
    }
}

/// Every account's name as the admin set it (the account name when none
/// was set), by account.
pub fn staff_names(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT username, display_name FROM staff")?;
    let rows = stmt.query_map([], |row| {
        let username: String = row.get(0)?;
        let name: String = row.get(1)?;
        Ok((username, name))
    })?;
    rows.map(|r| {
        r.map(|(u, n)| {
            let name = if n.trim().is_empty() { u.clone() } else { n };
            (u, name)
        })
    })
    .collect()
}

impl Store {
    /// Appends an entry to the audit trail (inside the batch's
    /// transaction, with the change it describes).
    pub fn insert_audit(
        &self,
        at: Timestamp,
        actor: &crate::audit::Actor,
        record: &crate::audit::Record,
    ) -> rusqlite::Result<()> {
        let changes = serde_json::to_string(&record.changes).map_err(json_err)?;
        self.conn
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

/// Appointments whose slot starts in `[from, to)`, by slot then code,
/// from a reader connection (personal data as stored: masked).
pub fn appointments_between(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
) -> rusqlite::Result<Vec<AppointmentView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, category, matter, slot_start, slot_end, name, phone, id_number, ticket
         FROM appointments WHERE slot_start >= ?1 AND slot_start < ?2
         ORDER BY slot_start, code LIMIT 5000",
    )?;
    let rows = stmt.query_map(params![millis(from), millis(to)], appointment_row)?;
    rows.collect()
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
) -> rusqlite::Result<Vec<lobby_core::api::AuditEntry>> {
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
                lobby_core::api::AuditEntry {
                    id: r.get(0)?,
                    at: from_millis(r.get(1)?),
                    local_time: String::new(),
                    actor: r.get(2)?,
                    action: lobby_core::api::AuditAction::Login,
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
        match lobby_core::api::AuditAction::from_name(&action) {
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

/// Visits the events whose time lies in `[from, to)`, in order, from a
/// reader connection (streamed: a month of events is never in memory).
pub fn for_each_event(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    mut visit: impl FnMut(Event),
) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT json FROM events WHERE at >= ?1 AND at < ?2 ORDER BY seq")?;
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

/// Visits the `expired` events after `from` of tickets issued on `day`:
/// tickets still open when the next day began expire then, but count in
/// their own day's figures.
pub fn for_each_late_expiry(
    conn: &Connection,
    day: jiff::civil::Date,
    from: Timestamp,
    mut visit: impl FnMut(Event),
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
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

/// An appointment from a row of `SELECT code, category, matter,
/// slot_start, slot_end, name, phone, id_number, ticket`.
fn appointment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AppointmentView> {
    Ok(AppointmentView {
        code: r.get(0)?,
        category: r.get::<_, String>(1)?.into(),
        matter: r.get::<_, Option<String>>(2)?.map(Into::into),
        slot_start: from_millis(r.get(3)?),
        slot_end: from_millis(r.get(4)?),
        name: r.get(5)?,
        phone: r.get(6)?,
        id_number: r.get(7)?,
        ticket: r.get::<_, Option<String>>(8)?.map(Into::into),
    })
}

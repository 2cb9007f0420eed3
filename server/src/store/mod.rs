//! SQLite storage: the connection, its transactions and migrations, and
//! the seam the engine and the reports use ([`Log`], [`EventSource`]).
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
//! Each table's SQL lives with the feature that owns it: the event log and
//! current state in [`log`], accounts and devices in `crate::auth::store`,
//! appointments in `crate::appointments::store`, the audit trail in
//! `crate::audit`. They are `impl Store` blocks over [`Store::conn`].
//!
//! # The seam
//!
//! The engine's loop (begin, append, store the state, commit, restore) goes
//! through [`Log`], and every report reads through [`EventSource`]; both
//! speak [`StoreError`], not rusqlite's errors. SQLite implements them
//! here; log shipping reads [`EventSource::events_after`], and a second
//! backend implements the same two traits.
//!
//! # Migrations
//!
//! `PRAGMA user_version` holds the schema version; [`MIGRATIONS`] lists the
//! steps from each version to the next, and opening a file runs the missing
//! ones, each in its own transaction. A file from a newer server is refused.

pub mod log;
mod schema;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use jiff::Timestamp;
use jiff::civil::Date;
use lobby_core::{Event, Hall, Lobby, Ticket, TicketId, WindowState};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

pub use log::windows_touched;
pub use schema::MIGRATIONS;

/// A database operation that failed. The engine answers the whole batch
/// 503 and rebuilds its state from the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed (disk full, I/O error, locked).
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A stored value could not be written or read as JSON.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// What storage answers.
pub type Result<T> = std::result::Result<T, StoreError>;

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

/// Reads the database through a connection of its own, on a blocking
/// thread (off the async workers); a failed read is logged as `what` and
/// answered 503.
pub async fn read<T: Send + 'static>(
    path: &Path,
    lang: lobby_core::Lang,
    what: &'static str,
    read: impl FnOnce(&Connection) -> anyhow::Result<T> + Send + 'static,
) -> std::result::Result<T, crate::error::ApiError> {
    use crate::error::ApiError;
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || read(&Store::reader(&path)?))
        .await
        .map_err(|_| ApiError::internal(lang))?
        .map_err(|e| {
            tracing::error!(error = %e, "{what} failed");
            ApiError::unavailable(lang)
        })
}

/// The WAL file beside a database.
pub fn wal_path(db: &Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    std::path::PathBuf::from(name)
}

/// The WAL's size past which the checkpointer truncates it.
pub const WAL_LIMIT: u64 = 64 * 1024 * 1024;

/// The single writing connection.
pub struct Store {
    conn: Connection,
    wal: std::path::PathBuf,
    wal_limit: u64,
}

/// What the writer needs of its database: one transaction per batch, the
/// append-only event log and the current state beside it, and the state
/// rebuilt from them at start or after a failed commit.
pub trait Log {
    /// Begins a batch's transaction.
    fn begin(&self) -> Result<()>;
    /// Commits it: durable when this returns.
    fn commit(&self) -> Result<()>;
    /// Abandons it (never fails: a failed rollback is logged).
    fn rollback(&self);
    /// Appends an event, with its JSON as the log keeps it.
    fn append(&self, seq: u64, event: &Event, json: &str) -> Result<()>;
    /// Stores a ticket's current state.
    fn put_ticket(&self, ticket: &Ticket) -> Result<()>;
    /// Stores a window's current state.
    fn put_window(&self, window: &WindowState) -> Result<()>;
    /// A ticket's stored state, for tickets the core no longer holds.
    fn stored_ticket(&self, id: &TicketId) -> Result<Option<Ticket>>;
    /// Rebuilds the hall's state from the latest usable snapshot and the
    /// events after it.
    fn restore(&self, hall: &Arc<Hall>, snapshots: Vec<(u64, String)>) -> anyhow::Result<Restored>;
    /// Copies everything committed into the main file (at shutdown).
    fn checkpoint(&self);
    /// Between batches: when the WAL has grown past its limit, copies it
    /// into the main file and empties it. The next batch waits for that
    /// one checkpoint; without it, back-to-back writes grow the WAL
    /// without bound (784 MB in 24 s was seen, filling a small disk).
    fn bound_wal(&self);
}

/// What the reports (and log shipping) read: committed events, streamed in
/// order so a year never sits in memory.
pub trait EventSource {
    /// Visits the events whose time lies in `[from, to)`, in order.
    fn for_each_event(
        &self,
        from: Timestamp,
        to: Timestamp,
        visit: &mut dyn FnMut(Event),
    ) -> Result<()>;
    /// Visits the `expired` events after `from` of tickets issued on `day`
    /// (tickets still open at the next day change expire then, but count
    /// in their own day).
    fn for_each_late_expiry(
        &self,
        day: Date,
        from: Timestamp,
        visit: &mut dyn FnMut(Event),
    ) -> Result<()>;
    /// Every account's display name (the account name when none was set).
    fn staff_names(&self) -> Result<HashMap<String, String>>;
    /// Up to `limit` events after sequence `after`, in order, as stored
    /// JSON: what log shipping sends.
    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<(u64, String)>>;
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
        anyhow::bail!(
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
pub(crate) fn status_name(s: lobby_core::Status) -> &'static str {
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

pub(crate) fn hash_array(blob: Vec<u8>) -> [u8; 32] {
    let mut out = [0u8; 32];
    let n = blob.len().min(32);
    out[..n].copy_from_slice(&blob[..n]);
    out
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
        // A WAL reset after a checkpoint keeps at most this much of the
        // file, instead of its high-water mark.
        conn.pragma_update(None, "journal_size_limit", WAL_LIMIT as i64)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&mut conn)?;
        Ok(Store {
            conn,
            wal: wal_path(path),
            wal_limit: WAL_LIMIT,
        })
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
    /// database file every `period`, off the writer's path. A passive
    /// checkpoint never waits for the writer, so under back-to-back writes
    /// it never completes and cannot reset the WAL; the writer bounds it
    /// itself ([`Log::bound_wal`]).
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

    /// Sets the WAL's size past which [`Log::bound_wal`] empties it.
    pub fn set_wal_limit(&mut self, bytes: u64) {
        self.wal_limit = bytes;
    }

    /// The connection, for the features' own tables (inside the batch's
    /// transaction when the engine calls them).
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The server's secret `name`, made (256 random bits) the first time
    /// it is asked for. It stays with the database, so links made with it
    /// keep working across restarts.
    pub fn secret(&self, name: &str) -> anyhow::Result<[u8; 32]> {
        let stored: Option<Vec<u8>> = self
            .conn()
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
}

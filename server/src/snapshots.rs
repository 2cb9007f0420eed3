//! Snapshots of the hall's state, written off the writer's path.
//!
//! A restart loads the latest snapshot and replays only the events after
//! it. Taking one means serializing every ticket of the day, which on a
//! busy day is megabytes: too slow to do between two commits. So the engine
//! hands a copy of the state to this module's thread, which serializes it
//! and stores it in a database file of its own (`<db>.snapshots`), never
//! holding the main database's write lock. A snapshot is only an
//! optimization: if the file is lost, the server replays the whole log.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use anyhow::Context;
use jiff::Timestamp;
use lobby_core::Snapshot;
use rusqlite::{Connection, params};

/// Snapshots kept; older ones are deleted.
const KEPT: i64 = 3;

/// The snapshot file next to a database.
pub fn path_for(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".snapshots");
    db.with_file_name(name)
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Losing the last snapshot to a power cut only means a longer replay.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS snapshots (
            seq INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            json TEXT NOT NULL
        );",
    )?;
    Ok(conn)
}

/// Stored snapshots, newest first, as `(seq, json)`.
pub fn stored(db: &Path) -> Vec<(u64, String)> {
    let path = path_for(db);
    if !path.exists() {
        return Vec::new();
    }
    let read = || -> rusqlite::Result<Vec<(u64, String)>> {
        let conn = open(&path)?;
        let mut stmt = conn.prepare("SELECT seq, json FROM snapshots ORDER BY seq DESC")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?;
        rows.collect()
    };
    read().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the snapshot file cannot be read; replaying the log");
        Vec::new()
    })
}

struct Job {
    seq: u64,
    at: Timestamp,
    snapshot: Snapshot,
}

/// The snapshot writer thread.
pub struct Snapshots {
    tx: Option<SyncSender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Snapshots {
    /// Opens the snapshot file of `db` and starts the writer.
    pub fn start(db: &Path) -> anyhow::Result<Snapshots> {
        let conn = open(&path_for(db)).context("opening the snapshot file")?;
        let (tx, rx) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("lobby-snapshot".into())
            .spawn(move || write_all(conn, rx))?;
        Ok(Snapshots {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Offers a snapshot taken after event `seq`; false if the previous
    /// one is still being written (the caller offers again later).
    pub fn offer(&self, seq: u64, at: Timestamp, snapshot: Snapshot) -> bool {
        let Some(tx) = &self.tx else { return false };
        match tx.try_send(Job { seq, at, snapshot }) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => false,
            Err(TrySendError::Disconnected(_)) => {
                tracing::warn!("the snapshot writer stopped");
                false
            }
        }
    }

    /// Writes a last snapshot (waiting for it) and stops the thread.
    pub fn finish(mut self, last: Option<(u64, Timestamp, Snapshot)>) {
        if let Some(tx) = self.tx.take() {
            if let Some((seq, at, snapshot)) = last {
                let _ = tx.send(Job { seq, at, snapshot });
            }
            drop(tx);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn write_all(conn: Connection, rx: Receiver<Job>) {
    for job in rx {
        let started = std::time::Instant::now();
        let result = serde_json::to_string(&job.snapshot)
            .map_err(anyhow::Error::from)
            .and_then(|json| {
                conn.execute(
                    "INSERT OR REPLACE INTO snapshots (seq, at, json) VALUES (?1, ?2, ?3)",
                    params![job.seq as i64, job.at.as_millisecond(), json],
                )?;
                conn.execute(
                    "DELETE FROM snapshots WHERE seq NOT IN
                       (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?1)",
                    params![KEPT],
                )?;
                Ok(json.len())
            });
        match result {
            Ok(bytes) => tracing::debug!(
                seq = job.seq,
                bytes,
                ms = started.elapsed().as_millis() as u64,
                "snapshot stored"
            ),
            Err(e) => tracing::warn!(seq = job.seq, error = %e, "snapshot failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_sits_next_to_the_database() {
        let p = super::path_for(std::path::Path::new("data/lobby.sqlite"));
        assert_eq!(p, std::path::Path::new("data/lobby.sqlite.snapshots"));
    }
}

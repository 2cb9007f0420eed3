//! The schema's versioned steps (`PRAGMA user_version`).

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
    // 6: the first outcome of each request sent with an Idempotency-Key,
    // committed with its events, for a retry after an unknown outcome.
    "CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        caller TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX idempotency_at ON idempotency(at);",
];

//! lobby-server's integration tests: the real binary on an ephemeral port,
//! its own SQLite file and a fake clock, driven over HTTP and WebSocket.

mod audit;
mod auth;
mod bad_input;
mod clock;
mod concurrency;
mod contract;
mod crash;
mod extras;
mod harness;
mod idempotency;
mod language;
mod limits;
mod login_limit;
mod migration;
mod restart;
mod setup;
mod stream;

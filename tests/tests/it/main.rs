//! End-to-end tests across Lobby's crates: the real binaries, a real
//! SQLite file, a real browser. One test binary; one module per area.
//!
//! - `replay`: `lobby-sim --replay` on a day worked through the server.
//! - `schemathesis`: the OpenAPI document against the server, by
//!   schemathesis (all phases, all checks).
//! - `web`: the pages lobby-server serves (`/`, `/window`, `/admin`, `/t/{id}`)
//!   in headless Chromium. Screenshots go to `target/screenshots/web/`.

mod replay;
mod schemathesis;
mod web;

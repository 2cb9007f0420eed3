//! lobby-tests: end-to-end tests across Lobby's crates, against the real
//! binaries, a real SQLite file and a real browser. The tests themselves
//! are in `tests/it/` (one test binary); this library is the support they
//! share, kept general so that the kiosk and display tests can use it too.
//!
//! # Layout
//!
//! - [`binary`]: finds a workspace binary next to the test executable and
//!   builds it when it is missing or older than its sources.
//! - [`server`]: [`Server`], the real `lobby-server` on a loopback port
//!   with a temporary database, a fake clock and an admin token; stopped
//!   and restarted on the same port and database at will.
//! - [`api`]: [`Api`], a small blocking client of the HTTP API with
//!   helpers to create staff, devices and tickets.
//! - [`browser`]: [`Chromedriver`] and [`Browser`], headless Chromium
//!   driven through WebDriver (fantoccini), with waits that poll for a
//!   condition (never a fixed sleep) and screenshots under
//!   `target/screenshots/`.
//!
//! Nothing here sleeps to wait: servers are ready when they print their
//! address, chromedriver when it answers `/status`, pages when the element
//! or text a test needs is there.
//!
//! # Running
//!
//! `cargo test -p lobby-tests` (or `tests/run.sh`, which first installs
//! Debian's `chromium` and `chromium-driver`). `lobby-server` is built on
//! demand (see [`binary`]). `CHROMEDRIVER` and `CHROMIUM` override the
//! programs' paths (`chromedriver` on `PATH`, `/usr/bin/chromium`).
//! The schemathesis test runs the `st` named in `LOBBY_SCHEMATHESIS`,
//! which `tests/run.sh` installs (a pinned version, in a virtual
//! environment under `target/`) and sets.
//! Screenshots for review land in `target/screenshots/<area>/`.

pub mod api;
pub mod binary;
pub mod browser;
pub mod server;

pub use api::{Api, ApiFailure};
pub use browser::{Browser, BrowserOptions, Chromedriver};
pub use server::{Server, ServerOptions};

/// The instant the tests' fake clock starts at: a Wednesday morning in the
/// default hall's first opening session (08:30–12:00), so kiosks issue.
pub const FAKE_CLOCK: &str = "2026-11-25T09:00:00+08:00";

/// The repository's root directory.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        // The manifest is `<root>/tests/Cargo.toml`: it has a parent.
        .unwrap_or_else(|| std::path::PathBuf::from(".."))
}

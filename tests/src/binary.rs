//! Finding the workspace's binaries from a test.
//!
//! Cargo builds a package's binaries for that package's own integration
//! tests only (`CARGO_BIN_EXE_*`); `cargo test -p lobby-tests` does not
//! build `lobby-server`, and a plain `cargo test --workspace` may have run
//! after the server's sources changed without rebuilding it for us. So the
//! binary is looked for in the same target directory as the running test
//! (derived from `std::env::current_exe()`, which also honours
//! `CARGO_TARGET_DIR` and the profile), and when it is missing or older
//! than any of its sources, `cargo build -p PACKAGE --bin NAME` runs with
//! the `CARGO` that runs the tests (so the same toolchain), into that same
//! target directory. Cargo's own freshness check then does the rest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use anyhow::{Context, bail};

/// A binary of the workspace.
#[derive(Debug, Clone, Copy)]
pub struct Binary {
    /// The binary's name (`lobby-server`).
    pub name: &'static str,
    /// Its package (`lobby-server`).
    pub package: &'static str,
    /// Paths relative to the workspace root whose changes make it stale:
    /// its crate, the crates it uses, embedded assets.
    pub sources: &'static [&'static str],
}

/// `lobby-server`.
pub const LOBBY_SERVER: Binary = Binary {
    name: "lobby-server",
    package: "lobby-server",
    sources: &["server", "core", "assets", "Cargo.lock"],
};

/// `lobby-sim` (its crate lives in `sim/`).
pub const LOBBY_SIM: Binary = Binary {
    name: "lobby-sim",
    package: "lobby-sim",
    sources: &["core", "assets", "Cargo.lock"],
};

/// The profile directory the running test was built into
/// (`target/debug`): the test executable is `target/debug/deps/it-…`.
pub fn profile_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the test executable")?;
    let deps = exe
        .parent()
        .context("the test executable has a directory")?;
    let dir = if deps.file_name().is_some_and(|n| n == "deps") {
        deps.parent().context("deps/ has a parent")?
    } else {
        deps
    };
    Ok(dir.to_path_buf())
}

/// The target directory (`target/`).
pub fn target_dir() -> anyhow::Result<PathBuf> {
    let profile = profile_dir()?;
    Ok(profile.parent().map(Path::to_path_buf).unwrap_or(profile))
}

fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    let mut newest = meta.modified().ok();
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).ok()?.flatten() {
            let name = entry.file_name();
            // Build output and editor litter are not sources.
            if name == "target" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            newest = newest.max(self::newest(&entry.path()));
        }
    }
    newest
}

fn is_stale(exe: &Path, sources: &[&str]) -> bool {
    let Some(built) = std::fs::metadata(exe).and_then(|m| m.modified()).ok() else {
        return true;
    };
    let root = crate::workspace_root();
    sources
        .iter()
        .filter_map(|s| newest(&root.join(s)))
        .any(|t| t > built)
}

/// The path of `binary`, built first if missing or stale. Builds at most
/// once per binary and test process, however many tests ask at once.
pub fn path(binary: Binary) -> anyhow::Result<PathBuf> {
    static BUILT: OnceLock<Mutex<HashMap<&'static str, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    // A test that panicked while holding the lock left the map intact.
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = built.get(binary.name) {
        return Ok(p.clone());
    }
    let profile = profile_dir()?;
    let exe = profile.join(format!("{}{}", binary.name, std::env::consts::EXE_SUFFIX));
    if is_stale(&exe, binary.sources) {
        build(binary, &profile)?;
    }
    if !exe.exists() {
        bail!("{} was built but is not at {}", binary.name, exe.display());
    }
    built.insert(binary.name, exe.clone());
    Ok(exe)
}

fn build(binary: Binary, profile: &Path) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = target_dir()?;
    let mut cmd = Command::new(cargo);
    cmd.current_dir(crate::workspace_root())
        .args(["build", "--package", binary.package, "--bin", binary.name])
        .env("CARGO_TARGET_DIR", &target);
    match profile.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.args(["--profile", other]);
        }
    }
    let status = cmd
        .status()
        .with_context(|| format!("running cargo to build {}", binary.name))?;
    if !status.success() {
        bail!("cargo build of {} failed ({status})", binary.name);
    }
    Ok(())
}

//! Schemathesis against the real lobby-server: every phase (examples,
//! coverage, fuzzing, stateful) and every check, so the OpenAPI document
//! at `/api/openapi.json` says what the server does, and the server
//! refuses what the document rules out.
//!
//! `tests/run.sh` installs the pinned schemathesis into a virtual
//! environment and names its `st` in `LOBBY_SCHEMATHESIS`; without it the
//! test fails and says so, as the browser tests do without chromedriver.
//!
//! The server runs on the tests' fake clock, a Wednesday morning when the
//! hall issues tickets: on the real clock what the run reaches would hang
//! on the hour CI happens to start at. `/api/test/clock`, served only with
//! a fake clock, is left out (it is a hook for tests, not the API), and so
//! is `/api/events`, a WebSocket: an HTTP fuzzer's request either is no
//! upgrade (400, which the stream's own tests cover) or becomes a socket
//! it cannot read. `tests/schemathesis.toml` holds the few rules between
//! fields that a JSON Schema cannot state.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, anyhow};
use lobby_tests::{Server, workspace_root};

/// Test cases per operation and phase: enough to reach every status an
/// operation answers, few enough for a few minutes on two cores.
const MAX_EXAMPLES: &str = "20";

/// Fixed, so a failure found once is found again.
const SEED: &str = "20261125";

#[test]
fn schemathesis_finds_nothing_the_document_does_not_say() -> anyhow::Result<()> {
    let st = std::env::var("LOBBY_SCHEMATHESIS").map_err(|_| {
        anyhow!(
            "LOBBY_SCHEMATHESIS is not set: run tests/run.sh, which installs schemathesis \
             and names its `st` there"
        )
    })?;
    let server = Server::start()?;
    // Schemathesis and Hypothesis leave files in their working directory.
    let dir = tempfile::Builder::new()
        .prefix("lobby-schemathesis-")
        .tempdir()
        .context("creating schemathesis's working directory")?;
    let config = workspace_root().join("tests").join("schemathesis.toml");
    let started = Instant::now();
    let out = Command::new(&st)
        .arg("--config-file")
        .arg(&config)
        .arg("--no-color")
        .arg("run")
        .arg(format!("{}/api/openapi.json", server.url()))
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--checks", "all"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        // One worker: the stateful phase's sequences then run in the same
        // order every time.
        .args(["--workers", "1"])
        .args(["--request-timeout", "10"])
        .args(["--generation-database", "none"])
        .args(["--exclude-path", "/api/events"])
        .args(["--exclude-path", "/api/test/clock"])
        .arg("-H")
        .arg(format!("Authorization: Bearer {}", server.admin_token()))
        .current_dir(dir.path())
        .output()
        .with_context(|| format!("running {st}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The closing lines (cases generated, failures, time) in the test's
    // output, also when it passes (`--nocapture` shows them).
    let summary: Vec<&str> = stdout.lines().rev().take(6).collect();
    println!(
        "schemathesis exited with {} after {:.0} s:",
        out.status,
        started.elapsed().as_secs_f64()
    );
    for line in summary.iter().rev() {
        println!("{line}");
    }
    if !out.status.success() {
        let log = server.log();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(anyhow!(
            "schemathesis failed ({}):\n{stdout}\n{stderr}\nthe server's log ends:\n{}",
            out.status,
            tail.join("\n")
        ));
    }
    Ok(())
}

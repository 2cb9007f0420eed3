//! The real `lobby-server` on a loopback port.
//!
//! [`Server::start`] runs the binary with `--listen 127.0.0.1:0`, a
//! database in a fresh temporary directory, the fake clock and an admin
//! token, and returns once the server has printed its address (the one
//! line it writes to stdout, after it accepts connections). Its log goes to
//! `server.log` in the same directory and is quoted when start-up fails.
//! [`Server::stop`] kills it (`kill -9`: the server promises to lose
//! nothing acknowledged) and [`Server::restart`] brings it back on the same
//! port and database, as a hall's server would come back after a crash.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::api::Api;
use crate::binary;

/// How long a server may take to print its address (a debug build
/// opening a fresh database on a busy machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// `--fake-clock` instant (RFC 3339); `None` runs on the real clock.
    pub fake_clock: Option<String>,
    /// `LOBBY_ADMIN_TOKEN` (at least 16 characters).
    pub admin_token: String,
    /// `--config`; the repository's `assets/hall.toml` by default.
    pub config: PathBuf,
    /// Further arguments.
    pub args: Vec<String>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            fake_clock: Some(crate::FAKE_CLOCK.to_owned()),
            admin_token: "lobby-tests-admin-token-0123456789".to_owned(),
            config: crate::workspace_root().join("assets").join("hall.toml"),
            args: Vec::new(),
        }
    }
}

/// A running `lobby-server` and its database; killed when dropped.
pub struct Server {
    child: Option<Child>,
    addr: SocketAddr,
    options: ServerOptions,
    dir: tempfile::TempDir,
}

impl Server {
    /// Starts a server with the default options.
    pub fn start() -> anyhow::Result<Server> {
        Server::start_with(ServerOptions::default())
    }

    /// Starts a server.
    pub fn start_with(options: ServerOptions) -> anyhow::Result<Server> {
        let dir = tempfile::Builder::new()
            .prefix("lobby-server-")
            .tempdir()
            .context("creating the server's temporary directory")?;
        let listen: SocketAddr = "127.0.0.1:0".parse().context("a literal address")?;
        let (child, addr) = spawn(&options, dir.path(), listen)?;
        Ok(Server {
            child: Some(child),
            addr,
            options,
            dir,
        })
    }

    /// The base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The admin token it accepts.
    pub fn admin_token(&self) -> &str {
        &self.options.admin_token
    }

    /// The database file.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("lobby.sqlite")
    }

    /// The server's log (stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// An API client holding the admin token.
    pub fn admin(&self) -> Api {
        Api::new(&self.url()).with_token(self.admin_token())
    }

    /// An API client without a token (the public).
    pub fn public(&self) -> Api {
        Api::new(&self.url())
    }

    /// Kills the server (SIGKILL) and waits until it has exited.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            // Already exited is fine: wait() still reaps it.
            let _ = child.kill();
            child.wait().context("waiting for lobby-server to exit")?;
        }
        Ok(())
    }

    /// Starts the server again on the same port and database.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.stop()?;
        let (child, addr) = spawn(&self.options, self.dir.path(), self.addr)?;
        self.child = Some(child);
        self.addr = addr;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

fn spawn(
    options: &ServerOptions,
    dir: &Path,
    listen: SocketAddr,
) -> anyhow::Result<(Child, SocketAddr)> {
    let exe = binary::path(binary::LOBBY_SERVER)?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .context("creating server.log")?;
    let mut cmd = Command::new(&exe);
    cmd.arg("--listen")
        .arg(listen.to_string())
        .arg("--db")
        .arg(dir.join("lobby.sqlite"))
        .arg("--config")
        .arg(&options.config)
        .args(&options.args)
        .env("LOBBY_ADMIN_TOKEN", &options.admin_token)
        .env("RUST_LOG", "info")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log);
    if let Some(at) = &options.fake_clock {
        cmd.arg("--fake-clock").arg(at);
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let stdout = child.stdout.take().context("stdout is piped")?;
    // The first line is the address; read it on a thread so that a server
    // that never prints fails the test after a while instead of hanging it.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let first = reader.read_line(&mut line).map(|_| line);
        let _ = tx.send(first);
        // Keep draining so the server never writes into a closed pipe.
        let _ = std::io::copy(&mut reader.take(u64::MAX), &mut std::io::sink());
    });
    let line = match rx.recv_timeout(START_TIMEOUT) {
        Ok(Ok(line)) if !line.is_empty() => line,
        other => {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            bail!("lobby-server did not print its address ({other:?}); its log:\n{log}");
        }
    };
    let addr = line
        .trim()
        .strip_prefix("http://")
        .and_then(|a| a.parse().ok())
        .with_context(|| format!("lobby-server printed `{}`, not http://ADDR", line.trim()))?;
    Ok((child, addr))
}

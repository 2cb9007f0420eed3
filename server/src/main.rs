//! `lobby-server`: parse arguments, set up logging, run the library.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Queue and window-routing server for a government service hall.
#[derive(Debug, Parser)]
#[command(name = "lobby-server", version, about)]
struct Args {
    /// The hall configuration [default: assets/hall.toml, or the built-in
    /// copy when that file is absent].
    #[arg(long, env = "LOBBY_CONFIG")]
    config: Option<PathBuf>,
    /// The SQLite database file (created if missing).
    #[arg(long, env = "LOBBY_DB", default_value = "data/lobby.sqlite")]
    db: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "LOBBY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// For tests: start a fake clock at this instant (RFC 3339, e.g.
    /// 2026-11-25T09:00:00+08:00); time then moves only through
    /// POST /api/test/clock.
    #[arg(long, env = "LOBBY_FAKE_CLOCK")]
    fake_clock: Option<jiff::Timestamp>,
    /// Threads serving HTTP (the writer has its own) [default: one per
    /// core].
    #[arg(long, env = "LOBBY_WORKERS")]
    workers: Option<usize>,
    /// Seconds between WAL checkpoints (copying committed pages into the
    /// database file, off the writer's path).
    #[arg(long, env = "LOBBY_CHECKPOINT_SECS", default_value_t = 1)]
    checkpoint_secs: u64,
    /// For tests: cap the database at this many pages (commits then fail as
    /// on a full disk).
    #[arg(long, hide = true)]
    test_max_db_pages: Option<u32>,
    /// Most connections open at once [default: the open-file limit, raised
    /// to its maximum at start, less a reserve]; past it new clients wait.
    #[arg(long, env = "LOBBY_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Seconds a client may take to send a request's headers, and that an
    /// idle connection stays open.
    #[arg(long, env = "LOBBY_HEADER_TIMEOUT_SECS", default_value_t = 15)]
    header_timeout_secs: u64,
    /// For tests: the WAL's size in KiB past which it is emptied at once.
    #[arg(long, hide = true)]
    test_wal_limit_kib: Option<u64>,
    /// Seconds between ticks (closing, automatic no-shows, yellow cards).
    #[arg(long, env = "LOBBY_TICK_SECS", default_value_t = 5)]
    tick_secs: u64,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Add an administrator account to the database (`--db`) while the
    /// server is stopped: the first account of a fresh database. Asks for
    /// the password at the console (or reads one line from standard input
    /// when that is not a terminal).
    CreateAdmin {
        /// User name: letters, digits, `.`, `-` and `_`.
        username: String,
        /// Name shown on screens and in reports.
        #[arg(long, default_value = "")]
        name: String,
    },
}

/// The new administrator's password: typed twice at a terminal, or one
/// line of standard input.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("密码 (password): ")?;
        let again = rpassword::prompt_password("再输入一次 (again): ")?;
        if first != again {
            bail!("两次输入的密码不一致（the passwords differ）");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    if let Some(Cmd::CreateAdmin { username, name }) = &args.command {
        let password = read_password()?;
        let view = lobby_server::setup::create_admin(
            &args.db,
            username,
            name,
            &password,
            jiff::Timestamp::now(),
        )?;
        println!(
            "已创建管理员 {}（{}）；请启动服务器并在 /admin 登录 (administrator created; \
             start the server and sign in at /admin)",
            view.username, view.display_name
        );
        return Ok(());
    }
    let hall = match &args.config {
        Some(path) => lobby_server::load_hall(path)?,
        None => {
            let path = PathBuf::from("assets/hall.toml");
            if path.exists() {
                lobby_server::load_hall(&path)?
            } else {
                tracing::info!("assets/hall.toml not found; serving the built-in hall");
                lobby_server::builtin_hall()?
            }
        }
    };
    // The admin token comes only from the environment, never a flag: flags
    // show in `ps`.
    let admin_token = std::env::var("LOBBY_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    if let Some(t) = &admin_token
        && t.len() < 16
    {
        bail!("LOBBY_ADMIN_TOKEN is too short: use at least 16 characters");
    }
    let config = lobby_server::Config {
        hall: Arc::new(hall),
        db: args.db,
        listen: args.listen,
        fake_clock: args.fake_clock,
        admin_token,
        tick: Duration::from_secs(args.tick_secs.max(1)),
        max_db_pages: args.test_max_db_pages,
        checkpoint: Duration::from_secs(args.checkpoint_secs.max(1)),
        wal_limit: args
            .test_wal_limit_kib
            .map_or(lobby_server::store::WAL_LIMIT, |k| k * 1024),
        limits: lobby_server::listen::Limits {
            max_connections: args.max_connections,
            header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
            ..Default::default()
        },
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.workers {
        runtime.worker_threads(n.max(1));
    }
    let runtime = runtime
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(lobby_server::run(config, |addr| {
        // The one line on stdout: scripts and tests wait for it.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "http://{addr}");
        let _ = out.flush();
    }))
}

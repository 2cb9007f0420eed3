//! lobby-server: the one writer of a Lobby hall. It owns the core's state
//! and the SQLite database, commits every change before it answers, and
//! serves the HTTP API, its OpenAPI document, the event stream and the
//! staff and admin pages.
//!
//! # Layout
//!
//! The server is cut by feature; each feature module holds its routes
//! (with their OpenAPI operations), handlers, the jobs it gives the engine
//! and the SQL of its own tables. [`app`] lists the features.
//!
//! - Features: [`queue`] (tickets and windows, through the core),
//!   [`accounts`] (staff, logins, sessions), [`devices`] (device tokens
//!   and their reported state), [`appointments`], [`reports`] (day,
//!   period, monthly ranking), [`audit`] (the trail of account changes),
//!   [`stream`] (the WebSocket event stream), [`web`] (the pages) and
//!   [`test_clock`] (only with `--fake-clock`).
//! - [`engine`]: the writer thread, generic: it owns the
//!   [`lobby_core::Lobby`] and the only writing connection, runs the
//!   features' jobs in batches, one transaction and one fsync per batch,
//!   and answers after the commit.
//! - [`store`]: the SQLite connection, migrations, the event log and the
//!   current state, and the seam ([`store::Log`], [`store::EventSource`])
//!   the engine and the reports use.
//! - [`snapshots`]: the state's snapshots, written by a thread of their own
//!   into their own file so a busy day's snapshot never stalls a commit.
//! - [`hub`]: fan-out of committed events to WebSocket subscribers, with a
//!   ring of recent events for clients that reconnect.
//! - [`http`]: the route builder, extractors, shared query parameters, the
//!   JSON and error answers, and the OpenAPI document's shared schemas.
//! - [`state`]: what every handler reaches, including the state that lives
//!   beside the engine (login and check-in limiters, device reports).
//! - [`auth`]: principals (admin token, staff sessions, devices), the
//!   permission rules, argon2 password hashing, the accounts' tables.
//! - [`clock`]: the system clock and the tests' fake clock.
//! - [`limit`]: rate limiting by failures (logins, check-in codes).
//! - [`error`]: the API's one error type.
//! - [`secret`], [`mask`]: random ids and tokens; masking personal data.
//! - [`setup`]: one server per database (a lock file) and the first
//!   administrator (`lobby-server create-admin`).
//!
//! [`run`] starts everything; `src/main.rs` only parses arguments.
//!
//! # Invariants
//!
//! - No answer before its commit: an acknowledged change survives `kill -9`
//!   (tested by killing the server during a burst of issues).
//! - Memory never runs ahead of disk: a failed commit answers 503 to its
//!   whole batch and the state is rebuilt from the database.
//! - A refused request changes nothing (the core guarantees it; the engine
//!   writes only accepted commands' events).
//! - Nothing public carries a ticket id (the key of its status page) or an
//!   appointment code: the public stream and queue are redacted.
//! - Tokens are stored as SHA-256 hashes, passwords as argon2 hashes;
//!   neither is ever logged.

// The OpenAPI document is one `json!` literal, deeper than the default.
#![recursion_limit = "256"]

pub mod accounts;
pub mod app;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod devices;
pub mod engine;
pub mod error;
pub mod http;
pub mod hub;
pub mod limit;
pub mod listen;
pub mod mask;
pub mod queue;
pub mod reports;
pub mod secret;
pub mod setup;
pub mod snapshots;
pub mod state;
pub mod store;
pub mod stream;
pub mod test_clock;
pub mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::body::Bytes;
use jiff::Timestamp;
use lobby_core::Hall;
use tokio::sync::{Semaphore, watch};

use crate::clock::{Clock, FakeClock, SystemClock};
use crate::engine::Engine;
use crate::secret::TokenHash;
use crate::store::Store;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The hall.
    pub hall: Arc<Hall>,
    /// The database file.
    pub db: PathBuf,
    /// Where to listen (port 0 picks a free one).
    pub listen: SocketAddr,
    /// Start a fake clock at this instant instead of the system clock.
    pub fake_clock: Option<Timestamp>,
    /// The administrator token (`LOBBY_ADMIN_TOKEN`).
    pub admin_token: Option<String>,
    /// How often time is passed to the core (closing, auto no-shows, cards).
    pub tick: Duration,
    /// For tests: cap the database at this many pages, so commits fail as
    /// on a full disk.
    pub max_db_pages: Option<u32>,
    /// How often the WAL is copied into the database file.
    pub checkpoint: Duration,
    /// The WAL's size past which it is checkpointed and emptied at once.
    pub wal_limit: u64,
    /// Connections open at once, and how long a client may take.
    pub limits: listen::Limits,
}

/// Runs the server until SIGTERM or Ctrl-C. `ready` gets the address it
/// listens on (with the real port) once it accepts connections.
pub async fn run(config: Config, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let fake = config.fake_clock.map(|t| Arc::new(FakeClock::new(t)));
    let clock: Arc<dyn Clock> = match &fake {
        Some(f) => f.clone(),
        None => Arc::new(SystemClock),
    };
    // Held until the server stops: one server per database.
    let _lock = setup::lock(&config.db)?;
    let mut store = Store::open(&config.db)?;
    store.set_wal_limit(config.wal_limit);
    let rating_secret = store.secret("rating")?;
    if let Some(pages) = config.max_db_pages {
        store.limit_pages(pages)?;
    }
    Store::checkpointer(&config.db, config.checkpoint)?;
    let started = Engine::start(
        config.hall.clone(),
        store,
        &config.db,
        clock.clone(),
        fake.clone(),
    )?;
    let no_accounts = started
        .auth
        .read()
        .map(|a| a.staff.is_empty())
        .unwrap_or(false);
    if no_accounts && config.admin_token.is_none() {
        tracing::warn!(
            "还没有任何账号，也没有设置 LOBBY_ADMIN_TOKEN：停止服务器后运行 \
             `lobby-server create-admin 用户名` 创建第一个管理员 (no accounts and no \
             LOBBY_ADMIN_TOKEN: stop the server and run `lobby-server create-admin NAME`)"
        );
    }
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let shutdown_rx_serve = shutdown_rx.clone();
    let routes = app::routes(fake.is_some());
    let state = Arc::new(state::Shared {
        engine: started.handle.clone(),
        auth: started.auth,
        admin_token: config.admin_token.as_deref().map(TokenHash::of),
        clock: clock.clone(),
        hall_json: Bytes::from(serde_json::to_vec(&lobby_core::api::HallView::from(
            &*config.hall,
        ))?),
        openapi_json: Bytes::from(serde_json::to_vec(&http::openapi::document(
            &routes,
            &config.hall,
        ))?),
        hall: config.hall.clone(),
        db_path: config.db.clone(),
        device_reports: state::DeviceReports::default(),
        frames: started.frames,
        shutdown: shutdown_rx,
        argon: Semaphore::new(2),
        logins: Mutex::new(limit::FailureLimiter::new(limit::Policy::default())),
        check_ins: Mutex::new(limit::FailureLimiter::new(limit::CHECK_IN_POLICY)),
        rating_secret,
    });
    // Catch up with the clock before anyone connects: a server that was
    // down over closing time or the day change does that work first.
    started.handle.tick().await;
    started
        .handle
        .read(lobby_core::Lang::Zh, |_| Ok(()))
        .await
        .map_err(|e| anyhow::anyhow!("the engine did not start: {}", e.message))?;
    let app = http::app(routes, state);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let ticker = {
        let engine = started.handle.clone();
        let period = config.tick;
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                if !engine.tick().await {
                    break;
                }
            }
        })
    };
    drop(started.handle);
    let file_limit = listen::raise_file_limit();
    let cap = listen::max_connections(&config.limits, file_limit);
    tracing::info!(%addr, db = %config.db.display(), fake_clock = fake.is_some(), max_connections = cap, "listening");
    announce(
        &config.hall,
        addr,
        clock.now(),
        no_accounts,
        config.admin_token.is_some(),
    );
    ready(addr);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = shutdown_tx.send(true);
    });
    listen::serve(listener, app, config.limits, cap, shutdown_rx_serve).await;
    ticker.abort();
    let _ = ticker.await;
    // Every engine handle is gone now: the engine drains its queue, takes
    // a snapshot and stops.
    tokio::task::spawn_blocking(move || started.thread.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the engine thread panicked"))?;
    tracing::info!("stopped");
    Ok(())
}

/// Says on start what is being served: the hall file's hall (name, sites,
/// windows), whether it is open now and when it next opens, and where to
/// sign in.
fn announce(hall: &Hall, addr: SocketAddr, now: Timestamp, no_accounts: bool, admin_token: bool) {
    let windows = hall.windows.len();
    let sites: Vec<&str> = hall.sites.iter().map(|s| s.name.as_str()).collect();
    let main = &hall.main_site().id;
    let (open_now, next) = match hall.opening(main, lobby_core::Channel::Kiosk, now) {
        lobby_core::hall::Opening::Open => (true, None),
        lobby_core::hall::Opening::GuideDeskOnly => {
            (false, hall.closing(main, hall.business_day(now)))
        }
        lobby_core::hall::Opening::Closed { next_open } => (false, next_open),
    };
    let next = next.map(|t| hall.local(t).strftime("%Y-%m-%d %H:%M").to_string());
    tracing::info!(
        centre = %hall.centre.name,
        sites = sites.len(),
        windows,
        "已载入大厅配置：{}，{} 个场所（{}），{} 个窗口 (hall loaded)",
        hall.centre.name,
        sites.len(),
        sites.join("、"),
        windows
    );
    match (open_now, next) {
        (true, _) => tracing::info!(
            "{}现在开放取号 (issuing is open now)",
            hall.main_site().name
        ),
        (false, Some(at)) => {
            tracing::info!(next_opening = %at, "现在不在取号时间，下次开放：{at} (closed now; next opening {at})")
        }
        (false, None) => {
            tracing::warn!("配置中没有任何开放时段 (the hall has no opening sessions)")
        }
    }
    let how = if admin_token {
        "用 LOBBY_ADMIN_TOKEN 或管理员账号登录 (sign in with LOBBY_ADMIN_TOKEN or an administrator account)"
    } else if no_accounts {
        "尚无账号：先用 `lobby-server create-admin 用户名` 创建管理员 (no accounts yet: run `lobby-server create-admin NAME` first)"
    } else {
        "用管理员账号登录 (sign in with an administrator account)"
    };
    tracing::info!("管理页面 (admin page)：http://{addr}/admin — {how}");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Loads the hall from a file and the files it includes (relative to it),
/// with every problem listed.
pub fn load_hall(path: &std::path::Path) -> anyhow::Result<Hall> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the hall configuration {}", path.display()))?;
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    let main = lobby_core::SourceFile {
        name: path.display().to_string(),
        text,
    };
    lobby_core::config::load(main, |name| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())
    })
    .map_err(|errors| anyhow::anyhow!("{errors}"))
}

/// The seed's hall, compiled in: used when no `--config` is given and
/// `assets/hall.toml` is not in the working directory.
pub fn builtin_hall() -> anyhow::Result<Hall> {
    let main = lobby_core::SourceFile {
        name: "assets/hall.toml (built in)".into(),
        text: include_str!("../../assets/hall.toml").into(),
    };
    lobby_core::config::load(main, |name| match name {
        "matters.toml" => Ok(include_str!("../../assets/matters.toml").into()),
        other => Err(format!("`{other}` is not built in")),
    })
    .map_err(|errors| anyhow::anyhow!("{errors}"))
}

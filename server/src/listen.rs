//! Accepting connections so that silent or slow clients cannot stop the
//! server. axum's own `serve` sets no timer, so hyper's header timeout
//! never fires and an idle connection stays open for ever; at the common
//! open-file limit of 1,024, a thousand silent connections then leave no
//! descriptor to accept with (`accept error: Too many open files`, once a
//! second, until they go away).
//!
//! Here, instead:
//! - the soft open-file limit is raised to the hard one at start;
//! - at most [`Limits::max_connections`] connections are open at once (by
//!   default the file limit less a reserve for the database, snapshots and
//!   logs): past that the server stops accepting, and new clients wait in
//!   the kernel's backlog instead of failing;
//! - a request's headers must arrive within [`Limits::header_timeout`],
//!   and an idle keep-alive connection is closed after the same time
//!   (hyper restarts that timer whenever the connection waits for a next
//!   request); a request body must arrive within [`Limits::body_timeout`].
//!
//! WebSocket connections, once upgraded, are not HTTP any more: they count
//! against the cap but no header timer, and the stream closes them itself
//! (a token revoked, a stuck client).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Descriptors kept for the database, its WAL, snapshots, logs and the
/// engine's readers, beyond the connections.
const RESERVE: u64 = 64;

/// How many connections, and how long a client may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once; `None`: the open-file limit less a
    /// reserve.
    pub max_connections: Option<usize>,
    /// For a request's headers, and for an idle keep-alive connection.
    pub header_timeout: Duration,
    /// For a request's body.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: None,
            header_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// Raises the soft open-file limit to the hard one and returns it (`None`
/// where the limit cannot be read).
pub fn raise_file_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    let soft = limit.current?;
    if let Some(hard) = limit.maximum
        && hard > soft
    {
        limit.current = Some(hard);
        match setrlimit(Resource::Nofile, limit) {
            Ok(()) => return Some(hard),
            Err(e) => tracing::warn!(error = %e, soft, hard, "cannot raise the open-file limit"),
        }
    }
    Some(soft)
}

/// The connection cap for these limits and this file limit.
pub fn max_connections(limits: &Limits, file_limit: Option<u64>) -> usize {
    limits.max_connections.unwrap_or_else(|| {
        let files = file_limit.unwrap_or(1024);
        files.saturating_sub(RESERVE).clamp(16, 1 << 20) as usize
    })
}

/// Serves `app` on `listener` until `shutdown` flips to true, then lets
/// open requests finish (WebSockets close on the same signal).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    cap: usize,
    mut shutdown: watch::Receiver<bool>,
) {
    let app = app.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        limits.body_timeout,
    ));
    let permits = Arc::new(Semaphore::new(cap));
    // HTTP/1 only: the pages, kiosks and displays speak it over plain
    // HTTP, and detecting HTTP/2 would wait for a silent client's first
    // bytes with no timer running.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let builder = Arc::new(builder);
    // Dropped once every connection task has ended.
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<()>(1);
    let mut full_warned = false;
    loop {
        // A free slot first: past the cap, clients wait in the backlog
        // rather than the server running out of descriptors.
        let permit = if let Ok(p) = permits.clone().try_acquire_owned() {
            p
        } else {
            if !full_warned {
                tracing::warn!(cap, "connection limit reached; new clients wait");
                full_warned = true;
            }
            tokio::select! {
                p = permits.clone().acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => break,
                },
                _ = shutdown.wait_for(|s| *s) => break,
            }
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.wait_for(|s| *s) => break,
        };
        let (stream, addr) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of descriptors despite the cap (another part of the
                // process holds them): wait for one to come back.
                tracing::error!(error = %e, "accept failed");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(100)) => continue,
                    _ = shutdown.wait_for(|s| *s) => break,
                }
            }
        };
        full_warned = false;
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let builder = builder.clone();
        let mut shutdown = shutdown.clone();
        let done = done_tx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _done = done;
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request
                        .extensions_mut()
                        .insert(ConnectInfo::<SocketAddr>(addr));
                    let app = app.clone();
                    async move {
                        let response = app.oneshot(request.map(axum::body::Body::new)).await;
                        Ok::<_, Infallible>(response.unwrap_or_else(|e| match e {}))
                    }
                });
            let conn = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended");
                    }
                    return;
                }
                _ = shutdown.wait_for(|s| *s) => conn.as_mut().graceful_shutdown(),
            }
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended during shutdown");
            }
        });
    }
    drop(done_tx);
    // Every connection has finished its request (or closed).
    let _ = done_rx.recv().await;
}

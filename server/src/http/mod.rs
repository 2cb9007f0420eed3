//! The HTTP API: the router, its shared state, the error answer and the
//! request log.
//!
//! Handlers are thin: extract (every extractor fails with [`ApiError`]),
//! check the caller's permission, send a request to the engine, map the
//! answer. Every route is registered through [`Routes`], which records it so
//! a test can check that the OpenAPI document lists them all.

pub mod extract;
mod handlers;
pub mod openapi;
mod stream;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};
use lobby_core::Hall;
use lobby_core::api::DeviceStatusView;
use serde::Serialize;
use tokio::sync::{Semaphore, broadcast, watch};
use tracing::Instrument;

use crate::auth::AuthCache;
use crate::clock::Clock;
use crate::engine::EngineHandle;
use crate::error::{ApiError, ErrorKind};
use crate::hub::Frame;
use crate::limit::LoginLimiter;
use crate::secret::TokenHash;

/// What every handler can reach.
pub struct Shared {
    /// The engine.
    pub engine: EngineHandle,
    /// Accounts, sessions, devices.
    pub auth: Arc<RwLock<AuthCache>>,
    /// Hash of `LOBBY_ADMIN_TOKEN`.
    pub admin_token: Option<TokenHash>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The configuration.
    pub hall: Arc<Hall>,
    /// `GET /api/hall`, serialized once.
    pub hall_json: Bytes,
    /// `GET /api/openapi.json`, serialized once.
    pub openapi_json: Bytes,
    /// The database file, for report readers.
    pub db_path: PathBuf,
    /// Devices' last reports (in memory only).
    pub device_status: Mutex<HashMap<i64, DeviceStatusView>>,
    /// Stream frames (device reports go out here).
    pub frames: broadcast::Sender<Arc<Frame>>,
    /// Flips to true when the server shuts down (closes WebSockets).
    pub shutdown: watch::Receiver<bool>,
    /// At most this many argon2 hashes at a time (each takes ~19 MiB).
    pub argon: Semaphore,
    /// Failed logins by account and address.
    pub logins: Mutex<LoginLimiter>,
    /// Unknown appointment codes per kiosk or clerk (`limit`'s rules with
    /// `limit::CHECK_IN_POLICY`).
    pub check_ins: Mutex<LoginLimiter>,
    /// The key of ticket rating links (`secret::rating_key`), kept in the
    /// database.
    pub rating_secret: [u8; 32],
}

impl Shared {
    /// The login limiter (a poisoned lock still holds whole records).
    pub fn logins(&self) -> std::sync::MutexGuard<'_, LoginLimiter> {
        self.logins.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The check-in limiter.
    pub fn check_ins(&self) -> std::sync::MutexGuard<'_, LoginLimiter> {
        self.check_ins.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The router's state.
pub type AppState = Arc<Shared>;

/// The router being built, and the list of its routes.
pub struct Routes {
    router: Router<AppState>,
    /// `(method, path)` of every route, lower-case method.
    pub list: Vec<(&'static str, &'static str)>,
}

macro_rules! method {
    ($name:ident) => {
        /// Adds a route for this method.
        pub fn $name<H, T>(self, path: &'static str, handler: H) -> Routes
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add(stringify!($name), path, routing::$name(handler))
        }
    };
}

impl Routes {
    fn new() -> Routes {
        Routes {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Routes {
        self.router = self.router.route(path, route);
        self.list.push((method, path));
        self
    }

    method!(get);
    method!(post);
    method!(patch);
    method!(delete);
}

/// Every route; the test clock's only when `fake_clock`.
pub fn routes(fake_clock: bool) -> Routes {
    let r = handlers::routes(Routes::new());
    let r = stream::routes(r);
    let r = crate::web::routes(r);
    if fake_clock {
        handlers::test_routes(r)
    } else {
        r
    }
}

/// The application: routes, fallbacks and middleware.
pub fn app(state: AppState, fake_clock: bool) -> Router {
    routes(fake_clock)
        .router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(log_request))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .with_state(state)
}

async fn not_found(parts: axum::http::request::Parts) -> ApiError {
    ApiError::not_found(extract::lang_of(&parts))
}

async fn method_not_allowed(parts: axum::http::request::Parts) -> ApiError {
    let lang = extract::lang_of(&parts);
    ApiError::new(
        ErrorKind::MethodNotAllowed,
        "method_not_allowed",
        crate::error::pick(lang, "该地址不支持此请求方法", "method not allowed here"),
    )
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    ApiError::internal(lobby_core::Lang::Zh).into_response()
}

static REQUEST_ID: AtomicU64 = AtomicU64::new(1);

/// Gives each request an id (also in `x-request-id`) and logs it with its
/// status and duration: at debug level, or warn for server errors. Only the
/// path is logged: query strings may carry a token.
async fn log_request(request: Request, next: Next) -> Response {
    let id = REQUEST_ID.fetch_add(1, Ordering::Relaxed);
    let start = Instant::now();
    let mut response = if tracing::enabled!(tracing::Level::DEBUG) {
        let span = tracing::debug_span!(
            "request",
            id,
            method = %request.method(),
            path = %request.uri().path()
        );
        next.run(request).instrument(span).await
    } else {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let response = next.run(request).await;
        if response.status().is_server_error() {
            let path = uri.path();
            tracing::warn!(id, %method, path, status = response.status().as_u16(), "request failed");
        }
        response
    };
    response
        .headers_mut()
        .insert("x-request-id", HeaderValue::from(id));
    tracing::debug!(
        id,
        status = response.status().as_u16(),
        micros = start.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// A JSON answer.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(status, Bytes::from(body)),
        Err(e) => {
            tracing::error!(error = %e, "serializing an answer failed");
            ApiError::internal(lobby_core::Lang::Zh).into_response()
        }
    }
}

/// Serialized JSON as an answer.
pub fn json_bytes(status: StatusCode, body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = json(status, &self.body());
        if let Some(s) = self.retry_after_s {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}

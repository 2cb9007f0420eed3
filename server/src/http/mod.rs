//! HTTP plumbing every feature uses: the route builder, the JSON answer,
//! the error answer, the request log and panic guard.
//!
//! Handlers are thin: extract (every extractor fails with [`ApiError`]),
//! check the caller's permission, send a job to the engine, map the answer.
//! Every route is registered through [`Routes`] together with its OpenAPI
//! operation, so the document (`openapi`) lists exactly the routes served.
//! Which features there are is `crate::app`'s business, not this module's.

pub mod extract;
pub mod openapi;
pub mod query;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};
use serde::Serialize;
use tracing::Instrument;

pub use self::openapi::Op;
use crate::error::{ApiError, ErrorKind};
pub use crate::state::AppState;

/// The router being built, and the OpenAPI operation of each route.
pub struct Routes {
    router: Router<AppState>,
    /// `(method, path, operation)` of every route, lower-case method.
    pub list: Vec<(&'static str, &'static str, Op)>,
}

macro_rules! method {
    ($name:ident) => {
        /// Adds a route for this method, with what it takes and gives.
        pub fn $name<H, T>(self, path: &'static str, handler: H, op: Op) -> Routes
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add(stringify!($name), path, routing::$name(handler), op)
        }
    };
}

impl Routes {
    /// No routes yet.
    pub fn new() -> Routes {
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
        op: Op,
    ) -> Routes {
        // Two methods on one path share a `MethodRouter`: axum merges
        // them when the path is routed again.
        self.router = self.router.route(path, route);
        self.list.push((method, path, op));
        self
    }

    method!(get);
    method!(post);
    method!(patch);
    method!(delete);
}

impl Default for Routes {
    fn default() -> Routes {
        Routes::new()
    }
}

/// The application: the routes with the fallbacks and middleware.
pub fn app(routes: Routes, state: AppState) -> Router {
    routes
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

//! The application: which features the server has, in one list. A new
//! feature adds its module and one line in [`routes`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::http::openapi::r;
use crate::http::{AppState, Op, Routes, json, json_bytes};

/// Every route with its OpenAPI operation; the test clock's only when
/// `fake_clock`.
pub fn routes(fake_clock: bool) -> Routes {
    let r = hall_routes(Routes::new());
    let r = crate::queue::routes(r);
    let r = crate::accounts::routes(r);
    let r = crate::devices::routes(r);
    let r = crate::appointments::routes(r);
    let r = crate::reports::routes(r);
    let r = crate::audit::routes(r);
    let r = crate::stream::routes(r);
    let r = crate::web::routes(r);
    if fake_clock {
        crate::test_clock::routes(r)
    } else {
        r
    }
}

/// Liveness, this document and the hall's configuration.
fn hall_routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/health",
            health,
            Op::new("Liveness").answer(200, Some(r("Health"))),
        )
        .get(
            "/api/openapi.json",
            openapi,
            Op::new("This document").answer(200, Some(serde_json::json!({"type": "object"}))),
        )
        .get(
            "/api/hall",
            hall,
            Op::new("The hall's configuration: sites, categories, windows, matters, sessions")
                .answer(200, Some(r("Hall"))),
        )
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

async fn health() -> Response {
    json(StatusCode::OK, &Health { status: "ok" })
}

async fn openapi(State(s): State<AppState>) -> Response {
    json_bytes(StatusCode::OK, s.openapi_json.clone())
}

async fn hall(State(s): State<AppState>) -> Response {
    json_bytes(StatusCode::OK, s.hall_json.clone())
}

//! `GET /api/audit`: the trail, a business day at a time, in pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use lobby_core::api::AuditPage;
use serde_json::json;

use crate::error::ApiError;
use crate::http::extract::{Caller, Params};
use crate::http::openapi::r;
use crate::http::query::{bad_param, date_param, date_schema, day_bounds};
use crate::http::{AppState, Op, Routes, json};

/// Most audit entries in one page.
const AUDIT_PAGE_MAX: usize = 500;

/// The audit trail's route.
pub fn routes(routes: Routes) -> Routes {
    routes.get(
        "/api/audit",
        audit_trail,
        Op::new("Audit trail of accounts, sessions and devices: logins (also failed), staff created, changed, deleted, windows assigned, passwords reset, devices registered and revoked; never passwords or tokens (admin)")
            .auth()
            .query("date", "YYYY-MM-DD business day; today by default", date_schema())
            .query(
                "after",
                "entry id to continue after (the previous page's `next`)",
                json!({ "type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX }),
            )
            .query(
                "limit",
                "entries per page; 100 by default",
                json!({ "type": "integer", "minimum": 1, "maximum": AUDIT_PAGE_MAX }),
            )
            .answer(200, Some(r("AuditPage")))
            .errors(&[400, 503]),
    )
}

async fn audit_trail(
    State(s): State<AppState>,
    caller: Caller,
    Params(q): Params,
) -> Result<Response, ApiError> {
    caller.admin()?;
    let lang = caller.lang;
    let date = date_param(&s, &q, lang)?;
    let after = match q.get("after") {
        Some(a) => a.parse::<i64>().map_err(|_| {
            bad_param(
                "after",
                lang,
                "after 应为条目编号",
                "after must be an entry id",
            )
        })?,
        None => 0,
    };
    let limit = match q.get("limit") {
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=AUDIT_PAGE_MAX).contains(n))
            .ok_or_else(|| {
                bad_param(
                    "limit",
                    lang,
                    "limit 应为 1 至 500",
                    "limit must be 1 to 500",
                )
            })?,
        None => 100,
    };
    let (from, to) = day_bounds(&s.hall, date, "date", lang)?;
    let mut entries =
        crate::store::read(&s.db_path, lang, "reading the audit trail", move |conn| {
            // One more than a page, to know whether another follows.
            Ok(super::store::audit_entries(
                conn,
                from,
                to,
                after,
                limit + 1,
            )?)
        })
        .await?;
    let next = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    super::localize(&s.hall, &mut entries);
    Ok(json(
        StatusCode::OK,
        &AuditPage {
            date,
            entries,
            next,
        },
    ))
}

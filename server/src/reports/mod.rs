//! Reports: a day's figures, the matters accepted over a period (window
//! and online), and the monthly window ranking (考核排位).
//!
//! - `figures`: the figures themselves, from the event log through
//!   [`crate::store::EventSource`] (any backend that can replay the log can
//!   compute them).
//! - here: the routes and handlers; each report reads on a blocking thread
//!   through its own connection, never the writer's.

mod figures;

pub use figures::{day, day_start, period, ranking};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::extract::{Caller, L, MaybeCaller, Params};
use crate::http::openapi::r;
use crate::http::query::{self, bad_param, date_named, date_param, parse_month};
use crate::http::{AppState, Op, Routes, json};
use crate::store;

type Answer = Result<Response, ApiError>;

/// Longest period one report covers, in days.
const PERIOD_MAX_DAYS: i32 = 366;

/// The reports' routes.
pub fn routes(routes: Routes) -> Routes {
    routes.get(
        "/api/reports/day",
        day_report,
        Op::new("A business day's figures from the event log (staff and administrators; staff lines and bad ratings for administrators only)")
            .auth()
            .query("date", "YYYY-MM-DD; today by default", query::date_schema())
            .answer(200, Some(r("DayReport")))
            .errors(&[400]),
    )
    .get(
        "/api/reports/period",
        period_report,
        Op::new("Matters accepted over a period, at windows and online (受理情况统计), per category (staff and administrators)")
            .auth()
            .query("from", "YYYY-MM-DD; 1 January of `to`'s year by default; not after `to`", query::date_schema())
            .query("to", "YYYY-MM-DD, included; today by default; less than 366 days after `from`", query::date_schema())
            .answer(200, Some(r("PeriodReport")))
            .errors(&[400]),
    )
    .get(
        "/api/rankings",
        rankings,
        Op::new("Monthly window ranking (考核排位)")
            .query("month", "YYYY-MM; this month by default", query::month_schema())
            .answer(200, Some(r("Ranking")))
            .errors(&[400]),
    )
}

async fn period_report(State(s): State<AppState>, caller: Caller, Params(q): Params) -> Answer {
    caller.require(caller.principal.may_read_reports())?;
    let lang = caller.lang;
    let today = s.hall.business_day(s.clock.now());
    let to = date_named(&q, "to", lang)?.unwrap_or(today);
    let from = date_named(&q, "from", lang)?.unwrap_or_else(|| to.first_of_year());
    if from > to {
        return Err(bad_param(
            "from",
            lang,
            "开始日期不能晚于结束日期",
            "from must not be after to",
        ));
    }
    if (to - from).get_days() >= PERIOD_MAX_DAYS {
        return Err(bad_param(
            "to",
            lang,
            &format!("一次最多统计 {PERIOD_MAX_DAYS} 天"),
            &format!("one report covers at most {PERIOD_MAX_DAYS} days"),
        ));
    }
    let hall = s.hall.clone();
    let report = store::read(&s.db_path, lang, "period report", move |log| {
        period(&hall, log, from, to, lang)
    })
    .await?;
    Ok(json(StatusCode::OK, &report))
}

async fn day_report(State(s): State<AppState>, caller: Caller, Params(q): Params) -> Answer {
    caller.require(caller.principal.may_read_reports())?;
    let lang = caller.lang;
    let date = date_param(&s, &q, lang)?;
    let hall = s.hall.clone();
    let with_staff = caller.principal.is_admin();
    let report = store::read(&s.db_path, lang, "day report", move |log| {
        day(&hall, log, date, lang, with_staff)
    })
    .await?;
    Ok(json(StatusCode::OK, &report))
}

async fn rankings(
    State(s): State<AppState>,
    L(lang): L,
    MaybeCaller(caller): MaybeCaller,
    Params(q): Params,
) -> Answer {
    let month = match q.get("month") {
        Some(m) => parse_month(m).ok_or_else(|| {
            bad_param(
                "month",
                lang,
                "月份格式应为 YYYY-MM（年份 0000 至 9998）",
                "month must be YYYY-MM (years 0000 to 9998)",
            )
        })?,
        None => s.hall.business_day(s.clock.now()).first_of_month(),
    };
    let hall = s.hall.clone();
    // The windows' ranking is posted in the hall (公示); the staff's is for
    // the centre's managers.
    let with_staff = caller.as_ref().is_some_and(Principal::is_admin);
    let ranking = store::read(&s.db_path, lang, "ranking", move |log| {
        ranking(&hall, log, month, lang, with_staff)
    })
    .await?;
    Ok(json(StatusCode::OK, &ranking))
}

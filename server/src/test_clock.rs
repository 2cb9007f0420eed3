//! `POST /api/test/clock`: moves the fake clock (`--fake-clock` only), then
//! ticks, so tests cover closing time and day changes without sleeping.
//! Without a fake clock the route does not exist.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use lobby_core::api::{ClockAnswer, ClockRequest};
use lobby_core::{Command, Lang};

use crate::engine::Tx;
use crate::error::{ApiError, pick};
use crate::http::extract::{Body, Caller};
use crate::http::openapi::r;
use crate::http::{AppState, Op, Routes, json};
use crate::store;

/// The test clock's route.
pub fn routes(routes: Routes) -> Routes {
    routes.post(
        "/api/test/clock",
        set_clock,
        Op::new("Only with --fake-clock: move time forward, then tick (admin)")
            .auth()
            .optional_body(r("ClockRequest"))
            .answer(200, Some(r("ClockAnswer"))),
    )
}

async fn set_clock(
    State(s): State<AppState>,
    caller: Caller,
    Body(change): Body<ClockRequest>,
) -> Result<Response, ApiError> {
    caller.admin()?;
    let lang = caller.lang;
    let answer = s
        .engine
        .write(lang, move |tx| move_clock(tx, change, lang))
        .await?;
    Ok(json(StatusCode::OK, &answer))
}

/// Moves the clock inside the batch (later jobs of the batch see the new
/// time) and runs the tick that time causes.
fn move_clock(
    tx: &mut Tx<'_>,
    change: ClockRequest,
    lang: Lang,
) -> store::Result<Result<ClockAnswer, ApiError>> {
    let Some(fake) = tx.fake_clock() else {
        return Ok(Err(ApiError::not_found(lang)));
    };
    let moved = match (change.advance_s, change.set) {
        (Some(s), None) => fake.advance(s),
        (None, Some(at)) => fake.set(at),
        _ => {
            return Ok(Err(ApiError::invalid(
                "advance_s",
                "bad_clock_change",
                pick(
                    lang,
                    "请给出 advance_s 或 set 之一",
                    "give exactly one of advance_s and set",
                ),
            )));
        }
    };
    match moved {
        Ok(at) => tx.set_now(at),
        Err(e) => {
            return Ok(Err(ApiError::invalid(
                "set",
                "bad_clock_change",
                e.to_string(),
            )));
        }
    }
    let before = tx.events_written();
    // A tick that changes nothing, or is refused, is no error here.
    let _ = tx.command(Command::Tick, lang)?;
    Ok(Ok(ClockAnswer {
        now: tx.now(),
        events: (tx.events_written() - before) as u32,
    }))
}

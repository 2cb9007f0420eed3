//! The windows' handlers: every action a window's staff (or an
//! administrator) takes, and the window's reads.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use lobby_core::api::{CallRequest, PauseRequest, TransferRequest, WindowAnswer};
use lobby_core::{Command, TransferTarget, WindowNo};

use super::Answer;
use super::idempotency::{IdempotencyKey, Keyed};
use crate::auth::Principal;
use crate::error::{ApiError, pick};
use crate::http::extract::{Body, Caller, L, MaybeCaller, NoNulls, WindowParam};
use crate::http::{AppState, json};
use crate::mask;

async fn window_command(
    s: &AppState,
    caller: &Caller,
    key: IdempotencyKey,
    window: WindowNo,
    c: Command,
) -> Answer {
    caller.window(window)?;
    let lang = caller.lang;
    let keyed = Keyed::of(key, &caller.principal);
    let outcome = super::command(s, lang, keyed, c).await?;
    let window = outcome.window.ok_or_else(|| ApiError::internal(lang))?;
    Ok(json(
        StatusCode::OK,
        &WindowAnswer {
            window,
            ticket: outcome.ticket,
        },
    ))
}

/// A window action with no body, answered with the window.
macro_rules! window_action {
    ($($name:ident => $variant:ident),* $(,)?) => {$(
        pub(super) async fn $name(
            State(s): State<AppState>,
            caller: Caller,
            key: IdempotencyKey,
            WindowParam(window): WindowParam,
        ) -> Answer {
            window_command(&s, &caller, key, window, Command::$variant { window }).await
        }
    )*};
}

window_action! {
    recall => Recall,
    start => Start,
    complete => Complete,
    no_show => NoShow,
    resume => Resume,
    close => CloseWindow,
}

pub(super) async fn call(
    State(s): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    WindowParam(window): WindowParam,
    Body(req): Body<CallRequest>,
) -> Answer {
    caller.window(window)?;
    let outcome = super::command(
        &s,
        caller.lang,
        Keyed::of(key, &caller.principal),
        Command::Call {
            window,
            ticket: req.ticket,
        },
    )
    .await?;
    Ok(match outcome.ticket {
        Some(t) => json(StatusCode::OK, &t),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

pub(super) async fn transfer(
    State(s): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    WindowParam(window): WindowParam,
    NoNulls(req): NoNulls<TransferRequest>,
) -> Answer {
    let to = match (req.category, req.window) {
        (Some(c), None) => TransferTarget::Category(c),
        (None, Some(w)) => TransferTarget::Window(w),
        _ => {
            return Err(ApiError::invalid(
                "category",
                "bad_transfer",
                pick(
                    caller.lang,
                    "请给出 category（业务类别）或 window（窗口）之一",
                    "give exactly one of category and window",
                ),
            ));
        }
    };
    window_command(&s, &caller, key, window, Command::Transfer { window, to }).await
}

pub(super) async fn pause(
    State(s): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    WindowParam(window): WindowParam,
    Body(req): Body<PauseRequest>,
) -> Answer {
    // The core counts the reason's characters once it is trimmed; the
    // request's own length is bounded too, as the document says
    // (`maxLength`), so that padding cannot carry a longer one through.
    if req.reason.chars().count() > 100 {
        return Err(ApiError::rejected(
            &lobby_core::Rejected::BadReason,
            caller.lang,
            &s.hall,
        ));
    }
    window_command(
        &s,
        &caller,
        key,
        window,
        Command::Pause {
            window,
            // Staff may write who they are helping: phone and ID numbers
            // never reach the log in clear.
            reason: mask::free_text(&req.reason),
        },
    )
    .await
}

pub(super) async fn open(
    State(s): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    WindowParam(window): WindowParam,
) -> Answer {
    let staff = match &caller.principal {
        Principal::Staff { username, .. } => Some(username.clone()),
        Principal::Admin { username } => username.clone(),
        Principal::Device { .. } => None,
    };
    window_command(
        &s,
        &caller,
        key,
        window,
        Command::OpenWindow { window, staff },
    )
    .await
}

pub(super) async fn window(
    State(s): State<AppState>,
    L(lang): L,
    MaybeCaller(p): MaybeCaller,
    WindowParam(window): WindowParam,
) -> Answer {
    let full = p.is_some();
    let view = s
        .engine
        .read(lang, move |v| super::read_window(v, window, full, lang))
        .await?;
    Ok(json(StatusCode::OK, &view))
}

pub(super) async fn waiting(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    caller.window(window)?;
    let lang = caller.lang;
    let list = s
        .engine
        .read(lang, move |v| super::waiting_for(v, window, lang))
        .await?;
    Ok(json(StatusCode::OK, &list))
}

//! The queue: tickets (issue, status, cancel, reactivate, rate) and the
//! windows' actions (call, recall, start, complete, no-show, transfer,
//! pause, resume, sign in and off), all through core's `Command`, plus the
//! reads the pages poll (the hall's queue, a window, what it could call).
//!
//! - `tickets`, `windows`: the handlers.
//! - `idempotency`: the `Idempotency-Key` of issuing and the window
//!   actions, so a retry after a lost answer never acts twice.
//! - here: the routes, the one path to the core ([`command`]) and the
//!   reads the engine answers.

pub mod idempotency;
mod tickets;
mod windows;

use std::collections::HashSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use lobby_core::api::{QueueView, TicketView, WindowView};
use lobby_core::{Command, Hall, Lang, Rejected, TicketId, WindowNo};

use crate::engine::{Outcome, View};
use crate::error::ApiError;
use crate::http::extract::{Caller, L, MaybeCaller};
use crate::http::openapi::{list, r};
use crate::http::{AppState, Op, Routes, json};
use crate::secret;
use idempotency::Keyed;

type Answer = Result<Response, ApiError>;

/// The queue's routes.
pub fn routes(routes: Routes) -> Routes {
    const WINDOW: &[u16] = &[404, 409, 422, 503];
    routes.get(
        "/api/queue",
        queue,
        Op::new("Waiting count and longest wait per category; every window's state and current ticket (ticket ids only with a token)")
            .answer(200, Some(r("QueueView"))),
    )
    .post(
        "/api/tickets",
        tickets::issue,
        Op::new("Issue a ticket (kiosk and guide-desk devices, guide staff, admins)")
            .auth()
            .body(r("IssueRequest"))
            .idempotent()
            .answer(201, Some(r("TicketView")))
            .errors(&[404, 409, 422, 503])
            .link("status", "get", "/api/tickets/{id}", &[("id", "$response.body#/id")])
            .link("cancel", "post", "/api/tickets/{id}/cancel", &[("id", "$response.body#/id")])
            .link("rate", "post", "/api/tickets/{id}/rating", &[("id", "$response.body#/id")]),
    )
    .get(
        "/api/tickets/{id}",
        tickets::ticket,
        Op::new("A ticket by its unguessable id (public status page)")
            .answer(200, Some(r("TicketView")))
            .errors(&[404]),
    )
    .post(
        "/api/tickets/{id}/cancel",
        tickets::cancel,
        Op::new("Withdraw a waiting ticket")
            .auth()
            .answer(200, Some(r("TicketView")))
            .errors(&[404, 409, 503]),
    )
    .post(
        "/api/tickets/{id}/reactivate",
        tickets::reactivate,
        Op::new("Put a no-show back in line at its old place")
            .auth()
            .answer(200, Some(r("TicketView")))
            .errors(&[404, 409, 503])
            .link("status", "get", "/api/tickets/{id}", &[("id", "$response.body#/id")]),
    )
    .post(
        "/api/tickets/{id}/rating",
        tickets::rate,
        Op::new("Record the visitor's rating (好差评), once, after the visit: by a kiosk, rating pad or guide-desk device, guide-desk staff, an administrator (not window staff, whom ratings rank), or the visitor, whose bearer token is the ticket's rating key from its QR code (`/t/{id}#k=…`; the status page does this)")
            .auth()
            .body(r("RatingRequest"))
            .answer(200, Some(r("TicketView")))
            .errors(&[404, 409, 503]),
    )
    .post(
        "/api/windows/{number}/call",
        windows::call,
        Op::new("Call the next ticket this window serves, or the given one; 204 when nothing waits")
            .describe("Unlike the other window actions, which answer the window (WindowAnswer), a call answers the ticket it called, or 204 with no body when nothing waits for this window. The called ticket is what the staff page announces and takes in hand, and \"nobody to call\" is an outcome, not an error, that a status says best; the window's new state is on the event stream and at GET /api/windows/{number}.")
            .auth()
            .path("number", r("WindowNo"))
            .optional_body(r("CallRequest"))
            .idempotent()
            .answer(200, Some(r("TicketView")))
            .also(204, None)
            .errors(WINDOW)
            .link("status", "get", "/api/tickets/{id}", &[("id", "$response.body#/id")])
            .link("start", "post", "/api/windows/{number}/start", &[("number", "$request.path.number")])
            .link("recall", "post", "/api/windows/{number}/recall", &[("number", "$request.path.number")])
            .link("no_show", "post", "/api/windows/{number}/no-show", &[("number", "$request.path.number")])
            .link("reactivate", "post", "/api/tickets/{id}/reactivate", &[("id", "$response.body#/id")]),
    )
    .post(
        "/api/windows/{number}/recall",
        windows::recall,
        window_op("Call the current ticket again"),
    )
    .post(
        "/api/windows/{number}/start",
        windows::start,
        window_op("The visitor arrived; service starts")
            .link("complete", "post", "/api/windows/{number}/complete", &[("number", "$request.path.number")])
            .link("transfer", "post", "/api/windows/{number}/transfer", &[("number", "$request.path.number")]),
    )
    .post(
        "/api/windows/{number}/complete",
        windows::complete,
        window_op("Service finished"),
    )
    .post(
        "/api/windows/{number}/no-show",
        windows::no_show,
        window_op("The called visitor did not come (过号)"),
    )
    .post(
        "/api/windows/{number}/transfer",
        windows::transfer,
        Op::new("Move the current ticket to a category or a window of its own site, keeping its place")
            .auth()
            .path("number", r("WindowNo"))
            .body(r("TransferRequest"))
            .idempotent()
            .answer(200, Some(r("WindowAnswer")))
            .errors(&[404, 409, 422, 503]),
    )
    .post(
        "/api/windows/{number}/pause",
        windows::pause,
        window_op("Stop calling for a while, with a reason")
            .body(r("PauseRequest"))
            .link("resume", "post", "/api/windows/{number}/resume", &[("number", "$request.path.number")]),
    )
    .post(
        "/api/windows/{number}/resume",
        windows::resume,
        window_op("Call again after a pause"),
    )
    .post(
        "/api/windows/{number}/open",
        windows::open,
        window_op("Staff sign in at the window")
            .link("call", "post", "/api/windows/{number}/call", &[("number", "$request.path.number")])
            .link("pause", "post", "/api/windows/{number}/pause", &[("number", "$request.path.number")])
            .link("close", "post", "/api/windows/{number}/close", &[("number", "$request.path.number")]),
    )
    .post(
        "/api/windows/{number}/close",
        windows::close,
        window_op("Staff sign off (no ticket in hand)"),
    )
    .get(
        "/api/windows/{number}",
        windows::window,
        Op::new("One window's state and current ticket, as in the queue (the ticket id only with a token)")
            .path("number", r("WindowNo"))
            .answer(200, Some(r("WindowView")))
            .errors(&[404]),
    )
    .get(
        "/api/windows/{number}/waiting",
        windows::waiting,
        Op::new("Tickets this window could call now, in calling order")
            .auth()
            .path("number", r("WindowNo"))
            .answer(200, Some(list("TicketView")))
            .errors(&[404]),
    )
}

/// A window action answered with the window (and its ticket).
fn window_op(summary: &'static str) -> Op {
    Op::new(summary)
        .auth()
        .path("number", r("WindowNo"))
        .idempotent()
        .answer(200, Some(r("WindowAnswer")))
        .errors(&[404, 409, 422, 503])
}

async fn queue(State(s): State<AppState>, L(lang): L, MaybeCaller(p): MaybeCaller) -> Answer {
    let full = p.is_some();
    let view = s
        .engine
        .read(lang, move |v| {
            let mut view = QueueView::of(v.lobby(), v.now(), lang);
            if !full {
                crate::hub::redact_queue(&mut view);
            }
            Ok(view)
        })
        .await?;
    Ok(json(StatusCode::OK, &view))
}

/// Runs a command through the core (an issue gets its fresh id there);
/// under an idempotency key, a key already used answers its first outcome
/// and a new one is stored with the command's events.
async fn command(
    s: &AppState,
    lang: Lang,
    keyed: Option<Keyed>,
    mut command: Command,
) -> Result<Outcome, ApiError> {
    s.engine
        .write(lang, move |tx| {
            if let Some(k) = &keyed
                && let Some(earlier) = k.earlier(tx.store(), lang)?
            {
                return Ok(earlier);
            }
            if let Command::Issue(issue) = &mut command
                && issue.id.as_str().is_empty()
            {
                issue.id = tx.new_ticket_id();
            }
            let outcome = tx.command(command, lang)?;
            if let (Some(k), Ok(o)) = (&keyed, &outcome) {
                k.remember(tx.store(), o, tx.now())?;
            }
            Ok(outcome)
        })
        .await
}

/// A command answered with its ticket.
async fn ticket_command(s: &AppState, lang: Lang, c: Command) -> Answer {
    let outcome = command(s, lang, None, c).await?;
    let ticket = outcome.ticket.ok_or_else(|| ApiError::internal(lang))?;
    Ok(json(StatusCode::OK, &ticket))
}

/// Cancels or re-activates a ticket if the caller may act on it; the
/// check runs in the engine, against the ticket as it is then.
async fn managed_command(s: &AppState, caller: Caller, command: Command) -> Answer {
    let lang = caller.lang;
    let (Command::Cancel { ticket } | Command::Reactivate { ticket }) = &command else {
        return Err(ApiError::internal(lang));
    };
    let id = ticket.clone();
    let principal = caller.principal;
    let outcome = s
        .engine
        .write(lang, move |tx| {
            if let Some(t) = tx.lobby().ticket(&id)
                && !principal.may_manage_ticket(tx.hall(), t)
            {
                return Ok(Err(ApiError::forbidden(lang)));
            }
            tx.command(command, lang)
        })
        .await?;
    let ticket = outcome.ticket.ok_or_else(|| ApiError::internal(lang))?;
    Ok(json(StatusCode::OK, &ticket))
}

/// The answer to whoever issued a ticket: with the key of its rating link,
/// which nothing else ever returns.
pub fn with_rating_key(s: &AppState, mut ticket: TicketView) -> TicketView {
    ticket.rating_key = Some(secret::rating_key(&s.rating_secret, ticket.id.as_str()));
    ticket
}

/// A ticket id from a path, refused as unknown when it cannot be one.
fn ticket_id(id: String, s: &AppState, lang: Lang) -> Result<TicketId, ApiError> {
    let id = TicketId(id);
    if TicketId::is_valid(id.as_str()) {
        Ok(id)
    } else {
        Err(unknown_ticket(&id, lang, &s.hall))
    }
}

/// The 404 for a ticket id.
fn unknown_ticket(id: &TicketId, lang: Lang, hall: &Hall) -> ApiError {
    ApiError::rejected(&Rejected::UnknownTicket { ticket: id.clone() }, lang, hall)
}

/// A ticket: today's from the core, an earlier day's from the database.
fn read_ticket(v: &View<'_>, id: &TicketId, lang: Lang) -> Result<TicketView, ApiError> {
    if let Some(t) = v.lobby().ticket(id) {
        return Ok(TicketView::of(v.lobby(), t, v.now(), lang));
    }
    match crate::store::Log::stored_ticket(v.store(), id) {
        Ok(Some(t)) => Ok(TicketView::with_estimate(v.hall(), &t, 0, 0, lang)),
        Ok(None) => Err(unknown_ticket(id, lang, v.hall())),
        Err(e) => {
            tracing::error!(error = %e, "reading a ticket failed");
            Err(ApiError::unavailable(lang))
        }
    }
}

/// A window's state, redacted for the public.
fn read_window(
    v: &View<'_>,
    window: WindowNo,
    full: bool,
    lang: Lang,
) -> Result<WindowView, ApiError> {
    let mut view = v
        .window(window)
        .ok_or_else(|| ApiError::rejected(&Rejected::UnknownWindow { window }, lang, v.hall()))?;
    if !full {
        crate::hub::redact_window(&mut view);
    }
    Ok(view)
}

/// Tickets a window could call: those transferred to it, then its
/// categories' queues, primary first (at most 500).
fn waiting_for(v: &View<'_>, window: WindowNo, lang: Lang) -> Result<Vec<TicketView>, ApiError> {
    let Some(w) = v.hall().window(window) else {
        return Err(ApiError::rejected(
            &Rejected::UnknownWindow { window },
            lang,
            v.hall(),
        ));
    };
    let lobby = v.lobby();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let tickets = lobby
        .waiting_for_window(window)
        .into_iter()
        .chain(w.categories.iter().flat_map(|c| lobby.waiting(c)));
    for t in tickets {
        if out.len() >= 500 {
            break;
        }
        if seen.insert(t.id.clone()) {
            out.push(TicketView::of(lobby, t, v.now(), lang));
        }
    }
    Ok(out)
}

//! The tickets' handlers: issue, status, cancel, reactivate, rate.

use axum::extract::State;
use axum::http::StatusCode;
use lobby_core::api::{COMMENT_MAX_CHARS, IssueRequest, Lane, RatingRequest};
use lobby_core::{Command, GroupId, Issue, Lang, Priority, TicketId};

use super::Answer;
use super::idempotency::{IdempotencyKey, Keyed};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::extract::{Body, Caller, L, Param, Rater};
use crate::http::{AppState, json};
use crate::{mask, secret};

pub(super) async fn issue(
    State(s): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Body(req): Body<IssueRequest>,
) -> Answer {
    let lang = caller.lang;
    let channel = caller
        .principal
        .issue_channel(req.channel)
        .ok_or_else(|| ApiError::forbidden(lang))?;
    // Appointment check-ins go through their own endpoint; only
    // administrators (integrations) may pass the slot directly.
    caller.require(req.appointment.is_none() || caller.principal.is_admin())?;
    if req.assisted && !caller.principal.may_assist() {
        return Err(ApiError::forbidden(lang).with_field("assisted"));
    }
    let priority = match req.priority {
        Lane::Normal => Priority::Normal,
        Lane::Green => Priority::Green {
            group: req.group.clone().unwrap_or_else(|| {
                s.hall
                    .green_groups
                    .first()
                    .map_or_else(|| GroupId(String::new()), |g| g.id.clone())
            }),
        },
    };
    let site = req.site.or_else(|| match &caller.principal {
        Principal::Device { site, .. } => site.clone(),
        _ => None,
    });
    let issue = Issue {
        id: TicketId(String::new()),
        site,
        category: req.category,
        matter: req.matter,
        priority,
        channel,
        appointment: req.appointment,
        assisted: req.assisted,
        stops: req.stops,
    };
    let keyed = Keyed::of(key, &caller.principal);
    let outcome = super::command(&s, lang, keyed, Command::Issue(issue)).await?;
    let ticket = outcome.ticket.ok_or_else(|| ApiError::internal(lang))?;
    Ok(json(
        StatusCode::CREATED,
        &super::with_rating_key(&s, ticket),
    ))
}

pub(super) async fn ticket(State(s): State<AppState>, L(lang): L, Param(id): Param) -> Answer {
    let id = super::ticket_id(id, &s, lang)?;
    let view = s
        .engine
        .read(lang, move |v| super::read_ticket(v, &id, lang))
        .await?;
    Ok(json(StatusCode::OK, &view))
}

pub(super) async fn cancel(State(s): State<AppState>, caller: Caller, Param(id): Param) -> Answer {
    caller.require(caller.principal.may_manage_tickets())?;
    let ticket = super::ticket_id(id, &s, caller.lang)?;
    super::managed_command(&s, caller, Command::Cancel { ticket }).await
}

pub(super) async fn reactivate(
    State(s): State<AppState>,
    caller: Caller,
    Param(id): Param,
) -> Answer {
    caller.require(caller.principal.may_manage_tickets())?;
    let ticket = super::ticket_id(id, &s, caller.lang)?;
    super::managed_command(&s, caller, Command::Reactivate { ticket }).await
}

pub(super) async fn rate(
    State(s): State<AppState>,
    rater: Rater,
    Param(id): Param,
    Body(req): Body<RatingRequest>,
) -> Answer {
    let lang = rater.lang();
    match &rater {
        Rater::Caller(caller) => caller.require(caller.principal.may_rate())?,
        // The visitor rates their own ticket with its rating link's key
        // (in the QR code). Any other token is no one's; the ticket's id
        // alone is not enough, since staff and displays see ids.
        Rater::Visitor { token, .. } if secret::is_rating_key(&s.rating_secret, &id, token) => {}
        Rater::Visitor { .. } => return Err(ApiError::unauthorized(lang)),
    }
    let ticket = super::ticket_id(id, &s, lang)?;
    // The limit is on the comment as sent (the document's `maxLength`),
    // white space included; blank is no comment.
    let comment = match req.comment.as_deref() {
        None => None,
        Some(c) if c.chars().count() > COMMENT_MAX_CHARS => {
            return Err(ApiError::invalid(
                "comment",
                "comment_too_long",
                match lang {
                    Lang::Zh => format!("留言最多 {COMMENT_MAX_CHARS} 个字"),
                    Lang::En => format!("a comment has at most {COMMENT_MAX_CHARS} characters"),
                },
            ));
        }
        Some(c) if c.trim().is_empty() => None,
        // Phone and ID numbers never reach the log in clear.
        Some(c) => Some(mask::free_text(c.trim())),
    };
    super::ticket_command(
        &s,
        lang,
        Command::Rate {
            ticket,
            rating: req.rating,
            comment,
        },
    )
    .await
}

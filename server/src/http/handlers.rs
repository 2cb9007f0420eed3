//! The API's handlers: extract, check the caller, ask the engine, answer.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use lobby_core::api::{
    AppointmentView, AuditAction, AuditPage, COMMENT_MAX_CHARS, CallRequest, ClockRequest,
    DeviceStatusRequest, DeviceView, IssueRequest, Lane, LoginAnswer, LoginRequest, NewAppointment,
    NewDevice, NewDeviceAnswer, NewStaff, PauseRequest, RatingRequest, StaffPatch, StreamMessage,
    TransferRequest, WindowAnswer,
};
use lobby_core::{Command, GroupId, Issue, Lang, Priority, TicketId, TransferTarget, WindowNo};
use serde::Serialize;

use super::extract::{Body, Caller, ClientAddr, L, MaybeCaller, Param, Params, Rater, WindowParam};
use super::{AppState, Routes, json, json_bytes};
use crate::audit::{self, Actor};
use crate::auth::{self, Principal};
use crate::engine::{HashedPatch, Outcome, Request, unknown_ticket};
use crate::error::{ApiError, ErrorKind, pick};
use crate::store::{DeviceRecord, StaffRecord};
use crate::{mask, reports, secret};

type Answer = Result<Response, ApiError>;

/// The API's routes.
pub fn routes(r: Routes) -> Routes {
    r.get("/api/health", health)
        .get("/api/openapi.json", openapi)
        .get("/api/hall", hall)
        .get("/api/queue", queue)
        .post("/api/tickets", issue)
        .get("/api/tickets/{id}", ticket)
        .post("/api/tickets/{id}/cancel", cancel)
        .post("/api/tickets/{id}/reactivate", reactivate)
        .post("/api/tickets/{id}/rating", rate)
        .post("/api/windows/{number}/call", call)
        .post("/api/windows/{number}/recall", recall)
        .post("/api/windows/{number}/start", start)
        .post("/api/windows/{number}/complete", complete)
        .post("/api/windows/{number}/no-show", no_show)
        .post("/api/windows/{number}/transfer", transfer)
        .post("/api/windows/{number}/pause", pause)
        .post("/api/windows/{number}/resume", resume)
        .post("/api/windows/{number}/open", open)
        .post("/api/windows/{number}/close", close)
        .get("/api/windows/{number}", window)
        .get("/api/windows/{number}/waiting", waiting)
        .post("/api/login", login)
        .post("/api/logout", logout)
        .get("/api/me", me)
        .get("/api/staff", list_staff)
        .post("/api/staff", create_staff)
        .patch("/api/staff/{username}", update_staff)
        .delete("/api/staff/{username}", delete_staff)
        .get("/api/devices", list_devices)
        .post("/api/devices", create_device)
        .delete("/api/devices/{id}", delete_device)
        .post("/api/devices/self/status", device_status)
        .get("/api/appointments", list_appointments)
        .post("/api/appointments", create_appointment)
        .post("/api/appointments/{code}/check-in", check_in)
        .get("/api/reports/day", day_report)
        .get("/api/reports/period", period_report)
        .get("/api/rankings", rankings)
        .get("/api/audit", audit_trail)
}

/// Routes that exist only with a fake clock.
pub fn test_routes(r: Routes) -> Routes {
    r.post("/api/test/clock", set_clock)
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

async fn queue(State(s): State<AppState>, L(lang): L, MaybeCaller(p): MaybeCaller) -> Answer {
    let full = p.is_some();
    let view = s
        .engine
        .ask(lang, |reply| Request::Queue { lang, full, reply })
        .await?;
    Ok(json(StatusCode::OK, &view))
}

// -- tickets ------------------------------------------------------------------

async fn issue(State(s): State<AppState>, caller: Caller, Body(req): Body<IssueRequest>) -> Answer {
    let lang = caller.lang;
    let channel = caller
        .principal
        .issue_channel(req.channel)
        .ok_or_else(|| ApiError::forbidden(lang))?;
    // Appointment check-ins go through their own endpoint; only
    // administrators (integrations) may pass the slot directly.
    caller.require(req.appointment.is_none() || caller.principal.is_admin())?;
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
    let outcome = command(&s, lang, Command::Issue(issue)).await?;
    let ticket = outcome.ticket.ok_or_else(|| ApiError::internal(lang))?;
    Ok(json(StatusCode::CREATED, &with_rating_key(&s, ticket)))
}

/// The answer to whoever issued a ticket: with the key of its rating link,
/// which nothing else ever returns.
fn with_rating_key(
    s: &AppState,
    mut ticket: lobby_core::api::TicketView,
) -> lobby_core::api::TicketView {
    ticket.rating_key = Some(secret::rating_key(&s.rating_secret, ticket.id.as_str()));
    ticket
}

fn ticket_id(id: String, s: &AppState, lang: Lang) -> Result<TicketId, ApiError> {
    let id = TicketId(id);
    if TicketId::is_valid(id.as_str()) {
        Ok(id)
    } else {
        Err(unknown_ticket(&id, lang, &s.hall))
    }
}

async fn ticket(State(s): State<AppState>, L(lang): L, Param(id): Param) -> Answer {
    let id = ticket_id(id, &s, lang)?;
    let view = s
        .engine
        .ask(lang, |reply| Request::Ticket { id, lang, reply })
        .await?;
    Ok(json(StatusCode::OK, &view))
}

async fn command(s: &AppState, lang: Lang, command: Command) -> Result<Outcome, ApiError> {
    s.engine
        .ask(lang, |reply| Request::Command {
            command,
            lang,
            reply,
        })
        .await
}

async fn ticket_command(s: &AppState, lang: Lang, c: Command) -> Answer {
    let outcome = command(s, lang, c).await?;
    let ticket = outcome.ticket.ok_or_else(|| ApiError::internal(lang))?;
    Ok(json(StatusCode::OK, &ticket))
}

async fn cancel(State(s): State<AppState>, caller: Caller, Param(id): Param) -> Answer {
    caller.require(caller.principal.may_manage_tickets())?;
    let ticket = ticket_id(id, &s, caller.lang)?;
    ticket_command(&s, caller.lang, Command::Cancel { ticket }).await
}

async fn reactivate(State(s): State<AppState>, caller: Caller, Param(id): Param) -> Answer {
    caller.require(caller.principal.may_manage_tickets())?;
    let ticket = ticket_id(id, &s, caller.lang)?;
    ticket_command(&s, caller.lang, Command::Reactivate { ticket }).await
}

async fn rate(
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
    let ticket = ticket_id(id, &s, lang)?;
    let comment = match req.comment.as_deref().map(str::trim) {
        None | Some("") => None,
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
        // Phone and ID numbers never reach the log in clear.
        Some(c) => Some(mask::free_text(c)),
    };
    ticket_command(
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

// -- windows ------------------------------------------------------------------

async fn window_command(s: &AppState, caller: &Caller, window: WindowNo, c: Command) -> Answer {
    caller.window(window)?;
    let lang = caller.lang;
    let outcome = command(s, lang, c).await?;
    let window = outcome.window.ok_or_else(|| ApiError::internal(lang))?;
    Ok(json(
        StatusCode::OK,
        &WindowAnswer {
            window,
            ticket: outcome.ticket,
        },
    ))
}

async fn call(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
    Body(req): Body<CallRequest>,
) -> Answer {
    caller.window(window)?;
    let outcome = command(
        &s,
        caller.lang,
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

async fn recall(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    window_command(&s, &caller, window, Command::Recall { window }).await
}

async fn start(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    window_command(&s, &caller, window, Command::Start { window }).await
}

async fn complete(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    window_command(&s, &caller, window, Command::Complete { window }).await
}

async fn no_show(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    window_command(&s, &caller, window, Command::NoShow { window }).await
}

async fn transfer(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
    Body(req): Body<TransferRequest>,
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
    window_command(&s, &caller, window, Command::Transfer { window, to }).await
}

async fn pause(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
    Body(req): Body<PauseRequest>,
) -> Answer {
    window_command(
        &s,
        &caller,
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

async fn resume(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    window_command(&s, &caller, window, Command::Resume { window }).await
}

async fn open(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    let staff = match &caller.principal {
        Principal::Staff { username, .. } => Some(username.clone()),
        Principal::Admin { username } => username.clone(),
        Principal::Device { .. } => None,
    };
    window_command(&s, &caller, window, Command::OpenWindow { window, staff }).await
}

async fn close(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    window_command(&s, &caller, window, Command::CloseWindow { window }).await
}

async fn window(
    State(s): State<AppState>,
    L(lang): L,
    MaybeCaller(p): MaybeCaller,
    WindowParam(window): WindowParam,
) -> Answer {
    let full = p.is_some();
    let view = s
        .engine
        .ask(lang, |reply| Request::Window {
            window,
            full,
            lang,
            reply,
        })
        .await?;
    Ok(json(StatusCode::OK, &view))
}

async fn waiting(
    State(s): State<AppState>,
    caller: Caller,
    WindowParam(window): WindowParam,
) -> Answer {
    caller.window(window)?;
    let lang = caller.lang;
    let list = s
        .engine
        .ask(lang, |reply| Request::Waiting {
            window,
            lang,
            reply,
        })
        .await?;
    Ok(json(StatusCode::OK, &list))
}

// -- accounts -----------------------------------------------------------------

/// Runs an argon2 operation on a blocking thread, a few at a time.
async fn argon<T: Send + 'static>(
    s: &AppState,
    lang: Lang,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = s
        .argon
        .acquire()
        .await
        .map_err(|_| ApiError::shutting_down(lang))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::internal(lang))
}

async fn login(
    State(s): State<AppState>,
    L(lang): L,
    ClientAddr(address): ClientAddr,
    Body(req): Body<LoginRequest>,
) -> Answer {
    // A locked account or address is refused before its password is
    // checked: guessing stops, and costs no argon2 work. The attempt counts
    // against the limits until its check is over (see `limit`), also if
    // this request is dropped on the way.
    let now = s.clock.now();
    // Names that cannot be accounts share one entry: a flood of random or
    // huge names must not grow the limiter's memory.
    let key = if auth::valid_username(&req.username) {
        req.username.as_str()
    } else {
        ""
    };
    let begun = s.logins().begin(key, address, now);
    let attempt = match begun {
        Ok(attempt) => PendingLogin {
            s: s.clone(),
            attempt: Some(attempt),
        },
        Err(locked) => {
            tracing::info!(?address, "login refused: locked");
            audit_failed_login(&s, lang, &req.username, address, "locked").await;
            return Err(ApiError::too_many_logins(
                lang,
                &s.hall,
                locked.until,
                locked.retry_after_s(now),
            ));
        }
    };
    let stored = {
        let cache = s.auth.read().unwrap_or_else(|e| e.into_inner());
        cache
            .staff
            .get(&req.username)
            .filter(|r| !r.view.disabled)
            .map(|r| r.password_hash.clone())
    };
    let known = stored.is_some();
    // Unknown users are checked against a dummy hash so that the answer
    // takes as long either way.
    let hash = stored.unwrap_or_else(|| auth::dummy_hash().to_owned());
    let password = req.password;
    let verified = argon(&s, lang, move || auth::verify_password(&password, &hash)).await?;
    if !(known && verified) {
        tracing::info!(known, "login refused");
        let now = s.clock.now();
        let locked = s.logins().failed(key, address, now);
        drop(attempt);
        let reason = if locked.is_some() {
            "locked_now"
        } else {
            "bad_credentials"
        };
        audit_failed_login(&s, lang, &req.username, address, reason).await;
        if let Some(locked) = locked {
            // The name only if it is an account: a password typed into
            // the user name field must not end up in the log.
            let username = known.then_some(req.username.as_str());
            tracing::warn!(?username, ?address, "too many failed logins: locked");
            return Err(ApiError::too_many_logins(
                lang,
                &s.hall,
                locked.until,
                locked.retry_after_s(now),
            ));
        }
        return Err(ApiError::new(
            ErrorKind::Unauthorized,
            "bad_credentials",
            pick(lang, "用户名或密码错误", "wrong user name or password"),
        ));
    }
    s.logins().succeeded(&req.username);
    drop(attempt);
    let token = secret::token("lbs");
    let hash = secret::TokenHash::of(&token);
    let username = req.username;
    let (staff, expires_at) = s
        .engine
        .ask(lang, |reply| Request::Login {
            actor: Actor::staff(&username, address),
            username,
            token: hash,
            lang,
            reply,
        })
        .await?;
    Ok(json(
        StatusCode::OK,
        &LoginAnswer {
            token,
            expires_at,
            staff,
        },
    ))
}

/// A login attempt counted by the limiter until dropped.
struct PendingLogin {
    s: AppState,
    attempt: Option<crate::limit::Attempt>,
}

impl Drop for PendingLogin {
    fn drop(&mut self) {
        if let Some(a) = self.attempt.take() {
            self.s.logins().end(a);
        }
    }
}

/// Records a refused login. The account is named only if it exists: a
/// password typed into the user name field must not end up in the trail.
async fn audit_failed_login(
    s: &AppState,
    lang: Lang,
    username: &str,
    address: Option<std::net::IpAddr>,
    reason: &str,
) {
    let exists = {
        let cache = s.auth.read().unwrap_or_else(|e| e.into_inner());
        cache.staff.contains_key(username)
    };
    let record = audit::Record {
        action: AuditAction::LoginFailed,
        target: exists.then(|| format!("staff:{username}")),
        changes: vec![audit::set("reason", reason)],
    };
    let written = s
        .engine
        .ask(lang, |reply| Request::Audit {
            actor: Actor::anonymous(address),
            record,
            lang,
            reply,
        })
        .await;
    if let Err(e) = written {
        // The refusal stands either way; the log keeps the trace.
        tracing::error!(code = %e.code, "a failed login could not be audited");
    }
}

async fn logout(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
) -> Answer {
    let lang = caller.lang;
    // Only a login session ends here: a device's token, or the
    // environment's administrator token, is revoked by an administrator or
    // changed where it is set, and answering 204 would pretend otherwise.
    let session = matches!(
        caller.principal,
        Principal::Staff { .. } | Principal::Admin { username: Some(_) }
    );
    if !session {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "not_a_session",
            pick(
                lang,
                "此令牌不是登录会话，无法退出；设备令牌请由管理员撤销",
                "this token is not a login session: a device token is revoked by an administrator",
            ),
        ));
    }
    let token = caller.token;
    let actor = Actor::of(&caller.principal, address);
    s.engine
        .ask(lang, |reply| Request::Logout {
            actor,
            token,
            lang,
            reply,
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
struct Me {
    kind: &'static str,
    username: Option<String>,
    role: Option<lobby_core::api::Role>,
    windows: Vec<WindowNo>,
    device: Option<i64>,
    device_kind: Option<lobby_core::api::DeviceKind>,
}

async fn me(caller: Caller) -> Response {
    let me = match caller.principal {
        Principal::Admin { username } => Me {
            kind: "admin",
            username,
            role: Some(lobby_core::api::Role::Admin),
            windows: Vec::new(),
            device: None,
            device_kind: None,
        },
        Principal::Staff {
            username,
            role,
            windows,
        } => Me {
            kind: "staff",
            username: Some(username),
            role: Some(role),
            windows,
            device: None,
            device_kind: None,
        },
        Principal::Device { id, kind, .. } => Me {
            kind: "device",
            username: None,
            role: None,
            windows: Vec::new(),
            device: Some(id),
            device_kind: Some(kind),
        },
    };
    json(StatusCode::OK, &me)
}

async fn list_staff(State(s): State<AppState>, caller: Caller) -> Answer {
    caller.admin()?;
    let list: Vec<_> = {
        let cache = s.auth.read().unwrap_or_else(|e| e.into_inner());
        cache.staff_list().into_iter().cloned().collect()
    };
    Ok(json(StatusCode::OK, &list))
}

fn check_windows(s: &AppState, windows: &[WindowNo], lang: Lang) -> Result<(), ApiError> {
    match windows.iter().find(|w| s.hall.window(**w).is_none()) {
        Some(w) => Err(ApiError::invalid(
            "windows",
            "unknown_window",
            match lang {
                Lang::Zh => format!("没有 {w} 号窗口"),
                Lang::En => format!("unknown window {w}"),
            },
        )),
        None => Ok(()),
    }
}

fn bad_password(lang: Lang) -> ApiError {
    ApiError::invalid(
        "password",
        "weak_password",
        match lang {
            Lang::Zh => format!(
                "密码须为 {} 至 256 个字符，不能含控制字符或不可见字符",
                auth::MIN_PASSWORD
            ),
            Lang::En => format!(
                "the password needs {} to 256 characters, none of them control or invisible characters",
                auth::MIN_PASSWORD
            ),
        },
    )
}

fn check_display_name(name: &str, lang: Lang) -> Result<(), ApiError> {
    if name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "display_name",
            "bad_display_name",
            pick(
                lang,
                "显示名称最多 64 个字符",
                "display names have at most 64 characters",
            ),
        ));
    }
    Ok(())
}

async fn create_staff(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Body(req): Body<NewStaff>,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    if !auth::valid_username(&req.username) {
        return Err(ApiError::invalid(
            "username",
            "bad_username",
            pick(
                lang,
                "用户名须为 1 至 32 个英文字母、数字或 . - _",
                "user names have 1 to 32 ASCII letters, digits, `.`, `-` or `_`",
            ),
        ));
    }
    if !auth::valid_password(&req.password) {
        return Err(bad_password(lang));
    }
    check_display_name(&req.display_name, lang)?;
    check_windows(&s, &req.windows, lang)?;
    let password = req.password;
    let password_hash = argon(&s, lang, move || auth::hash_password(&password))
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "hashing failed");
            ApiError::internal(lang)
        })?;
    let display_name = if req.display_name.is_empty() {
        req.username.clone()
    } else {
        req.display_name
    };
    let record = StaffRecord {
        view: lobby_core::api::StaffView {
            username: req.username,
            display_name,
            role: req.role,
            windows: req.windows,
            disabled: false,
        },
        password_hash,
    };
    let view = s
        .engine
        .ask(lang, |reply| Request::CreateStaff {
            actor: Actor::of(&caller.principal, address),
            record,
            lang,
            reply,
        })
        .await?;
    Ok(json(StatusCode::CREATED, &view))
}

async fn update_staff(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Param(username): Param,
    Body(mut patch): Body<StaffPatch>,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    if let Some(w) = &patch.windows {
        check_windows(&s, w, lang)?;
    }
    if let Some(n) = &patch.display_name {
        check_display_name(n, lang)?;
    }
    let password_hash = match patch.password.take() {
        Some(p) if !auth::valid_password(&p) => return Err(bad_password(lang)),
        Some(p) => Some(
            argon(&s, lang, move || auth::hash_password(&p))
                .await?
                .map_err(|_| ApiError::internal(lang))?,
        ),
        None => None,
    };
    let unlocks = password_hash.is_some() || patch.disabled == Some(false);
    let patch = HashedPatch {
        patch,
        password_hash,
    };
    let view = s
        .engine
        .ask(lang, |reply| Request::UpdateStaff {
            actor: Actor::of(&caller.principal, address),
            username,
            patch,
            lang,
            reply,
        })
        .await?;
    if unlocks {
        // A new password or a re-enabled account starts with a clean slate.
        s.logins().unlock(&view.username);
    }
    Ok(json(StatusCode::OK, &view))
}

async fn delete_staff(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Param(username): Param,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    s.engine
        .ask(lang, |reply| Request::DeleteStaff {
            actor: Actor::of(&caller.principal, address),
            username,
            lang,
            reply,
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn device_view(s: &AppState, d: &DeviceRecord) -> DeviceView {
    let status = s
        .device_status
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&d.id)
        .cloned();
    DeviceView {
        id: d.id,
        name: d.name.clone(),
        kind: d.kind,
        site: d.site.clone(),
        created_at: d.created_at,
        status,
    }
}

async fn list_devices(State(s): State<AppState>, caller: Caller) -> Answer {
    caller.admin()?;
    let records: Vec<DeviceRecord> = {
        let cache = s.auth.read().unwrap_or_else(|e| e.into_inner());
        cache.device_list().into_iter().cloned().collect()
    };
    let list: Vec<DeviceView> = records.iter().map(|d| device_view(&s, d)).collect();
    Ok(json(StatusCode::OK, &list))
}

async fn create_device(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Body(req): Body<NewDevice>,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    let n = req.name.trim().chars().count();
    if n == 0 || n > 64 || req.name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            "bad_name",
            pick(
                lang,
                "设备名称须为 1 至 64 个字符",
                "device names have 1 to 64 characters",
            ),
        ));
    }
    if let Some(site) = &req.site
        && s.hall.site(site).is_none()
    {
        return Err(ApiError::rejected(
            &lobby_core::Rejected::UnknownSite { site: site.clone() },
            lang,
            &s.hall,
        )
        .with_field("site"));
    }
    let token = secret::token("lbd");
    let hash = secret::TokenHash::of(&token);
    let record = s
        .engine
        .ask(lang, |reply| Request::CreateDevice {
            actor: Actor::of(&caller.principal, address),
            device: req,
            token: hash,
            lang,
            reply,
        })
        .await?;
    Ok(json(
        StatusCode::CREATED,
        &NewDeviceAnswer {
            device: device_view(&s, &record),
            token,
        },
    ))
}

async fn delete_device(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Param(id): Param,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    let id: i64 = id.parse().map_err(|_| {
        ApiError::new(
            ErrorKind::NotFound,
            "unknown_device",
            pick(lang, "没有这个设备", "no such device"),
        )
    })?;
    s.engine
        .ask(lang, |reply| Request::DeleteDevice {
            actor: Actor::of(&caller.principal, address),
            id,
            lang,
            reply,
        })
        .await?;
    s.device_status
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn device_status(
    State(s): State<AppState>,
    caller: Caller,
    Body(req): Body<DeviceStatusRequest>,
) -> Answer {
    let lang = caller.lang;
    let Principal::Device { id, kind, site } = caller.principal else {
        return Err(ApiError::forbidden(lang));
    };
    if req.detail.chars().count() > 200 {
        return Err(ApiError::invalid(
            "detail",
            "bad_detail",
            pick(
                lang,
                "说明最多 200 个字符",
                "detail has at most 200 characters",
            ),
        ));
    }
    let name = {
        let cache = s.auth.read().unwrap_or_else(|e| e.into_inner());
        cache
            .device_list()
            .into_iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let view = lobby_core::api::DeviceStatusView {
        device: id,
        name,
        kind,
        site,
        status: req.status,
        detail: mask::free_text(&req.detail),
        at: s.clock.now(),
    };
    let changed = {
        let mut map = s.device_status.lock().unwrap_or_else(|e| e.into_inner());
        let changed = map
            .get(&id)
            .is_none_or(|old| old.status != view.status || old.detail != view.detail);
        map.insert(id, view.clone());
        changed
    };
    if changed {
        tracing::info!(device = id, status = ?view.status, "device status");
        let _ = s
            .frames
            .send(crate::hub::device_frame(&StreamMessage::Device {
                device: view.clone(),
            }));
    }
    Ok(json(StatusCode::OK, &view))
}

// -- appointments -------------------------------------------------------------

async fn create_appointment(
    State(s): State<AppState>,
    caller: Caller,
    Body(req): Body<NewAppointment>,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    let code = req.code.trim().to_owned();
    if code.is_empty()
        || code.len() > 64
        || code.chars().any(char::is_control)
        || code.contains('/')
    {
        return Err(ApiError::invalid(
            "code",
            "bad_code",
            pick(
                lang,
                "预约号须为 1 至 64 个字符",
                "codes have 1 to 64 characters",
            ),
        ));
    }
    let Some(category) = s.hall.category(&req.category) else {
        return Err(ApiError::rejected(
            &lobby_core::Rejected::UnknownCategory {
                category: req.category,
            },
            lang,
            &s.hall,
        ));
    };
    if let Some(m) = &req.matter {
        match s.hall.matter(m) {
            None => {
                return Err(ApiError::rejected(
                    &lobby_core::Rejected::UnknownMatter { matter: m.clone() },
                    lang,
                    &s.hall,
                ));
            }
            Some(matter) if matter.category != category.id => {
                return Err(ApiError::rejected(
                    &lobby_core::Rejected::MatterNotInCategory {
                        matter: m.clone(),
                        category: category.id.clone(),
                        expected: matter.category.clone(),
                    },
                    lang,
                    &s.hall,
                ));
            }
            Some(_) => {}
        }
    }
    if req.slot_end <= req.slot_start {
        return Err(ApiError::invalid(
            "slot_end",
            "bad_slot",
            pick(
                lang,
                "预约时段的结束须晚于开始",
                "the slot must end after it starts",
            ),
        ));
    }
    let appointment = AppointmentView {
        code,
        category: req.category,
        matter: req.matter,
        slot_start: req.slot_start,
        slot_end: req.slot_end,
        name: mask::name(&req.name),
        phone: mask::phone(&req.phone),
        id_number: mask::id_number(&req.id_number),
        ticket: None,
    };
    let view = s
        .engine
        .ask(lang, |reply| Request::NewAppointment {
            appointment,
            lang,
            reply,
        })
        .await?;
    Ok(json(StatusCode::CREATED, &view))
}

async fn list_appointments(State(s): State<AppState>, caller: Caller, Params(q): Params) -> Answer {
    caller.require(caller.principal.may_see_appointments())?;
    let lang = caller.lang;
    let date = date_param(&s, &q, lang)?;
    let from = reports::day_start(&s.hall, date);
    let to = date
        .tomorrow()
        .map(|d| reports::day_start(&s.hall, d))
        .map_err(|_| out_of_range("date", lang))?;
    let path = s.db_path.clone();
    let list = read_off_thread(lang, "listing appointments", move || {
        let conn = crate::store::Store::reader(&path)?;
        Ok(crate::store::appointments_between(&conn, from, to)?)
    })
    .await?;
    Ok(json(StatusCode::OK, &list))
}

async fn check_in(State(s): State<AppState>, caller: Caller, Param(code): Param) -> Answer {
    caller.require(caller.principal.may_issue())?;
    let lang = caller.lang;
    let site = match &caller.principal {
        Principal::Device { site, .. } => site.clone(),
        _ => None,
    };
    // Unknown codes are counted per kiosk or clerk, so codes cannot be
    // tried one after another (`limit::CHECK_IN_POLICY`).
    let who = match &caller.principal {
        Principal::Device { id, .. } => format!("device:{id}"),
        Principal::Staff { username, .. } => format!("staff:{username}"),
        Principal::Admin { .. } => String::new(),
    };
    let now = s.clock.now();
    let locked = (!who.is_empty())
        .then(|| s.check_ins().check(&who, None, now))
        .flatten();
    if let Some(locked) = locked {
        return Err(ApiError::too_many_check_ins(
            lang,
            &s.hall,
            locked.until,
            locked.retry_after_s(now),
        ));
    }
    let answer = s
        .engine
        .ask(lang, |reply| Request::CheckIn {
            code,
            site,
            lang,
            reply,
        })
        .await;
    let ticket = match answer {
        Ok(ticket) => ticket,
        Err(e) => {
            if e.code == "unknown_appointment" && !who.is_empty() {
                s.check_ins().failed(&who, None, s.clock.now());
            }
            return Err(e);
        }
    };
    Ok(json(StatusCode::CREATED, &with_rating_key(&s, ticket)))
}

// -- reports ------------------------------------------------------------------

fn bad_param(field: &str, lang: Lang, zh: &str, en: &str) -> ApiError {
    ApiError::new(ErrorKind::BadRequest, "bad_query", pick(lang, zh, en)).with_field(field)
}

/// The business day named by `?date=YYYY-MM-DD`, today's by default.
fn date_param(s: &AppState, q: &HashMap<String, String>, lang: Lang) -> Result<Date, ApiError> {
    Ok(date_named(q, "date", lang)?.unwrap_or_else(|| s.hall.business_day(s.clock.now())))
}

/// The date in `?NAME=YYYY-MM-DD`, if given. The last day jiff knows
/// (9999-12-31) is refused too: a report reads up to the next midnight.
fn date_named(
    q: &HashMap<String, String>,
    name: &str,
    lang: Lang,
) -> Result<Option<Date>, ApiError> {
    q.get(name)
        .map(|d| {
            let date = d.parse::<Date>().map_err(|_| {
                bad_param(
                    name,
                    lang,
                    "日期格式应为 YYYY-MM-DD",
                    "dates are YYYY-MM-DD",
                )
            })?;
            date.tomorrow()
                .map(|_| date)
                .map_err(|_| out_of_range(name, lang))
        })
        .transpose()
}

fn out_of_range(field: &str, lang: Lang) -> ApiError {
    bad_param(field, lang, "日期超出范围", "date out of range")
}

/// Reads the database on a blocking thread, off the async workers; a
/// failed read is logged as `what` and answered 503.
async fn read_off_thread<T: Send + 'static>(
    lang: Lang,
    what: &'static str,
    read: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(read)
        .await
        .map_err(|_| ApiError::internal(lang))?
        .map_err(|e| {
            tracing::error!(error = %e, "{what} failed");
            ApiError::unavailable(lang)
        })
}

/// Longest period one report covers, in days.
const PERIOD_MAX_DAYS: i32 = 366;

async fn period_report(State(s): State<AppState>, caller: Caller, Params(q): Params) -> Answer {
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
    let (hall, path) = (s.hall.clone(), s.db_path.clone());
    let report = read_off_thread(lang, "period report", move || {
        reports::period(&hall, &path, from, to, lang)
    })
    .await?;
    Ok(json(StatusCode::OK, &report))
}

async fn day_report(State(s): State<AppState>, caller: Caller, Params(q): Params) -> Answer {
    let lang = caller.lang;
    let date = date_param(&s, &q, lang)?;
    let (hall, path) = (s.hall.clone(), s.db_path.clone());
    let with_staff = caller.principal.is_admin();
    let report = read_off_thread(lang, "day report", move || {
        reports::day(&hall, &path, date, lang, with_staff)
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
        Some(m) => reports::parse_month(m).ok_or_else(|| {
            bad_param(
                "month",
                lang,
                "月份格式应为 YYYY-MM",
                "month must be YYYY-MM",
            )
        })?,
        None => s.hall.business_day(s.clock.now()).first_of_month(),
    };
    if month.last_of_month().tomorrow().is_err() {
        return Err(out_of_range("month", lang));
    }
    let (hall, path) = (s.hall.clone(), s.db_path.clone());
    // The windows' ranking is posted in the hall (公示); the staff's is for
    // the centre's managers.
    let with_staff = caller.as_ref().is_some_and(Principal::is_admin);
    let ranking = read_off_thread(lang, "ranking", move || {
        reports::ranking(&hall, &path, month, lang, with_staff)
    })
    .await?;
    Ok(json(StatusCode::OK, &ranking))
}

/// Most audit entries in one page.
const AUDIT_PAGE_MAX: usize = 500;

async fn audit_trail(State(s): State<AppState>, caller: Caller, Params(q): Params) -> Answer {
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
    let from = reports::day_start(&s.hall, date);
    let to = date
        .tomorrow()
        .map(|d| reports::day_start(&s.hall, d))
        .map_err(|_| bad_param("date", lang, "日期超出范围", "date out of range"))?;
    let path = s.db_path.clone();
    let mut entries = read_off_thread(lang, "reading the audit trail", move || {
        let conn = crate::store::Store::reader(&path)?;
        // One more than a page, to know whether another follows.
        Ok(crate::store::audit_entries(
            &conn,
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
    audit::localize(&s.hall, &mut entries);
    Ok(json(
        StatusCode::OK,
        &AuditPage {
            date,
            entries,
            next,
        },
    ))
}

// -- test clock ---------------------------------------------------------------

async fn set_clock(
    State(s): State<AppState>,
    caller: Caller,
    Body(change): Body<ClockRequest>,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    let answer = s
        .engine
        .ask(lang, |reply| Request::SetClock {
            change,
            lang,
            reply,
        })
        .await?;
    Ok(json(StatusCode::OK, &answer))
}

//! The accounts' handlers: login (rate limited, audited), logout, who am
//! I, and the administrator's staff accounts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lobby_core::api::{AuditAction, LoginAnswer, LoginRequest, NewStaff, StaffPatch};
use lobby_core::{Lang, WindowNo};
use serde::Serialize;

use super::writes::{self, HashedPatch};
use crate::audit::{self, Actor};
use crate::auth::{self, Principal, StaffRecord};
use crate::error::{ApiError, ErrorKind, pick};
use crate::http::extract::{Body, Caller, ClientAddr, L, NoNulls, Param};
use crate::http::{AppState, json};
use crate::secret;

type Answer = Result<Response, ApiError>;

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

pub(super) async fn login(
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
    let stored = s
        .accounts()
        .staff
        .get(&req.username)
        .filter(|r| !r.view.disabled)
        .map(|r| r.password_hash.clone());
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
    let actor = Actor::staff(&username, address);
    let (staff, expires_at) = s
        .engine
        .write(lang, move |tx| {
            writes::login(tx, &actor, &username, hash, lang)
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
    let exists = s.accounts().staff.contains_key(username);
    let record = audit::Record {
        action: AuditAction::LoginFailed,
        target: exists.then(|| format!("staff:{username}")),
        changes: vec![audit::set("reason", reason)],
    };
    let actor = Actor::anonymous(address);
    let written = s
        .engine
        .write(lang, move |tx| writes::audit_only(tx, &actor, &record))
        .await;
    if let Err(e) = written {
        // The refusal stands either way; the log keeps the trace.
        tracing::error!(code = %e.code, "a failed login could not be audited");
    }
}

pub(super) async fn logout(
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
        .write(lang, move |tx| writes::logout(tx, &actor, token))
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

pub(super) async fn me(caller: Caller) -> Response {
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

pub(super) async fn list_staff(State(s): State<AppState>, caller: Caller) -> Answer {
    caller.admin()?;
    let list: Vec<_> = s.accounts().staff_list().into_iter().cloned().collect();
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

pub(super) async fn create_staff(
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
    let actor = Actor::of(&caller.principal, address);
    let view = s
        .engine
        .write(lang, move |tx| writes::create(tx, &actor, record, lang))
        .await?;
    Ok(json(StatusCode::CREATED, &view))
}

pub(super) async fn update_staff(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Param(username): Param,
    NoNulls(mut patch): NoNulls<StaffPatch>,
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
    let actor = Actor::of(&caller.principal, address);
    let view = s
        .engine
        .write(lang, move |tx| {
            writes::update(tx, &actor, &username, patch, lang)
        })
        .await?;
    if unlocks {
        // A new password or a re-enabled account starts with a clean slate.
        s.logins().unlock(&view.username);
    }
    Ok(json(StatusCode::OK, &view))
}

pub(super) async fn delete_staff(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Param(username): Param,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    let actor = Actor::of(&caller.principal, address);
    s.engine
        .write(lang, move |tx| writes::delete(tx, &actor, &username, lang))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

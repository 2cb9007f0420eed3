//! The accounts' changes, run by the engine inside a batch: each is audited
//! in the same transaction, and each reloads the accounts cache before its
//! answer goes out.

use jiff::ToSpan;
use lobby_core::Lang;
use lobby_core::api::{AuditAction, Role, StaffPatch, StaffView};

use crate::audit::{self, Actor, Record};
use crate::auth::{SESSION_HOURS, SessionRecord, StaffRecord};
use crate::engine::Tx;
use crate::error::{ApiError, ErrorKind, pick};
use crate::secret::TokenHash;
use crate::store;

type Written<T> = store::Result<Result<T, ApiError>>;

/// A staff patch whose password is already hashed.
#[derive(Debug, Clone)]
pub struct HashedPatch {
    /// The fields to change (its `password` is ignored).
    pub patch: StaffPatch,
    /// The new password's argon2 hash.
    pub password_hash: Option<String>,
}

/// Adds an account (its password already hashed).
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    record: StaffRecord,
    lang: Lang,
) -> Written<StaffView> {
    let username = &record.view.username;
    if tx.store().staff_exists(username)? {
        return Ok(Err(ApiError::new(
            ErrorKind::Conflict,
            "username_taken",
            match lang {
                Lang::Zh => format!("用户名“{username}”已被使用"),
                Lang::En => format!("user name `{username}` is taken"),
            },
        )));
    }
    tx.store().insert_staff(&record, tx.now())?;
    tx.store().insert_audit(
        tx.now(),
        actor,
        &Record::staff(
            AuditAction::StaffCreated,
            username,
            audit::created(&record.view),
        ),
    )?;
    tx.accounts_changed();
    tracing::info!(%username, role = ?record.view.role, "staff account created");
    Ok(Ok(record.view))
}

/// Changes an account; a new role, a new password or disabling it ends its
/// sessions.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    username: &str,
    patch: HashedPatch,
    lang: Lang,
) -> Written<StaffView> {
    let Some(mut record) = tx
        .store()
        .staff()?
        .into_iter()
        .find(|s| s.view.username == username)
    else {
        return Ok(Err(unknown_staff(username, lang)));
    };
    let HashedPatch {
        patch,
        password_hash,
    } = patch;
    let before = record.view.clone();
    let password_reset = password_hash.is_some();
    let mut end_sessions = false;
    if let Some(n) = patch.display_name {
        record.view.display_name = n;
    }
    if let Some(r) = patch.role {
        end_sessions |= r != record.view.role;
        record.view.role = r;
    }
    if let Some(w) = patch.windows {
        record.view.windows = w;
    }
    if let Some(d) = patch.disabled {
        end_sessions |= d;
        record.view.disabled = d;
    }
    if let Some(h) = password_hash {
        record.password_hash = h;
        end_sessions = true;
    }
    let still_admin = record.view.role == Role::Admin && !record.view.disabled;
    if !still_admin && last_admin(tx, username)? {
        return Ok(Err(last_admin_refused(lang)));
    }
    tx.store().update_staff(&record)?;
    for entry in audit::updated(&before, &record.view, password_reset) {
        tx.store().insert_audit(tx.now(), actor, &entry)?;
    }
    if end_sessions {
        tx.store().delete_sessions_of(username)?;
    }
    tx.accounts_changed();
    tracing::info!(%username, "staff account changed");
    Ok(Ok(record.view))
}

/// Deletes an account and its sessions.
pub fn delete(tx: &mut Tx<'_>, actor: &Actor, username: &str, lang: Lang) -> Written<()> {
    if last_admin(tx, username)? {
        return Ok(Err(last_admin_refused(lang)));
    }
    if !tx.store().delete_staff(username)? {
        return Ok(Err(unknown_staff(username, lang)));
    }
    tx.store().insert_audit(
        tx.now(),
        actor,
        &Record::staff(AuditAction::StaffDeleted, username, Vec::new()),
    )?;
    tx.accounts_changed();
    tracing::info!(%username, "staff account deleted");
    Ok(Ok(()))
}

/// Opens a session for a login whose password the caller verified.
pub fn login(
    tx: &mut Tx<'_>,
    actor: &Actor,
    username: &str,
    token: TokenHash,
    lang: Lang,
) -> Written<(StaffView, jiff::Timestamp)> {
    let now = tx.now();
    let staff = tx
        .store()
        .staff()?
        .into_iter()
        .find(|s| s.view.username == username && !s.view.disabled);
    let Some(s) = staff else {
        // Disabled or deleted while its password was checked.
        tx.store().insert_audit(
            now,
            &Actor::anonymous(actor.address),
            &Record::staff(
                AuditAction::LoginFailed,
                username,
                vec![audit::set("reason", "disabled")],
            ),
        )?;
        return Ok(Err(ApiError::unauthorized(lang)));
    };
    let expires_at = now.checked_add(SESSION_HOURS.hours()).unwrap_or(now);
    tx.store().insert_session(&SessionRecord {
        token_hash: token.0,
        username: username.to_owned(),
        expires_at,
    })?;
    tx.store().insert_audit(
        now,
        actor,
        &Record::staff(AuditAction::Login, username, Vec::new()),
    )?;
    tx.accounts_changed();
    tracing::info!(%username, "logged in");
    Ok(Ok((s.view, expires_at)))
}

/// Ends the session of this token.
pub fn logout(tx: &mut Tx<'_>, actor: &Actor, token: TokenHash) -> Written<()> {
    tx.store().delete_session(&token.0)?;
    tx.store().insert_audit(
        tx.now(),
        actor,
        &Record {
            action: AuditAction::Logout,
            target: None,
            changes: Vec::new(),
        },
    )?;
    tx.accounts_changed();
    Ok(Ok(()))
}

/// Writes an audit entry that goes with no other change (a refused login).
pub fn audit_only(tx: &mut Tx<'_>, actor: &Actor, record: &Record) -> Written<()> {
    tx.store().insert_audit(tx.now(), actor, record)?;
    Ok(Ok(()))
}

/// Whether `username` is the only enabled administrator account: then
/// it may be neither disabled, demoted nor deleted, or nobody could
/// sign in to manage the hall (the `LOBBY_ADMIN_TOKEN` and the
/// `create-admin` console command aside).
fn last_admin(tx: &Tx<'_>, username: &str) -> store::Result<bool> {
    let admins: Vec<String> = tx
        .store()
        .staff()?
        .into_iter()
        .filter(|s| s.view.role == Role::Admin && !s.view.disabled)
        .map(|s| s.view.username)
        .collect();
    Ok(admins.len() == 1 && admins[0] == username)
}

fn last_admin_refused(lang: Lang) -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        "last_admin",
        pick(
            lang,
            "这是唯一的管理员账号，不能停用、降级或删除；请先另设一名管理员",
            "this is the only administrator account: it cannot be disabled, demoted or deleted until there is another",
        ),
    )
}

fn unknown_staff(username: &str, lang: Lang) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        "unknown_staff",
        match lang {
            Lang::Zh => format!("没有用户“{username}”"),
            Lang::En => format!("no staff account `{username}`"),
        },
    )
}

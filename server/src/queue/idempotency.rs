//! Idempotency keys for issuing and the window actions.
//!
//! A client that sends `Idempotency-Key: <key>` and loses the answer (the
//! network dropped, or the server answered 503 because it could not
//! confirm the save) sends the same request again with the same key. The
//! first successful outcome is stored in the same transaction as its
//! events, so it exists exactly when the change does: a retry finds it and
//! gets that outcome again instead of a second ticket or a second call. A
//! key is the caller's own (another caller, or another action, with the
//! same key is refused, 409) and is kept for two days.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jiff::{Timestamp, ToSpan};
use rusqlite::{OptionalExtension, params};

use crate::auth::Principal;
use crate::engine::Outcome;
use crate::error::{ApiError, ErrorKind, pick};
use crate::http::AppState;
use crate::http::extract::lang_of;
use crate::store::{self, Store, millis};

/// The header's name.
pub const HEADER: &str = "idempotency-key";

/// Longest key accepted.
const MAX_LEN: usize = 100;

/// How long a key's outcome is kept.
const KEEP_HOURS: i64 = 48;

/// The request's idempotency key, if it sent one (422 if it is malformed),
/// with the action it names (the request's path).
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<(String, String)>);

impl FromRequestParts<AppState> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(HEADER) else {
            return Ok(IdempotencyKey(None));
        };
        let lang = lang_of(parts);
        let key = value.to_str().ok().filter(|k| {
            (1..=MAX_LEN).contains(&k.len())
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        });
        let Some(key) = key else {
            return Err(ApiError::invalid(
                "Idempotency-Key",
                "bad_idempotency_key",
                pick(
                    lang,
                    "Idempotency-Key 须为 1–100 个字母、数字或 - _ . :",
                    "Idempotency-Key must be 1–100 letters, digits or - _ . :",
                ),
            ));
        };
        Ok(IdempotencyKey(Some((
            key.to_owned(),
            parts.uri.path().to_owned(),
        ))))
    }
}

/// A key as the engine checks it: whose, for what.
#[derive(Debug, Clone)]
pub(super) struct Keyed {
    key: String,
    caller: String,
    action: String,
}

impl Keyed {
    /// The key of a request by `principal`, if it sent one.
    pub(super) fn of(key: IdempotencyKey, principal: &Principal) -> Option<Keyed> {
        let (key, action) = key.0?;
        let caller = match principal {
            Principal::Admin { username } => {
                format!("admin:{}", username.as_deref().unwrap_or(""))
            }
            Principal::Staff { username, .. } => format!("staff:{username}"),
            Principal::Device { id, .. } => format!("device:{id}"),
        };
        Some(Keyed {
            key,
            caller,
            action,
        })
    }

    /// The first outcome under this key, if there was one; a key reused by
    /// someone else or for another action is refused.
    pub(super) fn earlier(
        &self,
        store: &Store,
        lang: lobby_core::Lang,
    ) -> store::Result<Option<Result<Outcome, ApiError>>> {
        let row: Option<(String, String, String)> = store
            .conn()
            .query_row(
                "SELECT caller, action, outcome FROM idempotency WHERE key = ?1",
                [&self.key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((caller, action, outcome)) = row else {
            return Ok(None);
        };
        if caller != self.caller || action != self.action {
            return Ok(Some(Err(ApiError::new(
                ErrorKind::Conflict,
                "idempotency_key_reused",
                pick(
                    lang,
                    "这个 Idempotency-Key 已用于另一个请求，请每次操作用新的键",
                    "this Idempotency-Key was used for another request; use a new key for each action",
                ),
            )
            .with_field("Idempotency-Key"))));
        }
        Ok(Some(serde_json::from_str(&outcome).map_err(|e| {
            tracing::error!(error = %e, "a stored idempotent outcome is unreadable");
            ApiError::internal(lang)
        })))
    }

    /// Stores the outcome under the key, in the batch's transaction, and
    /// forgets keys older than two days.
    pub(super) fn remember(
        &self,
        store: &Store,
        outcome: &Outcome,
        now: Timestamp,
    ) -> store::Result<()> {
        let json = serde_json::to_string(outcome)?;
        let conn = store.conn();
        conn.execute(
            "INSERT OR REPLACE INTO idempotency (key, caller, action, outcome, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![self.key, self.caller, self.action, json, millis(now)],
        )?;
        let old = now.checked_sub(KEEP_HOURS.hours()).unwrap_or(now);
        conn.execute("DELETE FROM idempotency WHERE at < ?1", [millis(old)])?;
        Ok(())
    }
}

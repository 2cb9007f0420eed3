//! Extractors whose failures are API errors in the one JSON shape: a JSON
//! body, the caller's language, the caller's token, path parameters and
//! query strings.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use lobby_core::{Lang, WindowNo};
use serde::de::DeserializeOwned;

use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind, pick};
use crate::secret::TokenHash;
use crate::state::AppState;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The language of the answer, from `Accept-Language` (or `?lang=`);
/// Chinese unless English is asked for.
#[derive(Debug, Clone, Copy)]
pub struct L(pub Lang);

/// The language a request asks for.
pub fn lang_of(parts: &Parts) -> Lang {
    if let Some(q) = parts.uri.query()
        && let Some(tag) = q.split('&').find_map(|kv| kv.strip_prefix("lang="))
    {
        return Lang::from_tag(tag);
    }
    parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Zh, Lang::from_tag)
}

impl<S: Send + Sync> FromRequestParts<S> for L {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(L(lang_of(parts)))
    }
}

/// The bearer token presented, if any (header, or `?token=` for
/// WebSockets, which browsers cannot give headers).
pub fn bearer(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(header::AUTHORIZATION) {
        let v = v.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let token = token.trim();
        return (!token.is_empty()).then(|| token.to_owned());
    }
    None
}

/// An authenticated caller: 401 without a valid token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who.
    pub principal: Principal,
    /// Hash of the token used (to end the session at logout).
    pub token: TokenHash,
    /// Language.
    pub lang: Lang,
}

impl Caller {
    /// 403 unless an admin.
    pub fn admin(&self) -> Result<(), ApiError> {
        if self.principal.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(self.lang))
        }
    }

    /// 403 unless allowed on the window.
    pub fn window(&self, window: WindowNo) -> Result<(), ApiError> {
        if self.principal.may_use_window(window) {
            Ok(())
        } else if matches!(self.principal, Principal::Staff { .. }) {
            Err(ApiError::foreign_window(self.lang, window))
        } else {
            Err(ApiError::forbidden(self.lang))
        }
    }

    /// 403 unless `allowed`.
    pub fn require(&self, allowed: bool) -> Result<(), ApiError> {
        if allowed {
            Ok(())
        } else {
            Err(ApiError::forbidden(self.lang))
        }
    }
}

/// Looks a token up.
pub fn authenticate(state: &AppState, token: &str) -> Option<(Principal, TokenHash)> {
    let hash = TokenHash::of(token);
    principal_of(state, &hash).map(|p| (p, hash))
}

/// Who holds the token with this hash now: `None` once it is revoked,
/// expired or its account disabled.
pub fn principal_of(state: &AppState, hash: &TokenHash) -> Option<Principal> {
    if let Some(admin) = &state.admin_token
        && admin.matches(hash)
    {
        return Some(Principal::Admin { username: None });
    }
    let now = state.clock.now();
    // A poisoned lock still holds a whole cache (it is replaced whole).
    let cache = state.auth.read().unwrap_or_else(|e| e.into_inner());
    cache.principal(hash, now)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let lang = lang_of(parts);
        let token = bearer(parts).ok_or_else(|| ApiError::unauthorized(lang))?;
        let (principal, token) =
            authenticate(state, &token).ok_or_else(|| ApiError::unauthorized(lang))?;
        Ok(Caller {
            principal,
            token,
            lang,
        })
    }
}

/// Whoever gives a rating: a device, staff member or administrator by
/// their token, or the visitor, whose token is the ticket's rating key
/// (`secret::rating_key`; only the holder of the ticket has it, in its QR
/// code). 401 without a token.
#[derive(Debug, Clone)]
pub enum Rater {
    /// A known token's holder.
    Caller(Caller),
    /// Someone presenting this ticket id as their token.
    Visitor {
        /// The token presented.
        token: String,
        /// Language.
        lang: Lang,
    },
}

impl Rater {
    /// The answer's language.
    pub fn lang(&self) -> Lang {
        match self {
            Rater::Caller(c) => c.lang,
            Rater::Visitor { lang, .. } => *lang,
        }
    }
}

impl FromRequestParts<AppState> for Rater {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let lang = lang_of(parts);
        let token = bearer(parts).ok_or_else(|| ApiError::unauthorized(lang))?;
        Ok(match authenticate(state, &token) {
            Some((principal, token)) => Rater::Caller(Caller {
                principal,
                token,
                lang,
            }),
            None => Rater::Visitor { token, lang },
        })
    }
}

/// A caller who may or may not have given a (valid) token: public reads
/// show more to authenticated callers.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Only the header: `?token=` is for the event stream alone, whose
        // browser WebSocket cannot send one; a token in an address ends up
        // in histories and proxies' logs.
        let principal = bearer(parts).and_then(|t| authenticate(state, &t));
        Ok(MaybeCaller(principal.map(|(p, _)| p)))
    }
}

/// Like [`MaybeCaller`], with the token's hash, for a connection that
/// must notice when its token stops being valid (the event stream).
#[derive(Debug, Clone)]
pub struct MaybeToken(pub Option<(Principal, TokenHash)>);

impl FromRequestParts<AppState> for MaybeToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A bearer header, or `?token=` where a browser's WebSocket cannot
        // set headers.
        let token = bearer(parts).or_else(|| {
            parts
                .uri
                .query()?
                .split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .map(str::to_owned)
        });
        Ok(MaybeToken(token.and_then(|t| authenticate(state, &t))))
    }
}

/// A JSON body: malformed JSON is 400, a wrong or unknown field 422 naming
/// the field, both in the API's error shape. An empty body reads as `{}`,
/// so requests whose fields are all optional may omit it.
#[derive(Debug, Clone)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let (text, lang) = read_json(req).await?;
        json_object(&text, lang)?;
        parse_json(&text, lang).map(Body)
    }
}

/// A JSON body, as [`Body`], in which no field may be `null`. For a PATCH,
/// where a field left out stays as it is: a `null` would read as "clear
/// it" (RFC 7396), which none of the fields can be, so it is refused (422
/// naming the field) rather than taken as "leave it"; and for a body of
/// which exactly one field must be given.
#[derive(Debug, Clone)]
pub struct NoNulls<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for NoNulls<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let (text, lang) = read_json(req).await?;
        let object = json_object(&text, lang)?;
        if let Some((field, _)) = object.iter().find(|(_, v)| v.is_null()) {
            let message = match lang {
                Lang::Zh => format!("字段“{field}”不能为 null：不改就不要写这个字段"),
                Lang::En => {
                    format!("`{field}` cannot be null: leave the field out to keep it as it is")
                }
            };
            return Err(ApiError::new(ErrorKind::Invalid, "invalid_field", message)
                .with_field(field.clone()));
        }
        parse_json(&text, lang).map(NoNulls)
    }
}

/// The body as a JSON object: 400 when it is no JSON, 422 when it is
/// other JSON. Every request body is an object, and serde would otherwise
/// read a struct from an array too, field by field in order
/// (`[null, null]` as two fields left out).
fn json_object(
    text: &[u8],
    lang: Lang,
) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    match parse_json(text, lang)? {
        serde_json::Value::Object(o) => Ok(o),
        _ => Err(ApiError::new(
            ErrorKind::Invalid,
            "invalid_field",
            pick(
                lang,
                "请求体须为 JSON 对象（{…}）",
                "the body must be a JSON object ({…})",
            ),
        )),
    }
}

/// A request's body, checked to be JSON by its type and size, with the
/// caller's language; an empty body reads as `{}`.
async fn read_json(req: Request) -> Result<(axum::body::Bytes, Lang), ApiError> {
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts);
    if let Some(ct) = parts.headers.get(header::CONTENT_TYPE) {
        let json = ct
            .to_str()
            .ok()
            .and_then(|s| s.split(';').next())
            .is_some_and(|m| {
                // `text/plain` is what a browser's fetch sends by
                // default; tokens, not cookies, guard every change.
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || m.ends_with("+json") || m == "text/plain"
            });
        if !json {
            return Err(ApiError::new(
                ErrorKind::BadRequest,
                "unsupported_media_type",
                pick(
                    lang,
                    "请求体须为 JSON（Content-Type: application/json）",
                    "the body must be JSON (Content-Type: application/json)",
                ),
            ));
        }
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        ApiError::new(
            ErrorKind::TooLarge,
            "body_too_large",
            pick(lang, "请求体过大", "the request body is too large"),
        )
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((axum::body::Bytes::from_static(b"{}"), lang));
    }
    Ok((bytes, lang))
}

/// Parses JSON with the path of the field at fault.
pub fn parse_json<T: DeserializeOwned>(text: &[u8], lang: Lang) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => v,
        Err(e) => {
            let path = e.path().to_string();
            return Err(json_error(e.into_inner(), &path, lang));
        }
    };
    de.end().map_err(|e| json_error(e, ".", lang))?;
    Ok(value)
}

fn json_error(inner: serde_json::Error, path: &str, lang: Lang) -> ApiError {
    let detail = inner.to_string();
    if !inner.is_data() {
        return ApiError::new(
            ErrorKind::BadRequest,
            "bad_json",
            match lang {
                Lang::Zh => format!("请求体不是有效的 JSON：{detail}"),
                Lang::En => format!("the body is not valid JSON: {detail}"),
            },
        );
    }
    // A missing field is reported at its parent's path: name it.
    let missing = detail
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (p, Some(name)) => format!("{p}.{name}"),
        (".", None) => String::new(),
        (p, None) => p.to_owned(),
    };
    let field = field.as_str();
    let message = match lang {
        Lang::Zh if field.is_empty() => format!("请求内容有误：{detail}"),
        Lang::Zh => format!("字段“{field}”有误：{detail}"),
        Lang::En if field.is_empty() => format!("invalid request: {detail}"),
        Lang::En => format!("invalid field `{field}`: {detail}"),
    };
    let err = ApiError::new(ErrorKind::Invalid, "invalid_field", message);
    if field.is_empty() {
        err
    } else {
        err.with_field(field)
    }
}

/// A path parameter as text.
#[derive(Debug, Clone)]
pub struct Param(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Param {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let lang = lang_of(parts);
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(s)) => Ok(Param(s)),
            Err(_) => Err(ApiError::not_found(lang)),
        }
    }
}

/// A window number in the path; anything else is an unknown window (404).
#[derive(Debug, Clone, Copy)]
pub struct WindowParam(pub WindowNo);

impl<S: Send + Sync> FromRequestParts<S> for WindowParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let lang = lang_of(parts);
        let Param(s) = Param::from_request_parts(parts, state).await?;
        s.parse::<u32>()
            .map(|n| WindowParam(WindowNo(n)))
            .map_err(|_| {
                ApiError::new(
                    ErrorKind::NotFound,
                    "unknown_window",
                    match lang {
                        Lang::Zh => format!("没有“{s}”号窗口"),
                        Lang::En => format!("unknown window `{s}`"),
                    },
                )
            })
    }
}

/// The query string as a map.
#[derive(Debug, Clone, Default)]
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let lang = lang_of(parts);
        match Query::<HashMap<String, String>>::from_request_parts(parts, state).await {
            Ok(Query(map)) => Ok(Params(map)),
            Err(_) => Err(ApiError::new(
                ErrorKind::BadRequest,
                "bad_query",
                pick(lang, "查询参数格式有误", "malformed query string"),
            )),
        }
    }
}

/// The client's address, from the connection (not from headers a client
/// could forge); `None` when the router runs without connection info.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

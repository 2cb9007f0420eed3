//! The one error type of the API: a status class, a stable code, a message
//! for a person (Chinese by default) and the field at fault. Every failure
//! a client can see is one of these; internal details are logged, never
//! returned.

use std::borrow::Cow;

use lobby_core::api::{ErrorBody, ErrorDetail};
use lobby_core::{Hall, Lang, Rejected};

/// What went wrong, which decides the HTTP status (see `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request is malformed (bad JSON, bad query).
    BadRequest,
    /// 401: no valid token.
    Unauthorized,
    /// 403: the token may not do this.
    Forbidden,
    /// 404: no such thing.
    NotFound,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 409: the state does not allow it now.
    Conflict,
    /// 413: the body is too large.
    TooLarge,
    /// 422: well-formed but invalid values.
    Invalid,
    /// 429: too many attempts; retry later (`Retry-After`).
    TooManyRequests,
    /// 500: a bug (never expected).
    Internal,
    /// 503: the change could not be stored; nothing changed.
    Unavailable,
}

impl ErrorKind {
    /// The HTTP status code: the single mapping of the API.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::Invalid => 422,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::Internal => 500,
            ErrorKind::Unavailable => 503,
        }
    }
}

/// An error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// Status class.
    pub kind: ErrorKind,
    /// Stable machine-readable code.
    pub code: Cow<'static, str>,
    /// Message for a person.
    pub message: String,
    /// The request field at fault.
    pub field: Option<String>,
    /// Seconds after which a retry may succeed (`Retry-After`).
    pub retry_after_s: Option<u64>,
}

impl ApiError {
    /// An error with a code and a message.
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            code: Cow::Borrowed(code),
            message: message.into(),
            field: None,
            retry_after_s: None,
        }
    }

    /// Names the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// The core refused a command: 404 for unknown things, 422 for invalid
    /// requests, 409 for the wrong state. `HallClosed` gets the next
    /// opening time in the hall's zone.
    pub fn rejected(r: &Rejected, lang: Lang, hall: &Hall) -> ApiError {
        let kind = if r.is_not_found() {
            ErrorKind::NotFound
        } else if r.is_invalid() {
            ErrorKind::Invalid
        } else {
            ErrorKind::Conflict
        };
        let mut message = r.message(lang);
        if let Rejected::HallClosed {
            next_open: Some(at),
        } = r
        {
            let local = hall.tz().to_datetime(*at);
            let when = local.strftime("%m-%d %H:%M");
            match lang {
                Lang::Zh => message.push_str(&format!("（下次取号时间：{when}）")),
                Lang::En => message.push_str(&format!(" (issuing opens again at {when})")),
            }
        }
        let field = match r {
            Rejected::UnknownCategory { .. } => Some("category"),
            Rejected::UnknownMatter { .. } | Rejected::MatterNotInCategory { .. } => Some("matter"),
            Rejected::UnknownGroup { .. } => Some("group"),
            Rejected::UnknownSite { .. } | Rejected::CategoryNotAtSite { .. } => Some("site"),
            Rejected::BadStop { .. } => Some("stops"),
            Rejected::BadReason => Some("reason"),
            Rejected::AppointmentMismatch => Some("appointment"),
            _ => None,
        };
        ApiError {
            kind,
            code: Cow::Borrowed(r.code()),
            message,
            field: field.map(str::to_owned),
            retry_after_s: None,
        }
    }

    /// No valid token.
    pub fn unauthorized(lang: Lang) -> ApiError {
        ApiError::new(
            ErrorKind::Unauthorized,
            "unauthorized",
            pick(
                lang,
                "请先登录或提供有效的令牌",
                "a valid bearer token is required",
            ),
        )
    }

    /// The token may not do this.
    pub fn forbidden(lang: Lang) -> ApiError {
        ApiError::new(
            ErrorKind::Forbidden,
            "forbidden",
            pick(lang, "没有权限执行此操作", "you may not do this"),
        )
    }

    /// Staff acting on a window not assigned to them.
    pub fn foreign_window(lang: Lang, window: lobby_core::WindowNo) -> ApiError {
        ApiError::new(
            ErrorKind::Forbidden,
            "window_not_assigned",
            match lang {
                Lang::Zh => format!("您没有被分配到 {window} 号窗口"),
                Lang::En => format!("you are not assigned to window {window}"),
            },
        )
    }

    /// Too many failed logins: refused until `until` (named in the hall's
    /// time zone), `retry_after_s` from now.
    pub fn too_many_logins(
        lang: Lang,
        hall: &Hall,
        until: jiff::Timestamp,
        retry_after_s: u64,
    ) -> ApiError {
        let minutes = retry_after_s.div_ceil(60);
        ApiError::too_many(hall, until, retry_after_s, |when| match lang {
            Lang::Zh => {
                format!("登录失败次数过多，已暂时锁定，请于 {when} 后再试（约 {minutes} 分钟）")
            }
            Lang::En => format!(
                "too many failed logins; locked for now, try again after {when} (about {minutes} min)"
            ),
        })
    }

    /// Too many unknown appointment codes from one kiosk or clerk: check-in
    /// there waits until `until`, so codes cannot be tried one after another.
    pub fn too_many_check_ins(
        lang: Lang,
        hall: &Hall,
        until: jiff::Timestamp,
        retry_after_s: u64,
    ) -> ApiError {
        ApiError::too_many(hall, until, retry_after_s, |when| match lang {
            Lang::Zh => format!("预约号输入错误次数过多，请于 {when} 后再试，或到导服台办理"),
            Lang::En => format!(
                "too many unknown appointment codes; try again after {when}, or ask at the guide desk"
            ),
        })
    }

    /// A 429 `too_many_attempts` with `Retry-After`, its message naming
    /// `until` in the hall's time.
    fn too_many(
        hall: &Hall,
        until: jiff::Timestamp,
        retry_after_s: u64,
        message: impl FnOnce(&str) -> String,
    ) -> ApiError {
        let when = hall
            .tz()
            .to_datetime(until)
            .strftime("%H:%M:%S")
            .to_string();
        let mut e = ApiError::new(
            ErrorKind::TooManyRequests,
            "too_many_attempts",
            message(&when),
        );
        e.retry_after_s = Some(retry_after_s);
        e
    }

    /// An unknown route or resource.
    pub fn not_found(lang: Lang) -> ApiError {
        ApiError::new(
            ErrorKind::NotFound,
            "not_found",
            pick(lang, "没有这个地址", "no such resource"),
        )
    }

    /// The change could not be committed.
    pub fn unavailable(lang: Lang) -> ApiError {
        ApiError::new(
            ErrorKind::Unavailable,
            "storage_unavailable",
            pick(
                lang,
                "系统暂时无法保存，请稍后重试（本次操作未生效）",
                "the change could not be stored; nothing changed, please retry",
            ),
        )
    }

    /// The commit failed in a way that leaves its outcome unknown (an
    /// fsync error): the change may be on disk. The answer promises
    /// nothing; a retry with the same `Idempotency-Key` is safe.
    pub fn unconfirmed(lang: Lang) -> ApiError {
        ApiError::new(
            ErrorKind::Unavailable,
            "storage_unconfirmed",
            pick(
                lang,
                "系统暂时无法确认本次操作是否已保存，请稍后重试；带同一 Idempotency-Key 重试不会重复办理",
                "the change may or may not have been stored; retry later, with the same Idempotency-Key it is not done twice",
            ),
        )
    }

    /// The server is shutting down.
    pub fn shutting_down(lang: Lang) -> ApiError {
        ApiError::new(
            ErrorKind::Unavailable,
            "shutting_down",
            pick(
                lang,
                "系统正在重启，请稍后重试",
                "the server is restarting; please retry",
            ),
        )
    }

    /// A value is invalid.
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Invalid, code, message).with_field(field)
    }

    /// An unexpected internal failure (logged by the caller).
    pub fn internal(lang: Lang) -> ApiError {
        ApiError::new(
            ErrorKind::Internal,
            "internal",
            pick(lang, "系统内部错误", "internal error"),
        )
    }

    /// The JSON body of this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        }
    }
}

/// Chooses the Chinese or English text.
pub fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

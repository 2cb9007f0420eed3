//! Who is asking, and what they may do.
//!
//! Every mutating request carries `Authorization: Bearer TOKEN`. A token is
//! one of: the administrator token from `LOBBY_ADMIN_TOKEN`; a staff
//! session from `POST /api/login`; a device token from `POST /api/devices`.
//! Tokens are looked up by their SHA-256 in [`AuthCache`], which the engine
//! reloads from the database after every change to accounts, so handlers
//! check permissions without a round trip. Passwords are hashed with argon2
//! off the async threads; neither passwords nor tokens are ever logged.

use std::collections::HashMap;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use jiff::Timestamp;
use lobby_core::api::{DeviceKind, Role, StaffView};
use lobby_core::{Channel, SiteId, WindowNo};

use crate::secret::TokenHash;

pub mod store;

/// A staff account with its password hash.
#[derive(Debug, Clone)]
pub struct StaffRecord {
    /// The account.
    pub view: StaffView,
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// A device.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: DeviceKind,
    /// Site.
    pub site: Option<lobby_core::SiteId>,
    /// Registered at.
    pub created_at: Timestamp,
    /// SHA-256 of its token.
    pub token_hash: [u8; 32],
}

/// A login session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// SHA-256 of its token.
    pub token_hash: [u8; 32],
    /// Whose.
    pub username: String,
    /// Until when.
    pub expires_at: Timestamp,
}

/// How long a login lasts: a working day and then some.
pub const SESSION_HOURS: i64 = 14;

/// Minimum password length.
pub const MIN_PASSWORD: usize = 8;

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// The `LOBBY_ADMIN_TOKEN` holder or an admin account.
    Admin {
        /// The account, or `None` for the environment token.
        username: Option<String>,
    },
    /// A logged-in staff member (window staff or guide desk).
    Staff {
        /// Account.
        username: String,
        /// Role (never admin here).
        role: Role,
        /// Assigned windows.
        windows: Vec<WindowNo>,
    },
    /// A device.
    Device {
        /// Device id.
        id: i64,
        /// Kind.
        kind: DeviceKind,
        /// Site.
        site: Option<SiteId>,
    },
}

impl Principal {
    /// Whether the caller is an administrator.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::Admin { .. })
    }

    /// Whether the caller may act on a window.
    pub fn may_use_window(&self, window: WindowNo) -> bool {
        match self {
            Principal::Admin { .. } => true,
            Principal::Staff { windows, .. } => windows.contains(&window),
            Principal::Device { .. } => false,
        }
    }

    /// The channel tickets issued by this caller come from, and the
    /// channels it may ask for explicitly; `None` if it may not issue.
    pub fn issue_channel(&self, asked: Option<Channel>) -> Option<Channel> {
        let (default, allowed): (Channel, &[Channel]) = match self {
            Principal::Admin { .. } => (
                Channel::GuideDesk,
                &[Channel::Kiosk, Channel::GuideDesk, Channel::Online],
            ),
            Principal::Staff {
                role: Role::Guide, ..
            } => (Channel::GuideDesk, &[Channel::GuideDesk, Channel::Online]),
            Principal::Device {
                kind: DeviceKind::GuideDesk,
                ..
            } => (Channel::GuideDesk, &[Channel::GuideDesk, Channel::Online]),
            Principal::Device {
                kind: DeviceKind::Kiosk,
                ..
            } => (Channel::Kiosk, &[Channel::Kiosk]),
            _ => return None,
        };
        match asked {
            None => Some(default),
            Some(c) if allowed.contains(&c) => Some(c),
            Some(_) => None,
        }
    }

    /// Whether the caller may issue at all (kiosks, guide desk, admins).
    pub fn may_issue(&self) -> bool {
        self.issue_channel(None).is_some()
    }

    /// Whether the caller may cancel or re-activate tickets at all: staff
    /// and the guide desk. Window staff only for tickets their windows
    /// could serve ([`Principal::may_manage_ticket`]).
    pub fn may_manage_tickets(&self) -> bool {
        match self {
            Principal::Admin { .. } | Principal::Staff { .. } => true,
            Principal::Device { kind, .. } => *kind == DeviceKind::GuideDesk,
        }
    }

    /// Whether the caller may cancel or re-activate this ticket: the guide
    /// desk and administrators any; window staff only one in a category
    /// their windows serve (primary or overflow) or sent to one of their
    /// windows, so a clerk at window 29 cannot withdraw another queue's
    /// visitors.
    pub fn may_manage_ticket(&self, hall: &lobby_core::Hall, ticket: &lobby_core::Ticket) -> bool {
        match self {
            Principal::Staff {
                role: Role::Staff,
                windows,
                ..
            } => windows.iter().any(|n| {
                ticket.target_window == Some(*n)
                    || ticket.window == Some(*n)
                    || hall.window(*n).is_some_and(|w| w.serves(&ticket.category))
            }),
            other => other.may_manage_tickets(),
        }
    }

    /// Whether the caller may mark a ticket as assisted (帮办代办): the
    /// guide desk, whose staff take the matter on, and administrators. A
    /// self-service kiosk may not: the flag changes how the visit counts.
    pub fn may_assist(&self) -> bool {
        match self {
            Principal::Admin { .. } => true,
            Principal::Staff { role, .. } => *role == Role::Guide,
            Principal::Device { kind, .. } => *kind == DeviceKind::GuideDesk,
        }
    }

    /// Whether the caller may read the day and period reports: staff
    /// accounts and administrators; no device (kiosks and displays show
    /// the public queue and the posted ranking only).
    pub fn may_read_reports(&self) -> bool {
        !matches!(self, Principal::Device { .. })
    }

    /// Whether the caller may record a rating on a visitor's behalf: a
    /// rating pad (评价器) the visitor presses, the guide desk (device or
    /// staff), who asks the visitor, and administrators. Not window staff:
    /// ratings rank the windows and their staff (考核), so a clerk must not
    /// rate their own service; not a kiosk or display, whose token would
    /// rate any ticket by its id. The visitor rates with the key in their
    /// ticket's QR code.
    pub fn may_rate(&self) -> bool {
        matches!(
            self,
            Principal::Device {
                kind: DeviceKind::Evaluator,
                ..
            }
        ) || self.may_assist()
    }

    /// Whether the caller may list appointments: administrators and the
    /// guide desk (staff with the guide role, guide-desk devices).
    pub fn may_see_appointments(&self) -> bool {
        match self {
            Principal::Admin { .. } => true,
            Principal::Staff { role, .. } => *role == Role::Guide,
            Principal::Device { kind, .. } => *kind == DeviceKind::GuideDesk,
        }
    }

    /// A short description for logs (never the token).
    pub fn describe(&self) -> String {
        match self {
            Principal::Admin { username: None } => "admin-token".to_owned(),
            Principal::Admin { username: Some(u) } | Principal::Staff { username: u, .. } => {
                format!("staff:{u}")
            }
            Principal::Device { id, .. } => format!("device:{id}"),
        }
    }
}

/// Accounts, sessions and devices, as read from the database.
#[derive(Debug, Default)]
pub struct AuthCache {
    /// Staff by user name.
    pub staff: HashMap<String, StaffRecord>,
    /// Sessions by token hash.
    pub sessions: HashMap<[u8; 32], SessionRecord>,
    /// Devices by token hash.
    pub devices: HashMap<[u8; 32], DeviceRecord>,
}

impl AuthCache {
    /// Builds the cache from the stored records.
    pub fn new(
        staff: Vec<StaffRecord>,
        sessions: Vec<SessionRecord>,
        devices: Vec<DeviceRecord>,
    ) -> AuthCache {
        AuthCache {
            staff: staff
                .into_iter()
                .map(|s| (s.view.username.clone(), s))
                .collect(),
            sessions: sessions.into_iter().map(|s| (s.token_hash, s)).collect(),
            devices: devices.into_iter().map(|d| (d.token_hash, d)).collect(),
        }
    }

    /// Reads the cache from the database: every account, the sessions
    /// still valid at `now` (expired ones are deleted on the way), every
    /// device.
    pub fn load(store: &crate::store::Store, now: Timestamp) -> crate::store::Result<AuthCache> {
        Ok(AuthCache::new(
            store.staff()?,
            store.sessions(now)?,
            store.devices()?,
        ))
    }

    /// The caller holding `token`, if it is valid now.
    pub fn principal(&self, token: &TokenHash, now: Timestamp) -> Option<Principal> {
        if let Some(d) = self.devices.get(&token.0) {
            return Some(Principal::Device {
                id: d.id,
                kind: d.kind,
                site: d.site.clone(),
            });
        }
        let session = self.sessions.get(&token.0)?;
        if session.expires_at <= now {
            return None;
        }
        let staff = self.staff.get(&session.username)?;
        if staff.view.disabled {
            return None;
        }
        Some(staff_principal(&staff.view))
    }

    /// Devices in id order.
    pub fn device_list(&self) -> Vec<&DeviceRecord> {
        let mut v: Vec<_> = self.devices.values().collect();
        v.sort_by_key(|d| d.id);
        v
    }

    /// Staff in name order.
    pub fn staff_list(&self) -> Vec<&StaffView> {
        let mut v: Vec<_> = self.staff.values().map(|s| &s.view).collect();
        v.sort_by(|a, b| a.username.cmp(&b.username));
        v
    }
}

/// The principal of a staff account.
pub fn staff_principal(view: &StaffView) -> Principal {
    match view.role {
        Role::Admin => Principal::Admin {
            username: Some(view.username.clone()),
        },
        role => Principal::Staff {
            username: view.username.clone(),
            role,
            windows: view.windows.clone(),
        },
    }
}

/// Hashes a password (argon2id, random salt). Slow on purpose: call it
/// from a blocking thread.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored hash. Slow on purpose.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).ok().is_some_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A valid hash of no one's password, checked against when the user name
/// is unknown so that a login takes as long either way.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default())
}

/// Checks a user name: 1 to 32 ASCII letters, digits, `.`, `-`, `_`.
pub fn valid_username(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Checks a password's length (in characters) and refuses control
/// characters and invisible ones (zero-width spaces and joiners,
/// direction marks, soft hyphens), which would let "ab" plus six
/// invisible characters pass for eight.
pub fn valid_password(s: &str) -> bool {
    let n = s.chars().count();
    (MIN_PASSWORD..=256).contains(&n) && !s.chars().any(|c| c.is_control() || invisible(c))
}

/// Unicode format characters that show nothing.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_eight_visible_characters() {
        assert!(valid_password("correct horse"));
        assert!(valid_password("密码很长很安全的"));
        assert!(!valid_password("short"));
        assert!(!valid_password(
            "ab\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}"
        ));
        assert!(!valid_password("abcdefg\u{feff}"));
        assert!(!valid_password("abcdefgh\n"));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn channels_follow_the_caller() {
        let kiosk = Principal::Device {
            id: 1,
            kind: DeviceKind::Kiosk,
            site: None,
        };
        assert_eq!(kiosk.issue_channel(None), Some(Channel::Kiosk));
        assert_eq!(kiosk.issue_channel(Some(Channel::GuideDesk)), None);
        let display = Principal::Device {
            id: 2,
            kind: DeviceKind::Display,
            site: None,
        };
        assert!(!display.may_issue());
        let clerk = Principal::Staff {
            username: "a".into(),
            role: Role::Staff,
            windows: vec![WindowNo(3)],
        };
        assert!(!clerk.may_issue());
        assert!(clerk.may_use_window(WindowNo(3)));
        assert!(!clerk.may_use_window(WindowNo(4)));
    }
}

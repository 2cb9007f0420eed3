//! Identifiers: one newtype per concept so they cannot be mixed up.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A site: the main hall, a sub-centre, a town centre (e.g. `hall`).
    SiteId
);
string_id!(
    /// A service category (e.g. `bdc` for 不动产登记).
    CategoryId
);
string_id!(
    /// An administrative matter (事项).
    MatterId
);
string_id!(
    /// A green-channel group (老、弱、病、残、军).
    GroupId
);
string_id!(
    /// A ticket's identity. Chosen by the caller (the server makes it
    /// unguessable, because it is also the key of the public status page);
    /// the core only requires it to be unique.
    TicketId
);

impl TicketId {
    /// Whether `s` is acceptable as a ticket id: 1 to 64 characters of
    /// ASCII letters, digits, `-` and `_` (safe in URLs and file names).
    pub fn is_valid(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

/// A window's number as citizens see it ("15 号窗口"). Unique across the
/// whole configuration, so sub-centres use their own ranges (101, 102 …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WindowNo(pub u32);

impl fmt::Display for WindowNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

//! The audit trail of accounts, sessions and devices: who created, changed
//! or deleted a staff account, assigned windows, reset a password,
//! registered or revoked a device, logged in or failed to — and when, from
//! where.
//!
//! Queue actions have their audit trail already: the event log. Account
//! changes are not core events (they do not change the hall's state), so
//! they go to their own append-only `audit` table, written by the engine in
//! the same transaction as the change itself: a change that is committed
//! is audited, and an audit entry never describes a change that was rolled
//! back. Entries never hold passwords, password hashes or tokens.

use std::net::IpAddr;

use jiff::Timestamp;
use lobby_core::Hall;
use lobby_core::api::{AuditAction, AuditChange, AuditEntry, StaffView};

use crate::auth::Principal;

mod http;
pub mod store;

pub use http::routes;

/// Who did something, from where.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// `admin-token`, `staff:NAME`, `device:ID` or `anonymous`.
    pub who: String,
    /// The client's address.
    pub address: Option<IpAddr>,
}

impl Actor {
    /// An authenticated caller.
    pub fn of(principal: &Principal, address: Option<IpAddr>) -> Actor {
        Actor {
            who: principal.describe(),
            address,
        }
    }

    /// Someone not (yet) authenticated: a failed login.
    pub fn anonymous(address: Option<IpAddr>) -> Actor {
        Actor {
            who: "anonymous".to_owned(),
            address,
        }
    }

    /// A staff member acting as themself (a login).
    pub fn staff(username: &str, address: Option<IpAddr>) -> Actor {
        Actor {
            who: format!("staff:{username}"),
            address,
        }
    }
}

/// An entry to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// What.
    pub action: AuditAction,
    /// To whom (`staff:NAME`, `device:ID`).
    pub target: Option<String>,
    /// What was set or changed.
    pub changes: Vec<AuditChange>,
}

impl Record {
    /// An entry about a staff account.
    pub fn staff(action: AuditAction, username: &str, changes: Vec<AuditChange>) -> Record {
        Record {
            action,
            target: Some(format!("staff:{username}")),
            changes,
        }
    }

    /// An entry about a device.
    pub fn device(action: AuditAction, id: i64, changes: Vec<AuditChange>) -> Record {
        Record {
            action,
            target: Some(format!("device:{id}")),
            changes,
        }
    }
}

/// A field set to a value.
pub fn set(field: &str, to: impl Into<String>) -> AuditChange {
    AuditChange {
        field: field.to_owned(),
        from: None,
        to: Some(to.into()),
    }
}

/// A field changed from one value to another.
pub fn changed(field: &str, from: impl Into<String>, to: impl Into<String>) -> AuditChange {
    AuditChange {
        field: field.to_owned(),
        from: Some(from.into()),
        to: Some(to.into()),
    }
}

/// Windows as `7,8` (empty for none).
pub fn windows(view: &StaffView) -> String {
    view.windows
        .iter()
        .map(|w| w.0.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn role(view: &StaffView) -> String {
    format!("{:?}", view.role).to_lowercase()
}

/// What a new account was created with.
pub fn created(view: &StaffView) -> Vec<AuditChange> {
    vec![
        set("display_name", view.display_name.clone()),
        set("role", role(view)),
        set("windows", windows(view)),
    ]
}

/// The entries an account change makes: windows, password and the other
/// fields separately, so a supervisor can look for each; only what really
/// changed.
pub fn updated(before: &StaffView, after: &StaffView, password_reset: bool) -> Vec<Record> {
    let name = after.username.as_str();
    let mut out = Vec::new();
    let mut other = Vec::new();
    if before.display_name != after.display_name {
        other.push(changed(
            "display_name",
            before.display_name.clone(),
            after.display_name.clone(),
        ));
    }
    if before.role != after.role {
        other.push(changed("role", role(before), role(after)));
    }
    if before.disabled != after.disabled {
        other.push(changed(
            "disabled",
            before.disabled.to_string(),
            after.disabled.to_string(),
        ));
    }
    if !other.is_empty() {
        out.push(Record::staff(AuditAction::StaffUpdated, name, other));
    }
    if before.windows != after.windows {
        out.push(Record::staff(
            AuditAction::WindowsAssigned,
            name,
            vec![changed("windows", windows(before), windows(after))],
        ));
    }
    if password_reset {
        out.push(Record::staff(AuditAction::PasswordReset, name, Vec::new()));
    }
    out
}

/// An instant as local time in the hall's zone, with its offset.
pub fn local_time(hall: &Hall, at: Timestamp) -> String {
    let tz = hall.tz();
    let local = tz.to_datetime(at).strftime("%Y-%m-%dT%H:%M:%S");
    let offset = tz.to_offset(at).seconds();
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.abs() / 60;
    format!("{local}{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Fills in the local time of entries read from the database.
pub fn localize(hall: &Hall, entries: &mut [AuditEntry]) {
    for e in entries {
        e.local_time = local_time(hall, e.at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lobby_core::WindowNo;
    use lobby_core::api::Role;

    fn view(windows: &[u32], role: Role) -> StaffView {
        StaffView {
            username: "li".into(),
            display_name: "李".into(),
            role,
            windows: windows.iter().map(|&w| WindowNo(w)).collect(),
            disabled: false,
        }
    }

    #[test]
    fn local_time_is_the_halls_with_its_offset() {
        let hall = crate::builtin_hall().unwrap();
        let at: Timestamp = "2026-11-25T01:02:03Z".parse().unwrap();
        assert_eq!(local_time(&hall, at), "2026-11-25T09:02:03+08:00");
    }

    #[test]
    fn an_update_records_only_what_changed() {
        let before = view(&[7], Role::Staff);
        assert!(updated(&before, &before, false).is_empty());
        let after = view(&[7, 8], Role::Guide);
        let records = updated(&before, &after, true);
        let actions: Vec<_> = records.iter().map(|r| r.action).collect();
        assert_eq!(
            actions,
            [
                AuditAction::StaffUpdated,
                AuditAction::WindowsAssigned,
                AuditAction::PasswordReset
            ]
        );
        assert_eq!(records[0].changes, [changed("role", "staff", "guide")]);
        assert_eq!(records[1].changes, [changed("windows", "7", "7,8")]);
        assert!(records[2].changes.is_empty());
    }
}

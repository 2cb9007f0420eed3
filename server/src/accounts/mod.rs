//! Staff accounts and their sessions: logging in and out, the
//! administrator's account management, all of it audited.
//!
//! - `http`: the handlers; a login is checked against the limiter
//!   (`crate::limit`, `Shared::logins`) before its password, and its
//!   argon2 work runs off the async workers, a few at a time.
//! - `writes`: what the engine runs for each change, inside the batch.
//!
//! Who may do what is `crate::auth`'s; the accounts' tables are in
//! `crate::auth::store`.

mod http;
mod writes;

use crate::http::openapi::{list, r};
use crate::http::{Op, Routes};

/// The accounts' routes.
pub fn routes(routes: Routes) -> Routes {
    routes.post(
        "/api/login",
        http::login,
        Op::new("Staff log in; 5 failures for an account (or 20 from one address) within 15 minutes lock it for 5 minutes")
            .body(r("LoginRequest"))
            .answer(200, Some(r("LoginAnswer")))
            .errors(&[401, 429]),
    )
    .post(
        "/api/logout",
        http::logout,
        Op::new("End this login session (409 not_a_session for a device's or the environment's token)")
            .auth()
            .answer(204, None)
            .errors(&[409]),
    )
    .get(
        "/api/me",
        http::me,
        Op::new("Who the token belongs to").auth().answer(200, Some(r("Me"))),
    )
    .get(
        "/api/staff",
        http::list_staff,
        Op::new("Staff accounts (admin)")
            .auth()
            .answer(200, Some(list("StaffView"))),
    )
    .post(
        "/api/staff",
        http::create_staff,
        Op::new("Create a staff account (admin)")
            .auth()
            .body(r("NewStaff"))
            .answer(201, Some(r("StaffView")))
            .errors(&[409, 503])
            .link("update", "patch", "/api/staff/{username}", &[("username", "$response.body#/username")])
            .link("delete", "delete", "/api/staff/{username}", &[("username", "$response.body#/username")]),
    )
    .patch(
        "/api/staff/{username}",
        http::update_staff,
        Op::new("Change windows, role, password, display name; disable (admin); 409 last_admin for a change that would leave no enabled administrator account")
            .auth()
            .optional_body(r("StaffPatch"))
            .answer(200, Some(r("StaffView")))
            .errors(&[404, 409, 503]),
    )
    .delete(
        "/api/staff/{username}",
        http::delete_staff,
        Op::new("Delete a staff account (admin); 409 last_admin for the last enabled administrator account")
            .auth()
            .answer(204, None)
            .errors(&[404, 409, 503]),
    )
}

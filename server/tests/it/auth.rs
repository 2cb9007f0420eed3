//! 401 without a token, 403 when the token may not do it; staff, devices
//! and the admin token.

use serde_json::json;

use crate::harness::{ADMIN, Server};

/// Every mutating route, with a body it accepts.
const MUTATING: &[(&str, &str, &str)] = &[
    ("POST", "/api/tickets", r#"{"category":"bdc"}"#),
    ("POST", "/api/tickets/aaaaaaaaaaaaaaaaaaaaaaaaaa/cancel", ""),
    (
        "POST",
        "/api/tickets/aaaaaaaaaaaaaaaaaaaaaaaaaa/reactivate",
        "",
    ),
    (
        "POST",
        "/api/tickets/aaaaaaaaaaaaaaaaaaaaaaaaaa/rating",
        r#"{"rating":"satisfied"}"#,
    ),
    ("POST", "/api/windows/7/call", ""),
    ("POST", "/api/windows/7/recall", ""),
    ("POST", "/api/windows/7/start", ""),
    ("POST", "/api/windows/7/complete", ""),
    ("POST", "/api/windows/7/no-show", ""),
    ("POST", "/api/windows/7/transfer", r#"{"category":"sw"}"#),
    ("POST", "/api/windows/7/pause", r#"{"reason":"午休"}"#),
    ("POST", "/api/windows/7/resume", ""),
    ("POST", "/api/windows/7/open", ""),
    ("POST", "/api/windows/7/close", ""),
    ("POST", "/api/logout", ""),
    (
        "POST",
        "/api/staff",
        r#"{"username":"x","password":"12345678"}"#,
    ),
    ("PATCH", "/api/staff/x", r#"{"disabled":true}"#),
    ("DELETE", "/api/staff/x", ""),
    ("POST", "/api/devices", r#"{"name":"k","kind":"kiosk"}"#),
    ("DELETE", "/api/devices/1", ""),
    (
        "POST",
        "/api/devices/self/status",
        r#"{"status":"paper_end"}"#,
    ),
    (
        "POST",
        "/api/appointments",
        r#"{"code":"c","category":"bdc","slot_start":"2026-11-25T01:00:00Z","slot_end":"2026-11-25T02:00:00Z"}"#,
    ),
    ("POST", "/api/appointments/c/check-in", ""),
    ("POST", "/api/test/clock", r#"{"advance_s":1}"#),
];

#[test]
fn every_mutating_route_needs_a_token() {
    let s = Server::start();
    let before = s.queue();
    for (method, path, body) in MUTATING {
        let headers = [("Content-Type", "application/json")];
        let none = s.send(method, path, None, &headers, Some(body));
        assert_eq!(none.status, 401, "{method} {path}: {}", none.body);
        assert_eq!(none.code(), "unauthorized");
        let bad = s.send(
            method,
            path,
            Some("lbs_not-a-real-token"),
            &headers,
            Some(body),
        );
        assert_eq!(bad.status, 401, "{method} {path} with a bad token");
        let basic = s.send(
            method,
            path,
            None,
            &[
                ("Content-Type", "application/json"),
                ("Authorization", "Basic YTpi"),
            ],
            Some(body),
        );
        assert_eq!(basic.status, 401, "{method} {path} with basic auth");
    }
    assert_eq!(s.queue(), before, "nothing changed");
    // Reading public data needs no token.
    s.get("/api/queue").expect(200);
    s.get("/api/hall").expect(200);
    // Reports and the staff list do.
    s.get("/api/reports/day").expect_error(401, "unauthorized");
    s.get("/api/staff").expect_error(401, "unauthorized");
}

#[test]
fn a_fresh_database_has_no_staff_and_no_default_password() {
    let s = Server::start();
    assert_eq!(s.get_as(ADMIN, "/api/staff").expect(200), json!([]));
    for (user, pass) in [
        ("admin", "admin"),
        ("admin", "password"),
        ("root", "12345678"),
    ] {
        let a = s.send(
            "POST",
            "/api/login",
            None,
            &[("Content-Type", "application/json")],
            Some(&json!({"username": user, "password": pass}).to_string()),
        );
        a.expect_error(401, "bad_credentials");
    }
}

#[test]
fn staff_act_only_on_their_windows() {
    let s = Server::start();
    let clerk = s.staff("wang.li", "staff", &[7, 8]);
    s.issue("bdc");
    s.issue("bdc");
    let me = s.get_as(&clerk, "/api/me").expect(200);
    assert_eq!(me["username"], "wang.li");
    assert_eq!(me["windows"], json!([7, 8]));
    s.post_empty(&clerk, "/api/windows/7/call").expect(200);
    let before = s.queue();
    s.post_empty(&clerk, "/api/windows/9/call")
        .expect_error(403, "window_not_assigned");
    s.post(&clerk, "/api/windows/9/pause", json!({"reason": "x"}))
        .expect_error(403, "window_not_assigned");
    s.get_as(&clerk, "/api/windows/9/waiting")
        .expect_error(403, "window_not_assigned");
    assert_eq!(s.queue(), before, "a refusal changes nothing");
    // Window staff do not issue tickets, nor manage accounts.
    s.post(&clerk, "/api/tickets", json!({"category": "bdc"}))
        .expect_error(403, "forbidden");
    s.get_as(&clerk, "/api/staff")
        .expect_error(403, "forbidden");
    s.post(
        &clerk,
        "/api/staff",
        json!({"username": "me2", "password": "12345678"}),
    )
    .expect_error(403, "forbidden");
    // Reassigned: the new windows apply at once.
    s.patch(
        ADMIN,
        "/api/staff/wang.li",
        serde_json::json!({"windows":[9]}),
    )
    .expect(200);
    s.post_empty(&clerk, "/api/windows/9/call").expect(200);
    s.post_empty(&clerk, "/api/windows/7/complete")
        .expect_error(403, "window_not_assigned");
}

#[test]
fn devices_issue_on_their_channel_and_displays_only_read() {
    let s = Server::start();
    let kiosk = s.device("大厅 1 号取号机", "kiosk");
    let display = s.device("大厅主屏", "display");
    let desk = s.device("导服台", "guide_desk");
    let t = s
        .post(&kiosk, "/api/tickets", json!({"category": "bdc"}))
        .expect(201);
    assert_eq!(t["channel"], "kiosk");
    // A device's token is no login session to log out of: it stays valid
    // until an administrator revokes it, and the answer says so.
    s.post_empty(&kiosk, "/api/logout")
        .expect_error(409, "not_a_session");
    s.post_empty(ADMIN, "/api/logout")
        .expect_error(409, "not_a_session");
    s.post(&kiosk, "/api/tickets", json!({"category": "bdc"}))
        .expect(201);
    s.post(
        &kiosk,
        "/api/tickets",
        json!({"category": "bdc", "channel": "guide_desk"}),
    )
    .expect_error(403, "forbidden");
    let g = s
        .post(
            &kiosk,
            "/api/tickets",
            json!({"category": "bdc", "priority": "green", "group": "military"}),
        )
        .expect(201);
    assert_eq!(g["group"], "military");
    let d = s
        .post(&desk, "/api/tickets", json!({"category": "bdc"}))
        .expect(201);
    assert_eq!(d["channel"], "guide_desk");
    s.post(&display, "/api/tickets", json!({"category": "bdc"}))
        .expect_error(403, "forbidden");
    s.post_empty(&kiosk, "/api/windows/7/call")
        .expect_error(403, "forbidden");
    s.post_empty(&display, "/api/windows/7/call")
        .expect_error(403, "forbidden");
    s.get_as(&kiosk, "/api/devices")
        .expect_error(403, "forbidden");
    // Removing a device revokes its token; the list never shows tokens.
    let list = s.get_as(ADMIN, "/api/devices").expect(200);
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert!(!list.to_string().contains(&kiosk));
    let id = list[0]["id"].as_i64().unwrap();
    s.delete(ADMIN, &format!("/api/devices/{id}")).expect(204);
    s.post(&kiosk, "/api/tickets", json!({"category": "bdc"}))
        .expect_error(401, "unauthorized");
}

#[test]
fn guide_desk_staff_issue_and_sessions_end() {
    let s = Server::start();
    let guide = s.staff("zhao", "guide", &[]);
    let t = s
        .post(&guide, "/api/tickets", json!({"category": "sw"}))
        .expect(201);
    assert_eq!(t["channel"], "guide_desk");
    // Wrong password, short password, logout, disable.
    let wrong = s.send(
        "POST",
        "/api/login",
        None,
        &[("Content-Type", "application/json")],
        Some(r#"{"username":"zhao","password":"not-the-password"}"#),
    );
    wrong.expect_error(401, "bad_credentials");
    s.post(
        ADMIN,
        "/api/staff",
        json!({"username": "short", "password": "1234567"}),
    )
    .expect_error(422, "weak_password");
    s.post(
        ADMIN,
        "/api/staff",
        json!({"username": "zhao", "password": "12345678"}),
    )
    .expect_error(409, "username_taken");
    s.post(
        ADMIN,
        "/api/staff",
        json!({"username": "bad name", "password": "12345678"}),
    )
    .expect_error(422, "bad_username");
    s.post(
        ADMIN,
        "/api/staff",
        json!({"username": "w", "password": "12345678", "windows": [999]}),
    )
    .expect_error(422, "unknown_window");
    s.post_empty(&guide, "/api/logout").expect(204);
    s.post(&guide, "/api/tickets", json!({"category": "sw"}))
        .expect_error(401, "unauthorized");
    let again = s.login("zhao", "secret-password");
    s.patch(
        ADMIN,
        "/api/staff/zhao",
        serde_json::json!({"disabled":true}),
    )
    .expect(200);
    s.post(&again, "/api/tickets", json!({"category": "sw"}))
        .expect_error(401, "unauthorized");
    let refused = s.send(
        "POST",
        "/api/login",
        None,
        &[("Content-Type", "application/json")],
        Some(r#"{"username":"zhao","password":"secret-password"}"#),
    );
    refused.expect_error(401, "bad_credentials");
    // An admin account acts everywhere.
    let boss = s.staff("boss", "admin", &[]);
    s.post_empty(&boss, "/api/windows/40/open").expect(200);
    s.get_as(&boss, "/api/staff").expect(200);
}

#[test]
fn passwords_and_tokens_stay_out_of_logs_and_answers() {
    let s = Server::start();
    let token = s.staff("li", "staff", &[7]);
    let list = s.get_as(ADMIN, "/api/staff").expect(200).to_string();
    assert!(!list.contains("secret-password"));
    assert!(!list.contains("argon2"));
    let log = s.log();
    assert!(!log.contains("secret-password"));
    assert!(!log.contains(&token));
    assert!(!log.contains(crate::harness::ADMIN));
}

/// Window `n` in `GET /api/queue`, as `token` (or the public) sees it.
fn window_in_queue(s: &Server, token: Option<&str>, n: u32) -> serde_json::Value {
    let q = match token {
        Some(t) => s.get_as(t, "/api/queue").expect(200),
        None => s.get("/api/queue").expect(200),
    };
    q["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["number"] == n)
        .unwrap()
        .clone()
}

#[test]
fn supervisors_see_who_works_each_window_and_the_public_does_not() {
    let s = Server::start();
    let wang = s.staff("wang.li", "staff", &[7]);
    let zhao = s.staff("zhao.min", "staff", &[7]);
    let staff_at_7 = |s: &Server| window_in_queue(s, Some(ADMIN), 7)["staff"].clone();
    assert_eq!(staff_at_7(&s), json!(null));
    s.post_empty(&wang, "/api/windows/7/open").expect(200);
    assert_eq!(staff_at_7(&s), "wang.li");
    assert_eq!(
        window_in_queue(&s, None, 7)["staff"],
        json!(null),
        "not for the public"
    );
    // Signing in again changes nothing; a colleague taking over is seen.
    s.post_empty(&wang, "/api/windows/7/open").expect(200);
    s.post_empty(&zhao, "/api/windows/7/open").expect(200);
    assert_eq!(staff_at_7(&s), "zhao.min");
    // It survives a restart (it is in the event log) and ends at sign-off.
    let s = s.restart();
    assert_eq!(staff_at_7(&s), "zhao.min");
    s.post_empty(ADMIN, "/api/windows/7/close").expect(200);
    assert_eq!(staff_at_7(&s), json!(null), "signed off");
}

#[test]
fn the_last_administrator_account_cannot_be_disabled_demoted_or_deleted() {
    let s = Server::start();
    let boss = s.staff("boss", "admin", &[]);
    // The only admin account, by itself or by the environment token.
    for token in [boss.as_str(), ADMIN] {
        s.patch(token, "/api/staff/boss", json!({"disabled": true}))
            .expect_error(409, "last_admin");
        s.patch(token, "/api/staff/boss", json!({"role": "staff"}))
            .expect_error(409, "last_admin");
        s.delete(token, "/api/staff/boss")
            .expect_error(409, "last_admin");
    }
    // Still an administrator, still signed in.
    s.get_as(&boss, "/api/staff").expect(200);
    // With a second one, the first may go.
    s.staff("deputy", "admin", &[]);
    s.patch(&boss, "/api/staff/boss", json!({"role": "staff"}))
        .expect(200);
    s.delete(ADMIN, "/api/staff/boss").expect(204);
    s.patch(ADMIN, "/api/staff/deputy", json!({"disabled": true}))
        .expect_error(409, "last_admin");
}

#[test]
fn why_a_window_paused_is_masked_and_kept_from_the_public() {
    let s = Server::start();
    let wang = s.staff("wang.li", "staff", &[7]);
    s.post_empty(&wang, "/api/windows/7/open").expect(200);
    s.post(
        &wang,
        "/api/windows/7/pause",
        json!({"reason": "帮张先生查件，电话 13812345678"}),
    )
    .expect(200);
    // Supervisors see the reason, the number masked.
    assert_eq!(
        window_in_queue(&s, Some(ADMIN), 7)["paused"],
        "帮张先生查件，电话 138****5678"
    );
    // The public sees that the window paused, not why.
    assert_eq!(window_in_queue(&s, None, 7)["paused"], "");
    let public = s.get("/api/windows/7").expect(200);
    assert_eq!(public["paused"], "", "{public}");
}

#[test]
fn every_token_does_only_what_its_holder_needs() {
    let s = Server::start();
    let kiosk = s.device("大厅 1 号取号机", "kiosk");
    let display = s.device("大厅主屏", "display");
    let desk = s.device("导服台", "guide_desk");
    let tax_clerk = s.staff("zhao.sw", "staff", &[29]);
    let guide = s.staff("li.guide", "guide", &[]);

    // A clerk at a tax window withdraws a tax ticket, not a property one.
    let property = s.issue("bdc");
    let tax = s.issue("sw");
    let cancel = |token: &str, t: &serde_json::Value| {
        s.post_empty(
            token,
            &format!("/api/tickets/{}/cancel", t["id"].as_str().unwrap()),
        )
    };
    cancel(&tax_clerk, &property).expect_error(403, "forbidden");
    let id = property["id"].as_str().unwrap();
    let still = s.get(&format!("/api/tickets/{id}")).expect(200);
    assert_eq!(still["status"], "waiting");
    cancel(&tax_clerk, &tax).expect(200);
    // The guide desk withdraws any.
    cancel(&guide, &property).expect(200);

    // Only the guide desk marks a ticket assisted (帮办代办).
    let refused = s
        .post(
            &kiosk,
            "/api/tickets",
            json!({"category": "bdc", "assisted": true}),
        )
        .expect_error(403, "forbidden");
    assert_eq!(refused["error"]["field"], "assisted");
    s.post(
        &desk,
        "/api/tickets",
        json!({"category": "bdc", "assisted": true}),
    )
    .expect(201);

    // A kiosk's or a display's token rates nothing: it would rate any
    // ticket by its id.
    let served = s.issue("bdc");
    let clerk = s.staff("wang.li", "staff", &[7]);
    s.post_empty(&clerk, "/api/windows/7/open").expect(200);
    s.post(
        &clerk,
        "/api/windows/7/call",
        json!({"ticket": served["id"]}),
    )
    .expect(200);
    s.post_empty(&clerk, "/api/windows/7/start").expect(200);
    s.post_empty(&clerk, "/api/windows/7/complete").expect(200);
    let rate = format!("/api/tickets/{}/rating", served["id"].as_str().unwrap());
    for token in [&kiosk, &display] {
        s.post(token, &rate, json!({"rating": "very_satisfied"}))
            .expect_error(403, "forbidden");
    }
    // A rating pad records ratings and nothing else.
    let pad = s.device("7 号窗口评价器", "evaluator");
    s.post(&pad, "/api/tickets", json!({"category": "bdc"}))
        .expect_error(403, "forbidden");
    s.post(&pad, &rate, json!({"rating": "very_satisfied"}))
        .expect(200);

    // Reports are for staff and administrators, not devices; the posted
    // ranking stays public.
    for token in [&kiosk, &display, &desk] {
        s.get_as(token, "/api/reports/day")
            .expect_error(403, "forbidden");
        s.get_as(token, "/api/reports/period")
            .expect_error(403, "forbidden");
    }
    s.get_as(&clerk, "/api/reports/day").expect(200);
    s.get("/api/rankings").expect(200);

    // A token in the address counts only on the event stream.
    let with_query = s.get(&format!("/api/queue?token={ADMIN}")).expect(200);
    let public = s.get("/api/queue").expect(200);
    assert_eq!(with_query, public, "?token= revealed ticket ids");
}

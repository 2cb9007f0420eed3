//! The audit trail of accounts, sessions and devices: what an administrator
//! reads at `GET /api/audit` after staff and device changes and logins.

use serde_json::{Value, json};

use crate::harness::{ADMIN, Server};

fn entries(s: &Server, query: &str) -> Vec<Value> {
    s.get_as(ADMIN, &format!("/api/audit{query}")).expect(200)["entries"]
        .as_array()
        .unwrap()
        .clone()
}

/// `(actor, action, target)` of each entry.
fn summary(entries: &[Value]) -> Vec<(String, String, String)> {
    entries
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect()
}

fn patch(s: &Server, token: &str, path: &str, body: Value) -> Value {
    s.send(
        "PATCH",
        path,
        Some(token),
        &[("Content-Type", "application/json")],
        Some(&body.to_string()),
    )
    .expect(200)
}

#[test]
fn staff_and_device_changes_and_logins_are_recorded_with_who_and_when() {
    let s = Server::start();
    // The admin token creates an admin account, which does the rest.
    s.post(
        ADMIN,
        "/api/staff",
        json!({"username": "boss", "password": "boss-password", "role": "admin"}),
    )
    .expect(201);
    let boss = s.login("boss", "boss-password");
    s.advance(60);
    s.post(
        &boss,
        "/api/staff",
        json!({"username": "li", "display_name": "李", "password": "first-password", "windows": [7]}),
    )
    .expect(201);
    patch(&s, &boss, "/api/staff/li", json!({"windows": [7, 8]}));
    patch(
        &s,
        &boss,
        "/api/staff/li",
        json!({"password": "second-password"}),
    );
    s.try_login("li", "first-password", &[])
        .expect_error(401, "bad_credentials");
    let li = s.login("li", "second-password");
    s.post_empty(&li, "/api/logout").expect(204);
    let kiosk = s
        .post(
            &boss,
            "/api/devices",
            json!({"name": "大厅 1 号取号机", "kind": "kiosk"}),
        )
        .expect(201);
    let id = kiosk["device"]["id"].as_i64().unwrap();
    let token = kiosk["token"].as_str().unwrap().to_owned();
    s.delete(&boss, &format!("/api/devices/{id}")).expect(204);
    s.delete(&boss, "/api/staff/li").expect(204);

    let all = entries(&s, "");
    let device = format!("device:{id}");
    let expected: Vec<(&str, &str, &str)> = vec![
        ("admin-token", "staff_created", "staff:boss"),
        ("staff:boss", "login", "staff:boss"),
        ("staff:boss", "staff_created", "staff:li"),
        ("staff:boss", "windows_assigned", "staff:li"),
        ("staff:boss", "password_reset", "staff:li"),
        ("anonymous", "login_failed", "staff:li"),
        ("staff:li", "login", "staff:li"),
        ("staff:li", "logout", "-"),
        ("staff:boss", "device_created", &device),
        ("staff:boss", "device_revoked", &device),
        ("staff:boss", "staff_deleted", "staff:li"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
        .collect();
    assert_eq!(summary(&all), expected);

    // When, in the hall's time: the first at 09:00, the rest a minute on.
    assert_eq!(all[0]["local_time"], "2026-11-25T09:00:00+08:00");
    assert_eq!(all[0]["at"], "2026-11-25T01:00:00Z");
    assert_eq!(all[2]["local_time"], "2026-11-25T09:01:00+08:00");
    assert_eq!(all[1]["address"], "127.0.0.1");
    // What changed, without the secrets.
    assert_eq!(
        all[3]["changes"],
        json!([{"field": "windows", "from": "7", "to": "7,8"}])
    );
    assert_eq!(all[4]["changes"], json!([]));
    assert_eq!(
        all[5]["changes"],
        json!([{"field": "reason", "to": "bad_credentials"}])
    );
    assert!(
        all[8]["changes"]
            .as_array()
            .unwrap()
            .contains(&json!({"field": "kind", "to": "kiosk"}))
    );
    let text = serde_json::to_string(&all).unwrap();
    for secret in [
        "first-password",
        "second-password",
        "boss-password",
        token.as_str(),
        li.as_str(),
        boss.as_str(),
        "argon2",
    ] {
        assert!(!text.contains(secret), "the audit trail holds {secret}");
    }

    // Only administrators read it.
    let clerk = s.staff("wang", "staff", &[9]);
    s.get_as(&clerk, "/api/audit")
        .expect_error(403, "forbidden");
    s.get("/api/audit").expect_error(401, "unauthorized");
}

#[test]
fn the_trail_survives_a_crash_and_pages_by_day() {
    let s = Server::start();
    for i in 0..5 {
        s.device(&format!("取号机 {i}"), "kiosk");
    }
    // A login with a name that is no account: the name typed is not kept
    // (it might be a password typed in the wrong field).
    s.try_login("my-password-123", "x", &[])
        .expect_error(401, "bad_credentials");
    let s = s.crash_restart();
    let first = s.get_as(ADMIN, "/api/audit?limit=4").expect(200);
    assert_eq!(first["date"], "2026-11-25");
    assert_eq!(first["entries"].as_array().unwrap().len(), 4);
    let next = first["next"].as_i64().unwrap();
    let rest = s
        .get_as(ADMIN, &format!("/api/audit?limit=4&after={next}"))
        .expect(200);
    let rest_entries = rest["entries"].as_array().unwrap();
    assert_eq!(rest_entries.len(), 2);
    assert_eq!(rest["next"], Value::Null);
    let failed = &rest_entries[1];
    assert_eq!(failed["action"], "login_failed");
    assert_eq!(failed["target"], Value::Null);
    assert!(!failed.to_string().contains("my-password-123"));
    // Another day has its own entries; today's stay under today's date.
    assert!(entries(&s, "?date=2026-11-24").is_empty());
    s.set_clock("2026-11-26T09:00:00+08:00");
    s.device("明天的取号机", "kiosk");
    assert_eq!(entries(&s, "").len(), 1);
    assert_eq!(entries(&s, "?date=2026-11-25").len(), 6);
    // Bad queries name the field.
    for (q, field) in [
        ("?date=yesterday", "date"),
        ("?after=x", "after"),
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
    ] {
        let a = s.get_as(ADMIN, &format!("/api/audit{q}"));
        assert_eq!(a.body["error"]["field"], field, "{q}");
        a.expect_error(400, "bad_query");
    }
}

#[test]
fn a_refused_change_is_not_recorded() {
    let s = Server::start();
    s.staff("li", "staff", &[7]);
    let before = entries(&s, "").len();
    s.post(
        ADMIN,
        "/api/staff",
        json!({"username": "li", "password": "secret-password"}),
    )
    .expect_error(409, "username_taken");
    s.delete(ADMIN, "/api/staff/nobody")
        .expect_error(404, "unknown_staff");
    // A patch that changes nothing records nothing.
    patch(&s, ADMIN, "/api/staff/li", json!({"windows": [7]}));
    assert_eq!(entries(&s, "").len(), before);
}

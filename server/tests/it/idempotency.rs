//! Idempotency keys: a retry of issuing or of a window action with the
//! same key answers the first outcome and does nothing twice, also across
//! a crash of the server.

use serde_json::json;

use crate::harness::{ADMIN, Answer, Server};

fn keyed(s: &Server, path: &str, key: &str, body: &serde_json::Value) -> Answer {
    s.send(
        "POST",
        path,
        Some(ADMIN),
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", key),
        ],
        Some(&body.to_string()),
    )
}

fn issued_today(s: &Server, category: &str) -> u64 {
    let q = s.queue();
    q["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == category)
        .unwrap()["issued"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_retried_issue_returns_the_first_ticket_and_issues_nothing_more() {
    let s = Server::start();
    let body = json!({ "category": "bdc" });
    let first = keyed(&s, "/api/tickets", "kiosk-1-0001", &body).expect(201);
    let again = keyed(&s, "/api/tickets", "kiosk-1-0001", &body).expect(201);
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["number"], again["number"]);
    assert_eq!(issued_today(&s, "bdc"), 1, "one ticket for two tries");
    // A new key is a new ticket.
    let other = keyed(&s, "/api/tickets", "kiosk-1-0002", &body).expect(201);
    assert_ne!(other["id"], first["id"]);
    assert_eq!(issued_today(&s, "bdc"), 2);
    // The same key for another action, or a key that cannot be one, is
    // refused with the header named.
    let e = keyed(&s, "/api/windows/7/call", "kiosk-1-0001", &json!({}))
        .expect_error(409, "idempotency_key_reused");
    assert_eq!(e["error"]["field"], "Idempotency-Key");
    keyed(&s, "/api/tickets", "has spaces", &body).expect_error(422, "bad_idempotency_key");
    assert_eq!(issued_today(&s, "bdc"), 2);
}

#[test]
fn a_retried_call_does_not_call_the_next_ticket() {
    let s = Server::start();
    let a = s.issue("bdc");
    let b = s.issue("bdc");
    let first = keyed(&s, "/api/windows/7/call", "w7-call-1", &json!({})).expect(200);
    let again = keyed(&s, "/api/windows/7/call", "w7-call-1", &json!({})).expect(200);
    assert_eq!(first["id"], a["id"]);
    assert_eq!(again["id"], a["id"], "the retry answers the first call");
    let w = s.get("/api/windows/7").expect(200);
    assert_eq!(w["current"]["number"], a["number"]);
    let waiting = s.get_as(ADMIN, "/api/windows/7/waiting").expect(200);
    assert!(
        waiting
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == b["id"]),
        "the second ticket still waits: {waiting}"
    );
}

#[test]
fn the_outcome_under_a_key_survives_kill_9() {
    let s = Server::start();
    let body = json!({ "category": "sw" });
    let first = keyed(&s, "/api/tickets", "desk-crash-1", &body).expect(201);
    let s = s.crash_restart();
    let again = keyed(&s, "/api/tickets", "desk-crash-1", &body).expect(201);
    assert_eq!(first["id"], again["id"]);
    assert_eq!(issued_today(&s, "sw"), 1);
}

//! Bad requests get a 4xx in the error shape, never a 500, and change
//! nothing.

use serde_json::json;

use crate::harness::{ADMIN, Server};

#[test]
fn malformed_and_invalid_bodies_are_4xx_and_change_nothing() {
    let s = Server::start();
    s.issue("bdc");
    s.call(7).unwrap();
    s.issue("bdc");
    let before = s.queue();
    let json_header = [("Content-Type", "application/json")];
    let cases: &[(&str, &str, u16, &str, Option<&str>)] = &[
        ("/api/tickets", "{\"category\":", 400, "bad_json", None),
        ("/api/tickets", "not json", 400, "bad_json", None),
        (
            "/api/tickets",
            "{\"category\":\"bdc\"} trailing",
            400,
            "bad_json",
            None,
        ),
        ("/api/tickets", "[]", 422, "invalid_field", None),
        // An array is no object, though serde would read a struct from it
        // field by field.
        ("/api/tickets", "[\"bdc\"]", 422, "invalid_field", None),
        (
            "/api/windows/8/pause",
            "[\"lunch\"]",
            422,
            "invalid_field",
            None,
        ),
        ("/api/tickets", "{}", 422, "invalid_field", Some("category")),
        (
            "/api/tickets",
            "{\"category\":\"bdc\",\"extra\":1}",
            422,
            "invalid_field",
            Some("extra"),
        ),
        (
            "/api/tickets",
            "{\"category\":\"bdc\",\"priority\":\"gold\"}",
            422,
            "invalid_field",
            Some("priority"),
        ),
        (
            "/api/tickets",
            "{\"category\":7}",
            422,
            "invalid_field",
            Some("category"),
        ),
        (
            "/api/tickets",
            "{\"category\":\"nope\"}",
            404,
            "unknown_category",
            Some("category"),
        ),
        (
            "/api/tickets",
            "{\"category\":\"bdc\",\"matter\":\"nope\"}",
            404,
            "unknown_matter",
            Some("matter"),
        ),
        (
            "/api/tickets",
            "{\"category\":\"bdc\",\"group\":\"nope\",\"priority\":\"green\"}",
            404,
            "unknown_group",
            Some("group"),
        ),
        (
            "/api/tickets",
            "{\"category\":\"bdc\",\"stops\":[\"bdc\"]}",
            422,
            "bad_stop",
            Some("stops"),
        ),
        (
            "/api/tickets",
            "{\"category\":\"bdc\",\"site\":\"jj\"}",
            422,
            "category_not_at_site",
            Some("site"),
        ),
        // A further stop, or a transfer, at a town centre: the hall's
        // visitor would wait where nobody calls them.
        (
            "/api/tickets",
            "{\"category\":\"bdc\",\"stops\":[\"liuba\"]}",
            422,
            "bad_stop",
            Some("stops"),
        ),
        (
            "/api/windows/7/transfer",
            "{\"category\":\"liuba\"}",
            422,
            "transfer_to_other_site",
            None,
        ),
        (
            "/api/windows/7/transfer",
            "{\"window\":501}",
            422,
            "transfer_to_other_site",
            None,
        ),
        (
            "/api/windows/7/call",
            "{\"ticket\":5}",
            422,
            "invalid_field",
            Some("ticket"),
        ),
        ("/api/windows/7/call", "", 409, "window_busy", None),
        (
            "/api/windows/8/call",
            "{\"ticket\":\"zzzzzzzzzzzzzzzzzzzzzzzzzz\"}",
            404,
            "unknown_ticket",
            None,
        ),
        ("/api/windows/999/call", "", 404, "unknown_window", None),
        ("/api/windows/abc/call", "", 404, "unknown_window", None),
        ("/api/windows/-1/call", "", 404, "unknown_window", None),
        (
            "/api/windows/99999999999/call",
            "",
            404,
            "unknown_window",
            None,
        ),
        ("/api/windows/8/recall", "", 409, "no_current_ticket", None),
        ("/api/windows/8/start", "", 409, "no_current_ticket", None),
        (
            "/api/windows/8/complete",
            "",
            409,
            "no_current_ticket",
            None,
        ),
        ("/api/windows/8/no-show", "", 409, "no_current_ticket", None),
        (
            "/api/windows/7/transfer",
            "{}",
            422,
            "bad_transfer",
            Some("category"),
        ),
        (
            "/api/windows/7/transfer",
            "{\"category\":\"bdc\",\"window\":8}",
            422,
            "bad_transfer",
            Some("category"),
        ),
        (
            "/api/windows/7/transfer",
            "{\"category\":\"nope\"}",
            404,
            "unknown_category",
            Some("category"),
        ),
        (
            "/api/windows/7/transfer",
            "{\"window\":7}",
            409,
            "transfer_to_same",
            None,
        ),
        (
            "/api/windows/7/transfer",
            "{\"window\":999}",
            404,
            "unknown_window",
            None,
        ),
        (
            "/api/windows/7/pause",
            "{}",
            422,
            "invalid_field",
            Some("reason"),
        ),
        (
            "/api/windows/7/pause",
            "{\"reason\":\"\"}",
            422,
            "bad_reason",
            Some("reason"),
        ),
        (
            "/api/windows/7/pause",
            "{\"reason\":\"\\u0000\"}",
            422,
            "bad_reason",
            Some("reason"),
        ),
        ("/api/windows/8/resume", "", 409, "window_not_paused", None),
        (
            "/api/windows/8/pause",
            "{\"reason\":\"x\"}",
            409,
            "window_not_open",
            None,
        ),
        (
            "/api/tickets/zzzzzzzzzzzzzzzzzzzzzzzzzz/cancel",
            "",
            404,
            "unknown_ticket",
            None,
        ),
        (
            "/api/tickets/zzzzzzzzzzzzzzzzzzzzzzzzzz/rating",
            "{\"rating\":\"great\"}",
            422,
            "invalid_field",
            Some("rating"),
        ),
        (
            "/api/test/clock",
            "{\"advance_s\":-5}",
            422,
            "bad_clock_change",
            None,
        ),
        ("/api/test/clock", "{}", 422, "bad_clock_change", None),
        ("/api/nothing/here", "", 404, "not_found", None),
    ];
    for (path, body, status, code, field) in cases {
        let a = s.send("POST", path, Some(ADMIN), &json_header, Some(body));
        assert_eq!(
            (a.status, a.code()),
            (*status, *code),
            "POST {path} {body}: {}",
            a.body
        );
        assert!(
            a.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        if let Some(f) = field {
            assert_eq!(a.body["error"]["field"], *f, "POST {path} {body}");
        }
        assert_eq!(s.queue(), before, "POST {path} {body} changed something");
    }
    // Not JSON at all, too large, the wrong method.
    let form = s.send(
        "POST",
        "/api/tickets",
        Some(ADMIN),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some("category=bdc"),
    );
    form.expect_error(400, "unsupported_media_type");
    let huge = format!("{{\"category\":\"{}\"}}", "x".repeat(100_000));
    s.send(
        "POST",
        "/api/tickets",
        Some(ADMIN),
        &json_header,
        Some(&huge),
    )
    .expect_error(413, "body_too_large");
    s.delete(ADMIN, "/api/queue")
        .expect_error(405, "method_not_allowed");
    s.get("/api/reports/day?date=2026-13-45")
        .expect_error(401, "unauthorized");
    s.get_as(ADMIN, "/api/reports/day?date=2026-13-45")
        .expect_error(400, "bad_query");
    s.get("/api/rankings?month=November")
        .expect_error(400, "bad_query");
    // The last dates there are: out of range, not a storage failure.
    for path in [
        "/api/reports/day?date=9999-12-31",
        "/api/reports/period?from=9999-12-31&to=9999-12-31",
        "/api/audit?date=9999-12-31",
    ] {
        let body = s.get_as(ADMIN, path).expect_error(400, "bad_query");
        assert!(body["error"]["field"].is_string(), "{path}: {body}");
    }
    s.get("/api/rankings?month=9999-12")
        .expect_error(400, "bad_query");
    s.get("/api/events?since=x").expect_error(400, "bad_query");
    s.get("/api/events").expect_error(400, "websocket_required");
    assert_eq!(s.queue(), before);
    // And the server is fine.
    s.get("/api/health").expect(200);
    assert!(!s.log().contains("panicked"));
}

#[test]
fn wrong_state_refusals_leave_tickets_as_they_were() {
    let s = Server::start();
    let t = s.issue("bdc");
    let id = t["id"].as_str().unwrap();
    s.post_empty(ADMIN, &format!("/api/tickets/{id}/reactivate"))
        .expect_error(409, "wrong_status");
    s.post(
        ADMIN,
        &format!("/api/tickets/{id}/rating"),
        json!({"rating": "satisfied"}),
    )
    .expect_error(409, "wrong_status");
    let got = s.get(&format!("/api/tickets/{id}")).expect(200);
    assert_eq!(got["status"], "waiting");
    assert_eq!(got["rating"], json!(null));
}

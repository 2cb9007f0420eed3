//! The server's clock drives the hall: opening sessions, closing with
//! expiry, the day change that restarts numbering.

use serde_json::json;

use crate::harness::{ADMIN, Server};

#[test]
fn lunchtime_is_guide_desk_only_and_evenings_are_closed() {
    // Wednesday 12:30: only the guide desk issues (午间延时服务).
    let s = Server::start_at("2026-11-25T12:30:00+08:00");
    let kiosk = s.device("1 号取号机", "kiosk");
    let guide = s.staff("desk", "guide", &[]);
    let refused = s.post(&kiosk, "/api/tickets", json!({"category": "bdc"}));
    refused.clone().expect_error(409, "guide_desk_only");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("导服台")
    );
    let t = s
        .post(&guide, "/api/tickets", json!({"category": "bdc"}))
        .expect(201);
    assert_eq!(t["channel"], "guide_desk");
    // 20:00: the hall is closed, with the next opening time in the message.
    s.set_clock("2026-11-25T20:00:00+08:00");
    let closed = s.post(&kiosk, "/api/tickets", json!({"category": "bdc"}));
    let body = closed.expect_error(409, "hall_closed");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("11-26 08:00"), "{message}");
    // The guide desk may issue outside sessions (configured so).
    s.post(&guide, "/api/tickets", json!({"category": "bdc"}))
        .expect(201);
    // Saturday morning is open; Sunday is not.
    s.set_clock("2026-11-28T09:30:00+08:00");
    s.post(&kiosk, "/api/tickets", json!({"category": "bdc"}))
        .expect(201);
    s.set_clock("2026-11-29T09:30:00+08:00");
    s.post(&kiosk, "/api/tickets", json!({"category": "bdc"}))
        .expect_error(409, "hall_closed");
}

#[test]
fn closing_expires_waiting_tickets_and_counts_them() {
    let s = Server::start();
    let a = s.issue("bdc");
    let b = s.issue("bdc");
    let c = s.issue("sw");
    s.call(7).unwrap();
    s.post_empty(ADMIN, "/api/windows/7/complete").expect(200);
    // 18:00 closes, expiry 30 minutes later.
    s.set_clock("2026-11-25T18:20:00+08:00");
    assert_eq!(
        s.get(&format!("/api/tickets/{}", b["id"].as_str().unwrap()))
            .expect(200)["status"],
        "waiting"
    );
    let moved = s.set_clock("2026-11-25T18:31:00+08:00");
    assert!(moved["events"].as_u64().unwrap() >= 2);
    for t in [&b, &c] {
        let got = s
            .get(&format!("/api/tickets/{}", t["id"].as_str().unwrap()))
            .expect(200);
        assert_eq!(got["status"], "expired", "{}", got["number"]);
    }
    assert_eq!(
        s.get(&format!("/api/tickets/{}", a["id"].as_str().unwrap()))
            .expect(200)["status"],
        "completed"
    );
    let q = s.queue();
    let bdc = q["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "bdc")
        .unwrap();
    assert_eq!(bdc["waiting"], 0);
    assert_eq!(bdc["expired"], 1);
    assert_eq!(bdc["completed"], 1);
    let report = s
        .get_as(ADMIN, "/api/reports/day?date=2026-11-25")
        .expect(200);
    assert_eq!(report["total"]["issued"], 3);
    assert_eq!(report["total"]["completed"], 1);
    assert_eq!(report["total"]["expired"], 2, "never silently dropped");
}

#[test]
fn the_day_change_restarts_numbering() {
    let s = Server::start();
    let first = s.issue("bdc");
    s.issue("bdc");
    let left = s.issue("bdc");
    assert_eq!(left["number"], "B003");
    // Next morning (the day changes at 03:00).
    s.set_clock("2026-11-26T08:45:00+08:00");
    let t = s.issue("bdc");
    assert_eq!(t["number"], "B001", "numbering restarts");
    assert_ne!(t["id"], first["id"]);
    assert_eq!(s.issue("bdc")["number"], "B002");
    // Yesterday's tickets still answer, as expired, from storage.
    let old = s
        .get(&format!("/api/tickets/{}", left["id"].as_str().unwrap()))
        .expect(200);
    assert_eq!(old["status"], "expired");
    assert_eq!(old["number"], "B003");
    // And survive a restart.
    let s = s.crash_restart();
    let old = s
        .get(&format!("/api/tickets/{}", first["id"].as_str().unwrap()))
        .expect(200);
    assert_eq!(old["status"], "expired");
    assert_eq!(s.issue("bdc")["number"], "B003");
    let q = s.queue();
    assert_eq!(q["day"], "2026-11-26");
    let report = s
        .get_as(ADMIN, "/api/reports/day?date=2026-11-25")
        .expect(200);
    assert_eq!(report["total"]["issued"], 3);
    assert_eq!(report["total"]["expired"], 3);
}

#[test]
fn unanswered_calls_become_no_shows_on_their_own() {
    let s = Server::start();
    s.issue("bdc");
    s.call(7).unwrap();
    s.post_empty(ADMIN, "/api/windows/7/recall").expect(200);
    s.post_empty(ADMIN, "/api/windows/7/recall").expect(200);
    s.post_empty(ADMIN, "/api/windows/7/recall")
        .expect_error(409, "recall_limit");
    s.advance(200);
    let q = s.queue();
    let w7 = q["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["number"] == 7)
        .unwrap();
    assert_eq!(w7["current"], json!(null));
    assert_eq!(w7["today"]["no_shows"], 1);
}

//! The issue's HTTP contract, route by route.

use serde_json::json;

use crate::harness::{ADMIN, Server, category_line};

#[test]
fn health_hall_and_openapi_answer() {
    let s = Server::start();
    s.get("/api/health").expect(200);
    let hall = s.get("/api/hall").expect(200);
    let bdc = hall["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "bdc")
        .expect("不动产登记 is configured");
    assert_eq!(bdc["prefix"], "B");
    assert_eq!(bdc["name"], "不动产登记");
    let w19 = hall["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["number"] == 19)
        .unwrap();
    assert_eq!(w19["categories"], json!(["bdc", "sw"]), "primary first");
    assert!(!hall["matters"].as_array().unwrap().is_empty());
    assert!(!hall["sites"].as_array().unwrap().is_empty());
    let doc = s.get("/api/openapi.json").expect(200);
    assert_eq!(doc["openapi"], "3.0.3");
    for path in [
        "/api/tickets",
        "/api/windows/{number}/call",
        "/api/events",
        "/api/queue",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[test]
fn issue_answers_201_with_the_ticket() {
    let s = Server::start();
    let t = s.issue("bdc");
    assert_eq!(t["number"], "B001");
    assert_eq!(t["category"], "bdc");
    assert_eq!(t["priority"], "normal");
    assert_eq!(t["status"], "waiting");
    assert_eq!(t["ahead"], 0);
    assert!(t["estimated_wait_s"].is_u64());
    let id = t["id"].as_str().unwrap();
    assert_eq!(
        id.len(),
        34,
        "an 8-character order prefix and 128 random bits in base32"
    );
    let t2 = s.issue("bdc");
    assert_eq!(t2["number"], "B002");
    assert_eq!(t2["ahead"], 1);
    let green = s
        .post(
            ADMIN,
            "/api/tickets",
            json!({"category": "bdc", "priority": "green"}),
        )
        .expect(201);
    assert_eq!(green["priority"], "green");
    assert_eq!(
        green["group"], "elderly",
        "first configured group by default"
    );
    assert_eq!(green["ahead"], 0, "green goes first");
    let matter = s.get("/api/hall").expect(200)["matters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["category"] == "bdc")
        .map(|m| m["id"].clone())
        .unwrap();
    let with_matter = s
        .post(
            ADMIN,
            "/api/tickets",
            json!({"category": "bdc", "matter": matter}),
        )
        .expect(201);
    assert_eq!(with_matter["matter"], matter);
    // By id: the public status page's data.
    let got = s.get(&format!("/api/tickets/{id}")).expect(200);
    assert_eq!(got["number"], "B001");
    assert_eq!(got["status"], "waiting");
    assert_eq!(got["window"], json!(null));
    s.get("/api/tickets/aaaaaaaaaaaaaaaaaaaaaaaaaa")
        .expect_error(404, "unknown_ticket");
    s.get("/api/tickets/not%20valid")
        .expect_error(404, "unknown_ticket");
}

#[test]
fn call_serves_green_first_and_204_when_nothing_waits() {
    let s = Server::start();
    assert!(s.call(7).is_none(), "nothing waits: 204");
    let normal = s.issue("bdc");
    let green = s
        .post(
            ADMIN,
            "/api/tickets",
            json!({"category": "bdc", "priority": "green"}),
        )
        .expect(201);
    let called = s.call(7).unwrap();
    assert_eq!(called["id"], green["id"]);
    assert_eq!(called["status"], "called");
    assert_eq!(called["window"], 7);
    // The window is busy until it finishes.
    s.post_empty(ADMIN, "/api/windows/7/call")
        .expect_error(409, "window_busy");
    s.post_empty(ADMIN, "/api/windows/7/complete").expect(200);
    let next = s.call(7).unwrap();
    assert_eq!(next["id"], normal["id"]);
    let got = s
        .get(&format!("/api/tickets/{}", normal["id"].as_str().unwrap()))
        .expect(200);
    assert_eq!(got["status"], "called");
    assert_eq!(got["window"], 7);
    // A window that does not serve the category finds nothing.
    s.issue("sw");
    assert!(s.call(1).is_none());
}

#[test]
fn call_a_specific_ticket() {
    let s = Server::start();
    let _first = s.issue("bdc");
    let second = s.issue("bdc");
    let called = s
        .post(
            ADMIN,
            "/api/windows/8/call",
            json!({"ticket": second["id"]}),
        )
        .expect(200);
    assert_eq!(called["id"], second["id"]);
    let waiting = s.get_as(ADMIN, "/api/windows/9/waiting").expect(200);
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    // A window that does not serve it.
    let sw = s.issue("sw");
    s.post(ADMIN, "/api/windows/8/complete", json!({}))
        .expect(200);
    s.post(ADMIN, "/api/windows/8/call", json!({"ticket": sw["id"]}))
        .expect_error(409, "window_does_not_serve");
}

#[test]
fn a_visit_through_recall_start_complete_and_rating() {
    let s = Server::start();
    let t = s.issue("bdc");
    let id = t["id"].as_str().unwrap().to_owned();
    s.call(7).unwrap();
    let a = s.post_empty(ADMIN, "/api/windows/7/recall").expect(200);
    assert_eq!(a["ticket"]["id"], t["id"]);
    assert_eq!(a["window"]["current"]["recalls"], 1);
    let a = s.post_empty(ADMIN, "/api/windows/7/start").expect(200);
    assert_eq!(a["ticket"]["status"], "serving");
    s.post_empty(ADMIN, "/api/windows/7/start")
        .expect_error(409, "wrong_status");
    let a = s.post_empty(ADMIN, "/api/windows/7/complete").expect(200);
    assert_eq!(a["ticket"]["status"], "completed");
    assert_eq!(a["window"]["current"], json!(null));
    assert_eq!(a["window"]["today"]["completed"], 1);
    let rated = s
        .post(
            ADMIN,
            &format!("/api/tickets/{id}/rating"),
            json!({"rating": "very_satisfied"}),
        )
        .expect(200);
    assert_eq!(rated["rating"], "very_satisfied");
    s.post(
        ADMIN,
        &format!("/api/tickets/{id}/rating"),
        json!({"rating": "satisfied"}),
    )
    .expect_error(409, "already_rated");
}

#[test]
fn no_show_reactivate_and_cancel() {
    let s = Server::start();
    let t = s.issue("bdc");
    let id = t["id"].as_str().unwrap().to_owned();
    s.call(7).unwrap();
    let a = s.post_empty(ADMIN, "/api/windows/7/no-show").expect(200);
    assert_eq!(a["ticket"]["status"], "no_show");
    let back = s
        .post_empty(ADMIN, &format!("/api/tickets/{id}/reactivate"))
        .expect(200);
    assert_eq!(back["status"], "waiting");
    let cancelled = s
        .post_empty(ADMIN, &format!("/api/tickets/{id}/cancel"))
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    s.post_empty(ADMIN, &format!("/api/tickets/{id}/cancel"))
        .expect_error(409, "wrong_status");
    assert!(s.call(7).is_none());
}

#[test]
fn transfer_to_a_category_or_a_window_and_pause() {
    let s = Server::start();
    let t = s.issue("bdc");
    s.call(7).unwrap();
    let a = s
        .post(ADMIN, "/api/windows/7/transfer", json!({"category": "sw"}))
        .expect(200);
    assert_eq!(a["ticket"]["category"], "sw");
    assert_eq!(a["ticket"]["status"], "waiting");
    let at_tax = s.call(29).unwrap();
    assert_eq!(at_tax["id"], t["id"]);
    // To a window: it must be open.
    s.post(ADMIN, "/api/windows/29/transfer", json!({"window": 30}))
        .expect_error(409, "window_not_open");
    s.post_empty(ADMIN, "/api/windows/30/open").expect(200);
    let a = s
        .post(ADMIN, "/api/windows/29/transfer", json!({"window": 30}))
        .expect(200);
    assert_eq!(a["window"]["current"], json!(null));
    // A window with a transfer waiting for it cannot close.
    s.post_empty(ADMIN, "/api/windows/30/close")
        .expect_error(409, "transfers_waiting");
    // Paused windows do not call.
    let p = s
        .post(
            ADMIN,
            "/api/windows/30/pause",
            json!({"reason": "系统故障"}),
        )
        .expect(200);
    assert_eq!(p["window"]["paused"], "系统故障");
    s.post_empty(ADMIN, "/api/windows/30/call")
        .expect_error(409, "window_paused");
    s.post_empty(ADMIN, "/api/windows/30/resume").expect(200);
    s.post_empty(ADMIN, "/api/windows/30/resume")
        .expect_error(409, "window_not_paused");
    assert_eq!(s.call(30).unwrap()["id"], t["id"]);
    s.post_empty(ADMIN, "/api/windows/30/complete").expect(200);
    let closed = s.post_empty(ADMIN, "/api/windows/30/close").expect(200);
    assert_eq!(closed["window"]["open"], false);
}

#[test]
fn queue_shows_waiting_longest_wait_and_windows() {
    let s = Server::start();
    s.issue("bdc");
    s.issue("bdc");
    s.issue("sw");
    s.advance(600);
    s.call(7).unwrap();
    let q = s.get("/api/queue").expect(200);
    let cat = |id: &str| category_line(&q["categories"], id);
    assert_eq!(cat("bdc")["waiting"], 1);
    assert_eq!(cat("bdc")["longest_wait_s"], 600);
    assert_eq!(cat("sw")["waiting"], 1);
    let w7 = q["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["number"] == 7)
        .unwrap();
    assert_eq!(w7["open"], true);
    assert_eq!(w7["current"]["number"], "B001");
    assert_eq!(w7["current"]["id"], "", "no ticket ids for the public");
    let q = s.get_as(ADMIN, "/api/queue").expect(200);
    let w7 = q["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["number"] == 7)
        .unwrap();
    assert_eq!(w7["current"]["id"].as_str().unwrap().len(), 34);
}

#[test]
fn messages_are_chinese_unless_english_is_asked_for() {
    let s = Server::start();
    let zh = s.post(ADMIN, "/api/tickets", json!({"category": "nope"}));
    assert!(
        zh.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("业务类别")
    );
    let en = s.send(
        "POST",
        "/api/tickets",
        Some(ADMIN),
        &[
            ("Content-Type", "application/json"),
            ("Accept-Language", "en-US,en;q=0.9"),
        ],
        Some(r#"{"category": "nope"}"#),
    );
    assert_eq!(en.code(), "unknown_category");
    assert!(
        en.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown category")
    );
}

#[test]
fn pages_are_served() {
    let s = Server::start();
    for path in ["/", "/window", "/admin", "/t/abcdefghijklmnopqrstuvwxyz"] {
        let mut r = ureq::get(format!("{}{path}", s.url)).call().unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let text = r.body_mut().read_to_string().unwrap();
        assert!(text.contains("<html"), "{path}");
    }
    s.get("/assets/no-such-file.js")
        .expect_error(404, "not_found");
}

#[test]
fn the_issue_answer_tells_the_same_wait_as_the_status_page() {
    let s = Server::start();
    s.post_empty(ADMIN, "/api/windows/7/open").expect(200);
    for (i, body) in [
        json!({"category": "bdc"}),
        json!({"category": "bdc", "priority": "green"}),
        json!({"category": "bdc"}),
        json!({"category": "sw", "stops": ["bdc"]}),
        json!({"category": "bdc", "priority": "green", "group": "military"}),
        json!({"category": "bdc"}),
    ]
    .into_iter()
    .enumerate()
    {
        let t = s.post(ADMIN, "/api/tickets", body).expect(201);
        let got = s
            .get(&format!("/api/tickets/{}", t["id"].as_str().unwrap()))
            .expect(200);
        assert_eq!(got["ahead"], t["ahead"], "ticket {i}");
        assert_eq!(got["estimated_wait_s"], t["estimated_wait_s"], "ticket {i}");
    }
}

#[test]
fn one_window_answers_as_the_queue_shows_it() {
    let s = Server::start();
    s.post_empty(ADMIN, "/api/windows/7/open").expect(200);
    s.issue("bdc");
    s.call(7).unwrap();
    let mine = s.get_as(ADMIN, "/api/windows/7").expect(200);
    let q = s.get_as(ADMIN, "/api/queue").expect(200);
    let in_queue = q["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["number"] == 7)
        .unwrap();
    assert_eq!(&mine, in_queue);
    assert_eq!(mine["open"], true);
    assert_eq!(mine["current"]["number"], "B001");
    assert_eq!(mine["current"]["status"], "called");
    assert_eq!(mine["current"]["id"].as_str().unwrap().len(), 34);
    // The public sees the same window without the ticket's id.
    let public = s.get("/api/windows/7").expect(200);
    assert_eq!(public["current"]["number"], "B001");
    assert_eq!(public["current"]["id"], "");
    s.get("/api/windows/999")
        .expect_error(404, "unknown_window");
    s.get("/api/windows/seven")
        .expect_error(404, "unknown_window");
}

#[test]
fn a_patch_refuses_null_rather_than_reading_it_as_leave_it() {
    let s = Server::start();
    let token = s.staff("li", "staff", &[7]);
    // `null` would read as "clear the password" (RFC 7396): refused,
    // naming the field, and the password still works.
    let body = s
        .patch(ADMIN, "/api/staff/li", json!({"password": null}))
        .expect_error(422, "invalid_field");
    assert_eq!(body["error"]["field"], "password", "{body}");
    let body = s
        .patch(
            ADMIN,
            "/api/staff/li",
            json!({"display_name": "李", "windows": null}),
        )
        .expect_error(422, "invalid_field");
    assert_eq!(body["error"]["field"], "windows", "{body}");
    let me = s.get_as(&token, "/api/me").expect(200);
    assert_eq!(me["windows"], json!([7]), "nothing changed: {me}");
    s.login("li", "secret-password");
    // Leaving the fields out, or no body at all, changes nothing.
    s.patch(ADMIN, "/api/staff/li", json!({})).expect(200);
    let none = s.send("PATCH", "/api/staff/li", Some(ADMIN), &[], None);
    assert_eq!(none.status, 200, "{}", none.body);
}

#[test]
fn a_transfer_names_exactly_one_target_and_no_null() {
    let s = Server::start();
    s.issue("bdc");
    s.call(7).unwrap();
    for body in [
        json!({}),
        json!({"category": "sw", "window": 8}),
        json!({"category": "sw", "window": null}),
        json!({"category": null, "window": 8}),
    ] {
        let answer = s.post(ADMIN, "/api/windows/7/transfer", body.clone());
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
    }
    let w = s.get_as(ADMIN, "/api/windows/7").expect(200);
    assert_eq!(w["current"]["number"], "B001", "still at 7: {w}");
}

#[test]
fn lengths_count_characters_as_sent() {
    let s = Server::start();
    // A code of 30 Chinese characters is 90 bytes and 30 characters.
    let code = "预".repeat(30);
    s.post(
        ADMIN,
        "/api/appointments",
        json!({
            "code": code, "category": "bdc",
            "slot_start": "2026-11-25T02:00:00Z", "slot_end": "2026-11-25T02:30:00Z"
        }),
    )
    .expect(201);
    // Padding does not carry a longer text past its limit.
    let padded = |n: usize| format!(" {} ", "x".repeat(n));
    s.post(
        ADMIN,
        "/api/devices",
        json!({"name": padded(63), "kind": "kiosk"}),
    )
    .expect_error(422, "bad_name");
    s.post_empty(ADMIN, "/api/windows/8/open").expect(200);
    s.post(ADMIN, "/api/windows/8/pause", json!({"reason": padded(99)}))
        .expect_error(422, "bad_reason");
    let t = s.issue("bdc");
    s.call(7).unwrap();
    s.post_empty(ADMIN, "/api/windows/7/start").expect(200);
    s.post_empty(ADMIN, "/api/windows/7/complete").expect(200);
    let id = t["id"].as_str().unwrap();
    s.post(
        ADMIN,
        &format!("/api/tickets/{id}/rating"),
        json!({"rating": "satisfied", "comment": padded(199)}),
    )
    .expect_error(422, "comment_too_long");
}

#[test]
fn dates_and_months_are_exactly_as_documented() {
    let s = Server::start();
    for path in [
        "/api/reports/day?date=20261125",
        "/api/reports/day?date=+002026-11-25",
        "/api/reports/day?date=9999-01-01",
        "/api/appointments?date=2026-11-5",
        "/api/audit?date=2026-1-25",
        "/api/rankings?month=+123-01",
        "/api/rankings?month=-001-01",
        "/api/rankings?month=9999-01",
    ] {
        let body = s.get_as(ADMIN, path).expect_error(400, "bad_query");
        assert!(body["error"]["field"].is_string(), "{path}: {body}");
    }
    s.get_as(ADMIN, "/api/reports/day?date=2026-11-25")
        .expect(200);
    s.get("/api/rankings?month=2026-11").expect(200);
}

#[test]
fn the_document_says_what_the_server_enforces() {
    let s = Server::start();
    let doc = s.get("/api/openapi.json").expect(200);
    let schemas = &doc["components"]["schemas"];
    for name in [
        "IssueRequest",
        "CallRequest",
        "TransferRequest",
        "PauseRequest",
        "RatingRequest",
        "LoginRequest",
        "NewStaff",
        "StaffPatch",
        "NewDevice",
        "DeviceStatusRequest",
        "NewAppointment",
    ] {
        assert_eq!(
            schemas[name]["additionalProperties"], false,
            "{name} refuses unknown fields"
        );
    }
    assert_eq!(schemas["TransferRequest"]["minProperties"], 1);
    assert_eq!(schemas["TransferRequest"]["maxProperties"], 1);
    assert!(schemas["StaffPatch"]["properties"]["password"]["nullable"].is_null());
    assert_eq!(
        schemas["StaffPatch"]["properties"]["password"]["minLength"],
        8
    );
    assert_eq!(schemas["NewDevice"]["properties"]["name"]["minLength"], 1);
    let windows = schemas["WindowNo"]["enum"].as_array().unwrap();
    assert!(windows.contains(&json!(7)) && !windows.contains(&json!(0)));
    let paths = &doc["paths"];
    let patch = &paths["/api/staff/{username}"]["patch"]["responses"];
    assert!(patch["409"].is_object(), "last_admin is documented");
    let call = &paths["/api/windows/{number}/call"]["post"];
    assert!(call["responses"]["204"].is_object(), "nobody waits");
    assert!(
        call["description"]
            .as_str()
            .unwrap()
            .contains("WindowAnswer")
    );
    let events = &paths["/api/events"]["get"];
    let upgrade = events["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Upgrade")
        .expect("the upgrade header is documented");
    assert_eq!(upgrade["required"], true);
    let day = &paths["/api/reports/day"]["get"]["parameters"][0];
    assert_eq!(day["name"], "date");
    assert_eq!(day["schema"]["format"], "date");
    let links = &paths["/api/tickets"]["post"]["responses"]["201"]["links"];
    assert_eq!(
        links["status"]["operationRef"],
        "#/paths/~1api~1tickets~1{id}/get"
    );
}

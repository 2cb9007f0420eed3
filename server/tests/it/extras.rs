//! Appointments, ratings, reports and rankings.

use serde_json::json;

use crate::harness::{ADMIN, Server, category_line};
use crate::stream::{connect, next};

#[test]
fn appointments_are_masked_and_check_in_once() {
    let s = Server::start();
    let kiosk = s.device("1 号取号机", "kiosk");
    let a = s
        .post(
            ADMIN,
            "/api/appointments",
            json!({
                "code": "YY20261125001", "category": "bdc",
                "slot_start": "2026-11-25T09:00:00+08:00", "slot_end": "2026-11-25T09:30:00+08:00",
                "name": "张三明", "phone": "13812345678", "id_number": "620722199001011234"
            }),
        )
        .expect(201);
    assert_eq!(a["name"], "张*明");
    assert_eq!(a["phone"], "138****5678");
    assert_eq!(a["id_number"], "6207**********1234");
    // Nothing in clear in the database file either.
    let db = std::fs::read(s.db()).unwrap();
    let wal = std::fs::read(s.db().with_extension("sqlite-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("13812345678"));
        assert!(!text.contains("620722199001011234"));
        assert!(!text.contains("张三明"));
    }
    s.post(
        ADMIN,
        "/api/appointments",
        json!({
            "code": "YY20261125001", "category": "bdc",
            "slot_start": "2026-11-25T09:00:00+08:00", "slot_end": "2026-11-25T09:30:00+08:00"
        }),
    )
    .expect_error(409, "appointment_exists");
    s.post(
        &kiosk,
        "/api/appointments",
        json!({
            "code": "X", "category": "bdc",
            "slot_start": "2026-11-25T09:00:00+08:00", "slot_end": "2026-11-25T09:30:00+08:00"
        }),
    )
    .expect_error(403, "forbidden");
    s.issue("bdc");
    let t = s
        .post_empty(&kiosk, "/api/appointments/YY20261125001/check-in")
        .expect(201);
    assert_eq!(t["channel"], "appointment");
    assert_eq!(t["number"], "B002");
    // A due appointment goes before the walk-in.
    assert_eq!(s.call(7).unwrap()["id"], t["id"]);
    s.post_empty(&kiosk, "/api/appointments/YY20261125001/check-in")
        .expect_error(409, "already_checked_in");
    s.post_empty(&kiosk, "/api/appointments/NOPE/check-in")
        .expect_error(404, "unknown_appointment");
    s.post(
        ADMIN,
        "/api/appointments",
        json!({
            "code": "TOMORROW", "category": "bdc",
            "slot_start": "2026-11-26T09:00:00+08:00", "slot_end": "2026-11-26T09:30:00+08:00"
        }),
    )
    .expect(201);
    s.post_empty(&kiosk, "/api/appointments/TOMORROW/check-in")
        .expect_error(409, "appointment_not_today");
}

/// Issues a ticket and serves it at `window` for five minutes: its id.
fn serve_one(s: &Server, token: &str, window: u32) -> String {
    serve_keyed(s, token, window).0
}

/// Like [`serve_one`]: the ticket's id and its rating link's key (which
/// only the issue answer carries).
fn serve_keyed(s: &Server, token: &str, window: u32) -> (String, String) {
    let t = s
        .post(ADMIN, "/api/tickets", json!({"category": "bdc"}))
        .expect(201);
    s.post_empty(token, &format!("/api/windows/{window}/call"))
        .expect(200);
    s.post_empty(token, &format!("/api/windows/{window}/start"))
        .expect(200);
    s.advance(300);
    s.post_empty(token, &format!("/api/windows/{window}/complete"))
        .expect(200);
    let key = t["rating_key"]
        .as_str()
        .expect("the issue answer has the key");
    (t["id"].as_str().unwrap().to_owned(), key.to_owned())
}

#[test]
fn ratings_feed_the_report_and_the_monthly_ranking() {
    let s = Server::start();
    let kiosk = s.device("评价器", "evaluator");
    let clerk7 = s.staff("a", "staff", &[7]);
    let clerk8 = s.staff("b", "staff", &[8]);
    let serve = |token: &str, window: u32, rating: &str| {
        let id = serve_one(&s, token, window);
        s.post(
            &kiosk,
            &format!("/api/tickets/{id}/rating"),
            json!({"rating": rating}),
        )
        .expect(200);
    };
    serve(&clerk7, 7, "very_satisfied");
    serve(&clerk7, 7, "satisfied");
    serve(&clerk8, 8, "very_dissatisfied");
    let ranking = s.get("/api/rankings?month=2026-11").expect(200);
    assert_eq!(ranking["month"], "2026-11");
    let windows = ranking["windows"].as_array().unwrap();
    assert_eq!(windows[0]["window"], 7);
    assert_eq!(windows[0]["rank"], 1);
    assert_eq!(windows[0]["completed"], 2);
    assert_eq!(windows[0]["mean_service_s"], 300);
    assert_eq!(windows[0]["mean_rating"], 4.5);
    assert_eq!(windows[1]["window"], 8);
    assert_eq!(windows[1]["bad_ratings"], 1);
    let report = s.get_as(&clerk8, "/api/reports/day").expect(200);
    assert_eq!(report["date"], "2026-11-25");
    assert_eq!(report["total"]["completed"], 3);
    assert_eq!(report["channels"]["guide_desk"], 3);
    let empty = s.get("/api/rankings?month=2026-10").expect(200);
    assert_eq!(empty["windows"], json!([]));
    // A clerk may not rate their own service (it ranks them); the guide
    // desk may record a visitor's rating for them.
    let own = serve_one(&s, &clerk8, 8);
    s.post(
        &clerk8,
        &format!("/api/tickets/{own}/rating"),
        json!({"rating": "very_satisfied"}),
    )
    .expect_error(403, "forbidden");
    let guide = s.staff("g", "guide", &[]);
    s.post(
        &guide,
        &format!("/api/tickets/{own}/rating"),
        json!({"rating": "dissatisfied"}),
    )
    .expect(200);
}

#[test]
fn the_visitor_rates_with_the_ticket_and_a_complaint_reaches_supervisors_only() {
    let s = Server::start();
    let clerk = s.staff("li.hua", "staff", &[7]);
    s.post_empty(&clerk, "/api/windows/7/open").expect(200);
    let (id, key) = serve_keyed(&s, &clerk, 7);
    let (other, other_key) = serve_keyed(&s, &clerk, 7);
    let path = format!("/api/tickets/{id}/rating");
    let complaint = "等了很久，窗口态度也不好。请回电 13812345678";
    let body = json!({"rating": "dissatisfied", "comment": complaint}).to_string();
    let post = |token: Option<&str>, body: &str| {
        s.send(
            "POST",
            &path,
            token,
            &[("content-type", "application/json")],
            Some(body),
        )
    };
    // Only the holder of the ticket's QR code (its rating key), or a
    // rating pad, the guide desk or an administrator, may rate it. The
    // ticket's id is not enough: staff and displays see ids.
    post(None, &body).expect_error(401, "unauthorized");
    post(Some(&id), &body).expect_error(401, "unauthorized");
    post(Some(&other), &body).expect_error(401, "unauthorized");
    post(Some(&other_key), &body).expect_error(401, "unauthorized");
    post(Some("not-a-ticket"), &body).expect_error(401, "unauthorized");
    // The key is in no other answer: not the status page's, not the
    // window's.
    let seen = s.get(&format!("/api/tickets/{id}")).expect(200);
    assert!(seen.get("rating_key").is_none(), "{seen}");
    let long = json!({"rating": "dissatisfied", "comment": "慢".repeat(201)}).to_string();
    let e = post(Some(&key), &long).expect_error(422, "comment_too_long");
    assert_eq!(e["error"]["field"], "comment");

    let mut public = connect(&s, "");
    next(&mut public);
    let mut staff = connect(&s, &format!("?token={clerk}"));
    next(&mut staff);
    let rated = post(Some(&key), &body).expect(200);
    assert_eq!(rated["rating"], "dissatisfied");
    assert!(rated.get("rating_key").is_none());
    post(Some(&key), &body).expect_error(409, "already_rated");

    // The streams tell that a rating came, never what it says.
    for socket in [&mut public, &mut staff] {
        let e = next(socket);
        assert_eq!(e["event"]["type"], "rated");
        assert_eq!(e["event"]["rating"], "dissatisfied");
        assert!(e["event"].get("comment").is_none(), "{e}");
    }
    // The phone number is masked before it is stored.
    let db = std::fs::read(s.db()).unwrap();
    let wal = std::fs::read(s.db().with_extension("sqlite-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!String::from_utf8_lossy(bytes).contains("13812345678"));
    }
    // Administrators read it in the day's report, to follow up.
    let report = s.get_as(ADMIN, "/api/reports/day").expect(200);
    let bad = report["bad_ratings"].as_array().unwrap();
    assert_eq!(bad.len(), 1, "{report}");
    assert_eq!(bad[0]["number"], "B001");
    assert_eq!(bad[0]["window"], 7);
    assert_eq!(bad[0]["staff"], "li.hua");
    assert_eq!(bad[0]["rating"], "dissatisfied");
    assert_eq!(
        bad[0]["comment"],
        "等了很久，窗口态度也不好。请回电 138****5678"
    );
    assert_eq!(report["windows"][0]["bad_ratings"], 1);
    // Staff see the counts, not the list.
    let theirs = s.get_as(&clerk, "/api/reports/day").expect(200);
    assert_eq!(theirs["bad_ratings"], json!([]));
}

#[test]
fn the_period_report_counts_matters_at_windows_and_online() {
    let s = Server::start();
    let issue = |body: serde_json::Value| s.post(ADMIN, "/api/tickets", body).expect(201);
    let finish = |window: u32| {
        s.call(window).unwrap();
        s.post_empty(ADMIN, &format!("/api/windows/{window}/complete"))
            .expect(200)
    };
    // At the windows: a visit to 不动产登记, and one that goes on to tax
    // (two matters); online: two applications for tax, one finished.
    issue(json!({"category": "bdc"}));
    issue(json!({"category": "bdc", "stops": ["sw"]}));
    issue(json!({"category": "sw", "channel": "online"}));
    issue(json!({"category": "sw", "channel": "online"}));
    finish(7);
    finish(7);
    finish(29);
    finish(29);
    let r = s
        .get_as(ADMIN, "/api/reports/period?from=2026-11-25&to=2026-11-25")
        .expect(200);
    assert_eq!(r["from"], "2026-11-25");
    let total = &r["total"];
    assert_eq!(total["name"], "合计");
    assert_eq!(total["window"], 3, "{r}");
    assert_eq!(total["online"], 2);
    assert_eq!(total["online_completed"], 1);
    assert_eq!(total["accepted"], 5);
    assert_eq!(total["online_completion_pct"], 50.0);
    let line = |id: &str| category_line(&r["categories"], id);
    assert_eq!(line("bdc")["window"], 2);
    assert_eq!(
        line("bdc")["online_completion_pct"],
        serde_json::Value::Null
    );
    assert_eq!(line("sw")["window"], 1);
    assert_eq!(line("sw")["online"], 2);
    assert_eq!(line("tzxm")["accepted"], 0, "every category has its line");

    // By default: from 1 January to today, which holds the same.
    let year = s.get_as(ADMIN, "/api/reports/period").expect(200);
    assert_eq!(year["from"], "2026-01-01");
    assert_eq!(year["total"], r["total"]);
    // A period before any of it is empty.
    let before = s
        .get_as(ADMIN, "/api/reports/period?from=2026-11-01&to=2026-11-24")
        .expect(200);
    assert_eq!(before["total"]["accepted"], 0);

    let e = s
        .get_as(ADMIN, "/api/reports/period?from=2026-11-26&to=2026-11-25")
        .expect_error(400, "bad_query");
    assert_eq!(e["error"]["field"], "from");
    let e = s
        .get_as(ADMIN, "/api/reports/period?from=2024-01-01&to=2026-11-25")
        .expect_error(400, "bad_query");
    assert_eq!(e["error"]["field"], "to");
    s.get_as(ADMIN, "/api/reports/period?from=yesterday")
        .expect_error(400, "bad_query");
    s.get("/api/reports/period")
        .expect_error(401, "unauthorized");
}

#[test]
fn a_multi_stop_visit_moves_on_after_completion() {
    let s = Server::start();
    let t = s
        .post(
            ADMIN,
            "/api/tickets",
            json!({"category": "bdc", "stops": ["sw"]}),
        )
        .expect(201);
    s.call(7).unwrap();
    let done = s.post_empty(ADMIN, "/api/windows/7/complete").expect(200);
    assert_eq!(done["ticket"]["status"], "waiting");
    assert_eq!(done["ticket"]["category"], "sw");
    assert_eq!(s.call(29).unwrap()["id"], t["id"]);
}

#[test]
fn staff_are_ranked_by_what_they_did_wherever_they_sat() {
    let s = Server::start();
    let kiosk = s.device("评价器", "evaluator");
    s.post(
        ADMIN,
        "/api/staff",
        json!({"username": "wang.li", "display_name": "王丽", "password": "secret-password",
               "role": "staff", "windows": [7, 8]}),
    )
    .expect(201);
    let wang = s.login("wang.li", "secret-password");
    let zhao = s.staff("zhao.min", "staff", &[7]);
    let serve = |token: &str, window: u32| serve_one(&s, token, window);
    let rate = |id: &str, rating: &str| {
        s.post(
            &kiosk,
            &format!("/api/tickets/{id}/rating"),
            json!({"rating": rating}),
        )
        .expect(200);
    };
    // 王丽 works window 7 in the morning, then window 8; 赵敏 takes over 7.
    s.post_empty(&wang, "/api/windows/7/open").expect(200);
    let first = serve(&wang, 7);
    s.post_empty(&wang, "/api/windows/7/close").expect(200);
    // A rating given after she left window 7 is still hers.
    rate(&first, "very_satisfied");
    s.post_empty(&zhao, "/api/windows/7/open").expect(200);
    rate(&serve(&zhao, 7), "very_dissatisfied");
    s.post_empty(&wang, "/api/windows/8/open").expect(200);
    rate(&serve(&wang, 8), "satisfied");

    let ranking = s.get_as(ADMIN, "/api/rankings?month=2026-11").expect(200);
    let staff = ranking["staff"].as_array().unwrap();
    assert_eq!(staff.len(), 2, "{ranking}");
    assert_eq!(staff[0]["username"], "wang.li");
    assert_eq!(staff[0]["name"], "王丽");
    assert_eq!(staff[0]["rank"], 1);
    assert_eq!(staff[0]["completed"], 2);
    assert_eq!(staff[0]["windows"], json!([7, 8]));
    assert_eq!(staff[0]["mean_rating"], 4.5);
    assert_eq!(staff[1]["username"], "zhao.min");
    assert_eq!(staff[1]["completed"], 1);
    assert_eq!(staff[1]["bad_ratings"], 1);
    // The windows' own figures count everyone who sat there.
    let w7 = ranking["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["window"] == 7)
        .unwrap();
    assert_eq!(w7["completed"], 2);

    // Posted in the hall: windows only, no names.
    let public = s.get("/api/rankings?month=2026-11").expect(200);
    assert_eq!(public["staff"], json!([]));
    assert_eq!(public["windows"].as_array().unwrap().len(), 2);
    // A clerk reads the day's figures, not colleagues' personal lines.
    let day = s.get_as(&zhao, "/api/reports/day").expect(200);
    assert_eq!(day["staff"], json!([]));
    let day = s.get_as(ADMIN, "/api/reports/day").expect(200);
    assert_eq!(day["staff"].as_array().unwrap().len(), 2);
}

#[test]
fn the_guide_desk_lists_a_days_appointments_masked() {
    let s = Server::start();
    let book = |code: &str, start: &str, end: &str, name: &str| {
        s.post(
            ADMIN,
            "/api/appointments",
            json!({
                "code": code, "category": "bdc", "slot_start": start, "slot_end": end,
                "name": name, "phone": "13812345678", "id_number": "620722199001011234"
            }),
        )
        .expect(201);
    };
    book(
        "YY-2",
        "2026-11-25T10:00:00+08:00",
        "2026-11-25T10:30:00+08:00",
        "李四",
    );
    book(
        "YY-1",
        "2026-11-25T09:00:00+08:00",
        "2026-11-25T09:30:00+08:00",
        "张三明",
    );
    book(
        "YY-3",
        "2026-11-26T09:00:00+08:00",
        "2026-11-26T09:30:00+08:00",
        "王五",
    );
    let kiosk = s.device("1 号取号机", "kiosk");
    s.post_empty(&kiosk, "/api/appointments/YY-1/check-in")
        .expect(201);
    let guide = s.staff("guide", "guide", &[]);
    let desk = s.device("导服台", "guide_desk");
    for token in [ADMIN, guide.as_str(), desk.as_str()] {
        let today = s.get_as(token, "/api/appointments").expect(200);
        let codes: Vec<_> = today
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["YY-1", "YY-2"], "in slot order, today only");
        assert_eq!(today[0]["name"], "张*明");
        assert_eq!(today[0]["phone"], "138****5678");
        assert_eq!(today[0]["id_number"], "6207**********1234");
        assert!(today[0]["ticket"].is_string(), "checked in");
        assert_eq!(today[1]["ticket"], serde_json::Value::Null);
    }
    let tomorrow = s
        .get_as(&guide, "/api/appointments?date=2026-11-26")
        .expect(200);
    assert_eq!(tomorrow[0]["code"], "YY-3");
    assert!(!tomorrow.to_string().contains("13812345678"));
    // Window staff and kiosks may not list them; a bad date names itself.
    let clerk = s.staff("li", "staff", &[7]);
    s.get_as(&clerk, "/api/appointments")
        .expect_error(403, "forbidden");
    s.get_as(&kiosk, "/api/appointments")
        .expect_error(403, "forbidden");
    s.get("/api/appointments").expect_error(401, "unauthorized");
    s.get_as(ADMIN, "/api/appointments?date=26/11")
        .expect_error(400, "bad_query");
}

#[test]
fn a_rating_link_still_works_after_a_restart() {
    // The key is derived from a secret kept in the database: a ticket
    // printed before a restart can still be rated after it.
    let s = Server::start();
    let clerk = s.staff("li.hua", "staff", &[7]);
    s.post_empty(&clerk, "/api/windows/7/open").expect(200);
    let (id, key) = serve_keyed(&s, &clerk, 7);
    let s = s.restart();
    let rated = s.post(
        &key,
        &format!("/api/tickets/{id}/rating"),
        json!({"rating": "satisfied"}),
    );
    assert_eq!(rated.expect(200)["rating"], "satisfied");
}

#[test]
fn a_kiosk_trying_appointment_codes_one_after_another_is_paused() {
    let s = Server::start();
    let kiosk = s.device("大厅 1 号取号机", "kiosk");
    let other = s.device("大厅 2 号取号机", "kiosk");
    s.post(
        ADMIN,
        "/api/appointments",
        json!({
            "code": "YY20261125007", "category": "bdc",
            "slot_start": "2026-11-25T09:00:00+08:00", "slot_end": "2026-11-25T09:30:00+08:00"
        }),
    )
    .expect(201);
    let check_in = |token: &str, code: &str| {
        s.post_empty(token, &format!("/api/appointments/{code}/check-in"))
    };
    // Ten wrong codes are answered as such…
    for n in 0..10 {
        check_in(&kiosk, &format!("YY2026112510{n}")).expect_error(404, "unknown_appointment");
    }
    // …then that kiosk's check-in pauses for five minutes, a right code
    // included; the visitor is sent to the guide desk.
    let paused = check_in(&kiosk, "YY20261125007");
    assert_eq!(paused.header("retry-after"), Some("300"));
    let body = paused.expect_error(429, "too_many_attempts");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("导服台"),
        "{body}"
    );
    // Another kiosk is not held up, and after the pause this one works.
    check_in(&other, "NOPE").expect_error(404, "unknown_appointment");
    s.advance(300);
    check_in(&kiosk, "YY20261125007").expect(201);
}

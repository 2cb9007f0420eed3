//! Every error body's message is in the caller's language: English when
//! `Accept-Language` (or `?lang=`) asks for it, Chinese otherwise; the code
//! and status do not change with the language.

use serde_json::json;

use crate::harness::{ADMIN, Answer, Server};

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_kind_of_refusal_follows_accept_language() {
    let s = Server::start();
    s.staff("li", "staff", &[8]);
    let clerk = s.login("li", "secret-password");
    let display = s.device("大厅屏", "display");
    let big = format!(r#"{{"category":"{}"}}"#, "x".repeat(70 * 1024));
    type Case<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
        u16,
        &'a str,
    );
    let json_ct = "application/json";
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/api/tickets",
            Some(ADMIN),
            Some("{"),
            json_ct,
            400,
            "bad_json",
        ),
        (
            "POST",
            "/api/tickets",
            Some(ADMIN),
            Some(r#"{"category":5}"#),
            json_ct,
            422,
            "invalid_field",
        ),
        (
            "POST",
            "/api/tickets",
            Some(ADMIN),
            Some("<a/>"),
            "text/xml",
            400,
            "unsupported_media_type",
        ),
        (
            "POST",
            "/api/tickets",
            Some(ADMIN),
            Some(&big),
            json_ct,
            413,
            "body_too_large",
        ),
        (
            "POST",
            "/api/tickets",
            None,
            Some(r#"{"category":"bdc"}"#),
            json_ct,
            401,
            "unauthorized",
        ),
        (
            "POST",
            "/api/tickets",
            Some(&display),
            Some(r#"{"category":"bdc"}"#),
            json_ct,
            403,
            "forbidden",
        ),
        (
            "POST",
            "/api/tickets",
            Some(ADMIN),
            Some(r#"{"category":"nope"}"#),
            json_ct,
            404,
            "unknown_category",
        ),
        (
            "POST",
            "/api/windows/7/call",
            Some(&clerk),
            None,
            json_ct,
            403,
            "window_not_assigned",
        ),
        (
            "POST",
            "/api/windows/7/recall",
            Some(ADMIN),
            None,
            json_ct,
            409,
            "",
        ),
        (
            "GET",
            "/api/windows/abc/waiting",
            Some(ADMIN),
            None,
            json_ct,
            404,
            "unknown_window",
        ),
        (
            "GET",
            "/api/no-such-thing",
            None,
            None,
            json_ct,
            404,
            "not_found",
        ),
        (
            "DELETE",
            "/api/queue",
            None,
            None,
            json_ct,
            405,
            "method_not_allowed",
        ),
        (
            "POST",
            "/api/staff",
            Some(ADMIN),
            Some(r#"{"username":"li","password":"secret-password"}"#),
            json_ct,
            409,
            "username_taken",
        ),
        (
            "POST",
            "/api/staff",
            Some(ADMIN),
            Some(r#"{"username":"zhao","password":"short"}"#),
            json_ct,
            422,
            "weak_password",
        ),
        (
            "DELETE",
            "/api/devices/999",
            Some(ADMIN),
            None,
            json_ct,
            404,
            "unknown_device",
        ),
        (
            "POST",
            "/api/appointments/none/check-in",
            Some(ADMIN),
            None,
            json_ct,
            404,
            "unknown_appointment",
        ),
        (
            "GET",
            "/api/reports/day?date=x",
            Some(ADMIN),
            None,
            json_ct,
            400,
            "bad_query",
        ),
        (
            "GET",
            "/api/audit?limit=0",
            Some(ADMIN),
            None,
            json_ct,
            400,
            "bad_query",
        ),
        (
            "POST",
            "/api/login",
            None,
            Some(r#"{"username":"li","password":"wrong-password"}"#),
            json_ct,
            401,
            "bad_credentials",
        ),
    ];
    let ask = |case: &Case, lang: Option<&str>| -> Answer {
        let (method, path, token, body, ct, _, _) = *case;
        let mut headers = vec![("Content-Type", ct)];
        if let Some(l) = lang {
            headers.push(("Accept-Language", l));
        }
        s.send(method, path, token, &headers, body)
    };
    for case in &cases {
        let (method, path, _, _, _, status, code) = *case;
        let zh = ask(case, None);
        let en = ask(case, Some("en-US,en;q=0.9"));
        let zh_again = ask(case, Some("zh-CN,zh;q=0.9,en;q=0.8"));
        for a in [&zh, &en, &zh_again] {
            assert_eq!(a.status, status, "{method} {path}: {}", a.body);
            if !code.is_empty() {
                assert_eq!(a.code(), code, "{method} {path}: {}", a.body);
            }
        }
        assert_eq!(zh.code(), en.code(), "{method} {path}");
        assert!(has_chinese(zh.message()), "{method} {path}: {}", zh.body);
        assert!(
            has_chinese(zh_again.message()),
            "{method} {path}: {}",
            zh_again.body
        );
        assert!(!en.message().is_empty(), "{method} {path}");
        assert!(!has_chinese(en.message()), "{method} {path}: {}", en.body);
    }
    // `?lang=en` works where a client cannot set headers (WebSockets, links).
    let q = s.get("/api/tickets/aaaaaaaaaaaaaaaaaaaaaaaaaa?lang=en");
    assert_eq!(q.status, 404);
    assert!(!has_chinese(q.message()), "{}", q.body);
    // A queue action refused by the core, too.
    let en = s.send(
        "POST",
        "/api/windows/7/pause",
        Some(ADMIN),
        &[
            ("Content-Type", "application/json"),
            ("Accept-Language", "en"),
        ],
        Some(&json!({"reason": ""}).to_string()),
    );
    assert!(en.status >= 400 && en.status < 500, "{}", en.body);
    assert!(!has_chinese(en.message()), "{}", en.body);
}

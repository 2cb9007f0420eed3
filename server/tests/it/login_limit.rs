//! Repeated failed logins lock the account (and a guessing address) for a
//! while, with a 429 that says when to retry; the administrator token is
//! never locked out. Time moves on the fake clock, never by sleeping.

use serde_json::json;

use crate::harness::{ADMIN, Server};

const RIGHT: &str = "secret-password";
const WRONG: &str = "wrong-password";

#[test]
fn five_wrong_passwords_lock_the_account_until_the_time_named() {
    let s = Server::start();
    s.staff("li", "staff", &[7]);
    for _ in 0..4 {
        s.try_login("li", WRONG, &[])
            .expect_error(401, "bad_credentials");
    }
    // The fifth failure locks, and says so.
    let locked = s.try_login("li", WRONG, &[]);
    assert_eq!(locked.header("retry-after"), Some("300"));
    let body = locked.expect_error(429, "too_many_attempts");
    // 09:00 + 5 minutes, in the hall's time (Asia/Shanghai).
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("09:05:00"), "{message}");
    // Even the right password is refused while locked; the wait shrinks
    // as the clock moves.
    s.advance(60);
    let still = s.try_login("li", RIGHT, &[]);
    assert_eq!(still.header("retry-after"), Some("240"));
    still.expect_error(429, "too_many_attempts");
    // Other accounts are not affected.
    s.staff("wang", "staff", &[8]);
    // When the lock ends, the right password works.
    s.advance(240);
    s.login("li", RIGHT);
}

#[test]
fn a_successful_login_resets_the_count() {
    let s = Server::start();
    s.staff("li", "staff", &[7]);
    for _ in 0..4 {
        s.try_login("li", WRONG, &[])
            .expect_error(401, "bad_credentials");
    }
    s.login("li", RIGHT);
    for _ in 0..4 {
        s.try_login("li", WRONG, &[])
            .expect_error(401, "bad_credentials");
    }
    s.login("li", RIGHT);
}

#[test]
fn failures_older_than_fifteen_minutes_are_forgotten() {
    let s = Server::start();
    s.staff("li", "staff", &[7]);
    for _ in 0..4 {
        s.try_login("li", WRONG, &[])
            .expect_error(401, "bad_credentials");
    }
    s.advance(15 * 60);
    s.try_login("li", WRONG, &[])
        .expect_error(401, "bad_credentials");
    s.login("li", RIGHT);
}

#[test]
fn unknown_accounts_lock_the_same_way() {
    // A lock must not tell a guesser which user names exist.
    let s = Server::start();
    for _ in 0..4 {
        s.try_login("nobody", WRONG, &[])
            .expect_error(401, "bad_credentials");
    }
    s.try_login("nobody", WRONG, &[])
        .expect_error(429, "too_many_attempts");
}

#[test]
fn one_address_guessing_many_accounts_is_locked_but_not_the_admin_token() {
    let s = Server::start();
    let boss = s.staff("boss", "admin", &[]);
    // Twenty failures spread over names, none reaching an account's five.
    for i in 0..19 {
        s.try_login(&format!("user{}", i % 5), WRONG, &[])
            .expect_error(401, "bad_credentials");
    }
    let a = s.try_login("user-x", WRONG, &[]);
    assert!(a.header("retry-after").is_some());
    a.expect_error(429, "too_many_attempts");
    // From this address no account can log in now, not even an admin's …
    s.try_login("boss", RIGHT, &[])
        .expect_error(429, "too_many_attempts");
    // … but the administrator token and existing sessions still work, and
    // the admin can still manage accounts.
    s.post(
        ADMIN,
        "/api/staff",
        json!({"username": "zhao", "password": RIGHT, "windows": [9]}),
    )
    .expect(201);
    s.get_as(&boss, "/api/staff").expect(200);
    s.get_as(ADMIN, "/api/me").expect(200);
    s.advance(5 * 60);
    s.login("zhao", RIGHT);
}

#[test]
fn an_admin_resetting_the_password_unlocks_the_account() {
    let s = Server::start();
    s.staff("li", "staff", &[7]);
    for _ in 0..5 {
        s.try_login("li", WRONG, &[]);
    }
    s.try_login("li", RIGHT, &[])
        .expect_error(429, "too_many_attempts");
    s.send(
        "PATCH",
        "/api/staff/li",
        Some(ADMIN),
        &[("Content-Type", "application/json")],
        Some(&json!({"password": "a-new-password"}).to_string()),
    )
    .expect(200);
    s.login("li", "a-new-password");
}

#[test]
fn the_lock_message_follows_accept_language() {
    let s = Server::start();
    for _ in 0..4 {
        s.try_login("li", WRONG, &[]);
    }
    let en = s.try_login("li", WRONG, &[("Accept-Language", "en-GB,en;q=0.8")]);
    assert!(
        en.message().contains("too many failed logins"),
        "{}",
        en.body
    );
    assert!(en.message().contains("09:05:00"), "{}", en.body);
    let zh = s.try_login("li", WRONG, &[]);
    assert!(zh.message().contains("登录失败次数过多"), "{}", zh.body);
}

#[test]
fn guesses_sent_all_at_once_get_no_more_checks_than_the_limit() {
    // Thirty wrong passwords at the same moment: the attempts still being
    // checked count against the limit, so at most five are checked and
    // the account ends up locked, right password or not.
    let s = std::sync::Arc::new(Server::start());
    s.staff("li", "staff", &[7]);
    let guesses: Vec<_> = (0..30)
        .map(|i| {
            let s = s.clone();
            std::thread::spawn(move || s.try_login("li", &format!("guess-{i}"), &[]).status)
        })
        .collect();
    let statuses: Vec<u16> = guesses.into_iter().map(|g| g.join().unwrap()).collect();
    let checked = statuses.iter().filter(|&&c| c == 401).count();
    assert!(checked <= 5, "{checked} passwords checked: {statuses:?}");
    assert!(
        statuses.iter().all(|&c| c == 401 || c == 429),
        "{statuses:?}"
    );
    s.try_login("li", RIGHT, &[])
        .expect_error(429, "too_many_attempts");
}

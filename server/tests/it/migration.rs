//! Databases written by older versions open and migrate forward.

use std::process::Command;
use std::sync::Arc;

use crate::harness::{ADMIN, Server, category_line};

const V1: &str = include_str!("fixtures/v1.sql");
const V3: &str = include_str!("fixtures/v3.sql");

fn user_version(path: &std::path::Path) -> i32 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn a_version_1_file_migrates_and_keeps_its_queues() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let db = dir.path().join("lobby.sqlite");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(V1)
        .unwrap();
    assert_eq!(user_version(&db), 1);
    // The fixture's morning, an hour later.
    let s = Server::start_in(dir.clone(), "2026-11-24T10:00:00+08:00");
    assert_eq!(user_version(&db), lobby_server::store::VERSION);
    let b1 = s.get("/api/tickets/tbqnz37l7qvp3u3oypfcfx7s64").expect(200);
    assert_eq!(b1["number"], "B001");
    assert_eq!(b1["status"], "waiting");
    let b2 = s.get("/api/tickets/lckvnwjh2gzpou3f2634y27wgu").expect(200);
    assert_eq!(b2["status"], "called");
    assert_eq!(b2["window"], 7);
    assert_eq!(b2["priority"], "green");
    // The new tables work: staff, devices, appointments.
    s.staff("li", "staff", &[7]);
    s.device("大厅 1 号取号机", "kiosk");
    // Numbering continues.
    assert_eq!(s.issue("bdc")["number"], "B003");
    assert_eq!(s.issue("sw")["number"], "D002");
    let q = s.queue();
    let bdc = category_line(&q["categories"], "bdc");
    assert_eq!(bdc["waiting"], 2);
    // Opening it again is a no-op migration.
    let s = s.restart();
    assert_eq!(user_version(&db), lobby_server::store::VERSION);
    s.get_as(ADMIN, "/api/staff").expect(200);
}

#[test]
fn a_version_3_file_gains_the_audit_trail_and_keeps_its_accounts() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let db = dir.path().join("lobby.sqlite");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(V3)
        .unwrap();
    assert_eq!(user_version(&db), 3);
    // The fixture's morning, an hour later.
    let s = Server::start_in(dir.clone(), "2026-11-24T10:00:00+08:00");
    assert_eq!(user_version(&db), lobby_server::store::VERSION);
    // Its session, device token, account and ticket still work.
    let li = "lbs_33yieaow5w2lbdibyn5ejgim3kzfafud3qaddp7rhhpbsspwmis2";
    let me = s.get_as(li, "/api/me").expect(200);
    assert_eq!(me["username"], "li");
    let kiosk = "lbd_5chw4wva54ygdisjnhm6dxqbbf744erauvhuixjdset2z6wtm6zk";
    let t = s
        .post(
            kiosk,
            "/api/tickets",
            serde_json::json!({"category": "bdc"}),
        )
        .expect(201);
    assert_eq!(t["number"], "B002");
    let b1 = s
        .get("/api/tickets/22222224momd2du3hu3b6g7wngbokglod6")
        .expect(200);
    assert_eq!(b1["number"], "B001");
    // The audit trail starts empty, and records from now on.
    let page = s.get_as(ADMIN, "/api/audit").expect(200);
    assert_eq!(page["entries"], serde_json::json!([]));
    s.login("li", "secret-password");
    let page = s.get_as(ADMIN, "/api/audit").expect(200);
    assert_eq!(page["entries"][0]["action"], "login");
    assert_eq!(
        page["entries"][0]["local_time"],
        "2026-11-24T10:00:00+08:00"
    );
    let s = s.restart();
    assert_eq!(
        s.get_as(ADMIN, "/api/audit").expect(200)["entries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_file_from_a_newer_server_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lobby.sqlite");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lobby-server"))
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newer"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_bad_configuration_lists_every_problem_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(
        &config,
        "[centre]\nname = \"x\"\ntimezone = \"Mars/Olympus\"\n\n[[categories]]\nid = \"a\"\nprefix = \"a1\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lobby-server"))
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("db.sqlite"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hall.toml:"), "{err}");
    assert!(
        err.lines().filter(|l| l.contains("hall.toml:")).count() >= 2,
        "{err}"
    );
}

//! The first administrator, made at the console, and one server per
//! database.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use crate::harness::{ADMIN, MORNING, Server, category_line};

/// Runs `lobby-server --db DB create-admin ARGS` with `password` on stdin.
fn create_admin(db: &Path, args: &[&str], password: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lobby-server"))
        .arg("--db")
        .arg(db)
        .arg("create-admin")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{password}").unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn the_first_administrator_is_made_at_the_console() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let db = dir.path().join("lobby.sqlite");
    // A bad password is refused with a reason, and nothing is created.
    let out = create_admin(&db, &["boss"], "short");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("密码须为 8 至 256 个字符"), "{err}");
    let out = create_admin(&db, &["boss", "--name", "李主任"], "a-long-secret");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已创建管理员 boss"));
    let again = create_admin(&db, &["boss"], "another-secret");
    assert!(String::from_utf8_lossy(&again.stderr).contains("已存在"));

    let s = Server::start_in(dir, MORNING);
    let token = s.login("boss", "a-long-secret");
    let me = s.get_as(&token, "/api/me").expect(200);
    assert_eq!(me["role"], "admin");
    // The audit trail says it was made at the console.
    // (The console used the real clock; the server runs a fake one. The
    // business day turns at 03:00 in the hall.)
    let today = jiff::Timestamp::now()
        .in_tz("Asia/Shanghai")
        .unwrap()
        .checked_sub(jiff::SignedDuration::from_hours(3))
        .unwrap()
        .date();
    let trail = s
        .get_as(ADMIN, &format!("/api/audit?date={today}"))
        .expect(200);
    let made = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "staff_created")
        .cloned()
        .unwrap();
    assert_eq!(made["actor"], "console");
    assert_eq!(made["target"], "staff:boss");
    // While the server runs, the console cannot change its database.
    let busy = create_admin(&s.db(), &["second"], "a-long-secret");
    assert!(!busy.status.success());
    assert!(
        String::from_utf8_lossy(&busy.stderr).contains("正由另一个 lobby-server 使用"),
        "{}",
        String::from_utf8_lossy(&busy.stderr)
    );
    let staff = s.get_as(&token, "/api/staff").expect(200);
    assert_eq!(staff.as_array().map(Vec::len), Some(1), "{staff}");
    assert_eq!(staff[0]["display_name"], "李主任");
}

#[test]
fn a_second_server_on_the_same_database_refuses_to_start() {
    let s = Server::start();
    let out = Command::new(env!("CARGO_BIN_EXE_lobby-server"))
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--db")
        .arg(s.db())
        .arg("--config")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/hall.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "it never listened");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("正由另一个 lobby-server 使用"), "{err}");
    // The first one is unharmed.
    s.issue("bdc");
    let queue = s.queue();
    let bdc = category_line(&queue["categories"], "bdc");
    assert_eq!(bdc["waiting"], 1);
}

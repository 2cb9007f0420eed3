//! A restart restores the exact queues, whether the server stopped
//! gracefully (snapshot) or was killed (event replay).

use serde_json::json;

use crate::harness::{ADMIN, Server};

fn busy_hall(s: &Server) {
    for c in ["bdc", "bdc", "sw", "scjg", "bdc", "gasf", "sw"] {
        s.issue(c);
    }
    s.post(
        ADMIN,
        "/api/tickets",
        json!({"category": "bdc", "priority": "green", "group": "disabled"}),
    )
    .expect(201);
    s.post(
        ADMIN,
        "/api/tickets",
        json!({"category": "sw", "stops": ["bdc"]}),
    )
    .expect(201);
    s.advance(300);
    s.call(7).unwrap();
    s.post_empty(ADMIN, "/api/windows/7/start").expect(200);
    s.call(8).unwrap();
    s.post_empty(ADMIN, "/api/windows/8/recall").expect(200);
    s.call(29).unwrap();
    s.post_empty(ADMIN, "/api/windows/29/complete").expect(200);
    s.call(29).unwrap();
    s.post_empty(ADMIN, "/api/windows/30/open").expect(200);
    s.post(ADMIN, "/api/windows/29/transfer", json!({"window": 30}))
        .expect(200);
    s.call(21).unwrap();
    s.post_empty(ADMIN, "/api/windows/21/no-show").expect(200);
    s.post(
        ADMIN,
        "/api/windows/21/pause",
        json!({"reason": "系统维护"}),
    )
    .expect(200);
    s.advance(120);
}

#[test]
fn graceful_restart_restores_the_exact_queues() {
    let s = Server::start();
    busy_hall(&s);
    let before = s.queue();
    let waiting_before = s.get_as(ADMIN, "/api/windows/9/waiting").expect(200);
    let s = s.restart();
    assert_eq!(s.queue(), before);
    assert_eq!(
        s.get_as(ADMIN, "/api/windows/9/waiting").expect(200),
        waiting_before
    );
    // And it goes on from there.
    s.post_empty(ADMIN, "/api/windows/7/complete").expect(200);
    assert_eq!(s.issue("bdc")["number"], "B005");
}

#[test]
fn crash_restart_restores_the_exact_queues() {
    let s = Server::start();
    busy_hall(&s);
    let before = s.queue();
    let s = s.crash_restart();
    assert_eq!(s.queue(), before);
    // Twice, with changes in between (replay after a snapshot).
    s.post_empty(ADMIN, "/api/windows/7/complete").expect(200);
    s.issue("sw");
    let before = s.queue();
    let s = s.restart();
    s.issue("gasf");
    let before2 = s.queue();
    assert_ne!(before, before2);
    let s = s.crash_restart();
    assert_eq!(s.queue(), before2);
}

#[test]
fn without_the_snapshot_file_the_whole_log_is_replayed() {
    let s = Server::start();
    busy_hall(&s);
    let before = s.queue();
    let mut s = s;
    s.stop();
    let snapshots = lobby_server::snapshots::path_for(&s.db());
    assert!(snapshots.exists(), "a graceful stop leaves a snapshot");
    for suffix in ["", "-wal", "-shm"] {
        let mut p = snapshots.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    let s = s.restart_stopped();
    assert_eq!(s.queue(), before);
    let log = s.log();
    let restored = log.lines().rfind(|l| l.contains("state restored")).unwrap();
    assert!(restored.contains("snapshot=0"), "{restored}");
}

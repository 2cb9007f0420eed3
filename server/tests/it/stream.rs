//! The WebSocket event stream: a snapshot first, then events with
//! sequence numbers; a reconnecting client gets what it missed.

use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::harness::{ADMIN, Server, category_line};

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

pub(crate) fn connect(s: &Server, query: &str) -> Socket {
    let (socket, _) = tungstenite::connect(s.ws_url(query)).expect("the stream accepts");
    if let MaybeTlsStream::Plain(tcp) = socket.get_ref() {
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    socket
}

pub(crate) fn next(socket: &mut Socket) -> Value {
    loop {
        match socket.read().expect("a message within the timeout") {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            Message::Close(_) => panic!("closed"),
            _ => {}
        }
    }
}

#[test]
fn snapshot_first_then_events_in_sequence() {
    let s = Server::start();
    s.issue("bdc");
    let mut public = connect(&s, "");
    let snap = next(&mut public);
    assert_eq!(snap["kind"], "snapshot");
    let seq = snap["seq"].as_u64().unwrap();
    assert!(seq >= 2, "day_changed and issued came before");
    let bdc = category_line(&snap["queue"]["categories"], "bdc");
    assert_eq!(bdc["waiting"], 1);
    let mut staff = connect(&s, &format!("?token={ADMIN}"));
    assert_eq!(next(&mut staff)["seq"], seq);

    let t = s.issue("sw");
    let e = next(&mut public);
    assert_eq!(e["kind"], "event");
    assert_eq!(e["seq"], seq + 1);
    assert_eq!(e["event"]["type"], "issued");
    assert_eq!(e["event"]["ticket"]["number"], "D001");
    assert_eq!(
        e["event"]["ticket"]["id"], "",
        "no ticket ids for the public"
    );
    let e = next(&mut staff);
    assert_eq!(e["event"]["ticket"]["id"], t["id"], "staff see ids");

    s.call(7).unwrap();
    let opened = next(&mut public);
    assert_eq!(opened["seq"], seq + 2);
    assert_eq!(opened["event"]["type"], "window_opened");
    let called = next(&mut public);
    assert_eq!(called["seq"], seq + 3);
    assert_eq!(called["event"]["type"], "called");
    assert_eq!(called["event"]["number"], "B001");
    assert_eq!(called["event"]["window"], 7);
    s.post_empty(ADMIN, "/api/windows/7/recall").expect(200);
    assert_eq!(next(&mut public)["event"]["type"], "recalled");
    // A new client's snapshot carries the recent calls.
    let mut late = connect(&s, "");
    let snap = next(&mut late);
    assert_eq!(snap["seq"], seq + 4);
    let recent = snap["recent_calls"].as_array().unwrap();
    assert_eq!(recent[0]["type"], "recalled");
    assert_eq!(recent[1]["type"], "called");
}

#[test]
fn a_reconnecting_client_gets_what_it_missed() {
    let s = Server::start();
    let mut first = connect(&s, "");
    assert_eq!(next(&mut first)["kind"], "snapshot");
    s.issue("bdc");
    // The start-up tick's day change may come first.
    let last = loop {
        let m = next(&mut first);
        if m["event"]["type"] == "issued" {
            break m["seq"].as_u64().unwrap();
        }
    };
    // The client goes away; three events happen.
    drop(first);
    s.issue("bdc");
    s.call(7).unwrap();
    let mut again = connect(&s, &format!("?since={last}"));
    let mut seen = Vec::new();
    for _ in 0..3 {
        let m = next(&mut again);
        assert_eq!(m["kind"], "event", "no snapshot on resume: {m}");
        seen.push((
            m["seq"].as_u64().unwrap(),
            m["event"]["type"].as_str().unwrap().to_owned(),
        ));
    }
    assert_eq!(
        seen,
        vec![
            (last + 1, "issued".to_owned()),
            (last + 2, "window_opened".to_owned()),
            (last + 3, "called".to_owned()),
        ]
    );
    // Then live.
    s.issue("sw");
    assert_eq!(next(&mut again)["seq"], last + 4);
    // Up to date: nothing is replayed, the next message is the next event.
    let mut current = connect(&s, &format!("?since={}", last + 4));
    s.issue("sw");
    assert_eq!(next(&mut current)["seq"], last + 5);
    // A sequence the server never had: a snapshot.
    let mut lost = connect(&s, "?since=999999");
    let m = next(&mut lost);
    assert_eq!(m["kind"], "snapshot");
    assert_eq!(m["seq"], last + 5);
}

#[test]
fn resume_works_across_a_restart_with_a_snapshot() {
    let s = Server::start();
    s.issue("bdc");
    let s = s.restart();
    let mut c = connect(&s, "?since=1");
    // The ring is empty after a restart: the server sends a snapshot.
    let m = next(&mut c);
    assert_eq!(m["kind"], "snapshot");
    assert_eq!(m["seq"], 2);
}

#[test]
fn device_reports_reach_the_stream() {
    let s = Server::start();
    let kiosk = s.device("大厅 2 号取号机", "kiosk");
    let mut c = connect(&s, "");
    next(&mut c);
    s.post(
        &kiosk,
        "/api/devices/self/status",
        serde_json::json!({"status": "paper_end", "detail": "纸仓空"}),
    )
    .expect(200);
    let m = loop {
        let m = next(&mut c);
        if m["kind"] != "event" {
            break m;
        }
    };
    assert_eq!(m["kind"], "device");
    assert_eq!(m["device"]["status"], "paper_end");
    assert_eq!(m["device"]["name"], "大厅 2 号取号机");
    let list = s.get_as(ADMIN, "/api/devices").expect(200);
    assert_eq!(list[0]["status"]["status"], "paper_end");
    // Only devices report.
    s.post(
        ADMIN,
        "/api/devices/self/status",
        serde_json::json!({"status": "ok"}),
    )
    .expect_error(403, "forbidden");
}

#[test]
fn a_graceful_stop_closes_subscribers() {
    let mut s = Server::start();
    let mut c = connect(&s, "");
    next(&mut c);
    // Stopping waits for the process to exit (asserting success), which it
    // does only after closing its streams.
    s.stop();
    loop {
        match c.read() {
            Ok(Message::Close(frame)) => {
                assert_eq!(u16::from(frame.unwrap().code), 1001);
                break;
            }
            Ok(_) => {}
            Err(e) => panic!("expected a close frame, got {e}"),
        }
    }
}

/// Reads until the stream closes; the close code.
fn closed_with(socket: &mut Socket) -> u16 {
    loop {
        match socket.read() {
            Ok(Message::Close(frame)) => return frame.map_or(0, |f| u16::from(f.code)),
            Ok(Message::Text(t)) => {
                let v: Value = serde_json::from_str(&t).unwrap();
                assert_ne!(v["kind"], "event", "an event after the token ended: {v}");
            }
            Ok(_) => {}
            Err(e) => panic!("no close frame: {e}"),
        }
    }
}

#[test]
fn a_stream_ends_when_its_token_does() {
    let s = Server::start();
    // A display whose device is removed, and a clerk whose account is
    // disabled: their open streams close at the next event (code 4001)
    // instead of going on with full frames.
    let display = s.device("大厅屏", "display");
    let devices = s.get_as(ADMIN, "/api/devices").expect(200);
    let id = devices.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let clerk = s.staff("wang.li", "staff", &[7]);
    let mut shown = connect(&s, &format!("?token={display}"));
    let mut staff = connect(&s, &format!("?token={clerk}"));
    assert_eq!(next(&mut shown)["kind"], "snapshot");
    assert_eq!(next(&mut staff)["kind"], "snapshot");
    s.delete(ADMIN, &format!("/api/devices/{id}")).expect(204);
    s.patch(
        ADMIN,
        "/api/staff/wang.li",
        serde_json::json!({"disabled":true}),
    )
    .expect(200);
    s.issue("bdc");
    assert_eq!(closed_with(&mut shown), 4001);
    assert_eq!(closed_with(&mut staff), 4001);
    // A public stream goes on.
    let mut public = connect(&s, "");
    assert_eq!(next(&mut public)["kind"], "snapshot");
    s.issue("bdc");
    assert_eq!(next(&mut public)["kind"], "event");
}

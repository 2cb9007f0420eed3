//! `kill -9` during a burst of issues: every acknowledged ticket survives
//! and no number is given twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::harness::{ADMIN, Server, category_line};

fn seq(number: &str) -> u32 {
    number
        .trim_start_matches(|c: char| c.is_ascii_uppercase())
        .parse()
        .unwrap()
}

#[test]
fn kill_9_during_a_burst_loses_no_acknowledged_ticket() {
    let s = Server::start();
    let url = s.url.clone();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let (url, acked, stop, agent) =
                (url.clone(), acked.clone(), stop.clone(), agent.clone());
            std::thread::spawn(move || {
                let category = ["gasf", "sw"][i % 2];
                while !stop.load(Ordering::SeqCst) {
                    let answer = agent
                        .post(format!("{url}/api/tickets"))
                        .header("Authorization", format!("Bearer {ADMIN}"))
                        .send_json(json!({ "category": category }));
                    // The server dies mid-burst: failures are expected then.
                    let Ok(mut r) = answer else { break };
                    if r.status().as_u16() != 201 {
                        break;
                    }
                    let Ok(t) = r.body_mut().read_json::<serde_json::Value>() else {
                        break;
                    };
                    acked.lock().unwrap().push((
                        t["id"].as_str().unwrap().to_owned(),
                        t["category"].as_str().unwrap().to_owned(),
                        t["number"].as_str().unwrap().to_owned(),
                    ));
                }
            })
        })
        .collect();
    // Kill once enough tickets are acknowledged, while the burst goes on.
    while acked.lock().unwrap().len() < 600 {
        std::thread::yield_now();
    }
    let mut s = s;
    s.kill9();
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 600);
    let s = s.crash_restart();
    let mut max: HashMap<String, u32> = HashMap::new();
    for (id, category, number) in &acked {
        let t = s.get(&format!("/api/tickets/{id}")).expect(200);
        assert_eq!(t["number"], number.as_str(), "ticket {id} kept its number");
        assert_eq!(t["status"], "waiting");
        let m = max.entry(category.clone()).or_default();
        *m = (*m).max(seq(number));
    }
    // No number is given again: new tickets continue after every number
    // handed out (acknowledged or not).
    for (category, m) in &max {
        let t = s.issue(category);
        assert!(
            seq(t["number"].as_str().unwrap()) > *m,
            "{category}: new {} after {m}",
            t["number"]
        );
    }
    let q = s.get("/api/queue").expect(200);
    let waiting: u64 = q["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["waiting"].as_u64().unwrap())
        .sum();
    assert!(waiting as usize >= acked.len() + max.len());
}

#[test]
fn a_failed_commit_answers_503_and_memory_never_runs_ahead_of_disk() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    // Room for the schema and some tickets, as on a disk filling up.
    let s = Server::start_with(
        dir.clone(),
        crate::harness::MORNING,
        &["--test-max-db-pages", "40"],
    );
    let mut acked = Vec::new();
    let failed = loop {
        let a = s.post(ADMIN, "/api/tickets", json!({"category": "sw"}));
        match a.status {
            201 => acked.push(a.body),
            503 => break a,
            other => panic!("unexpected {other}: {}", a.body),
        }
        assert!(acked.len() < 2000, "the database never filled up");
    };
    assert_eq!(failed.code(), "storage_unavailable");
    assert!(!acked.is_empty());
    // The refused ticket is nowhere; the acknowledged ones all are.
    let q = s.queue();
    let sw = category_line(&q["categories"], "sw");
    assert_eq!(sw["waiting"], acked.len(), "memory matches the disk");
    assert_eq!(sw["issued"], acked.len());
    // Still up, still refusing cleanly, reads still fine.
    s.post(ADMIN, "/api/tickets", json!({"category": "sw"}))
        .expect_error(503, "storage_unavailable");
    s.get("/api/health").expect(200);
    for t in &acked {
        s.get(&format!("/api/tickets/{}", t["id"].as_str().unwrap()))
            .expect(200);
    }
    assert!(s.log().contains("state rebuilt from the database"));
    // With room again, it carries on after the last acknowledged number.
    let s = s.restart();
    let next = s.issue("sw");
    assert_eq!(
        seq(next["number"].as_str().unwrap()),
        acked.len() as u32 + 1
    );
}

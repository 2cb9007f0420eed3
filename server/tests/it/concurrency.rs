//! Many clients issuing and calling at once: unique numbers, nothing lost,
//! nothing called twice.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::harness::{ADMIN, Server};

const ISSUERS: usize = 16;
const EACH: usize = 100;
// Categories without a daily quota.
const CATEGORIES: [&str; 3] = ["gasf", "sw", "scjg"];
const WINDOWS: [u32; 7] = [37, 38, 39, 29, 30, 21, 22];

#[test]
fn concurrent_issues_and_calls_lose_nothing_and_call_nothing_twice() {
    let s = Arc::new(Server::start());
    let issued = Arc::new(Mutex::new(Vec::new()));
    let called = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicBool::new(false));
    let issuers: Vec<_> = (0..ISSUERS)
        .map(|i| {
            let (s, issued) = (s.clone(), issued.clone());
            std::thread::spawn(move || {
                for n in 0..EACH {
                    let category = CATEGORIES[(i + n) % CATEGORIES.len()];
                    let t = s
                        .post(ADMIN, "/api/tickets", json!({ "category": category }))
                        .expect(201);
                    issued.lock().unwrap().push((
                        t["id"].as_str().unwrap().to_owned(),
                        t["category"].as_str().unwrap().to_owned(),
                        t["number"].as_str().unwrap().to_owned(),
                    ));
                }
            })
        })
        .collect();
    let windows: Vec<_> = WINDOWS
        .iter()
        .map(|&w| {
            let (s, called, done) = (s.clone(), called.clone(), done.clone());
            std::thread::spawn(move || {
                loop {
                    let finished = done.load(Ordering::SeqCst);
                    match s.call(w) {
                        Some(t) => {
                            called
                                .lock()
                                .unwrap()
                                .push(t["id"].as_str().unwrap().to_owned());
                            s.post_empty(ADMIN, &format!("/api/windows/{w}/complete"))
                                .expect(200);
                        }
                        // Only its own categories: empty after the issuers
                        // finished means empty for good.
                        None if finished => break,
                        None => std::thread::yield_now(),
                    }
                }
            })
        })
        .collect();
    for t in issuers {
        t.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    for t in windows {
        t.join().unwrap();
    }
    let issued = issued.lock().unwrap();
    let called = called.lock().unwrap();
    assert_eq!(issued.len(), ISSUERS * EACH);
    // Unique ids, and per category the numbers 1..=n exactly.
    let ids: HashSet<_> = issued.iter().map(|(id, _, _)| id.clone()).collect();
    assert_eq!(ids.len(), issued.len(), "ticket ids are unique");
    let mut by_category: HashMap<&str, Vec<u32>> = HashMap::new();
    for (_, c, number) in issued.iter() {
        let seq: u32 = number
            .trim_start_matches(|ch: char| ch.is_ascii_uppercase())
            .parse()
            .unwrap();
        by_category.entry(c.as_str()).or_default().push(seq);
    }
    for (c, mut seqs) in by_category {
        seqs.sort_unstable();
        let n = seqs.len() as u32;
        assert_eq!(
            seqs,
            (1..=n).collect::<Vec<_>>(),
            "numbers of {c} are 1..={n}, each once"
        );
    }
    // Every ticket called exactly once.
    let called_set: HashSet<_> = called.iter().cloned().collect();
    assert_eq!(called_set.len(), called.len(), "no ticket called twice");
    assert_eq!(called_set, ids, "every ticket called");
    let q = s.get("/api/queue").expect(200);
    for c in q["categories"].as_array().unwrap() {
        assert_eq!(c["waiting"], 0);
    }
    for (_, c, _) in issued.iter().take(5) {
        assert!(CATEGORIES.contains(&c.as_str()));
    }
    for id in issued.iter().map(|(id, _, _)| id).step_by(97) {
        assert_eq!(
            s.get(&format!("/api/tickets/{id}")).expect(200)["status"],
            "completed"
        );
    }
}

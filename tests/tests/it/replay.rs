//! `lobby-sim --replay`: a morning worked through the real server, then
//! read back from the server's own SQLite file and run again under every
//! policy, beside the day as recorded.

use std::process::Command;

use anyhow::Context;
use lobby_core::api::{IssueRequest, Lane, TicketView};
use lobby_core::{CategoryId, GroupId};
use lobby_tests::binary::{self, LOBBY_SIM};
use lobby_tests::{Api, Server};
use serde_json::Value;

fn issue(api: &Api, category: &str, green: bool, stops: &[&str]) -> anyhow::Result<TicketView> {
    api.issue_with(&IssueRequest {
        category: CategoryId::from(category),
        priority: if green { Lane::Green } else { Lane::Normal },
        group: green.then(|| GroupId::from("elderly")),
        matter: None,
        channel: None,
        site: None,
        assisted: false,
        stops: stops.iter().map(|&s| CategoryId::from(s)).collect(),
        appointment: None,
    })
}

/// Runs lobby-sim with `args`; its stdout, or its stderr as the error.
fn sim(args: &[&str]) -> anyhow::Result<Result<String, String>> {
    let out = Command::new(binary::path(LOBBY_SIM)?)
        .args(args)
        .output()
        .context("running lobby-sim")?;
    Ok(if out.status.success() {
        Ok(String::from_utf8(out.stdout)?)
    } else {
        Err(String::from_utf8(out.stderr)?)
    })
}

fn policy<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["policies"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no policy {name} in {report}"))
}

#[test]
fn a_recorded_morning_is_replayed_under_every_policy_beside_what_happened() -> anyhow::Result<()> {
    let server = Server::start()?;
    let admin = server.admin();
    // 09:00 (the fake clock): three windows, four visitors.
    for w in [7, 29, 37] {
        admin.open_window(w)?;
    }
    let b1 = issue(&admin, "bdc", false, &["sw"])?; // registration, then tax
    let b2 = issue(&admin, "bdc", false, &[])?;
    let g1 = issue(&admin, "bdc", true, &[])?;
    let f1 = issue(&admin, "gasf", false, &[])?;

    // The green ticket goes first at window 7; window 37 calls f1, who
    // does not come: two recalls, then a no-show.
    assert_eq!(admin.call_next(7)?.unwrap().id, g1.id);
    assert_eq!(admin.call_next(37)?.unwrap().id, f1.id);
    admin.advance_clock(30)?;
    admin.window_action(7, "start")?;
    admin.window_action(37, "recall")?;
    admin.advance_clock(60)?;
    admin.window_action(37, "recall")?;
    admin.advance_clock(60)?;
    admin.window_action(37, "no-show")?;
    // Window 37 takes a break until f1 is back.
    admin.post::<Value>(
        "/api/windows/37/pause",
        &serde_json::json!({"reason": "休息"}),
    )?;
    admin.advance_clock(450)?; // 09:10
    admin.window_action(7, "complete")?;
    // b1 waited 10 minutes; served 8, then on to the tax window.
    assert_eq!(admin.call_next(7)?.unwrap().id, b1.id);
    admin.advance_clock(20)?;
    admin.window_action(7, "start")?;
    admin.advance_clock(480)?;
    admin.window_action(7, "complete")?;
    assert_eq!(admin.call_next(29)?.unwrap().id, b1.id);
    admin.advance_clock(40)?;
    admin.window_action(29, "start")?;
    // b2 waited 19 minutes.
    assert_eq!(admin.call_next(7)?.unwrap().id, b2.id);
    admin.advance_clock(30)?;
    admin.window_action(7, "start")?;
    admin.advance_clock(300)?;
    admin.window_action(29, "complete")?; // b1's tax stop: 5.5 min served
    admin.advance_clock(130)?;
    admin.window_action(7, "complete")?;
    // f1 comes back and is re-activated at the guide desk.
    admin.window_action(37, "resume")?;
    admin.post::<Value>(
        &format!("/api/tickets/{}/reactivate", f1.id),
        &serde_json::json!({}),
    )?;
    assert_eq!(admin.call_next(37)?.unwrap().id, f1.id);
    admin.advance_clock(25)?;
    admin.window_action(37, "start")?;
    admin.advance_clock(200)?;
    admin.window_action(37, "complete")?;
    // One more visitor, still waiting when the log is read.
    issue(&admin, "gasf", false, &[])?;

    // Read back while the server runs, as a manager would the day after.
    let db = server.db();
    let db = db.to_str().context("a UTF-8 path")?;
    let json = sim(&["--replay", db, "--json"])?.map_err(anyhow::Error::msg)?;
    let r: Value = serde_json::from_str(&json)?;
    assert_eq!(r["date"], "2026-11-25", "the day of the last ticket");
    assert_eq!(r["visitors"], 5);
    assert_eq!(r["replay"]["tickets"], 5);
    assert_eq!(
        r["replay"]["assumed_service"], 1,
        "the ticket still waiting"
    );
    assert_eq!(r["replay"]["pauses"], 1, "window 37's break, replayed");
    // The demands as recorded: b1 twice, f1's missed call and its return.
    assert_eq!(r["demands"], 7);
    let sw = r["load"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["id"] == "sw"))
        .context("税务服务 in the load")?;
    assert_eq!(sw["demands"], 1);
    // b1's walk (20 s, as at its first stop) and its 330 s at the tax window.
    assert_eq!(sw["mean_occupation_s"], 350.0);

    // The day as it happened: six calls waiting 0, 0, 600 (b1), 0 (b1 at
    // the tax window), 1140 (b2) and 0 (f1 after its return), and the last
    // visitor, still waiting, counted with the wait so far (none yet).
    let recorded = policy(&r, "recorded");
    assert_eq!(recorded["mean_wait_s"], 248.6);
    assert_eq!(recorded["max_wait_s"], 1140.0);
    assert_eq!(recorded["green_mean_wait_s"], 0.0);
    assert_eq!(recorded["counts"]["calls"], 6);
    assert_eq!(recorded["counts"]["no_shows"], 1);
    assert_eq!(recorded["counts"]["reactivated"], 1);
    // Replayed under the rule the server ran, the morning comes out as it
    // went (within a minute: the simulated staff wrap up and poll on their
    // own rhythm); the windows stay until noon and serve the last visitor.
    let ours = policy(&r, "lobby");
    let gap = ours["max_wait_s"].as_f64().unwrap() - recorded["max_wait_s"].as_f64().unwrap();
    assert!(gap.abs() <= 60.0, "b2 waited {gap} s longer when replayed");
    assert_eq!(ours["counts"]["expired_waiting"], 0);
    // Every policy ran on the same five visitors, ours first.
    let policies = r["policies"].as_array().context("policies")?;
    assert_eq!(policies[0]["name"], "lobby");
    assert_eq!(policies.len(), 7, "six policies and the recorded day");
    for p in policies {
        assert_eq!(p["counts"]["issued"], 5, "{}", p["name"]);
        assert_eq!(
            p["counts"]["no_shows"], 1,
            "{}: f1 misses the call",
            p["name"]
        );
    }

    // The table says it is a replay and what it approximated.
    let table = sim(&["--replay", db, "--date", "2026-11-25"])?.map_err(anyhow::Error::msg)?;
    assert!(
        table.starts_with("Replay of 2026-11-25: 5 visitors"),
        "{table}"
    );
    assert!(table.contains(" tickets, 1 pause;"), "{table}");
    assert!(
        table.contains("stops never served, given the category's mean service: 1"),
        "{table}"
    );
    assert!(table.lines().any(|l| l.starts_with("recorded ")), "{table}");

    // A day without tickets is named as such.
    let err = sim(&["--replay", db, "--date", "2026-11-24"])?.unwrap_err();
    assert!(
        err.contains("no ticket was issued at `hall` on 2026-11-24"),
        "{err}"
    );
    Ok(())
}

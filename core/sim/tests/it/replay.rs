//! Replay input that is not a recorded day gets an error naming the file
//! and the problem. (A day recorded by the real server is replayed in the
//! workspace's end-to-end tests, `tests/tests/it/replay.rs`.)

use lobby_core::SiteId;
use lobby_core::jiff::civil::date;
use lobby_sim::default_hall;
use lobby_sim::replay;

fn error(db: &std::path::Path) -> String {
    let hall = default_hall().unwrap();
    let err = replay::load(&hall, db, date(2026, 11, 25), &SiteId::from("hall")).unwrap_err();
    format!("{err:#}")
}

#[test]
fn files_that_are_not_a_lobby_server_log_are_named_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.sqlite");
    let e = error(&missing);
    assert!(e.contains("missing.sqlite: no such database file"), "{e}");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database, just some notes\n".repeat(100)).unwrap();
    let e = error(&text);
    assert!(e.contains("notes.txt: not an SQLite database"), "{e}");

    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE things (id INTEGER);")
        .unwrap();
    let e = error(&other);
    assert!(
        e.contains("other.sqlite: not a lobby-server database (no `events` table)"),
        "{e}"
    );

    let hall = default_hall().unwrap();
    let e = replay::load(&hall, &other, date(2026, 11, 25), &SiteId::from("moon")).unwrap_err();
    assert_eq!(e.to_string(), "no site `moon` in the hall");
}

/// Writes events into a fresh database with lobby-server's own store, as
/// the server logs them.
fn write_log(path: &std::path::Path, events: &[lobby_core::Event]) {
    let store = lobby_server::store::Store::open(path).unwrap();
    store.begin().unwrap();
    for (seq, e) in events.iter().enumerate() {
        let json = serde_json::to_string(e).unwrap();
        store.insert_event(seq as u64 + 1, e, &json).unwrap();
    }
    store.commit().unwrap();
}

/// A simulated busy day, logged as the server logs it and read back:
/// the replay recovers every visitor, and running it again under the same
/// rule gives the same day.
#[test]
fn a_logged_busy_day_replays_as_it_went() {
    use lobby_sim::scenario::Scenario;
    use lobby_sim::visitors::{Clock, draw};

    let hall = default_hall().unwrap();
    let scenario = Scenario::load("busy").unwrap();
    let clock = Clock::new(&hall, &scenario).unwrap();
    let visitors = draw(&hall, &scenario, &clock, 3).unwrap();
    let mut policy = lobby_sim::policy::by_name("lobby").unwrap();
    let day =
        lobby_sim::engine::run(&hall, &scenario, clock, &visitors, policy.as_mut(), true).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lobby.sqlite");
    write_log(&db, &day.events);

    let date = replay::last_day(&hall, &db).unwrap();
    assert_eq!(date, scenario.date);
    let recorded = replay::load(&hall, &db, date, &SiteId::from("hall")).unwrap();
    // Tickets the day closed on while they waited: their last stop was
    // never served, so its time is not in the log.
    let unserved: std::collections::HashSet<_> = day
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            lobby_core::EventKind::Expired { ticket, was, .. }
                if *was == lobby_core::Status::Waiting =>
            {
                Some(ticket.clone())
            }
            _ => None,
        })
        .collect();
    // Every visitor who got a ticket, with their stops and service times.
    let issued = visitors.iter().filter(|v| day.issued[v.id]).count();
    assert_eq!(recorded.visitors.len(), issued);
    assert!(issued > 1500, "{issued} tickets");
    for (ticket, got) in recorded.tickets.iter().zip(&recorded.visitors) {
        let orig = &visitors[ticket.as_str()[1..].parse::<usize>().unwrap()];
        assert_eq!(got.absent, orig.absent, "visitor {}", orig.id);
        if orig.absent && orig.return_after_s.is_none() {
            // Gone after the first call: the rest of the visit never shows.
            continue;
        }
        assert_eq!(got.stops, orig.stops, "visitor {}", orig.id);
        let served = orig.stops.len() - usize::from(unserved.contains(ticket));
        assert_eq!(
            got.service_s[..served],
            orig.service_s[..served],
            "visitor {}",
            orig.id
        );
        assert_eq!(got.green, orig.green, "visitor {}", orig.id);
        assert_eq!(got.late_recalls, orig.late_recalls, "visitor {}", orig.id);
    }
    assert_eq!(recorded.notes.assumed_service as usize, unserved.len());

    let sim = lobby_sim::replay(&hall, recorded, &["lobby"]).unwrap();
    let [again, logged] = &sim.report.policies[..] else {
        panic!("lobby and recorded expected");
    };
    assert_eq!(logged.name, "recorded");
    let original = lobby_sim::report::summarise(&hall, &[], 8 * 3600 + 1800, &day);
    // The log read back gives the day's own figures…
    assert_eq!(logged.mean_wait_s, original.mean_wait_s);
    assert_eq!(logged.p90_wait_s, original.p90_wait_s);
    assert_eq!(logged.counts.calls, original.counts.calls);
    // …and the replayed day under the same rule is the same day: the same
    // visitors at the same instants, served as long, called in the same
    // order.
    assert_eq!(again.mean_wait_s, original.mean_wait_s);
    assert_eq!(again.p90_wait_s, original.p90_wait_s);
    assert_eq!(again.max_wait_s, original.max_wait_s);
    assert_eq!(again.counts.calls, original.counts.calls);
}

/// Two ordinary days in one log: both are found and replayed, and their
/// averages print as recorded days.
#[test]
fn recorded_days_in_a_range_are_replayed_one_by_one() {
    use lobby_sim::scenario::Scenario;
    use lobby_sim::visitors::{Clock, draw};

    let hall = default_hall().unwrap();
    let mut events = Vec::new();
    let mut means = Vec::new();
    for (day, seed) in [(date(2026, 11, 25), 1), (date(2026, 11, 26), 2)] {
        let mut scenario = Scenario::load("ordinary").unwrap();
        scenario.date = day;
        let clock = Clock::new(&hall, &scenario).unwrap();
        let visitors = draw(&hall, &scenario, &clock, seed).unwrap();
        let mut policy = lobby_sim::policy::by_name("lobby").unwrap();
        let run = lobby_sim::engine::run(&hall, &scenario, clock, &visitors, policy.as_mut(), true)
            .unwrap();
        means.push(lobby_sim::report::summarise(&hall, &[], 0, &run).mean_wait_s);
        events.extend(run.events);
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lobby.sqlite");
    write_log(&db, &events);

    let site = SiteId::from("hall");
    let days = replay::days(&hall, &db, &site, date(2026, 11, 23), date(2026, 11, 29)).unwrap();
    assert_eq!(days, [date(2026, 11, 25), date(2026, 11, 26)]);
    // Another site had no tickets.
    let none = replay::days(&hall, &db, &SiteId::from("gjj"), days[0], days[1]).unwrap();
    assert!(none.is_empty());

    let reports: Vec<_> = days
        .iter()
        .map(|&d| {
            let recorded = replay::load(&hall, &db, d, &site).unwrap();
            lobby_sim::replay(&hall, recorded, &["lobby", "fifo"])
                .unwrap()
                .report
        })
        .collect();
    for (r, mean) in reports.iter().zip(&means) {
        let recorded = r.policies.iter().find(|p| p.name == "recorded").unwrap();
        assert_eq!(recorded.mean_wait_s, *mean, "{}", r.date);
    }
    let table = lobby_sim::report::seeds_table(&reports);
    assert!(
        table.starts_with("Replay of 2 recorded days (2026-11-25 to 2026-11-26): "),
        "{table}"
    );
    assert!(table.lines().any(|l| l.starts_with("recorded ")), "{table}");
}

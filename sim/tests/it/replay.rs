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
    use lobby_server::store::Log;
    let store = lobby_server::store::Store::open(path).unwrap();
    store.begin().unwrap();
    for (seq, e) in events.iter().enumerate() {
        let json = serde_json::to_string(e).unwrap();
        store.append(seq as u64 + 1, e, &json).unwrap();
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

    let date = replay::last_day(&hall, &db, &SiteId::from("hall")).unwrap();
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
    assert_eq!(logged.utilisation, original.utilisation);
    let recorded_queue = &sim.days[1].queue;
    // The queue through the day, as charted, within a ticket or two of
    // the simulation's own count at every tick.
    assert_eq!(recorded_queue.len(), day.queue.len());
    for (a, b) in recorded_queue.iter().zip(&day.queue) {
        assert_eq!(a.0, b.0);
        assert!(a.1.abs_diff(b.1) <= 2, "{a:?} against {b:?}");
    }
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

/// A hand-driven core: commands at given minutes past 09:00 on
/// 2026-11-25 (in time order, as a server gives them), every event kept.
struct Log {
    lobby: lobby_core::Lobby,
    events: Vec<lobby_core::Event>,
}

impl Log {
    fn new(hall: &std::sync::Arc<lobby_core::Hall>) -> Log {
        Log {
            lobby: lobby_core::Lobby::new(hall.clone()),
            events: Vec::new(),
        }
    }

    fn at(&mut self, minute: i64, command: lobby_core::Command) {
        let base: lobby_core::jiff::Timestamp = "2026-11-25T09:00:00+08:00".parse().unwrap();
        let now = base + lobby_core::jiff::SignedDuration::from_mins(minute);
        let events = self
            .lobby
            .handle(now, command.clone())
            .unwrap_or_else(|r| panic!("{command:?} at 09:{minute:02}: {r}"));
        self.events.extend(events);
    }

    /// At `minute`, window `n` does `what`: call, start, recall, complete,
    /// no-show, open.
    fn window(&mut self, minute: i64, n: u32, what: &str) {
        use lobby_core::Command as C;
        let window = lobby_core::WindowNo(n);
        let command = match what {
            "open" => C::OpenWindow {
                window,
                staff: None,
            },
            "call" => C::Call {
                window,
                ticket: None,
            },
            "start" => C::Start { window },
            "recall" => C::Recall { window },
            "complete" => C::Complete { window },
            "no-show" => C::NoShow { window },
            other => panic!("no window action {other}"),
        };
        self.at(minute, command);
    }

    /// At `minute`, window `n` transfers its visitor.
    fn transfer(&mut self, minute: i64, n: u32, to: lobby_core::TransferTarget) {
        let window = lobby_core::WindowNo(n);
        self.at(minute, lobby_core::Command::Transfer { window, to });
    }
}

/// Transfers to a colleague's window and to another category, a no-show
/// at a second stop, and a sub-centre's tickets in the same log: the
/// visits are rebuilt as the simulation can run them, and only the site's
/// own figures are counted.
#[test]
fn transfers_and_other_sites_are_replayed_as_the_hall_saw_them() {
    use lobby_core::{Command, Issue, TransferTarget, WindowNo};
    let hall = default_hall().unwrap();
    let mut log = Log::new(&hall);
    for n in [7, 8, 29, 401] {
        log.window(0, n, "open");
    }
    log.at(0, Command::Issue(Issue::kiosk("t1", "bdc")));
    log.at(0, Command::Issue(Issue::kiosk("t2", "bdc")));
    let mut sub = Issue::kiosk("s1", "gjj");
    sub.site = Some(SiteId::from("gjj"));
    log.at(0, Command::Issue(sub));
    // t1: five minutes at window 7, handed to window 8, four more there.
    log.window(0, 7, "call");
    log.window(0, 7, "start");
    // Meanwhile the sub-centre's visitor does not come.
    log.window(0, 401, "call");
    log.window(1, 401, "recall");
    log.window(2, 401, "recall");
    log.window(3, 401, "no-show");
    log.transfer(5, 7, TransferTarget::Window(WindowNo(8)));
    log.window(5, 8, "call");
    log.window(6, 8, "start");
    log.window(10, 8, "complete");
    // t2: two minutes of registration, then sent on to the tax windows.
    log.window(5, 7, "call");
    log.window(5, 7, "start");
    log.transfer(7, 7, TransferTarget::Category("sw".into()));
    log.window(7, 29, "call");
    log.window(8, 29, "start");
    log.window(12, 29, "complete");
    // t4 misses the call at its second stop, comes back and is served:
    // the simulation's visitors miss only a first call, so the replay ends
    // the visit after its first stop and leaves the rest out.
    let mut t4 = Issue::kiosk("t4", "bdc");
    t4.stops = vec!["sw".into()];
    log.at(12, Command::Issue(t4));
    log.window(12, 7, "call");
    log.window(12, 7, "start");
    log.window(20, 7, "complete");
    log.window(20, 29, "call");
    log.window(21, 29, "recall");
    log.window(22, 29, "recall");
    log.window(23, 29, "no-show");
    log.at(
        30,
        Command::Reactivate {
            ticket: "t4".into(),
        },
    );
    log.window(40, 29, "call");
    log.window(41, 29, "start");
    log.window(45, 29, "complete");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lobby.sqlite");
    write_log(&db, &log.events);
    let site = SiteId::from("hall");
    let recorded = replay::load(&hall, &db, date(2026, 11, 25), &site).unwrap();
    // The sub-centre's day is found on its own; a site without tickets is
    // named.
    let gjj = replay::last_day(&hall, &db, &SiteId::from("gjj")).unwrap();
    assert_eq!(gjj, date(2026, 11, 25));
    let e = replay::last_day(&hall, &db, &SiteId::from("rs")).unwrap_err();
    assert!(
        e.to_string().ends_with("no ticket was ever issued at `rs`"),
        "{e}"
    );
    let bdc = hall.category_index(&"bdc".into()).unwrap();
    let sw = hall.category_index(&"sw".into()).unwrap();
    let by_ticket = |id: &str| {
        let k = recorded
            .tickets
            .iter()
            .position(|t| t.as_str() == id)
            .unwrap();
        &recorded.visitors[k]
    };
    // One stop at 不动产登记, served 5 + 4 minutes.
    assert_eq!(by_ticket("t1").stops, [bdc]);
    assert_eq!(by_ticket("t1").service_s, [540]);
    // Two stops: registration, then tax.
    assert_eq!(by_ticket("t2").stops, [bdc, sw]);
    assert_eq!(by_ticket("t2").service_s, [120, 240]);
    assert_eq!(by_ticket("t4").stops, [bdc]);
    assert_eq!(by_ticket("t4").service_s, [480]);
    let notes = &recorded.notes;
    assert_eq!((notes.tickets, notes.other_sites), (3, 1));
    assert_eq!((notes.transfers, notes.cut_short), (2, 1));
    let counts = &recorded.outcome.counts;
    assert_eq!(
        counts.no_shows, 1,
        "t4's; the sub-centre's is not the hall's"
    );
    assert_eq!(counts.stops_completed, 3);
    assert_eq!(counts.calls, 6);
    // The hall's calls: t1 at 7 and again at 8 (its wait there counted
    // from the transfer), t2 at 7 and at the tax window, t4 at 7 and at
    // the tax window; not t4's call after its return.
    let waits: Vec<_> = recorded.outcome.waits.iter().map(|s| s.wait_s).collect();
    assert_eq!(waits, [0, 0, 300, 0, 0, 0]);
    // Nobody is left waiting in the queue series at the end.
    assert_eq!(recorded.outcome.queue.last().map(|q| q.1), Some(0));

    // Every policy can run it: t1 as one stop, t2 as two, t4 as one.
    let sim = lobby_sim::replay(&hall, recorded, &lobby_sim::policy::NAMES).unwrap();
    for p in sim.report.policies.iter().filter(|p| p.name != "recorded") {
        assert_eq!(p.counts.stops_completed, 4, "{}", p.name);
    }
}

/// A busy day with breaks: the replay takes each window's pauses from the
/// log, so the day replayed under the same rule is the same day; without
/// them the replayed policies would get window time the staff never gave.
#[test]
fn pauses_taken_are_replayed() {
    use lobby_sim::scenario::{Scenario, Shift};
    use lobby_sim::visitors::{Clock, draw};

    let hall = default_hall().unwrap();
    let mut scenario = Scenario::load("busy").unwrap();
    let time = |h: i8, m: i8| lobby_core::jiff::civil::time(h, m, 0, 0);
    let pause = |windows: &str, from, to| Shift {
        windows: windows.into(),
        from,
        to,
    };
    scenario.pauses = vec![
        // 公安司法's own windows all pause for half an hour at the peak.
        pause("37-44", time(10, 0), time(10, 30)),
        pause("64", time(15, 0), time(15, 20)),
        // Across the end of the morning: signing off ends it.
        pause("1", time(11, 50), time(12, 10)),
    ];
    scenario.check(&hall).unwrap();
    let clock = Clock::new(&hall, &scenario).unwrap();
    let visitors = draw(&hall, &scenario, &clock, 2).unwrap();
    let mut policy = lobby_sim::policy::by_name("lobby").unwrap();
    let day =
        lobby_sim::engine::run(&hall, &scenario, clock, &visitors, policy.as_mut(), true).unwrap();

    // No paused window calls anyone during its pause.
    let secs = |e: &lobby_core::Event| clock.secs(e.at);
    for e in &day.events {
        if let lobby_core::EventKind::Called { window, .. } = &e.kind {
            let t = secs(e);
            let paused = match window.0 {
                37..=44 => (10 * 3600..10 * 3600 + 1800).contains(&t),
                64 => (15 * 3600..15 * 3600 + 1200).contains(&t),
                _ => false,
            };
            assert!(!paused, "window {window} called at {t} s");
        }
    }
    let paused = day
        .events
        .iter()
        .filter(|e| matches!(e.kind, lobby_core::EventKind::Paused { .. }))
        .count();
    assert_eq!(paused, 10);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lobby.sqlite");
    write_log(&db, &day.events);
    let recorded = replay::load(&hall, &db, scenario.date, &SiteId::from("hall")).unwrap();
    assert_eq!(recorded.notes.pauses, 10);
    let spans: Vec<(String, String, String)> = recorded
        .scenario
        .pauses
        .iter()
        .map(|s| (s.windows.clone(), s.from.to_string(), s.to.to_string()))
        .collect();
    assert!(spans.contains(&("44".into(), "10:00:00".into(), "10:30:00".into())));
    assert!(spans.contains(&("64".into(), "15:00:00".into(), "15:20:00".into())));
    assert!(
        spans.contains(&("1".into(), "11:50:00".into(), "12:00:00".into())),
        "{spans:?}"
    );

    let original = lobby_sim::report::summarise(&hall, &[], 8 * 3600 + 1800, &day);
    let mut without = recorded.clone();
    without.scenario.pauses.clear();
    let sim = lobby_sim::replay(&hall, recorded, &["lobby"]).unwrap();
    let again = &sim.report.policies[0];
    assert_eq!(again.mean_wait_s, original.mean_wait_s);
    assert_eq!(again.p90_wait_s, original.p90_wait_s);
    assert_eq!(again.max_wait_s, original.max_wait_s);
    assert_eq!(again.counts.calls, original.counts.calls);
    let table = lobby_sim::report::table(&sim.report);
    assert!(table.contains(", 10 pauses;"), "{table}");

    // Left out, the pauses would flatter the replayed rule.
    let flattered = lobby_sim::replay(&hall, without, &["lobby"]).unwrap();
    assert!(flattered.report.policies[0].mean_wait_s < original.mean_wait_s);
}

//! The display state without a window: scripts drive the real core (a
//! small hall with a main hall and a sub-centre), a stand-in for the
//! server's stream hands its events to a [`Board`] the way the server
//! would (snapshot, live events, resume after a gap, resync), and the
//! transcript shows what the wall would show and say after each step.
//!
//! Script lines are `HH:MM:SS actor words…`:
//! - `hall issue CAT [green]`, `hall open N`, `hall call N`, `hall recall N`,
//!   `hall complete N`, `hall noshow N`, `hall pause N`, `hall transfer N to
//!   CAT|window M`, `hall tick` drive the core;
//! - `display connect` (a snapshot), `display stream` (every event not yet
//!   delivered), `display lose` (the link drops: nothing is delivered),
//!   `display resume` (reconnect with the last sequence: the missed events),
//!   `display resync` (reconnect and get a snapshot), `display look` (show
//!   the board at that time), `display skew SECONDS` (the display's clock
//!   runs that far off the server's).

use std::sync::Arc;

use lobby_core::api::{QueueView, StreamMessage};
use lobby_core::config::{self, SourceFile};
use lobby_core::jiff::civil::{Date, date};
use lobby_core::jiff::{SignedDuration, Timestamp};
use lobby_core::{
    Command, Event, EventKind, Hall, Issue, Lang, Lobby, Priority, TicketId, TransferTarget,
    WindowNo,
};
use lobby_display::board::{Board, Filter, Link};

/// Main hall: a (A) at windows 1–2, b (B) at 2 (overflow) and 3. Sub-centre
/// rs: r (R) at windows 101–102.
const HALL: &str = r#"
[centre]
name = "测试中心"
day_change = "03:00"
notice = "请按号办理"

[policy]
max_recalls = 2
no_show_after_s = 120
issue_before_open_min = 0

[[sites]]
id = "hall"
name = "大厅"
kind = "hall"

[[sites]]
id = "rs"
name = "人社分中心"
kind = "sub_centre"
parent = "hall"

[[green_groups]]
id = "elderly"
name = "老年人"

[[sessions]]
name = "上午"
days = ["mon-fri"]
start = "09:00"
end = "12:00"

[[categories]]
id = "a"
prefix = "A"
name = "甲业务"
service_min = 10

[[categories]]
id = "b"
prefix = "B"
name = "乙业务"
service_min = 10

[[categories]]
id = "r"
prefix = "R"
name = "人社业务"
site = "rs"
service_min = 10

[[windows]]
numbers = "1-2"
categories = ["a"]

[[windows]]
number = 3
categories = ["b"]

[[windows]]
numbers = "101-102"
site = "rs"
categories = ["r"]
"#;

const DAY: Date = date(2026, 11, 25);

fn hall() -> Arc<Hall> {
    let main = SourceFile {
        name: "display-test.toml".into(),
        text: HALL.into(),
    };
    Arc::new(
        config::load(main, |n| Err(format!("no include {n}"))).unwrap_or_else(|e| panic!("{e}")),
    )
}

/// The server's side: the core and its sequenced event log.
struct Server {
    lobby: Lobby,
    log: Vec<Event>,
    issued: u32,
}

impl Server {
    fn snapshot(&self, now: Timestamp) -> StreamMessage {
        let recent_calls = self
            .log
            .iter()
            .rev()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::Called { .. } | EventKind::Recalled { .. }
                )
            })
            .take(10)
            .cloned()
            .collect();
        StreamMessage::Snapshot {
            seq: self.log.len() as u64,
            queue: Box::new(QueueView::of(&self.lobby, now, Lang::Zh)),
            recent_calls,
        }
    }

    fn since(&self, seq: u64) -> Vec<StreamMessage> {
        self.log
            .iter()
            .enumerate()
            .skip(seq as usize)
            .map(|(i, e)| StreamMessage::Event {
                seq: i as u64 + 1,
                event: e.clone(),
            })
            .collect()
    }
}

fn run(filter: Filter, script: &str) -> String {
    let hall = hall();
    let mut server = Server {
        lobby: Lobby::new(hall.clone()),
        log: Vec::new(),
        issued: 0,
    };
    let mut board = Board::new(filter);
    let mut online = false;
    let mut skew = SignedDuration::ZERO;
    let mut out = String::new();
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let now = at(&hall, words[0]);
        let local = now.checked_add(skew).unwrap();
        out.push_str(&format!("{line}\n"));
        match words[1] {
            "hall" => {
                let command = command(&mut server, now, &words[2..]);
                match server.lobby.handle(now, command) {
                    Ok(events) => server.log.extend(events),
                    Err(r) => out.push_str(&format!("  refused: {}\n", r.code())),
                }
            }
            "display" => {
                let messages = match words[2] {
                    "connect" | "resync" => {
                        board.connected();
                        online = true;
                        vec![server.snapshot(now)]
                    }
                    "resume" => {
                        board.connected();
                        online = true;
                        server.since(board.seq().unwrap_or(0))
                    }
                    "stream" => {
                        assert!(online, "stream while offline");
                        server.since(board.seq().unwrap_or(0))
                    }
                    "lose" => {
                        board.disconnected(local);
                        online = false;
                        vec![]
                    }
                    "skew" => {
                        skew = SignedDuration::from_secs(words[3].parse().unwrap());
                        continue;
                    }
                    "look" => vec![],
                    other => panic!("unknown display step {other}"),
                };
                for message in messages {
                    for call in board.receive(message, local) {
                        out.push_str(&format!(
                            "  announce {} → {}{}\n",
                            call.number,
                            call.window,
                            if call.recall > 0 { " (recall)" } else { "" }
                        ));
                    }
                }
                out.push_str(&describe(&board, local));
            }
            other => panic!("unknown actor {other}"),
        }
    }
    out
}

fn command(server: &mut Server, now: Timestamp, words: &[&str]) -> Command {
    let window = |i: usize| WindowNo(words[i].parse().expect("a window number"));
    match words[0] {
        "issue" => {
            server.issued += 1;
            let mut issue = Issue::kiosk(format!("t{}", server.issued), words[1]);
            if words.get(2) == Some(&"green") {
                issue.priority = Priority::Green {
                    group: "elderly".into(),
                };
            }
            Command::Issue(issue)
        }
        "open" => Command::OpenWindow {
            window: window(1),
            staff: None,
        },
        "call" => Command::Call {
            window: window(1),
            ticket: None,
        },
        "recall" => Command::Recall { window: window(1) },
        "complete" => Command::Complete { window: window(1) },
        "noshow" => Command::NoShow { window: window(1) },
        "pause" => Command::Pause {
            window: window(1),
            reason: "会议".into(),
        },
        "cancel" => Command::Cancel {
            ticket: TicketId::from(words[1]),
        },
        "transfer" => Command::Transfer {
            window: window(1),
            to: match words[3] {
                "window" => TransferTarget::Window(window(4)),
                category => TransferTarget::Category(category.into()),
            },
        },
        "tick" => {
            let _ = now;
            Command::Tick
        }
        other => panic!("unknown hall command {other}"),
    }
}

fn at(hall: &Hall, hms: &str) -> Timestamp {
    let mut p = hms.split(':').map(|x| x.parse::<i8>().unwrap());
    let (h, m, s) = (p.next().unwrap(), p.next().unwrap(), p.next().unwrap_or(0));
    hall.tz().to_timestamp(DAY.at(h, m, s, 0)).unwrap()
}

/// The board as the wall shows it.
fn describe(board: &Board, local: Timestamp) -> String {
    let link = match board.link() {
        Link::Connecting => "connecting".to_owned(),
        Link::Online => "online".to_owned(),
        Link::Offline { .. } => "OFFLINE".to_owned(),
    };
    let newest = match (board.newest(), board.highlighted(local)) {
        (None, _) => "-".to_owned(),
        (Some(c), Some(_)) => format!("{} → {} HIGHLIGHTED", c.number, c.window),
        (Some(c), None) => format!("{} → {}", c.number, c.window),
    };
    let calls: Vec<String> = board
        .calls()
        .map(|c| {
            format!(
                "{}→{}{}{}",
                c.number,
                c.window,
                if c.green { " 绿" } else { "" },
                if c.recall > 0 { " 重呼" } else { "" }
            )
        })
        .collect();
    let waiting: Vec<String> = board
        .categories()
        .iter()
        .map(|c| format!("{} {}", c.prefix, c.waiting))
        .collect();
    let windows: Vec<String> = board
        .windows()
        .iter()
        .map(|w| {
            let state = match (&w.current, w.open, w.paused) {
                (_, _, true) => "paused".to_owned(),
                (Some(n), _, _) => n.to_string(),
                (None, true, _) => "open".to_owned(),
                (None, false, _) => "closed".to_owned(),
            };
            format!("{} {state}", w.number)
        })
        .collect();
    format!(
        "  [{link} seq {}] newest: {newest}\n  calls: {}\n  waiting: {} | windows: {}\n",
        board.seq().map_or("-".into(), |s| s.to_string()),
        if calls.is_empty() {
            "-".into()
        } else {
            calls.join(", ")
        },
        waiting.join(", "),
        windows.join(", "),
    )
}

#[test]
fn live_calls_are_highlighted_announced_and_counted() {
    insta::assert_snapshot!(run(
        Filter::default(),
        "
        09:00:00 hall open 1
        09:00:00 hall open 3
        09:00:00 display connect
        09:01:00 hall issue a
        09:01:10 hall issue a
        09:01:20 hall issue b green
        09:01:30 display stream
        09:02:00 hall call 1
        09:02:00 display stream
        09:02:05 hall call 3
        09:02:05 display stream
        09:02:13 display look
        09:02:20 hall recall 1
        09:02:20 display stream
        09:02:30 display look
        09:03:00 hall complete 1
        09:03:00 hall pause 1
        09:03:00 display stream
        "
    ));
}

#[test]
fn first_snapshot_lists_recent_calls_and_announces_only_fresh_ones() {
    insta::assert_snapshot!(run(
        Filter::default(),
        "
        09:00:00 hall open 1
        09:00:00 hall open 3
        09:00:00 hall issue a
        09:00:00 hall issue b
        09:00:10 hall call 1
        09:05:00 hall call 3
        09:05:30 display connect
        "
    ));
}

#[test]
fn resume_replays_missed_calls_and_only_recent_ones_are_new() {
    insta::assert_snapshot!(run(
        Filter::default(),
        "
        09:00:00 hall open 1
        09:00:00 hall open 3
        09:00:00 display connect
        09:00:00 hall issue a
        09:00:00 hall issue a
        09:00:00 hall issue b
        09:00:00 display stream
        09:01:00 display lose
        09:02:00 hall call 1
        09:06:00 hall call 3
        09:06:20 display resume
        09:06:30 display look
        "
    ));
}

#[test]
fn resync_never_shows_a_call_twice_nor_an_old_call_as_new() {
    insta::assert_snapshot!(run(
        Filter::default(),
        "
        09:00:00 hall open 1
        09:00:00 hall open 3
        09:00:00 hall issue a
        09:00:00 hall issue a
        09:00:00 hall issue b
        09:00:00 display connect
        09:01:00 hall call 1
        09:01:00 display stream
        09:01:30 display lose
        09:02:00 hall complete 1
        09:02:00 hall call 1
        09:05:00 hall call 3
        09:05:00 hall issue b
        09:05:20 display resync
        09:05:40 display lose
        09:06:00 display resync
        "
    ));
}

#[test]
fn a_sub_centre_display_shows_only_its_site() {
    insta::assert_snapshot!(run(
        Filter {
            site: Some("rs".into()),
            windows: vec![],
        },
        "
        09:00:00 hall open 1
        09:00:00 hall open 101
        09:00:00 display connect
        09:00:10 hall issue a
        09:00:10 hall issue r
        09:00:10 hall issue r
        09:00:20 hall call 1
        09:00:30 hall call 101
        09:00:30 display stream
        "
    ));
}

#[test]
fn transfers_and_no_shows_keep_counts_right() {
    insta::assert_snapshot!(run(
        Filter::default(),
        "
        09:00:00 hall open 1
        09:00:00 hall open 2
        09:00:00 hall open 3
        09:00:00 display connect
        09:00:10 hall issue a
        09:00:10 hall issue a
        09:00:20 hall call 1
        09:00:30 hall transfer 1 to window 2
        09:00:40 hall call 3
        09:00:50 hall call 2
        09:01:00 hall noshow 2
        09:01:00 display stream
        09:01:10 display resync
        "
    ));
}

#[test]
fn a_display_clock_off_by_an_hour_still_tells_new_from_old() {
    insta::assert_snapshot!(run(
        Filter::default(),
        "
        09:00:00 display skew -3600
        09:00:00 hall open 1
        09:00:00 hall issue a
        09:00:00 hall issue a
        09:00:00 display connect
        09:00:30 hall call 1
        09:00:30 display stream
        09:00:45 display lose
        09:01:00 hall complete 1
        09:01:00 hall call 1
        09:09:00 display resume
        "
    ));
}

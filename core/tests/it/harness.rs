//! A readable script harness: commands in, a transcript of events out.
//!
//! Each script line is `HH:MM[:SS] command args…`; the transcript shows each
//! event (or the refusal) in one line, so snapshots read like a day in the
//! hall.

use std::sync::Arc;

use lobby_core::config::{self, SourceFile};
use lobby_core::jiff::Timestamp;
use lobby_core::jiff::civil::{Date, date};
use lobby_core::{
    Appointment, Channel, Command, Event, EventKind, GroupId, Hall, Issue, Lang, Lobby, Priority,
    Rating, TicketId, TransferTarget, WindowNo,
};

/// The default hall shipped in assets/.
pub fn default_hall() -> Arc<Hall> {
    let main = SourceFile {
        name: "assets/hall.toml".into(),
        text: include_str!("../../../assets/hall.toml").into(),
    };
    let hall = config::load(main, |name| match name {
        "matters.toml" => Ok(include_str!("../../../assets/matters.toml").into()),
        other => Err(format!("unexpected include {other}")),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    Arc::new(hall)
}

/// A small hall for readable rule tests: categories a (prefix A) and b
/// (prefix B) and c (prefix C); window 1 serves a, window 2 serves a then
/// overflow b, window 3 serves b, window 4 serves c. Open 09:00–12:00 and
/// 14:00–17:00 on weekdays.
pub const SMALL: &str = r#"
[centre]
name = "测试中心"
day_change = "03:00"

[policy]
max_recalls = 2
no_show_after_s = 120
priority_bound = 2
overflow_after_min = 10
issue_before_open_min = 0
expire_after_close_min = 30

[[sites]]
id = "hall"
name = "大厅"
kind = "hall"

[[green_groups]]
id = "elderly"
name = "老年人"

[[sessions]]
name = "上午"
days = ["mon-fri"]
start = "09:00"
end = "12:00"

[[sessions]]
name = "下午"
days = ["mon-fri"]
start = "14:00"
end = "17:00"

[[categories]]
id = "a"
prefix = "A"
name = "甲业务"
warn_wait_min = 30
warn_handle_min = 20
daily_quota = 5
service_min = 10

[[categories]]
id = "b"
prefix = "B"
name = "乙业务"
service_min = 10

[[categories]]
id = "c"
prefix = "C"
name = "丙业务"
service_min = 10

[[windows]]
number = 1
categories = ["a"]

[[windows]]
number = 2
categories = ["a"]
overflow = ["b"]

[[windows]]
number = 3
categories = ["b"]

[[windows]]
number = 4
categories = ["c"]

[[matters]]
id = "A-1"
name = "甲事项"
category = "a"
kind = "approval"
"#;

/// The small hall.
pub fn small_hall() -> Arc<Hall> {
    hall_of(SMALL)
}

/// A hall from configuration text (a variant of [`SMALL`]).
pub fn hall_of(text: &str) -> Arc<Hall> {
    let main = SourceFile {
        name: "small.toml".into(),
        text: text.into(),
    };
    Arc::new(config::parse(&[main]).unwrap_or_else(|e| panic!("{e}")))
}

/// A weekday used by the scripts: Wednesday 2026-11-25.
pub const DAY: Date = date(2026, 11, 25);

/// Runs a script against a fresh lobby and returns the transcript.
pub fn run(hall: Arc<Hall>, script: &str) -> String {
    let mut lobby = Lobby::new(hall);
    run_on(&mut lobby, script)
}

/// Runs a script against a lobby and returns the transcript.
pub fn run_on(lobby: &mut Lobby, script: &str) -> String {
    let mut out = String::new();
    let mut day = DAY;
    for line in script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut words = line.split_whitespace();
        let first = words.next().expect("a time");
        if first == "day" {
            day = words.next().expect("a date").parse().expect("a date");
            out.push_str(&format!("-- {day}\n"));
            continue;
        }
        let now = at(lobby.hall(), day, first);
        let words: Vec<&str> = words.collect();
        if words[0] == "expect" {
            let id = TicketId::from(words[1]);
            let e = lobby.estimate(&id, now).expect("known ticket");
            out.push_str(&format!(
                "{first}   {} ahead {} wait {}s{}\n",
                words[1],
                e.ahead,
                e.wait_s,
                if e.past_close { " (past close)" } else { "" }
            ));
            continue;
        }
        let command = parse(lobby.hall(), now, &words);
        match lobby.handle(now, command) {
            Ok(events) if events.is_empty() => out.push_str(&format!(
                "{first} {line_rest}: (nothing)\n",
                line_rest = words.join(" ")
            )),
            Ok(events) => {
                for e in events {
                    out.push_str(&format!("{first} {}\n", describe(&e)));
                }
            }
            Err(r) => out.push_str(&format!(
                "{first} {}: refused {} ({})\n",
                words.join(" "),
                r.code(),
                r.message(Lang::Zh)
            )),
        }
        lobby
            .check_invariants()
            .unwrap_or_else(|e| panic!("after `{line}`: {e}"));
    }
    out
}

/// The instant of a local time on a day in the hall's zone.
pub fn at(hall: &Hall, day: Date, hhmm: &str) -> Timestamp {
    let mut parts = hhmm.split(':').map(|p| p.parse::<i8>().expect("a time"));
    let (h, m, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap_or(0),
    );
    hall.tz()
        .to_timestamp(day.at(h, m, s, 0))
        .expect("a valid local time")
}

fn parse(hall: &Hall, now: Timestamp, words: &[&str]) -> Command {
    let window = |i: usize| WindowNo(words[i].parse().expect("a window number"));
    match words[0] {
        "issue" => {
            // issue ID CATEGORY [green] [matter=M] [site=S] [desk] [assisted] [stops=x,y]
            //   [appt=+MIN]
            let mut issue = Issue::kiosk(words[1], words[2]);
            for w in &words[3..] {
                match *w {
                    "green" => {
                        issue.priority = Priority::Green {
                            group: GroupId::from("elderly"),
                        }
                    }
                    "desk" => issue.channel = Channel::GuideDesk,
                    "assisted" => issue.assisted = true,
                    w if w.starts_with("matter=") => issue.matter = Some(w[7..].into()),
                    w if w.starts_with("site=") => issue.site = Some(w[5..].into()),
                    w if w.starts_with("group=") => {
                        issue.priority = Priority::Green {
                            group: w[6..].into(),
                        }
                    }
                    w if w.starts_with("stops=") => {
                        issue.stops = w[6..].split(',').map(Into::into).collect()
                    }
                    w if w.starts_with("appt=") => {
                        let minutes: i64 = w[5..].parse().expect("minutes");
                        let start = now
                            .checked_add(lobby_core::jiff::SignedDuration::from_mins(minutes))
                            .unwrap();
                        issue.channel = Channel::Appointment;
                        issue.appointment = Some(Appointment {
                            code: "YY123".into(),
                            slot_start: start,
                            slot_end: start
                                .checked_add(lobby_core::jiff::SignedDuration::from_mins(30))
                                .unwrap(),
                        });
                    }
                    other => panic!("unknown issue option {other}"),
                }
            }
            let _ = hall;
            Command::Issue(issue)
        }
        "call" => Command::Call {
            window: window(1),
            ticket: words.get(2).map(|t| TicketId::from(*t)),
        },
        "recall" => Command::Recall { window: window(1) },
        "start" => Command::Start { window: window(1) },
        "complete" => Command::Complete { window: window(1) },
        "noshow" => Command::NoShow { window: window(1) },
        "open" => Command::OpenWindow {
            window: window(1),
            staff: words.get(2).map(|s| (*s).to_owned()),
        },
        "close" => Command::CloseWindow { window: window(1) },
        "pause" => Command::Pause {
            window: window(1),
            reason: words[2..].join(" "),
        },
        "resume" => Command::Resume { window: window(1) },
        "transfer" => {
            let to = match words[2].parse::<u32>() {
                Ok(n) => TransferTarget::Window(WindowNo(n)),
                Err(_) => TransferTarget::Category(words[2].into()),
            };
            Command::Transfer {
                window: window(1),
                to,
            }
        }
        "reactivate" => Command::Reactivate {
            ticket: words[1].into(),
        },
        "cancel" => Command::Cancel {
            ticket: words[1].into(),
        },
        "rate" => Command::Rate {
            ticket: words[1].into(),
            rating: match words[2] {
                "5" => Rating::VerySatisfied,
                "4" => Rating::Satisfied,
                "3" => Rating::Neutral,
                "2" => Rating::Dissatisfied,
                _ => Rating::VeryDissatisfied,
            },
            comment: (words.len() > 3).then(|| words[3..].join(" ")),
        },
        "tick" => Command::Tick,
        other => panic!("unknown command {other}"),
    }
}

/// One event in one line.
pub fn describe(e: &Event) -> String {
    match &e.kind {
        EventKind::Issued { ticket: t } => format!(
            "issued {} {}{}{}{} ahead {} wait {}s{}",
            t.id,
            t.number,
            if t.priority.is_green() { " green" } else { "" },
            if t.assisted { " assisted" } else { "" },
            if t.appointment.is_some() {
                " appointment"
            } else {
                ""
            },
            t.estimate.ahead,
            t.estimate.wait_s,
            if t.estimate.past_close {
                " (past close)"
            } else {
                ""
            },
        ),
        EventKind::Called {
            number,
            window,
            green,
            ..
        } => {
            format!(
                "called {number} to window {window}{}",
                if *green { " (green)" } else { "" }
            )
        }
        EventKind::Recalled {
            number,
            window,
            recall,
            ..
        } => format!("recalled {number} to window {window} (#{recall})"),
        EventKind::Started { number, window, .. } => format!("started {number} at window {window}"),
        EventKind::Completed {
            number,
            window,
            served_s,
            next_stop,
            ..
        } => match next_stop {
            Some(c) => {
                format!("completed {number} at window {window} in {served_s}s, next stop {c}")
            }
            None => format!("completed {number} at window {window} in {served_s}s"),
        },
        EventKind::NoShow {
            number,
            window,
            auto,
            ..
        } => {
            format!(
                "no-show {number} at window {window}{}",
                if *auto { " (automatic)" } else { "" }
            )
        }
        EventKind::Reactivated { number, .. } => format!("reactivated {number}"),
        EventKind::Transferred {
            number,
            from_window,
            to,
            ..
        } => match to {
            TransferTarget::Category(c) => {
                format!("transferred {number} from window {from_window} to category {c}")
            }
            TransferTarget::Window(w) => {
                format!("transferred {number} from window {from_window} to window {w}")
            }
        },
        EventKind::Cancelled { number, .. } => format!("cancelled {number}"),
        EventKind::Expired { number, was, .. } => format!("expired {number} (was {was:?})"),
        EventKind::WindowOpened {
            window,
            staff: None,
        } => format!("window {window} opened"),
        EventKind::WindowOpened {
            window,
            staff: Some(s),
        } => format!("window {window} opened by {s}"),
        EventKind::WindowClosed { window } => format!("window {window} closed"),
        EventKind::Paused { window, reason } => format!("window {window} paused: {reason}"),
        EventKind::Resumed { window } => format!("window {window} resumed"),
        EventKind::YellowCard {
            number,
            reason,
            minutes,
            window,
            ..
        } => format!(
            "yellow card {number}: {reason:?} {minutes} min{}",
            window
                .map(|w| format!(" at window {w}"))
                .unwrap_or_default()
        ),
        EventKind::Rated {
            ticket,
            rating,
            comment,
            ..
        } => match comment {
            Some(c) => format!("rated {ticket}: {} «{c}»", rating.label_zh()),
            None => format!("rated {ticket}: {}", rating.label_zh()),
        },
        EventKind::DayChanged { day } => format!("day {day} begins"),
        EventKind::SiteClosed { site } => format!("site {site} closed"),
    }
}

//! Each peer policy's ordering rule on tiny hand-made queues, driven
//! through a real Lobby.

use std::sync::Arc;

use lobby_core::config::{self, SourceFile};
use lobby_core::jiff::Timestamp;
use lobby_core::jiff::civil::date;
use lobby_core::{
    Appointment, Channel, Command, GroupId, Hall, Issue, Lobby, Priority, TicketId, WindowNo,
};
use lobby_sim::policy::{self, Pick};

/// Window 1 serves a, with b as overflow; window 2 serves b only.
const HALL: &str = r#"
[centre]
name = "测试中心"

[policy]
issue_before_open_min = 0

[[sites]]
id = "hall"
name = "大厅"
kind = "hall"

[[green_groups]]
id = "elderly"
name = "老年人"

[[sessions]]
name = "全天"
days = ["mon-fri"]
start = "08:00"
end = "18:00"

[[categories]]
id = "a"
prefix = "A"
name = "甲"

[[categories]]
id = "b"
prefix = "B"
name = "乙"

[[windows]]
number = 1
categories = ["a"]
overflow = ["b"]

[[windows]]
number = 2
categories = ["b"]
"#;

fn hall() -> Arc<Hall> {
    let main = SourceFile {
        name: "test.toml".into(),
        text: HALL.into(),
    };
    Arc::new(config::parse(&[main]).unwrap_or_else(|e| panic!("{e}")))
}

fn at(hall: &Hall, h: i8, m: i8) -> Timestamp {
    hall.tz()
        .to_timestamp(date(2026, 11, 25).at(h, m, 0, 0))
        .unwrap()
}

/// A lobby with tickets issued at the given minutes after 09:00:
/// (id, category, green, appointment slot minute).
fn lobby(tickets: &[(&str, &str, bool, Option<i8>)]) -> (Lobby, Timestamp) {
    let hall = hall();
    let mut lobby = Lobby::new(hall.clone());
    for (i, (id, category, green, slot)) in tickets.iter().enumerate() {
        let mut issue = Issue::kiosk(*id, *category);
        if *green {
            issue.priority = Priority::Green {
                group: GroupId::from("elderly"),
            };
        }
        if let Some(m) = slot {
            issue.channel = Channel::Appointment;
            issue.appointment = Some(Appointment {
                code: format!("YY{i}"),
                slot_start: at(&hall, 9, *m),
                slot_end: at(&hall, 9, *m)
                    .checked_add(lobby_core::jiff::SignedDuration::from_mins(30))
                    .unwrap(),
            });
        }
        lobby
            .handle(at(&hall, 9, i as i8), Command::Issue(issue))
            .unwrap();
    }
    let now = at(&hall, 9, 40);
    (lobby, now)
}

fn pick(name: &str, lobby: &Lobby, window: u32, now: Timestamp) -> Pick {
    let mut p = policy::by_name(name).unwrap();
    let w = lobby.hall().window(WindowNo(window)).unwrap().clone();
    p.choose(lobby, &w, now)
}

fn ticket(id: &str) -> Pick {
    Pick::Ticket(TicketId::from(id))
}

#[test]
fn ours_leaves_the_choice_to_the_core() {
    let (l, now) = lobby(&[("a1", "a", false, None)]);
    assert_eq!(pick("lobby", &l, 1, now), Pick::Core);
}

#[test]
fn fifo_ignores_the_green_channel_and_keeps_to_primary_queues() {
    // b1 is older but overflow; g1 is green but younger than a1.
    let (l, now) = lobby(&[
        ("b1", "b", false, None),
        ("a1", "a", false, None),
        ("g1", "a", true, None),
    ]);
    assert_eq!(pick("fifo", &l, 1, now), ticket("a1"));
    // Overflow only when the primary queue is empty.
    let (l, now) = lobby(&[("b1", "b", false, None), ("b2", "b", true, None)]);
    assert_eq!(pick("fifo", &l, 1, now), ticket("b1"));
}

#[test]
fn novosga_orders_by_appointment_then_service_weight_then_priority() {
    let (l, now) = lobby(&[
        ("a1", "a", false, None),
        ("b1", "b", true, None),
        ("a2", "a", true, None),
        ("b2", "b", false, Some(30)),
    ]);
    // The booked ticket first, even in an overflow category.
    assert_eq!(pick("novosga", &l, 1, now), ticket("b2"));
    // Without it: the primary service (weight 1) before the overflow one,
    // and within it the green ticket before the older normal one.
    let (l, now) = lobby(&[
        ("a1", "a", false, None),
        ("b1", "b", true, None),
        ("a2", "a", true, None),
    ]);
    assert_eq!(pick("novosga", &l, 1, now), ticket("a2"));
}

#[test]
fn qsystem_takes_the_highest_coefficient_queue_then_priority_then_arrival() {
    let (l, now) = lobby(&[
        ("b1", "b", true, None),
        ("a1", "a", false, None),
        ("a2", "a", false, None),
    ]);
    // The green overflow ticket waits: the primary queue has the higher
    // coefficient.
    assert_eq!(pick("qsystem", &l, 1, now), ticket("a1"));
    // Appointments are ordinary visitors to QSystem.
    let (l, now) = lobby(&[("b1", "b", false, None), ("b2", "b", false, Some(0))]);
    assert_eq!(pick("qsystem", &l, 2, now), ticket("b1"));
}

#[test]
fn green_first_pre_empts_across_all_categories_then_first_come() {
    let (l, now) = lobby(&[
        ("a1", "a", false, None),
        ("b1", "b", false, None),
        ("b2", "b", true, None),
    ]);
    assert_eq!(pick("green-first", &l, 1, now), ticket("b2"));
    let (l, now) = lobby(&[("b1", "b", false, None), ("a1", "a", false, None)]);
    // The overflow ticket is older: first come, first served.
    assert_eq!(pick("green-first", &l, 1, now), ticket("b1"));
}

#[test]
fn qmatic_interleaves_green_primary_and_overflow_two_three_one() {
    let mut tickets = Vec::new();
    let names: Vec<String> = (0..4)
        .flat_map(|i| [format!("g{i}"), format!("a{i}"), format!("b{i}")])
        .collect();
    for n in &names {
        let (category, green) = match &n[..1] {
            "g" => ("a", true),
            "a" => ("a", false),
            _ => ("b", false),
        };
        tickets.push((n.as_str(), category, green, None));
    }
    let (mut l, now) = lobby(&tickets);
    let hall = l.hall().clone();
    let window = hall.window(WindowNo(1)).unwrap().clone();
    let mut qmatic = policy::by_name("qmatic").unwrap();
    let mut lanes = String::new();
    for _ in 0..6 {
        let Pick::Ticket(id) = qmatic.choose(&l, &window, now) else {
            panic!("qmatic found nothing");
        };
        lanes.push_str(&id.as_str()[..1]);
        l.handle(
            now,
            Command::Call {
                window: WindowNo(1),
                ticket: Some(id),
            },
        )
        .unwrap();
        l.handle(
            now,
            Command::Complete {
                window: WindowNo(1),
            },
        )
        .unwrap();
    }
    assert_eq!(lanes, "gaagab");
}

#[test]
fn every_policy_is_known_by_name() {
    for name in policy::NAMES {
        assert_eq!(policy::by_name(name).unwrap().name(), name);
    }
    assert!(policy::by_name("nonsense").is_none());
}

//! Property tests over random command sequences: whatever staff and
//! visitors do, no ticket is lost or served twice, numbers are unique,
//! queues are first-come first-served within a lane, the green channel goes
//! first within its bound, and everything waiting is eventually called.

use std::collections::{HashMap, HashSet};

use lobby_core::jiff::{SignedDuration, Timestamp};
use lobby_core::{
    Command, EventKind, GroupId, Issue, Lobby, Priority, Status, TicketId, TransferTarget, WindowNo,
};
use proptest::prelude::*;

use crate::harness::{DAY, at, small_hall};

#[derive(Debug, Clone)]
enum Op {
    Issue { category: usize, green: bool },
    CallNext(u32),
    CallSpecific(u32, usize),
    Recall(u32),
    Start(u32),
    Complete(u32),
    NoShow(u32),
    TransferCategory(u32, usize),
    TransferWindow(u32, u32),
    Pause(u32),
    Resume(u32),
    Cancel(usize),
    Reactivate(usize),
    Tick,
    Wait(u16),
}

const CATEGORIES: [&str; 3] = ["a", "b", "c"];

fn op(with_disorder: bool) -> impl Strategy<Value = Op> {
    let window = 1u32..=4;
    let orderly = prop_oneof![
        4 => (0usize..3, prop::bool::weighted(0.3)).prop_map(|(category, green)| Op::Issue { category, green }),
        4 => window.clone().prop_map(Op::CallNext),
        1 => window.clone().prop_map(Op::Recall),
        2 => window.clone().prop_map(Op::Start),
        3 => window.clone().prop_map(Op::Complete),
        1 => window.clone().prop_map(Op::NoShow),
        1 => window.clone().prop_map(Op::Pause),
        1 => window.clone().prop_map(Op::Resume),
        1 => Just(Op::Tick),
        2 => (1u16..400).prop_map(Op::Wait),
    ];
    if with_disorder {
        prop_oneof![
            10 => orderly,
            1 => (window.clone(), 0usize..50).prop_map(|(w, t)| Op::CallSpecific(w, t)),
            1 => (window.clone(), 0usize..3).prop_map(|(w, c)| Op::TransferCategory(w, c)),
            1 => (window.clone(), window.clone()).prop_map(|(w, t)| Op::TransferWindow(w, t)),
            1 => (0usize..50).prop_map(Op::Cancel),
            1 => (0usize..50).prop_map(Op::Reactivate),
        ]
        .boxed()
    } else {
        orderly.boxed()
    }
}

/// Drives a lobby with a sequence of ops from 09:00 on the test day.
struct Drive {
    lobby: Lobby,
    now: Timestamp,
    issued: Vec<TicketId>,
    /// Every event so far, in order.
    events: Vec<lobby_core::Event>,
}

impl Drive {
    fn new() -> Drive {
        let hall = small_hall();
        let now = at(&hall, DAY, "09:00");
        Drive {
            lobby: Lobby::new(hall),
            now,
            issued: Vec::new(),
            events: Vec::new(),
        }
    }

    fn ticket(&self, i: usize) -> TicketId {
        if self.issued.is_empty() {
            TicketId::from("none")
        } else {
            self.issued[i % self.issued.len()].clone()
        }
    }

    fn command(&self, op: &Op) -> Command {
        let w = WindowNo;
        match op {
            Op::Issue { category, green } => {
                let mut issue =
                    Issue::kiosk(format!("t{}", self.issued.len()), CATEGORIES[*category]);
                if *green {
                    issue.priority = Priority::Green {
                        group: GroupId::from("elderly"),
                    };
                }
                Command::Issue(issue)
            }
            Op::CallNext(n) => Command::Call {
                window: w(*n),
                ticket: None,
            },
            Op::CallSpecific(n, t) => Command::Call {
                window: w(*n),
                ticket: Some(self.ticket(*t)),
            },
            Op::Recall(n) => Command::Recall { window: w(*n) },
            Op::Start(n) => Command::Start { window: w(*n) },
            Op::Complete(n) => Command::Complete { window: w(*n) },
            Op::NoShow(n) => Command::NoShow { window: w(*n) },
            Op::TransferCategory(n, c) => Command::Transfer {
                window: w(*n),
                to: TransferTarget::Category(CATEGORIES[*c].into()),
            },
            Op::TransferWindow(n, t) => Command::Transfer {
                window: w(*n),
                to: TransferTarget::Window(w(*t)),
            },
            Op::Pause(n) => Command::Pause {
                window: w(*n),
                reason: "离开".into(),
            },
            Op::Resume(n) => Command::Resume { window: w(*n) },
            Op::Cancel(t) => Command::Cancel {
                ticket: self.ticket(*t),
            },
            Op::Reactivate(t) => Command::Reactivate {
                ticket: self.ticket(*t),
            },
            Op::Tick | Op::Wait(_) => Command::Tick,
        }
    }

    fn run(&mut self, op: &Op) -> Result<(), TestCaseError> {
        if let Op::Wait(s) = op {
            self.now = self
                .now
                .checked_add(SignedDuration::from_secs(i64::from(*s)))
                .unwrap();
        }
        let command = self.command(op);
        let before = self.lobby.snapshot();
        match self.lobby.handle(self.now, command.clone()) {
            Ok(events) => {
                for e in &events {
                    if let EventKind::Issued { ticket } = &e.kind {
                        self.issued.push(ticket.id.clone());
                    }
                }
                self.events.extend(events);
            }
            Err(_) => {
                prop_assert_eq!(
                    &before,
                    &self.lobby.snapshot(),
                    "a refusal changed the state"
                );
            }
        }
        self.lobby.check_invariants().map_err(TestCaseError::fail)?;
        Ok(())
    }

    /// Stop issuing; windows keep completing and calling until nothing is
    /// left. Returns how many rounds it took.
    fn drain(&mut self) -> Result<usize, TestCaseError> {
        for n in 1..=4 {
            let _ = self.lobby.handle(
                self.now,
                Command::Resume {
                    window: WindowNo(n),
                },
            );
        }
        let limit = self.issued.len() * 4 + 10;
        for round in 0..limit {
            let mut called = false;
            for n in 1..=4 {
                let window = WindowNo(n);
                let _ = self.lobby.handle(self.now, Command::Complete { window });
                if let Ok(events) = self.lobby.handle(
                    self.now,
                    Command::Call {
                        window,
                        ticket: None,
                    },
                ) {
                    called |= events
                        .iter()
                        .any(|e| matches!(e.kind, EventKind::Called { .. }));
                    self.events.extend(events);
                }
                self.lobby.check_invariants().map_err(TestCaseError::fail)?;
            }
            self.now = self.now.checked_add(SignedDuration::from_secs(30)).unwrap();
            if !called {
                return Ok(round);
            }
        }
        Err(TestCaseError::fail(
            "windows kept calling but tickets still waited",
        ))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Safety, whatever the order of commands: a refusal changes nothing,
    /// indexes stay consistent, no ticket is held by two windows, numbers
    /// are unique, replaying the events rebuilds the same state, and after
    /// a drain every ticket was called (nothing lost).
    #[test]
    fn nothing_lost_nothing_served_twice(ops in prop::collection::vec(op(true), 1..150)) {
        let mut d = Drive::new();
        for op in &ops {
            d.run(op)?;
        }
        // At most one window holds a ticket.
        let mut held = HashSet::new();
        for ws in d.lobby.windows() {
            if let Some(id) = &ws.current {
                prop_assert!(held.insert(id.clone()), "{id} held twice");
            }
        }
        // Numbers unique per category and day.
        let mut numbers = HashSet::new();
        for t in d.lobby.tickets() {
            prop_assert!(numbers.insert((t.day, t.number.clone())), "number {} reused", t.number);
        }
        // Replay rebuilds the same state; so does a snapshot.
        let mut replay = Lobby::new(d.lobby.hall().clone());
        for e in &d.events {
            replay.apply(e);
        }
        prop_assert_eq!(replay.snapshot(), d.lobby.snapshot());
        let restored = Lobby::from_snapshot(d.lobby.hall().clone(), d.lobby.snapshot());
        prop_assert_eq!(restored.snapshot(), d.lobby.snapshot());
        // Liveness: everything still waiting gets called.
        d.drain()?;
        for t in d.lobby.tickets() {
            prop_assert!(t.status != Status::Waiting, "{} still waits", t.number);
        }
    }

    /// Without transfers or specific calls: within a category and lane,
    /// tickets are called in the order they were issued; and a window
    /// never calls more than `priority_bound` green tickets in a row while
    /// a normal ticket waits for it, nor a normal ticket while green ones
    /// wait and the bound is not reached.
    #[test]
    fn fifo_within_a_lane_and_green_first_within_the_bound(ops in prop::collection::vec(op(false), 1..200)) {
        let mut d = Drive::new();
        let bound = d.lobby.hall().policy.priority_bound;
        let mut streak: HashMap<u32, u32> = HashMap::new();
        for op in &ops {
            if let Op::CallNext(n) = op {
                // Windows 1, 3 and 4 serve a single category each.
                let category = match n { 1 => Some("a"), 3 => Some("b"), 4 => Some("c"), _ => None };
                let waiting: Vec<bool> = category
                    .map(|c| d.lobby.waiting(&c.into()).iter().map(|t| t.priority.is_green()).collect())
                    .unwrap_or_default();
                let green_waits = waiting.iter().any(|g| *g);
                let normal_waits = waiting.iter().any(|g| !*g);
                let before = d.events.len();
                d.run(op)?;
                let called = d.events[before..].iter().find_map(|e| match &e.kind {
                    EventKind::Called { green, .. } => Some(*green),
                    _ => None,
                });
                if let (Some(green), Some(_)) = (called, category) {
                    let s = streak.entry(*n).or_default();
                    if green && normal_waits {
                        prop_assert!(*s < bound, "window {n}: green call beyond the bound");
                        *s += 1;
                    } else if !green && green_waits {
                        prop_assert!(*s >= bound, "window {n}: normal call while green waited");
                        *s = 0;
                    } else if !green {
                        *s = 0;
                    } else {
                        *s += 1;
                    }
                }
            } else {
                d.run(op)?;
            }
        }
        d.drain()?;
        // FIFO per (category, lane): calls of never-requeued tickets come
        // in issue order.
        let mut requeued = HashSet::new();
        let mut last: HashMap<(String, bool), u64> = HashMap::new();
        let place: HashMap<TicketId, u64> = d.lobby.tickets().map(|t| (t.id.clone(), t.place)).collect();
        for e in &d.events {
            match &e.kind {
                EventKind::Called { ticket, category, green, .. }
                    if requeued.insert(ticket.clone()) => {
                        let p = place[ticket];
                        let key = (category.to_string(), *green);
                        let prev = last.insert(key, p).unwrap_or(0);
                        prop_assert!(p > prev, "ticket {ticket} called out of order");
                    }
                EventKind::Reactivated { ticket, .. } => { requeued.insert(ticket.clone()); }
                _ => {}
            }
        }
    }
}

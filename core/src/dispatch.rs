//! The dispatcher: which waiting ticket a window calls next.
//!
//! # Policy
//!
//! For a window, in this order:
//!
//! 1. **Tickets transferred to this very window**, oldest place first. A
//!    colleague sent the visitor here on purpose.
//! 2. **Priority tickets of the window's primary categories**: the green
//!    channel (老、弱、病、残、军) first, then appointments whose slot has
//!    come (from `appointment_early_min` before the slot start).
//! 3. **Normal tickets**: each category's queue is first-come first-served
//!    by place; across the window's categories the window calls the queue
//!    whose head is due for a yellow card first (earliest issue time plus
//!    the category's `warn_wait_min`). An overflow category is weighed as a
//!    whole, by its oldest waiting ticket (green or not), and its deadline
//!    is pushed back by its `overflow_after_min`, so a window keeps to its
//!    own visitors unless an overflow queue is that much further behind;
//!    when the window does help it, that category's green channel goes
//!    first. When the window's primary queues are empty, every category it
//!    serves counts as its own and it helps at once.
//!
//! **Bound.** A window calls at most `policy.priority_bound` priority
//! tickets in a row while a normal ticket it could call is waiting; then it
//! calls one normal ticket and the count starts again. So the green channel
//! is served first, but a normal ticket at the head of its queue waits for
//! at most `priority_bound` priority calls at each window serving it, and
//! every waiting ticket is eventually called while windows keep calling.
//!
//! "Place" is a hall-wide issue sequence that a ticket keeps when it is
//! transferred, re-activated or moves to its next stop, so it never loses
//! its turn.
//!
//! # Why deadlines across categories
//!
//! Measured with `lobby-sim` (sim/, BENCHMARKS.md "Simulator"). The
//! earlier rule let an overflow queue in once its oldest ticket had waited
//! `overflow_after_min`, then took the lowest place across all lanes. On a
//! busy day every overflow queue passes that threshold, so the
//! comprehensive windows 64–67 served their five overflow categories almost
//! only and their own category (综合事务代办, served nowhere else) waited
//! more than twice the hall's mean. Comparing deadlines instead keeps each
//! window on its own categories until another queue is clearly further
//! behind, and weighs categories by the hall's own waiting-time promise
//! (the yellow-card threshold). Busy day, seeds 1–20, against the old rule
//! on the same visitors: mean 7.5 → 7.4 min, maximum 61.6 → 54.6 min, worst
//! category 2.48 → 2.07 times the mean; p90 23.0 → 23.1 min.
//!
//! # Overflow priority tickets
//!
//! The earlier rule made an overflow category's green tickets and due
//! appointments absolute priority at a helping window once the oldest of
//! them had waited `overflow_after_min`. Appointments check in up to 30
//! minutes early, so by their slot they had "waited" long enough at once,
//! and the comprehensive windows 64–67, which help five categories, called
//! those categories' priority tickets ahead of their own queue. Weighing
//! an overflow category as a whole instead (its appointments then wait in
//! its queue by place, served first at the category's own windows), busy
//! day, seeds 1–20, against the earlier rule on the same visitors: mean
//! 7.40 → 7.37 min, p90 23.10 → 23.16, green mean 1.65 → 1.61 (green p90
//! 3.83 → 3.36), worst category 2.07 → 2.05 times the mean (within 2× in 11
//! rather than 9 seeds); seeds 1–40: mean 7.64 → 7.63, worst 2.13 → 2.11
//! (19 rather than 17 of 40 seeds). The ordinary day is unchanged.
//!
//! # What it does not meet
//!
//! On the busy day it misses two of issue 8's targets: its p90 wait is
//! above strict FIFO's, and some category's mean wait is over twice the
//! hall's. Both are the price of the rules above, not of the order across
//! queues: the green channel first, due appointments and one-stop places
//! send about a fifth of the calls ahead of tickets that joined before
//! them, and the worst category is set by the hall's windows (综合事务代办
//! has only windows 64–67). No rule for choosing across a window's queues
//! measured meets them while keeping those rules.
//!
//! The variants measured and not kept, with their figures: BENCHMARKS.md,
//! "Dispatcher variants measured".
//!
//! # Cost
//!
//! Queues are ordered sets per category and lane, so choosing looks at the
//! head of each lane the window serves: O(k log n) for k categories, never a
//! scan of the waiting tickets.

use std::collections::BTreeSet;

use jiff::{Timestamp, ToSpan};

use crate::hall::{Hall, Window};
use crate::ticket::Ticket;

/// The three lanes of one category.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lanes {
    /// Green-channel tickets by place.
    pub(crate) green: BTreeSet<u64>,
    /// Normal tickets (and appointments, until called) by place.
    pub(crate) normal: BTreeSet<u64>,
    /// Appointment tickets by slot start, then place.
    pub(crate) appointment: BTreeSet<(Timestamp, u64)>,
    /// Waiting tickets without a yellow card yet, by when they joined.
    pub(crate) watch: BTreeSet<(Timestamp, u64)>,
}

impl Lanes {
    pub(crate) fn len(&self) -> usize {
        self.green.len() + self.normal.len()
    }
}

/// Every waiting ticket, indexed for the dispatcher.
#[derive(Debug, Clone, Default)]
pub(crate) struct Queues {
    /// Per category, in the hall's category order.
    pub(crate) lanes: Vec<Lanes>,
    /// Per window, in the hall's window order: tickets transferred to it.
    pub(crate) windows: Vec<BTreeSet<u64>>,
}

/// Where a waiting ticket is queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// In a category's lanes.
    Category(usize),
    /// In a window's transfer queue.
    Window(usize),
}

impl Queues {
    pub(crate) fn new(hall: &Hall) -> Queues {
        Queues {
            lanes: vec![Lanes::default(); hall.categories.len()],
            windows: vec![BTreeSet::new(); hall.windows.len()],
        }
    }

    /// Adds a waiting ticket to the lanes it belongs in.
    pub(crate) fn insert(&mut self, slot: Slot, t: &Ticket) {
        match slot {
            Slot::Window(w) => {
                self.windows[w].insert(t.place);
            }
            Slot::Category(c) => {
                let lanes = &mut self.lanes[c];
                if t.priority.is_green() {
                    lanes.green.insert(t.place);
                } else {
                    lanes.normal.insert(t.place);
                    if let Some(a) = &t.appointment {
                        lanes.appointment.insert((a.slot_start, t.place));
                    }
                }
                if !t.warned {
                    lanes.watch.insert((t.queued_at, t.place));
                }
            }
        }
    }

    /// Removes a ticket from wherever it waits.
    pub(crate) fn remove(&mut self, slot: Slot, t: &Ticket) {
        match slot {
            Slot::Window(w) => {
                self.windows[w].remove(&t.place);
            }
            Slot::Category(c) => {
                let lanes = &mut self.lanes[c];
                lanes.green.remove(&t.place);
                lanes.normal.remove(&t.place);
                if let Some(a) = &t.appointment {
                    lanes.appointment.remove(&(a.slot_start, t.place));
                }
                lanes.watch.remove(&(t.queued_at, t.place));
            }
        }
    }
}

/// What the dispatcher picked, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Choice {
    /// The chosen ticket's place.
    pub(crate) place: u64,
    /// Whether it was a priority call (green or due appointment).
    pub(crate) priority: bool,
}

/// The window-independent facts the dispatcher needs about tickets.
pub(crate) trait TicketLookup {
    fn ticket(&self, place: u64) -> &Ticket;
}

/// Chooses the next ticket for a window, following the policy above.
pub(crate) fn choose(
    hall: &Hall,
    queues: &Queues,
    tickets: &impl TicketLookup,
    window: &Window,
    window_index: usize,
    priority_streak: u32,
    now: Timestamp,
) -> Option<Choice> {
    if let Some(&place) = queues.windows[window_index].first() {
        return Some(Choice {
            place,
            priority: false,
        });
    }
    let early = i64::from(hall.policy.appointment_early_min).minutes();
    let primary_empty = window.primary().iter().all(|c| {
        hall.category_index(c)
            .is_none_or(|i| queues.lanes[i].len() == 0)
    });

    let mut green: Option<u64> = None;
    let mut appointment: Option<(Timestamp, u64)> = None;
    // The earliest yellow-card deadline of a normal queue head, and its
    // place.
    let mut normal: Option<(Timestamp, u64)> = None;
    for (k, category) in window.categories.iter().enumerate() {
        // A window's categories are validated against the hall, so the
        // index exists.
        let Some(ci) = hall.category_index(category) else {
            continue;
        };
        let lanes = &queues.lanes[ci];
        let c = &hall.categories[ci];
        let overflow = k >= window.primary && !primary_empty;
        if overflow {
            // An overflow category is weighed as a whole, by its oldest
            // waiting ticket, green or not; when it is this window's turn to
            // help it, its green channel goes first (within the bound).
            let oldest = [lanes.green.first(), lanes.normal.first()]
                .into_iter()
                .flatten()
                .map(|&p| tickets.ticket(p).issued_at)
                .min();
            let pick = if priority_streak >= hall.policy.priority_bound {
                lanes.normal.first().or(lanes.green.first())
            } else {
                lanes.green.first().or(lanes.normal.first())
            };
            if let (Some(issued), Some(&p)) = (oldest, pick) {
                let slack = i64::from(c.warn_wait_min) + i64::from(c.overflow_after_min);
                earliest(&mut normal, issued, slack, p);
            }
            continue;
        }
        if let Some(&p) = lanes.green.first() {
            green = Some(green.map_or(p, |g| g.min(p)));
        }
        if let Some(&(slot, p)) = lanes.appointment.first() {
            let due = slot.checked_sub(early).unwrap_or(slot) <= now;
            if due && appointment.is_none_or(|a| (slot, p) < a) {
                appointment = Some((slot, p));
            }
        }
        if let Some(&p) = lanes.normal.first() {
            let issued = tickets.ticket(p).issued_at;
            earliest(&mut normal, issued, i64::from(c.warn_wait_min), p);
        }
    }

    let normal = normal.map(|(_, p)| p);
    let priority = green.or(appointment.map(|(_, p)| p));
    match (priority, normal) {
        (Some(p), Some(n)) if priority_streak >= hall.policy.priority_bound && p != n => {
            Some(Choice {
                place: n,
                priority: false,
            })
        }
        (Some(p), _) => Some(Choice {
            place: p,
            priority: true,
        }),
        (None, Some(n)) => Some(Choice {
            place: n,
            priority: false,
        }),
        (None, None) => None,
    }
}

/// Keeps in `best` the earlier of it and the deadline `slack_min` minutes
/// after `issued` for the ticket at place `p`.
fn earliest(best: &mut Option<(Timestamp, u64)>, issued: Timestamp, slack_min: i64, p: u64) {
    let deadline = issued.checked_add(slack_min.minutes()).unwrap_or(issued);
    if best.is_none_or(|b| (deadline, p) < b) {
        *best = Some((deadline, p));
    }
}

//! The dispatcher: which waiting ticket a window calls next.
//!
//! # Policy
//!
//! For a window, in this order:
//!
//! 1. **Tickets transferred to this very window**, oldest place first. A
//!    colleague sent the visitor here on purpose.
//! 2. **Priority tickets**: the green channel (老、弱、病、残、军) first, then
//!    appointments whose slot has come (from `appointment_early_min` before
//!    the slot start). Green tickets of the window's primary categories are
//!    always eligible; those of its overflow categories under the overflow
//!    rule below.
//! 3. **Normal tickets**, longest wait first (lowest place) across the
//!    window's primary categories, and across its overflow categories when
//!    the primary queues are empty or the overflow queue's oldest ticket has
//!    waited `overflow_after_min`.
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
    let mut normal: Option<u64> = None;
    for (k, category) in window.categories.iter().enumerate() {
        // A window's categories are validated against the hall, so the
        // index exists.
        let Some(ci) = hall.category_index(category) else {
            continue;
        };
        let lanes = &queues.lanes[ci];
        let overflow = k >= window.primary;
        if overflow && !primary_empty {
            let after = i64::from(hall.categories[ci].overflow_after_min).minutes();
            let oldest = [lanes.green.first(), lanes.normal.first()]
                .into_iter()
                .flatten()
                .map(|&p| tickets.ticket(p).queued_at)
                .min();
            match oldest {
                Some(at) if at.checked_add(after).is_ok_and(|t| t <= now) => {}
                _ => continue,
            }
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
            normal = Some(normal.map_or(p, |n| n.min(p)));
        }
    }

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

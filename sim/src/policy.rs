//! The policies compared: ours (the core's dispatcher) and peers
//! reimplemented from their published rules. Every policy runs through the
//! real [`Lobby`]: a peer only decides *which* waiting ticket a free window
//! calls, then calls it with `Command::Call { ticket: Some(id) }`, so
//! numbering, recalls, no-shows, multi-stop visits and figures are the
//! core's for all of them.
//!
//! A peer's "arrival" is the moment a ticket joined its current queue
//! (`queued_at`, then its number): none of them keeps a multi-stop visitor's
//! place the way ours does. Every peer calls tickets transferred to the
//! window first, as all of these systems do (the simulation transfers none).
//!
//! | name | rule |
//! |---|---|
//! | `lobby` | ours: `lobby-core`'s dispatcher (see its module docs) |
//! | `fifo` | strict per-category first-come first-served, no green channel; overflow categories only when the window's primary queues are empty |
//! | `novosga` | NovoSGA's queue order: appointment time (booked tickets first), service weight (primary 1, overflow 2), priority weight (green first), arrival |
//! | `qsystem` | QSystem: the highest-coefficient non-empty queue of the operator (primary 2, overflow 1), then visitor priority (green first), then arrival |
//! | `green-first` | strict green-channel pre-emption across all the window's categories, then first-come first-served across all of them (common in Chinese hall software) |
//! | `qmatic` | a Qmatic-style work profile: interleave green : primary : overflow as 2 : 3 : 1 in the cycle G P P G P O, skipping empty lanes; within a lane, longest wait first |

use std::cmp::Reverse;
use std::collections::HashMap;

use lobby_core::hall::Window;
use lobby_core::jiff::Timestamp;
use lobby_core::{Lobby, Ticket, TicketId, WindowNo};

/// What a free window does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// Let the core's dispatcher choose (`Call { ticket: None }`).
    Core,
    /// Call this ticket.
    Ticket(TicketId),
    /// Nothing to call.
    Nothing,
}

/// A dispatch policy.
pub trait Policy {
    /// Its name in reports.
    fn name(&self) -> &'static str;
    /// The ticket a free window calls now.
    fn choose(&mut self, lobby: &Lobby, window: &Window, now: Timestamp) -> Pick;
}

/// Every policy's name, ours first (the report order).
pub const NAMES: [&str; 6] = [
    "lobby",
    "fifo",
    "novosga",
    "qsystem",
    "green-first",
    "qmatic",
];

/// A fresh policy by name.
pub fn by_name(name: &str) -> Option<Box<dyn Policy>> {
    Some(match name {
        "lobby" => Box::new(Ours),
        "fifo" => Box::new(Fifo),
        "novosga" => Box::new(NovoSga),
        "qsystem" => Box::new(QSystem),
        "green-first" => Box::new(GreenFirst),
        "qmatic" => Box::new(Qmatic::default()),
        _ => return None,
    })
}

/// Ours: the core's dispatcher.
#[derive(Debug, Default)]
pub struct Ours;

impl Policy for Ours {
    fn name(&self) -> &'static str {
        "lobby"
    }
    fn choose(&mut self, _: &Lobby, _: &Window, _: Timestamp) -> Pick {
        Pick::Core
    }
}

/// When a ticket arrived in its current queue, for the peers' orderings.
fn arrival(t: &Ticket) -> (Timestamp, u64) {
    (t.queued_at, t.place)
}

/// Tickets transferred to this window, which every peer calls first.
fn transferred(lobby: &Lobby, window: &Window) -> Option<TicketId> {
    lobby
        .waiting_for_window(window.number)
        .into_iter()
        .min_by_key(|t| arrival(t))
        .map(|t| t.id.clone())
}

/// Every waiting ticket of the window's categories with the category's
/// position in the window's list (primary ones first).
fn candidates<'a>(lobby: &'a Lobby, window: &Window) -> Vec<(usize, &'a Ticket)> {
    window
        .categories
        .iter()
        .enumerate()
        .flat_map(|(k, c)| lobby.waiting(c).into_iter().map(move |t| (k, t)))
        .collect()
}

fn pick<K: Ord>(lobby: &Lobby, window: &Window, key: impl Fn(usize, &Ticket) -> Option<K>) -> Pick {
    if let Some(id) = transferred(lobby, window) {
        return Pick::Ticket(id);
    }
    candidates(lobby, window)
        .into_iter()
        .filter_map(|(k, t)| key(k, t).map(|key| (key, t)))
        .min_by(|a, b| a.0.cmp(&b.0))
        .map_or(Pick::Nothing, |(_, t)| Pick::Ticket(t.id.clone()))
}

/// Strict per-category first-come first-served.
#[derive(Debug, Default)]
pub struct Fifo;

impl Policy for Fifo {
    fn name(&self) -> &'static str {
        "fifo"
    }
    fn choose(&mut self, lobby: &Lobby, window: &Window, _: Timestamp) -> Pick {
        // Primary queues first; overflow ones only when those are empty.
        pick(lobby, window, |k, t| {
            Some((k >= window.primary, arrival(t)))
        })
    }
}

/// NovoSGA's queue ordering.
#[derive(Debug, Default)]
pub struct NovoSga;

impl Policy for NovoSga {
    fn name(&self) -> &'static str {
        "novosga"
    }
    fn choose(&mut self, lobby: &Lobby, window: &Window, _: Timestamp) -> Pick {
        pick(lobby, window, |k, t| {
            // Booked tickets first, by appointment time (NULLs last).
            let appointment = t
                .appointment
                .as_ref()
                .map_or((1, Timestamp::MAX), |a| (0, a.slot_start));
            let service_weight = if k < window.primary { 1 } else { 2 };
            let priority_weight = u8::from(t.priority.is_green());
            Some((
                appointment,
                service_weight,
                Reverse(priority_weight),
                arrival(t),
            ))
        })
    }
}

/// QSystem's operator queue selection.
#[derive(Debug, Default)]
pub struct QSystem;

impl Policy for QSystem {
    fn name(&self) -> &'static str {
        "qsystem"
    }
    fn choose(&mut self, lobby: &Lobby, window: &Window, _: Timestamp) -> Pick {
        pick(lobby, window, |k, t| {
            let coefficient = if k < window.primary { 2 } else { 1 };
            Some((
                Reverse(coefficient),
                Reverse(u8::from(t.priority.is_green())),
                arrival(t),
            ))
        })
    }
}

/// Strict green-channel pre-emption, then first-come first-served across
/// the window's categories.
#[derive(Debug, Default)]
pub struct GreenFirst;

impl Policy for GreenFirst {
    fn name(&self) -> &'static str {
        "green-first"
    }
    fn choose(&mut self, lobby: &Lobby, window: &Window, _: Timestamp) -> Pick {
        pick(lobby, window, |_, t| {
            Some((Reverse(u8::from(t.priority.is_green())), arrival(t)))
        })
    }
}

/// A lane of the Qmatic-style work profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Green-channel tickets of any of the window's categories.
    Green,
    /// Normal tickets of the window's primary categories.
    Primary,
    /// Normal tickets of its overflow categories.
    Overflow,
}

/// The interleave cycle: green : primary : overflow = 2 : 3 : 1.
pub const QMATIC_CYCLE: [Lane; 6] = [
    Lane::Green,
    Lane::Primary,
    Lane::Primary,
    Lane::Green,
    Lane::Primary,
    Lane::Overflow,
];

/// Qmatic-style work profile: interleave lanes by ratio, longest wait
/// first within a lane. Each window keeps its place in the cycle.
#[derive(Debug, Default)]
pub struct Qmatic {
    position: HashMap<WindowNo, usize>,
}

impl Policy for Qmatic {
    fn name(&self) -> &'static str {
        "qmatic"
    }
    fn choose(&mut self, lobby: &Lobby, window: &Window, _: Timestamp) -> Pick {
        if let Some(id) = transferred(lobby, window) {
            return Pick::Ticket(id);
        }
        let lane_of = |k: usize, t: &Ticket| {
            if t.priority.is_green() {
                Lane::Green
            } else if k < window.primary {
                Lane::Primary
            } else {
                Lane::Overflow
            }
        };
        let all = candidates(lobby, window);
        let start = self.position.get(&window.number).copied().unwrap_or(0);
        for step in 0..QMATIC_CYCLE.len() {
            let slot = (start + step) % QMATIC_CYCLE.len();
            let lane = QMATIC_CYCLE[slot];
            let best = all
                .iter()
                .filter(|(k, t)| lane_of(*k, t) == lane)
                .min_by_key(|(_, t)| arrival(t));
            if let Some((_, t)) = best {
                self.position.insert(window.number, slot + 1);
                return Pick::Ticket(t.id.clone());
            }
        }
        Pick::Nothing
    }
}

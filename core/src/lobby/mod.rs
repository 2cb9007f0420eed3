//! The hall's live state: tickets, queues and windows. Commands in, events
//! out.
//!
//! [`Lobby::handle`] checks a command against the state, and either refuses
//! it with a [`Rejected`] reason (nothing changes) or returns the events it
//! causes, already applied. [`Lobby::apply`] applies one event; replaying a
//! stored event log through it rebuilds exactly the same state, which is
//! how the server restarts.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::command::{Command, Event, EventKind, Rejected};
use crate::dispatch::{Queues, Slot, TicketLookup};
use crate::estimate::{Position, ServiceStats};
use crate::hall::Hall;
use crate::ids::{CategoryId, SiteId, TicketId, WindowNo};
use crate::ticket::{Estimate, Status, Ticket};

mod apply;
mod decide;
mod invariants;
mod tick;

// In their own module so that `estimate`, which reads them, does not depend
// on this one; re-exported so `lobby::WindowState` keeps working.
pub use crate::window::{WindowFigures, WindowState};

/// A category's figures for the day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryFigures {
    /// Tickets issued (the last number given).
    pub issued: u32,
    /// Green-channel tickets issued.
    pub green: u32,
    /// Completed.
    pub completed: u32,
    /// No-shows.
    pub no_shows: u32,
    /// Expired at closing.
    pub expired: u32,
    /// Cancelled.
    pub cancelled: u32,
    /// Total seconds waited by tickets called from this category.
    pub wait_s: u64,
    /// Tickets called (for the mean wait).
    pub called: u32,
}

/// One category's queue, as shown on screens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueSummary {
    /// The category.
    pub category: CategoryId,
    /// Tickets waiting.
    pub waiting: u32,
    /// Of which green channel.
    pub green: u32,
    /// Longest current wait in seconds.
    pub longest_wait_s: u32,
    /// The estimated wait for a ticket issued now.
    pub estimated_wait_s: u32,
    /// A ticket issued now would not be called before the day's close (its
    /// last session and the grace after it): the kiosk says so before
    /// issuing.
    #[serde(default)]
    pub past_close: bool,
}

/// Everything needed to rebuild a [`Lobby`] without replaying its events:
/// what the server stores periodically so a restart replays only what came
/// after. Queues and indexes are derived from the tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    tickets: Vec<Ticket>,
    windows: Vec<WindowState>,
    figures: Vec<CategoryFigures>,
    day: Option<Date>,
    closed_sites: Vec<SiteId>,
    next_place: u64,
    stats: ServiceStats,
}

/// The live state of all sites.
#[derive(Debug, Clone)]
pub struct Lobby {
    hall: Arc<Hall>,
    /// Today's tickets by place, plus any older ones not yet finished.
    tickets: HashMap<u64, Ticket>,
    ids: HashMap<TicketId, u64>,
    queues: Queues,
    windows: Vec<WindowState>,
    figures: Vec<CategoryFigures>,
    day: Option<Date>,
    closed_sites: HashSet<SiteId>,
    next_place: u64,
    stats: ServiceStats,
}

struct Tickets<'a>(&'a HashMap<u64, Ticket>);

impl TicketLookup for Tickets<'_> {
    fn ticket(&self, place: u64) -> &Ticket {
        // Queues hold only places of tickets in the map (checked by
        // `check_invariants` in tests).
        &self.0[&place]
    }
}

impl Lobby {
    /// An empty hall: no tickets, every window closed.
    pub fn new(hall: Arc<Hall>) -> Lobby {
        let windows = hall
            .windows
            .iter()
            .map(|w| WindowState {
                number: w.number,
                open: false,
                staff: None,
                paused: None,
                paused_at: None,
                current: None,
                priority_streak: 0,
                handling_warned: false,
                today: WindowFigures::default(),
            })
            .collect();
        Lobby {
            queues: Queues::new(&hall),
            figures: vec![CategoryFigures::default(); hall.categories.len()],
            stats: ServiceStats::new(&hall),
            hall,
            tickets: HashMap::new(),
            ids: HashMap::new(),
            windows,
            day: None,
            closed_sites: HashSet::new(),
            next_place: 1,
        }
    }

    /// The state as a snapshot (see [`Snapshot`]).
    pub fn snapshot(&self) -> Snapshot {
        let mut tickets: Vec<Ticket> = self.tickets.values().cloned().collect();
        tickets.sort_by_key(|t| t.place);
        let mut closed_sites: Vec<SiteId> = self.closed_sites.iter().cloned().collect();
        closed_sites.sort();
        Snapshot {
            tickets,
            windows: self.windows.clone(),
            figures: self.figures.clone(),
            day: self.day,
            closed_sites,
            next_place: self.next_place,
            stats: self.stats.clone(),
        }
    }

    /// Rebuilds a lobby from a snapshot taken with the same hall. Windows,
    /// categories and their figures are matched by number and position, so
    /// a snapshot taken before a configuration change still restores the
    /// tickets; windows that no longer exist are dropped.
    pub fn from_snapshot(hall: Arc<Hall>, snapshot: Snapshot) -> Lobby {
        let mut lobby = Lobby::new(hall);
        for ws in snapshot.windows {
            if let Some(slot) = lobby.window_mut(ws.number) {
                *slot = ws;
            }
        }
        if snapshot.figures.len() == lobby.figures.len() {
            lobby.figures = snapshot.figures;
        }
        if snapshot.stats.len() == lobby.hall.categories.len() {
            lobby.stats = snapshot.stats;
            lobby.stats.fit_windows(lobby.hall.windows.len());
        }
        lobby.day = snapshot.day;
        lobby.closed_sites = snapshot.closed_sites.into_iter().collect();
        lobby.next_place = snapshot.next_place;
        for t in snapshot.tickets {
            lobby.enqueue(t);
        }
        lobby
    }

    /// The configuration.
    pub fn hall(&self) -> &Arc<Hall> {
        &self.hall
    }

    /// The current business day, once anything happened.
    pub fn day(&self) -> Option<Date> {
        self.day
    }

    /// A ticket by id (today's, or an older one still open).
    pub fn ticket(&self, id: &TicketId) -> Option<&Ticket> {
        self.ids.get(id).map(|p| &self.tickets[p])
    }

    /// Every ticket held (today's and unfinished older ones), in no order.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.values()
    }

    /// A window's state.
    pub fn window(&self, number: WindowNo) -> Option<&WindowState> {
        self.hall
            .index
            .windows
            .get(&number)
            .map(|&i| &self.windows[i])
    }

    /// All windows' states in number order.
    pub fn windows(&self) -> &[WindowState] {
        &self.windows
    }

    /// Today's figures per category, in the hall's category order.
    pub fn figures(&self) -> &[CategoryFigures] {
        &self.figures
    }

    /// Tickets waiting in a category, in the order the dispatcher would
    /// call them at a window serving only this category (green first).
    pub fn waiting(&self, category: &CategoryId) -> Vec<&Ticket> {
        let Some(ci) = self.hall.category_index(category) else {
            return Vec::new();
        };
        let lanes = &self.queues.lanes[ci];
        lanes
            .green
            .iter()
            .chain(lanes.normal.iter())
            .map(|p| &self.tickets[p])
            .collect()
    }

    /// Tickets transferred to a window and waiting for it.
    pub fn waiting_for_window(&self, number: WindowNo) -> Vec<&Ticket> {
        let Some(&wi) = self.hall.index.windows.get(&number) else {
            return Vec::new();
        };
        self.queues.windows[wi]
            .iter()
            .map(|p| &self.tickets[p])
            .collect()
    }

    /// Every category's queue.
    pub fn queue_summary(&self, now: Timestamp) -> Vec<QueueSummary> {
        self.hall
            .categories
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                let estimate = self.estimate_new(now, ci, false);
                let lanes = &self.queues.lanes[ci];
                let longest = [lanes.green.first(), lanes.normal.first()]
                    .into_iter()
                    .flatten()
                    .chain(lanes.watch.first().map(|(_, p)| p))
                    .map(|p| self.tickets[p].waited_s(now))
                    .max()
                    .unwrap_or(0);
                QueueSummary {
                    category: c.id.clone(),
                    waiting: lanes.len() as u32,
                    green: lanes.green.len() as u32,
                    longest_wait_s: u32::try_from(longest).unwrap_or(u32::MAX),
                    estimated_wait_s: estimate.wait_s,
                    past_close: estimate.past_close,
                }
            })
            .collect()
    }

    /// People ahead of a waiting ticket and its estimated wait at `now`.
    pub fn estimate(&self, id: &TicketId, now: Timestamp) -> Option<Estimate> {
        let t = self.ticket(id)?;
        if t.status != Status::Waiting {
            return Some(Estimate::default());
        }
        let ahead = match self.slot_of(t) {
            Slot::Window(wi) => self.queues.windows[wi].range(..t.place).count(),
            Slot::Category(ci) => {
                let lanes = &self.queues.lanes[ci];
                if t.priority.is_green() {
                    lanes.green.range(..t.place).count()
                } else {
                    lanes.green.len() + lanes.normal.range(..t.place).count()
                }
            }
        } as u32;
        let ci = self.hall.category_index(&t.category)?;
        Some(self.estimate_at(
            now,
            Position {
                category: ci,
                green: t.priority.is_green(),
                ahead,
            },
        ))
    }

    fn estimate_new(&self, now: Timestamp, ci: usize, green: bool) -> Estimate {
        let lanes = &self.queues.lanes[ci];
        let ahead = if green {
            lanes.green.len()
        } else {
            lanes.len()
        } as u32;
        self.estimate_at(
            now,
            Position {
                category: ci,
                green,
                ahead,
            },
        )
    }

    fn estimate_at(&self, now: Timestamp, position: Position) -> Estimate {
        let wait = self
            .stats
            .wait(&self.hall, &self.queues, &self.windows, now, position);
        Estimate {
            ahead: position.ahead,
            wait_s: wait.wait_s,
            past_close: wait.past_close,
        }
    }

    fn slot_of(&self, t: &Ticket) -> Slot {
        match t
            .target_window
            .and_then(|w| self.hall.index.windows.get(&w))
        {
            Some(&wi) => Slot::Window(wi),
            // Tickets hold only validated categories.
            None => Slot::Category(self.hall.category_index(&t.category).unwrap_or(0)),
        }
    }

    fn window_index(&self, number: WindowNo) -> Result<usize, Rejected> {
        self.hall
            .index
            .windows
            .get(&number)
            .copied()
            .ok_or(Rejected::UnknownWindow { window: number })
    }

    fn current(&self, wi: usize) -> Result<&Ticket, Rejected> {
        let ws = &self.windows[wi];
        ws.current
            .as_ref()
            .and_then(|id| self.ticket(id))
            .ok_or(Rejected::NoCurrentTicket { window: ws.number })
    }

    fn find(&self, id: &TicketId) -> Result<&Ticket, Rejected> {
        self.ticket(id)
            .ok_or_else(|| Rejected::UnknownTicket { ticket: id.clone() })
    }

    fn stale(&self, t: &Ticket) -> Result<(), Rejected> {
        if Some(t.day) != self.day {
            return Err(Rejected::StaleTicket {
                number: t.number.clone(),
            });
        }
        Ok(())
    }

    /// Handles a command at instant `now`: either every resulting event
    /// (already applied), or the reason it was refused, with nothing changed.
    ///
    /// The first command of a new business day first closes the previous
    /// day (expiring what was left, signing windows off); those events come
    /// first in the answer. A refused command leaves even that undone, so a
    /// refusal never changes anything; the next accepted command or tick
    /// does it.
    pub fn handle(&mut self, now: Timestamp, command: Command) -> Result<Vec<Event>, Rejected> {
        let mut out = Vec::new();
        if self.day.is_none_or(|day| day < self.hall.business_day(now)) {
            // Rare (once a day): decide against a rolled-over copy.
            let mut next = self.clone();
            next.roll_over(now, &mut out);
            let kinds = next.decide(now, command)?;
            for kind in kinds {
                next.push(now, kind, &mut out);
            }
            *self = next;
            return Ok(out);
        }
        for kind in self.decide(now, command)? {
            self.push(now, kind, &mut out);
        }
        Ok(out)
    }

    fn push(&mut self, at: Timestamp, kind: EventKind, out: &mut Vec<Event>) {
        let event = Event { at, kind };
        self.apply(&event);
        out.push(event);
    }

    fn roll_over(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        let today = self.hall.business_day(now);
        match self.day {
            None => self.push(now, EventKind::DayChanged { day: today }, out),
            Some(day) if day < today => {
                let mut open: Vec<&Ticket> = self
                    .tickets
                    .values()
                    .filter(|t| !t.status.is_final())
                    .collect();
                open.sort_by_key(|t| t.place);
                let expired: Vec<EventKind> = open
                    .into_iter()
                    .map(|t| EventKind::Expired {
                        ticket: t.id.clone(),
                        number: t.number.clone(),
                        was: t.status,
                    })
                    .collect();
                let closing: Vec<EventKind> = self
                    .windows
                    .iter()
                    .filter(|w| w.open)
                    .map(|w| EventKind::WindowClosed { window: w.number })
                    .collect();
                for kind in expired.into_iter().chain(closing) {
                    self.push(now, kind, out);
                }
                self.push(now, EventKind::DayChanged { day: today }, out);
            }
            Some(_) => {}
        }
    }
}

pub(super) fn wrong(t: &Ticket) -> Rejected {
    Rejected::WrongStatus {
        number: t.number.clone(),
        status: t.status,
    }
}

pub(super) fn seconds_between(from: Timestamp, to: Timestamp) -> u32 {
    u32::try_from((to.as_second() - from.as_second()).max(0)).unwrap_or(u32::MAX)
}

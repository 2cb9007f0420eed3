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

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::command::{CardReason, Command, Event, EventKind, Issue, Rejected, TransferTarget};
use crate::dispatch::{self, Queues, Slot, TicketLookup};
use crate::estimate::{Position, ServiceStats};
use crate::hall::{Hall, Opening};
use crate::ids::{CategoryId, SiteId, TicketId, WindowNo};
use crate::ticket::{Channel, Estimate, Priority, Status, Ticket, TicketNumber};

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
                    estimated_wait_s: self.estimate_new(now, ci, false).wait_s,
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
        Estimate {
            ahead: position.ahead,
            wait_s: self
                .stats
                .wait_s(&self.hall, &self.queues, &self.windows, now, position),
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

    fn decide(&self, now: Timestamp, command: Command) -> Result<Vec<EventKind>, Rejected> {
        match command {
            Command::Issue(issue) => self.decide_issue(now, issue).map(|k| vec![k]),
            Command::Call { window, ticket } => self.decide_call(now, window, ticket),
            Command::Recall { window } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                if t.status != Status::Called {
                    return Err(wrong(t));
                }
                if t.recalls >= self.hall.policy.max_recalls {
                    return Err(Rejected::RecallLimit {
                        number: t.number.clone(),
                        max: self.hall.policy.max_recalls,
                    });
                }
                Ok(vec![EventKind::Recalled {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    category: t.category.clone(),
                    window,
                    green: t.priority.is_green(),
                    recall: t.recalls + 1,
                }])
            }
            Command::Start { window } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                if t.status != Status::Called {
                    return Err(wrong(t));
                }
                Ok(vec![EventKind::Started {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    window,
                }])
            }
            Command::Complete { window } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                let since = t.started_at.or(t.called_at).unwrap_or(now);
                Ok(vec![EventKind::Completed {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    category: t.category.clone(),
                    window,
                    served_s: seconds_between(since, now),
                    next_stop: t.stops.first().cloned(),
                }])
            }
            Command::NoShow { window } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                if t.status != Status::Called {
                    return Err(wrong(t));
                }
                Ok(vec![EventKind::NoShow {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    window,
                    auto: false,
                }])
            }
            Command::Transfer { window, to } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                match &to {
                    TransferTarget::Category(c) => {
                        let Some(category) = self.hall.category(c) else {
                            return Err(Rejected::UnknownCategory {
                                category: c.clone(),
                            });
                        };
                        if *c == t.category {
                            return Err(Rejected::TransferToSame);
                        }
                        if category.site != t.site {
                            return Err(Rejected::TransferToOtherSite {
                                site: t.site.clone(),
                            });
                        }
                    }
                    TransferTarget::Window(w) => {
                        let target = self.window_index(*w)?;
                        if *w == window {
                            return Err(Rejected::TransferToSame);
                        }
                        if self.hall.windows[target].site != t.site {
                            return Err(Rejected::TransferToOtherSite {
                                site: t.site.clone(),
                            });
                        }
                        if !self.windows[target].open {
                            return Err(Rejected::WindowNotOpen { window: *w });
                        }
                    }
                }
                Ok(vec![EventKind::Transferred {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    from_window: window,
                    from_category: t.category.clone(),
                    to,
                }])
            }
            Command::Pause { window, reason } => {
                let wi = self.window_index(window)?;
                let reason = reason.trim().to_owned();
                let len = reason.chars().count();
                if len == 0 || len > 100 || reason.chars().any(char::is_control) {
                    return Err(Rejected::BadReason);
                }
                if !self.windows[wi].open {
                    return Err(Rejected::WindowNotOpen { window });
                }
                Ok(vec![EventKind::Paused { window, reason }])
            }
            Command::Resume { window } => {
                let wi = self.window_index(window)?;
                if self.windows[wi].paused.is_none() {
                    return Err(Rejected::WindowNotPaused { window });
                }
                Ok(vec![EventKind::Resumed { window }])
            }
            Command::OpenWindow { window, staff } => {
                let wi = self.window_index(window)?;
                let ws = &self.windows[wi];
                // Signing in again changes nothing; a colleague taking
                // the window over is recorded.
                if ws.open && (staff.is_none() || ws.staff == staff) {
                    return Ok(Vec::new());
                }
                Ok(vec![EventKind::WindowOpened { window, staff }])
            }
            Command::CloseWindow { window } => {
                let wi = self.window_index(window)?;
                if let Ok(t) = self.current(wi) {
                    return Err(Rejected::WindowBusy {
                        window,
                        number: t.number.clone(),
                    });
                }
                let waiting = self.queues.windows[wi].len();
                if waiting > 0 {
                    return Err(Rejected::TransfersWaiting {
                        window,
                        count: waiting as u32,
                    });
                }
                if !self.windows[wi].open {
                    return Ok(Vec::new());
                }
                Ok(vec![EventKind::WindowClosed { window }])
            }
            Command::Reactivate { ticket } => {
                let t = self.find(&ticket)?;
                self.stale(t)?;
                if t.status != Status::NoShow {
                    return Err(wrong(t));
                }
                if t.reactivations >= self.hall.policy.reactivations {
                    return Err(Rejected::ReactivationLimit {
                        number: t.number.clone(),
                    });
                }
                Ok(vec![EventKind::Reactivated {
                    ticket,
                    number: t.number.clone(),
                }])
            }
            Command::Cancel { ticket } => {
                let t = self.find(&ticket)?;
                if t.status != Status::Waiting {
                    return Err(wrong(t));
                }
                Ok(vec![EventKind::Cancelled {
                    ticket,
                    number: t.number.clone(),
                }])
            }
            Command::Rate {
                ticket,
                rating,
                comment,
            } => {
                let t = self.find(&ticket)?;
                if t.status != Status::Completed {
                    return Err(wrong(t));
                }
                if t.rating.is_some() {
                    return Err(Rejected::AlreadyRated {
                        number: t.number.clone(),
                    });
                }
                Ok(vec![EventKind::Rated {
                    ticket,
                    window: t.window,
                    rating,
                    comment,
                }])
            }
            Command::Tick => Ok(self.decide_tick(now)),
        }
    }

    fn decide_issue(&self, now: Timestamp, issue: Issue) -> Result<EventKind, Rejected> {
        if !TicketId::is_valid(issue.id.as_str()) || self.ids.contains_key(&issue.id) {
            return Err(Rejected::BadTicketId { ticket: issue.id });
        }
        let ci =
            self.hall
                .category_index(&issue.category)
                .ok_or_else(|| Rejected::UnknownCategory {
                    category: issue.category.clone(),
                })?;
        let category = &self.hall.categories[ci];
        let site = issue.site.clone().unwrap_or_else(|| category.site.clone());
        if self.hall.site(&site).is_none() {
            return Err(Rejected::UnknownSite { site });
        }
        if category.site != site {
            return Err(Rejected::CategoryNotAtSite {
                category: category.id.clone(),
                site,
            });
        }
        if let Some(m) = &issue.matter {
            let matter = self
                .hall
                .matter(m)
                .ok_or_else(|| Rejected::UnknownMatter { matter: m.clone() })?;
            if matter.category != issue.category {
                return Err(Rejected::MatterNotInCategory {
                    matter: m.clone(),
                    category: issue.category.clone(),
                    expected: matter.category.clone(),
                });
            }
        }
        if let Priority::Green { group } = &issue.priority
            && self.hall.green_group(group).is_none()
        {
            return Err(Rejected::UnknownGroup {
                group: group.clone(),
            });
        }
        if (issue.channel == Channel::Appointment) != issue.appointment.is_some() {
            return Err(Rejected::AppointmentMismatch);
        }
        if let Some(a) = &issue.appointment
            && (a.slot_end < a.slot_start || a.code.is_empty() || a.code.len() > 64)
        {
            return Err(Rejected::AppointmentMismatch);
        }
        let mut seen = vec![&issue.category];
        for stop in &issue.stops {
            let elsewhere = self.hall.category(stop).is_none_or(|c| c.site != site);
            if elsewhere || seen.contains(&stop) || seen.len() > 10 {
                return Err(Rejected::BadStop {
                    category: stop.clone(),
                });
            }
            seen.push(stop);
        }
        match self.hall.opening(&site, issue.channel, now) {
            Opening::Open => {}
            Opening::GuideDeskOnly => return Err(Rejected::GuideDeskOnly),
            Opening::Closed { next_open } => return Err(Rejected::HallClosed { next_open }),
        }
        let figures = &self.figures[ci];
        if let Some(quota) = category.daily_quota {
            let exempt = issue.priority.is_green() && self.hall.policy.green_quota_exempt;
            if figures.issued >= quota && !exempt {
                return Err(Rejected::QuotaReached {
                    category: category.id.clone(),
                    quota,
                });
            }
        }
        // A check-in long after the slot is an ordinary ticket.
        let late = i64::from(self.hall.policy.appointment_late_min).minutes();
        let appointment = issue
            .appointment
            .filter(|a| a.slot_end.checked_add(late).is_ok_and(|end| now <= end));
        let estimate = self.estimate_new(now, ci, issue.priority.is_green());
        let ticket = Ticket {
            id: issue.id,
            number: TicketNumber {
                prefix: category.prefix.clone(),
                seq: figures.issued + 1,
            },
            site,
            category: issue.category,
            matter: issue.matter,
            priority: issue.priority,
            channel: issue.channel,
            appointment,
            assisted: issue.assisted,
            issued_at: now,
            day: self.hall.business_day(now),
            place: self.next_place,
            status: Status::Waiting,
            window: None,
            target_window: None,
            stops: issue.stops,
            recalls: 0,
            reactivations: 0,
            called_at: None,
            started_at: None,
            finished_at: None,
            estimate,
            queued_at: now,
            warned: false,
            rating: None,
        };
        Ok(EventKind::Issued {
            ticket: Box::new(ticket),
        })
    }

    fn decide_call(
        &self,
        now: Timestamp,
        window: WindowNo,
        ticket: Option<TicketId>,
    ) -> Result<Vec<EventKind>, Rejected> {
        let wi = self.window_index(window)?;
        let ws = &self.windows[wi];
        if let Some(reason) = &ws.paused {
            return Err(Rejected::WindowPaused {
                window,
                reason: reason.clone(),
            });
        }
        if let Ok(t) = self.current(wi) {
            return Err(Rejected::WindowBusy {
                window,
                number: t.number.clone(),
            });
        }
        let w = &self.hall.windows[wi];
        let place = match ticket {
            Some(id) => {
                let t = self.find(&id)?;
                self.stale(t)?;
                if t.status != Status::Waiting {
                    return Err(wrong(t));
                }
                if t.target_window != Some(window) && !w.serves(&t.category) {
                    return Err(Rejected::WindowDoesNotServe {
                        window,
                        category: t.category.clone(),
                    });
                }
                t.place
            }
            None => {
                let lookup = Tickets(&self.tickets);
                match dispatch::choose(
                    &self.hall,
                    &self.queues,
                    &lookup,
                    w,
                    wi,
                    ws.priority_streak,
                    now,
                ) {
                    Some(choice) => choice.place,
                    None if ws.open => return Ok(Vec::new()),
                    None => {
                        return Ok(vec![EventKind::WindowOpened {
                            window,
                            staff: None,
                        }]);
                    }
                }
            }
        };
        let t = &self.tickets[&place];
        let mut kinds = Vec::new();
        if !ws.open {
            kinds.push(EventKind::WindowOpened {
                window,
                staff: None,
            });
        }
        kinds.push(EventKind::Called {
            ticket: t.id.clone(),
            number: t.number.clone(),
            category: t.category.clone(),
            window,
            green: t.priority.is_green(),
        });
        Ok(kinds)
    }

    fn decide_tick(&self, now: Timestamp) -> Vec<EventKind> {
        let mut kinds = Vec::new();
        let policy = &self.hall.policy;
        // Closing: whatever still waits after the last session (plus grace)
        // expires, and is counted in the day's figures.
        if let Some(day) = self.day {
            let grace = i64::from(policy.expire_after_close_min).minutes();
            for site in &self.hall.sites {
                if self.closed_sites.contains(&site.id) {
                    continue;
                }
                let Some(closing) = self.hall.closing(&site.id, day) else {
                    continue;
                };
                if closing.checked_add(grace).is_ok_and(|t| t <= now) {
                    let mut open: Vec<&Ticket> = self
                        .tickets
                        .values()
                        .filter(|t| t.site == site.id)
                        .filter(|t| matches!(t.status, Status::Waiting | Status::Called))
                        .collect();
                    open.sort_by_key(|t| t.place);
                    kinds.extend(open.into_iter().map(|t| EventKind::Expired {
                        ticket: t.id.clone(),
                        number: t.number.clone(),
                        was: t.status,
                    }));
                    kinds.push(EventKind::SiteClosed {
                        site: site.id.clone(),
                    });
                }
            }
        }
        let expiring: HashSet<TicketId> = kinds
            .iter()
            .filter_map(EventKind::ticket)
            .cloned()
            .collect();
        // Unanswered calls give up on their own after the last recall.
        let no_show_after = i64::from(policy.no_show_after_s).seconds();
        for ws in &self.windows {
            let Some(t) = ws.current.as_ref().and_then(|id| self.ticket(id)) else {
                continue;
            };
            if expiring.contains(&t.id) {
                continue;
            }
            match t.status {
                Status::Called if t.recalls >= policy.max_recalls => {
                    let since = t.called_at.unwrap_or(now);
                    if since.checked_add(no_show_after).is_ok_and(|d| d <= now) {
                        kinds.push(EventKind::NoShow {
                            ticket: t.id.clone(),
                            number: t.number.clone(),
                            window: ws.number,
                            auto: true,
                        });
                    }
                }
                Status::Serving if !ws.handling_warned => {
                    // The ticket's category exists (validated at issue).
                    let limit = self
                        .hall
                        .category(&t.category)
                        .map_or(30, |c| c.warn_handle_min);
                    let since = t.started_at.unwrap_or(now);
                    let minutes = (now.as_second() - since.as_second()) / 60;
                    if minutes >= i64::from(limit) {
                        kinds.push(EventKind::YellowCard {
                            ticket: t.id.clone(),
                            number: t.number.clone(),
                            category: t.category.clone(),
                            window: Some(ws.number),
                            reason: CardReason::Handling,
                            minutes: minutes as u32,
                        });
                    }
                }
                _ => {}
            }
        }
        // Waiting too long: the watch sets hold unwarned tickets by the time
        // they joined, so only overdue ones are visited.
        for (ci, lanes) in self.queues.lanes.iter().enumerate() {
            let limit = i64::from(self.hall.categories[ci].warn_wait_min).minutes();
            for &(since, place) in &lanes.watch {
                if since.checked_add(limit).is_ok_and(|d| d > now) {
                    break;
                }
                let t = &self.tickets[&place];
                if expiring.contains(&t.id) {
                    continue;
                }
                kinds.push(EventKind::YellowCard {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    category: t.category.clone(),
                    window: None,
                    reason: CardReason::Waiting,
                    minutes: ((now.as_second() - since.as_second()) / 60) as u32,
                });
            }
        }
        kinds
    }

    /// Applies one event. Events come from [`Lobby::handle`] (or a log of
    /// them), so they are valid for the state they were made in; applying
    /// the same events to a fresh lobby in order gives the same state.
    pub fn apply(&mut self, event: &Event) {
        let at = event.at;
        match &event.kind {
            EventKind::DayChanged { day } => {
                // Finished tickets of earlier days are in the caller's
                // storage; keep memory to the current day.
                self.tickets
                    .retain(|_, t| !t.status.is_final() || t.day >= *day);
                self.ids = self
                    .tickets
                    .values()
                    .map(|t| (t.id.clone(), t.place))
                    .collect();
                for f in &mut self.figures {
                    *f = CategoryFigures::default();
                }
                for w in &mut self.windows {
                    w.today = WindowFigures::default();
                    w.priority_streak = 0;
                }
                self.closed_sites.clear();
                self.day = Some(*day);
            }
            EventKind::SiteClosed { site } => {
                self.closed_sites.insert(site.clone());
            }
            EventKind::Issued { ticket } => {
                let t = (**ticket).clone();
                if let Some(ci) = self.hall.category_index(&t.category) {
                    let f = &mut self.figures[ci];
                    f.issued = f.issued.max(t.number.seq);
                    if t.priority.is_green() {
                        f.green += 1;
                    }
                }
                self.next_place = self.next_place.max(t.place + 1);
                self.join(t, at);
            }
            EventKind::Called { ticket, window, .. } => {
                let Some(t) = self.dequeue(ticket) else {
                    return;
                };
                let early = i64::from(self.hall.policy.appointment_early_min).minutes();
                let priority = t.priority.is_green()
                    || t.appointment.as_ref().is_some_and(|a| {
                        a.slot_start.checked_sub(early).unwrap_or(a.slot_start) <= at
                    });
                let waited = t.waited_s(at);
                let ci = self.hall.category_index(&t.category);
                let t = self
                    .tickets
                    .get_mut(&t.place)
                    .expect("dequeued ticket exists");
                t.status = Status::Called;
                t.window = Some(*window);
                t.target_window = None;
                t.called_at = Some(at);
                t.started_at = None;
                t.recalls = 0;
                let id = t.id.clone();
                if let Some(ci) = ci {
                    self.figures[ci].called += 1;
                    self.figures[ci].wait_s += waited as u64;
                }
                if let Some(ws) = self.window_mut(*window) {
                    ws.open = true;
                    ws.current = Some(id);
                    ws.handling_warned = false;
                    ws.today.called += 1;
                    ws.priority_streak = if priority { ws.priority_streak + 1 } else { 0 };
                }
            }
            EventKind::Recalled { ticket, recall, .. } => {
                if let Some(t) = self.ticket_mut(ticket) {
                    t.recalls = *recall;
                    t.called_at = Some(at);
                }
            }
            EventKind::Started { ticket, .. } => {
                if let Some(t) = self.ticket_mut(ticket) {
                    t.status = Status::Serving;
                    t.started_at = Some(at);
                }
            }
            EventKind::Completed {
                ticket,
                window,
                served_s,
                next_stop,
                ..
            } => {
                let Some(t) = self.ticket(ticket) else { return };
                let category = t.category.clone();
                let occupied = t.called_at.map_or(0, |c| seconds_between(c, at));
                match next_stop {
                    Some(next) => self.requeue(ticket, at, |t| {
                        t.stops.retain(|c| c != next);
                        t.category = next.clone();
                    }),
                    None => {
                        if let Some(t) = self.ticket_mut(ticket) {
                            t.status = Status::Completed;
                            t.finished_at = Some(at);
                        }
                    }
                }
                if let Some(ci) = self.hall.category_index(&category) {
                    self.figures[ci].completed += 1;
                    self.stats.record(ci, occupied);
                }
                if let Some(ws) = self.window_mut(*window) {
                    ws.current = None;
                    ws.today.completed += 1;
                    ws.today.service_s += u64::from(*served_s);
                }
            }
            EventKind::NoShow { ticket, window, .. } => {
                let Some(t) = self.ticket_mut(ticket) else {
                    return;
                };
                t.status = Status::NoShow;
                t.finished_at = Some(at);
                let category = t.category.clone();
                let occupied = t.called_at.map_or(0, |c| seconds_between(c, at));
                if let Some(ci) = self.hall.category_index(&category) {
                    self.figures[ci].no_shows += 1;
                    self.stats.record_no_show(ci, occupied);
                }
                if let Some(ws) = self.window_mut(*window) {
                    ws.current = None;
                    ws.today.no_shows += 1;
                }
            }
            EventKind::Reactivated { ticket, .. } => {
                let Some(t) = self.ticket(ticket) else { return };
                if let Some(ci) = self.hall.category_index(&t.category) {
                    self.figures[ci].no_shows = self.figures[ci].no_shows.saturating_sub(1);
                }
                self.requeue(ticket, at, |t| t.reactivations += 1);
            }
            EventKind::Transferred {
                ticket,
                from_window,
                to,
                ..
            } => {
                self.requeue(ticket, at, |t| match to {
                    TransferTarget::Category(c) => {
                        t.category = c.clone();
                        t.target_window = None;
                    }
                    TransferTarget::Window(w) => t.target_window = Some(*w),
                });
                if let Some(ws) = self.window_mut(*from_window) {
                    ws.current = None;
                    ws.today.transferred += 1;
                }
            }
            EventKind::Cancelled { ticket, .. } => {
                if let Some(t) = self.dequeue(ticket) {
                    if let Some(ci) = self.hall.category_index(&t.category) {
                        self.figures[ci].cancelled += 1;
                    }
                    let t = self
                        .tickets
                        .get_mut(&t.place)
                        .expect("dequeued ticket exists");
                    t.status = Status::Cancelled;
                    t.finished_at = Some(at);
                }
            }
            EventKind::Expired { ticket, was, .. } => {
                let Some(place) = self.ids.get(ticket).copied() else {
                    return;
                };
                if *was == Status::Waiting {
                    self.dequeue(ticket);
                }
                let t = self.tickets.get_mut(&place).expect("known ticket exists");
                let window = t.window;
                t.status = Status::Expired;
                t.finished_at = Some(at);
                if let Some(ci) = self.hall.category_index(&t.category.clone())
                    && Some(t.day) == self.day
                {
                    self.figures[ci].expired += 1;
                }
                if matches!(was, Status::Called | Status::Serving)
                    && let Some(ws) = window.and_then(|w| self.window_mut(w))
                    && ws.current.as_ref() == Some(ticket)
                {
                    ws.current = None;
                }
            }
            EventKind::WindowOpened { window, staff } => {
                if let Some(ws) = self.window_mut(*window) {
                    ws.open = true;
                    if staff.is_some() {
                        ws.staff.clone_from(staff);
                    }
                }
            }
            EventKind::WindowClosed { window } => {
                if let Some(ws) = self.window_mut(*window) {
                    ws.open = false;
                    ws.staff = None;
                    ws.paused = None;
                    ws.paused_at = None;
                }
            }
            EventKind::Paused { window, reason } => {
                if let Some(ws) = self.window_mut(*window) {
                    ws.paused = Some(reason.clone());
                    ws.paused_at = Some(at);
                }
            }
            EventKind::Resumed { window } => {
                if let Some(ws) = self.window_mut(*window) {
                    ws.paused = None;
                    ws.paused_at = None;
                }
            }
            EventKind::YellowCard {
                ticket,
                reason,
                window,
                ..
            } => match reason {
                CardReason::Waiting => {
                    if let Some(t) = self.dequeue(ticket) {
                        let mut t = t;
                        t.warned = true;
                        self.enqueue(t);
                    }
                }
                CardReason::Handling => {
                    if let Some(ws) = window.and_then(|w| self.window_mut(w)) {
                        ws.handling_warned = true;
                    }
                }
            },
            EventKind::Rated { ticket, rating, .. } => {
                if let Some(t) = self.ticket_mut(ticket) {
                    t.rating = Some(*rating);
                }
            }
        }
    }

    fn ticket_mut(&mut self, id: &TicketId) -> Option<&mut Ticket> {
        let place = self.ids.get(id)?;
        self.tickets.get_mut(place)
    }

    fn window_mut(&mut self, number: WindowNo) -> Option<&mut WindowState> {
        let &wi = self.hall.index.windows.get(&number)?;
        Some(&mut self.windows[wi])
    }

    /// Stores a new or returning ticket at `at` and, if it waits, queues
    /// it, noting for the estimates whether it goes ahead of normal tickets
    /// already waiting there.
    fn join(&mut self, t: Ticket, at: Timestamp) {
        if t.status == Status::Waiting
            && let Slot::Category(ci) = self.slot_of(&t)
        {
            let normal = &self.queues.lanes[ci].normal;
            let passes = match normal.last() {
                None => false,
                Some(&newest) => t.priority.is_green() || t.place < newest,
            };
            if passes {
                self.stats.record_joined_ahead(ci, at);
            }
        }
        self.enqueue(t);
    }

    /// Stores a ticket and, if it waits, queues it.
    fn enqueue(&mut self, t: Ticket) {
        if t.status == Status::Waiting {
            let slot = self.slot_of(&t);
            self.queues.insert(slot, &t);
        }
        self.ids.insert(t.id.clone(), t.place);
        self.tickets.insert(t.place, t);
    }

    /// Takes a waiting ticket out of its queue (it stays stored); returns a
    /// copy of it as it was.
    fn dequeue(&mut self, id: &TicketId) -> Option<Ticket> {
        let place = *self.ids.get(id)?;
        let t = self.tickets.get(&place)?.clone();
        if t.status == Status::Waiting {
            let slot = self.slot_of(&t);
            self.queues.remove(slot, &t);
        }
        Some(t)
    }

    /// Puts a ticket back in line at its old place, as a fresh wait, after
    /// `change` (new category, target window …).
    fn requeue(&mut self, id: &TicketId, at: Timestamp, change: impl FnOnce(&mut Ticket)) {
        let Some(mut t) = self.dequeue(id) else {
            return;
        };
        change(&mut t);
        t.status = Status::Waiting;
        t.window = None;
        t.called_at = None;
        t.started_at = None;
        t.finished_at = None;
        t.recalls = 0;
        t.queued_at = at;
        t.warned = false;
        self.join(t, at);
    }

    /// Checks the internal indexes against the tickets; for tests.
    #[doc(hidden)]
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut queued = HashMap::new();
        for (ci, lanes) in self.queues.lanes.iter().enumerate() {
            for &p in lanes.green.iter().chain(&lanes.normal) {
                if queued.insert(p, Slot::Category(ci)).is_some() {
                    return Err(format!("place {p} queued twice"));
                }
            }
            for &(_, p) in &lanes.appointment {
                if !lanes.normal.contains(&p) {
                    return Err(format!("appointment {p} not in the normal lane"));
                }
            }
            for &(_, p) in &lanes.watch {
                if !lanes.normal.contains(&p) && !lanes.green.contains(&p) {
                    return Err(format!("watched {p} not queued"));
                }
            }
        }
        for (wi, set) in self.queues.windows.iter().enumerate() {
            for &p in set {
                if queued.insert(p, Slot::Window(wi)).is_some() {
                    return Err(format!("place {p} queued twice"));
                }
            }
        }
        for t in self.tickets.values() {
            let waiting = t.status == Status::Waiting;
            match queued.get(&t.place) {
                Some(&slot) if waiting && slot == self.slot_of(t) => {}
                None if !waiting => {}
                other => {
                    return Err(format!(
                        "ticket {} ({:?}) queued as {other:?}",
                        t.number, t.status
                    ));
                }
            }
            if self.ids.get(&t.id) != Some(&t.place) {
                return Err(format!("ticket {} missing from the id index", t.number));
            }
        }
        for ws in &self.windows {
            if let Some(id) = &ws.current {
                let t = self.ticket(id).ok_or("current ticket unknown")?;
                if !matches!(t.status, Status::Called | Status::Serving)
                    || t.window != Some(ws.number)
                {
                    return Err(format!(
                        "window {} holds {} in state {:?}",
                        ws.number, t.number, t.status
                    ));
                }
            }
        }
        Ok(())
    }
}

fn wrong(t: &Ticket) -> Rejected {
    Rejected::WrongStatus {
        number: t.number.clone(),
        status: t.status,
    }
}

fn seconds_between(from: Timestamp, to: Timestamp) -> u32 {
    u32::try_from((to.as_second() - from.as_second()).max(0)).unwrap_or(u32::MAX)
}

//! What the wall display shows, as plain data: the newest call and whether
//! it is still highlighted, the last calls, waiting counts per category,
//! each window's ticket, the link to the server, and the server's clock.
//!
//! [`Board::receive`] applies one message of the event stream and returns
//! the calls to announce. Nothing here knows about Bevy, sockets or the
//! system clock: the caller passes the local time, so every rule is tested
//! with plain values.
//!
//! # Rules
//! - Events are applied once, in sequence order; an event whose sequence
//!   was already applied is ignored.
//! - A call is *fresh* when it happened at most [`FRESH`] ago by the
//!   server's clock. Fresh calls are highlighted and announced; older ones
//!   (replayed after a reconnect, or listed in a snapshot) are listed only.
//!   An old call is never highlighted as new.
//! - After a snapshot (first connection or resync), calls in its
//!   `recent_calls` that were not shown before are listed (and announced
//!   if fresh); calls already shown are not shown or announced again.
//! - Waiting counts come from the last snapshot and are kept up to date by
//!   the events that follow; each resync corrects any drift.

use std::collections::{HashSet, VecDeque};
use std::ops::RangeInclusive;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use lobby_core::api::{QueueView, StreamMessage};
use lobby_core::{CategoryId, Event, EventKind, SiteId, Status, TicketId, TicketNumber, WindowNo};

/// How long after it happened a call still counts as new.
pub const FRESH: SignedDuration = SignedDuration::from_secs(60);

/// How long the newest call stays highlighted.
pub const HIGHLIGHT: SignedDuration = SignedDuration::from_secs(8);

/// How many calls the board remembers (the screen shows fewer).
pub const KEPT_CALLS: usize = 30;

/// Which windows and categories a display shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this site's windows and categories.
    pub site: Option<SiteId>,
    /// Only these windows (an area of the hall); all when empty.
    pub windows: Vec<RangeInclusive<u32>>,
}

impl Filter {
    fn accepts_window(&self, number: WindowNo, site: Option<&SiteId>) -> bool {
        let site_ok = match (&self.site, site) {
            (None, _) => true,
            (Some(want), Some(have)) => want == have,
            (Some(_), None) => false,
        };
        site_ok && (self.windows.is_empty() || self.windows.iter().any(|r| r.contains(&number.0)))
    }
}

/// One call as the board lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The ticket's id: its calls and recalls share it.
    pub ticket: TicketId,
    /// Its number ("A023").
    pub number: TicketNumber,
    /// Its category.
    pub category: CategoryId,
    /// The window it is called to.
    pub window: WindowNo,
    /// Whether the ticket came through the green channel.
    pub green: bool,
    /// 0 for the first call, then 1, 2 … for recalls.
    pub recall: u32,
    /// When the server made the call.
    pub at: Timestamp,
}

impl Call {
    fn of(event: &Event) -> Option<Call> {
        let (ticket, number, category, window, green, recall) = match &event.kind {
            EventKind::Called {
                ticket,
                number,
                category,
                window,
                green,
            } => (ticket, number, category, window, green, 0),
            EventKind::Recalled {
                ticket,
                number,
                category,
                window,
                green,
                recall,
            } => (ticket, number, category, window, green, *recall),
            _ => return None,
        };
        Some(Call {
            ticket: ticket.clone(),
            number: number.clone(),
            category: category.clone(),
            window: *window,
            green: *green,
            recall,
            at: event.at,
        })
    }

    /// What tells two calls apart, even of the same ticket.
    fn key(&self) -> CallKey {
        (self.ticket.clone(), self.window, self.recall, self.at)
    }
}

type CallKey = (TicketId, WindowNo, u32, Timestamp);

/// A category's line: its id, name, ticket prefix and site as the queue
/// view gives them, and how many tickets wait.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryLine {
    pub id: CategoryId,
    pub name: String,
    pub prefix: String,
    pub site: SiteId,
    pub waiting: u32,
}

/// A window's line: who it serves now.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowLine {
    /// Number as citizens see it.
    pub number: WindowNo,
    /// Site it stands in.
    pub site: SiteId,
    /// Categories it serves, primary first.
    pub categories: Vec<CategoryId>,
    /// Whether staff are signed in.
    pub open: bool,
    /// Signed in but on a break: it calls nobody.
    pub paused: bool,
    /// The ticket called or being served.
    pub current: Option<TicketNumber>,
    /// Whether that ticket is green channel.
    pub green: bool,
}

/// The display's link to the server, as the screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not connected yet since start.
    Connecting,
    /// Receiving the event stream.
    Online,
    /// Lost since the given local time; reconnecting.
    Offline {
        /// When the link was lost (local clock).
        since: Timestamp,
    },
}

/// What the wall shows, kept up to date from the event stream: queues,
/// windows and recent calls, for this display's site and windows.
#[derive(Debug, Clone)]
pub struct Board {
    filter: Filter,
    seq: Option<u64>,
    day: Option<Date>,
    /// Server clock minus local clock.
    offset: SignedDuration,
    categories: Vec<CategoryLine>,
    windows: Vec<WindowLine>,
    /// Newest first.
    calls: VecDeque<Call>,
    /// Calls already listed, so a resync never shows one twice.
    seen: HashSet<CallKey>,
    /// Tickets transferred to a window: they wait for it, not in their
    /// category's count.
    at_window: HashSet<TicketId>,
    /// Local time until which the newest call is highlighted.
    highlight_until: Option<Timestamp>,
    link: Link,
}

impl Board {
    /// An empty board showing what `filter` lets through.
    pub fn new(filter: Filter) -> Board {
        Board {
            filter,
            seq: None,
            day: None,
            offset: SignedDuration::ZERO,
            categories: Vec::new(),
            windows: Vec::new(),
            calls: VecDeque::new(),
            seen: HashSet::new(),
            at_window: HashSet::new(),
            highlight_until: None,
            link: Link::Connecting,
        }
    }

    /// The sequence number of the last event applied.
    pub fn seq(&self) -> Option<u64> {
        self.seq
    }

    /// The business day, once known.
    pub fn day(&self) -> Option<Date> {
        self.day
    }

    /// Whether the stream is up, or since when it is down.
    pub fn link(&self) -> Link {
        self.link
    }

    /// The server's time now, estimated from the local clock and the last
    /// snapshot (the wall shows the hall's time even if this box's clock is
    /// off).
    pub fn server_now(&self, local_now: Timestamp) -> Timestamp {
        local_now.checked_add(self.offset).unwrap_or(local_now)
    }

    /// The calls, newest first.
    pub fn calls(&self) -> impl Iterator<Item = &Call> {
        self.calls.iter()
    }

    /// The newest call.
    pub fn newest(&self) -> Option<&Call> {
        self.calls.front()
    }

    /// The newest call, while it is highlighted.
    pub fn highlighted(&self, local_now: Timestamp) -> Option<&Call> {
        match self.highlight_until {
            Some(until) if local_now < until => self.calls.front(),
            _ => None,
        }
    }

    /// When the screen next changes by itself (the highlight ends).
    pub fn next_change(&self, local_now: Timestamp) -> Option<Timestamp> {
        self.highlight_until.filter(|until| *until > local_now)
    }

    /// The categories shown, in configuration order.
    pub fn categories(&self) -> &[CategoryLine] {
        &self.categories
    }

    /// The windows shown, in number order.
    pub fn windows(&self) -> &[WindowLine] {
        &self.windows
    }

    /// The stream is connected (a snapshot or events follow).
    pub fn connected(&mut self) {
        self.link = Link::Online;
    }

    /// The stream was lost at `local_now`.
    pub fn disconnected(&mut self, local_now: Timestamp) {
        if !matches!(self.link, Link::Offline { .. }) {
            self.link = Link::Offline { since: local_now };
        }
    }

    /// Applies one stream message received at `local_now`; returns the
    /// calls to announce, oldest first.
    pub fn receive(&mut self, message: StreamMessage, local_now: Timestamp) -> Vec<Call> {
        self.link = Link::Online;
        match message {
            StreamMessage::Snapshot {
                seq,
                queue,
                recent_calls,
            } => self.snapshot(seq, &queue, &recent_calls, local_now),
            StreamMessage::Event { seq, event } => self.event(seq, &event, local_now),
            // Device reports and later kinds of message do not change the
            // wall display.
            #[allow(unreachable_patterns)]
            _ => Vec::new(),
        }
    }

    fn snapshot(
        &mut self,
        seq: u64,
        queue: &QueueView,
        recent_calls: &[Event],
        local_now: Timestamp,
    ) -> Vec<Call> {
        self.offset = queue.at.duration_since(local_now);
        if queue.day != self.day {
            self.new_day(queue.day);
        }
        self.seq = Some(seq);
        self.windows = queue
            .windows
            .iter()
            .filter(|w| self.filter.accepts_window(w.number, Some(&w.site)))
            .map(|w| WindowLine {
                number: w.number,
                site: w.site.clone(),
                categories: w.categories.clone(),
                open: w.open,
                paused: w.paused.is_some(),
                current: w
                    .current
                    .as_ref()
                    .filter(|t| matches!(t.status, Status::Called | Status::Serving))
                    .map(|t| t.number.clone()),
                green: w.current.as_ref().is_some_and(|t| t.green),
            })
            .collect();
        let served: HashSet<&CategoryId> =
            self.windows.iter().flat_map(|w| &w.categories).collect();
        self.categories = queue
            .categories
            .iter()
            .filter(|c| match &self.filter.site {
                Some(site) => &c.site == site,
                None => true,
            })
            .filter(|c| self.filter.windows.is_empty() || served.contains(&c.queue.category))
            .map(|c| CategoryLine {
                id: c.queue.category.clone(),
                name: c.name.clone(),
                prefix: c.prefix.clone(),
                site: c.site.clone(),
                waiting: c.queue.waiting,
            })
            .collect();
        // Where transferred tickets wait is not in the snapshot; its counts
        // already place them right.
        self.at_window.clear();

        let mut announce = Vec::new();
        // `recent_calls` is newest first; list them oldest first.
        for event in recent_calls.iter().rev() {
            if let Some(call) = Call::of(event) {
                announce.extend(self.add_call(call, local_now));
            }
        }
        announce
    }

    fn event(&mut self, seq: u64, event: &Event, local_now: Timestamp) -> Vec<Call> {
        if self.seq.is_some_and(|applied| seq <= applied) {
            return Vec::new();
        }
        self.seq = Some(seq);
        // A server clock ahead of our estimate (it was moved, or this box's
        // clock drifted) is taken as the new estimate. Replayed events are
        // behind it and leave it alone.
        if event.at > self.server_now(local_now) {
            self.offset = event.at.duration_since(local_now);
        }
        self.count(&event.kind);
        self.track_windows(&event.kind);
        match &event.kind {
            EventKind::DayChanged { day } => {
                self.new_day(Some(*day));
                Vec::new()
            }
            _ => match Call::of(event) {
                Some(call) => self.add_call(call, local_now).into_iter().collect(),
                None => Vec::new(),
            },
        }
    }

    /// Lists a call; returns it if it is to be announced.
    fn add_call(&mut self, call: Call, local_now: Timestamp) -> Option<Call> {
        let site = self
            .windows
            .iter()
            .find(|w| w.number == call.window)
            .map(|w| w.site.clone());
        if !self.filter.accepts_window(call.window, site.as_ref()) {
            return None;
        }
        if !self.seen.insert(call.key()) {
            return None;
        }
        let fresh = self.server_now(local_now).duration_since(call.at) <= FRESH;
        // A ticket appears once in the list, at its latest call.
        self.calls.retain(|c| c.ticket != call.ticket);
        let place = self
            .calls
            .iter()
            .position(|c| c.at <= call.at)
            .unwrap_or(self.calls.len());
        self.calls.insert(place, call.clone());
        self.calls.truncate(KEPT_CALLS);
        if place == 0 {
            self.highlight_until = if fresh {
                local_now.checked_add(HIGHLIGHT).ok()
            } else {
                None
            };
        }
        fresh.then_some(call)
    }

    fn new_day(&mut self, day: Option<Date>) {
        self.day = day;
        self.calls.clear();
        self.seen.clear();
        self.at_window.clear();
        self.highlight_until = None;
        for w in &mut self.windows {
            w.current = None;
        }
    }

    fn category_mut(&mut self, id: &CategoryId) -> Option<&mut CategoryLine> {
        self.categories.iter_mut().find(|c| &c.id == id)
    }

    fn category_of(&self, number: &TicketNumber) -> Option<CategoryId> {
        self.categories
            .iter()
            .find(|c| c.prefix == number.prefix)
            .map(|c| c.id.clone())
    }

    fn add_waiting(&mut self, category: Option<CategoryId>, delta: i32) {
        if let Some(line) = category.and_then(|c| self.category_mut(&c)) {
            line.waiting = line.waiting.saturating_add_signed(delta);
        }
    }

    /// Keeps waiting counts up to date (see the core's queue summary: a
    /// ticket counts in its category's queue while it waits there).
    fn count(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Issued { ticket } => {
                self.add_waiting(Some(ticket.category.clone()), 1);
            }
            EventKind::Called {
                ticket, category, ..
            } => {
                // A ticket that waited for one window was not in its
                // category's count.
                let left_queue = !self.at_window.remove(ticket);
                self.add_waiting(Some(category.clone()), -i32::from(left_queue));
            }
            EventKind::Transferred { ticket, to, .. } => match to {
                lobby_core::TransferTarget::Category(c) => self.add_waiting(Some(c.clone()), 1),
                lobby_core::TransferTarget::Window(_) => {
                    self.at_window.insert(ticket.clone());
                }
            },
            EventKind::Completed {
                next_stop: Some(c), ..
            } => self.add_waiting(Some(c.clone()), 1),
            EventKind::Reactivated { number, .. } => {
                let c = self.category_of(number);
                self.add_waiting(c, 1);
            }
            EventKind::Cancelled { ticket, number }
            | EventKind::Expired {
                ticket,
                number,
                was: Status::Waiting,
            } => {
                let left_queue = !self.at_window.remove(ticket);
                let c = self.category_of(number);
                self.add_waiting(c, -i32::from(left_queue));
            }
            EventKind::SiteClosed { site } => {
                for c in self.categories.iter_mut().filter(|c| &c.site == site) {
                    c.waiting = 0;
                }
            }
            EventKind::DayChanged { .. } => {
                for c in &mut self.categories {
                    c.waiting = 0;
                }
            }
            _ => {}
        }
    }

    fn window_mut(&mut self, n: WindowNo) -> Option<&mut WindowLine> {
        self.windows.iter_mut().find(|w| w.number == n)
    }

    fn track_windows(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Called {
                number,
                window: n,
                green,
                ..
            }
            | EventKind::Recalled {
                number,
                window: n,
                green,
                ..
            } => {
                if let Some(w) = self.window_mut(*n) {
                    w.current = Some(number.clone());
                    w.green = *green;
                }
            }
            EventKind::Completed { window: n, .. }
            | EventKind::NoShow { window: n, .. }
            | EventKind::Transferred { from_window: n, .. } => {
                if let Some(w) = self.window_mut(*n) {
                    w.current = None;
                }
            }
            EventKind::WindowOpened { window: n, .. } => {
                if let Some(w) = self.window_mut(*n) {
                    w.open = true;
                }
            }
            EventKind::WindowClosed { window: n } => {
                if let Some(w) = self.window_mut(*n) {
                    w.open = false;
                    w.current = None;
                }
            }
            EventKind::Paused { window: n, .. } => {
                if let Some(w) = self.window_mut(*n) {
                    w.paused = true;
                }
            }
            EventKind::Resumed { window: n } => {
                if let Some(w) = self.window_mut(*n) {
                    w.paused = false;
                }
            }
            EventKind::Expired { number, .. } => {
                for w in self.windows.iter_mut() {
                    if w.current.as_ref() == Some(number) {
                        w.current = None;
                    }
                }
            }
            EventKind::SiteClosed { site } => {
                for w in self.windows.iter_mut().filter(|w| &w.site == site) {
                    w.current = None;
                }
            }
            _ => {}
        }
    }
}

//! Applying events to the state (also how a stored log is replayed).

use std::sync::Arc;

use jiff::{Timestamp, ToSpan};

use super::{CategoryFigures, Lobby, seconds_between};
use crate::command::{CardReason, Event, EventKind, TransferTarget};
use crate::dispatch::Slot;
use crate::hall::Hall;
use crate::ids::{CategoryId, TicketId, WindowNo};
use crate::ticket::{Status, Ticket};
use crate::window::{WindowFigures, WindowState};

impl Lobby {
    /// Applies one event. Events come from [`Lobby::handle`] (or a log of
    /// them), so they are valid for the state they were made in; applying
    /// the same events to a fresh lobby in order gives the same state.
    pub fn apply(&mut self, event: &Event) {
        let at = event.at;
        match &event.kind {
            EventKind::DayChanged { day } => {
                if let Some(old) = self.day {
                    let hall = Arc::clone(&self.hall);
                    self.stats.record_day(&hall, old);
                }
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
                let hall = Arc::clone(&self.hall);
                match next_stop {
                    Some(next) => self.requeue(ticket, at, |t| {
                        t.stops.retain(|c| c != next);
                        move_to(&hall, t, next);
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
                let hall = Arc::clone(&self.hall);
                self.requeue(ticket, at, |t| match to {
                    TransferTarget::Category(c) => {
                        move_to(&hall, t, c);
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
                if let Some(&wi) = self.hall.index.windows.get(window) {
                    let hall = Arc::clone(&self.hall);
                    self.stats.record_opened(&hall, wi, at);
                }
                if let Some(ws) = self.window_mut(*window) {
                    ws.open = true;
                    if staff.is_some() {
                        ws.staff.clone_from(staff);
                    }
                }
            }
            EventKind::WindowClosed { window } => {
                if let Some(&wi) = self.hall.index.windows.get(window) {
                    let hall = Arc::clone(&self.hall);
                    self.stats.record_closed(&hall, wi, at);
                }
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

    pub(super) fn ticket_mut(&mut self, id: &TicketId) -> Option<&mut Ticket> {
        let place = self.ids.get(id)?;
        self.tickets.get_mut(place)
    }

    pub(super) fn window_mut(&mut self, number: WindowNo) -> Option<&mut WindowState> {
        let &wi = self.hall.index.windows.get(&number)?;
        Some(&mut self.windows[wi])
    }

    /// Stores a new or returning ticket at `at` and, if it waits, queues
    /// it, noting for the estimates whether it goes ahead of normal tickets
    /// already waiting there.
    pub(super) fn join(&mut self, t: Ticket, at: Timestamp) {
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
    pub(super) fn enqueue(&mut self, t: Ticket) {
        if t.status == Status::Waiting {
            let slot = self.slot_of(&t);
            self.queues.insert(slot, &t);
        }
        self.ids.insert(t.id.clone(), t.place);
        self.tickets.insert(t.place, t);
    }

    /// Takes a waiting ticket out of its queue (it stays stored); returns a
    /// copy of it as it was.
    pub(super) fn dequeue(&mut self, id: &TicketId) -> Option<Ticket> {
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
    pub(super) fn requeue(
        &mut self,
        id: &TicketId,
        at: Timestamp,
        change: impl FnOnce(&mut Ticket),
    ) {
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
}

/// Moves a ticket to another category's queue; a matter that category does
/// not accept is dropped (the visitor was sent on because it was the wrong
/// one, and the next window must not be told it).
fn move_to(hall: &Hall, t: &mut Ticket, category: &CategoryId) {
    t.category = category.clone();
    if let Some(m) = &t.matter
        && hall.matter(m).is_none_or(|m| !hall.offers(category, m))
    {
        t.matter = None;
    }
}

//! The discrete-event loop: one policy, one simulated day, a real
//! [`Lobby`].
//!
//! Events are kept in a priority queue by (time, order of scheduling), so
//! the run is deterministic. What happens:
//!
//! - **Arrival.** A visitor takes a ticket at the kiosk (an appointment
//!   check-in for booked visitors). When the kiosk refuses because only the
//!   guide desk issues (lunch, the last minutes of the afternoon), the
//!   visitor walks to the guide desk, which issues the ticket if a staffed
//!   window serves the category now, and otherwise asks the visitor to come
//!   back when the next session opens. A closed hall or a full daily quota
//!   turns the visitor away (counted).
//! - **Windows** sign in and off by the scenario's staffing. A shift that
//!   ends when a session ends stays on while tickets wait for it, for up to
//!   `overtime_max_min` (extended service, 延时服务; at the end of the day
//!   at most until the core expires what still waits). A free, signed-in
//!   window asks the policy for a ticket whenever something changed (a
//!   ticket joined a queue, a tick passed, it finished a visitor and
//!   wrapped up). During the scenario's pauses a window stays signed in
//!   but calls nobody (`Command::Pause`, then `Resume`); the visitor in
//!   hand is served to the end.
//! - **Calls.** A called visitor walks to the window and service starts; a
//!   late visitor comes only after one or two recalls (a recall every
//!   `recall_every_s`); an absent one never comes, the window recalls up to
//!   the hall's limit and the core's tick turns the call into a no-show.
//!   Some absent visitors come back later and are re-activated.
//! - **Ticks** go to the core every `tick_s`, as the server sends them, so
//!   automatic no-shows, yellow cards and closing happen as in production.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use anyhow::{Result, anyhow, bail};
use lobby_core::hall::{Issuing, Opening};
use lobby_core::{
    Appointment, Channel, Command, Event, EventKind, Hall, Issue, Lobby, Priority, Rejected,
    TicketId, WindowNo,
};
use serde::Serialize;

use crate::policy::{Pick, Policy};
use crate::scenario::{Scenario, Shift, seconds_of, window_numbers};
use crate::visitors::{Clock, Visitor, kiosk_opening};

/// One wait: from joining a queue to being called, or to expiring unserved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitSample {
    /// Who waited: an index into the day's visitors.
    pub visitor: usize,
    /// Category index in the hall.
    pub category: usize,
    /// Green-channel ticket.
    pub green: bool,
    /// Seconds waited.
    pub wait_s: u32,
    /// Expired at closing instead of being called (a lower bound).
    pub expired: bool,
    /// When the wait ended (seconds after midnight).
    pub at: i64,
}

/// The estimate printed on a ticket and the wait that followed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimatePair {
    /// Estimated wait at issue, seconds.
    pub estimate_s: u32,
    /// Actual wait from issue to the first call, seconds.
    pub actual_s: u32,
    /// Issued at (seconds after midnight).
    pub issued: i64,
}

/// How much a window was signed in and busy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WindowUse {
    /// The window's number in the hall.
    pub number: WindowNo,
    /// Seconds signed in.
    pub signed_in_s: i64,
    /// Seconds with a called or served ticket.
    pub busy_s: i64,
}

/// What happened to the day's visitors, counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Visitors who arrived.
    pub visitors: u32,
    /// Tickets issued.
    pub issued: u32,
    /// Kiosk refused (guide desk only); the visitor went to the guide desk.
    pub sent_to_guide_desk: u32,
    /// Sent away at lunch because no window served their category; came
    /// back when the next session opened.
    pub deferred: u32,
    /// Turned away: the hall was closed.
    pub turned_away_closed: u32,
    /// Turned away: the category's daily quota was reached.
    pub turned_away_quota: u32,
    /// Calls (not counting recalls).
    pub calls: u32,
    /// Visits completed (every stop done).
    pub completed: u32,
    /// Stops completed, each stop of a multi-stop visit counted.
    pub stops_completed: u32,
    /// Recalls.
    pub recalls: u32,
    /// No-shows.
    pub no_shows: u32,
    /// No-shows re-activated.
    pub reactivated: u32,
    /// Re-activation refused (the ticket had expired, or the limit).
    pub reactivation_refused: u32,
    /// Still waiting when the day closed.
    pub expired_waiting: u32,
    /// Called but not answered when the day closed.
    pub expired_called: u32,
}

/// Everything recorded about one policy's day.
#[derive(Debug, Clone)]
pub struct DayOutcome {
    /// The policy's name, as in the report.
    pub policy: &'static str,
    /// Every wait, in the order the waits ended.
    pub waits: Vec<WaitSample>,
    /// Estimates against actual waits (first call of each ticket).
    pub estimates: Vec<EstimatePair>,
    /// Per staffed window.
    pub windows: Vec<WindowUse>,
    /// What happened to the visitors, counted.
    pub counts: Counts,
    /// Which visitors got a ticket.
    pub issued: Vec<bool>,
    /// Tickets waiting at each tick: (seconds after midnight, count).
    pub queue: Vec<(i64, u32)>,
    /// Every event the core produced, in order, when the run was asked to
    /// keep them ([`run`]); empty otherwise.
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Copy)]
enum Ev {
    Arrive(usize),
    GuideDesk(usize),
    ShiftStart(usize),
    ShiftEnd(usize),
    PauseStart(usize),
    PauseEnd(usize),
    Ready(usize),
    Recall(usize, usize, u32),
    AtWindow(usize, usize, u32),
    ServiceEnd(usize, usize),
    Return(usize),
    Tick,
}

/// A staffed window, as the simulation sees it.
#[derive(Debug, Clone)]
struct Desk {
    number: WindowNo,
    index: usize,
    /// Merged shifts: (from, to, finishes the queue).
    shifts: Vec<(i64, i64, bool)>,
    /// Merged pauses: (from, to).
    pauses: Vec<(i64, i64)>,
    on_shift: bool,
    /// In one of its pauses: calls nobody.
    paused: bool,
    /// Shift over, but staying until nothing is left to call or this
    /// instant.
    finishing: bool,
    finish_by: i64,
    /// Wrapped up and able to call.
    ready: bool,
    current: Option<usize>,
    busy_since: i64,
    idle_since: i64,
    signed_in_since: Option<i64>,
    signed_in_s: i64,
    busy_s: i64,
}

#[derive(Debug, Clone, Default)]
struct VisitorState {
    calls: u32,
    serial: u32,
    issued_at: Option<i64>,
}

struct Engine<'a> {
    hall: &'a Hall,
    scenario: &'a Scenario,
    clock: Clock,
    visitors: &'a [Visitor],
    policy: &'a mut dyn Policy,
    lobby: Lobby,
    heap: BinaryHeap<Reverse<(i64, u64)>>,
    pending: Vec<Option<Ev>>,
    desks: Vec<Desk>,
    desk_of: BTreeMap<WindowNo, usize>,
    state: Vec<VisitorState>,
    now: i64,
    site_closed: bool,
    dirty: bool,
    keep_events: bool,
    out: DayOutcome,
}

/// Runs one policy through the day. With `keep_events`, every event the
/// core produced is kept in `DayOutcome::events`, as lobby-server would
/// log them.
pub fn run(
    hall: &std::sync::Arc<Hall>,
    scenario: &Scenario,
    clock: Clock,
    visitors: &[Visitor],
    policy: &mut dyn Policy,
    keep_events: bool,
) -> Result<DayOutcome> {
    let desks = desks(hall, scenario)?;
    let desk_of = desks
        .iter()
        .enumerate()
        .map(|(i, d)| (d.number, i))
        .collect();
    let name = policy.name();
    let mut e = Engine {
        hall,
        scenario,
        clock,
        visitors,
        policy,
        lobby: Lobby::new(hall.clone()),
        heap: BinaryHeap::new(),
        pending: Vec::new(),
        desks,
        desk_of,
        state: vec![VisitorState::default(); visitors.len()],
        now: 0,
        site_closed: false,
        dirty: false,
        out: DayOutcome {
            policy: name,
            waits: Vec::new(),
            estimates: Vec::new(),
            windows: Vec::new(),
            counts: Counts::default(),
            issued: vec![false; visitors.len()],
            queue: Vec::new(),
            events: Vec::new(),
        },
        keep_events,
    };
    e.day()?;
    Ok(e.out)
}

/// The scenario's staffing as desks with merged shifts, in window order.
fn desks(hall: &Hall, scenario: &Scenario) -> Result<Vec<Desk>> {
    let clock = Clock::new(hall, scenario)?;
    let session_ends: Vec<i64> = hall
        .sessions_on(scenario.site(hall), scenario.date)
        .into_iter()
        .map(|(_, _, end)| clock.secs(end))
        .collect();
    let by_window = spans_by_window(&scenario.staffing)?;
    let mut pauses = spans_by_window(&scenario.pauses)?;
    let mut out = Vec::new();
    for (number, spans) in by_window {
        let merged = spans
            .into_iter()
            .map(|(from, to)| (from, to, session_ends.contains(&to)))
            .collect();
        let index = hall
            .windows
            .iter()
            .position(|w| w.number == number)
            .ok_or_else(|| anyhow!("no window {number}"))?;
        out.push(Desk {
            number,
            index,
            shifts: merged,
            pauses: pauses.remove(&number).unwrap_or_default(),
            on_shift: false,
            paused: false,
            finishing: false,
            finish_by: 0,
            ready: true,
            current: None,
            busy_since: 0,
            idle_since: 0,
            signed_in_since: None,
            signed_in_s: 0,
            busy_s: 0,
        });
    }
    Ok(out)
}

/// Shifts (or pauses) per window, sorted and merged where they overlap or
/// touch.
fn spans_by_window(shifts: &[Shift]) -> Result<BTreeMap<WindowNo, Vec<(i64, i64)>>> {
    let mut by_window: BTreeMap<WindowNo, Vec<(i64, i64)>> = BTreeMap::new();
    for s in shifts {
        for w in window_numbers(&s.windows)? {
            by_window
                .entry(w)
                .or_default()
                .push((seconds_of(s.from), seconds_of(s.to)));
        }
    }
    for spans in by_window.values_mut() {
        spans.sort();
        let mut merged: Vec<(i64, i64)> = Vec::new();
        for &(from, to) in spans.iter() {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        *spans = merged;
    }
    Ok(by_window)
}

impl Engine<'_> {
    fn schedule(&mut self, at: i64, ev: Ev) {
        let seq = self.pending.len() as u64;
        self.pending.push(Some(ev));
        self.heap.push(Reverse((at, seq)));
    }

    fn handle(&mut self, command: Command) -> Result<Vec<Event>, Rejected> {
        let at = self.clock.at(self.now);
        let events = self.lobby.handle(at, command)?;
        if self.keep_events {
            self.out.events.extend(events.iter().cloned());
        }
        Ok(events)
    }

    fn day(&mut self) -> Result<()> {
        let mut first = i64::MAX;
        for v in self.visitors {
            self.schedule(v.arrive, Ev::Arrive(v.id));
            first = first.min(v.arrive);
        }
        for d in 0..self.desks.len() {
            for &(from, to, _) in &self.desks[d].shifts.clone() {
                self.schedule(from, Ev::ShiftStart(d));
                self.schedule(to, Ev::ShiftEnd(d));
                first = first.min(from);
            }
            for &(from, to) in &self.desks[d].pauses.clone() {
                self.schedule(from, Ev::PauseStart(d));
                self.schedule(to, Ev::PauseEnd(d));
            }
        }
        if first == i64::MAX {
            return Ok(());
        }
        let tick = i64::from(self.scenario.behaviour.tick_s);
        self.schedule(first - first.rem_euclid(tick), Ev::Tick);
        // A day never runs past the next morning; the bound only guards
        // against a scenario that never lets the hall close.
        let limit = 30 * 3600;
        while let Some(Reverse((at, seq))) = self.heap.pop() {
            if at > limit {
                bail!("the simulated day did not end by the next morning");
            }
            self.now = at;
            let ev = self.pending[seq as usize]
                .take()
                .expect("each event is popped once");
            self.event(ev)?;
            if self.dirty {
                self.dirty = false;
                self.poll()?;
            }
        }
        // Sign off whoever is still signed in, for the figures.
        for d in 0..self.desks.len() {
            if self.desks[d].signed_in_since.is_some() && self.desks[d].current.is_none() {
                let events = self
                    .handle(Command::CloseWindow {
                        window: self.desks[d].number,
                    })
                    .map_err(|r| anyhow!("closing window at the end: {r}"))?;
                self.observe(events)?;
            }
        }
        self.out.windows = self
            .desks
            .iter()
            .map(|d| WindowUse {
                number: d.number,
                signed_in_s: d.signed_in_s,
                busy_s: d.busy_s,
            })
            .collect();
        Ok(())
    }

    fn event(&mut self, ev: Ev) -> Result<()> {
        match ev {
            Ev::Arrive(v) => {
                if self.state[v].issued_at.is_none() && !self.out.issued[v] {
                    if self.visitor_counted(v) {
                        self.out.counts.visitors += 1;
                    }
                    let channel = if self.visitors[v].appointment.is_some() {
                        Channel::Appointment
                    } else {
                        Channel::Kiosk
                    };
                    self.issue(v, channel)?;
                }
            }
            Ev::GuideDesk(v) => {
                let category = self.visitors[v].stops[0];
                if self.served_now(category) {
                    self.issue(v, Channel::GuideDesk)?;
                } else {
                    self.out.counts.deferred += 1;
                    let back = self.next_kiosk_open()? + i64::from(self.visitors[v].deferred_s);
                    self.schedule(back, Ev::Arrive(v));
                }
            }
            Ev::ShiftStart(d) => {
                let desk = &mut self.desks[d];
                desk.on_shift = true;
                desk.finishing = false;
                desk.idle_since = self.now;
                let number = desk.number;
                let events = self
                    .handle(Command::OpenWindow {
                        window: number,
                        staff: None,
                    })
                    .map_err(|r| anyhow!("opening window {number}: {r}"))?;
                self.observe(events)?;
                if self.desks[d].paused {
                    self.pause(d)?;
                }
                self.dirty = true;
            }
            Ev::PauseStart(d) => {
                self.desks[d].paused = true;
                if self.desks[d].signed_in_since.is_some() {
                    self.pause(d)?;
                }
            }
            Ev::PauseEnd(d) => {
                self.desks[d].paused = false;
                let window = self.desks[d].number;
                // Signing off ended the pause already.
                match self.handle(Command::Resume { window }) {
                    Ok(events) => self.observe(events)?,
                    Err(Rejected::WindowNotPaused { .. }) => {}
                    Err(r) => bail!("resuming window {window}: {r}"),
                }
                self.dirty = true;
            }
            Ev::ShiftEnd(d) => {
                let finishes = self.desks[d].shifts.iter().any(|s| s.1 == self.now && s.2);
                self.desks[d].on_shift = false;
                // Staff on a break when their shift ends do not stay on for
                // extended service.
                self.desks[d].finishing = finishes && !self.site_closed && !self.desks[d].paused;
                self.desks[d].finish_by =
                    self.now + i64::from(self.scenario.behaviour.overtime_max_min) * 60;
                if self.desks[d].current.is_none() {
                    if self.desks[d].finishing {
                        self.dirty = true;
                    } else {
                        self.close(d)?;
                    }
                }
            }
            Ev::Ready(d) => {
                self.desks[d].ready = true;
                self.desks[d].idle_since = self.now;
                if self.active(d) {
                    self.try_call(d)?;
                } else {
                    self.close(d)?;
                }
            }
            Ev::Recall(d, v, serial) => {
                if self.still_called(d, v, serial) {
                    let window = self.desks[d].number;
                    match self.handle(Command::Recall { window }) {
                        Ok(events) => {
                            self.out.counts.recalls += 1;
                            self.observe(events)?;
                        }
                        Err(Rejected::RecallLimit { .. }) => {}
                        Err(r) => bail!("recall at window {window}: {r}"),
                    }
                }
            }
            Ev::AtWindow(d, v, serial) => {
                if self.still_called(d, v, serial) {
                    let window = self.desks[d].number;
                    let events = self
                        .handle(Command::Start { window })
                        .map_err(|r| anyhow!("start at window {window}: {r}"))?;
                    self.observe(events)?;
                    let ticket = TicketId::from(self.visitors[v].ticket_id());
                    let stop = self.stop_of(&ticket, v);
                    let service = i64::from(self.visitors[v].service_s[stop]);
                    self.schedule(self.now + service, Ev::ServiceEnd(d, v));
                }
            }
            Ev::ServiceEnd(d, v) => {
                if self.desks[d].current == Some(v) {
                    let window = self.desks[d].number;
                    let events = self
                        .handle(Command::Complete { window })
                        .map_err(|r| anyhow!("complete at window {window}: {r}"))?;
                    self.observe(events)?;
                }
            }
            Ev::Return(v) => {
                let ticket = TicketId::from(self.visitors[v].ticket_id());
                match self.handle(Command::Reactivate { ticket }) {
                    Ok(events) => {
                        self.out.counts.reactivated += 1;
                        self.observe(events)?;
                        self.dirty = true;
                    }
                    Err(_) => self.out.counts.reactivation_refused += 1,
                }
            }
            Ev::Tick => {
                let events = self
                    .handle(Command::Tick)
                    .map_err(|r| anyhow!("tick: {r}"))?;
                self.observe(events)?;
                let waiting: u32 = self
                    .lobby
                    .queue_summary(self.clock.at(self.now))
                    .iter()
                    .filter(|q| {
                        self.hall
                            .category(&q.category)
                            .is_some_and(|c| &c.site == self.scenario.site(self.hall))
                    })
                    .map(|q| q.waiting)
                    .sum();
                self.out.queue.push((self.now, waiting));
                self.dirty = true;
                if !self.site_closed {
                    let tick = i64::from(self.scenario.behaviour.tick_s);
                    self.schedule(self.now + tick, Ev::Tick);
                }
            }
        }
        Ok(())
    }

    /// A visitor is counted once, at their first arrival.
    fn visitor_counted(&self, v: usize) -> bool {
        self.now == self.visitors[v].arrive
    }

    fn issue(&mut self, v: usize, channel: Channel) -> Result<()> {
        let visitor = &self.visitors[v];
        let category = &self.hall.categories[visitor.stops[0]].id;
        let issue = Issue {
            id: TicketId::from(visitor.ticket_id()),
            site: Some(self.scenario.site(self.hall).clone()),
            category: category.clone(),
            matter: None,
            priority: match &visitor.green {
                Some(group) => Priority::Green {
                    group: group.clone(),
                },
                None => Priority::Normal,
            },
            channel,
            appointment: match (channel, visitor.appointment) {
                (Channel::Appointment, Some((start, end))) => Some(Appointment {
                    code: format!("YY{:05}", visitor.id),
                    slot_start: self.clock.at(start),
                    slot_end: self.clock.at(end),
                }),
                _ => None,
            },
            assisted: false,
            stops: visitor.stops[1..]
                .iter()
                .map(|&c| self.hall.categories[c].id.clone())
                .collect(),
        };
        match self.handle(Command::Issue(issue)) {
            Ok(events) => {
                self.out.issued[v] = true;
                self.out.counts.issued += 1;
                self.state[v].issued_at = Some(self.now);
                self.observe(events)?;
                self.dirty = true;
            }
            Err(Rejected::GuideDeskOnly) if channel != Channel::GuideDesk => {
                self.out.counts.sent_to_guide_desk += 1;
                let at = self.now + i64::from(visitor.desk_s);
                self.schedule(at, Ev::GuideDesk(v));
            }
            Err(Rejected::HallClosed { .. }) => self.out.counts.turned_away_closed += 1,
            Err(Rejected::QuotaReached { .. }) => self.out.counts.turned_away_quota += 1,
            Err(r) => bail!("issuing {}: {r}", visitor.ticket_id()),
        }
        Ok(())
    }

    /// Whether a signed-in window serves the category now.
    fn served_now(&self, category: usize) -> bool {
        let id = &self.hall.categories[category].id;
        self.desks
            .iter()
            .any(|d| d.on_shift && self.hall.windows[d.index].serves(id))
    }

    /// The next instant at which kiosks issue.
    fn next_kiosk_open(&self) -> Result<i64> {
        let mut s = self.now - self.now.rem_euclid(60) + 60;
        while s < self.now + 24 * 3600 {
            if kiosk_opening(self.hall, self.scenario, &self.clock, s) == Opening::Open {
                return Ok(s);
            }
            s += 60;
        }
        bail!("kiosks never open again after {}", self.now)
    }

    fn active(&self, d: usize) -> bool {
        let desk = &self.desks[d];
        desk.on_shift || (desk.finishing && self.now < desk.finish_by)
    }

    fn close(&mut self, d: usize) -> Result<()> {
        self.desks[d].finishing = false;
        if self.desks[d].signed_in_since.is_none() {
            return Ok(());
        }
        let window = self.desks[d].number;
        let events = self
            .handle(Command::CloseWindow { window })
            .map_err(|r| anyhow!("closing window {window}: {r}"))?;
        self.observe(events)
    }

    fn still_called(&self, d: usize, v: usize, serial: u32) -> bool {
        self.desks[d].current == Some(v) && self.state[v].serial == serial && {
            let id = TicketId::from(self.visitors[v].ticket_id());
            self.lobby
                .ticket(&id)
                .is_some_and(|t| t.status == lobby_core::Status::Called)
        }
    }

    /// Which stop of the visit a ticket is at (by its current category).
    fn stop_of(&self, ticket: &TicketId, v: usize) -> usize {
        let visitor = &self.visitors[v];
        self.lobby
            .ticket(ticket)
            .and_then(|t| self.hall.category_index(&t.category))
            .and_then(|ci| visitor.stops.iter().position(|&s| s == ci))
            .unwrap_or(0)
    }

    /// Lets every free window call, longest idle first.
    fn poll(&mut self) -> Result<()> {
        // Extended service ends: whoever is free signs off.
        for d in 0..self.desks.len() {
            let desk = &self.desks[d];
            if desk.finishing && self.now >= desk.finish_by && desk.current.is_none() {
                self.close(d)?;
            }
        }
        let mut free: Vec<usize> = (0..self.desks.len())
            .filter(|&d| {
                let desk = &self.desks[d];
                self.active(d) && desk.ready && desk.current.is_none()
            })
            .collect();
        free.sort_by_key(|&d| (self.desks[d].idle_since, self.desks[d].number));
        for d in free {
            self.try_call(d)?;
        }
        Ok(())
    }

    /// The window stops calling (a break); the visitor in hand, if any, is
    /// served to the end.
    fn pause(&mut self, d: usize) -> Result<()> {
        let window = self.desks[d].number;
        let events = self
            .handle(Command::Pause {
                window,
                reason: "休息".into(),
            })
            .map_err(|r| anyhow!("pausing window {window}: {r}"))?;
        self.observe(events)
    }

    fn try_call(&mut self, d: usize) -> Result<()> {
        if self.desks[d].paused {
            return Ok(());
        }
        let window = &self.hall.windows[self.desks[d].index];
        let number = window.number;
        let at = self.clock.at(self.now);
        let ticket = match self.policy.choose(&self.lobby, window, at) {
            Pick::Core => None,
            Pick::Ticket(id) => Some(id),
            Pick::Nothing => {
                if self.desks[d].finishing {
                    self.close(d)?;
                }
                return Ok(());
            }
        };
        let events = self
            .handle(Command::Call {
                window: number,
                ticket,
            })
            .map_err(|r| {
                anyhow!(
                    "policy {} at window {number}: call refused: {r}",
                    self.policy.name()
                )
            })?;
        self.observe(events)?;
        if self.desks[d].current.is_none() && self.desks[d].finishing {
            self.close(d)?;
        }
        Ok(())
    }

    fn visitor_of(&self, ticket: &TicketId) -> Result<usize> {
        ticket
            .as_str()
            .strip_prefix('v')
            .and_then(|n| n.parse().ok())
            .filter(|&v: &usize| v < self.visitors.len())
            .ok_or_else(|| anyhow!("unknown ticket {ticket}"))
    }

    fn free(&mut self, d: usize) {
        let desk = &mut self.desks[d];
        desk.busy_s += self.now - desk.busy_since;
        desk.current = None;
    }

    fn after_visitor(&mut self, d: usize) {
        self.free(d);
        self.desks[d].ready = false;
        let wrap = i64::from(self.scenario.behaviour.wrap_up_s);
        self.schedule(self.now + wrap, Ev::Ready(d));
    }

    fn observe(&mut self, events: Vec<Event>) -> Result<()> {
        for e in events {
            match e.kind {
                EventKind::Called { ticket, window, .. } => {
                    let v = self.visitor_of(&ticket)?;
                    let d = self.desk(window)?;
                    let t = self
                        .lobby
                        .ticket(&ticket)
                        .ok_or_else(|| anyhow!("called ticket {ticket} unknown"))?;
                    let ci = self.hall.category_index(&t.category).unwrap_or(0);
                    let wait = u32::try_from(t.waited_s(e.at)).unwrap_or(u32::MAX);
                    self.out.waits.push(WaitSample {
                        visitor: v,
                        category: ci,
                        green: t.priority.is_green(),
                        wait_s: wait,
                        expired: false,
                        at: self.now,
                    });
                    let first = self.state[v].calls == 0;
                    if first && let Some(issued) = self.state[v].issued_at {
                        self.out.estimates.push(EstimatePair {
                            estimate_s: t.estimate.wait_s,
                            actual_s: u32::try_from(self.now - issued).unwrap_or(u32::MAX),
                            issued,
                        });
                    }
                    self.out.counts.calls += 1;
                    self.state[v].calls += 1;
                    self.state[v].serial += 1;
                    let serial = self.state[v].serial;
                    let desk = &mut self.desks[d];
                    desk.current = Some(v);
                    desk.busy_since = self.now;
                    self.respond(d, v, serial, first);
                }
                EventKind::Completed {
                    window, next_stop, ..
                } => {
                    let d = self.desk(window)?;
                    self.out.counts.stops_completed += 1;
                    if next_stop.is_some() {
                        self.dirty = true;
                    } else {
                        self.out.counts.completed += 1;
                    }
                    self.after_visitor(d);
                }
                EventKind::NoShow { ticket, window, .. } => {
                    let v = self.visitor_of(&ticket)?;
                    let d = self.desk(window)?;
                    self.out.counts.no_shows += 1;
                    self.after_visitor(d);
                    if let Some(after) = self.visitors[v].return_after_s {
                        self.schedule(self.now + i64::from(after), Ev::Return(v));
                    }
                }
                EventKind::Expired { ticket, was, .. } => {
                    let v = self.visitor_of(&ticket)?;
                    let t = self
                        .lobby
                        .ticket(&ticket)
                        .ok_or_else(|| anyhow!("expired ticket {ticket} unknown"))?;
                    if was == lobby_core::Status::Waiting {
                        self.out.counts.expired_waiting += 1;
                        let wait = self.clock.secs(e.at) - self.clock.secs(t.queued_at);
                        self.out.waits.push(WaitSample {
                            visitor: v,
                            category: self.hall.category_index(&t.category).unwrap_or(0),
                            green: t.priority.is_green(),
                            wait_s: u32::try_from(wait.max(0)).unwrap_or(u32::MAX),
                            expired: true,
                            at: self.now,
                        });
                    } else if was == lobby_core::Status::Called {
                        self.out.counts.expired_called += 1;
                        if let Some(d) = self.desks.iter().position(|d| d.current == Some(v)) {
                            self.free(d);
                        }
                    }
                }
                EventKind::WindowOpened { window, .. } => {
                    if let Ok(d) = self.desk(window) {
                        self.desks[d].signed_in_since = Some(self.now);
                    }
                }
                EventKind::WindowClosed { window } => {
                    if let Ok(d) = self.desk(window)
                        && let Some(since) = self.desks[d].signed_in_since.take()
                    {
                        self.desks[d].signed_in_s += self.now - since;
                    }
                }
                EventKind::SiteClosed { site } if &site == self.scenario.site(self.hall) => {
                    self.site_closed = true;
                    for d in 0..self.desks.len() {
                        self.desks[d].finishing = false;
                        if self.desks[d].current.is_none() && !self.desks[d].on_shift {
                            self.close(d)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Schedules what a called visitor does.
    fn respond(&mut self, d: usize, v: usize, serial: u32, first: bool) {
        let visitor = &self.visitors[v];
        let every = i64::from(self.scenario.behaviour.recall_every_s);
        let max = self.hall.policy.max_recalls;
        let walk = i64::from(visitor.walk_s);
        if first && visitor.absent {
            // Staff recall up to the limit; the core's tick gives up.
            for k in 1..=max {
                self.schedule(self.now + every * i64::from(k), Ev::Recall(d, v, serial));
            }
        } else if first && visitor.late_recalls > 0 {
            let k = visitor.late_recalls.min(max);
            for i in 1..=k {
                self.schedule(self.now + every * i64::from(i), Ev::Recall(d, v, serial));
            }
            self.schedule(
                self.now + every * i64::from(k) + walk,
                Ev::AtWindow(d, v, serial),
            );
        } else {
            self.schedule(self.now + walk, Ev::AtWindow(d, v, serial));
        }
    }

    fn desk(&self, window: WindowNo) -> Result<usize> {
        self.desk_of
            .get(&window)
            .copied()
            .ok_or_else(|| anyhow!("window {window} is not staffed in the scenario"))
    }
}

/// Seconds of the day's sessions at the scenario's site in which kiosks
/// issue, as (start, end) pairs.
pub fn issuing_sessions(hall: &Hall, scenario: &Scenario, clock: &Clock) -> Vec<(i64, i64)> {
    hall.sessions_on(scenario.site(hall), scenario.date)
        .into_iter()
        .filter(|(s, _, _)| s.issuing == Issuing::All)
        .map(|(_, a, b)| (clock.secs(a), clock.secs(b)))
        .collect()
}

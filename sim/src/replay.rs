//! Replaying a recorded day: the visitors of one day of a hall's own event
//! log (lobby-server's SQLite file), run again under every policy, beside
//! what was recorded.
//!
//! A centre can then ask of its own Monday what it would have been under
//! another rule, or with its windows serving other categories (`--hall`
//! with an edited copy of the configuration): the same people at the same
//! instants, with the service times they actually took, at the windows
//! signed in that day.
//!
//! # What is read
//!
//! The `events` table (`seq, at, type, ticket, window, json`, the core's
//! [`Event`] as JSON), read-only, for the day asked (midnight to midnight
//! in the hall's zone) and one site. From it, per ticket:
//!
//! - **arrival**, category, green-channel group and appointment slot from
//!   `issued`;
//! - **stops** from each `completed` with a `next_stop` (a transfer to a
//!   category counts as a next stop; to a window, as a stop at that
//!   window's first category; to a category the visit is already at, or
//!   has been at, as the same stop going on, since the simulation visits
//!   each category once);
//! - **service** at each stop: `completed.served_s` (from `started`),
//!   plus the time served before a transfer within the stop;
//! - **walk**: from the last call or recall to `started` at the first stop,
//!   and the number of recalls the visitor needed then;
//! - **no-show** at the first call, and the return (`reactivated`) after
//!   it.
//!
//! Staffing comes from `window_opened` / `window_closed`, and the pauses
//! staff took from `paused` / `resumed` (a pause ends at sign-off too), so
//! the policies replayed have the window time the day had. What the
//! simulation cannot represent is counted in [`Notes`] and left out or
//! approximated: tickets of other sites, and of categories the hall no
//! longer has, are left out; so are tickets cancelled before they were
//! served; a stop never served (the ticket expired or the day is not
//! over) gets the category's mean service time of the day; a no-show after
//! the first call ends the visit there. Windows still signed in when the
//! log ends stay until the end of that session; a pause still going on
//! then ends with the log.
//!
//! [`days`] lists the recorded days of a date range, to replay a week.
//!
//! The recorded day itself is summarised as the policy `recorded`, with
//! the same definitions of wait and estimate error as the simulated ones
//! (see [`crate::report`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use lobby_core::jiff::civil::{Date, Time};
use lobby_core::jiff::{Timestamp, ToSpan};
use lobby_core::{CategoryId, GroupId, WindowNo};
use lobby_core::{Event, EventKind, Hall, Priority, SiteId, Status, TicketId, TransferTarget};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use crate::engine::{Counts, DayOutcome, EstimatePair, WaitSample, WindowUse};
use crate::scenario::{Arrivals, Behaviour, CategoryMix, Scenario, Shift};
use crate::visitors::{Clock, Visitor};

/// The walk assumed for a visitor whose walk was never recorded (served
/// without `started`), seconds.
const DEFAULT_WALK_S: u32 = 30;

/// A recorded day, ready to be simulated.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The day as a scenario: date, site, staffing, and the categories
    /// with their shares and service times as recorded.
    pub scenario: Scenario,
    /// The day's visitors, as recorded.
    pub visitors: Vec<Visitor>,
    /// Each visitor's ticket in the log (`tickets[v]` for `visitors[v]`).
    pub tickets: Vec<TicketId>,
    /// What happened, as a policy's day named `recorded`.
    pub outcome: DayOutcome,
    /// What the replay left out or approximated.
    pub notes: Notes,
}

/// What a replay could not take as recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Notes {
    /// Events read for the day.
    pub events: u32,
    /// Tickets issued at the site that day.
    pub tickets: u32,
    /// Tickets of other sites, left out.
    pub other_sites: u32,
    /// Tickets of categories the hall no longer has at the site, left out.
    pub unknown_categories: u32,
    /// Tickets cancelled before any service, left out.
    pub cancelled: u32,
    /// Stops never served (expired, or the day not over), given the
    /// category's mean service time.
    pub assumed_service: u32,
    /// Visits ended early: a no-show after the first call, or cancelled
    /// after a stop.
    pub cut_short: u32,
    /// Transfers, replayed as next stops.
    pub transfers: u32,
    /// Pauses taken at the site's windows, replayed.
    pub pauses: u32,
}

/// The day of the last ticket issued at `site` in the log, in the hall's
/// zone.
pub fn last_day(hall: &Hall, db: &Path, site: &SiteId) -> Result<Date> {
    let conn = open(db)?;
    let at: Option<i64> = conn
        .query_row(
            "SELECT MAX(at) FROM events
             WHERE type = 'issued' AND json_extract(json, '$.ticket.site') = ?1",
            [site.as_str()],
            |r| r.get(0),
        )
        .optional()
        .with_context(|| format!("{}: reading the event log", db.display()))?
        .flatten();
    let at =
        at.ok_or_else(|| anyhow!("{}: no ticket was ever issued at `{site}`", db.display()))?;
    let ts = Timestamp::from_millisecond(at)
        .with_context(|| format!("{}: event time {at} out of range", db.display()))?;
    Ok(hall.tz().to_datetime(ts).date())
}

/// The days from `from` to `to` (inclusive) on which tickets were issued
/// at `site`, in order.
pub fn days(hall: &Hall, db: &Path, site: &SiteId, from: Date, to: Date) -> Result<Vec<Date>> {
    let conn = open(db)?;
    let tz = hall.tz();
    let (start, end) = span(hall, from, to)?;
    let mut stmt = conn
        .prepare(
            "SELECT at, json_extract(json, '$.ticket.site') FROM events
             WHERE type = 'issued' AND at >= ?1 AND at < ?2 ORDER BY seq",
        )
        .with_context(|| format!("{}: reading the event log", db.display()))?;
    let rows = stmt
        .query_map([start, end], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .with_context(|| format!("{}: reading the event log", db.display()))?;
    let mut out: Vec<Date> = Vec::new();
    for row in rows {
        let (at, at_site) = row.with_context(|| format!("{}: reading an event", db.display()))?;
        if at_site.as_deref() != Some(site.as_str()) {
            continue;
        }
        let ts = Timestamp::from_millisecond(at)
            .with_context(|| format!("{}: event time {at} out of range", db.display()))?;
        let day = tz.to_datetime(ts).date();
        if out.last() != Some(&day) {
            out.push(day);
        }
    }
    Ok(out)
}

/// Reads one day of one site from a lobby-server database.
pub fn load(hall: &Hall, db: &Path, date: Date, site: &SiteId) -> Result<Recorded> {
    if hall.site(site).is_none() {
        bail!("no site `{site}` in the hall");
    }
    let conn = open(db)?;
    let (from, to) = span(hall, date, date)?;
    let mut stmt = conn
        .prepare("SELECT seq, json FROM events WHERE at >= ?1 AND at < ?2 ORDER BY seq")
        .with_context(|| format!("{}: reading the event log", db.display()))?;
    let rows = stmt
        .query_map([from, to], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .with_context(|| format!("{}: reading the event log", db.display()))?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, json) = row.with_context(|| format!("{}: reading an event", db.display()))?;
        let event: Event = serde_json::from_str(&json)
            .with_context(|| format!("{}: event {seq} is not a Lobby event", db.display()))?;
        events.push(event);
    }
    let scenario_base = Scenario {
        name: "replay".to_owned(),
        description: format!("{date} as recorded in {}", db.display()),
        date,
        site: Some(site.clone()),
        visits: 0.0,
        green_share: 0.0,
        appointment_share: 0.0,
        multi_stop_share: 0.0,
        no_show_share: 0.0,
        late_share: 0.0,
        return_share: 0.0,
        behaviour: Behaviour::default(),
        arrivals: Arrivals {
            from: Time::midnight(),
            to: Time::midnight(),
            base: 1.0,
            quiet: 0.0,
            peaks: Vec::new(),
        },
        categories: Vec::new(),
        staffing: Vec::new(),
        pauses: Vec::new(),
    };
    let clock = Clock::new(hall, &scenario_base)?;
    let mut day = Day::new(hall, site, clock);
    for e in &events {
        day.apply(e);
    }
    if day.visits.is_empty() {
        bail!(
            "{}: no ticket was issued at `{site}` on {date}",
            db.display()
        );
    }
    day.notes.events = u32::try_from(events.len()).unwrap_or(u32::MAX);
    let end = events
        .last()
        .map_or(0, |e| clock.secs(e.at))
        .clamp(0, 24 * 3600 - 1);
    Ok(day.finish(scenario_base, end))
}

/// From midnight of `from` to midnight after `to` in the hall's zone, as
/// the log's Unix milliseconds.
fn span(hall: &Hall, from: Date, to: Date) -> Result<(i64, i64)> {
    let tz = hall.tz();
    let start = tz
        .to_timestamp(from.at(0, 0, 0, 0))
        .context("the date has no midnight in the hall's zone")?;
    let end = tz
        .to_timestamp(
            to.checked_add(1.day())
                .context("the date is out of range")?
                .at(0, 0, 0, 0),
        )
        .context("the next date has no midnight in the hall's zone")?;
    Ok((start.as_millisecond(), end.as_millisecond()))
}

fn open(db: &Path) -> Result<Connection> {
    if !db.is_file() {
        bail!("{}: no such database file", db.display());
    }
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("{}: cannot open the database", db.display()))?;
    let has_events: bool = conn
        .query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'events'",
            [],
            |r| r.get(0),
        )
        .with_context(|| format!("{}: not an SQLite database", db.display()))?;
    if !has_events {
        bail!(
            "{}: not a lobby-server database (no `events` table)",
            db.display()
        );
    }
    Ok(conn)
}

/// One ticket's visit as the log tells it.
#[derive(Debug, Clone)]
struct Visit {
    ticket: TicketId,
    arrive: i64,
    stops: Vec<usize>,
    service_s: Vec<u32>,
    green: Option<GroupId>,
    appointment: Option<(i64, i64)>,
    estimate_s: u32,
    absent: bool,
    late_recalls: u32,
    walk_s: Option<u32>,
    return_after_s: Option<u32>,
    /// Left out of the replay (cancelled before any service).
    dropped: bool,
    /// No more stops are taken from the log (cut short).
    ended: bool,
    /// Time served at the current stop before a transfer within it (to
    /// another window of the same category), added to its service.
    carried_s: u32,
    // Where it stands.
    waiting: bool,
    joined: i64,
    calls: u32,
    last_signal: i64,
    recalls: u32,
    started: Option<i64>,
    window: Option<WindowNo>,
    no_show_at: Option<i64>,
}

struct Day<'a> {
    hall: &'a Hall,
    site: &'a SiteId,
    clock: Clock,
    visits: Vec<Visit>,
    by_ticket: HashMap<TicketId, usize>,
    waits: Vec<WaitSample>,
    /// Per visit (by index): its first call's estimate and wait.
    estimates: Vec<(usize, EstimatePair)>,
    counts: Counts,
    /// Per window: signed in since, busy since, and the totals.
    open_since: BTreeMap<WindowNo, i64>,
    busy_since: BTreeMap<WindowNo, i64>,
    spans: BTreeMap<WindowNo, Vec<(i64, i64)>>,
    busy_s: BTreeMap<WindowNo, i64>,
    /// Per window: paused since, and the pauses taken.
    paused_since: BTreeMap<WindowNo, i64>,
    pauses: BTreeMap<WindowNo, Vec<(i64, i64)>>,
    /// Queue length changes: (second, +1 joined / −1 left).
    queue: Vec<(i64, i32)>,
    notes: Notes,
}

impl<'a> Day<'a> {
    fn new(hall: &'a Hall, site: &'a SiteId, clock: Clock) -> Day<'a> {
        Day {
            hall,
            site,
            clock,
            visits: Vec::new(),
            by_ticket: HashMap::new(),
            waits: Vec::new(),
            estimates: Vec::new(),
            counts: Counts::default(),
            open_since: BTreeMap::new(),
            busy_since: BTreeMap::new(),
            spans: BTreeMap::new(),
            busy_s: BTreeMap::new(),
            paused_since: BTreeMap::new(),
            pauses: BTreeMap::new(),
            queue: Vec::new(),
            notes: Notes::default(),
        }
    }

    fn at_site(&self, window: WindowNo) -> bool {
        self.hall
            .window(window)
            .is_some_and(|w| &w.site == self.site)
    }

    /// The index of a ticket's visit, if it is one of the day's.
    fn find(&self, ticket: &TicketId) -> Option<usize> {
        self.by_ticket.get(ticket).copied()
    }

    fn window_free(&mut self, window: WindowNo, now: i64) {
        if let Some(since) = self.busy_since.remove(&window) {
            *self.busy_s.entry(window).or_default() += now - since;
        }
    }

    fn apply(&mut self, e: &Event) {
        let now = self.clock.secs(e.at);
        match &e.kind {
            EventKind::Issued { ticket } => {
                if &ticket.site != self.site {
                    self.notes.other_sites += 1;
                    return;
                }
                let Some(ci) = local(self.hall, self.site, &ticket.category) else {
                    // The configuration has changed since: a category
                    // gone, or moved to another site.
                    self.notes.unknown_categories += 1;
                    return;
                };
                self.notes.tickets += 1;
                self.counts.visitors += 1;
                self.counts.issued += 1;
                let arrive = self.clock.secs(ticket.issued_at);
                let green = match &ticket.priority {
                    Priority::Green { group } => Some(group.clone()),
                    Priority::Normal => None,
                };
                let appointment = ticket
                    .appointment
                    .as_ref()
                    .map(|a| (self.clock.secs(a.slot_start), self.clock.secs(a.slot_end)));
                self.by_ticket.insert(ticket.id.clone(), self.visits.len());
                self.visits.push(Visit {
                    ticket: ticket.id.clone(),
                    arrive,
                    stops: vec![ci],
                    service_s: Vec::new(),
                    green,
                    appointment,
                    estimate_s: ticket.estimate.wait_s,
                    absent: false,
                    late_recalls: 0,
                    walk_s: None,
                    return_after_s: None,
                    dropped: false,
                    ended: false,
                    carried_s: 0,
                    waiting: true,
                    joined: arrive,
                    calls: 0,
                    last_signal: arrive,
                    recalls: 0,
                    started: None,
                    window: None,
                    no_show_at: None,
                });
                self.queue.push((arrive, 1));
            }
            EventKind::Called {
                ticket,
                window,
                category,
                ..
            } => {
                let window = *window;
                let called_in = local(self.hall, self.site, category);
                let Some(v) = self.find(ticket) else {
                    return;
                };
                let visit = &mut self.visits[v];
                if visit.ended {
                    // Cut short before: the rest of the visit is not
                    // replayed, nor counted.
                    return;
                }
                let first = visit.calls == 0;
                visit.calls += 1;
                visit.waiting = false;
                visit.last_signal = now;
                visit.recalls = 0;
                visit.started = None;
                visit.window = Some(window);
                let category = called_in.or(visit.stops.last().copied()).unwrap_or(0);
                let wait = u32::try_from((now - visit.joined).max(0)).unwrap_or(u32::MAX);
                let (arrive, estimate_s, green) =
                    (visit.arrive, visit.estimate_s, visit.green.is_some());
                self.waits.push(WaitSample {
                    visitor: v,
                    category,
                    green,
                    wait_s: wait,
                    expired: false,
                    at: now,
                });
                if first {
                    self.estimates.push((
                        v,
                        EstimatePair {
                            estimate_s,
                            actual_s: u32::try_from((now - arrive).max(0)).unwrap_or(u32::MAX),
                            issued: arrive,
                        },
                    ));
                }
                self.counts.calls += 1;
                self.queue.push((now, -1));
                self.busy_since.insert(window, now);
            }
            EventKind::Recalled { ticket, .. } => {
                if let Some(v) = self.find(ticket) {
                    let visit = &mut self.visits[v];
                    visit.last_signal = now;
                    visit.recalls += 1;
                    self.counts.recalls += 1;
                }
            }
            EventKind::Started { ticket, .. } => {
                if let Some(v) = self.find(ticket) {
                    let visit = &mut self.visits[v];
                    visit.started = Some(now);
                    let first_stop = visit.service_s.is_empty() && visit.stops.len() == 1;
                    if first_stop && visit.calls == 1 {
                        visit.late_recalls = visit.recalls;
                    }
                    if visit.walk_s.is_none() {
                        let walk = (now - visit.last_signal).max(0);
                        visit.walk_s = Some(u32::try_from(walk).unwrap_or(u32::MAX));
                    }
                }
            }
            EventKind::Completed {
                ticket,
                window,
                served_s,
                next_stop,
                ..
            } => {
                self.window_free(*window, now);
                let (hall, site) = (self.hall, self.site);
                let Some(v) = self.find(ticket) else {
                    return;
                };
                let visit = &mut self.visits[v];
                if visit.ended {
                    return;
                }
                visit
                    .service_s
                    .push(served_s.saturating_add(std::mem::take(&mut visit.carried_s)));
                let next = next_stop.as_ref().and_then(|c| local(hall, site, c));
                let next = next.filter(|ci| visit.can_add(*ci));
                match next {
                    Some(ci) => {
                        visit.join(ci, now);
                        self.queue.push((now, 1));
                    }
                    None => {
                        visit.ended = true;
                        self.counts.completed += 1;
                    }
                }
                self.counts.stops_completed += 1;
            }
            EventKind::NoShow { ticket, window, .. } => {
                self.window_free(*window, now);
                let Some(v) = self.find(ticket) else {
                    return;
                };
                let visit = &mut self.visits[v];
                if visit.ended {
                    return;
                }
                self.counts.no_shows += 1;
                if visit.calls == 1 && visit.service_s.is_empty() {
                    visit.absent = true;
                    visit.no_show_at = Some(now);
                } else if visit.absent && visit.service_s.is_empty() {
                    // Missed the call after coming back too: replayed as a
                    // no-show who does not return.
                    visit.ended = true;
                    visit.return_after_s = None;
                    self.notes.cut_short += 1;
                } else {
                    // The simulation's visitors miss only their first
                    // call; a later no-show ends the visit here.
                    visit.ended = true;
                    cut(visit);
                    self.notes.cut_short += 1;
                }
            }
            EventKind::Reactivated { ticket, .. } => {
                let Some(v) = self.find(ticket) else {
                    return;
                };
                let visit = &mut self.visits[v];
                if let Some(at) = visit.no_show_at.take()
                    && !visit.ended
                {
                    visit.return_after_s = Some(u32::try_from((now - at).max(0)).unwrap_or(0));
                    visit.joined = now;
                    visit.waiting = true;
                    self.counts.reactivated += 1;
                    self.queue.push((now, 1));
                }
            }
            EventKind::Transferred {
                ticket,
                from_window,
                to,
                ..
            } => {
                self.window_free(*from_window, now);
                self.notes.transfers += 1;
                let (hall, site) = (self.hall, self.site);
                let target = match to {
                    TransferTarget::Category(c) => local(hall, site, c),
                    TransferTarget::Window(w) => hall
                        .window(*w)
                        .and_then(|w| w.primary().first())
                        .and_then(|c| local(hall, site, c)),
                };
                let Some(v) = self.find(ticket) else {
                    return;
                };
                let visit = &mut self.visits[v];
                if visit.ended {
                    return;
                }
                let since = visit.started.unwrap_or(visit.last_signal);
                let served = u32::try_from((now - since).max(0)).unwrap_or(0);
                let current = visit.stops.last().copied();
                match target {
                    // To another window of the same category, or back to a
                    // category already visited: the same stop goes on (the
                    // simulation visits a category once).
                    Some(ci) if Some(ci) == current || !visit.can_add(ci) => {
                        visit.carried_s = visit.carried_s.saturating_add(served);
                        visit.joined = now;
                        visit.waiting = true;
                        self.queue.push((now, 1));
                    }
                    Some(ci) => {
                        let carried = std::mem::take(&mut visit.carried_s);
                        visit.service_s.push(served.saturating_add(carried));
                        visit.join(ci, now);
                        self.queue.push((now, 1));
                    }
                    None => {
                        let carried = std::mem::take(&mut visit.carried_s);
                        visit.service_s.push(served.saturating_add(carried));
                        visit.ended = true;
                    }
                }
            }
            EventKind::Cancelled { ticket, .. } => {
                let Some(v) = self.find(ticket) else {
                    return;
                };
                let visit = &mut self.visits[v];
                if visit.ended {
                    return;
                }
                let was_waiting = std::mem::replace(&mut visit.waiting, false);
                visit.ended = true;
                if visit.service_s.is_empty() {
                    visit.dropped = true;
                    self.notes.cancelled += 1;
                } else {
                    cut(visit);
                    self.notes.cut_short += 1;
                }
                if was_waiting {
                    self.queue.push((now, -1));
                }
            }
            EventKind::Expired { ticket, was, .. } => {
                let waiting = *was == Status::Waiting;
                let Some(v) = self.find(ticket) else {
                    return;
                };
                let visit = &mut self.visits[v];
                if visit.ended {
                    return;
                }
                visit.waiting = false;
                if waiting {
                    self.counts.expired_waiting += 1;
                } else if *was == Status::Called {
                    self.counts.expired_called += 1;
                }
                if waiting {
                    let category = visit.stops.last().copied().unwrap_or(0);
                    let wait = u32::try_from((now - visit.joined).max(0)).unwrap_or(u32::MAX);
                    let green = visit.green.is_some();
                    self.waits.push(WaitSample {
                        visitor: v,
                        category,
                        green,
                        wait_s: wait,
                        expired: true,
                        at: now,
                    });
                    self.queue.push((now, -1));
                }
                if let Some(w) = self.visits[v].window.filter(|_| !waiting) {
                    self.window_free(w, now);
                }
            }
            EventKind::WindowOpened { window, .. } if self.at_site(*window) => {
                self.open_since.entry(*window).or_insert(now);
            }
            EventKind::WindowClosed { window } => {
                if let Some(since) = self.open_since.remove(window) {
                    self.spans.entry(*window).or_default().push((since, now));
                }
                // Signing off ends a pause.
                self.resumed(*window, now);
            }
            EventKind::Paused { window, .. } if self.at_site(*window) => {
                self.notes.pauses += 1;
                self.paused_since.entry(*window).or_insert(now);
            }
            EventKind::Resumed { window } => self.resumed(*window, now),
            _ => {}
        }
    }

    /// A pause of `window`, if any, ended at `now`.
    fn resumed(&mut self, window: WindowNo, now: i64) {
        if let Some(since) = self.paused_since.remove(&window) {
            self.pauses.entry(window).or_default().push((since, now));
        }
    }

    /// The scenario, visitors and recorded outcome of the day, with the
    /// log ending at `end` (seconds after midnight).
    fn finish(mut self, mut scenario: Scenario, end: i64) -> Recorded {
        // Windows still signed in when the log ends (a day not over) are
        // recorded until then, and replayed until the end of that session,
        // as their staff would have stayed.
        let session_end = self
            .hall
            .sessions_on(self.site, scenario.date)
            .into_iter()
            .map(|(_, _, to)| self.clock.secs(to))
            .find(|&to| to > end)
            .unwrap_or(end);
        let mut staffed = self.spans.clone();
        for (w, since) in std::mem::take(&mut self.open_since) {
            self.spans
                .entry(w)
                .or_default()
                .push((since, end.max(since)));
            staffed
                .entry(w)
                .or_default()
                .push((since, session_end.max(since)));
        }
        for (w, since) in std::mem::take(&mut self.busy_since) {
            *self.busy_s.entry(w).or_default() += end.max(since) - since;
        }
        // A pause still going on when the log ends lasts until then.
        for (w, since) in std::mem::take(&mut self.paused_since) {
            self.pauses
                .entry(w)
                .or_default()
                .push((since, end.max(since)));
        }
        // Tickets still waiting then count with their wait so far, a lower
        // bound, as the simulation counts those waiting at closing.
        for (v, visit) in self.visits.iter().enumerate() {
            if visit.waiting && !visit.ended {
                self.waits.push(WaitSample {
                    visitor: v,
                    category: visit.stops.last().copied().unwrap_or(0),
                    green: visit.green.is_some(),
                    wait_s: u32::try_from((end - visit.joined).max(0)).unwrap_or(u32::MAX),
                    expired: true,
                    at: end,
                });
            }
        }
        // Mean service per category, for stops never served.
        let n = self.hall.categories.len();
        let mut sum = vec![0.0f64; n];
        let mut count = vec![0u32; n];
        for v in &self.visits {
            for (k, &s) in v.service_s.iter().enumerate() {
                sum[v.stops[k]] += f64::from(s);
                count[v.stops[k]] += 1;
            }
        }
        let mean_service = |ci: usize| -> u32 {
            if count[ci] > 0 {
                (sum[ci] / f64::from(count[ci])).round() as u32
            } else {
                (self.hall.categories[ci].service_min * 60.0).round() as u32
            }
        };
        // Keep the visits that stay, renumbered.
        let mut index = vec![None; self.visits.len()];
        let mut visitors = Vec::new();
        let mut tickets = Vec::new();
        let mut assumed = 0;
        for (old, v) in self.visits.iter().enumerate() {
            if v.dropped {
                continue;
            }
            let mut service_s = v.service_s.clone();
            // A no-show who never came back is never served: the time
            // filled in is not used.
            let gone = v.absent && v.return_after_s.is_none();
            for &ci in &v.stops[service_s.len()..] {
                service_s.push(mean_service(ci));
                assumed += u32::from(!gone);
            }
            index[old] = Some(visitors.len());
            tickets.push(v.ticket.clone());
            visitors.push(Visitor {
                id: visitors.len(),
                arrive: v.arrive,
                stops: v.stops.clone(),
                service_s,
                green: v.green.clone(),
                appointment: v.appointment,
                absent: v.absent,
                late_recalls: v.late_recalls,
                walk_s: v.walk_s.unwrap_or(DEFAULT_WALK_S),
                desk_s: 0,
                return_after_s: v.return_after_s,
                deferred_s: 0,
            });
        }
        self.notes.assumed_service = assumed;
        let waits = self
            .waits
            .iter()
            .filter_map(|w| index[w.visitor].map(|visitor| WaitSample { visitor, ..*w }))
            .collect();
        let windows = self
            .spans
            .iter()
            .map(|(&number, spans)| WindowUse {
                number,
                signed_in_s: spans.iter().map(|(a, b)| b - a).sum(),
                busy_s: self.busy_s.get(&number).copied().unwrap_or(0),
            })
            .collect();
        // Tickets waiting at each tick, as the simulation samples them.
        self.queue.sort_by_key(|&(t, _)| t);
        let tick = i64::from(scenario.behaviour.tick_s.max(1));
        let mut queue = Vec::new();
        let (mut waiting, mut k) = (0i64, 0);
        let first = self.queue.first().map_or(0, |q| q.0);
        let mut t = first - first.rem_euclid(tick);
        while t <= end {
            // As the simulation samples, up to the tick (within that
            // second the order of events can differ by a ticket or two).
            while k < self.queue.len() && self.queue[k].0 <= t {
                waiting += i64::from(self.queue[k].1);
                k += 1;
            }
            queue.push((t, u32::try_from(waiting.max(0)).unwrap_or(0)));
            t += tick;
        }

        scenario.visits = visitors.len() as f64;
        scenario.categories = categories(self.hall, &visitors);
        let share = |f: &dyn Fn(&Visitor) -> bool| {
            visitors.iter().filter(|v| f(v)).count() as f64 / visitors.len().max(1) as f64
        };
        scenario.green_share = share(&|v| v.green.is_some());
        scenario.appointment_share = share(&|v| v.appointment.is_some());
        scenario.multi_stop_share = share(&|v| v.stops.len() > 1);
        scenario.no_show_share = share(&|v| v.absent);
        scenario.late_share = share(&|v| v.late_recalls > 0);
        scenario.return_share = share(&|v| v.return_after_s.is_some());
        if let Some(first) = visitors.iter().map(|v| v.arrive).min() {
            scenario.arrivals.from = time_of(first);
        }
        if let Some(last) = visitors.iter().map(|v| v.arrive).max() {
            scenario.arrivals.to = time_of(last);
        }
        scenario.staffing = shifts(&staffed);
        scenario.pauses = shifts(&self.pauses);
        let issued = vec![true; visitors.len()];
        let mut counts = self.counts;
        counts.visitors = visitors.len() as u32;
        counts.issued = visitors.len() as u32;
        Recorded {
            scenario,
            visitors,
            tickets,
            outcome: DayOutcome {
                policy: "recorded",
                waits,
                estimates: self
                    .estimates
                    .iter()
                    .filter(|(v, _)| index[*v].is_some())
                    .map(|(_, e)| *e)
                    .collect(),
                windows,
                counts,
                issued,
                queue,
                events: Vec::new(),
            },
            notes: self.notes,
        }
    }
}

/// Spans of windows (sign-in to sign-off, or pauses) as scenario shifts.
fn shifts(spans: &BTreeMap<WindowNo, Vec<(i64, i64)>>) -> Vec<Shift> {
    spans
        .iter()
        .flat_map(|(w, spans)| {
            spans.iter().filter(|(a, b)| b > a).map(|&(a, b)| Shift {
                windows: w.to_string(),
                from: time_of(a),
                to: time_of(b),
            })
        })
        .collect()
}

/// Most categories one visit goes through: the first and ten further
/// stops, as the core accepts at issue.
const MAX_STOPS: usize = 11;

impl Visit {
    /// Whether the visit can go on to `category` as a new stop: the
    /// simulation issues every stop up front, each category once.
    fn can_add(&self, category: usize) -> bool {
        !self.stops.contains(&category) && self.stops.len() < MAX_STOPS
    }

    /// Joins the queue of its next stop.
    fn join(&mut self, category: usize, now: i64) {
        self.stops.push(category);
        self.joined = now;
        self.waiting = true;
    }
}

/// The index of a category of the replayed site.
fn local(hall: &Hall, site: &SiteId, category: &CategoryId) -> Option<usize> {
    hall.category(category)
        .is_some_and(|c| &c.site == site)
        .then(|| hall.category_index(category))
        .flatten()
}

/// Ends a visit at the stops it was served at.
fn cut(visit: &mut Visit) {
    let served = visit.service_s.len().max(1);
    visit.stops.truncate(served);
    visit.service_s.truncate(served);
}

/// The categories of the recorded visits as a scenario's mix: share of
/// first stops, service mean and variation, next stops seen.
fn categories(hall: &Hall, visitors: &[Visitor]) -> Vec<CategoryMix> {
    let n = hall.categories.len();
    let mut first = vec![0u32; n];
    let mut served: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for v in visitors {
        first[v.stops[0]] += 1;
        for (k, &ci) in v.stops.iter().enumerate() {
            served[ci].push(f64::from(v.service_s[k]));
            if let Some(&after) = v.stops.get(k + 1)
                && after != ci
                && !next[ci].contains(&after)
            {
                next[ci].push(after);
            }
        }
    }
    let total = visitors.len().max(1) as f64;
    (0..n)
        .filter(|&ci| !served[ci].is_empty())
        .map(|ci| {
            let s = &served[ci];
            let mean = s.iter().sum::<f64>() / s.len() as f64;
            let var = s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / s.len() as f64;
            CategoryMix {
                id: hall.categories[ci].id.clone(),
                weight: f64::from(first[ci]) / total,
                service_mean_min: mean / 60.0,
                service_cv: if mean > 0.0 { var.sqrt() / mean } else { 0.0 },
                next: next[ci]
                    .iter()
                    .map(|&c| hall.categories[c].id.clone())
                    .collect(),
            }
        })
        .collect()
}

/// Seconds after midnight as a time of day (clamped to the day).
fn time_of(s: i64) -> Time {
    let s = s.clamp(0, 24 * 3600 - 1);
    Time::new((s / 3600) as i8, (s / 60 % 60) as i8, (s % 60) as i8, 0).unwrap_or(Time::midnight())
}

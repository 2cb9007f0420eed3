//! Day reports and monthly window rankings (考核排位), computed from the
//! event log: the log is the audit trail, so the figures a supervisor sees
//! are the ones anyone can recompute from it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use lobby_core::api::{
    AcceptedFigures, BadRating, CategoryReport, ChannelReport, DayReport, PeriodReport, Ranking,
    StaffReport, WindowReport, WorkFigures,
};
use lobby_core::{
    CardReason, CategoryId, Channel, Event, EventKind, Hall, Lang, TicketId, TicketNumber,
    TransferTarget, WindowNo,
};

use crate::store::EventSource;

/// The instant a business day starts (its `day_change` local time).
pub fn day_start(hall: &Hall, date: Date) -> Timestamp {
    let local = date.to_datetime(hall.centre.day_change);
    hall.tz()
        .to_timestamp(local)
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Sums behind a [`WorkFigures`]: of a window or of a member of staff.
#[derive(Default)]
struct WorkSums {
    r: WorkFigures,
    service_s: u64,
    score: u64,
}

impl WorkSums {
    fn figures(&self) -> WorkFigures {
        let mut r = self.r.clone();
        r.mean_service_s = (self.service_s / u64::from(r.completed.max(1))) as u32;
        r.mean_rating = (r.ratings > 0)
            .then(|| (self.score as f64 / f64::from(r.ratings) * 100.0).round() / 100.0);
        r
    }
}

/// A member of staff's sums and the windows they worked.
#[derive(Default)]
struct StaffSums {
    work: WorkSums,
    windows: BTreeSet<WindowNo>,
}

fn empty_category(category: CategoryId, name: String) -> CategoryReport {
    CategoryReport {
        category,
        name,
        issued: 0,
        green: 0,
        called: 0,
        completed: 0,
        no_shows: 0,
        expired: 0,
        cancelled: 0,
        mean_wait_s: 0,
        max_wait_s: 0,
    }
}

struct CategorySums {
    r: CategoryReport,
    wait_s: u64,
}

impl CategorySums {
    fn new(category: CategoryId) -> CategorySums {
        CategorySums {
            r: empty_category(category, String::new()),
            wait_s: 0,
        }
    }
}

/// Accumulates events into figures.
#[derive(Default)]
struct Tally {
    categories: BTreeMap<CategoryId, CategorySums>,
    windows: BTreeMap<WindowNo, WorkSums>,
    staff: BTreeMap<String, StaffSums>,
    /// Who is signed in at each window, as the log goes.
    signed_in: HashMap<WindowNo, String>,
    channels: ChannelReport,
    waiting_cards: u32,
    /// Who completed each ticket, for its rating.
    served_by: HashMap<TicketId, String>,
    /// Current category and queue entry time of tickets seen.
    tickets: HashMap<TicketId, (CategoryId, Timestamp)>,
    /// Numbers of tickets seen, for the bad ratings.
    numbers: HashMap<TicketId, TicketNumber>,
    /// Bad ratings in the order given (staff names filled in later).
    bad_ratings: Vec<BadRating>,
    /// Channel and first category of tickets seen, for matters accepted.
    origin: HashMap<TicketId, (Channel, CategoryId)>,
    /// Matters accepted per category.
    accepted: BTreeMap<CategoryId, Accepted>,
}

/// Matters accepted in one category (see [`AcceptedFigures`]).
#[derive(Default)]
struct Accepted {
    window: u32,
    online: u32,
    online_completed: u32,
}

impl Tally {
    fn category(&mut self, c: &CategoryId) -> &mut CategorySums {
        self.categories
            .entry(c.clone())
            .or_insert_with(|| CategorySums::new(c.clone()))
    }

    /// Counts something done at window `w`: for the window, and for
    /// whoever is signed in there.
    fn work(&mut self, w: WindowNo, count: impl Fn(&mut WorkSums)) {
        let who = self.signed_in.get(&w).cloned();
        self.credit(w, who, count);
    }

    /// Counts something done at window `w` for the window and for `who`.
    fn credit(&mut self, w: WindowNo, who: Option<String>, count: impl Fn(&mut WorkSums)) {
        count(self.windows.entry(w).or_default());
        if let Some(who) = who {
            let s = self.staff.entry(who).or_default();
            s.windows.insert(w);
            count(&mut s.work);
        }
    }

    fn requeue(&mut self, t: &TicketId, at: Timestamp, category: Option<&CategoryId>) {
        if let Some(entry) = self.tickets.get_mut(t) {
            entry.1 = at;
            if let Some(c) = category {
                entry.0 = c.clone();
            }
        }
    }

    fn add(&mut self, e: Event) {
        let at = e.at;
        match e.kind {
            EventKind::Issued { ticket } => {
                let c = self.category(&ticket.category);
                c.r.issued += 1;
                if ticket.priority.is_green() {
                    c.r.green += 1;
                }
                match ticket.channel {
                    Channel::Kiosk => self.channels.kiosk += 1,
                    Channel::GuideDesk => self.channels.guide_desk += 1,
                    Channel::Appointment => self.channels.appointment += 1,
                    Channel::Online => self.channels.online += 1,
                }
                self.tickets.insert(
                    ticket.id.clone(),
                    (ticket.category.clone(), ticket.queued_at),
                );
                self.numbers
                    .insert(ticket.id.clone(), ticket.number.clone());
                self.origin
                    .insert(ticket.id.clone(), (ticket.channel, ticket.category.clone()));
                if ticket.channel == Channel::Online {
                    self.accepted
                        .entry(ticket.category.clone())
                        .or_default()
                        .online += 1;
                }
            }
            EventKind::Called {
                ticket,
                category,
                window,
                ..
            } => {
                let waited = self
                    .tickets
                    .get(&ticket)
                    .map(|(_, q)| (at.as_second() - q.as_second()).max(0) as u64);
                let c = self.category(&category);
                c.r.called += 1;
                if let Some(w) = waited {
                    c.wait_s += w;
                    c.r.max_wait_s = c.r.max_wait_s.max(w as u32);
                }
                self.work(window, |w| w.r.called += 1);
            }
            EventKind::Completed {
                ticket,
                category,
                window,
                served_s,
                next_stop,
                ..
            } => {
                self.category(&category).r.completed += 1;
                self.work(window, |w| {
                    w.r.completed += 1;
                    w.service_s += u64::from(served_s);
                });
                if let Some(who) = self.signed_in.get(&window) {
                    self.served_by.insert(ticket.clone(), who.clone());
                }
                // Each stop done at a window is a matter handled there; an
                // online application counts once, when its last stop is.
                match self.origin.get(&ticket) {
                    Some((Channel::Online, first)) => {
                        if next_stop.is_none() {
                            let first = first.clone();
                            self.accepted.entry(first).or_default().online_completed += 1;
                        }
                    }
                    _ => self.accepted.entry(category.clone()).or_default().window += 1,
                }
                if let Some(next) = next_stop {
                    self.requeue(&ticket, at, Some(&next));
                }
            }
            EventKind::NoShow { ticket, window, .. } => {
                if let Some((c, _)) = self.tickets.get(&ticket).cloned() {
                    self.category(&c).r.no_shows += 1;
                }
                self.work(window, |w| w.r.no_shows += 1);
            }
            EventKind::Reactivated { ticket, .. } => {
                if let Some((c, _)) = self.tickets.get(&ticket).cloned() {
                    let c = self.category(&c);
                    c.r.no_shows = c.r.no_shows.saturating_sub(1);
                }
                self.requeue(&ticket, at, None);
            }
            EventKind::Transferred {
                ticket,
                from_window,
                to,
                ..
            } => {
                self.work(from_window, |w| w.r.transferred += 1);
                let category = match &to {
                    TransferTarget::Category(c) => Some(c.clone()),
                    TransferTarget::Window(_) => None,
                };
                self.requeue(&ticket, at, category.as_ref());
            }
            EventKind::Cancelled { ticket, .. } => {
                if let Some((c, _)) = self.tickets.get(&ticket).cloned() {
                    self.category(&c).r.cancelled += 1;
                }
            }
            EventKind::Expired { ticket, .. } => {
                if let Some((c, _)) = self.tickets.get(&ticket).cloned() {
                    self.category(&c).r.expired += 1;
                }
            }
            EventKind::YellowCard { window, reason, .. } => match (reason, window) {
                (CardReason::Handling, Some(w)) => self.work(w, |w| w.r.yellow_cards += 1),
                _ => self.waiting_cards += 1,
            },
            EventKind::Rated {
                ticket,
                window: Some(window),
                rating,
                comment,
            } => {
                // The rating is of whoever served the visitor, even if they
                // have signed off since.
                let who = self
                    .served_by
                    .get(&ticket)
                    .or_else(|| self.signed_in.get(&window))
                    .cloned();
                let bad = rating.score() <= 2;
                if bad
                    && let (Some(number), Some((category, _))) =
                        (self.numbers.get(&ticket), self.tickets.get(&ticket))
                {
                    self.bad_ratings.push(BadRating {
                        at,
                        number: number.clone(),
                        category: category.clone(),
                        window: Some(window),
                        staff: who.clone(),
                        staff_name: None,
                        rating,
                        comment,
                    });
                }
                self.credit(window, who, |w| {
                    w.r.ratings += 1;
                    w.score += u64::from(rating.score());
                    if bad {
                        w.r.bad_ratings += 1;
                    }
                });
            }
            EventKind::WindowOpened {
                window,
                staff: Some(who),
            } => {
                self.signed_in.insert(window, who);
            }
            EventKind::WindowClosed { window } => {
                self.signed_in.remove(&window);
            }
            EventKind::DayChanged { .. } => self.signed_in.clear(),
            _ => {}
        }
    }

    fn windows(&self) -> Vec<WindowReport> {
        self.windows
            .iter()
            .map(|(&window, w)| WindowReport {
                window,
                work: w.figures(),
                rank: None,
            })
            .collect()
    }

    /// Staff lines, named from the accounts (`names`: account → name).
    fn staff(&self, names: &HashMap<String, String>) -> Vec<StaffReport> {
        self.staff
            .iter()
            .map(|(username, s)| StaffReport {
                username: username.clone(),
                name: names
                    .get(username)
                    .cloned()
                    .unwrap_or_else(|| username.clone()),
                windows: s.windows.iter().copied().collect(),
                work: s.work.figures(),
                rank: None,
            })
            .collect()
    }
}

/// The figures of `[from, to)`; with `with_staff`, the staff lines and the
/// bad ratings with the staff's names, and otherwise neither.
fn tally(
    log: &dyn EventSource,
    from: Timestamp,
    to: Timestamp,
    day: Option<Date>,
    with_staff: bool,
) -> anyhow::Result<(Tally, Vec<StaffReport>)> {
    let mut t = Tally::default();
    log.for_each_event(from, to, &mut |e| t.add(e))?;
    if let Some(day) = day {
        log.for_each_late_expiry(day, to, &mut |e| t.add(e))?;
    }
    let staff = if with_staff {
        let names = log.staff_names()?;
        for b in &mut t.bad_ratings {
            b.staff_name = b.staff.as_ref().and_then(|u| names.get(u)).cloned();
        }
        t.staff(&names)
    } else {
        t.bad_ratings.clear();
        Vec::new()
    };
    Ok((t, staff))
}

/// The ranking rule: more completed first; then the higher mean rating;
/// then fewer no-shows.
fn better(a: &WorkFigures, b: &WorkFigures) -> std::cmp::Ordering {
    b.completed
        .cmp(&a.completed)
        .then(
            b.mean_rating
                .unwrap_or(0.0)
                .total_cmp(&a.mean_rating.unwrap_or(0.0)),
        )
        .then(a.no_shows.cmp(&b.no_shows))
}

/// Every configured category, in the hall's order, then any category the
/// log names that the configuration no longer has.
fn category_ids<V>(hall: &Hall, seen: &BTreeMap<CategoryId, V>) -> Vec<CategoryId> {
    let gone = seen.keys().filter(|k| hall.category(k).is_none()).cloned();
    hall.categories
        .iter()
        .map(|c| c.id.clone())
        .chain(gone)
        .collect()
}

/// A category's name in `lang`, or its id if the hall no longer has it.
fn category_name(hall: &Hall, id: &CategoryId, lang: Lang) -> String {
    hall.category(id)
        .map(|c| lang.pick(&c.name, &c.name_en).to_owned())
        .unwrap_or_else(|| id.to_string())
}

/// The name of a report's totals line.
fn total_name(lang: Lang) -> String {
    match lang {
        Lang::Zh => "合计".to_owned(),
        Lang::En => "Total".to_owned(),
    }
}

/// The matters accepted from business day `from` to `to` (included), at
/// windows and online, per category in the hall's order and in total.
pub fn period(
    hall: &Hall,
    log: &dyn EventSource,
    from: Date,
    to: Date,
    lang: Lang,
) -> anyhow::Result<PeriodReport> {
    let (t, _) = tally(
        log,
        day_start(hall, from),
        day_start(hall, to.tomorrow()?),
        None,
        false,
    )?;
    let line = |category: CategoryId, name: String, a: &Accepted| AcceptedFigures {
        category,
        name,
        accepted: a.window + a.online,
        window: a.window,
        online: a.online,
        online_completed: a.online_completed,
        online_completion_pct: (a.online > 0).then(|| {
            (f64::from(a.online_completed) / f64::from(a.online) * 10_000.0).round() / 100.0
        }),
    };
    let mut sum = Accepted::default();
    let mut categories = Vec::new();
    let none = Accepted::default();
    for id in category_ids(hall, &t.accepted) {
        let a = t.accepted.get(&id).unwrap_or(&none);
        sum.window += a.window;
        sum.online += a.online;
        sum.online_completed += a.online_completed;
        let name = category_name(hall, &id, lang);
        categories.push(line(id, name, a));
    }
    Ok(PeriodReport {
        from,
        to,
        total: line(CategoryId(String::new()), total_name(lang), &sum),
        categories,
    })
}

/// The figures of one business day; per member of staff when
/// `with_staff` (admins).
pub fn day(
    hall: &Hall,
    log: &dyn EventSource,
    date: Date,
    lang: Lang,
    with_staff: bool,
) -> anyhow::Result<DayReport> {
    let from = day_start(hall, date);
    let to = day_start(hall, date.tomorrow()?);
    let (t, staff) = tally(log, from, to, Some(date), with_staff)?;
    let mut total = empty_category(CategoryId(String::new()), total_name(lang));
    let mut total_wait = 0u64;
    let mut categories = Vec::new();
    let windows = t.windows();
    let mut sums: BTreeMap<CategoryId, CategorySums> = t.categories;
    for id in category_ids(hall, &sums) {
        let s = sums
            .remove(&id)
            .unwrap_or_else(|| CategorySums::new(id.clone()));
        let mut r = s.r;
        r.name = category_name(hall, &id, lang);
        r.category = id;
        r.mean_wait_s = (s.wait_s / u64::from(r.called.max(1))) as u32;
        total.issued += r.issued;
        total.green += r.green;
        total.called += r.called;
        total.completed += r.completed;
        total.no_shows += r.no_shows;
        total.expired += r.expired;
        total.cancelled += r.cancelled;
        total.max_wait_s = total.max_wait_s.max(r.max_wait_s);
        total_wait += s.wait_s;
        categories.push(r);
    }
    total.mean_wait_s = (total_wait / u64::from(total.called.max(1))) as u32;
    Ok(DayReport {
        date,
        total,
        categories,
        windows,
        channels: t.channels,
        waiting_cards: t.waiting_cards,
        staff,
        bad_ratings: t.bad_ratings,
    })
}

/// The monthly ranking of windows (and of staff when `with_staff`): by
/// tickets completed, then mean rating (higher first), then no-shows
/// (fewer first).
pub fn ranking(
    hall: &Hall,
    log: &dyn EventSource,
    month: Date,
    lang: Lang,
    with_staff: bool,
) -> anyhow::Result<Ranking> {
    let first = month.first_of_month();
    let next = first.last_of_month().tomorrow()?;
    let (t, mut staff) = tally(
        log,
        day_start(hall, first),
        day_start(hall, next),
        None,
        with_staff,
    )?;
    let mut windows = t.windows();
    windows.sort_by(|a, b| better(&a.work, &b.work).then(a.window.cmp(&b.window)));
    for (i, w) in windows.iter_mut().enumerate() {
        w.rank = Some(i as u32 + 1);
    }
    staff.sort_by(|a, b| better(&a.work, &b.work).then(a.username.cmp(&b.username)));
    for (i, s) in staff.iter_mut().enumerate() {
        s.rank = Some(i as u32 + 1);
    }
    Ok(Ranking {
        month: first.strftime("%Y-%m").to_string(),
        rule: match lang {
            Lang::Zh => "按办结量排序；相同时满意度均分高者在前；再相同时过号少者在前".to_owned(),
            Lang::En => {
                "by tickets completed; then higher mean rating; then fewer no-shows".to_owned()
            }
        },
        windows,
        staff,
    })
}

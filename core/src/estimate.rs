//! Wait estimates: people ahead times the recent time a window spends per
//! ticket, divided by the window capacity open for the category.
//!
//! - **Time per ticket** is measured from call to completion (or no-show),
//!   because that is how long the window is occupied; it starts from the
//!   category's configured `service_min` and follows recent tickets with an
//!   exponentially weighted mean.
//! - **Capacity** counts the windows serving the category, each from when
//!   it is expected to serve: an open, unpaused window from now (free if it
//!   holds no ticket); a closed window serving the category as primary
//!   from the next regular session's start plus how late it usually opens
//!   that session, weighted by how often it opens it at all. Both are
//!   learned day by day from the windows' openings (a window that nobody
//!   staffs stops counting; one that opens half an hour late each morning
//!   counts from 09:30). During a session, a closed window that has not
//!   opened yet counts while it is not yet overdue, or from now if nobody
//!   at the site has opened. A window with several primary categories
//!   gives each a share in proportion to the work waiting in it; an
//!   overflow window counts only while open and its primary queues are
//!   empty.
//! - **Open time.** The queue moves only while the site is open (its
//!   sessions, and the grace after the last one while windows finish the
//!   queue): a visitor issued at 08:05 for an 08:30 opening waits at least
//!   25 minutes, however short the queue, and one issued at 12:30 with
//!   every window signed off waits for the afternoon. Busy day in
//!   `lobby-sim`, seeds 1–20: counting from the opening took the median
//!   error of tickets issued before it from 89% to 1%, and the day's from
//!   14.8% to 12.3% (every seed under 20%, the worst 18.4%).
//! - **Past the close.** When the call would come after the day's open
//!   time (the ticket would expire unserved), the estimate says so
//!   ([`crate::Estimate::past_close`]), and the kiosk tells the visitor
//!   before issuing.
//! - **When nobody is expected** to serve the category today, one window
//!   is assumed from the next regular session (or now).
//! - **Tickets that will join ahead.** A normal ticket is passed by green
//!   tickets issued after it and by tickets that keep an earlier place when
//!   they join its queue: one-stop visitors moving on from their first
//!   stop, transfers, re-activated no-shows. The rate at which that
//!   happened in each category over the last hour or so takes its share
//!   of the capacity: the wait is divided by `1 − ρ`, where `ρ` is that
//!   rate times the time per ticket over the capacity (at most
//!   [`MAX_JOINED_AHEAD_LOAD`]). Busy day, seeds 1–20: the median error
//!   falls from 12.3% to 11.2% (seeds 1–40: 11.8% to 11.0%, the worst seed
//!   18.5% to 15.9%). Before it, the second stops 医保 and 税务, where
//!   one-stop visitors from 社保, 不动产 and 市场监管 arrive with earlier
//!   places, were told about half their wait all morning. Tried beside it
//!   and not kept: learning each category's ratio of actual to estimated
//!   wait (11.1%, and no better with both) and each window's recent split
//!   of its time between categories instead of the shares above (13.3%:
//!   the split lags the queues); a time constant of 30 or 45 minutes, or
//!   at most 0.6 of the capacity, did no better.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::dispatch::Queues;
use crate::hall::Hall;
use crate::hours::{Hours, at_offset};
use crate::ids::SiteId;
use crate::window::WindowState;

/// Weight of the newest sample once a category has some history.
const ALPHA: f64 = 0.1;

/// Time constant of the joined-ahead rate, seconds.
const JOINED_AHEAD_TAU_S: f64 = 3600.0;

/// The most of a category's capacity that tickets joining ahead may take.
const MAX_JOINED_AHEAD_LOAD: f64 = 0.5;

/// Weight of the newest session in a window's opening habit.
const HABIT_ALPHA: f64 = 0.2;

/// Who an estimate is for: a waiting (or new) ticket's category, lane and
/// the tickets before it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Position {
    /// Category index.
    pub(crate) category: usize,
    /// In the green channel.
    pub(crate) green: bool,
    /// Tickets before it.
    pub(crate) ahead: u32,
}

/// A count of tickets that joined a queue ahead of waiting ones, decaying
/// with [`JOINED_AHEAD_TAU_S`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Decaying {
    count: f64,
    /// When `count` was last brought up to date (Unix seconds).
    at_s: i64,
}

impl Decaying {
    fn at(self, now_s: i64) -> f64 {
        let elapsed = (now_s - self.at_s).max(0) as f64;
        self.count * (-elapsed / JOINED_AHEAD_TAU_S).exp()
    }
}

/// Recent time per ticket per category.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServiceStats {
    mean_s: Vec<f64>,
    samples: Vec<u32>,
    /// Per category: tickets that joined ahead of waiting ones (absent in
    /// snapshots from before it was kept).
    #[serde(default)]
    joined_ahead: Vec<Decaying>,
    /// Per window, per regular session of the day (the first, the
    /// second …): how it opens it (absent in older snapshots).
    #[serde(default)]
    habits: Vec<Vec<Habit>>,
    /// Today's `(window, session start)` pairs a window opened in.
    #[serde(default)]
    opened: Vec<(usize, i64)>,
    /// Per window: since when it is open (Unix seconds).
    #[serde(default)]
    open_at: Vec<Option<i64>>,
}

impl ServiceStats {
    pub(crate) fn new(hall: &Hall) -> ServiceStats {
        ServiceStats {
            mean_s: hall
                .categories
                .iter()
                .map(|c| c.service_min * 60.0)
                .collect(),
            samples: vec![0; hall.categories.len()],
            joined_ahead: vec![Decaying::default(); hall.categories.len()],
            habits: vec![Vec::new(); hall.windows.len()],
            opened: Vec::new(),
            open_at: vec![None; hall.windows.len()],
        }
    }

    /// Records a ticket joining `category`'s queue at `at` ahead of tickets
    /// already waiting in it.
    pub(crate) fn record_joined_ahead(&mut self, category: usize, at: Timestamp) {
        if self.joined_ahead.len() != self.mean_s.len() {
            self.joined_ahead = vec![Decaying::default(); self.mean_s.len()];
        }
        let slot = &mut self.joined_ahead[category];
        let now_s = at.as_second();
        *slot = Decaying {
            count: slot.at(now_s) + 1.0,
            at_s: now_s,
        };
    }

    /// Recent tickets per second joining `category` ahead of waiting ones.
    fn joined_ahead_per_s(&self, category: usize, now: Timestamp) -> f64 {
        self.joined_ahead
            .get(category)
            .map_or(0.0, |d| d.at(now.as_second()) / JOINED_AHEAD_TAU_S)
    }

    /// Forgets the windows' opening habits if the hall's windows changed
    /// (a snapshot from before a configuration change).
    pub(crate) fn fit_windows(&mut self, windows: usize) {
        if self.habits.len() != windows {
            self.habits = vec![Vec::new(); windows];
            self.opened.clear();
            self.open_at = vec![None; windows];
        }
    }

    /// Number of categories covered.
    pub(crate) fn len(&self) -> usize {
        self.mean_s.len()
    }

    /// Records how long a window was occupied by a completed ticket.
    pub(crate) fn record(&mut self, category: usize, occupied_s: u32) {
        // The first samples move the prior quickly; later ones smoothly.
        let n = self.samples[category];
        let alpha = (1.0 / (f64::from(n) + 2.0)).max(ALPHA);
        let mean = &mut self.mean_s[category];
        *mean += alpha * (f64::from(occupied_s) - *mean);
        self.samples[category] = n.saturating_add(1);
    }

    /// Records a no-show: it occupied the window too, usually briefly.
    pub(crate) fn record_no_show(&mut self, category: usize, occupied_s: u32) {
        self.record(category, occupied_s);
    }

    /// Mean seconds a window spends per ticket of a category.
    pub(crate) fn mean_s(&self, category: usize) -> f64 {
        self.mean_s[category]
    }

    /// Estimated wait at `now` for a ticket at `position`.
    pub(crate) fn wait(
        &self,
        hall: &Hall,
        queues: &Queues,
        windows: &[WindowState],
        now: Timestamp,
        position: Position,
    ) -> Wait {
        let ci = position.category;
        let category = &hall.categories[ci];
        let day = hall.business_day(now);
        let hours = Hours::of_day(
            hall,
            &category.site,
            day,
            hall.policy.expire_after_close_min,
        );
        let mut serving = self.serving(hall, queues, windows, now, day, ci);
        if serving.iter().all(|s| s.share <= 0.0) {
            // Nobody will serve it today as far as we know: assume one
            // window does, from the next regular session if there is one.
            let sessions = hall.sessions_on(&category.site, day);
            let from = sessions
                .iter()
                .find(|(s, start, _)| !s.extended && *start > now)
                .map_or(now, |(_, start, _)| *start);
            serving = vec![Serving {
                from,
                share: 1.0,
                free: false,
            }];
        }
        let mean = self.mean_s(ci);
        // In open seconds from now.
        let open = |at: Timestamp| {
            if hours.is_empty() {
                at.duration_since(now).as_secs_f64().max(0.0)
            } else {
                hours.open_between(now, at)
            }
        };
        let mut starts: Vec<(f64, f64, bool)> = serving
            .iter()
            .map(|s| (open(s.from), s.share, s.free))
            .collect();
        starts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let first = starts[0].0;
        let called = served_at(&starts, f64::from(position.ahead) + 0.5, mean);
        // Green tickets are passed only by green ones with an earlier
        // place, which is rare; normal ones by every kind above, at the
        // rate the windows serving until the call can absorb.
        let joined_ahead = if position.green {
            0.0
        } else {
            let capacity: f64 = starts.iter().filter(|s| s.0 <= called).map(|s| s.1).sum();
            (self.joined_ahead_per_s(ci, now) * mean / capacity).min(MAX_JOINED_AHEAD_LOAD)
        };
        let call_open_s = first + (called - first) / (1.0 - joined_ahead);
        let (wait_s, past_close) = if hours.is_empty() {
            (call_open_s, true)
        } else {
            match hours.after(now, call_open_s) {
                Some(at) => (at.duration_since(now).as_secs_f64(), false),
                None => {
                    let end = hours.end().unwrap_or(now).max(now);
                    let left = call_open_s - hours.open_between(now, end);
                    (end.duration_since(now).as_secs_f64() + left.max(0.0), true)
                }
            }
        };
        Wait {
            wait_s: wait_s.round().clamp(0.0, f64::from(u32::MAX)) as u32,
            past_close,
        }
    }

    /// The windows expected to serve category `ci`, each with when it starts
    /// (see the module docs), its share and whether it is free then.
    fn serving(
        &self,
        hall: &Hall,
        queues: &Queues,
        windows: &[WindowState],
        now: Timestamp,
        day: Date,
        ci: usize,
    ) -> Vec<Serving> {
        let work = |c: usize| queues.lanes[c].len() as f64 * self.mean_s(c);
        let category = &hall.categories[ci];
        let regular = regular_starts(hall, &category.site, day);
        // (ordinal among the day's regular sessions, start)
        let current = regular
            .iter()
            .enumerate()
            .find(|(_, (start, end))| *start <= now && now < *end)
            .map(|(k, (start, _))| (k, *start));
        let next = regular
            .iter()
            .enumerate()
            .find(|(_, (start, _))| *start > now)
            .map(|(k, (start, _))| (k, *start));
        let site_open = hall
            .windows
            .iter()
            .zip(windows)
            .any(|(w, ws)| w.site == category.site && ws.open);
        let mut out = Vec::new();
        for (wi, w) in hall.windows.iter().enumerate() {
            let ws = &windows[wi];
            let Some(k) = w.categories.iter().position(|c| *c == category.id) else {
                continue;
            };
            let primary = k < w.primary;
            let (from, weight, free) = if ws.open {
                if ws.paused.is_some() {
                    continue;
                }
                (now, 1.0, ws.current.is_none())
            } else if primary {
                let expected = |(k, start): (usize, Timestamp)| {
                    (at_offset(start, self.habit(wi, k).late_s), k)
                };
                // This session, if it has not come yet and is expected (or
                // nobody at the site has opened yet: then it is late, and
                // counted from now as if busy); else the next one.
                let this = current
                    .filter(|&(_, start)| !self.opened.contains(&(wi, start.as_second())))
                    .and_then(|session| {
                        let (at, k) = expected(session);
                        if at > now {
                            Some((at, k, true))
                        } else if !site_open {
                            Some((now, k, false))
                        } else {
                            None
                        }
                    });
                let next = next.map(|session| {
                    let (at, k) = expected(session);
                    (at, k, true)
                });
                match this.or(next) {
                    Some((from, k, free)) => (from, self.habit(wi, k).came, free),
                    None => continue,
                }
            } else {
                continue;
            };
            let primary_work: f64 = w
                .primary()
                .iter()
                .filter_map(|c| hall.category_index(c))
                .map(work)
                .sum();
            let share = if primary {
                // Count this ticket's own work so an empty queue still gets
                // a share.
                let own = work(ci) + self.mean_s(ci);
                own / (primary_work - work(ci) + own)
            } else if primary_work == 0.0 {
                let all: f64 = w
                    .categories
                    .iter()
                    .filter_map(|c| hall.category_index(c))
                    .map(work)
                    .sum();
                let own = work(ci) + self.mean_s(ci);
                own / (all - work(ci) + own)
            } else {
                0.0
            };
            if share * weight > 0.0 {
                out.push(Serving {
                    from,
                    share: share * weight,
                    free,
                });
            }
        }
        out
    }

    /// What is known of window `wi`'s habit of opening the `k`th regular
    /// session of a day.
    fn habit(&self, wi: usize, k: usize) -> Habit {
        self.habits
            .get(wi)
            .and_then(|h| h.get(k))
            .copied()
            .unwrap_or_default()
    }

    /// Records window `wi` opening at `at`: for the regular session in
    /// progress or the next one, how late after its start (once per
    /// session).
    pub(crate) fn record_opened(&mut self, hall: &Hall, wi: usize, at: Timestamp) {
        let site = &hall.windows[wi].site;
        let regular = regular_starts(hall, site, hall.business_day(at));
        let Some((k, (start, _))) = regular.iter().enumerate().find(|(_, (_, end))| at < *end)
        else {
            return;
        };
        if self.open_at.len() <= wi {
            self.open_at.resize(wi + 1, None);
        }
        if self.open_at[wi].is_some() {
            // Already open: a colleague taking it over.
            return;
        }
        self.open_at[wi] = Some(at.as_second());
        let late_s = at.duration_since(*start).as_secs_f64().max(0.0);
        self.attended(wi, k, *start, late_s);
    }

    /// Records window `wi` closing at `at`: the regular sessions that
    /// started while it was open count as opened on time.
    pub(crate) fn record_closed(&mut self, hall: &Hall, wi: usize, at: Timestamp) {
        let Some(since) = self.open_at.get_mut(wi).and_then(Option::take) else {
            return;
        };
        let Ok(since) = Timestamp::from_second(since) else {
            return;
        };
        let site = &hall.windows[wi].site;
        let regular = regular_starts(hall, site, hall.business_day(since));
        for (k, (start, _)) in regular.into_iter().enumerate() {
            if since < start && start <= at {
                self.attended(wi, k, start, 0.0);
            }
        }
    }

    /// Window `wi` was there for the `k`th regular session, starting at
    /// `start`, this late (once per session).
    fn attended(&mut self, wi: usize, k: usize, start: Timestamp, late_s: f64) {
        let key = (wi, start.as_second());
        if !self.opened.contains(&key) {
            self.opened.push(key);
            self.habit_mut(wi, k).learn(Some(late_s));
        }
    }

    /// Closes business day `day`: every regular session a window did not
    /// open in counts against its habit.
    pub(crate) fn record_day(&mut self, hall: &Hall, day: Date) {
        for (wi, w) in hall.windows.iter().enumerate() {
            for (k, (start, _)) in regular_starts(hall, &w.site, day).into_iter().enumerate() {
                if !self.opened.contains(&(wi, start.as_second())) {
                    self.habit_mut(wi, k).learn(None);
                }
            }
        }
        self.opened.clear();
    }

    fn habit_mut(&mut self, wi: usize, k: usize) -> &mut Habit {
        if self.habits.len() <= wi {
            self.habits.resize(wi + 1, Vec::new());
        }
        let sessions = &mut self.habits[wi];
        if sessions.len() <= k {
            sessions.resize(k + 1, Habit::default());
        }
        &mut sessions[k]
    }
}

/// The regular (not extended) sessions of a site on a day, as instants.
fn regular_starts(hall: &Hall, site: &SiteId, day: Date) -> Vec<(Timestamp, Timestamp)> {
    hall.sessions_on(site, day)
        .into_iter()
        .filter(|(s, _, _)| !s.extended)
        .map(|(_, start, end)| (start, end))
        .collect()
}

/// The open second (from now) at which the ticket `n` tickets down the
/// queue is called, with windows starting at the given open seconds, each
/// with its share and whether it is free when it starts (a free window
/// calls at once).
fn served_at(starts: &[(f64, f64, bool)], n: f64, mean: f64) -> f64 {
    let mut at = starts[0].0;
    let mut called = 0.0;
    let mut rate = 0.0;
    for &(from, share, free) in starts {
        let before = called + rate * (from - at);
        if before >= n {
            return at + (n - called) / rate;
        }
        called = before;
        at = from;
        if free {
            called += share;
        }
        if called >= n {
            return at;
        }
        rate += share / mean;
    }
    at + (n - called) / rate
}

/// An estimate's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Wait {
    /// Seconds until the call.
    pub(crate) wait_s: u32,
    /// The call would come after the day's last session and its grace:
    /// the ticket would expire unserved.
    pub(crate) past_close: bool,
}

/// A window expected to serve a category.
#[derive(Debug, Clone, Copy)]
struct Serving {
    /// When it starts serving.
    from: Timestamp,
    /// Its share of its time for the category, times the chance it comes.
    share: f64,
    /// Free when it starts.
    free: bool,
}

/// How a window opens its regular sessions, learned day by day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Habit {
    /// Mean seconds after a session's start that it opens.
    late_s: f64,
    /// Of its regular sessions, the share it opened in.
    came: f64,
    samples: u32,
}

impl Default for Habit {
    /// Until seen: opens on time, every session.
    fn default() -> Habit {
        Habit {
            late_s: 0.0,
            came: 1.0,
            samples: 0,
        }
    }
}

impl Habit {
    /// One regular session: opened this late, or not at all (`None`).
    fn learn(&mut self, late_s: Option<f64>) {
        let alpha = (1.0 / (f64::from(self.samples) + 1.0)).max(HABIT_ALPHA);
        match late_s {
            Some(late) => {
                self.came += alpha * (1.0 - self.came);
                self.late_s += alpha * (late - self.late_s);
            }
            None => self.came += alpha * (0.0 - self.came),
        }
        self.samples = self.samples.saturating_add(1);
    }
}

//! Wait estimates: people ahead times the recent time a window spends per
//! ticket, divided by the window capacity open for the category.
//!
//! - **Time per ticket** is measured from call to completion (or no-show),
//!   because that is how long the window is occupied; it starts from the
//!   category's configured `service_min` and follows recent tickets with an
//!   exponentially weighted mean.
//! - **Capacity** counts the open, unpaused windows serving the category. A
//!   window with several primary categories gives each a share in
//!   proportion to the work waiting in it; an overflow window counts only
//!   while its primary queues are empty. Before any window opens, the
//!   configured windows are assumed to open.
//! - **Before the day's first session** (kiosks issue from
//!   `issue_before_open_min` earlier) the wait runs from the opening, when
//!   every window is free at once: a visitor issued at 08:05 for an 08:30
//!   opening waits at least 25 minutes, however short the queue. Busy day
//!   in `lobby-sim`, seeds 1–20: the median error of tickets issued before
//!   the opening falls from 89% to 1%, and the day's from 14.8% to 12.3%
//!   (every seed under 20%, the worst 18.4%).
//! - **When none of a category's windows is staffed** during an extended
//!   session (the lunchtime or Saturday duty windows) or between sessions,
//!   the wait likewise runs from the next regular session, with the
//!   category's own windows free then: a guide-desk ticket at 12:10 for a
//!   category without a duty window is told it waits until 14:30, not half
//!   a service. (`lobby-sim` sends those visitors back for the afternoon
//!   instead, so its figures do not show this.)
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
use serde::{Deserialize, Serialize};

use crate::dispatch::Queues;
use crate::hall::Hall;
use crate::window::WindowState;

/// Weight of the newest sample once a category has some history.
const ALPHA: f64 = 0.1;

/// Time constant of the joined-ahead rate, seconds.
const JOINED_AHEAD_TAU_S: f64 = 3600.0;

/// The most of a category's capacity that tickets joining ahead may take.
const MAX_JOINED_AHEAD_LOAD: f64 = 0.5;

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

    /// Estimated wait in seconds at `now` for a ticket at `position`.
    pub(crate) fn wait_s(
        &self,
        hall: &Hall,
        queues: &Queues,
        windows: &[WindowState],
        now: Timestamp,
        position: Position,
    ) -> u32 {
        let ci = position.category;
        let category = &hall.categories[ci];
        let sessions = hall.sessions_on(&category.site, hall.business_day(now));
        let until = |start: Timestamp| start.duration_since(now).as_secs_f64().max(0.0);
        let counted = if windows.iter().any(|w| w.open) {
            Counted::Staffed
        } else {
            Counted::Configured
        };
        let mut until_open = sessions.first().map_or(0.0, |(_, start, _)| until(*start));
        let (mut capacity, mut idle) =
            self.capacity(hall, queues, windows, ci, counted, until_open > 0.0);
        if capacity <= 0.0 {
            // None of its windows is staffed. At lunch or on Saturday duty
            // (an extended session), or between sessions, they are back at
            // the next regular session.
            let regular_now = sessions
                .iter()
                .any(|(s, start, end)| !s.extended && *start <= now && now < *end);
            let next = sessions
                .iter()
                .find(|(s, start, _)| !s.extended && *start > now);
            if let (false, Some((_, start, _))) = (regular_now, next) {
                until_open = until(*start);
                (capacity, idle) =
                    self.capacity(hall, queues, windows, ci, Counted::Configured, true);
            }
        }
        if capacity <= 0.0 {
            // Nobody serves it now: assume one window will.
            capacity = 1.0;
        }
        let mean = self.mean_s(ci);
        // Green tickets are passed only by green ones with an earlier
        // place, which is rare; normal ones by every kind above.
        let joined_ahead = if position.green {
            0.0
        } else {
            (self.joined_ahead_per_s(ci, now) * mean / capacity).min(MAX_JOINED_AHEAD_LOAD)
        };
        let queue = (f64::from(position.ahead) + 0.5 - idle).max(0.0) * mean / capacity;
        let wait = until_open + queue / (1.0 - joined_ahead);
        wait.min(f64::from(u32::MAX)) as u32
    }

    /// The window capacity serving category `ci`, and how much of it is free
    /// now: a share of each counted window (see the module docs). With
    /// `all_free`, every counted window is free (at an opening).
    fn capacity(
        &self,
        hall: &Hall,
        queues: &Queues,
        windows: &[WindowState],
        ci: usize,
        counted: Counted,
        all_free: bool,
    ) -> (f64, f64) {
        let work = |c: usize| queues.lanes[c].len() as f64 * self.mean_s(c);
        let category = &hall.categories[ci].id;
        let mut capacity = 0.0;
        let mut idle = 0.0;
        for (wi, w) in hall.windows.iter().enumerate() {
            let ws = &windows[wi];
            let Some(k) = w.categories.iter().position(|c| c == category) else {
                continue;
            };
            let staffed = match counted {
                Counted::Staffed => ws.open && ws.paused.is_none(),
                Counted::Configured => k < w.primary,
            };
            if !staffed {
                continue;
            }
            let primary_work: f64 = w
                .primary()
                .iter()
                .filter_map(|c| hall.category_index(c))
                .map(work)
                .sum();
            let share = if k < w.primary {
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
            capacity += share;
            let free = match counted {
                Counted::Staffed => ws.current.is_none(),
                Counted::Configured => false,
            };
            if free || all_free {
                idle += share;
            }
        }
        (capacity, idle)
    }
}

/// Which windows an estimate counts on.
#[derive(Debug, Clone, Copy)]
enum Counted {
    /// The open, unpaused windows.
    Staffed,
    /// The windows configured for the category as primary (none is open).
    Configured,
}

//! Opening hours as a clock: how much open time lies between two instants,
//! and when a given amount of open time has passed.
//!
//! Waits are told and yellow cards raised in open time: a visitor issued a
//! ticket at 08:20 for an 08:30 opening has waited no time at 08:30, and a
//! queue does not move between the morning's end and the afternoon's
//! start.

use jiff::{Timestamp, ToSpan};

use crate::hall::Hall;
use crate::ids::SiteId;

/// A site's open spans on one business day, sorted and disjoint.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hours {
    spans: Vec<(Timestamp, Timestamp)>,
}

impl Hours {
    /// Every session of the day at `site` (regular and extended), merged,
    /// plus `grace_min` minutes after the last one while windows finish the
    /// queue (what is still waiting then expires).
    pub(crate) fn of_day(
        hall: &Hall,
        site: &SiteId,
        day: jiff::civil::Date,
        grace_min: u32,
    ) -> Hours {
        let mut spans: Vec<(Timestamp, Timestamp)> = Vec::new();
        for (_, start, end) in hall.sessions_on(site, day) {
            match spans.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => spans.push((start, end)),
            }
        }
        if let Some(last) = spans.last_mut() {
            last.1 = last
                .1
                .checked_add(i64::from(grace_min).minutes())
                .unwrap_or(last.1);
        }
        Hours { spans }
    }

    /// Whether the day has no open time at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The end of the day's open time.
    pub(crate) fn end(&self) -> Option<Timestamp> {
        self.spans.last().map(|s| s.1)
    }

    /// Seconds of open time in `[from, to)`.
    pub(crate) fn open_between(&self, from: Timestamp, to: Timestamp) -> f64 {
        self.spans
            .iter()
            .map(|&(start, end)| {
                let a = start.max(from);
                let b = end.min(to);
                if b > a {
                    b.duration_since(a).as_secs_f64()
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// The instant at which `open_s` seconds of open time have passed since
    /// `from`; `None` if the day's open time runs out first.
    pub(crate) fn after(&self, from: Timestamp, open_s: f64) -> Option<Timestamp> {
        let mut left = open_s.max(0.0);
        for &(start, end) in &self.spans {
            if end <= from {
                continue;
            }
            let a = start.max(from);
            let span = end.duration_since(a).as_secs_f64();
            if left <= span {
                return Some(at_offset(a, left));
            }
            left -= span;
        }
        None
    }
}

/// `at` plus `s` seconds.
pub(crate) fn at_offset(at: Timestamp, s: f64) -> Timestamp {
    let s = jiff::SignedDuration::from_secs_f64(s.clamp(0.0, 400.0 * 86_400.0));
    at.checked_add(s).unwrap_or(at)
}

//! Figures per policy, the references, and their two renderings: a table
//! for people and JSON for machines.
//!
//! **Waits.** Every call is one wait sample: from joining the queue (issue,
//! the next stop of a multi-stop visit, re-activation) to the call. A
//! ticket still waiting when the day closes counts with its wait until
//! then (a lower bound). p90 is the nearest-rank 90th percentile. The
//! green channel is reported twice: all its waits, and those that began
//! once the first windows had opened ("green open"), since a green visitor
//! who takes a ticket before the opening waits for it under any policy.
//!
//! **Tail.** Each policy's waits longer than the lowest p90 of the day's
//! policies (the p90 to beat), counted by who waited, each wait once and
//! in this order: it began before the first windows opened (mostly the
//! wait for the opening, which no ordering shortens); a green-channel
//! ticket; an appointment; a later stop of a visit, or a second call
//! after a no-show; otherwise a normal ticket at its first stop. Rules
//! that serve some tickets ahead of others move waits between these rows.
//!
//! **Estimate error.** For each ticket's first call: the estimate printed
//! at issue (`Ticket.estimate.wait_s`) against the actual wait from issue
//! to that call, as `|estimate − actual| / max(actual, 60 s)`; the figure
//! is the median over all tickets called. The 60-second floor keeps a
//! visitor told "1 minute" who is called at once from counting as an
//! infinite error.

use std::fmt::Write as _;

use lobby_core::Hall;
use serde::Serialize;

use crate::engine::{Counts, DayOutcome, WaitSample};
use crate::visitors::Visitor;

/// The denominator floor of the relative estimate error, in seconds.
pub const ERROR_FLOOR_S: f64 = 60.0;

/// Everything a run reports.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Simulated date.
    pub date: String,
    /// Seed of the draw (0 for a replayed day).
    pub seed: u64,
    /// For a replayed day: what the replay left out or approximated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<crate::replay::Notes>,
    /// Visitors who came.
    pub visitors: u32,
    /// Service demands: one per stop of each issued visit.
    pub demands: u32,
    /// Windows staffed at some point of the day.
    pub staffed_windows: usize,
    /// Offered work (walk, service, recalls, no-show waits) over staffed
    /// window time.
    pub offered_utilisation: f64,
    /// Erlang C mean wait for the day-average load pooled over all staffed
    /// windows (seconds).
    pub erlang_c_pooled_mean_wait_s: Option<f64>,
    /// Erlang C mean wait with each category on its own primary windows
    /// (seconds; `null` when some category's own windows cannot keep up).
    pub erlang_c_partitioned_mean_wait_s: Option<f64>,
    /// The offered load per category, on the category's own windows.
    pub load: Vec<CategoryLoad>,
    /// One entry per policy, ours first.
    pub policies: Vec<PolicyReport>,
}

/// One category's offered load, over the sessions in which kiosks issue.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryLoad {
    /// Category id.
    pub id: String,
    /// Service demands (stops, and second calls of re-activated tickets).
    pub demands: u32,
    /// Mean time a demand holds a window, seconds.
    pub mean_occupation_s: f64,
    /// Windows with it as a primary category, staffed on average.
    pub own_windows: u32,
    /// Offered load over those windows.
    pub own_utilisation: f64,
    /// Erlang C mean wait on those windows alone (`null` if unstable).
    pub erlang_c_own_mean_wait_s: Option<f64>,
}

/// One policy's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyReport {
    /// Policy name.
    pub name: String,
    /// Mean wait, seconds.
    pub mean_wait_s: f64,
    /// 90th percentile wait, seconds.
    pub p90_wait_s: f64,
    /// Longest wait, seconds.
    pub max_wait_s: f64,
    /// Mean of each visit's total wait (all its stops), seconds.
    pub visit_mean_wait_s: f64,
    /// 90th percentile of visits' total waits, seconds.
    pub visit_p90_wait_s: f64,
    /// Longest total wait of a visit, seconds.
    pub visit_max_wait_s: f64,
    /// Mean wait of green-channel tickets, seconds.
    pub green_mean_wait_s: Option<f64>,
    /// 90th percentile wait of green-channel tickets, seconds.
    pub green_p90_wait_s: Option<f64>,
    /// Mean wait of green-channel tickets that joined their queue once the
    /// first windows had opened, seconds: the green channel without the
    /// wait for the opening, which no ordering can shorten.
    pub green_open_mean_wait_s: Option<f64>,
    /// Median relative error of the estimate given at issue (see the
    /// module docs).
    pub estimate_median_error: Option<f64>,
    /// Busy time over signed-in time of the staffed windows.
    pub utilisation: f64,
    /// Highest category mean wait over the overall mean.
    pub worst_category_ratio: f64,
    /// Its waits longer than the lowest p90 of the day's policies, by who
    /// waited (see the module docs).
    pub tail: Tail,
    /// Per category, in the hall's order.
    pub categories: Vec<CategoryReport>,
    /// What happened to the visitors.
    pub counts: Counts,
}

/// One policy's waits longer than a threshold, by who waited: each wait
/// counted once, in the order of the fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tail {
    /// The threshold, seconds: the lowest p90 wait of the day's policies.
    pub over_s: f64,
    /// Waits longer than it.
    pub waits: u32,
    /// Of which began before the first windows opened.
    pub before_opening: u32,
    /// Green-channel tickets.
    pub green: u32,
    /// Appointment tickets.
    pub appointment: u32,
    /// Later stops of a visit, and second calls after a no-show.
    pub later: u32,
    /// Normal tickets at their first stop.
    pub normal: u32,
}

impl Tail {
    /// The waits of `day` longer than `over_s`, by who waited; `opens_s`
    /// is when the first windows open (seconds after midnight).
    pub fn of(day: &DayOutcome, visitors: &[Visitor], opens_s: i64, over_s: f64) -> Tail {
        // A visitor's first wait is the one that began first; any other
        // is a later stop or a return after a no-show.
        let mut first: std::collections::HashMap<usize, i64> = Default::default();
        for w in &day.waits {
            let began = w.at - i64::from(w.wait_s);
            first
                .entry(w.visitor)
                .and_modify(|b| *b = (*b).min(began))
                .or_insert(began);
        }
        let mut tail = Tail {
            over_s,
            ..Tail::default()
        };
        for w in day.waits.iter().filter(|w| f64::from(w.wait_s) > over_s) {
            let began = w.at - i64::from(w.wait_s);
            let row = if began < opens_s {
                &mut tail.before_opening
            } else if w.green {
                &mut tail.green
            } else if visitors
                .get(w.visitor)
                .is_some_and(|v| v.appointment.is_some())
            {
                &mut tail.appointment
            } else if first.get(&w.visitor).is_some_and(|&b| began > b) {
                &mut tail.later
            } else {
                &mut tail.normal
            };
            *row += 1;
            tail.waits += 1;
        }
        tail
    }

    /// The sum of several days' tails; the threshold is their mean.
    pub fn sum<'a>(tails: impl IntoIterator<Item = &'a Tail>) -> Tail {
        let mut total = Tail::default();
        let mut days = 0.0;
        for t in tails {
            days += 1.0;
            total.over_s += t.over_s;
            total.waits += t.waits;
            total.before_opening += t.before_opening;
            total.green += t.green;
            total.appointment += t.appointment;
            total.later += t.later;
            total.normal += t.normal;
        }
        if days > 0.0 {
            total.over_s /= days;
        }
        total
    }
}

/// Fills every policy's [`Tail`] against the lowest p90 of them all.
/// `days` are the policies' days in the report's order.
pub fn fill_tails(report: &mut Report, days: &[DayOutcome], visitors: &[Visitor], opens_s: i64) {
    let over_s = report
        .policies
        .iter()
        .map(|p| p.p90_wait_s)
        .fold(f64::INFINITY, f64::min);
    if !over_s.is_finite() {
        return;
    }
    for (p, day) in report.policies.iter_mut().zip(days) {
        p.tail = Tail::of(day, visitors, opens_s, over_s);
    }
}

/// One category's waits under one policy.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryReport {
    /// Category id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Wait samples.
    pub waits: usize,
    /// Mean wait, seconds.
    pub mean_wait_s: f64,
    /// 90th percentile, seconds.
    pub p90_wait_s: f64,
    /// Longest, seconds.
    pub max_wait_s: f64,
}

/// Mean, nearest-rank p90 and max of some waits.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stats {
    /// Samples.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// 90th percentile (nearest rank).
    pub p90: f64,
    /// Maximum.
    pub max: f64,
}

impl Stats {
    /// Figures of `values` (any order).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Stats {
        let mut v: Vec<f64> = values.into_iter().collect();
        if v.is_empty() {
            return Stats::default();
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let rank = ((0.9 * n as f64).ceil() as usize).clamp(1, n);
        Stats {
            n,
            mean: v.iter().sum::<f64>() / n as f64,
            p90: v[rank - 1],
            max: v[n - 1],
        }
    }
}

/// The median of some values (mean of the middle two for an even count).
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Relative error of one estimate (see the module docs).
pub fn relative_error(estimate_s: u32, actual_s: u32) -> f64 {
    (f64::from(estimate_s) - f64::from(actual_s)).abs() / f64::from(actual_s).max(ERROR_FLOOR_S)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn waits(samples: &[WaitSample], keep: impl Fn(&WaitSample) -> bool) -> Stats {
    Stats::of(
        samples
            .iter()
            .filter(|s| keep(s))
            .map(|s| f64::from(s.wait_s)),
    )
}

/// The figures of one policy's day.
///
/// `opens_s`: when the first windows open, seconds after midnight.
pub fn summarise(
    hall: &Hall,
    categories: &[usize],
    opens_s: i64,
    day: &DayOutcome,
) -> PolicyReport {
    let all = waits(&day.waits, |_| true);
    let mut per_visit: std::collections::BTreeMap<usize, f64> = Default::default();
    for w in &day.waits {
        *per_visit.entry(w.visitor).or_default() += f64::from(w.wait_s);
    }
    let visits = Stats::of(per_visit.into_values());
    let green = waits(&day.waits, |s| s.green);
    let green_open = waits(&day.waits, |s| {
        s.green && s.at - i64::from(s.wait_s) >= opens_s
    });
    let per: Vec<CategoryReport> = categories
        .iter()
        .map(|&ci| {
            let s = waits(&day.waits, |w| w.category == ci);
            CategoryReport {
                id: hall.categories[ci].id.to_string(),
                name: hall.categories[ci].name.clone(),
                waits: s.n,
                mean_wait_s: round1(s.mean),
                p90_wait_s: round1(s.p90),
                max_wait_s: round1(s.max),
            }
        })
        .collect();
    let worst = per
        .iter()
        .filter(|c| c.waits > 0)
        .map(|c| c.mean_wait_s)
        .fold(0.0, f64::max);
    let signed_in: i64 = day.windows.iter().map(|w| w.signed_in_s).sum();
    let busy: i64 = day.windows.iter().map(|w| w.busy_s).sum();
    let error = median(
        day.estimates
            .iter()
            .map(|e| relative_error(e.estimate_s, e.actual_s)),
    );
    PolicyReport {
        name: day.policy.to_owned(),
        mean_wait_s: round1(all.mean),
        p90_wait_s: round1(all.p90),
        max_wait_s: round1(all.max),
        visit_mean_wait_s: round1(visits.mean),
        visit_p90_wait_s: round1(visits.p90),
        visit_max_wait_s: round1(visits.max),
        green_mean_wait_s: (green.n > 0).then(|| round1(green.mean)),
        green_p90_wait_s: (green.n > 0).then(|| round1(green.p90)),
        green_open_mean_wait_s: (green_open.n > 0).then(|| round1(green_open.mean)),
        estimate_median_error: error.map(|e| (e * 1000.0).round() / 1000.0),
        utilisation: if signed_in > 0 {
            (busy as f64 / signed_in as f64 * 1000.0).round() / 1000.0
        } else {
            0.0
        },
        worst_category_ratio: if all.mean > 0.0 {
            (worst / all.mean * 100.0).round() / 100.0
        } else {
            0.0
        },
        tail: Tail::default(),
        categories: per,
        counts: day.counts.clone(),
    }
}

/// What a replay took from the log and what it had to approximate, in
/// one line.
fn replay_notes(n: &crate::replay::Notes) -> String {
    let mut parts = Vec::new();
    for (count, what) in [
        (n.other_sites, "tickets of other sites left out"),
        (
            n.unknown_categories,
            "tickets of categories the hall no longer has, left out",
        ),
        (n.cancelled, "cancelled before service, left out"),
        (
            n.assumed_service,
            "stops never served, given the category's mean service",
        ),
        (n.cut_short, "visits ended at a later no-show or a cancel"),
        (n.transfers, "transfers replayed as next stops"),
    ] {
        if count > 0 {
            parts.push(format!("{what}: {count}"));
        }
    }
    let pauses = match n.pauses {
        0 => String::new(),
        1 => ", 1 pause".to_owned(),
        p => format!(", {p} pauses"),
    };
    let mut line = format!(
        "From {} events, {} tickets{pauses}; \"recorded\" is the day as it happened.",
        n.events, n.tickets
    );
    if !parts.is_empty() {
        line.push_str(" Approximated: ");
        line.push_str(&parts.join("; "));
        line.push('.');
    }
    line
}

fn minutes(s: f64) -> String {
    format!("{:.1}", s / 60.0)
}

fn opt_minutes(s: Option<f64>) -> String {
    s.map_or("—".into(), minutes)
}

/// The report as a readable table.
pub fn table(r: &Report) -> String {
    let mut o = String::new();
    let day = match &r.replay {
        Some(_) => format!("Replay of {}", r.date),
        None => format!("Scenario {} ({}, seed {})", r.scenario, r.date, r.seed),
    };
    let _ = writeln!(
        o,
        "{day}: {} visitors, {} service demands, {} windows staffed, offered utilisation {:.1}%",
        r.visitors,
        r.demands,
        r.staffed_windows,
        r.offered_utilisation * 100.0
    );
    if let Some(n) = &r.replay {
        let _ = writeln!(o, "{}", replay_notes(n));
    }
    let _ = writeln!(
        o,
        "Erlang C mean wait at the day-average load: pooled {} min, partitioned {}",
        opt_minutes(r.erlang_c_pooled_mean_wait_s),
        r.erlang_c_partitioned_mean_wait_s.map_or(
            "∞ (some category's own windows cannot keep up)".into(),
            |s| format!("{} min", minutes(s))
        )
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<12} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>6} {:>7} {:>7}",
        "policy", "mean", "p90", "max", "green", "green", "worst", "util", "estim.", "expired"
    );
    let _ = writeln!(
        o,
        "{:<12} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>6} {:>7} {:>7}",
        "", "min", "min", "min", "mean", "p90", "cat/all", "%", "error", ""
    );
    for p in &r.policies {
        let _ = writeln!(
            o,
            "{:<12} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7.2} {:>6.1} {:>7} {:>7}",
            p.name,
            minutes(p.mean_wait_s),
            minutes(p.p90_wait_s),
            minutes(p.max_wait_s),
            opt_minutes(p.green_mean_wait_s),
            opt_minutes(p.green_p90_wait_s),
            p.worst_category_ratio,
            p.utilisation * 100.0,
            p.estimate_median_error
                .map_or("—".into(), |e| format!("{:.0}%", e * 100.0)),
            p.counts.expired_waiting + p.counts.expired_called,
        );
    }
    let tails: Vec<(&str, Tail)> = r
        .policies
        .iter()
        .map(|p| (p.name.as_str(), p.tail))
        .collect();
    tail_table(&mut o, &tails, "");
    if let Some(first) = r.policies.first() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Mean wait per category, minutes (load: offered utilisation of the category's own windows)"
        );
        let _ = write!(o, "{:<8} {:>6} {:>9}", "category", "stops", "load");
        for p in &r.policies {
            let _ = write!(o, " {:>11}", p.name);
        }
        let _ = writeln!(o);
        for (k, c) in first.categories.iter().enumerate() {
            let load = r
                .load
                .iter()
                .find(|l| l.id == c.id && l.own_windows > 0)
                .map_or("—".into(), |l| {
                    format!("{:.0}%/{}", l.own_utilisation * 100.0, l.own_windows)
                });
            let _ = write!(o, "{:<8} {:>6} {:>9}", c.id, c.waits, load);
            for p in &r.policies {
                let _ = write!(o, " {:>11}", minutes(p.categories[k].mean_wait_s));
            }
            let _ = writeln!(o, "  {}", c.name);
        }
        let c = &first.counts;
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Visitors: {} came, {} tickets issued; {} sent from the kiosk to the guide desk, {} asked at lunch to come back when the afternoon opens; turned away: {} hall closed, {} quota reached.",
            c.visitors,
            c.issued,
            c.sent_to_guide_desk,
            c.deferred,
            c.turned_away_closed,
            c.turned_away_quota
        );
        let _ = writeln!(
            o,
            "Per policy: {}",
            r.policies
                .iter()
                .map(|p| format!(
                    "{} {} no-shows/{} re-activated/{} expired",
                    p.name,
                    p.counts.no_shows,
                    p.counts.reactivated,
                    p.counts.expired_waiting + p.counts.expired_called
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    o
}

/// The tail rows: each policy's waits over the day's lowest p90, by who
/// waited. `days` names what was summed, if more than one day.
fn tail_table(o: &mut String, tails: &[(&str, Tail)], days: &str) {
    let Some((_, first)) = tails.first() else {
        return;
    };
    // With a p90 under a minute (a quiet day) there is no tail to speak of.
    if first.over_s < 60.0 {
        return;
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Waits over {} min (the lowest p90 of the policies{days}), by who waited",
        minutes(first.over_s)
    );
    let _ = writeln!(
        o,
        "{:<12} {:>7} {:>8} {:>7} {:>8} {:>7} {:>7}",
        "policy", "over", "before", "green", "appoint-", "later", "normal"
    );
    let _ = writeln!(
        o,
        "{:<12} {:>7} {:>8} {:>7} {:>8} {:>7} {:>7}",
        "", "", "opening", "", "ment", "stop", "first"
    );
    for (name, t) in tails {
        let _ = writeln!(
            o,
            "{:<12} {:>7} {:>8} {:>7} {:>8} {:>7} {:>7}",
            name, t.waits, t.before_opening, t.green, t.appointment, t.later, t.normal
        );
    }
}

/// Several days (seeds of the same scenario, or recorded days replayed),
/// averaged per policy, with how often each policy had the lowest mean and
/// p90 wait.
pub fn seeds_table(reports: &[Report]) -> String {
    let mut o = String::new();
    let Some(first) = reports.first() else {
        return o;
    };
    let n = reports.len() as f64;
    let avg = |f: &dyn Fn(&Report) -> f64| reports.iter().map(f).sum::<f64>() / n;
    let days = match (&first.replay, reports.last()) {
        (Some(_), Some(last)) => format!(
            "Replay of {} recorded days ({} to {})",
            reports.len(),
            first.date,
            last.date
        ),
        _ => format!(
            "Scenario {} over {} seeds ({}–{})",
            first.scenario,
            reports.len(),
            first.seed,
            first.seed + reports.len() as u64 - 1
        ),
    };
    let _ = writeln!(
        o,
        "{days}: {:.0} visitors, offered utilisation {:.1}% on average",
        avg(&|r| f64::from(r.visitors)),
        avg(&|r| r.offered_utilisation) * 100.0
    );
    let _ = writeln!(
        o,
        "{:<12} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9}",
        "policy",
        "mean",
        "p90",
        "max",
        "green",
        "green",
        "worst",
        "worst",
        "estim.",
        "best",
        "best"
    );
    let _ = writeln!(
        o,
        "{:<12} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9}",
        "", "min", "min", "min", "mean", "open", "cat/all", "max", "error", "mean", "p90"
    );
    for (k, p) in first.policies.iter().enumerate() {
        let get = |f: &dyn Fn(&PolicyReport) -> f64| avg(&|r| f(&r.policies[k]));
        // A figure some days lack (no green visitor, no estimate): the mean
        // of the days that have it.
        let some = |f: &dyn Fn(&PolicyReport) -> Option<f64>| {
            let v: Vec<f64> = reports.iter().filter_map(|r| f(&r.policies[k])).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        let best = |f: &dyn Fn(&PolicyReport) -> f64| {
            reports
                .iter()
                .filter(|r| {
                    let mine = f(&r.policies[k]);
                    r.policies.iter().all(|q| mine <= f(q))
                })
                .count()
        };
        let worst_ratio = reports
            .iter()
            .map(|r| r.policies[k].worst_category_ratio)
            .fold(0.0, f64::max);
        let _ = writeln!(
            o,
            "{:<12} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7.2} {:>7.2} {:>7} {:>6}/{:<2} {:>6}/{:<2}",
            p.name,
            minutes(get(&|p| p.mean_wait_s)),
            minutes(get(&|p| p.p90_wait_s)),
            minutes(get(&|p| p.max_wait_s)),
            opt_minutes(some(&|p| p.green_mean_wait_s)),
            opt_minutes(some(&|p| p.green_open_mean_wait_s)),
            get(&|p| p.worst_category_ratio),
            worst_ratio,
            some(&|p| p.estimate_median_error)
                .map_or("—".into(), |e| format!("{:.0}%", e * 100.0)),
            best(&|p| p.mean_wait_s),
            reports.len(),
            best(&|p| p.p90_wait_s),
            reports.len(),
        );
    }
    let tails: Vec<(&str, Tail)> = first
        .policies
        .iter()
        .enumerate()
        .map(|(k, p)| {
            (
                p.name.as_str(),
                Tail::sum(reports.iter().map(|r| &r.policies[k].tail)),
            )
        })
        .collect();
    tail_table(
        &mut o,
        &tails,
        &format!(
            " of each day, on average; summed over {} days",
            reports.len()
        ),
    );
    o
}

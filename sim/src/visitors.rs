//! The day's visitors, drawn once from the scenario and the seed, so every
//! policy sees exactly the same people: same arrival instants, categories,
//! service times and behaviour (common random numbers).

use anyhow::{Context, Result};
use lobby_core::hall::Opening;
use lobby_core::jiff::Timestamp;
use lobby_core::{Channel, GroupId, Hall};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};

use crate::scenario::{Scenario, seconds_of};

/// Simulated time: seconds since local midnight of the scenario's date,
/// and the conversion to the instants the core takes.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    midnight: i64,
}

impl Clock {
    /// The clock of a scenario's day in the hall's time zone.
    pub fn new(hall: &Hall, scenario: &Scenario) -> Result<Clock> {
        let midnight = hall
            .tz()
            .to_timestamp(scenario.date.at(0, 0, 0, 0))
            .context("the scenario's date has no midnight in the hall's zone")?;
        Ok(Clock {
            midnight: midnight.as_second(),
        })
    }

    /// The instant `s` seconds after midnight.
    pub fn at(&self, s: i64) -> Timestamp {
        // Simulated days stay within a few days of a valid date.
        Timestamp::from_second(self.midnight + s).expect("simulated time in range")
    }

    /// Seconds after midnight of an instant.
    pub fn secs(&self, at: Timestamp) -> i64 {
        at.as_second() - self.midnight
    }
}

/// One visitor and everything about their visit, fixed before the day runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Visitor {
    /// Index in the day's list; the ticket id is `v{id}`.
    pub id: usize,
    /// Arrival at the hall (seconds after midnight).
    pub arrive: i64,
    /// Categories to visit in order (indices into `hall.categories`); the
    /// first is where the ticket is issued.
    pub stops: Vec<usize>,
    /// Service seconds at each stop, from start to completion.
    pub service_s: Vec<u32>,
    /// Green-channel group, if any.
    pub green: Option<GroupId>,
    /// Booked appointment slot (start, end), for appointment check-ins.
    pub appointment: Option<(i64, i64)>,
    /// Does not answer the first call.
    pub absent: bool,
    /// Recalls needed before answering the first call.
    pub late_recalls: u32,
    /// Seconds from a call to reaching the window.
    pub walk_s: u32,
    /// Seconds spent at the guide desk when sent there.
    pub desk_s: u32,
    /// For absent visitors who come back: seconds after the no-show.
    pub return_after_s: Option<u32>,
    /// Seconds after the next session opens at which a visitor sent away
    /// at lunch comes back.
    pub deferred_s: u32,
}

impl Visitor {
    /// The id of this visitor's ticket.
    pub fn ticket_id(&self) -> String {
        format!("v{}", self.id)
    }
}

/// Whether a kiosk at the scenario's site issues at `s`.
pub fn kiosk_opening(hall: &Hall, scenario: &Scenario, clock: &Clock, s: i64) -> Opening {
    hall.opening(scenario.site(hall), Channel::Kiosk, clock.at(s))
}

/// The relative arrival intensity per minute of the day (1440 entries).
pub fn intensity(hall: &Hall, scenario: &Scenario, clock: &Clock) -> Vec<f64> {
    let a = &scenario.arrivals;
    let (from, to) = (seconds_of(a.from), seconds_of(a.to));
    (0..1440)
        .map(|m| {
            let s = m * 60 + 30;
            if s < from || s >= to {
                return 0.0;
            }
            let factor = match kiosk_opening(hall, scenario, clock, s) {
                Opening::Open => 1.0,
                Opening::GuideDeskOnly => a.quiet,
                Opening::Closed { .. } => 0.0,
            };
            let mut v = a.base;
            for p in &a.peaks {
                let z = (s - seconds_of(p.at)) as f64 / (p.width_min * 60.0);
                v += a.base.max(1.0) * p.height * (-0.5 * z * z).exp();
            }
            v * factor
        })
        .collect()
}

/// Draws the day's visitors, sorted by arrival.
pub fn draw(hall: &Hall, scenario: &Scenario, clock: &Clock, seed: u64) -> Result<Vec<Visitor>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let weights = intensity(hall, scenario, clock);
    let total: f64 = weights.iter().sum();
    let mut cdf = Vec::with_capacity(weights.len());
    let mut acc = 0.0;
    for w in &weights {
        acc += w / total.max(f64::MIN_POSITIVE);
        cdf.push(acc);
    }
    let n = if scenario.visits > 0.0 && total > 0.0 {
        Poisson::new(scenario.visits)
            .context("visits")?
            .sample(&mut rng) as usize
    } else {
        0
    };
    let category_weights: f64 = scenario.categories.iter().map(|c| c.weight).sum();
    let services: Vec<LogNormal<f64>> = scenario
        .categories
        .iter()
        .map(|c| LogNormal::from_mean_cv(c.service_mean_min * 60.0, c.service_cv))
        .collect::<Result<_, _>>()
        .context("service time parameters")?;
    let index = |id| {
        hall.category_index(id)
            .expect("scenario categories are checked against the hall")
    };
    let b = &scenario.behaviour;
    let mut visitors = Vec::with_capacity(n);
    for _ in 0..n {
        // Every attribute is drawn for every visitor, in a fixed order, so a
        // change in one share does not reshuffle the others.
        let u: f64 = rng.random();
        let minute = cdf.partition_point(|&c| c < u).min(1439) as i64;
        let arrive = minute * 60 + rng.random_range(0..60);
        let pick = rng.random::<f64>() * category_weights;
        let mut first = scenario.categories.len() - 1;
        let mut acc = 0.0;
        for (i, c) in scenario.categories.iter().enumerate() {
            acc += c.weight;
            if pick < acc && c.weight > 0.0 {
                first = i;
                break;
            }
        }
        let multi = rng.random_bool(scenario.multi_stop_share);
        let next_pick: f64 = rng.random();
        let mut mix = vec![first];
        let next = &scenario.categories[first].next;
        if multi && !next.is_empty() {
            let k = ((next_pick * next.len() as f64) as usize).min(next.len() - 1);
            let j = scenario
                .categories
                .iter()
                .position(|c| c.id == next[k])
                .expect("next stops are scenario categories (checked)");
            mix.push(j);
        }
        let service_draws: [f64; 2] = [services[first].sample(&mut rng), {
            let j = *mix.last().unwrap_or(&first);
            services[j].sample(&mut rng)
        }];
        let service_s: Vec<u32> = (0..mix.len())
            .map(|k| service_draws[k].clamp(30.0, 4.0 * 3600.0) as u32)
            .collect();
        let green_roll = rng.random_bool(scenario.green_share);
        let group = rng.random_range(0..hall.green_groups.len().max(1));
        let green = (green_roll && !hall.green_groups.is_empty())
            .then(|| hall.green_groups[group].id.clone());
        let appointment_roll = rng.random_bool(scenario.appointment_share);
        let behaviour: f64 = rng.random();
        let absent = behaviour < scenario.no_show_share;
        let late = !absent && behaviour < scenario.no_show_share + scenario.late_share;
        let late_recalls = if late {
            rng.random_range(1..=2u32)
        } else {
            let _ = rng.random_range(1..=2u32);
            0
        };
        let walk_s = rng.random_range(b.walk_s[0]..=b.walk_s[1]);
        let desk_s = rng.random_range(b.desk_s[0]..=b.desk_s[1]);
        let returns = rng.random_bool(scenario.return_share);
        let return_after_s = rng.random_range(b.return_after_min[0]..=b.return_after_min[1]) * 60;
        let deferred_s = rng.random_range(0..=b.deferred_spread_min * 60);
        // An appointment is booked for the next half-hour slot that starts
        // while kiosks issue; the visitor checks in before it.
        let appointment = appointment_roll
            .then(|| {
                let start = (arrive / 1800 + 1) * 1800;
                matches!(kiosk_opening(hall, scenario, clock, start), Opening::Open)
                    .then_some((start, start + 1800))
            })
            .flatten();
        visitors.push(Visitor {
            id: 0,
            arrive,
            stops: mix
                .iter()
                .map(|&k| index(&scenario.categories[k].id))
                .collect(),
            service_s,
            green,
            appointment,
            absent,
            late_recalls,
            walk_s,
            desk_s,
            return_after_s: (absent && returns).then_some(return_after_s),
            deferred_s,
        });
    }
    visitors.sort_by_key(|v| v.arrive);
    for (i, v) in visitors.iter_mut().enumerate() {
        v.id = i;
    }
    Ok(visitors)
}

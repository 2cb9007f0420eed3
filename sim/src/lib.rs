//! Day-in-the-hall simulator and dispatch-quality benchmark for
//! `lobby-core`.
//!
//! A discrete-event simulation of one working day drives the real
//! [`lobby_core::Lobby`] with the same visitors under several dispatch
//! policies, ours and peers', and reports their waits side by side with
//! Erlang C references. Everything follows from the scenario and the seed:
//! the same seed gives the same report.
//!
//! # Layout
//!
//! - [`scenario`]: the day's description (arrivals, categories, service
//!   times, behaviour, staffing), read from TOML in `assets/scenarios/`.
//! - [`visitors`]: the simulated clock, and the visitors drawn once from
//!   the scenario and the seed, shared by every policy.
//! - [`policy`]: ours and the peers' published rules, each choosing which
//!   ticket a free window calls.
//! - [`engine`]: the event loop that runs one policy through the day.
//! - [`erlang`]: Erlang C, for the pooled and partitioned references.
//! - [`report`]: figures per policy, the table and the JSON.
//! - [`plot`]: PNG charts of the waits (plotters).
//! - [`mod@replay`]: a recorded day read from lobby-server's event log, to run
//!   again under every policy beside what was recorded.
//!
//! The `lobby-sim` binary (`src/main.rs`) parses arguments and calls
//! [`simulate`] or [`replay()`].

pub mod engine;
pub mod erlang;
pub mod plot;
pub mod policy;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod visitors;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use lobby_core::Hall;
use lobby_core::config::{self, SourceFile};

use crate::engine::{DayOutcome, issuing_sessions};
use crate::report::Report;
use crate::scenario::{Scenario, seconds_of, window_numbers};
use crate::visitors::{Clock, Visitor};

/// The default hall (`assets/hall.toml` with its matter catalogue), as
/// built into the binary ([`lobby_core::builtin`]).
pub fn default_hall() -> Result<Arc<Hall>> {
    let hall = lobby_core::builtin::hall()
        .map_err(|e| anyhow!("{e}"))
        .context("the built-in hall")?;
    Ok(Arc::new(hall))
}

/// A hall from a file; its includes are read relative to it.
pub fn load_hall(path: &Path) -> Result<Arc<Hall>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let main = SourceFile {
        name: path.display().to_string(),
        text,
    };
    let hall = config::load(main, |name| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())
    })
    .map_err(|e| anyhow!("{e}"))?;
    Ok(Arc::new(hall))
}

/// A finished simulation: the report and the raw days behind it.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The figures that are printed (table or JSON).
    pub report: Report,
    /// Each policy's day, in report order.
    pub days: Vec<DayOutcome>,
    /// The visitors every policy saw.
    pub visitors: Vec<Visitor>,
}

/// Runs the scenario's day under each named policy (see
/// [`policy::NAMES`]) with the visitors drawn from `seed`.
pub fn simulate(
    hall: &Arc<Hall>,
    scenario: &Scenario,
    seed: u64,
    policies: &[&str],
) -> Result<Simulation> {
    scenario.check(hall)?;
    let clock = Clock::new(hall, scenario)?;
    let visitors = visitors::draw(hall, scenario, &clock, seed)?;
    run_days(hall, scenario, seed, visitors, policies, None)
}

/// Runs a recorded day's visitors under each named policy, and reports
/// them beside the day as recorded (the last entry, `recorded`).
pub fn replay(
    hall: &Arc<Hall>,
    recorded: replay::Recorded,
    policies: &[&str],
) -> Result<Simulation> {
    recorded.scenario.check(hall)?;
    let replay::Recorded {
        scenario,
        visitors,
        outcome,
        notes,
        ..
    } = recorded;
    let mut sim = run_days(hall, &scenario, 0, visitors, policies, Some(outcome))?;
    sim.report.replay = Some(notes);
    Ok(sim)
}

fn run_days(
    hall: &Arc<Hall>,
    scenario: &Scenario,
    seed: u64,
    visitors: Vec<Visitor>,
    policies: &[&str],
    recorded: Option<DayOutcome>,
) -> Result<Simulation> {
    let clock = Clock::new(hall, scenario)?;
    let mut days = Vec::new();
    for name in policies {
        let Some(mut policy) = policy::by_name(name) else {
            bail!("no policy `{name}`; known: {}", policy::NAMES.join(", "));
        };
        let day = engine::run(hall, scenario, clock, &visitors, policy.as_mut(), false)
            .with_context(|| format!("policy {name}"))?;
        days.push(day);
    }
    days.extend(recorded);
    let categories: Vec<usize> = hall
        .categories
        .iter()
        .enumerate()
        .filter(|(_, c)| scenario.categories.iter().any(|m| m.id == c.id))
        .map(|(i, _)| i)
        .collect();
    let opens_s = scenario
        .staffing
        .iter()
        .map(|s| scenario::seconds_of(s.from))
        .min()
        .unwrap_or(0);
    let issued = days.first().map(|d| d.issued.clone()).unwrap_or_default();
    let load = Load::of(hall, scenario, &clock, &visitors, &issued)?;
    let mut report = Report {
        scenario: scenario.name.clone(),
        date: scenario.date.to_string(),
        seed,
        replay: None,
        visitors: visitors.len() as u32,
        demands: load.demands,
        staffed_windows: load.staffed_windows,
        offered_utilisation: (load.utilisation * 1000.0).round() / 1000.0,
        erlang_c_pooled_mean_wait_s: load.pooled_wait_s.map(|w| (w * 10.0).round() / 10.0),
        erlang_c_partitioned_mean_wait_s: load
            .partitioned_wait_s
            .map(|w| (w * 10.0).round() / 10.0),
        load: load.categories,
        policies: days
            .iter()
            .map(|d| report::summarise(hall, &categories, opens_s, d))
            .collect(),
    };
    report::fill_tails(&mut report, &days, &visitors, opens_s);
    Ok(Simulation {
        report,
        days,
        visitors,
    })
}

/// The day's offered load and the Erlang C references.
///
/// The load is counted per service demand (each stop of each issued visit,
/// plus the second call of re-activated no-shows) with the time it holds a
/// window: the walk, recalls, and the service; an absent visitor holds it
/// for the recalls and the core's no-show delay. For Erlang C the day's
/// demands are spread evenly over the sessions in which kiosks issue, and
/// the servers are the windows staffed on average during those sessions
/// (rounded): a steady-state reference at the day-average load, so the
/// morning peak can make any real policy wait longer than it.
#[derive(Debug, Clone)]
pub struct Load {
    /// Service demands.
    pub demands: u32,
    /// Windows staffed at some point.
    pub staffed_windows: usize,
    /// Offered work over staffed window time, all day.
    pub utilisation: f64,
    /// Erlang C mean wait, all staffed windows pooled.
    pub pooled_wait_s: Option<f64>,
    /// Erlang C mean wait, each category on its own primary windows.
    pub partitioned_wait_s: Option<f64>,
    /// Per category with demands, in the hall's order.
    pub categories: Vec<report::CategoryLoad>,
}

impl Load {
    /// Computes the load of the visitors who got a ticket.
    pub fn of(
        hall: &Hall,
        scenario: &Scenario,
        clock: &Clock,
        visitors: &[Visitor],
        issued: &[bool],
    ) -> Result<Load> {
        let b = &scenario.behaviour;
        let no_show_s = f64::from(hall.policy.max_recalls) * f64::from(b.recall_every_s)
            + f64::from(hall.policy.no_show_after_s)
            + f64::from(b.tick_s) / 2.0;
        let n = hall.categories.len();
        let mut count = vec![0.0f64; n];
        let mut work = vec![0.0f64; n];
        for v in visitors.iter().filter(|v| issued.get(v.id) == Some(&true)) {
            for (k, &c) in v.stops.iter().enumerate() {
                let walk = f64::from(v.walk_s);
                let served = walk + f64::from(v.service_s[k]);
                if k == 0 && v.absent {
                    count[c] += 1.0;
                    work[c] += no_show_s;
                    if v.return_after_s.is_none() {
                        // The visit ends here.
                        break;
                    }
                }
                let late = if k == 0 {
                    f64::from(v.late_recalls.min(hall.policy.max_recalls))
                        * f64::from(b.recall_every_s)
                } else {
                    0.0
                };
                count[c] += 1.0;
                work[c] += served + late;
            }
        }
        // Staffed window time, all day and within the issuing sessions.
        let sessions = issuing_sessions(hall, scenario, clock);
        let session_s: f64 = sessions.iter().map(|(a, b)| (b - a) as f64).sum();
        let mut windows: std::collections::BTreeMap<lobby_core::WindowNo, Vec<(i64, i64)>> =
            Default::default();
        for s in &scenario.staffing {
            for w in window_numbers(&s.windows)? {
                windows
                    .entry(w)
                    .or_default()
                    .push((seconds_of(s.from), seconds_of(s.to)));
            }
        }
        let mut staffed_all = 0.0;
        let mut staffed_in = 0.0;
        let mut own = vec![0.0f64; n];
        for (number, spans) in &windows {
            let merged = merge(spans);
            let all: i64 = merged.iter().map(|(a, b)| b - a).sum();
            let inside: i64 = merged
                .iter()
                .map(|&(a, b)| {
                    sessions
                        .iter()
                        .map(|&(s, e)| (b.min(e) - a.max(s)).max(0))
                        .sum::<i64>()
                })
                .sum();
            staffed_all += all as f64;
            staffed_in += inside as f64;
            let window = hall
                .window(*number)
                .ok_or_else(|| anyhow!("no window {number}"))?;
            for c in window.primary() {
                if let Some(ci) = hall.category_index(c) {
                    own[ci] += inside as f64 / window.primary as f64;
                }
            }
        }
        let total_work: f64 = work.iter().sum();
        let demands: f64 = count.iter().sum();
        let mut categories = Vec::new();
        let (pooled, partitioned) = if session_s > 0.0 && demands > 0.0 {
            let lambda = demands / session_s;
            let service = total_work / demands;
            let c = (staffed_in / session_s).round() as u32;
            let pooled = erlang::mean_wait_s(c, lambda, service);
            let mut sum = 0.0;
            let mut stable = true;
            for ci in 0..n {
                if count[ci] == 0.0 {
                    continue;
                }
                let l = count[ci] / session_s;
                let s = work[ci] / count[ci];
                let c = (own[ci] / session_s).round() as u32;
                let w = erlang::mean_wait_s(c, l, s);
                categories.push(report::CategoryLoad {
                    id: hall.categories[ci].id.to_string(),
                    demands: count[ci] as u32,
                    mean_occupation_s: (s * 10.0).round() / 10.0,
                    own_windows: c,
                    own_utilisation: if c > 0 {
                        (l * s / f64::from(c) * 1000.0).round() / 1000.0
                    } else {
                        f64::INFINITY
                    },
                    erlang_c_own_mean_wait_s: w.map(|w| (w * 10.0).round() / 10.0),
                });
                match w {
                    Some(w) => sum += w * count[ci],
                    None => stable = false,
                }
            }
            (pooled, stable.then(|| sum / demands))
        } else {
            (None, None)
        };
        Ok(Load {
            demands: demands as u32,
            staffed_windows: windows.len(),
            utilisation: if staffed_all > 0.0 {
                total_work / staffed_all
            } else {
                0.0
            },
            pooled_wait_s: pooled,
            partitioned_wait_s: partitioned,
            categories,
        })
    }
}

fn merge(spans: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut spans = spans.to_vec();
    spans.sort();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

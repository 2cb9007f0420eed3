//! `lobby-sim`: simulate a working day in the hall under our dispatcher and
//! the peers' rules, and report the waits.
//!
//! ```text
//! lobby-sim --scenario busy --seed 1            # table
//! lobby-sim --scenario busy --json              # JSON
//! lobby-sim --scenario ordinary --plot charts/  # PNG charts too
//! lobby-sim --replay lobby.sqlite --date 2026-11-25   # a recorded day
//! lobby-sim --replay lobby.sqlite --date 2026-11-23 --to 2026-11-27
//! ```

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;

/// Simulate a working day in the hall and compare dispatch policies.
#[derive(Debug, Parser)]
#[command(name = "lobby-sim", version)]
struct Args {
    /// Scenario: a shipped name (ordinary, busy) or a TOML file.
    #[arg(long, default_value = "ordinary")]
    scenario: String,
    /// Seed of the visitors drawn for the day.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Simulate this many days (seeds from --seed on) and print averages.
    #[arg(long, default_value_t = 1, value_name = "N")]
    seeds: u64,
    /// Hall configuration (default: the built-in assets/hall.toml).
    #[arg(long)]
    hall: Option<PathBuf>,
    /// Policies to compare, comma-separated (default: all, ours first).
    #[arg(long, value_delimiter = ',')]
    policies: Vec<String>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Write PNG charts into this directory.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
    /// Font file for the charts (default: the first system font found).
    #[arg(long, value_name = "FILE")]
    font: Option<PathBuf>,
    /// Replay a day recorded by lobby-server (its SQLite file) instead of
    /// drawing visitors from a scenario; the day as recorded is reported
    /// beside the policies.
    #[arg(long, value_name = "DB", conflicts_with_all = ["scenario", "seed", "seeds"])]
    replay: Option<PathBuf>,
    /// The recorded day to replay (default: the day of the last ticket).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "replay")]
    date: Option<lobby_core::jiff::civil::Date>,
    /// Replay every recorded day from --date to this one and print
    /// averages.
    #[arg(
        long,
        value_name = "YYYY-MM-DD",
        requires = "date",
        conflicts_with = "plot"
    )]
    to: Option<lobby_core::jiff::civil::Date>,
    /// The site whose day is replayed [default: the hall's first site].
    #[arg(long, requires = "replay")]
    site: Option<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    // The run is timed for the operator only; no result depends on it.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let hall = match &args.hall {
        Some(path) => lobby_sim::load_hall(path)?,
        None => lobby_sim::default_hall()?,
    };
    let policies: Vec<&str> = if args.policies.is_empty() {
        lobby_sim::policy::NAMES.to_vec()
    } else {
        args.policies.iter().map(String::as_str).collect()
    };
    if let Some(db) = &args.replay {
        let site = match &args.site {
            Some(id) => lobby_core::SiteId::from(id.as_str()),
            None => hall.main_site().id.clone(),
        };
        if let (Some(from), Some(to)) = (args.date, args.to) {
            let mut reports = Vec::new();
            for date in lobby_sim::replay::days(&hall, db, &site, from, to)? {
                // A day the hall as configured now cannot replay (its only
                // categories gone, no longer a working day) is skipped,
                // and said so.
                match lobby_sim::replay::load(&hall, db, date, &site)
                    .and_then(|recorded| lobby_sim::replay(&hall, recorded, &policies))
                {
                    Ok(sim) => reports.push(sim.report),
                    Err(e) => eprintln!("skipped {date}: {e:#}"),
                }
            }
            if reports.is_empty() {
                anyhow::bail!(
                    "{}: no ticket was issued at `{site}` from {from} to {to}",
                    db.display()
                );
            }
            return print_days(&args, &reports, policies.len(), started);
        }
        let date = match args.date {
            Some(d) => d,
            None => lobby_sim::replay::last_day(&hall, db, &site)?,
        };
        let recorded = lobby_sim::replay::load(&hall, db, date, &site)?;
        let sim = lobby_sim::replay(&hall, recorded, &policies)?;
        return finish(&args, &hall, &sim, policies.len(), started);
    }
    let scenario = lobby_sim::scenario::Scenario::load(&args.scenario)?;
    if args.seeds > 1 {
        let mut reports = Vec::new();
        for seed in args.seed..args.seed + args.seeds {
            reports.push(lobby_sim::simulate(&hall, &scenario, seed, &policies)?.report);
        }
        return print_days(&args, &reports, policies.len(), started);
    }
    let sim = lobby_sim::simulate(&hall, &scenario, args.seed, &policies)?;
    finish(&args, &hall, &sim, policies.len(), started)
}

/// Prints several days' reports: their averages, or all of them as JSON.
fn print_days(
    args: &Args,
    reports: &[lobby_sim::report::Report],
    policies: usize,
    started: std::time::Instant,
) -> Result<()> {
    if args.json {
        println!("{}", serde_json::to_string_pretty(reports)?);
    } else {
        print!("{}", lobby_sim::report::seeds_table(reports));
    }
    eprintln!(
        "simulated {} days of {policies} policies in {:.2} s",
        reports.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Prints one day's report and writes its charts.
fn finish(
    args: &Args,
    hall: &lobby_core::Hall,
    sim: &lobby_sim::Simulation,
    policies: usize,
    started: std::time::Instant,
) -> Result<()> {
    if args.json {
        println!("{}", serde_json::to_string_pretty(&sim.report)?);
    } else {
        print!("{}", lobby_sim::report::table(&sim.report));
    }
    if let Some(dir) = &args.plot {
        lobby_sim::plot::register_font(args.font.as_deref())?;
        for file in lobby_sim::plot::charts(hall, sim, dir)? {
            eprintln!("wrote {}", file.display());
        }
    }
    eprintln!(
        "simulated {policies} policies in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

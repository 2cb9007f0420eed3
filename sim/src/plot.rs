//! PNG charts of a simulation (plotters, bitmap backend).
//!
//! Text is drawn with a font file read at run time through plotters'
//! `ab_glyph` support, so no fontconfig or freetype is needed: the first
//! of [`FONT_CANDIDATES`] that exists, or the file given with `--font`.
//! Category names are drawn in Chinese when the font has the glyphs.
//!
//! Charts, each file prefixed with the scenario name:
//! - `-waits.png`: the distribution of waits per policy (cumulative share
//!   of waits up to x minutes);
//! - `-categories.png`: mean wait per category and policy;
//! - `-queue.png`: tickets waiting through the day per policy;
//! - `-estimate.png`: ours, the estimate printed at issue against the
//!   actual wait.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, anyhow, bail};
use lobby_core::Hall;
use plotters::prelude::*;

use crate::Simulation;

/// Font files tried in order when none is given.
pub const FONT_CANDIDATES: [&str; 4] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",
];

/// Whether the registered font draws Chinese.
static CJK: OnceLock<bool> = OnceLock::new();

/// Registers the font for all charts (once per process).
pub fn register_font(file: Option<&Path>) -> Result<()> {
    if CJK.get().is_some() {
        return Ok(());
    }
    let path: PathBuf = match file {
        Some(f) => f.to_path_buf(),
        None => FONT_CANDIDATES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or_else(|| {
                anyhow!(
                    "no font for the charts: install fonts-wqy-microhei or pass --font FILE (tried {})",
                    FONT_CANDIDATES.join(", ")
                )
            })?,
    };
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    // plotters keeps registered fonts for the life of the process.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let font = ab_glyph::FontRef::try_from_slice(bytes)
        .map_err(|_| anyhow!("{} is not a font plotters can read", path.display()))?;
    let cjk = ab_glyph::Font::glyph_id(&font, '登').0 != 0;
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| anyhow!("{} is not a font plotters can read", path.display()))?;
    let _ = CJK.set(cjk);
    Ok(())
}

fn colour(i: usize) -> RGBColor {
    // Six policies and, in a replay, the recorded day (teal).
    const C: [RGBColor; 7] = [
        RGBColor(200, 30, 30),
        RGBColor(60, 60, 60),
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(255, 127, 14),
        RGBColor(23, 190, 207),
    ];
    C[i % C.len()]
}

/// The day a chart shows: "busy day", or "2026-11-25 as recorded".
fn day_name(r: &crate::report::Report) -> String {
    match r.replay {
        Some(_) => format!("{} as recorded", r.date),
        None => format!("{} day", r.scenario),
    }
}

fn err(e: impl std::fmt::Debug) -> anyhow::Error {
    anyhow!("drawing a chart: {e:?}")
}

/// Writes every chart into `dir`; returns the files written.
pub fn charts(hall: &Hall, sim: &Simulation, dir: &Path) -> Result<Vec<PathBuf>> {
    register_font(None)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = &sim.report.scenario;
    let files = [
        dir.join(format!("{name}-waits.png")),
        dir.join(format!("{name}-categories.png")),
        dir.join(format!("{name}-queue.png")),
        dir.join(format!("{name}-estimate.png")),
    ];
    waits(sim, &files[0])?;
    categories(hall, sim, &files[1])?;
    queue(sim, &files[2])?;
    estimate(sim, &files[3])?;
    Ok(files.to_vec())
}

fn waits(sim: &Simulation, path: &Path) -> Result<()> {
    let root = BitMapBackend::new(path, (1000, 620)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    // Show up to the largest p99 so one outlier does not squash the curves.
    let mut p99: f64 = 1.0;
    let mut curves = Vec::new();
    for day in &sim.days {
        let mut w: Vec<f64> = day
            .waits
            .iter()
            .map(|s| f64::from(s.wait_s) / 60.0)
            .collect();
        w.sort_by(f64::total_cmp);
        if let Some(&x) = w.get(((w.len() as f64 * 0.99) as usize).min(w.len().saturating_sub(1))) {
            p99 = p99.max(x);
        }
        curves.push((day.policy, w));
    }
    let xmax = (p99 * 1.05).ceil();
    let r = &sim.report;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Waits, {} ({} visitors, utilisation {:.0}%): share of waits up to x minutes",
                day_name(r),
                r.visitors,
                r.offered_utilisation * 100.0
            ),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..xmax, 0f64..1.0f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("wait (minutes)")
        .y_desc("share of waits")
        .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    for (i, (policy, w)) in curves.iter().enumerate() {
        let n = w.len().max(1) as f64;
        let mut points = vec![(0.0, 0.0)];
        for (k, &x) in w.iter().enumerate() {
            if x > xmax {
                break;
            }
            points.push((x, k as f64 / n));
            points.push((x, (k + 1) as f64 / n));
        }
        if let Some(&(_, y)) = points.last() {
            points.push((xmax, y));
        }
        let c = colour(i);
        let width = if i == 0 { 3 } else { 2 };
        chart
            .draw_series(LineSeries::new(points, c.stroke_width(width)))
            .map_err(err)?
            .label(*policy)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

fn categories(hall: &Hall, sim: &Simulation, path: &Path) -> Result<()> {
    let Some(first) = sim.report.policies.first() else {
        bail!("no policy to chart");
    };
    let cjk = CJK.get().copied().unwrap_or(false);
    let labels: Vec<String> = first
        .categories
        .iter()
        .map(|c| {
            if cjk {
                c.name.clone()
            } else {
                hall.category(&c.id.as_str().into())
                    .map_or(c.id.clone(), |k| k.id.to_string())
            }
        })
        .collect();
    let n = labels.len();
    let ymax = sim
        .report
        .policies
        .iter()
        .flat_map(|p| p.categories.iter().map(|c| c.mean_wait_s / 60.0))
        .fold(1.0, f64::max)
        * 1.15;
    let root = BitMapBackend::new(path, (1200, 620)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Mean wait per category, {}", day_name(&sim.report)),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..ymax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        })
        .y_desc("mean wait (minutes)")
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    let policies = sim.report.policies.len();
    let width = 0.8 / policies as f64;
    for (j, p) in sim.report.policies.iter().enumerate() {
        let c = colour(j);
        chart
            .draw_series(p.categories.iter().enumerate().map(|(i, cat)| {
                let x0 = i as f64 - 0.4 + j as f64 * width;
                Rectangle::new(
                    [(x0, 0.0), (x0 + width * 0.9, cat.mean_wait_s / 60.0)],
                    c.filled(),
                )
            }))
            .map_err(err)?
            .label(p.name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], c.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

fn hhmm(s: f64) -> String {
    let m = (s / 60.0).round() as i64;
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn queue(sim: &Simulation, path: &Path) -> Result<()> {
    let from = sim
        .days
        .iter()
        .filter_map(|d| d.queue.first().map(|q| q.0))
        .min()
        .unwrap_or(8 * 3600) as f64;
    let to = sim
        .days
        .iter()
        .filter_map(|d| d.queue.last().map(|q| q.0))
        .max()
        .unwrap_or(19 * 3600) as f64;
    let ymax = sim
        .days
        .iter()
        .flat_map(|d| d.queue.iter().map(|q| f64::from(q.1)))
        .fold(1.0, f64::max)
        * 1.1;
    let root = BitMapBackend::new(path, (1000, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Tickets waiting through the {}", day_name(&sim.report)),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(from..to.max(from + 1.0), 0f64..ymax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(12)
        .x_label_formatter(&|s| hhmm(*s))
        .x_desc("local time")
        .y_desc("tickets waiting")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    for (i, d) in sim.days.iter().enumerate() {
        let c = colour(i);
        chart
            .draw_series(LineSeries::new(
                d.queue.iter().map(|&(t, n)| (t as f64, f64::from(n))),
                c.stroke_width(if i == 0 { 3 } else { 1 }),
            ))
            .map_err(err)?
            .label(d.policy)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

fn estimate(sim: &Simulation, path: &Path) -> Result<()> {
    let Some(ours) = sim
        .days
        .iter()
        .find(|d| d.policy == "lobby")
        .or(sim.days.first())
    else {
        bail!("no policy to chart");
    };
    let points: Vec<(f64, f64)> = ours
        .estimates
        .iter()
        .map(|e| (f64::from(e.actual_s) / 60.0, f64::from(e.estimate_s) / 60.0))
        .collect();
    let max = points
        .iter()
        .map(|&(a, e)| a.max(e))
        .fold(1.0, f64::max)
        .ceil();
    let error = sim
        .report
        .policies
        .iter()
        .find(|p| p.name == ours.policy)
        .and_then(|p| p.estimate_median_error);
    let root = BitMapBackend::new(path, (760, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Estimate at issue vs actual wait ({}, {}; median error {})",
                ours.policy,
                day_name(&sim.report),
                error.map_or("—".into(), |e| format!("{:.0}%", e * 100.0))
            ),
            ("sans-serif", 18),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..max, 0f64..max)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("actual wait (minutes)")
        .y_desc("estimate printed on the ticket (minutes)")
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            [(0.0, 0.0), (max, max)],
            BLACK.mix(0.5).stroke_width(1),
        ))
        .map_err(err)?;
    let c = colour(0);
    chart
        .draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, 2, c.mix(0.5).filled())),
        )
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

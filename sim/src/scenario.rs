//! Scenarios: who comes to the hall on the simulated day, for what, how
//! long they take, how they behave when called, and which windows are
//! staffed. Read from TOML (`assets/scenarios/*.toml`) and checked against
//! the hall.

use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use lobby_core::jiff::civil::{Date, Time};
use lobby_core::{CategoryId, Hall, SiteId, WindowNo};
use serde::Deserialize;

/// The scenarios shipped in `assets/scenarios/`, by name.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "ordinary",
        include_str!("../../assets/scenarios/ordinary.toml"),
    ),
    ("busy", include_str!("../../assets/scenarios/busy.toml")),
];

/// One simulated day.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, used in reports and chart file names.
    pub name: String,
    /// What the day represents.
    #[serde(default)]
    pub description: String,
    /// The business day simulated; must be a working day of the hall.
    pub date: Date,
    /// Site whose categories and windows are simulated; the hall's first
    /// (main) site when absent ([`Scenario::site`]).
    #[serde(default)]
    pub site: Option<SiteId>,
    /// Expected number of visitors (the day's count is Poisson with this
    /// mean).
    pub visits: f64,
    /// Share of visitors on the green channel (老、弱、病、残、军).
    #[serde(default)]
    pub green_share: f64,
    /// Share of visitors with an online appointment (双轨) who check in at
    /// the kiosk shortly before their slot.
    #[serde(default)]
    pub appointment_share: f64,
    /// Share of visitors to a category with `next` stops whose visit goes
    /// on to one of them (一站式).
    #[serde(default)]
    pub multi_stop_share: f64,
    /// Share of visitors who do not answer their first call (过号).
    #[serde(default)]
    pub no_show_share: f64,
    /// Share of visitors who answer only after a recall.
    #[serde(default)]
    pub late_share: f64,
    /// Share of no-shows who come back later and have their ticket
    /// re-activated at the guide desk.
    #[serde(default)]
    pub return_share: f64,
    /// Timings of visitors and staff.
    #[serde(default)]
    pub behaviour: Behaviour,
    /// The arrival profile over the day.
    pub arrivals: Arrivals,
    /// The categories visitors come for.
    pub categories: Vec<CategoryMix>,
    /// Which windows are staffed when.
    pub staffing: Vec<Shift>,
    /// Breaks (暂停): windows that stop calling from `from` to `to`,
    /// finishing the visitor in hand first. A replayed day has the pauses
    /// its staff took.
    #[serde(default)]
    pub pauses: Vec<Shift>,
}

/// Timings of visitors and staff, in seconds unless named otherwise.
/// Pairs are uniform ranges `[low, high]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    /// Time a called visitor takes to reach the window.
    pub walk_s: [u32; 2],
    /// Time at the guide desk when the kiosk refuses (lunch, last minutes).
    pub desk_s: [u32; 2],
    /// Time between recalls while a called visitor does not come.
    pub recall_every_s: u32,
    /// Minutes after a no-show at which a returning visitor is back.
    pub return_after_min: [u32; 2],
    /// Minutes after the next session opens within which visitors sent
    /// away at lunch come back.
    pub deferred_spread_min: u32,
    /// Time between finishing one visitor and calling the next.
    pub wrap_up_s: u32,
    /// Extended service (延时服务): minutes a window whose shift ends with
    /// a session stays on to serve tickets still waiting for it.
    pub overtime_max_min: u32,
    /// Interval of `Command::Tick`, as the server sends it.
    pub tick_s: u32,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            walk_s: [15, 60],
            desk_s: [60, 180],
            recall_every_s: 60,
            return_after_min: [10, 40],
            deferred_spread_min: 20,
            wrap_up_s: 10,
            overtime_max_min: 45,
            tick_s: 30,
        }
    }
}

/// The arrival intensity: `base` plus Gaussian peaks, between `from` and
/// `to`, multiplied by 1 while kiosks issue, by `quiet` while only the guide
/// desk issues (lunch, the last minutes of the afternoon) and by 0 while the
/// hall is closed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrivals {
    /// First arrival (local time).
    pub from: Time,
    /// Last arrival (local time).
    pub to: Time,
    /// Intensity outside the peaks.
    pub base: f64,
    /// Factor while only the guide desk issues.
    pub quiet: f64,
    /// The morning peak, the afternoon bump.
    #[serde(default)]
    pub peaks: Vec<Peak>,
}

/// A Gaussian bump in the arrival intensity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peak {
    /// Its centre (local time).
    pub at: Time,
    /// Its standard deviation in minutes.
    pub width_min: f64,
    /// Its height, relative to `base`.
    pub height: f64,
}

/// One category's share of the visitors and its service time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryMix {
    /// The category.
    pub id: CategoryId,
    /// Relative share of first stops.
    pub weight: f64,
    /// Mean service time (start to completion) in minutes.
    pub service_mean_min: f64,
    /// Coefficient of variation of the lognormal service time.
    pub service_cv: f64,
    /// Categories a multi-stop visit may go on to after this one.
    #[serde(default)]
    pub next: Vec<CategoryId>,
}

/// Windows staffed (or paused) over a stretch of the day.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// Window numbers: `"1-6, 64"`.
    pub windows: String,
    /// Sign-in (local time).
    pub from: Time,
    /// Sign-off (local time). A shift ending when a session ends stays on
    /// while tickets wait for it, up to `behaviour.overtime_max_min`
    /// (延时服务), and at the end of the day at most until the core expires
    /// what still waits.
    pub to: Time,
}

impl Scenario {
    /// A shipped scenario by name, or a TOML file by path.
    pub fn load(name_or_file: &str) -> Result<Scenario> {
        if let Some((_, text)) = SHIPPED.iter().find(|(n, _)| *n == name_or_file) {
            return Scenario::parse(text).with_context(|| format!("scenario `{name_or_file}`"));
        }
        let path = Path::new(name_or_file);
        if !path.exists() {
            let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
            bail!(
                "no scenario `{name_or_file}`: give a file or one of {}",
                names.join(", ")
            );
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Scenario::parse(&text).with_context(|| format!("scenario {}", path.display()))
    }

    /// Parses a scenario from TOML text.
    pub fn parse(text: &str) -> Result<Scenario> {
        let s: Scenario = toml::from_str(text)?;
        s.check_numbers()?;
        Ok(s)
    }

    fn check_numbers(&self) -> Result<()> {
        ensure!(
            self.visits.is_finite() && self.visits >= 0.0,
            "visits must be ≥ 0"
        );
        for (name, p) in [
            ("green_share", self.green_share),
            ("appointment_share", self.appointment_share),
            ("multi_stop_share", self.multi_stop_share),
            ("no_show_share", self.no_show_share),
            ("late_share", self.late_share),
            ("return_share", self.return_share),
        ] {
            ensure!((0.0..=1.0).contains(&p), "{name} must be within 0..1");
        }
        ensure!(
            self.no_show_share + self.late_share <= 1.0,
            "no_show_share + late_share must be at most 1"
        );
        let b = &self.behaviour;
        for (name, [lo, hi]) in [
            ("walk_s", b.walk_s),
            ("desk_s", b.desk_s),
            ("return_after_min", b.return_after_min),
        ] {
            ensure!(lo <= hi, "behaviour.{name}: low above high");
        }
        ensure!(b.tick_s > 0, "behaviour.tick_s must be > 0");
        ensure!(b.recall_every_s > 0, "behaviour.recall_every_s must be > 0");
        ensure!(self.arrivals.from < self.arrivals.to, "arrivals: from ≥ to");
        ensure!(
            self.arrivals.base >= 0.0 && self.arrivals.quiet >= 0.0,
            "arrivals: negative intensity"
        );
        for p in &self.arrivals.peaks {
            ensure!(
                p.width_min > 0.0 && p.height >= 0.0,
                "arrivals.peaks: width must be > 0, height ≥ 0"
            );
        }
        ensure!(!self.categories.is_empty(), "no categories");
        for c in &self.categories {
            ensure!(c.weight >= 0.0, "categories `{}`: negative weight", c.id);
            ensure!(
                c.service_mean_min > 0.0 && c.service_cv > 0.0,
                "categories `{}`: service mean and cv must be > 0",
                c.id
            );
        }
        ensure!(
            self.categories.iter().any(|c| c.weight > 0.0),
            "every category weight is 0"
        );
        for (what, s) in self.shifts() {
            ensure!(s.from < s.to, "{what} `{}`: from ≥ to", s.windows);
        }
        Ok(())
    }

    /// The site simulated in `hall`: the one the scenario names, else the
    /// hall's first (main) site.
    pub fn site<'a>(&'a self, hall: &'a Hall) -> &'a SiteId {
        self.site.as_ref().unwrap_or(&hall.main_site().id)
    }

    /// Checks the scenario against a hall: categories and windows exist at
    /// the scenario's site, and the date is a working day there.
    pub fn check(&self, hall: &Hall) -> Result<()> {
        let site = self.site(hall);
        if hall.site(site).is_none() {
            let known: Vec<String> = hall.sites.iter().map(|s| s.id.to_string()).collect();
            bail!("no site `{site}` in the hall (it has {})", known.join(", "));
        }
        ensure!(
            hall.is_working_day(site, self.date),
            "{} is not a working day at `{site}`",
            self.date,
        );
        for c in &self.categories {
            let Some(cat) = hall.category(&c.id) else {
                bail!("category `{}` is not in the hall", c.id);
            };
            ensure!(
                &cat.site == site,
                "category `{}` belongs to site `{}`",
                c.id,
                cat.site
            );
            for n in &c.next {
                ensure!(
                    self.categories.iter().any(|m| &m.id == n),
                    "category `{}`: next stop `{n}` is not a scenario category",
                    c.id
                );
                ensure!(n != &c.id, "category `{}` lists itself as next", c.id);
            }
        }
        for (what, s) in self.shifts() {
            for w in window_numbers(&s.windows)? {
                let Some(win) = hall.window(w) else {
                    bail!("{what}: no window {w} in the hall");
                };
                ensure!(
                    &win.site == site,
                    "{what}: window {w} is at site `{}`",
                    win.site
                );
            }
        }
        Ok(())
    }

    /// The staffing and the pauses, each named as in the file.
    fn shifts(&self) -> impl Iterator<Item = (&'static str, &Shift)> {
        let staffing = self.staffing.iter().map(|s| ("staffing", s));
        staffing.chain(self.pauses.iter().map(|s| ("pauses", s)))
    }
}

/// Parses `"1-6, 64, 66-67"` into window numbers.
pub fn window_numbers(spec: &str) -> Result<Vec<WindowNo>> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let a: u32 = a
            .parse()
            .with_context(|| format!("window range `{part}`"))?;
        let b: u32 = b
            .parse()
            .with_context(|| format!("window range `{part}`"))?;
        ensure!(a <= b, "window range `{part}` runs backwards");
        out.extend((a..=b).map(WindowNo));
    }
    Ok(out)
}

/// Seconds since midnight of a local time.
pub fn seconds_of(t: Time) -> i64 {
    i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
}

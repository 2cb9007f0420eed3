//! Realistic samples from any hall, for `lobby-print --sample`, the
//! snapshots and the benchmarks.
//!
//! The sample ticket is issued by the real core ([`lobby_core::Lobby`]) at
//! a fixed time, behind seven other visitors, so its wait estimate is the
//! core's own. What it is for — site, category, matter, open windows — is
//! chosen from the hall ([`Sample::pick`]), by default its busiest
//! category and that category's longest matter: in the default hall
//! 不动产登记 and BDC-001, with windows 7 and 8 open. Finding and loading
//! the hall reads files: this module is not part of the pure rendering
//! path.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lobby_core::api::{HallView, TicketView};
use lobby_core::hall::{Category, Matter, Opening};
use lobby_core::jiff::{Timestamp, ToSpan};
use lobby_core::{
    CategoryId, Channel, Command, Hall, Issue, Lang, Lobby, MatterId, SiteId, SourceFile, WindowNo,
};

use crate::render::{SlipPrint, TicketPrint};

/// Where a hall is looked for when none is given, relative to the working
/// directory (as lobby-server looks for it).
pub const LOCAL_HALL: &str = "assets/hall.toml";

/// The public address printed in the sample's QR code.
pub const PUBLIC_BASE: &str = "https://zwfw.minle.example";

/// The sample ticket's rating key, shaped like the ones lobby-server puts
/// in every issue answer (128 bits in base32, 26 characters), so the
/// sample's QR code is as long as a real ticket's.
pub const RATING_KEY: &str = "k7m2q5xw4b6d3f6h2j5n7r4t7v";

/// When the samples are issued: a Monday morning in Minle. A hall whose
/// kiosks do not issue then gets its sample at the next quarter hour at
/// which they do.
pub const AT: &str = "2026-09-14T01:32:00Z";

/// Visitors ahead of the sample ticket (fewer if the category's daily
/// quota does not leave room for them).
const AHEAD: u32 = 7;

/// Names listed in full in an error before the rest are only counted.
const LISTED: usize = 12;

/// The hall could not be loaded, or the sample could not be made from it.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The main file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The configuration has problems.
    #[error("{0}")]
    Config(#[from] lobby_core::ConfigErrors),
    /// A name given for the sample is not in the hall.
    #[error("the hall has no {what} `{name}` (it has {known})")]
    Unknown {
        /// "site", "category", "window" or "matter".
        what: &'static str,
        /// The name given.
        name: String,
        /// The names the hall has, the first few of them if many.
        known: String,
    },
    /// Names given for the sample that do not go together (a matter of
    /// another category, a window that does not serve it).
    #[error("{0}")]
    Mismatch(String),
    /// Nothing to choose from: no category (at the site given), or no
    /// matter for a slip.
    #[error("{0}")]
    Nothing(String),
    /// The site's kiosks issue at no time in the fortnight from [`AT`].
    #[error("kiosks at site `{0}` issue at no time in the two weeks from {AT}")]
    NeverOpen(SiteId),
    /// The core refused the sample ticket.
    #[error("the core refused the sample ticket: {0:?}")]
    Rejected(lobby_core::Rejected),
}

/// Loads a hall configuration and the files it includes (relative to it).
pub fn load_hall(path: &Path) -> Result<Hall, SampleError> {
    let text = std::fs::read_to_string(path).map_err(|source| SampleError::Read {
        path: path.to_owned(),
        source,
    })?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_owned();
    let main = SourceFile {
        name: path.display().to_string(),
        text,
    };
    Ok(lobby_core::config::load(main, |include| {
        std::fs::read_to_string(dir.join(include)).map_err(|e| e.to_string())
    })?)
}

/// A hall and where it came from (a path, or the built-in hall), for
/// messages.
#[derive(Debug, Clone)]
pub struct FoundHall {
    /// The hall.
    pub hall: Hall,
    /// Its main file's path, or [`lobby_core::builtin::HALL_NAME`].
    pub source: String,
}

/// Finds the hall the way lobby-server does: `path` if given, else
/// [`LOCAL_HALL`] in the working directory, else the built-in hall
/// ([`lobby_core::builtin`]).
pub fn find_hall(path: Option<&Path>) -> Result<FoundHall, SampleError> {
    let local = Path::new(LOCAL_HALL);
    let path = path.or_else(|| local.exists().then_some(local));
    Ok(match path {
        Some(path) => FoundHall {
            hall: load_hall(path)?,
            source: path.display().to_string(),
        },
        None => FoundHall {
            hall: lobby_core::builtin::hall()?,
            source: lobby_core::builtin::HALL_NAME.to_owned(),
        },
    })
}

/// What the caller asks the sample to be about; what is left `None` is
/// chosen from the hall.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    /// The site: its busiest category is chosen.
    pub site: Option<SiteId>,
    /// The category.
    pub category: Option<CategoryId>,
    /// The matter: its category is chosen.
    pub matter: Option<MatterId>,
    /// The one open window: its first category is chosen.
    pub window: Option<WindowNo>,
}

/// A sample made to fit one hall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Where the ticket is issued: the category's site.
    pub site: SiteId,
    /// The ticket's category.
    pub category: CategoryId,
    /// The ticket's matter and the slip's; `None` only when the category
    /// has no matter (a ticket can then still be printed, a slip not).
    pub matter: Option<MatterId>,
    /// The windows open when the ticket is issued.
    pub windows: Vec<WindowNo>,
    /// When the ticket is issued and the slip printed: [`AT`], or the
    /// first quarter hour after it at which the site's kiosks issue.
    pub at: Timestamp,
}

impl Sample {
    /// Chooses a sample from `hall`, keeping what `choice` names.
    ///
    /// The category is the one named (it must take the matter, if one is
    /// named: its own, or one delegated to its site), else the matter's,
    /// else the window's first, else the hall's (or the site's) busiest:
    /// the one with most windows of its own, among those with a matter,
    /// the first of equals. The matter is the one named, else the
    /// category's longest (most documents, the first of equals), which
    /// makes the longest slip. The open windows are the one named, else
    /// the first two that have the category as their own (else the first
    /// two that serve it).
    pub fn pick(hall: &Hall, choice: &Choice) -> Result<Sample, SampleError> {
        let site = match &choice.site {
            Some(id) => Some(hall.site(id).ok_or_else(|| SampleError::Unknown {
                what: "site",
                name: id.to_string(),
                known: listed("sites", hall.sites.iter().map(|s| s.id.to_string())),
            })?),
            None => None,
        };
        let category = match &choice.category {
            Some(id) => Some(hall.category(id).ok_or_else(|| SampleError::Unknown {
                what: "category",
                name: id.to_string(),
                known: listed(
                    "categories",
                    hall.categories.iter().map(|c| c.id.to_string()),
                ),
            })?),
            None => None,
        };
        let matter = match &choice.matter {
            Some(id) => Some(hall.matter(id).ok_or_else(|| SampleError::Unknown {
                what: "matter",
                name: id.to_string(),
                known: listed("matters", hall.matters.iter().map(|m| m.id.to_string())),
            })?),
            None => None,
        };
        let window = match choice.window {
            Some(n) => Some(hall.window(n).ok_or_else(|| SampleError::Unknown {
                what: "window",
                name: n.to_string(),
                known: listed("windows", hall.windows.iter().map(|w| w.number.to_string())),
            })?),
            None => None,
        };

        // A loaded hall's matters and windows name categories it has.
        let category: &Category = match (category, matter, window) {
            (Some(c), _, _) => c,
            // At a site named, the category there that takes the matter
            // (a town's, for a matter delegated to it).
            (None, Some(m), _) => site
                .and_then(|s| {
                    hall.categories
                        .iter()
                        .find(|c| c.site == s.id && hall.offers(&c.id, m))
                })
                .unwrap_or_else(|| hall.category(&m.category).unwrap()),
            (None, None, Some(w)) => hall.category(&w.categories[0]).unwrap(),
            (None, None, None) => busiest(hall, site.map(|s| &s.id))?,
        };
        if let Some(m) = matter
            && !hall.offers(&category.id, m)
        {
            return Err(SampleError::Mismatch(format!(
                "category `{}` does not take matter `{}` (a matter of `{}`)",
                category.id, m.id, m.category
            )));
        }
        if let Some(w) = window
            && !w.serves(&category.id)
        {
            let serves: Vec<String> = w.categories.iter().map(ToString::to_string).collect();
            return Err(SampleError::Mismatch(format!(
                "window {} does not serve category `{}` (it serves {})",
                w.number,
                category.id,
                serves.join(", ")
            )));
        }
        if let Some(s) = site
            && category.site != s.id
        {
            return Err(SampleError::Mismatch(format!(
                "category `{}` is at site `{}`, not `{}`",
                category.id, category.site, s.id
            )));
        }

        let matter = matter
            .or_else(|| longest(hall.matters_of(&category.id)))
            .map(|m| m.id.clone());
        let windows = match window {
            Some(w) => vec![w.number],
            None => {
                let own: Vec<WindowNo> = hall
                    .windows_serving(&category.id)
                    .filter(|w| w.primary().contains(&category.id))
                    .map(|w| w.number)
                    .take(2)
                    .collect();
                if own.is_empty() {
                    hall.windows_serving(&category.id)
                        .map(|w| w.number)
                        .take(2)
                        .collect()
                } else {
                    own
                }
            }
        };
        Ok(Sample {
            site: category.site.clone(),
            category: category.id.clone(),
            matter,
            windows,
            at: issuing_time(hall, &category.site)?,
        })
    }

    /// The sample ticket's view, issued at [`Sample::at`] behind seven
    /// visitors of the same category with [`Sample::windows`] open, with
    /// its rating key ([`RATING_KEY`]) as the issue answer carries it.
    pub fn ticket_view(&self, hall: &Hall) -> Result<TicketView, SampleError> {
        let ahead = hall
            .category(&self.category)
            .and_then(|c| c.daily_quota)
            .map_or(AHEAD, |quota| AHEAD.min(quota.saturating_sub(1)));
        let hall = Arc::new(hall.clone());
        let mut lobby = Lobby::new(hall.clone());
        let now = self.at;
        let run =
            |lobby: &mut Lobby, c: Command| lobby.handle(now, c).map_err(SampleError::Rejected);
        for &window in &self.windows {
            run(
                &mut lobby,
                Command::OpenWindow {
                    window,
                    staff: None,
                },
            )?;
        }
        let issue = |id: String| Issue {
            site: Some(self.site.clone()),
            ..Issue::kiosk(id, self.category.clone())
        };
        for i in 1..=ahead {
            run(&mut lobby, Command::Issue(issue(format!("earlier-{i}"))))?;
        }
        let mut sample = issue("q7Vn3KpX9bTz".into());
        sample.matter = self.matter.clone();
        run(&mut lobby, Command::Issue(sample))?;
        // Issued just above; the lobby holds it.
        let ticket = lobby.ticket(&"q7Vn3KpX9bTz".into()).unwrap();
        let mut view = TicketView::of(&lobby, ticket, now, Lang::Zh);
        view.rating_key = Some(RATING_KEY.into());
        Ok(view)
    }

    /// The sample ticket, ready to render (in Chinese).
    pub fn ticket(&self, hall: &Hall) -> Result<TicketPrint, SampleError> {
        Ok(TicketPrint::new(
            &self.ticket_view(hall)?,
            &HallView::from(hall),
            PUBLIC_BASE,
            Lang::Zh,
        ))
    }

    /// The sample slip, for [`Sample::matter`].
    pub fn slip(&self, hall: &Hall) -> Result<SlipPrint, SampleError> {
        let Some(id) = &self.matter else {
            return Err(SampleError::Nothing(format!(
                "category `{}` has no matter to print a slip for",
                self.category
            )));
        };
        let view = HallView::from(hall);
        // `pick` took the id from the hall.
        let matter = view.matter(id).unwrap();
        Ok(SlipPrint::new(&view, matter, self.at))
    }
}

/// The default sample's ticket view (see [`Sample::pick`]).
pub fn ticket_view(hall: &Hall) -> Result<TicketView, SampleError> {
    Sample::pick(hall, &Choice::default())?.ticket_view(hall)
}

/// The default sample ticket, ready to render (in Chinese).
pub fn ticket(hall: &Hall) -> Result<TicketPrint, SampleError> {
    Sample::pick(hall, &Choice::default())?.ticket(hall)
}

/// The default sample slip.
pub fn slip(hall: &Hall) -> Result<SlipPrint, SampleError> {
    Sample::pick(hall, &Choice::default())?.slip(hall)
}

/// The category with most windows of its own, among those with a matter
/// (if any has one), at `site` if given; the first of equals.
fn busiest<'a>(hall: &'a Hall, site: Option<&SiteId>) -> Result<&'a Category, SampleError> {
    let candidates = hall
        .categories
        .iter()
        .filter(|c| site.is_none_or(|s| &c.site == s));
    let score = |c: &&Category| {
        let has_matter = hall.matters_of(&c.id).next().is_some();
        let own = hall
            .windows_serving(&c.id)
            .filter(|w| w.primary().contains(&c.id))
            .count();
        (has_matter, own)
    };
    let best = first_max_by_key(candidates, score);
    best.ok_or_else(|| match site {
        Some(s) => SampleError::Nothing(format!("site `{s}` has no category")),
        None => SampleError::Nothing("the hall has no category".into()),
    })
}

/// The matter with most documents; the first of equals.
fn longest<'a>(matters: impl Iterator<Item = &'a Matter>) -> Option<&'a Matter> {
    first_max_by_key(matters, |m| m.materials.len())
}

/// The item with the greatest key; the first of equals (where
/// `Iterator::max_by_key` keeps the last).
fn first_max_by_key<T, K: Ord>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Option<T> {
    let mut best: Option<(K, T)> = None;
    for item in items {
        let k = key(&item);
        if best.as_ref().is_none_or(|(b, _)| k > *b) {
            best = Some((k, item));
        }
    }
    best.map(|(_, item)| item)
}

/// [`AT`], or the first quarter hour after it at which kiosks at `site`
/// issue, within two weeks.
fn issuing_time(hall: &Hall, site: &SiteId) -> Result<Timestamp, SampleError> {
    // A constant that parses.
    let at: Timestamp = AT.parse().unwrap();
    (0..14 * 24 * 4)
        .map(|quarter: i64| at + (quarter * 15).minutes())
        .find(|&t| hall.opening(site, Channel::Kiosk, t) == Opening::Open)
        .ok_or_else(|| SampleError::NeverOpen(site.clone()))
}

/// `what` and the first few names, with how many there are if more.
fn listed(what: &str, names: impl ExactSizeIterator<Item = String>) -> String {
    let total = names.len();
    if total == 0 {
        return format!("no {what}");
    }
    let shown: Vec<String> = names.take(LISTED).collect();
    if total > LISTED {
        format!("{total} {what}: {}, …", shown.join(", "))
    } else {
        format!("{what} {}", shown.join(", "))
    }
}

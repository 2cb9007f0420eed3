//! The configuration's sections as written in TOML, before validation.
//!
//! Each shape mirrors its TOML table and denies unknown fields; values that
//! validation checks later keep their spans ([`Spanned`]) so a problem can
//! point at them. Entries remember the file they came from and their place
//! in its array: `(file, index, entry)`.
//!
//! An entry that cannot be read (a misspelt field, a number given as text)
//! is reported once, at its field, and remembered in [`Unread`] with its id
//! when that can be read, so that validation does not add an "unknown
//! category" for every window naming it.

use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IntoDeserializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::SourceFile;
use super::problem::{ConfigProblem, problem_at};
use super::serde_error;
use crate::hall::{Issuing, Material, MatterKind, SiteKind};

/// Every section read so far, from all files.
#[derive(Default)]
pub(super) struct Raw {
    /// `[centre]`, with the span of its name in the header.
    pub(super) centre: Option<(usize, Range<usize>, RawCentre)>,
    pub(super) policy: Option<RawPolicy>,
    pub(super) calendar: Vec<(usize, RawCalendar)>,
    pub(super) sites: Vec<(usize, usize, RawSite)>,
    pub(super) categories: Vec<(usize, usize, RawCategory)>,
    pub(super) windows: Vec<(usize, usize, RawWindow)>,
    pub(super) matters: Vec<(usize, usize, RawMatter)>,
    pub(super) green_groups: Vec<(usize, usize, RawGroup)>,
    pub(super) sessions: Vec<(usize, usize, RawSession)>,
    /// Sections and entries present but not read, each reported already.
    pub(super) unread: Unread,
}

/// What is known of sections and entries that could not be read.
#[derive(Default)]
pub(super) struct Unread {
    /// `[centre]` is there but could not be read.
    pub(super) centre: bool,
    /// `[policy]` is there but could not be read: its defaults stand in.
    pub(super) policy: bool,
    /// Per array of tables (`"categories"`), the entries that could not be
    /// read.
    entries: HashMap<&'static str, Vec<UnreadEntry>>,
}

/// An entry of an array of tables that could not be read: `(file, index,
/// id)`, the id when it could be read.
type UnreadEntry = (usize, usize, Option<String>);

impl Unread {
    /// Whether some entry of `section` could not be read.
    pub(super) fn any(&self, section: &str) -> bool {
        self.entries.get(section).is_some_and(|e| !e.is_empty())
    }

    /// The ids of `section`'s entries that could not be read, in order.
    pub(super) fn ids(&self, section: &str) -> impl Iterator<Item = (usize, usize, &str)> {
        self.entries
            .get(section)
            .into_iter()
            .flatten()
            .filter_map(|(no, i, id)| Some((*no, *i, id.as_deref()?)))
    }

    /// Whether `id` names an entry of `section` that could not be read.
    pub(super) fn has(&self, section: &str, id: &str) -> bool {
        self.ids(section).any(|(_, _, x)| x == id)
    }
}

pub(super) type Str = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCentre {
    pub(super) name: String,
    #[serde(default)]
    pub(super) name_en: String,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) address: String,
    pub(super) timezone: Option<Str>,
    pub(super) day_change: Option<Str>,
    #[serde(default)]
    pub(super) notice: String,
    #[serde(default)]
    pub(super) notice_en: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub(super) max_recalls: Option<u32>,
    pub(super) no_show_after_s: Option<u32>,
    pub(super) reactivations: Option<u32>,
    pub(super) priority_bound: Option<u32>,
    pub(super) overflow_after_min: Option<u32>,
    pub(super) appointment_early_min: Option<u32>,
    pub(super) appointment_late_min: Option<u32>,
    pub(super) issue_before_open_min: Option<u32>,
    pub(super) guide_desk_outside_sessions: Option<bool>,
    pub(super) appointments_outside_sessions: Option<bool>,
    pub(super) expire_after_close_min: Option<u32>,
    pub(super) green_quota_exempt: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCalendar {
    #[serde(default)]
    pub(super) closed: Vec<Str>,
    #[serde(default)]
    pub(super) working: Vec<Str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSite {
    pub(super) id: Str,
    pub(super) name: String,
    #[serde(default)]
    pub(super) name_en: String,
    pub(super) kind: SiteKind,
    pub(super) parent: Option<Str>,
    #[serde(default)]
    pub(super) address: String,
    #[serde(default)]
    pub(super) phone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCategory {
    pub(super) id: Str,
    pub(super) prefix: Str,
    pub(super) name: String,
    #[serde(default)]
    pub(super) name_en: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) description_en: String,
    pub(super) site: Option<Str>,
    #[serde(default)]
    pub(super) area: String,
    #[serde(default = "default_warn")]
    pub(super) warn_wait_min: u32,
    #[serde(default = "default_warn")]
    pub(super) warn_handle_min: u32,
    pub(super) daily_quota: Option<Spanned<u32>>,
    #[serde(default = "default_service")]
    pub(super) service_min: Spanned<f64>,
    pub(super) overflow_after_min: Option<u32>,
    #[serde(default)]
    pub(super) assumed: bool,
}

fn default_warn() -> u32 {
    30
}

fn default_service() -> Spanned<f64> {
    Spanned::new(0..0, 10.0)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWindow {
    pub(super) number: Option<Spanned<u32>>,
    /// A range of windows configured alike: `"1-8"`.
    pub(super) numbers: Option<Str>,
    pub(super) site: Option<Str>,
    pub(super) categories: Spanned<Vec<Str>>,
    #[serde(default)]
    pub(super) overflow: Vec<Str>,
    #[serde(default)]
    pub(super) label: String,
    #[serde(default)]
    pub(super) department: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMatter {
    pub(super) id: Str,
    pub(super) name: String,
    #[serde(default)]
    pub(super) name_en: String,
    pub(super) category: Str,
    pub(super) kind: MatterKind,
    #[serde(default)]
    pub(super) department: String,
    #[serde(default)]
    pub(super) materials: Vec<Material>,
    #[serde(default)]
    pub(super) promised_days: u32,
    pub(super) legal_days: Option<u32>,
    #[serde(default = "default_fee")]
    pub(super) fee: String,
    #[serde(default)]
    pub(super) legal_basis: String,
    #[serde(default)]
    pub(super) sites: Vec<Str>,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) notes: Vec<String>,
    #[serde(default)]
    pub(super) online: bool,
}

fn default_fee() -> String {
    "不收费".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    pub(super) id: Str,
    pub(super) name: String,
    #[serde(default)]
    pub(super) name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSession {
    pub(super) name: String,
    #[serde(default)]
    pub(super) name_en: String,
    pub(super) days: Spanned<Vec<Str>>,
    pub(super) start: Str,
    pub(super) end: Str,
    #[serde(default = "default_issuing")]
    pub(super) issuing: Issuing,
    #[serde(default)]
    pub(super) stop_issuing_before_end_min: u32,
    #[serde(default)]
    pub(super) extended: bool,
    #[serde(default)]
    pub(super) sites: Vec<Str>,
}

fn default_issuing() -> Issuing {
    Issuing::All
}

// ---------------------------------------------------------------------------
// Reading files.

/// Reads file `no`'s sections into `raw`, reporting syntax errors, unknown
/// sections and fields, and sections defined twice.
pub(super) fn read_file(
    files: &[SourceFile],
    no: usize,
    raw: &mut Raw,
    problems: &mut Vec<ConfigProblem>,
) {
    let file = &files[no];
    let root = match DeTable::parse(&file.text) {
        Ok(root) => root,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            problems.push(problem_at(file, span, "(syntax)", e.message().to_owned()));
            return;
        }
    };
    for (key, value) in root.into_inner() {
        let name = key.get_ref().to_string();
        let span = key.span();
        match name.as_str() {
            "include" if no == 0 => {}
            "include" => problems.push(problem_at(
                file,
                span,
                "include",
                "only the main file may include others".into(),
            )),
            "centre" => {
                if raw.centre.is_some() {
                    problems.push(problem_at(file, span, "centre", "defined twice".into()));
                } else if let Some(c) = one(file, "centre", value, problems) {
                    raw.centre = Some((no, span, c));
                } else {
                    raw.unread.centre = true;
                }
            }
            "policy" => {
                if raw.policy.is_some() {
                    problems.push(problem_at(file, span, "policy", "defined twice".into()));
                } else if let Some(p) = one(file, "policy", value, problems) {
                    raw.policy = Some(p);
                } else {
                    raw.unread.policy = true;
                }
            }
            "calendar" => {
                if let Some(c) = one(file, "calendar", value, problems) {
                    raw.calendar.push((no, c));
                }
            }
            "sites" => {
                let list = &mut raw.sites;
                many(file, no, "sites", value, problems, list, &mut raw.unread);
            }
            "categories" => {
                let list = &mut raw.categories;
                many(
                    file,
                    no,
                    "categories",
                    value,
                    problems,
                    list,
                    &mut raw.unread,
                );
            }
            "windows" => {
                let list = &mut raw.windows;
                many(file, no, "windows", value, problems, list, &mut raw.unread);
            }
            "matters" => {
                let list = &mut raw.matters;
                many(file, no, "matters", value, problems, list, &mut raw.unread);
            }
            "green_groups" => {
                let list = &mut raw.green_groups;
                many(
                    file,
                    no,
                    "green_groups",
                    value,
                    problems,
                    list,
                    &mut raw.unread,
                );
            }
            "sessions" => {
                let list = &mut raw.sessions;
                many(file, no, "sessions", value, problems, list, &mut raw.unread);
            }
            _ => problems.push(problem_at(
                file,
                span,
                &name,
                "unknown section; expected one of include, centre, policy, calendar, sites, \
                 categories, windows, matters, green_groups, sessions"
                    .into(),
            )),
        }
    }
}

/// Reads one table at `path`, or reports why not at the field concerned.
fn one<T: DeserializeOwned>(
    file: &SourceFile,
    path: &str,
    value: Spanned<DeValue<'_>>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<T> {
    // Kept to find the field an error is about; tables are small.
    let kept = value.clone();
    match T::deserialize(value.into_deserializer()) {
        Ok(v) => Some(v),
        Err(e) => {
            let span = e.span().unwrap_or(kept.span());
            let field = serde_error::field_at(path, &kept, &span);
            let message = serde_error::message(e.message());
            problems.push(problem_at(file, span, &field, message));
            None
        }
    }
}

/// Reads an array of tables (`[[section]]`) into `list`, remembering the
/// entries that could not be read in `unread`.
fn many<T: DeserializeOwned>(
    file: &SourceFile,
    no: usize,
    section: &'static str,
    value: Spanned<DeValue<'_>>,
    problems: &mut Vec<ConfigProblem>,
    list: &mut Vec<(usize, usize, T)>,
    unread: &mut Unread,
) {
    let span = value.span();
    let DeValue::Array(items) = value.into_inner() else {
        problems.push(problem_at(
            file,
            span,
            section,
            format!("expected an array of tables: [[{section}]]"),
        ));
        return;
    };
    for (i, item) in items.into_iter().enumerate() {
        let id = match item.get_ref() {
            DeValue::Table(t) => t
                .get("id")
                .and_then(|v| v.get_ref().as_str())
                .map(str::to_owned),
            _ => None,
        };
        match one(file, &format!("{section}[{i}]"), item, problems) {
            Some(v) => list.push((no, i, v)),
            None => unread.entries.entry(section).or_default().push((no, i, id)),
        }
    }
}

//! The configuration's sections as written in TOML, before validation.
//!
//! Each shape mirrors its TOML table and denies unknown fields; values that
//! validation checks later keep their spans ([`Spanned`]) so a problem can
//! point at them. Entries remember the file they came from and their place
//! in its array: `(file, index, entry)`.

use serde::Deserialize;
use serde::de::{DeserializeOwned, IntoDeserializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::SourceFile;
use super::problem::{ConfigProblem, problem_at};
use crate::hall::{Issuing, Material, MatterKind, SiteKind};

/// Every section read so far, from all files.
#[derive(Default)]
pub(super) struct Raw {
    pub(super) centre: Option<(usize, RawCentre)>,
    pub(super) policy: Option<RawPolicy>,
    pub(super) calendar: Vec<(usize, RawCalendar)>,
    pub(super) sites: Vec<(usize, usize, RawSite)>,
    pub(super) categories: Vec<(usize, usize, RawCategory)>,
    pub(super) windows: Vec<(usize, usize, RawWindow)>,
    pub(super) matters: Vec<(usize, usize, RawMatter)>,
    pub(super) green_groups: Vec<(usize, usize, RawGroup)>,
    pub(super) sessions: Vec<(usize, usize, RawSession)>,
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
                    raw.centre = Some((no, c));
                }
            }
            "policy" => {
                if raw.policy.is_some() {
                    problems.push(problem_at(file, span, "policy", "defined twice".into()));
                } else if let Some(p) = one(file, "policy", value, problems) {
                    raw.policy = Some(p);
                }
            }
            "calendar" => {
                if let Some(c) = one(file, "calendar", value, problems) {
                    raw.calendar.push((no, c));
                }
            }
            "sites" => many(file, no, &name, value, problems, &mut raw.sites),
            "categories" => many(file, no, &name, value, problems, &mut raw.categories),
            "windows" => many(file, no, &name, value, problems, &mut raw.windows),
            "matters" => many(file, no, &name, value, problems, &mut raw.matters),
            "green_groups" => many(file, no, &name, value, problems, &mut raw.green_groups),
            "sessions" => many(file, no, &name, value, problems, &mut raw.sessions),
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

fn one<T: DeserializeOwned>(
    file: &SourceFile,
    field: &str,
    value: Spanned<DeValue<'_>>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<T> {
    let span = value.span();
    match T::deserialize(value.into_deserializer()) {
        Ok(v) => Some(v),
        Err(e) => {
            let span = e.span().unwrap_or(span);
            problems.push(problem_at(file, span, field, e.message().to_owned()));
            None
        }
    }
}

fn many<T: DeserializeOwned>(
    file: &SourceFile,
    no: usize,
    field: &str,
    value: Spanned<DeValue<'_>>,
    problems: &mut Vec<ConfigProblem>,
    list: &mut Vec<(usize, usize, T)>,
) {
    let span = value.span();
    let DeValue::Array(items) = value.into_inner() else {
        problems.push(problem_at(
            file,
            span,
            field,
            format!("expected an array of tables: [[{field}]]"),
        ));
        return;
    };
    for (i, item) in items.into_iter().enumerate() {
        if let Some(v) = one(file, &format!("{field}[{i}]"), item, problems) {
            list.push((no, i, v));
        }
    }
}

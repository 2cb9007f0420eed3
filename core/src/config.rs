//! Loading the hall from TOML text, with every problem reported by place.
//!
//! The core reads no files: [`load`] takes the main file's text and a
//! closure that returns the text of each file it `include`s. Problems are
//! collected across all files and all entries, so an administrator fixes a
//! configuration in one pass rather than one error at a time.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IntoDeserializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::hall::{
    Calendar, Category, Centre, GreenGroup, Hall, Index, Issuing, Material, Matter, MatterKind,
    Policy, Session, Site, SiteKind, Window,
};
use crate::ids::{CategoryId, GroupId, MatterId, SiteId, WindowNo};

/// One configuration file's name and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Name used in error messages (usually the path).
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// One problem in the configuration, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// File name.
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// The field, as a path (`categories[2].prefix`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.field, self.message
        )
    }
}

/// Every problem found while loading a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigProblem>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the hall configuration has {} problem(s):", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// Loads a hall from its main file and the files it includes.
///
/// `read_include` gets each name listed in the main file's `include` array
/// and returns that file's text (or a message saying why it could not).
pub fn load(
    main: SourceFile,
    mut read_include: impl FnMut(&str) -> Result<String, String>,
) -> Result<Hall, ConfigErrors> {
    let mut files = vec![main];
    let mut problems = Vec::new();
    for (name, span) in includes(&files[0]) {
        match read_include(&name) {
            Ok(text) => files.push(SourceFile { name, text }),
            Err(why) => problems.push(problem_at(
                &files[0],
                span,
                "include",
                format!("cannot read `{name}`: {why}"),
            )),
        }
    }
    match parse(&files) {
        Ok(hall) if problems.is_empty() => Ok(hall),
        Ok(_) => Err(ConfigErrors(problems)),
        Err(ConfigErrors(more)) => {
            problems.extend(more);
            Err(ConfigErrors(problems))
        }
    }
}

/// The names listed in a file's top-level `include` array, with their spans.
pub fn includes(file: &SourceFile) -> Vec<(String, Range<usize>)> {
    let Ok(root) = DeTable::parse(&file.text) else {
        return Vec::new();
    };
    let Some(value) = root.get_ref().get("include") else {
        return Vec::new();
    };
    match value.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .filter_map(|v| Some((v.get_ref().as_str()?.to_owned(), v.span())))
            .collect(),
        _ => Vec::new(),
    }
}

/// Parses and validates a hall from several files; the first is the main
/// one. Sections may appear in any file; entries accumulate.
pub fn parse(files: &[SourceFile]) -> Result<Hall, ConfigErrors> {
    let mut raw = Raw::default();
    let mut problems = Vec::new();
    for no in 0..files.len() {
        read_file(files, no, &mut raw, &mut problems);
    }
    // After a syntax error whole sections are missing; checking references
    // would only add noise.
    let syntax = problems.iter().any(|p| p.field == "(syntax)");
    let hall = if syntax {
        None
    } else {
        validate(files, raw, &mut problems)
    };
    let order = |name: &str| files.iter().position(|f| f.name == name);
    problems.sort_by(|a, b| {
        (order(&a.file), a.line, a.column).cmp(&(order(&b.file), b.line, b.column))
    });
    if problems.is_empty() {
        // Validation produces a hall whenever it reports no problem.
        Ok(hall.expect("validated hall"))
    } else {
        Err(ConfigErrors(problems))
    }
}

// ---------------------------------------------------------------------------
// Raw shapes, as written in TOML.

#[derive(Default)]
struct Raw {
    centre: Option<(usize, RawCentre)>,
    policy: Option<RawPolicy>,
    calendar: Vec<(usize, RawCalendar)>,
    sites: Vec<(usize, usize, RawSite)>,
    categories: Vec<(usize, usize, RawCategory)>,
    windows: Vec<(usize, usize, RawWindow)>,
    matters: Vec<(usize, usize, RawMatter)>,
    green_groups: Vec<(usize, usize, RawGroup)>,
    sessions: Vec<(usize, usize, RawSession)>,
}

type Str = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCentre {
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
    timezone: Option<Str>,
    day_change: Option<Str>,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    notice_en: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    max_recalls: Option<u32>,
    no_show_after_s: Option<u32>,
    reactivations: Option<u32>,
    priority_bound: Option<u32>,
    overflow_after_min: Option<u32>,
    appointment_early_min: Option<u32>,
    appointment_late_min: Option<u32>,
    issue_before_open_min: Option<u32>,
    guide_desk_outside_sessions: Option<bool>,
    appointments_outside_sessions: Option<bool>,
    expire_after_close_min: Option<u32>,
    green_quota_exempt: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    closed: Vec<Str>,
    #[serde(default)]
    working: Vec<Str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    id: Str,
    name: String,
    #[serde(default)]
    name_en: String,
    kind: SiteKind,
    parent: Option<Str>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Str,
    prefix: Str,
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    description_en: String,
    site: Option<Str>,
    #[serde(default)]
    area: String,
    #[serde(default = "default_warn")]
    warn_wait_min: u32,
    #[serde(default = "default_warn")]
    warn_handle_min: u32,
    daily_quota: Option<Spanned<u32>>,
    #[serde(default = "default_service")]
    service_min: Spanned<f64>,
    overflow_after_min: Option<u32>,
    #[serde(default)]
    assumed: bool,
}

fn default_warn() -> u32 {
    30
}

fn default_service() -> Spanned<f64> {
    Spanned::new(0..0, 10.0)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    number: Option<Spanned<u32>>,
    /// A range of windows configured alike: `"1-8"`.
    numbers: Option<Str>,
    site: Option<Str>,
    categories: Spanned<Vec<Str>>,
    #[serde(default)]
    overflow: Vec<Str>,
    #[serde(default)]
    label: String,
    #[serde(default)]
    department: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatter {
    id: Str,
    name: String,
    #[serde(default)]
    name_en: String,
    category: Str,
    kind: MatterKind,
    #[serde(default)]
    department: String,
    #[serde(default)]
    materials: Vec<Material>,
    #[serde(default)]
    promised_days: u32,
    legal_days: Option<u32>,
    #[serde(default = "default_fee")]
    fee: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    sites: Vec<Str>,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    online: bool,
}

fn default_fee() -> String {
    "不收费".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Str,
    name: String,
    #[serde(default)]
    name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSession {
    name: String,
    #[serde(default)]
    name_en: String,
    days: Spanned<Vec<Str>>,
    start: Str,
    end: Str,
    #[serde(default = "default_issuing")]
    issuing: Issuing,
    #[serde(default)]
    stop_issuing_before_end_min: u32,
    #[serde(default)]
    extended: bool,
    #[serde(default)]
    sites: Vec<Str>,
}

fn default_issuing() -> Issuing {
    Issuing::All
}

// ---------------------------------------------------------------------------
// Reading files.

fn read_file(files: &[SourceFile], no: usize, raw: &mut Raw, problems: &mut Vec<ConfigProblem>) {
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

// ---------------------------------------------------------------------------
// Validation.

fn problem_at(
    file: &SourceFile,
    span: Range<usize>,
    field: &str,
    message: String,
) -> ConfigProblem {
    let (line, column) = line_column(&file.text, span.start);
    ConfigProblem {
        file: file.name.clone(),
        line,
        column,
        field: field.to_owned(),
        message,
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

struct Check<'a> {
    files: &'a [SourceFile],
    problems: &'a mut Vec<ConfigProblem>,
}

impl Check<'_> {
    fn at(
        &mut self,
        no: usize,
        span: Range<usize>,
        field: impl AsRef<str>,
        message: impl Into<String>,
    ) {
        let p = problem_at(&self.files[no], span, field.as_ref(), message.into());
        self.problems.push(p);
    }

    /// Checks an identifier's form and uniqueness; returns it when good.
    fn id(
        &mut self,
        no: usize,
        id: &Str,
        field: &str,
        seen: &mut HashSet<String>,
    ) -> Option<String> {
        let s = id.get_ref();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !ok {
            self.at(
                no,
                id.span(),
                field,
                format!(
                    "`{s}` is not a valid id: use 1 to 32 lowercase letters, digits, `-` or `_`"
                ),
            );
            return None;
        }
        if !seen.insert(s.clone()) {
            self.at(no, id.span(), field, format!("duplicate id `{s}`"));
            return None;
        }
        Some(s.clone())
    }

    fn time(&mut self, no: usize, value: &Str, field: &str) -> Option<Time> {
        match parse_hhmm(value.get_ref()) {
            Some(t) => Some(t),
            None => {
                self.at(
                    no,
                    value.span(),
                    field,
                    format!(
                        "`{}` is not a time of day; write HH:MM, e.g. \"09:00\"",
                        value.get_ref()
                    ),
                );
                None
            }
        }
    }

    fn date(&mut self, no: usize, value: &Str, field: &str) -> Option<Date> {
        match value.get_ref().parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.at(
                    no,
                    value.span(),
                    field,
                    format!("`{}` is not a date; write YYYY-MM-DD", value.get_ref()),
                );
                None
            }
        }
    }
}

fn parse_hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

fn parse_weekdays(s: &str) -> Option<Vec<Weekday>> {
    fn day(s: &str) -> Option<Weekday> {
        Some(match s {
            "mon" => Weekday::Monday,
            "tue" => Weekday::Tuesday,
            "wed" => Weekday::Wednesday,
            "thu" => Weekday::Thursday,
            "fri" => Weekday::Friday,
            "sat" => Weekday::Saturday,
            "sun" => Weekday::Sunday,
            _ => return None,
        })
    }
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (day(a)?, day(b)?);
            let mut out = vec![a];
            let mut d = a;
            while d != b {
                d = d.next();
                out.push(d);
            }
            Some(out)
        }
        None => Some(vec![day(s)?]),
    }
}

fn parse_range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b && b - a < 1000).then_some((a, b))
}

fn validate(files: &[SourceFile], raw: Raw, problems: &mut Vec<ConfigProblem>) -> Option<Hall> {
    let mut c = Check { files, problems };

    // The centre.
    let Some((centre_no, rc)) = raw.centre else {
        c.at(
            0,
            0..0,
            "centre",
            "missing [centre] section (name, timezone, day_change)",
        );
        return None;
    };
    let tz_name = rc
        .timezone
        .as_ref()
        .map(|t| t.get_ref().clone())
        .unwrap_or_else(|| "Asia/Shanghai".to_owned());
    let tz = match TimeZone::get(&tz_name) {
        Ok(tz) => Some(tz),
        Err(_) => {
            let span = rc.timezone.as_ref().map(|t| t.span()).unwrap_or(0..0);
            c.at(
                centre_no,
                span,
                "centre.timezone",
                format!("unknown time zone `{tz_name}`"),
            );
            None
        }
    };
    let day_change = match &rc.day_change {
        Some(t) => c.time(centre_no, t, "centre.day_change"),
        None => Some(Time::constant(3, 0, 0, 0)),
    };
    let centre = Centre {
        name: rc.name,
        name_en: rc.name_en,
        phone: rc.phone,
        address: rc.address,
        timezone: tz_name,
        day_change: day_change.unwrap_or(Time::midnight()),
        notice: rc.notice,
        notice_en: rc.notice_en,
    };

    let rp = raw.policy.unwrap_or_default();
    let policy = Policy {
        max_recalls: rp.max_recalls.unwrap_or(2),
        no_show_after_s: rp.no_show_after_s.unwrap_or(180),
        reactivations: rp.reactivations.unwrap_or(1),
        priority_bound: rp.priority_bound.unwrap_or(2).max(1),
        overflow_after_min: rp.overflow_after_min.unwrap_or(20),
        appointment_early_min: rp.appointment_early_min.unwrap_or(15),
        appointment_late_min: rp.appointment_late_min.unwrap_or(15),
        issue_before_open_min: rp.issue_before_open_min.unwrap_or(30),
        guide_desk_outside_sessions: rp.guide_desk_outside_sessions.unwrap_or(true),
        appointments_outside_sessions: rp.appointments_outside_sessions.unwrap_or(false),
        expire_after_close_min: rp.expire_after_close_min.unwrap_or(30),
        green_quota_exempt: rp.green_quota_exempt.unwrap_or(true),
    };

    let mut calendar = Calendar::default();
    for &(no, ref cal) in &raw.calendar {
        for d in &cal.closed {
            if let Some(d) = c.date(no, d, "calendar.closed") {
                calendar.closed.push(d);
            }
        }
        for d in &cal.working {
            if let Some(d) = c.date(no, d, "calendar.working") {
                calendar.working.push(d);
            }
        }
    }

    // Sites.
    let mut seen = HashSet::new();
    let mut sites = Vec::new();
    for &(no, i, ref s) in &raw.sites {
        if let Some(id) = c.id(no, &s.id, &format!("sites[{i}].id"), &mut seen) {
            sites.push(Site {
                id: SiteId(id),
                name: s.name.clone(),
                name_en: s.name_en.clone(),
                kind: s.kind,
                parent: s.parent.as_ref().map(|p| SiteId(p.get_ref().clone())),
                address: s.address.clone(),
                phone: s.phone.clone(),
            });
        }
    }
    if raw.sites.is_empty() {
        c.at(
            0,
            0..0,
            "sites",
            "no [[sites]]: at least the main hall is needed",
        );
    }
    for &(no, i, ref s) in &raw.sites {
        if let Some(p) = &s.parent {
            if !seen.contains(p.get_ref()) {
                c.at(
                    no,
                    p.span(),
                    format!("sites[{i}].parent"),
                    format!("unknown site `{}`", p.get_ref()),
                );
            } else if p.get_ref() == s.id.get_ref() {
                c.at(
                    no,
                    p.span(),
                    format!("sites[{i}].parent"),
                    "a site cannot be its own parent",
                );
            }
        }
    }
    let site_ids = seen;
    let main_site = raw
        .sites
        .first()
        .map(|(_, _, s)| s.id.get_ref().clone())
        .unwrap_or_default();
    let site_ref = |c: &mut Check<'_>, no: usize, s: &Option<Str>, field: String| -> SiteId {
        match s {
            Some(s) if !site_ids.contains(s.get_ref()) => {
                c.at(
                    no,
                    s.span(),
                    field,
                    format!("unknown site `{}`", s.get_ref()),
                );
                SiteId(s.get_ref().clone())
            }
            Some(s) => SiteId(s.get_ref().clone()),
            None => SiteId(main_site.clone()),
        }
    };

    // Categories.
    let mut seen = HashSet::new();
    let mut prefixes: HashMap<String, String> = HashMap::new();
    let mut categories = Vec::new();
    for &(no, i, ref rc) in &raw.categories {
        let site = site_ref(&mut c, no, &rc.site, format!("categories[{i}].site"));
        let prefix = rc.prefix.get_ref();
        if prefix.is_empty() || prefix.len() > 2 || !prefix.bytes().all(|b| b.is_ascii_uppercase())
        {
            c.at(
                no,
                rc.prefix.span(),
                format!("categories[{i}].prefix"),
                format!("`{prefix}` is not a ticket prefix: use one or two capital letters"),
            );
        } else if let Some(other) = prefixes.insert(prefix.clone(), rc.id.get_ref().clone()) {
            c.at(
                no,
                rc.prefix.span(),
                format!("categories[{i}].prefix"),
                format!("prefix `{prefix}` is already used by category `{other}`"),
            );
        }
        if let Some(q) = &rc.daily_quota
            && *q.get_ref() == 0
        {
            c.at(
                no,
                q.span(),
                format!("categories[{i}].daily_quota"),
                "a quota of 0 would refuse every ticket; leave it out for no limit",
            );
        }
        let service = *rc.service_min.get_ref();
        if !(service.is_finite() && service > 0.0 && service <= 480.0) {
            c.at(
                no,
                rc.service_min.span(),
                format!("categories[{i}].service_min"),
                "expected minutes between 0 and 480",
            );
        }
        if let Some(id) = c.id(no, &rc.id, &format!("categories[{i}].id"), &mut seen) {
            categories.push(Category {
                id: CategoryId(id),
                prefix: prefix.clone(),
                name: rc.name.clone(),
                name_en: rc.name_en.clone(),
                description: rc.description.clone(),
                description_en: rc.description_en.clone(),
                site,
                area: rc.area.clone(),
                warn_wait_min: rc.warn_wait_min,
                warn_handle_min: rc.warn_handle_min,
                daily_quota: rc.daily_quota.as_ref().map(|q| *q.get_ref()),
                service_min: service,
                overflow_after_min: rc.overflow_after_min.unwrap_or(policy.overflow_after_min),
                assumed: rc.assumed,
            });
        }
    }
    if raw.categories.is_empty() {
        c.at(0, 0..0, "categories", "no [[categories]]");
    }
    let category_site: HashMap<String, SiteId> = categories
        .iter()
        .map(|k| (k.id.0.clone(), k.site.clone()))
        .collect();

    // Windows.
    let mut windows: Vec<Window> = Vec::new();
    let mut numbers: HashMap<u32, usize> = HashMap::new();
    for &(no, i, ref rw) in &raw.windows {
        let field = |f: &str| format!("windows[{i}].{f}");
        let site = site_ref(&mut c, no, &rw.site, field("site"));
        let range = match (&rw.number, &rw.numbers) {
            (Some(n), None) => Some((*n.get_ref(), *n.get_ref(), n.span())),
            (None, Some(r)) => match parse_range(r.get_ref()) {
                Some((a, b)) => Some((a, b, r.span())),
                None => {
                    c.at(
                        no,
                        r.span(),
                        field("numbers"),
                        format!("`{}` is not a range; write \"1-8\"", r.get_ref()),
                    );
                    None
                }
            },
            (Some(n), Some(_)) => {
                c.at(
                    no,
                    n.span(),
                    field("number"),
                    "give either `number` or `numbers`, not both",
                );
                None
            }
            (None, None) => {
                c.at(
                    no,
                    rw.categories.span(),
                    format!("windows[{i}]"),
                    "missing field `number` (or `numbers = \"1-8\"`)",
                );
                None
            }
        };
        let mut cats = Vec::new();
        let mut list_ok = true;
        if rw.categories.get_ref().is_empty() {
            c.at(
                no,
                rw.categories.span(),
                field("categories"),
                "a window must serve at least one category",
            );
            list_ok = false;
        }
        for (k, name) in rw
            .categories
            .get_ref()
            .iter()
            .chain(&rw.overflow)
            .enumerate()
        {
            let f = if k < rw.categories.get_ref().len() {
                field("categories")
            } else {
                field("overflow")
            };
            match category_site.get(name.get_ref()) {
                None => {
                    c.at(
                        no,
                        name.span(),
                        f,
                        format!("unknown category `{}`", name.get_ref()),
                    );
                    list_ok = false;
                }
                Some(s) if *s != site => {
                    c.at(no, name.span(), f, format!("category `{}` belongs to site `{s}`, not to this window's site `{site}`", name.get_ref()));
                    list_ok = false;
                }
                Some(_) if cats.contains(&CategoryId(name.get_ref().clone())) => {
                    c.at(
                        no,
                        name.span(),
                        f,
                        format!("category `{}` listed twice", name.get_ref()),
                    );
                    list_ok = false;
                }
                Some(_) => cats.push(CategoryId(name.get_ref().clone())),
            }
        }
        let Some((first, last, span)) = range else {
            continue;
        };
        if first == 0 {
            c.at(
                no,
                span.clone(),
                field("number"),
                "window numbers start at 1",
            );
            continue;
        }
        for n in first..=last {
            if let Some(prev) = numbers.insert(n, i) {
                c.at(
                    no,
                    span.clone(),
                    field("number"),
                    format!("window {n} is already defined by windows[{prev}]"),
                );
                continue;
            }
            if list_ok {
                windows.push(Window {
                    number: WindowNo(n),
                    site: site.clone(),
                    categories: cats.clone(),
                    primary: rw.categories.get_ref().len(),
                    label: rw.label.clone(),
                    department: rw.department.clone(),
                });
            }
        }
    }
    windows.sort_by_key(|w| w.number);
    for &(no, i, ref rc) in &raw.categories {
        let id = CategoryId(rc.id.get_ref().clone());
        if !windows.iter().any(|w| w.serves(&id)) {
            c.at(
                no,
                rc.id.span(),
                format!("categories[{i}].id"),
                format!("no window serves category `{id}`: its tickets would never be called"),
            );
        }
    }

    // Green-channel groups.
    let mut seen = HashSet::new();
    let mut green_groups = Vec::new();
    for &(no, i, ref g) in &raw.green_groups {
        if let Some(id) = c.id(no, &g.id, &format!("green_groups[{i}].id"), &mut seen) {
            green_groups.push(GreenGroup {
                id: GroupId(id),
                name: g.name.clone(),
                name_en: g.name_en.clone(),
            });
        }
    }

    // Sessions.
    let mut sessions = Vec::new();
    for &(no, i, ref rs) in &raw.sessions {
        let field = |f: &str| format!("sessions[{i}].{f}");
        let start = c.time(no, &rs.start, &field("start"));
        let end = c.time(no, &rs.end, &field("end"));
        let mut days = Vec::new();
        for d in rs.days.get_ref() {
            match parse_weekdays(d.get_ref()) {
                Some(mut ds) => days.append(&mut ds),
                None => c.at(
                    no,
                    d.span(),
                    field("days"),
                    format!(
                        "`{}` is not a day: use mon … sun, or a range such as \"mon-fri\"",
                        d.get_ref()
                    ),
                ),
            }
        }
        if rs.days.get_ref().is_empty() {
            c.at(
                no,
                rs.days.span(),
                field("days"),
                "a session needs at least one day",
            );
        }
        let mut session_sites = Vec::new();
        for s in &rs.sites {
            session_sites.push(site_ref(&mut c, no, &Some(s.clone()), field("sites")));
        }
        if let (Some(start), Some(end)) = (start, end) {
            if start >= end {
                c.at(
                    no,
                    rs.end.span(),
                    field("end"),
                    "a session must end after it starts",
                );
                continue;
            }
            sessions.push(Session {
                name: rs.name.clone(),
                name_en: rs.name_en.clone(),
                days,
                start,
                end,
                issuing: rs.issuing,
                stop_issuing_before_end_min: rs.stop_issuing_before_end_min,
                extended: rs.extended,
                sites: session_sites,
            });
        }
    }
    if raw.sessions.is_empty() {
        c.at(
            0,
            0..0,
            "sessions",
            "no [[sessions]]: the hall would never open",
        );
    }

    // Matters.
    let mut seen = HashSet::new();
    let mut matters = Vec::new();
    for &(no, i, ref rm) in &raw.matters {
        let field = |f: &str| format!("matters[{i}].{f}");
        let id = rm.id.get_ref();
        let id_ok = !id.is_empty()
            && id.len() <= 48
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            c.at(
                no,
                rm.id.span(),
                field("id"),
                format!("`{id}` is not a valid matter id: use 1 to 48 letters, digits, `-` or `_`"),
            );
            continue;
        }
        if !seen.insert(id.clone()) {
            c.at(
                no,
                rm.id.span(),
                field("id"),
                format!("duplicate matter id `{id}`"),
            );
            continue;
        }
        let Some(site) = category_site.get(rm.category.get_ref()) else {
            c.at(
                no,
                rm.category.span(),
                field("category"),
                format!("unknown category `{}`", rm.category.get_ref()),
            );
            continue;
        };
        let mut msites = Vec::new();
        for s in &rm.sites {
            msites.push(site_ref(&mut c, no, &Some(s.clone()), field("sites")));
        }
        if msites.is_empty() {
            msites.push(site.clone());
        }
        for (k, m) in rm.materials.iter().enumerate() {
            if m.name.trim().is_empty() {
                c.at(
                    no,
                    rm.id.span(),
                    format!("matters[{i}].materials[{k}].name"),
                    "a material needs a name",
                );
            }
        }
        matters.push(Matter {
            id: MatterId(id.clone()),
            name: rm.name.clone(),
            name_en: rm.name_en.clone(),
            category: CategoryId(rm.category.get_ref().clone()),
            kind: rm.kind,
            department: rm.department.clone(),
            materials: rm.materials.clone(),
            promised_days: rm.promised_days,
            legal_days: rm.legal_days,
            fee: rm.fee.clone(),
            legal_basis: rm.legal_basis.clone(),
            sites: msites,
            phone: rm.phone.clone(),
            notes: rm.notes.clone(),
            online: rm.online,
        });
    }

    let tz = tz?;
    if !c.problems.is_empty() {
        return None;
    }
    fn positions<K: std::hash::Hash + Eq, T>(
        items: &[T],
        key: impl Fn(&T) -> K,
    ) -> HashMap<K, usize> {
        items.iter().enumerate().map(|(i, t)| (key(t), i)).collect()
    }
    let index = Index {
        sites: positions(&sites, |s| s.id.clone()),
        categories: positions(&categories, |c| c.id.clone()),
        windows: positions(&windows, |w| w.number),
        matters: positions(&matters, |m| m.id.clone()),
        groups: positions(&green_groups, |g| g.id.clone()),
    };
    Some(Hall {
        centre,
        policy,
        calendar,
        sites,
        categories,
        windows,
        matters,
        green_groups,
        sessions,
        tz,
        index,
    })
}

//! From the raw sections to the [`Hall`]: one function per section, called
//! in the order the sections refer to each other (sites before the
//! categories that name them, categories before the windows and matters
//! that serve them). Each reports every problem it finds and keeps going;
//! a hall is built only when none was found.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use jiff::tz::TimeZone;

use super::SourceFile;
use super::check::{Check, parse_range};
use super::problem::ConfigProblem;
use super::raw::{
    Raw, RawCalendar, RawCategory, RawCentre, RawGroup, RawMatter, RawPolicy, RawSite, RawWindow,
    Str, Unread,
};
use super::sessions::{DEFAULT_DAY_CHANGE, day_change, sessions};
use crate::hall::{
    Calendar, Category, Centre, GreenGroup, Hall, Index, Matter, Policy, Site, Window,
};
use crate::ids::{CategoryId, GroupId, MatterId, SiteId, WindowNo};

/// Entries of an array of tables, as read: `(file, index, entry)`.
pub(super) type Entries<T> = [(usize, usize, T)];

/// Checks every section and builds the hall, or reports why not.
pub(super) fn validate(
    files: &[SourceFile],
    raw: Raw,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Hall> {
    let mut c = Check { files, problems };
    let unread = &raw.unread;
    let centre = centre(&mut c, raw.centre.as_ref(), unread);
    let policy = policy(raw.policy);
    let calendar = calendar(&mut c, &raw.calendar);
    let (sites, site_refs) = sites(&mut c, &raw.sites, unread);
    let categories = categories(&mut c, &raw.categories, &site_refs, &policy, unread);
    let known = Categories {
        site: categories
            .iter()
            .map(|k| (k.id.0.clone(), k.site.clone()))
            .collect(),
        unread,
    };
    let windows = windows(&mut c, &raw.windows, &site_refs, &known);
    served(&mut c, &raw.categories, &raw.windows, unread);
    let green_groups = green_groups(&mut c, &raw.green_groups);
    let sessions = sessions(&mut c, &raw.sessions, &site_refs, unread);
    if let Some(rc) = &raw.centre
        && !unread.policy
    {
        day_change(&mut c, rc, &policy, &sessions);
    }
    let matters = matters(&mut c, &raw.matters, &site_refs, &known);

    let (centre, tz) = centre?;
    let tz = tz?;
    if !c.problems.is_empty() {
        return None;
    }
    let index = index(&sites, &categories, &windows, &matters, &green_groups);
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

/// `[centre]`, which is required; with the time zone, unless it is unknown.
/// Whether its day change suits the sessions is [`day_change`]'s to say.
fn centre(
    c: &mut Check<'_>,
    raw: Option<&(usize, Range<usize>, RawCentre)>,
    unread: &Unread,
) -> Option<(Centre, Option<TimeZone>)> {
    let Some(&(centre_no, _, ref rc)) = raw else {
        if !unread.centre {
            c.at(
                0,
                0..0,
                "centre",
                "missing [centre] section (name, timezone, day_change)",
            );
        }
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
        None => Some(DEFAULT_DAY_CHANGE),
    };
    let centre = Centre {
        name: rc.name.clone(),
        name_en: rc.name_en.clone(),
        phone: rc.phone.clone(),
        address: rc.address.clone(),
        timezone: tz_name,
        day_change: day_change.unwrap_or(DEFAULT_DAY_CHANGE),
        notice: rc.notice.clone(),
        notice_en: rc.notice_en.clone(),
    };
    Some((centre, tz))
}

/// `[policy]`: every setting has a default, so nothing can be wrong.
fn policy(raw: Option<RawPolicy>) -> Policy {
    let rp = raw.unwrap_or_default();
    Policy {
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
    }
}

/// `[calendar]` from every file that has one: closed and working dates.
fn calendar(c: &mut Check<'_>, raw: &[(usize, RawCalendar)]) -> Calendar {
    let mut calendar = Calendar::default();
    for &(no, ref cal) in raw {
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
    calendar
}

/// The sites defined, for checking the other sections' references to them.
/// Sites whose entry could not be read count as defined: their entry has
/// been reported already.
pub(super) struct SiteRefs {
    ids: HashSet<String>,
    /// The first site listed: the site of entries that name none.
    main: String,
}

impl SiteRefs {
    /// The site an entry names in `field` (or the main site when it names
    /// none), reporting it when no such site is defined.
    pub(super) fn get(
        &self,
        c: &mut Check<'_>,
        no: usize,
        site: Option<&Str>,
        field: String,
    ) -> SiteId {
        match site {
            Some(s) if !self.ids.contains(s.get_ref()) => {
                c.at(
                    no,
                    s.span(),
                    field,
                    format!("unknown site `{}`", s.get_ref()),
                );
                SiteId(s.get_ref().clone())
            }
            Some(s) => SiteId(s.get_ref().clone()),
            None => SiteId(self.main.clone()),
        }
    }
}

/// `[[sites]]`: at least one, ids unique, parents defined.
fn sites(c: &mut Check<'_>, raw: &Entries<RawSite>, unread: &Unread) -> (Vec<Site>, SiteRefs) {
    let mut seen = HashSet::new();
    let mut sites = Vec::new();
    for &(no, i, ref s) in raw {
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
    if raw.is_empty() && !unread.any("sites") {
        c.at(
            0,
            0..0,
            "sites",
            "no [[sites]]: at least the main hall is needed",
        );
    }
    seen.extend(unread.ids("sites").map(|(_, _, id)| id.to_owned()));
    for &(no, i, ref s) in raw {
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
    // The main site is the first listed, read or not, so that entries
    // naming no site do not move to another one.
    let main = raw
        .iter()
        .map(|&(no, i, ref s)| (no, i, s.id.get_ref().as_str()))
        .chain(unread.ids("sites"))
        .min_by_key(|&(no, i, _)| (no, i))
        .map(|(_, _, id)| id.to_owned())
        .unwrap_or_default();
    let refs = SiteRefs { ids: seen, main };
    (sites, refs)
}

/// `[[categories]]`: at least one; ids and ticket prefixes unique, sites
/// defined, quota and service time sensible.
fn categories(
    c: &mut Check<'_>,
    raw: &Entries<RawCategory>,
    sites: &SiteRefs,
    policy: &Policy,
    unread: &Unread,
) -> Vec<Category> {
    let mut seen = HashSet::new();
    let mut prefixes: HashMap<String, String> = HashMap::new();
    let mut categories = Vec::new();
    for &(no, i, ref rc) in raw {
        let site = sites.get(c, no, rc.site.as_ref(), format!("categories[{i}].site"));
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
    if raw.is_empty() && !unread.any("categories") {
        c.at(0, 0..0, "categories", "no [[categories]]");
    }
    categories
}

/// The categories defined, for checking the references of windows and
/// matters to them.
struct Categories<'a> {
    /// Each read category's site.
    site: HashMap<String, SiteId>,
    /// Categories whose entry could not be read count as defined: their
    /// entry has been reported already.
    unread: &'a Unread,
}

/// What a reference to a category finds.
enum Found<'a> {
    /// A category read, at this site.
    At(&'a SiteId),
    /// A category whose entry could not be read.
    Unread,
    /// No such category.
    Unknown,
}

impl Categories<'_> {
    fn find(&self, id: &str) -> Found<'_> {
        match self.site.get(id) {
            Some(site) => Found::At(site),
            None if self.unread.has("categories", id) => Found::Unread,
            None => Found::Unknown,
        }
    }
}

/// `[[windows]]`, each a `number` or a range of `numbers`: numbers unique,
/// categories defined, at the window's site and listed once. Returned in
/// number order.
fn windows(
    c: &mut Check<'_>,
    raw: &Entries<RawWindow>,
    sites: &SiteRefs,
    known: &Categories<'_>,
) -> Vec<Window> {
    let mut windows: Vec<Window> = Vec::new();
    let mut numbers: HashMap<u32, usize> = HashMap::new();
    for &(no, i, ref rw) in raw {
        let field = |f: &str| format!("windows[{i}].{f}");
        let site = sites.get(c, no, rw.site.as_ref(), field("site"));
        let range = window_numbers(c, no, i, rw);
        let cats = window_categories(c, no, i, rw, &site, known);
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
            if let Some(cats) = &cats {
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
    windows
}

/// The first and last number of `windows[i]`, with the span to report
/// problems with them at.
fn window_numbers(
    c: &mut Check<'_>,
    no: usize,
    i: usize,
    rw: &RawWindow,
) -> Option<(u32, u32, Range<usize>)> {
    let field = |f: &str| format!("windows[{i}].{f}");
    match (&rw.number, &rw.numbers) {
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
    }
}

/// The categories `windows[i]` serves, primary then overflow, or `None`
/// when the list has a problem (the window is then left out).
fn window_categories(
    c: &mut Check<'_>,
    no: usize,
    i: usize,
    rw: &RawWindow,
    site: &SiteId,
    known: &Categories<'_>,
) -> Option<Vec<CategoryId>> {
    let field = |f: &str| format!("windows[{i}].{f}");
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
        let id = CategoryId(name.get_ref().clone());
        match known.find(name.get_ref()) {
            Found::Unknown => {
                c.at(
                    no,
                    name.span(),
                    f,
                    format!("unknown category `{}`", name.get_ref()),
                );
                list_ok = false;
            }
            Found::At(s) if s != site => {
                c.at(
                    no,
                    name.span(),
                    f,
                    format!(
                        "category `{}` belongs to site `{s}`, not to this window's site `{site}`",
                        name.get_ref()
                    ),
                );
                list_ok = false;
            }
            _ if cats.contains(&id) => {
                c.at(
                    no,
                    name.span(),
                    f,
                    format!("category `{}` listed twice", name.get_ref()),
                );
                list_ok = false;
            }
            Found::At(_) | Found::Unread => cats.push(id),
        }
    }
    list_ok.then_some(cats)
}

/// Every category is served by some window, or its tickets would never be
/// called. Windows count as written, so that a window with a problem of
/// its own does not add one to each category it serves; when a window could
/// not be read at all, it might serve any of them.
fn served(
    c: &mut Check<'_>,
    raw: &Entries<RawCategory>,
    windows: &Entries<RawWindow>,
    unread: &Unread,
) {
    if unread.any("windows") {
        return;
    }
    for &(no, i, ref rc) in raw {
        let id = rc.id.get_ref();
        let serves = |w: &RawWindow| {
            w.categories
                .get_ref()
                .iter()
                .chain(&w.overflow)
                .any(|k| k.get_ref() == id)
        };
        if !windows.iter().any(|(_, _, w)| serves(w)) {
            c.at(
                no,
                rc.id.span(),
                format!("categories[{i}].id"),
                format!("no window serves category `{id}`: its tickets would never be called"),
            );
        }
    }
}

/// `[[green_groups]]`: ids unique.
fn green_groups(c: &mut Check<'_>, raw: &Entries<RawGroup>) -> Vec<GreenGroup> {
    let mut seen = HashSet::new();
    let mut green_groups = Vec::new();
    for &(no, i, ref g) in raw {
        if let Some(id) = c.id(no, &g.id, &format!("green_groups[{i}].id"), &mut seen) {
            green_groups.push(GreenGroup {
                id: GroupId(id),
                name: g.name.clone(),
                name_en: g.name_en.clone(),
            });
        }
    }
    green_groups
}

/// `[[matters]]`: ids valid and unique, categories and sites defined,
/// materials named. A matter is offered at its category's site unless it
/// lists sites.
fn matters(
    c: &mut Check<'_>,
    raw: &Entries<RawMatter>,
    sites: &SiteRefs,
    known: &Categories<'_>,
) -> Vec<Matter> {
    let mut seen = HashSet::new();
    let mut matters = Vec::new();
    for &(no, i, ref rm) in raw {
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
        // Without its category the matter's site is not known; its sites
        // and materials are checked all the same.
        let site = match known.find(rm.category.get_ref()) {
            Found::At(site) => Some(site),
            // The category's entry is reported already.
            Found::Unread => None,
            Found::Unknown => {
                c.at(
                    no,
                    rm.category.span(),
                    field("category"),
                    format!("unknown category `{}`", rm.category.get_ref()),
                );
                None
            }
        };
        let mut msites = Vec::new();
        for s in &rm.sites {
            msites.push(sites.get(c, no, Some(s), field("sites")));
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
        let Some(site) = site else {
            continue;
        };
        if msites.is_empty() {
            msites.push(site.clone());
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
    matters
}

/// Positions by id, for the hall's lookups.
fn index(
    sites: &[Site],
    categories: &[Category],
    windows: &[Window],
    matters: &[Matter],
    green_groups: &[GreenGroup],
) -> Index {
    fn positions<K: std::hash::Hash + Eq, T>(
        items: &[T],
        key: impl Fn(&T) -> K,
    ) -> HashMap<K, usize> {
        items.iter().enumerate().map(|(i, t)| (key(t), i)).collect()
    }
    Index {
        sites: positions(sites, |s| s.id.clone()),
        categories: positions(categories, |c| c.id.clone()),
        windows: positions(windows, |w| w.number),
        matters: positions(matters, |m| m.id.clone()),
        groups: positions(green_groups, |g| g.id.clone()),
    }
}

//! `GET /api/hall`: the hall's configuration as its clients read it.
//!
//! [`Hall`] is built from TOML and only serialises (its calendar questions
//! need the time zone and indexes the loader makes). [`HallView`] is the
//! same data as plain wire types, `Serialize` and `Deserialize`, so the
//! server answers `/api/hall` with it and the kiosk, the display and the
//! printer read that answer into it: one shape, defined once. It
//! serialises byte for byte as [`Hall`] does (a test checks), so the API
//! did not change when the view was introduced.
//!
//! The field documentation is on the hall model's types ([`Centre`],
//! [`Site`], …); the views here repeat their fields one to one and say
//! only what differs.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::hall::{
    Calendar, Category, Centre, GreenGroup, Hall, Issuing, Material, Matter, MatterKind, Policy,
    Session, Site, SiteKind, Window,
};
use crate::ids::{CategoryId, GroupId, MatterId, SiteId, WindowNo};

/// `GET /api/hall`: the whole configuration of the hall, as [`Hall`]
/// serialises it. Lookups are linear: a hall has at most a few hundred
/// matters, and clients look things up when a visitor taps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HallView {
    /// The centre and its hall-wide settings.
    pub centre: CentreView,
    /// Dispatch and lifecycle rules.
    pub policy: PolicyView,
    /// Holidays and make-up working days.
    pub calendar: CalendarView,
    /// Sites, the main hall first.
    pub sites: Vec<SiteView>,
    /// Categories, in the order kiosks show them.
    pub categories: Vec<CategoryView>,
    /// Windows in number order.
    pub windows: Vec<HallWindowView>,
    /// The matter catalogue.
    pub matters: Vec<MatterView>,
    /// Green-channel groups, in the order kiosks offer them.
    pub green_groups: Vec<GreenGroupView>,
    /// Opening sessions.
    pub sessions: Vec<SessionView>,
}

/// The centre, field by field as [`Centre`] documents it.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CentreView {
    pub name: String,
    pub name_en: String,
    pub phone: String,
    pub address: String,
    /// IANA zone name; [`HallView::tz`] resolves it.
    pub timezone: String,
    pub day_change: Time,
    pub notice: String,
    pub notice_en: String,
}

/// The dispatch rules, field by field as [`Policy`] documents them.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyView {
    pub max_recalls: u32,
    pub no_show_after_s: u32,
    pub reactivations: u32,
    pub priority_bound: u32,
    pub overflow_after_min: u32,
    pub appointment_early_min: u32,
    pub appointment_late_min: u32,
    pub issue_before_open_min: u32,
    pub guide_desk_outside_sessions: bool,
    pub appointments_outside_sessions: bool,
    pub expire_after_close_min: u32,
    pub green_quota_exempt: bool,
}

/// Holidays, field by field as [`Calendar`] documents them.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarView {
    pub closed: Vec<Date>,
    pub working: Vec<Date>,
}

/// A site, field by field as [`Site`] documents it.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: SiteId,
    pub name: String,
    pub name_en: String,
    pub kind: SiteKind,
    pub parent: Option<SiteId>,
    pub address: String,
    pub phone: String,
}

/// A category, field by field as [`Category`] documents it.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryView {
    pub id: CategoryId,
    pub prefix: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    pub site: SiteId,
    pub area: String,
    pub warn_wait_min: u32,
    pub warn_handle_min: u32,
    pub daily_quota: Option<u32>,
    pub service_min: f64,
    pub overflow_after_min: u32,
    pub assumed: bool,
}

/// A window as configured, field by field as [`Window`] documents it; its
/// live state (open, paused, the ticket in hand) is [`super::WindowView`].
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HallWindowView {
    pub number: WindowNo,
    pub site: SiteId,
    pub categories: Vec<CategoryId>,
    pub primary: usize,
    pub label: String,
    pub department: String,
}

/// A matter, with everything its notification slip prints; field by field
/// as [`Matter`] documents it.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterView {
    pub id: MatterId,
    pub name: String,
    pub name_en: String,
    pub category: CategoryId,
    pub kind: MatterKind,
    pub department: String,
    pub materials: Vec<Material>,
    pub promised_days: u32,
    pub legal_days: Option<u32>,
    pub fee: String,
    pub legal_basis: String,
    pub sites: Vec<SiteId>,
    pub phone: String,
    pub notes: Vec<String>,
    pub online: bool,
}

/// A green-channel group, field by field as [`GreenGroup`] documents it.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GreenGroupView {
    pub id: GroupId,
    pub name: String,
    pub name_en: String,
}

/// An opening session, field by field as [`Session`] documents it.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub name: String,
    pub name_en: String,
    /// Weekdays it applies to, on the wire as `"mon"` … `"sun"`.
    #[serde(with = "weekday_names")]
    pub days: Vec<Weekday>,
    pub start: Time,
    pub end: Time,
    pub issuing: Issuing,
    pub stop_issuing_before_end_min: u32,
    pub extended: bool,
    pub sites: Vec<SiteId>,
}

impl HallView {
    /// The main site (the first one); `None` only for a view without sites,
    /// which the server never sends.
    pub fn main_site(&self) -> Option<&SiteView> {
        self.sites.first()
    }

    /// A site by id.
    pub fn site(&self, id: &SiteId) -> Option<&SiteView> {
        self.sites.iter().find(|s| &s.id == id)
    }

    /// A category by id.
    pub fn category(&self, id: &CategoryId) -> Option<&CategoryView> {
        self.categories.iter().find(|c| &c.id == id)
    }

    /// A matter by id.
    pub fn matter(&self, id: &MatterId) -> Option<&MatterView> {
        self.matters.iter().find(|m| &m.id == id)
    }

    /// A green-channel group by id.
    pub fn green_group(&self, id: &GroupId) -> Option<&GreenGroupView> {
        self.green_groups.iter().find(|g| &g.id == id)
    }

    /// Matters a category accepts, in catalogue order: its own and, for a
    /// site's first category, those delegated to the site (the rule of
    /// [`crate::Hall::offers`]).
    pub fn matters_of<'a>(
        &'a self,
        category: &'a CategoryId,
    ) -> impl Iterator<Item = &'a MatterView> {
        self.matters
            .iter()
            .filter(move |m| self.offers(category, m))
    }

    /// Whether `category` accepts `matter` (see [`crate::Hall::offers`]).
    pub fn offers(&self, category: &CategoryId, matter: &MatterView) -> bool {
        if &matter.category == category {
            return true;
        }
        let Some(c) = self.category(category) else {
            return false;
        };
        let first = self.categories.iter().find(|k| k.site == c.site);
        crate::hall::delegated_to(
            self.category(&matter.category).map(|h| &h.site),
            &matter.sites,
            &c.site,
            first.is_some_and(|f| f.id == c.id),
        )
    }

    /// The categories served at `site` (the main site's when `None`), in
    /// order: what a kiosk standing there offers.
    pub fn categories_at<'a>(
        &'a self,
        site: Option<&'a SiteId>,
    ) -> impl Iterator<Item = &'a CategoryView> {
        let site = site.or(self.main_site().map(|s| &s.id));
        self.categories
            .iter()
            .filter(move |c| Some(&c.site) == site)
    }

    /// The hall's time zone. The server checked the name when it loaded the
    /// hall; a name this build's time zone database lacks falls back to
    /// Asia/Shanghai, where the halls are.
    pub fn tz(&self) -> TimeZone {
        TimeZone::get(&self.centre.timezone)
            .or_else(|_| TimeZone::get("Asia/Shanghai"))
            .unwrap_or(TimeZone::UTC)
    }
}

impl From<&Hall> for HallView {
    fn from(hall: &Hall) -> HallView {
        HallView {
            centre: CentreView::from(&hall.centre),
            policy: PolicyView::from(&hall.policy),
            calendar: CalendarView::from(&hall.calendar),
            sites: hall.sites.iter().map(SiteView::from).collect(),
            categories: hall.categories.iter().map(CategoryView::from).collect(),
            windows: hall.windows.iter().map(HallWindowView::from).collect(),
            matters: hall.matters.iter().map(MatterView::from).collect(),
            green_groups: hall.green_groups.iter().map(GreenGroupView::from).collect(),
            sessions: hall.sessions.iter().map(SessionView::from).collect(),
        }
    }
}

impl From<&Centre> for CentreView {
    fn from(c: &Centre) -> CentreView {
        CentreView {
            name: c.name.clone(),
            name_en: c.name_en.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            timezone: c.timezone.clone(),
            day_change: c.day_change,
            notice: c.notice.clone(),
            notice_en: c.notice_en.clone(),
        }
    }
}

impl From<&Policy> for PolicyView {
    fn from(p: &Policy) -> PolicyView {
        PolicyView {
            max_recalls: p.max_recalls,
            no_show_after_s: p.no_show_after_s,
            reactivations: p.reactivations,
            priority_bound: p.priority_bound,
            overflow_after_min: p.overflow_after_min,
            appointment_early_min: p.appointment_early_min,
            appointment_late_min: p.appointment_late_min,
            issue_before_open_min: p.issue_before_open_min,
            guide_desk_outside_sessions: p.guide_desk_outside_sessions,
            appointments_outside_sessions: p.appointments_outside_sessions,
            expire_after_close_min: p.expire_after_close_min,
            green_quota_exempt: p.green_quota_exempt,
        }
    }
}

impl From<&Calendar> for CalendarView {
    fn from(c: &Calendar) -> CalendarView {
        CalendarView {
            closed: c.closed.clone(),
            working: c.working.clone(),
        }
    }
}

impl From<&Site> for SiteView {
    fn from(s: &Site) -> SiteView {
        SiteView {
            id: s.id.clone(),
            name: s.name.clone(),
            name_en: s.name_en.clone(),
            kind: s.kind,
            parent: s.parent.clone(),
            address: s.address.clone(),
            phone: s.phone.clone(),
        }
    }
}

impl From<&Category> for CategoryView {
    fn from(c: &Category) -> CategoryView {
        CategoryView {
            id: c.id.clone(),
            prefix: c.prefix.clone(),
            name: c.name.clone(),
            name_en: c.name_en.clone(),
            description: c.description.clone(),
            description_en: c.description_en.clone(),
            site: c.site.clone(),
            area: c.area.clone(),
            warn_wait_min: c.warn_wait_min,
            warn_handle_min: c.warn_handle_min,
            daily_quota: c.daily_quota,
            service_min: c.service_min,
            overflow_after_min: c.overflow_after_min,
            assumed: c.assumed,
        }
    }
}

impl From<&Window> for HallWindowView {
    fn from(w: &Window) -> HallWindowView {
        HallWindowView {
            number: w.number,
            site: w.site.clone(),
            categories: w.categories.clone(),
            primary: w.primary,
            label: w.label.clone(),
            department: w.department.clone(),
        }
    }
}

impl From<&Matter> for MatterView {
    fn from(m: &Matter) -> MatterView {
        MatterView {
            id: m.id.clone(),
            name: m.name.clone(),
            name_en: m.name_en.clone(),
            category: m.category.clone(),
            kind: m.kind,
            department: m.department.clone(),
            materials: m.materials.clone(),
            promised_days: m.promised_days,
            legal_days: m.legal_days,
            fee: m.fee.clone(),
            legal_basis: m.legal_basis.clone(),
            sites: m.sites.clone(),
            phone: m.phone.clone(),
            notes: m.notes.clone(),
            online: m.online,
        }
    }
}

impl From<&GreenGroup> for GreenGroupView {
    fn from(g: &GreenGroup) -> GreenGroupView {
        GreenGroupView {
            id: g.id.clone(),
            name: g.name.clone(),
            name_en: g.name_en.clone(),
        }
    }
}

impl From<&Session> for SessionView {
    fn from(s: &Session) -> SessionView {
        SessionView {
            name: s.name.clone(),
            name_en: s.name_en.clone(),
            days: s.days.clone(),
            start: s.start,
            end: s.end,
            issuing: s.issuing,
            stop_issuing_before_end_min: s.stop_issuing_before_end_min,
            extended: s.extended,
            sites: s.sites.clone(),
        }
    }
}

/// Weekdays as the hall's JSON writes them: `"mon"` … `"sun"`.
mod weekday_names {
    use jiff::civil::Weekday;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    const NAMES: [(Weekday, &str); 7] = [
        (Weekday::Monday, "mon"),
        (Weekday::Tuesday, "tue"),
        (Weekday::Wednesday, "wed"),
        (Weekday::Thursday, "thu"),
        (Weekday::Friday, "fri"),
        (Weekday::Saturday, "sat"),
        (Weekday::Sunday, "sun"),
    ];

    fn name(day: Weekday) -> &'static str {
        NAMES.iter().find(|(d, _)| *d == day).map_or("", |(_, n)| n)
    }

    pub(super) fn serialize<S: Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(days.iter().map(|d| name(*d)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| {
                NAMES
                    .iter()
                    .find(|(_, n)| n == text)
                    .map(|(day, _)| *day)
                    .ok_or_else(|| {
                        D::Error::custom(format!("`{text}` is not a weekday (mon … sun)"))
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, SourceFile};

    fn default_hall() -> Hall {
        let main = SourceFile {
            name: "assets/hall.toml".into(),
            text: include_str!("../../../assets/hall.toml").into(),
        };
        config::load(main, |name| match name {
            "matters.toml" => Ok(include_str!("../../../assets/matters.toml").into()),
            other => Err(format!("unexpected include {other}")),
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// `/api/hall` did not change when the server began answering with the
    /// view instead of the hall: same values, same field order, same bytes.
    #[test]
    fn the_view_serialises_exactly_as_the_hall() {
        let hall = default_hall();
        let view = HallView::from(&hall);
        assert_eq!(
            serde_json::to_value(&view).unwrap(),
            serde_json::to_value(&hall).unwrap()
        );
        assert_eq!(
            String::from_utf8(serde_json::to_vec(&view).unwrap()).unwrap(),
            String::from_utf8(serde_json::to_vec(&hall).unwrap()).unwrap()
        );
    }

    /// What the server sends, the clients read back whole.
    #[test]
    fn the_view_round_trips_through_json() {
        let view = HallView::from(&default_hall());
        let json = serde_json::to_vec(&view).unwrap();
        let back: HallView = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, view);
        assert_eq!(serde_json::to_vec(&back).unwrap(), json);
    }

    #[test]
    fn lookups_find_what_the_hall_finds() {
        let hall = default_hall();
        let view = HallView::from(&hall);
        assert_eq!(view.main_site().unwrap().id, hall.main_site().id);
        for m in &hall.matters {
            assert_eq!(view.matter(&m.id), Some(&MatterView::from(m)));
        }
        let c = &hall.categories[0].id;
        assert_eq!(view.matters_of(c).count(), hall.matters_of(c).count());
        assert!(
            view.categories_at(None)
                .all(|c| c.site == hall.main_site().id)
        );
        assert_eq!(view.tz(), *hall.tz());
    }

    #[test]
    fn an_unknown_weekday_is_refused() {
        let hall = default_hall();
        let mut json = serde_json::to_value(HallView::from(&hall)).unwrap();
        json["sessions"][0]["days"][0] = "monday".into();
        let err = serde_json::from_value::<HallView>(json).unwrap_err();
        assert!(
            err.to_string().contains("`monday` is not a weekday"),
            "{err}"
        );
    }
}

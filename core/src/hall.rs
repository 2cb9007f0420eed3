//! The hall model: sites, categories, windows, matters, green-channel
//! groups, opening sessions and the dispatch policy. Built and validated by
//! [`crate::config`]; read-only afterwards.

use std::collections::HashMap;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::ids::{CategoryId, GroupId, MatterId, SiteId, WindowNo};
use crate::ticket::Channel;

/// The centre that runs the halls, and hall-wide settings.
#[derive(Debug, Clone, Serialize)]
pub struct Centre {
    /// Name printed on tickets and shown on displays.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Public telephone number for enquiries.
    pub phone: String,
    /// Street address.
    pub address: String,
    /// IANA time zone name; `Asia/Shanghai` by default.
    pub timezone: String,
    /// Local time at which the business day (and ticket numbering) changes.
    pub day_change: Time,
    /// Notice scrolled on wall displays.
    pub notice: String,
    /// English notice.
    pub notice_en: String,
}

/// Rules of the dispatcher and the ticket lifecycle.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Recalls allowed after the first call before a ticket may be given up.
    pub max_recalls: u32,
    /// Seconds after the last recall at which an unanswered call becomes a
    /// no-show on its own.
    pub no_show_after_s: u32,
    /// How many times a no-show ticket may be re-activated.
    pub reactivations: u32,
    /// At most this many priority calls (green channel, appointments) in a
    /// row at one window while normal tickets wait for it.
    pub priority_bound: u32,
    /// Default minutes a ticket waits before windows with its category as
    /// overflow start calling it.
    pub overflow_after_min: u32,
    /// Minutes before its slot that an appointment counts as due.
    pub appointment_early_min: u32,
    /// Minutes after its slot's end that a check-in still counts as an
    /// appointment (later arrivals queue as normal tickets).
    pub appointment_late_min: u32,
    /// Minutes before the first session that kiosks may already issue.
    pub issue_before_open_min: u32,
    /// Whether the guide desk may issue outside opening sessions.
    pub guide_desk_outside_sessions: bool,
    /// Whether appointments may check in outside opening sessions.
    pub appointments_outside_sessions: bool,
    /// Minutes after the day's last session ends that waiting tickets are
    /// closed as expired.
    pub expire_after_close_min: u32,
    /// Whether green-channel tickets are issued even when a category's daily
    /// quota is reached.
    pub green_quota_exempt: bool,
}

/// What kind of place a site is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// The county centre's main hall.
    Hall,
    /// A sub-centre under the centre's supervision (分中心).
    SubCentre,
    /// A town service centre (镇便民服务中心).
    Town,
    /// A community service point (社区).
    Community,
    /// A village service point (村代办点).
    Village,
}

/// A place with windows.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// The id other sections and the API refer to it by.
    pub id: SiteId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Kind of site.
    pub kind: SiteKind,
    /// The site supervising this one, if any.
    pub parent: Option<SiteId>,
    /// Street address.
    pub address: String,
    /// Telephone.
    pub phone: String,
}

/// A service category, with its ticket prefix.
#[derive(Debug, Clone, Serialize)]
pub struct Category {
    /// The id windows, matters and the API refer to it by.
    pub id: CategoryId,
    /// Ticket prefix (one or two capital letters).
    pub prefix: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Short description for the kiosk button.
    pub description: String,
    /// English description.
    pub description_en: String,
    /// The site whose windows serve it.
    pub site: SiteId,
    /// Where in the hall its windows are ("A 区 1–8 号窗口").
    pub area: String,
    /// Minutes of waiting after which a yellow card is raised.
    pub warn_wait_min: u32,
    /// Minutes of handling after which a yellow card is raised.
    pub warn_handle_min: u32,
    /// Tickets per day, if limited.
    pub daily_quota: Option<u32>,
    /// Expected mean service time in minutes, until measured.
    pub service_min: f64,
    /// Minutes of waiting before overflow windows help.
    pub overflow_after_min: u32,
    /// True where the seed does not name the category and it was assumed.
    pub assumed: bool,
}

/// A service window.
#[derive(Debug, Clone, Serialize)]
pub struct Window {
    /// Number as citizens see it.
    pub number: WindowNo,
    /// Site it stands in.
    pub site: SiteId,
    /// Categories it serves, primary ones first, then overflow ones.
    pub categories: Vec<CategoryId>,
    /// How many of `categories` are primary.
    pub primary: usize,
    /// Optional label ("综合受理窗口").
    pub label: String,
    /// Department that staffs it.
    pub department: String,
}

impl Window {
    /// The primary categories.
    pub fn primary(&self) -> &[CategoryId] {
        &self.categories[..self.primary]
    }

    /// The overflow categories.
    pub fn overflow(&self) -> &[CategoryId] {
        &self.categories[self.primary..]
    }

    /// Whether the window serves `category` at all.
    pub fn serves(&self, category: &CategoryId) -> bool {
        self.categories.contains(category)
    }
}

/// The three kinds of matter in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatterKind {
    /// 审批 (administrative approval).
    Approval,
    /// 公共服务 (public service).
    PublicService,
    /// 便民服务 (convenience service).
    Convenience,
}

impl MatterKind {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            MatterKind::Approval => "审批",
            MatterKind::PublicService => "公共服务",
            MatterKind::Convenience => "便民服务",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            MatterKind::Approval => "Approval",
            MatterKind::PublicService => "Public service",
            MatterKind::Convenience => "Convenience service",
        }
    }
}

/// One document a matter needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Material {
    /// Name of the document.
    pub name: String,
    /// Originals to bring (shown, usually returned).
    #[serde(default)]
    pub originals: u32,
    /// Copies to hand in.
    #[serde(default)]
    pub copies: u32,
    /// Who issues the document, if the visitor must fetch it elsewhere.
    #[serde(default)]
    pub source: String,
    /// Remarks ("需本人签字", "如有").
    #[serde(default)]
    pub note: String,
    /// False for documents needed only in some cases.
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// An administrative matter and everything a visitor must know about it.
#[derive(Debug, Clone, Serialize)]
pub struct Matter {
    /// The id tickets and the API refer to it by (`TZXM-001`).
    pub id: MatterId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Category whose windows accept it.
    pub category: CategoryId,
    /// Kind of matter.
    pub kind: MatterKind,
    /// Responsible department.
    pub department: String,
    /// Every required document.
    pub materials: Vec<Material>,
    /// Promised time limit in working days (0: done on the spot, 即办).
    pub promised_days: u32,
    /// Statutory time limit in working days, if any.
    pub legal_days: Option<u32>,
    /// Fee, as printed ("不收费", "按件收取 80 元").
    pub fee: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Sites that offer it.
    pub sites: Vec<SiteId>,
    /// Enquiry telephone.
    pub phone: String,
    /// Further notes printed on the notification slip.
    pub notes: Vec<String>,
    /// Whether it can be applied for online (双轨).
    pub online: bool,
}

/// A green-channel group (老、弱、病、残、军).
#[derive(Debug, Clone, Serialize)]
pub struct GreenGroup {
    /// The id a green-channel ticket names its group by.
    pub id: GroupId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
}

/// Who may issue tickets during a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Issuing {
    /// Kiosks, guide desk and appointments.
    All,
    /// Only the guide desk (and appointments), e.g. during extended hours.
    GuideDesk,
    /// Nobody: windows finish the queue.
    None,
}

/// An opening session ("上午 9:00–12:00").
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Weekdays it applies to.
    #[serde(serialize_with = "weekday_names")]
    pub days: Vec<Weekday>,
    /// Local start time.
    pub start: Time,
    /// Local end time.
    pub end: Time,
    /// Who may issue tickets.
    pub issuing: Issuing,
    /// Kiosk issuing stops this many minutes before the end.
    pub stop_issuing_before_end_min: u32,
    /// Extended-hours service (延时服务).
    pub extended: bool,
    /// Sites it applies to; empty means all.
    pub sites: Vec<SiteId>,
}

impl Session {
    fn applies(&self, site: &SiteId, weekday: Weekday) -> bool {
        self.days.contains(&weekday) && (self.sites.is_empty() || self.sites.contains(site))
    }
}

/// Public holidays and make-up working days (调休).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Calendar {
    /// Dates on which the hall is closed although they are weekdays.
    pub closed: Vec<Date>,
    /// Dates on which the hall works on a weekend, with Monday's sessions
    /// unless `working_as` says otherwise.
    pub working: Vec<Date>,
}

/// The whole validated configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Hall {
    /// The centre's name, contacts, notice, time zone and day change.
    pub centre: Centre,
    /// Dispatch and lifecycle rules.
    pub policy: Policy,
    /// Holidays and make-up working days.
    pub calendar: Calendar,
    /// Sites, the main hall first.
    pub sites: Vec<Site>,
    /// Service categories, in the order they are configured.
    pub categories: Vec<Category>,
    /// Windows in number order.
    pub windows: Vec<Window>,
    /// The matter catalogue.
    pub matters: Vec<Matter>,
    /// Green-channel groups.
    pub green_groups: Vec<GreenGroup>,
    /// Opening sessions.
    pub sessions: Vec<Session>,
    #[serde(skip)]
    pub(crate) tz: TimeZone,
    #[serde(skip)]
    pub(crate) index: Index,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) sites: HashMap<SiteId, usize>,
    pub(crate) categories: HashMap<CategoryId, usize>,
    pub(crate) windows: HashMap<WindowNo, usize>,
    pub(crate) matters: HashMap<MatterId, usize>,
    pub(crate) groups: HashMap<GroupId, usize>,
}

/// Whether a channel may issue right now, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Issuing is allowed.
    Open,
    /// The hall is closed; it next opens at the given instant (if known
    /// within a fortnight).
    Closed {
        /// When issuing opens again.
        next_open: Option<Timestamp>,
    },
    /// Only the guide desk issues now.
    GuideDeskOnly,
}

impl Hall {
    /// The hall's time zone.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// A site by id.
    pub fn site(&self, id: &SiteId) -> Option<&Site> {
        self.index.sites.get(id).map(|&i| &self.sites[i])
    }

    /// A category by id.
    pub fn category(&self, id: &CategoryId) -> Option<&Category> {
        self.index.categories.get(id).map(|&i| &self.categories[i])
    }

    /// A window by number.
    pub fn window(&self, number: WindowNo) -> Option<&Window> {
        self.index.windows.get(&number).map(|&i| &self.windows[i])
    }

    /// A matter by id.
    pub fn matter(&self, id: &MatterId) -> Option<&Matter> {
        self.index.matters.get(id).map(|&i| &self.matters[i])
    }

    /// A green-channel group by id.
    pub fn green_group(&self, id: &GroupId) -> Option<&GreenGroup> {
        self.index.groups.get(id).map(|&i| &self.green_groups[i])
    }

    /// Position of a category in `categories` (dense index for tables).
    pub fn category_index(&self, id: &CategoryId) -> Option<usize> {
        self.index.categories.get(id).copied()
    }

    /// Matters a category accepts, in catalogue order (see [`Hall::offers`]).
    pub fn matters_of<'a>(&'a self, category: &'a CategoryId) -> impl Iterator<Item = &'a Matter> {
        self.matters
            .iter()
            .filter(move |m| self.offers(category, m))
    }

    /// Whether `category` accepts `matter`: its own matters, and, for the
    /// first category of a site, the matters of other sites' categories
    /// delegated to it (放权下沉: the site is in the matter's `sites`), as
    /// a town's one comprehensive category takes the county's delegated
    /// social-security matters.
    pub fn offers(&self, category: &CategoryId, matter: &Matter) -> bool {
        if &matter.category == category {
            return true;
        }
        let Some(c) = self.category(category) else {
            return false;
        };
        delegated_to(
            self.category(&matter.category).map(|h| &h.site),
            &matter.sites,
            &c.site,
            self.first_category_at(&c.site)
                .is_some_and(|f| f.id == c.id),
        )
    }

    /// The category that serves, at `site`, the matters of `category` (of
    /// another site) delegated there, if any are.
    pub fn delegated_category(&self, site: &SiteId, category: &CategoryId) -> Option<&Category> {
        let local = self.first_category_at(site)?;
        self.matters
            .iter()
            .any(|m| &m.category == category && m.sites.contains(site))
            .then_some(local)
            .filter(|local| &local.id != category)
    }

    /// A site's first configured category.
    pub fn first_category_at(&self, site: &SiteId) -> Option<&Category> {
        self.categories.iter().find(|c| &c.site == site)
    }

    /// Windows serving a category (as primary or overflow).
    pub fn windows_serving<'a>(
        &'a self,
        category: &'a CategoryId,
    ) -> impl Iterator<Item = &'a Window> {
        self.windows.iter().filter(move |w| w.serves(category))
    }

    /// The main site (the first one).
    pub fn main_site(&self) -> &Site {
        &self.sites[0]
    }

    /// Local date and time of an instant in the hall's zone.
    pub fn local(&self, at: Timestamp) -> DateTime {
        self.tz.to_datetime(at)
    }

    /// The business day an instant belongs to: the local date, shifted so
    /// that the day changes at `centre.day_change` rather than midnight.
    pub fn business_day(&self, at: Timestamp) -> Date {
        let local = self.local(at);
        if local.time() < self.centre.day_change {
            local.date().yesterday().unwrap_or(local.date())
        } else {
            local.date()
        }
    }

    /// Whether `site` has any opening session on a date.
    pub fn is_working_day(&self, site: &SiteId, date: Date) -> bool {
        !self.sessions_on(site, date).is_empty()
    }

    /// Sessions of a site on a date, in start order, as instants.
    pub fn sessions_on(&self, site: &SiteId, date: Date) -> Vec<(&Session, Timestamp, Timestamp)> {
        if self.calendar.closed.contains(&date) {
            return Vec::new();
        }
        // A make-up working day on a weekend keeps Monday's sessions.
        let weekday = if self.calendar.working.contains(&date) {
            Weekday::Monday
        } else {
            date.weekday()
        };
        let mut out: Vec<_> = self
            .sessions
            .iter()
            .filter(|s| s.applies(site, weekday))
            .filter_map(|s| {
                let start = self.tz.to_timestamp(date.to_datetime(s.start)).ok()?;
                let end = self.tz.to_timestamp(date.to_datetime(s.end)).ok()?;
                Some((s, start, end))
            })
            .collect();
        out.sort_by_key(|(_, start, _)| *start);
        out
    }

    /// The instant the business day of `at` closes at `site`: the end of its
    /// last session, or `None` on a day without sessions.
    pub fn closing(&self, site: &SiteId, day: Date) -> Option<Timestamp> {
        self.sessions_on(site, day).last().map(|(_, _, end)| *end)
    }

    /// Whether a channel may issue a ticket at `site` at instant `at`.
    pub fn opening(&self, site: &SiteId, channel: Channel, at: Timestamp) -> Opening {
        let day = self.local(at).date();
        let sessions = self.sessions_on(site, day);
        let early = i64::from(self.policy.issue_before_open_min).minutes();
        let mut guide_only = false;
        for (i, (session, start, end)) in sessions.iter().enumerate() {
            // Kiosks may open a little before the first session of the day.
            let from = if i == 0 {
                start.checked_sub(early).unwrap_or(*start)
            } else {
                *start
            };
            if at < from || at >= *end {
                continue;
            }
            let stop_kiosk = end
                .checked_sub(i64::from(session.stop_issuing_before_end_min).minutes())
                .unwrap_or(*end);
            match session.issuing {
                Issuing::All if at < stop_kiosk => return Opening::Open,
                Issuing::All | Issuing::GuideDesk => guide_only = true,
                Issuing::None => {}
            }
        }
        let outside_allowed = match channel {
            Channel::GuideDesk => guide_only || self.policy.guide_desk_outside_sessions,
            Channel::Appointment => guide_only || self.policy.appointments_outside_sessions,
            Channel::Kiosk | Channel::Online => false,
        };
        if outside_allowed {
            return Opening::Open;
        }
        if guide_only {
            return Opening::GuideDeskOnly;
        }
        Opening::Closed {
            next_open: self.next_open(site, at),
        }
    }

    fn next_open(&self, site: &SiteId, at: Timestamp) -> Option<Timestamp> {
        let today = self.local(at).date();
        let early = i64::from(self.policy.issue_before_open_min).minutes();
        for offset in 0..15 {
            let day = today.checked_add(offset.days()).ok()?;
            for (i, (session, start, _)) in self.sessions_on(site, day).iter().enumerate() {
                if session.issuing != Issuing::All {
                    continue;
                }
                let from = if i == 0 {
                    start.checked_sub(early).unwrap_or(*start)
                } else {
                    *start
                };
                if from > at {
                    return Some(from);
                }
            }
        }
        None
    }
}

/// The delegation rule of [`Hall::offers`] (and the hall view's): a matter
/// whose own category is at `home` is taken at `site` by the site's first
/// category when the matter lists the site.
pub(crate) fn delegated_to(
    home: Option<&SiteId>,
    matter_sites: &[SiteId],
    site: &SiteId,
    first_at_site: bool,
) -> bool {
    first_at_site && home != Some(site) && matter_sites.contains(site)
}

fn weekday_names<S: serde::Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(days.iter().map(|d| match d {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }))
}

//! Commands in, events out, and the typed reasons a command is refused.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::ids::{CategoryId, GroupId, MatterId, SiteId, TicketId, WindowNo};
use crate::ticket::{Appointment, Channel, Priority, Rating, Status, Ticket, TicketNumber};

/// Everything that can be asked of the hall.
#[allow(
    missing_docs,
    reason = "a variant's `window` or `ticket` is the one it acts on; other fields have docs"
)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Take a number.
    Issue(Issue),
    /// Call the next ticket for a window, or a specific one.
    Call {
        /// The calling window.
        window: WindowNo,
        /// A specific ticket to call instead of the dispatcher's choice.
        ticket: Option<TicketId>,
    },
    /// Call the window's current ticket again.
    Recall { window: WindowNo },
    /// The visitor has arrived; service starts.
    Start { window: WindowNo },
    /// Service finished (the visit moves on if it has further stops).
    Complete { window: WindowNo },
    /// The called visitor did not come (过号).
    NoShow { window: WindowNo },
    /// Move the window's current ticket to another category or window,
    /// keeping its place in line.
    Transfer {
        /// The window giving the ticket away.
        window: WindowNo,
        /// Where it goes.
        to: TransferTarget,
    },
    /// The window stops calling for a while.
    Pause {
        window: WindowNo,
        /// Why (shown to supervisors).
        reason: String,
    },
    /// The window calls again.
    Resume { window: WindowNo },
    /// Staff sign in at a window (or take it over from a colleague).
    OpenWindow {
        window: WindowNo,
        /// Who signs in (account name), if known.
        staff: Option<String>,
    },
    /// Staff sign off; the window must have no current ticket.
    CloseWindow { window: WindowNo },
    /// Put a no-show ticket back in line at its old place.
    Reactivate { ticket: TicketId },
    /// Withdraw a waiting ticket.
    Cancel { ticket: TicketId },
    /// Record the visitor's satisfaction rating for a completed visit.
    Rate {
        ticket: TicketId,
        rating: Rating,
        /// What the visitor wrote, if anything (already masked).
        comment: Option<String>,
    },
    /// Time passes: close the day, give up unanswered calls, raise yellow
    /// cards. The server sends it periodically.
    Tick,
}

/// A request for a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// The new ticket's id (unique; the server makes it unguessable).
    pub id: TicketId,
    /// Site of the kiosk or desk; the category's own site when absent.
    pub site: Option<SiteId>,
    /// Category to queue for.
    pub category: CategoryId,
    /// The matter, if the visitor chose one.
    pub matter: Option<MatterId>,
    /// Normal or green channel.
    pub priority: Priority,
    /// Where it is issued.
    pub channel: Channel,
    /// The appointment, for appointment check-ins.
    pub appointment: Option<Appointment>,
    /// Staff handle the matter for the visitor (帮办代办).
    pub assisted: bool,
    /// Further categories to visit after this one (一站式).
    pub stops: Vec<CategoryId>,
}

impl Issue {
    /// A plain kiosk ticket for a category.
    pub fn kiosk(id: impl Into<TicketId>, category: impl Into<CategoryId>) -> Issue {
        Issue {
            id: id.into(),
            site: None,
            category: category.into(),
            matter: None,
            priority: Priority::Normal,
            channel: Channel::Kiosk,
            appointment: None,
            assisted: false,
            stops: Vec::new(),
        }
    }
}

/// Where a transferred ticket goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    /// The queue of another category.
    Category(CategoryId),
    /// One specific window, which calls it before anything else.
    Window(WindowNo),
}

/// Why a yellow card was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardReason {
    /// Waiting longer than the category's threshold.
    Waiting,
    /// Handling at a window longer than the category's threshold.
    Handling,
}

/// Something that happened, with when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[allow(
    missing_docs,
    reason = "`ticket`, its `number` and `category`, `window`: what it is about; others have docs"
)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A ticket was issued.
    Issued {
        /// The new ticket, complete.
        ticket: Box<Ticket>,
    },
    /// A ticket was called to a window.
    Called {
        ticket: TicketId,
        number: TicketNumber,
        category: CategoryId,
        window: WindowNo,
        /// Green-channel ticket.
        green: bool,
    },
    /// A called ticket was called again.
    Recalled {
        ticket: TicketId,
        number: TicketNumber,
        category: CategoryId,
        window: WindowNo,
        /// Green-channel ticket.
        green: bool,
        /// How many recalls so far, from 1.
        recall: u32,
    },
    /// Service started.
    Started {
        ticket: TicketId,
        number: TicketNumber,
        window: WindowNo,
    },
    /// Service finished.
    Completed {
        ticket: TicketId,
        number: TicketNumber,
        /// The category it was served in.
        category: CategoryId,
        window: WindowNo,
        /// Service time in seconds (start to finish).
        served_s: u32,
        /// For a multi-stop visit, the category it now queues for.
        next_stop: Option<CategoryId>,
    },
    /// The called visitor did not come.
    NoShow {
        ticket: TicketId,
        number: TicketNumber,
        window: WindowNo,
        /// Given up automatically after the last recall.
        auto: bool,
    },
    /// A no-show ticket was put back in line.
    Reactivated {
        ticket: TicketId,
        number: TicketNumber,
    },
    /// A ticket moved to another queue, keeping its place.
    Transferred {
        ticket: TicketId,
        number: TicketNumber,
        /// The window that gave it away.
        from_window: WindowNo,
        /// The category it was in.
        from_category: CategoryId,
        /// Where it went.
        to: TransferTarget,
    },
    /// A waiting ticket was withdrawn.
    Cancelled {
        ticket: TicketId,
        number: TicketNumber,
    },
    /// A ticket was still waiting or called when the day closed.
    Expired {
        ticket: TicketId,
        number: TicketNumber,
        /// The status it had.
        was: Status,
    },
    /// Staff signed in at a window.
    WindowOpened {
        window: WindowNo,
        /// Who signed in (account name), if known; absent when a window
        /// opened by calling.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staff: Option<String>,
    },
    /// Staff signed off.
    WindowClosed { window: WindowNo },
    /// A window paused.
    Paused {
        window: WindowNo,
        /// Why.
        reason: String,
    },
    /// A window resumed.
    Resumed { window: WindowNo },
    /// A yellow card (黄牌): waiting or handling too long.
    YellowCard {
        ticket: TicketId,
        number: TicketNumber,
        category: CategoryId,
        /// The window, when handling.
        window: Option<WindowNo>,
        /// Waiting or handling.
        reason: CardReason,
        /// Minutes so far.
        minutes: u32,
    },
    /// A new business day began: numbering restarts.
    DayChanged {
        /// The new business day.
        day: jiff::civil::Date,
    },
    /// A site closed for the day; what still waited there has expired.
    SiteClosed {
        /// The site.
        site: SiteId,
    },
    /// The visitor rated the service.
    Rated {
        ticket: TicketId,
        /// The window that served it last.
        window: Option<WindowNo>,
        rating: Rating,
        /// What the visitor wrote, if anything: for supervisors only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
}

impl EventKind {
    /// The event's type name as in JSON (`called`, `issued` …).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Issued { .. } => "issued",
            EventKind::Called { .. } => "called",
            EventKind::Recalled { .. } => "recalled",
            EventKind::Started { .. } => "started",
            EventKind::Completed { .. } => "completed",
            EventKind::NoShow { .. } => "no_show",
            EventKind::Reactivated { .. } => "reactivated",
            EventKind::Transferred { .. } => "transferred",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::Expired { .. } => "expired",
            EventKind::WindowOpened { .. } => "window_opened",
            EventKind::WindowClosed { .. } => "window_closed",
            EventKind::Paused { .. } => "paused",
            EventKind::Resumed { .. } => "resumed",
            EventKind::YellowCard { .. } => "yellow_card",
            EventKind::Rated { .. } => "rated",
            EventKind::DayChanged { .. } => "day_changed",
            EventKind::SiteClosed { .. } => "site_closed",
        }
    }

    /// The ticket the event is about, if any.
    pub fn ticket(&self) -> Option<&TicketId> {
        match self {
            EventKind::Issued { ticket } => Some(&ticket.id),
            EventKind::Called { ticket, .. }
            | EventKind::Recalled { ticket, .. }
            | EventKind::Started { ticket, .. }
            | EventKind::Completed { ticket, .. }
            | EventKind::NoShow { ticket, .. }
            | EventKind::Reactivated { ticket, .. }
            | EventKind::Transferred { ticket, .. }
            | EventKind::Cancelled { ticket, .. }
            | EventKind::Expired { ticket, .. }
            | EventKind::YellowCard { ticket, .. }
            | EventKind::Rated { ticket, .. } => Some(ticket),
            _ => None,
        }
    }

    /// The window the event is about, if any.
    pub fn window(&self) -> Option<WindowNo> {
        match self {
            EventKind::Called { window, .. }
            | EventKind::Recalled { window, .. }
            | EventKind::Started { window, .. }
            | EventKind::Completed { window, .. }
            | EventKind::NoShow { window, .. }
            | EventKind::WindowOpened { window, .. }
            | EventKind::WindowClosed { window }
            | EventKind::Paused { window, .. }
            | EventKind::Resumed { window } => Some(*window),
            EventKind::Transferred { from_window, .. } => Some(*from_window),
            EventKind::YellowCard { window, .. } | EventKind::Rated { window, .. } => *window,
            _ => None,
        }
    }
}

/// Why a command was refused. Each is an expected outcome that the caller
/// shows to a person; nothing changed.
#[allow(
    missing_docs,
    reason = "`window`, `category` and the unknown ids are what was refused; others have docs"
)]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Rejected {
    /// No such site.
    #[error("unknown site `{site}`")]
    UnknownSite { site: SiteId },
    /// No such category.
    #[error("unknown category `{category}`")]
    UnknownCategory { category: CategoryId },
    /// The category is not served at the site.
    #[error("category `{category}` is not served at site `{site}`")]
    CategoryNotAtSite {
        category: CategoryId,
        /// The site.
        site: SiteId,
    },
    /// No such matter.
    #[error("unknown matter `{matter}`")]
    UnknownMatter { matter: MatterId },
    /// The matter belongs to another category.
    #[error("matter `{matter}` is handled in category `{expected}`, not `{category}`")]
    MatterNotInCategory {
        /// The matter.
        matter: MatterId,
        /// The category asked for.
        category: CategoryId,
        /// The matter's category.
        expected: CategoryId,
    },
    /// No such green-channel group.
    #[error("unknown green-channel group `{group}`")]
    UnknownGroup { group: GroupId },
    /// No such window.
    #[error("unknown window {window}")]
    UnknownWindow {
        /// The number given.
        window: WindowNo,
    },
    /// No such ticket (or it belongs to a closed day).
    #[error("unknown ticket `{ticket}`")]
    UnknownTicket { ticket: TicketId },
    /// The ticket id is taken or malformed.
    #[error("ticket id `{ticket}` is already used or malformed")]
    BadTicketId { ticket: TicketId },
    /// An appointment check-in without its appointment, or the reverse.
    #[error("appointment details are required for, and only for, appointment check-ins")]
    AppointmentMismatch,
    /// A multi-stop visit names an unknown or repeated category.
    #[error("invalid further stop `{category}`")]
    BadStop {
        /// The category given.
        category: CategoryId,
    },
    /// Issuing is closed now.
    #[error("the hall is not issuing tickets now")]
    HallClosed {
        /// When it opens again, if known.
        next_open: Option<Timestamp>,
    },
    /// Only the guide desk issues now.
    #[error("only the guide desk issues tickets now")]
    GuideDeskOnly,
    /// The category's daily quota is used up.
    #[error("category `{category}` has issued its {quota} tickets for today")]
    QuotaReached {
        category: CategoryId,
        /// Its quota.
        quota: u32,
    },
    /// The window is paused.
    #[error("window {window} is paused: {reason}")]
    WindowPaused {
        window: WindowNo,
        /// Why it paused.
        reason: String,
    },
    /// The window is not paused.
    #[error("window {window} is not paused")]
    WindowNotPaused { window: WindowNo },
    /// The window still has a ticket in hand.
    #[error("window {window} is still handling {number}")]
    WindowBusy {
        window: WindowNo,
        /// Its current ticket.
        number: TicketNumber,
    },
    /// Tickets transferred to the window still wait for it.
    #[error("{count} ticket(s) transferred to window {window} still wait for it")]
    TransfersWaiting {
        window: WindowNo,
        /// How many.
        count: u32,
    },
    /// The window has no current ticket.
    #[error("window {window} has no current ticket")]
    NoCurrentTicket { window: WindowNo },
    /// The window does not serve the ticket's category.
    #[error("window {window} does not serve category `{category}`")]
    WindowDoesNotServe {
        window: WindowNo,
        category: CategoryId,
    },
    /// The window is closed (nobody signed in).
    #[error("window {window} is closed")]
    WindowNotOpen { window: WindowNo },
    /// The ticket is in the wrong state for this.
    #[error("ticket {number} is {status:?}, which does not allow this")]
    WrongStatus {
        /// The ticket's number.
        number: TicketNumber,
        /// Its status.
        status: Status,
    },
    /// Recalled as often as the policy allows.
    #[error("ticket {number} was already recalled {max} times; mark it as a no-show")]
    RecallLimit {
        /// The ticket's number.
        number: TicketNumber,
        /// The limit.
        max: u32,
    },
    /// Re-activated as often as the policy allows.
    #[error("ticket {number} was already re-activated; the visitor must take a new number")]
    ReactivationLimit {
        /// The ticket's number.
        number: TicketNumber,
    },
    /// Transfer to where the ticket already is.
    #[error("the ticket is already there")]
    TransferToSame,
    /// A transfer to a category or window of another site: the ticket
    /// would wait where its hall's closing time and displays do not apply.
    #[error("a ticket of `{site}` can only be transferred within `{site}`")]
    TransferToOtherSite {
        /// The ticket's site.
        site: SiteId,
    },
    /// The ticket belongs to an earlier day.
    #[error("ticket {number} belongs to an earlier day")]
    StaleTicket {
        /// The ticket's number.
        number: TicketNumber,
    },
    /// Already rated.
    #[error("ticket {number} was already rated")]
    AlreadyRated {
        /// The ticket's number.
        number: TicketNumber,
    },
    /// A pause reason is required (and must be short).
    #[error("a pause needs a reason of 1 to 100 characters")]
    BadReason,
}

impl Rejected {
    /// A stable machine-readable code (`window_paused`).
    pub fn code(&self) -> &'static str {
        match self {
            Rejected::UnknownSite { .. } => "unknown_site",
            Rejected::UnknownCategory { .. } => "unknown_category",
            Rejected::CategoryNotAtSite { .. } => "category_not_at_site",
            Rejected::UnknownMatter { .. } => "unknown_matter",
            Rejected::MatterNotInCategory { .. } => "matter_not_in_category",
            Rejected::UnknownGroup { .. } => "unknown_group",
            Rejected::UnknownWindow { .. } => "unknown_window",
            Rejected::UnknownTicket { .. } => "unknown_ticket",
            Rejected::BadTicketId { .. } => "bad_ticket_id",
            Rejected::AppointmentMismatch => "appointment_mismatch",
            Rejected::BadStop { .. } => "bad_stop",
            Rejected::HallClosed { .. } => "hall_closed",
            Rejected::GuideDeskOnly => "guide_desk_only",
            Rejected::QuotaReached { .. } => "quota_reached",
            Rejected::WindowPaused { .. } => "window_paused",
            Rejected::WindowNotPaused { .. } => "window_not_paused",
            Rejected::WindowBusy { .. } => "window_busy",
            Rejected::NoCurrentTicket { .. } => "no_current_ticket",
            Rejected::TransfersWaiting { .. } => "transfers_waiting",
            Rejected::WindowDoesNotServe { .. } => "window_does_not_serve",
            Rejected::WindowNotOpen { .. } => "window_not_open",
            Rejected::WrongStatus { .. } => "wrong_status",
            Rejected::RecallLimit { .. } => "recall_limit",
            Rejected::ReactivationLimit { .. } => "reactivation_limit",
            Rejected::TransferToSame => "transfer_to_same",
            Rejected::TransferToOtherSite { .. } => "transfer_to_other_site",
            Rejected::StaleTicket { .. } => "stale_ticket",
            Rejected::AlreadyRated { .. } => "already_rated",
            Rejected::BadReason => "bad_reason",
        }
    }

    /// Whether the thing asked for does not exist (HTTP 404) rather than
    /// being in the wrong state (409) or malformed (422).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Rejected::UnknownSite { .. }
                | Rejected::UnknownCategory { .. }
                | Rejected::UnknownMatter { .. }
                | Rejected::UnknownGroup { .. }
                | Rejected::UnknownWindow { .. }
                | Rejected::UnknownTicket { .. }
        )
    }

    /// Whether the request itself is malformed (HTTP 422).
    pub fn is_invalid(&self) -> bool {
        matches!(
            self,
            Rejected::BadTicketId { .. }
                | Rejected::AppointmentMismatch
                | Rejected::BadStop { .. }
                | Rejected::BadReason
                | Rejected::MatterNotInCategory { .. }
                | Rejected::CategoryNotAtSite { .. }
                | Rejected::TransferToOtherSite { .. }
        )
    }

    /// The message for a person, in their language. Times are left to the
    /// caller (it knows the time zone), so `HallClosed` says only that.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Zh => match self {
                Rejected::UnknownSite { site } => format!("没有编号为“{site}”的服务场所"),
                Rejected::UnknownCategory { category } => format!("没有“{category}”这个业务类别"),
                Rejected::CategoryNotAtSite { category, site } => {
                    format!("业务类别“{category}”不在“{site}”办理")
                }
                Rejected::UnknownMatter { matter } => format!("没有编号为“{matter}”的事项"),
                Rejected::MatterNotInCategory {
                    matter, expected, ..
                } => {
                    format!("事项“{matter}”属于业务类别“{expected}”")
                }
                Rejected::UnknownGroup { group } => format!("没有“{group}”这个绿色通道类别"),
                Rejected::UnknownWindow { window } => format!("没有 {window} 号窗口"),
                Rejected::UnknownTicket { ticket } => format!("找不到排队号“{ticket}”"),
                Rejected::BadTicketId { ticket } => format!("排队号编号“{ticket}”无效或已被使用"),
                Rejected::AppointmentMismatch => "预约取号须提供预约信息".to_owned(),
                Rejected::BadStop { category } => format!("后续办理类别“{category}”无效"),
                Rejected::HallClosed { .. } => "现在不在取号时间内，请在办公时间前来".to_owned(),
                Rejected::GuideDeskOnly => "现在仅导服台可以取号，请到导服台咨询".to_owned(),
                Rejected::QuotaReached { quota, .. } => {
                    format!("该业务今日 {quota} 个号已取完，请明日再来或到导服台咨询")
                }
                Rejected::WindowPaused { window, reason } => {
                    format!("{window} 号窗口暂停服务中（{reason}）")
                }
                Rejected::WindowNotPaused { window } => format!("{window} 号窗口没有暂停"),
                Rejected::WindowBusy { window, number } => {
                    format!("{window} 号窗口正在办理 {number}，请先办结、过号或转移")
                }
                Rejected::NoCurrentTicket { window } => format!("{window} 号窗口当前没有号"),
                Rejected::TransfersWaiting { window, count } => {
                    format!("还有 {count} 个转到 {window} 号窗口的号在等候，请先叫号办理")
                }
                Rejected::WindowDoesNotServe { window, category } => {
                    format!("{window} 号窗口不办理“{category}”业务")
                }
                Rejected::WindowNotOpen { window } => format!("{window} 号窗口未开启"),
                Rejected::WrongStatus { number, status } => {
                    format!("{number} 当前状态为“{}”，不能这样操作", status.label_zh())
                }
                Rejected::RecallLimit { number, max } => {
                    format!("{number} 已重呼 {max} 次，请做过号处理")
                }
                Rejected::ReactivationLimit { number } => {
                    format!("{number} 已恢复过一次，请重新取号")
                }
                Rejected::TransferToSame => "该号已在目标队列中".to_owned(),
                Rejected::TransferToOtherSite { site } => {
                    format!("只能转到本服务场所（{site}）的业务类别或窗口")
                }
                Rejected::StaleTicket { number } => format!("{number} 是往日的号，已失效"),
                Rejected::AlreadyRated { number } => format!("{number} 已经评价过了"),
                Rejected::BadReason => "暂停须填写原因（1 至 100 字）".to_owned(),
            },
        }
    }
}

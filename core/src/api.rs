//! The wire types of lobby-server's HTTP API and event stream, shared by
//! the server and its clients (kiosk, display, printer, tests) so both
//! sides agree by construction. Pure data: serde only. The hall's view
//! (`GET /api/hall`, [`HallView`]) is in a module of its own; building the
//! views of the live state ([`TicketView::of`], [`QueueView::of`],
//! [`window_view`]) is in `views`, beside the lobby.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::command::Event;
use crate::ids::{CategoryId, GroupId, MatterId, SiteId, TicketId, WindowNo};
use crate::lobby::{QueueSummary, WindowFigures};
use crate::ticket::{Appointment, Channel, Rating, Status, TicketNumber};

mod hall;

pub use crate::views::window_view;
pub use hall::{
    CalendarView, CategoryView, CentreView, GreenGroupView, HallView, HallWindowView, MatterView,
    PolicyView, SessionView, SiteView,
};

/// `normal` or `green`, as in requests and answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// An ordinary ticket.
    #[default]
    Normal,
    /// Green channel (绿色通道).
    Green,
}

/// `POST /api/tickets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// Category to queue for.
    pub category: CategoryId,
    /// `normal` (default) or `green`.
    #[serde(default)]
    pub priority: Lane,
    /// Green-channel group (老、弱、病、残、军); the first configured group
    /// when `priority` is `green` and this is absent.
    #[serde(default)]
    pub group: Option<GroupId>,
    /// The matter the visitor came for.
    #[serde(default)]
    pub matter: Option<MatterId>,
    /// Where it is issued; by default the device's own channel (kiosk for
    /// kiosk tokens, guide desk for staff).
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Site of the kiosk or desk; by default the category's site.
    #[serde(default)]
    pub site: Option<SiteId>,
    /// 帮办代办: staff handle it for the visitor.
    #[serde(default)]
    pub assisted: bool,
    /// Further categories for a multi-stop visit (一站式).
    #[serde(default)]
    pub stops: Vec<CategoryId>,
    /// For appointment check-ins.
    #[serde(default)]
    pub appointment: Option<Appointment>,
}

/// `POST /api/windows/{number}/call`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// Call this ticket instead of the dispatcher's choice.
    #[serde(default)]
    pub ticket: Option<TicketId>,
}

/// `POST /api/windows/{number}/transfer`: exactly one of the two.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// Another category's queue.
    #[serde(default)]
    pub category: Option<CategoryId>,
    /// A specific window.
    #[serde(default)]
    pub window: Option<WindowNo>,
}

/// `POST /api/windows/{number}/pause`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    /// Why the window pauses (shown to supervisors).
    pub reason: String,
}

/// `POST /api/tickets/{id}/rating`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// How satisfied the visitor was, 非常满意 to 非常不满意.
    pub rating: Rating,
    /// What went well or badly, in the visitor's words: at most
    /// [`COMMENT_MAX_CHARS`] characters, stored with phone and ID numbers
    /// masked, shown to supervisors only.
    #[serde(default)]
    pub comment: Option<String>,
}

/// Longest comment a visitor may leave with a rating, in characters.
pub const COMMENT_MAX_CHARS: usize = 200;

/// A ticket as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    /// Unguessable id (key of the public page `/t/{id}`).
    pub id: TicketId,
    /// Number as printed ("B023").
    pub number: TicketNumber,
    /// Category it queues for.
    pub category: CategoryId,
    /// The category's name in the request's language.
    pub category_name: String,
    /// The matter, if chosen.
    pub matter: Option<MatterId>,
    /// The matter's name in the request's language.
    pub matter_name: Option<String>,
    /// `normal` or `green`.
    pub priority: Lane,
    /// Green-channel group, on green tickets.
    pub group: Option<GroupId>,
    /// Where it was issued.
    pub channel: Channel,
    /// 帮办代办: staff handle it for the visitor.
    pub assisted: bool,
    /// Site it was issued for, whose windows call it.
    pub site: SiteId,
    /// Where the category's windows are ("B 区 7–20 号窗口").
    pub area: String,
    /// Lifecycle state.
    pub status: Status,
    /// The window that called it, once called.
    pub window: Option<WindowNo>,
    /// Tickets before it (0 once called).
    pub ahead: u32,
    /// Estimated wait in seconds (0 once called).
    pub estimated_wait_s: u32,
    /// Issue time.
    pub issued_at: Timestamp,
    /// Last call time.
    pub called_at: Option<Timestamp>,
    /// Further stops of a multi-stop visit.
    pub stops: Vec<CategoryId>,
    /// The visitor's rating, once given.
    pub rating: Option<Rating>,
    /// The key of the ticket's rating link, only in the answer to whoever
    /// issued it (the kiosk prints it in the QR code): knowing the id is
    /// not enough to rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_key: Option<String>,
}

/// The ticket a window has in hand; fields it shares with [`TicketView`]
/// mean the same there.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentTicket {
    pub id: TicketId,
    pub number: TicketNumber,
    pub category: CategoryId,
    pub matter: Option<MatterId>,
    /// Called or serving.
    pub status: Status,
    /// Whether it came through the green channel.
    pub green: bool,
    pub assisted: bool,
    pub issued_at: Timestamp,
    pub called_at: Option<Timestamp>,
    /// When service started.
    pub started_at: Option<Timestamp>,
    /// Recalls so far.
    pub recalls: u32,
}

/// A window as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowView {
    /// Number as citizens see it.
    pub number: WindowNo,
    /// Site it stands in.
    pub site: SiteId,
    /// Categories it serves, primary first.
    pub categories: Vec<CategoryId>,
    /// How many of them are primary.
    pub primary: usize,
    /// Whether staff are signed in, so the window calls.
    pub open: bool,
    /// Who signed in (account name), when known.
    #[serde(default)]
    pub staff: Option<String>,
    /// Pause reason, while paused.
    pub paused: Option<String>,
    /// Since when paused.
    pub paused_at: Option<Timestamp>,
    /// Ticket in hand.
    pub current: Option<CurrentTicket>,
    /// Tickets transferred to this window, waiting for it.
    pub waiting_here: u32,
    /// What it did today.
    pub today: WindowFigures,
}

/// One category's queue and today's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryQueue {
    /// Who waits and for how long (its fields sit in this object).
    #[serde(flatten)]
    pub queue: QueueSummary,
    /// Name in the request's language.
    pub name: String,
    /// Ticket prefix.
    pub prefix: String,
    /// Site whose windows serve it.
    pub site: SiteId,
    /// Issued today.
    pub issued: u32,
    /// Completed today.
    pub completed: u32,
    /// No-shows today.
    pub no_shows: u32,
    /// Expired today.
    pub expired: u32,
    /// Mean wait of tickets called today, in seconds.
    pub mean_wait_s: u32,
}

/// `GET /api/queue`: the hall at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueView {
    /// The business day, once anything happened.
    pub day: Option<jiff::civil::Date>,
    /// When this view was taken.
    pub at: Timestamp,
    /// Every category's queue.
    pub categories: Vec<CategoryQueue>,
    /// Every window, in number order.
    pub windows: Vec<WindowView>,
}

/// One message on the event stream `GET /api/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StreamMessage {
    /// The state at sequence `seq`; sent first, and again whenever a client
    /// asks to resume from a sequence the server no longer holds.
    Snapshot {
        /// Sequence number of the last event included.
        seq: u64,
        /// Every queue and window as of `seq`.
        queue: Box<QueueView>,
        /// The most recent calls, newest first.
        recent_calls: Vec<Event>,
    },
    /// One event, with its sequence number.
    Event {
        /// Sequence number (gap-free, increasing).
        seq: u64,
        /// What happened, as the log records it.
        event: Event,
    },
    /// A device reported its state (not an event of the log: no sequence).
    Device {
        /// The device and what it reported.
        device: DeviceStatusView,
    },
}

/// The body of every error answer: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// An error's details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable machine-readable code (`unknown_category`).
    pub code: String,
    /// Message for a person, in the request's language.
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `POST /api/windows/{number}/...`: the window after the action and the
/// ticket it concerned, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowAnswer {
    /// The window as it is now.
    pub window: WindowView,
    /// The ticket the action concerned (called, completed, transferred …).
    pub ticket: Option<TicketView>,
}

/// A non-core message on the event stream: a device reported its state
/// (a kiosk printer out of paper). Not part of the event log and carries no
/// sequence number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceStatusView {
    /// The device's id, as `/api/devices` lists it.
    pub device: i64,
    /// Its name ("大厅 1 号取号机").
    pub name: String,
    /// Kiosk, display or guide desk.
    pub kind: DeviceKind,
    /// Where it stands, if registered with a site.
    pub site: Option<SiteId>,
    /// The reported state.
    pub status: DeviceHealth,
    /// Free text from the device ("paper_end").
    pub detail: String,
    /// When it was reported.
    pub at: Timestamp,
}

/// What a device reports about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceHealth {
    /// Working.
    Ok,
    /// Paper is running low.
    PaperLow,
    /// Out of paper.
    PaperEnd,
    /// Cover open.
    CoverOpen,
    /// The printer does not answer.
    PrinterOffline,
    /// Some other fault (see `detail`).
    Fault,
}

/// `POST /api/devices/self/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceStatusRequest {
    /// How the device (its printer) is.
    pub status: DeviceHealth,
    /// Free text, at most 200 characters.
    #[serde(default)]
    pub detail: String,
}

/// The role of a staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Window staff: act on their assigned windows.
    Staff,
    /// Guide desk (导服台): issue tickets for visitors, and act on assigned
    /// windows.
    Guide,
    /// Centre managers: everything.
    Admin,
}

/// The kind of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// Self-service kiosk: issues tickets (channel kiosk), checks in
    /// appointments.
    Kiosk,
    /// Wall display: reads only.
    Display,
    /// Guide-desk terminal: issues tickets (channel guide desk).
    GuideDesk,
    /// Rating pad (评价器) facing the visitor: records ratings, nothing
    /// else.
    Evaluator,
}

/// `POST /api/login`: a staff account's user name and password.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The answer to a login: a bearer token for the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginAnswer {
    /// Bearer token (shown once).
    pub token: String,
    /// When the session ends.
    pub expires_at: Timestamp,
    /// Who logged in.
    pub staff: StaffView,
}

/// A staff account as the API shows it (never its password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffView {
    /// Unique user name.
    pub username: String,
    /// Name shown on screens.
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
    /// Windows the account may act on.
    pub windows: Vec<WindowNo>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
}

/// `POST /api/staff`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    /// Unique user name: 1 to 32 ASCII letters, digits, `.`, `-`, `_`.
    pub username: String,
    /// Name shown on screens.
    #[serde(default)]
    pub display_name: String,
    /// At least 8 characters.
    pub password: String,
    /// Role (`staff` by default).
    #[serde(default = "staff_role")]
    pub role: Role,
    /// Windows the account may act on.
    #[serde(default)]
    pub windows: Vec<WindowNo>,
}

fn staff_role() -> Role {
    Role::Staff
}

/// `PATCH /api/staff/{username}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    /// New display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// New password (ends the account's sessions).
    #[serde(default)]
    pub password: Option<String>,
    /// New role.
    #[serde(default)]
    pub role: Option<Role>,
    /// New window assignment.
    #[serde(default)]
    pub windows: Option<Vec<WindowNo>>,
    /// Disable (ends the account's sessions) or enable.
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// `POST /api/devices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    /// Name ("大厅 1 号取号机").
    pub name: String,
    /// Kiosk, display or guide desk: decides what its token may do.
    pub kind: DeviceKind,
    /// Site it stands in.
    #[serde(default)]
    pub site: Option<SiteId>,
}

/// A device as the API shows it (never its token): its id, and the name,
/// kind and site it was registered with ([`NewDevice`]).
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: i64,
    pub name: String,
    pub kind: DeviceKind,
    pub site: Option<SiteId>,
    /// When it was registered.
    pub created_at: Timestamp,
    /// Its last reported state, since the server started.
    pub status: Option<DeviceStatusView>,
}

/// The answer to `POST /api/devices`: the token is shown only here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDeviceAnswer {
    /// The device as registered.
    pub device: DeviceView,
    /// Its bearer token (shown once).
    pub token: String,
}

/// `POST /api/appointments`: an online booking, registered by an
/// administrator or an integration. Personal data is masked before it is
/// stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAppointment {
    /// Booking code the visitor types or scans (1 to 64 characters).
    pub code: String,
    /// Category booked: its windows serve the visitor.
    pub category: CategoryId,
    /// Matter booked, if the booking named one.
    #[serde(default)]
    pub matter: Option<MatterId>,
    /// Start of the slot.
    pub slot_start: Timestamp,
    /// End of the slot.
    pub slot_end: Timestamp,
    /// Visitor's name (stored masked: 张*明).
    #[serde(default)]
    pub name: String,
    /// Visitor's phone (stored masked: 138****5678).
    #[serde(default)]
    pub phone: String,
    /// Visitor's ID number (stored masked, never in clear).
    #[serde(default)]
    pub id_number: String,
}

/// An appointment as stored: the fields of [`NewAppointment`], with the
/// name, phone and ID number masked.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentView {
    pub code: String,
    pub category: CategoryId,
    pub matter: Option<MatterId>,
    pub slot_start: Timestamp,
    pub slot_end: Timestamp,
    pub name: String,
    pub phone: String,
    pub id_number: String,
    /// The ticket issued at check-in.
    pub ticket: Option<TicketId>,
}

/// One category's line in a day report: tickets counted by what became of
/// them (`issued`, `completed`, `no_shows`, `cancelled` say it all).
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryReport {
    /// The category (empty on the total line).
    pub category: CategoryId,
    /// Its name, in the answer's language.
    pub name: String,
    pub issued: u32,
    /// Of the issued, green channel.
    pub green: u32,
    /// Tickets called (first calls).
    pub called: u32,
    pub completed: u32,
    pub no_shows: u32,
    /// Expired at closing.
    pub expired: u32,
    pub cancelled: u32,
    /// Mean wait of called tickets, in seconds.
    pub mean_wait_s: u32,
    /// Longest wait of a called ticket, in seconds.
    pub max_wait_s: u32,
}

/// What a window, or a member of staff, did in a period, in tickets
/// (`completed`, `no_shows` and `ratings` say what they count).
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkFigures {
    /// Tickets called (first calls).
    pub called: u32,
    pub completed: u32,
    /// Mean service time of completed tickets, in seconds.
    pub mean_service_s: u32,
    pub no_shows: u32,
    /// Transferred away to another queue or window.
    pub transferred: u32,
    pub ratings: u32,
    /// Mean rating score, 5 (非常满意) to 1; absent without ratings.
    pub mean_rating: Option<f64>,
    /// Dissatisfied or very dissatisfied ratings (差评).
    pub bad_ratings: u32,
    /// Yellow cards raised while handling.
    pub yellow_cards: u32,
}

/// One window's line in a day report or monthly ranking.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowReport {
    pub window: WindowNo,
    /// What it did.
    #[serde(flatten)]
    pub work: WorkFigures,
    /// Rank (1 = best); only in rankings.
    pub rank: Option<u32>,
}

/// One staff member's line in a day report or monthly ranking (个人考核),
/// from the windows they were signed in at when each thing happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffReport {
    /// The account's user name.
    pub username: String,
    /// Name as the admin set it (the account when the account is gone).
    pub name: String,
    /// Windows worked.
    pub windows: Vec<WindowNo>,
    /// What they did.
    #[serde(flatten)]
    pub work: WorkFigures,
    /// Rank (1 = best); only in rankings.
    pub rank: Option<u32>,
}

/// Tickets issued per channel (双轨: window versus online), one count per
/// [`Channel`].
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelReport {
    pub kiosk: u32,
    pub guide_desk: u32,
    /// Appointment check-ins.
    pub appointment: u32,
    /// Online applications.
    pub online: u32,
}

/// `GET /api/reports/period?from=YYYY-MM-DD&to=YYYY-MM-DD`: the matters
/// accepted over a period, at windows and online (双轨), as the centre
/// reports them upwards (受理情况统计表).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodReport {
    /// First business day.
    pub from: jiff::civil::Date,
    /// Last business day (included).
    pub to: jiff::civil::Date,
    /// Over all categories.
    pub total: AcceptedFigures,
    /// Per category, in the hall's order.
    pub categories: Vec<AcceptedFigures>,
}

/// Matters accepted, one line of a [`PeriodReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptedFigures {
    /// The category (empty on the total line).
    pub category: CategoryId,
    /// Its name, in the answer's language.
    pub name: String,
    /// All matters accepted: `window + online`.
    pub accepted: u32,
    /// Matters handled at windows for visitors who came (each completed
    /// stop of a ticket from the kiosk, the guide desk or an appointment).
    pub window: u32,
    /// Online applications taken in (online tickets issued).
    pub online: u32,
    /// Of those, completed (the last stop done) within the period.
    pub online_completed: u32,
    /// `online_completed / online` in percent, two decimals; absent
    /// without online applications.
    pub online_completion_pct: Option<f64>,
}

/// `GET /api/reports/day?date=YYYY-MM-DD`: a business day's figures,
/// computed from the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayReport {
    /// The business day.
    pub date: jiff::civil::Date,
    /// Totals over all categories.
    pub total: CategoryReport,
    /// Per category, in the hall's order.
    pub categories: Vec<CategoryReport>,
    /// Per window that did anything.
    pub windows: Vec<WindowReport>,
    /// Issued per channel.
    pub channels: ChannelReport,
    /// Yellow cards raised for waiting.
    pub waiting_cards: u32,
    /// Per staff member signed in at a window (admins only).
    #[serde(default)]
    pub staff: Vec<StaffReport>,
    /// The day's bad ratings (差评) to follow up, with what the visitors
    /// wrote (admins only).
    #[serde(default)]
    pub bad_ratings: Vec<BadRating>,
}

/// A dissatisfied or very dissatisfied rating, for follow-up (差评回访).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadRating {
    /// When the visitor rated.
    pub at: Timestamp,
    /// The ticket's number.
    pub number: TicketNumber,
    /// The category it was last served in.
    pub category: CategoryId,
    /// The window that served it last.
    pub window: Option<WindowNo>,
    /// The account that served it, if someone was signed in.
    pub staff: Option<String>,
    /// That account's name.
    pub staff_name: Option<String>,
    /// 不满意 or 非常不满意.
    pub rating: Rating,
    /// What the visitor wrote (masked).
    pub comment: Option<String>,
}

/// `GET /api/rankings?month=YYYY-MM`: the monthly window ranking (考核排位).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// How the rank is decided.
    pub rule: String,
    /// Windows, best first.
    pub windows: Vec<WindowReport>,
    /// Staff, best first, by the same rule (admins only).
    #[serde(default)]
    pub staff: Vec<StaffReport>,
}

/// `POST /api/test/clock` (fake clock only): move time forward.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRequest {
    /// Seconds to advance.
    #[serde(default)]
    pub advance_s: Option<i64>,
    /// An instant to jump to (not earlier than now).
    #[serde(default)]
    pub set: Option<Timestamp>,
}

/// The answer of `POST /api/test/clock`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockAnswer {
    /// The fake clock's time after the change.
    pub now: Timestamp,
    /// Events the tick that followed caused.
    pub events: u32,
}

/// What an entry of the audit trail records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A staff member logged in.
    Login,
    /// A login was refused (wrong password, unknown or disabled account,
    /// or locked after too many failures).
    LoginFailed,
    /// A session ended at the user's request.
    Logout,
    /// A staff account was created.
    StaffCreated,
    /// A staff account's display name, role or disabled flag changed.
    StaffUpdated,
    /// A staff account's windows changed.
    WindowsAssigned,
    /// A staff account's password was set by an administrator.
    PasswordReset,
    /// A staff account was deleted.
    StaffDeleted,
    /// A device was registered and given a token.
    DeviceCreated,
    /// A device was removed; its token stopped working.
    DeviceRevoked,
}

impl AuditAction {
    /// The stored name (as serialized).
    pub fn name(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::StaffCreated => "staff_created",
            AuditAction::StaffUpdated => "staff_updated",
            AuditAction::WindowsAssigned => "windows_assigned",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::StaffDeleted => "staff_deleted",
            AuditAction::DeviceCreated => "device_created",
            AuditAction::DeviceRevoked => "device_revoked",
        }
    }

    /// Every action, for parsing stored names.
    pub const ALL: [AuditAction; 10] = [
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::StaffCreated,
        AuditAction::StaffUpdated,
        AuditAction::WindowsAssigned,
        AuditAction::PasswordReset,
        AuditAction::StaffDeleted,
        AuditAction::DeviceCreated,
        AuditAction::DeviceRevoked,
    ];

    /// The action of a stored name.
    pub fn from_name(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// One field an audited action set or changed. Never a password or a
/// token: a password reset says only that it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChange {
    /// The field (`windows`, `role`, `reason`, `name` …).
    pub field: String,
    /// Its value before, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Its value after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// An entry of the audit trail of accounts, sessions and devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Increasing identifier (the paging cursor).
    pub id: i64,
    /// When it happened.
    pub at: Timestamp,
    /// The same instant in the hall's time zone (`2026-11-25T09:00:00+08:00`).
    pub local_time: String,
    /// Who: `admin-token`, `staff:NAME`, `device:ID`, or `anonymous` for a
    /// failed login.
    pub actor: String,
    /// What was done.
    pub action: AuditAction,
    /// To whom: `staff:NAME` or `device:ID`. A failed login names the
    /// account only if it exists, so a password typed into the user name
    /// field is never stored.
    pub target: Option<String>,
    /// The client's address.
    pub address: Option<String>,
    /// What was set or changed.
    pub changes: Vec<AuditChange>,
}

/// `GET /api/audit?date=YYYY-MM-DD&after=ID&limit=N`: a day's audit
/// entries, oldest first, a page at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The business day.
    pub date: jiff::civil::Date,
    /// Entries after the cursor, oldest first.
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<i64>,
}

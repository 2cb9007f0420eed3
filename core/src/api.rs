//! The wire types of lobby-server's HTTP API and event stream, shared by
//! the server and its clients (kiosk, display, tests) so both sides agree
//! by construction. Pure data: serde only.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::command::Event;
use crate::hall::Hall;
use crate::i18n::Lang;
use crate::ids::{CategoryId, GroupId, MatterId, SiteId, TicketId, WindowNo};
use crate::lobby::{Lobby, QueueSummary, WindowFigures};
use crate::ticket::{Appointment, Channel, Rating, Status, Ticket, TicketNumber};

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
    /// The rating.
    pub rating: Rating,
}

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
    /// The matter's name.
    pub matter_name: Option<String>,
    /// `normal` or `green`.
    pub priority: Lane,
    /// Green-channel group.
    pub group: Option<GroupId>,
    /// Where it was issued.
    pub channel: Channel,
    /// 帮办代办.
    pub assisted: bool,
    /// Site.
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
}

impl TicketView {
    /// Builds the view of a ticket held by `lobby`, in `lang`.
    pub fn of(lobby: &Lobby, ticket: &Ticket, lang: Lang) -> TicketView {
        let hall = lobby.hall();
        let estimate = lobby.estimate(&ticket.id).unwrap_or_default();
        TicketView::with_estimate(hall, ticket, estimate.ahead, estimate.wait_s, lang)
    }

    /// Builds the view from a ticket and a known estimate.
    pub fn with_estimate(
        hall: &Hall,
        ticket: &Ticket,
        ahead: u32,
        wait_s: u32,
        lang: Lang,
    ) -> TicketView {
        let category = hall.category(&ticket.category);
        let matter = ticket.matter.as_ref().and_then(|m| hall.matter(m));
        let (group, priority) = match &ticket.priority {
            crate::ticket::Priority::Normal => (None, Lane::Normal),
            crate::ticket::Priority::Green { group } => (Some(group.clone()), Lane::Green),
        };
        let waiting = ticket.status == Status::Waiting;
        TicketView {
            id: ticket.id.clone(),
            number: ticket.number.clone(),
            category: ticket.category.clone(),
            category_name: category
                .map(|c| lang.pick(&c.name, &c.name_en).to_owned())
                .unwrap_or_default(),
            matter: ticket.matter.clone(),
            matter_name: matter.map(|m| lang.pick(&m.name, &m.name_en).to_owned()),
            priority,
            group,
            channel: ticket.channel,
            assisted: ticket.assisted,
            site: ticket.site.clone(),
            area: category.map(|c| c.area.clone()).unwrap_or_default(),
            status: ticket.status,
            window: ticket.window,
            ahead: if waiting { ahead } else { 0 },
            estimated_wait_s: if waiting { wait_s } else { 0 },
            issued_at: ticket.issued_at,
            called_at: ticket.called_at,
            stops: ticket.stops.clone(),
            rating: ticket.rating,
        }
    }
}

/// The ticket a window has in hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentTicket {
    /// Id.
    pub id: TicketId,
    /// Number.
    pub number: TicketNumber,
    /// Category.
    pub category: CategoryId,
    /// Matter.
    pub matter: Option<MatterId>,
    /// Called or serving.
    pub status: Status,
    /// Green channel.
    pub green: bool,
    /// 帮办代办.
    pub assisted: bool,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// When it was last called.
    pub called_at: Option<Timestamp>,
    /// When service started.
    pub started_at: Option<Timestamp>,
    /// Recalls so far.
    pub recalls: u32,
}

/// A window as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowView {
    /// Number.
    pub number: WindowNo,
    /// Site.
    pub site: SiteId,
    /// Categories it serves, primary first.
    pub categories: Vec<CategoryId>,
    /// How many of them are primary.
    pub primary: usize,
    /// Staff signed in.
    pub open: bool,
    /// Pause reason, while paused.
    pub paused: Option<String>,
    /// Since when paused.
    pub paused_at: Option<Timestamp>,
    /// Ticket in hand.
    pub current: Option<CurrentTicket>,
    /// Tickets transferred to this window, waiting for it.
    pub waiting_here: u32,
    /// Today's figures.
    pub today: WindowFigures,
}

/// One category's queue and today's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryQueue {
    /// The queue.
    #[serde(flatten)]
    pub queue: QueueSummary,
    /// Name in the request's language.
    pub name: String,
    /// Ticket prefix.
    pub prefix: String,
    /// Site.
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
    /// The business day.
    pub day: Option<jiff::civil::Date>,
    /// When this view was taken.
    pub at: Timestamp,
    /// Every category's queue.
    pub categories: Vec<CategoryQueue>,
    /// Every window.
    pub windows: Vec<WindowView>,
}

impl QueueView {
    /// Builds the view of the whole hall.
    pub fn of(lobby: &Lobby, now: Timestamp, lang: Lang) -> QueueView {
        let hall = lobby.hall();
        let categories = lobby
            .queue_summary(now)
            .into_iter()
            .zip(&hall.categories)
            .zip(lobby.figures())
            .map(|((queue, c), f)| CategoryQueue {
                queue,
                name: lang.pick(&c.name, &c.name_en).to_owned(),
                prefix: c.prefix.clone(),
                site: c.site.clone(),
                issued: f.issued,
                completed: f.completed,
                no_shows: f.no_shows,
                expired: f.expired,
                mean_wait_s: (f.wait_s / u64::from(f.called.max(1))) as u32,
            })
            .collect();
        let windows = hall
            .windows
            .iter()
            .zip(lobby.windows())
            .map(|(w, ws)| window_view(lobby, w, ws))
            .collect();
        QueueView {
            day: lobby.day(),
            at: now,
            categories,
            windows,
        }
    }
}

/// Builds the view of one window.
pub fn window_view(
    lobby: &Lobby,
    w: &crate::hall::Window,
    ws: &crate::lobby::WindowState,
) -> WindowView {
    let current = ws
        .current
        .as_ref()
        .and_then(|id| lobby.ticket(id))
        .map(|t| CurrentTicket {
            id: t.id.clone(),
            number: t.number.clone(),
            category: t.category.clone(),
            matter: t.matter.clone(),
            status: t.status,
            green: t.priority.is_green(),
            assisted: t.assisted,
            issued_at: t.issued_at,
            called_at: t.called_at,
            started_at: t.started_at,
            recalls: t.recalls,
        });
    WindowView {
        number: w.number,
        site: w.site.clone(),
        categories: w.categories.clone(),
        primary: w.primary,
        open: ws.open,
        paused: ws.paused.clone(),
        paused_at: ws.paused_at,
        current,
        waiting_here: lobby.waiting_for_window(w.number).len() as u32,
        today: ws.today.clone(),
    }
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
        /// The hall.
        queue: Box<QueueView>,
        /// The most recent calls, newest first.
        recent_calls: Vec<Event>,
    },
    /// One event, with its sequence number.
    Event {
        /// Sequence number (gap-free, increasing).
        seq: u64,
        /// The event.
        event: Event,
    },
}

/// The body of every error answer: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
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

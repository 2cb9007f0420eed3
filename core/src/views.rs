//! The API's views of the live state: a ticket, a window, the whole queue,
//! built from the [`Lobby`] at an instant and in a language.
//!
//! [`crate::api`] holds only the wire types; what needs the lobby to fill
//! them lives here, as `impl` blocks on those types, so callers still write
//! `TicketView::of(..)`, `QueueView::of(..)` and `api::window_view(..)`.

use jiff::Timestamp;

use crate::api::{CategoryQueue, CurrentTicket, Lane, QueueView, TicketView, WindowView};
use crate::hall::{Hall, Window};
use crate::i18n::Lang;
use crate::lobby::{Lobby, WindowState};
use crate::ticket::{Priority, Status, Ticket};

impl TicketView {
    /// Builds the view of a ticket held by `lobby` at `now`, in `lang`.
    pub fn of(lobby: &Lobby, ticket: &Ticket, now: Timestamp, lang: Lang) -> TicketView {
        let hall = lobby.hall();
        let estimate = lobby.estimate(&ticket.id, now).unwrap_or_default();
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
            Priority::Normal => (None, Lane::Normal),
            Priority::Green { group } => (Some(group.clone()), Lane::Green),
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
            rating_key: None,
        }
    }
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

/// Builds the view of window `w` in its live state `ws` (an entry of
/// [`Hall::windows`] and the matching one of [`Lobby::windows`]). Reached as
/// `lobby_core::api::window_view`.
pub fn window_view(lobby: &Lobby, w: &Window, ws: &WindowState) -> WindowView {
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
        staff: ws.staff.clone(),
        paused: ws.paused.clone(),
        paused_at: ws.paused_at,
        current,
        waiting_here: lobby.waiting_for_window(w.number).len() as u32,
        today: ws.today.clone(),
    }
}

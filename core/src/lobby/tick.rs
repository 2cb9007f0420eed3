//! Time passing: closing, automatic no-shows and yellow cards.

use std::collections::HashSet;

use jiff::{Timestamp, ToSpan};

use super::Lobby;
use crate::command::{CardReason, EventKind};
use crate::hours::Hours;
use crate::ids::TicketId;
use crate::ticket::{Status, Ticket};

impl Lobby {
    pub(super) fn decide_tick(&self, now: Timestamp) -> Vec<EventKind> {
        let mut kinds = Vec::new();
        let policy = &self.hall.policy;
        // Closing: whatever still waits after the last session (plus grace)
        // expires, and is counted in the day's figures.
        if let Some(day) = self.day {
            let grace = i64::from(policy.expire_after_close_min).minutes();
            for site in &self.hall.sites {
                if self.closed_sites.contains(&site.id) {
                    continue;
                }
                let Some(closing) = self.hall.closing(&site.id, day) else {
                    continue;
                };
                if closing.checked_add(grace).is_ok_and(|t| t <= now) {
                    let mut open: Vec<&Ticket> = self
                        .tickets
                        .values()
                        .filter(|t| t.site == site.id)
                        .filter(|t| matches!(t.status, Status::Waiting | Status::Called))
                        .collect();
                    open.sort_by_key(|t| t.place);
                    kinds.extend(open.into_iter().map(|t| EventKind::Expired {
                        ticket: t.id.clone(),
                        number: t.number.clone(),
                        was: t.status,
                    }));
                    kinds.push(EventKind::SiteClosed {
                        site: site.id.clone(),
                    });
                }
            }
        }
        let expiring: HashSet<TicketId> = kinds
            .iter()
            .filter_map(EventKind::ticket)
            .cloned()
            .collect();
        // Unanswered calls give up on their own after the last recall.
        let no_show_after = i64::from(policy.no_show_after_s).seconds();
        for ws in &self.windows {
            let Some(t) = ws.current.as_ref().and_then(|id| self.ticket(id)) else {
                continue;
            };
            if expiring.contains(&t.id) {
                continue;
            }
            match t.status {
                Status::Called if t.recalls >= policy.max_recalls => {
                    let since = t.called_at.unwrap_or(now);
                    if since.checked_add(no_show_after).is_ok_and(|d| d <= now) {
                        kinds.push(EventKind::NoShow {
                            ticket: t.id.clone(),
                            number: t.number.clone(),
                            window: ws.number,
                            auto: true,
                        });
                    }
                }
                Status::Serving if !ws.handling_warned => {
                    // The ticket's category exists (validated at issue).
                    let limit = self
                        .hall
                        .category(&t.category)
                        .map_or(30, |c| c.warn_handle_min);
                    let since = t.started_at.unwrap_or(now);
                    let minutes = (now.as_second() - since.as_second()) / 60;
                    if minutes >= i64::from(limit) {
                        kinds.push(EventKind::YellowCard {
                            ticket: t.id.clone(),
                            number: t.number.clone(),
                            category: t.category.clone(),
                            window: Some(ws.number),
                            reason: CardReason::Handling,
                            minutes: minutes as u32,
                        });
                    }
                }
                _ => {}
            }
        }
        // Waiting too long, counted in open time: a ticket issued before
        // the opening or left over lunch has not waited while the windows
        // were not due. The watch sets hold unwarned tickets by the time
        // they joined, so only overdue ones are visited (open time never
        // runs faster than the clock, so the clock's deadline comes first).
        let day = self.hall.business_day(now);
        for (ci, lanes) in self.queues.lanes.iter().enumerate() {
            let category = &self.hall.categories[ci];
            let limit_min = i64::from(category.warn_wait_min);
            let mut hours: Option<Hours> = None;
            for &(since, place) in &lanes.watch {
                if since
                    .checked_add(limit_min.minutes())
                    .is_ok_and(|d| d > now)
                {
                    break;
                }
                let hours =
                    hours.get_or_insert_with(|| Hours::of_day(&self.hall, &category.site, day, 0));
                let waited_s = if hours.is_empty() {
                    now.duration_since(since).as_secs_f64()
                } else {
                    hours.open_between(since, now)
                };
                if waited_s < (limit_min * 60) as f64 {
                    break;
                }
                let t = &self.tickets[&place];
                if expiring.contains(&t.id) {
                    continue;
                }
                kinds.push(EventKind::YellowCard {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    category: t.category.clone(),
                    window: None,
                    reason: CardReason::Waiting,
                    minutes: (waited_s / 60.0) as u32,
                });
            }
        }
        kinds
    }
}

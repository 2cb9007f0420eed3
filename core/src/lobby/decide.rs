//! Deciding a command: what it would change, or why it is refused.

use jiff::{Timestamp, ToSpan};

use super::{Lobby, Tickets, seconds_between, wrong};
use crate::command::{Command, EventKind, Issue, Rejected, TransferTarget};
use crate::dispatch;
use crate::hall::Opening;
use crate::ids::{TicketId, WindowNo};
use crate::ticket::{Channel, Priority, Status, Ticket, TicketNumber};

impl Lobby {
    pub(super) fn decide(
        &self,
        now: Timestamp,
        command: Command,
    ) -> Result<Vec<EventKind>, Rejected> {
        match command {
            Command::Issue(issue) => self.decide_issue(now, issue).map(|k| vec![k]),
            Command::Call { window, ticket } => self.decide_call(now, window, ticket),
            Command::Recall { window } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                if t.status != Status::Called {
                    return Err(wrong(t));
                }
                if t.recalls >= self.hall.policy.max_recalls {
                    return Err(Rejected::RecallLimit {
                        number: t.number.clone(),
                        max: self.hall.policy.max_recalls,
                    });
                }
                Ok(vec![EventKind::Recalled {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    category: t.category.clone(),
                    window,
                    green: t.priority.is_green(),
                    recall: t.recalls + 1,
                }])
            }
            Command::Start { window } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                if t.status != Status::Called {
                    return Err(wrong(t));
                }
                Ok(vec![EventKind::Started {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    window,
                }])
            }
            Command::Complete { window } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                let since = t.started_at.or(t.called_at).unwrap_or(now);
                Ok(vec![EventKind::Completed {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    category: t.category.clone(),
                    window,
                    served_s: seconds_between(since, now),
                    next_stop: t.stops.first().cloned(),
                }])
            }
            Command::NoShow { window } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                if t.status != Status::Called {
                    return Err(wrong(t));
                }
                Ok(vec![EventKind::NoShow {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    window,
                    auto: false,
                }])
            }
            Command::Transfer { window, to } => {
                let wi = self.window_index(window)?;
                let t = self.current(wi)?;
                match &to {
                    TransferTarget::Category(c) => {
                        let Some(category) = self.hall.category(c) else {
                            return Err(Rejected::UnknownCategory {
                                category: c.clone(),
                            });
                        };
                        if *c == t.category {
                            return Err(Rejected::TransferToSame);
                        }
                        if category.site != t.site {
                            return Err(Rejected::TransferToOtherSite {
                                site: t.site.clone(),
                            });
                        }
                    }
                    TransferTarget::Window(w) => {
                        let target = self.window_index(*w)?;
                        if *w == window {
                            return Err(Rejected::TransferToSame);
                        }
                        if self.hall.windows[target].site != t.site {
                            return Err(Rejected::TransferToOtherSite {
                                site: t.site.clone(),
                            });
                        }
                        if !self.windows[target].open {
                            return Err(Rejected::WindowNotOpen { window: *w });
                        }
                    }
                }
                Ok(vec![EventKind::Transferred {
                    ticket: t.id.clone(),
                    number: t.number.clone(),
                    from_window: window,
                    from_category: t.category.clone(),
                    to,
                }])
            }
            Command::Pause { window, reason } => {
                let wi = self.window_index(window)?;
                let reason = reason.trim().to_owned();
                let len = reason.chars().count();
                if len == 0 || len > 100 || reason.chars().any(char::is_control) {
                    return Err(Rejected::BadReason);
                }
                if !self.windows[wi].open {
                    return Err(Rejected::WindowNotOpen { window });
                }
                Ok(vec![EventKind::Paused { window, reason }])
            }
            Command::Resume { window } => {
                let wi = self.window_index(window)?;
                if self.windows[wi].paused.is_none() {
                    return Err(Rejected::WindowNotPaused { window });
                }
                Ok(vec![EventKind::Resumed { window }])
            }
            Command::OpenWindow { window, staff } => {
                let wi = self.window_index(window)?;
                let ws = &self.windows[wi];
                // Signing in again changes nothing; a colleague taking
                // the window over is recorded.
                if ws.open && (staff.is_none() || ws.staff == staff) {
                    return Ok(Vec::new());
                }
                Ok(vec![EventKind::WindowOpened { window, staff }])
            }
            Command::CloseWindow { window } => {
                let wi = self.window_index(window)?;
                if let Ok(t) = self.current(wi) {
                    return Err(Rejected::WindowBusy {
                        window,
                        number: t.number.clone(),
                    });
                }
                let waiting = self.queues.windows[wi].len();
                if waiting > 0 {
                    return Err(Rejected::TransfersWaiting {
                        window,
                        count: waiting as u32,
                    });
                }
                if !self.windows[wi].open {
                    return Ok(Vec::new());
                }
                Ok(vec![EventKind::WindowClosed { window }])
            }
            Command::Reactivate { ticket } => {
                let t = self.find(&ticket)?;
                self.stale(t)?;
                if t.status != Status::NoShow {
                    return Err(wrong(t));
                }
                if t.reactivations >= self.hall.policy.reactivations {
                    return Err(Rejected::ReactivationLimit {
                        number: t.number.clone(),
                    });
                }
                Ok(vec![EventKind::Reactivated {
                    ticket,
                    number: t.number.clone(),
                }])
            }
            Command::Cancel { ticket } => {
                let t = self.find(&ticket)?;
                if t.status != Status::Waiting {
                    return Err(wrong(t));
                }
                Ok(vec![EventKind::Cancelled {
                    ticket,
                    number: t.number.clone(),
                }])
            }
            Command::Rate {
                ticket,
                rating,
                comment,
            } => {
                let t = self.find(&ticket)?;
                if t.status != Status::Completed {
                    return Err(wrong(t));
                }
                if t.rating.is_some() {
                    return Err(Rejected::AlreadyRated {
                        number: t.number.clone(),
                    });
                }
                Ok(vec![EventKind::Rated {
                    ticket,
                    window: t.window,
                    rating,
                    comment,
                }])
            }
            Command::Tick => Ok(self.decide_tick(now)),
        }
    }

    pub(super) fn decide_issue(&self, now: Timestamp, issue: Issue) -> Result<EventKind, Rejected> {
        if !TicketId::is_valid(issue.id.as_str()) || self.ids.contains_key(&issue.id) {
            return Err(Rejected::BadTicketId { ticket: issue.id });
        }
        let asked =
            self.hall
                .category(&issue.category)
                .ok_or_else(|| Rejected::UnknownCategory {
                    category: issue.category.clone(),
                })?;
        let site = issue.site.clone().unwrap_or_else(|| asked.site.clone());
        if self.hall.site(&site).is_none() {
            return Err(Rejected::UnknownSite { site });
        }
        // A category of another site is served here by the site's own
        // category when some of its matters are delegated here (放权下沉).
        let category = if asked.site == site {
            asked
        } else {
            self.hall
                .delegated_category(&site, &asked.id)
                .ok_or_else(|| Rejected::CategoryNotAtSite {
                    category: asked.id.clone(),
                    site: site.clone(),
                })?
        };
        let ci = self.hall.category_index(&category.id).unwrap_or(0);
        if let Some(m) = &issue.matter {
            let matter = self
                .hall
                .matter(m)
                .ok_or_else(|| Rejected::UnknownMatter { matter: m.clone() })?;
            if !self.hall.offers(&category.id, matter) {
                return Err(Rejected::MatterNotInCategory {
                    matter: m.clone(),
                    category: category.id.clone(),
                    expected: matter.category.clone(),
                });
            }
        }
        if let Priority::Green { group } = &issue.priority
            && self.hall.green_group(group).is_none()
        {
            return Err(Rejected::UnknownGroup {
                group: group.clone(),
            });
        }
        if (issue.channel == Channel::Appointment) != issue.appointment.is_some() {
            return Err(Rejected::AppointmentMismatch);
        }
        if let Some(a) = &issue.appointment
            && (a.slot_end < a.slot_start || a.code.is_empty() || a.code.len() > 64)
        {
            return Err(Rejected::AppointmentMismatch);
        }
        let mut seen = vec![&category.id];
        for stop in &issue.stops {
            let elsewhere = self.hall.category(stop).is_none_or(|c| c.site != site);
            if elsewhere || seen.contains(&stop) || seen.len() > 10 {
                return Err(Rejected::BadStop {
                    category: stop.clone(),
                });
            }
            seen.push(stop);
        }
        match self.hall.opening(&site, issue.channel, now) {
            Opening::Open => {}
            Opening::GuideDeskOnly => return Err(Rejected::GuideDeskOnly),
            Opening::Closed { next_open } => return Err(Rejected::HallClosed { next_open }),
        }
        let figures = &self.figures[ci];
        if let Some(quota) = category.daily_quota {
            let exempt = issue.priority.is_green() && self.hall.policy.green_quota_exempt;
            if figures.issued >= quota && !exempt {
                return Err(Rejected::QuotaReached {
                    category: category.id.clone(),
                    quota,
                });
            }
        }
        // A check-in long after the slot is an ordinary ticket.
        let late = i64::from(self.hall.policy.appointment_late_min).minutes();
        let appointment = issue
            .appointment
            .filter(|a| a.slot_end.checked_add(late).is_ok_and(|end| now <= end));
        let estimate = self.estimate_new(now, ci, issue.priority.is_green());
        let ticket = Ticket {
            id: issue.id,
            number: TicketNumber {
                prefix: category.prefix.clone(),
                seq: figures.issued + 1,
            },
            site,
            category: category.id.clone(),
            matter: issue.matter,
            priority: issue.priority,
            channel: issue.channel,
            appointment,
            assisted: issue.assisted,
            issued_at: now,
            day: self.hall.business_day(now),
            place: self.next_place,
            status: Status::Waiting,
            window: None,
            target_window: None,
            stops: issue.stops,
            recalls: 0,
            reactivations: 0,
            called_at: None,
            started_at: None,
            finished_at: None,
            estimate,
            queued_at: now,
            warned: false,
            rating: None,
        };
        Ok(EventKind::Issued {
            ticket: Box::new(ticket),
        })
    }

    pub(super) fn decide_call(
        &self,
        now: Timestamp,
        window: WindowNo,
        ticket: Option<TicketId>,
    ) -> Result<Vec<EventKind>, Rejected> {
        let wi = self.window_index(window)?;
        let ws = &self.windows[wi];
        if let Some(reason) = &ws.paused {
            return Err(Rejected::WindowPaused {
                window,
                reason: reason.clone(),
            });
        }
        if let Ok(t) = self.current(wi) {
            return Err(Rejected::WindowBusy {
                window,
                number: t.number.clone(),
            });
        }
        let w = &self.hall.windows[wi];
        let place = match ticket {
            Some(id) => {
                let t = self.find(&id)?;
                self.stale(t)?;
                if t.status != Status::Waiting {
                    return Err(wrong(t));
                }
                if t.target_window != Some(window) && !w.serves(&t.category) {
                    return Err(Rejected::WindowDoesNotServe {
                        window,
                        category: t.category.clone(),
                    });
                }
                t.place
            }
            None => {
                let lookup = Tickets(&self.tickets);
                match dispatch::choose(
                    &self.hall,
                    &self.queues,
                    &lookup,
                    w,
                    wi,
                    ws.priority_streak,
                    now,
                ) {
                    Some(choice) => choice.place,
                    None if ws.open => return Ok(Vec::new()),
                    None => {
                        return Ok(vec![EventKind::WindowOpened {
                            window,
                            staff: None,
                        }]);
                    }
                }
            }
        };
        let t = &self.tickets[&place];
        let mut kinds = Vec::new();
        if !ws.open {
            kinds.push(EventKind::WindowOpened {
                window,
                staff: None,
            });
        }
        kinds.push(EventKind::Called {
            ticket: t.id.clone(),
            number: t.number.clone(),
            category: t.category.clone(),
            window,
            green: t.priority.is_green(),
        });
        Ok(kinds)
    }
}

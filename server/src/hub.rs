//! The event stream's fan-out: every committed event, serialized once, to
//! every WebSocket subscriber.
//!
//! The engine owns the [`Hub`] and is the only one publishing events, after
//! each commit; a subscription is taken by the engine too, between two
//! batches, so a new subscriber's snapshot (or the missed events it is sent
//! on resume) and the live events that follow neither overlap nor leave a
//! gap. Each event is serialized twice: in full for staff and devices, and
//! redacted for the public (ticket ids are the keys of the visitors' status
//! pages and must not be broadcast; appointment codes neither).

use std::collections::VecDeque;
use std::sync::Arc;

use axum::body::Bytes;
use lobby_core::api::{QueueView, StreamMessage};
use lobby_core::{Event, EventKind, TicketId};
use tokio::sync::broadcast;

/// Events kept in memory for clients that reconnect; older gaps get a
/// snapshot instead.
pub const RING: usize = 2048;

/// One message on the stream, serialized for both audiences.
#[derive(Debug)]
pub struct Frame {
    /// The event's sequence number (`None` for device reports).
    pub seq: Option<u64>,
    /// For staff, devices and admins.
    pub full: Bytes,
    /// For anyone.
    pub public: Bytes,
}

impl Frame {
    /// The text for an audience.
    pub fn text(&self, full: bool) -> &Bytes {
        if full { &self.full } else { &self.public }
    }
}

/// What a new subscriber gets: the first messages and the live feed.
pub struct Subscription {
    /// A snapshot, or the events missed since the sequence it gave.
    pub initial: Vec<Bytes>,
    /// The sequence number the initial messages reach.
    pub seq: u64,
    /// Live frames after `seq`.
    pub rx: broadcast::Receiver<Arc<Frame>>,
}

/// The publisher side.
pub struct Hub {
    tx: broadcast::Sender<Arc<Frame>>,
    ring: VecDeque<Arc<Frame>>,
    recent_calls: VecDeque<Event>,
}

fn to_bytes<T: serde::Serialize>(value: &T) -> Bytes {
    // Our own types serialize infallibly (no maps with non-string keys).
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

impl Hub {
    /// A hub whose snapshot messages start with these calls (newest first).
    pub fn new(recent_calls: Vec<Event>) -> Hub {
        let (tx, _) = broadcast::channel(RING);
        Hub {
            tx,
            ring: VecDeque::with_capacity(RING),
            recent_calls: recent_calls
                .into_iter()
                .take(crate::store::RECENT_CALLS)
                .collect(),
        }
    }

    /// A sender for non-event messages (device reports).
    pub fn sender(&self) -> broadcast::Sender<Arc<Frame>> {
        self.tx.clone()
    }

    /// Forgets the ring (after the state was rebuilt from the database).
    pub fn reset(&mut self, recent_calls: Vec<Event>) {
        self.ring.clear();
        self.recent_calls = recent_calls
            .into_iter()
            .take(crate::store::RECENT_CALLS)
            .collect();
    }

    /// Publishes a committed event, given its JSON as stored.
    pub fn publish(&mut self, seq: u64, event: &Event, json: &str) {
        if matches!(
            event.kind,
            EventKind::Called { .. } | EventKind::Recalled { .. }
        ) {
            self.recent_calls.push_front(event.clone());
            self.recent_calls.truncate(crate::store::RECENT_CALLS);
        }
        let wrap = |event_json: &str| {
            Bytes::from(format!(
                "{{\"kind\":\"event\",\"seq\":{seq},\"event\":{event_json}}}"
            ))
        };
        let full = match &event.kind {
            // What a visitor wrote goes to supervisors in the day report;
            // no stream carries it, not even to staff.
            EventKind::Rated {
                comment: Some(_), ..
            } => {
                let mut e = event.clone();
                if let EventKind::Rated { comment, .. } = &mut e.kind {
                    *comment = None;
                }
                to_bytes(&StreamMessage::Event { seq, event: e })
            }
            _ => wrap(json),
        };
        let public = match public_by_text(event) {
            // The id is long and random: every quoted occurrence is it.
            Some(id) => wrap(&json.replace(&format!("\"{id}\""), "\"\"")),
            None => to_bytes(&StreamMessage::Event {
                seq,
                event: redact_event(event),
            }),
        };
        let frame = Arc::new(Frame {
            seq: Some(seq),
            full,
            public,
        });
        if self.ring.len() == RING {
            self.ring.pop_front();
        }
        self.ring.push_back(frame.clone());
        // No receivers is fine.
        let _ = self.tx.send(frame);
    }

    /// Subscribes a client that last saw `since` (or nothing). `last` is the
    /// last committed sequence; `queue` builds the hall's view for a
    /// snapshot.
    pub fn subscribe(
        &self,
        since: Option<u64>,
        last: u64,
        full: bool,
        queue: impl FnOnce() -> QueueView,
    ) -> Subscription {
        let rx = self.tx.subscribe();
        if let Some(s) = since
            && s <= last
        {
            let oldest = self.ring.front().and_then(|f| f.seq).unwrap_or(last + 1);
            if s + 1 >= oldest || s == last {
                let initial = self
                    .ring
                    .iter()
                    .filter(|f| f.seq.is_some_and(|q| q > s))
                    .map(|f| f.text(full).clone())
                    .collect();
                return Subscription {
                    initial,
                    seq: last,
                    rx,
                };
            }
        }
        let mut queue = queue();
        let mut recent: Vec<Event> = self.recent_calls.iter().cloned().collect();
        if !full {
            redact_queue(&mut queue);
            recent = recent.iter().map(redact_event).collect();
        }
        let snapshot = to_bytes(&StreamMessage::Snapshot {
            seq: last,
            queue: Box::new(queue),
            recent_calls: recent,
        });
        Subscription {
            initial: vec![snapshot],
            seq: last,
            rx,
        }
    }
}

/// A device report as a frame (the same for every audience).
pub fn device_frame(message: &StreamMessage) -> Arc<Frame> {
    let bytes = to_bytes(message);
    Arc::new(Frame {
        seq: None,
        full: bytes.clone(),
        public: bytes,
    })
}

/// The ticket id to blank out of an event's JSON text, when that is all
/// the redaction there is to do (no appointment code, no visitor's comment;
/// an id too long and random to occur by chance elsewhere).
fn public_by_text(event: &Event) -> Option<&str> {
    match &event.kind {
        EventKind::Issued { ticket } if ticket.appointment.is_some() => return None,
        EventKind::Rated {
            comment: Some(_), ..
        } => return None,
        _ => {}
    }
    let id = event.kind.ticket()?.as_str();
    (id.len() >= 16).then_some(id)
}

fn hide(id: &mut TicketId) {
    id.0.clear();
}

/// The event without ticket ids, appointment codes, staff account names
/// and visitors' comments, for the public.
pub fn redact_event(event: &Event) -> Event {
    let mut e = event.clone();
    match &mut e.kind {
        EventKind::Issued { ticket } => {
            hide(&mut ticket.id);
            if let Some(a) = &mut ticket.appointment {
                a.code.clear();
            }
        }
        EventKind::Called { ticket, .. }
        | EventKind::Recalled { ticket, .. }
        | EventKind::Started { ticket, .. }
        | EventKind::Completed { ticket, .. }
        | EventKind::NoShow { ticket, .. }
        | EventKind::Reactivated { ticket, .. }
        | EventKind::Transferred { ticket, .. }
        | EventKind::Cancelled { ticket, .. }
        | EventKind::Expired { ticket, .. }
        | EventKind::YellowCard { ticket, .. } => hide(ticket),
        EventKind::Rated {
            ticket, comment, ..
        } => {
            hide(ticket);
            *comment = None;
        }
        EventKind::WindowOpened { staff, .. } => *staff = None,
        // Why a window paused is for supervisors; the public sees that it
        // did.
        EventKind::Paused { reason, .. } => reason.clear(),
        EventKind::WindowClosed { .. }
        | EventKind::Resumed { .. }
        | EventKind::DayChanged { .. }
        | EventKind::SiteClosed { .. } => {}
    }
    e
}

/// The hall's view without the current tickets' ids and the staff's
/// account names, for the public.
pub fn redact_queue(queue: &mut QueueView) {
    for w in &mut queue.windows {
        redact_window(w);
    }
}

/// Hides the id of a window's current ticket, who works it and why it
/// paused, for the public.
pub fn redact_window(window: &mut lobby_core::api::WindowView) {
    window.staff = None;
    if let Some(reason) = &mut window.paused {
        reason.clear();
    }
    if let Some(c) = &mut window.current {
        hide(&mut c.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_redaction_matches_typed_redaction() {
        let hall = std::sync::Arc::new(crate::builtin_hall().unwrap());
        let mut lobby = lobby_core::Lobby::new(hall);
        let now: jiff::Timestamp = "2026-11-25T01:00:00Z".parse().unwrap();
        let mut hub = Hub::new(Vec::new());
        let mut rx = hub.sender().subscribe();
        let id = crate::secret::ticket_id(1);
        let mut events = lobby
            .handle(
                now,
                lobby_core::Command::Issue(lobby_core::Issue::kiosk(id.as_str(), "bdc")),
            )
            .unwrap();
        events.extend(
            lobby
                .handle(
                    now,
                    lobby_core::Command::Call {
                        window: lobby_core::WindowNo(7),
                        ticket: None,
                    },
                )
                .unwrap(),
        );
        for (seq, event) in events.iter().enumerate() {
            let json = serde_json::to_string(event).unwrap();
            hub.publish(seq as u64 + 1, event, &json);
            let frame = rx.try_recv().unwrap();
            let typed = serde_json::to_value(StreamMessage::Event {
                seq: seq as u64 + 1,
                event: redact_event(event),
            })
            .unwrap();
            let text: serde_json::Value = serde_json::from_slice(&frame.public).unwrap();
            assert_eq!(text, typed);
            assert!(!String::from_utf8_lossy(&frame.public).contains(&id));
            let full: serde_json::Value = serde_json::from_slice(&frame.full).unwrap();
            assert_eq!(
                full,
                serde_json::to_value(StreamMessage::Event {
                    seq: seq as u64 + 1,
                    event: event.clone()
                })
                .unwrap()
            );
        }
    }
}

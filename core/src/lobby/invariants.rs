//! The internal indexes checked against the tickets, for tests.

use std::collections::HashMap;

use super::Lobby;
use crate::dispatch::Slot;
use crate::ticket::Status;

impl Lobby {
    /// Checks the internal indexes against the tickets; for tests.
    #[doc(hidden)]
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut queued = HashMap::new();
        for (ci, lanes) in self.queues.lanes.iter().enumerate() {
            for &p in lanes.green.iter().chain(&lanes.normal) {
                if queued.insert(p, Slot::Category(ci)).is_some() {
                    return Err(format!("place {p} queued twice"));
                }
            }
            for &(_, p) in &lanes.appointment {
                if !lanes.normal.contains(&p) {
                    return Err(format!("appointment {p} not in the normal lane"));
                }
            }
            for &(_, p) in &lanes.watch {
                if !lanes.normal.contains(&p) && !lanes.green.contains(&p) {
                    return Err(format!("watched {p} not queued"));
                }
            }
        }
        for (wi, set) in self.queues.windows.iter().enumerate() {
            for &p in set {
                if queued.insert(p, Slot::Window(wi)).is_some() {
                    return Err(format!("place {p} queued twice"));
                }
            }
        }
        for t in self.tickets.values() {
            let waiting = t.status == Status::Waiting;
            match queued.get(&t.place) {
                Some(&slot) if waiting && slot == self.slot_of(t) => {}
                None if !waiting => {}
                other => {
                    return Err(format!(
                        "ticket {} ({:?}) queued as {other:?}",
                        t.number, t.status
                    ));
                }
            }
            if self.ids.get(&t.id) != Some(&t.place) {
                return Err(format!("ticket {} missing from the id index", t.number));
            }
        }
        for ws in &self.windows {
            if let Some(id) = &ws.current {
                let t = self.ticket(id).ok_or("current ticket unknown")?;
                if !matches!(t.status, Status::Called | Status::Serving)
                    || t.window != Some(ws.number)
                {
                    return Err(format!(
                        "window {} holds {} in state {:?}",
                        ws.number, t.number, t.status
                    ));
                }
            }
        }
        Ok(())
    }
}

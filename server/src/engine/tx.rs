//! What a job sees: [`Tx`] inside a batch's transaction, [`View`] after
//! its commit.

use jiff::Timestamp;
use lobby_core::api::{TicketView, WindowView, window_view};
use lobby_core::{Command, Event, EventKind, Hall, Lang, Lobby, TicketId, WindowNo};

use super::{Batch, State};
use crate::clock::FakeClock;
use crate::error::ApiError;
use crate::secret;
use crate::store::{self, Log, Store};

/// What a command changed: the ticket and window it concerned, as they are
/// after it (stored as JSON under an idempotency key).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The ticket the command named or, failing that, the last one its
    /// events concern (a call's called ticket).
    pub ticket: Option<TicketView>,
    /// The window the command acted on.
    pub window: Option<WindowView>,
}

/// A write job's access to the state, inside the batch's transaction.
/// Whatever it stores is committed with the batch or not at all.
pub struct Tx<'a> {
    state: &'a mut State,
    pub(super) batch: &'a mut Batch,
    now: &'a mut Timestamp,
}

impl<'a> Tx<'a> {
    pub(super) fn new(
        state: &'a mut State,
        batch: &'a mut Batch,
        now: &'a mut Timestamp,
    ) -> Tx<'a> {
        Tx { state, batch, now }
    }

    /// The batch's time (the writer's clock when the batch began).
    pub fn now(&self) -> Timestamp {
        *self.now
    }

    /// The hall.
    pub fn hall(&self) -> &Hall {
        &self.state.hall
    }

    /// The live state (changed only through [`Tx::command`]).
    pub fn lobby(&self) -> &Lobby {
        &self.state.lobby
    }

    /// The database, inside the batch's transaction.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// The test clock, when the server runs on one.
    pub fn fake_clock(&self) -> Option<&FakeClock> {
        self.state.fake.as_deref()
    }

    /// Moves the batch's time (the test clock moved).
    pub fn set_now(&mut self, at: Timestamp) {
        *self.now = at;
    }

    /// Accounts, sessions or devices changed: the cache the handlers
    /// authenticate with is reloaded after the commit, before any answer.
    pub fn accounts_changed(&mut self) {
        self.batch.auth_changed = true;
    }

    /// Events written by this batch so far.
    pub fn events_written(&self) -> usize {
        self.batch.events.len()
    }

    /// An unguessable id for a ticket issued now.
    pub fn new_ticket_id(&self) -> TicketId {
        TicketId(secret::ticket_id(self.state.seq + 1))
    }

    /// Runs a command through the core and records what it caused; a
    /// refusal changes nothing.
    pub fn command(
        &mut self,
        command: Command,
        lang: Lang,
    ) -> store::Result<Result<Outcome, ApiError>> {
        let now = *self.now;
        let window = command_window(&command);
        let asked = command_ticket(&command);
        let issuing = matches!(command, Command::Issue(_));
        let events = match self.state.lobby.handle(now, command) {
            Ok(events) => events,
            Err(r) => return Ok(Err(ApiError::rejected(&r, lang, &self.state.hall))),
        };
        let concerned = asked.or_else(|| {
            events
                .iter()
                .rev()
                .filter(|e| !matches!(e.kind, EventKind::Expired { .. }))
                .find_map(|e| e.kind.ticket().cloned())
        });
        self.record(events)?;
        let State { hall, lobby, .. } = &*self.state;
        let ticket = concerned.and_then(|id| lobby.ticket(&id)).map(|t| {
            if issuing {
                // A new ticket carries the estimate it was issued with,
                // which is the current one; `Lobby::estimate` would count
                // the queue ahead of it one by one.
                TicketView::with_estimate(hall, t, t.estimate.ahead, t.estimate.wait_s, lang)
            } else {
                TicketView::of(lobby, t, now, lang)
            }
        });
        let window = window.and_then(|n| window_of(hall, lobby, n));
        Ok(Ok(Outcome { ticket, window }))
    }

    /// Stores a core command's events (already applied to the lobby).
    fn record(&mut self, events: Vec<Event>) -> store::Result<()> {
        let (state, batch) = (&mut *self.state, &mut *self.batch);
        for event in events {
            state.seq += 1;
            state.since_snapshot += 1;
            let json = serde_json::to_string(&event)?;
            state.store.append(state.seq, &event, &json)?;
            if let Some(t) = event.kind.ticket() {
                batch.tickets.insert(t.clone());
            }
            match store::windows_touched(&event.kind) {
                Some(ws) => batch.windows.extend(ws),
                None => batch.all_windows = true,
            }
            match &event.kind {
                EventKind::DayChanged { .. } => batch.day_changed = true,
                EventKind::Expired { ticket, .. } => {
                    batch.expired.insert(ticket.clone(), event.at);
                }
                _ => {}
            }
            batch.events.push((state.seq, event, json));
        }
        Ok(())
    }
}

/// A read job's access: the committed state.
pub struct View<'a> {
    state: &'a State,
    now: Timestamp,
}

impl<'a> View<'a> {
    pub(super) fn new(state: &'a State, now: Timestamp) -> View<'a> {
        View { state, now }
    }

    /// The writer's clock when the read ran.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The hall.
    pub fn hall(&self) -> &Hall {
        &self.state.hall
    }

    /// The live state.
    pub fn lobby(&self) -> &Lobby {
        &self.state.lobby
    }

    /// The database (committed data only: no batch is open).
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// A window's view, or `None` for a number the hall does not have.
    pub fn window(&self, n: WindowNo) -> Option<WindowView> {
        window_of(&self.state.hall, &self.state.lobby, n)
    }
}

fn window_of(hall: &Hall, lobby: &Lobby, n: WindowNo) -> Option<WindowView> {
    let w = hall.window(n)?;
    let ws = lobby.window(n)?;
    Some(window_view(lobby, w, ws))
}

/// The window a command acts on.
fn command_window(c: &Command) -> Option<WindowNo> {
    match c {
        Command::Call { window, .. }
        | Command::Recall { window }
        | Command::Start { window }
        | Command::Complete { window }
        | Command::NoShow { window }
        | Command::Transfer { window, .. }
        | Command::Pause { window, .. }
        | Command::Resume { window }
        | Command::OpenWindow { window, .. }
        | Command::CloseWindow { window } => Some(*window),
        _ => None,
    }
}

/// The ticket a command names.
fn command_ticket(c: &Command) -> Option<TicketId> {
    match c {
        Command::Issue(i) => Some(i.id.clone()),
        Command::Call {
            ticket: Some(t), ..
        }
        | Command::Reactivate { ticket: t }
        | Command::Cancel { ticket: t }
        | Command::Rate { ticket: t, .. } => Some(t.clone()),
        _ => None,
    }
}

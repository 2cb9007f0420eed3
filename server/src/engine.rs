//! The one writer: a thread that owns the hall's state ([`Lobby`]) and the
//! only writing database connection.
//!
//! Handlers send a [`Request`] over a channel, each with a oneshot for its
//! answer. The thread blocks for one request, takes whatever else is queued
//! (up to [`MAX_BATCH`]), handles them in order, writes all their events
//! and the changed state in ONE transaction, commits, and only then answers
//! and publishes the events. A commit costs one fsync however many requests
//! it carries, so durability does not cap throughput: while one batch is
//! being synced, the next one queues up.
//!
//! If a commit fails, every write of the batch is answered 503 and the state
//! is rebuilt from the database, so memory never runs ahead of disk. Reads
//! are answered after the batch's commit, so they never show an
//! uncommitted change.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use jiff::{Timestamp, ToSpan};
use lobby_core::api::{
    AppointmentView, AuditAction, ClockAnswer, ClockRequest, NewDevice, QueueView, StaffPatch,
    StaffView, TicketView, WindowView, window_view,
};
use lobby_core::{
    Appointment, Channel, Command, Event, EventKind, Hall, Issue, Lang, Lobby, Priority, SiteId,
    Status, Ticket, TicketId, WindowNo,
};
use tokio::sync::{mpsc, oneshot};

use crate::audit::{self, Actor, Record};
use crate::auth::{AuthCache, SESSION_HOURS};
use crate::clock::{Clock, FakeClock};
use crate::error::{ApiError, ErrorKind, pick};
use crate::hub::{Frame, Hub, Subscription};
use crate::secret::{self, TokenHash};
use crate::snapshots::{self, Snapshots};
use crate::store::{self, DeviceRecord, SessionRecord, StaffRecord, Store};

/// Most requests handled in one transaction.
pub const MAX_BATCH: usize = 512;

/// Requests queued before handlers wait (back-pressure).
pub const QUEUE: usize = 8192;

/// Where an answer goes.
pub type Reply<T> = oneshot::Sender<Result<T, ApiError>>;

/// What a command changed: the ticket and window it concerned, as they are
/// after it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The ticket concerned.
    pub ticket: Option<TicketView>,
    /// The window concerned.
    pub window: Option<WindowView>,
}

/// A staff patch whose password is already hashed.
#[derive(Debug, Clone)]
pub struct HashedPatch {
    /// The fields to change (its `password` is ignored).
    pub patch: StaffPatch,
    /// The new password's hash.
    pub password_hash: Option<String>,
}

/// Everything the engine does: a closed set.
pub enum Request {
    /// A command for the core (issue, call, recall …).
    Command {
        /// The command; an issue's empty id is replaced by a fresh one.
        command: Command,
        /// Language of the answer.
        lang: Lang,
        /// Answer.
        reply: Reply<Outcome>,
    },
    /// Check in an appointment: issues its ticket.
    CheckIn {
        /// Booking code.
        code: String,
        /// Site of the kiosk, if known.
        site: Option<SiteId>,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<TicketView>,
    },
    /// Register an appointment (already masked).
    NewAppointment {
        /// The appointment.
        appointment: AppointmentView,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<AppointmentView>,
    },
    /// Add a staff account.
    CreateStaff {
        /// Who asks (for the audit trail).
        actor: Actor,
        /// The account, password hashed.
        record: StaffRecord,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<StaffView>,
    },
    /// Change a staff account.
    UpdateStaff {
        /// Who asks (for the audit trail).
        actor: Actor,
        /// Which.
        username: String,
        /// Changes.
        patch: HashedPatch,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<StaffView>,
    },
    /// Delete a staff account.
    DeleteStaff {
        /// Who asks (for the audit trail).
        actor: Actor,
        /// Which.
        username: String,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<()>,
    },
    /// Open a session for a verified login.
    Login {
        /// Who asks (for the audit trail).
        actor: Actor,
        /// Account (its password was verified by the caller).
        username: String,
        /// Hash of the new session token.
        token: TokenHash,
        /// Language.
        lang: Lang,
        /// Answer: the account and when the session ends.
        reply: Reply<(StaffView, Timestamp)>,
    },
    /// End a session.
    Logout {
        /// Who asks (for the audit trail).
        actor: Actor,
        /// Hash of its token.
        token: TokenHash,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<()>,
    },
    /// Register a device.
    CreateDevice {
        /// Who asks (for the audit trail).
        actor: Actor,
        /// The device.
        device: NewDevice,
        /// Hash of its new token.
        token: TokenHash,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<DeviceRecord>,
    },
    /// Remove a device.
    DeleteDevice {
        /// Who asks (for the audit trail).
        actor: Actor,
        /// Which.
        id: i64,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<()>,
    },
    /// Write an audit entry that goes with no other change (a failed
    /// login).
    Audit {
        /// Who.
        actor: Actor,
        /// What.
        record: Record,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<()>,
    },
    /// Move the fake clock, then tick.
    SetClock {
        /// How.
        change: ClockRequest,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<ClockAnswer>,
    },
    /// Time passes (sent every few seconds).
    Tick,
    /// Read a ticket.
    Ticket {
        /// Which.
        id: TicketId,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<TicketView>,
    },
    /// Read the hall's queues and windows.
    Queue {
        /// Language.
        lang: Lang,
        /// With ticket ids (staff) or without (public).
        full: bool,
        /// Answer.
        reply: Reply<QueueView>,
    },
    /// One window's state.
    Window {
        /// The window.
        window: WindowNo,
        /// With its ticket's id (staff) or without (public).
        full: bool,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<WindowView>,
    },
    /// Tickets a window could call now.
    Waiting {
        /// The window.
        window: WindowNo,
        /// Language.
        lang: Lang,
        /// Answer.
        reply: Reply<Vec<TicketView>>,
    },
    /// Subscribe to the event stream.
    Subscribe {
        /// The last sequence the client saw.
        since: Option<u64>,
        /// With ticket ids or without.
        full: bool,
        /// Language of the snapshot.
        lang: Lang,
        /// Answer.
        reply: oneshot::Sender<Subscription>,
    },
}

impl Request {
    fn is_read(&self) -> bool {
        matches!(
            self,
            Request::Ticket { .. }
                | Request::Queue { .. }
                | Request::Waiting { .. }
                | Request::Window { .. }
                | Request::Subscribe { .. }
        )
    }

    /// Answers a write that could not be committed.
    fn fail(self) {
        macro_rules! fail {
            ($reply:expr, $lang:expr) => {{
                let _ = $reply.send(Err(ApiError::unavailable($lang)));
            }};
        }
        match self {
            Request::Command { reply, lang, .. } => fail!(reply, lang),
            Request::CheckIn { reply, lang, .. } => fail!(reply, lang),
            Request::NewAppointment { reply, lang, .. } => fail!(reply, lang),
            Request::CreateStaff { reply, lang, .. } => fail!(reply, lang),
            Request::UpdateStaff { reply, lang, .. } => fail!(reply, lang),
            Request::DeleteStaff { reply, lang, .. } => fail!(reply, lang),
            Request::Login { reply, lang, .. } => fail!(reply, lang),
            Request::Logout { reply, lang, .. } => fail!(reply, lang),
            Request::CreateDevice { reply, lang, .. } => fail!(reply, lang),
            Request::DeleteDevice { reply, lang, .. } => fail!(reply, lang),
            Request::SetClock { reply, lang, .. } => fail!(reply, lang),
            Request::Audit { reply, lang, .. } => fail!(reply, lang),
            Request::Ticket { reply, lang, .. } => fail!(reply, lang),
            Request::Queue { reply, lang, .. } => fail!(reply, lang),
            Request::Waiting { reply, lang, .. } => fail!(reply, lang),
            Request::Window { reply, lang, .. } => fail!(reply, lang),
            Request::Tick | Request::Subscribe { .. } => {}
        }
    }
}

/// The handlers' side of the engine.
#[derive(Clone)]
pub struct EngineHandle {
    tx: mpsc::Sender<Request>,
}

impl EngineHandle {
    /// Sends a request and waits for its answer.
    pub async fn ask<T>(
        &self,
        lang: Lang,
        make: impl FnOnce(Reply<T>) -> Request,
    ) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .map_err(|_| ApiError::shutting_down(lang))?;
        answer.await.map_err(|_| ApiError::shutting_down(lang))?
    }

    /// Subscribes to the event stream.
    pub async fn subscribe(
        &self,
        since: Option<u64>,
        full: bool,
        lang: Lang,
    ) -> Option<Subscription> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Request::Subscribe {
                since,
                full,
                lang,
                reply,
            })
            .await
            .ok()?;
        answer.await.ok()
    }

    /// Asks for a tick.
    pub async fn tick(&self) -> bool {
        self.tx.send(Request::Tick).await.is_ok()
    }
}

/// What the rest of the server shares with the engine.
pub struct Started {
    /// Where to send requests.
    pub handle: EngineHandle,
    /// Accounts, kept current by the engine.
    pub auth: Arc<RwLock<AuthCache>>,
    /// For device reports on the stream.
    pub frames: tokio::sync::broadcast::Sender<Arc<Frame>>,
    /// The engine thread; it ends when every handle is dropped.
    pub thread: std::thread::JoinHandle<()>,
}

/// The writer.
pub struct Engine {
    hall: Arc<Hall>,
    lobby: Lobby,
    store: Store,
    db: std::path::PathBuf,
    snapshots: Option<Snapshots>,
    clock: Arc<dyn Clock>,
    fake: Option<Arc<FakeClock>>,
    seq: u64,
    since_snapshot: u64,
    hub: Hub,
    auth: Arc<RwLock<AuthCache>>,
    /// Set when the state could not be rebuilt after a failed commit: every
    /// write is refused until a rebuild succeeds.
    broken: bool,
}

/// What one batch changed, to store and then publish.
#[derive(Default)]
struct Batch {
    /// Events with their sequence numbers and JSON.
    events: Vec<(u64, Event, String)>,
    tickets: HashSet<TicketId>,
    expired: HashMap<TicketId, Timestamp>,
    windows: HashSet<WindowNo>,
    all_windows: bool,
    day_changed: bool,
    auth_changed: bool,
    pending: Vec<Box<dyn FnOnce(bool) + Send>>,
}

impl Batch {
    /// Defers an answer until the commit: `ok` is sent if it succeeds.
    fn answer<T: Send + 'static>(&mut self, reply: Reply<T>, lang: Lang, ok: Result<T, ApiError>) {
        self.pending.push(Box::new(move |committed| {
            let answer = if committed {
                ok
            } else {
                Err(ApiError::unavailable(lang))
            };
            let _ = reply.send(answer);
        }));
    }
}

type Sql<T> = Result<T, rusqlite::Error>;

fn conflict(code: &'static str, message: String) -> ApiError {
    ApiError::new(ErrorKind::Conflict, code, message)
}

fn not_found(code: &'static str, message: String) -> ApiError {
    ApiError::new(ErrorKind::NotFound, code, message)
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

impl Engine {
    /// Restores the state from the database and starts the writer thread.
    pub fn start(
        hall: Arc<Hall>,
        store: Store,
        db: &std::path::Path,
        clock: Arc<dyn Clock>,
        fake: Option<Arc<FakeClock>>,
    ) -> anyhow::Result<Started> {
        let restored = store.restore(&hall, snapshots::stored(db))?;
        let auth = Arc::new(RwLock::new(load_auth(&store, clock.now())?));
        let hub = Hub::new(restored.recent_calls);
        let frames = hub.sender();
        let engine = Engine {
            hall,
            lobby: restored.lobby,
            store,
            db: db.to_owned(),
            snapshots: Some(Snapshots::start(db)?),
            clock,
            fake,
            seq: restored.seq,
            since_snapshot: restored.since_snapshot,
            hub,
            auth: auth.clone(),
            broken: false,
        };
        let (tx, rx) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("lobby-engine".into())
            .spawn(move || engine.run(rx))?;
        Ok(Started {
            handle: EngineHandle { tx },
            auth,
            frames,
            thread,
        })
    }

    fn run(mut self, mut rx: mpsc::Receiver<Request>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = rx.blocking_recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(r) => batch.push(r),
                    Err(_) => break,
                }
            }
            let processed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.process(&mut batch);
            }));
            if processed.is_err() {
                // Never expected (requests are already guarded); the
                // database is the truth, and the unanswered callers get 503.
                tracing::error!("a batch panicked; rebuilding the state");
                batch.clear();
                self.store.rollback();
                self.rebuild();
            }
        }
        // Every handle is gone: the server is shutting down. A last
        // snapshot makes the next start quick.
        let last = (!self.broken && self.since_snapshot > 0)
            .then(|| (self.seq, self.clock.now(), self.lobby.snapshot()));
        if let Some(s) = self.snapshots.take() {
            s.finish(last);
        }
        self.store.checkpoint();
        tracing::info!(seq = self.seq, "engine stopped");
    }

    fn process(&mut self, requests: &mut Vec<Request>) {
        let mut now = self.clock.now();
        let mut reads = Vec::new();
        let mut batch = Batch::default();
        if self.broken {
            self.rebuild();
        }
        let mut failed = self.broken;
        if !failed && let Err(e) = self.store.begin() {
            tracing::error!(error = %e, "cannot begin a transaction");
            failed = true;
        }
        let mut drained = requests.drain(..);
        for request in drained.by_ref() {
            if request.is_read() {
                reads.push(request);
                continue;
            }
            if failed {
                request.fail();
                continue;
            }
            // A panic in the core must not take the server down: the batch
            // is abandoned like a failed commit and the state rebuilt.
            let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.write(&mut now, request, &mut batch)
            }));
            match written {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "storing a change failed");
                    failed = true;
                }
                Err(_) => {
                    tracing::error!("handling a request panicked; rebuilding the state");
                    failed = true;
                }
            }
        }
        drop(drained);
        if !failed && let Err(e) = self.flush(&mut batch) {
            tracing::error!(error = %e, "committing a batch failed");
            failed = true;
        }
        if failed {
            self.store.rollback();
            for p in batch.pending.drain(..) {
                p(false);
            }
            self.rebuild();
        } else {
            // Accounts first: a client that was told its login or new
            // account succeeded may use it at once.
            if batch.auth_changed {
                self.reload_auth(now);
            }
            for p in batch.pending.drain(..) {
                p(true);
            }
            for (seq, event, json) in &batch.events {
                self.hub.publish(*seq, event, json);
            }
            self.maybe_snapshot(now, batch.day_changed);
        }
        for request in reads {
            if self.broken {
                // Memory may be ahead of the disk: show nothing from it.
                request.fail();
                continue;
            }
            let read =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.read(request)));
            if read.is_err() {
                tracing::error!("answering a read panicked");
            }
        }
    }

    /// Writes the changed state and commits.
    fn flush(&mut self, batch: &mut Batch) -> Sql<()> {
        for id in &batch.tickets {
            match self.lobby.ticket(id) {
                Some(t) => self.store.upsert_ticket(t)?,
                None => {
                    // Expired at a day change and already dropped from
                    // memory: store its final state.
                    if let Some(&at) = batch.expired.get(id)
                        && let Some(mut t) = self.store.ticket(id.as_str())?
                    {
                        t.status = Status::Expired;
                        t.finished_at = Some(at);
                        self.store.upsert_ticket(&t)?;
                    }
                }
            }
        }
        if batch.all_windows {
            for w in self.lobby.windows() {
                self.store.upsert_window(w)?;
            }
        } else {
            for &n in &batch.windows {
                if let Some(w) = self.lobby.window(n) {
                    self.store.upsert_window(w)?;
                }
            }
        }
        self.store.commit()
    }

    /// Hands a snapshot to the snapshot thread when one is due: after the
    /// commit (a snapshot never runs ahead of the log) and after the
    /// answers (copying the state is not on anyone's wait). Its cost grows
    /// with the tickets held, so on a flooded day it is taken more rarely:
    /// never more events apart than the tickets it holds, which keeps both
    /// its cost per event and a restart's replay small.
    fn maybe_snapshot(&mut self, now: Timestamp, day_changed: bool) {
        let due = day_changed
            || (self.since_snapshot >= store::SNAPSHOT_EVERY
                && self.since_snapshot >= self.lobby.tickets().count() as u64);
        if due
            && let Some(s) = &self.snapshots
            && s.offer(self.seq, now, self.lobby.snapshot())
        {
            self.since_snapshot = 0;
        }
    }

    /// After a failed commit: the database is the truth.
    fn rebuild(&mut self) {
        match self.store.restore(&self.hall, snapshots::stored(&self.db)) {
            Ok(r) => {
                self.lobby = r.lobby;
                self.seq = r.seq;
                self.since_snapshot = r.since_snapshot;
                self.hub.reset(r.recent_calls);
                self.broken = false;
                self.reload_auth(self.clock.now());
                tracing::warn!(seq = self.seq, "state rebuilt from the database");
            }
            Err(e) => {
                self.broken = true;
                tracing::error!(error = %e, "cannot rebuild the state; refusing writes");
            }
        }
    }

    fn reload_auth(&self, now: Timestamp) {
        match load_auth(&self.store, now) {
            Ok(cache) => {
                // A poisoned lock only means a reader panicked; the data is
                // replaced whole.
                *self.auth.write().unwrap_or_else(|e| e.into_inner()) = cache;
            }
            Err(e) => tracing::error!(error = %e, "cannot reload accounts"),
        }
    }

    /// Stores a core command's events (already applied to the lobby).
    fn record(&mut self, events: Vec<Event>, batch: &mut Batch) -> Sql<()> {
        for event in events {
            self.seq += 1;
            self.since_snapshot += 1;
            let json = serde_json::to_string(&event)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            self.store.insert_event(self.seq, &event, &json)?;
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
            batch.events.push((self.seq, event, json));
        }
        Ok(())
    }

    /// Runs a command through the core and records what it caused.
    fn command(
        &mut self,
        now: Timestamp,
        command: Command,
        lang: Lang,
        batch: &mut Batch,
    ) -> Sql<Result<Outcome, ApiError>> {
        let window = command_window(&command);
        let asked = command_ticket(&command);
        let issuing = matches!(command, Command::Issue(_));
        let events = match self.lobby.handle(now, command) {
            Ok(events) => events,
            Err(r) => return Ok(Err(ApiError::rejected(&r, lang, &self.hall))),
        };
        let concerned = asked.or_else(|| {
            events
                .iter()
                .rev()
                .filter(|e| !matches!(e.kind, EventKind::Expired { .. }))
                .find_map(|e| e.kind.ticket().cloned())
        });
        self.record(events, batch)?;
        let ticket = concerned.and_then(|id| self.lobby.ticket(&id)).map(|t| {
            if issuing {
                // A new ticket carries the estimate it was issued with,
                // which is the current one; `Lobby::estimate` would count
                // the queue ahead of it one by one.
                TicketView::with_estimate(&self.hall, t, t.estimate.ahead, t.estimate.wait_s, lang)
            } else {
                TicketView::of(&self.lobby, t, now, lang)
            }
        });
        let window = window.and_then(|n| self.window_view(n));
        Ok(Ok(Outcome { ticket, window }))
    }

    fn window_view(&self, n: WindowNo) -> Option<WindowView> {
        let w = self.hall.window(n)?;
        let ws = self.lobby.window(n)?;
        Some(window_view(&self.lobby, w, ws))
    }

    fn write(&mut self, now: &mut Timestamp, request: Request, batch: &mut Batch) -> Sql<()> {
        match request {
            Request::Command {
                mut command,
                lang,
                reply,
            } => {
                if let Command::Issue(issue) = &mut command
                    && issue.id.as_str().is_empty()
                {
                    issue.id = TicketId(secret::ticket_id(self.seq + 1));
                }
                let answer = self.command(*now, command, lang, batch)?;
                batch.answer(reply, lang, answer);
            }
            Request::Tick => {
                // A tick that changes nothing needs no answer.
                self.command(*now, Command::Tick, Lang::Zh, batch)?.ok();
            }
            Request::SetClock {
                change,
                lang,
                reply,
            } => {
                let answer = self.set_clock(now, change, lang, batch)?;
                batch.answer(reply, lang, answer);
            }
            Request::CheckIn {
                code,
                site,
                lang,
                reply,
            } => {
                let answer = self.check_in(*now, &code, site, lang, batch)?;
                batch.answer(reply, lang, answer);
            }
            Request::NewAppointment {
                appointment,
                lang,
                reply,
            } => {
                let answer = if self.store.insert_appointment(&appointment, *now)? {
                    Ok(appointment)
                } else {
                    Err(conflict(
                        "appointment_exists",
                        match lang {
                            Lang::Zh => format!("预约号“{}”已存在", appointment.code),
                            Lang::En => {
                                format!("appointment `{}` already exists", appointment.code)
                            }
                        },
                    ))
                };
                batch.answer(reply, lang, answer);
            }
            Request::CreateStaff {
                actor,
                record,
                lang,
                reply,
            } => {
                let answer = if self.store.staff_exists(&record.view.username)? {
                    Err(conflict(
                        "username_taken",
                        match lang {
                            Lang::Zh => format!("用户名“{}”已被使用", record.view.username),
                            Lang::En => format!("user name `{}` is taken", record.view.username),
                        },
                    ))
                } else {
                    self.store.insert_staff(&record, *now)?;
                    self.store.insert_audit(
                        *now,
                        &actor,
                        &Record::staff(
                            AuditAction::StaffCreated,
                            &record.view.username,
                            audit::created(&record.view),
                        ),
                    )?;
                    batch.auth_changed = true;
                    tracing::info!(username = %record.view.username, role = ?record.view.role, "staff account created");
                    Ok(record.view)
                };
                batch.answer(reply, lang, answer);
            }
            Request::UpdateStaff {
                actor,
                username,
                patch,
                lang,
                reply,
            } => {
                let answer = self.update_staff(*now, &actor, &username, patch, lang)?;
                if answer.is_ok() {
                    batch.auth_changed = true;
                }
                batch.answer(reply, lang, answer);
            }
            Request::DeleteStaff {
                actor,
                username,
                lang,
                reply,
            } => {
                let answer = if self.last_admin(&username)? {
                    Err(last_admin(lang))
                } else if self.store.delete_staff(&username)? {
                    self.store.insert_audit(
                        *now,
                        &actor,
                        &Record::staff(AuditAction::StaffDeleted, &username, Vec::new()),
                    )?;
                    batch.auth_changed = true;
                    tracing::info!(%username, "staff account deleted");
                    Ok(())
                } else {
                    Err(unknown_staff(&username, lang))
                };
                batch.answer(reply, lang, answer);
            }
            Request::Login {
                actor,
                username,
                token,
                lang,
                reply,
            } => {
                let staff = self
                    .store
                    .staff()?
                    .into_iter()
                    .find(|s| s.view.username == username && !s.view.disabled);
                let answer = match staff {
                    Some(s) => {
                        let expires_at = now.checked_add(SESSION_HOURS.hours()).unwrap_or(*now);
                        self.store.insert_session(&SessionRecord {
                            token_hash: token.0,
                            username: username.clone(),
                            expires_at,
                        })?;
                        self.store.insert_audit(
                            *now,
                            &actor,
                            &Record::staff(AuditAction::Login, &username, Vec::new()),
                        )?;
                        batch.auth_changed = true;
                        tracing::info!(%username, "logged in");
                        Ok((s.view, expires_at))
                    }
                    None => {
                        // Disabled or deleted while its password was checked.
                        self.store.insert_audit(
                            *now,
                            &Actor::anonymous(actor.address),
                            &Record::staff(
                                AuditAction::LoginFailed,
                                &username,
                                vec![audit::set("reason", "disabled")],
                            ),
                        )?;
                        Err(ApiError::unauthorized(lang))
                    }
                };
                batch.answer(reply, lang, answer);
            }
            Request::Logout {
                actor,
                token,
                lang,
                reply,
            } => {
                self.store.delete_session(&token.0)?;
                self.store.insert_audit(
                    *now,
                    &actor,
                    &Record {
                        action: AuditAction::Logout,
                        target: None,
                        changes: Vec::new(),
                    },
                )?;
                batch.auth_changed = true;
                batch.answer(reply, lang, Ok(()));
            }
            Request::CreateDevice {
                actor,
                device,
                token,
                lang,
                reply,
            } => {
                let id = self.store.insert_device(
                    &device.name,
                    device.kind,
                    device.site.as_ref().map(SiteId::as_str),
                    &token.0,
                    *now,
                )?;
                let mut changes = vec![
                    audit::set("name", device.name.clone()),
                    audit::set("kind", store::kind_name(device.kind)),
                ];
                if let Some(site) = &device.site {
                    changes.push(audit::set("site", site.as_str()));
                }
                self.store.insert_audit(
                    *now,
                    &actor,
                    &Record::device(AuditAction::DeviceCreated, id, changes),
                )?;
                batch.auth_changed = true;
                tracing::info!(id, kind = ?device.kind, "device registered");
                let record = DeviceRecord {
                    id,
                    name: device.name,
                    kind: device.kind,
                    site: device.site,
                    created_at: *now,
                    token_hash: token.0,
                };
                batch.answer(reply, lang, Ok(record));
            }
            Request::DeleteDevice {
                actor,
                id,
                lang,
                reply,
            } => {
                let answer = if self.store.delete_device(id)? {
                    self.store.insert_audit(
                        *now,
                        &actor,
                        &Record::device(AuditAction::DeviceRevoked, id, Vec::new()),
                    )?;
                    batch.auth_changed = true;
                    tracing::info!(id, "device removed");
                    Ok(())
                } else {
                    Err(not_found(
                        "unknown_device",
                        match lang {
                            Lang::Zh => format!("没有编号为 {id} 的设备"),
                            Lang::En => format!("no device {id}"),
                        },
                    ))
                };
                batch.answer(reply, lang, answer);
            }
            Request::Audit {
                actor,
                record,
                lang,
                reply,
            } => {
                self.store.insert_audit(*now, &actor, &record)?;
                batch.answer(reply, lang, Ok(()));
            }
            read => read.fail(),
        }
        Ok(())
    }

    fn set_clock(
        &mut self,
        now: &mut Timestamp,
        change: ClockRequest,
        lang: Lang,
        batch: &mut Batch,
    ) -> Sql<Result<ClockAnswer, ApiError>> {
        let Some(fake) = &self.fake else {
            return Ok(Err(ApiError::not_found(lang)));
        };
        let moved = match (change.advance_s, change.set) {
            (Some(s), None) => fake.advance(s),
            (None, Some(at)) => fake.set(at),
            _ => {
                return Ok(Err(ApiError::invalid(
                    "advance_s",
                    "bad_clock_change",
                    pick(
                        lang,
                        "请给出 advance_s 或 set 之一",
                        "give exactly one of advance_s and set",
                    ),
                )));
            }
        };
        match moved {
            Ok(at) => *now = at,
            Err(e) => {
                return Ok(Err(ApiError::invalid(
                    "set",
                    "bad_clock_change",
                    e.to_string(),
                )));
            }
        }
        let before = batch.events.len();
        self.command(*now, Command::Tick, lang, batch)?.ok();
        Ok(Ok(ClockAnswer {
            now: *now,
            events: (batch.events.len() - before) as u32,
        }))
    }

    fn check_in(
        &mut self,
        now: Timestamp,
        code: &str,
        site: Option<SiteId>,
        lang: Lang,
        batch: &mut Batch,
    ) -> Sql<Result<TicketView, ApiError>> {
        let Some(a) = self.store.appointment(code)? else {
            return Ok(Err(not_found(
                "unknown_appointment",
                match lang {
                    Lang::Zh => format!("没有找到预约号“{code}”"),
                    Lang::En => format!("no appointment `{code}`"),
                },
            )));
        };
        if a.ticket.is_some() {
            return Ok(Err(conflict(
                "already_checked_in",
                pick(
                    lang,
                    "该预约已经取过号了",
                    "this appointment has already checked in",
                ),
            )));
        }
        if self.hall.business_day(a.slot_start) != self.hall.business_day(now) {
            return Ok(Err(conflict(
                "appointment_not_today",
                pick(
                    lang,
                    "该预约不是今天的，请按预约日期前来",
                    "this appointment is not for today",
                ),
            )));
        }
        let id = TicketId(secret::ticket_id(self.seq + 1));
        let issue = Issue {
            id: id.clone(),
            site,
            category: a.category.clone(),
            matter: a.matter.clone(),
            priority: Priority::Normal,
            channel: Channel::Appointment,
            appointment: Some(Appointment {
                code: a.code.clone(),
                slot_start: a.slot_start,
                slot_end: a.slot_end,
            }),
            assisted: false,
            stops: Vec::new(),
        };
        let outcome = self.command(now, Command::Issue(issue), lang, batch)?;
        Ok(match outcome {
            Ok(o) => {
                self.store.set_appointment_ticket(code, &id)?;
                o.ticket.ok_or_else(|| ApiError::internal(lang))
            }
            Err(e) => Err(e),
        })
    }

    /// Whether `username` is the only enabled administrator account: then
    /// it may be neither disabled, demoted nor deleted, or nobody could
    /// sign in to manage the hall (the `LOBBY_ADMIN_TOKEN` and the
    /// `create-admin` console command aside).
    fn last_admin(&self, username: &str) -> Sql<bool> {
        let admins: Vec<String> = self
            .store
            .staff()?
            .into_iter()
            .filter(|s| s.view.role == lobby_core::api::Role::Admin && !s.view.disabled)
            .map(|s| s.view.username)
            .collect();
        Ok(admins.len() == 1 && admins[0] == username)
    }

    fn update_staff(
        &mut self,
        now: Timestamp,
        actor: &Actor,
        username: &str,
        patch: HashedPatch,
        lang: Lang,
    ) -> Sql<Result<StaffView, ApiError>> {
        let Some(mut record) = self
            .store
            .staff()?
            .into_iter()
            .find(|s| s.view.username == username)
        else {
            return Ok(Err(unknown_staff(username, lang)));
        };
        let HashedPatch {
            patch,
            password_hash,
        } = patch;
        let before = record.view.clone();
        let password_reset = password_hash.is_some();
        let mut end_sessions = false;
        if let Some(n) = patch.display_name {
            record.view.display_name = n;
        }
        if let Some(r) = patch.role {
            end_sessions |= r != record.view.role;
            record.view.role = r;
        }
        if let Some(w) = patch.windows {
            record.view.windows = w;
        }
        if let Some(d) = patch.disabled {
            end_sessions |= d;
            record.view.disabled = d;
        }
        if let Some(h) = password_hash {
            record.password_hash = h;
            end_sessions = true;
        }
        let still_admin = record.view.role == lobby_core::api::Role::Admin && !record.view.disabled;
        if !still_admin && self.last_admin(username)? {
            return Ok(Err(last_admin(lang)));
        }
        self.store.update_staff(&record)?;
        for entry in audit::updated(&before, &record.view, password_reset) {
            self.store.insert_audit(now, actor, &entry)?;
        }
        if end_sessions {
            self.store.delete_sessions_of(username)?;
        }
        tracing::info!(%username, "staff account changed");
        Ok(Ok(record.view))
    }

    fn read(&mut self, request: Request) {
        let now = self.clock.now();
        match request {
            Request::Ticket { id, lang, reply } => {
                let answer = match self.lobby.ticket(&id) {
                    Some(t) => Ok(TicketView::of(&self.lobby, t, now, lang)),
                    None => match self.store.ticket(id.as_str()) {
                        Ok(Some(t)) => Ok(self.stored_view(&t, lang)),
                        Ok(None) => Err(unknown_ticket(&id, lang, &self.hall)),
                        Err(e) => {
                            tracing::error!(error = %e, "reading a ticket failed");
                            Err(ApiError::unavailable(lang))
                        }
                    },
                };
                let _ = reply.send(answer);
            }
            Request::Queue { lang, full, reply } => {
                let mut view = QueueView::of(&self.lobby, now, lang);
                if !full {
                    crate::hub::redact_queue(&mut view);
                }
                let _ = reply.send(Ok(view));
            }
            Request::Waiting {
                window,
                lang,
                reply,
            } => {
                let _ = reply.send(self.waiting(window, now, lang));
            }
            Request::Window {
                window,
                full,
                lang,
                reply,
            } => {
                let answer = match self.window_view(window) {
                    Some(mut view) => {
                        if !full {
                            crate::hub::redact_window(&mut view);
                        }
                        Ok(view)
                    }
                    None => Err(ApiError::rejected(
                        &lobby_core::Rejected::UnknownWindow { window },
                        lang,
                        &self.hall,
                    )),
                };
                let _ = reply.send(answer);
            }
            Request::Subscribe {
                since,
                full,
                lang,
                reply,
            } => {
                let lobby = &self.lobby;
                let sub = self
                    .hub
                    .subscribe(since, self.seq, full, || QueueView::of(lobby, now, lang));
                let _ = reply.send(sub);
            }
            write => write.fail(),
        }
    }

    fn stored_view(&self, t: &Ticket, lang: Lang) -> TicketView {
        TicketView::with_estimate(&self.hall, t, 0, 0, lang)
    }

    /// Tickets a window could call: those transferred to it, then its
    /// categories' queues, primary first.
    fn waiting(
        &self,
        window: WindowNo,
        now: Timestamp,
        lang: Lang,
    ) -> Result<Vec<TicketView>, ApiError> {
        let Some(w) = self.hall.window(window) else {
            return Err(ApiError::rejected(
                &lobby_core::Rejected::UnknownWindow { window },
                lang,
                &self.hall,
            ));
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let tickets = self
            .lobby
            .waiting_for_window(window)
            .into_iter()
            .chain(w.categories.iter().flat_map(|c| self.lobby.waiting(c)));
        for t in tickets {
            if out.len() >= 500 {
                break;
            }
            if seen.insert(t.id.clone()) {
                out.push(TicketView::of(&self.lobby, t, now, lang));
            }
        }
        Ok(out)
    }
}

fn last_admin(lang: Lang) -> ApiError {
    conflict(
        "last_admin",
        pick(
            lang,
            "这是唯一的管理员账号，不能停用、降级或删除；请先另设一名管理员",
            "this is the only administrator account: it cannot be disabled, demoted or deleted until there is another",
        )
        .to_owned(),
    )
}

fn unknown_staff(username: &str, lang: Lang) -> ApiError {
    not_found(
        "unknown_staff",
        match lang {
            Lang::Zh => format!("没有用户“{username}”"),
            Lang::En => format!("no staff account `{username}`"),
        },
    )
}

/// The 404 for a ticket id.
pub fn unknown_ticket(id: &TicketId, lang: Lang, hall: &Hall) -> ApiError {
    ApiError::rejected(
        &lobby_core::Rejected::UnknownTicket { ticket: id.clone() },
        lang,
        hall,
    )
}

fn load_auth(store: &Store, now: Timestamp) -> rusqlite::Result<AuthCache> {
    Ok(AuthCache::new(
        store.staff()?,
        store.sessions(now)?,
        store.devices()?,
    ))
}

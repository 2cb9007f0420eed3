//! The one writer: a thread that owns the hall's state ([`Lobby`]) and the
//! only writing database connection, and knows nothing of any feature.
//!
//! Handlers send a job over a channel: [`EngineHandle::write`] with a
//! closure over a [`Tx`], or [`EngineHandle::read`] with one over a
//! [`View`]. The thread blocks for one job, takes whatever else is queued
//! (up to [`MAX_BATCH`]), runs the writes in order, writes all their events
//! and the changed state in ONE transaction, commits, and only then answers
//! and publishes the events. A commit costs one fsync however many jobs it
//! carries, so durability does not cap throughput: while one batch is being
//! synced, the next one queues up.
//!
//! If a commit fails, every write of the batch is answered 503 and the state
//! is rebuilt from the database, so memory never runs ahead of disk. Reads
//! run after the batch's commit, so they never show an uncommitted change.
//!
//! A feature adds no arm here: its module holds the closures (see
//! `crate::queue`, `crate::accounts`, `crate::appointments` …). What they
//! may touch is [`Tx`]'s: the core through [`Tx::command`], the store
//! inside the batch's transaction, and the flag that reloads accounts.

mod tx;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use jiff::Timestamp;
use lobby_core::api::QueueView;
use lobby_core::{Command, Event, Hall, Lang, Lobby, Status, TicketId, WindowNo};
use tokio::sync::{mpsc, oneshot};

pub use tx::{Outcome, Tx, View};

use crate::auth::AuthCache;
use crate::clock::{Clock, FakeClock};
use crate::error::ApiError;
use crate::hub::{Frame, Hub, Subscription};
use crate::snapshots::{self, Snapshots};
use crate::store::{self, Log, Store};

/// Most jobs handled in one transaction.
pub const MAX_BATCH: usize = 512;

/// Jobs queued before handlers wait (back-pressure).
pub const QUEUE: usize = 8192;

/// Where an answer goes.
type Reply<T> = oneshot::Sender<Result<T, ApiError>>;

/// A write: runs inside the batch's transaction; its answer waits for the
/// commit.
trait WriteJob: Send {
    fn run(self: Box<Self>, tx: &mut Tx<'_>) -> store::Result<()>;
    /// Answers 503: the batch could not be written.
    fn fail(self: Box<Self>);
}

/// A read: runs after the batch's commit.
trait ReadJob: Send {
    fn run(self: Box<Self>, view: &View<'_>);
    fn fail(self: Box<Self>);
}

struct Job<F, T> {
    work: F,
    reply: Reply<T>,
    lang: Lang,
}

impl<F, T> WriteJob for Job<F, T>
where
    F: FnOnce(&mut Tx<'_>) -> store::Result<Result<T, ApiError>> + Send,
    T: Send + 'static,
{
    fn run(self: Box<Self>, tx: &mut Tx<'_>) -> store::Result<()> {
        let Job { work, reply, lang } = *self;
        match work(tx) {
            Ok(answer) => {
                tx.batch.answer(reply, lang, answer);
                Ok(())
            }
            Err(e) => {
                let _ = reply.send(Err(ApiError::unavailable(lang)));
                Err(e)
            }
        }
    }

    fn fail(self: Box<Self>) {
        let _ = self.reply.send(Err(ApiError::unavailable(self.lang)));
    }
}

struct ReadOnly<F, T>(Job<F, T>);

impl<F, T> ReadJob for ReadOnly<F, T>
where
    F: FnOnce(&View<'_>) -> Result<T, ApiError> + Send,
    T: Send + 'static,
{
    fn run(self: Box<Self>, view: &View<'_>) {
        let Job { work, reply, .. } = self.0;
        let _ = reply.send(work(view));
    }

    fn fail(self: Box<Self>) {
        let _ = self.0.reply.send(Err(ApiError::unavailable(self.0.lang)));
    }
}

/// What the engine runs: a closed set of kinds, an open set of jobs.
enum Request {
    Write(Box<dyn WriteJob>),
    Read(Box<dyn ReadJob>),
    /// Time passes (sent every few seconds).
    Tick,
    /// Follow the event stream from after `since`.
    Subscribe {
        since: Option<u64>,
        /// With ticket ids (staff) or redacted (public).
        full: bool,
        lang: Lang,
        reply: oneshot::Sender<Subscription>,
    },
}

/// The handlers' side of the engine.
#[derive(Clone)]
pub struct EngineHandle {
    tx: mpsc::Sender<Request>,
}

impl EngineHandle {
    async fn send<T>(
        &self,
        lang: Lang,
        request: Request,
        answer: oneshot::Receiver<Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        self.tx
            .send(request)
            .await
            .map_err(|_| ApiError::shutting_down(lang))?;
        answer.await.map_err(|_| ApiError::shutting_down(lang))?
    }

    /// Runs `work` in the next batch's transaction and answers after the
    /// commit. `Ok(Err(..))` is a refusal (it must have changed nothing);
    /// an `Err` from the store fails the whole batch with 503.
    pub async fn write<T: Send + 'static>(
        &self,
        lang: Lang,
        work: impl FnOnce(&mut Tx<'_>) -> store::Result<Result<T, ApiError>> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        let job = Job { work, reply, lang };
        self.send(lang, Request::Write(Box::new(job)), answer).await
    }

    /// Runs `work` on the committed state.
    pub async fn read<T: Send + 'static>(
        &self,
        lang: Lang,
        work: impl FnOnce(&View<'_>) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        let job = ReadOnly(Job { work, reply, lang });
        self.send(lang, Request::Read(Box::new(job)), answer).await
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
    /// Where to send jobs.
    pub handle: EngineHandle,
    /// Accounts, kept current by the engine.
    pub auth: Arc<RwLock<AuthCache>>,
    /// For device reports on the stream.
    pub frames: tokio::sync::broadcast::Sender<Arc<Frame>>,
    /// The engine thread; it ends when every handle is dropped.
    pub thread: std::thread::JoinHandle<()>,
}

/// The state a batch works on: what [`Tx`] and [`View`] lend out.
struct State {
    hall: Arc<Hall>,
    lobby: Lobby,
    store: Store,
    fake: Option<Arc<FakeClock>>,
    /// The last committed (or, inside a batch, written) event's sequence.
    seq: u64,
    since_snapshot: u64,
}

/// The writer.
pub struct Engine {
    state: State,
    db: std::path::PathBuf,
    snapshots: Option<Snapshots>,
    clock: Arc<dyn Clock>,
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
    pending: Vec<Box<dyn FnOnce(Committed) + Send>>,
}

/// How a batch ended, for its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Committed {
    /// Stored.
    Yes,
    /// Rolled back before the commit: nothing was stored.
    No,
    /// The commit itself failed (an fsync error): it may or may not be on
    /// disk.
    Unknown,
}

impl Batch {
    /// Defers an answer until the commit: `ok` is sent if it succeeds.
    fn answer<T: Send + 'static>(&mut self, reply: Reply<T>, lang: Lang, ok: Result<T, ApiError>) {
        self.pending.push(Box::new(move |committed| {
            let answer = match committed {
                Committed::Yes => ok,
                Committed::No => Err(ApiError::unavailable(lang)),
                Committed::Unknown => Err(ApiError::unconfirmed(lang)),
            };
            let _ = reply.send(answer);
        }));
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
        let auth = Arc::new(RwLock::new(AuthCache::load(&store, clock.now())?));
        let hub = Hub::new(restored.recent_calls);
        let frames = hub.sender();
        let engine = Engine {
            state: State {
                hall,
                lobby: restored.lobby,
                store,
                fake,
                seq: restored.seq,
                since_snapshot: restored.since_snapshot,
            },
            db: db.to_owned(),
            snapshots: Some(Snapshots::start(db)?),
            clock,
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
                // Never expected (jobs are already guarded); the database
                // is the truth, and the unanswered callers get 503.
                tracing::error!("a batch panicked; rebuilding the state");
                batch.clear();
                self.state.store.rollback();
                self.rebuild();
            }
        }
        // Every handle is gone: the server is shutting down. A last
        // snapshot makes the next start quick.
        let s = &self.state;
        let last = (!self.broken && s.since_snapshot > 0)
            .then(|| (s.seq, self.clock.now(), s.lobby.snapshot()));
        if let Some(snapshots) = self.snapshots.take() {
            snapshots.finish(last);
        }
        self.state.store.checkpoint();
        tracing::info!(seq = self.state.seq, "engine stopped");
    }

    fn process(&mut self, requests: &mut Vec<Request>) {
        let mut now = self.clock.now();
        let mut reads: Vec<Request> = Vec::new();
        let mut batch = Batch::default();
        if self.broken {
            self.rebuild();
        }
        let mut failed = self.broken;
        if !failed && let Err(e) = self.state.store.begin() {
            tracing::error!(error = %e, "cannot begin a transaction");
            failed = true;
        }
        for request in requests.drain(..) {
            let job = match request {
                Request::Write(job) => job,
                Request::Tick if !failed => {
                    // A tick that changes nothing needs no answer.
                    Box::new(Job {
                        work: |tx: &mut Tx<'_>| tx.command(Command::Tick, Lang::Zh).map(|_| Ok(())),
                        reply: oneshot::channel().0,
                        lang: Lang::Zh,
                    })
                }
                Request::Tick => continue,
                read => {
                    reads.push(read);
                    continue;
                }
            };
            if failed {
                job.fail();
                continue;
            }
            // A panic in the core must not take the server down: the batch
            // is abandoned like a failed commit and the state rebuilt.
            let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                job.run(&mut Tx::new(&mut self.state, &mut batch, &mut now))
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
        if !failed && let Err(e) = self.flush(&mut batch) {
            tracing::error!(error = %e, "storing a batch failed");
            failed = true;
        }
        let mut unknown = false;
        if !failed && let Err(e) = self.state.store.commit() {
            tracing::error!(error = %e, "committing a batch failed");
            failed = true;
            unknown = true;
        }
        if failed {
            self.state.store.rollback();
            let how = if unknown {
                Committed::Unknown
            } else {
                Committed::No
            };
            for p in batch.pending.drain(..) {
                p(how);
            }
            self.rebuild();
        } else {
            // Accounts first: a client that was told its login or new
            // account succeeded may use it at once.
            if batch.auth_changed {
                self.reload_auth(now);
            }
            for p in batch.pending.drain(..) {
                p(Committed::Yes);
            }
            for (seq, event, json) in &batch.events {
                self.hub.publish(*seq, event, json);
            }
            self.maybe_snapshot(now, batch.day_changed);
        }
        self.state.store.bound_wal();
        let now = self.clock.now();
        for request in reads {
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.read(request, now);
            }));
            if read.is_err() {
                tracing::error!("answering a read panicked");
            }
        }
    }

    fn read(&mut self, request: Request, now: Timestamp) {
        match request {
            // Memory may be ahead of the disk: show nothing from it.
            Request::Read(job) if self.broken => job.fail(),
            Request::Read(job) => job.run(&View::new(&self.state, now)),
            Request::Subscribe {
                since,
                full,
                lang,
                reply,
            } => {
                let lobby = &self.state.lobby;
                let sub = self.hub.subscribe(since, self.state.seq, full, || {
                    QueueView::of(lobby, now, lang)
                });
                let _ = reply.send(sub);
            }
            Request::Write(job) => job.fail(),
            Request::Tick => {}
        }
    }

    /// Writes the changed state (the caller commits).
    fn flush(&mut self, batch: &mut Batch) -> store::Result<()> {
        let State { lobby, store, .. } = &self.state;
        for id in &batch.tickets {
            match lobby.ticket(id) {
                Some(t) => store.put_ticket(t)?,
                None => {
                    // Expired at a day change and already dropped from
                    // memory: store its final state.
                    if let Some(&at) = batch.expired.get(id)
                        && let Some(mut t) = store.stored_ticket(id)?
                    {
                        t.status = Status::Expired;
                        t.finished_at = Some(at);
                        store.put_ticket(&t)?;
                    }
                }
            }
        }
        if batch.all_windows {
            for w in lobby.windows() {
                store.put_window(w)?;
            }
        } else {
            for &n in &batch.windows {
                if let Some(w) = lobby.window(n) {
                    store.put_window(w)?;
                }
            }
        }
        Ok(())
    }

    /// Hands a snapshot to the snapshot thread when one is due: after the
    /// commit (a snapshot never runs ahead of the log) and after the
    /// answers (copying the state is not on anyone's wait). Its cost grows
    /// with the tickets held, so on a flooded day it is taken more rarely:
    /// never more events apart than the tickets it holds, which keeps both
    /// its cost per event and a restart's replay small.
    fn maybe_snapshot(&mut self, now: Timestamp, day_changed: bool) {
        let s = &mut self.state;
        let due = day_changed
            || (s.since_snapshot >= store::SNAPSHOT_EVERY
                && s.since_snapshot >= s.lobby.tickets().count() as u64);
        if due
            && let Some(snapshots) = &self.snapshots
            && snapshots.offer(s.seq, now, s.lobby.snapshot())
        {
            s.since_snapshot = 0;
        }
    }

    /// After a failed commit: the database is the truth.
    fn rebuild(&mut self) {
        let s = &mut self.state;
        match s.store.restore(&s.hall, snapshots::stored(&self.db)) {
            Ok(r) => {
                s.lobby = r.lobby;
                s.seq = r.seq;
                s.since_snapshot = r.since_snapshot;
                self.hub.reset(r.recent_calls);
                self.broken = false;
                self.reload_auth(self.clock.now());
                tracing::warn!(seq = self.state.seq, "state rebuilt from the database");
            }
            Err(e) => {
                self.broken = true;
                tracing::error!(error = %e, "cannot rebuild the state; refusing writes");
            }
        }
    }

    fn reload_auth(&self, now: Timestamp) {
        match AuthCache::load(&self.state.store, now) {
            Ok(cache) => {
                // A poisoned lock only means a reader panicked; the data is
                // replaced whole.
                *self.auth.write().unwrap_or_else(|e| e.into_inner()) = cache;
            }
            Err(e) => tracing::error!(error = %e, "cannot reload accounts"),
        }
    }
}

//! The one plugin that talks to lobby-server.
//!
//! A plain thread owns the HTTP agent (blocking `ureq`, keep-alive to the
//! server) and works through [`ServerRequest`]s in order; its answers come
//! back as [`ServerEvent`] messages, so no system ever waits on the
//! network. Between requests the thread keeps the waiting counts fresh
//! (`GET /api/queue`) and, while the server is unreachable, probes
//! `GET /api/health` with a growing back-off, announcing
//! [`ServerEvent::Lost`] and [`ServerEvent::Back`].

use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use bevy::prelude::*;
use lobby_core::Lang;
use lobby_core::api::{ErrorBody, ErrorDetail, HallView, IssueRequest, QueueView, TicketView};
use serde::Serialize;

use crate::config::KioskConfig;
use crate::hall::Board;
use crate::ui::UiLang;
use crate::wake::Waker;

/// What the kiosk asks of the server.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum ServerRequest {
    /// `POST /api/tickets`.
    Issue(IssueRequest),
    /// `POST /api/appointments/{code}/check-in`.
    CheckIn(String),
    /// `POST /api/devices/self/status`: the printer's state, so staff see a
    /// kiosk out of paper.
    ReportPrinter(PrinterReport),
}

/// The printer's state as reported to the server (`DeviceStatusRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrinterReport {
    /// `ok`, `paper_low`, `paper_end`, `cover_open`, `printer_offline`.
    pub status: &'static str,
    /// Free text for staff.
    pub detail: String,
}

/// What the server said, or that it cannot be reached.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum ServerEvent {
    /// The hall's configuration (at start and after every reconnection).
    Hall(Box<HallView>),
    /// The queues changed.
    Queue(Box<QueueView>),
    /// A ticket was issued (or an appointment checked in).
    Issued(Box<TicketView>),
    /// The server refused a request; the message is for the visitor.
    Refused(ErrorDetail),
    /// The server stopped answering.
    Lost,
    /// The server answers again.
    Back,
}

/// Extra tries of an issue whose answer was lost, before the kiosk pauses.
const ISSUE_RETRIES: u32 = 3;

/// A key no other request of this or another kiosk uses: the process,
/// the time and a counter.
fn fresh_key() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("kiosk-{}-{nanos:x}-{n}", std::process::id())
}

/// How often the queues are refreshed while the server answers.
pub const QUEUE_EVERY: Duration = Duration::from_secs(10);
/// Longest wait between health probes while the server is away.
pub const PROBE_MAX: Duration = Duration::from_secs(5);
const PROBE_MIN: Duration = Duration::from_millis(250);

/// Channel ends between the plugin's systems and its thread.
#[derive(Resource)]
struct Link {
    /// Each request with the language on screen when it was made, so the
    /// server's refusals come in the visitor's language.
    to_thread: Sender<(ServerRequest, Lang)>,
    from_thread: Mutex<Receiver<ServerEvent>>,
}

/// Starts the server thread for `config`; its events arrive as messages.
pub fn plugin(config: KioskConfig) -> impl Fn(&mut App) {
    move |app: &mut App| {
        let waker = app.world_mut().get_resource_or_init::<Waker>().clone();
        let (to_thread, requests) = mpsc::channel();
        let (events, from_thread) = mpsc::channel();
        let client = Client::new(&config);
        std::thread::Builder::new()
            .name("lobby-kiosk-server".into())
            .spawn(move || client.run(requests, events, waker))
            .expect("spawning a thread at start-up");
        app.insert_resource(Link {
            to_thread,
            from_thread: Mutex::new(from_thread),
        })
        .add_systems(PreUpdate, receive_server_events)
        .add_systems(PostUpdate, send_server_requests);
    }
}

/// Messages shared by the server plugin and the rest of the kiosk; added by
/// the kiosk's logic plugin so flows run without the thread in tests.
pub fn messages(app: &mut App) {
    app.add_message::<ServerRequest>()
        .add_message::<ServerEvent>()
        .init_resource::<Board>()
        .add_systems(Update, update_board.in_set(crate::KioskSet::Receive));
}

/// Brings the thread's answers into the app.
fn receive_server_events(link: Res<Link>, mut out: MessageWriter<ServerEvent>) {
    let rx = link.from_thread.lock().expect("only this system locks it");
    out.write_batch(rx.try_iter());
}

/// Hands the flow's requests to the thread, with the language on screen.
fn send_server_requests(
    link: Res<Link>,
    lang: Option<Res<UiLang>>,
    mut requests: MessageReader<ServerRequest>,
) {
    let lang = lang.map_or(Lang::Zh, |l| l.0);
    for r in requests.read() {
        // The thread lives as long as the process.
        let _ = link.to_thread.send((r.clone(), lang));
    }
}

/// The `Accept-Language` value for a language.
fn accept_language(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    }
}

/// Keeps [`Board`] in step with the server.
fn update_board(mut events: MessageReader<ServerEvent>, mut board: ResMut<Board>) {
    for e in events.read() {
        match e {
            ServerEvent::Hall(h) => board.hall = Some((**h).clone()),
            ServerEvent::Queue(q) => {
                let before = (board.waiting.clone(), board.past_close.clone());
                board.bypass_change_detection().set_queue(q);
                if (&board.waiting, &board.past_close) != (&before.0, &before.1) {
                    board.set_changed();
                }
            }
            _ => {}
        }
    }
}

/// A failed call: the server could not be reached, or it answered no.
enum CallError {
    Unreachable(String),
    Refused(ErrorDetail),
}

struct Client {
    agent: ureq::Agent,
    base: String,
    auth: String,
}

impl Client {
    fn new(config: &KioskConfig) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Client {
            agent,
            base: config.server.clone(),
            auth: format!("Bearer {}", config.token),
        }
    }

    fn run(
        self,
        requests: Receiver<(ServerRequest, Lang)>,
        events: Sender<ServerEvent>,
        waker: Waker,
    ) {
        let send = |e: ServerEvent| {
            let ok = events.send(e).is_ok();
            waker.wake();
            ok
        };
        let mut online = false;
        let mut probe = PROBE_MIN;
        let mut last_queue: Option<Vec<(String, u32, bool)>> = None;
        let mut timeout = Duration::ZERO;
        // The language of the last request; background reads use it too.
        let mut lang = Lang::Zh;
        loop {
            let request = match requests.recv_timeout(timeout) {
                Ok((r, l)) => {
                    lang = l;
                    Some(r)
                }
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if !online && request.is_none() {
                // Reconnect: the hall first, then the queues.
                match self.get::<HallView>("/api/hall", lang) {
                    Ok(hall) => {
                        online = true;
                        probe = PROBE_MIN;
                        last_queue = None;
                        if !send(ServerEvent::Hall(Box::new(hall))) || !send(ServerEvent::Back) {
                            return;
                        }
                    }
                    Err(e) => {
                        if let CallError::Unreachable(why) = &e {
                            debug!("server unreachable: {why}");
                        }
                        timeout = probe;
                        probe = (probe * 2).min(PROBE_MAX);
                        continue;
                    }
                }
            }
            if let Some(r) = &request {
                debug!("to server: {r:?}");
            }
            let outcome = match request {
                Some(ServerRequest::Issue(req)) => self
                    .post_retried::<_, TicketView>("/api/tickets", &req, lang)
                    .map(|t| Some(ServerEvent::Issued(Box::new(t)))),
                Some(ServerRequest::CheckIn(code)) => self
                    .post::<_, TicketView>(
                        &format!("/api/appointments/{}/check-in", url_segment(&code)),
                        &serde_json::json!({}),
                        lang,
                    )
                    .map(|t| Some(ServerEvent::Issued(Box::new(t)))),
                Some(ServerRequest::ReportPrinter(report)) => self
                    .post::<_, serde_json::Value>("/api/devices/self/status", &report, lang)
                    .map(|_| None),
                None => self.get::<QueueView>("/api/queue", lang).map(|q| {
                    let counts: Vec<_> = q
                        .categories
                        .iter()
                        .map(|c| {
                            let q = &c.queue;
                            (q.category.0.clone(), q.waiting, q.past_close)
                        })
                        .collect();
                    // Only changes wake the app: an idle kiosk stays idle.
                    (last_queue.as_ref() != Some(&counts)).then(|| {
                        last_queue = Some(counts);
                        ServerEvent::Queue(Box::new(q))
                    })
                }),
            };
            let alive = match outcome {
                Ok(Some(e)) => {
                    debug!("server answered");
                    send(e)
                }
                Ok(None) => true,
                Err(CallError::Refused(detail)) => send(ServerEvent::Refused(detail)),
                Err(CallError::Unreachable(why)) => {
                    warn!("server unreachable: {why}");
                    online = false;
                    probe = PROBE_MIN;
                    send(ServerEvent::Lost)
                }
            };
            if !alive {
                return;
            }
            timeout = if online { QUEUE_EVERY } else { probe };
        }
    }

    fn get<T: serde::de::DeserializeOwned>(&self, path: &str, lang: Lang) -> Result<T, CallError> {
        let answer = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", &self.auth)
            .header("Accept-Language", accept_language(lang))
            .call();
        read(answer, lang)
    }

    fn post<B: Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        lang: Lang,
    ) -> Result<T, CallError> {
        self.post_keyed(path, body, lang, None)
    }

    fn post_keyed<B: Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        lang: Lang,
        key: Option<&str>,
    ) -> Result<T, CallError> {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", &self.auth)
            .header("Accept-Language", accept_language(lang));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        read(request.send_json(body), lang)
    }

    /// Posts under a fresh idempotency key and, while the answer is lost
    /// (unreachable, or the server could not confirm the save), sends the
    /// same request again with the same key: the server answers the first
    /// outcome, so a visitor never gets two numbers for one tap.
    fn post_retried<B: Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        lang: Lang,
    ) -> Result<T, CallError> {
        let key = fresh_key();
        let mut pause = Duration::from_millis(300);
        for _ in 0..ISSUE_RETRIES {
            match self.post_keyed(path, body, lang, Some(&key)) {
                Err(CallError::Unreachable(why)) => {
                    debug!("issuing: answer lost ({why}); retrying with the same key");
                    std::thread::sleep(pause);
                    pause *= 2;
                }
                done => return done,
            }
        }
        self.post_keyed(path, body, lang, Some(&key))
    }
}

fn read<T: serde::de::DeserializeOwned>(
    answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    lang: Lang,
) -> Result<T, CallError> {
    let mut answer = answer.map_err(|e| CallError::Unreachable(e.to_string()))?;
    let status = answer.status();
    if status.is_success() {
        return answer
            .body_mut()
            .read_json::<T>()
            .map_err(|e| CallError::Unreachable(format!("unreadable answer: {e}")));
    }
    if status.is_server_error() && status.as_u16() != 500 {
        // 502/503/504: a proxy in front of a server that is down.
        return Err(CallError::Unreachable(format!("HTTP {status}")));
    }
    let detail = answer
        .body_mut()
        .read_json::<ErrorBody>()
        .map(|b| b.error)
        .unwrap_or_else(|_| ErrorDetail {
            code: format!("http_{}", status.as_u16()),
            message: match lang {
                Lang::Zh => format!("服务器拒绝了请求（HTTP {}）", status.as_u16()),
                Lang::En => format!("the server refused the request (HTTP {})", status.as_u16()),
            },
            field: None,
        });
    Err(CallError::Refused(detail))
}

/// Percent-encodes a path segment (appointment codes are typed digits, but
/// nothing typed should be able to change the path).
fn url_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

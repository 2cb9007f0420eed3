//! The link to lobby-server: the hall configuration and monthly ranking
//! over HTTP, the event stream over a WebSocket. Runs in its own thread
//! and hands what it gets to a callback; no Bevy here.
//!
//! - Reconnects with exponential backoff (0.5 s doubling to 10 s, with a
//!   little jitter so displays do not reconnect in step), resuming with
//!   `?since=SEQ` so the server sends only what was missed (or a fresh
//!   snapshot when it no longer holds those events).
//! - Events reach the callback in sequence order, each once: a duplicate is
//!   skipped, and a gap (which the server should never cause) ends the
//!   connection so the next one resumes from the last event received.
//! - A silent connection is found out by pings: when nothing at all comes
//!   back for [`STALE`], the link is dropped and made again.

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use lobby_core::api::{HallView, StreamMessage};
use serde::Deserialize;
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

/// Longest wait between reconnection attempts.
pub const BACKOFF_CAP: Duration = Duration::from_secs(10);
/// Ping a quiet connection this often.
pub const PING_EVERY: Duration = Duration::from_secs(10);
/// Drop a connection from which nothing came for this long.
pub const STALE: Duration = Duration::from_secs(30);
/// Fetch the ranking again this often.
pub const RANKING_EVERY: Duration = Duration::from_secs(600);

/// What the link reports.
#[derive(Debug, Clone)]
pub enum LinkEvent {
    /// The hall configuration, fetched once at start.
    Hall(Box<HallView>),
    /// The stream is open.
    Connected,
    /// A snapshot or an event, in order.
    Message(Box<StreamMessage>),
    /// The stream was lost (or could not be opened); reconnecting.
    Disconnected(String),
    /// The monthly ranking, or `None` when the server has none to show.
    Ranking(Option<Box<RankingInfo>>),
}

/// What the display shows of `GET /api/rankings?month=YYYY-MM`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RankingInfo {
    /// `YYYY-MM`.
    pub month: String,
    /// How the rank is decided.
    #[serde(default)]
    pub rule: String,
    /// Windows, best first.
    #[serde(default)]
    pub windows: Vec<RankingLine>,
}

/// One window's line in the ranking.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RankingLine {
    /// Window number.
    pub window: u32,
    /// Rank, 1 = best.
    #[serde(default)]
    pub rank: Option<u32>,
    /// Completed services.
    #[serde(default)]
    pub completed: u32,
    /// Mean rating, 5 (非常满意) to 1.
    #[serde(default)]
    pub mean_rating: Option<f64>,
    /// Ratings received.
    #[serde(default)]
    pub ratings: u32,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// `http://host:port` of lobby-server.
    pub server: String,
    /// The display's device token.
    pub token: String,
    /// Whether to fetch the monthly ranking.
    pub ranking: bool,
}

/// Why a server URL is unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    /// Not `http://host[:port]`.
    #[error("server URL `{0}` must look like http://host:port")]
    Shape(String),
    /// TLS is not built in: displays talk to a server on the hall's LAN.
    #[error("server URL `{0}`: https is not supported; use the server's http address on the LAN")]
    Https(String),
}

/// A parsed `http://host:port[/prefix]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    /// `host:port`.
    pub authority: String,
    /// Path prefix without a trailing slash (usually empty).
    pub prefix: String,
}

impl ServerUrl {
    /// Parses the `--server` argument.
    pub fn parse(url: &str) -> Result<ServerUrl, UrlError> {
        if url.starts_with("https://") {
            return Err(UrlError::Https(url.to_owned()));
        }
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| UrlError::Shape(url.to_owned()))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.is_empty() {
            return Err(UrlError::Shape(url.to_owned()));
        }
        let authority = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let prefix = path.trim_end_matches('/');
        Ok(ServerUrl {
            authority,
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("/{prefix}")
            },
        })
    }

    /// `http://…/api/PATH`.
    pub fn http(&self, path: &str) -> String {
        format!("http://{}{}{path}", self.authority, self.prefix)
    }

    /// `ws://…/api/events[?since=SEQ]`.
    pub fn events(&self, since: Option<u64>) -> String {
        let mut url = format!("ws://{}{}/api/events", self.authority, self.prefix);
        if let Some(seq) = since {
            url.push_str(&format!("?since={seq}"));
        }
        url
    }
}

/// The running link; dropping it stops the thread (within a second).
pub struct Link {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Link {
    /// Starts the link thread; `report` gets everything it learns, in order.
    pub fn start(
        config: LinkConfig,
        report: impl FnMut(LinkEvent) + Send + 'static,
    ) -> Result<Link, UrlError> {
        let url = ServerUrl::parse(&config.server)?;
        let (stop, stopped) = channel();
        let thread = std::thread::Builder::new()
            .name("link".to_owned())
            .spawn(move || Runner::new(config, url, stopped, report).run())
            .expect("the OS starts a thread"); // fails only when out of resources at start
        Ok(Link {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Runner<F> {
    config: LinkConfig,
    url: ServerUrl,
    stopped: Receiver<()>,
    report: F,
    http: ureq::Agent,
    /// The last sequence received.
    seq: Option<u64>,
    /// The business day of the last snapshot (for the ranking's month).
    day: Option<Date>,
    hall_sent: bool,
    next_ranking: Instant,
}

/// Why a connection ended.
enum End {
    /// The display is shutting down.
    Stop,
    /// Reconnect; `bool` says whether it got anything (resets backoff).
    Lost(String, bool),
}

impl<F: FnMut(LinkEvent)> Runner<F> {
    fn new(config: LinkConfig, url: ServerUrl, stopped: Receiver<()>, report: F) -> Self {
        let http = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(5)))
                .build(),
        );
        Runner {
            config,
            url,
            stopped,
            report,
            http,
            seq: None,
            day: None,
            hall_sent: false,
            next_ranking: Instant::now(),
        }
    }

    fn run(mut self) {
        let mut failures = 0u32;
        loop {
            match self.connect_once() {
                End::Stop => return,
                End::Lost(why, got_something) => {
                    tracing::info!("link lost: {why}");
                    (self.report)(LinkEvent::Disconnected(why));
                    failures = if got_something { 0 } else { failures + 1 };
                }
            }
            if self.wait(backoff(failures)) {
                return;
            }
        }
    }

    /// Waits, or returns true when told to stop.
    fn wait(&self, d: Duration) -> bool {
        !matches!(self.stopped.recv_timeout(d), Err(RecvTimeoutError::Timeout))
    }

    fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        self.http
            .get(self.url.http(path))
            .header("Authorization", format!("Bearer {}", self.config.token))
            .call()
            .map_err(|e| e.to_string())?
            .body_mut()
            .read_json::<T>()
            .map_err(|e| e.to_string())
    }

    fn connect_once(&mut self) -> End {
        if !self.hall_sent {
            match self.get::<HallView>("/api/hall") {
                Ok(hall) => {
                    (self.report)(LinkEvent::Hall(Box::new(hall)));
                    self.hall_sent = true;
                }
                Err(e) => return End::Lost(format!("GET /api/hall: {e}"), false),
            }
        }
        let mut ws = match self.open() {
            Ok(ws) => ws,
            Err(e) => return End::Lost(e, false),
        };
        (self.report)(LinkEvent::Connected);
        let mut got_something = false;
        let mut last_heard = Instant::now();
        let mut last_ping = Instant::now();
        loop {
            match self.stopped.try_recv() {
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                _ => {
                    let _ = ws.close(None);
                    return End::Stop;
                }
            }
            match ws.read() {
                Ok(Message::Text(text)) => {
                    last_heard = Instant::now();
                    got_something = true;
                    if let Err(why) = self.receive(text.as_str()) {
                        let _ = ws.close(None);
                        return End::Lost(why, true);
                    }
                }
                Ok(Message::Close(_)) => {
                    return End::Lost("server closed the stream".into(), got_something);
                }
                Ok(_) => last_heard = Instant::now(),
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return End::Lost(e.to_string(), got_something),
            }
            if last_heard.elapsed() > STALE {
                return End::Lost(
                    format!("nothing from the server for {STALE:?}"),
                    got_something,
                );
            }
            if last_ping.elapsed() > PING_EVERY {
                last_ping = Instant::now();
                if let Err(e) = ws.send(Message::Ping(Vec::new().into())) {
                    return End::Lost(e.to_string(), got_something);
                }
            }
            if self.config.ranking && self.day.is_some() && Instant::now() >= self.next_ranking {
                self.next_ranking = Instant::now() + RANKING_EVERY;
                let ranking = self.ranking();
                (self.report)(LinkEvent::Ranking(ranking.map(Box::new)));
            }
        }
    }

    fn open(&self) -> Result<WebSocket<TcpStream>, String> {
        let addr: SocketAddr = self
            .url
            .authority
            .to_socket_addrs()
            .map_err(|e| format!("{}: {e}", self.url.authority))?
            .next()
            .ok_or_else(|| format!("{}: no address", self.url.authority))?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
            .map_err(|e| format!("connect {addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .map_err(|e| e.to_string())?;
        let mut request = self
            .url
            .events(self.seq)
            .into_client_request()
            .map_err(|e| e.to_string())?;
        let bearer = format!("Bearer {}", self.config.token)
            .parse()
            .map_err(|_| "the token has characters a header cannot carry".to_owned())?;
        request.headers_mut().insert("Authorization", bearer);
        let (ws, _) = tungstenite::client(request, stream).map_err(|e| match e {
            tungstenite::HandshakeError::Failure(e) => format!("WebSocket handshake: {e}"),
            tungstenite::HandshakeError::Interrupted(_) => "WebSocket handshake timed out".into(),
        })?;
        // A short timeout lets the loop ping, notice a dead link and stop.
        ws.get_ref()
            .set_read_timeout(Some(Duration::from_millis(500)))
            .map_err(|e| e.to_string())?;
        Ok(ws)
    }

    /// Parses and forwards one message; an error ends the connection.
    fn receive(&mut self, text: &str) -> Result<(), String> {
        let message = match parse(text) {
            Ok(Some(m)) => m,
            Ok(None) => return Ok(()),
            Err(e) => {
                tracing::warn!("unreadable stream message ({e}): {}", shorten(text));
                return Ok(());
            }
        };
        match &message {
            StreamMessage::Snapshot { seq, queue, .. } => {
                self.seq = Some(*seq);
                if queue.day.is_some() && self.day != queue.day {
                    // A new day (or the first snapshot): the ranking may
                    // have a new month.
                    self.next_ranking = Instant::now();
                }
                self.day = queue.day;
            }
            StreamMessage::Event { seq, .. } => match self.seq {
                Some(last) if *seq <= last => return Ok(()),
                Some(last) if *seq > last + 1 => {
                    return Err(format!(
                        "events {}..{} missing; resuming",
                        last + 1,
                        seq - 1
                    ));
                }
                _ => self.seq = Some(*seq),
            },
            #[allow(unreachable_patterns)]
            _ => return Ok(()),
        }
        (self.report)(LinkEvent::Message(Box::new(message)));
        Ok(())
    }

    /// Last month's ranking (the 公示 of a finished month), or this month's
    /// when last month has none; `None` when the server has no rankings.
    fn ranking(&self) -> Option<RankingInfo> {
        let day = self.day?;
        let this = day.first_of_month();
        let last = this.yesterday().ok()?.first_of_month();
        for month in [last, this] {
            let path = format!("/api/rankings?month={}", month.strftime("%Y-%m"));
            match self.get::<RankingInfo>(&path) {
                Ok(r) if !r.windows.is_empty() => return Some(r),
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!("no ranking: {e}");
                    return None;
                }
            }
        }
        None
    }
}

/// Reads a stream message; `None` for kinds the display does not use.
pub fn parse(text: &str) -> Result<Option<StreamMessage>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Kind<'a> {
        kind: &'a str,
    }
    let kind: Kind = serde_json::from_str(text)?;
    match kind.kind {
        "snapshot" | "event" => serde_json::from_str(text).map(Some),
        _ => Ok(None),
    }
}

fn shorten(text: &str) -> &str {
    match text.char_indices().nth(200) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// 0.5 s, 1 s, 2 s … up to [`BACKOFF_CAP`], plus up to a quarter more.
pub fn backoff(failures: u32) -> Duration {
    let base = Duration::from_millis(500)
        .saturating_mul(1u32 << failures.min(10))
        .min(BACKOFF_CAP);
    // Jitter from the clock's nanoseconds: enough to spread displays out.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    base + base.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        let u = ServerUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(u.events(Some(7)), "ws://127.0.0.1:8080/api/events?since=7");
        assert_eq!(u.http("/api/hall"), "http://127.0.0.1:8080/api/hall");
        let u = ServerUrl::parse("http://lobby.local/q/").unwrap();
        assert_eq!(u.events(None), "ws://lobby.local:80/q/api/events");
        assert!(matches!(
            ServerUrl::parse("https://x"),
            Err(UrlError::Https(_))
        ));
        assert!(matches!(ServerUrl::parse("x:1"), Err(UrlError::Shape(_))));
    }

    #[test]
    fn backoff_doubles_to_the_cap() {
        let b: Vec<_> = (0..8).map(backoff).collect();
        assert!(b[0] >= Duration::from_millis(500) && b[0] < Duration::from_millis(650));
        assert!(b[3] >= Duration::from_secs(4) && b[3] < Duration::from_millis(5001));
        assert!(b[7] >= BACKOFF_CAP && b[7] <= BACKOFF_CAP.mul_f64(1.25));
    }

    #[test]
    fn unknown_message_kinds_are_skipped() {
        assert!(parse(r#"{"kind":"device","device":{}}"#).unwrap().is_none());
        assert!(parse("not json").is_err());
    }
}

//! `GET /api/events`: the WebSocket event stream.
//!
//! A new client gets a snapshot of the hall, then every event as it is
//! committed, each with its sequence number. A client that reconnects with
//! `?since=SEQ` (the last sequence it saw) gets only what it missed, or a
//! fresh snapshot if the server no longer holds those events. Without a
//! valid token (`Authorization` or `?token=`), ticket ids are left out.
//!
//! The upgrade is done here rather than with axum's `WebSocketUpgrade` so
//! the snapshot (tens of kilobytes) can go out as a fragmented message of
//! small frames: a WebSocket connection keeps a write buffer as large as
//! the largest frame it ever sent, and a hall has a thousand subscribers.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use lobby_core::Lang;
use tokio::sync::broadcast::error::RecvError;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame};
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::error::{ApiError, ErrorKind, pick};
use crate::http::extract::{L, MaybeToken, Params};
use crate::http::{AppState, Op, Routes};
use crate::hub::Subscription;

/// Largest frame sent: bigger messages are fragmented.
const FRAME: usize = 4 * 1024;

/// A subscriber that cannot take a frame for this long is dropped (it
/// reconnects with `since` and gets what it missed).
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Sends one frame, giving up on a stuck client.
async fn send(socket: &mut Socket, message: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(message)).await,
        Ok(Ok(()))
    )
}

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// The stream's route.
pub fn routes(routes: Routes) -> Routes {
    routes.get(
        "/api/events",
        events,
        Op::new("WebSocket of StreamMessage JSON: a snapshot first, then every event with its sequence; `since` resumes after a sequence")
            .describe("Only a WebSocket upgrade (RFC 6455: GET with the four headers below) is answered, with 101 and then StreamMessage frames; any other request gets 400 `websocket_required`. The messages are text frames of StreamMessage JSON, not an HTTP body.")
            .query("since", "last sequence seen", serde_json::json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }))
            .query("token", "bearer token (WebSockets cannot send headers); with one, ticket ids are included", serde_json::json!({ "type": "string" }))
            .required_header("Connection", "must name `Upgrade`", serde_json::json!({ "type": "string", "enum": ["Upgrade"] }))
            .required_header("Upgrade", "must name `websocket`", serde_json::json!({ "type": "string", "enum": ["websocket"] }))
            .required_header("Sec-WebSocket-Version", "13", serde_json::json!({ "type": "string", "enum": ["13"] }))
            .required_header("Sec-WebSocket-Key", "16 random bytes in base64", serde_json::json!({ "type": "string", "pattern": "^[A-Za-z0-9+/]{22}==$" }))
            .answer(101, None)
            .errors(&[400]),
    )
}

fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

async fn events(
    State(s): State<AppState>,
    L(lang): L,
    MaybeToken(caller): MaybeToken,
    Params(q): Params,
    mut request: Request,
) -> Result<Response, ApiError> {
    let since = match q.get("since") {
        None => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| {
            ApiError::new(
                ErrorKind::BadRequest,
                "bad_query",
                pick(
                    lang,
                    "since 须为事件序号",
                    "since must be a sequence number",
                ),
            )
            .with_field("since")
        })?),
    };
    let required = || {
        ApiError::new(
            ErrorKind::BadRequest,
            "websocket_required",
            pick(
                lang,
                "此地址需要 WebSocket 连接",
                "this endpoint needs a WebSocket upgrade",
            ),
        )
    };
    let headers = request.headers();
    let is_upgrade = request.method() == Method::GET
        && has_token(headers, header::CONNECTION, "upgrade")
        && has_token(headers, header::UPGRADE, "websocket")
        && headers
            .get(header::SEC_WEBSOCKET_VERSION)
            .is_some_and(|v| v == "13");
    let key = headers.get(header::SEC_WEBSOCKET_KEY).cloned();
    let (true, Some(key)) = (is_upgrade, key) else {
        return Err(required());
    };
    let on_upgrade = request
        .extensions_mut()
        .remove::<OnUpgrade>()
        .ok_or_else(required)?;
    let accept = derive_accept_key(key.as_bytes());
    let token = caller.map(|(_, token)| token);
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                // Small buffers; clients send nothing but pings and close.
                let config = WebSocketConfig::default()
                    .read_buffer_size(4 * 1024)
                    .write_buffer_size(0)
                    .max_message_size(Some(64 * 1024))
                    .max_frame_size(Some(64 * 1024));
                let socket = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                stream(socket, s, since, token, lang).await;
            }
            Err(e) => tracing::debug!(error = %e, "websocket upgrade failed"),
        }
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = response.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(
        header::SEC_WEBSOCKET_ACCEPT,
        HeaderValue::from_str(&accept).map_err(|_| required())?,
    );
    Ok(response)
}

/// Closes a stream whose token is no longer valid.
async fn token_ended(mut socket: Socket) {
    let close = Message::Close(Some(CloseFrame {
        code: CloseCode::from(TOKEN_ENDED),
        reason: "token no longer valid".into(),
    }));
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), socket.send(close)).await;
}

/// Sends one text message, in frames of at most [`FRAME`] bytes (split on
/// character boundaries).
async fn send_text(socket: &mut Socket, text: &Bytes) -> bool {
    if text.len() <= FRAME {
        let frame = Frame::message(text.clone(), OpCode::Data(Data::Text), true);
        return send(socket, Message::Frame(frame)).await;
    }
    let mut start = 0;
    let mut opcode = OpCode::Data(Data::Text);
    while start < text.len() {
        let mut end = (start + FRAME).min(text.len());
        // Our JSON is UTF-8: back up to the start of a character.
        while end < text.len() && (text[end] & 0b1100_0000) == 0b1000_0000 {
            end -= 1;
        }
        let last = end == text.len();
        let frame = Frame::message(text.slice(start..end), opcode, last);
        if !send(socket, Message::Frame(frame)).await {
            return false;
        }
        opcode = OpCode::Data(Data::Continue);
        start = end;
    }
    true
}

async fn send_all(socket: &mut Socket, sub: &mut Subscription) -> bool {
    for text in sub.initial.drain(..) {
        if !send_text(socket, &text).await {
            return false;
        }
    }
    true
}

/// How often an idle stream checks that its token is still valid.
const RECHECK: std::time::Duration = std::time::Duration::from_secs(15);

/// The close code for a stream whose token was revoked, expired or whose
/// account was disabled (4000–4999 are the application's).
const TOKEN_ENDED: u16 = 4001;

async fn stream(
    mut socket: Socket,
    s: AppState,
    since: Option<u64>,
    token: Option<crate::secret::TokenHash>,
    lang: Lang,
) {
    let full = token.is_some();
    // A token that stops being valid ends the stream: before each frame,
    // and every RECHECK while nothing happens.
    let valid = |s: &AppState| {
        token
            .as_ref()
            .is_none_or(|t| crate::http::extract::principal_of(s, t).is_some())
    };
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut shutdown = s.shutdown.clone();
    let Some(mut sub) = s.engine.subscribe(since, full, lang).await else {
        return;
    };
    if !send_all(&mut socket, &mut sub).await {
        return;
    }
    let mut last = sub.seq;
    loop {
        tokio::select! {
            frame = sub.rx.recv() => match frame {
                Ok(frame) => {
                    if !valid(&s) {
                        return token_ended(socket).await;
                    }
                    if let Some(seq) = frame.seq {
                        if seq <= last {
                            continue;
                        }
                        last = seq;
                    }
                    if !send_text(&mut socket, frame.text(full)).await {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // Too slow for the live feed: start again from the last
                    // event it got (missed events, or a snapshot).
                    let Some(next) = s.engine.subscribe(Some(last), full, lang).await else {
                        return;
                    };
                    sub = next;
                    if !send_all(&mut socket, &mut sub).await {
                        return;
                    }
                    last = sub.seq;
                }
                Err(RecvError::Closed) => break,
            },
            message = socket.next() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                // Clients have nothing to say; pings are answered by
                // tungstenite when it next writes or flushes.
                Some(Ok(_)) => {
                    let _ = tokio::time::timeout(SEND_TIMEOUT, socket.flush()).await;
                }
            },
            _ = recheck.tick() => {
                if !valid(&s) {
                    return token_ended(socket).await;
                }
            }
            _ = shutdown.changed() => break,
        }
    }
    let close = Message::Close(Some(CloseFrame {
        code: CloseCode::Away,
        reason: "server shutting down".into(),
    }));
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), socket.send(close)).await;
}

//! `GET /api/events`: the WebSocket event stream.
//!
//! A new client gets a snapshot of the hall, then every event as it is
//! committed, each with its sequence number. A client that reconnects with
//! `?since=SEQ` (the last sequence it saw) gets only what it missed, or a
//! fresh snapshot if the server no longer holds those events. Without a
//! valid token (`Authorization` or `?token=`), ticket ids are left out.

use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use lobby_core::Lang;
use tokio::sync::broadcast::error::RecvError;

use super::extract::{L, MaybeCaller, Params};
use super::{AppState, Routes};
use crate::error::{ApiError, ErrorKind, pick};
use crate::hub::Subscription;

/// The stream's route.
pub fn routes(r: Routes) -> Routes {
    r.get("/api/events", events)
}

async fn events(
    State(s): State<AppState>,
    L(lang): L,
    MaybeCaller(caller): MaybeCaller,
    Params(q): Params,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
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
    let ws = ws.map_err(|_| {
        ApiError::new(
            ErrorKind::BadRequest,
            "websocket_required",
            pick(
                lang,
                "此地址需要 WebSocket 连接",
                "this endpoint needs a WebSocket upgrade",
            ),
        )
    })?;
    let full = caller.is_some();
    // Small buffers: a hall has hundreds of screens and phones subscribed,
    // and clients send nothing but pings and the close frame.
    Ok(ws
        .read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .max_message_size(64 * 1024)
        .max_frame_size(64 * 1024)
        .on_upgrade(move |socket| stream(socket, s, since, full, lang))
        .into_response())
}

async fn send_all(socket: &mut WebSocket, sub: &mut Subscription) -> bool {
    for text in sub.initial.drain(..) {
        let Ok(text) = Utf8Bytes::try_from(text) else {
            continue;
        };
        if socket.send(Message::Text(text)).await.is_err() {
            return false;
        }
    }
    true
}

async fn stream(mut socket: WebSocket, s: AppState, since: Option<u64>, full: bool, lang: Lang) {
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
                    if let Some(seq) = frame.seq {
                        if seq <= last {
                            continue;
                        }
                        last = seq;
                    }
                    // The frames are our own JSON, valid UTF-8.
                    let Ok(text) = Utf8Bytes::try_from(frame.text(full).clone()) else {
                        continue;
                    };
                    if socket.send(Message::Text(text)).await.is_err() {
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
            message = socket.recv() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                // Clients have nothing to say; pings are answered by axum.
                Some(Ok(_)) => {}
            },
            _ = shutdown.changed() => break,
        }
    }
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: 1001,
            reason: Utf8Bytes::from_static("server shutting down"),
        })))
        .await;
}

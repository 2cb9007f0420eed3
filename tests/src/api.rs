//! A small blocking client of lobby-server's HTTP API, for setting up and
//! checking what the browser (or a kiosk, or a display) does. Answers are
//! the wire types of `lobby_core::api`, so a changed field fails to
//! compile or to parse here rather than passing silently.

use std::time::Duration;

use anyhow::Context;
use lobby_core::api::{
    ClockAnswer, DeviceKind, IssueRequest, Lane, LoginAnswer, NewDeviceAnswer, QueueView, Role,
    StaffView, TicketView, WindowAnswer,
};
use lobby_core::{CategoryId, WindowNo};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// An error answer: its status and body (the API's `{"error": …}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    /// HTTP status.
    pub status: u16,
    /// `error.code`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// The whole body.
    pub body: String,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiFailure {}

/// A client of one server, with or without a bearer token.
#[derive(Clone)]
pub struct Api {
    base: String,
    token: Option<String>,
    agent: ureq::Agent,
}

impl Api {
    /// A client of the server at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> Api {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build();
        Api {
            base: base.trim_end_matches('/').to_owned(),
            token: None,
            agent: config.into(),
        }
    }

    /// The same server with this bearer token.
    pub fn with_token(&self, token: &str) -> Api {
        Api {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request; `Ok` with the status and body for any answer,
    /// `Err` only when the server cannot be reached.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, String)> {
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("Accept", "application/json");
        if let Some(token) = &self.token {
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        let answer = match body {
            Some(b) => self.agent.run(
                req.header("Content-Type", "application/json")
                    .body(serde_json::to_vec(b)?)?,
            ),
            None => self.agent.run(req.body(())?),
        };
        let mut answer = answer.with_context(|| format!("{method} {path}"))?;
        let status = answer.status().as_u16();
        let text = answer.body_mut().read_to_string().unwrap_or_default();
        Ok((status, text))
    }

    /// Sends a request and parses a successful answer (`null` for 204).
    pub fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<T> {
        let (status, text) = self.send(method, path, body)?;
        if !(200..300).contains(&status) {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            return Err(ApiFailure {
                status,
                code: v["error"]["code"].as_str().unwrap_or_default().to_owned(),
                message: v["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                body: text,
            }
            .into());
        }
        let text = if text.is_empty() { "null" } else { &text };
        serde_json::from_str(text).with_context(|| format!("{method} {path} answered {text}"))
    }

    /// `GET`.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.call("GET", path, None)
    }

    /// `POST` with a JSON body.
    pub fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<T> {
        self.call("POST", path, Some(&serde_json::to_value(body)?))
    }

    /// `PATCH` with a JSON body.
    pub fn patch<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<T> {
        self.call("PATCH", path, Some(&serde_json::to_value(body)?))
    }

    /// `DELETE`.
    pub fn delete(&self, path: &str) -> anyhow::Result<()> {
        self.call::<Value>("DELETE", path, None).map(drop)
    }

    /// Logs a staff member in.
    pub fn login(&self, username: &str, password: &str) -> anyhow::Result<LoginAnswer> {
        self.post(
            "/api/login",
            &json!({ "username": username, "password": password }),
        )
    }

    /// Creates a staff account (needs an admin token).
    pub fn create_staff(
        &self,
        username: &str,
        password: &str,
        role: Role,
        windows: &[u32],
    ) -> anyhow::Result<StaffView> {
        self.post(
            "/api/staff",
            &json!({
                "username": username,
                "display_name": username,
                "password": password,
                "role": role,
                "windows": windows,
            }),
        )
    }

    /// Registers a device; the answer holds its token (needs an admin
    /// token).
    pub fn create_device(
        &self,
        name: &str,
        kind: DeviceKind,
        site: Option<&str>,
    ) -> anyhow::Result<NewDeviceAnswer> {
        self.post(
            "/api/devices",
            &json!({ "name": name, "kind": kind, "site": site }),
        )
    }

    /// Issues a normal ticket for a category (needs a token that may
    /// issue: admin, guide desk or kiosk).
    pub fn issue(&self, category: &str) -> anyhow::Result<TicketView> {
        self.issue_with(&IssueRequest {
            category: CategoryId::from(category),
            priority: Lane::Normal,
            group: None,
            matter: None,
            channel: None,
            site: None,
            assisted: false,
            stops: Vec::new(),
            appointment: None,
        })
    }

    /// Issues a ticket.
    pub fn issue_with(&self, request: &IssueRequest) -> anyhow::Result<TicketView> {
        self.post("/api/tickets", request)
    }

    /// A ticket as its public page sees it.
    pub fn ticket(&self, id: &str) -> anyhow::Result<TicketView> {
        self.get(&format!("/api/tickets/{id}"))
    }

    /// The hall's queues and windows.
    pub fn queue(&self) -> anyhow::Result<QueueView> {
        self.get("/api/queue")
    }

    /// Opens a window (staff sign in).
    pub fn open_window(&self, window: u32) -> anyhow::Result<WindowAnswer> {
        self.post(&format!("/api/windows/{window}/open"), &json!({}))
    }

    /// Calls the next ticket at a window; `None` when nobody waits.
    pub fn call_next(&self, window: u32) -> anyhow::Result<Option<TicketView>> {
        self.post(&format!("/api/windows/{window}/call"), &json!({}))
    }

    /// Another action on a window: `recall`, `start`, `complete`,
    /// `no-show`, `resume`, `close`.
    pub fn window_action(&self, window: u32, action: &str) -> anyhow::Result<WindowAnswer> {
        self.post(&format!("/api/windows/{window}/{action}"), &json!({}))
    }

    /// A window as the hall's view shows it.
    pub fn window(&self, window: u32) -> anyhow::Result<lobby_core::api::WindowView> {
        self.queue()?
            .windows
            .into_iter()
            .find(|w| w.number == WindowNo(window))
            .with_context(|| format!("window {window} is not in the hall"))
    }

    /// Moves the fake clock forward (needs an admin token and a server
    /// started with a fake clock).
    pub fn advance_clock(&self, seconds: i64) -> anyhow::Result<ClockAnswer> {
        self.post("/api/test/clock", &json!({ "advance_s": seconds }))
    }
}

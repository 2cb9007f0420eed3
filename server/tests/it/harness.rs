//! Starts the real `lobby-server` binary on an ephemeral port with its own
//! database and a fake clock, and talks to it over HTTP.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// The line of `category` in a list of per-category lines (a queue's, a
/// report's); panics if it has none.
pub fn category_line(lines: &Value, category: &str) -> Value {
    lines
        .as_array()
        .expect("a list of categories")
        .iter()
        .find(|c| c["category"] == category)
        .unwrap_or_else(|| panic!("no line for {category} in {lines}"))
        .clone()
}

/// The administrator token the servers are started with.
pub const ADMIN: &str = "test-admin-token-0123456789";

/// A Wednesday morning in the hall's opening hours.
pub const MORNING: &str = "2026-11-25T09:00:00+08:00";

/// A running server.
pub struct Server {
    child: Option<Child>,
    /// Base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// The directory holding the database and the log.
    pub dir: Arc<tempfile::TempDir>,
    /// The fake clock's time (restarts continue from it).
    clock: std::sync::Mutex<String>,
    agent: ureq::Agent,
}

/// An answer: status and JSON body (`Value::Null` when empty).
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Parsed body.
    pub body: Value,
    /// Response headers, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// A response header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The error message of an error answer.
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    /// Asserts the status, showing the body if it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        self.body
    }

    /// Asserts an error answer in the API's shape.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        assert_eq!(self.code(), code, "unexpected error: {}", self.body);
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "error without message: {}",
            self.body
        );
        self.body
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

impl Server {
    /// A fresh server at [`MORNING`].
    pub fn start() -> Server {
        Server::start_in(Arc::new(tempfile::tempdir().unwrap()), MORNING)
    }

    /// A fresh server at another instant.
    pub fn start_at(clock: &str) -> Server {
        Server::start_in(Arc::new(tempfile::tempdir().unwrap()), clock)
    }

    /// The database file.
    pub fn db(&self) -> PathBuf {
        db_path(&self.dir)
    }

    /// A server on the database in `dir`.
    pub fn start_in(dir: Arc<tempfile::TempDir>, clock: &str) -> Server {
        Server::start_with(dir, clock, &[])
    }

    /// A server on the database in `dir`, with extra flags.
    pub fn start_with(dir: Arc<tempfile::TempDir>, clock: &str, flags: &[&str]) -> Server {
        Server::launch(
            Command::new(env!("CARGO_BIN_EXE_lobby-server")),
            dir,
            clock,
            flags,
        )
    }

    /// A fresh server whose open-file limit (soft and hard) is `files`, as
    /// on a machine left at the common default.
    pub fn start_with_file_limit(files: u32, flags: &[&str]) -> Server {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_lobby-server"));
        Server::launch(
            shell,
            Arc::new(tempfile::tempdir().unwrap()),
            MORNING,
            flags,
        )
    }

    fn launch(
        mut command: Command,
        dir: Arc<tempfile::TempDir>,
        clock: &str,
        flags: &[&str],
    ) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("server.log"))
            .unwrap();
        let mut child = command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--db")
            .arg(db_path(&dir))
            .arg("--config")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/hall.toml"))
            .arg("--fake-clock")
            .arg(clock)
            .args(flags)
            .env("LOBBY_ADMIN_TOKEN", ADMIN)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the server binary starts");
        // Wait for the address line, not for time.
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line.trim().to_owned();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "the server printed {url:?}; log:\n{}",
            std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
        );
        Server {
            child: Some(child),
            url,
            dir,
            clock: std::sync::Mutex::new(clock.to_owned()),
            agent: agent(),
        }
    }

    /// Stops with SIGTERM and waits for the process to end.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status()
                .unwrap();
            assert!(status.success());
            let exit = child.wait().unwrap();
            assert!(exit.success(), "the server exited with {exit}");
        }
    }

    /// Kills with SIGKILL: no chance to clean up.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Stops gracefully and starts again on the same database.
    pub fn restart(mut self) -> Server {
        self.stop();
        Server::start_in(self.dir.clone(), &self.now())
    }

    /// Starts again a server that was stopped.
    pub fn restart_stopped(self) -> Server {
        assert!(self.child.is_none(), "the server is still running");
        Server::start_in(self.dir.clone(), &self.now())
    }

    /// The fake clock's time as last set by the tests.
    pub fn now(&self) -> String {
        self.clock.lock().unwrap().clone()
    }

    /// Kills with SIGKILL and starts again on the same database.
    pub fn crash_restart(mut self) -> Server {
        self.kill9();
        Server::start_in(self.dir.clone(), &self.now())
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// The WebSocket URL of the event stream.
    pub fn ws_url(&self, query: &str) -> String {
        format!("{}/api/events{query}", self.url.replacen("http", "ws", 1))
    }

    fn finish(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let mut response = response.expect("the request reaches the server");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("status {status}: body is not JSON ({e}): {text}"))
        };
        Answer {
            status,
            body,
            headers,
        }
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Answer {
        Server::finish(self.agent.get(format!("{}{path}", self.url)).call())
    }

    /// `GET path` with a token.
    pub fn get_as(&self, token: &str, path: &str) -> Answer {
        Server::finish(
            self.agent
                .get(format!("{}{path}", self.url))
                .header("Authorization", format!("Bearer {token}"))
                .call(),
        )
    }

    /// A request with a method, an optional token, headers and a raw body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let uri = format!("{}{path}", self.url);
        let mut request = ureq::http::Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            request = request.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request
            .body(body.unwrap_or("").to_owned())
            .expect("a valid request");
        Server::finish(self.agent.run(request))
    }

    /// `POST path` with a token and a JSON body.
    pub fn post(&self, token: &str, path: &str, body: Value) -> Answer {
        self.send(
            "POST",
            path,
            Some(token),
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
    }

    /// `POST path` with a token and no body.
    pub fn post_empty(&self, token: &str, path: &str) -> Answer {
        self.send("POST", path, Some(token), &[], None)
    }

    /// `PATCH path` with a token and a JSON body.
    pub fn patch(&self, token: &str, path: &str, body: Value) -> Answer {
        self.send(
            "PATCH",
            path,
            Some(token),
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
    }

    /// `DELETE path` with a token.
    pub fn delete(&self, token: &str, path: &str) -> Answer {
        self.send("DELETE", path, Some(token), &[], None)
    }

    /// Issues a ticket as the admin.
    pub fn issue(&self, category: &str) -> Value {
        self.post(
            ADMIN,
            "/api/tickets",
            serde_json::json!({ "category": category }),
        )
        .expect(201)
    }

    /// Calls at a window as the admin: the ticket, or `None` (204).
    pub fn call(&self, window: u32) -> Option<Value> {
        let a = self.post_empty(ADMIN, &format!("/api/windows/{window}/call"));
        match a.status {
            200 => Some(a.body),
            204 => None,
            _ => panic!("call failed: {} {}", a.status, a.body),
        }
    }

    /// Moves the fake clock forward.
    pub fn advance(&self, seconds: i64) -> Value {
        let answer = self
            .post(
                ADMIN,
                "/api/test/clock",
                serde_json::json!({ "advance_s": seconds }),
            )
            .expect(200);
        *self.clock.lock().unwrap() = answer["now"].as_str().unwrap().to_owned();
        answer
    }

    /// Jumps the fake clock to an instant.
    pub fn set_clock(&self, at: &str) -> Value {
        let answer = self
            .post(ADMIN, "/api/test/clock", serde_json::json!({ "set": at }))
            .expect(200);
        *self.clock.lock().unwrap() = answer["now"].as_str().unwrap().to_owned();
        answer
    }

    /// `GET /api/queue` without the instant it was taken.
    pub fn queue(&self) -> Value {
        let mut q = self.get_as(ADMIN, "/api/queue").expect(200);
        q.as_object_mut().unwrap().remove("at");
        q
    }

    /// Creates a staff account and logs it in: its token.
    pub fn staff(&self, username: &str, role: &str, windows: &[u32]) -> String {
        self.post(
            ADMIN,
            "/api/staff",
            serde_json::json!({
                "username": username, "password": "secret-password",
                "role": role, "windows": windows
            }),
        )
        .expect(201);
        self.login(username, "secret-password")
    }

    /// Logs in: the session token.
    pub fn login(&self, username: &str, password: &str) -> String {
        self.try_login(username, password, &[]).expect(200)["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Tries to log in, with extra headers: the answer.
    pub fn try_login(&self, username: &str, password: &str, headers: &[(&str, &str)]) -> Answer {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.send(
            "POST",
            "/api/login",
            None,
            &all,
            Some(&serde_json::json!({ "username": username, "password": password }).to_string()),
        )
    }

    /// Registers a device: its token.
    pub fn device(&self, name: &str, kind: &str) -> String {
        self.post(
            ADMIN,
            "/api/devices",
            serde_json::json!({ "name": name, "kind": kind }),
        )
        .expect(201)["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("lobby.sqlite")
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

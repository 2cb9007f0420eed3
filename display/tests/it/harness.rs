//! Real parts for the end-to-end tests: an Xvfb screen, the lobby-server
//! binary on a loopback port, the lobby-display binary, and a TCP relay
//! that can cut the display's link (a fake only at the socket edge).
//!
//! Nothing here sleeps to wait: each step waits for the thing itself (Xvfb
//! names its display on stdout and xdpyinfo answers; the server prints its
//! address; the display prints `presented …` once a frame showing a change
//! has been rendered, and `announced …` once a call's WAV is written).
//!
//! lobby-server is built by running `cargo build -p lobby-server` from the
//! test (a no-op when it is fresh; cargo has released the build lock while
//! tests run) and taken from the same target directory as lobby-display.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The admin token the test server is started with.
pub const ADMIN: &str = "display-tests-admin-token";
/// A weekday morning inside the default hall's opening hours.
pub const FAKE_CLOCK: &str = "2026-11-25T09:00:00+08:00";

/// The target directory holding both binaries.
fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lobby-display"))
        .parent()
        .expect("the binary is in a directory")
        .to_owned()
}

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("display/ is in the workspace")
        .to_owned()
}

/// Builds lobby-server once per run, in the profile lobby-display was
/// built in (release for benchmarks), and returns its path.
pub fn server_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let release = target_dir().ends_with("release");
            let status = Command::new(cargo)
                .args(["build", "-p", "lobby-server", "--bin", "lobby-server"])
                .args(release.then_some("--release"))
                .current_dir(workspace())
                .status()
                .expect("cargo runs");
            assert!(status.success(), "cargo build -p lobby-server failed");
            let path = target_dir().join("lobby-server");
            assert!(path.is_file(), "{} missing after the build", path.display());
            path
        })
        .clone()
}

/// Waits for `ready`, polling every 50 ms, at most `limit`.
pub fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb screen of its own: `-displayfd` makes Xvfb choose a free
/// display and print it, so tests never draw on someone else's screen.
pub struct Screen {
    /// `:N`.
    pub display: String,
    _proc: Proc,
}

impl Screen {
    /// Starts a 1920×1080 screen and waits until it answers.
    pub fn start() -> Screen {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1920x1080x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (apt-get install xvfb)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("Xvfb prints its display");
        let display = format!(":{}", line.trim());
        let proc = Proc(child);
        // Xvfb names the display once it accepts clients; xdpyinfo (in
        // x11-utils, which a machine may lack) double-checks when present.
        wait_until(
            "xdpyinfo to answer",
            Duration::from_secs(20),
            || match Command::new("xdpyinfo")
                .args(["-display", &display])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
            {
                Ok(s) => s.success(),
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            },
        );
        Screen {
            display,
            _proc: proc,
        }
    }

    /// Saves what is on the screen (as X has it) to
    /// `target/screenshots/display/NAME.png`.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let dir = workspace().join("target/screenshots/display");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(&path)
            .status()
            .expect("import runs (apt-get install imagemagick)");
        assert!(status.success(), "import failed");
        path
    }
}

/// The colour of one pixel of a PNG, as `(r, g, b)`.
pub fn pixel(png: &Path, x: u32, y: u32) -> (u8, u8, u8) {
    let out = Command::new("convert")
        .arg(png)
        .args(["-crop", &format!("1x1+{x}+{y}"), "-depth", "8", "rgb:-"])
        .output()
        .expect("convert runs");
    assert!(out.stdout.len() >= 3, "no pixel at {x},{y}");
    (out.stdout[0], out.stdout[1], out.stdout[2])
}

/// A process's resident memory now and at its peak, in KiB (from
/// /proc/PID/status).
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU time a process has used so far (user + system), from /proc/PID/stat.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // The command name may hold spaces: fields start after its ')'.
    let rest = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let hz: u64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100);
    Duration::from_micros(ticks * 1_000_000 / hz)
}

/// lobby-server with a fresh database and a fake clock.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _dir: TempDir,
    _proc: Proc,
}

impl Server {
    /// Starts the server and waits for its address.
    pub fn start() -> Server {
        let dir = TempDir::new("server");
        let mut child = Command::new(server_binary())
            .arg("--db")
            .arg(dir.0.join("lobby.sqlite"))
            .args(["--listen", "127.0.0.1:0", "--fake-clock", FAKE_CLOCK])
            .env("LOBBY_ADMIN_TOKEN", ADMIN)
            .env("RUST_LOG", "warn")
            .current_dir(workspace())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("lobby-server runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the server prints its address");
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://"), "unexpected first line {url:?}");
        Server {
            url,
            _dir: dir,
            _proc: Proc(child),
        }
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build(),
        );
        let url = format!("{}{path}", self.url);
        let auth = format!("Bearer {ADMIN}");
        let mut response = match (method, body) {
            ("GET", _) => agent.get(&url).header("Authorization", &auth).call(),
            (_, Some(b)) => agent.post(&url).header("Authorization", &auth).send_json(b),
            (_, None) => agent.post(&url).header("Authorization", &auth).send_empty(),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }

    /// Issues a ticket; returns its number.
    pub fn issue(&self, category: &str) -> String {
        let t = self.request(
            "POST",
            "/api/tickets",
            Some(serde_json::json!({ "category": category })),
        );
        t["number"].as_str().expect("a number").to_owned()
    }

    /// Staff sign in at a window.
    pub fn open(&self, window: u32) {
        self.request("POST", &format!("/api/windows/{window}/open"), None);
    }

    /// Calls the next ticket; returns its number.
    pub fn call(&self, window: u32) -> String {
        let t = self.request(
            "POST",
            &format!("/api/windows/{window}/call"),
            Some(serde_json::json!({})),
        );
        t["number"]
            .as_str()
            .expect("a ticket was called")
            .to_owned()
    }

    /// Completes the window's ticket.
    pub fn request_complete(&self, window: u32) {
        self.request("POST", &format!("/api/windows/{window}/complete"), None);
    }

    /// Recalls the window's ticket.
    pub fn recall(&self, window: u32) {
        self.request("POST", &format!("/api/windows/{window}/recall"), None);
    }
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty directory under the system's temp dir.
    pub fn new(what: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "lobby-display-{what}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The display binary, with its `--report` lines readable as they come.
pub struct Display {
    lines: Receiver<(Instant, String)>,
    seen: Vec<(Instant, String)>,
    proc: Proc,
}

impl Display {
    /// Starts lobby-display on `screen` with `--report` and `args`.
    pub fn start(screen: &Screen, server_url: &str, args: &[&str]) -> Display {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lobby-display"))
            .args([
                "--server",
                server_url,
                "--token",
                ADMIN,
                "--windowed",
                "1920x1080",
            ])
            .arg("--report")
            .args(args)
            .env("DISPLAY", &screen.display)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("lobby-display runs");
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send((Instant::now(), line)).is_err() {
                    return;
                }
            }
        });
        Display {
            lines,
            seen: Vec::new(),
            proc: Proc(child),
        }
    }

    /// The display's process id.
    pub fn pid(&self) -> u32 {
        self.proc.0.id()
    }

    fn printed(&self) -> String {
        let lines: Vec<&str> = self.seen.iter().map(|(_, l)| l.as_str()).collect();
        lines.join("\n")
    }

    /// Waits for a report line containing every one of `parts` (or finds
    /// it among those already printed); returns it and when it was printed.
    pub fn wait_for(&mut self, parts: &[&str], limit: Duration) -> (Instant, String) {
        if let Some(found) = self
            .seen
            .iter()
            .find(|(_, line)| parts.iter().all(|p| line.contains(p)))
        {
            return found.clone();
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) => {
                    self.seen.push((at, line.clone()));
                    if parts.iter().all(|p| line.contains(p)) {
                        return (at, line);
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no line with {parts:?} within {limit:?}; the display printed:\n{}",
                    self.printed()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the display exited without {parts:?}; it printed:\n{}",
                    self.printed()
                ),
            }
        }
    }
}

/// A TCP relay between the display and the server that can cut the link
/// (the display sees its connection drop and cannot connect) and restore
/// it.
pub struct Relay {
    /// `http://127.0.0.1:PORT` of the relay.
    pub url: String,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    /// Relays to `server_url`.
    pub fn start(server_url: &str) -> Relay {
        let upstream = server_url.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let cut = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (cut2, open2) = (cut.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if cut2.load(Ordering::SeqCst) {
                    // Refused: the display's connect succeeds, then the
                    // stream closes at once, like a dead server.
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut open = open2.lock().unwrap();
                open.push(client.try_clone().expect("clone"));
                open.push(server.try_clone().expect("clone"));
                pipe(
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                );
                pipe(server, client);
            }
        });
        Relay { url, cut, open }
    }

    /// Drops every relayed connection and refuses new ones.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

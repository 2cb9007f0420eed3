//! Real parts for end-to-end runs: an X server (Xvfb), the real
//! lobby-server, a serial printer on a socat pseudo-terminal that answers
//! status queries like an ESC/POS printer, and the real kiosk clicked with
//! xdotool. Shared by the end-to-end test and the kiosk benchmark.
//!
//! Nothing here sleeps to wait for something: it waits for the thing (a
//! printed address, a file, bytes, the kiosk reporting the pointer on a
//! button before the click), polling with a short step and a deadline.

#![allow(dead_code)] // each user takes what it needs

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lobby_kiosk::capture::{ButtonRect, Layout};

/// Polls `f` every 20 ms until it gives a value, for at most `limit`.
pub fn wait_for<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `target/` of this build (tests and benches run from `target/*/deps`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "target"))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            exe.parent()
                .unwrap()
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .to_path_buf()
        })
}

/// The lobby-server binary: the debug build in our target folder (the
/// benchmark's release kiosk uses it too: the server is not what it
/// measures), built if missing (`cargo test -p lobby-kiosk` alone does not
/// build other packages' binaries).
pub fn server_binary() -> PathBuf {
    let bin = target_dir().join("debug/lobby-server");
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "lobby-server", "--bin", "lobby-server"])
            .status()
            .expect("running cargo");
        assert!(status.success(), "cargo build -p lobby-server failed");
    }
    bin
}

/// Kills a child process when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server on a free display.
pub struct Xvfb {
    pub display: String,
    _proc: Proc,
}

impl Xvfb {
    pub fn start(width: u32, height: u32) -> Xvfb {
        let n = (100..400)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })
            .expect("a free X display");
        let display = format!(":{n}");
        let proc = Proc(
            Command::new("Xvfb")
                .args([
                    &display,
                    "-screen",
                    "0",
                    &format!("{width}x{height}x24"),
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb (apt-get install xvfb)"),
        );
        wait_for("Xvfb", Duration::from_secs(20), || {
            Command::new("xdpyinfo")
                .args(["-display", &display])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .ok()
                .filter(|s| s.success())
        });
        Xvfb {
            display,
            _proc: proc,
        }
    }
}

pub const ADMIN_TOKEN: &str = "kiosk-e2e-admin-token-0123456789";

/// The real server with a fake clock on a weekday morning.
pub struct Server {
    pub url: String,
    pub listen: String,
    db: PathBuf,
    proc: Option<Proc>,
}

impl Server {
    pub fn start(dir: &Path) -> Server {
        let mut s = Server {
            url: String::new(),
            listen: "127.0.0.1:0".into(),
            db: dir.join("lobby.sqlite"),
            proc: None,
        };
        s.restart();
        s
    }

    /// Starts (again) on the same address and database.
    pub fn restart(&mut self) {
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/hall.toml");
        let mut child = Command::new(server_binary())
            .args(["--listen", &self.listen, "--db"])
            .arg(&self.db)
            .arg("--config")
            .arg(config)
            .args(["--fake-clock", "2026-11-25T09:00:00+08:00"])
            .env("LOBBY_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("lobby-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        self.url = line.trim().to_owned();
        assert!(self.url.starts_with("http://"), "server said {line:?}");
        self.listen = self.url.trim_start_matches("http://").to_owned();
        self.proc = Some(Proc(child));
    }

    pub fn stop(&mut self) {
        self.proc = None;
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent()
    }

    /// A kiosk device token, made by the admin.
    pub fn kiosk_token(&self) -> String {
        let mut answer = Server::agent()
            .post(format!("{}/api/devices", self.url))
            .header("Authorization", &format!("Bearer {ADMIN_TOKEN}"))
            .send_json(serde_json::json!({"name": "大厅 1 号取号机", "kind": "kiosk"}))
            .unwrap();
        assert!(
            answer.status().is_success(),
            "{:?}",
            answer.body_mut().read_to_string()
        );
        let v: serde_json::Value = answer.body_mut().read_json().unwrap();
        v["token"].as_str().unwrap().to_owned()
    }

    pub fn get(&self, path: &str) -> serde_json::Value {
        Server::agent()
            .get(format!("{}{path}", self.url))
            .header("Authorization", &format!("Bearer {ADMIN_TOKEN}"))
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap()
    }

    /// Tickets waiting in a category.
    pub fn waiting(&self, category: &str) -> u64 {
        let q = self.get("/api/queue");
        q["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == category)
            .and_then(|c| c["waiting"].as_u64())
            .unwrap()
    }
}

/// What the printer end of the pseudo-terminal has seen.
#[derive(Default)]
pub struct Paper {
    /// Simulates an empty roll in the status replies.
    pub out: bool,
    /// Everything printed (status queries taken out).
    pub received: Vec<u8>,
    /// When the last byte came.
    pub last_byte: Option<Instant>,
}

impl Paper {
    pub fn contains(&self, needle: &[u8]) -> bool {
        self.received.windows(needle.len()).any(|w| w == needle)
    }

    /// Jobs finished (each ends with a cut: `GS V`).
    pub fn cuts(&self) -> usize {
        self.received
            .windows(2)
            .filter(|w| w == &[0x1D, b'V'])
            .count()
    }
}

/// A serial printer: a socat pseudo-terminal pair; the kiosk opens one
/// end, a thread here plays the printer on the other.
pub struct PtyPrinter {
    pub path: PathBuf,
    pub paper: Arc<Mutex<Paper>>,
    _socat: Proc,
}

impl PtyPrinter {
    pub fn start(dir: &Path) -> PtyPrinter {
        let kiosk_end = dir.join("printer");
        let our_end = dir.join("printer-device");
        let socat = Proc(
            Command::new("socat")
                .arg(format!("pty,raw,echo=0,link={}", kiosk_end.display()))
                .arg(format!("pty,raw,echo=0,link={}", our_end.display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("socat (apt-get install socat)"),
        );
        wait_for("socat's ptys", Duration::from_secs(10), || {
            (kiosk_end.exists() && our_end.exists()).then_some(())
        });
        let device = File::options()
            .read(true)
            .write(true)
            .open(&our_end)
            .unwrap();
        let paper = Arc::new(Mutex::new(Paper::default()));
        let shared = paper.clone();
        std::thread::spawn(move || play_printer(device, shared));
        PtyPrinter {
            // The /dev/pts/N behind the link: a serial target, with status.
            path: std::fs::canonicalize(&kiosk_end).unwrap(),
            paper,
            _socat: socat,
        }
    }
}

/// Reads what the kiosk sends; answers `DLE EOT 1/2/4` as an Epson-style
/// printer does (with or without paper); keeps the rest as print data.
pub fn play_printer(mut device: impl Read + Write, paper: Arc<Mutex<Paper>>) {
    let mut buf = [0u8; 4096];
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = match device.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let now = Instant::now();
        let mut p = paper.lock().unwrap();
        tail.extend_from_slice(&buf[..n]);
        let mut i = 0;
        let mut replies = Vec::new();
        while i < tail.len() {
            if tail[i] == 0x10 && i + 2 >= tail.len() {
                break;
            }
            if tail[i] == 0x10 && tail[i + 1] == 0x04 {
                replies.push(match (tail[i + 2], p.out) {
                    (1, true) => 0x1A,
                    (2, true) => 0x32,
                    (4, true) => 0x72,
                    _ => 0x12,
                });
                i += 3;
            } else {
                p.received.push(tail[i]);
                p.last_byte = Some(now);
                i += 1;
            }
        }
        tail.drain(..i);
        drop(p);
        if !replies.is_empty() && device.write_all(&replies).is_err() {
            return;
        }
    }
}

/// The real kiosk in a window the size of the X screen.
pub struct Kiosk {
    pub capture: PathBuf,
    pub display: String,
    pub proc: Proc,
}

impl Kiosk {
    pub fn start(x: &Xvfb, server: &Server, token: &str, printer: &Path, capture: &Path) -> Kiosk {
        Kiosk::start_with(x, server, token, printer, capture, &[])
    }

    /// With extra arguments (`--no-screenshots`).
    pub fn start_with(
        x: &Xvfb,
        server: &Server,
        token: &str,
        printer: &Path,
        capture: &Path,
        extra: &[&str],
    ) -> Kiosk {
        let _ = std::fs::remove_file(capture.join("layout.json"));
        let proc = Proc(
            Command::new(env!("CARGO_BIN_EXE_lobby-kiosk"))
                .args(["--server", &server.url, "--token", token, "--printer"])
                .arg(printer)
                .args(["--windowed", "1280x1024", "--capture"])
                .arg(capture)
                // What it says aloud, kept as WAV and text.
                .arg("--voice-dir")
                .arg(capture.join("voice"))
                .args(extra)
                .env("DISPLAY", &x.display)
                .env(
                    "RUST_LOG",
                    std::env::var("LOBBY_KIOSK_LOG").unwrap_or_else(|_| "warn".into()),
                )
                .stdout(Stdio::null())
                // Kept beside the screenshots for whoever reads a failure.
                .stderr(File::create(capture.with_extension("log")).unwrap())
                .spawn()
                .expect("lobby-kiosk"),
        );
        Kiosk {
            capture: capture.to_path_buf(),
            display: x.display.clone(),
            proc,
        }
    }

    pub fn pid(&self) -> u32 {
        self.proc.0.id()
    }

    /// Waits until `screen` is up and laid out, newer than `after`.
    pub fn wait_screen(&self, screen: &str, after: u32) -> Layout {
        let path = self.capture.join("layout.json");
        wait_for(
            &format!("the {screen} screen"),
            Duration::from_secs(60),
            || {
                let layout: Layout = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
                (layout.screen == screen && layout.seq > after).then_some(layout)
            },
        )
    }

    /// Waits for the screenshot of a layout (or of a later build of the
    /// same screen).
    pub fn wait_screenshot(&self, layout: &Layout) -> PathBuf {
        let suffix = format!("-{}.png", layout.screen);
        wait_for(
            &format!("a screenshot of {}", layout.screen),
            Duration::from_secs(30),
            || {
                std::fs::read_dir(&self.capture)
                    .ok()?
                    .flatten()
                    .find_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        let seq: u32 = name.strip_suffix(&suffix)?.parse().ok()?;
                        (seq >= layout.seq).then(|| e.path())
                    })
            },
        )
    }

    /// Moves the pointer onto a button, lets the hover register, clicks;
    /// returns the instant of the click.
    pub fn click(&self, layout: &Layout, action: &str) -> Instant {
        let b: &ButtonRect = layout
            .buttons
            .iter()
            .find(|b| b.action == action)
            .unwrap_or_else(|| panic!("no {action} on {}: {:?}", layout.screen, layout.buttons));
        let (x, y) = ((b.x + b.w / 2.0) as i32, (b.y + b.h / 2.0) as i32);
        let hover = self.capture.join("hover.txt");
        // Wiggle onto the button (a move to where the pointer already is
        // sends no event) until the kiosk reports it under the pointer.
        wait_for(
            &format!("the pointer on {action}"),
            Duration::from_secs(20),
            || {
                for (dx, dy) in [(1, 1), (0, 0)] {
                    self.xdotool(&["mousemove", &(x + dx).to_string(), &(y + dy).to_string()]);
                }
                let deadline = Instant::now() + Duration::from_millis(500);
                while Instant::now() < deadline {
                    if std::fs::read_to_string(&hover).ok().as_deref() == Some(action) {
                        return Some(());
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                None
            },
        );
        let at = Instant::now();
        self.xdotool(&["click", "1"]);
        at
    }

    fn xdotool(&self, args: &[&str]) {
        let ok = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .status()
            .expect("xdotool (apt-get install xdotool)")
            .success();
        assert!(ok, "xdotool {args:?}");
    }
}

//! lobby-server benchmark (not a timed test): the real release binary on
//! loopback with durable commits (WAL, synchronous=FULL, on this machine's
//! disk), driven by a small HTTP/1.1 keep-alive client so the load
//! generator costs little of the two cores it shares with the server.
//!
//! Run: `cargo bench -p lobby-server --bench throughput` (add `-- --quick`
//! for a short run). It prints a Markdown section for BENCHMARKS.md.
//!
//! Phases:
//! 1. closed-loop issue throughput (64 connections);
//! 2. closed-loop call-next throughput (one connection per window, each
//!    call followed by complete);
//! 3. open-loop latency at a fixed 1,000 requests per second, for issues
//!    and for call-next (latency counted from the scheduled send time, so a
//!    stall is not hidden by the generator waiting for it);
//! 4. event fan-out to 1,000 WebSocket subscribers;
//! 5. the server's resident memory (VmRSS, VmHWM) along the way.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hdrhistogram::Histogram;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

const ADMIN: &str = "bench-admin-token-0123456789";

/// Connections of the closed-loop issue phase (`LOBBY_BENCH_CONNS`).
fn connections() -> usize {
    std::env::var("LOBBY_BENCH_CONNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}
/// Categories without a daily quota, and the windows serving them first.
const CATEGORIES: &[&str] = &[
    "tzxm", "scjg", "sw", "gasf", "shbz", "ybz", "mz", "sdqx", "zhdb",
];
const WINDOWS: &[u32] = &[
    1, 2, 3, 4, 5, 6, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 37, 38, 39, 40, 41,
    42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65,
    66, 67,
];

struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        // On the project's disk (ext4 here), not a tmpfs: fsync is real.
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
        let dir = tempfile::tempdir_in(base).expect("a temporary directory under target/");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lobby-server"))
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(dir.path().join("bench.sqlite"))
            .arg("--config")
            .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/hall.toml"))
            .args(["--fake-clock", "2026-11-25T09:00:00+08:00"])
            // Extra server flags for experiments (e.g. `--workers 1`).
            .args(
                std::env::var("LOBBY_BENCH_ARGS")
                    .unwrap_or_default()
                    .split_whitespace(),
            )
            .env("LOBBY_ADMIN_TOKEN", ADMIN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the release server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the address line");
        let addr = line.trim().trim_start_matches("http://").to_owned();
        Server {
            child,
            addr,
            _dir: dir,
        }
    }

    /// The WAL file's size in MiB.
    fn wal(&self) -> f64 {
        std::fs::metadata(self._dir.path().join("bench.sqlite-wal"))
            .map_or(0.0, |m| m.len() as f64 / (1024.0 * 1024.0))
    }

    /// (VmRSS, VmHWM) in MiB.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(0.0, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Server {
    /// CPU seconds (user + system) the server has used.
    fn cpu(&self) -> f64 {
        cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }
}

/// CPU seconds from a `/proc/.../stat` file.
fn cpu_of(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which may contain spaces).
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here;
    // the kernel counts them in 1/100 s on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 keep-alive connection.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: &str) -> Conn {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Conn {
            stream,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Sends a request; returns the status.
    async fn post(&mut self, path: &str, body: &str) -> u16 {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {ADMIN}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream
            .write_all(request.as_bytes())
            .await
            .expect("write");
        self.read().await.0
    }

    /// Sends a request; returns the status and the body.
    async fn post_body(&mut self, path: &str, body: &str) -> (u16, Vec<u8>) {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {ADMIN}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream
            .write_all(request.as_bytes())
            .await
            .expect("write");
        self.read().await
    }

    async fn read(&mut self) -> (u16, Vec<u8>) {
        self.buf.clear();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            let n = self.stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).to_ascii_lowercase();
        let status: u16 = head[9..12].parse().expect("a status line");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().expect("a length"));
        while self.buf.len() < head_end + length {
            let n = self.stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
        (status, self.buf[head_end..head_end + length].to_vec())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

fn issue_body(i: u64) -> String {
    format!(
        "{{\"category\":\"{}\"}}",
        CATEGORIES[(i as usize) % CATEGORIES.len()]
    )
}

/// Closed loop: `conns` connections issuing as fast as answered.
async fn issue_throughput(addr: &str, conns: usize, secs: u64) -> (f64, Histogram<u64>) {
    let end = Instant::now() + Duration::from_secs(secs);
    let counter = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (addr, counter) = (addr.to_owned(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(&addr).await;
            let mut h = histogram();
            while Instant::now() < end {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t0 = Instant::now();
                let status = c.post("/api/tickets", &issue_body(i)).await;
                assert_eq!(status, 201, "issue failed");
                h.record(t0.elapsed().as_micros() as u64).expect("in range");
            }
            h
        }));
    }
    let start = Instant::now();
    let mut all = histogram();
    for t in tasks {
        all.add(t.await.expect("task")).expect("same bounds");
    }
    (all.len() as f64 / start.elapsed().as_secs_f64(), all)
}

/// Closed loop: one connection per window, call then complete.
async fn call_throughput(addr: &str, secs: u64) -> (f64, Histogram<u64>) {
    let end = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for &w in WINDOWS {
        let addr = addr.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(&addr).await;
            let mut h = histogram();
            let (call, complete) = (
                format!("/api/windows/{w}/call"),
                format!("/api/windows/{w}/complete"),
            );
            while Instant::now() < end {
                let t0 = Instant::now();
                let status = c.post(&call, "").await;
                h.record(t0.elapsed().as_micros() as u64).expect("in range");
                match status {
                    200 => assert_eq!(c.post(&complete, "").await, 200),
                    204 => break,
                    s => panic!("call answered {s}"),
                }
            }
            h
        }));
    }
    let start = Instant::now();
    let mut all = histogram();
    for t in tasks {
        all.add(t.await.expect("task")).expect("same bounds");
    }
    (all.len() as f64 / start.elapsed().as_secs_f64(), all)
}

#[derive(Clone, Copy)]
enum Load {
    Issue,
    CallNext,
}

/// Open loop at `rate` requests per second for `secs`: latency from each
/// request's scheduled time to its answer.
async fn fixed_rate(addr: &str, load: Load, rate: u64, secs: u64) -> (u64, Histogram<u64>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<(u64, Instant)>();
    let rx = Arc::new(Mutex::new(rx));
    let mut workers = Vec::new();
    for &window in WINDOWS {
        let (addr, rx) = (addr.to_owned(), rx.clone());
        workers.push(tokio::spawn(async move {
            let mut c = Conn::open(&addr).await;
            let mut h = histogram();
            let (call, complete) = (
                format!("/api/windows/{window}/call"),
                format!("/api/windows/{window}/complete"),
            );
            let mut holding = false;
            loop {
                let job = rx.lock().await.recv().await;
                let Some((i, scheduled)) = job else { break };
                let status = match load {
                    Load::Issue => c.post("/api/tickets", &issue_body(i)).await,
                    // Each worker owns a window: alternate call and
                    // complete, each one request of the load.
                    Load::CallNext if holding => {
                        holding = false;
                        c.post(&complete, "").await
                    }
                    Load::CallNext => {
                        let s = c.post(&call, "").await;
                        holding = s == 200;
                        s
                    }
                };
                assert!(matches!(status, 200 | 201 | 204), "answered {status}");
                h.record(scheduled.elapsed().as_micros().max(1) as u64)
                    .expect("in range");
            }
            h
        }));
    }
    let start = tokio::time::Instant::now();
    let total = rate * secs;
    for i in 0..total {
        let at = start + Duration::from_micros(i * 1_000_000 / rate);
        tokio::time::sleep_until(at).await;
        tx.send((i, at.into_std())).expect("workers alive");
    }
    drop(tx);
    let mut all = histogram();
    for w in workers {
        all.add(w.await.expect("worker")).expect("same bounds");
    }
    (total, all)
}

/// Fan-out: `subscribers` WebSocket clients; `events` tickets issued at
/// `rate` per second; latency from sending the issuing request to each
/// subscriber receiving the event (an upper bound: it includes the issue's
/// own processing and commit).
type FanOut = (Histogram<u64>, Histogram<u64>, usize, (f64, f64));

async fn fan_out(server: &Server, subscribers: usize, events: usize, rate: u64) -> FanOut {
    let url = format!("ws://{}/api/events", server.addr);
    let ready = Arc::new(tokio::sync::Barrier::new(subscribers + 1));
    let mut subs = Vec::new();
    for _ in 0..subscribers {
        let (url, ready) = (url.clone(), ready.clone());
        subs.push(tokio::spawn(async move {
            let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
                .await
                .expect("subscribe");
            // The snapshot comes first.
            let _ = ws.next().await;
            ready.wait().await;
            let mut got: Vec<(String, Instant)> = Vec::with_capacity(events);
            while got.len() < events {
                let next = tokio::time::timeout(Duration::from_secs(20), ws.next()).await;
                let Ok(Some(Ok(msg))) = next else { break };
                let now = Instant::now();
                if let tokio_tungstenite::tungstenite::Message::Text(t) = msg
                    && t.contains("\"type\":\"issued\"")
                    && let Some(n) = number_of(&t)
                {
                    got.push((n, now));
                }
            }
            got
        }));
    }
    ready.wait().await;
    let memory = server.memory();
    let mut c = Conn::open(&server.addr).await;
    let mut sent: HashMap<String, Instant> = HashMap::new();
    let start = tokio::time::Instant::now();
    for i in 0..events {
        tokio::time::sleep_until(start + Duration::from_micros(i as u64 * 1_000_000 / rate)).await;
        let t0 = Instant::now();
        let (status, body) = c.post_body("/api/tickets", &issue_body(i as u64)).await;
        assert_eq!(status, 201);
        let text = String::from_utf8_lossy(&body);
        let n = number_of(&text).expect("a number in the answer");
        sent.insert(n, t0);
    }
    let mut h = histogram();
    let mut missing = 0;
    let mut received: HashMap<String, Vec<Instant>> = HashMap::new();
    for s in subs {
        let got = s.await.expect("subscriber");
        missing += events - got.len();
        for (n, at) in got {
            if let Some(t0) = sent.get(&n) {
                h.record(at.duration_since(*t0).as_micros().max(1) as u64)
                    .expect("in range");
            }
            received.entry(n).or_default().push(at);
        }
    }
    // The fan-out proper: from the first subscriber to get an event to
    // each of the others.
    let mut spread = histogram();
    for times in received.values() {
        let first = times.iter().min().copied().unwrap_or_else(Instant::now);
        for t in times {
            spread
                .record(t.duration_since(first).as_micros().max(1) as u64)
                .expect("in range");
        }
    }
    (h, spread, missing, memory)
}

fn number_of(text: &str) -> Option<String> {
    let i = text.find("\"number\":\"")? + 10;
    let rest = &text[i..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The disk's own durable-write latency: 4 KiB write + fsync, where the
/// database lives. No durable answer can be faster.
fn fsync_baseline() -> Histogram<u64> {
    use std::io::Write;
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let dir = tempfile::tempdir_in(base).expect("a temporary directory");
    let mut f = std::fs::File::create(dir.path().join("fsync.bin")).expect("a file");
    let mut h = histogram();
    for _ in 0..300 {
        f.write_all(&[7u8; 4096]).expect("write");
        let t0 = Instant::now();
        f.sync_all().expect("fsync");
        h.record(t0.elapsed().as_micros().max(1) as u64)
            .expect("in range");
    }
    h
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_default()
}

/// `--fixed-only`: just the open-loop issue latency at 1,000/s.
fn fixed_only() {
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    single.block_on(async {
        let b = Server::start();
        let (n, h) = fixed_rate(&b.addr, Load::Issue, 1000, 10).await;
        println!(
            "{n} issues at 1,000/s: p50 {:.2} ms p99 {:.2} ms p99.9 {:.2} ms max {:.2} ms; load {}",
            ms(&h, 0.5),
            ms(&h, 0.99),
            ms(&h, 0.999),
            h.max() as f64 / 1000.0,
            load_average()
        );
    });
}

/// `--issue-only`: just the closed-loop issue phase, for profiling.
fn issue_only() {
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    single.block_on(async {
        let a = Server::start();
        let _ = issue_throughput(&a.addr, 16, 1).await;
        let (server0, client0) = (a.cpu(), cpu_of("/proc/self/stat"));
        let (rate, h) = issue_throughput(&a.addr, connections(), 5).await;
        let n = h.len() as f64;
        println!(
            "issues {rate:.0}/s p50 {:.2} ms p99 {:.2} ms; CPU per issue: server {:.0} µs, client {:.0} µs; load {}",
            ms(&h, 0.5),
            ms(&h, 0.99),
            (a.cpu() - server0) / n * 1e6,
            (cpu_of("/proc/self/stat") - client0) / n * 1e6,
            load_average()
        );
    });
}

fn main() {
    if std::env::args().any(|a| a == "--issue-only") {
        return issue_only();
    }
    if std::env::args().any(|a| a == "--fixed-only") {
        return fixed_only();
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let secs = if quick { 2 } else { 5 };
    let fixed_secs = if quick { 3 } else { 10 };
    let load_before = load_average();
    let disk = fsync_baseline();
    // The load generator: one thread, so it takes as little as possible of
    // the two cores from the server.
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (issue_rate, issue_h, idle, after_issue, wal, call_rate, call_h, cpu) =
        single.block_on(async {
            let a = Server::start();
            let idle = a.memory();
            let _ = issue_throughput(&a.addr, 16, 1).await; // warm-up
            let (server0, client0) = (a.cpu(), cpu_of("/proc/self/stat"));
            let (issue_rate, issue_h) = issue_throughput(&a.addr, connections(), secs).await;
            let n = issue_h.len() as f64;
            let cpu = (
                (a.cpu() - server0) / n * 1e6,
                (cpu_of("/proc/self/stat") - client0) / n * 1e6,
            );
            let after_issue = a.memory();
            let wal = a.wal();
            let (call_rate, call_h) = call_throughput(&a.addr, secs).await;
            (
                issue_rate,
                issue_h,
                idle,
                after_issue,
                wal,
                call_rate,
                call_h,
                cpu,
            )
        });
    // Latency at a fixed rate on a fresh server, not after the flood.
    let b = Server::start();
    let (n_issue, fixed_issue, n_call, fixed_call) = single.block_on(async {
        let (n_issue, fixed_issue) = fixed_rate(&b.addr, Load::Issue, 1000, fixed_secs).await;
        let (n_call, fixed_call) = fixed_rate(&b.addr, Load::CallNext, 1000, fixed_secs).await;
        (n_issue, fixed_issue, n_call, fixed_call)
    });
    let after_fixed_peak = b.memory();
    drop(b);
    // Fan-out and memory on a third server holding a busy day (2,000
    // tickets issued, 1,000 served): the seed's centre sees a few hundred.
    let c = Server::start();
    let day = single.block_on(async {
        let mut conn = Conn::open(&c.addr).await;
        for i in 0..2000u64 {
            assert_eq!(conn.post("/api/tickets", &issue_body(i)).await, 201);
        }
        let mut served = 0;
        'windows: for &w in WINDOWS {
            for _ in 0..20 {
                if conn.post(&format!("/api/windows/{w}/call"), "").await != 200 {
                    continue 'windows;
                }
                assert_eq!(
                    conn.post(&format!("/api/windows/{w}/complete"), "").await,
                    200
                );
                served += 1;
                if served == 1000 {
                    break 'windows;
                }
            }
        }
        c.memory()
    });
    // A thousand subscribers read in parallel, so the reading side does
    // not queue the deliveries it measures.
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let events = if quick { 50 } else { 200 };
    let (fan, spread, missing, with_subs) =
        multi.block_on(async { fan_out(&c, 1000, events, 20).await });
    let after_fan = c.memory();
    drop(c);
    let load_after = load_average();

    println!("## Server\n");
    println!(
        "Measured with `cargo bench -p lobby-server --bench throughput` on this machine: \
         {} cores, {}; load average {load_before} before and {load_after} after (other \
         engineers' builds share the machine). The release server on loopback, database in WAL \
         mode with synchronous=FULL on the ext4 disk: every answer waits for its commit's fsync. \
         The load generator runs on the same two cores (one tokio thread, raw HTTP/1.1 keep-alive).\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );
    println!("| measure | result | target |");
    println!("|---|---|---|");
    println!(
        "| the disk alone: 4 KiB write + fsync | p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms | (floor of any durable answer) |",
        ms(&disk, 0.5),
        ms(&disk, 0.99),
        disk.max() as f64 / 1000.0
    );
    println!(
        "| durable issues, closed loop, {} connections, {secs} s | **{issue_rate:.0}/s** (p50 {:.2} ms, p99 {:.2} ms) | ≥ 10,000/s |",
        connections(),
        ms(&issue_h, 0.5),
        ms(&issue_h, 0.99)
    );
    println!(
        "| CPU per durable issue in that run: server / load generator | {:.0} µs / {:.0} µs | (2 cores = 2,000,000 µs/s) |",
        cpu.0, cpu.1
    );
    println!(
        "| call-next (call + complete per ticket), {} windows, {secs} s | **{call_rate:.0} calls/s**, {:.0} requests/s (call p50 {:.2} ms, p99 {:.2} ms) | — |",
        WINDOWS.len(),
        call_rate * 2.0,
        ms(&call_h, 0.5),
        ms(&call_h, 0.99)
    );
    println!(
        "| issue latency at 1,000/s, open loop, {n_issue} requests | p50 {:.2} ms, **p99 {:.2} ms**, p99.9 {:.2} ms, max {:.2} ms | p99 < 10 ms |",
        ms(&fixed_issue, 0.5),
        ms(&fixed_issue, 0.99),
        ms(&fixed_issue, 0.999),
        fixed_issue.max() as f64 / 1000.0
    );
    println!(
        "| call-next latency at 1,000/s (calls and completes), open loop, {n_call} requests | p50 {:.2} ms, **p99 {:.2} ms**, p99.9 {:.2} ms, max {:.2} ms | p99 < 10 ms |",
        ms(&fixed_call, 0.5),
        ms(&fixed_call, 0.99),
        ms(&fixed_call, 0.999),
        fixed_call.max() as f64 / 1000.0
    );
    println!(
        "| event fan-out to 1,000 WebSocket subscribers, {events} events at 20/s: from the issuing request sent to each delivery | p50 {:.2} ms, **p99 {:.2} ms**, max {:.2} ms; {missing} missed | p99 < 50 ms |",
        ms(&fan, 0.5),
        ms(&fan, 0.99),
        fan.max() as f64 / 1000.0
    );
    println!(
        "| … from the first subscriber's delivery to each other's (the fan-out alone) | p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms | |",
        ms(&spread, 0.5),
        ms(&spread, 0.99),
        spread.max() as f64 / 1000.0
    );
    println!(
        "| server RSS: idle / a busy day (2,000 issued, 1,000 served) / with 1,000 subscribers / after they left | {:.1} / {:.1} / **{:.1}** / {:.1} MiB (peak {:.1}) | < 50 MB |",
        idle.0, day.0, with_subs.0, after_fan.0, after_fan.1
    );
    println!(
        "| server RSS after the fixed-rate runs ({n_issue} issued, {n_call} call-next requests) | {:.1} MiB (peak {:.1}) | — |",
        after_fixed_peak.0, after_fixed_peak.1
    );
    println!(
        "| server RSS after the closed-loop flood ({:.0} tickets held) | {:.1} MiB (peak {:.1}) | — |",
        issue_rate * secs as f64,
        after_issue.0,
        after_issue.1
    );
    println!(
        "| WAL file after the closed-loop flood | {wal:.1} MiB | ≤ 64 MiB plus one batch (the writer empties it past 64 MiB) |"
    );
}

//! The display's figures under Xvfb with Mesa software rendering, against
//! the real server: call-to-screen latency, idle CPU and memory.
//!
//! Call-to-screen runs from just before the `POST …/call` to the moment the
//! first frame showing the call was presented (the wall-clock time the
//! display's render world prints in its `shown` line); also given, to the
//! `presented` line, once that frame has been read back from the GPU,
//! which comes a frame or two later.
//!
//! `cargo bench -p lobby-display --bench screen`; prints a Markdown table
//! for BENCHMARKS.md.

// The harness is shared with the integration tests, which use all of it.
#[allow(dead_code)]
#[path = "../tests/it/harness.rs"]
mod harness;

use std::time::{Duration, Instant, SystemTime};

use harness::{Display, Screen, Server, TempDir, cpu_time, memory_kib};

const CALLS: usize = 30;
const IDLE: Duration = Duration::from_secs(60);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Microseconds since the epoch: the clock the display stamps frames with.
fn now_us() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// CPU used by `pid` over `span`, in percent of one core.
fn idle_cpu(pid: u32, span: Duration) -> f64 {
    let (cpu0, t0) = (cpu_time(pid), Instant::now());
    std::thread::sleep(span);
    let (cpu1, t1) = (cpu_time(pid), Instant::now());
    (cpu1 - cpu0).as_secs_f64() / (t1 - t0).as_secs_f64() * 100.0
}

fn main() {
    let screen = Screen::start();
    let server = Server::start();
    let voice = TempDir::new("bench-voice");
    let started = Instant::now();
    let mut display = Display::start(
        &screen,
        &server.url,
        &["--site", "hall", "--voice-dir", voice.0.to_str().unwrap()],
    );
    let (first, _) = display.wait_for(&["presented", "link=online"], Duration::from_secs(60));
    let startup = first - started;
    let pid = display.pid();

    for w in 1..=6 {
        server.open(w);
    }
    let mut latencies = Vec::new();
    let mut readbacks = Vec::new();
    for i in 0..CALLS + 2 {
        let window = 1 + (i as u32 % 6);
        if i >= 6 {
            server.request_complete(window);
        }
        server.issue("tzxm");
        let (t0, t0_us) = (Instant::now(), now_us());
        let number = server.call(window);
        let (_, shown) = display.wait_for(
            &["shown", &format!("newest={number} ")],
            Duration::from_secs(20),
        );
        let (t1, _) = display.wait_for(
            &["presented", &format!("newest={number} ")],
            Duration::from_secs(20),
        );
        let at_us: u128 = shown
            .rsplit("at_us=")
            .next()
            .and_then(|v| v.trim().parse().ok())
            .expect("the shown line ends with at_us=");
        // The first two warm the font atlas and the announcer.
        if i >= 2 {
            latencies.push(Duration::from_micros(at_us.saturating_sub(t0_us) as u64));
            readbacks.push(t1 - t0);
        }
    }
    latencies.sort();
    readbacks.sort();
    let (rss_busy, _) = memory_kib(pid);

    // Let the last highlight end and the announcer finish its queue.
    let last = CALLS + 2;
    display.wait_for(
        &["announced", &format!("A{last:03}")],
        Duration::from_secs(600),
    );
    std::thread::sleep(Duration::from_secs(9));
    let idle = idle_cpu(pid, IDLE);
    let (rss, peak) = memory_kib(pid);
    drop(display);

    // The same screen with the notice scrolling instead of turning pages.
    let mut scrolling = Display::start(
        &screen,
        &server.url,
        &["--site", "hall", "--voice", "off", "--notice", "scroll"],
    );
    scrolling.wait_for(&["presented", "link=online"], Duration::from_secs(60));
    std::thread::sleep(Duration::from_secs(9));
    let scroll_idle = idle_cpu(scrolling.pid(), Duration::from_secs(30));

    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| start to first frame with the snapshot | {} |",
        ms(startup)
    );
    println!(
        "| call-to-screen latency (call to frame presented), {CALLS} calls: median / p90 / max | {} / {} / {} |",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.9)),
        ms(latencies[latencies.len() - 1])
    );
    println!(
        "| … to that frame read back from the GPU: median / p90 / max | {} / {} / {} |",
        ms(percentile(&readbacks, 0.5)),
        ms(percentile(&readbacks, 0.9)),
        ms(readbacks[readbacks.len() - 1])
    );
    println!(
        "| idle CPU over {}s (notice turning pages) | {idle:.2}% of a core |",
        IDLE.as_secs()
    );
    println!("| idle CPU over 30s with `--notice scroll` | {scroll_idle:.1}% of a core |");
    println!(
        "| RSS after {CALLS} calls / idle / peak | {} / {} / {} MiB |",
        rss_busy / 1024,
        rss / 1024,
        peak / 1024
    );
}

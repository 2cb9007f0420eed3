//! The kiosk's figures for BENCHMARKS.md, measured on the real thing:
//! release kiosk under Xvfb with Mesa's software Vulkan, the real server,
//! a serial printer on a socat pseudo-terminal.
//!
//! - tap-to-paper: from the xdotool click on 直接取号 to the last byte of
//!   the ticket at the printer (server round trip, status query, ticket
//!   render and transfer), over several tickets;
//! - idle CPU: the kiosk's user + system time over 20 s on the home screen,
//!   in % of one core (`/proc/PID/stat`);
//! - RSS after the run (`/proc/PID/status`).
//!
//! `cargo bench -p lobby-kiosk` (add `-- --quick` for fewer rounds).

#[path = "../tests/it/rig.rs"]
mod rig;

use std::time::{Duration, Instant};

use rig::{Kiosk, PtyPrinter, Server, Xvfb, wait_for};

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces) start at ") ".
    let rest = &stat[stat.rfind(") ").unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after ") ".
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn clock_ticks_per_s() -> f64 {
    let out = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output();
    out.ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

fn main() {
    // `cargo test --benches` runs this too: only measure under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 10 };
    let tmp = std::env::temp_dir().join(format!("lobby-kiosk-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();

    let x = Xvfb::start(1280, 1024);
    let server = Server::start(&tmp);
    let token = server.kiosk_token();
    let printer = PtyPrinter::start(&tmp);
    let started = Instant::now();
    let kiosk = Kiosk::start_with(
        &x,
        &server,
        &token,
        &printer.path,
        &tmp.join("capture"),
        &["--no-screenshots"],
    );
    let mut home = kiosk.wait_screen("home", 0);
    println!(
        "kiosk: home screen {:.2} s after start",
        started.elapsed().as_secs_f64()
    );

    let mut times = Vec::new();
    for _ in 0..rounds {
        kiosk.click(&home, "category:sw");
        let matters = kiosk.wait_screen("matters", home.seq);
        let cuts = printer.paper.lock().unwrap().cuts();
        let tap = kiosk.click(&matters, "no_matter");
        let last = wait_for("the ticket", Duration::from_secs(20), || {
            let p = printer.paper.lock().unwrap();
            (p.cuts() > cuts).then_some(p.last_byte).flatten()
        });
        times.push(last.duration_since(tap));
        let ticket = kiosk.wait_screen("ticket", matters.seq);
        kiosk.click(&ticket, "home");
        home = kiosk.wait_screen("home", ticket.seq);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
    println!(
        "kiosk: tap-to-paper over {} tickets: median {:.0} ms, mean {:.0} ms, max {:.0} ms",
        times.len(),
        ms(times[times.len() / 2]),
        mean,
        ms(*times.last().unwrap())
    );

    // Idle on the home screen: let the queue poll bring the last waiting
    // counts (every 10 s) and the frames they draw pass, then measure.
    let pid = kiosk.pid();
    std::thread::sleep(Duration::from_secs(12));
    let window = Duration::from_secs(if quick { 10 } else { 20 });
    let (t0, c0) = (Instant::now(), cpu_ticks(pid));
    std::thread::sleep(window);
    let (t1, c1) = (Instant::now(), cpu_ticks(pid));
    let cpu = (c1 - c0) as f64 / clock_ticks_per_s() / (t1 - t0).as_secs_f64() * 100.0;
    println!(
        "kiosk: idle CPU {cpu:.2} % of one core over {:.0} s; RSS {:.0} MB",
        (t1 - t0).as_secs_f64(),
        rss_mb(pid)
    );
    drop(kiosk);
    let _ = std::fs::remove_dir_all(&tmp);
}

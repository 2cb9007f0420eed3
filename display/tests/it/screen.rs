//! End to end under Xvfb: the real server, the real display binary on its
//! own screen, calls made through the HTTP API. Screenshots land in
//! `target/screenshots/display/`.

use std::time::Duration;

use lobby_display::voice::Wav;

use crate::harness::{Display, Relay, Screen, Server, TempDir, cpu_time, memory_kib, pixel};

const START: Duration = Duration::from_secs(60);
const SHOWN: Duration = Duration::from_secs(20);

/// The newest-call panel's colour while highlighted (style::HIGHLIGHT).
const HIGHLIGHT: (u8, u8, u8) = (199, 31, 31);

fn near(a: (u8, u8, u8), b: (u8, u8, u8)) -> bool {
    let d = |x: u8, y: u8| (x as i32 - y as i32).abs();
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2) < 24
}

#[test]
fn a_call_through_the_api_is_shown_and_announced() {
    let screen = Screen::start();
    let server = Server::start();
    let voice = TempDir::new("voice");
    let voice_dir = voice.0.to_str().unwrap();
    let mut display = Display::start(
        &screen,
        &server.url,
        &["--site", "hall", "--voice-dir", voice_dir],
    );
    display.wait_for(&["presented", "link=online"], START);

    let number = server.issue("tzxm");
    server.issue("tzxm");
    server.open(1);
    assert_eq!(server.call(1), number);
    display.wait_for(
        &[
            "presented",
            &format!("newest={number} window=1 highlighted=true"),
        ],
        SHOWN,
    );
    let shot = screen.screenshot("hall-call");
    assert!(
        near(pixel(&shot, 200, 200), HIGHLIGHT),
        "the newest call's panel is highlighted in {}",
        shot.display()
    );

    let (_, line) = display.wait_for(&["announced", &number, "window=1 "], SHOWN);
    let wav_path = voice.0.join(format!("0001-{number}-w1.wav"));
    assert!(line.contains(&wav_path.display().to_string()), "{line}");
    let wav = Wav::parse(&std::fs::read(&wav_path).unwrap()).unwrap();
    // Chime (1.2 s) and the sentence twice.
    assert!(wav.duration_ms() > 5_000, "{} ms", wav.duration_ms());
    let text = std::fs::read_to_string(voice.0.join(format!("0001-{number}-w1.txt"))).unwrap();
    assert_eq!(text.trim(), "请 A 零零一 号，到 一 号窗口 办理");

    // A recall is announced again.
    server.recall(1);
    display.wait_for(&["announced", &number, "recall=1"], SHOWN);
    assert!(voice.0.join(format!("0002-{number}-w1-r1.wav")).is_file());
}

#[test]
fn a_call_made_while_offline_is_shown_when_back() {
    let screen = Screen::start();
    let server = Server::start();
    let relay = Relay::start(&server.url);
    let mut display = Display::start(&screen, &relay.url, &["--site", "hall", "--voice", "off"]);
    display.wait_for(&["presented", "link=online"], START);
    server.issue("bdc");
    server.open(7);

    relay.cut();
    display.wait_for(&["presented", "link=offline"], SHOWN);
    screen.screenshot("offline-badge");
    let number = server.call(7);

    relay.restore();
    // Reconnected with ?since=SEQ: the missed call arrives as an event and,
    // being recent, is shown as the new call.
    display.wait_for(
        &[
            "presented",
            &format!("newest={number} window=7 highlighted=true link=online"),
        ],
        Duration::from_secs(30),
    );
    screen.screenshot("back-online");
}

#[test]
fn a_sub_centre_display_shows_its_windows() {
    let screen = Screen::start();
    let server = Server::start();
    let mut display = Display::start(
        &screen,
        &server.url,
        &["--layout", "site", "--site", "rs", "--voice", "off"],
    );
    display.wait_for(&["presented", "link=online"], START);
    server.issue("rs");
    server.issue("tzxm");
    server.open(1);
    server.open(102);
    let number = server.call(102);
    server.call(1);
    display.wait_for(
        &[
            "presented",
            &format!("newest={number} window=102 highlighted=true"),
        ],
        SHOWN,
    );
    screen.screenshot("sub-centre");
}

#[test]
fn the_monthly_ranking_rotates_in_and_a_call_brings_the_calls_back() {
    let screen = Screen::start();
    let server = Server::start();
    server.issue("tzxm");
    server.issue("tzxm");
    server.open(1);
    server.call(1);
    server.request_complete(1);
    let mut display = Display::start(
        &screen,
        &server.url,
        &[
            "--site",
            "hall",
            "--voice",
            "off",
            "--ranking-every",
            "2",
            "--ranking-for",
            "60",
        ],
    );
    display.wait_for(&["presented", "page=Ranking"], START);
    screen.screenshot("ranking");
    let number = server.call(1);
    display.wait_for(
        &["presented", "page=Calls", &format!("newest={number}")],
        SHOWN,
    );
}

#[test]
fn an_idle_display_does_not_redraw_continuously() {
    let screen = Screen::start();
    let server = Server::start();
    let display = &mut Display::start(&screen, &server.url, &["--site", "hall", "--voice", "off"]);
    display.wait_for(&["presented", "link=online"], START);
    // A measurement window, not a wait for something: continuous redraw
    // costs about 1.6 cores with software rendering; reactive redraw a few
    // percent even in a debug build.
    let (cpu0, t0) = (cpu_time(display.pid()), std::time::Instant::now());
    std::thread::sleep(Duration::from_secs(3));
    let used = (cpu_time(display.pid()) - cpu0).as_secs_f64() / t0.elapsed().as_secs_f64();
    assert!(
        used < 0.25,
        "idle display used {:.0}% of a core",
        used * 100.0
    );
    let (rss, _) = memory_kib(display.pid());
    assert!(rss < 400 * 1024, "RSS {} MiB", rss / 1024);
}

//! Announcements with the real espeak-ng: every call is made, in order,
//! none dropped, each kept as WAV and text.

use std::sync::mpsc::channel;
use std::time::Duration;

use lobby_core::jiff::Timestamp;
use lobby_core::{TicketNumber, WindowNo};
use lobby_display::board::Call;
use lobby_display::voice::{Announcer, AnnouncerConfig, BACKLOG, Espeak, Voice, Wav};

use crate::harness::TempDir;

fn call(seq: u32, window: u32) -> Call {
    Call {
        ticket: format!("t{seq}").into(),
        number: TicketNumber {
            prefix: "B".into(),
            seq,
        },
        category: "bdc".into(),
        window: WindowNo(window),
        green: false,
        recall: 0,
        at: Timestamp::UNIX_EPOCH,
    }
}

#[test]
fn espeak_speaks_mandarin_at_length() {
    let espeak =
        Espeak::find().expect("espeak-ng with its Mandarin voice (apt-get install espeak-ng)");
    let wav = espeak
        .synthesize("请 B 零零七 号，到 十五 号窗口 办理", lobby_core::Lang::Zh)
        .unwrap();
    // About four seconds of speech, not an error beep.
    assert!(
        (2_500..8_000).contains(&wav.duration_ms()),
        "{} ms",
        wav.duration_ms()
    );
    assert!(
        wav.samples.iter().any(|s| s.unsigned_abs() > 3_000),
        "audible"
    );
}

#[test]
fn a_burst_of_calls_is_announced_in_order_without_dropping_any() {
    let dir = TempDir::new("announcer");
    let (tx, done) = channel();
    let announcer = Announcer::start(
        AnnouncerConfig {
            voice: Box::new(Espeak::find().unwrap()),
            dir: Some(dir.0.clone()),
            play: false,
            repeat: 2,
        },
        move |a| tx.send(a).unwrap(),
    )
    .unwrap();
    let calls = 3 * BACKLOG as u32;
    let next = || {
        done.recv_timeout(Duration::from_secs(60))
            .expect("every call announced")
    };
    // One call alone, then a burst while the hall is busy.
    announcer.announce(call(1, 2));
    let mut made = vec![next()];
    for seq in 2..=calls {
        announcer.announce(call(seq, seq % 7 + 1));
    }
    made.extend((2..=calls).map(|_| next()));
    announcer.finish();

    let numbers: Vec<u32> = made.iter().map(|a| a.call.number.seq).collect();
    assert_eq!(
        numbers,
        (1..=calls).collect::<Vec<_>>(),
        "in order, none dropped"
    );
    for (i, a) in made.iter().enumerate() {
        let stem = format!("{:04}-B{:03}-w{}", i + 1, i + 1, a.call.window);
        let wav = Wav::parse(&std::fs::read(dir.0.join(format!("{stem}.wav"))).unwrap()).unwrap();
        assert_eq!(wav.duration_ms(), a.duration_ms);
        let text = std::fs::read_to_string(dir.0.join(format!("{stem}.txt"))).unwrap();
        assert_eq!(text.trim(), a.text);
    }
    // With a backlog the text is spoken once so the hall catches up: the
    // lone call is spoken twice, the third (made while the burst waited)
    // once, and the last ones, once the queue is short again, twice.
    let ms: Vec<u64> = made.iter().map(|a| a.duration_ms).collect();
    assert!(ms[0] > ms[2] + 2_000, "{ms:?}");
    assert!(ms[calls as usize - 1] > ms[2] + 2_000, "{ms:?}");
}

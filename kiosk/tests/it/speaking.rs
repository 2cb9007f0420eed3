//! Spoken prompts: what the kiosk says at each outcome, and the voice
//! thread speaking it with the real espeak-ng.

use std::sync::mpsc;
use std::time::Duration;

use lobby_core::Lang;
use lobby_kiosk::printing::{JobKind, PrintEvent};
use lobby_kiosk::server::ServerEvent;
use lobby_kiosk::speaking::{Prompt, Prompter};
use lobby_kiosk::ui::Action;
use lobby_printer::PrinterStatus;
use lobby_voice::{Espeak, Wav};

use crate::harness::{Kiosk, ticket};

#[test]
fn the_number_and_the_people_ahead_are_said_in_the_language_on_screen() {
    let mut k = Kiosk::online(false);
    k.server_says(ServerEvent::Issued(Box::new(ticket("bdc", "B", 23, None))));
    let said = k.said();
    assert_eq!(
        said,
        [Prompt {
            text:
                "您的号码是 B 零二三，前面还有 四 人，预计等候约 十一 分钟，请取好号票，留意叫号。"
                    .into(),
            lang: Lang::Zh,
        }]
    );
    // The printer fails: the visitor is told what to do.
    k.printer_says(PrintEvent::Failed {
        kind: JobKind::Ticket,
        status: PrinterStatus::PaperEnd,
    });
    let said = k.said();
    assert_eq!(said.len(), 1);
    assert!(said[0].text.contains("记下屏幕上的号码"), "{said:?}");

    // In English once the visitor switched.
    k.tap(Action::Home);
    k.tap(Action::ToggleLang);
    k.server_says(ServerEvent::Issued(Box::new(ticket("sw", "D", 7, None))));
    let said = k.said();
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(said[0].lang, Lang::En);
    assert!(
        said[0].text.starts_with(
            "Your number is D 007. 4 people are ahead of you, about 11 minutes to wait."
        ),
        "{said:?}"
    );
}

#[test]
fn the_wait_is_said_as_the_ticket_prints_it() {
    // (people ahead, estimated wait in seconds, language, what is said
    // between the number and "please take your ticket").
    let cases = [
        (0, 0, Lang::Zh, "前面没有人在等，请取好号票"),
        // Before the opening: nobody ahead, yet a wait.
        (
            0,
            1500,
            Lang::Zh,
            "前面没有人在等，预计等候约 二十五 分钟，请取好号票",
        ),
        (
            2,
            90,
            Lang::Zh,
            "前面还有 两 人，预计等候约 两 分钟，请取好号票",
        ),
        (
            12,
            3600,
            Lang::Zh,
            "前面还有 十二 人，预计等候约 一 小时，请取好号票",
        ),
        (
            30,
            7500,
            Lang::Zh,
            "前面还有 三十 人，预计等候约 两 小时 五 分钟，请取好号票",
        ),
        (0, 0, Lang::En, "Nobody is ahead of you. Please"),
        (
            1,
            60,
            Lang::En,
            "One person is ahead of you, about 1 minute to wait. Please",
        ),
        (
            20,
            3900,
            Lang::En,
            "20 people are ahead of you, about 1 hour 5 minutes to wait. Please",
        ),
    ];
    for (ahead, wait_s, lang, words) in cases {
        let mut t = ticket("bdc", "B", 23, None);
        t.ahead = ahead;
        t.estimated_wait_s = wait_s;
        let said = lobby_kiosk::speaking::issued(&t, lang);
        assert!(said.contains(words), "{ahead} ahead, {wait_s} s: {said}");
    }
}

#[test]
fn the_voice_thread_speaks_a_prompt_with_espeak() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let prompter = Prompter::start(
        Box::new(
            Espeak::find().expect("espeak-ng with its Mandarin voice (tests/run.sh installs it)"),
        ),
        Some(dir.path().to_owned()),
        false,
        move |s| {
            let _ = tx.send(s);
        },
    )
    .unwrap();
    let text = "您的号码是 B 零二三，前面还有 四 人，请取好号票，留意叫号。";
    prompter.say(Prompt {
        text: text.into(),
        lang: Lang::Zh,
    });
    let spoken = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(spoken.prompt.text, text);
    // A chime and a sentence: a few seconds, not a click.
    assert!(spoken.duration_ms > 2000, "{} ms", spoken.duration_ms);
    let wav = Wav::parse(&std::fs::read(spoken.wav.unwrap()).unwrap()).unwrap();
    assert_eq!(wav.duration_ms(), spoken.duration_ms);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("0001.txt")).unwrap(),
        text
    );
}

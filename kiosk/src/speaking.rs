//! Spoken prompts for visitors who read the screen with difficulty: the
//! number just issued and how many are ahead, and a ticket that did not
//! print. Spoken in the language on screen, after a short chime, through
//! lobby-voice (espeak-ng), on a thread of its own.
//!
//! The flow's outcomes become [`Prompt`] messages (pure, tested without a
//! window); a [`Prompter`] speaks them. A prompt that is overtaken by a newer
//! one before it starts is dropped: the kiosk speaks about what is on the
//! screen now, never a backlog of old visitors' numbers.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

use bevy::prelude::*;
use lobby_core::Lang;
use lobby_core::api::TicketView;
use lobby_printer::PrinterStatus;
use lobby_voice::{Player, Voice, Wav, chime, digits};

use crate::KioskSet;
use crate::printing::{JobKind, PrintEvent};
use crate::server::ServerEvent;
use crate::ui::UiLang;

/// Something to say to the visitor.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The words, as people write them.
    pub text: String,
    /// The language to speak them in.
    pub lang: Lang,
}

/// What the kiosk says when a ticket is issued: "您的号码是 B 零二三，前面还有
/// 四 人，预计等候约 十一 分钟，请取好号票，留意叫号。" The wait is said as
/// the ticket prints it, also when nobody is ahead (before the opening,
/// or with every window busy), and left out when there is none.
pub fn issued(ticket: &TicketView, lang: Lang) -> String {
    let n = &ticket.number;
    let wait = spoken_wait(ticket.estimated_wait_s, lang);
    match lang {
        Lang::Zh => {
            let ahead = if ticket.ahead == 0 {
                "前面没有人在等".to_owned()
            } else {
                format!("前面还有 {} 人", amount(ticket.ahead))
            };
            let wait = wait.map(|w| format!("，{w}")).unwrap_or_default();
            format!(
                "您的号码是 {} {}，{ahead}{wait}，请取好号票，留意叫号。",
                n.prefix,
                digits(n.seq)
            )
        }
        Lang::En => {
            let ahead = match ticket.ahead {
                0 => "Nobody is ahead of you".to_owned(),
                1 => "One person is ahead of you".to_owned(),
                k => format!("{k} people are ahead of you"),
            };
            let wait = wait.map(|w| format!(", {w}")).unwrap_or_default();
            format!(
                "Your number is {} {:03}. {ahead}{wait}. Please take your ticket and listen for your number.",
                n.prefix, n.seq
            )
        }
    }
}

/// A count said before a measure word: 两 for two (两人, 两分钟), the
/// cardinal otherwise.
fn amount(n: u32) -> String {
    if n == 2 {
        "两".to_owned()
    } else {
        lobby_voice::cardinal(n)
    }
}

/// The estimated wait as said aloud, rounded up to the minute as the
/// ticket prints it; `None` when there is no wait.
fn spoken_wait(wait_s: u32, lang: Lang) -> Option<String> {
    let m = wait_s.div_ceil(60);
    if m == 0 {
        return None;
    }
    let (h, r) = (m / 60, m % 60);
    Some(match lang {
        Lang::Zh if h == 0 => format!("预计等候约 {} 分钟", amount(m)),
        Lang::Zh if r == 0 => format!("预计等候约 {} 小时", amount(h)),
        Lang::Zh => format!("预计等候约 {} 小时 {} 分钟", amount(h), amount(r)),
        Lang::En => {
            let unit =
                |k: u32, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
            let time = match (h, r) {
                (0, r) => unit(r, "minute", "minutes"),
                (h, 0) => unit(h, "hour", "hours"),
                (h, r) => format!(
                    "{} {}",
                    unit(h, "hour", "hours"),
                    unit(r, "minute", "minutes")
                ),
            };
            format!("about {time} to wait")
        }
    })
}

/// What the kiosk says when the ticket did not print.
pub fn not_printed(lang: Lang) -> String {
    lang.pick(
        "号票没有打印出来，请记下屏幕上的号码，或到导服台求助。",
        "The ticket could not be printed. Please note the number on the screen, or ask at the guide desk.",
    )
    .to_owned()
}

/// Turns the flow's outcomes into prompts, in the language on screen.
pub fn prompt_outcomes(
    mut server: MessageReader<ServerEvent>,
    mut printer: MessageReader<PrintEvent>,
    lang: Res<UiLang>,
    mut out: MessageWriter<Prompt>,
) {
    let lang = lang.0;
    for e in server.read() {
        if let ServerEvent::Issued(t) = e {
            out.write(Prompt {
                text: issued(t, lang),
                lang,
            });
        }
    }
    for e in printer.read() {
        if let PrintEvent::Failed {
            kind: JobKind::Ticket,
            status,
        } = e
            && *status != PrinterStatus::Unknown
        {
            out.write(Prompt {
                text: not_printed(lang),
                lang,
            });
        }
    }
}

/// The prompt messages and the system that writes them; they are spoken
/// once the app inserts a [`Prompter`] (without one, nothing is said).
pub fn messages(app: &mut App) {
    app.add_message::<Prompt>()
        .add_systems(Update, prompt_outcomes.in_set(KioskSet::Apply))
        .add_systems(PostUpdate, send_prompts.run_if(resource_exists::<Prompter>));
}

/// One prompt spoken.
#[derive(Debug, Clone)]
pub struct Spoken {
    /// What was said.
    pub prompt: Prompt,
    /// The WAV kept, when a directory was given.
    pub wav: Option<PathBuf>,
    /// Length in milliseconds.
    pub duration_ms: u64,
}

/// The speaking thread's handle; prompts are sent to it.
#[derive(Resource)]
pub struct Prompter {
    tx: Sender<Prompt>,
}

impl Prompter {
    /// Starts the thread: `voice` speaks, `dir` keeps each prompt's WAV and
    /// text (`NNNN.wav`, `NNNN.txt`), `play` plays it; `done` hears of each.
    pub fn start(
        voice: Box<dyn Voice>,
        dir: Option<PathBuf>,
        play: bool,
        done: impl Fn(Spoken) + Send + 'static,
    ) -> std::io::Result<Prompter> {
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir)?;
        }
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("lobby-kiosk-voice".into())
            .spawn(move || run(voice, dir, play, rx, done))?;
        Ok(Prompter { tx })
    }

    /// Queues a prompt.
    pub fn say(&self, prompt: Prompt) {
        // The thread lives as long as the sender.
        let _ = self.tx.send(prompt);
    }
}

fn run(
    voice: Box<dyn Voice>,
    dir: Option<PathBuf>,
    play: bool,
    rx: Receiver<Prompt>,
    done: impl Fn(Spoken),
) {
    let mut player = if play {
        Player::find("lobby-kiosk")
    } else {
        None
    };
    let mut made = 0u32;
    while let Ok(first) = rx.recv() {
        // Only the newest matters: the screen has moved on.
        let prompt = rx.try_iter().last().unwrap_or(first);
        let speech = match voice.synthesize(&prompt.text, prompt.lang) {
            Ok(s) => s,
            Err(e) => {
                warn!("cannot speak \"{}\": {e}", prompt.text);
                continue;
            }
        };
        let mut wav = chime(speech.rate);
        wav.append(&Wav::silence(speech.rate, 300));
        wav.append(&speech);
        made += 1;
        let kept = dir.as_ref().and_then(|dir| {
            lobby_voice::keep(dir, &format!("{made:04}"), &wav, &prompt.text)
                .map_err(|e| warn!("cannot keep a prompt in {}: {e}", dir.display()))
                .ok()
        });
        if let Some(p) = &mut player
            && let Err(e) = p.play(&wav, kept.as_deref())
        {
            warn!("cannot play prompts, continuing without sound: {e}");
            player = None;
        }
        done(Spoken {
            prompt,
            wav: kept,
            duration_ms: wav.duration_ms(),
        });
    }
}

/// Hands prompts to the speaking thread, when the app started one.
fn send_prompts(prompter: Res<Prompter>, mut prompts: MessageReader<Prompt>) {
    for p in prompts.read() {
        prompter.say(p.clone());
    }
}

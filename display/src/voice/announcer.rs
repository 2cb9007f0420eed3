//! The announcement queue: one thread that, call after call, makes the
//! chime and the spoken text (twice), plays it, and keeps a copy when
//! asked. Calls never overlap (one plays after the other finishes) and are
//! never dropped: the queue is unbounded, and when it grows long each call
//! is spoken once instead of twice so the hall catches up.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use lobby_core::Lang;

use super::{Player, Voice, Wav, chime};
use crate::board::Call;
use crate::speech;

/// Past this many calls waiting, each is spoken once.
pub const BACKLOG: usize = 5;

/// How the announcer works.
pub struct AnnouncerConfig {
    /// The speech engine.
    pub voice: Box<dyn Voice>,
    /// Where to keep each announcement's WAV and text, if anywhere.
    pub dir: Option<PathBuf>,
    /// Whether to play announcements (on a machine with sound).
    pub play: bool,
    /// Times the text is spoken per call.
    pub repeat: u32,
}

/// One announcement made.
#[derive(Debug, Clone)]
pub struct Announced {
    /// The call.
    pub call: Call,
    /// The spoken text.
    pub text: String,
    /// Length in milliseconds.
    pub duration_ms: u64,
    /// The WAV kept, if a directory was given.
    pub wav: Option<PathBuf>,
    /// Whether the speech engine failed (only the chime was made).
    pub speech_failed: bool,
}

/// The handle to the announcement thread. [`Announcer::finish`] waits for
/// the queue to be spoken; dropping the handle stops the thread after the
/// announcement in progress without waiting for it.
pub struct Announcer {
    tx: Option<Sender<Call>>,
    thread: Option<JoinHandle<()>>,
}

impl Announcer {
    /// Starts the thread; `done` is told of each announcement once made
    /// and played.
    pub fn start(
        config: AnnouncerConfig,
        done: impl Fn(Announced) + Send + 'static,
    ) -> std::io::Result<Announcer> {
        if let Some(dir) = &config.dir {
            std::fs::create_dir_all(dir)?;
        }
        let (tx, rx) = channel();
        let thread = std::thread::Builder::new()
            .name("announcer".to_owned())
            .spawn(move || run(config, rx, done))?;
        Ok(Announcer {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queues a call.
    pub fn announce(&self, call: Call) {
        if let Some(tx) = &self.tx {
            // The thread lives as long as the sender; a send fails only if
            // it panicked, which its own log already says.
            let _ = tx.send(call);
        }
    }

    /// Finishes every queued announcement, then stops.
    pub fn finish(mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Announcer {
    fn drop(&mut self) {
        // The thread ends once the queue is empty, or with the process.
        self.tx.take();
    }
}

fn run(config: AnnouncerConfig, rx: Receiver<Call>, done: impl Fn(Announced)) {
    let mut player = if config.play {
        Player::find("lobby-display")
    } else {
        None
    };
    let mut made = 0u32;
    let mut queue = std::collections::VecDeque::new();
    loop {
        if queue.is_empty() {
            match rx.recv() {
                Ok(call) => queue.push_back(call),
                Err(_) => return,
            }
        }
        queue.extend(rx.try_iter());
        let Some(call) = queue.pop_front() else {
            continue;
        };
        let repeat = if queue.len() >= BACKLOG {
            1
        } else {
            config.repeat.max(1)
        };
        made += 1;
        let text = speech::spoken(&call.number, call.window);
        let (wav, speech_failed) = compose(config.voice.as_ref(), &text, repeat);
        let kept = config
            .dir
            .as_deref()
            .and_then(|dir| keep(dir, made, &call, &text, &wav));
        if let Some(p) = &mut player
            && let Err(e) = p.play(&wav, kept.as_deref())
        {
            tracing::warn!("cannot play announcements, continuing without sound: {e}");
            player = None;
        }
        done(Announced {
            call,
            text,
            duration_ms: wav.duration_ms(),
            wav: kept,
            speech_failed,
        });
    }
}

/// Chime, then the text `repeat` times with pauses between.
fn compose(voice: &dyn Voice, text: &str, repeat: u32) -> (Wav, bool) {
    match voice.synthesize(text, Lang::Zh) {
        Ok(speech) => {
            let mut wav = chime(speech.rate);
            for _ in 0..repeat {
                wav.append(&Wav::silence(speech.rate, 400));
                wav.append(&speech);
            }
            wav.append(&Wav::silence(speech.rate, 600));
            (wav, false)
        }
        Err(e) => {
            tracing::error!("speech failed for \"{text}\": {e}");
            (chime(22050), true)
        }
    }
}

/// Writes `NNNN-A023-w15[-rN].wav` and `.txt`; returns the WAV's path.
fn keep(dir: &Path, made: u32, call: &Call, text: &str, wav: &Wav) -> Option<PathBuf> {
    let mut stem = format!("{made:04}-{}-w{}", call.number, call.window);
    if call.recall > 0 {
        stem.push_str(&format!("-r{}", call.recall));
    }
    match lobby_voice::keep(dir, &stem, wav, &format!("{text}\n")) {
        Ok(path) => Some(path),
        Err(e) => {
            tracing::error!("cannot keep announcement in {}: {e}", dir.display());
            None
        }
    }
}

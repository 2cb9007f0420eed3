//! lobby-voice: text-to-speech for Lobby's wall displays and kiosks. A
//! small [`Voice`] interface, espeak-ng behind it ([`Espeak`]), WAV
//! buffers and the chime ([`Wav`], [`chime`]), numbers read aloud
//! ([`cardinal`], [`digits`]), and a command-line [`Player`].
//!
//! The interface takes text as people write it ("请 A 零二三 号，到 十五
//! 号窗口 办理") so a better engine can replace espeak-ng without touching
//! the callers; spelling the text the way espeak-ng reads it well is the
//! espeak implementation's business.

mod espeak;
mod numbers;
mod player;
mod wav;

pub use espeak::Espeak;
pub use numbers::{cardinal, digits};
pub use player::Player;
pub use wav::{Wav, WavError, chime};

/// Keeps a copy of something said: `{stem}.wav`, then `{stem}.txt` holding
/// `text` (written last: its presence says the WAV is complete). Returns
/// the WAV's path.
pub fn keep(
    dir: &std::path::Path,
    stem: &str,
    wav: &Wav,
    text: &str,
) -> std::io::Result<std::path::PathBuf> {
    let path = dir.join(format!("{stem}.wav"));
    std::fs::write(&path, wav.to_bytes())?;
    std::fs::write(dir.join(format!("{stem}.txt")), text)?;
    Ok(path)
}

use lobby_core::Lang;

/// Why speech could not be made.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// The engine's program could not be run.
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        /// The command that could not be started (`espeak-ng`).
        program: String,
        /// The OS error (most often: not installed).
        source: std::io::Error,
    },
    /// The engine ran but failed.
    #[error("`{program}` failed: {stderr}")]
    Failed {
        /// The command that failed.
        program: String,
        /// What it wrote to standard error.
        stderr: String,
    },
    /// The engine lacks a voice for the language.
    #[error("`{program}` has no voice `{voice}` (is espeak-ng-data installed?)")]
    NoVoice {
        /// The command asked for its voices.
        program: String,
        /// The voice looked for (espeak-ng's name for it).
        voice: String,
    },
    /// The engine's output is not a WAV we read.
    #[error("unreadable speech: {0}")]
    Wav(#[from] WavError),
}

/// A text-to-speech engine.
pub trait Voice: Send {
    /// Speaks `text`, written as people write it, in `lang`.
    fn synthesize(&self, text: &str, lang: Lang) -> Result<Wav, VoiceError>;
}

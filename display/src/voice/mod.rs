//! Voice calls: the [`announcer`] queue that plays each call in turn, over
//! lobby-voice's [`Voice`] interface (espeak-ng behind it) and chime.

pub mod announcer;

pub use announcer::{Announced, Announcer, AnnouncerConfig, BACKLOG};
pub use lobby_voice::{Espeak, Player, Voice, VoiceError, Wav, WavError, chime};

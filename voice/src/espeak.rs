//! espeak-ng as the [`Voice`]: offline, in Debian, and understandable.
//!
//! Measured with espeak-ng 1.51 (Debian): its `cmn` voice reads many
//! common characters (请, 号, 窗, 口, 办 …) with English letter names,
//! because the packaged Mandarin dictionary lacks them as words, while the
//! `cmn-latn-pinyin` voice reads every one correctly when each character
//! stands alone. So Chinese text is spaced out character by character,
//! Latin letters are given their usual Chinese names in pinyin ("A" →
//! `ei1`), and the pinyin voice speaks it.

use std::process::Command;

use lobby_core::Lang;

use crate::{Voice, VoiceError, Wav};

/// The espeak-ng program.
#[derive(Debug, Clone)]
pub struct Espeak {
    program: String,
    /// Words per minute; slower than espeak's default for a noisy hall.
    speed: u32,
    /// Whether to run it under `nice`: synthesis yields the CPU to drawing,
    /// so a call is on the screen first and spoken a moment later (with
    /// software rendering on two cores the two otherwise share the CPU).
    nice: bool,
}

/// How much lower than the app synthesis runs.
const NICENESS: &str = "10";

const MANDARIN: &str = "cmn-latn-pinyin";

impl Espeak {
    /// Finds `espeak-ng` and checks it has the Mandarin voice.
    pub fn find() -> Result<Espeak, VoiceError> {
        let nice = Command::new("nice")
            .args(["-n", NICENESS, "true"])
            .status()
            .is_ok_and(|s| s.success());
        let espeak = Espeak {
            program: "espeak-ng".to_owned(),
            speed: 140,
            nice,
        };
        let out = Command::new(&espeak.program)
            .arg("--voices=zh")
            .output()
            .map_err(|source| VoiceError::Spawn {
                program: espeak.program.clone(),
                source,
            })?;
        if !String::from_utf8_lossy(&out.stdout).contains(MANDARIN) {
            return Err(VoiceError::NoVoice {
                program: espeak.program,
                voice: MANDARIN.to_owned(),
            });
        }
        Ok(espeak)
    }

    /// The text as espeak-ng's pinyin voice reads it well.
    pub fn spell(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            let word = match c {
                'A'..='Z' => Some(LETTERS[(c as u8 - b'A') as usize].to_owned()),
                'a'..='z' => Some(LETTERS[(c as u8 - b'a') as usize].to_owned()),
                '0'..='9' => Some(crate::cardinal(c as u32 - '0' as u32)),
                '，' | '、' | '；' => Some(",".to_owned()),
                '。' | '！' | '？' => Some(".".to_owned()),
                c if c.is_whitespace() => None,
                c => Some(c.to_string()),
            };
            if let Some(word) = word {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&word);
            }
        }
        out
    }
}

/// Latin letters as Chinese speakers name them, in pinyin with tones.
const LETTERS: [&str; 26] = [
    "ei1",
    "bi4",
    "xi1",
    "di4",
    "yi4",
    "ai2 fu",
    "ji4",
    "ai2 qi1",
    "ai4",
    "jie4",
    "kai4",
    "ai2 le",
    "ai2 mu",
    "en1",
    "ou1",
    "pi4",
    "kiu1",
    "a2 er",
    "ai2 si",
    "ti4",
    "you1",
    "wei1",
    "da2 bu liu",
    "ai2 ke si",
    "wai4",
    "zei4",
];

impl Voice for Espeak {
    fn synthesize(&self, text: &str, lang: Lang) -> Result<Wav, VoiceError> {
        let (voice, text) = match lang {
            Lang::Zh => (MANDARIN, Espeak::spell(text)),
            Lang::En => ("en", text.to_owned()),
        };
        let mut command = if self.nice {
            let mut c = Command::new("nice");
            c.args(["-n", NICENESS, &self.program]);
            c
        } else {
            Command::new(&self.program)
        };
        let out = command
            .args(["-v", voice, "-s", &self.speed.to_string(), "--stdout", "--"])
            .arg(&text)
            .output()
            .map_err(|source| VoiceError::Spawn {
                program: self.program.clone(),
                source,
            })?;
        if !out.status.success() {
            return Err(VoiceError::Failed {
                program: self.program.clone(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(Wav::parse(&out.stdout)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spells_characters_apart_and_letters_in_pinyin() {
        assert_eq!(
            Espeak::spell("请 A 零二三 号，到 十五 号窗口 办理"),
            "请 ei1 零 二 三 号 , 到 十 五 号 窗 口 办 理"
        );
        assert_eq!(Espeak::spell("B12"), "bi4 一 二");
    }
}

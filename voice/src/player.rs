//! Playing WAVs through the sound system's command-line player.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Wav;

/// A command-line player: `aplay` (ALSA) or `paplay` (PulseAudio).
pub struct Player {
    program: &'static str,
    scratch: PathBuf,
}

impl Player {
    /// Finds `aplay` or `paplay`; `name` tells this program's scratch file
    /// apart. `None` (and a log line) on a machine without either.
    pub fn find(name: &str) -> Option<Player> {
        let path = std::env::var_os("PATH")?;
        let program = ["aplay", "paplay"]
            .into_iter()
            .find(|p| std::env::split_paths(&path).any(|dir| dir.join(p).is_file()));
        match program {
            Some(program) => Some(Player {
                program,
                scratch: std::env::temp_dir().join(format!("{name}-{}.wav", std::process::id())),
            }),
            None => {
                tracing::info!("no aplay or paplay: announcements are made but not played");
                None
            }
        }
    }

    /// Plays and waits until done, so announcements never overlap.
    pub fn play(&mut self, wav: &Wav, kept: Option<&Path>) -> Result<(), String> {
        let path = match kept {
            Some(p) => p.to_owned(),
            None => {
                std::fs::write(&self.scratch, wav.to_bytes()).map_err(|e| e.to_string())?;
                self.scratch.clone()
            }
        };
        let mut cmd = Command::new(self.program);
        if self.program == "aplay" {
            cmd.arg("-q");
        }
        let out = cmd.arg(&path).output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed: {}",
                self.program,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

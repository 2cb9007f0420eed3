//! Command-line settings.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::board::Filter;

/// The CJK font used when `--font` is not given (Debian fonts-wqy-microhei).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// lobby-display: the wall display of a Lobby hall. Shows and announces
/// each call from lobby-server's event stream.
#[derive(Debug, Clone, Parser)]
#[command(name = "lobby-display", version)]
pub struct Settings {
    /// lobby-server's address, e.g. http://192.168.1.10:8080.
    #[arg(long, env = "LOBBY_SERVER")]
    pub server: String,
    /// The display's device token (or the admin token).
    #[arg(long, env = "LOBBY_DISPLAY_TOKEN", hide_env_values = true)]
    pub token: String,
    /// What the screen shows: `hall` (newest call, last calls, waiting per
    /// category) or `site` (a sub-centre: each window and its ticket).
    #[arg(long, value_enum, default_value_t = Layout::Hall)]
    pub layout: Layout,
    /// Show only this site's windows and categories (e.g. `hall`, `rs`).
    #[arg(long)]
    pub site: Option<String>,
    /// Show only these windows, e.g. `1-20,25` (an area of the hall).
    #[arg(long, value_parser = parse_windows)]
    pub windows: Option<Windows>,
    /// Voice calls: `espeak` (espeak-ng, Mandarin) or `off`.
    #[arg(long, value_enum, default_value_t = VoiceKind::Espeak)]
    pub voice: VoiceKind,
    /// Keep each announcement as WAV and text in this directory.
    #[arg(long)]
    pub voice_dir: Option<PathBuf>,
    /// A window of this size instead of full screen, e.g. 1920x1080.
    #[arg(long, value_parser = parse_size)]
    pub windowed: Option<(u32, u32)>,
    /// A font with Chinese glyphs (TTF, OTF or TTC).
    #[arg(long, default_value = DEFAULT_FONT)]
    pub font: PathBuf,
    /// Seconds between showings of the monthly window ranking (0: never).
    /// The page is skipped while the server has no ranking.
    #[arg(long, default_value_t = 180)]
    pub ranking_every: u64,
    /// Seconds the ranking stays on screen.
    #[arg(long, default_value_t = 20)]
    pub ranking_for: u64,
    /// How a notice longer than the screen moves: `pages` (turns a page
    /// every 8 s) or `scroll` (steps every 100 ms; costs CPU with
    /// software rendering).
    #[arg(long, value_enum, default_value_t = NoticeMode::Pages)]
    pub notice: NoticeMode,
    /// Print a line on stdout for each frame presented after a change, each
    /// announcement and each link change (for tests and benchmarks).
    #[arg(long)]
    pub report: bool,
}

/// Window ranges from `--windows`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows(pub Vec<RangeInclusive<u32>>);

/// Screen layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    /// The main hall.
    Hall,
    /// A sub-centre or town centre: every window with its ticket.
    Site,
}

/// Voice engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VoiceKind {
    /// espeak-ng's Mandarin voice.
    Espeak,
    /// No voice.
    Off,
}

/// How a long notice moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NoticeMode {
    /// Page by page.
    Pages,
    /// A continuous scroll.
    Scroll,
}

impl Settings {
    /// What the board lets through.
    pub fn filter(&self) -> Filter {
        Filter {
            site: self.site.as_deref().map(Into::into),
            windows: self.windows.clone().map(|w| w.0).unwrap_or_default(),
        }
    }

    /// Checks combinations clap cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.layout == Layout::Site && self.site.is_none() {
            return Err("--layout site needs --site ID".into());
        }
        Ok(())
    }

    /// The ranking rotation, if any.
    pub fn rotation(&self) -> Option<(Duration, Duration)> {
        (self.ranking_every > 0 && self.ranking_for > 0).then(|| {
            (
                Duration::from_secs(self.ranking_every),
                Duration::from_secs(self.ranking_for),
            )
        })
    }
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("`{s}` is not a size such as 1920x1080"))?;
    let n = |v: &str| {
        v.parse::<u32>()
            .ok()
            .filter(|n| (100..=16384).contains(n))
            .ok_or_else(|| format!("`{s}`: sizes are 100 to 16384 pixels"))
    };
    Ok((n(w)?, n(h)?))
}

fn parse_windows(s: &str) -> Result<Windows, String> {
    s.split(',')
        .map(|part| {
            let bad = || format!("`{part}` is not a window or a range such as 1-20");
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let a: u32 = a.trim().parse().map_err(|_| bad())?;
            let b: u32 = b.trim().parse().map_err(|_| bad())?;
            if a > b {
                return Err(bad());
            }
            Ok(a..=b)
        })
        .collect::<Result<_, _>>()
        .map(Windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_command_line() {
        let s = Settings::try_parse_from([
            "lobby-display",
            "--server",
            "http://127.0.0.1:8080",
            "--token",
            "t",
            "--layout",
            "site",
            "--site",
            "rs",
            "--windows",
            "101-103,105",
            "--voice",
            "off",
            "--windowed",
            "1920x1080",
        ])
        .unwrap();
        assert_eq!(s.layout, Layout::Site);
        assert_eq!(s.windowed, Some((1920, 1080)));
        assert_eq!(s.filter().windows, vec![101..=103, 105..=105]);
        assert_eq!(s.voice, VoiceKind::Off);
        assert!(s.check().is_ok());
    }

    #[test]
    fn refuses_bad_values_clearly() {
        assert!(parse_size("1920").is_err());
        assert!(parse_size("10x10").is_err());
        assert!(parse_windows("5-1").is_err());
        let s = Settings::try_parse_from([
            "lobby-display",
            "--server",
            "http://x:1",
            "--token",
            "t",
            "--layout",
            "site",
        ])
        .unwrap();
        assert_eq!(s.check().unwrap_err(), "--layout site needs --site ID");
    }
}

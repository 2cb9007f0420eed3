//! Command line and environment: everything the kiosk is told at start-up.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use lobby_core::{Lang, SiteId};
use lobby_printer::Target;

/// The font the kiosk uses unless told otherwise (Debian fonts-wqy-microhei).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// `lobby-kiosk` command line; every flag may come from the environment.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "lobby-kiosk",
    version,
    about = "Lobby self-service ticket kiosk"
)]
pub struct Args {
    /// Base address of lobby-server (`http://10.0.0.2:8080`).
    #[arg(long, env = "LOBBY_SERVER")]
    pub server: String,
    /// This device's bearer token.
    #[arg(long, env = "LOBBY_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Printer: a device or file path (`/dev/ttyUSB0`) or `tcp://HOST:PORT`.
    #[arg(long, env = "LOBBY_PRINTER")]
    pub printer: String,
    /// Site this kiosk stands in; by default the hall's main site.
    #[arg(long, env = "LOBBY_SITE")]
    pub site: Option<String>,
    /// Guide-desk mode (导服台): staff issue green-channel and 帮办代办
    /// tickets and print any matter's notification slip.
    #[arg(long, env = "LOBBY_GUIDE_DESK")]
    pub guide_desk: bool,
    /// Paper width in millimetres: 58 or 80.
    #[arg(long, env = "LOBBY_PRINTER_WIDTH", default_value_t = 80, value_parser = parse_width)]
    pub printer_width: u32,
    /// Windowed at this size (`1280x1024`) instead of full screen.
    #[arg(long, env = "LOBBY_WINDOWED", value_parser = parse_size)]
    pub windowed: Option<(u32, u32)>,
    /// CJK font file (TrueType or collection).
    #[arg(long, env = "LOBBY_FONT", default_value = DEFAULT_FONT)]
    pub font: PathBuf,
    /// Font family to select inside a collection ("Noto Sans CJK SC");
    /// by default the file's first face.
    #[arg(long, env = "LOBBY_FONT_FAMILY")]
    pub font_family: Option<String>,
    /// Address printed in each ticket's QR code, which opens the ticket's
    /// status page (`…/t/{id}`) on a phone: the address visitors' phones
    /// reach lobby-server by. Defaults to `--server`; `none` prints no QR
    /// code.
    #[arg(long, env = "LOBBY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Spoken prompts: `espeak` (espeak-ng, offline) or `off`.
    #[arg(long, env = "LOBBY_VOICE", default_value = "espeak", value_parser = ["espeak", "off"])]
    pub voice: String,
    /// Keep each spoken prompt's WAV and text in this folder (tests,
    /// review).
    #[arg(long, env = "LOBBY_VOICE_DIR")]
    pub voice_dir: Option<PathBuf>,
    /// Start in English (`en`) instead of Chinese.
    #[arg(long, env = "LOBBY_LANG", default_value = "zh")]
    pub lang: String,
    /// Seconds without a tap before the kiosk returns home.
    #[arg(long, env = "LOBBY_IDLE_S", default_value_t = 30)]
    pub idle_s: u64,
    /// Write a screenshot (PNG) and the button layout (JSON) of every
    /// screen into this folder: for end-to-end tests and review.
    #[arg(long, env = "LOBBY_KIOSK_CAPTURE")]
    pub capture: Option<PathBuf>,
    /// With `--capture`: button layouts only, no screenshots (benchmarks).
    #[arg(long, env = "LOBBY_KIOSK_NO_SCREENSHOTS")]
    pub no_screenshots: bool,
}

fn parse_width(s: &str) -> Result<u32, String> {
    match s.trim().trim_end_matches("mm") {
        "58" => Ok(58),
        "80" => Ok(80),
        other => Err(format!("`{other}` is not a paper width: use 58 or 80")),
    }
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("`{s}` is not a size such as 1280x1024"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| format!("bad width in `{s}`"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| format!("bad height in `{s}`"))?;
    if w < 320 || h < 240 {
        return Err(format!("`{s}` is too small for the kiosk"));
    }
    Ok((w, h))
}

/// What the kiosk logic needs to know about its set-up.
#[derive(Debug, Clone)]
pub struct KioskConfig {
    /// Server base address, without a trailing slash.
    pub server: String,
    /// This device's bearer token.
    pub token: String,
    /// Where tickets are printed.
    pub printer: Target,
    /// Site, if not the main one.
    pub site: Option<SiteId>,
    /// Guide-desk mode (导服台), as [`Args::guide_desk`] describes it.
    pub guide_desk: bool,
    /// Paper width in millimetres.
    pub paper_mm: u32,
    /// Base address of the tickets' status pages (their QR codes), if any.
    pub public_url: Option<String>,
    /// Language at start and after every idle reset.
    pub lang: Lang,
    /// Idle time before returning home.
    pub idle: Duration,
}

impl Args {
    /// The logic's part of the arguments.
    pub fn config(&self) -> Result<KioskConfig, String> {
        let server = self.server.trim_end_matches('/').to_owned();
        if !(server.starts_with("http://") || server.starts_with("https://")) {
            return Err(format!("--server `{server}` must start with http://"));
        }
        Ok(KioskConfig {
            server: server.clone(),
            token: self.token.clone(),
            printer: self
                .printer
                .parse::<Target>()
                .map_err(|e| format!("--printer `{}`: {e}", self.printer))?,
            site: self.site.clone().map(SiteId),
            guide_desk: self.guide_desk,
            paper_mm: self.printer_width,
            public_url: match self.public_url.as_deref().map(str::trim) {
                None => Some(server.clone()),
                Some("" | "none") => None,
                Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                    Some(url.trim_end_matches('/').to_owned())
                }
                Some(url) => {
                    return Err(format!(
                        "--public-url `{url}` must start with http:// (or be `none`)"
                    ));
                }
            },
            lang: Lang::from_tag(&self.lang),
            idle: Duration::from_secs(self.idle_s.max(5)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_widths_parse() {
        assert_eq!(parse_size("1280x1024"), Ok((1280, 1024)));
        assert!(parse_size("12x10").is_err());
        assert_eq!(parse_width("58"), Ok(58));
        assert!(parse_width("76").is_err());
    }

    fn config(extra: &[&str]) -> Result<KioskConfig, String> {
        let base = [
            "lobby-kiosk",
            "--server",
            "http://10.0.0.2:8080/",
            "--token",
            "t",
        ];
        let args = base
            .iter()
            .chain(["--printer", "/dev/null"].iter())
            .chain(extra)
            .copied();
        Args::try_parse_from(args)
            .map_err(|e| e.to_string())?
            .config()
    }

    #[test]
    fn tickets_link_to_the_server_unless_told_otherwise() {
        assert_eq!(
            config(&[]).unwrap().public_url.as_deref(),
            Some("http://10.0.0.2:8080")
        );
        let c = config(&["--public-url", "https://zwfw.example.cn/lobby/"]).unwrap();
        assert_eq!(
            c.public_url.as_deref(),
            Some("https://zwfw.example.cn/lobby")
        );
        assert_eq!(config(&["--public-url", "none"]).unwrap().public_url, None);
        let e = config(&["--public-url", "zwfw.example.cn"]).unwrap_err();
        assert!(e.contains("--public-url"), "{e}");
    }
}

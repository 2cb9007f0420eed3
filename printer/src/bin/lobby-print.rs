//! `lobby-print`: print sample tickets and slips, read a printer's status,
//! and describe ESC/POS files. Thin: arguments in, library calls out.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use lobby_core::Hall;
use lobby_printer::describe::describe;
use lobby_printer::sample::{Choice, Sample};
use lobby_printer::{
    ChineseFont, FlowControl, Paper, Printer, Profile, QrMode, RasterFont, Target, render, sample,
};

#[derive(Parser)]
#[command(
    version,
    about = "Lobby tickets and notification slips on ESC/POS printers"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Render a queue ticket and write it to a file or a printer.
    Ticket(Job),
    /// Render a one-time notification slip (一次性告知单) for the sample's
    /// matter.
    Slip(Job),
    /// Ask a printer for its real-time status.
    Status {
        #[command(flatten)]
        to: Destination,
        #[command(flatten)]
        link: Link,
    },
    /// Show an ESC/POS file in human terms.
    Describe {
        /// The file.
        file: PathBuf,
    },
}

#[derive(Args)]
struct Job {
    /// Use a realistic sample from the hall (the only source for now).
    #[arg(long, required = true)]
    sample: bool,
    #[command(flatten)]
    choice: ChoiceArgs,
    /// Paper width in mm.
    #[arg(long, default_value_t = 80, value_parser = parse_width)]
    width: u32,
    /// The hall configuration [default: assets/hall.toml in the working
    /// directory, or the built-in copy when that file is absent].
    #[arg(long, env = "LOBBY_CONFIG")]
    hall: Option<PathBuf>,
    /// The printer's Chinese font.
    #[arg(long, value_enum, default_value_t = Font::Gbk)]
    chinese: Font,
    /// Print the QR code as a raster image instead of GS ( k.
    #[arg(long)]
    raster_qr: bool,
    /// TrueType font for lines the printer's font cannot print.
    #[arg(long, default_value = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")]
    raster_font: PathBuf,
    #[command(flatten)]
    to: Destination,
    #[command(flatten)]
    link: Link,
}

/// What the sample is about. Each is chosen from the hall when not given:
/// by default its busiest category (most windows of its own) and that
/// category's longest matter.
#[derive(Args)]
struct ChoiceArgs {
    /// The site whose busiest category the sample is for [default: the
    /// category's site].
    #[arg(long)]
    site: Option<String>,
    /// The category [default: the matter's or the window's, else the
    /// busiest].
    #[arg(long)]
    category: Option<String>,
    /// The matter (its id, e.g. BDC-001) [default: the category's with the
    /// most documents].
    #[arg(long)]
    matter: Option<String>,
    /// The one window open when the ticket is issued [default: the first
    /// two windows of the category].
    #[arg(long)]
    window: Option<u32>,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct Destination {
    /// Write the bytes to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A raw TCP printer, HOST:PORT.
    #[arg(long)]
    tcp: Option<String>,
    /// A serial printer device.
    #[arg(long)]
    port: Option<PathBuf>,
    /// Any printer target: /dev/ttyUSB0, tcp://HOST:PORT, serial:PATH?baud=N, a file.
    #[arg(long)]
    printer: Option<String>,
}

#[derive(Args)]
struct Link {
    /// Serial speed.
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// Serial flow control.
    #[arg(long, value_enum, default_value_t = Flow::None)]
    flow: Flow,
}

#[derive(Clone, Copy, ValueEnum)]
enum Font {
    None,
    Gb2312,
    Gbk,
    Gb18030,
}

#[derive(Clone, Copy, ValueEnum)]
enum Flow {
    None,
    Software,
    Hardware,
}

impl Destination {
    fn target(&self, link: &Link) -> Result<Option<Target>> {
        let flow = match link.flow {
            Flow::None => FlowControl::None,
            Flow::Software => FlowControl::Software,
            Flow::Hardware => FlowControl::Hardware,
        };
        Ok(if let Some(addr) = &self.tcp {
            Some(format!("tcp://{addr}").parse()?)
        } else if let Some(port) = &self.port {
            Some(Target::Serial {
                path: port.clone(),
                baud: Some(link.baud),
                flow: Some(flow),
            })
        } else if let Some(p) = &self.printer {
            Some(p.parse()?)
        } else {
            None
        })
    }
}

fn parse_width(s: &str) -> Result<u32, String> {
    match s {
        "58" => Ok(58),
        "80" => Ok(80),
        _ => Err("the paper is 58 or 80 (mm)".into()),
    }
}

fn profile(job: &Job) -> Profile {
    Profile {
        // `width` is 58 or 80 (parse_width).
        paper: Paper::from_mm(job.width).unwrap_or_default(),
        chinese: match job.chinese {
            Font::None => ChineseFont::None,
            Font::Gb2312 => ChineseFont::Gb2312,
            Font::Gbk => ChineseFont::Gbk,
            Font::Gb18030 => ChineseFont::Gb18030,
        },
        qr: if job.raster_qr {
            QrMode::Raster
        } else {
            QrMode::Native
        },
        ..Profile::default()
    }
}

fn raster_font(job: &Job) -> Option<RasterFont> {
    let data = std::fs::read(&job.raster_font).ok()?;
    RasterFont::from_bytes(data).ok()
}

fn deliver(bytes: &[u8], to: &Destination, link: &Link, profile: &Profile) -> Result<()> {
    if let Some(out) = &to.out {
        std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {} bytes to {}", bytes.len(), out.display());
        return Ok(());
    }
    let Some(target) = to.target(link)? else {
        bail!("give --out, --tcp, --port or --printer");
    };
    let mut printer = Printer::open(&target, profile)?;
    let status = printer.print_checked(bytes)?;
    eprintln!(
        "sent {} bytes to {target} (printer status before: {})",
        bytes.len(),
        status.label_en()
    );
    Ok(())
}

/// The job's hall and the sample chosen from it; a problem names the
/// hall's file.
fn pick_sample(job: &Job) -> Result<(Hall, Sample)> {
    let found = sample::find_hall(job.hall.as_deref())?;
    let c = &job.choice;
    let choice = Choice {
        site: c.site.as_deref().map(Into::into),
        category: c.category.as_deref().map(Into::into),
        matter: c.matter.as_deref().map(Into::into),
        window: c.window.map(lobby_core::WindowNo),
    };
    let sample = Sample::pick(&found.hall, &choice)
        .with_context(|| format!("no sample from the hall {}", found.source))?;
    Ok((found.hall, sample))
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Ticket(job) => {
            let (hall, sample) = pick_sample(&job)?;
            let ticket = sample.ticket(&hall)?;
            let profile = profile(&job);
            let bytes = match raster_font(&job) {
                Some(font) => render::ticket_with_font(&ticket, &profile, &font),
                None => render::ticket(&ticket, &profile),
            };
            deliver(&bytes, &job.to, &job.link, &profile)
        }
        Cmd::Slip(job) => {
            let (hall, sample) = pick_sample(&job)?;
            let slip = sample.slip(&hall)?;
            let profile = profile(&job);
            let bytes = match raster_font(&job) {
                Some(font) => render::slip_with_font(&slip, &profile, &font),
                None => render::slip(&slip, &profile),
            };
            deliver(&bytes, &job.to, &job.link, &profile)
        }
        Cmd::Status { to, link } => {
            let Some(target) = to.target(&link)? else {
                bail!("give --tcp, --port or --printer");
            };
            let mut printer = Printer::open(&target, &Profile::default())?;
            let replies = printer.status_replies()?;
            let status = replies.status();
            println!("{target}: {:?} — {}", status, status.label_zh());
            let show = |r: Option<u8>| r.map_or("no answer".to_owned(), |b| format!("0x{b:02x}"));
            println!(
                "  DLE EOT 1 (printer): {}\n  DLE EOT 2 (offline cause): {}\n  DLE EOT 4 (paper): {}",
                show(replies.printer),
                show(replies.offline_cause),
                show(replies.paper)
            );
            Ok(())
        }
        Cmd::Describe { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            print!("{}", describe(&bytes));
            Ok(())
        }
    }
}

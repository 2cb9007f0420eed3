//! Realistic samples from the default hall, for `lobby-print --sample`,
//! the snapshots and the benchmarks.
//!
//! The sample ticket is issued by the real core ([`lobby_core::Lobby`]) at
//! a fixed time, behind seven other visitors, so its wait estimate is the
//! core's own. Loading the hall reads files: this module is not part of
//! the pure rendering path.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lobby_core::api::{HallView, TicketView};
use lobby_core::jiff::Timestamp;
use lobby_core::{Command, Hall, Issue, Lang, Lobby, MatterId, SourceFile, WindowNo};

use crate::render::{SlipPrint, TicketPrint};

/// The default hall shipped in `assets/`, found from this crate's source
/// directory at compile time.
pub const DEFAULT_HALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/hall.toml");

/// The public address printed in the sample's QR code.
pub const PUBLIC_BASE: &str = "https://zwfw.minle.example";

/// The sample ticket's rating key, shaped like the ones lobby-server puts
/// in every issue answer (128 bits in base32, 26 characters), so the
/// sample's QR code is as long as a real ticket's.
pub const RATING_KEY: &str = "k7m2q5xw4b6d3f6h2j5n7r4t7v";

/// When the samples are issued: a Monday morning in Minle.
pub const AT: &str = "2026-09-14T01:32:00Z";

/// The matter of the sample slip: a long one (seven documents).
pub const SLIP_MATTER: &str = "BDC-001";

/// The hall could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The main file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The configuration has problems.
    #[error("{0}")]
    Config(#[from] lobby_core::ConfigErrors),
    /// The core refused to issue the sample ticket.
    #[error("the core refused the sample ticket: {0:?}")]
    Rejected(lobby_core::Rejected),
    /// The hall has no such matter.
    #[error("the hall has no matter `{0}`")]
    NoMatter(String),
}

/// Loads a hall configuration and the files it includes (relative to it).
pub fn load_hall(path: &Path) -> Result<Hall, SampleError> {
    let text = std::fs::read_to_string(path).map_err(|source| SampleError::Read {
        path: path.to_owned(),
        source,
    })?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_owned();
    let main = SourceFile {
        name: path.display().to_string(),
        text,
    };
    Ok(lobby_core::config::load(main, |include| {
        std::fs::read_to_string(dir.join(include)).map_err(|e| e.to_string())
    })?)
}

fn at() -> Timestamp {
    // A constant that parses.
    AT.parse().unwrap()
}

/// The sample ticket's view: 不动产登记, matter BDC-001, issued at [`AT`]
/// with seven visitors ahead and two windows open, with its rating key
/// ([`RATING_KEY`]) as the issue answer carries it.
pub fn ticket_view(hall: &Hall) -> Result<TicketView, SampleError> {
    let hall = Arc::new(hall.clone());
    let mut lobby = Lobby::new(hall.clone());
    let now = at();
    let run = |lobby: &mut Lobby, c: Command| lobby.handle(now, c).map_err(SampleError::Rejected);
    for window in [7, 8] {
        run(
            &mut lobby,
            Command::OpenWindow {
                window: WindowNo(window),
                staff: None,
            },
        )?;
    }
    for i in 1..=7 {
        run(
            &mut lobby,
            Command::Issue(Issue::kiosk(format!("earlier-{i}"), "bdc")),
        )?;
    }
    let mut issue = Issue::kiosk("q7Vn3KpX9bTz", "bdc");
    issue.matter = Some(MatterId::from(SLIP_MATTER));
    run(&mut lobby, Command::Issue(issue))?;
    // Issued just above; the lobby holds it.
    let ticket = lobby.ticket(&"q7Vn3KpX9bTz".into()).unwrap();
    let mut view = TicketView::of(&lobby, ticket, now, Lang::Zh);
    view.rating_key = Some(RATING_KEY.into());
    Ok(view)
}

/// The sample ticket, ready to render (in Chinese).
pub fn ticket(hall: &Hall) -> Result<TicketPrint, SampleError> {
    Ok(TicketPrint::new(
        &ticket_view(hall)?,
        &HallView::from(hall),
        PUBLIC_BASE,
        Lang::Zh,
    ))
}

/// The sample slip for `matter` (by default [`SLIP_MATTER`]).
pub fn slip(hall: &Hall, matter: &str) -> Result<SlipPrint, SampleError> {
    let hall = HallView::from(hall);
    let m = hall
        .matter(&MatterId::from(matter))
        .ok_or_else(|| SampleError::NoMatter(matter.into()))?;
    Ok(SlipPrint::new(&hall, m, at()))
}

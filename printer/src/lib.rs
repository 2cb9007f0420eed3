//! Tickets and one-time notification slips (一次性告知单) on ESC/POS
//! thermal printers.
//!
//! Rendering turns a ticket or a slip into bytes and does no I/O (like
//! rustls, it never touches a port); transports beside it move the bytes
//! and read the printer's status back.
//!
//! # Layout
//!
//! - [`render`]: [`TicketPrint`] and [`SlipPrint`] (built from the core's
//!   `TicketView` and the hall's wire view `HallView`, which the kiosk
//!   reads from `GET /api/hall`; the slip's place is looked up there, once),
//!   and [`render::ticket`] / [`render::slip`], which return the bytes for
//!   a [`Profile`].
//! - [`profile`]: what one printer can do — paper width (58/80 mm, 32/48
//!   columns), Chinese font coverage, native or raster QR, cutter, baud
//!   rate and flow control. Deserialisable from the kiosk's configuration.
//! - [`layout`]: a document as wrapped lines and blocks, and its encoding
//!   (text in the printer's GB18030 font, raster lines where the font lacks
//!   a character).
//! - [`text`]: printer columns (CJK = 2, ASCII = 1), line wrapping with
//!   Chinese punctuation rules, GB18030 coverage and substitutes.
//! - [`escpos`]: the few ESC/POS commands we send, as bytes.
//! - [`raster`]: bitmaps for `GS v 0`: text lines drawn with a TrueType
//!   font the caller supplies, and QR codes.
//! - [`describe`]: a byte stream in human terms (`ESC @`, `FS &`, text,
//!   `GS ( k` …), for support staff and readable snapshots.
//! - [`status`]: `DLE EOT` replies read into a typed [`PrinterStatus`].
//! - [`transport`]: [`Target`] (parsed from `/dev/ttyUSB0`,
//!   `tcp://HOST:PORT`, `serial:PATH?baud=N`, a file), [`Printer`] with
//!   `print` and `status`, typed [`PrintError`]s, serial pacing.
//! - [`sample`]: realistic samples chosen from any hall, and finding the
//!   hall as lobby-server does (`assets/hall.toml`, else the built-in
//!   one); reads files.
//!
//! # Chinese text
//!
//! Chinese prints in the printer's own font: `FS &` (Chinese mode) after
//! every `ESC @`, text encoded with `encoding_rs`'s GB18030 encoder, and no
//! `ESC t` code page ever. A text-mode ticket is a few hundred bytes (25 ms
//! at 115200 baud); the same ticket rasterised is tens of kilobytes
//! (seconds at 115200, half a minute at 9600), so raster is a per-line
//! fallback: only a line holding a character the printer's font lacks
//! ([`ChineseFont`]) is drawn, and only when a [`RasterFont`] is given.
//! Lines are wrapped here, in printer columns, before they are sent, so the
//! printer never wraps by itself and never splits a character.
//!
//! # Why no `escpos` crate
//!
//! The workspace lists `escpos` 0.20, and this crate does not use it.
//! Lobby sends about a dozen commands (see [`escpos`]), each a few constant
//! bytes; writing them is ~100 lines, and [`describe`] must know the same
//! bytes anyway to decode them. What the crate would add gets in the way:
//! it has no Chinese support (its page-code tables would have to be kept
//! away from the stream), its `Printer` writes through a driver instead of
//! returning bytes (rendering would need a fake driver to stay pure), its
//! real-time status request appends a stray `0x00` to `DLE EOT n` that a
//! printer then reads as print data, its network driver accepts only IP
//! literals, and its serial driver needs `serialport`'s default `libudev`
//! and waits 5 s on every read. The transports here use `serialport` with
//! default features off and `std::net` directly, with short timeouts.
//!
//! # Status
//!
//! [`Printer::status`] sends `DLE EOT 1`, `2` and `4` (nine bytes, nothing
//! else) and reads the replies into [`PrinterStatus`]: ready, paper near
//! end, paper end, cover open, offline, or unknown when nothing answers.
//! [`PrinterStatus::can_print`] says which states mean "do not print now".

pub mod describe;
pub mod escpos;
pub mod layout;
pub mod profile;
pub mod raster;
pub mod render;
pub mod sample;
pub mod status;
pub mod text;
pub mod transport;

pub use profile::{ChineseFont, Cut, FlowControl, Paper, Profile, QrMode};
pub use raster::RasterFont;
pub use render::{SlipPrint, TicketPrint};
pub use status::PrinterStatus;
pub use transport::{PrintError, Printer, Target, TargetError, Timeouts};

//! lobby-display: the wall display of a Lobby hall. A full-screen Bevy
//! client of lobby-server's event stream that shows each call very large,
//! lists the last calls and the waiting counts, and announces each call in
//! Mandarin after a chime.
//!
//! # Layout
//!
//! - [`board`]: the display state as plain data, updated by stream
//!   messages: what is shown, what is announced, the link state. No Bevy,
//!   no I/O, no clock: the rules are tested with plain values.
//! - [`speech`]: the call's text on screen and aloud (numbers read the way
//!   a hall reads them).
//! - [`voice`]: the announcement queue thread, over the lobby-voice crate
//!   (`voice/`: the [`voice::Voice`] interface, espeak-ng behind
//!   it, the chime, the player), which the kiosk shares.
//! - [`link`]: the thread that talks to lobby-server (the hall, read into
//!   the core's `HallView`; the ranking; the WebSocket stream with
//!   reconnect, backoff and resume).
//! - [`cli`]: command-line settings.
//! - `app` (private): the Bevy app, one plugin per feature; it renders the
//!   board and redraws only when something changes.

//!
//! # Running
//!
//! ```text
//! lobby-display --server http://10.0.0.2:8080 --token lbd_… --site hall
//! lobby-display --server … --token … --layout site --site rs      # a sub-centre
//! lobby-display --server … --token … --windows 1-20 --voice off   # an area's screen
//! lobby-display --server … --token … --windowed 1920x1080 --report --voice-dir v/
//! ```
//!
//! The token is a display device token (`POST /api/devices` with
//! `"kind": "display"`). Without `--site` every site's calls and categories
//! are shown; the main hall's wall normally passes `--site hall`. The
//! monthly ranking rotates in every `--ranking-every` seconds when the
//! server has one. `--report` prints `shown …` with the time the first
//! frame after a change was presented, `presented …` once that frame has
//! been read back, and `announced …` for each announcement (tests and
//! benchmarks wait on these lines).

pub mod board;
pub mod cli;
pub mod link;
pub mod speech;
pub mod voice;

mod app;

pub use app::run;

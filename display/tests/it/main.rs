//! lobby-display's integration tests: one binary (see STYLE.md).
//!
//! - `board`: the display state without a window, driven by the real core.
//! - `screen`: end to end under Xvfb with the real server and display
//!   binaries (`harness` holds the parts).
//! - `voice`: announcements with the real espeak-ng.

mod board;
mod harness;
mod screen;
mod voice;

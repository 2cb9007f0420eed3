//! lobby-printer's integration tests: one binary, a module per feature.

mod cli;
mod emulator;
mod render;
mod sample;
mod serial;
mod support;
mod tcp;

//! lobby-core's integration tests: one binary, a module per feature.

mod config;
mod harness;
mod props;
mod rules;

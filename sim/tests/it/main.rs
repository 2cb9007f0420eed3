//! lobby-sim's integration tests: one binary, a module per feature.

mod erlang;
mod policies;
mod replay;
mod scenarios;

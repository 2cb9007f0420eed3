//! lobby-display's integration tests: one binary (see STYLE.md).

mod board;

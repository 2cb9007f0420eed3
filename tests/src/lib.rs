//! lobby-tests (work in progress).

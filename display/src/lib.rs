//! lobby-display (work in progress).

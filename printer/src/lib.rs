//! lobby-printer (work in progress).

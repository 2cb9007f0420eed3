//! lobby-server (work in progress).

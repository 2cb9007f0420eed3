//! lobby-kiosk (work in progress).

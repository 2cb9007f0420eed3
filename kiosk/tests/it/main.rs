//! lobby-kiosk's tests, one binary (link time): flows without a window,
//! the printing thread against printers at the OS edge, and the real
//! kiosk under Xvfb against the real server.

mod flow;
mod harness;
mod printing;

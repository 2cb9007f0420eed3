//! lobby-kiosk's tests, one binary (link time): flows without a window,
//! the printing thread against printers at the OS edge, and the real
//! kiosk under Xvfb against the real server.

mod e2e;
mod flow;
mod harness;
mod printing;
mod rig;
mod speaking;

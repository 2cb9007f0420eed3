//! Waking the app from background threads.
//!
//! The windowed kiosk updates only when something happens
//! (`WinitSettings` in reactive mode), so a thread that brings an answer
//! must wake the event loop. Without a window (tests) waking does nothing:
//! the test calls `app.update()` itself.

use std::sync::{Arc, OnceLock};

use bevy::prelude::*;

type WakeFn = Box<dyn Fn() + Send + Sync>;

/// Wakes the event loop; cheap to clone into threads.
#[derive(Resource, Clone, Default)]
pub struct Waker(Arc<OnceLock<WakeFn>>);

impl Waker {
    /// Wakes the app, if a way to wake it has been installed.
    pub fn wake(&self) {
        if let Some(f) = self.0.get() {
            f();
        }
    }

    /// Installs the way to wake the app (once; later calls are ignored).
    pub fn install(&self, f: impl Fn() + Send + Sync + 'static) {
        let _ = self.0.set(Box::new(f));
    }
}

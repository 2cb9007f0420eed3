//! Waking the app from background threads.
//!
//! The windowed kiosk updates only when something happens
//! (`WinitSettings` in reactive mode), so a thread that brings an answer
//! must wake the event loop. Without a window (tests) waking does nothing:
//! the test calls `app.update()` itself.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use bevy::prelude::*;

type WakeFn = Box<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct Inner {
    wake: OnceLock<WakeFn>,
    /// A wake asked for before there was a way to wake: the threads start
    /// before the event loop, and their first answers must not sleep.
    missed: AtomicBool,
}

/// Wakes the event loop; cheap to clone into threads.
#[derive(Resource, Clone, Default)]
pub struct Waker(Arc<Inner>);

impl Waker {
    /// Wakes the app, or remembers to once a way to wake it is installed.
    pub fn wake(&self) {
        match self.0.wake.get() {
            Some(f) => f(),
            None => self.0.missed.store(true, Ordering::SeqCst),
        }
    }

    /// Installs the way to wake the app (once; later calls are ignored),
    /// and wakes it at once if a thread asked before.
    pub fn install(&self, f: impl Fn() + Send + Sync + 'static) {
        if self.0.wake.set(Box::new(f)).is_ok() && self.0.missed.swap(false, Ordering::SeqCst) {
            self.wake();
        }
    }
}

//! Idle reset: after a while without a tap the kiosk returns home, in its
//! own language, so the next visitor starts clean.
//!
//! Measured on `Time<Real>`: virtual time is clamped per frame and a
//! reactive app sleeps for seconds between frames. Tests advance it with
//! `TimeUpdateStrategy::ManualDuration`.

use std::time::Duration;

use bevy::prelude::*;

use crate::flow::{FlowConfig, Online, PrintState, Screen, Visit, go_home};
use crate::ui::{Tap, UiLang};

/// When the visitor last did something, and how long the kiosk waits.
#[derive(Resource, Debug, Clone, Copy)]
pub struct IdleTimer {
    /// `Time<Real>::elapsed` at the last tap or screen change.
    pub last: Duration,
    /// Time without a tap before returning home.
    pub limit: Duration,
}

/// On a ticket that could not be printed the number must stay readable
/// while staff fetch paper: this many idle limits.
pub const FAULT_PATIENCE: u32 = 6;

impl IdleTimer {
    /// The idle limit on `screen`, or `None` where the kiosk never resets
    /// (home, 暂停取号, waiting for the server).
    pub fn limit_on(&self, screen: Screen, visit: &Visit) -> Option<Duration> {
        match screen {
            Screen::Home if !visit.slip_only && !visit.assisted => None,
            Screen::Paused | Screen::Issuing => None,
            Screen::Ticket if matches!(visit.ticket_print, PrintState::Failed(_)) => {
                Some(self.limit * FAULT_PATIENCE)
            }
            _ => Some(self.limit),
        }
    }

    /// Time left before the reset on `screen`, at `now`.
    pub fn remaining(&self, now: Duration, screen: Screen, visit: &Visit) -> Option<Duration> {
        self.limit_on(screen, visit)
            .map(|limit| limit.saturating_sub(now.saturating_sub(self.last)))
    }
}

/// Restarts the idle clock on every tap, press and screen change.
pub fn note_activity(
    mut taps: MessageReader<Tap>,
    screen: Res<State<Screen>>,
    mouse: Option<Res<ButtonInput<MouseButton>>>,
    touches: Option<Res<Touches>>,
    time: Res<Time<Real>>,
    mut idle: ResMut<IdleTimer>,
) {
    let tapped = taps.read().count() > 0;
    let pressed = mouse.is_some_and(|m| m.get_just_pressed().next().is_some())
        || touches.is_some_and(|t| t.any_just_pressed());
    if tapped || pressed || screen.is_changed() {
        idle.last = time.elapsed();
    }
}

/// Returns home when the visitor has gone.
#[allow(clippy::too_many_arguments)] // a system: its parameters are what it reads
pub fn reset_when_idle(
    time: Res<Time<Real>>,
    idle: Res<IdleTimer>,
    screen: Res<State<Screen>>,
    online: Res<Online>,
    config: Res<FlowConfig>,
    mut visit: ResMut<Visit>,
    mut lang: ResMut<UiLang>,
    mut next: ResMut<NextState<Screen>>,
) {
    if idle.remaining(time.elapsed(), *screen.get(), &visit) == Some(Duration::ZERO) {
        info!("idle: back home from {:?}", screen.get());
        go_home(&mut visit, &mut next, online.0);
        // Guide-desk staff stay in their mode; a visitor's choices do not.
        visit.assisted = false;
        if lang.0 != config.lang {
            lang.0 = config.lang;
        }
    }
}

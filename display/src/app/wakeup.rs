//! When to update next. Bevy runs reactively: the link thread wakes it for
//! each message, and this plugin sets the longest wait that still turns
//! the clock's minute, ends a highlight, moves the notice, rotates the
//! page or finishes a report on time. With nothing pending the display
//! draws about once a minute.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::winit::{UpdateMode, WinitSettings};
use jiff::Timestamp;

use super::Shown;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Deadlines>()
        .add_systems(Last, schedule_wakeup);
}

/// Instants at which plugins need an update.
#[derive(Resource, Default, Debug)]
pub struct Deadlines {
    /// The notice's next page or scroll step.
    pub notice: Option<Instant>,
    /// The next page rotation.
    pub page: Option<Instant>,
    /// A report waiting for its frame.
    pub report: Option<Instant>,
}

fn schedule_wakeup(shown: Res<Shown>, deadlines: Res<Deadlines>, mut winit: ResMut<WinitSettings>) {
    let now = Instant::now();
    let local = Timestamp::now();
    let server = shown.server_now(local);
    // Just after the minute turns, so the clock shows the new minute.
    let into_minute = Duration::from_millis((server.as_millisecond().rem_euclid(60_000)) as u64);
    let mut wait = Duration::from_secs(60) - into_minute + Duration::from_millis(20);
    if let Some(until) = shown.next_change(local) {
        let d = until.duration_since(local);
        wait = wait.min(Duration::try_from(d).unwrap_or_default() + Duration::from_millis(10));
    }
    for at in [deadlines.notice, deadlines.page, deadlines.report]
        .into_iter()
        .flatten()
    {
        wait = wait.min(at.saturating_duration_since(now));
    }
    let mode = UpdateMode::reactive_low_power(wait);
    // Change detection aside, the runner reads the settings each loop.
    winit.bypass_change_detection().focused_mode = mode;
    winit.bypass_change_detection().unfocused_mode = mode;
}

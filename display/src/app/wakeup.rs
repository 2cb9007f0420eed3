//! When to update next. Bevy runs reactively: the link thread wakes it for
//! each message, and this plugin's alarm thread wakes it when the clock's
//! minute turns, a highlight ends, the notice moves, the page rotates or a
//! report waits for its frame. With nothing pending the display draws
//! about once a minute.
//!
//! Why an alarm thread rather than changing `WinitSettings`' wait: the
//! winit runner forces an extra update whenever the update mode changes,
//! and a wait that shrinks towards a deadline changes it every update, so
//! the app would redraw continuously.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};
use jiff::Timestamp;

use super::Shown;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Deadlines>()
        .add_systems(Startup, start_alarm)
        .add_systems(Last, schedule_wakeup.run_if(resource_exists::<Alarm>));
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

/// Tells the alarm thread when to wake the app next.
#[derive(Resource)]
struct Alarm {
    set: Mutex<Sender<Instant>>,
    /// The instant last set, so it is sent only when it changes.
    armed: Option<Instant>,
}

fn start_alarm(mut commands: Commands, proxy: Res<EventLoopProxyWrapper>) -> Result {
    let (set, next) = channel();
    let proxy = (**proxy).clone();
    std::thread::Builder::new()
        .name("alarm".into())
        .spawn(move || {
            ring(next, move || {
                // Fails only once the event loop is gone.
                let _ = proxy.send_event(WinitUserEvent::WakeUp);
            })
        })?;
    commands.insert_resource(Alarm {
        set: Mutex::new(set),
        armed: None,
    });
    Ok(())
}

/// Waits for the latest instant set and calls `wake` then; ends when the
/// sender is dropped.
fn ring(next: Receiver<Instant>, wake: impl Fn()) {
    let mut armed: Option<Instant> = None;
    loop {
        let received = match armed {
            None => next.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(at) => next.recv_timeout(at.saturating_duration_since(Instant::now())),
        };
        match received {
            Ok(at) => armed = Some(at),
            Err(RecvTimeoutError::Timeout) => {
                wake();
                armed = None;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn schedule_wakeup(shown: Res<Shown>, deadlines: Res<Deadlines>, mut alarm: ResMut<Alarm>) {
    let now = Instant::now();
    let local = Timestamp::now();
    let server = shown.server_now(local);
    // Just after the minute turns, so the clock shows the new minute.
    let into_minute = Duration::from_millis(server.as_millisecond().rem_euclid(60_000) as u64);
    let mut wait = Duration::from_secs(60) - into_minute + Duration::from_millis(20);
    if let Some(until) = shown.next_change(local) {
        let d = Duration::try_from(until.duration_since(local)).unwrap_or_default();
        wait = wait.min(d + Duration::from_millis(10));
    }
    for at in [deadlines.notice, deadlines.page, deadlines.report]
        .into_iter()
        .flatten()
    {
        wait = wait.min(at.saturating_duration_since(now));
    }
    let at = now + wait;
    // Re-arm only when the target moved (by more than a frame's jitter).
    let moved = alarm.armed.is_none_or(|armed| {
        let gap = if armed > at { armed - at } else { at - armed };
        gap > Duration::from_millis(5) || armed <= now
    });
    if moved {
        alarm.armed = Some(at);
        // A poisoned lock still holds a working sender; a failed send
        // means the thread is gone and the fallback wait still updates.
        let _ = alarm.set.lock().unwrap_or_else(|e| e.into_inner()).send(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alarm_rings_once_at_the_latest_instant_set() {
        let (set, next) = channel();
        let (rang, rings) = channel();
        let thread =
            std::thread::spawn(move || ring(next, move || rang.send(Instant::now()).unwrap()));
        let start = Instant::now();
        set.send(start + Duration::from_secs(30)).unwrap();
        set.send(start + Duration::from_millis(50)).unwrap();
        let at = rings.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(at >= start + Duration::from_millis(50));
        assert!(
            rings.recv_timeout(Duration::from_millis(200)).is_err(),
            "rang once"
        );
        drop(set);
        thread.join().unwrap();
    }
}

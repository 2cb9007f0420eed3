//! `--report`: after each change of the board, captures the frame that
//! shows it and prints `presented …` once the GPU has rendered it, so tests
//! and benchmarks wait for what is really on screen rather than sleeping.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use jiff::Timestamp;

use super::wakeup::Deadlines;
use super::{Config, Page, Shown};
use crate::board::Link;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Pending>().add_systems(
        PostUpdate,
        capture_changes.run_if(|c: Res<Config>| c.report),
    );
}

/// Captures not yet back from the GPU.
#[derive(Resource, Default)]
struct Pending(u32);

fn capture_changes(
    mut commands: Commands,
    shown: Res<Shown>,
    page: Res<State<Page>>,
    mut pending: ResMut<Pending>,
    mut deadlines: ResMut<Deadlines>,
) {
    if shown.is_changed() || page.is_changed() {
        let link = match shown.link() {
            Link::Online => "online",
            Link::Connecting => "connecting",
            Link::Offline { .. } => "offline",
        };
        let newest = shown.newest();
        let line = format!(
            "presented page={:?} seq={} newest={} window={} highlighted={} link={link}",
            page.get(),
            shown.seq().map_or("-".into(), |s| s.to_string()),
            newest.map_or("-".into(), |c| c.number.to_string()),
            newest.map_or("-".into(), |c| c.window.to_string()),
            shown.highlighted(Timestamp::now()).is_some(),
        );
        pending.0 += 1;
        commands.spawn(Screenshot::primary_window()).observe(
            move |_: On<ScreenshotCaptured>, mut pending: ResMut<Pending>| {
                println!("{line}");
                pending.0 = pending.0.saturating_sub(1);
            },
        );
    }
    // The capture comes back a frame or two later: keep updating until it
    // has.
    deadlines.report = (pending.0 > 0).then(|| Instant::now() + Duration::from_millis(15));
}

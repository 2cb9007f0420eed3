//! `--report`: after each change of the board, captures the frame that
//! shows it and prints `presented …` once the GPU has rendered it, so tests
//! and benchmarks wait for what is really on screen rather than sleeping.
//!
//! The capture comes back a frame or two after the frame it shows. So the
//! render world also prints `shown newest=… at_us=…` with the wall-clock
//! time at which that frame was handed to the window (present), which is
//! when the call reaches the screen: the benchmark's call-to-screen figure.

use std::time::{Duration, Instant, SystemTime};

use bevy::prelude::*;
use bevy::render::extract_resource::{ExtractResource, ExtractResourcePlugin};
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::render::{Render, RenderApp, RenderSystems};
use jiff::Timestamp;

use super::wakeup::Deadlines;
use super::{Config, Page, Shown};
use crate::board::Link;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Pending>()
        .init_resource::<Drawn>()
        .add_systems(
            PostUpdate,
            capture_changes.run_if(|c: Res<Config>| c.report),
        );
    if app.get_sub_app(RenderApp).is_some() {
        app.add_plugins(ExtractResourcePlugin::<Drawn>::default());
        app.sub_app_mut(RenderApp)
            .add_systems(Render, stamp_shown.in_set(RenderSystems::Cleanup));
    }
}

/// The latest reported change, numbered, as the frame being drawn has it.
#[derive(Resource, Clone, Default, ExtractResource)]
struct Drawn {
    /// 0 before any change is reported.
    change: u64,
    newest: String,
}

/// In the render world, after the frame has been presented: stamps the
/// first frame that carries each reported change.
fn stamp_shown(drawn: Res<Drawn>, mut stamped: Local<u64>) {
    if drawn.change > *stamped {
        *stamped = drawn.change;
        let at_us = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros());
        println!("shown newest={} at_us={at_us}", drawn.newest);
    }
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
    mut drawn: ResMut<Drawn>,
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
        drawn.change += 1;
        drawn.newest = newest.map_or("-".into(), |c| c.number.to_string());
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

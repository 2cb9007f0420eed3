//! The Bevy side: renders the [`Board`] and nothing else.
//!
//! One plugin per feature: [`net`] (the only one that talks to the
//! server), [`voice`], [`frame`] (header, clock, offline badge, notice),
//! [`calls`] (the hall and site layouts), [`ranking`] (the monthly ranking
//! page and the rotation), [`wakeup`] (when to draw again) and [`report`]
//! (tells tests what was presented).
//!
//! The screen is redrawn only when something changes: Bevy runs in
//! reactive mode, the link thread wakes it when a message arrives, and
//! [`wakeup`] asks for the next update only when the clock's minute turns,
//! a highlight ends, the notice turns a page or the page rotates.

mod calls;
mod frame;
mod net;
mod ranking;
mod report;
mod style;
mod voice;
mod wakeup;

use std::time::Duration;

use anyhow::Context;
use bevy::prelude::*;
use bevy::window::{CursorOptions, MonitorSelection, WindowMode, WindowResolution};
use bevy::winit::{UpdateMode, WinitSettings};
use lobby_core::api::HallView;

use crate::board::{Board, Call};
use crate::cli::Settings;
use crate::link::RankingInfo;

/// Longest time between updates when nothing asks for one.
const FALLBACK_WAIT: Duration = Duration::from_secs(600);

/// The pages the wall shows.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Page {
    /// Until the frame the pages fill is built (the first state's `OnEnter`
    /// runs before `Startup`).
    #[default]
    Starting,
    /// The calls (hall or site layout).
    Calls,
    /// The monthly window ranking (公示).
    Ranking,
}

/// The settings, as a resource.
#[derive(Resource, Deref)]
pub struct Config(pub Settings);

/// The display state the screen renders.
#[derive(Resource, Deref, DerefMut)]
pub struct Shown(pub Board);

/// The hall's configuration, once fetched.
#[derive(Resource)]
pub struct Hall {
    /// What the server told (`GET /api/hall`); `None` until it answered.
    pub view: Option<HallView>,
    /// The hall's time zone.
    pub tz: jiff::tz::TimeZone,
}

/// The monthly ranking, while the server provides one.
#[derive(Resource, Default, Deref)]
pub struct Ranking(pub Option<RankingInfo>);

/// A call to announce (written by [`net`], read by [`voice`] and the page
/// rotation).
#[derive(Message, Debug, Clone)]
pub struct CallMade(pub Call);

/// Runs the display until its window closes.
pub fn run(settings: Settings) -> anyhow::Result<()> {
    let font = std::fs::read(&settings.font).with_context(|| {
        format!(
            "cannot read the CJK font {} (install fonts-wqy-microhei or pass --font)",
            settings.font.display()
        )
    })?;
    let window = match settings.windowed {
        Some((w, h)) => Window {
            title: "Lobby".into(),
            resolution: WindowResolution::new(w, h),
            resizable: false,
            ..default()
        },
        None => Window {
            title: "Lobby".into(),
            mode: WindowMode::BorderlessFullscreen(MonitorSelection::Primary),
            ..default()
        },
    };
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(window),
        primary_cursor_options: Some(CursorOptions {
            visible: false,
            ..default()
        }),
        ..default()
    }))
    // Nothing moves by itself: update when the link or the wakeup plugin's
    // alarm wakes the loop, never continuously. The long wait is only a
    // fallback.
    .insert_resource(WinitSettings {
        focused_mode: UpdateMode::reactive_low_power(FALLBACK_WAIT),
        unfocused_mode: UpdateMode::reactive_low_power(FALLBACK_WAIT),
    })
    .insert_resource(ClearColor(style::BACKGROUND))
    .insert_resource(Shown(Board::new(settings.filter())))
    .insert_resource(Hall {
        view: None,
        tz: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC),
    })
    .init_resource::<Ranking>()
    .insert_resource(Config(settings))
    .init_state::<Page>()
    .add_message::<CallMade>();
    // Every text uses the default font handle: make it the CJK font.
    app.world_mut()
        .resource_mut::<Assets<Font>>()
        .insert(&Handle::<Font>::default(), Font::from_bytes(font))
        .context("cannot install the font")?;
    app.add_plugins((
        net::plugin,
        voice::plugin,
        frame::plugin,
        calls::plugin,
        ranking::plugin,
        wakeup::plugin,
        report::plugin,
    ));
    app.add_systems(Startup, spawn_camera);
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => anyhow::bail!("the display stopped with code {code}"),
    }
}

fn spawn_camera(mut commands: Commands) {
    // Flat UI needs no multisampling, and software rendering pays for
    // every sample of every pixel.
    commands.spawn((Camera2d, Msaa::Off));
}

//! The windowed kiosk: full screen (or `--windowed WxH` for tests), the
//! CJK font, the server and printer threads, and an event loop that sleeps
//! until something happens.

use std::time::Duration;

use anyhow::{Context, anyhow};
use bevy::prelude::*;
use bevy::text::FontSource;
use bevy::window::{MonitorSelection, RequestRedraw, WindowMode, WindowPosition, WindowResolution};
use bevy::winit::{EventLoopProxyWrapper, UpdateMode, WinitSettings, WinitUserEvent};

use crate::config::Args;
use crate::flow::{FlowConfig, Screen, Visit};
use crate::idle::IdleTimer;
use crate::printing::{PrintProfile, StatusPages};
use crate::speaking;
use crate::ui::KioskFont;
use crate::wake::Waker;
use crate::{KioskPlugin, capture, printing, server};

/// Longest sleep of an idle kiosk on the home screen.
const HOME_WAIT: Duration = Duration::from_secs(60);

/// Runs the kiosk until its window closes.
pub fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config().map_err(|e| anyhow!(e))?;
    let font = std::fs::read(&args.font).with_context(|| {
        format!(
            "cannot read the CJK font {} (install fonts-wqy-microhei, or pass --font)",
            args.font.display()
        )
    })?;
    let window = match args.windowed {
        Some((w, h)) => Window {
            title: "Lobby 取号机".into(),
            resolution: WindowResolution::new(w, h),
            position: WindowPosition::At(IVec2::ZERO),
            resizable: false,
            ..default()
        },
        None => Window {
            title: "Lobby 取号机".into(),
            mode: WindowMode::BorderlessFullscreen(MonitorSelection::Primary),
            ..default()
        },
    };
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(window),
        ..default()
    }))
    .insert_resource(WinitSettings::desktop_app())
    .insert_resource(ClearColor(crate::ui::BACKGROUND))
    .insert_resource(PrintProfile::for_width(config.paper_mm))
    .insert_resource(StatusPages(config.public_url.clone()))
    .init_resource::<Waker>()
    .add_plugins(KioskPlugin {
        flow: FlowConfig::from(&config),
        idle: config.idle,
    })
    .add_plugins((
        server::plugin(config.clone()),
        printing::plugin(config.printer.clone()),
    ))
    .add_systems(
        Startup,
        (
            spawn_camera,
            install_waker,
            move |mut fonts: ResMut<Assets<Font>>, mut kiosk_font: ResMut<KioskFont>| {
                let handle = fonts.add(Font::from_bytes(font.clone()));
                kiosk_font.0 = match &args.font_family {
                    Some(family) => FontSource::Family(family.as_str().into()),
                    None => FontSource::Handle(handle),
                };
            },
        ),
    )
    .add_systems(Last, (schedule_wake, redraw_while_changing));
    if let Some(dir) = args.capture.clone() {
        app.add_plugins(capture::plugin(dir, !args.no_screenshots));
    }
    if args.voice == "espeak" {
        // Without espeak-ng the kiosk works as before, silently.
        match lobby_voice::Espeak::find() {
            Ok(espeak) => {
                let prompter = speaking::Prompter::start(
                    Box::new(espeak),
                    args.voice_dir.clone(),
                    true,
                    |s| info!("spoke ({} ms): {}", s.duration_ms, s.prompt.text),
                )
                .context("starting the voice thread")?;
                app.insert_resource(prompter);
            }
            Err(e) => warn!("no spoken prompts: {e}"),
        }
    }
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => Err(anyhow!("the kiosk stopped with error {code}")),
    }
}

fn spawn_camera(mut commands: Commands) {
    commands.spawn(Camera2d);
}

/// Lets the server and printer threads wake the event loop.
fn install_waker(proxy: Res<EventLoopProxyWrapper>, waker: Res<Waker>) {
    let proxy = (**proxy).clone();
    waker.install(move || {
        let _ = proxy.send_event(WinitUserEvent::WakeUp);
    });
}

/// A state change set this frame is applied at the start of the next
/// one: ask for that frame now rather than at the next input.
fn redraw_while_changing(
    next: Res<NextState<Screen>>,
    waker: Res<Waker>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    if matches!(*next, NextState::Pending(_) | NextState::PendingIfNeq(_)) {
        redraw.write(RequestRedraw);
        // A redraw request alone does not always bring the next frame of a
        // reactive loop under X11; a wake-up does.
        waker.wake();
    }
}

/// Sleeps until the next thing that can happen without input: the idle
/// reset (threads wake the loop themselves).
fn schedule_wake(
    time: Res<Time<Real>>,
    idle: Res<IdleTimer>,
    screen: Res<State<Screen>>,
    visit: Res<Visit>,
    mut settings: ResMut<WinitSettings>,
) {
    let wait = idle
        .remaining(time.elapsed(), *screen.get(), &visit)
        .map(|d| d + Duration::from_millis(20))
        .unwrap_or(HOME_WAIT);
    // Not the low-power variant: under X11 a click can arrive as a device
    // event only, and a kiosk has no other pointer to wake it in vain.
    let mode = UpdateMode::reactive(wait);
    let settings = settings.bypass_change_detection();
    settings.focused_mode = mode;
    settings.unfocused_mode = mode;
}

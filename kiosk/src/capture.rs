//! Screenshots and button positions of every screen, on request
//! (`--capture DIR` / `LOBBY_KIOSK_CAPTURE`).
//!
//! Each time a screen is (re)built, once it is laid out and drawn:
//! `DIR/layout.json` gets the screen's name and every button's action and
//! rectangle in window pixels (what an end-to-end test needs to click with
//! xdotool), `DIR/hover.txt` the button under the pointer, and
//! `DIR/NNN-screen.png` the rendered frame (one screenshot at a time; a
//! screen replaced before its turn is skipped, so a later `NNN` of the same
//! screen may stand for it). Both files appear
//! whole (written aside, then renamed), so a reader never sees half.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Capturing, Screenshot, ScreenshotCaptured};
use bevy::ui::{ComputedNode, UiGlobalTransform, UiSystems};
use bevy::window::RequestRedraw;
use serde::Serialize;

use crate::flow::Screen;
use crate::ui::{Action, Disabled, ScreenRoot};

/// A button as the layout file lists it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ButtonRect {
    /// [`Action::name`].
    pub action: String,
    /// Left edge in window pixels.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
    /// Shown but inactive.
    pub disabled: bool,
}

/// The layout file.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Layout {
    /// Increases with every build.
    pub seq: u32,
    /// The screen (`home`, `ticket` …).
    pub screen: String,
    /// Its buttons.
    pub buttons: Vec<ButtonRect>,
}

#[derive(Resource)]
struct CaptureDir {
    dir: PathBuf,
    seq: u32,
    /// The newest screen not yet photographed.
    want: Option<PathBuf>,
    /// A screenshot is being taken (one at a time).
    busy: bool,
    /// Whether to take screenshots at all.
    screenshots: bool,
    /// The newest layout and the frames left before it is written.
    layout: Option<(Layout, u8)>,
}

/// Captures into `dir`; layouts only unless `screenshots`.
pub fn plugin(dir: PathBuf, screenshots: bool) -> impl Fn(&mut App) {
    move |app: &mut App| {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            error!("cannot create capture folder {}: {e}", dir.display());
        }
        app.insert_resource(CaptureDir {
            dir: dir.clone(),
            seq: 0,
            want: None,
            busy: false,
            screenshots,
            layout: None,
        })
        .add_systems(
            PostUpdate,
            (
                publish_hover,
                publish_layout,
                capture_screens,
                take_screenshot,
                keep_drawing_while_capturing,
            )
                .chain()
                .after(UiSystems::Layout),
        );
    }
}

fn capture_screens(
    new_roots: Query<(), Added<ScreenRoot>>,
    buttons: Query<(&Action, &ComputedNode, &UiGlobalTransform, Has<Disabled>)>,
    screen: Res<State<Screen>>,
    mut capture: ResMut<CaptureDir>,
) {
    if new_roots.is_empty() {
        return;
    }
    capture.seq += 1;
    let name = format!("{:?}", screen.get()).to_lowercase();
    let mut rects: Vec<ButtonRect> = buttons
        .iter()
        .map(|(action, node, transform, disabled)| {
            let size = node.size();
            let centre = transform.translation;
            ButtonRect {
                action: action.name(),
                x: centre.x - size.x / 2.0,
                y: centre.y - size.y / 2.0,
                w: size.x,
                h: size.y,
                disabled,
            }
        })
        .collect();
    rects.sort_by(|a, b| {
        (a.y, a.x)
            .partial_cmp(&(b.y, b.x))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let layout = Layout {
        seq: capture.seq,
        screen: name.clone(),
        buttons: rects,
    };
    let png = capture.dir.join(format!("{:03}-{name}.png", capture.seq));
    // Published once the screen has been drawn (below), so whoever reads
    // it can click what is really there.
    capture.layout = Some((layout, FRAMES_BEFORE_PUBLISHING));
    // A screen replaced before its picture was taken is skipped.
    if capture.screenshots {
        capture.want = Some(png);
    }
}

/// Writes `DIR/hover.txt`: the button under the pointer, so a test clicks
/// once the kiosk has seen the pointer arrive rather than after a guess.
fn publish_hover(
    buttons: Query<(&Action, &Interaction)>,
    capture: Res<CaptureDir>,
    mut last: Local<Option<String>>,
) {
    let now = buttons
        .iter()
        .find(|(_, i)| **i != Interaction::None)
        .map(|(a, _)| a.name())
        .unwrap_or_default();
    if last.as_ref() != Some(&now) {
        write_whole(&capture.dir.join("hover.txt"), now.as_bytes());
        *last = Some(now);
    }
}

/// Frames between a layout and its publication: the frame that draws it
/// (rendering is pipelined, one frame behind) and one to present it.
const FRAMES_BEFORE_PUBLISHING: u8 = 2;

/// Writes the layout file once its screen is on the display.
fn publish_layout(mut capture: ResMut<CaptureDir>) {
    let Some((_, frames)) = capture.layout.as_mut() else {
        return;
    };
    if *frames > 0 {
        *frames -= 1;
        return;
    }
    let Some((layout, _)) = capture.layout.take() else {
        return;
    };
    match serde_json::to_vec_pretty(&layout) {
        Ok(json) => write_whole(&capture.dir.join("layout.json"), &json),
        Err(e) => error!("layout not written: {e}"),
    }
}

/// Starts a screenshot of the newest screen when none is being taken.
fn take_screenshot(mut commands: Commands, mut capture: ResMut<CaptureDir>) {
    if capture.busy {
        return;
    }
    if let Some(png) = capture.want.take() {
        capture.busy = true;
        shoot(&mut commands, png, 0);
    }
}

/// Takes a screenshot into `png`. The first frames of a fresh window can be
/// read back before anything was drawn (all zero, not even the clear
/// colour): those are taken again.
fn shoot(commands: &mut Commands, png: PathBuf, tries: u32) {
    commands.spawn(Screenshot::primary_window()).observe(
        move |shot: On<ScreenshotCaptured>,
              mut commands: Commands,
              mut capture: ResMut<CaptureDir>| {
            let blank = shot
                .image
                .data
                .as_ref()
                .is_some_and(|d| d.iter().all(|&b| b == 0));
            if blank && tries < 30 {
                shoot(&mut commands, png.clone(), tries + 1);
            } else {
                save_png(&shot.image, &png);
                capture.busy = false;
            }
        },
    );
}

/// A reactive app draws only when asked: keep asking until the layout is
/// published and the screenshot read back.
fn keep_drawing_while_capturing(
    capturing: Query<(), With<Capturing>>,
    capture: Res<CaptureDir>,
    waker: Option<Res<crate::wake::Waker>>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let pending = capture.busy || capture.want.is_some() || capture.layout.is_some();
    if pending || !capturing.is_empty() {
        redraw.write(RequestRedraw);
        // A redraw request alone does not always bring the next frame of a
        // reactive loop under X11; a wake-up does.
        if let Some(w) = waker {
            w.wake();
        }
    }
}

fn save_png(image: &Image, path: &Path) {
    let tmp = path.with_file_name(format!(
        ".tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("shot.png")
    ));
    let result = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| e.to_string())
        .and_then(|img| img.to_rgb8().save(&tmp).map_err(|e| e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()));
    if let Err(e) = result {
        error!("screenshot {} not saved: {e}", path.display());
    }
}

fn write_whole(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    if let Err(e) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
        error!("{} not written: {e}", path.display());
    }
}

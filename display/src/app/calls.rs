//! The calls page, in two layouts.
//!
//! - `hall`: the newest call very large ("A023" / "15 号窗口" / "请 A023 号
//!   到 15 号窗口 办理"), highlighted for a few seconds, with a green-channel
//!   mark; the last calls below it; waiting counts per category beside it.
//! - `site` (a sub-centre): the newest call and the waiting counts on the
//!   left, every window with its ticket on the right.

use bevy::prelude::*;
use jiff::Timestamp;

use super::frame::Body;
use super::style::{self, text};
use super::{Config, Page, Shown};
use crate::board::Call;
use crate::cli::Layout;
use crate::speech;

/// Last calls listed under the newest one.
const RECENT: usize = 8;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Page::Calls), spawn_calls)
        .add_systems(
            Update,
            (show_newest, list_recent, list_waiting, list_windows).run_if(in_state(Page::Calls)),
        );
}

/// The newest call's panel (its colour shows the highlight).
#[derive(Component)]
struct NewestPanel;

/// The newest call's number.
#[derive(Component)]
struct NewestNumber;

/// The newest call's window.
#[derive(Component)]
struct NewestWindow;

/// The newest call as a sentence.
#[derive(Component)]
struct NewestLine;

/// Shown when the newest call is green channel.
#[derive(Component)]
struct GreenMark;

/// Where the last calls are listed.
#[derive(Component)]
struct RecentList;

/// Where the waiting counts are listed.
#[derive(Component)]
struct WaitingList;

/// Where the windows are listed (site layout).
#[derive(Component)]
struct WindowList;

fn column(width: f32) -> Node {
    Node {
        width: percent(width),
        flex_direction: FlexDirection::Column,
        row_gap: vh(1.5),
        ..default()
    }
}

fn panel(grow: f32) -> impl Bundle {
    (
        Node {
            flex_direction: FlexDirection::Column,
            flex_grow: grow,
            padding: UiRect::all(vh(1.5)),
            row_gap: vh(0.8),
            border_radius: BorderRadius::all(vh(1.2)),
            overflow: Overflow::clip(),
            ..default()
        },
        BackgroundColor(style::PANEL),
    )
}

fn spawn_calls(mut commands: Commands, config: Res<Config>, body: Single<Entity, With<Body>>) {
    commands
        .entity(*body)
        .with_children(|body| match config.layout {
            Layout::Hall => {
                body.spawn((column(62.0), DespawnOnExit(Page::Calls)))
                    .with_children(|left| {
                        spawn_newest(left, 17.0);
                        left.spawn(panel(1.0)).with_children(|p| {
                            p.spawn(text("最近呼叫", 3.0, style::DIM));
                            p.spawn((
                                RecentList,
                                Node {
                                    flex_wrap: FlexWrap::Wrap,
                                    row_gap: vh(0.8),
                                    ..default()
                                },
                            ));
                        });
                    });
                body.spawn((column(38.0), DespawnOnExit(Page::Calls)))
                    .with_children(|right| {
                        right.spawn(panel(1.0)).with_children(|p| {
                            p.spawn(text("等候人数", 3.0, style::DIM));
                            p.spawn((WaitingList, list_node()));
                        });
                    });
            }
            Layout::Site => {
                body.spawn((column(50.0), DespawnOnExit(Page::Calls)))
                    .with_children(|left| {
                        spawn_newest(left, 14.0);
                        left.spawn(panel(1.0)).with_children(|p| {
                            p.spawn(text("等候人数", 3.0, style::DIM));
                            p.spawn((WaitingList, list_node()));
                        });
                    });
                body.spawn((column(50.0), DespawnOnExit(Page::Calls)))
                    .with_children(|right| {
                        right.spawn(panel(1.0)).with_children(|p| {
                            p.spawn(text("窗口", 3.0, style::DIM));
                            p.spawn((WindowList, list_node()));
                        });
                    });
            }
        });
}

fn list_node() -> Node {
    Node {
        flex_direction: FlexDirection::Column,
        row_gap: vh(0.6),
        ..default()
    }
}

fn spawn_newest(parent: &mut ChildSpawnerCommands, number_vh: f32) {
    parent
        .spawn((
            NewestPanel,
            Node {
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                justify_content: JustifyContent::Center,
                height: percent(62),
                row_gap: vh(0.5),
                border_radius: BorderRadius::all(vh(1.2)),
                ..default()
            },
            BackgroundColor(style::PANEL),
        ))
        .with_children(|p| {
            p.spawn(Node {
                align_items: AlignItems::Center,
                column_gap: vw(2),
                ..default()
            })
            .with_children(|row| {
                row.spawn((NewestNumber, text("—", number_vh, style::NUMBER)));
                row.spawn((NewestWindow, text("", number_vh * 0.6, style::TEXT)));
            });
            p.spawn(Node {
                align_items: AlignItems::Center,
                column_gap: vw(1.5),
                ..default()
            })
            .with_children(|row| {
                row.spawn((
                    GreenMark,
                    Node {
                        display: Display::None,
                        padding: UiRect::axes(vw(1), vh(0.4)),
                        border_radius: BorderRadius::all(vh(0.8)),
                        ..default()
                    },
                    BackgroundColor(style::GREEN),
                    children![text("绿色通道", 3.6, style::TEXT)],
                ));
                row.spawn((NewestLine, text("暂无呼叫", 4.2, style::TEXT)));
            });
        });
}

/// Sets a text only when it differs (a write relayouts it even if equal).
fn set(text: &mut Text, value: String) {
    if text.0 != value {
        text.0 = value;
    }
}

#[allow(clippy::type_complexity)]
fn show_newest(
    shown: Res<Shown>,
    mut panel: Single<&mut BackgroundColor, With<NewestPanel>>,
    mut number: Single<
        &mut Text,
        (
            With<NewestNumber>,
            Without<NewestWindow>,
            Without<NewestLine>,
        ),
    >,
    mut window: Single<
        &mut Text,
        (
            With<NewestWindow>,
            Without<NewestNumber>,
            Without<NewestLine>,
        ),
    >,
    mut line: Single<
        &mut Text,
        (
            With<NewestLine>,
            Without<NewestNumber>,
            Without<NewestWindow>,
        ),
    >,
    mut green: Single<&mut Node, With<GreenMark>>,
    added: Query<(), Added<NewestPanel>>,
) {
    // Runs every update (they are rare): the highlight ends with time, not
    // with a change of the board.
    let highlighted = shown.highlighted(Timestamp::now()).is_some();
    let colour = if highlighted {
        style::HIGHLIGHT
    } else {
        style::PANEL
    };
    if panel.0 != colour {
        panel.0 = colour;
    }
    if !shown.is_changed() && added.is_empty() {
        return;
    }
    let (n, w, l, is_green) = match shown.newest() {
        Some(call) => (
            call.number.to_string(),
            format!("{} 号窗口", call.window),
            speech::shown(&call.number, call.window),
            call.green,
        ),
        None => ("—".into(), String::new(), "暂无呼叫".into(), false),
    };
    set(&mut number, n);
    set(&mut window, w);
    set(&mut line, l);
    let display = if is_green {
        Display::Flex
    } else {
        Display::None
    };
    if green.display != display {
        green.display = display;
    }
}

fn recent_entry(list: &mut ChildSpawnerCommands, call: &Call) {
    list.spawn(Node {
        width: percent(50),
        align_items: AlignItems::Center,
        column_gap: vw(0.8),
        ..default()
    })
    .with_children(|row| {
        row.spawn(text(call.number.to_string(), 4.6, style::NUMBER));
        row.spawn(text(format!("→ {} 号窗口", call.window), 3.6, style::TEXT));
        if call.green {
            row.spawn((
                Node {
                    padding: UiRect::axes(vw(0.4), vh(0.2)),
                    border_radius: BorderRadius::all(vh(0.5)),
                    ..default()
                },
                BackgroundColor(style::GREEN),
                children![text("绿", 2.4, style::TEXT)],
            ));
        }
        if call.recall > 0 {
            row.spawn(text("重呼", 2.4, style::DIM));
        }
    });
}

fn list_recent(
    mut commands: Commands,
    shown: Res<Shown>,
    list: Single<Entity, With<RecentList>>,
    added: Query<(), Added<RecentList>>,
) {
    if !shown.is_changed() && added.is_empty() {
        return;
    }
    commands
        .entity(*list)
        .despawn_children()
        .with_children(|list| {
            for call in shown.calls().skip(1).take(RECENT) {
                recent_entry(list, call);
            }
        });
}

/// Type size of list rows so that `rows` fit in about 60 vh.
fn row_vh(rows: usize) -> f32 {
    (60.0 / rows.max(1) as f32 / 1.5).min(3.6)
}

fn list_waiting(
    mut commands: Commands,
    shown: Res<Shown>,
    list: Single<Entity, With<WaitingList>>,
    added: Query<(), Added<WaitingList>>,
) {
    if !shown.is_changed() && added.is_empty() {
        return;
    }
    let size = row_vh(shown.categories().len());
    commands
        .entity(*list)
        .despawn_children()
        .with_children(|list| {
            for c in shown.categories() {
                list.spawn(Node {
                    justify_content: JustifyContent::SpaceBetween,
                    align_items: AlignItems::Center,
                    ..default()
                })
                .with_children(|row| {
                    row.spawn(text(format!("{}  {}", c.prefix, c.name), size, style::TEXT));
                    row.spawn(text(format!("{} 人", c.waiting), size, style::NUMBER));
                });
            }
        });
}

fn list_windows(
    mut commands: Commands,
    shown: Res<Shown>,
    list: Option<Single<Entity, With<WindowList>>>,
    added: Query<(), Added<WindowList>>,
) {
    let Some(list) = list else {
        return;
    };
    if !shown.is_changed() && added.is_empty() {
        return;
    }
    let size = row_vh(shown.windows().len());
    commands
        .entity(*list)
        .despawn_children()
        .with_children(|list| {
            for w in shown.windows() {
                let (state, colour) = match (&w.current, w.open, w.paused) {
                    (_, _, true) => ("暂停服务".to_owned(), style::DIM),
                    (Some(n), _, _) => (n.to_string(), style::NUMBER),
                    (None, true, _) => ("等候呼叫".to_owned(), style::DIM),
                    (None, false, _) => ("未开放".to_owned(), style::DIM),
                };
                list.spawn(Node {
                    justify_content: JustifyContent::SpaceBetween,
                    align_items: AlignItems::Center,
                    ..default()
                })
                .with_children(|row| {
                    row.spawn(text(format!("{} 号窗口", w.number), size, style::TEXT));
                    row.spawn(Node {
                        align_items: AlignItems::Center,
                        column_gap: vw(0.6),
                        ..default()
                    })
                    .with_children(|right| {
                        if w.green && w.current.is_some() && !w.paused {
                            right.spawn(text("绿色通道", size * 0.7, style::TEXT));
                        }
                        right.spawn(text(state, size, colour));
                    });
                });
            }
        });
}

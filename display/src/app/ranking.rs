//! The monthly window ranking page (考核排位公示) and the rotation that
//! shows it now and then. The page is skipped while the server has no
//! ranking, and a new call brings the calls page back at once.

use std::time::Instant;

use bevy::prelude::*;

use super::frame::Body;
use super::style::{self, text};
use super::wakeup::Deadlines;
use super::{CallMade, Config, Page, Ranking};

/// Rows shown (two columns).
const ROWS: usize = 24;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Rotation>()
        .add_systems(OnEnter(Page::Ranking), spawn_ranking)
        .add_systems(Update, rotate_pages);
}

/// When the page next changes.
#[derive(Resource, Default)]
struct Rotation {
    next: Option<Instant>,
}

fn rotate_pages(
    config: Res<Config>,
    ranking: Res<Ranking>,
    page: Res<State<Page>>,
    mut next_page: ResMut<NextState<Page>>,
    mut rotation: ResMut<Rotation>,
    mut deadlines: ResMut<Deadlines>,
    mut calls: MessageReader<CallMade>,
) {
    let Some((every, shown_for)) = config.rotation() else {
        return;
    };
    let now = Instant::now();
    let called = calls.read().count() > 0;
    let next = *rotation.next.get_or_insert(now + every);
    match page.get() {
        Page::Calls if now >= next => {
            if ranking.is_some() {
                next_page.set(Page::Ranking);
                rotation.next = Some(now + shown_for);
            } else {
                rotation.next = Some(now + every);
            }
        }
        Page::Starting => {}
        Page::Ranking if called || now >= next || ranking.is_none() => {
            next_page.set(Page::Calls);
            rotation.next = Some(now + every);
        }
        _ => {}
    }
    deadlines.page = rotation.next;
}

fn spawn_ranking(mut commands: Commands, ranking: Res<Ranking>, body: Single<Entity, With<Body>>) {
    let Some(r) = ranking.0.as_ref() else {
        return;
    };
    let month = match r.month.split_once('-') {
        Some((y, m)) => format!("{y}年{}月", m.trim_start_matches('0')),
        None => r.month.clone(),
    };
    commands.entity(*body).with_children(|body| {
        body.spawn((
            DespawnOnExit(Page::Ranking),
            Node {
                width: percent(100),
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                row_gap: vh(1.2),
                padding: UiRect::all(vh(1.5)),
                border_radius: BorderRadius::all(vh(1.2)),
                ..default()
            },
            BackgroundColor(style::PANEL),
        ))
        .with_children(|page| {
            page.spawn(text(
                format!("{month} 窗口考核排位公示"),
                5.0,
                style::NUMBER,
            ));
            page.spawn(Node {
                width: percent(100),
                column_gap: vw(3),
                ..default()
            })
            .with_children(|columns| {
                for chunk in r
                    .windows
                    .iter()
                    .take(ROWS)
                    .collect::<Vec<_>>()
                    .chunks(ROWS / 2)
                {
                    columns
                        .spawn(Node {
                            width: percent(50),
                            flex_direction: FlexDirection::Column,
                            row_gap: vh(0.5),
                            ..default()
                        })
                        .with_children(|col| {
                            header_row(col);
                            for (i, line) in chunk.iter().enumerate() {
                                let rank = line.rank.map_or(String::from("—"), |r| r.to_string());
                                let rating = line
                                    .mean_rating
                                    .map_or(String::from("—"), |m| format!("{m:.2}"));
                                let _ = i;
                                row(
                                    col,
                                    [
                                        rank,
                                        format!("{} 号窗口", line.window),
                                        line.completed.to_string(),
                                        rating,
                                    ],
                                    style::TEXT,
                                );
                            }
                        });
                }
            });
            if !r.rule.is_empty() {
                page.spawn(text(format!("排位规则：{}", r.rule), 2.4, style::DIM));
            }
        });
    });
}

fn header_row(col: &mut ChildSpawnerCommands) {
    row(
        col,
        ["排名", "窗口", "办结件数", "满意度"].map(String::from),
        style::DIM,
    );
}

fn row(col: &mut ChildSpawnerCommands, cells: [String; 4], colour: Color) {
    col.spawn(Node {
        justify_content: JustifyContent::SpaceBetween,
        ..default()
    })
    .with_children(|r| {
        for (cell, width) in cells.into_iter().zip([15.0, 35.0, 25.0, 25.0]) {
            r.spawn((
                Node {
                    width: percent(width),
                    ..default()
                },
                children![text(cell, 2.8, colour)],
            ));
        }
    });
}

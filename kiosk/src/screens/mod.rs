//! The screens, one plugin each. A screen only draws: it builds its UI on
//! entering, rebuilds when what it shows changes (language, queues, the
//! visit, the printer), and leaves the rest to [`crate::flow`].

use bevy::prelude::*;

use crate::KioskSet;
use crate::flow::{Screen, Visit};
use crate::hall::Board;
use crate::printing::PrinterHealth;
use crate::ui::{self, Action, KioskFont, ScreenRoot, UiLang};

mod appointment;
mod green;
mod home;
mod matters;
mod notice;
mod paused;
mod ticket;

/// All screens.
pub fn plugin(app: &mut App) {
    app.add_plugins((
        home::plugin,
        matters::plugin,
        green::plugin,
        appointment::plugin,
        ticket::plugin,
        notice::plugin,
        paused::plugin,
    ));
}

/// Whether the screen must be (re)built this frame.
pub fn needs_build(
    screen: Res<State<Screen>>,
    visit: Res<Visit>,
    lang: Res<UiLang>,
    board: Res<Board>,
    printer: Res<PrinterHealth>,
) -> bool {
    screen.is_changed()
        || visit.is_changed()
        || lang.is_changed()
        || board.is_changed()
        || printer.is_changed()
}

/// Registers a screen's build system.
pub fn add_builder<M>(
    app: &mut App,
    screen: Screen,
    build: impl IntoScheduleConfigs<bevy::ecs::system::ScheduleSystem, M>,
) {
    app.add_systems(
        Update,
        build
            .in_set(KioskSet::Build)
            .run_if(in_state(screen).and_then(needs_build)),
    );
}

/// What every builder needs: the font, the language and the old root to
/// replace.
#[derive(bevy::ecs::system::SystemParam)]
pub struct Canvas<'w, 's> {
    commands: Commands<'w, 's>,
    roots: Query<'w, 's, Entity, With<ScreenRoot>>,
    /// The CJK font every text is set in.
    pub font: Res<'w, KioskFont>,
    /// The language the visitor chose.
    pub lang: Res<'w, UiLang>,
}

impl Canvas<'_, '_> {
    /// Despawns the previous root and spawns a new one for `screen`.
    pub fn begin(&mut self, screen: Screen) -> EntityCommands<'_> {
        for e in &self.roots {
            self.commands.entity(e).despawn();
        }
        self.commands.spawn(ui::root(screen))
    }

    /// Chinese or English.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

/// The header: a title on the left, the language switch on the right.
pub fn header(
    p: &mut ChildSpawnerCommands,
    font: &KioskFont,
    lang: UiLang,
    title: &str,
    subtitle: &str,
) {
    p.spawn(Node {
        flex_direction: FlexDirection::Row,
        justify_content: JustifyContent::SpaceBetween,
        align_items: AlignItems::Center,
        min_height: px(ui::NAV_HEIGHT),
        column_gap: px(16),
        ..default()
    })
    .with_children(|p| {
        p.spawn(Node {
            flex_direction: FlexDirection::Column,
            flex_shrink: 1.0,
            ..default()
        })
        .with_children(|p| {
            p.spawn(ui::text_left(font, title, ui::TITLE, ui::TEXT));
            if !subtitle.is_empty() {
                p.spawn(ui::text_left(font, subtitle, ui::BODY, ui::SOFT));
            }
        });
        p.spawn(ui::button(
            Action::ToggleLang,
            ui::BUTTON,
            Node {
                width: px(200),
                height: px(ui::NAV_HEIGHT),
                flex_shrink: 0.0,
                ..default()
            },
        ))
        .with_child(ui::text(
            font,
            lang.t("English", "中文"),
            ui::LABEL,
            ui::TEXT,
        ));
    });
}

/// The footer with 返回 and 首页, always in the same place.
pub fn footer(p: &mut ChildSpawnerCommands, font: &KioskFont, lang: UiLang) {
    p.spawn(Node {
        flex_direction: FlexDirection::Row,
        justify_content: JustifyContent::SpaceBetween,
        column_gap: px(24),
        margin: UiRect::top(Val::Auto),
        ..default()
    })
    .with_children(|p| {
        for (action, zh, en) in [
            (Action::Back, "◀ 返回", "◀ Back"),
            (Action::Home, "首页", "Home"),
        ] {
            p.spawn(ui::button(
                action,
                ui::BUTTON,
                Node {
                    width: px(300),
                    height: px(ui::NAV_HEIGHT),
                    ..default()
                },
            ))
            .with_child(ui::text(font, lang.t(zh, en), ui::LABEL, ui::TEXT));
        }
    });
}

/// A grid filling the space between header and footer.
pub fn grid(columns: u16) -> Node {
    Node {
        display: Display::Grid,
        grid_template_columns: RepeatedGridTrack::flex(columns, 1.0),
        grid_auto_rows: vec![GridTrack::flex(1.0)],
        row_gap: px(16),
        column_gap: px(16),
        flex_grow: 1.0,
        ..default()
    }
}

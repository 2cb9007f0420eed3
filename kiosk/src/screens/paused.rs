//! 暂停取号: the server cannot be reached. Nothing to tap; the kiosk goes
//! home by itself when the server answers again.

use bevy::prelude::*;

use super::{Canvas, add_builder};
use crate::flow::Screen;
use crate::ui;

pub(super) fn plugin(app: &mut App) {
    add_builder(app, Screen::Paused, build_paused);
}

fn build_paused(mut canvas: Canvas) {
    let font = canvas.font.clone();
    let lang = *canvas.lang;
    canvas.begin(Screen::Paused).with_children(|p| {
        p.spawn(Node {
            flex_direction: FlexDirection::Column,
            flex_grow: 1.0,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            row_gap: px(32),
            ..default()
        })
        .with_children(|p| {
            p.spawn(ui::text(
                &font,
                lang.t("暂停取号", "Ticketing paused"),
                120.0,
                ui::WARN,
            ));
            p.spawn(ui::text(
                &font,
                lang.t(
                    "系统正在恢复，请稍候，恢复后自动返回首页",
                    "The system is reconnecting and will be back shortly",
                ),
                ui::LABEL,
                ui::TEXT,
            ));
            p.spawn(ui::text(
                &font,
                lang.t(
                    "如需帮助，请到导服台",
                    "For help, please ask at the guide desk",
                ),
                ui::LABEL,
                ui::SOFT,
            ));
        });
    });
}

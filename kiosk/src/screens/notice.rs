//! A message for the visitor (the server refused, a slip is printing) and
//! the way home.

use bevy::prelude::*;

use super::{Canvas, add_builder, footer, header};
use crate::flow::{PrintState, Screen, Visit};
use crate::ui;

pub(super) fn plugin(app: &mut App) {
    add_builder(app, Screen::Notice, build_notice);
    add_builder(app, Screen::Issuing, build_issuing);
}

fn build_notice(mut canvas: Canvas, visit: Res<Visit>) {
    let font = canvas.font.clone();
    let lang = *canvas.lang;
    let status = match visit.slip_print {
        PrintState::Idle => String::new(),
        PrintState::Printing => lang.t("正在打印…", "Printing…").to_owned(),
        PrintState::Printed => lang
            .t("已打印，请取走告知单", "Printed: please take the slip")
            .to_owned(),
        PrintState::Failed(s) => lang.t(s.label_zh(), s.label_en()).to_owned(),
    };
    canvas.begin(Screen::Notice).with_children(|p| {
        header(p, &font, lang, lang.t("提示", "Notice"), "");
        p.spawn(Node {
            flex_direction: FlexDirection::Column,
            flex_grow: 1.0,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            row_gap: px(24),
            ..default()
        })
        .with_children(|p| {
            p.spawn(ui::text(&font, visit.notice.clone(), ui::TITLE, ui::TEXT));
            if !status.is_empty() {
                p.spawn(ui::text(&font, status, ui::LABEL, ui::WARN));
            }
        });
        footer(p, &font, lang);
    });
}

fn build_issuing(mut canvas: Canvas) {
    let font = canvas.font.clone();
    let lang = *canvas.lang;
    canvas.begin(Screen::Issuing).with_children(|p| {
        p.spawn(Node {
            flex_grow: 1.0,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            ..default()
        })
        .with_child(ui::text(
            &font,
            lang.t("正在取号，请稍候…", "Taking your number…"),
            ui::TITLE,
            ui::TEXT,
        ));
    });
}

//! Appointment check-in: the booking code on an on-screen keypad (kiosks
//! have no keyboard).

use bevy::prelude::*;

use super::{Canvas, add_builder, footer, header};
use crate::flow::{Screen, Visit};
use crate::ui::{self, Action, Disabled};

pub(super) fn plugin(app: &mut App) {
    add_builder(app, Screen::Appointment, build_appointment);
}

fn build_appointment(mut canvas: Canvas, visit: Res<Visit>) {
    let font = canvas.font.clone();
    let lang = *canvas.lang;
    canvas.begin(Screen::Appointment).with_children(|p| {
        header(
            p,
            &font,
            lang,
            lang.t("预约签到", "Appointment check-in"),
            lang.t(
                "请输入预约码（短信或网上办事大厅中可见）",
                "Enter the code from your booking",
            ),
        );
        p.spawn(Node {
            flex_direction: FlexDirection::Row,
            flex_grow: 1.0,
            column_gap: px(32),
            justify_content: JustifyContent::Center,
            ..default()
        })
        .with_children(|p| {
            // The code typed so far, then the keypad beside it.
            p.spawn((
                Node {
                    width: px(440),
                    min_height: px(120),
                    align_self: AlignSelf::Center,
                    justify_content: JustifyContent::Center,
                    align_items: AlignItems::Center,
                    border: UiRect::all(px(3)),
                    ..default()
                },
                BorderColor::all(Color::WHITE),
                BackgroundColor(Color::BLACK),
            ))
            .with_child(ui::text(
                &font,
                if visit.code.is_empty() {
                    "—".to_owned()
                } else {
                    visit.code.clone()
                },
                72.0,
                ui::WARN,
            ));
            p.spawn(Node {
                display: Display::Grid,
                grid_template_columns: RepeatedGridTrack::px(3, 150.0),
                grid_auto_rows: vec![GridTrack::px(110.0)],
                row_gap: px(12),
                column_gap: px(12),
                ..default()
            })
            .with_children(|p| {
                let keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
                for k in keys {
                    p.spawn(ui::button(Action::Key(k), ui::BUTTON, Node::default()))
                        .with_child(ui::text(&font, k.to_string(), ui::TITLE, ui::TEXT));
                }
                p.spawn(ui::button(Action::Delete, ui::BUTTON, Node::default()))
                    .with_child(ui::text(&font, lang.t("删除", "Del"), ui::LABEL, ui::TEXT));
                p.spawn(ui::button(Action::Key('0'), ui::BUTTON, Node::default()))
                    .with_child(ui::text(&font, "0", ui::TITLE, ui::TEXT));
                let ready = !visit.code.is_empty();
                let mut ok = p.spawn(ui::button(
                    Action::CheckIn,
                    if ready { ui::GREEN } else { ui::DISABLED },
                    Node::default(),
                ));
                ok.with_child(ui::text(&font, lang.t("签到", "OK"), ui::LABEL, ui::TEXT));
                if !ready {
                    ok.insert(Disabled);
                }
            });
        });
        footer(p, &font, lang);
    });
}

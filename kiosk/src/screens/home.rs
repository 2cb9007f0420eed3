//! Home: the hall's categories as big buttons (name, description, people
//! waiting), the green channel and appointment check-in; in guide-desk
//! mode also 帮办代办 and slip printing.

use bevy::prelude::*;

use super::{Canvas, add_builder, footer, grid, header};
use crate::flow::{FlowConfig, Screen, Visit};
use crate::hall::Board;
use crate::ui::{self, Action};

pub(super) fn plugin(app: &mut App) {
    add_builder(app, Screen::Home, build_home);
}

fn build_home(mut canvas: Canvas, board: Res<Board>, visit: Res<Visit>, config: Res<FlowConfig>) {
    let font = canvas.font.clone();
    let lang = *canvas.lang;
    let Some(hall) = board.hall.clone() else {
        return;
    };
    let centre = lang.t(&hall.centre.name, &hall.centre.name_en).to_owned();
    let prompt = if visit.slip_only {
        lang.t(
            "打印一次性告知单：请选择业务类别",
            "Print a checklist: choose a service",
        )
    } else {
        lang.t("请点击要办理的业务取号", "Tap a service to take a number")
    };
    let categories: Vec<_> = hall.categories_at(config.site.as_ref()).cloned().collect();
    let columns = if categories.len() > 8 { 4 } else { 3 };
    canvas.begin(Screen::Home).with_children(|p| {
        header(p, &font, lang, &centre, prompt);
        p.spawn(grid(columns)).with_children(|p| {
            for c in &categories {
                let waiting = board.waiting.get(&c.id).copied().unwrap_or(0);
                p.spawn(ui::button(
                    Action::Category(c.id.clone()),
                    ui::BUTTON,
                    Node {
                        min_height: px(150),
                        ..default()
                    },
                ))
                .with_children(|b| {
                    b.spawn(ui::text(
                        &font,
                        lang.t(&c.name, &c.name_en),
                        ui::LABEL,
                        ui::TEXT,
                    ));
                    let description = lang.t(&c.description, &c.description_en);
                    if !description.is_empty() {
                        b.spawn(ui::text(&font, description, ui::SMALL, ui::SOFT));
                    }
                    if !visit.slip_only {
                        let waiting = match lang.0 {
                            lobby_core::Lang::Zh => format!("等候 {waiting} 人"),
                            lobby_core::Lang::En => format!("{waiting} waiting"),
                        };
                        b.spawn(ui::text(&font, waiting, ui::BODY, ui::WARN));
                        if board.past_close.contains(&c.id) {
                            // Said before the visitor takes a number that
                            // would expire unserved.
                            let late = lang.t(
                                "今日预计办理不完，建议明日再来",
                                "Likely not served today: please come tomorrow",
                            );
                            b.spawn(ui::text(&font, late, ui::SMALL, ui::WARN));
                        }
                    }
                });
            }
        });
        if visit.slip_only {
            footer(p, &font, lang);
            return;
        }
        // The bottom row: green channel first and widest.
        p.spawn(Node {
            flex_direction: FlexDirection::Row,
            column_gap: px(16),
            min_height: px(120),
            ..default()
        })
        .with_children(|p| {
            p.spawn(ui::button(
                Action::GreenChannel,
                ui::GREEN,
                Node {
                    flex_grow: 2.0,
                    flex_basis: px(0),
                    ..default()
                },
            ))
            .with_children(|b| {
                b.spawn(ui::text(
                    &font,
                    lang.t("绿色通道", "Green channel"),
                    ui::TITLE,
                    ui::TEXT,
                ));
                b.spawn(ui::text(
                    &font,
                    lang.t(
                        "老、弱、病、残、军 优先办理",
                        "Priority for the elderly, sick, disabled, pregnant and military",
                    ),
                    ui::BODY,
                    ui::TEXT,
                ));
            });
            p.spawn(ui::button(
                Action::Appointment,
                ui::BUTTON,
                Node {
                    flex_grow: 1.0,
                    flex_basis: px(0),
                    ..default()
                },
            ))
            .with_children(|b| {
                b.spawn(ui::text(
                    &font,
                    lang.t("预约签到", "Appointment"),
                    ui::LABEL,
                    ui::TEXT,
                ));
                b.spawn(ui::text(
                    &font,
                    lang.t("输入预约码", "Enter your code"),
                    ui::BODY,
                    ui::SOFT,
                ));
            });
            if config.guide_desk {
                let (label, color) = if visit.assisted {
                    (lang.t("帮办代办：开", "Assisted: on"), ui::GREEN)
                } else {
                    (lang.t("帮办代办：关", "Assisted: off"), ui::BUTTON)
                };
                p.spawn(ui::button(
                    Action::ToggleAssisted,
                    color,
                    Node {
                        flex_grow: 1.0,
                        flex_basis: px(0),
                        ..default()
                    },
                ))
                .with_child(ui::text(&font, label, ui::LABEL, ui::TEXT));
                p.spawn(ui::button(
                    Action::SlipMode,
                    ui::BUTTON,
                    Node {
                        flex_grow: 1.0,
                        flex_basis: px(0),
                        ..default()
                    },
                ))
                .with_child(ui::text(
                    &font,
                    lang.t("打印告知单", "Print checklist"),
                    ui::LABEL,
                    ui::TEXT,
                ));
            }
        });
    });
}

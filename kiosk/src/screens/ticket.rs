//! The ticket: the number, people ahead and the estimated wait, whether it
//! printed, and the one-time notification slip of the chosen matter. When
//! the printer fails the number stays here, with 重新打印 once the printer
//! is back.

use bevy::prelude::*;
use lobby_core::Lang;
use lobby_core::api::Lane;

use super::{Canvas, add_builder, footer, header};
use crate::flow::{FlowConfig, PrintState, Screen, Visit};
use crate::hall::Board;
use crate::printing::PrinterHealth;
use crate::ui::{self, Action, Disabled};

pub(super) fn plugin(app: &mut App) {
    add_builder(app, Screen::Ticket, build_ticket);
}

fn build_ticket(
    mut canvas: Canvas,
    board: Res<Board>,
    visit: Res<Visit>,
    printer: Res<PrinterHealth>,
    config: Res<FlowConfig>,
) {
    let font = canvas.font.clone();
    let lang = *canvas.lang;
    let Some(t) = visit.ticket.clone() else {
        return;
    };
    let failed = matches!(visit.ticket_print, PrintState::Failed(_));
    let (title, subtitle) = match visit.ticket_print {
        PrintState::Failed(_) => (
            lang.t(
                "取号成功，号票未能打印",
                "Your number is issued, but not printed",
            ),
            lang.t("请记住您的号码", "Please note your number"),
        ),
        PrintState::Printed => (
            lang.t("取号成功", "Here is your number"),
            lang.t("请取走号票", "Please take your ticket"),
        ),
        _ => (
            lang.t("取号成功", "Here is your number"),
            lang.t("正在打印号票…", "Printing…"),
        ),
    };
    // Names in the screen's language (the server answered in Chinese).
    let hall = board.hall.as_ref();
    let mut what = hall
        .and_then(|h| h.category(&t.category))
        .map(|c| lang.t(&c.name, &c.name_en).to_owned())
        .unwrap_or_else(|| t.category_name.clone());
    let matter = t
        .matter
        .as_ref()
        .and_then(|m| hall.and_then(|h| h.matter(m)));
    if let Some(m) = matter
        .map(|m| lang.t(&m.name, &m.name_en))
        .or(t.matter_name.as_deref())
    {
        what = format!("{what} · {m}");
    }
    if t.priority == Lane::Green {
        what = format!("{what} · {}", lang.t("绿色通道", "green channel"));
    }
    if t.assisted {
        what = format!("{what} · {}", lang.t("帮办代办", "assisted"));
    }
    let wait = lobby_printer::render::wait_text(t.ahead, t.estimated_wait_s, lang.0);
    let area = (!t.area.is_empty()).then(|| match lang.0 {
        Lang::Zh => format!("请到 {} 附近等候叫号", t.area),
        Lang::En => format!("Please wait near {}", t.area),
    });
    canvas.begin(Screen::Ticket).with_children(|p| {
        header(p, &font, lang, title, subtitle);
        p.spawn(Node {
            flex_direction: FlexDirection::Column,
            flex_grow: 1.0,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            row_gap: px(12),
            ..default()
        })
        .with_children(|p| {
            p.spawn(ui::text(&font, t.number.to_string(), ui::NUMBER, ui::WARN));
            p.spawn(ui::text(&font, what, ui::LABEL, ui::TEXT));
            p.spawn(ui::text(&font, wait, ui::LABEL, ui::TEXT));
            if let Some(area) = area {
                p.spawn(ui::text(&font, area, ui::BODY, ui::SOFT));
            }
        });
        if let PrintState::Failed(status) = visit.ticket_print {
            // The fault, and the way to print again once it is fixed.
            let now = printer.fault.unwrap_or(status);
            let back = printer.fault.is_none();
            p.spawn((
                Node {
                    flex_direction: FlexDirection::Row,
                    align_items: AlignItems::Center,
                    justify_content: JustifyContent::SpaceBetween,
                    padding: UiRect::all(px(16)),
                    column_gap: px(16),
                    ..default()
                },
                BackgroundColor(ui::FAULT),
            ))
            .with_children(|p| {
                let message = if back {
                    lang.t(
                        "打印机已恢复，请点击“重新打印”",
                        "The printer is back: tap Reprint",
                    )
                } else {
                    lang.t(now.label_zh(), now.label_en())
                };
                p.spawn(Node {
                    flex_direction: FlexDirection::Column,
                    flex_shrink: 1.0,
                    ..default()
                })
                .with_children(|p| {
                    p.spawn(ui::text_left(&font, message, ui::LABEL, ui::TEXT));
                    p.spawn(ui::text_left(
                        &font,
                        lang.t(
                            "您的号码已登记，不会丢失；工作人员已收到通知",
                            "Your number is kept; staff have been told",
                        ),
                        ui::BODY,
                        ui::TEXT,
                    ));
                });
                let mut b = p.spawn(ui::button(
                    Action::Reprint,
                    if back { ui::GREEN } else { ui::DISABLED },
                    Node {
                        width: px(300),
                        height: px(ui::NAV_HEIGHT),
                        flex_shrink: 0.0,
                        ..default()
                    },
                ));
                b.with_child(ui::text(
                    &font,
                    lang.t("重新打印", "Reprint"),
                    ui::LABEL,
                    ui::TEXT,
                ));
                if !back {
                    b.insert(Disabled);
                }
            });
        }
        if t.matter.is_some() && (!failed || config.guide_desk) {
            let label = match visit.slip_print {
                PrintState::Idle => lang.t(
                    "打印一次性告知单（所需材料清单）",
                    "Print the checklist of documents",
                ),
                PrintState::Printing => lang.t("正在打印告知单…", "Printing the checklist…"),
                PrintState::Printed => {
                    lang.t("告知单已打印，请取走", "Checklist printed: please take it")
                }
                PrintState::Failed(s) => lang.t(s.label_zh(), s.label_en()),
            };
            let enabled = matches!(visit.slip_print, PrintState::Idle | PrintState::Failed(_))
                && printer.fault.is_none();
            let mut b = p.spawn(ui::button(
                Action::PrintSlip,
                if enabled { ui::BUTTON } else { ui::DISABLED },
                Node {
                    min_height: px(ui::NAV_HEIGHT),
                    ..default()
                },
            ));
            b.with_child(ui::text(&font, label, ui::LABEL, ui::TEXT));
            if !enabled {
                b.insert(Disabled);
            }
        }
        footer(p, &font, lang);
    });
}

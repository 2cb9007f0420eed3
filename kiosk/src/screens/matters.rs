//! Matters of the chosen category, a page at a time (no scrolling, no
//! gestures), with 直接取号 for visitors who do not know the matter.

use bevy::prelude::*;

use super::{Canvas, add_builder, footer, grid, header};
use crate::flow::{MATTERS_PER_PAGE, Screen, Visit};
use crate::hall::Board;
use crate::ui::{self, Action, Disabled};

pub(super) fn plugin(app: &mut App) {
    add_builder(app, Screen::Matters, build_matters);
}

fn build_matters(mut canvas: Canvas, board: Res<Board>, visit: Res<Visit>) {
    let font = canvas.font.clone();
    let lang = *canvas.lang;
    let (Some(hall), Some(category)) = (board.hall.as_ref(), visit.category.as_ref()) else {
        return;
    };
    let Some(c) = hall.category(category) else {
        return;
    };
    let matters: Vec<_> = hall.matters_of(category).collect();
    let pages = matters.len().div_ceil(MATTERS_PER_PAGE).max(1);
    let page = visit.page.min(pages - 1);
    let title = lang.t(&c.name, &c.name_en).to_owned();
    let prompt = if visit.slip_only {
        lang.t(
            "请选择事项，打印一次性告知单",
            "Choose a matter to print its checklist",
        )
    } else {
        lang.t("请选择要办理的事项", "Choose what you came for")
    };
    canvas.begin(Screen::Matters).with_children(|p| {
        header(p, &font, lang, &title, prompt);
        if !visit.slip_only {
            p.spawn(ui::button(
                Action::NoMatter,
                ui::GREEN,
                Node {
                    min_height: px(110),
                    ..default()
                },
            ))
            .with_children(|b| {
                b.spawn(ui::text(
                    &font,
                    lang.t("直接取号", "Just take a number"),
                    ui::TITLE,
                    ui::TEXT,
                ));
                b.spawn(ui::text(
                    &font,
                    lang.t(
                        "不确定事项？窗口工作人员会帮您",
                        "Not sure? Staff at the window will help",
                    ),
                    ui::BODY,
                    ui::TEXT,
                ));
            });
        }
        p.spawn(grid(2)).with_children(|p| {
            for m in matters
                .iter()
                .skip(page * MATTERS_PER_PAGE)
                .take(MATTERS_PER_PAGE)
            {
                p.spawn(ui::button(
                    Action::Matter(m.id.clone()),
                    ui::BUTTON,
                    Node {
                        min_height: px(ui::NAV_HEIGHT),
                        ..default()
                    },
                ))
                .with_child(ui::text(
                    &font,
                    lang.t(&m.name, &m.name_en),
                    ui::BODY + 4.0,
                    ui::TEXT,
                ));
            }
        });
        if pages > 1 {
            p.spawn(Node {
                flex_direction: FlexDirection::Row,
                justify_content: JustifyContent::Center,
                align_items: AlignItems::Center,
                column_gap: px(32),
                ..default()
            })
            .with_children(|p| {
                let pager = |p: &mut ChildSpawnerCommands, action, label: &str, enabled: bool| {
                    let mut b = p.spawn(ui::button(
                        action,
                        if enabled { ui::BUTTON } else { ui::DISABLED },
                        Node {
                            width: px(240),
                            height: px(ui::NAV_HEIGHT),
                            ..default()
                        },
                    ));
                    b.with_child(ui::text(&font, label, ui::LABEL, ui::TEXT));
                    if !enabled {
                        b.insert(Disabled);
                    }
                };
                pager(p, Action::PrevPage, lang.t("上一页", "Previous"), page > 0);
                p.spawn(ui::text(
                    &font,
                    match lang.0 {
                        lobby_core::Lang::Zh => format!("第 {} / {} 页", page + 1, pages),
                        lobby_core::Lang::En => format!("Page {} of {}", page + 1, pages),
                    },
                    ui::BODY,
                    ui::TEXT,
                ));
                pager(
                    p,
                    Action::NextPage,
                    lang.t("下一页", "Next"),
                    page + 1 < pages,
                );
            });
        }
        footer(p, &font, lang);
    });
}

//! Green channel (绿色通道): choose the group (老、弱、病、残、军), then
//! the category; the ticket prints at once, in the priority lane.

use bevy::prelude::*;

use super::{Canvas, add_builder, footer, grid, header};
use crate::flow::{FlowConfig, Screen, Visit};
use crate::hall::Board;
use crate::ui::{self, Action};

pub(super) fn plugin(app: &mut App) {
    add_builder(app, Screen::GreenChannel, build_green_channel);
}

fn build_green_channel(
    mut canvas: Canvas,
    board: Res<Board>,
    visit: Res<Visit>,
    config: Res<FlowConfig>,
) {
    let font = canvas.font.clone();
    let lang = *canvas.lang;
    let Some(hall) = board.hall.as_ref() else {
        return;
    };
    let title = lang.t("绿色通道", "Green channel");
    canvas.begin(Screen::GreenChannel).with_children(|p| {
        match &visit.green {
            None => {
                header(
                    p,
                    &font,
                    lang,
                    title,
                    lang.t("请选择您的情况", "Which applies to you?"),
                );
                let columns = if hall.green_groups.len() > 4 { 3 } else { 2 };
                p.spawn(grid(columns)).with_children(|p| {
                    for g in &hall.green_groups {
                        p.spawn(ui::button(
                            Action::Group(g.id.clone()),
                            ui::GREEN,
                            Node::default(),
                        ))
                        .with_child(ui::text(
                            &font,
                            lang.t(&g.name, &g.name_en),
                            ui::TITLE,
                            ui::TEXT,
                        ));
                    }
                });
            }
            Some(group) => {
                let name = hall
                    .green_group(group)
                    .map(|g| lang.t(&g.name, &g.name_en).to_owned())
                    .unwrap_or_default();
                let subtitle = match lang.0 {
                    lobby_core::Lang::Zh => format!("{name} · 请选择要办理的业务"),
                    lobby_core::Lang::En => format!("{name} · choose a service"),
                };
                header(p, &font, lang, title, &subtitle);
                let categories: Vec<_> = hall.categories_at(config.site.as_ref()).collect();
                let columns = if categories.len() > 8 { 4 } else { 3 };
                p.spawn(grid(columns)).with_children(|p| {
                    for c in categories {
                        p.spawn(ui::button(
                            Action::Category(c.id.clone()),
                            ui::GREEN,
                            Node::default(),
                        ))
                        .with_child(ui::text(
                            &font,
                            lang.t(&c.name, &c.name_en),
                            ui::LABEL,
                            ui::TEXT,
                        ));
                    }
                });
            }
        }
        footer(p, &font, lang);
    });
}

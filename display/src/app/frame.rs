//! What every page shares: the header (centre or site name, offline badge,
//! date and time), the body the pages fill, and the notice at the bottom.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::text::FontSize;
use bevy::ui::ComputedNode;
use jiff::Timestamp;

use super::style::{self, text};
use super::wakeup::Deadlines;
use super::{Config, Hall, Page, Shown};
use crate::board::Link;
use crate::cli::NoticeMode;

/// How long a notice page stays.
pub const NOTICE_PAGE: Duration = Duration::from_secs(8);
/// How often the scrolling notice steps, and by how much.
pub const SCROLL_STEP: Duration = Duration::from_millis(100);
const SCROLL_PX: f32 = 8.0;
/// Notice type size, vh.
const NOTICE_VH: f32 = 3.6;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Notice>()
        .add_systems(Startup, spawn_frame)
        .add_systems(
            Update,
            (
                show_title.run_if(resource_changed::<Hall>),
                paginate_notice.run_if(resource_changed::<Hall>),
                show_badge.run_if(resource_changed::<Shown>),
                show_clock,
                turn_notice,
            )
                .chain(),
        );
}

/// Where pages put their content.
#[derive(Component)]
pub struct Body;

/// The centre's or site's name.
#[derive(Component)]
struct Title;

/// Date and time.
#[derive(Component)]
struct Clock;

/// Shown while the link is down.
#[derive(Component)]
struct OfflineBadge;

/// What the badge says.
#[derive(Component)]
struct BadgeText;

/// The notice's text.
#[derive(Component)]
struct NoticeText;

/// The notice, split into pages that fit the screen.
#[derive(Resource, Default)]
struct Notice {
    pages: Vec<String>,
    page: usize,
    /// When the notice next moves (a page turn or a scroll step).
    next: Option<Instant>,
    scroll_x: f32,
}

fn spawn_frame(mut commands: Commands, mut page: ResMut<NextState<Page>>) {
    page.set(Page::Calls);
    commands
        .spawn(Node {
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            ..default()
        })
        .with_children(|root| {
            root.spawn((
                Node {
                    height: vh(9),
                    padding: UiRect::horizontal(vw(2)),
                    align_items: AlignItems::Center,
                    justify_content: JustifyContent::SpaceBetween,
                    column_gap: vw(2),
                    ..default()
                },
                BackgroundColor(style::BAR),
            ))
            .with_children(|header| {
                header.spawn((Title, text("", 5.0, style::TEXT)));
                header
                    .spawn(Node {
                        align_items: AlignItems::Center,
                        column_gap: vw(1.5),
                        ..default()
                    })
                    .with_children(|right| {
                        right.spawn((
                            OfflineBadge,
                            Node {
                                display: Display::None,
                                padding: UiRect::axes(vw(0.8), vh(0.4)),
                                border_radius: BorderRadius::all(vh(0.8)),
                                ..default()
                            },
                            BackgroundColor(style::OFFLINE),
                            children![(BadgeText, text("", 2.4, style::TEXT))],
                        ));
                        right.spawn((Clock, text("", 3.6, style::TEXT)));
                    });
            });
            root.spawn((
                Body,
                Node {
                    flex_grow: 1.0,
                    padding: UiRect::all(vh(1.5)),
                    column_gap: vh(1.5),
                    ..default()
                },
            ));
            root.spawn((
                Node {
                    height: vh(7),
                    padding: UiRect::horizontal(vw(2)),
                    align_items: AlignItems::Center,
                    overflow: Overflow::clip(),
                    ..default()
                },
                BackgroundColor(style::BAR),
            ))
            .with_children(|footer| {
                footer.spawn((
                    NoticeText,
                    Node {
                        position_type: PositionType::Relative,
                        flex_shrink: 0.0,
                        ..default()
                    },
                    Text::new(""),
                    TextFont {
                        font_size: FontSize::Vh(NOTICE_VH),
                        ..default()
                    },
                    TextColor(style::NUMBER),
                    TextLayout::no_wrap(),
                ));
            });
        });
}

fn show_title(hall: Res<Hall>, config: Res<Config>, mut title: Single<&mut Text, With<Title>>) {
    let Some(view) = &hall.view else {
        return;
    };
    let site = config
        .site
        .as_deref()
        .and_then(|id| view.sites.iter().find(|s| s.id.as_str() == id));
    let name = match site {
        // A sub-centre's display names the sub-centre; the main hall's
        // names the centre.
        Some(s) if view.main_site().is_none_or(|main| main.id != s.id) => s.name.clone(),
        _ => view.centre.name.clone(),
    };
    title.0 = name;
}

fn show_badge(
    shown: Res<Shown>,
    mut badge: Single<&mut Node, With<OfflineBadge>>,
    mut says: Single<&mut Text, With<BadgeText>>,
) {
    let (display, text) = match shown.link() {
        Link::Online => (Display::None, ""),
        Link::Connecting => (Display::Flex, "正在连接服务器"),
        Link::Offline { .. } => (Display::Flex, "离线 · 正在重连"),
    };
    badge.display = display;
    says.0 = text.to_owned();
}

fn show_clock(shown: Res<Shown>, hall: Res<Hall>, mut clock: Single<&mut Text, With<Clock>>) {
    let now = shown
        .server_now(Timestamp::now())
        .to_zoned_datetime(hall.tz.clone());
    const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    let weekday = WEEKDAYS[now.weekday().to_monday_zero_offset() as usize];
    let value = format!(
        "{}年{}月{}日 星期{weekday} {:02}:{:02}",
        now.year(),
        now.month(),
        now.day(),
        now.hour(),
        now.minute()
    );
    // Writing the same text would still relayout it: compare first.
    if clock.0 != value {
        clock.0 = value;
    }
}

fn paginate_notice(
    hall: Res<Hall>,
    config: Res<Config>,
    window: Single<&Window>,
    mut notice: ResMut<Notice>,
    mut deadlines: ResMut<Deadlines>,
    mut shown_text: Single<&mut Text, With<NoticeText>>,
) {
    let text = hall.view.as_ref().map_or("", |v| v.centre.notice.trim());
    // CJK glyphs are about one em wide; leave the padding free.
    let per_line = (window.width() * 0.94 / (window.height() * NOTICE_VH / 100.0)) as usize;
    notice.pages = match config.notice {
        NoticeMode::Pages => notice_pages(text, per_line.max(8)),
        NoticeMode::Scroll if text.is_empty() => Vec::new(),
        NoticeMode::Scroll => vec![text.to_owned()],
    };
    notice.page = 0;
    notice.scroll_x = 0.0;
    shown_text.0 = notice.pages.first().cloned().unwrap_or_default();
    notice.next = match (config.notice, notice.pages.len()) {
        (NoticeMode::Pages, n) if n > 1 => Some(Instant::now() + NOTICE_PAGE),
        (NoticeMode::Scroll, 1) => Some(Instant::now() + SCROLL_STEP),
        _ => None,
    };
    deadlines.notice = notice.next;
}

fn turn_notice(
    config: Res<Config>,
    mut notice: ResMut<Notice>,
    mut deadlines: ResMut<Deadlines>,
    mut shown_text: Single<(&mut Text, &mut Node, &ComputedNode), With<NoticeText>>,
) {
    let Some(next) = notice.next else {
        return;
    };
    let now = Instant::now();
    if now < next {
        return;
    }
    let (text, node, computed) = &mut *shown_text;
    match config.notice {
        NoticeMode::Pages => {
            notice.page = (notice.page + 1) % notice.pages.len();
            text.0 = notice.pages[notice.page].clone();
            notice.next = Some(now + NOTICE_PAGE);
        }
        NoticeMode::Scroll => {
            let width = computed.size().x * computed.inverse_scale_factor();
            notice.scroll_x -= SCROLL_PX;
            if notice.scroll_x < -width {
                notice.scroll_x = 0.0;
            }
            node.left = px(notice.scroll_x);
            notice.next = Some(now + SCROLL_STEP);
        }
    }
    deadlines.notice = notice.next;
}

/// Splits a notice into pages of at most `per_page` columns (a CJK
/// character is two columns' worth of half an em; ASCII one), breaking
/// after sentences where it can.
pub fn notice_pages(text: &str, per_page: usize) -> Vec<String> {
    let width = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    let limit = per_page * 2;
    let mut sentences = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if matches!(c, '。' | '！' | '？' | '；') {
            sentences.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current);
    }
    let mut pages: Vec<String> = Vec::new();
    let mut page = String::new();
    for sentence in sentences {
        let sentence = sentence.trim();
        if width(&page) + width(sentence) <= limit {
            page.push_str(sentence);
            continue;
        }
        if !page.is_empty() {
            pages.push(std::mem::take(&mut page));
        }
        // A sentence longer than a page is cut where it must be.
        for c in sentence.chars() {
            if width(&page) + width(&c.to_string()) > limit {
                pages.push(std::mem::take(&mut page));
            }
            page.push(c);
        }
    }
    if !page.is_empty() {
        pages.push(page);
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_page_at_sentence_ends() {
        let notice = "欢迎来到民乐县政务服务中心。请按号办理，过号请到导服台重新取号。老、弱、病、残、军请走绿色通道。";
        assert_eq!(
            notice_pages(notice, 36),
            vec![
                "欢迎来到民乐县政务服务中心。请按号办理，过号请到导服台重新取号。",
                "老、弱、病、残、军请走绿色通道。"
            ]
        );
        assert_eq!(notice_pages(notice, 100).len(), 1);
        assert!(notice_pages("", 10).is_empty());
        let long = "一".repeat(25);
        assert_eq!(
            notice_pages(&long, 10),
            vec!["一".repeat(10), "一".repeat(10), "一".repeat(5)]
        );
    }
}

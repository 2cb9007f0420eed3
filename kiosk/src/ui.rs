//! Look and feel, and the buttons every screen is built from.
//!
//! Sizes are for the elderly: a touch target is at least 15 mm. On the
//! reference screen, a 21.5" 1920×1080 panel, one inch is
//! √(1920² + 1080²) / 21.5 ≈ 102.5 px, so 15 mm is 15 / 25.4 × 102.5 ≈
//! 61 px. [`MIN_TARGET`] rounds that up to 64 px; the buttons actually used
//! are larger (navigation 96 px high, categories 150 px or more). Text is
//! at least [`BODY`] (30 px ≈ 7.4 mm), descriptions [`SMALL`] (26 px).
//!
//! Colours are white on dark blue, black on yellow and white on dark green:
//! contrast ratios above 7:1 (WCAG AAA).

use bevy::prelude::*;
use bevy::text::FontSource;
use lobby_core::{CategoryId, GroupId, Lang, MatterId};

/// Smallest touch target side in logical pixels (≥ 15 mm, see above).
pub const MIN_TARGET: f32 = 64.0;
/// Height of the back / home buttons.
pub const NAV_HEIGHT: f32 = 96.0;
/// Body text.
pub const BODY: f32 = 30.0;
/// Secondary lines (category descriptions), still ≈ 6.4 mm high.
pub const SMALL: f32 = 26.0;
/// Button labels.
pub const LABEL: f32 = 40.0;
/// Screen titles.
pub const TITLE: f32 = 52.0;
/// The ticket number on the ticket screen.
pub const NUMBER: f32 = 180.0;

/// Page background.
pub const BACKGROUND: Color = Color::srgb(0.04, 0.11, 0.25);
/// Ordinary button.
pub const BUTTON: Color = Color::srgb(0.0, 0.30, 0.60);
/// Pressed button.
pub const PRESSED: Color = Color::srgb(0.0, 0.45, 0.85);
/// Green channel.
pub const GREEN: Color = Color::srgb(0.0, 0.42, 0.18);
/// Warnings and faults.
pub const WARN: Color = Color::srgb(0.95, 0.80, 0.05);
/// Faults (background).
pub const FAULT: Color = Color::srgb(0.65, 0.05, 0.05);
/// Disabled button.
pub const DISABLED: Color = Color::srgb(0.30, 0.30, 0.33);
/// Main text.
pub const TEXT: Color = Color::WHITE;
/// Secondary text (still > 7:1 on the background).
pub const SOFT: Color = Color::srgb(0.85, 0.90, 1.0);

/// What a button does when tapped; the intent recorded for [`Tap`].
#[derive(Component, Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    /// Back to the home screen.
    Home,
    /// One step back.
    Back,
    /// Chinese ⇄ English.
    ToggleLang,
    /// A category (home, green channel, slip mode).
    Category(CategoryId),
    /// A matter of the chosen category.
    Matter(MatterId),
    /// 直接取号: a ticket without choosing a matter.
    NoMatter,
    /// Next page of a list.
    NextPage,
    /// Previous page of a list.
    PrevPage,
    /// Into the green channel (绿色通道).
    GreenChannel,
    /// A green-channel group.
    Group(GroupId),
    /// Into appointment check-in.
    Appointment,
    /// A key of the on-screen keypad.
    Key(char),
    /// Delete the last character typed.
    Delete,
    /// Check the typed appointment code in.
    CheckIn,
    /// Print the one-time notification slip of the ticket's matter.
    PrintSlip,
    /// Print the ticket again after a printer fault.
    Reprint,
    /// Guide desk: toggle 帮办代办 for the next ticket.
    ToggleAssisted,
    /// Guide desk: pick a matter to print its slip, without a ticket.
    SlipMode,
}

impl Action {
    /// A stable name for logs and the layout dump (`category:bdc`).
    pub fn name(&self) -> String {
        match self {
            Action::Home => "home".into(),
            Action::Back => "back".into(),
            Action::ToggleLang => "lang".into(),
            Action::Category(c) => format!("category:{c}"),
            Action::Matter(m) => format!("matter:{m}"),
            Action::NoMatter => "no_matter".into(),
            Action::NextPage => "next_page".into(),
            Action::PrevPage => "prev_page".into(),
            Action::GreenChannel => "green_channel".into(),
            Action::Group(g) => format!("group:{g}"),
            Action::Appointment => "appointment".into(),
            Action::Key(k) => format!("key:{k}"),
            Action::Delete => "delete".into(),
            Action::CheckIn => "check_in".into(),
            Action::PrintSlip => "print_slip".into(),
            Action::Reprint => "reprint".into(),
            Action::ToggleAssisted => "assisted".into(),
            Action::SlipMode => "slip_mode".into(),
        }
    }
}

/// A button that is shown but does nothing now (reprint while the printer
/// is still out of paper).
#[derive(Component, Debug, Clone, Copy)]
pub struct Disabled;

/// A tap on a button: the visitor's intent, applied by the flow.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub struct Tap(pub Action);

/// The language on screen.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UiLang(pub Lang);

impl UiLang {
    /// Chinese or English text.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        self.0.pick(zh, en)
    }
}

/// The CJK font every text uses.
#[derive(Resource, Debug, Clone, Default)]
pub struct KioskFont(pub FontSource);

/// The root node of a screen; screens rebuild by despawning theirs.
#[derive(Component, Debug, Clone, Copy)]
pub struct ScreenRoot;

/// Records taps: a click on a button (or on its text, which bubbles up)
/// becomes a [`Tap`]. Disabled buttons swallow the click.
pub fn record_tap(
    mut click: On<bevy::picking::events::Pointer<bevy::picking::events::Click>>,
    buttons: Query<(&Action, Has<Disabled>)>,
    mut taps: MessageWriter<Tap>,
) {
    if let Ok((action, disabled)) = buttons.get(click.entity) {
        click.propagate(false);
        if !disabled {
            debug!("tap {}", action.name());
            taps.write(Tap(action.clone()));
        }
    }
}

/// Centred text with the kiosk font.
pub fn text(font: &KioskFont, s: impl Into<String>, size: f32, color: Color) -> impl Bundle {
    text_justified(font, s, size, color, Justify::Center)
}

/// Left-aligned text with the kiosk font.
pub fn text_left(font: &KioskFont, s: impl Into<String>, size: f32, color: Color) -> impl Bundle {
    text_justified(font, s, size, color, Justify::Left)
}

fn text_justified(
    font: &KioskFont,
    s: impl Into<String>,
    size: f32,
    color: Color,
    justify: Justify,
) -> impl Bundle {
    (
        Text::new(s),
        TextFont {
            font: font.0.clone(),
            font_size: FontSize::Px(size),
            ..default()
        },
        TextColor(color),
        TextLayout::justify(justify),
        // Labels are not hit: the pointer lands on the button itself.
        bevy::picking::Pickable::IGNORE,
    )
}

/// A button node: a column centring its content. The caller adds the size
/// and children.
pub fn button(action: Action, color: Color, node: Node) -> impl Bundle {
    (
        Button,
        action,
        Node {
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            min_width: px(MIN_TARGET),
            min_height: px(MIN_TARGET),
            padding: UiRect::all(px(8)),
            border: UiRect::all(px(3)),
            border_radius: BorderRadius::all(px(16)),
            row_gap: px(4),
            ..node
        },
        BorderColor::all(Color::WHITE),
        BackgroundColor(color),
        ButtonColor(color),
    )
}

/// A button's resting colour, restored after the press highlight.
#[derive(Component, Debug, Clone, Copy)]
pub struct ButtonColor(pub Color);

/// Shows presses: a pressed button lights up, disabled ones stay grey.
pub fn highlight_presses(
    mut buttons: Query<
        (
            &Interaction,
            &ButtonColor,
            Has<Disabled>,
            &mut BackgroundColor,
        ),
        Changed<Interaction>,
    >,
) {
    for (interaction, rest, disabled, mut bg) in &mut buttons {
        bg.0 = match (interaction, disabled) {
            (_, true) => DISABLED,
            (Interaction::Pressed, false) => PRESSED,
            _ => rest.0,
        };
    }
}

/// A full-window column with the screen's marker.
pub fn root<S: States>(screen: S) -> impl Bundle {
    (
        ScreenRoot,
        DespawnOnExit(screen),
        Node {
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Stretch,
            padding: UiRect::all(px(16)),
            row_gap: px(12),
            ..default()
        },
        BackgroundColor(BACKGROUND),
    )
}

//! Colours and type sizes. Sizes are in viewport height (`vh`) so the
//! layout holds from a 1366×768 panel to a 4K wall.

use bevy::prelude::*;
use bevy::text::FontSize;

/// The wall's background: deep blue, readable from afar with white text.
pub const BACKGROUND: Color = Color::srgb(0.04, 0.11, 0.26);
/// Header and footer bars.
pub const BAR: Color = Color::srgb(0.06, 0.17, 0.38);
/// Panels.
pub const PANEL: Color = Color::srgb(0.07, 0.20, 0.42);
/// The newest call while highlighted.
pub const HIGHLIGHT: Color = Color::srgb(0.78, 0.12, 0.12);
/// Plain text.
pub const TEXT: Color = Color::WHITE;
/// Secondary text.
pub const DIM: Color = Color::srgb(0.72, 0.78, 0.88);
/// Ticket numbers.
pub const NUMBER: Color = Color::srgb(1.0, 0.84, 0.29);
/// The green-channel mark.
pub const GREEN: Color = Color::srgb(0.18, 0.55, 0.20);
/// The offline badge.
pub const OFFLINE: Color = Color::srgb(0.55, 0.33, 0.0);

/// A text of `size` vh in `color`.
pub fn text(value: impl Into<String>, size: f32, color: Color) -> impl Bundle {
    (
        Text::new(value),
        TextFont {
            font_size: FontSize::Vh(size),
            ..default()
        },
        TextColor(color),
        // Chinese breaks between any two characters. (Parley still asks
        // ICU for a Chinese word model it lacks and prints "ICU4X data
        // error" on stderr; text renders correctly all the same.)
        TextLayout::linebreak(LineBreak::AnyCharacter),
    )
}

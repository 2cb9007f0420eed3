//! A printed document as lines and blocks, and its encoding into ESC/POS.
//!
//! Tickets and slips are laid out here in printer columns (wrapping is
//! done before encoding, so the printer never wraps by itself), then
//! [`Document::encode`] turns them into bytes for one [`Profile`]: text in
//! the printer's GB18030 font where it can, a raster image for a line the
//! font cannot print, native or raster QR.

use crate::escpos::{Align, Stream};
use crate::profile::{ChineseFont, Cut, Profile, QrMode};
use crate::raster::{self, RasterFont};
use crate::text;

/// How a line of text looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Alignment.
    pub align: Align,
    /// Width factor (1–8).
    pub wide: u8,
    /// Height factor (1–8).
    pub high: u8,
    /// Emphasised.
    pub bold: bool,
    /// White on black.
    pub reverse: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            align: Align::Left,
            wide: 1,
            high: 1,
            bold: false,
            reverse: false,
        }
    }
}

impl Style {
    /// Plain left-aligned text.
    pub fn left() -> Style {
        Style::default()
    }

    /// Plain centred text.
    pub fn centre() -> Style {
        Style {
            align: Align::Centre,
            ..Style::default()
        }
    }

    /// The same, in bold.
    pub fn bold(self) -> Style {
        Style { bold: true, ..self }
    }

    /// The same, enlarged.
    pub fn sized(self, wide: u8, high: u8) -> Style {
        Style { wide, high, ..self }
    }

    /// The same, white on black.
    pub fn reversed(self) -> Style {
        Style {
            reverse: true,
            ..self
        }
    }
}

/// One element of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// One printed line; it fits the paper at its size.
    Line {
        /// The text.
        text: String,
        /// Its look.
        style: Style,
    },
    /// A QR code, centred.
    Qr {
        /// The encoded text (a URL).
        data: String,
        /// Dots per module.
        module: u8,
    },
    /// Blank lines.
    Feed(u8),
}

/// A document: blocks laid out for a number of columns, ending in a cut.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Text columns at normal size.
    pub columns: usize,
    /// The blocks, top to bottom.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document for `columns` columns.
    pub fn new(columns: usize) -> Document {
        Document {
            columns,
            blocks: Vec::new(),
        }
    }

    /// Adds `text`, wrapped to the paper at its style's size. The first
    /// line is indented by `first` columns, the following ones by `rest`
    /// (a hanging indent for numbered lists). Centred paragraphs are
    /// balanced: their lines are made about equally long, so that a
    /// ticket never ends a paragraph with one lonely character.
    pub fn para(&mut self, text: &str, style: Style, first: usize, rest: usize) {
        let cols = self.columns / usize::from(style.wide.max(1));
        let wrap = |w: usize| text::wrap(text, w.saturating_sub(first), w.saturating_sub(rest));
        let mut lines = wrap(cols);
        if style.align == Align::Centre && lines.len() > 1 {
            let mut w = cols;
            while w > 8 && wrap(w - 1).len() == lines.len() {
                w -= 1;
            }
            lines = wrap(w);
        }
        for (i, line) in lines.into_iter().enumerate() {
            let indent = if i == 0 { first } else { rest };
            self.blocks.push(Block::Line {
                text: format!("{}{line}", " ".repeat(indent)),
                style,
            });
        }
    }

    /// Adds a label and its value: `label` then the value wrapped under
    /// itself ("收费标准：住宅 80 元/件…" with continuation lines aligned
    /// after the label), or on lines of their own where the label is wide.
    pub fn field(&mut self, label: &str, value: &str) {
        let lw = text::width(label);
        if lw * 3 > self.columns {
            self.para(label, Style::left().bold(), 0, 0);
            self.para(value, Style::left(), 0, 0);
            return;
        }
        let lines = text::wrap(value, self.columns - lw, self.columns - lw);
        for (i, line) in lines.into_iter().enumerate() {
            let text = if i == 0 {
                format!("{label}{line}")
            } else {
                format!("{}{line}", " ".repeat(lw))
            };
            self.blocks.push(Block::Line {
                text,
                style: Style::left(),
            });
        }
    }

    /// Adds a full-width rule of `c` (ASCII, one column each).
    pub fn rule(&mut self, c: char) {
        self.blocks.push(Block::Line {
            text: c.to_string().repeat(self.columns),
            style: Style::left(),
        });
    }

    /// Adds one line as it is (it must fit).
    pub fn line(&mut self, text: impl Into<String>, style: Style) {
        self.blocks.push(Block::Line {
            text: text.into(),
            style,
        });
    }

    /// Encodes the document for `profile`. `font` draws lines the printer
    /// cannot print itself; without it, such characters print as `?`.
    pub fn encode(&self, profile: &Profile, font: Option<&RasterFont>) -> Vec<u8> {
        let mut enc = Encoder {
            out: Stream::default(),
            profile,
            font,
            state: Style::default(),
        };
        enc.out.reset();
        if profile.chinese != ChineseFont::None {
            enc.out.chinese_on();
        }
        for block in &self.blocks {
            match block {
                Block::Line { text, style } => enc.line(text, *style),
                Block::Qr { data, module } => enc.qr(data, *module),
                Block::Feed(n) => {
                    enc.out.feed(*n);
                }
            }
        }
        enc.set(Style {
            align: enc.state.align,
            ..Style::default()
        });
        match profile.cut {
            // Feed so that the last line clears the cutter, then cut.
            Cut::Full => enc.out.cut(true, 3),
            Cut::Partial => enc.out.cut(false, 3),
            Cut::None => enc.out.feed(4),
        }
        enc.out.bytes
    }
}

struct Encoder<'a> {
    out: Stream,
    profile: &'a Profile,
    font: Option<&'a RasterFont>,
    /// The printer's current modes, so that only changes are sent.
    state: Style,
}

impl Encoder<'_> {
    fn set(&mut self, want: Style) {
        if want.align != self.state.align {
            self.out.align(want.align);
        }
        if (want.wide, want.high) != (self.state.wide, self.state.high) {
            self.out.size(want.wide, want.high);
        }
        if want.bold != self.state.bold {
            self.out.bold(want.bold);
        }
        if want.reverse != self.state.reverse {
            self.out.reverse(want.reverse);
        }
        self.state = want;
    }

    fn line(&mut self, line: &str, style: Style) {
        let (fitted, missing) = text::fit_to_font(line, self.profile.chinese);
        match (missing, self.font) {
            (false, _) => {
                self.set(style);
                self.out.text(&text::encode(&fitted));
                self.out.line_feed();
            }
            // The drawn line keeps the original characters: substitutes are
            // only for text the printer's font must print.
            (true, Some(font)) => self.raster_line(line, style, font),
            (true, None) => {
                // Nothing can draw these characters: mark them, keep the
                // layout (one column for one question mark would shift
                // the rest, so two).
                let shown: String = fitted
                    .chars()
                    .map(|c| {
                        if text::covered(c, self.profile.chinese) {
                            c.to_string()
                        } else if c.is_ascii() {
                            "?".into()
                        } else {
                            "??".into()
                        }
                    })
                    .collect();
                self.set(style);
                self.out.text(&text::encode(&shown));
                self.out.line_feed();
            }
        }
    }

    fn raster_line(&mut self, line: &str, style: Style, font: &RasterFont) {
        let glyphs = font.line(line, 12, 24, style.bold);
        // 2×2 text goes at 1×1 and the printer doubles it (a quarter of the
        // bytes); other sizes are enlarged here.
        let double = (style.wide, style.high) == (2, 2);
        let (sx, sy) = if double {
            (1, 1)
        } else {
            (u32::from(style.wide), u32::from(style.high))
        };
        let mut big = raster::scale(&glyphs, sx, sy);
        if style.reverse {
            for b in &mut big.bytes {
                *b = !*b;
            }
        }
        let factor = if double { 2 } else { 1 };
        let dots = self.profile.paper.dots() / factor;
        let left = match style.align {
            Align::Left => 0,
            Align::Centre => dots.saturating_sub(big.width) / 2,
            Align::Right => dots.saturating_sub(big.width),
        };
        let placed = raster::place(&big, dots, left);
        // The image carries its own alignment; print it from the left edge.
        self.set(Style {
            align: Align::Left,
            ..self.state
        });
        self.out.raster(&trim_right(placed), double);
    }

    fn qr(&mut self, data: &str, module: u8) {
        self.set(Style {
            align: Align::Centre,
            ..Style::default()
        });
        match self.profile.qr {
            QrMode::Native => self.out.qr(data.as_bytes(), module),
            QrMode::Raster => {
                // Modules of an even size are sent at half size and
                // doubled by the printer.
                let double = module.is_multiple_of(2);
                let m = u32::from(if double { module / 2 } else { module });
                if let Some(bitmap) = raster::qr(data, m) {
                    self.out.raster(&bitmap, double);
                }
            }
        }
    }
}

/// Drops white bytes at the right of every row (a smaller image prints the
/// same from the left edge).
fn trim_right(b: raster::Bitmap) -> raster::Bitmap {
    let row = (b.width / 8) as usize;
    if row == 0 || b.height == 0 {
        return b;
    }
    let used = (0..b.height as usize)
        .map(|y| {
            b.bytes[y * row..(y + 1) * row]
                .iter()
                .rposition(|&x| x != 0)
                .map_or(0, |i| i + 1)
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = raster::Bitmap::new(used as u32 * 8, b.height);
    for y in 0..b.height as usize {
        out.bytes[y * used..(y + 1) * used].copy_from_slice(&b.bytes[y * row..y * row + used]);
    }
    out
}

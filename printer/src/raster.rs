//! Raster images: one-bit bitmaps sent with `GS v 0`.
//!
//! Only a fallback. A rasterised line of text costs 72 bytes per dot row on
//! 80 mm paper (1,728 bytes for a 24-dot line, against ~30 bytes as text),
//! so the encoder rasterises a line only when the printer's font lacks one
//! of its characters, and a QR code only when the profile says the printer
//! has no `GS ( k`.

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};

/// A one-bit image, rows of bits, most significant bit leftmost, as
/// `GS v 0` takes it. `true` is a black dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    /// Width in dots (a multiple of 8).
    pub width: u32,
    /// Height in dots.
    pub height: u32,
    /// `height` rows of `width / 8` bytes.
    pub bytes: Vec<u8>,
}

impl Bitmap {
    /// A white bitmap; `width` is rounded up to a multiple of 8.
    pub fn new(width: u32, height: u32) -> Bitmap {
        let width = width.div_ceil(8) * 8;
        Bitmap {
            width,
            height,
            bytes: vec![0; (width / 8 * height) as usize],
        }
    }

    /// Blackens one dot; dots outside are ignored.
    pub fn set(&mut self, x: u32, y: u32) {
        if x < self.width && y < self.height {
            let i = (y * self.width / 8 + x / 8) as usize;
            self.bytes[i] |= 0x80 >> (x % 8);
        }
    }

    /// Whether a dot is black.
    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width
            && y < self.height
            && self.bytes[(y * self.width / 8 + x / 8) as usize] & (0x80 >> (x % 8)) != 0
    }
}

/// A TrueType/OpenType font (or one face of a collection) for rasterised
/// lines. The caller loads the file; rendering itself does no I/O.
pub struct RasterFont {
    font: FontVec,
}

impl std::fmt::Debug for RasterFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RasterFont")
    }
}

/// The font data is not a font ab_glyph can read.
#[derive(Debug, thiserror::Error)]
#[error("not a usable TrueType/OpenType font: {0}")]
pub struct FontError(String);

impl RasterFont {
    /// Reads a font from the bytes of a `.ttf`, `.otf` or `.ttc` file
    /// (the first face of a collection).
    pub fn from_bytes(data: Vec<u8>) -> Result<RasterFont, FontError> {
        FontVec::try_from_vec_and_index(data, 0)
            .map(|font| RasterFont { font })
            .map_err(|e| FontError(e.to_string()))
    }

    /// Whether the font has a glyph for `c`.
    pub fn has(&self, c: char) -> bool {
        self.font.glyph_id(c).0 != 0
    }

    /// Draws `text` on a line `height` dots high; each text column is
    /// `column` dots wide (a Chinese character takes two). Characters the
    /// font lacks are left blank. `bold` draws every glyph twice, one dot
    /// apart, like the printer's emphasised mode.
    pub fn line(&self, text: &str, column: u32, height: u32, bold: bool) -> Bitmap {
        let cols: usize = crate::text::width(text);
        let mut bitmap = Bitmap::new(cols as u32 * column, height);
        // A CJK glyph fills its em square: size the em to the line height,
        // a little smaller so that ascenders and descenders stay inside.
        let scale = PxScale::from(height as f32 * 0.92);
        let scaled = self.font.as_scaled(scale);
        let baseline =
            (height as f32 - (scaled.ascent() - scaled.descent())) / 2.0 + scaled.ascent();
        let mut x = 0u32;
        for c in text.chars() {
            let w = crate::text::columns(c) as u32 * column;
            if w == 0 {
                continue;
            }
            let id = self.font.glyph_id(c);
            if id.0 != 0 {
                // Centre the glyph in its cell: the printer's cells are fixed.
                let advance = scaled.h_advance(id);
                let left = x as f32 + (w as f32 - advance) / 2.0;
                let glyph = id.with_scale_and_position(scale, point(left, baseline));
                if let Some(outline) = self.font.outline_glyph(glyph) {
                    let bounds = outline.px_bounds();
                    outline.draw(|gx, gy, coverage| {
                        if coverage >= 0.5 {
                            let px = bounds.min.x as i64 + i64::from(gx);
                            let py = bounds.min.y as i64 + i64::from(gy);
                            if px >= 0 && py >= 0 {
                                bitmap.set(px as u32, py as u32);
                                if bold {
                                    bitmap.set(px as u32 + 1, py as u32);
                                }
                            }
                        }
                    });
                }
            }
            x += w;
        }
        bitmap
    }
}

/// Enlarges a bitmap by whole factors (like `GS !` does for text).
pub fn scale(src: &Bitmap, sx: u32, sy: u32) -> Bitmap {
    let mut out = Bitmap::new(src.width * sx, src.height * sy);
    for y in 0..out.height {
        for x in 0..out.width {
            if src.get(x / sx, y / sy) {
                out.set(x, y);
            }
        }
    }
    out
}

/// Places `src` on a white line `width` dots wide at `left`.
pub fn place(src: &Bitmap, width: u32, left: u32) -> Bitmap {
    let mut out = Bitmap::new(width, src.height);
    for y in 0..src.height {
        for x in 0..src.width {
            if src.get(x, y) {
                out.set(left + x, y);
            }
        }
    }
    out
}

/// A QR code as a bitmap, `module` dots per module, with no quiet zone
/// (the printer's `GS ( k` prints none either; the paper around is white).
pub fn qr(data: &str, module: u32) -> Option<Bitmap> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).ok()?;
    let n = code.width() as u32;
    let colors = code.to_colors();
    let mut bitmap = Bitmap::new(n * module, n * module);
    for y in 0..n * module {
        for x in 0..n * module {
            if colors[((y / module) * n + x / module) as usize] == qrcode::Color::Dark {
                bitmap.set(x, y);
            }
        }
    }
    Some(bitmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_msb_first() {
        let mut b = Bitmap::new(10, 1);
        assert_eq!(b.width, 16);
        b.set(0, 0);
        b.set(9, 0);
        assert_eq!(b.bytes, [0x80, 0x40]);
        assert!(b.get(9, 0) && !b.get(8, 0));
    }

    #[test]
    fn qr_bitmap_has_finder_patterns() {
        let b = qr("https://lobby.example/t/x", 2).unwrap();
        // Top-left finder: a 7×7 black square outline, 14×14 dots at module 2.
        assert!(b.get(0, 0) && b.get(13, 0) && b.get(0, 13));
        assert!(!b.get(2, 2)); // the white ring inside it
        assert!(b.get(4, 4)); // the black centre
    }
}

//! The ESC/POS commands Lobby sends, as bytes. Nothing else in the crate
//! writes a control byte; [`crate::describe`] decodes the same set.
//!
//! References: the Epson ESC/POS Command Reference for TM printers, and
//! the Chinese-mode commands (`FS &`, `FS .`) common to printers sold in
//! China (Xprinter, Rongta, GPrinter, SNBC…).

/// Line feed: prints the line buffer and advances one line.
pub const LF: u8 = 0x0A;
/// Data link escape (real-time commands).
pub const DLE: u8 = 0x10;
/// End of transmission (after DLE: real-time status).
pub const EOT: u8 = 0x04;
/// Escape.
pub const ESC: u8 = 0x1B;
/// File separator (Chinese / Kanji commands).
pub const FS: u8 = 0x1C;
/// Group separator.
pub const GS: u8 = 0x1D;

/// Horizontal alignment (`ESC a n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Left (the state after `ESC @`).
    #[default]
    Left,
    /// Centred.
    Centre,
    /// Right.
    Right,
}

/// Appends commands to a byte buffer.
#[derive(Debug, Default)]
pub struct Stream {
    /// The bytes so far.
    pub bytes: Vec<u8>,
}

impl Stream {
    /// `ESC @`: reset the printer's modes. Also turns Chinese mode off,
    /// so [`Stream::chinese_on`] must follow it.
    pub fn reset(&mut self) {
        self.bytes.extend([ESC, b'@']);
    }

    /// `FS &`: Chinese mode on. Bytes 0x81–0xFE start double-byte
    /// GB18030 codes printed with the printer's own font. No code page
    /// (`ESC t`) is ever selected: a single-byte page would turn the lead
    /// bytes into Latin letters on some printers.
    pub fn chinese_on(&mut self) {
        self.bytes.extend([FS, b'&']);
    }

    /// `ESC a n`.
    pub fn align(&mut self, align: Align) {
        let n = match align {
            Align::Left => 0,
            Align::Centre => 1,
            Align::Right => 2,
        };
        self.bytes.extend([ESC, b'a', n]);
    }

    /// `GS ! n`: character size, 1–8 times wide and high.
    pub fn size(&mut self, wide: u8, high: u8) {
        let n = ((wide.clamp(1, 8) - 1) << 4) | (high.clamp(1, 8) - 1);
        self.bytes.extend([GS, b'!', n]);
    }

    /// `ESC E n`: emphasised (bold) on or off.
    pub fn bold(&mut self, on: bool) {
        self.bytes.extend([ESC, b'E', u8::from(on)]);
    }

    /// `GS B n`: white on black on or off.
    pub fn reverse(&mut self, on: bool) {
        self.bytes.extend([GS, b'B', u8::from(on)]);
    }

    /// Raw text bytes (already encoded).
    pub fn text(&mut self, encoded: &[u8]) {
        self.bytes.extend(encoded);
    }

    /// `LF`.
    pub fn line_feed(&mut self) {
        self.bytes.push(LF);
    }

    /// `ESC d n`: print and feed `n` lines.
    pub fn feed(&mut self, lines: u8) {
        self.bytes.extend([ESC, b'd', lines]);
    }

    /// `GS V m n`: feed `n` lines (so that the last line clears the
    /// cutter) and cut; `full` or partial.
    pub fn cut(&mut self, full: bool, feed: u8) {
        self.bytes
            .extend([GS, b'V', if full { 65 } else { 66 }, feed]);
    }

    /// `GS ( k` QR code, model 2: select model, module size, error
    /// correction M, store the data, print it. 41 bytes plus the data.
    pub fn qr(&mut self, data: &[u8], module: u8) {
        self.bytes.extend([GS, b'(', b'k', 4, 0, 49, 65, 50, 0]);
        self.bytes
            .extend([GS, b'(', b'k', 3, 0, 49, 67, module.clamp(1, 16)]);
        self.bytes.extend([GS, b'(', b'k', 3, 0, 49, 69, 49]);
        let len = data.len() + 3;
        self.bytes.extend([
            GS,
            b'(',
            b'k',
            (len % 256) as u8,
            (len / 256) as u8,
            49,
            80,
            48,
        ]);
        self.bytes.extend(data);
        self.bytes.extend([GS, b'(', b'k', 3, 0, 49, 81, 48]);
    }

    /// `GS v 0 m`: a raster image, printed at the current alignment;
    /// `double` has the printer double its width and height (m = 3), which
    /// sends a quarter of the bytes for the same picture.
    pub fn raster(&mut self, bitmap: &crate::raster::Bitmap, double: bool) {
        let x = bitmap.width / 8;
        let y = bitmap.height;
        self.bytes.extend([
            GS,
            b'v',
            b'0',
            if double { 3 } else { 0 },
            (x % 256) as u8,
            (x / 256) as u8,
            (y % 256) as u8,
            (y / 256) as u8,
        ]);
        self.bytes.extend(&bitmap.bytes);
    }
}

/// `DLE EOT n` for n = 1 (printer), 2 (offline cause) and 4 (paper
/// sensor), back to back: three real-time queries, nine bytes. The
/// `escpos` crate appends a fourth byte to each query, which printers then
/// read as print data; these have none.
pub const STATUS_QUERIES: [u8; 9] = [DLE, EOT, 1, DLE, EOT, 2, DLE, EOT, 4];

//! An ESC/POS byte stream in human terms, for support staff and for
//! readable test snapshots: `ESC @  reset`, `"民乐县…" LF`, `GS ( k  QR …`.
//!
//! The decoder knows the commands Lobby sends and the common ones other
//! software sends; anything else is shown as hex and decoding goes on at
//! the next byte.

use std::fmt::Write as _;

use encoding_rs::GB18030;

use crate::escpos::{DLE, EOT, ESC, FS, GS, LF};
use crate::profile::transfer_time;

/// One decoded element of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A command: its name as in the manuals (`GS ! 0x11`) and what it does.
    Command {
        /// Mnemonic with parameters.
        code: String,
        /// Meaning in plain words.
        meaning: String,
    },
    /// Printable text, decoded (GB18030 in Chinese mode); `lf` when a line
    /// feed follows it directly.
    Text {
        /// The text.
        text: String,
        /// Followed by LF.
        lf: bool,
    },
    /// Bytes that form no known command.
    Unknown(Vec<u8>),
}

/// What a stream contains, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Total bytes.
    pub bytes: usize,
    /// Printed text lines.
    pub text_lines: usize,
    /// QR codes printed.
    pub qr_codes: usize,
    /// Raster images.
    pub raster_images: usize,
    /// Bytes inside raster images.
    pub raster_bytes: usize,
    /// Cuts.
    pub cuts: usize,
    /// Unknown bytes.
    pub unknown: usize,
}

fn cmd(code: impl Into<String>, meaning: impl Into<String>) -> Item {
    Item::Command {
        code: code.into(),
        meaning: meaning.into(),
    }
}

/// Decodes a stream into items and a summary.
pub fn decode(bytes: &[u8]) -> (Vec<Item>, Summary) {
    let mut items = Vec::new();
    let mut sum = Summary {
        bytes: bytes.len(),
        ..Summary::default()
    };
    let mut chinese = false;
    let mut i = 0;
    let at = |k: usize| bytes.get(k).copied();
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0x20 {
            let end = bytes[i..]
                .iter()
                .position(|&x| x < 0x20)
                .map_or(bytes.len(), |p| i + p);
            let run = &bytes[i..end];
            let text = if chinese {
                GB18030.decode_without_bom_handling(run).0.into_owned()
            } else {
                run.iter()
                    .map(|&c| {
                        if c < 0x80 {
                            (c as char).to_string()
                        } else {
                            format!("\\x{c:02x}")
                        }
                    })
                    .collect()
            };
            let lf = at(end) == Some(LF);
            if lf {
                sum.text_lines += 1;
            }
            items.push(Item::Text { text, lf });
            i = end + usize::from(lf);
            continue;
        }
        let (item, len) = match (b, at(i + 1), at(i + 2)) {
            (LF, _, _) => {
                sum.text_lines += 1;
                (cmd("LF", "print the line, next line"), 1)
            }
            (0x0D, _, _) => (cmd("CR", "carriage return"), 1),
            (0x09, _, _) => (cmd("HT", "tab"), 1),
            (ESC, Some(b'@'), _) => {
                chinese = false;
                (cmd("ESC @", "reset (Chinese mode off)"), 2)
            }
            (FS, Some(b'&'), _) => {
                chinese = true;
                (cmd("FS &", "Chinese mode on: GB18030 double-byte text"), 2)
            }
            (FS, Some(b'.'), _) => {
                chinese = false;
                (cmd("FS .", "Chinese mode off"), 2)
            }
            (ESC, Some(b'a'), Some(n)) => {
                let what = match n % 48 {
                    0 => "align left",
                    1 => "align centre",
                    2 => "align right",
                    _ => "align ?",
                };
                (cmd(format!("ESC a {n}"), what), 3)
            }
            (GS, Some(b'!'), Some(n)) => {
                let (w, h) = ((n >> 4) + 1, (n & 7) + 1);
                (cmd(format!("GS ! 0x{n:02x}"), format!("size {w}×{h}")), 3)
            }
            (ESC, Some(b'!'), Some(n)) => (cmd(format!("ESC ! 0x{n:02x}"), "print mode"), 3),
            (ESC, Some(b'E'), Some(n)) => {
                let what = if n & 1 == 1 { "bold on" } else { "bold off" };
                (cmd(format!("ESC E {n}"), what), 3)
            }
            (GS, Some(b'B'), Some(n)) => {
                let what = if n & 1 == 1 {
                    "white on black on"
                } else {
                    "white on black off"
                };
                (cmd(format!("GS B {n}"), what), 3)
            }
            (ESC, Some(b'-'), Some(n)) => (cmd(format!("ESC - {n}"), "underline"), 3),
            (ESC, Some(b'M'), Some(n)) => (cmd(format!("ESC M {n}"), "font"), 3),
            (ESC, Some(b'2'), _) => (cmd("ESC 2", "default line spacing"), 2),
            (ESC, Some(b'3'), Some(n)) => (cmd(format!("ESC 3 {n}"), "line spacing"), 3),
            (ESC, Some(b'd'), Some(n)) => {
                sum.text_lines += usize::from(n > 0);
                (cmd(format!("ESC d {n}"), format!("feed {n} lines")), 3)
            }
            (ESC, Some(b'J'), Some(n)) => (cmd(format!("ESC J {n}"), format!("feed {n} dots")), 3),
            (ESC, Some(b't'), Some(n)) => (
                cmd(
                    format!("ESC t {n}"),
                    "select single-byte code page (breaks Chinese)",
                ),
                3,
            ),
            (GS, Some(b'V'), Some(m)) => {
                sum.cuts += 1;
                let kind = if m % 48 == 0 || m == 65 {
                    "full"
                } else {
                    "partial"
                };
                if m >= 65 {
                    let n = at(i + 3).unwrap_or(0);
                    (
                        cmd(
                            format!("GS V {m} {n}"),
                            format!("feed {n} lines, {kind} cut"),
                        ),
                        4,
                    )
                } else {
                    (cmd(format!("GS V {m}"), format!("{kind} cut")), 3)
                }
            }
            (DLE, Some(EOT), Some(n)) => {
                let what = match n {
                    1 => "real-time status: printer",
                    2 => "real-time status: offline cause",
                    3 => "real-time status: error cause",
                    4 => "real-time status: paper sensor",
                    _ => "real-time status: ?",
                };
                (cmd(format!("DLE EOT {n}"), what), 3)
            }
            (GS, Some(b'r'), Some(n)) => (cmd(format!("GS r {n}"), "transmit status"), 3),
            (GS, Some(b'('), Some(b'k')) => match (at(i + 3), at(i + 4)) {
                (Some(pl), Some(ph)) => {
                    let len = usize::from(pl) + 256 * usize::from(ph);
                    let body = bytes.get(i + 5..i + 5 + len).unwrap_or(&bytes[i + 5..]);
                    (qr_item(body, &mut sum), 5 + len)
                }
                _ => (Item::Unknown(bytes[i..].to_vec()), bytes.len() - i),
            },
            (GS, Some(b'v'), Some(b'0')) => {
                let p: Vec<usize> = (3..8)
                    .map(|k| usize::from(at(i + k).unwrap_or(0)))
                    .collect();
                let (m, x, y) = (p[0], p[1] + 256 * p[2], p[3] + 256 * p[4]);
                sum.raster_images += 1;
                sum.raster_bytes += x * y;
                let (sx, sy) = match m % 48 {
                    1 => (2, 1),
                    2 => (1, 2),
                    3 => (2, 2),
                    _ => (1, 1),
                };
                let scaled = if (sx, sy) == (1, 1) {
                    String::new()
                } else {
                    format!(", printed ×{sx}×{sy}")
                };
                (
                    cmd(
                        format!("GS v 0 {m}"),
                        format!("raster image {}×{y} dots ({} bytes){scaled}", x * 8, x * y),
                    ),
                    8 + x * y,
                )
            }
            (ESC | FS | GS | DLE, Some(_), _) => (Item::Unknown(bytes[i..i + 2].to_vec()), 2),
            _ => (Item::Unknown(vec![b]), 1),
        };
        if let Item::Unknown(u) = &item {
            sum.unknown += u.len();
        }
        items.push(item);
        i += len;
    }
    (items, sum)
}

fn qr_item(body: &[u8], sum: &mut Summary) -> Item {
    let (cn, fn_, arg) = (body.first(), body.get(1), body.get(2));
    let code = |what: &str| format!("GS ( k {what}");
    match (cn, fn_, arg) {
        (Some(49), Some(65), Some(m)) => cmd(code("QR 165"), format!("QR model {}", m - 48)),
        (Some(49), Some(67), Some(n)) => cmd(code("QR 167"), format!("QR module {n} dots")),
        (Some(49), Some(69), Some(n)) => {
            let level = ["L", "M", "Q", "H"]
                .get(usize::from(n.saturating_sub(48)))
                .unwrap_or(&"?");
            cmd(code("QR 169"), format!("QR error correction {level}"))
        }
        (Some(49), Some(80), Some(48)) => cmd(
            code("QR 180"),
            format!(
                "QR store {:?} ({} bytes)",
                String::from_utf8_lossy(&body[3..]),
                body.len() - 3
            ),
        ),
        (Some(49), Some(81), Some(48)) => {
            sum.qr_codes += 1;
            cmd(code("QR 181"), "QR print")
        }
        _ => cmd(
            code("?"),
            format!("2D code function ({} bytes)", body.len()),
        ),
    }
}

/// The whole stream as text, one item per line, with a summary at the end.
pub fn describe(bytes: &[u8]) -> String {
    let (items, sum) = decode(bytes);
    let mut out = String::new();
    for item in &items {
        // Writing to a String cannot fail.
        let _ = match item {
            Item::Command { code, meaning } => writeln!(out, "{code:<18}{meaning}"),
            Item::Text { text, lf } => {
                writeln!(out, "{:?}{}", text, if *lf { " LF" } else { "" })
            }
            Item::Unknown(b) => {
                let hex: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
                writeln!(out, "{:<18}unknown bytes", hex.join(" "))
            }
        };
    }
    let _ = writeln!(out, "{}", summary_line(&sum));
    out
}

/// "412 bytes: 16 text lines, 1 QR code, …; 0.43 s at 9600 baud …".
pub fn summary_line(sum: &Summary) -> String {
    let ms = |baud| transfer_time(sum.bytes, baud).as_secs_f64() * 1000.0;
    let mut s = format!(
        "= {} bytes: {} text lines, {} QR, {} raster images ({} bytes), {} cut",
        sum.bytes, sum.text_lines, sum.qr_codes, sum.raster_images, sum.raster_bytes, sum.cuts
    );
    if sum.unknown > 0 {
        let _ = write!(s, ", {} unknown bytes", sum.unknown);
    }
    let _ = write!(
        s,
        "; {:.0} ms at 9600 baud, {:.0} ms at 115200",
        ms(9600),
        ms(115_200)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::Stream;

    #[test]
    fn decodes_what_the_stream_builder_writes() {
        let mut s = Stream::default();
        s.reset();
        s.chinese_on();
        s.align(crate::escpos::Align::Centre);
        s.size(2, 2);
        s.text(&crate::text::encode("民乐 B023"));
        s.line_feed();
        s.qr(b"https://x/t/1", 6);
        s.cut(true, 3);
        let text = describe(&s.bytes);
        assert_eq!(
            text,
            r#"ESC @             reset (Chinese mode off)
FS &              Chinese mode on: GB18030 double-byte text
ESC a 1           align centre
GS ! 0x11         size 2×2
"民乐 B023" LF
GS ( k QR 165     QR model 2
GS ( k QR 167     QR module 6 dots
GS ( k QR 169     QR error correction M
GS ( k QR 180     QR store "https://x/t/1" (13 bytes)
GS ( k QR 181     QR print
GS V 65 3         feed 3 lines, full cut
= 78 bytes: 1 text lines, 1 QR, 0 raster images (0 bytes), 1 cut; 81 ms at 9600 baud, 7 ms at 115200
"#
        );
    }

    #[test]
    fn unknown_bytes_do_not_stop_decoding() {
        let (items, sum) = decode(&[0x1b, 0x99, b'A', 0x0a]);
        assert_eq!(sum.unknown, 2);
        assert_eq!(
            items[1],
            Item::Text {
                text: "A".into(),
                lf: true
            }
        );
    }
}

//! Printer profiles: what one installed printer can do and how it is wired.
//!
//! A profile is configuration (the kiosk reads it from its TOML file with
//! serde); rendering reads the paper and font fields, the transports read
//! the link fields.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Paper width. Thermal printers print 8 dots per mm with a 12×24-dot
/// font A, so the width fixes the number of text columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Paper {
    /// 58 mm paper: 384 dots, 32 columns.
    #[serde(rename = "58")]
    Mm58,
    /// 80 mm paper: 576 dots, 48 columns.
    #[default]
    #[serde(rename = "80")]
    Mm80,
}

impl Paper {
    /// Printable width in dots.
    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }

    /// Text columns of font A (12 dots each); a Chinese character takes two.
    pub fn columns(self) -> usize {
        (self.dots() / 12) as usize
    }

    /// The paper for a width in millimetres, if it is one of ours.
    pub fn from_mm(mm: u32) -> Option<Paper> {
        match mm {
            58 => Some(Paper::Mm58),
            80 => Some(Paper::Mm80),
            _ => None,
        }
    }

    /// Width in millimetres.
    pub fn mm(self) -> u32 {
        match self {
            Paper::Mm58 => 58,
            Paper::Mm80 => 80,
        }
    }
}

/// Which Chinese characters the printer's own font has. Characters outside
/// it are substituted where a close equivalent exists, otherwise their line
/// is sent as a raster image (when a raster font is available).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChineseFont {
    /// No Chinese font: every line with a non-ASCII character is rasterised.
    None,
    /// GB 2312 only (6,763 characters; older or cheaper printers).
    Gb2312,
    /// Every double-byte GB18030 code, i.e. the GBK repertoire (21,886
    /// characters). What most Chinese thermal printers ship.
    #[default]
    Gbk,
    /// The whole of GB18030, four-byte codes included.
    Gb18030,
}

/// How QR codes are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QrMode {
    /// The printer's own QR command (`GS ( k`): the URL only, ~60 bytes.
    #[default]
    Native,
    /// A raster image (`GS v 0`), for printers without `GS ( k`: ~1 KB.
    Raster,
}

/// Serial flow control between host and printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowControl {
    /// None: large jobs are paced by [`crate::transport::Pacing`].
    #[default]
    None,
    /// XON/XOFF.
    Software,
    /// RTS/CTS.
    Hardware,
}

/// How the paper is cut at the end of a ticket or slip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cut {
    /// Full cut: the ticket drops out of a kiosk's presenter.
    #[default]
    Full,
    /// Partial cut: leaves a tab, for desk printers.
    Partial,
    /// No cutter: feed only, the visitor tears the paper.
    None,
}

/// One printer: paper, fonts, QR support and its serial link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    /// Paper width.
    pub paper: Paper,
    /// The printer's Chinese font.
    pub chinese: ChineseFont,
    /// QR code command.
    pub qr: QrMode,
    /// Cutter.
    pub cut: Cut,
    /// Serial speed in baud (ignored by TCP and file targets).
    pub baud: u32,
    /// Serial flow control.
    pub flow_control: FlowControl,
    /// The printer's receive buffer in bytes (pacing without flow control).
    pub buffer_bytes: usize,
    /// Print speed in mm/s (pacing without flow control).
    pub speed_mm_s: u32,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            paper: Paper::Mm80,
            chinese: ChineseFont::Gbk,
            qr: QrMode::Native,
            cut: Cut::Full,
            baud: 115_200,
            flow_control: FlowControl::None,
            buffer_bytes: 4096,
            speed_mm_s: 150,
        }
    }
}

impl Profile {
    /// The default profile on the given paper.
    pub fn with_paper(paper: Paper) -> Profile {
        Profile {
            paper,
            ..Profile::default()
        }
    }

    /// Text columns (font A, normal size).
    pub fn columns(&self) -> usize {
        self.paper.columns()
    }
}

/// Time to send `bytes` over a serial line at `baud` with 8N1 framing
/// (10 bits per byte: start, 8 data, stop).
pub fn transfer_time(bytes: usize, baud: u32) -> Duration {
    Duration::from_secs_f64(bytes as f64 * 10.0 / f64::from(baud.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_paper() {
        assert_eq!(Paper::Mm58.columns(), 32);
        assert_eq!(Paper::Mm80.columns(), 48);
    }

    #[test]
    fn transfer_time_is_ten_bits_per_byte() {
        assert_eq!(transfer_time(11_520, 115_200), Duration::from_secs(1));
        assert_eq!(transfer_time(960, 9600), Duration::from_secs(1));
    }
}

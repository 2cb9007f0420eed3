//! Printer status from real-time status replies (`DLE EOT n`), typed.
//!
//! Pure: [`StatusReplies::status`] reads the bytes a printer sent; the
//! transport asks and collects them.

use serde::Serialize;

/// What a printer says about itself, reduced to what a kiosk acts on.
///
/// **Do not print now** when [`PrinterStatus::can_print`] is false:
/// [`PaperEnd`](PrinterStatus::PaperEnd),
/// [`CoverOpen`](PrinterStatus::CoverOpen) and
/// [`Offline`](PrinterStatus::Offline). The printer would hold the job (or
/// lose it) and the visitor would leave without a ticket; show the label
/// and call staff. [`PaperNearEnd`](PrinterStatus::PaperNearEnd) prints,
/// but staff should change the roll soon. [`Unknown`](PrinterStatus::Unknown)
/// prints too: many printers, and every file target, never answer status
/// queries, and refusing to print on them would stop the kiosk for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterStatus {
    /// Online, paper loaded, cover closed.
    Ready,
    /// Prints, but the roll is nearly used up.
    PaperNearEnd,
    /// Out of paper. Do not print.
    PaperEnd,
    /// The cover is open. Do not print.
    CoverOpen,
    /// Offline for another reason (error, cutter jam, paper feed). Do not print.
    Offline,
    /// No answer to status queries (within the timeout), or a target that
    /// cannot answer (a file). Printing is still attempted.
    Unknown,
}

impl PrinterStatus {
    /// Whether a job should be sent now.
    pub fn can_print(self) -> bool {
        matches!(
            self,
            PrinterStatus::Ready | PrinterStatus::PaperNearEnd | PrinterStatus::Unknown
        )
    }

    /// Chinese text for a visitor or staff.
    pub fn label_zh(self) -> &'static str {
        match self {
            PrinterStatus::Ready => "打印机就绪",
            PrinterStatus::PaperNearEnd => "打印纸即将用完，请通知工作人员更换",
            PrinterStatus::PaperEnd => "打印机缺纸，请联系工作人员",
            PrinterStatus::CoverOpen => "打印机盖未关好，请联系工作人员",
            PrinterStatus::Offline => "打印机暂时无法打印，请联系工作人员",
            PrinterStatus::Unknown => "打印机状态未知",
        }
    }

    /// English text.
    pub fn label_en(self) -> &'static str {
        match self {
            PrinterStatus::Ready => "Printer ready",
            PrinterStatus::PaperNearEnd => "Paper nearly used up: please tell staff",
            PrinterStatus::PaperEnd => "The printer is out of paper: please ask staff",
            PrinterStatus::CoverOpen => "The printer cover is open: please ask staff",
            PrinterStatus::Offline => "The printer cannot print now: please ask staff",
            PrinterStatus::Unknown => "Printer status unknown",
        }
    }
}

/// The replies to `DLE EOT 1`, `2` and `4`, as far as they came.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusReplies {
    /// `DLE EOT 1`: printer status (bit 3: offline).
    pub printer: Option<u8>,
    /// `DLE EOT 2`: offline cause (bit 2 cover open, bit 5 stopped by
    /// paper end, bit 6 error).
    pub offline_cause: Option<u8>,
    /// `DLE EOT 4`: roll paper sensor (bits 2–3 near end, bits 5–6 end).
    pub paper: Option<u8>,
}

/// Whether `b` has the fixed bits of every `DLE EOT` reply (`0xx1xx10`).
/// Anything else on the line (a stray XON/XOFF, noise) is not a reply.
pub fn is_reply(b: u8) -> bool {
    b & 0b1001_0011 == 0b0001_0010
}

impl StatusReplies {
    /// Fills the replies in query order from the valid reply bytes among
    /// `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> StatusReplies {
        let mut replies = bytes.iter().copied().filter(|&b| is_reply(b));
        StatusReplies {
            printer: replies.next(),
            offline_cause: replies.next(),
            paper: replies.next(),
        }
    }

    /// How many replies came.
    pub fn count(&self) -> usize {
        [self.printer, self.offline_cause, self.paper]
            .iter()
            .filter(|r| r.is_some())
            .count()
    }

    /// The status they add up to. When several faults are on at once the
    /// one a person must fix first wins: cover, then paper, then other
    /// offline causes.
    pub fn status(&self) -> PrinterStatus {
        if self.count() == 0 {
            return PrinterStatus::Unknown;
        }
        let bit = |r: Option<u8>, mask: u8| r.is_some_and(|b| b & mask != 0);
        if bit(self.offline_cause, 0x04) {
            PrinterStatus::CoverOpen
        } else if bit(self.offline_cause, 0x20) || bit(self.paper, 0x60) {
            PrinterStatus::PaperEnd
        } else if bit(self.printer, 0x08) || bit(self.offline_cause, 0x40) {
            PrinterStatus::Offline
        } else if bit(self.paper, 0x0C) {
            PrinterStatus::PaperNearEnd
        } else {
            PrinterStatus::Ready
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(bytes: &[u8]) -> PrinterStatus {
        StatusReplies::from_bytes(bytes).status()
    }

    #[test]
    fn fixed_bits_only() {
        assert_eq!(status(&[0x12, 0x12, 0x12]), PrinterStatus::Ready);
        assert_eq!(status(&[]), PrinterStatus::Unknown);
        // XON, XOFF and NUL are not replies.
        assert_eq!(status(&[0x11, 0x13, 0x00]), PrinterStatus::Unknown);
    }

    #[test]
    fn faults_in_order_of_what_to_fix_first() {
        // Paper out: printer offline, offline cause "stopped by paper end",
        // sensor "not present".
        assert_eq!(status(&[0x1A, 0x32, 0x72]), PrinterStatus::PaperEnd);
        assert_eq!(status(&[0x1A, 0x36, 0x72]), PrinterStatus::CoverOpen);
        assert_eq!(status(&[0x12, 0x12, 0x1E]), PrinterStatus::PaperNearEnd);
        assert_eq!(status(&[0x1A, 0x52, 0x12]), PrinterStatus::Offline);
        // A printer that answers only DLE EOT 1.
        assert_eq!(status(&[0x1A]), PrinterStatus::Offline);
        assert_eq!(status(&[0x12]), PrinterStatus::Ready);
    }

    #[test]
    fn do_not_print_states() {
        use PrinterStatus::*;
        let refuse: Vec<_> = [Ready, PaperNearEnd, PaperEnd, CoverOpen, Offline, Unknown]
            .into_iter()
            .filter(|s| !s.can_print())
            .collect();
        assert_eq!(refuse, [PaperEnd, CoverOpen, Offline]);
    }
}

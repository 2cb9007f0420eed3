//! What a call says, on screen and aloud.
//!
//! The screen shows "请 A023 号 到 15 号窗口 办理". Aloud, Chinese queue
//! systems read the ticket's digits one by one and the window as a number
//! ("请 A 零二三 号，到 十五 号窗口 办理"), so nobody hears "二十三" and
//! looks for ticket 23 in another category. The spoken text is plain
//! Chinese; how an engine needs it spelled is the engine's business
//! ([`crate::voice`]).

use lobby_core::{TicketNumber, WindowNo};
pub use lobby_voice::{cardinal, digits};

/// The call as the screen shows it: "请 A023 号 到 15 号窗口 办理".
pub fn shown(number: &TicketNumber, window: WindowNo) -> String {
    format!("请 {number} 号 到 {window} 号窗口 办理")
}

/// The call as it is spoken: "请 A 零二三 号，到 十五 号窗口 办理".
pub fn spoken(number: &TicketNumber, window: WindowNo) -> String {
    format!(
        "请 {} {} 号，到 {} 号窗口 办理",
        number.prefix,
        digits(number.seq),
        cardinal(window.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(s: &str) -> TicketNumber {
        s.parse().unwrap()
    }

    #[test]
    fn shown_and_spoken_texts() {
        assert_eq!(
            shown(&number("A023"), WindowNo(15)),
            "请 A023 号 到 15 号窗口 办理"
        );
        assert_eq!(
            spoken(&number("A023"), WindowNo(15)),
            "请 A 零二三 号，到 十五 号窗口 办理"
        );
        assert_eq!(
            spoken(&number("B1024"), WindowNo(101)),
            "请 B 一零二四 号，到 一百零一 号窗口 办理"
        );
    }

    #[test]
    fn cardinals_read_like_people_say_them() {
        let cases = [
            (0, "零"),
            (1, "一"),
            (10, "十"),
            (15, "十五"),
            (20, "二十"),
            (67, "六十七"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (115, "一百一十五"),
            (1005, "一千零五"),
            (1050, "一千零五十"),
            (2300, "二千三百"),
            (12345, "一二三四五"),
        ];
        for (n, text) in cases {
            assert_eq!(cardinal(n), text, "{n}");
        }
    }

    #[test]
    fn digits_are_padded_like_the_printed_number() {
        assert_eq!(digits(1), "零零一");
        assert_eq!(digits(230), "二三零");
        assert_eq!(digits(1024), "一零二四");
    }
}

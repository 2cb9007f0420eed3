//! Text for the printer: column widths, line wrapping and GB18030 coverage.
//!
//! Columns are counted the way the printer counts them, not the way a
//! terminal does. In Chinese mode every double-byte GB18030 code prints as
//! a 24-dot glyph (two 12-dot columns), including characters that
//! `unicode-width` calls narrow or ambiguous (`–`, `·`, `“`); only ASCII is
//! one column. `unicode-width` is used for what it is good at here: spotting
//! zero-width characters (combining marks, joiners, variation selectors),
//! which a printer cannot combine and which are dropped.

use encoding_rs::GB18030;
use unicode_width::UnicodeWidthChar;

use crate::profile::ChineseFont;

/// Columns a character takes on the printer: 1 for ASCII, 2 otherwise,
/// 0 for characters that are dropped.
pub fn columns(c: char) -> usize {
    if c.is_ascii() {
        usize::from(!c.is_ascii_control())
    } else if c.width() == Some(0) || c.is_control() {
        0
    } else {
        2
    }
}

/// Columns of a string.
pub fn width(s: &str) -> usize {
    s.chars().map(columns).sum()
}

/// The GB18030 bytes of one character (1, 2 or 4 bytes).
pub fn gb18030(c: char) -> Vec<u8> {
    let mut buf = [0u8; 4];
    let (bytes, _, _) = GB18030.encode(c.encode_utf8(&mut buf));
    bytes.into_owned()
}

/// Whether the printer's font has `c`.
pub fn covered(c: char, font: ChineseFont) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_control();
    }
    let bytes = gb18030(c);
    match font {
        ChineseFont::None => false,
        // GB 2312 is the double-byte area with both bytes in A1–FE.
        ChineseFont::Gb2312 => bytes.len() == 2 && bytes[0] >= 0xA1 && bytes[1] >= 0xA1,
        ChineseFont::Gbk => bytes.len() == 2,
        ChineseFont::Gb18030 => true,
    }
}

/// A close substitute for a character the printer's font lacks: dashes,
/// bullets and quotes that often appear in configuration text.
pub fn substitute(c: char) -> Option<&'static str> {
    Some(match c {
        '–' | '—' | '‐' | '‑' | '−' => "-",
        '•' | '·' | '・' => "*",
        '✓' | '✔' => "√",
        '“' | '”' | '„' => "\"",
        '‘' | '’' => "'",
        '…' => "...",
        '\u{3000}' => "  ",
        '€' => "EUR",
        '（' => "(",
        '）' => ")",
        '：' => ":",
        '，' => ",",
        '；' => ";",
        _ => return None,
    })
}

/// Replaces characters outside `font` by substitutes the font has; returns
/// the new text and whether characters without substitute remain.
pub fn fit_to_font(text: &str, font: ChineseFont) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut missing = false;
    for c in text.chars() {
        if columns(c) == 0 {
            continue;
        }
        if covered(c, font) {
            out.push(c);
        } else if let Some(s) = substitute(c).filter(|s| s.chars().all(|c| covered(c, font))) {
            out.push_str(s);
        } else {
            out.push(c);
            missing = true;
        }
    }
    (out, missing)
}

/// Encodes text the printer's font fully covers, in GB18030.
pub fn encode(text: &str) -> Vec<u8> {
    let (bytes, _, _) = GB18030.encode(text);
    bytes.into_owned()
}

// Line-breaking rules for Chinese (禁则): these may not start a line…
const NO_START: &str = "，。、；：？！）》」』】〕〉”’…%,.;:?!)]}·-～";
// …and these may not end one.
const NO_END: &str = "（《「『【〔〈“‘([{";

#[derive(Debug, Clone)]
struct Unit {
    text: String,
    width: usize,
    space: bool,
    no_start: bool,
    no_end: bool,
}

/// Cuts text into unbreakable units: a Chinese character, a run of ASCII
/// non-space characters (a word, a number, a phone number), or one space.
fn units(text: &str) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Unit>| {
        if !word.is_empty() {
            let first = word.chars().next().unwrap_or(' ');
            let last = word.chars().last().unwrap_or(' ');
            out.push(Unit {
                width: width(word),
                no_start: NO_START.contains(first),
                no_end: NO_END.contains(last),
                text: std::mem::take(word),
                space: false,
            });
        }
    };
    for c in text.chars() {
        let w = columns(c);
        if w == 0 {
            continue;
        }
        if c == ' ' {
            flush(&mut word, &mut out);
            out.push(Unit {
                text: " ".into(),
                width: 1,
                space: true,
                no_start: false,
                no_end: false,
            });
        } else if c.is_ascii() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(Unit {
                text: c.to_string(),
                width: w,
                space: false,
                no_start: NO_START.contains(c),
                no_end: NO_END.contains(c),
            });
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Wraps `text` into lines of at most `first` columns for the first line and
/// `rest` for the following ones. Never splits a character; keeps ASCII
/// words whole unless one is longer than a line; keeps closing punctuation
/// off the start of a line and opening punctuation off the end.
pub fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let first = first.max(2);
    let rest = rest.max(2);
    let mut lines: Vec<Vec<Unit>> = Vec::new();
    let mut line: Vec<Unit> = Vec::new();
    let mut used = 0;
    let limit = |lines: &Vec<Vec<Unit>>| if lines.is_empty() { first } else { rest };
    let mut pending: std::collections::VecDeque<Unit> = units(text).into();
    while let Some(unit) = pending.pop_front() {
        let max = limit(&lines);
        if unit.space {
            // A space at a line start is dropped; one that does not fit breaks.
            if line.is_empty() {
                continue;
            }
            if used < max {
                used += 1;
                line.push(unit);
            } else {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            continue;
        }
        let fresh = if line.is_empty() { max } else { rest };
        if unit.width > fresh && unit.text.is_ascii() {
            // A word longer than any line it could start: fill this line
            // with its head and carry on with the tail.
            let room = max - used;
            if room == 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
                pending.push_front(unit);
                continue;
            }
            let (head, tail) = unit.text.split_at(room);
            pending.push_front(Unit {
                text: tail.to_owned(),
                width: tail.len(),
                space: false,
                no_start: false,
                no_end: false,
            });
            line.push(Unit {
                text: head.to_owned(),
                width: head.len(),
                space: false,
                no_start: false,
                no_end: false,
            });
            lines.push(std::mem::take(&mut line));
            used = 0;
            continue;
        }
        if used + unit.width <= max {
            used += unit.width;
            line.push(unit);
            continue;
        }
        // Break before `unit`. Pull a character down with closing
        // punctuation, and push opening punctuation down with what follows.
        let mut carry: Vec<Unit> = Vec::new();
        if unit.no_start && line.len() > 1 && !line.last().is_some_and(|u| u.space) {
            carry.extend(line.pop());
        }
        while line.len() > 1 && line.last().is_some_and(|u| u.no_end) {
            carry.insert(0, line.pop().unwrap()); // line.len() > 1 was checked
        }
        let carried: usize = carry.iter().map(|u| u.width).sum();
        if carried + unit.width > rest {
            // Too narrow to honour the rule: keep the units where they were.
            line.append(&mut carry);
        }
        while line.last().is_some_and(|u| u.space) {
            line.pop();
        }
        lines.push(std::mem::take(&mut line));
        used = carry.iter().map(|u| u.width).sum();
        line = carry;
        pending.push_front(unit);
    }
    while line.last().is_some_and(|u| u.space) {
        line.pop();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    avoid_widow(&mut lines, rest);
    lines
        .into_iter()
        .map(|l| l.into_iter().map(|u| u.text).collect())
        .collect()
}

/// A last line of one character (or one and its punctuation) looks lost:
/// bring it company from the line above, keeping the punctuation rules.
fn avoid_widow(lines: &mut [Vec<Unit>], rest: usize) {
    let n = lines.len();
    if n < 2 {
        return;
    }
    let width = |l: &[Unit]| l.iter().map(|u| u.width).sum::<usize>();
    if width(&lines[n - 1]) > 4 || lines[n - 1].iter().any(|u| u.space) {
        return;
    }
    let (head, tail) = lines.split_at_mut(n - 1);
    let above = &mut head[n - 2];
    let last = &mut tail[0];
    // Move one unit, or two where the first to move may not start a line.
    let take = if above.len() >= 2 && above[above.len() - 1].no_start {
        2
    } else {
        1
    };
    if above.len() <= take + 1 {
        return;
    }
    let moved: Vec<Unit> = above.split_off(above.len() - take);
    let fits = width(&moved) + width(last) <= rest;
    let ok = fits
        && !moved[0].space
        && !moved[0].no_start
        && !above.last().is_some_and(|u| u.no_end || u.space);
    if ok {
        last.splice(0..0, moved);
    } else {
        above.extend(moved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_two_columns_ascii_one() {
        assert_eq!(width("B023"), 4);
        assert_eq!(width("不动产登记"), 10);
        assert_eq!(width("B 区 7–20 号窗口"), 17);
        // Combining marks and joiners print nothing.
        assert_eq!(width("e\u{301}"), 1);
    }

    #[test]
    fn wrapping_never_exceeds_the_width_and_keeps_every_character() {
        let text = "《不动产登记暂行条例》第十四条、《不动产登记暂行条例实施细则》第三十八条，住宅 80 元/件；非住宅 550 元/件。电话 0936-4421801";
        for w in 4..50 {
            let lines = wrap(text, w, w);
            for l in &lines {
                assert!(width(l) <= w, "{l:?} wider than {w}");
            }
            let joined: String = lines.concat();
            assert_eq!(
                joined.replace(' ', ""),
                text.replace(' ', ""),
                "characters lost at width {w}"
            );
        }
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        // 15 characters then "，": the comma would start line 2.
        let text = "一二三四五六七八九十一二三四五六，七八";
        let lines = wrap(text, 32, 32);
        assert_eq!(lines, ["一二三四五六七八九十一二三四五", "六，七八"]);
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        let text = "一二三四五六七八九十一二三四五《六》";
        let lines = wrap(text, 32, 32);
        assert_eq!(lines, ["一二三四五六七八九十一二三四五", "《六》"]);
    }

    #[test]
    fn a_last_line_is_never_a_lone_character() {
        let lines = wrap("婚姻关系材料：结婚证或离婚证及离婚协议（判决书）", 45, 45);
        assert_eq!(
            lines,
            ["婚姻关系材料：结婚证或离婚证及离婚协议（判", "决书）"]
        );
    }

    #[test]
    fn ascii_words_stay_whole() {
        let lines = wrap("咨询电话 0936-4421801", 16, 16);
        assert_eq!(lines, ["咨询电话", "0936-4421801"]);
    }

    #[test]
    fn long_words_are_broken_at_the_edge() {
        let lines = wrap("https://lobby.example/t/abcdef", 10, 10);
        assert!(lines.iter().all(|l| width(l) <= 10));
        assert_eq!(lines.concat(), "https://lobby.example/t/abcdef");
    }

    #[test]
    fn hanging_indent_uses_the_rest_width() {
        let lines = wrap("一二三四五六七八九十", 8, 6);
        assert_eq!(lines, ["一二三四", "五六七", "八九十"]);
    }

    #[test]
    fn coverage_by_font() {
        assert!(covered('登', ChineseFont::Gb2312));
        assert!(!covered('喆', ChineseFont::Gb2312));
        assert!(covered('喆', ChineseFont::Gbk));
        // U+2013 is GBK A843 but not GB 2312.
        assert!(covered('–', ChineseFont::Gbk));
        assert!(!covered('–', ChineseFont::Gb2312));
        // Extension B needs four-byte codes.
        assert!(!covered('𠮷', ChineseFont::Gbk));
        assert!(covered('𠮷', ChineseFont::Gb18030));
        assert!(!covered('登', ChineseFont::None));
    }

    #[test]
    fn substitutes_fill_gaps() {
        assert_eq!(
            fit_to_font("B 区 7–20", ChineseFont::Gb2312),
            ("B 区 7-20".to_owned(), false)
        );
        assert_eq!(
            fit_to_font("吉𠮷", ChineseFont::Gbk),
            ("吉𠮷".to_owned(), true)
        );
    }
}

//! Numbers read aloud in Chinese.

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// A ticket's digits read one by one, zero-padded to three as printed:
/// 23 → "零二三".
pub fn digits(seq: u32) -> String {
    format!("{seq:03}")
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

/// A number read as a quantity, as for window numbers: 15 → "十五",
/// 101 → "一百零一", 110 → "一百一十". Numbers from 10 000 on are read
/// digit by digit (no window has such a number).
pub fn cardinal(n: u32) -> String {
    if n == 0 {
        return "零".to_owned();
    }
    if n >= 10_000 {
        return n
            .to_string()
            .chars()
            .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
            .collect();
    }
    let places = [(1000, '千'), (100, '百'), (10, '十'), (1, ' ')];
    let mut out = String::new();
    // A zero is spoken once between non-zero places: 1005 → 一千零五.
    let mut pending_zero = false;
    for (unit, name) in places {
        let d = (n / unit) % 10;
        if d == 0 {
            if !out.is_empty() {
                pending_zero = true;
            }
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        // 10–19 are 十, 十一 …, not 一十.
        if !(unit == 10 && d == 1 && n < 20) {
            out.push(DIGITS[d as usize]);
        }
        if unit > 1 {
            out.push(name);
        }
    }
    out
}

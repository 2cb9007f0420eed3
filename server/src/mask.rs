//! Masking personal data before it is stored (个人信息脱敏): names keep
//! their first and last character, phone numbers their first three and last
//! four digits, ID numbers their first and last four characters.

/// 张三丰 → 张*丰, 张三 → 张*, 王 → *.
pub fn name(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// 13812345678 → 138****5678; short numbers are masked whole.
pub fn phone(s: &str) -> String {
    let digits: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let n = digits.len();
    if n >= 8 {
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[n - 4..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(n - 7))
    } else {
        "*".repeat(n)
    }
}

/// 620722199001011234 → 6207**********1234; short values are masked whole.
pub fn id_number(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let n = chars.len();
    if n >= 10 {
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(n - 8))
    } else {
        "*".repeat(n)
    }
}

/// Free text, such as a visitor's comment: every run of seven or more
/// digits (a phone, ID or card number; up to three separators between
/// digits — spaces, dashes, dots, slashes, their full-width forms — count
/// as part of it, and an ID number may end in X) is masked like a
/// phone number (first three and last four digits kept) or, from fifteen
/// digits on, like an ID number (first and last four); shorter runs are
/// left alone, longer ones of under eleven digits masked whole.
pub fn free_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let sep = |c: char| {
        matches!(
            c,
            ' ' | '-' | '.' | '/' | '_' | '·' | '　' | '－' | '．' | '／' | '—' | '–'
        )
    };
    // Separators between digits are written however people write them:
    // 138.1234.5678, 138  1234  5678, 620722/1990/0101/1234.
    const MAX_SEPARATORS: usize = 3;
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, single separators between digits, a final X.
        let start = i;
        let mut end = i;
        let mut j = i;
        while j < chars.len() {
            let c = chars[j];
            if digit(c) {
                j += 1;
                end = j;
            } else if sep(c) {
                let gap = chars[j..]
                    .iter()
                    .take(MAX_SEPARATORS + 1)
                    .take_while(|&&c| sep(c))
                    .count();
                if gap <= MAX_SEPARATORS && chars.get(j + gap).is_some_and(|&c| digit(c)) {
                    j += gap;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if end < chars.len() && matches!(chars[end], 'X' | 'x') {
            end += 1;
        }
        let run = &chars[start..end];
        let n = run.iter().filter(|&&c| !sep(c)).count();
        let (head, tail) = match n {
            0..=6 => (n, 0),
            7..=10 => (0, 0),
            11..=14 => (3, 4),
            _ => (4, 4),
        };
        let mut k = 0;
        for &c in run {
            if sep(c) {
                out.push(c);
                continue;
            }
            out.push(if k < head || k >= n - tail { c } else { '*' });
            k += 1;
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::name("张三明"), "张*明");
        assert_eq!(super::name("欧阳娜娜"), "欧**娜");
        assert_eq!(super::name("张三"), "张*");
        assert_eq!(super::phone("13812345678"), "138****5678");
        assert_eq!(super::phone("138-1234-5678"), "138****5678");
        assert_eq!(super::phone("12345"), "*****");
        assert_eq!(super::id_number("620722199001011234"), "6207**********1234");
        assert!(!super::id_number("620722199001011234").contains("19900101"));
    }

    #[test]
    fn numbers_inside_text_are_masked() {
        use super::free_text;
        assert_eq!(
            free_text("请回电 13812345678 谢谢"),
            "请回电 138****5678 谢谢"
        );
        assert_eq!(free_text("电话138-1234-5678"), "电话138-****-5678");
        assert_eq!(free_text("电话 138 1234 5678。"), "电话 138 **** 5678。");
        assert_eq!(
            free_text("身份证62072219900101123X办不了"),
            "身份证6207**********123X办不了"
        );
        assert_eq!(free_text("卡号 1234567"), "卡号 *******");
        assert_eq!(
            free_text("等了 45 分钟，2 号窗口"),
            "等了 45 分钟，2 号窗口"
        );
        assert_eq!(free_text("１３８１２３４５６７８"), "１３８****５６７８");
        // However the separators are written.
        assert_eq!(free_text("回电 138.1234.5678"), "回电 138.****.5678");
        assert_eq!(free_text("回电 138  1234  5678"), "回电 138  ****  5678");
        assert_eq!(
            free_text("身份证 620722/1990/0101/1234"),
            "身份证 6207**/****/****/1234"
        );
        assert_eq!(
            free_text("电话１３８－１２３４－５６７８"),
            "电话１３８－****－５６７８"
        );
        // Numbers apart stay apart: a price and a window.
        assert_eq!(free_text("交了 9.5 元，5 号窗口"), "交了 9.5 元，5 号窗口");
        assert_eq!(free_text("3 - 5 号窗口"), "3 - 5 号窗口");
        assert_eq!(free_text(""), "");
    }
}

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
}

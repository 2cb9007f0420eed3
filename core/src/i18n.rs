//! Languages for user-facing text. Chinese is the default everywhere.

use serde::{Deserialize, Serialize};

/// A language for user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks a language from an HTTP `Accept-Language` value or a flag such
    /// as `en`, `zh-CN`; anything unknown is Chinese.
    pub fn from_tag(tag: &str) -> Lang {
        let first = tag
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if first.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// Chooses between a Chinese and an English text; English falls back to
    /// Chinese when it is empty.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.is_empty() => en,
            _ => zh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_english_only_when_asked() {
        assert_eq!(Lang::from_tag("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_tag("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_tag(""), Lang::Zh);
        assert_eq!(Lang::En.pick("不动产登记", ""), "不动产登记");
    }
}

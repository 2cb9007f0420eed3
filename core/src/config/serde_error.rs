//! Turning a deserialization error into words for hall staff: the path of
//! the field it is about, a hint for a misspelt field, and type names a
//! non-programmer reads.
//!
//! The `toml` crate's error carries the span of the offending key or value
//! (its key path is private), so the field is found by walking the entry's
//! table to the key or value whose span holds the error's.

use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

/// The path of the field at `span` inside `value`, which is at `path`:
/// `categories[2]` becomes `categories[2].service_min`, a material's field
/// `matters[0].materials[1].copies`. Stays `path` when the error is about
/// the entry as a whole (a missing field).
pub(super) fn field_at(path: &str, value: &Spanned<DeValue<'_>>, span: &Range<usize>) -> String {
    let mut out = path.to_owned();
    let mut value = value;
    loop {
        let next = match value.get_ref() {
            DeValue::Table(table) => table.iter().find_map(|(key, v)| {
                let name = format!(".{}", key.get_ref());
                if holds(&key.span(), span) {
                    // An unknown field: the error is at the key itself.
                    Some((name, None))
                } else {
                    holds(&v.span(), span).then_some((name, Some(v)))
                }
            }),
            DeValue::Array(items) => items
                .iter()
                .enumerate()
                .find(|(_, v)| holds(&v.span(), span))
                .map(|(i, v)| (format!("[{i}]"), Some(v))),
            _ => None,
        };
        match next {
            Some((step, inner)) => {
                out.push_str(&step);
                match inner {
                    Some(inner) => value = inner,
                    None => return out,
                }
            }
            None => return out,
        }
    }
}

fn holds(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer.start < outer.end
}

/// serde's message, said for hall staff: a misspelt field gets the field
/// it probably meant instead of the list of every field, and Rust's type
/// names become plain words.
pub(super) fn message(serde: &str) -> String {
    if let Some(rest) = serde.strip_prefix("unknown field `") {
        let names: Vec<&str> = rest.split('`').step_by(2).collect();
        if let [unknown, expected @ ..] = names.as_slice()
            && let Some(meant) = closest(unknown, expected)
        {
            return format!("unknown field `{unknown}`; did you mean `{meant}`?");
        }
        return serde.to_owned();
    }
    let Some((head, expected)) = serde.rsplit_once(", expected ") else {
        return serde.to_owned();
    };
    let plain = match expected {
        "f64" | "f32" => "a number",
        "u8" | "u16" | "u32" | "u64" => "a whole number",
        "i8" | "i16" | "i32" | "i64" => "a whole number",
        "a sequence" => "an array, e.g. [\"a\", \"b\"]",
        "a boolean" => "true or false",
        s if s.starts_with("struct ") => "a table",
        s => s,
    };
    format!("{head}, expected {plain}")
}

/// The name in `names` that `word` is most likely a misspelling of: at most
/// a third of its letters (and at least one) edited.
fn closest<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    names
        .iter()
        .map(|n| (edits(word, n), *n))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// Levenshtein distance: insertions, deletions and substitutions.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_find_the_field_meant() {
        let names = ["id", "service_min", "site", "prefix"];
        assert_eq!(closest("servce_min", &names), Some("service_min"));
        assert_eq!(closest("prefx", &names), Some("prefix"));
        assert_eq!(closest("colour", &names), None);
    }

    #[test]
    fn type_names_become_words() {
        assert_eq!(
            message("invalid type: string \"five\", expected f64"),
            "invalid type: string \"five\", expected a number"
        );
        assert_eq!(
            message("unknown field `nam`, expected one of `name`, `name_en`"),
            "unknown field `nam`; did you mean `name`?"
        );
        assert_eq!(
            message("unknown field `colour`, expected `name` or `id`"),
            "unknown field `colour`, expected `name` or `id`"
        );
    }
}

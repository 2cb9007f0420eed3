//! What every section's validation uses: reporting a problem at a span,
//! and reading ids, times, dates, days and ranges.

use std::collections::HashSet;
use std::ops::Range;

use jiff::civil::{Date, Time, Weekday};

use super::SourceFile;
use super::problem::{ConfigProblem, problem_at};
use super::raw::Str;

/// Where validation reports problems: each at a span of one of the files.
pub(super) struct Check<'a> {
    pub(super) files: &'a [SourceFile],
    pub(super) problems: &'a mut Vec<ConfigProblem>,
}

impl Check<'_> {
    /// Reports `message` about `field` at `span` of file `no`.
    pub(super) fn at(
        &mut self,
        no: usize,
        span: Range<usize>,
        field: impl AsRef<str>,
        message: impl Into<String>,
    ) {
        let p = problem_at(&self.files[no], span, field.as_ref(), message.into());
        self.problems.push(p);
    }

    /// Checks an identifier's form and uniqueness; returns it when good.
    pub(super) fn id(
        &mut self,
        no: usize,
        id: &Str,
        field: &str,
        seen: &mut HashSet<String>,
    ) -> Option<String> {
        let s = id.get_ref();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !ok {
            self.at(
                no,
                id.span(),
                field,
                format!(
                    "`{s}` is not a valid id: use 1 to 32 lowercase letters, digits, `-` or `_`"
                ),
            );
            return None;
        }
        if !seen.insert(s.clone()) {
            self.at(no, id.span(), field, format!("duplicate id `{s}`"));
            return None;
        }
        Some(s.clone())
    }

    /// Reads an `HH:MM` time of day, reporting it when it is not one.
    pub(super) fn time(&mut self, no: usize, value: &Str, field: &str) -> Option<Time> {
        match parse_hhmm(value.get_ref()) {
            Some(t) => Some(t),
            None => {
                self.at(
                    no,
                    value.span(),
                    field,
                    format!(
                        "`{}` is not a time of day; write HH:MM, e.g. \"09:00\"",
                        value.get_ref()
                    ),
                );
                None
            }
        }
    }

    /// Reads a `YYYY-MM-DD` date, reporting it when it is not one.
    pub(super) fn date(&mut self, no: usize, value: &Str, field: &str) -> Option<Date> {
        match value.get_ref().parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.at(
                    no,
                    value.span(),
                    field,
                    format!("`{}` is not a date; write YYYY-MM-DD", value.get_ref()),
                );
                None
            }
        }
    }
}

/// `H:MM` or `HH:MM`.
pub(super) fn parse_hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

/// A day (`mon`) or a range of days (`mon-fri`, `sat-sun`).
pub(super) fn parse_weekdays(s: &str) -> Option<Vec<Weekday>> {
    fn day(s: &str) -> Option<Weekday> {
        Some(match s {
            "mon" => Weekday::Monday,
            "tue" => Weekday::Tuesday,
            "wed" => Weekday::Wednesday,
            "thu" => Weekday::Thursday,
            "fri" => Weekday::Friday,
            "sat" => Weekday::Saturday,
            "sun" => Weekday::Sunday,
            _ => return None,
        })
    }
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (day(a)?, day(b)?);
            let mut out = vec![a];
            let mut d = a;
            while d != b {
                d = d.next();
                out.push(d);
            }
            Some(out)
        }
        None => Some(vec![day(s)?]),
    }
}

/// A range of window numbers, `first-last` (at most 1000 of them).
pub(super) fn parse_range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b && b - a < 1000).then_some((a, b))
}

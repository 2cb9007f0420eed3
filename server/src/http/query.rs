//! Query parameters the reports, the audit trail and the appointments
//! share: dates, months and business-day bounds, each refused with a 400
//! that names the parameter, and the OpenAPI schemas that say so.
//!
//! Dates are exactly `YYYY-MM-DD` and months `YYYY-MM`, years 0000 to
//! 9998: a report reads up to the next day's (or month's) start, which
//! the last days jiff knows do not have, and one rule for the whole last
//! year is easier to state than "all but its last day".

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use lobby_core::{Hall, Lang};
use serde_json::{Value, json};

use crate::error::{ApiError, ErrorKind, pick};
use crate::state::Shared;

/// A 400 naming the query parameter at fault.
pub fn bad_param(field: &str, lang: Lang, zh: &str, en: &str) -> ApiError {
    ApiError::new(ErrorKind::BadRequest, "bad_query", pick(lang, zh, en)).with_field(field)
}

/// A date past the calendar jiff knows.
pub fn out_of_range(field: &str, lang: Lang) -> ApiError {
    bad_param(field, lang, "日期超出范围", "date out of range")
}

/// Years the queries take: 0000 to 9998.
const YEAR: &str = "(?:[0-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])";

/// The schema of a `YYYY-MM-DD` query parameter.
pub fn date_schema() -> Value {
    json!({
        "type": "string", "format": "date",
        "pattern": format!("^{YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$")
    })
}

/// The schema of a `YYYY-MM` query parameter.
pub fn month_schema() -> Value {
    json!({ "type": "string", "pattern": format!("^{YEAR}-(?:0[1-9]|1[0-2])$") })
}

/// Four digits, a year jiff can go past, or `None`.
fn year(s: &str) -> Option<i16> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|y| *y <= 9998)
}

/// Two digits, or `None` (no sign, no single digit).
fn two_digits(s: &str) -> Option<i8> {
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD` exactly (jiff alone also reads `20261125` and
/// `+002026-11-25`), years 0000 to 9998.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Date::new(year(y)?, two_digits(m)?, two_digits(d)?).ok()
}

/// `YYYY-MM` exactly, years 0000 to 9998: the month's first day.
pub fn parse_month(s: &str) -> Option<Date> {
    let (y, m) = s.split_once('-')?;
    Date::new(year(y)?, two_digits(m)?, 1).ok()
}

/// The business day named by `?date=YYYY-MM-DD`, today's by default.
pub fn date_param(s: &Shared, q: &HashMap<String, String>, lang: Lang) -> Result<Date, ApiError> {
    Ok(date_named(q, "date", lang)?.unwrap_or_else(|| s.hall.business_day(s.clock.now())))
}

/// The date in `?NAME=YYYY-MM-DD`, if given.
pub fn date_named(
    q: &HashMap<String, String>,
    name: &str,
    lang: Lang,
) -> Result<Option<Date>, ApiError> {
    q.get(name)
        .map(|d| {
            parse_date(d).ok_or_else(|| {
                bad_param(
                    name,
                    lang,
                    "日期格式应为 YYYY-MM-DD（年份 0000 至 9998）",
                    "dates are YYYY-MM-DD (years 0000 to 9998)",
                )
            })
        })
        .transpose()
}

/// `[start, end)` of a business day (from its `day_change` to the next).
pub fn day_bounds(
    hall: &Hall,
    date: Date,
    field: &str,
    lang: Lang,
) -> Result<(Timestamp, Timestamp), ApiError> {
    let from = crate::reports::day_start(hall, date);
    let to = date
        .tomorrow()
        .map(|d| crate::reports::day_start(hall, d))
        .map_err(|_| out_of_range(field, lang))?;
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_months_are_read_exactly_as_documented() {
        assert_eq!(
            parse_date("2026-11-25"),
            Some(jiff::civil::date(2026, 11, 25))
        );
        assert_eq!(parse_date("0000-01-01"), Some(jiff::civil::date(0, 1, 1)));
        assert_eq!(
            parse_date("9998-12-31"),
            Some(jiff::civil::date(9998, 12, 31))
        );
        for bad in [
            "",
            "20261125",
            "+002026-11-25",
            "2026-1-25",
            "2026-11-5",
            "2026-02-30",
            "9999-01-01",
            "-001-01-01",
            "2026-11-25-",
            "2026-+1-25",
            " 2026-11-25",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        assert_eq!(parse_month("2026-11"), Some(jiff::civil::date(2026, 11, 1)));
        for bad in [
            "",
            "2026-1",
            "+123-01",
            "-001-01",
            "2026-13",
            "9999-01",
            "2026-11-01",
        ] {
            assert_eq!(parse_month(bad), None, "{bad:?}");
        }
    }
}

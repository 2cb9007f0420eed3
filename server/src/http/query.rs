//! Query parameters the reports, the audit trail and the appointments
//! share: dates, months and business-day bounds, each refused with a 400
//! that names the parameter.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use lobby_core::{Hall, Lang};

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

/// The business day named by `?date=YYYY-MM-DD`, today's by default.
pub fn date_param(s: &Shared, q: &HashMap<String, String>, lang: Lang) -> Result<Date, ApiError> {
    Ok(date_named(q, "date", lang)?.unwrap_or_else(|| s.hall.business_day(s.clock.now())))
}

/// The date in `?NAME=YYYY-MM-DD`, if given. The last day jiff knows
/// (9999-12-31) is refused too: a report reads up to the next midnight.
pub fn date_named(
    q: &HashMap<String, String>,
    name: &str,
    lang: Lang,
) -> Result<Option<Date>, ApiError> {
    q.get(name)
        .map(|d| {
            let date = d.parse::<Date>().map_err(|_| {
                bad_param(
                    name,
                    lang,
                    "日期格式应为 YYYY-MM-DD",
                    "dates are YYYY-MM-DD",
                )
            })?;
            date.tomorrow()
                .map(|_| date)
                .map_err(|_| out_of_range(name, lang))
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

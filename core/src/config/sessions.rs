//! `[[sessions]]` and the day change: each session's times, days and
//! sites; no two sessions at one site on one day at the same time; and a
//! `centre.day_change` that falls before the day's first ticket.
//!
//! Both rules protect what [`Hall`](crate::hall::Hall) assumes. It reads a
//! site's day as its sessions in start order — the first opens issuing
//! early, the last one's end closes the day — so a session inside another,
//! extended or not, would close the day at its own end. And it looks up a
//! day's sessions by business day, which starts at `day_change`: a day
//! change after the first ticket is issued expires the tickets waiting at
//! that moment, restarts numbering, and counts the earlier tickets to the
//! day before.

use std::ops::Range;

use jiff::civil::{Time, Weekday};

use super::check::{Check, parse_hhmm, parse_weekdays};
use super::raw::{RawCentre, RawSession, Unread};
use super::validate::{Entries, SiteRefs};
use crate::hall::{Policy, Session};
use crate::ids::SiteId;

/// The day change when `[centre]` does not set one.
pub(super) const DEFAULT_DAY_CHANGE: Time = Time::constant(3, 0, 0, 0);

/// `[[sessions]]`: at least one; times of day, days of the week and sites
/// valid, each ending after it starts, and none overlapping another.
pub(super) fn sessions(
    c: &mut Check<'_>,
    raw: &Entries<RawSession>,
    sites: &SiteRefs,
    unread: &Unread,
) -> Vec<Session> {
    let mut read: Vec<(usize, usize, &RawSession, Session)> = Vec::new();
    for &(no, i, ref rs) in raw {
        if let Some(s) = session(c, no, i, rs, sites) {
            read.push((no, i, rs, s));
        }
    }
    if raw.is_empty() && !unread.any("sessions") {
        c.at(
            0,
            0..0,
            "sessions",
            "no [[sessions]]: the hall would never open",
        );
    }
    for (k, (no, i, rs, b)) in read.iter().enumerate() {
        let Some((j, a)) = read[..k]
            .iter()
            .find(|(_, _, _, a)| overlap(a, b).is_some())
            .map(|(_, j, _, a)| (j, a))
        else {
            continue;
        };
        // Only the first overlap of each session is reported: moving it
        // usually settles the others.
        let (days, common_sites) = overlap(a, b).unwrap_or_default();
        let (field, span) = if b.start >= a.start {
            ("start", rs.start.span())
        } else {
            ("end", rs.end.span())
        };
        let at = match common_sites.as_slice() {
            [] => String::new(),
            [one] => format!(" at site `{one}`"),
            many => format!(" at sites {}", quoted(many)),
        };
        c.at(
            *no,
            span,
            format!("sessions[{i}].{field}"),
            format!(
                "session `{}` ({}) overlaps session `{}` ({}, sessions[{j}]) on {}{at}: a time \
                 of day belongs to one session only; let one end where the other starts",
                b.name,
                hours(b),
                a.name,
                hours(a),
                day_names(&days),
            ),
        );
    }
    read.into_iter().map(|(_, _, _, s)| s).collect()
}

/// One `[[sessions]]` entry, or `None` (after reporting) when it is wrong.
fn session(
    c: &mut Check<'_>,
    no: usize,
    i: usize,
    rs: &RawSession,
    sites: &SiteRefs,
) -> Option<Session> {
    let field = |f: &str| format!("sessions[{i}].{f}");
    let start = c.time(no, &rs.start, &field("start"));
    let end = c.time(no, &rs.end, &field("end"));
    let mut days = Vec::new();
    for d in rs.days.get_ref() {
        match parse_weekdays(d.get_ref()) {
            Some(mut ds) => days.append(&mut ds),
            None => c.at(
                no,
                d.span(),
                field("days"),
                format!(
                    "`{}` is not a day: use mon … sun, or a range such as \"mon-fri\"",
                    d.get_ref()
                ),
            ),
        }
    }
    if rs.days.get_ref().is_empty() {
        c.at(
            no,
            rs.days.span(),
            field("days"),
            "a session needs at least one day",
        );
    }
    let mut session_sites = Vec::new();
    for s in &rs.sites {
        session_sites.push(sites.get(c, no, Some(s), field("sites")));
    }
    let (start, end) = (start?, end?);
    if start >= end {
        c.at(
            no,
            rs.end.span(),
            field("end"),
            "a session must end after it starts",
        );
        return None;
    }
    Some(Session {
        name: rs.name.clone(),
        name_en: rs.name_en.clone(),
        days,
        start,
        end,
        issuing: rs.issuing,
        stop_issuing_before_end_min: rs.stop_issuing_before_end_min,
        extended: rs.extended,
        sites: session_sites,
    })
}

/// Where two sessions are open at the same time: the days they share and
/// the sites (none listed: every site), or `None` when they never are.
fn overlap(a: &Session, b: &Session) -> Option<(Vec<Weekday>, Vec<SiteId>)> {
    if !(a.start < b.end && b.start < a.end) {
        return None;
    }
    let mut days: Vec<Weekday> = a
        .days
        .iter()
        .filter(|d| b.days.contains(d))
        .copied()
        .collect();
    days.sort_by_key(|d| d.to_monday_one_offset());
    days.dedup();
    let sites: Vec<SiteId> = match (a.sites.is_empty(), b.sites.is_empty()) {
        (true, _) => b.sites.clone(),
        (_, true) => a.sites.clone(),
        _ => a
            .sites
            .iter()
            .filter(|s| b.sites.contains(s))
            .cloned()
            .collect(),
    };
    let share_site = a.sites.is_empty() || b.sites.is_empty() || !sites.is_empty();
    (!days.is_empty() && share_site).then_some((days, sites))
}

/// `centre.day_change` falls at or before the first moment of any day at
/// which tickets are issued: the earliest session's start less
/// `policy.issue_before_open_min`.
pub(super) fn day_change(
    c: &mut Check<'_>,
    centre: &(usize, Range<usize>, RawCentre),
    policy: &Policy,
    sessions: &[Session],
) {
    let (no, header, rc) = centre;
    let (change, span, said) = match &rc.day_change {
        // A day change that is not a time is reported already.
        Some(t) => match parse_hhmm(t.get_ref()) {
            Some(change) => (
                change,
                t.span(),
                format!("the day changes at {}", hhmm(change)),
            ),
            None => return,
        },
        None => (
            DEFAULT_DAY_CHANGE,
            header.clone(),
            format!(
                "without day_change the day changes at {}",
                hhmm(DEFAULT_DAY_CHANGE)
            ),
        ),
    };
    let Some(first) = sessions.iter().min_by_key(|s| s.start) else {
        return;
    };
    let early = i64::from(policy.issue_before_open_min);
    let issuing = minutes(first.start) - early;
    if minutes(change) <= issuing.max(0) {
        return;
    }
    let issuing = Time::midnight()
        .checked_add(jiff::SignedDuration::from_mins(issuing.max(0)))
        .unwrap_or(Time::midnight());
    let example = if DEFAULT_DAY_CHANGE <= issuing {
        DEFAULT_DAY_CHANGE
    } else {
        Time::midnight()
    };
    let fix = format!(
        "set a time at or before {}, when kiosks start issuing, e.g. \"{}\"",
        hhmm(issuing),
        hhmm(example)
    );
    let inside = sessions
        .iter()
        .find(|s| s.start <= change && change < s.end);
    let message = if let Some(s) = inside {
        format!(
            "{said}, inside session `{}` ({}): tickets still waiting or called would expire \
             and numbering start again mid-session; {fix}",
            s.name,
            hours(s)
        )
    } else if change < first.start {
        format!(
            "{said}, in the {early} min before session `{}` ({}) when kiosks already issue \
             (policy.issue_before_open_min): those tickets would count for the day before; \
             {fix}",
            first.name,
            hhmm(first.start)
        )
    } else {
        let before = sessions
            .iter()
            .filter(|s| s.end <= change)
            .max_by_key(|s| s.end);
        let after = sessions
            .iter()
            .filter(|s| s.start > change)
            .min_by_key(|s| s.start);
        match (before, after) {
            (Some(b), Some(a)) => format!(
                "{said}, between sessions `{}` and `{}`: tickets waiting over the break would \
                 expire and numbering start again; {fix}",
                b.name, a.name
            ),
            _ => format!(
                "{said}, after the last session: tickets issued the next morning would count \
                 for the day before; {fix}"
            ),
        }
    };
    c.at(*no, span, "centre.day_change", message);
}

fn minutes(t: Time) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `08:30–12:00`.
fn hours(s: &Session) -> String {
    format!("{}–{}", hhmm(s.start), hhmm(s.end))
}

/// Weekdays as a session's `days` are written: `mon-fri`, `wed, sat`.
fn day_names(days: &[Weekday]) -> String {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let offsets: Vec<usize> = days
        .iter()
        .map(|d| usize::from(d.to_monday_zero_offset().unsigned_abs()))
        .collect();
    let mut runs: Vec<String> = Vec::new();
    let mut k = 0;
    while k < offsets.len() {
        let mut end = k;
        while end + 1 < offsets.len() && offsets[end + 1] == offsets[end] + 1 {
            end += 1;
        }
        runs.push(match end - k {
            0 => NAMES[offsets[k]].to_owned(),
            1 => format!("{}, {}", NAMES[offsets[k]], NAMES[offsets[end]]),
            _ => format!("{}-{}", NAMES[offsets[k]], NAMES[offsets[end]]),
        });
        k = end + 1;
    }
    runs.join(", ")
}

fn quoted(sites: &[SiteId]) -> String {
    let names: Vec<String> = sites.iter().map(|s| format!("`{s}`")).collect();
    names.join(", ")
}

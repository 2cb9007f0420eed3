//! Loading the hall from TOML text, with every problem reported by place.
//!
//! The core reads no files: [`load`] takes the main file's text and a
//! closure that returns the text of each file it `include`s. Problems are
//! collected across all files and all entries, so an administrator fixes a
//! configuration in one pass rather than one error at a time.
//!
//! Loading goes in two steps, one module each:
//!
//! - `raw`: each file's sections deserialized into shapes that mirror the
//!   TOML and keep the spans of the values checked later;
//! - `validate`: one function per section turns those shapes into the
//!   [`Hall`], checking forms, uniqueness and references between sections;
//!   `sessions` holds the opening sessions' and the day change's rules
//!   (no two sessions overlap; the day changes before the first ticket).
//!
//! An entry that cannot be read at all is reported once, at its field, and
//! references to it add nothing more. `check` holds what every section's
//! validation uses (reporting a problem at a span, ids, times, dates);
//! `serde_error` puts deserialization errors in words for hall staff;
//! `problem` the error types and how a span becomes a line and column.

mod check;
mod problem;
mod raw;
mod serde_error;
mod sessions;
mod validate;

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::hall::Hall;
use problem::problem_at;
pub use problem::{ConfigErrors, ConfigProblem};
use raw::{Raw, read_file};
use validate::validate;

/// One configuration file's name and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Name used in error messages (usually the path).
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// Loads a hall from its main file and the files it includes.
///
/// `read_include` gets each name listed in the main file's `include` array
/// and returns that file's text (or a message saying why it could not).
pub fn load(
    main: SourceFile,
    mut read_include: impl FnMut(&str) -> Result<String, String>,
) -> Result<Hall, ConfigErrors> {
    let mut files = vec![main];
    let mut problems = Vec::new();
    for (name, span) in includes(&files[0]) {
        match read_include(&name) {
            Ok(text) => files.push(SourceFile { name, text }),
            Err(why) => problems.push(problem_at(
                &files[0],
                span,
                "include",
                format!("cannot read `{name}`: {why}"),
            )),
        }
    }
    match parse(&files) {
        Ok(hall) if problems.is_empty() => Ok(hall),
        Ok(_) => Err(ConfigErrors(problems)),
        Err(ConfigErrors(more)) => {
            problems.extend(more);
            Err(ConfigErrors(problems))
        }
    }
}

/// The names listed in a file's top-level `include` array, with their spans.
pub fn includes(file: &SourceFile) -> Vec<(String, Range<usize>)> {
    let Ok(root) = DeTable::parse(&file.text) else {
        return Vec::new();
    };
    let Some(value) = root.get_ref().get("include") else {
        return Vec::new();
    };
    match value.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .filter_map(|v| Some((v.get_ref().as_str()?.to_owned(), v.span())))
            .collect(),
        _ => Vec::new(),
    }
}

/// Parses and validates a hall from several files; the first is the main
/// one. Sections may appear in any file; entries accumulate.
pub fn parse(files: &[SourceFile]) -> Result<Hall, ConfigErrors> {
    let mut raw = Raw::default();
    let mut problems = Vec::new();
    for no in 0..files.len() {
        read_file(files, no, &mut raw, &mut problems);
    }
    // After a syntax error whole sections are missing; checking references
    // would only add noise.
    let syntax = problems.iter().any(|p| p.field == "(syntax)");
    let hall = if syntax {
        None
    } else {
        validate(files, raw, &mut problems)
    };
    let order = |name: &str| files.iter().position(|f| f.name == name);
    problems.sort_by(|a, b| {
        (order(&a.file), a.line, a.column).cmp(&(order(&b.file), b.line, b.column))
    });
    if problems.is_empty() {
        // Validation produces a hall whenever it reports no problem.
        Ok(hall.expect("validated hall"))
    } else {
        Err(ConfigErrors(problems))
    }
}

//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per
//! diagnostic, shown on the pull request's diff.
//!
//! The title is `CODE name`; the message is the diagnostic's message, then its help, its note
//! and its related locations on further lines (annotations are multi-line). Columns count
//! characters, 1-based; `endColumn` is given only for a single-line span, the only case GitHub
//! uses it.
//!
//! GitHub shows at most [`SHOWN_PER_KIND`] annotations of each kind (error, warning, notice) per
//! step and drops the rest silently. So the most severe findings come first, the ones past the
//! cap of their kind are printed as plain log lines (`file:line:col: severity[CODE] message`),
//! and a closing summary names how many were not annotated and points to the SARIF report, which
//! code scanning shows in full. The summary is itself an annotation when a kind still has room
//! (a notice first), else a plain line.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};

/// GitHub's limit of annotations of one kind per step.
pub const SHOWN_PER_KIND: usize = 10;

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    // Most severe first; a stable sort keeps the file order within a severity.
    let mut ordered: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    ordered.sort_by_key(|d| std::cmp::Reverse(d.severity));
    // Annotations written so far per kind: error, warning, notice.
    let mut annotated = [0usize; 3];
    let mut not_annotated = 0;
    for d in ordered {
        let Some(file) = report.files.get(d.location.file) else {
            continue;
        };
        let start = file.position(d.location.span.start);
        let kind = &mut annotated[kind_index(d.severity)];
        if *kind >= SHOWN_PER_KIND {
            not_annotated += 1;
            writeln!(
                out,
                "{}:{}:{}: {}[{}] {}",
                file.name, start.line, start.column, d.severity, d.code, d.message
            )?;
            continue;
        }
        *kind += 1;
        let end = file.position(d.location.span.end);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = format!(
            "file={},line={},col={},endLine={}",
            property(&file.name),
            start.line,
            start.column,
            end.line
        );
        if end.line == start.line {
            let _ = write!(properties, ",endColumn={}", end.column);
        }
        let _ = write!(
            properties,
            ",title={}",
            property(&format!("{} {}", d.code, d.name))
        );
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        if let Some(note) = &d.note {
            let _ = write!(message, "\nnote: {note}");
        }
        for related in &d.related {
            if let Some(other) = report.files.get(related.location.file) {
                let pos = other.position(related.location.span.start);
                let _ = write!(
                    message,
                    "\n{}:{}:{}: {}",
                    other.name, pos.line, pos.column, related.message
                );
            }
        }
        writeln!(out, "::{command} {properties}::{}", data(&message))?;
    }
    if not_annotated > 0 {
        let summary = format!(
            "{not_annotated} more finding{} not annotated: GitHub shows {SHOWN_PER_KIND} \
             annotations of each kind per step (all are in this log above). Upload the SARIF \
             report (`--format sarif`) to code scanning to see every finding on the pull request.",
            if not_annotated == 1 { "" } else { "s" }
        );
        // The kind with room, least severe first, so the summary never takes an error's place.
        match [2, 1, 0]
            .into_iter()
            .find(|&k| annotated[k] < SHOWN_PER_KIND)
        {
            Some(k) => writeln!(
                out,
                "::{} title=sandtrap::{}",
                ["error", "warning", "notice"][k],
                data(&summary)
            )?,
            None => writeln!(out, "sandtrap: {summary}")?,
        }
    }
    Ok(())
}

/// The annotation kind's index in the per-kind counters.
fn kind_index(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// Escapes a command's message (GitHub's `escapeData`).
pub fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (GitHub's `escapeProperty`): as data, plus the `:` and `,` that
/// would end the value.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_first() {
        assert_eq!(data("100%\r\nok %0A"), "100%25%0D%0Aok %250A");
        assert_eq!(data("a: b, c"), "a: b, c");
    }

    #[test]
    fn properties_also_escape_separators() {
        assert_eq!(property("C:\\a,b.yaml"), "C%3A\\a%2Cb.yaml");
        assert_eq!(property("ST101 x%\n"), "ST101 x%25%0A");
    }
}

//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per
//! diagnostic, shown on the pull request's diff.
//!
//! The title is `CODE name`; the message is the diagnostic's message, then its help, its note
//! and its related locations on further lines (annotations are multi-line). Columns count
//! characters, 1-based; `endColumn` is given only for a single-line span, the only case GitHub
//! uses it.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use crate::diagnostic::Severity;

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let Some(file) = report.files.get(d.location.file) else {
            continue;
        };
        let start = file.position(d.location.span.start);
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
    Ok(())
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

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
//!
//! The runner reads every line of the log as a possible command: one that starts with `::`
//! once leading white space is trimmed, or one that holds `##[` anywhere (the legacy form). A
//! template in a pull request is untrusted, and a message or file name it controls must never
//! become a command (`::stop-commands::`, `::add-mask::`, a forged `::error`). So every line
//! this format writes is escaped as `@actions/core` escapes commands: annotation properties
//! with [`property`], their messages with [`data`], and plain lines with [`data`] too, plus
//! what would still make them a command ([`plain`]).

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
            let line = format!(
                "{}:{}:{}: {}[{}] {}",
                file.name, start.line, start.column, d.severity, d.code, d.message
            );
            writeln!(out, "{}", plain(&line))?;
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
            None => writeln!(out, "{}", plain(&format!("sandtrap: {summary}")))?,
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

/// A log line that is not a command, and can never be read as one: escaped as [`data`] (so it
/// stays one line), then percent-encoded the same way where the runner could still see a
/// command. It starts with a letter, a digit or ASCII punctuation other than `:`, else that
/// first character is encoded (`::x` is `%3A:x`); every `[` after a `#` is `%5B`, so no `##[`
/// is left. Both are wider than the runner's own tests on purpose: it compares with the
/// current culture, for which a soft hyphen or a zero-width space inside `##[` or before `::`
/// does not count. `%` itself is `%25`, so the line still decodes to its text.
pub fn plain(s: &str) -> String {
    let escaped = data(s);
    let mut line = String::with_capacity(escaped.len() + 6);
    let mut after_hash = false;
    for (i, c) in escaped.char_indices() {
        let safe_start =
            (c.is_ascii_graphic() && c != ':') || (!c.is_ascii() && c.is_alphanumeric());
        if (i == 0 && !safe_start) || (after_hash && c == '[') {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                let _ = write!(line, "%{byte:02X}");
            }
        } else {
            line.push(c);
        }
        after_hash |= c == '#';
    }
    line
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
    fn plain_lines_are_never_commands() {
        assert_eq!(
            plain("a.yaml:1:2: error[ST101] m"),
            "a.yaml:1:2: error[ST101] m"
        );
        assert_eq!(
            plain("::stop-commands::tok.yaml:1:1: x\n::add-mask::s"),
            "%3A:stop-commands::tok.yaml:1:1: x%0A::add-mask::s"
        );
        assert_eq!(plain(" \t::error::x"), "%20\t::error::x");
        assert_eq!(plain("\u{ad}::error::x"), "%C2%AD::error::x");
        assert_eq!(plain("x ##[add-mask]s 100%"), "x ##%5Badd-mask]s 100%25");
        assert_eq!(plain("x #\u{ad}#[y] a[b]"), "x #\u{ad}#%5By] a%5Bb]");
        assert_eq!(
            plain("日本.yaml:1:1: error[ST101] m"),
            "日本.yaml:1:1: error[ST101] m"
        );
    }

    #[test]
    fn properties_also_escape_separators() {
        assert_eq!(property("C:\\a,b.yaml"), "C%3A\\a%2Cb.yaml");
        assert_eq!(property("ST101 x%\n"), "ST101 x%25%0A");
    }
}

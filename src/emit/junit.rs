//! JUnit XML for CI test dashboards (GitLab, Jenkins, Azure Pipelines): one test case per
//! analyzed template.
//!
//! A template with errors or warnings fails with exactly one `<failure>`: its `type` is the code
//! of the first most severe finding, `message` that finding in one line, and the body lists every
//! error and warning of the file with its help. One failure per test case is deliberate: Jenkins
//! and GitHub's junit actions show only the first `<failure>` of a case, and some parsers reject
//! several. Infos never fail a case (they do not fail the run by default); they are listed in the
//! case's `<system-out>`. A file that is not a template but has findings (a broken file that
//! looks like one, a configuration file) is a test case too. `failures` counts failing cases;
//! `errors` stays 0, as sandtrap itself failing is exit status 2, not a report.
//!
//! A failing case carries `line` (of the finding its failure names, 1-based), on the
//! `<testcase>` and on the `<failure>`, where action-junit-report and test-reporter read it to
//! place the annotation. `time` (seconds) is the whole run's on the suites; a template is not
//! timed alone, so each case says `0`, which every reader accepts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut cases: BTreeMap<&str, Vec<&Diagnostic>> = report
        .templates
        .iter()
        .map(|t| (t.name.as_str(), Vec::new()))
        .collect();
    for d in report.diagnostics {
        if let Some(file) = report.files.get(d.location.file) {
            cases.entry(file.name.as_str()).or_default().push(d);
        }
    }
    let failures = cases
        .values()
        .filter(|ds| ds.iter().any(|d| d.severity > Severity::Info))
        .count();
    let time = report.elapsed.unwrap_or_default().as_secs_f64();
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\"",
        cases.len()
    );
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(xml, "<testsuites name=\"sandtrap\" {counts}>");
    let _ = writeln!(
        xml,
        "  <testsuite name=\"sandtrap\" {counts} skipped=\"0\">"
    );
    for (name, diagnostics) in &cases {
        let name = attribute(name);
        let _ = write!(
            xml,
            "    <testcase classname=\"{name}\" name=\"{name}\" file=\"{name}\" time=\"0\""
        );
        if diagnostics.is_empty() {
            xml.push_str("/>\n");
            continue;
        }
        let (failing, infos): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diagnostics
            .iter()
            .partition(|d| d.severity > Severity::Info);
        let worst = failing.iter().copied().reduce(|worst, d| {
            if d.severity > worst.severity {
                d
            } else {
                worst
            }
        });
        let line = worst.and_then(|d| {
            report
                .files
                .get(d.location.file)
                .map(|file| file.position(d.location.span.start).line)
        });
        if let Some(line) = line {
            let _ = write!(xml, " line=\"{line}\"");
        }
        xml.push_str(">\n");
        if let Some(worst) = worst {
            let mut message = format!("{}: {}", worst.code, worst.message);
            if failing.len() > 1 {
                let _ = write!(message, " (and {} more)", failing.len() - 1);
            }
            let _ = write!(
                xml,
                "      <failure message=\"{}\" type=\"{}\"",
                attribute(&message),
                attribute(&worst.code)
            );
            if let Some(line) = line {
                let _ = write!(xml, " line=\"{line}\"");
            }
            xml.push('>');
            xml.push_str(&text(&listing(report, &failing)));
            xml.push_str("</failure>\n");
        }
        if !infos.is_empty() {
            xml.push_str("      <system-out>");
            xml.push_str(&text(&listing(report, &infos)));
            xml.push_str("</system-out>\n");
        }
        xml.push_str("    </testcase>\n");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    out.write_all(xml.as_bytes())
}

/// The concise line of each diagnostic, followed by its help and note.
fn listing(report: &Report<'_>, diagnostics: &[&Diagnostic]) -> String {
    let mut body = String::new();
    for d in diagnostics {
        if let Some(file) = report.files.get(d.location.file) {
            let pos = file.position(d.location.span.start);
            let _ = write!(body, "{}:{}:{}: ", file.name, pos.line, pos.column);
        }
        let _ = writeln!(body, "{}[{}] {}", d.severity, d.code, d.message);
        if let Some(help) = &d.help {
            let _ = writeln!(body, "  help: {help}");
        }
        if let Some(note) = &d.note {
            let _ = writeln!(body, "  note: {note}");
        }
    }
    body
}

/// Escapes character data.
pub fn text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value (double-quoted). Tabs and line breaks become character
/// references, because XML attribute normalization would otherwise turn them into spaces.
pub fn attribute(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\t' | '\n' | '\r' if attribute => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            '\t' | '\n' => out.push(c),
            // A bare CR in character data would be read back as a line feed.
            '\r' => out.push_str("&#13;"),
            // XML 1.0 cannot carry these at all, not even as character references.
            c if is_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn is_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            attribute("a<b>&\"c\"'"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;"
        );
        assert_eq!(text("a<b>&\"c\"'"), "a&lt;b&gt;&amp;\"c\"'");
        assert_eq!(text("]]>"), "]]&gt;");
    }

    #[test]
    fn keeps_line_breaks_in_attributes_as_references() {
        assert_eq!(attribute("a\nb\tc\rd"), "a&#10;b&#9;c&#13;d");
        assert_eq!(text("a\nb\tc\rd"), "a\nb\tc&#13;d");
    }

    #[test]
    fn replaces_characters_xml_cannot_carry() {
        assert_eq!(
            text("a\u{0}b\u{1b}c\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(attribute("\u{7}"), "\u{FFFD}");
        assert_eq!(text("日本🚀"), "日本🚀");
    }
}

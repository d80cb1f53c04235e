//! Fuzzes the human, concise and GitHub renderers over arbitrary diagnostic text: a file name,
//! its text, and of each diagnostic the message, label, help, note and a related message, all
//! taken from the input and made printable as a run makes them. Whatever they hold, nothing may
//! panic, no output may carry an escape sequence or a control character, and no line may be a
//! workflow command the renderer did not write: none starts with `::` (GitHub's own annotations
//! aside) or holds `##[`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sandtrap::diagnostic::{Diagnostic, Location, Related, Severity, Summary};
use sandtrap::emit::{self, OutputFormat, Report, Style};
use sandtrap::rules::Catalog;
use sandtrap::source::{Files, SourceFile, Span};

/// Characters a culture-sensitive comparison (the GitHub runner's) skips.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{34f}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{206f}' | '\u{feff}'
    )
}

/// Panics on what a terminal or a CI log would obey. `github`: the renderer's own annotations
/// may start lines.
fn check(output: &[u8], github: bool) {
    let text = String::from_utf8_lossy(output);
    for c in text.chars() {
        let control = c.is_control() && c != '\n' && c != '\t';
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!control && !bidi, "{c:?} reached the output:\n{text}");
    }
    for line in text.lines() {
        let visible: String = line.chars().filter(|c| !invisible(*c)).collect();
        assert!(!visible.contains("##["), "a legacy command:\n{line}");
        let start = visible.trim_start();
        if github
            && ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|c| line.starts_with(c))
        {
            continue;
        }
        assert!(!start.starts_with("::"), "a workflow command:\n{line}");
    }
}

/// A span of `text` chosen by two numbers of the input.
fn span(text: &str, a: usize, b: usize) -> Span {
    let start = a % (text.len() + 1);
    Span::new(start, start + b % 64)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let input = String::from_utf8_lossy(rest);
    let mut fields = input.split('\u{0}');
    let mut next = || fields.next().unwrap_or_default().to_owned();
    let (name, text) = (next(), next());
    let mut files = Files::default();
    let file = files.add(SourceFile::new(name, None, text.clone()));
    let mut diagnostics = Vec::new();
    for i in 0..=usize::from(selector % 3) {
        let (message, label, help, note, related) = (next(), next(), next(), next(), next());
        let location = Location {
            file,
            span: span(&text, message.len() * 7 + i, label.len()),
        };
        let severity = [Severity::Error, Severity::Warning, Severity::Info][i % 3];
        let mut d = Diagnostic::new(
            "ST101",
            "ses-sandbox-recipients",
            severity,
            location,
            message,
        );
        d.label = (!label.is_empty()).then_some(label);
        d.help = (!help.is_empty()).then_some(help);
        d.note = (!note.is_empty()).then_some(note);
        if !related.is_empty() {
            let location = Location {
                file,
                span: span(&text, related.len() * 13, related.len()),
            };
            d.related.push(Related {
                location,
                message: related,
            });
        }
        // As the run does with every diagnostic it reports.
        d.escape();
        diagnostics.push(d);
    }
    // Past GitHub's cap of annotations per kind too, where plain lines are written.
    if selector & 4 != 0 {
        let more = diagnostics.clone();
        for _ in 0..11 {
            diagnostics.extend(more.iter().cloned());
        }
    }
    let catalog = Catalog::new();
    let report = Report {
        files: &files,
        diagnostics: &diagnostics,
        summary: Summary::default(),
        catalog: &catalog,
        templates: &[],
        root: Path::new(""),
        cwd: Path::new(""),
        map: None,
        source_url: None,
        elapsed: None,
    };
    let style = Style {
        width: 20 + usize::from(selector >> 3) * 4,
        ..Style::default()
    };
    for format in [
        OutputFormat::Human,
        OutputFormat::Concise,
        OutputFormat::Github,
    ] {
        let mut out = Vec::new();
        let _ = emit::emit(&report, format, style, &mut out);
        check(&out, format == OutputFormat::Github);
    }
});

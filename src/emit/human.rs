//! Graphical reports through miette: snippet, labels, help and URL, one diagnostic after another,
//! then a one-line summary.

use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use super::{Report, Style};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Files, IndexedSource, Span};

/// One diagnostic in the shape miette renders.
#[derive(Debug)]
struct Rendered {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    url: Option<String>,
    source: IndexedSource,
    labels: Vec<LabeledSpan>,
    /// Related locations in other files, rendered as their own snippets.
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn label(text: Option<String>, span: Span, primary: bool) -> LabeledSpan {
    let span: miette::SourceSpan = (span.start as usize, span.len()).into();
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

fn render(files: &Files, d: &Diagnostic, links: bool) -> Option<Rendered> {
    let file = files.get(d.location.file)?;
    let mut labels = vec![label(d.label.clone(), d.location.span, true)];
    let mut related = Vec::new();
    let line = |offset: u32| file.position(offset).line;
    let primary_line = line(d.location.span.start);
    for r in &d.related {
        // A label a few lines away shares the primary snippet; a distant one gets a snippet of
        // its own after it, so the report opens where the problem is.
        let near = line(r.location.span.start).abs_diff(primary_line) <= 3;
        if r.location.file == d.location.file && near {
            labels.push(label(Some(r.message.clone()), r.location.span, false));
        } else if let Some(other) = files.get(r.location.file) {
            related.push(Rendered {
                message: r.message.clone(),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                url: None,
                source: IndexedSource(other.clone()),
                labels: vec![label(None, r.location.span, true)],
                related: Vec::new(),
            });
        }
    }
    let help = match (&d.help, &d.note) {
        (Some(h), Some(n)) => Some(format!("{h}\nnote: {n}")),
        (Some(h), None) => Some(h.clone()),
        (None, Some(n)) => Some(format!("note: {n}")),
        (None, None) => None,
    };
    Some(Rendered {
        message: d.message.clone(),
        code: Some(format!("{}({})", d.code, d.name)),
        severity: miette_severity(d.severity),
        help,
        // Without hyperlinks miette prints the URL in full; `sandtrap explain` says the same.
        url: d.url.clone().filter(|_| links),
        source: IndexedSource(file.clone()),
        labels,
        related,
    })
}

pub fn write(report: &Report<'_>, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(style.links)
        // Help text holds commands and ARNs: never split them at hyphens.
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false)
        .with_width(style.width)
        .with_context_lines(1);
    for d in report.diagnostics {
        let Some(rendered) = render(report.files, d, style.links) else {
            continue;
        };
        let mut text = String::new();
        if handler.render_report(&mut text, &rendered).is_err() {
            text = format!("{}: {}\n", d.code, d.message);
        }
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
    }
    let s = report.summary;
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if report.diagnostics.is_empty() {
        writeln!(
            out,
            "All checks passed: {} in {}.",
            plural(s.templates, "template"),
            plural(s.files, "file")
        )
    } else {
        writeln!(
            out,
            "Found {}, {}, {} in {} ({}).",
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.infos, "info"),
            plural(s.templates, "template"),
            plural(s.files, "file")
        )
    }
}

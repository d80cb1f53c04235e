//! Graphical reports through miette: snippet, labels, help and URL, one diagnostic after another,
//! then a one-line summary. Text is wrapped to the report's width, except the commands of a help
//! (`aws sesv2 ...`), each printed alone on its line, whole, to be pasted; a related location in
//! another file follows its diagnostic as a snippet headed by its label.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use super::{Report, Style};
use crate::diagnostic::{Diagnostic, Severity};
use crate::printable::escape;
use crate::source::snippet::CONTEXT_LINES;
use crate::source::{FileId, Files, Snippet, SourceFile, Span};

/// One diagnostic in the shape miette renders.
#[derive(Debug)]
struct Rendered {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    url: Option<String>,
    source: Option<Snippet>,
    labels: Vec<LabeledSpan>,
    /// Related locations in other files, rendered as their own snippets after the diagnostic
    /// (not as miette's related reports, which it heads with an empty `Advice:` line).
    related: Vec<Rendered>,
    /// What caused a tool error.
    cause: Option<Box<Cause>>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

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
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// Messages, labels and help longer than this many bytes are cut with `…`: a message can quote
/// source text (a duplicate key of a megabyte), and the human format stays bounded.
pub const MAX_TEXT_BYTES: usize = 1 << 10;

fn shorten(text: &str) -> String {
    if text.len() <= MAX_TEXT_BYTES {
        return text.to_owned();
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// The labels of one snippet: the window of `file` around their spans, with the labels moved
/// into it.
fn window(file: &SourceFile, labels: Vec<(Option<String>, Span)>) -> (Snippet, Vec<LabeledSpan>) {
    let spans: Vec<Span> = labels.iter().map(|(_, span)| *span).collect();
    let (snippet, spans) = Snippet::new(file, &spans);
    let labels = labels
        .into_iter()
        .zip(spans)
        .enumerate()
        .map(|(i, ((text, _), span))| {
            let span: miette::SourceSpan = (span.start as usize, span.len()).into();
            if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })
        .collect();
    (snippet, labels)
}

fn render(files: &Files, d: &Diagnostic, links: bool) -> Option<Rendered> {
    let file = files.get(d.location.file)?;
    let mut labels = vec![(d.label.as_deref().map(shorten), d.location.span)];
    let mut related = Vec::new();
    let line = |offset: u32| file.position(offset).line;
    let primary_line = line(d.location.span.start);
    for r in &d.related {
        // A label a few lines away shares the primary snippet; a distant one gets a snippet of
        // its own after it, so the report opens where the problem is.
        let near = line(r.location.span.start).abs_diff(primary_line) <= 3;
        if r.location.file == d.location.file && near {
            labels.push((Some(shorten(&r.message)), r.location.span));
        } else if let Some(other) = files.get(r.location.file) {
            let (source, labels) = window(other, vec![(None, r.location.span)]);
            related.push(Rendered {
                message: shorten(&r.message),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                url: None,
                source: Some(source),
                labels,
                related: Vec::new(),
                cause: None,
            });
        }
    }
    let help = d.help.as_deref().map(commands_on_their_own_lines);
    let help = match (&help, &d.note) {
        (Some(h), Some(n)) => Some(format!("{h}\nnote: {n}")),
        (Some(h), None) => Some(h.clone()),
        (None, Some(n)) => Some(format!("note: {n}")),
        (None, None) => None,
    };
    let (source, labels) = window(file, labels);
    Some(Rendered {
        message: shorten(&d.message),
        code: Some(format!("{}({})", d.code, d.name)),
        severity: miette_severity(d.severity),
        help: help.as_deref().map(shorten),
        // Without hyperlinks miette prints the URL in full; `sandtrap explain` says the same.
        url: d.url.clone().filter(|_| links),
        source: Some(source),
        labels,
        related,
        cause: None,
    })
}

/// How a help's command is set apart on its own line.
const COMMAND_INDENT: &str = "  ";

/// Whether an inline code span of a help is a command to paste (an AWS CLI call, a build).
fn is_command(code: &str) -> bool {
    code.starts_with("aws ") || code.starts_with("cargo ")
}

/// `help` with each command (`` `aws sesv2 ...` ``) moved out of its sentence onto a line of its
/// own, without the backticks a shell would run as a command substitution: "request production
/// access: `aws sesv2 ...`; once granted, record it" becomes "request production access:",
/// "  aws sesv2 ...", "once granted, record it". The punctuation that tied the command into
/// the sentence (`(`, `)`, `;`, `,`) goes with it.
fn commands_on_their_own_lines(help: &str) -> String {
    let mut out = String::with_capacity(help.len() + 8);
    let mut rest = help;
    while let Some((before, code, after)) = next_command(rest) {
        let before = before.trim_end().trim_end_matches('(').trim_end();
        if !before.is_empty() {
            out.push_str(before);
            if !before.ends_with(':') {
                out.push(':');
            }
            out.push('\n');
        }
        out.push_str(COMMAND_INDENT);
        out.push_str(code);
        out.push('\n');
        rest = after
            .trim_start()
            .trim_start_matches(')')
            .trim_start_matches([';', ','])
            .trim_start();
    }
    out.push_str(rest);
    out.truncate(out.trim_end().len());
    out
}

/// The text before the first command span of `text`, the command, and the text after it.
fn next_command(text: &str) -> Option<(&str, &str, &str)> {
    let mut offset = 0;
    let mut spans = text.split('`');
    let mut before = spans.next()?;
    while let (Some(code), Some(after)) = (spans.next(), spans.next()) {
        let start = offset + before.len();
        if is_command(code) {
            let end = start + 1 + code.len() + 1;
            return Some((&text[..start], code, &text[end..]));
        }
        offset = start + 1 + code.len() + 1;
        before = after;
    }
    None
}

/// Words for miette's wrapping: a command line of a help is one word, so it is never split
/// (a terminal narrower than the command folds it, and copying still gives one line); any other
/// line breaks at spaces.
fn words(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    if line.starts_with(COMMAND_INDENT) && is_command(line.trim_start()) {
        Box::new(std::iter::once(textwrap::core::Word::from(line)))
    } else {
        textwrap::WordSeparator::AsciiSpace.find_words(line)
    }
}

/// The human format shows at most this many diagnostics of one code in one file, then says how
/// many more there are (a minified template can have thousands on one line; every other format
/// lists them all).
pub const PER_FILE_AND_CODE: usize = 10;

/// "… and 3,990 more ST001 in t.json" for each code of `file` past the cap.
fn write_more(
    report: &Report<'_>,
    file: Option<FileId>,
    shown: &BTreeMap<&str, usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let name = file
        .and_then(|id| report.files.get(id))
        .map_or("", |f| f.name.as_str());
    for (code, count) in shown {
        if let Some(more) = count.checked_sub(PER_FILE_AND_CODE).filter(|n| *n > 0) {
            writeln!(
                out,
                "… and {} more {code} in {name} (--format concise lists every one)\n",
                thousands(more)
            )?;
        }
    }
    Ok(())
}

/// `3990` as `3,990`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A tool error (a bad config or rule file) rendered like a finding: its snippet is a window
/// too, so an error on a long line renders instead of panicking inside miette, and its texts
/// are printable, since they quote file names and settings files a pull request controls.
///
/// An error made of several (a rule file with three problems) is its sentence, then each problem
/// rendered the same way: miette would head each one with an empty `Error:` line.
pub fn render_error(err: &dyn miette::Diagnostic, width: usize) -> String {
    if let Some(related) = err.related() {
        let mut text = format!("  × {}\n", escape(&err.to_string()));
        for problem in related {
            text.push('\n');
            text.push_str(&render_error(problem, width));
        }
        return text;
    }
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_links(false)
        .with_width(width)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_word_separator(textwrap::WordSeparator::Custom(words))
        .with_context_lines(CONTEXT_LINES);
    let mut text = String::new();
    if handler
        .render_report(&mut text, &printable_error(err))
        .is_err()
    {
        text = format!("error: {}\n", escape(&err.to_string()));
    }
    // Wrapping, and cutting words longer than a line, can move a `::` to the start of a line.
    crate::printable::guard_lines(&text).into_owned()
}

/// `err` as it is printed: every text escaped, its labels in a [`Snippet`] of its source, its
/// causes kept.
fn printable_error(err: &dyn miette::Diagnostic) -> Rendered {
    let (source, labels) = window_error(err).unwrap_or_default();
    let mut cause = None;
    let mut causes = Vec::new();
    let mut next = std::error::Error::source(err);
    while let Some(error) = next {
        causes.push(escape(&error.to_string()).into_owned());
        next = error.source();
    }
    for message in causes.into_iter().rev() {
        cause = Some(Box::new(Cause {
            message,
            next: cause,
        }));
    }
    Rendered {
        message: shorten(&escape(&err.to_string())),
        code: err.code().map(|c| escape(&c.to_string()).into_owned()),
        severity: err.severity().unwrap_or(miette::Severity::Error),
        help: err
            .help()
            .map(|h| commands_on_their_own_lines(&shorten(&escape(&h.to_string())))),
        url: None,
        source,
        labels,
        related: Vec::new(),
        cause,
    }
}

/// The labels of `err` in a [`Snippet`] of its source; `None` when it has none.
fn window_error(err: &dyn miette::Diagnostic) -> Option<(Option<Snippet>, Vec<LabeledSpan>)> {
    let source = err.source_code()?;
    let labels: Vec<LabeledSpan> = err.labels()?.collect();
    let start = labels.iter().map(LabeledSpan::offset).min()?;
    let end = labels.iter().map(|l| l.offset() + l.len()).max()?;
    // The lines around the labels, as the source gives them; the window is cut from those.
    let contents = source
        .read_span(&(start, end - start).into(), CONTEXT_LINES, CONTEXT_LINES)
        .ok()?;
    let base = contents.span().offset();
    let excerpt = SourceFile::new(
        contents.name().unwrap_or_default().to_owned(),
        None,
        String::from_utf8_lossy(contents.data()).into_owned(),
    );
    let spans: Vec<Span> = labels
        .iter()
        .map(|l| {
            let start = l.offset().saturating_sub(base);
            Span::new(start, start + l.len())
        })
        .collect();
    let (snippet, spans) = Snippet::new(&excerpt, &spans);
    let labels = labels
        .iter()
        .zip(spans)
        .map(|(l, span)| {
            let text = l.label().map(|label| shorten(&escape(label)));
            let span: miette::SourceSpan = (span.start as usize, span.len()).into();
            if l.primary() {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })
        .collect();
    Some((Some(snippet.starting_at_line(contents.line())), labels))
}

/// A cause of a tool error (`std::error::Error::source`), printable.
#[derive(Debug)]
struct Cause {
    message: String,
    next: Option<Box<Cause>>,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.next
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
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
        .with_word_separator(textwrap::WordSeparator::Custom(words))
        .with_break_words(false)
        .with_width(style.width)
        .with_context_lines(CONTEXT_LINES);
    // Diagnostics come sorted by file: count per code within the current file.
    let mut file = None;
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    for d in report.diagnostics {
        if file != Some(d.location.file) {
            write_more(report, file, &shown, out)?;
            file = Some(d.location.file);
            shown.clear();
        }
        let count = shown.entry(d.code.as_str()).or_default();
        *count += 1;
        if *count > PER_FILE_AND_CODE {
            continue;
        }
        let Some(rendered) = render(report.files, d, style.links) else {
            continue;
        };
        let mut text = String::new();
        if handler.render_report(&mut text, &rendered).is_err() {
            text = format!("{}: {}\n", d.code, d.message);
        }
        for related in &rendered.related {
            text.push('\n');
            if handler.render_report(&mut text, related).is_err() {
                text.push_str(&format!("  {}\n", related.message));
            }
        }
        // Wrapping can move a `::` of a message to the start of a line.
        let text = crate::printable::guard_lines(&text);
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
    }
    write_more(report, file, &shown, out)?;
    if style.quiet {
        return Ok(());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_at_a_character_boundary() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(MAX_TEXT_BYTES);
        let cut = shorten(&long);
        assert!(cut.len() <= MAX_TEXT_BYTES + "…".len() && cut.ends_with('…'));
    }

    /// A tool error's help is wrapped, and a word longer than the width is cut: a `::` that
    /// lands at the start of a line must not be one the GitHub runner would run, at any width.
    #[test]
    fn wrapped_text_never_starts_a_line_with_a_command() {
        let source = std::sync::Arc::new(miette::NamedSource::new("c.yaml", "a: 1\n".to_owned()));
        let help = format!("{}::add-mask::s ::stop-commands::tok", "x".repeat(150));
        let error = crate::located::Located::new(
            "test",
            "message",
            &source,
            miette::SourceSpan::new(0.into(), 1),
            "here",
        )
        .with_help(help);
        for width in 20..100 {
            let text = render_error(&error, width);
            for line in text.lines() {
                assert!(!line.trim_start().starts_with("::"), "{width}:\n{text}");
            }
        }
    }

    #[test]
    fn commands_leave_their_sentence_for_a_line_of_their_own() {
        assert_eq!(
            commands_on_their_own_lines(
                "request production access for SES in us-west-2: `aws sesv2 put-account-details \
                 --region us-west-2`; once granted, record it in .sandtrap.yaml: `ses: {}`"
            ),
            "request production access for SES in us-west-2:\n  aws sesv2 put-account-details \
             --region us-west-2\nonce granted, record it in .sandtrap.yaml: `ses: {}`"
        );
        assert_eq!(
            commands_on_their_own_lines(
                "make sure `a.com` is verified (`aws sesv2 get-email-identity --email-identity \
                 a.com`), or add the template"
            ),
            "make sure `a.com` is verified:\n  aws sesv2 get-email-identity --email-identity \
             a.com\nor add the template"
        );
        // Two commands; the last ends the help.
        assert_eq!(
            commands_on_their_own_lines(
                "check with `aws sesv2 get-account` (ProductionAccessEnabled); if false, run \
                 `aws sesv2 put-account-details`"
            ),
            "check with:\n  aws sesv2 get-account\n(ProductionAccessEnabled); if false, run:\n  \
             aws sesv2 put-account-details"
        );
        // Other code spans stay where they are.
        let plain = "point `SourceArn` at `arn:aws:ses:...`";
        assert_eq!(commands_on_their_own_lines(plain), plain);
    }

    #[test]
    fn a_command_line_is_one_word_and_prose_breaks_at_spaces() {
        let command = "  aws sesv2 put-account-details --production-access-enabled";
        assert_eq!(words(command).count(), 1);
        assert_eq!(words("once granted, record it").count(), 4);
        // Wrapped narrower than the command, it stays whole on its line.
        let options = textwrap::Options::new(30)
            .word_separator(textwrap::WordSeparator::Custom(words))
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(false);
        let text = format!("request it:\n{command}\nonce granted, record it in the config");
        let lines = textwrap::wrap(&text, options);
        assert_eq!(lines[1], command);
        assert!(lines.iter().skip(2).all(|l| l.len() <= 30), "{lines:?}");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(3_990), "3,990");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

//! The window of a file a human report shows around one diagnostic's spans: a few lines, long
//! lines cut around the spans' ends with `…`, so a report costs a bounded number of bytes and
//! miette is never handed a line it cannot format (its graphical handler panics past column
//! 65,535). Control characters of the lines are shown, never printed raw
//! ([`crate::printable`]): an ESC in a template must not reach the terminal.

use super::{SourceFile, Span};

/// Lines shown above and below the spans (the human emitter asks miette for as many).
pub const CONTEXT_LINES: usize = 1;
/// At most this many lines per snippet; a span running longer is cut at the last one.
pub const MAX_LINES: usize = 12;
/// A line up to this many bytes is shown whole (generated CDK JSON has lines of 300).
pub const WHOLE_LINE_BYTES: usize = 320;
/// On a longer line, this many characters are kept on each side of every span end (a context
/// line without one keeps its first `2 * RADIUS`).
pub const RADIUS: usize = 40;

const ELLIPSIS: &str = "…";

/// A stretch of the original text copied into the window: verbatim (`window_len == len`), or
/// one character shown as its escape.
#[derive(Debug, Clone, Copy)]
struct Piece {
    window: usize,
    original: usize,
    len: usize,
    window_len: usize,
}

impl Piece {
    /// The window offset of an original offset within the piece.
    fn to_window(self, offset: usize) -> usize {
        match offset.saturating_sub(self.original) {
            at if self.len == self.window_len => self.window + at,
            0 => self.window,
            _ => self.window + self.window_len,
        }
    }

    /// The original offset of a window offset within the piece.
    fn to_original(self, offset: usize) -> usize {
        match offset.saturating_sub(self.window) {
            at if self.len == self.window_len => self.original + at,
            0 => self.original,
            _ => self.original + self.len,
        }
    }
}

#[derive(Debug, Clone)]
struct WindowLine {
    /// Where the line starts in the window text.
    start: usize,
    /// Where its text ends in the window (before the `\n` the window ends every line with).
    end: usize,
    /// Where its text ends in the original (before the line terminator).
    original_end: usize,
    pieces: Vec<Piece>,
}

/// A [`miette::SourceCode`] over the window of `file` around some spans. The window's lines are
/// consecutive lines of the file (so miette numbers them right) ending in `\n` whatever the file
/// uses; [`Snippet::new`] maps the spans into it, so labels stay under their bytes.
#[derive(Debug, Clone)]
pub struct Snippet {
    file: SourceFile,
    text: String,
    /// The 0-based line of the file the window starts at.
    first_line: usize,
    /// Added to every line number shown: `file` is an excerpt starting at this line.
    line_base: usize,
    lines: Vec<WindowLine>,
}

impl Snippet {
    /// The window of `file` around `spans`, and the spans in the window's coordinates.
    pub fn new(file: &SourceFile, spans: &[Span]) -> (Snippet, Vec<Span>) {
        Snippet::with_context(file, spans, CONTEXT_LINES)
    }

    /// [`Snippet::new`] with `context` lines above and below the spans.
    pub fn with_context(file: &SourceFile, spans: &[Span], context: usize) -> (Snippet, Vec<Span>) {
        let text: &str = &file.text;
        // A span inside a character (a byte of invalid UTF-8, shown as U+FFFD) covers it.
        let spans: Vec<(usize, usize)> = spans
            .iter()
            .map(|s| {
                let start = floor_boundary(text, s.start as usize);
                (start, ceil_boundary(text, s.end as usize).max(start))
            })
            .collect();
        let line_of = |offset: usize| file.position(offset as u32).line as usize - 1;
        let last_line_of_file = line_of(text.len());
        let first_line = spans
            .iter()
            .map(|&(start, _)| line_of(start))
            .min()
            .unwrap_or(0)
            .saturating_sub(context);
        let last_line = spans
            .iter()
            .map(|&(start, end)| line_of(end.saturating_sub(1).max(start)))
            .max()
            .unwrap_or(0)
            .saturating_add(context)
            .min(last_line_of_file)
            .min(first_line + MAX_LINES - 1);
        let mut snippet = Snippet {
            file: file.clone(),
            text: String::new(),
            first_line,
            line_base: 0,
            lines: Vec::new(),
        };
        let ends: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        for line in first_line..=last_line {
            snippet.push_line(line, &ends);
        }
        let mapped = spans
            .iter()
            .map(|&(start, end)| Span::new(snippet.to_window(start), snippet.to_window(end)))
            .collect();
        (snippet, mapped)
    }

    /// The original byte range of a 0-based line: start, end of its text, start of the next.
    fn line_bounds(&self, line: usize) -> (usize, usize, usize) {
        let text: &str = &self.file.text;
        let start = self
            .file
            .line_start(line as u32 + 1)
            .map_or(text.len(), |o| o as usize);
        let next = self
            .file
            .line_start(line as u32 + 2)
            .map_or(text.len(), |o| o as usize)
            .max(start);
        let line_text = &text.as_bytes()[start..next];
        let terminator = if line_text.ends_with(b"\r\n") {
            2
        } else if line_text.ends_with(b"\n") || line_text.ends_with(b"\r") {
            1
        } else {
            0
        };
        (start, next - terminator, next)
    }

    fn push_line(&mut self, line: usize, ends: &[usize]) {
        let text: &str = &self.file.text;
        let (start, end, next) = self.line_bounds(line);
        let segments = if end - start <= WHOLE_LINE_BYTES {
            vec![(start, end)]
        } else {
            let mut points: Vec<usize> = ends
                .iter()
                .filter(|&&p| start <= p && p <= next)
                .map(|&p| p.min(end))
                .collect();
            if points.is_empty() {
                points.push(forward(text, start, RADIUS).min(end));
            }
            points.sort_unstable();
            let mut segments: Vec<(usize, usize)> = Vec::new();
            for p in points {
                let from = back(text, p, RADIUS).max(start);
                let to = forward(text, p, RADIUS).min(end);
                match segments.last_mut() {
                    // Touching windows, or a gap no wider than the `…` that would replace it.
                    Some(last) if from <= last.1 + ELLIPSIS.len() => last.1 = last.1.max(to),
                    _ => segments.push((from, to)),
                }
            }
            segments
        };
        let window_start = self.text.len();
        let mut pieces = Vec::with_capacity(segments.len());
        let mut at = start;
        for (from, to) in segments {
            if from > at {
                self.text.push_str(ELLIPSIS);
            }
            self.copy(from, to, &mut pieces);
            at = to;
        }
        if end > at {
            self.text.push_str(ELLIPSIS);
        }
        let window_end = self.text.len();
        if next > end {
            self.text.push('\n');
        }
        self.lines.push(WindowLine {
            start: window_start,
            end: window_end,
            original_end: end,
            pieces,
        });
    }

    /// Copies `from..to` of the file into the window, each character that must not be printed
    /// raw as what shows it.
    fn copy(&mut self, from: usize, to: usize, pieces: &mut Vec<Piece>) {
        let whole = std::sync::Arc::clone(&self.file.text);
        let text = &whole[from..to];
        let mut verbatim = 0;
        for (at, c) in text.char_indices() {
            let Some(shown) = crate::printable::shown(c) else {
                continue;
            };
            self.verbatim(from + verbatim, &text[verbatim..at], pieces);
            let window = self.text.len();
            shown.write(&mut self.text);
            pieces.push(Piece {
                window,
                original: from + at,
                len: c.len_utf8(),
                window_len: self.text.len() - window,
            });
            verbatim = at + c.len_utf8();
        }
        self.verbatim(from + verbatim, &text[verbatim..], pieces);
    }

    fn verbatim(&mut self, original: usize, text: &str, pieces: &mut Vec<Piece>) {
        if text.is_empty() && !pieces.is_empty() {
            return;
        }
        pieces.push(Piece {
            window: self.text.len(),
            original,
            len: text.len(),
            window_len: text.len(),
        });
        self.text.push_str(text);
    }

    /// Where an original offset falls in the window: clamped to the window's ends, and to the
    /// nearest piece when it falls in an elided stretch.
    fn to_window(&self, offset: usize) -> usize {
        let line = self.file.position(offset as u32).line as usize - 1;
        let Some(local) = line.checked_sub(self.first_line) else {
            return 0;
        };
        let Some(window_line) = self.lines.get(local) else {
            return self.text.len();
        };
        if offset > window_line.original_end {
            // Inside the line terminator: after the window's `\n`.
            return self
                .lines
                .get(local + 1)
                .map_or(self.text.len(), |l| l.start);
        }
        if offset == window_line.original_end {
            return window_line.end;
        }
        for piece in &window_line.pieces {
            if offset <= piece.original + piece.len {
                return piece.to_window(offset);
            }
        }
        window_line.end
    }

    /// The original offset of a window offset (for the column miette prints).
    fn to_original(&self, offset: usize) -> usize {
        let local = self
            .lines
            .partition_point(|l| l.start <= offset)
            .saturating_sub(1);
        let Some(line) = self.lines.get(local) else {
            return 0;
        };
        if offset >= line.end {
            return line.original_end;
        }
        for piece in &line.pieces {
            if offset < piece.window {
                return piece.original;
            }
            if offset <= piece.window + piece.window_len {
                return piece.to_original(offset);
            }
        }
        line.original_end
    }

    /// The 0-based window line holding a window offset.
    fn local_line(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|l| l.start <= offset)
            .saturating_sub(1)
    }

    /// Numbers the lines as if `file` (an excerpt of a bigger text) started at 0-based `line`.
    pub fn starting_at_line(mut self, line: usize) -> Self {
        self.line_base = line;
        self
    }

    /// The window's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The window's lines: the 1-based line number in the file, and where its text lies in
    /// [`Snippet::text`] (without the line break).
    pub fn lines(&self) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
        let first = self.line_base + self.first_line + 1;
        (self.lines.iter().enumerate()).map(move |(i, line)| (first + i, line.start..line.end))
    }
}

impl miette::SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text = &self.text;
        if span.offset() > text.len() || span.offset() + span.len() > text.len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        let start_line = self.local_line(span.offset());
        let last_byte = (span.offset() + span.len())
            .saturating_sub(1)
            .max(span.offset());
        let end_line = self.local_line(last_byte);
        let first = start_line.saturating_sub(context_lines_before);
        let last = (end_line + context_lines_after).min(self.lines.len().saturating_sub(1));
        let from = self.lines.get(first).map_or(0, |l| l.start);
        let to = self
            .lines
            .get(last + 1)
            .map_or(text.len(), |l| l.start)
            .max(from);
        let column = if context_lines_before == 0 {
            self.file
                .position(self.to_original(span.offset()) as u32)
                .column as usize
                - 1
        } else {
            0
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.file.name.clone(),
            text.as_bytes().get(from..to).unwrap_or_default(),
            (from, to - from).into(),
            self.line_base + self.first_line + first,
            column,
            last.saturating_sub(first),
        )))
    }
}

/// The nearest character boundary at or before `offset`, within the text.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The nearest character boundary at or after `offset`, within the text.
fn ceil_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// The offset `chars` characters before `offset` (or 0).
fn back(text: &str, offset: usize, chars: usize) -> usize {
    text[..offset]
        .char_indices()
        .rev()
        .take(chars)
        .last()
        .map_or(offset, |(i, _)| i)
}

/// The offset `chars` characters after `offset` (or the end).
fn forward(text: &str, offset: usize, chars: usize) -> usize {
    text[offset..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| offset + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(text: &str, spans: &[Span]) -> (Snippet, Vec<Span>) {
        Snippet::new(&SourceFile::new("t.json", None, text.to_owned()), spans)
    }

    #[test]
    fn short_lines_are_shown_whole_with_one_line_of_context() {
        let text = "a: 1\nb: 2\nc: 3\nd: 4\n";
        let (snippet, spans) = window(text, &[Span::new(10, 14)]);
        assert_eq!(snippet.text(), "b: 2\nc: 3\nd: 4\n");
        assert_eq!(&snippet.text()[spans[0].range()], "c: 3");
        assert_eq!(snippet.first_line, 1);
    }

    #[test]
    fn a_long_line_is_cut_around_each_span_end() {
        let text = format!("{{\"k\": \"{}\", \"bad\": 1}}", "p".repeat(70_000));
        let at = text.find("\"bad\"").unwrap();
        let (snippet, spans) = window(&text, &[Span::new(at, at + 5)]);
        assert!(snippet.text().len() < 200, "{}", snippet.text());
        assert!(snippet.text().starts_with('…'));
        assert_eq!(&snippet.text()[spans[0].range()], "\"bad\"");
        assert_eq!(snippet.to_original(spans[0].start as usize), at);
    }

    #[test]
    fn a_long_span_keeps_both_ends() {
        let text = format!("x: \"{}\"", "é".repeat(5_000));
        let (snippet, spans) = window(&text, &[Span::new(3, text.len())]);
        let shown = &snippet.text()[spans[0].range()];
        assert!(
            shown.starts_with("\"é") && shown.ends_with("é\""),
            "{shown}"
        );
        assert!(shown.contains('…'));
        assert!(snippet.text().chars().count() < 4 * RADIUS);
    }

    #[test]
    fn a_span_over_many_lines_is_cut_at_the_window_end() {
        let text = "x\n".repeat(100);
        let (snippet, spans) = window(&text, &[Span::new(10, 150)]);
        assert_eq!(snippet.lines.len(), MAX_LINES);
        assert_eq!(spans[0].end as usize, snippet.text().len());
    }

    #[test]
    fn lone_carriage_returns_become_line_breaks() {
        let text = "a: 1\rb: 2\rc: 3\r";
        let (snippet, spans) = window(text, &[Span::new(5, 9)]);
        assert_eq!(snippet.text(), "a: 1\nb: 2\nc: 3\n");
        assert_eq!(&snippet.text()[spans[0].range()], "b: 2");
    }

    #[test]
    fn control_characters_are_shown_and_labels_stay_under_their_bytes() {
        let text = "a: \"\u{1b}]0;x\u{7}\u{202e}k\" # \u{9b}2J\n";
        let at = text.find('k').unwrap();
        let (snippet, spans) = window(text, &[Span::new(at, at + 1), Span::new(3, 4)]);
        assert_eq!(snippet.text(), "a: \"␛]0;x␇\\u{202e}k\" # \\u{9b}2J\n");
        assert_eq!(&snippet.text()[spans[0].range()], "k");
        assert_eq!(snippet.to_original(spans[0].start as usize), at);
        assert_eq!(&snippet.text()[spans[1].range()], "\"");
        // A span over an escaped character covers what shows it.
        let esc = text.find('\u{1b}').unwrap();
        let (snippet, spans) = window(text, &[Span::new(esc, esc + 1)]);
        assert_eq!(&snippet.text()[spans[0].range()], "␛");
        // Long lines are cut as before, escapes and all.
        let long = format!("{}\u{1b}[2J{}", "p".repeat(1_000), "q".repeat(1_000));
        let at = long.find('[').unwrap();
        let (snippet, spans) = window(&long, &[Span::new(at, at + 1)]);
        assert!(!snippet.text().contains('\u{1b}'));
        assert_eq!(&snippet.text()[spans[0].range()], "[");
    }

    #[test]
    fn spans_at_the_end_of_the_text() {
        let (snippet, spans) = window("a: 1\n", &[Span::new(5, 5), Span::new(99, 120)]);
        assert_eq!(spans[0], Span::new(5, 5));
        assert_eq!(spans[1], Span::new(5, 5));
        assert_eq!(snippet.text(), "a: 1\n");
        let (_, spans) = window("", &[Span::new(0, 0)]);
        assert_eq!(spans[0], Span::new(0, 0));
    }
}

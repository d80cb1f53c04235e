//! `# sandtrap: ignore[ST101, ST2] reason` comments: parsing and the lines they cover.

use crate::source::{SourceFile, Span};
use crate::tree::Comment;

use super::Selector;

/// One well-formed `# sandtrap: ignore[...]` comment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentSuppression {
    /// 1-based line of the comment.
    pub line: u32,
    /// Each selector as written, with its span inside the comment.
    pub codes: Vec<(String, Span)>,
    /// The comment, `#` included.
    pub span: Span,
    /// The comment is alone on its line (it covers the next line, not its own).
    pub own_line: bool,
    /// Free text after `]`, if any.
    pub reason: Option<String>,
}

/// A comment that starts with `sandtrap:` but is not a valid suppression.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MalformedSuppression {
    pub span: Span,
    pub message: String,
}

/// Every `sandtrap:` comment of a file, well-formed or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentSuppressions {
    pub suppressions: Vec<CommentSuppression>,
    pub malformed: Vec<MalformedSuppression>,
}

impl CommentSuppression {
    /// Whether the comment covers a diagnostic starting on `diagnostic_line`: its own line for
    /// a trailing comment, the next line for a comment alone on its line.
    pub fn applies(&self, diagnostic_line: u32) -> bool {
        if self.own_line {
            self.line.checked_add(1) == Some(diagnostic_line)
        } else {
            self.line == diagnostic_line
        }
    }

    /// The span of the first listed selector that matches the rule.
    pub fn matches(&self, code: &str, name: &str) -> Option<Span> {
        self.codes
            .iter()
            .find(|(text, _)| Selector::parse(text).matches(code, name))
            .map(|(_, span)| *span)
    }
}

pub fn comment_suppressions(source: &SourceFile, comments: &[Comment]) -> CommentSuppressions {
    let mut out = CommentSuppressions::default();
    for comment in comments {
        // The source text is authoritative; the comment's own text is the fallback when its
        // span does not land on a `#` (a loader that reports spans differently).
        let from_source = source.slice(comment.span);
        let body = from_source.strip_prefix('#').unwrap_or(&comment.text);
        let base = comment.span.start as usize + 1;
        match parse_directive(body, base) {
            None => {}
            Some(Err((span, message))) => out.malformed.push(MalformedSuppression {
                span: span.unwrap_or_else(|| trimmed_span(comment.span, from_source)),
                message,
            }),
            Some(Ok((codes, reason))) => {
                let line = source.position(comment.span.start).line;
                let line_start = source.line_start(line).unwrap_or(0) as usize;
                let before = source
                    .text
                    .get(line_start..comment.span.start as usize)
                    .unwrap_or("");
                out.suppressions.push(CommentSuppression {
                    line,
                    codes,
                    span: trimmed_span(comment.span, from_source),
                    own_line: before.trim().is_empty(),
                    reason,
                });
            }
        }
    }
    out
}

type Parsed = (Vec<(String, Span)>, Option<String>);
type Problem = (Option<Span>, String);

/// `None` when the comment is not a `sandtrap:` directive at all.
fn parse_directive(body: &str, base: usize) -> Option<Result<Parsed, Problem>> {
    let mut cursor = Cursor { text: body, at: 0 };
    cursor.skip_ws();
    if !cursor.eat("sandtrap") {
        return None;
    }
    cursor.skip_ws();
    if !cursor.eat(":") {
        return None;
    }
    Some(parse_ignore(&mut cursor, base))
}

fn parse_ignore(cursor: &mut Cursor<'_>, base: usize) -> Result<Parsed, Problem> {
    const USAGE: &str = "write `# sandtrap: ignore[CODE, ...]`";
    cursor.skip_ws();
    let word = cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if word != "ignore" {
        let what = if word.is_empty() {
            "a `sandtrap:` comment without a directive".to_string()
        } else {
            format!("unknown directive `{word}`")
        };
        return Err((None, format!("{what}: {USAGE}")));
    }
    cursor.skip_ws();
    if !cursor.eat("[") {
        return Err((
            None,
            format!("`ignore` needs its codes in brackets: {USAGE}"),
        ));
    }
    let list_start = cursor.at;
    let Some(list_len) = cursor.rest().find(']') else {
        return Err((None, format!("missing `]`: {USAGE}")));
    };
    let list = cursor.rest().get(..list_len).unwrap_or("");
    let mut codes = Vec::new();
    if list.trim().is_empty() {
        return Err((None, "empty list: name the codes to ignore".into()));
    }
    let mut item_start = list_start;
    for item in list.split(',') {
        let lead = item.len() - item.trim_start().len();
        let code = item.trim();
        let span = Span::new(
            base + item_start + lead,
            base + item_start + lead + code.len(),
        );
        if code.is_empty() {
            // Point at the blank between the commas, or at the comma when there is none.
            let start = base + item_start;
            let end = start + item.len().max(1);
            return Err((Some(Span::new(start, end)), "empty code in the list".into()));
        }
        if code.contains(char::is_whitespace) {
            return Err((Some(span), "separate codes with commas".into()));
        }
        codes.push((code.to_string(), span));
        item_start += item.len() + 1;
    }
    cursor.at = list_start + list_len + 1;
    let reason = cursor.rest().trim();
    Ok((codes, (!reason.is_empty()).then(|| reason.to_string())))
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn skip_ws(&mut self) {
        self.take_while(char::is_whitespace);
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.at += token.len();
        }
        found
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c| !keep(c)).unwrap_or(rest.len());
        self.at += len;
        rest.get(..len).unwrap_or("")
    }
}

/// The comment's span without trailing whitespace (a CRLF file's `\r`).
fn trimmed_span(span: Span, text: &str) -> Span {
    if text.is_empty() {
        return span;
    }
    Span::new(
        span.start as usize,
        span.start as usize + text.trim_end().len(),
    )
}

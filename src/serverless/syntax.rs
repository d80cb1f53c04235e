//! The syntax of Serverless Framework variables: `${source:argument, fallback}` pieces of a
//! string, split at their top-level separators, and the literals a fallback may be.

use crate::source::Span;
use crate::tree::{Node, Value};

/// A piece of a string: text, or the inside of a `${...}` variable.
#[derive(Debug, PartialEq)]
pub(super) enum Piece {
    Text(String),
    Variable(String),
}

/// The variables of a string. `${` followed by a lowercase source name and `:` or `(` opens
/// one; anything else is text (CloudFormation's `${AWS::Region}`).
pub(super) fn parse(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        literal.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match closing(after).filter(|end| is_variable(&after[..*end])) {
            Some(end) => {
                if !literal.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut literal)));
                }
                out.push(Piece::Variable(after[..end].to_owned()));
                rest = &after[end + 1..];
            }
            None => {
                literal.push_str("${");
                rest = after;
            }
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Piece::Text(literal));
    }
    out
}

/// The index of the `}` that closes a variable whose inside starts `text`, past nested
/// variables and quoted strings.
pub(super) fn closing(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if chars.peek().map(|(_, n)| *n) == Some('{') => {
                depth += 1;
                chars.next();
            }
            (None, '}') if depth == 0 => return Some(i),
            (None, '}') => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Whether the inside of `${...}` is a variable: a lowercase source name, then `:` or `(`.
pub(super) fn is_variable(inner: &str) -> bool {
    let mut chars = inner.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
        return false;
    }
    for c in chars {
        match c {
            ':' | '(' => return true,
            c if c.is_ascii_alphanumeric() || c == '.' => {}
            _ => return false,
        }
    }
    false
}

/// `text` split at `sep` outside nested variables, parentheses and quotes.
pub(super) fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while let Some(&(at, c)) = bytes.get(i) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if bytes.get(i + 1).map(|(_, n)| *n) == Some('{') => {
                depth += 1;
                i += 1;
            }
            (None, '(') => depth += 1,
            (None, '}' | ')') => depth = depth.saturating_sub(1),
            (None, c) if c == sep && depth == 0 => {
                out.push(&text[start..at]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// `type:address`, `type(params)` or `type(params):address`.
pub(super) fn split_source(source: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let name_end = source.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))?;
    let kind = &source[..name_end];
    if !kind.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let rest = &source[name_end..];
    if let Some(address) = rest.strip_prefix(':') {
        return Some((kind, None, Some(address.trim())));
    }
    let inside = rest.strip_prefix('(')?;
    let close = closing_paren(inside)?;
    let params = &inside[..close];
    let after = inside[close + 1..].trim_start();
    match after.strip_prefix(':') {
        Some(address) => Some((kind, Some(params), Some(address.trim()))),
        None if after.is_empty() => Some((kind, Some(params), None)),
        None => None,
    }
}

pub(super) fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A literal fallback: a quoted string, a number, `true`, `false` or `null`.
pub(super) enum Literal {
    Text(String),
    Number(String),
    Bool(bool),
    Null,
}

impl Literal {
    pub(super) fn at(self, span: Span) -> Node {
        Node::new(
            span,
            match self {
                Literal::Text(t) => Value::String(t),
                Literal::Number(n) => Value::Number(n),
                Literal::Bool(b) => Value::Bool(b),
                Literal::Null => Value::Null,
            },
        )
    }
}

pub(super) fn literal(source: &str) -> Option<Literal> {
    let quoted = |q: char| {
        source
            .strip_prefix(q)
            .and_then(|s| s.strip_suffix(q))
            .map(str::to_owned)
    };
    if let Some(text) = quoted('\'').or_else(|| quoted('"')) {
        return Some(Literal::Text(text));
    }
    match source {
        "true" => Some(Literal::Bool(true)),
        "false" => Some(Literal::Bool(false)),
        "null" => Some(Literal::Null),
        n if !n.is_empty() && n.parse::<f64>().is_ok() => Some(Literal::Number(n.to_owned())),
        _ => None,
    }
}

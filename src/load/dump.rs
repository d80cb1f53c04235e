//! A readable dump of a loaded tree with spans, for `sandtrap debug load` and parse fixtures.

use std::fmt::Write;

use super::{LoadProblem, Loaded};
use crate::source::{SourceFile, Span};
use crate::tree::{Node, Value};

/// Renders the tree and the problems of `loaded`, with `line:col` positions from `file`.
pub fn dump(file: &SourceFile, loaded: &Loaded) -> String {
    let mut out = String::new();
    if let Some(doc) = &loaded.document {
        node(&mut out, file, &doc.root, 0);
        for comment in &doc.comments {
            let _ = writeln!(out, "comment {} {:?}", at(file, comment.span), comment.text);
        }
    } else {
        out.push_str("(no document)\n");
    }
    for problem in &loaded.problems {
        out.push_str(&problem_line(file, problem));
    }
    out
}

fn problem_line(file: &SourceFile, problem: &LoadProblem) -> String {
    let mut line = format!(
        "problem {:?} {}: {}\n",
        problem.kind,
        at(file, problem.span),
        problem.message
    );
    if let Some((span, message)) = &problem.related {
        let _ = writeln!(line, "  related {}: {message}", at(file, *span));
    }
    line
}

/// `line:col-line:col` (1-based, columns in characters).
fn at(file: &SourceFile, span: Span) -> String {
    let start = file.position(span.start);
    let end = file.position(span.end);
    format!(
        "{}:{}-{}:{}",
        start.line, start.column, end.line, end.column
    )
}

fn node(out: &mut String, file: &SourceFile, n: &Node, depth: usize) {
    // Iterative over siblings, recursive over depth; loaders bound depth before we get here.
    let pad = "  ".repeat(depth);
    let pos = at(file, n.span);
    match &n.value {
        Value::Null => {
            let _ = writeln!(out, "{pad}null @{pos}");
        }
        Value::Bool(b) => {
            let _ = writeln!(out, "{pad}bool {b} @{pos}");
        }
        Value::Number(s) => {
            let _ = writeln!(out, "{pad}number {s} @{pos}");
        }
        Value::String(s) => {
            let _ = writeln!(out, "{pad}string {s:?} @{pos}");
        }
        Value::Seq(items) => {
            let _ = writeln!(out, "{pad}seq @{pos}");
            for item in items {
                node(out, file, item, depth + 1);
            }
        }
        Value::Map(map) => {
            let _ = writeln!(out, "{pad}map @{pos}");
            for entry in &map.entries {
                let _ = writeln!(
                    out,
                    "{pad}  key {:?} @{}",
                    entry.key,
                    at(file, entry.key_span)
                );
                node(out, file, &entry.value, depth + 2);
            }
        }
        Value::Tagged(tag, inner) => {
            let _ = writeln!(out, "{pad}tagged !{tag} @{pos}");
            node(out, file, inner, depth + 1);
        }
        Value::Unknown(reason) => {
            let _ = writeln!(out, "{pad}unknown <{reason}> @{pos}");
        }
    }
}

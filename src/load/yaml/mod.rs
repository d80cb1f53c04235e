//! YAML to [`Document`]: CloudFormation short-form tags to long form, YAML 1.1 scalars.
//!
//! # How a template is read
//!
//! CloudFormation reads YAML with YAML 1.1 scalar rules (as PyYAML and cfn-lint do), so the
//! resolution of *plain* (unquoted) scalars follows YAML 1.1, not the YAML 1.2 core schema:
//!
//! | text | value |
//! |---|---|
//! | empty, `~`, `null`, `Null`, `NULL` | null |
//! | `true`/`false`, `yes`/`no`, `on`/`off` (lower, Title, UPPER case) | boolean; `y`, `n` stay strings |
//! | `12`, `+12`, `-1_000` | number, canonical decimal text (`12`, `12`, `-1000`) |
//! | `0755` (YAML 1.1 octal), `0x1F`, `0b101` | number in decimal (`493`, `31`, `5`) |
//! | `1.5`, `.5`, `1e3`, `.inf`, `-.Inf`, `.nan` | number, source text kept |
//! | `0o17`, `09`, `2010-09-09`, `1:30` | string |
//!
//! - `0o17` is YAML 1.2 octal; YAML 1.1 resolvers (PyYAML, SnakeYAML) read it as a string.
//! - Sexagesimal numbers (`1:30`, which PyYAML reads as 90) stay strings: it is not certain that
//!   CloudFormation converts them, and values such as times (`12:30`) and MAC-like strings are
//!   far more often meant as text.
//! - Timestamps stay strings (`AWSTemplateFormatVersion: 2010-09-09` is written unquoted).
//! - An integer too large for 128 bits keeps its source text; decimal integers of any length are
//!   canonicalized as text.
//! - Quoted and block (`|`, `>`) scalars are always strings; a block scalar at the end of the file
//!   gets no extra line feed (as PyYAML).
//! - YAML core tags are applied (`!!str 0755` is the string `0755`; `!!int`/`!!float`/`!!bool`
//!   keep the text as a string when it is not of that type); the non-specific tag `! x` is a string.
//!
//! # Tags
//!
//! CloudFormation short forms become their long form: `!Ref X` is the one-entry mapping
//! `{Ref: X}`, `!Sub s` is `{Fn::Sub: s}`, and so on for every function CloudFormation defines
//! (see `tags.rs`). The mapping's span covers the tag and its value, its key span is the tag
//! token, and the value keeps its own span. The scalar under a short form is always a string
//! (`!Ref 123` refers to `"123"`). `!GetAtt A.B.C` becomes `[A, B.C]`, split at the first dot.
//! Other tags (`!Rain::Embed`, `!!binary`) are kept as [`Value::Tagged`](crate::tree::Value)
//! with their text without the leading `!` (`Rain::Embed`, `!binary`).
//!
//! # Problems and bounds
//!
//! - Syntax errors stop the load (no tree) with a problem at the scanner's position.
//! - Duplicate keys are reported at the second key; the last value replaces the earlier entry in
//!   place, as CloudFormation deploys the last occurrence.
//! - CloudFormation rejects anchors and aliases: every alias (and merge key `<<`) is reported.
//!   Aliases are still expanded, from a shared budget of [`ALIAS_NODE_BUDGET`] copied nodes;
//!   past it an alias reads as null, so an alias bomb ends quickly in bounded memory. A merge key
//!   is kept as an ordinary key named `<<`.
//! - Nesting deeper than [`MAX_DEPTH`] collections stops the load with `TooDeep`.
//! - Only the first document is the template. A second document (`---`) is reported as a syntax
//!   problem and not read; the first document's tree is still returned.
//! - An empty file, or one with only comments, has no document and no problem.
//! - A byte-order mark is skipped; spans stay offsets into the text as given, mark included.

mod build;
mod scalar;
mod tags;

use granit_parser::{Event, Parser, ScanError, StructureStyle, Tag};

use super::{Comments, LoadProblem, Loaded, ProblemKind};
use crate::source::Span;
use crate::tree::{Comment, Document};
use build::{Builder, Start};
use tags::TagInfo;

/// The deepest nesting of sequences and mappings accepted. Real templates stay under 30.
pub const MAX_DEPTH: usize = 1_000;

/// How many nodes alias expansion may copy in one file (about 5 MB at most).
pub const ALIAS_NODE_BUDGET: usize = 50_000;

/// Loads YAML `text` as a CloudFormation template tree, with every comment.
pub fn load(text: &str) -> Loaded {
    load_with(text, Comments::All)
}

/// Loads YAML `text` as a CloudFormation template tree, with the comments `comments` asks for.
pub fn load_with(text: &str, comments: Comments) -> Loaded {
    let emit_comments = match comments {
        Comments::All => true,
        Comments::Suppressions => memchr::memmem::find(text.as_bytes(), b"sandtrap").is_some(),
    };
    let options = granit_parser::options! {
        emit_unresolved_aliases: true,
        emit_comments: emit_comments,
        block_scalar_eof_without_line_feed: true,
        // The builder's own depth check comes first and reports `TooDeep`.
        flow_nesting_limit: MAX_DEPTH + 1,
        block_nesting_limit: MAX_DEPTH + 1,
        // Long comment blocks (license headers) must not turn into errors.
        max_buffered_comment_events: usize::MAX,
    };
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::new(text);
    let mut comments = Vec::new();
    let mut documents = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(error) => {
                builder.problems.push(scan_problem(text, &error));
                break;
            }
        };
        let value_span = byte_span(&span);
        let is_seq = matches!(event, Event::SequenceStart(..));
        match event {
            Event::Comment(body, _) => comments.push(Comment {
                span: value_span,
                text: body.into_owned(),
            }),
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    builder.problems.push(LoadProblem {
                        kind: ProblemKind::MultiDocument,
                        span: value_span,
                        message: "multi-document YAML is not a CloudFormation template".to_owned(),
                        related: None,
                    });
                    break;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let start = node_start(text, &span, anchor, tag.as_deref());
                builder.scalar(&value, style, value_span, start);
            }
            Event::SequenceStart(style, anchor, tag) | Event::MappingStart(style, anchor, tag) => {
                let flow = style == StructureStyle::Flow;
                let start = node_start(text, &span, anchor, tag.as_deref());
                if !builder.open(is_seq, flow, value_span, start) {
                    break;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(value_span),
            Event::Alias(id) => builder.alias(Some(id), value_span),
            Event::UnresolvedAlias(_) => builder.alias(None, value_span),
            _ => {}
        }
    }
    let mut problems = builder.problems;
    // Inner mappings close first; report in source order.
    problems.sort_by_key(|p| p.span.start);
    // Every key went through the builder's `key`; the keys of the short-form function tags
    // (`!Sub` is `Fn::Sub`) name no loop.
    let loop_free = !builder.loop_key;
    let document = builder.root.map(|root| Document {
        root,
        comments,
        loop_free,
    });
    Loaded { document, problems }
}

fn byte_span(span: &granit_parser::Span) -> Span {
    span.byte_range()
        .map_or_else(Span::default, |r| Span::new(r.start, r.end))
}

fn node_start(text: &str, span: &granit_parser::Span, anchor: usize, tag: Option<&Tag>) -> Start {
    let value_start = span.start.byte_offset().unwrap_or(0);
    let tag = tag.map(|tag| {
        let tag_start = span
            .tag_start
            .and_then(|m| m.byte_offset())
            .unwrap_or(value_start);
        let tag_span = span.tag_span().and_then(|s| s.byte_range()).map_or_else(
            || Span::new(tag_start, tag_start + 1),
            |r| Span::new(r.start, r.end),
        );
        TagInfo {
            kind: tags::classify(tag, text.get(tag_span.range())),
            span: tag_span,
        }
    });
    let start = tag
        .as_ref()
        .map_or(value_start, |t| (t.span.start as usize).min(value_start));
    Start { start, tag, anchor }
}

/// A parser error as a problem with a one-character span at the scanner's position.
fn scan_problem(text: &str, error: &ScanError) -> LoadProblem {
    let mut at = error.marker().byte_offset().unwrap_or(0).min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    let width = text
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8);
    let too_deep = matches!(
        error.kind(),
        granit_parser::ErrorKind::RecursionLimitExceeded
    );
    let (kind, message) = if too_deep {
        (
            ProblemKind::TooDeep,
            format!("nesting deeper than {MAX_DEPTH} levels"),
        )
    } else {
        let info = error.info();
        let message = if info.is_empty() {
            "invalid YAML".to_owned()
        } else {
            info
        };
        (ProblemKind::Syntax, message)
    };
    LoadProblem {
        kind,
        span: Span::new(at, at + width),
        message,
        related: None,
    }
}

#[cfg(test)]
mod tests;

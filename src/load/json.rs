//! Strict JSON to [`Document`]; of duplicate keys the last is kept, as CloudFormation deploys it.
//!
//! `jsonc-parser` does the scanning with every JSONC extension turned off; this module turns its
//! AST into our [`Node`] tree, reports duplicate keys, and bounds nesting before the parser (which
//! recurses) ever sees the text.

use std::borrow::Cow;

use jsonc_parser::ast::{self, ObjectPropName};
use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::{CollectOptions, ParseOptions, ParseStringErrorKind};

use super::{FirstKeys, LoadProblem, Loaded, ProblemKind};
use crate::source::Span;
use crate::tree::{Document, Entry, Map, Node, Value};

/// Arrays and objects nested deeper than this are refused. CloudFormation templates rarely pass
/// 20 levels; the bound keeps the recursive parser and every later tree walk far from the stack's
/// end (`jsonc-parser` stops at 512 frames of its own, two per object level, i.e. 256 objects).
pub const MAX_DEPTH: usize = 256;

const BOM: char = '\u{feff}';

/// Loads `text` as strict JSON (RFC 8259). A leading UTF-8 byte order mark is tolerated; spans
/// index into `text` as given, BOM included. An empty (or all-blank) text has no document and no
/// problem: there is nothing to analyze and nothing wrong.
pub fn load(text: &str) -> Loaded {
    let body = text.strip_prefix(BOM).unwrap_or(text);
    if body.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Loaded::default();
    }
    if let Some(span) = too_deep_at(text) {
        return Loaded {
            document: None,
            problems: vec![LoadProblem {
                kind: ProblemKind::TooDeep,
                span,
                message: format!("arrays and objects are nested deeper than {MAX_DEPTH} levels"),
                related: None,
            }],
        };
    }
    // Three spaces have the BOM's byte length, so the parser's offsets stay offsets into `text`.
    let source: Cow<'_, str> = if body.len() == text.len() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("   {body}"))
    };
    let parsed = jsonc_parser::parse_to_ast(&source, &CollectOptions::default(), &strict());
    let mut seen = Seen::default();
    let document = match parsed {
        Ok(result) => result.value.map(|value| {
            let root = convert(&value, &mut seen);
            Document {
                root,
                comments: Vec::new(),
                loop_free: !seen.loop_key,
            }
        }),
        Err(error) => {
            seen.problems.push(syntax_problem(&error, text));
            None
        }
    };
    Loaded {
        document,
        problems: seen.problems,
    }
}

fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// The span of the first `[` or `{` that opens level `MAX_DEPTH + 1`, skipping string contents.
/// Malformed text is scanned all the same: the parser reports its errors afterwards.
fn too_deep_at(text: &str) -> Option<Span> {
    // Nesting can only pass the bound with more openers than it: most templates have a few
    // dozen, counted much faster than the scan below steps through strings.
    let openers = (text.bytes()).filter(|&b| b == b'[' || b == b'{').count();
    if openers <= MAX_DEPTH {
        return None;
    }
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'"' => {
                // To the string's closing quote, past what is escaped; an unterminated
                // string leaves nothing after it to count.
                i += 1;
                loop {
                    let rest = bytes.get(i..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(at) if rest.get(at) == Some(&b'\\') => i += at + 2,
                        Some(at) => {
                            i += at + 1;
                            break;
                        }
                        None => return None,
                    }
                }
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(Span::new(i, i + 1));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// What converting a document met besides its nodes.
#[derive(Default)]
struct Seen {
    problems: Vec<LoadProblem>,
    /// A key began with [`crate::tree::LOOP_KEY_PREFIX`].
    loop_key: bool,
}

/// Recursion is bounded by [`MAX_DEPTH`], checked before parsing.
fn convert(value: &ast::Value<'_>, seen: &mut Seen) -> Node {
    match value {
        ast::Value::StringLit(s) => Node::new(span(s.range), Value::String(s.value.to_string())),
        ast::Value::NumberLit(n) => Node::new(span(n.range), Value::Number(n.value.to_string())),
        ast::Value::BooleanLit(b) => Node::new(span(b.range), Value::Bool(b.value)),
        ast::Value::NullKeyword(n) => Node::new(span(n.range), Value::Null),
        ast::Value::Array(array) => {
            let items = array
                .elements
                .iter()
                .map(|item| convert(item, seen))
                .collect();
            Node::new(span(array.range), Value::Seq(items))
        }
        ast::Value::Object(object) => {
            let mut entries = Vec::with_capacity(object.properties.len());
            let mut keys = FirstKeys::default();
            for prop in &object.properties {
                let (key, key_span) = match &prop.name {
                    ObjectPropName::String(s) => (s.value.as_ref(), span(s.range)),
                    // Unreachable with loose property names disallowed; kept total all the same.
                    ObjectPropName::Word(w) => (w.value, span(w.range)),
                };
                if let Some(first) = keys.earlier(&entries, key) {
                    seen.problems
                        .push(super::duplicate_key(key, key_span, first));
                }
                seen.loop_key |= key.starts_with(crate::tree::LOOP_KEY_PREFIX);
                entries.push(Entry {
                    key: key.to_owned(),
                    key_span,
                    value: convert(&prop.value, seen),
                });
            }
            let entries = keys.kept(entries);
            Node::new(span(object.range), Value::Map(Map { entries }))
        }
    }
}

fn span(range: jsonc_parser::common::Range) -> Span {
    Span::new(range.start, range.end)
}

fn syntax_problem(error: &ParseError, text: &str) -> LoadProblem {
    let range = error.range();
    let at = span(range);
    let end_of_file = Span::empty(text.len());
    let (span, message, related) = match error.kind() {
        // The parser's range runs from the opening bracket to wherever it gave up, often the
        // whole file: point at the end instead, and at the opener as the related location.
        ParseErrorKind::UnterminatedObject => (
            end_of_file,
            "unexpected end of file: object is not closed with `}`".to_owned(),
            Some((
                Span::new(range.start, range.start + 1),
                "object opened here".to_owned(),
            )),
        ),
        ParseErrorKind::UnterminatedArray => (
            end_of_file,
            "unexpected end of file: array is not closed with `]`".to_owned(),
            Some((
                Span::new(range.start, range.start + 1),
                "array opened here".to_owned(),
            )),
        ),
        ParseErrorKind::String(ParseStringErrorKind::UnterminatedStringLiteral) => {
            (at, "string is not closed with `\"`".to_owned(), None)
        }
        ParseErrorKind::NestingDepthExceeded => {
            return LoadProblem {
                kind: ProblemKind::TooDeep,
                span: at,
                message: format!("arrays and objects are nested deeper than {MAX_DEPTH} levels"),
                related: None,
            };
        }
        kind => (at, message(kind), None),
    };
    LoadProblem {
        kind: ProblemKind::Syntax,
        span,
        message,
        related,
    }
}

fn message(kind: &ParseErrorKind) -> String {
    let text = match kind {
        ParseErrorKind::CommentsNotAllowed => "comments are not allowed in JSON",
        ParseErrorKind::TrailingCommasNotAllowed => "trailing comma is not allowed in JSON",
        ParseErrorKind::SingleQuotedStringsNotAllowed => {
            "single-quoted strings are not allowed in JSON; use `\"`"
        }
        ParseErrorKind::ExpectedStringObjectProperty => "object key must be a double-quoted string",
        ParseErrorKind::ExpectedColonAfterObjectKey => "expected `:` after the object key",
        ParseErrorKind::ExpectedComma => "expected `,` between values",
        ParseErrorKind::ExpectedObjectValue => "expected a value after `:`",
        ParseErrorKind::MultipleRootJsonValues => "unexpected text after the end of the JSON value",
        ParseErrorKind::UnexpectedWord => {
            "unexpected word (strings must be quoted; literals are `true`, `false`, `null`)"
        }
        ParseErrorKind::HexadecimalNumbersNotAllowed
        | ParseErrorKind::UnaryPlusNumbersNotAllowed
        | ParseErrorKind::BareDecimalPointNumbersNotAllowed
        | ParseErrorKind::NonFiniteNumbersNotAllowed => "number is not valid JSON",
        other => return lower_first(&other.to_string()),
    };
    text.to_owned()
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(ProblemKind, Span, String)> {
        load(text)
            .problems
            .into_iter()
            .map(|p| (p.kind, p.span, p.message))
            .collect()
    }

    #[test]
    fn spans_cover_keys_with_quotes_and_multibyte_values() {
        let text = r#"{"Description": "Café ☕ 🚀"}"#;
        let doc = load(text).document.unwrap();
        let entry = &doc.root.as_map().unwrap().entries[0];
        assert_eq!(&text[entry.key_span.range()], "\"Description\"");
        assert_eq!(&text[entry.value.span.range()], "\"Café ☕ 🚀\"");
        assert_eq!(entry.value.as_str(), Some("Café ☕ 🚀"));
        assert_eq!(doc.root.span, Span::new(0, text.len()));
        assert!(doc.comments.is_empty());
    }

    #[test]
    fn escapes_are_decoded() {
        let doc = load(r#"["caf\u00e9", "a\"b\\c\/d\n", "\ud83d\ude80"]"#)
            .document
            .unwrap();
        let items: Vec<_> = doc
            .root
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(items, ["café", "a\"b\\c/d\n", "🚀"]);
    }

    #[test]
    fn numbers_keep_source_text_even_when_huge() {
        let huge = "9".repeat(10_000);
        let text = format!("[1.50, -0, 1e400, {huge}]");
        let doc = load(&text).document.unwrap();
        let numbers: Vec<_> = doc
            .root
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| n.scalar_text().unwrap())
            .collect();
        assert_eq!(numbers, ["1.50", "-0", "1e400", huge.as_str()]);
    }

    #[test]
    fn duplicate_keys_keep_the_last_and_are_reported_at_the_second() {
        let text = r#"{"A": 1, "B": 2, "A": 3}"#;
        let loaded = load(text);
        let map = loaded
            .document
            .as_ref()
            .unwrap()
            .root
            .as_map()
            .unwrap()
            .clone();
        // The last occurrence replaces the first in place, as CloudFormation deploys it.
        assert_eq!(map.len(), 2);
        assert_eq!(map.get("A").unwrap().scalar_text().as_deref(), Some("3"));
        assert_eq!(map.entries[1].key_span, Span::new(17, 20));
        let [problem] = loaded.problems.as_slice() else {
            panic!("{:?}", loaded.problems)
        };
        assert_eq!(problem.kind, ProblemKind::DuplicateKey);
        assert_eq!(problem.span, Span::new(17, 20));
        assert_eq!(
            problem.related,
            Some((
                Span::new(1, 4),
                "ignored: CloudFormation keeps the last".to_owned()
            ))
        );
    }

    #[test]
    fn bom_is_tolerated_and_spans_index_the_original() {
        let text = "\u{feff}{\"a\": true}";
        let loaded = load(text);
        assert!(loaded.problems.is_empty());
        let doc = loaded.document.unwrap();
        assert_eq!(&text[doc.root.span.range()], "{\"a\": true}");
        let entry = &doc.root.as_map().unwrap().entries[0];
        assert_eq!(&text[entry.key_span.range()], "\"a\"");
    }

    #[test]
    fn empty_or_blank_text_has_no_document_and_no_problem() {
        for text in ["", "  \n\r\n\t", "\u{feff}", "\u{feff}\n"] {
            let loaded = load(text);
            assert!(
                loaded.document.is_none() && loaded.problems.is_empty(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn jsonc_extensions_are_syntax_errors() {
        for text in [
            "{\"a\": 1,}",
            "[1,]",
            "// c\n{}",
            "{/* c */}",
            "{'a': 1}",
            "{a: 1}",
            "[0x10]",
            "[+1]",
            "[.5]",
            "[NaN]",
            "[1 2]",
            "{\"a\": \"\\x41\"}",
            "{} {}",
            "[tru]",
        ] {
            let found = problems(text);
            assert!(
                matches!(found.as_slice(), [(ProblemKind::Syntax, _, _)]),
                "{text:?}: {found:?}"
            );
            assert!(load(text).document.is_none());
        }
    }

    #[test]
    fn trailing_comma_is_located_at_the_comma() {
        let found = problems("{\"a\": 1,\n}");
        assert_eq!(found[0].1, Span::new(7, 8));
        assert_eq!(found[0].2, "trailing comma is not allowed in JSON");
    }

    #[test]
    fn truncated_text_points_at_the_end_with_the_opener_related() {
        let text = "{\"a\": [1, 2";
        let loaded = load(text);
        let problem = &loaded.problems[0];
        assert_eq!(problem.kind, ProblemKind::Syntax);
        assert_eq!(problem.span, Span::empty(text.len()));
        assert_eq!(problem.related.as_ref().map(|r| r.0), Some(Span::new(6, 7)));
    }

    #[test]
    fn depth_is_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(load(&ok).problems.is_empty());
        let objects = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert!(
            load(&objects).problems.is_empty(),
            "{:?}",
            load(&objects).problems
        );
        let deep = "[".repeat(1_000);
        let found = problems(&deep);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, ProblemKind::TooDeep);
        assert_eq!(found[0].1, Span::new(MAX_DEPTH, MAX_DEPTH + 1));
    }

    /// The scan one byte at a time, as it was written first: the reference for [`too_deep_at`].
    fn too_deep_at_bytewise(text: &str) -> Option<Span> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        for (i, byte) in text.bytes().enumerate() {
            if in_string {
                match byte {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match byte {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(Span::new(i, i + 1));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        None
    }

    proptest::proptest! {
        #[test]
        fn the_depth_scan_agrees_with_one_byte_at_a_time(
            text in "[\\[\\]{}\"\\\\a,]{0,40}",
            depth in 0usize..3,
        ) {
            // Deep enough to pass the opener count and the bound, in part.
            let text = format!("{}{text}", "[".repeat(MAX_DEPTH - 1 + depth));
            proptest::prop_assert_eq!(too_deep_at(&text), too_deep_at_bytewise(&text));
        }
    }

    #[test]
    fn the_opener_count_decides_only_what_the_scan_would() {
        // Exactly the bound's number of openers, nested: within it.
        let at_bound = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(too_deep_at(&at_bound), None);
        // One more, but inside a string: the scan runs and finds it within the bound.
        let quoted = format!(
            "[\"[\",{}{}]",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(too_deep_at(&quoted), None);
        // One more, nested: past it, at the opener that passes.
        let past = format!(
            "{}{}",
            "{\"a\":".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        let at = 5 * MAX_DEPTH;
        assert_eq!(too_deep_at(&past), Some(Span::new(at, at + 1)));
        // Many openers side by side are never deep.
        let wide = format!("[{}]", vec!["[]"; 5 * MAX_DEPTH].join(","));
        assert_eq!(too_deep_at(&wide), None);
    }

    #[test]
    fn brackets_inside_strings_do_not_count_toward_depth() {
        let text = format!("[\"{}\\\"{}\"]", "[".repeat(2_000), "{".repeat(2_000));
        assert!(load(&text).problems.is_empty());
    }

    #[test]
    fn hundred_thousand_levels_on_a_two_megabyte_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
                let loaded = load(&text);
                let objects = "{\"a\":".repeat(100_000);
                (
                    loaded.problems[0].kind.clone(),
                    load(&objects).problems[0].kind.clone(),
                )
            })
            .unwrap();
        assert_eq!(
            handle.join().unwrap(),
            (ProblemKind::TooDeep, ProblemKind::TooDeep)
        );
    }
}

#[cfg(test)]
mod corpus {
    use std::path::{Path, PathBuf};

    use super::load;
    use crate::load::ProblemKind;

    /// Every JSON file of the corpus loads without a panic, and agrees with the index on whether
    /// it parses (the index was made with Python's `json`; empty files count as failures there).
    #[test]
    fn corpus_json_agrees_with_the_index() {
        let Some(corpus) = [
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
            PathBuf::from("/work/shared/corpus"),
        ]
        .into_iter()
        .find(|p| p.join("index.tsv").is_file()) else {
            return;
        };
        let index = std::fs::read_to_string(corpus.join("index.tsv")).unwrap();
        let mut checked = 0;
        let mut disagreements = Vec::new();
        for line in index.lines().skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            let (Some(path), Some(parse)) = (fields.first(), fields.get(3)) else {
                continue;
            };
            if !path.ends_with(".json") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(corpus.join(path)) else {
                continue;
            };
            checked += 1;
            let loaded = load(&text);
            let failed = loaded
                .problems
                .iter()
                .any(|p| p.kind != ProblemKind::DuplicateKey);
            let empty = loaded.document.is_none() && loaded.problems.is_empty();
            let expected_failure = parse.starts_with("error");
            if failed != expected_failure && !(empty && expected_failure) {
                disagreements.push(format!(
                    "{path}: index {parse}, problems {:?}",
                    loaded.problems
                ));
            }
        }
        assert!(checked > 400, "{checked}");
        assert!(disagreements.is_empty(), "{disagreements:#?}");
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::load;
    use crate::tree::{Node, Value};

    /// Arbitrary JSON values, serialized with serde_json (so the text is valid JSON).
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            "[a-zA-Z0-9 é🚀:/._-]{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("[A-Za-z:é]{1,8}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Every span lies within the text on character boundaries; keys' spans hold the key.
    fn check_spans(text: &str, node: &Node) {
        assert!(
            text.get(node.span.range()).is_some(),
            "span {:?}",
            node.span
        );
        match &node.value {
            Value::Map(map) => {
                for entry in &map.entries {
                    let key = text.get(entry.key_span.range()).unwrap();
                    assert_eq!(serde_json::from_str::<String>(key).unwrap(), entry.key);
                    check_spans(text, &entry.value);
                }
            }
            Value::Seq(items) => items.iter().for_each(|i| check_spans(text, i)),
            _ => {}
        }
    }

    proptest! {
        #[test]
        fn valid_json_loads_with_exact_spans(value in json_value(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            let loaded = load(&text);
            prop_assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
            check_spans(&text, &loaded.document.unwrap().root);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "[\\[\\]{}\",:0-9a-z \\n\\t\\\\é🚀-]{0,64}") {
            let loaded = load(&text);
            for problem in &loaded.problems {
                prop_assert!(text.get(problem.span.range()).is_some());
            }
            if let Some(doc) = &loaded.document {
                check_spans_lenient(&text, &doc.root);
            }
        }
    }

    fn check_spans_lenient(text: &str, node: &Node) {
        assert!(text.get(node.span.range()).is_some());
        if let Value::Map(map) = &node.value {
            for entry in &map.entries {
                assert!(text.get(entry.key_span.range()).is_some());
                check_spans_lenient(text, &entry.value);
            }
        }
        if let Value::Seq(items) = &node.value {
            items.iter().for_each(|i| check_spans_lenient(text, i));
        }
    }
}

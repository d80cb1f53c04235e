use super::*;
use crate::source::{SourceFile, Span};
use crate::tree::{Comment, Entry, Map, Node, Value};

const CATALOG: &[(&str, &str)] = &[
    ("ST001", "parse-error"),
    ("ST101", "ses-sandbox-recipients"),
    ("ST102", "ses-region-differs"),
    ("ST201", "missing-source-arn"),
    ("ST207", "identity-not-declared"),
];

fn sel(items: &[&str]) -> Vec<Selector> {
    parse_selectors(items)
}

fn enabled_codes(filter: &Filter, file: &str) -> Vec<&'static str> {
    CATALOG
        .iter()
        .filter(|(code, name)| filter.enabled(code, name, file))
        .map(|(code, _)| *code)
        .collect()
}

#[test]
fn selectors_match_codes_prefixes_names_and_all() {
    let m = |s: &str, code, name| Selector::parse(s).matches(code, name);
    assert!(m("ST101", "ST101", "ses-sandbox-recipients"));
    assert!(m("ST1", "ST101", "x"));
    assert!(m("ST", "ST207", "x"));
    assert!(m("S", "ST207", "x"));
    assert!(!m("ST2", "ST101", "x"));
    assert!(m(
        " ses-sandbox-recipients ",
        "ST101",
        "ses-sandbox-recipients"
    ));
    assert!(!m("ses-sandbox", "ST101", "ses-sandbox-recipients"));
    assert!(m("ALL", "ST001", "parse-error"));
    // Lower-case codes are names, and no rule is named that.
    assert!(!m("st101", "ST101", "ses-sandbox-recipients"));
    assert!(!m("", "ST101", ""));
    let spec = |s: &str| Selector::parse(s).specificity();
    assert!(spec("ALL") < spec("ST") && spec("ST") < spec("ST1") && spec("ST1") < spec("ST101"));
    assert!(spec("ST101") < spec("ses-sandbox-recipients"));
}

#[test]
fn unknown_selectors_match_no_rule() {
    let selectors = sel(&[
        "ST1",
        "ST9",
        "missing-source-arn",
        "missing-source",
        "ALL",
        "ST1010",
    ]);
    let unknown: Vec<_> = unknown_selectors(&selectors, CATALOG)
        .into_iter()
        .map(Selector::as_str)
        .collect();
    assert_eq!(unknown, ["ST9", "missing-source", "ST1010"]);
}

#[test]
fn default_selects_everything() {
    assert_eq!(enabled_codes(&Filter::new(), "a.yaml").len(), CATALOG.len());
}

#[test]
fn more_specific_selector_wins_and_ignore_wins_ties() {
    // select a prefix, ignore a code inside it.
    let f = Filter::new().layer(Some(sel(&["ST1"])), sel(&["ST102"]));
    assert_eq!(enabled_codes(&f, "a"), ["ST101"]);
    // ignore a prefix, select a code inside it: the code is more specific.
    let f = Filter::new().layer(Some(sel(&["ST"])), sel(&["ST1", "ST2"]));
    assert_eq!(enabled_codes(&f, "a"), ["ST001"]);
    let f = Filter::new().layer(Some(sel(&["ST", "ST101"])), sel(&["ST1"]));
    assert_eq!(enabled_codes(&f, "a"), ["ST001", "ST101", "ST201", "ST207"]);
    // Same selector on both sides: ignore wins.
    let f = Filter::new().layer(Some(sel(&["ST2"])), sel(&["ST2"]));
    assert!(enabled_codes(&f, "a").is_empty());
    // A rule name counts as a whole code.
    let f = Filter::new().layer(None, sel(&["ST", "ses-region-differs"]));
    assert!(enabled_codes(&f, "a").is_empty());
    let f = Filter::new().layer(Some(sel(&["ses-region-differs"])), sel(&["ST"]));
    assert_eq!(enabled_codes(&f, "a"), ["ST102"]);
    // ALL is the least specific.
    let f = Filter::new().layer(Some(sel(&["ALL"])), sel(&["ST0"]));
    assert_eq!(enabled_codes(&f, "a"), ["ST101", "ST102", "ST201", "ST207"]);
}

#[test]
fn command_line_layers_override_the_config() {
    let config = crate::config::parse("c", "select: [ST1]\nignore: [ST102]\n").unwrap();
    let base = Filter::from_config(&config);
    assert_eq!(enabled_codes(&base, "a"), ["ST101"]);
    // --ignore removes from what the config selected.
    let f = base.clone().layer(None, sel(&["ST101"]));
    assert!(enabled_codes(&f, "a").is_empty());
    // --select starts over: the config's select and ignore no longer apply.
    let f = base.clone().layer(Some(sel(&["ST102", "ST2"])), vec![]);
    assert_eq!(enabled_codes(&f, "a"), ["ST102", "ST201", "ST207"]);
    // An empty CLI layer changes nothing.
    let f = base.layer(None, vec![]);
    assert_eq!(enabled_codes(&f, "a"), ["ST101"]);
}

#[test]
fn per_file_ignores_apply_after_selection() {
    let text = "select: [ST101]\nper-file-ignores:\n  \"legacy/**\": [ST1]\n  \"*.json\": [identity-not-declared]\n";
    let config = crate::config::parse("c", text).unwrap();
    let f = Filter::from_config(&config).layer(Some(sel(&["ALL"])), vec![]);
    assert_eq!(
        enabled_codes(&f, "legacy/a/b.yaml"),
        ["ST001", "ST201", "ST207"]
    );
    assert_eq!(
        enabled_codes(&f, "./legacy/b.yaml"),
        ["ST001", "ST201", "ST207"]
    );
    assert_eq!(
        enabled_codes(&f, "cdk.out/Stack.template.json"),
        ["ST001", "ST101", "ST102", "ST201"]
    );
    assert_eq!(enabled_codes(&f, "src/a.yaml").len(), CATALOG.len());
}

// ---- comments ----

/// Comments of a YAML text found by a naive scan: a `#` at the start or after a space, outside
/// quotes (enough for these fixtures).
fn comments_of(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let at = content
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || content[..i].ends_with([' ', '\t'])))
            .map(|(i, _)| i);
        if let Some(i) = at {
            out.push(Comment {
                span: Span::new(offset + i, offset + content.len()),
                text: content[i + 1..].to_string(),
            });
        }
        offset += line.len();
    }
    out
}

fn parse_comments(text: &str) -> (SourceFile, CommentSuppressions) {
    let source = SourceFile::new("t.yaml", None, text);
    let parsed = comment_suppressions(&source, &comments_of(text));
    (source, parsed)
}

#[test]
fn trailing_and_own_line_comments() {
    let text = "Resources:\n  # sandtrap: ignore[ST101]\n  Pool:\n    Type: X # sandtrap: ignore[ST102, ST2] wrong region on purpose\n";
    let (source, parsed) = parse_comments(text);
    assert!(parsed.malformed.is_empty());
    let [above, trailing] = parsed.suppressions.as_slice() else {
        panic!("{parsed:?}")
    };
    assert!(above.own_line);
    assert_eq!(above.line, 2);
    assert!(above.applies(3) && !above.applies(2) && !above.applies(4));
    assert_eq!(source.slice(above.span), "# sandtrap: ignore[ST101]");
    assert_eq!(above.reason, None);

    assert!(!trailing.own_line);
    assert_eq!(trailing.line, 4);
    assert!(trailing.applies(4) && !trailing.applies(5));
    let codes: Vec<_> = trailing
        .codes
        .iter()
        .map(|(c, s)| (c.as_str(), source.slice(*s)))
        .collect();
    assert_eq!(codes, [("ST102", "ST102"), ("ST2", "ST2")]);
    assert_eq!(trailing.reason.as_deref(), Some("wrong region on purpose"));
    assert_eq!(
        trailing
            .matches("ST201", "missing-source-arn")
            .map(|s| source.slice(s)),
        Some("ST2")
    );
    assert_eq!(trailing.matches("ST101", "ses-sandbox-recipients"), None);
}

#[test]
fn whitespace_tolerance_unicode_reasons_and_crlf() {
    let text = "a: 1 #sandtrap:ignore[ ST101 ,ses-region-differs ]   ça marche — 🚀 \r\nb: 2 #  sandtrap :  ignore  [ST2]\r\n";
    let (source, parsed) = parse_comments(text);
    assert!(parsed.malformed.is_empty(), "{parsed:?}");
    let [first, second] = parsed.suppressions.as_slice() else {
        panic!("{parsed:?}")
    };
    let codes: Vec<_> = first
        .codes
        .iter()
        .map(|(c, s)| (c.as_str(), source.slice(*s)))
        .collect();
    assert_eq!(
        codes,
        [
            ("ST101", "ST101"),
            ("ses-region-differs", "ses-region-differs")
        ]
    );
    assert_eq!(first.reason.as_deref(), Some("ça marche — 🚀"));
    assert!(!source.slice(first.span).ends_with('\r'));
    assert_eq!(second.line, 2);
    assert_eq!(source.slice(second.codes[0].1), "ST2");
    assert_eq!(source.position(second.codes[0].1.start).column, 30);
}

#[test]
fn malformed_sandtrap_comments_are_reported() {
    let cases = [
        ("# sandtrap: ignore ST101", "brackets"),
        ("# sandtrap: ignore[]", "empty list"),
        ("# sandtrap: ignore[  ]", "empty list"),
        ("# sandtrap: ignore[ST101", "missing `]`"),
        ("# sandtrap: disable[ST101]", "unknown directive `disable`"),
        ("# sandtrap:", "without a directive"),
        ("# sandtrap: ignore[ST101,,ST102]", "empty code"),
        ("# sandtrap: ignore[ST101 ST102]", "commas"),
    ];
    for (comment, expected) in cases {
        let text = format!("a: 1 {comment}\n");
        let (source, parsed) = parse_comments(&text);
        assert!(parsed.suppressions.is_empty(), "{comment}");
        let [bad] = parsed.malformed.as_slice() else {
            panic!("{comment}: {parsed:?}")
        };
        assert!(bad.message.contains(expected), "{comment}: {}", bad.message);
        assert!(!source.slice(bad.span).is_empty(), "{comment}");
    }
    let (source, parsed) = parse_comments("a: 1 # sandtrap: ignore[ST101,  , ST102]\n");
    assert_eq!(source.slice(parsed.malformed[0].span), "  ");
    assert_eq!(parsed.malformed[0].span.start, 30);
    let (source, parsed) = parse_comments("a: 1 # sandtrap: ignore[ST101,,ST102]\n");
    assert_eq!(source.slice(parsed.malformed[0].span), ",");
}

#[test]
fn other_comments_are_not_directives() {
    let text = "# plain comment\n# sandtrap is great\n# see: sandtrap: ignore[ST101]\n#sandtrapper: ignore[ST1]\n";
    let (_, parsed) = parse_comments(text);
    // `sandtrapper:` starts with `sandtrap` but is followed by more letters, not a colon.
    assert_eq!(parsed, CommentSuppressions::default());
}

#[test]
fn comment_text_is_used_when_the_span_is_not_on_a_hash() {
    let source = SourceFile::new("t.yaml", None, "a: 1\n");
    let comment = Comment {
        span: Span::new(100, 120),
        text: " sandtrap: ignore[ST101]".into(),
    };
    let parsed = comment_suppressions(&source, &[comment]);
    assert_eq!(parsed.suppressions[0].codes[0].0, "ST101");
}

// ---- metadata ----

/// A tree from JSON in which every node and key gets its own one-byte span, in document order.
fn tree(value: &serde_json::Value) -> Node {
    fn build(value: &serde_json::Value, next: &mut usize) -> Node {
        let span = Span::new(*next, *next + 1);
        *next += 1;
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.to_string()),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::Seq(items.iter().map(|v| build(v, next)).collect())
            }
            serde_json::Value::Object(map) => Value::Map(Map {
                entries: map
                    .iter()
                    .map(|(k, v)| {
                        let key_span = Span::new(*next, *next + 1);
                        *next += 1;
                        Entry {
                            key: k.clone(),
                            key_span,
                            value: build(v, next),
                        }
                    })
                    .collect(),
            }),
        };
        Node::new(span, value)
    }
    build(value, &mut 0)
}

#[test]
fn metadata_ignores_on_root_and_resources() {
    let root = tree(&serde_json::json!({
        "Metadata": {"sandtrap": {"ignore": ["ST207"], "region": "us-east-1"}},
        "Resources": {
            "Pool": {
                "Type": "AWS::Cognito::UserPool",
                "Metadata": {"sandtrap": {"ignore": ["ST101", "ses-region-differs", "ST2"]}}
            },
            "Other": {"Type": "AWS::SES::EmailIdentity", "Metadata": {"sandtrap": {"ignore": "ST001"}}},
            "Plain": {"Type": "AWS::S3::Bucket"}
        }
    }));
    let ignores = metadata_ignores(&root);
    assert!(ignores.malformed.is_empty());
    let pool_items = root
        .get_path(&["Resources", "Pool", "Metadata", "sandtrap", "ignore"])
        .unwrap();
    let pool_items = pool_items.as_seq().unwrap();
    let root_item = &root
        .get_path(&["Metadata", "sandtrap", "ignore"])
        .unwrap()
        .as_seq()
        .unwrap()[0];

    assert_eq!(
        ignores.is_ignored("ST101", "ses-sandbox-recipients", Some("Pool")),
        Some(pool_items[0].span)
    );
    assert_eq!(
        ignores.is_ignored("ST102", "ses-region-differs", Some("Pool")),
        Some(pool_items[1].span)
    );
    assert_eq!(
        ignores.is_ignored("ST201", "missing-source-arn", Some("Pool")),
        Some(pool_items[2].span)
    );
    assert_eq!(
        ignores.is_ignored("ST101", "ses-sandbox-recipients", Some("Plain")),
        None
    );
    assert_eq!(
        ignores.is_ignored("ST101", "ses-sandbox-recipients", None),
        None
    );
    // The root covers every resource and file-level diagnostics.
    assert_eq!(
        ignores.is_ignored("ST207", "identity-not-declared", Some("Plain")),
        Some(root_item.span)
    );
    assert_eq!(
        ignores.is_ignored("ST207", "identity-not-declared", None),
        Some(root_item.span)
    );
    // A single string is accepted.
    assert!(
        ignores
            .is_ignored("ST001", "parse-error", Some("Other"))
            .is_some()
    );

    let listed: Vec<_> = ignores
        .entries()
        .iter()
        .map(|e| (e.selector.as_str(), e.resource.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            ("ST207", None),
            ("ST101", Some("Pool")),
            ("ses-region-differs", Some("Pool")),
            ("ST2", Some("Pool")),
            ("ST001", Some("Other")),
        ]
    );
}

#[test]
fn malformed_metadata_ignores_are_reported() {
    let root = tree(&serde_json::json!({
        "Metadata": {"sandtrap": {"ignore": {"ST101": true}}},
        "Resources": {
            "Pool": {"Metadata": {"sandtrap": {"ignore": ["ST101", 101, "", {"Ref": "X"}]}}},
            "NotAMap": "text",
            "Odd": {"Metadata": "nope"}
        }
    }));
    let ignores = metadata_ignores(&root);
    assert_eq!(ignores.entries().len(), 1);
    assert_eq!(ignores.malformed.len(), 4);
    assert!(ignores.malformed[0].message.contains("must be a list"));
    assert_eq!(
        metadata_ignores(&tree(&serde_json::json!([1, 2]))),
        MetadataIgnores::default()
    );
}

#[test]
fn unknown_selectors_get_the_case_fix_or_the_nearest_rule() {
    assert_eq!(suggestion("st101", CATALOG).as_deref(), Some("ST101"));
    assert_eq!(suggestion("st", CATALOG).as_deref(), Some("ST"));
    assert_eq!(
        suggestion("SES-SANDBOX-RECIPIENTS", CATALOG).as_deref(),
        Some("ses-sandbox-recipients")
    );
    assert_eq!(
        suggestion("ses-sandbox-recipient", CATALOG).as_deref(),
        Some("ses-sandbox-recipients")
    );
    assert_eq!(suggestion("ST1011", CATALOG).as_deref(), Some("ST101"));
    assert_eq!(suggestion("ST999", CATALOG), None);
    assert_eq!(suggestion("nothing-like-it", CATALOG), None);
}

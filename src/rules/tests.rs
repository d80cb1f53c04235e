#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use miette::Diagnostic as _;
use serde_json::{Value, json};

use super::*;
use crate::diagnostic::{Diagnostic, FileId};

const HEADER: &str = "code: ST900\nname: test-rule\nseverity: warning\nsummary: a test rule\n";

fn rule(cases: &str) -> Rule {
    parse_rule(
        &format!("{HEADER}{cases}"),
        "test.yaml",
        RuleSource::Builtin,
    )
    .unwrap()
}

fn catalog(rules: impl IntoIterator<Item = Rule>) -> Catalog {
    let mut catalog = Catalog::new();
    catalog.extend(rules).unwrap();
    catalog
}

fn files(name: &str) -> Option<FileId> {
    match name {
        "a.yaml" => Some(FileId(0)),
        "b.yaml" => Some(FileId(1)),
        _ => None,
    }
}

fn run(rules: impl IntoIterator<Item = Rule>, facts: &Value) -> Vec<Diagnostic> {
    evaluate(&catalog(rules), facts, &files)
}

fn span(file: &str, start: u32, end: u32) -> Value {
    json!({"file": file, "start": start, "end": end})
}

/// A sender fact as the join stage writes it.
fn sender(id: &str, account: &str, state: &str) -> Value {
    json!({
        "id": id,
        "stack": "AuthStack",
        "resource": id,
        "sending_account": account,
        "source_arn": null,
        "ses": {"region": "us-west-2", "state": state},
        "spans": {
            "resource": span("a.yaml", 10, 15),
            "sending_account": span("a.yaml", 40, 49),
        },
    })
}

/// (message, severity, start) of each diagnostic, for compact assertions.
fn brief(diagnostics: &[Diagnostic]) -> Vec<(String, String, u32)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d.message.clone(),
                d.severity.to_string(),
                d.location.span.start,
            )
        })
        .collect()
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
    (line, column)
}

fn label_of(error: &RuleError) -> (usize, usize) {
    let label = error.labels().unwrap().next().unwrap();
    (label.offset(), label.len())
}

// ---------------------------------------------------------------- evaluation

#[test]
fn matching_objects_become_diagnostics() {
    let rule = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[?@.ses.state == 'sandbox' && @.sending_account == 'DEVELOPER']\"\n",
        "    at: sending_account\n",
        "    message: \"user pool `{resource}` mails through SES in {ses.region}, which is in the sandbox\"\n",
    ));
    let facts = json!({"senders": [
        sender("Users", "DEVELOPER", "sandbox"),
        sender("Admins", "DEVELOPER", "production"),
        sender("Guests", "COGNITO_DEFAULT", "sandbox"),
    ]});
    let diagnostics = run([rule], &facts);
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!((d.code.as_str(), d.name.as_str()), ("ST900", "test-rule"));
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.message,
        "user pool `Users` mails through SES in us-west-2, which is in the sandbox"
    );
    assert_eq!(d.location.file, FileId(0));
    assert_eq!(d.location.span, crate::source::Span::new(40, 49));
    assert_eq!(d.stack.as_deref(), Some("AuthStack"));
    assert_eq!(d.resource.as_deref(), Some("Users"));
    assert_eq!(d.url.as_deref(), Some("https://sandtrap.dev/rules/ST900"));
    assert_eq!(
        (d.label.as_ref(), d.help.as_ref(), d.note.as_ref()),
        (None, None, None)
    );
    assert!(d.related.is_empty());
}

#[test]
fn an_object_is_reported_once_by_the_first_case_that_matches_it() {
    let rule = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[?@.ses.state == 'sandbox']\"\n",
        "    severity: error\n",
        "    at: sending_account\n",
        "    message: \"{resource}: sandbox\"\n",
        "  - query: \"$.senders[?@.sending_account == 'DEVELOPER']\"\n",
        "    at: sending_account\n",
        "    message: \"{resource}: state unknown\"\n",
    ));
    let facts = json!({"senders": [
        sender("Users", "DEVELOPER", "sandbox"),
        sender("Admins", "DEVELOPER", "unknown"),
    ]});
    assert_eq!(
        brief(&run([rule], &facts)),
        [
            ("Users: sandbox".to_owned(), "error".to_owned(), 40),
            ("Admins: state unknown".to_owned(), "warning".to_owned(), 40),
        ]
    );
}

#[test]
fn objects_are_identified_by_id_across_paths_and_by_path_without_one() {
    let rule = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[?@.ses.state == 'sandbox']\"\n",
        "    at: resource\n",
        "    message: \"first {resource}\"\n",
        "  - query: \"$.replicas[*]\"\n",
        "    at: resource\n",
        "    message: \"second {resource}\"\n",
    ));
    let mut anonymous = sender("Anon", "DEVELOPER", "sandbox");
    anonymous.as_object_mut().unwrap().remove("id");
    let facts = json!({
        "senders": [sender("Users", "DEVELOPER", "sandbox"), anonymous.clone()],
        // The same fact (same id) seen again elsewhere, and an identical object without an id:
        // only the latter is a different object.
        "replicas": [sender("Users", "DEVELOPER", "sandbox"), anonymous],
    });
    let messages: Vec<String> = run([rule], &facts).into_iter().map(|d| d.message).collect();
    assert_eq!(messages, ["first Users", "first Anon", "second Anon"]);
}

#[test]
fn each_rule_claims_objects_on_its_own() {
    let first = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[*]\"\n",
        "    at: resource\n",
        "    message: one\n",
    ));
    let second = parse_rule(
        concat!(
            "code: ST901\nname: other-rule\nseverity: info\nsummary: another\n",
            "cases:\n",
            "  - query: \"$.senders[*]\"\n",
            "    at: resource\n",
            "    message: two\n",
        ),
        "other.yaml",
        RuleSource::File("rules/other.yaml".into()),
    )
    .unwrap();
    let facts = json!({"senders": [sender("Users", "DEVELOPER", "sandbox")]});
    let diagnostics = run([first, second], &facts);
    assert_eq!(
        brief(&diagnostics),
        [
            ("one".to_owned(), "warning".to_owned(), 10),
            ("two".to_owned(), "info".to_owned(), 10),
        ]
    );
    // A rule of the user's own has no page on the rules site.
    assert_eq!(diagnostics[1].url, None);
}

#[test]
fn placeholders_render_nested_values_arrays_and_unknowns() {
    let rule = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[*]\"\n",
        "    at: resource\n",
        "    message: \"{resource} {ses.region} [{regions}] {regions.1} {count} {ok} {missing} {ses.nope} {{literal}}\"\n",
    ));
    let mut fact = sender("Users", "DEVELOPER", "sandbox");
    fact["regions"] = json!(["us-east-1", "eu-west-1"]);
    fact["count"] = json!(50);
    fact["ok"] = json!(false);
    let diagnostics = run([rule], &json!({"senders": [fact]}));
    assert_eq!(
        diagnostics[0].message,
        "Users us-west-2 [us-east-1, eu-west-1] eu-west-1 50 false <unknown> <unknown> {literal}"
    );
}

#[test]
fn label_help_and_note_are_rendered_and_dropped_when_all_unknown() {
    let rule = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[*]\"\n",
        "    at: resource\n",
        "    message: m\n",
        "    label: \"SES {ses.region} is in the sandbox\"\n",
        "    help: \"request production access in {ses.region}\"\n",
        "    note: \"CDK path: {cdk_path}\"\n",
    ));
    let mut with_path = sender("Users", "DEVELOPER", "sandbox");
    with_path["cdk_path"] = json!("AuthStack/Users/Resource");
    let without_path = sender("Admins", "DEVELOPER", "sandbox");
    let diagnostics = run([rule], &json!({"senders": [with_path, without_path]}));
    let d = &diagnostics[0];
    assert_eq!(d.label.as_deref(), Some("SES us-west-2 is in the sandbox"));
    assert_eq!(
        d.help.as_deref(),
        Some("request production access in us-west-2")
    );
    assert_eq!(
        d.note.as_deref(),
        Some("CDK path: AuthStack/Users/Resource")
    );
    assert_eq!(diagnostics[1].note, None);
}

#[test]
fn the_first_locatable_span_key_wins_and_unlocatable_matches_are_skipped() {
    let rule = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[*]\"\n",
        "    at: [source_arn, sending_account, resource]\n",
        "    message: \"{resource}\"\n",
    ));
    let mut arn = sender("Arn", "DEVELOPER", "sandbox");
    arn["spans"]["source_arn"] = span("b.yaml", 70, 90);
    let account = sender("Account", "DEVELOPER", "sandbox");
    let mut resource_only = sender("ResourceOnly", "DEVELOPER", "sandbox");
    resource_only["spans"]
        .as_object_mut()
        .unwrap()
        .remove("sending_account");
    // A span in a file the run does not know falls through to the next key.
    let mut foreign = sender("Foreign", "DEVELOPER", "sandbox");
    foreign["spans"]["source_arn"] = span("elsewhere.yaml", 1, 2);
    // A malformed span is as good as absent.
    let mut malformed = sender("Malformed", "DEVELOPER", "sandbox");
    malformed["spans"] = json!({"resource": {"file": "a.yaml", "start": 9, "end": 3}});
    let mut nowhere = sender("Nowhere", "DEVELOPER", "sandbox");
    nowhere["spans"] = json!({"identity": span("a.yaml", 1, 2)});
    let mut no_spans = sender("NoSpans", "DEVELOPER", "sandbox");
    no_spans.as_object_mut().unwrap().remove("spans");
    let facts = json!({"senders": [arn, account, resource_only, foreign, malformed, nowhere, no_spans, "a string", 3]});
    let located: Vec<(String, FileId, u32)> = run([rule], &facts)
        .into_iter()
        .map(|d| (d.message, d.location.file, d.location.span.start))
        .collect();
    assert_eq!(
        located,
        [
            ("Arn".to_owned(), FileId(1), 70),
            ("Account".to_owned(), FileId(0), 40),
            ("ResourceOnly".to_owned(), FileId(0), 10),
            ("Foreign".to_owned(), FileId(0), 40),
        ]
    );
}

#[test]
fn related_locations_are_attached_when_present() {
    let rule = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[*]\"\n",
        "    at: sending_account\n",
        "    message: m\n",
        "    related:\n",
        "      - at: identity\n",
        "        message: \"identity {identity} declared here\"\n",
        "      - at: [region_param, resource]\n",
        "        message: pool declared here\n",
    ));
    let mut with_identity = sender("Users", "DEVELOPER", "sandbox");
    with_identity["identity"] = json!("example.com");
    with_identity["spans"]["identity"] = span("b.yaml", 5, 16);
    let without = sender("Admins", "DEVELOPER", "sandbox");
    let diagnostics = run([rule], &json!({"senders": [with_identity, without]}));
    let related = |d: &Diagnostic| -> Vec<(String, FileId, u32)> {
        d.related
            .iter()
            .map(|r| (r.message.clone(), r.location.file, r.location.span.start))
            .collect()
    };
    assert_eq!(
        related(&diagnostics[0]),
        [
            (
                "identity example.com declared here".to_owned(),
                FileId(1),
                5
            ),
            ("pool declared here".to_owned(), FileId(0), 10),
        ]
    );
    assert_eq!(
        related(&diagnostics[1]),
        [("pool declared here".to_owned(), FileId(0), 10)]
    );
}

/// RFC 9535: a missing member is "Nothing", which is not equal to `null`. Rules that mean
/// "absent" need the facts to write an explicit `null`, or test both.
#[test]
fn null_comparisons_follow_rfc_9535() {
    let facts = json!({"items": [
        {"name": "explicit", "arn": null, "spans": {"resource": span("a.yaml", 0, 1)}},
        {"name": "missing", "spans": {"resource": span("a.yaml", 0, 1)}},
        {"name": "set", "arn": "x", "spans": {"resource": span("a.yaml", 0, 1)}},
    ]});
    let names = |query: &str| -> Vec<String> {
        let rule = rule(&format!(
            "cases:\n  - query: \"{query}\"\n    at: resource\n    message: \"{{name}}\"\n"
        ));
        run([rule], &facts).into_iter().map(|d| d.message).collect()
    };
    assert_eq!(names("$.items[?@.arn == null]"), ["explicit"]);
    assert_eq!(names("$.items[?!@.arn]"), ["missing"]);
    assert_eq!(
        names("$.items[?!@.arn || @.arn == null]"),
        ["explicit", "missing"]
    );
    assert_eq!(names("$.items[?@.arn != null]"), ["missing", "set"]);
    assert_eq!(names("$.items[?match(@.name, 'mis.*')]"), ["missing"]);
    assert_eq!(names("$.items[?search(@.name, 'plic')]"), ["explicit"]);
}

/// Every form of query that `rules/README.md` shows.
#[test]
fn query_forms_documented_for_rule_authors_work() {
    let item = |name: &str, extra: Value| {
        let mut item = json!({"name": name, "spans": {"resource": span("a.yaml", 0, 1)}});
        item.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        item
    };
    let facts = json!({
        "defaults": {"region": "us-east-1"},
        "allowed": ["us-east-1", "eu-west-1"],
        "items": [
            item("a", json!({"region": "us-east-1", "flag": false, "list": [1, 2], "from": "x@example.com", "state": "sandbox"})),
            item("b", json!({"region": "eu-west-1", "list": [], "from": "x@example.org", "state": "production"})),
            item("c", json!({"region": "ap-south-1", "state": "unknown"})),
        ],
    });
    let names = |query: &str| -> Vec<String> {
        let rule = rule(&format!(
            "cases:\n  - query: \"{query}\"\n    at: resource\n    message: \"{{name}}\"\n"
        ));
        run([rule], &facts).into_iter().map(|d| d.message).collect()
    };
    assert_eq!(names("$.items[*]"), ["a", "b", "c"]);
    assert_eq!(
        names("$.items[?@.flag]"),
        ["a"],
        "existence, even of `false`"
    );
    assert_eq!(names("$.items[?@.region == $.defaults.region]"), ["a"]);
    assert_eq!(names("$.items[?!(@.state == 'production')]"), ["a", "c"]);
    assert_eq!(
        names("$.items[?@.state == 'sandbox' || @.state == 'unknown']"),
        ["a", "c"]
    );
    assert_eq!(names("$.items[?length(@.list) > 0]"), ["a"]);
    assert_eq!(names("$.items[?count(@.list[*]) == 2]"), ["a"]);
    assert_eq!(names("$.items[?match(@.region, 'us-.*')]"), ["a"]);
    assert_eq!(names("$.items[?search(@.from, '@example[.]com')]"), ["a"]);
    assert_eq!(names("$.items[?in(@.region, $.allowed)]"), ["a", "b"]);
    assert_eq!(names("$.items[?nin(@.region, $.allowed)]"), ["c"]);
    assert_eq!(names("$..items[?@.name == 'b']"), ["b"]);
}

// ---------------------------------------------------------------- loading errors

#[test]
fn an_unknown_key_is_reported_at_the_key() {
    let text = format!(
        "{HEADER}cases:\n  - query: \"$.a[*]\"\n    at: x\n    message: m\n    serverity: error\n"
    );
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    let RuleError::UnknownKey { key, expected, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(key, "serverity");
    assert!(expected.contains("severity"), "{expected}");
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "serverity");
    assert_eq!(line_col(&text, offset), (9, 5));

    let top = parse_rule(
        &format!("{HEADER}docs: d\nexamples: []\ncases: []\n"),
        "t",
        RuleSource::Builtin,
    )
    .unwrap_err();
    assert!(
        matches!(&top, RuleError::UnknownKey { key, .. } if key == "examples"),
        "{top:?}"
    );
}

#[test]
fn an_invalid_query_is_reported_at_the_offending_character() {
    let text = format!(
        "{HEADER}cases:\n  - query: \"$.senders[?@.state = 'x']\"\n    at: x\n    message: m\n"
    );
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    let RuleError::InvalidQuery { message, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(message.contains("expected"), "{message}");
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "=");
    assert_eq!(line_col(&text, offset), (6, 32));

    // Not written verbatim (an escape in a double-quoted scalar): the whole value is labelled.
    let text =
        format!("{HEADER}cases:\n  - query: \"$.a[?@.b =\\x3D 1] x\"\n    at: x\n    message: m\n");
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    assert!(matches!(error, RuleError::InvalidQuery { .. }), "{error:?}");
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "\"$.a[?@.b =\\x3D 1] x\"");
}

#[test]
fn a_bad_severity_is_reported_at_the_value() {
    let text =
        format!("{HEADER}cases:\n  - query: $.a\n    severity: fatal\n    at: x\n    message: m\n");
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    assert!(
        matches!(&error, RuleError::BadSeverity { value, .. } if value == "fatal"),
        "{error:?}"
    );
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "fatal");
}

#[test]
fn a_broken_placeholder_is_reported_at_the_placeholder() {
    let text = format!(
        "{HEADER}cases:\n  - query: $.a\n    at: x\n    message: m\n    help: 'run {{cmd.}} now'\n"
    );
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    assert!(
        matches!(&error, RuleError::BadPlaceholder { key: "help", .. }),
        "{error:?}"
    );
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "{cmd.}");
}

#[test]
fn missing_keys_and_invalid_values_are_errors() {
    let cases = [
        (
            format!("{HEADER}cases:\n  - at: x\n    message: m\n"),
            "missing key `query`",
        ),
        (
            "code: ST900\nname: n\nseverity: info\ncases: []\n".to_owned(),
            "missing key `summary`",
        ),
        (format!("{HEADER}cases: []\n"), "at least one case"),
        (
            format!("{HEADER}cases:\n  - query: $.a\n    at: []\n    message: m\n"),
            "span key",
        ),
        (
            HEADER.replace("ST900", "st900") + "cases: []\n",
            "invalid `code`",
        ),
        (
            HEADER.replace("test-rule", "TestRule") + "cases: []\n",
            "invalid `name`",
        ),
        (
            "code: ST900\nname: n\nseverity: [error\n".to_owned(),
            "expected",
        ),
        (format!("{HEADER}code: ST901\ncases: []\n"), "duplicate"),
    ];
    for (text, needle) in cases {
        let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
        assert!(error.to_string().contains(needle), "{needle}: {error}");
    }
}

#[test]
fn duplicate_codes_and_names_are_refused() {
    let mut catalog = catalog([rule("cases:\n  - query: $.a\n    at: x\n    message: m\n")]);
    let text = "code: ST900\nname: another\nseverity: info\nsummary: s\ncases:\n  - query: $.a\n    at: x\n    message: m\n";
    let clash = parse_rule(text, "mine.yaml", RuleSource::File("mine.yaml".into())).unwrap();
    let error = catalog.extend([clash]).unwrap_err();
    let RuleError::DuplicateCode { code, other, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        (code.as_str(), other.as_str()),
        ("ST900", "built-in rule ST900 (test-rule)")
    );
    let (offset, len) = label_of(&error);
    assert_eq!(
        (&text[offset..offset + len], line_col(text, offset)),
        ("ST900", (1, 7))
    );

    let renamed = text
        .replace("ST900", "ST901")
        .replace("another", "test-rule");
    let clash = parse_rule(&renamed, "mine.yaml", RuleSource::File("mine.yaml".into())).unwrap();
    let error = catalog.extend([clash]).unwrap_err();
    assert!(
        matches!(error, RuleError::DuplicateName { .. }),
        "{error:?}"
    );

    // Within one batch too, and a refused batch leaves the catalog as it was.
    let good = parse_rule(&text.replace("ST900", "ST902"), "g", RuleSource::Builtin).unwrap();
    let twin = parse_rule(&text.replace("ST900", "ST902"), "t", RuleSource::Builtin).unwrap();
    assert!(catalog.extend([good, twin]).is_err());
    assert_eq!(catalog.len(), 1);
    assert!(catalog.get("ST902").is_none());
}

fn render(error: &RuleError) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(90)
        .with_links(false)
        .render_report(&mut out, error)
        .unwrap();
    out
}

#[test]
fn rule_file_errors_read_well() {
    let case = "cases:\n  - query: \"$.senders[?@.ses.state == 'sandbox']\"\n    at: source_arn\n    message: \"pool `{resource}` is in the sandbox\"\n";
    let broken = [
        ("unknown key", format!("{HEADER}{case}    lable: x\n")),
        (
            "invalid query",
            format!("{HEADER}{}", case.replace("== 'sandbox'", "= 'sandbox'")),
        ),
        ("bad severity", HEADER.replace("warning", "critical") + case),
        (
            "bad placeholder",
            format!("{HEADER}{}", case.replace("{resource}", "{resource")),
        ),
        (
            "missing key",
            format!("{HEADER}{}", case.replace("    at: source_arn\n", "")),
        ),
    ];
    let rendered: Vec<String> = broken
        .iter()
        .map(|(what, text)| {
            let error = parse_rule(text, "rules/ST900.yaml", RuleSource::Builtin).unwrap_err();
            format!("--- {what}\n{}", render(&error))
        })
        .collect();
    insta::assert_snapshot!(rendered.join("\n"));
}

#[test]
fn errors_render_with_the_rule_file_snippet() {
    let text =
        format!("{HEADER}cases:\n  - query: $.a\n    at: x\n    message: m\n    colour: red\n");
    let error = parse_rule(&text, "rules/ST900.yaml", RuleSource::Builtin).unwrap_err();
    let out = render(&error);
    assert!(out.contains("rules/ST900.yaml:9:5"), "{out}");
    assert!(out.contains("unknown key"), "{out}");
}

// ---------------------------------------------------------------- catalog

#[test]
fn load_dir_reads_yaml_files_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let body = "severity: info\nsummary: s\ncases:\n  - query: $.a\n    at: x\n    message: m\n";
    std::fs::write(
        dir.path().join("b.yml"),
        format!("code: ACME2\nname: acme-two\n{body}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        format!("code: ACME1\nname: acme-one\n{body}"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.md"), "not a rule").unwrap();
    let rules = Catalog::load_dir(dir.path()).unwrap();
    let codes: Vec<&str> = rules.iter().map(|rule| rule.code.as_str()).collect();
    assert_eq!(codes, ["ACME1", "ACME2"]);
    assert_eq!(rules[0].source, RuleSource::File(dir.path().join("a.yaml")));

    let mut catalog = Catalog::new();
    catalog.extend(rules).unwrap();
    assert_eq!(
        catalog.get("acme-two").map(|r| r.code.as_str()),
        Some("ACME2")
    );
    assert_eq!(
        catalog.get("ACME1").map(|r| r.name.as_str()),
        Some("acme-one")
    );

    std::fs::write(dir.path().join("c.yaml"), "code: [").unwrap();
    let error = Catalog::load_dir(dir.path()).unwrap_err();
    assert!(matches!(error, RuleError::Syntax { .. }), "{error:?}");
    assert!(matches!(
        Catalog::load_dir(&dir.path().join("absent")),
        Err(RuleError::Io { .. })
    ));
}

#[test]
fn sections_and_example_blocks_come_from_the_docs() {
    let mut rule = rule("cases:\n  - query: $.a\n    at: x\n    message: m\n");
    rule.docs = concat!(
        "## What it does\n\nFlags things.\n\n",
        "## Example\n\n```yaml\n## not a heading\na: 1\n```\n\ntext\n\n~~~json\n{}\n~~~\n\n",
        "## Use instead\n\n```yaml\na: 2\n```\n",
        "## References\n",
    )
    .to_owned();
    let headings: Vec<&str> = rule.sections().into_iter().map(|(h, _)| h).collect();
    assert_eq!(
        headings,
        ["What it does", "Example", "Use instead", "References"]
    );
    assert_eq!(rule.section("What it does"), Some("Flags things."));
    assert_eq!(rule.section("References"), Some(""));
    let (examples, fixes) = rule.example_blocks();
    assert_eq!(examples, ["## not a heading\na: 1\n", "{}\n"]);
    assert_eq!(fixes, ["a: 2\n"]);
}

#[test]
fn builtin_rules_load() {
    let catalog = Catalog::builtin().unwrap();
    assert!(catalog.get("ST201").is_some());
    assert_eq!(catalog.len(), builtin::RULES.len());
    for (rule, (file, _)) in catalog.iter().zip(builtin::RULES) {
        assert_eq!(
            *file,
            format!("{}.yaml", rule.code),
            "a rule's file is named after its code"
        );
        assert_eq!(rule.source, RuleSource::Builtin);
        assert_eq!(rule.url(), Some(format!("{RULES_URL}{}", rule.code)));
    }
}

#[test]
fn builtin_rules_document_every_section_with_examples() {
    for rule in &Catalog::builtin().unwrap() {
        let headings: Vec<&str> = rule.sections().into_iter().map(|(h, _)| h).collect();
        assert_eq!(headings, DOC_SECTIONS, "{}: sections of `docs`", rule.code);
        for (heading, body) in rule.sections() {
            assert!(!body.is_empty(), "{}: `## {heading}` is empty", rule.code);
        }
        let (examples, fixes) = rule.example_blocks();
        assert!(
            !examples.is_empty(),
            "{}: no code block under `## Example`",
            rule.code
        );
        assert!(
            !fixes.is_empty(),
            "{}: no code block under `## Use instead`",
            rule.code
        );
    }
}

#[test]
fn st201_fires_for_developer_without_source_arn() {
    let catalog = Catalog::builtin().unwrap();
    let st201 = catalog.get("missing-source-arn").unwrap().clone();
    let mut missing = sender("Users", "DEVELOPER", "sandbox");
    missing["cdk_path"] = json!("AuthStack/Users/Resource");
    let mut with_arn = sender("Admins", "DEVELOPER", "sandbox");
    with_arn["source_arn"] = json!("arn:aws:ses:us-west-2:123456789012:identity/example.com");
    let default = sender("Guests", "COGNITO_DEFAULT", "sandbox");
    let diagnostics = run([st201], &json!({"senders": [missing, with_arn, default]}));
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(
        d.message,
        "user pool `Users` sends email as `DEVELOPER` but has no `SourceArn`"
    );
    assert_eq!(d.location.span.start, 40);
    assert_eq!(
        d.note.as_deref(),
        Some("CDK path: AuthStack/Users/Resource")
    );
    assert_eq!(d.url.as_deref(), Some("https://sandtrap.dev/rules/ST201"));
}

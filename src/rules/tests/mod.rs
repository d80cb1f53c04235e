use miette::Diagnostic as _;
use serde_json::{Value, json};

use super::*;
use crate::diagnostic::Diagnostic;
use crate::source::FileId;

mod evaluate;
mod plan;

const HEADER: &str = "code: ST900\nname: test-rule\nseverity: warning\nsummary: a test rule\n";

fn rule(cases: &str) -> Rule {
    parse_rule_unchecked(
        &format!("{HEADER}{cases}"),
        "test.yaml",
        RuleSource::Builtin,
    )
    .unwrap()
}

/// The located problem of `error`, which must be of kind `kind`.
fn located<'a>(error: &'a RuleError, kind: &str) -> &'a crate::located::Located {
    match error.located() {
        Some(located) if located.kind() == kind => located,
        _ => panic!("not {kind}: {error:?}"),
    }
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
        "language": "cloudformation",
        "names": crate::extract::PropertyNames::of(
            crate::extract::Language::CloudFormation,
            crate::extract::SenderKind::UserPool,
        ),
        "source_arn": null,
        "has_source_arn": false,
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

#[test]
fn an_unknown_key_is_reported_at_the_key() {
    let text = format!(
        "{HEADER}cases:\n  - query: \"$.a[*]\"\n    at: x\n    message: m\n    serverity: error\n"
    );
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    let problem = located(&error, "sandtrap::rules::unknown_key");
    assert_eq!(problem.message(), "unknown key `serverity` in rule file");
    let expected = problem.help_text().unwrap();
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
    assert_eq!(
        located(&top, "sandtrap::rules::unknown_key").message(),
        "unknown key `examples` in rule file"
    );
}

#[test]
fn an_invalid_query_is_reported_at_the_offending_character() {
    let text = format!(
        "{HEADER}cases:\n  - query: \"$.senders[?@.state = 'x']\"\n    at: x\n    message: m\n"
    );
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    let message = located(&error, "sandtrap::rules::query").message();
    assert!(message.contains("expected"), "{message}");
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "=");
    assert_eq!(line_col(&text, offset), (6, 32));

    // Not written verbatim (an escape in a double-quoted scalar): the whole value is labelled.
    let text =
        format!("{HEADER}cases:\n  - query: \"$.a[?@.b =\\x3D 1] x\"\n    at: x\n    message: m\n");
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    located(&error, "sandtrap::rules::query");
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "\"$.a[?@.b =\\x3D 1] x\"");
}

#[test]
fn a_bad_severity_is_reported_at_the_value() {
    let text =
        format!("{HEADER}cases:\n  - query: $.a\n    severity: fatal\n    at: x\n    message: m\n");
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    assert_eq!(
        located(&error, "sandtrap::rules::severity").message(),
        "invalid severity `fatal`"
    );
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "fatal");
}

#[test]
fn a_broken_placeholder_is_reported_at_the_placeholder() {
    let text = format!(
        "{HEADER}cases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n    help: 'run {{cmd.}} now'\n"
    );
    let error = parse_rule(&text, "test.yaml", RuleSource::Builtin).unwrap_err();
    let message = located(&error, "sandtrap::rules::placeholder").message();
    assert!(
        message.starts_with("broken placeholder in `help`"),
        "{message}"
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
            "test.yaml:3:11: not a rule file: not valid YAML: unclosed bracket",
        ),
        (format!("{HEADER}code: ST901\ncases: []\n"), "duplicate"),
    ];
    for (text, needle) in cases {
        let error =
            parse_rule(&text, "test.yaml", RuleSource::File("test.yaml".into())).unwrap_err();
        assert!(error.to_string().contains(needle), "{needle}: {error}");
    }
}

#[test]
fn duplicate_codes_and_names_are_refused() {
    let mut catalog = catalog([rule(
        "cases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n",
    )]);
    let text = "code: ST900\nname: another\nseverity: info\nsummary: s\ncases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n";
    let clash = parse_rule(text, "mine.yaml", RuleSource::File("mine.yaml".into())).unwrap();
    let error = catalog.extend([clash]).unwrap_err();
    assert_eq!(
        located(&error, "sandtrap::rules::duplicate_code").message(),
        "rule code `ST900` is already used by built-in rule ST900 (test-rule)"
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
    located(&error, "sandtrap::rules::duplicate_name");

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
    let text = format!(
        "{HEADER}cases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n    colour: red\n"
    );
    let error = parse_rule(&text, "rules/ST900.yaml", RuleSource::Builtin).unwrap_err();
    let out = render(&error);
    assert!(out.contains("rules/ST900.yaml:9:5"), "{out}");
    assert!(out.contains("unknown key"), "{out}");
}

// ---------------------------------------------------------------- catalog

#[test]
fn load_dir_reads_yaml_files_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let body = "severity: info\nsummary: s\ncases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n";
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
    let rules = Catalog::load_dir(dir.path(), dir.path()).unwrap();
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
    let error = Catalog::load_dir(dir.path(), dir.path()).unwrap_err();
    // Not YAML: located, never quoted.
    assert!(matches!(error, RuleError::NotRule { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .ends_with("c.yaml:1:7: not a rule file: not valid YAML: unclosed bracket '['"),
        "{error}"
    );
    assert!(matches!(
        Catalog::load_dir(&dir.path().join("absent"), dir.path()),
        Err(RuleError::Io { .. })
    ));
}

#[test]
fn sections_and_example_blocks_come_from_the_docs() {
    let mut rule = rule("cases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n");
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
    assert_eq!(catalog.len(), builtin::FILES.len());
    for (rule, (file, _)) in catalog.iter().zip(builtin::FILES) {
        assert_eq!(
            *file,
            format!("{}.yaml", rule.code),
            "a rule's file is named after its code"
        );
        assert_eq!(rule.source, RuleSource::Builtin);
        assert_eq!(rule.url(), Some(format!("{RULES_URL}{}/", rule.code)));
    }
}

/// What a rule is, for comparing two ways of making it.
fn shape(rule: &Rule) -> String {
    let cases: Vec<String> = (rule.cases.iter())
        .map(|case| {
            let related: Vec<_> = (case.related.iter()).map(|r| (&r.at, &r.message)).collect();
            format!(
                "{:?}",
                (
                    &case.query,
                    &case.plan,
                    case.local.is_some(),
                    case.severity,
                    &case.at,
                    (&case.message, &case.label, &case.help, &case.note),
                    related,
                )
            )
        })
        .collect();
    let filter = (rule.filter.as_ref()).map(|f| (&f.text, &f.plan));
    format!(
        "{:?}",
        (
            (
                &rule.code,
                &rule.name,
                rule.severity,
                &rule.summary,
                &rule.docs
            ),
            filter,
            cases,
            &rule.source,
        )
    )
}

/// The catalog the build compiled is what loading each file as a user's rule gives, with every
/// check the build cannot make (the facts schema, patterns, unique names across the catalog),
/// and every built-in query compiles in the engine too (for whole-document runs).
#[test]
fn builtin_rules_are_their_files() {
    let catalog = Catalog::builtin().unwrap();
    let mut loaded = Catalog::new();
    for (file, text) in builtin::FILES {
        let rule = parse_rule(text, &format!("rules/{file}"), RuleSource::Builtin)
            .unwrap_or_else(|e| panic!("rules/{file}: {e:?}"));
        loaded.extend([rule]).unwrap();
    }
    assert_eq!(catalog.len(), loaded.len());
    for (built, read) in catalog.iter().zip(&loaded) {
        assert_eq!(shape(built), shape(read), "{}", built.code);
        for case in &built.cases {
            assert!(case.runnable().is_some(), "{}: {}", built.code, case.query);
        }
        if let Some(filter) = &built.filter {
            assert!(filter.runnable().is_some(), "{}", built.code);
        }
    }
}

#[test]
fn builtin_rules_document_every_section_with_examples() {
    for rule in &Catalog::builtin().unwrap() {
        // The five sections in order; `Known problems` (unconfirmed AWS behaviour) may follow
        // `Use instead`.
        let headings: Vec<&str> = rule
            .sections()
            .into_iter()
            .map(|(h, _)| h)
            .filter(|h| *h != "Known problems")
            .collect();
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
    missing["note"] = json!("CDK construct `AuthStack/Users/Resource`");
    let mut with_arn = sender("Admins", "DEVELOPER", "sandbox");
    with_arn["source_arn"] = json!("arn:aws:ses:us-west-2:123456789012:identity/example.com");
    with_arn["has_source_arn"] = json!(true);
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
        Some("CDK construct `AuthStack/Users/Resource`")
    );
    assert_eq!(
        d.url.as_deref(),
        Some(format!("{}rules/ST201/", crate::site::DOCS_URL).as_str())
    );
}

#[test]
fn where_is_checked_against_the_facts_schema() {
    let text = format!(
        "{HEADER}where: \"@.uses_ses == true && @.source_arn.valud == true\"\ncases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n"
    );
    let error = parse_rule(&text, "test.yaml", RuleSource::File("test.yaml".into())).unwrap_err();
    let located = located(&error, "sandtrap::rules::unknown_fact");
    assert_eq!(
        located.message(),
        "unknown member `source_arn.valud` in `where`"
    );
    assert_eq!(
        located.help_text(),
        Some("did you mean `source_arn.valid`?")
    );
    let (offset, len) = label_of(&error);
    assert_eq!(&text[offset..offset + len], "valud");

    let broken = format!(
        "{HEADER}where: \"@.uses_ses ==\"\ncases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n"
    );
    let error = parse_rule(&broken, "test.yaml", RuleSource::Builtin).unwrap_err();
    assert!(
        error.to_string().contains("`where` is a filter expression"),
        "{error}"
    );
}

/// The rule file `rules/README.md` shows is one that loads: its names are in the facts schema.
#[test]
fn the_readme_example_rule_loads() {
    let readme = include_str!("../../../rules/README.md");
    let example = readme
        .split_once("## A rule file")
        .and_then(|(_, rest)| rest.split_once("```yaml\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .unwrap();
    let rule = parse_rule(example, "README.md", RuleSource::File("README.md".into()));
    assert!(rule.is_ok(), "{:?}", rule.err());
}

//! Evaluation: matching, case precedence, locations, templates and JSONPath behaviour.

use serde_json::{Value, json};

use super::*;

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
    assert_eq!(
        d.url.as_deref(),
        Some(format!("{}rules/ST900/", crate::site::DOCS_URL).as_str())
    );
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

#[test]
fn where_filters_every_case_before_it_claims_an_object() {
    let text = concat!(
        "where: \"@.sending_account == 'DEVELOPER'\"\n",
        "cases:\n",
        "  - query: \"$.senders[?@.ses.state == 'sandbox']\"\n",
        "    at: resource\n",
        "    message: \"sandbox {resource}\"\n",
        "  - query: \"$.senders[*]\"\n",
        "    at: resource\n",
        "    message: \"other {resource}\"\n",
    );
    let facts = json!({"senders": [
        sender("Users", "DEVELOPER", "sandbox"),
        sender("Admins", "DEVELOPER", "production"),
        sender("Guests", "COGNITO_DEFAULT", "sandbox"),
    ]});
    let messages: Vec<String> = run([rule(text)], &facts)
        .into_iter()
        .map(|d| d.message)
        .collect();
    assert_eq!(messages, ["sandbox Users", "other Admins"]);
}

#[test]
fn the_object_note_is_added_to_every_diagnostic() {
    let text = concat!(
        "cases:\n",
        "  - query: \"$.senders[?@.resource == 'Users']\"\n",
        "    at: resource\n",
        "    message: m\n",
        "  - query: \"$.senders[?@.resource == 'Admins']\"\n",
        "    at: resource\n",
        "    message: m\n",
        "    note: \"see {resource}\"\n",
    );
    let mut users = sender("Users", "DEVELOPER", "sandbox");
    users["note"] = json!("CDK construct `App/Users`");
    let mut admins = sender("Admins", "DEVELOPER", "sandbox");
    admins["note"] = json!("when condition `Prod` is true");
    let facts = json!({"senders": [users, admins, sender("Guests", "DEVELOPER", "sandbox")]});
    let notes: Vec<Option<String>> = run([rule(text)], &facts)
        .into_iter()
        .map(|d| d.note)
        .collect();
    assert_eq!(
        notes,
        [
            Some("CDK construct `App/Users`".to_owned()),
            Some("when condition `Prod` is true; see Admins".to_owned()),
        ]
    );
}

#[test]
fn which_queries_run_per_element() {
    let local = |query: &str| {
        crate::rules::evaluate::Local::of(&jsonpath_rust::parser::parse_json_path(query).unwrap())
            .is_some()
    };
    assert!(local("$.senders[?@.ses.state == 'sandbox']"));
    assert!(local("$.senders[*].unresolved[*]"));
    assert!(local("$['lookups'][?@.error != null]"));
    // Anything that can read outside one element runs over the whole document.
    assert!(!local("$.senders"));
    assert!(!local("$.senders[0]"));
    assert!(!local("$.senders[-1:]"));
    assert!(!local("$..region"));
    assert!(!local("$.senders[?@.region == $.stacks[0].region]"));
    assert!(!local("$.senders[*][?@ == $.version]"));
    assert!(!local("$[*]"));

    // The equalities checked before the query: top-level `&&` terms with a string or boolean.
    let required = |query: &str| {
        crate::rules::evaluate::Local::of(&jsonpath_rust::parser::parse_json_path(query).unwrap())
            .map(|l| l.required_paths())
            .unwrap()
    };
    assert_eq!(
        required("$.senders[?@.kind == 'user-pool' && @.ses.region_known == true && @.n > 0]"),
        ["kind = \"user-pool\"", "ses.region_known = true"]
    );
    assert_eq!(
        required("$.senders[?'DEVELOPER' == @.sending_account]"),
        ["sending_account = \"DEVELOPER\""]
    );
    assert!(required("$.senders[?@.a == 'x' || @.b == 'y']").is_empty());
    assert!(required("$.senders[?@.a == 1 && @.b == null && @.c != 'z']").is_empty());
    assert!(required("$.senders[*]").is_empty());
}

/// A check of `testdata/rules`, with its files' ids by name.
fn rules_fixtures() -> (
    crate::check::Outcome,
    std::collections::HashMap<String, FileId>,
) {
    let options = crate::check::CheckOptions {
        paths: vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/rules"
        ))],
        cwd: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        ..Default::default()
    };
    let outcome = crate::check::run(&options).unwrap();
    let names = (outcome.files.iter())
        .map(|(id, file)| (file.name.clone(), id))
        .collect();
    (outcome, names)
}

/// The built-in rules over the facts of every rule fixture: one element at a time (the run's
/// way) and over the whole document give the same diagnostics in the same order, and a rule
/// that mixes both kinds of case still reports each object once.
#[test]
fn per_element_evaluation_equals_the_whole_document() {
    let (outcome, names) = rules_fixtures();
    let document = outcome.facts.to_json();
    assert!(!outcome.facts.senders.is_empty());
    let file_id = |name: &str| names.get(name).copied();
    let catalog = Catalog::builtin().unwrap();
    let streamed = evaluate_facts(&catalog, &outcome.facts, &file_id);
    let whole = crate::rules::evaluate::evaluate_whole(&catalog, &document, &file_id);
    assert!(streamed.len() > 20, "{}", streamed.len());
    assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
    assert_eq!(
        format!("{:?}", evaluate(&catalog, &document, &file_id)),
        format!("{whole:?}")
    );

    // A rule with a case over the whole document runs wholly that way; the object its first
    // case claims is not reported by the second.
    let mixed = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[?@.uses_ses == true]\"\n",
        "    at: resource\n",
        "    message: \"{resource}: first\"\n",
        "  - query: \"$..senders[?@.kind == 'user-pool']\"\n",
        "    at: resource\n",
        "    message: \"{resource}: second\"\n",
    ));
    let catalog = super::catalog([mixed]);
    let streamed = evaluate_facts(&catalog, &outcome.facts, &file_id);
    let whole = crate::rules::evaluate::evaluate_whole(&catalog, &document, &file_id);
    assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
}

/// A kept element becomes JSON only in the members its rule's diagnostics read (`kept.rs`):
/// nested placeholders, a `where:`, related spans, a note, objects found inside the element and
/// two rules reading other members of the same element all report what the whole document
/// gives.
#[test]
fn diagnostics_read_only_what_they_need_of_an_element() {
    let (outcome, names) = rules_fixtures();
    let document = outcome.facts.to_json();
    let file_id = |name: &str| names.get(name).copied();
    let nested = rule(concat!(
        "where: \"@.uses_ses == true && @.ses.region != 'xx-none-1'\"\n",
        "cases:\n",
        "  - query: \"$.senders[?@.uses_ses == true]\"\n",
        "    at: [source_arn, resource]\n",
        "    message: \"{resource} in {stack}: {ses.region} {names.source_arn} {source_arn.account}\"\n",
        "    label: \"{spans.resource.start}\"\n",
        "    help: \"{identity.name} {assumptions.0}\"\n",
        "    note: \"{kind}\"\n",
        "    related:\n",
        "      - at: identity\n",
        "        message: \"{identity.declared_regions}\"\n",
    ));
    let mut inside = rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[*].unresolved[*]\"\n",
        "    at: value\n",
        "    message: \"{field} {needs}\"\n",
        "  - query: \"$.senders[?@.kind == 'user-pool']\"\n",
        "    at: resource\n",
        "    message: \"{pool_region} {ses}\"\n",
    ));
    inside.code = "ST998".to_owned();
    inside.name = "inside".to_owned();
    let catalog = super::catalog([nested, inside]);
    let streamed = evaluate_facts(&catalog, &outcome.facts, &file_id);
    let whole = crate::rules::evaluate::evaluate_whole(&catalog, &document, &file_id);
    assert!(streamed.len() > 20, "{}", streamed.len());
    assert!(streamed.iter().any(|d| !d.related.is_empty()));
    assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
}

/// Findings kept between evaluations are those a fresh evaluation gives: after the same facts
/// again, after one fact replaced, after facts moved to other places (an object without an
/// `id` is known by its path), and with other file ids or other rules.
#[test]
fn kept_findings_equal_a_fresh_evaluation() {
    use std::sync::Arc;
    let (outcome, names) = rules_fixtures();
    let file_id = |name: &str| names.get(name).copied();
    let catalog = Catalog::builtin().unwrap();
    let mut memo = crate::rules::Memo::new();
    let check = |facts: &crate::join::Facts, memo: &mut crate::rules::Memo, files: u64| {
        let kept = crate::rules::evaluate_facts_with(&catalog, facts, &file_id, files, memo);
        let fresh = evaluate_facts(&catalog, facts, &file_id);
        assert_eq!(format!("{kept:?}"), format!("{fresh:?}"));
        memo.stats()
    };
    let mut facts = outcome.facts.clone();
    let first = check(&facts, &mut memo, 1);
    assert_eq!(first.kept, 0);
    let again = check(&facts, &mut memo, 1);
    assert_eq!(again.evaluated, 0);
    assert_eq!(again.kept, first.evaluated);

    // One sender made anew (the same content: a new shared fact).
    let copy = crate::join::facts::SenderFact::clone(&facts.senders[0]);
    facts.senders[0] = Arc::new(copy);
    let replaced = check(&facts, &mut memo, 1);
    assert_eq!(replaced.evaluated, 1);
    // Every sender one place later: none is at its place any more.
    facts.senders.rotate_right(1);
    let moved = check(&facts, &mut memo, 1);
    assert!(moved.evaluated >= facts.senders.len(), "{moved:?}");
    // Other files, then other rules: everything again.
    let files = check(&facts, &mut memo, 2);
    assert_eq!(files.kept, 0);
    let other = super::catalog([rule(concat!(
        "cases:\n",
        "  - query: \"$.senders[?@.uses_ses == true]\"\n",
        "    at: resource\n",
        "    message: \"{resource}: sends\"\n",
    ))]);
    let kept = crate::rules::evaluate_facts_with(&other, &facts, &file_id, 2, &mut memo);
    assert_eq!(memo.stats().kept, 0);
    assert_eq!(
        format!("{kept:?}"),
        format!("{:?}", evaluate_facts(&other, &facts, &file_id))
    );
}

//! The CI formats (SARIF, JUnit, GitHub annotations, GitLab Code Quality) on fixed inputs: a
//! snapshot of each, SARIF validated against the official 2.1.0 schema, JUnit parsed as XML,
//! GitHub's escaping; plus completions, the man page and the progress callback.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use quick_xml::events::Event;
use sandtrap::check::{self, CheckOptions};
use sandtrap::cli::Exit;
use serde_json::Value;

use crate::support::{root, run};

/// One run with an error whose related locations are in two other files (the CDK example), a
/// parse error, a warning, two infos on a line where characters and UTF-16 units differ, in a
/// file whose name has a space and a non-ASCII letter, and clean templates.
const FIXED: &[&str] = &[
    "--config",
    "examples/sandtrap.yaml",
    "--ses-production",
    "123456789012:us-east-1",
    "examples/",
    "testdata/cli/",
    "testdata/formats/",
];

fn check(format: &str, extra: &[&str], stdin: &str) -> String {
    let mut args = vec!["check", "--format", format];
    args.extend_from_slice(extra);
    let run = run(&args, stdin);
    assert_eq!(run.exit, Exit::Findings, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    run.stdout
}

fn sarif(extra: &[&str], stdin: &str) -> Value {
    serde_json::from_str(&check("sarif", extra, stdin)).unwrap()
}

fn validate_sarif(log: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_snapshot() {
    let log = sarif(FIXED, "");
    let cwd = format!(
        "{}/",
        sandtrap::emit::sarif::file_uri(&std::env::current_dir().unwrap())
    );
    assert_eq!(
        log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        cwd
    );
    let mut log = log;
    let run = &mut log["runs"][0];
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "[cwd]".into();
    run["tool"]["driver"]["version"] = "[version]".into();
    run["tool"]["driver"]["semanticVersion"] = "[version]".into();
    // Rule documentation is the rule files' business (checked against the catalog below):
    // only the first rule's shape is kept.
    let rules = run["tool"]["driver"]["rules"].as_array_mut().unwrap();
    rules.truncate(1);
    for rule in rules {
        rule["fullDescription"]["text"] = "[docs]".into();
        rule["help"]["text"] = "[docs]".into();
        rule["help"]["markdown"] = "[docs]".into();
    }
    insta::assert_json_snapshot!(log);
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    validate_sarif(&sarif(FIXED, ""));
    // Standard input under an awkward name, and a path outside the current directory.
    let broken =
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  A:\n    Type: X\n    Type: Y\n";
    let log = sarif(
        &[
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "--stdin-filename",
            "my infra/日本 #1?.yaml",
            "-",
        ],
        broken,
    );
    validate_sarif(&log);
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "my%20infra/%E6%97%A5%E6%9C%AC%20%231%3F.yaml"
    );
    let outside = tempfile::tempdir().unwrap();
    let path = outside.path().join("broken.yaml");
    std::fs::write(&path, broken).unwrap();
    let log = sarif(
        &[
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            path.to_str().unwrap(),
        ],
        "",
    );
    validate_sarif(&log);
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(
        artifact["uri"].as_str().unwrap().starts_with("file:///"),
        "{artifact}"
    );
    assert!(artifact.get("uriBaseId").is_none());
}

#[test]
fn sarif_rules_carry_the_rule_files_metadata() {
    let log = sarif(FIXED, "");
    let catalog = check::catalog(&CheckOptions::default()).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), catalog.len());
    for (rule, meta) in catalog.iter().zip(rules) {
        assert_eq!(meta["id"], rule.code.as_str());
        assert_eq!(meta["name"], rule.name.as_str());
        assert_eq!(meta["shortDescription"]["text"], rule.summary.as_str());
        assert_eq!(meta["help"]["markdown"], rule.docs.trim());
        assert_eq!(
            meta["fullDescription"]["text"],
            rule.section("What it does").unwrap()
        );
        assert_eq!(meta["helpUri"], rule.url().unwrap().as_str());
    }
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn sarif_columns_are_utf16_code_units() {
    let log = sarif(FIXED, "");
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "ST102")
        .unwrap();
    let region = &result["locations"][0]["physicalLocation"]["region"];
    // The JSON format counts characters: column 104. "🚀" before it is two UTF-16 units.
    assert_eq!(region["startColumn"], 105);
    assert_eq!(region["startLine"], 12);
    assert_eq!(log["runs"][0]["columnKind"], "utf16CodeUnits");
}

#[test]
fn fingerprints_ignore_line_moves() {
    let template = |padding: &str| {
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\n{padding}Resources:\n  A:\n    Type: X\n    Type: Y\n"
        )
    };
    let fingerprint = |text: &str| {
        let log = sarif(
            &[
                "--config",
                "testdata/rules/empty.sandtrap.yaml",
                "--stdin-filename",
                "t.yaml",
                "-",
            ],
            text,
        );
        log["runs"][0]["results"][0]["partialFingerprints"]["sandtrap/v1"].clone()
    };
    let before = fingerprint(&template(""));
    assert_eq!(before.as_str().unwrap().len(), 16);
    assert_eq!(before, fingerprint(&template("Description: moved\n\n\n")));
    // Another finding: the duplicated key differs.
    let other = template("").replace(
        "Type: X\n    Type: Y",
        "Type: X\n    Metadata: {}\n    Metadata: {}",
    );
    assert_ne!(before, fingerprint(&other));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(check("junit", FIXED, ""));
}

/// Parses the whole document, checking nesting, and returns (testsuite attributes, number of
/// test cases, number of failures, every attribute value unescaped).
fn parse_junit(xml: &str) -> (Vec<(String, String)>, usize, usize, Vec<String>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut open: Vec<String> = Vec::new();
    let (mut suite, mut cases, mut failures, mut values) = (Vec::new(), 0, 0, Vec::new());
    loop {
        let event = reader.read_event().unwrap();
        let (element, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert_eq!(open.pop().as_deref(), Some(name.as_str()));
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8(element.name().as_ref().to_vec()).unwrap();
        let attributes: Vec<(String, String)> = element
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect();
        values.extend(attributes.iter().map(|(_, v)| v.clone()));
        match name.as_str() {
            "testsuite" => suite = attributes,
            "testcase" => cases += 1,
            "failure" => failures += 1,
            _ => {}
        }
        if !empty {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
    (suite, cases, failures, values)
}

#[test]
fn junit_is_well_formed_and_its_counts_agree() {
    let xml = check("junit", FIXED, "");
    let (suite, cases, failures, _) = parse_junit(&xml);
    let attr = |key: &str| suite.iter().find(|(k, _)| k == key).unwrap().1.clone();
    assert_eq!(attr("tests"), cases.to_string());
    assert_eq!(attr("failures"), failures.to_string());
    assert_eq!(attr("errors"), "0");
    // 4 CDK stacks, broken.yaml, clean.yaml, quota.yaml and the info fixture.
    assert_eq!(cases, 8);
    // The CDK staging stack, broken.yaml, quota.yaml; infos alone do not fail.
    assert_eq!(failures, 3);
    assert!(xml.contains("<system-out>"), "{xml}");
}

#[test]
fn junit_escapes_names_and_messages() {
    let name = "a<&\"'>\tb.yaml";
    let xml = check(
        "junit",
        &[
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "--stdin-filename",
            name,
            "-",
        ],
        "AWSTemplateFormatVersion: x\nResources:\n  A:\n    Type: X\n    Type: Y\n",
    );
    let (_, cases, failures, values) = parse_junit(&xml);
    assert_eq!((cases, failures), (1, 1));
    assert!(values.iter().any(|v| v == name), "{values:?}");
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(check("github", FIXED, ""));
}

#[test]
fn github_escapes_properties_and_data() {
    let out = check(
        "github",
        &[
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "--stdin-filename",
            "a,b:100%.yaml",
            "-",
        ],
        "AWSTemplateFormatVersion: x\nResources:\n  A:\n    Type: X\n    Type: Y\n",
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let (command, message) = out
        .trim_end()
        .split_once("::")
        .unwrap()
        .1
        .split_once("::")
        .unwrap();
    assert!(
        command.starts_with("warning file=a%2Cb%3A100%25.yaml,line=5,col=5,"),
        "{command}"
    );
    assert!(command.ends_with(",title=ST006 duplicate-key"), "{command}");
    assert!(!message.contains('\n'));
    assert!(message.starts_with("duplicate key `Type`"), "{message}");
}

#[test]
fn gitlab_snapshot() {
    let out = check("gitlab", FIXED, "");
    let issues: Value = serde_json::from_str(&out).unwrap();
    let fingerprints: std::collections::HashSet<&str> = issues
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), issues.as_array().unwrap().len());
    insta::assert_json_snapshot!(issues);
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = run(&["completions", shell], "");
        assert_eq!(run.exit, Exit::Clean, "{shell}");
        assert!(run.stdout.contains("check"), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("format"), "{shell}");
    }
}

#[test]
fn man_page_is_roff() {
    let run = run(&["man"], "");
    assert_eq!(run.exit, Exit::Clean);
    assert!(run.stdout.contains(".TH sandtrap"), "{}", run.stdout);
    assert!(run.stdout.contains("check"));
}

#[test]
fn progress_is_reported_once_per_file_without_a_terminal() {
    let options = CheckOptions {
        paths: vec![PathBuf::from("examples/"), PathBuf::from("testdata/cli/")],
        config: Some(PathBuf::from("examples/sandtrap.yaml")),
        cwd: root(),
        ..CheckOptions::default()
    };
    let calls = AtomicUsize::new(0);
    let last_total = AtomicUsize::new(0);
    let max_done = AtomicUsize::new(0);
    let outcome = check::run_with_progress(&options, &|done, total| {
        calls.fetch_add(1, Ordering::SeqCst);
        last_total.store(total, Ordering::SeqCst);
        max_done.fetch_max(done, Ordering::SeqCst);
    })
    .unwrap();
    let total = outcome.summary.files;
    assert!(total >= 8, "{total}");
    assert_eq!(last_total.load(Ordering::SeqCst), total);
    assert_eq!(calls.load(Ordering::SeqCst), total + 1);
    assert_eq!(max_done.load(Ordering::SeqCst), total);
}

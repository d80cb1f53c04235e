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
    let mut long = 0;
    for (rule, meta) in catalog.iter().zip(rules) {
        assert_eq!(meta["id"], rule.code.as_str());
        assert_eq!(meta["name"], rule.name.as_str());
        assert_eq!(meta["shortDescription"]["text"], rule.summary.as_str());
        // The whole documentation is the help; the description is "What it does", within
        // GitHub's 1,024 characters (cut at a sentence, with `…`, when it is longer).
        assert_eq!(meta["help"]["markdown"], rule.docs.trim());
        assert_eq!(meta["help"]["text"], rule.docs.trim());
        let what = rule.section("What it does").unwrap();
        let description = meta["fullDescription"]["text"].as_str().unwrap();
        let limit = sandtrap::emit::sarif::MAX_DESCRIPTION_CHARS;
        assert!(description.chars().count() <= limit, "{}", rule.code);
        if what.chars().count() <= limit {
            assert_eq!(description, what);
        } else {
            let kept = description.strip_suffix('…').unwrap();
            assert!(
                what.starts_with(kept) && kept.ends_with('.'),
                "{description}"
            );
            long += 1;
        }
        assert_eq!(meta["helpUri"], rule.url().unwrap().as_str());
    }
    // ST101, ST104 and others say more than 1,024 characters in "What it does".
    assert!(long >= 2, "{long}");
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

/// The report with the suites' measured `time` replaced by `T`.
fn without_run_time(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find(" time=\"") {
        let (head, tail) = rest.split_at(at + " time=\"".len());
        out.push_str(head);
        let end = tail.find('"').unwrap();
        out.push_str(if &tail[..end] == "0" { "0" } else { "T" });
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(without_run_time(&check("junit", FIXED, "")));
}

#[test]
fn junit_failures_carry_the_line_and_every_element_a_time() {
    let xml = check("junit", FIXED, "");
    // The staging stack's ST101 is on line 23 (the JSON format's `range.start.line`).
    let case = xml
        .lines()
        .find(|l| l.contains("<testcase") && l.contains("Auth-Staging"))
        .unwrap();
    assert!(case.contains(" line=\"23\""), "{case}");
    assert!(xml.contains("<failure message=\"ST101: "), "{xml}");
    assert!(xml.contains("type=\"ST101\" line=\"23\">"), "{xml}");
    for element in ["<testsuites ", "<testsuite ", "<testcase "] {
        for line in xml.lines().filter(|l| l.trim_start().starts_with(element)) {
            let time = line.split(" time=\"").nth(1).unwrap();
            let seconds: f64 = time[..time.find('"').unwrap()].parse().unwrap();
            assert!(seconds >= 0.0, "{line}");
        }
    }
    // A clean case has a time and no line.
    let clean = xml.lines().find(|l| l.contains("clean.yaml")).unwrap();
    assert!(
        clean.contains("time=\"0\"/>") && !clean.contains("line="),
        "{clean}"
    );
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

/// A template with 12 ST101 errors, 12 ST103 warnings and 12 ST207 infos (with the sandbox
/// flags of [`MANY_ARGS`]): more than GitHub annotates of each kind.
fn many_findings(errors: usize, warnings: usize) -> String {
    let mut t = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..warnings {
        t.push_str(&format!(
            "  Quota{i}:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      AutoVerifiedAttributes: [email]\n"
        ));
    }
    for i in 0..errors {
        t.push_str(&format!(
            "  Sandbox{i}:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      AutoVerifiedAttributes: [email]\n      EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        SourceArn: arn:aws:ses:us-east-1:123456789012:identity/example.com\n        From: noreply@example.com\n"
        ));
    }
    t
}

const MANY_ARGS: &[&str] = &[
    "--config",
    "testdata/rules/empty.sandtrap.yaml",
    "--region",
    "us-east-1",
    "--account",
    "123456789012",
    "--ses-sandbox",
    "123456789012:us-east-1",
    "--stdin-filename",
    "many.yaml",
    "-",
];

#[test]
fn github_annotates_the_most_severe_first_up_to_githubs_cap() {
    let out = check("github", MANY_ARGS, &many_findings(12, 12));
    let lines: Vec<&str> = out.lines().collect();
    let kinds: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    // Errors first, ten of each kind; the template lists the warnings' pools first.
    assert_eq!(kinds[..10], ["error"; 10]);
    assert_eq!(kinds[10..20], ["warning"; 10]);
    assert_eq!(kinds[20..30], ["notice"; 10]);
    assert_eq!(kinds.len(), 30, "{out}");
    // The other six are in the log as plain lines, after the annotations of their kind.
    let plain: Vec<&&str> = lines.iter().filter(|l| !l.starts_with("::")).collect();
    assert_eq!(plain.len(), 7, "{out}");
    assert!(plain[0].starts_with("many.yaml:") && plain[0].contains(": error[ST101] "));
    // Every kind is full: the summary is a plain line, naming the count and SARIF.
    let summary = lines.last().unwrap();
    assert!(
        summary.starts_with("sandtrap: 6 more findings not annotated"),
        "{summary}"
    );
    assert!(summary.contains("--format sarif"), "{summary}");
}

#[test]
fn github_summary_is_an_annotation_of_a_kind_with_room() {
    // 11 errors, 2 infos (the ST207 of the first pool's identity only... one per pool: 11).
    let out = check(
        "github",
        &[&["--ignore", "ST207"], MANY_ARGS].concat(),
        &many_findings(11, 0),
    );
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("::notice title=sandtrap::1 more finding not annotated"),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::error ")).count(),
        10
    );
}

#[test]
fn github_under_the_cap_has_no_summary() {
    let out = check("github", FIXED, "");
    assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
    assert!(!out.contains("not annotated"));
}

#[test]
fn sarif_messages_link_their_related_locations() {
    let log = sarif(FIXED, "");
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let text = result["message"]["text"].as_str().unwrap();
        let related = result["relatedLocations"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        for location in related {
            let link = format!(
                "[{}]({})",
                location["message"]["text"].as_str().unwrap(),
                location["id"]
            );
            assert!(text.contains(&link), "{text} lacks {link}");
        }
        assert_eq!(text.contains("]("), !related.is_empty(), "{text}");
        assert!(
            result["partialFingerprints"]
                .get("primaryLocationLineHash")
                .is_none()
        );
    }
    let st101 = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "ST101")
        .unwrap();
    assert!(
        st101["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with(" (see [sandbox declared here](1); [stack environment](2))"),
        "{st101}"
    );
}

#[test]
fn exit_zero_passes_findings_but_not_a_broken_run() {
    let mut args = vec!["check", "--exit-zero", "--format", "concise"];
    args.extend_from_slice(FIXED);
    let findings = run(&args, "");
    assert_eq!(findings.exit, Exit::Clean);
    assert!(
        findings.stdout.contains("error[ST101]"),
        "{}",
        findings.stdout
    );
    let broken = run(&["check", "--exit-zero", "testdata/no-such-dir/"], "");
    assert_eq!(broken.exit, Exit::Usage);
    let bad_config = run(
        &[
            "check",
            "--exit-zero",
            "--config",
            "testdata/no-such.yaml",
            "examples/",
        ],
        "",
    );
    assert_eq!(bad_config.exit, Exit::Usage);
}

#[test]
fn color_flag_and_environment() {
    use sandtrap::cli::ColorChoice;
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let none = env(&[]);
    assert!(ColorChoice::Auto.resolve(true, &none));
    assert!(!ColorChoice::Auto.resolve(false, &none));
    assert!(ColorChoice::Always.resolve(false, &env(&[("NO_COLOR", "1")])));
    assert!(!ColorChoice::Never.resolve(true, &env(&[("FORCE_COLOR", "1")])));
    assert!(!ColorChoice::Auto.resolve(true, &env(&[("NO_COLOR", "1")])));
    // An empty NO_COLOR is unset (no-color.org).
    assert!(ColorChoice::Auto.resolve(true, &env(&[("NO_COLOR", "")])));
    assert!(!ColorChoice::Auto.resolve(true, &env(&[("TERM", "dumb")])));
    assert!(ColorChoice::Auto.resolve(false, &env(&[("FORCE_COLOR", "1")])));
    assert!(ColorChoice::Auto.resolve(false, &env(&[("FORCE_COLOR", "1"), ("TERM", "dumb")])));
    assert!(!ColorChoice::Auto.resolve(false, &env(&[("FORCE_COLOR", "0")])));
    assert!(!ColorChoice::Auto.resolve(true, &env(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")])));

    let human = |color: &str| {
        let mut args = vec!["check", "--color", color];
        args.extend_from_slice(FIXED);
        run(&args, "").stdout
    };
    assert!(human("always").contains("\u{1b}["));
    assert!(!human("never").contains('\u{1b}'));
    // In-process runs are not a terminal.
    assert!(!human("auto").contains('\u{1b}'));
}

#[test]
fn quiet_prints_the_diagnostics_and_nothing_else() {
    let mut args = vec!["check", "--quiet"];
    args.extend_from_slice(FIXED);
    let quiet = run(&args, "");
    assert_eq!(quiet.exit, Exit::Findings);
    assert!(quiet.stdout.contains("ST101"));
    assert!(!quiet.stdout.contains("Found "), "{}", quiet.stdout);
    let clean = run(
        &[
            "check",
            "-q",
            "--config",
            "examples/sandtrap.yaml",
            "testdata/cli/clean.yaml",
        ],
        "",
    );
    assert_eq!((clean.exit, clean.stdout.as_str()), (Exit::Clean, ""));
}

#[test]
fn statistics_count_findings_per_code() {
    let mut args = vec!["check", "--statistics"];
    args.extend_from_slice(MANY_ARGS);
    let text = run(&args, &many_findings(3, 2));
    assert_eq!(text.exit, Exit::Findings, "{}", text.stderr);
    assert_eq!(
        text.stdout,
        "3  ST101  ses-sandbox-recipients           error\n\
         3  ST207  identity-not-declared            info\n\
         2  ST103  cognito-default-quota            warning\n"
    );
    let mut args = vec!["check", "--statistics", "--format", "json"];
    args.extend_from_slice(MANY_ARGS);
    let json: Value = serde_json::from_str(&run(&args, &many_findings(3, 2)).stdout).unwrap();
    assert_eq!(json[0]["code"], "ST101");
    assert_eq!(json[0]["count"], 3);
    assert_eq!(json[2]["severity"], "warning");
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
    assert!(!run.stdout.contains("debug"), "{}", run.stdout);
}

#[test]
fn every_page_the_man_page_refers_to_is_generated() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["man", "--output-dir", dir.path().to_str().unwrap()], "");
    assert_eq!(out.exit, Exit::Clean, "{}", out.stderr);
    let top = std::fs::read_to_string(dir.path().join("sandtrap.1")).unwrap();
    assert_eq!(top, run(&["man"], "").stdout);
    let mut referred = Vec::new();
    for part in top.split("sandtrap\\-").skip(1) {
        let name = part.split('(').next().unwrap();
        referred.push(format!("sandtrap-{name}.1"));
    }
    assert!(referred.contains(&"sandtrap-check.1".to_owned()), "{top}");
    for page in &referred {
        let text = std::fs::read_to_string(dir.path().join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie"), "{page}: {text}");
        assert!(text.contains(".TH sandtrap-"), "{page}");
    }
    let check = std::fs::read_to_string(dir.path().join("sandtrap-check.1")).unwrap();
    assert!(check.contains("exit\\-zero"), "{check}");
    let written = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(written, referred.len() + 1);
    assert!(!dir.path().join("sandtrap-debug.1").exists());
}

#[test]
fn hidden_commands_stay_out_of_completions() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell], "").stdout;
        assert!(!out.contains("debug"), "{shell}: {out}");
        assert!(out.contains("exit-zero"), "{shell}");
    }
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

/// A repository with its template in `infra/`, checked from `infra/` by the real binary.
fn infra_repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    std::fs::create_dir_all(repo.path().join("infra")).unwrap();
    std::fs::write(
        repo.path().join("infra/auth.yaml"),
        std::fs::read_to_string(root().join("testdata/rules/ST101/fail-sandbox-self-signup.yaml"))
            .unwrap(),
    )
    .unwrap();
    std::fs::write(
        repo.path().join(".sandtrap.yaml"),
        "ses: {sandbox: [{regions: [us-east-1]}]}\n",
    )
    .unwrap();
    repo
}

fn report_from(dir: &std::path::Path, args: &[&str]) -> String {
    let output = assert_cmd::Command::cargo_bin("sandtrap")
        .unwrap()
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_SHA", "abc")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn ci_reports_give_paths_from_the_repository_root_wherever_the_run_starts() {
    let repo = infra_repository();
    let infra = repo.path().join("infra");
    let args = |format: &'static str| ["check", "--format", format, "--region", "us-east-1", "."];

    let sarif: Value = serde_json::from_str(&report_from(&infra, &args("sarif"))).unwrap();
    let run = &sarif["runs"][0];
    let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "infra/auth.yaml");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    let root = std::fs::canonicalize(repo.path()).unwrap();
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("{}/", sandtrap::emit::sarif::file_uri(&root))
    );

    let gitlab: Value = serde_json::from_str(&report_from(&infra, &args("gitlab"))).unwrap();
    assert_eq!(gitlab[0]["location"]["path"], "infra/auth.yaml");

    let markdown = report_from(&infra, &args("markdown"));
    assert!(markdown.contains("[infra/auth.yaml:"), "{markdown}");
    assert!(
        markdown.contains("(https://github.com/o/r/blob/abc/infra/auth.yaml#L"),
        "{markdown}"
    );

    // The same finding has the same fingerprint from the root and from `infra/`.
    let from_root: Value = serde_json::from_str(&report_from(
        repo.path(),
        &[
            "check",
            "--format",
            "sarif",
            "--region",
            "us-east-1",
            "infra",
        ],
    ))
    .unwrap();
    assert_eq!(
        from_root["runs"][0]["results"][0]["partialFingerprints"],
        run["results"][0]["partialFingerprints"]
    );

    // `--repository-root` overrides what `.git` says; the human and JSON formats keep the
    // names as the run gave them.
    let sarif: Value = serde_json::from_str(&report_from(
        &infra,
        &[
            "check",
            "--format",
            "sarif",
            "--region",
            "us-east-1",
            "--repository-root",
            ".",
            ".",
        ],
    ))
    .unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "auth.yaml"
    );
    let json: Value = serde_json::from_str(&report_from(&infra, &args("json"))).unwrap();
    assert_eq!(json["diagnostics"][0]["file"], "auth.yaml");
}

/// The two runs every format renders: findings of every severity with related locations in other
/// files (the CDK example) and infos in a file whose name is not ASCII, and a template that does
/// not parse.
const RUNS: [(&str, &[&str]); 2] = [
    (
        "findings",
        &[
            "--config",
            "examples/sandtrap.yaml",
            "examples/",
            "testdata/formats/",
        ],
    ),
    ("parse_error", &["testdata/parse/err-yaml-bad-indent.yaml"]),
];

/// `text` with what changes between builds replaced: the version, the HTML report's inline
/// style and script (the page's chrome, not the report), SARIF's rule documentation (kept to the
/// first rule's shape, as in `sarif_snapshot`) and JUnit's run time.
fn stable(format: &str, text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let text = text.replace(&format!("\"{version}\""), "\"[version]\"");
    match format {
        "sarif" => {
            let mut log: Value = serde_json::from_str(&text).unwrap();
            let run = &mut log["runs"][0];
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "[cwd]".into();
            let rules = run["tool"]["driver"]["rules"].as_array_mut().unwrap();
            rules.truncate(1);
            for rule in rules {
                rule["fullDescription"]["text"] = "[docs]".into();
                rule["help"]["text"] = "[docs]".into();
                rule["help"]["markdown"] = "[docs]".into();
            }
            serde_json::to_string_pretty(&log).unwrap()
        }
        "junit" => without_run_time(&text),
        "html" => {
            let mut out = text.clone();
            for (open, close) in [("<style>", "</style>"), ("<script>", "</script>")] {
                let mut from = 0;
                while let Some(start) = out[from..].find(open).map(|i| from + i + open.len()) {
                    let end = start + out[start..].find(close).unwrap();
                    out.replace_range(start..end, "[chrome]");
                    from = start + "[chrome]".len() + close.len();
                }
            }
            out
        }
        _ => text,
    }
}

/// The same two runs in all nine formats, each a snapshot to review beside the others: a change
/// to what a run finds shows in every format at once, and a change to one renderer only in its
/// own snapshots.
#[test]
fn every_format_renders_the_same_two_runs() {
    use clap::ValueEnum;
    let formats = sandtrap::emit::OutputFormat::value_variants();
    assert_eq!(formats.len(), 9, "a new format gets its snapshots here");
    for format in formats {
        let name = format.to_possible_value().unwrap().get_name().to_owned();
        for (run, args) in RUNS {
            let text = stable(&name, &check(&name, args, ""));
            insta::assert_snapshot!(format!("{run}_{name}"), text);
        }
    }
}

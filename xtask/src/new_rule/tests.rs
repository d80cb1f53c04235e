//! The scaffolder on a copy of the files it reads and edits, taken from this checkout.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// A copy of README.md, CHANGELOG.md, tests/it/rules.rs and rules/*.yaml in a fresh directory,
/// removed when dropped.
struct Checkout(PathBuf);

impl Checkout {
    fn new() -> Checkout {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sandtrap-xtask-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let real = crate::workspace_root();
        for file in [README, CHANGELOG, RULE_TESTS, crate::property::PROPERTIES] {
            let to = dir.join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(real.join(file), to).unwrap();
        }
        std::fs::create_dir_all(dir.join("rules")).unwrap();
        for entry in std::fs::read_dir(real.join("rules")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                std::fs::copy(&path, dir.join("rules").join(path.file_name().unwrap())).unwrap();
            }
        }
        Checkout(dir)
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.0.join(path)).unwrap()
    }

    /// Every file under the copy with its text, to see that a refusal changed nothing.
    fn snapshot(&self) -> Vec<(PathBuf, String)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out.sort();
        out
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn spec(code: &str, name: &str) -> Spec {
    Spec {
        code: code.to_owned(),
        name: name.to_owned(),
        severity: "warning".to_owned(),
        summary: None,
        properties: Vec::new(),
    }
}

/// The next free ST2xx code of this checkout, so the tests keep working as rules are added.
fn free_code() -> String {
    let rules = crate::workspace_root().join("rules");
    (200..300)
        .map(|n| format!("ST{n}"))
        .find(|code| !rules.join(format!("{code}.yaml")).exists())
        .unwrap()
}

#[test]
fn writes_the_rule_its_fixtures_and_its_rows() {
    let checkout = Checkout::new();
    let code = free_code();
    let lower = code.to_ascii_lowercase();
    let mut new = spec(&code, "sample-rule");
    new.summary = Some("A \"quoted\" summary".to_owned());
    let written = write(&checkout.0, &new).unwrap();
    let fixtures = format!("testdata/rules/{code}");
    let expected: Vec<PathBuf> = [
        format!("rules/{code}.yaml"),
        format!("{fixtures}/fail-example.json"),
        format!("{fixtures}/fail-example.json.args"),
        format!("{fixtures}/fail-example.yaml"),
        format!("{fixtures}/fail-example.yaml.args"),
        format!("{fixtures}/pass-example.json"),
        format!("{fixtures}/pass-example.json.args"),
        format!("{fixtures}/pass-example.yaml"),
        format!("{fixtures}/pass-example.yaml.args"),
        README.to_owned(),
        CHANGELOG.to_owned(),
        RULE_TESTS.to_owned(),
    ]
    .map(PathBuf::from)
    .to_vec();
    assert_eq!(written, expected);

    let rule = checkout.read(&format!("rules/{code}.yaml"));
    assert!(
        rule.contains("summary: \"A \\\"quoted\\\" summary\"\n"),
        "{rule}"
    );
    assert!(
        !rule.contains("note:"),
        "the framework adds the note:\n{rule}"
    );

    // The row goes in code order: after every smaller code, before every larger one.
    let readme = checkout.read(README);
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| ST")).collect();
    let row = format!("| {code} | sample-rule | warning | A \"quoted\" summary |");
    assert!(rows.contains(&row.as_str()), "{readme}");
    assert!(rows.is_sorted(), "{rows:#?}");

    let changelog = checkout.read(CHANGELOG);
    let unreleased = &changelog[changelog.find("## [Unreleased]").unwrap()..];
    let added = &unreleased[unreleased.find("### Added").unwrap()..];
    let added = &added[..added[4..].find("\n### ").map_or(added.len(), |i| i + 4)];
    let entry = format!("\n- {code} `sample-rule`: A \"quoted\" summary.\n");
    assert!(
        added.trim_end().ends_with(entry.trim_end()),
        "the last entry of Added:\n{added}"
    );
    assert!(
        changelog.contains(&format!("{entry}\n### ")),
        "a blank line before the next heading:\n{added}"
    );

    let tests = checkout.read(RULE_TESTS);
    let list = &tests[tests.find("\nrule_tests! {\n").unwrap()..];
    let list = &list[..list.find("\n}\n").unwrap()];
    let entries: Vec<&str> = list.lines().skip(2).collect();
    assert!(
        entries.contains(&format!("    {lower},").as_str()),
        "{list}"
    );
    assert!(entries.is_sorted(), "{entries:#?}");
}

#[test]
fn the_skeleton_is_a_rule_with_the_five_sections_and_executable_examples() {
    let code = free_code();
    let text = rule_yaml(&spec(&code, "sample-rule"));
    let rule = sandtrap::rules::parse_rule(
        &text,
        &format!("rules/{code}.yaml"),
        sandtrap::rules::RuleSource::Builtin,
    )
    .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    assert_eq!(rule.code, code);
    assert_eq!(rule.name, "sample-rule");
    let headings: Vec<&str> = rule.sections().into_iter().map(|(h, _)| h).collect();
    assert_eq!(headings, sandtrap::rules::DOC_SECTIONS);
    let (examples, fixes) = rule.example_blocks();
    assert_eq!((examples.len(), fixes.len()), (1, 1));
    for block in examples.iter().chain(&fixes) {
        assert!(
            block.starts_with(&format!("# $ sandtrap check {ARGS} ")),
            "{block}"
        );
    }
    // The fixtures carry the same arguments as the examples.
    for (name, body) in fixture_stubs(&spec(&code, "sample-rule")) {
        if name.ends_with(".args") {
            assert_eq!(body.trim(), ARGS, "{name}");
        } else {
            assert!(body.contains(TODO), "{name} is marked for the author");
        }
    }
}

#[test]
fn a_changelog_without_added_gets_the_heading() {
    let changelog = "# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- a fix\n\n## [0.1.0]\n";
    let got = changelog_line(changelog, &spec("ST299", "x")).unwrap();
    assert!(
        got.starts_with("# Changelog\n\n## [Unreleased]\n\n### Added\n\n- ST299 `x`: "),
        "{got}"
    );
    assert!(
        got.contains(".\n\n### Fixed\n\n- a fix\n\n## [0.1.0]\n"),
        "{got}"
    );
}

#[test]
fn refuses_bad_and_taken_codes_and_names_without_writing() {
    let checkout = Checkout::new();
    let before = checkout.snapshot();
    let code = free_code();
    let taken_name = checkout
        .read("rules/ST101.yaml")
        .lines()
        .find_map(|l| l.strip_prefix("name: ").map(str::to_owned))
        .unwrap();
    let cases = [
        (spec("st299", "x"), "is not a built-in rule code"),
        (spec("ST2999", "x"), "is not a built-in rule code"),
        (spec("ST399", "x"), "is not a built-in rule code"),
        (spec("ACME001", "x"), "is not a built-in rule code"),
        (spec(&code, "Bad_Name"), "is not a rule name"),
        (spec(&code, "double--dash"), "is not a rule name"),
        (spec(&code, "-leading"), "is not a rule name"),
        (spec(&code, "9lives"), "is not a rule name"),
        (
            spec("ST101", "fresh-name"),
            "ST101 is already used (rules/ST101.yaml)",
        ),
        (
            spec(&code, &taken_name),
            "is already used by rules/ST101.yaml",
        ),
        (
            Spec {
                severity: "fatal".to_owned(),
                ..spec(&code, "x")
            },
            "is not a severity",
        ),
        (
            Spec {
                summary: Some("a | b".to_owned()),
                ..spec(&code, "x")
            },
            "cannot hold `|`",
        ),
        (
            Spec {
                summary: Some("two\nlines".to_owned()),
                ..spec(&code, "x")
            },
            "must be one line",
        ),
    ];
    for (spec, expected) in cases {
        let err = write(&checkout.0, &spec).unwrap_err().to_string();
        assert!(err.contains(expected), "{spec:?}: {err}");
    }
    // A code whose fixture folder exists without a rule file is taken too.
    std::fs::create_dir_all(checkout.0.join(format!("testdata/rules/{code}"))).unwrap();
    let err = write(&checkout.0, &spec(&code, "x"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("already used"), "{err}");
    std::fs::remove_dir_all(checkout.0.join("testdata")).unwrap();
    assert_eq!(checkout.snapshot(), before, "a refusal writes nothing");
}

#[test]
fn a_second_run_with_the_same_code_is_refused() {
    let checkout = Checkout::new();
    let code = free_code();
    write(&checkout.0, &spec(&code, "first")).unwrap();
    let err = write(&checkout.0, &spec(&code, "second")).unwrap_err();
    assert!(matches!(err, Error::CodeTaken { .. }), "{err}");
}

#[test]
fn a_property_is_declared_with_the_rule_and_never_twice() {
    let checkout = Checkout::new();
    let code = free_code();
    let property =
        crate::property::Property::parse("sender_name=EmailConfiguration.SenderName").unwrap();
    let mut with_property = spec(&code, "sender-name-x");
    with_property.properties = vec![property.clone()];
    let written = write(&checkout.0, &with_property).unwrap();
    assert!(written.contains(&PathBuf::from(crate::property::PROPERTIES)));
    let text = checkout.read(crate::property::PROPERTIES);
    let list = &text[text.find("\nproperties! {").unwrap()..];
    let entry = list
        .find("    SenderName as sender_name {")
        .expect("the entry is in the list");
    assert!(entry < list.find("\n}\n").unwrap(), "inside the list");
    assert!(report(&with_property, &written).contains("Property::SenderName"));

    // Declared once: a second rule with the same property changes nothing.
    let before = checkout.snapshot();
    let next = (200..300)
        .map(|n| format!("ST{n}"))
        .find(|c| !checkout.0.join(format!("rules/{c}.yaml")).exists())
        .unwrap();
    let mut again = spec(&next, "other-x");
    again.properties = vec![property];
    let err = write(&checkout.0, &again).unwrap_err();
    assert!(
        err.to_string().contains("`SenderName` is already declared"),
        "{err}"
    );
    assert_eq!(checkout.snapshot(), before);
}

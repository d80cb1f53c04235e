//! Rule fixtures and the catalog's meta-tests.
//!
//! `testdata/rules/<CODE>/fail-*` must fire the rule and `pass-*` must not. A fixture is a file or
//! a directory (several stacks in one run); `<fixture>.args` (or `args` inside a directory) holds
//! extra CLI arguments. Each rule is its own test (`cargo test st101`); see `rule_fixtures` for
//! what it checks and snapshots.
//!
//! Fixtures and documentation examples whose arguments hold `--aws` read live SES state: built
//! with `--features aws` they run the binary against the in-process stub SES server of
//! `live/stub.rs` (its conventions decide the answers); without the feature such a rule cannot
//! fire, and they are skipped. They still count as fixtures of their rule.

use std::path::{Path, PathBuf};

use sandtrap::rules::Catalog;

use crate::support::{self, codes, fixture_args, relative};

fn fixtures(code: &str) -> Vec<PathBuf> {
    let dir = support::root().join("testdata/rules").join(code);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        (name.starts_with("fail-") || name.starts_with("pass-")) && !name.ends_with(".args")
    });
    out.sort();
    out
}

/// Runs `sandtrap ARGS`; `None` when the arguments need live AWS and the feature is off.
fn run_args(args: &[&str]) -> Option<support::Run> {
    if args.contains(&"--aws") {
        #[cfg(feature = "aws")]
        return Some(crate::live::run(args));
        #[cfg(not(feature = "aws"))]
        return None;
    }
    Some(support::run(args, ""))
}

/// Runs `sandtrap check --format FORMAT` on a fixture with its sidecar arguments, with only
/// `select` when it is given.
fn check(path: &Path, format: &str, select: Option<&str>) -> Option<support::Run> {
    let rel = relative(path);
    let extra = fixture_args(path);
    let mut args = vec![
        "check",
        "--format",
        format,
        "--config",
        "testdata/rules/empty.sandtrap.yaml",
    ];
    if let Some(code) = select {
        args.extend(["--select", code]);
    }
    args.extend(extra.iter().map(String::as_str));
    args.push(&rel);
    run_args(&args)
}

/// One test per built-in rule, named after its code in lower case, so that `cargo test st101`
/// runs ST101's fixtures alone and a failing rule does not hide the others. `cargo xtask
/// new-rule` adds the line of a new rule; `every_rule_has_a_test` fails when a rule has none.
macro_rules! rule_tests {
    ($($code:ident),* $(,)?) => {
        $(
            #[test]
            fn $code() {
                rule_fixtures(&stringify!($code).to_ascii_uppercase());
            }
        )*

        /// The rules that have a test above, in lower case.
        const RULE_TESTS: &[&str] = &[$(stringify!($code)),*];
    };
}

rule_tests! {
    st001,
    st002,
    st003,
    st004,
    st005,
    st006,
    st101,
    st102,
    st103,
    st104,
    st201,
    st202,
    st203,
    st204,
    st205,
    st206,
    st207,
    st208,
    st209,
    st210,
    st211,
    st212,
    st213,
    st214,
    st215,
}

/// The fixtures of one rule. Each must fire the rule (`fail-*`) or not (`pass-*`) with only that
/// rule selected, and the human rendering of each `fail-*`, again with only that rule selected, is
/// the snapshot `<CODE>__<fixture>`: what the rule reports, undisturbed by the others. What all
/// rules together report on the folder's fixtures is one more snapshot, `<CODE>__all-rules` (the
/// concise lines of every fixture), so that a rule firing on another's fixture, or no longer
/// firing on it, is seen in review too. Fixtures that need live AWS are left out of it, as it
/// must not depend on the `aws` feature.
///
/// Every mismatch is collected before the test fails, so one run writes every `.snap.new` of the
/// rule.
fn rule_fixtures(code: &str) {
    let mut failures = Vec::new();
    let mut all_rules = String::new();
    for path in fixtures(code) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !fixture_args(&path).iter().any(|a| a == "--aws") {
            let all = check(&path, "concise", None).unwrap();
            all_rules.push_str(&format!("# {name}\n{}", all.stdout));
        }
        let Some(run) = check(&path, "json", Some(code)) else {
            continue;
        };
        let report: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}{}", relative(&path), run.stdout, run.stderr));
        let fired = codes(&report).contains(&code.to_owned());
        if name.starts_with("fail-") != fired {
            failures.push(format!(
                "{}: expected {} {code}, got {:?}",
                relative(&path),
                if fired { "no" } else { "a" },
                codes(&report)
            ));
        }
        if name.starts_with("pass-") {
            failures.extend(vacuous_pass(code, &path, &report));
        }
        if name.starts_with("fail-") {
            let human = check(&path, "human", Some(code))
                .map(|r| r.stdout)
                .unwrap_or_default();
            snapshot(
                &mut failures,
                &format!("{code}__{name}"),
                &relative(&path),
                human,
            );
        }
    }
    if !all_rules.is_empty() {
        let folder = format!("testdata/rules/{code} with every rule");
        snapshot(
            &mut failures,
            &format!("{code}__all-rules"),
            &folder,
            all_rules,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Why a `pass-*` fixture would pass whatever the rule did, if it would: it does not parse,
/// or it holds nothing the rule could judge (no sender). ST001's own pass fixtures are about
/// what is a template at all, and are exempt from having a sender.
fn vacuous_pass(code: &str, path: &Path, report: &serde_json::Value) -> Option<String> {
    let rel = relative(path);
    if code != "ST001" {
        let all = check(path, "json", None)?;
        let all: serde_json::Value = serde_json::from_str(&all.stdout).ok()?;
        if codes(&all).iter().any(|c| c == "ST001") {
            return Some(format!(
                "{rel}: a pass fixture that does not parse passes vacuously"
            ));
        }
        let mut args = vec!["facts".to_owned(), "--config".to_owned()];
        args.push("testdata/rules/empty.sandtrap.yaml".to_owned());
        args.extend(fixture_args(path));
        args.push(rel.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let facts: serde_json::Value = serde_json::from_str(&run_args(&args)?.stdout).ok()?;
        let senders = ["senders", "trigger_senders"]
            .iter()
            .filter_map(|key| facts[key].as_array())
            .map(Vec::len)
            .sum::<usize>();
        if senders == 0 {
            return Some(format!(
                "{rel}: a pass fixture without a sender passes vacuously"
            ));
        }
    }
    // The report of the rule alone was read: the fixture ran.
    report
        .get("summary")
        .is_none()
        .then(|| format!("{rel}: no report"))
}

/// Checks one snapshot of `testdata/rules/snapshots`; a mismatch (insta has printed the diff and
/// written the `.snap.new`) becomes a failure of the list instead of ending the test.
fn snapshot(failures: &mut Vec<String>, name: &str, description: &str, rendered: String) {
    let checked = std::panic::catch_unwind(|| {
        insta::with_settings!({
            snapshot_path => "../../testdata/rules/snapshots",
            prepend_module_to_snapshot => false,
            description => description,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, rendered);
        });
    });
    if checked.is_err() {
        failures.push(format!(
            "snapshot {name} differs from testdata/rules/snapshots/{name}.snap"
        ));
    }
}

#[test]
fn every_rule_has_a_test() {
    let catalog = Catalog::builtin().unwrap();
    let codes: Vec<String> = catalog
        .iter()
        .map(|r| r.code.to_ascii_lowercase())
        .collect();
    for code in &codes {
        assert!(
            RULE_TESTS.contains(&code.as_str()),
            "{code} has no line in `rule_tests!` (tests/it/rules.rs)"
        );
    }
    for test in RULE_TESTS {
        assert!(
            codes.iter().any(|c| c == test),
            "`rule_tests!` names {test}, which is no rule"
        );
    }
}

/// `cargo xtask new-rule` marks what the author still has to write; no mark may be left in a
/// rule, its fixtures, the README table or the changelog.
#[test]
fn no_rule_is_left_half_scaffolded() {
    let mark = concat!("TODO", "(new-rule)");
    let mut files = vec![
        support::root().join("README.md"),
        support::root().join("CHANGELOG.md"),
        support::root().join("src/extract/property.rs"),
    ];
    let mut dirs = vec![
        support::root().join("rules"),
        support::root().join("testdata/rules"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let left: Vec<String> = files
        .iter()
        .filter(|path| {
            std::fs::read(path).is_ok_and(|bytes| String::from_utf8_lossy(&bytes).contains(mark))
        })
        .map(|path| relative(path))
        .collect();
    assert!(left.is_empty(), "still marked {mark}: {left:#?}");
}

#[test]
fn every_rule_has_fixtures_in_yaml_and_json() {
    let catalog = Catalog::builtin().unwrap();
    for rule in &catalog {
        let names: Vec<String> = fixtures(&rule.code)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for (prefix, kind) in [
            ("fail-", ".yaml"),
            ("fail-", ".json"),
            ("pass-", ".yaml"),
            ("pass-", ".json"),
        ] {
            let found = names.iter().any(|n| {
                n.starts_with(prefix) && {
                    let path = support::root()
                        .join("testdata/rules")
                        .join(&rule.code)
                        .join(n);
                    // A directory fixture counts for the kinds of the files in it.
                    n.ends_with(kind)
                        || (path.is_dir()
                            && std::fs::read_dir(&path)
                                .unwrap()
                                .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(kind)))
                }
            });
            assert!(found, "{}: no {prefix}*{kind} fixture", rule.code);
        }
    }
}

#[test]
fn every_fixture_folder_names_a_rule() {
    let catalog = Catalog::builtin().unwrap();
    for entry in std::fs::read_dir(support::root().join("testdata/rules")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && name != "snapshots" {
            assert!(
                catalog.get(&name).is_some(),
                "testdata/rules/{name} names no rule"
            );
        }
    }
}

/// Splits a documentation block into its `---`-separated documents and the `# $ sandtrap check`
/// arguments of its first line.
fn example_run(block: &str) -> (Vec<String>, Vec<String>) {
    let mut args = Vec::new();
    let mut documents = vec![String::new()];
    for (i, line) in block.lines().enumerate() {
        if i == 0
            && let Some(command) = line.strip_prefix("# $ sandtrap check")
        {
            args = command
                .split_whitespace()
                .filter(|w| !(w.ends_with(".yaml") || w.ends_with(".json") || w.ends_with(".tf")))
                .map(str::to_owned)
                .collect();
            continue;
        }
        if line.trim_end() == "---" {
            documents.push(String::new());
            continue;
        }
        let doc = documents.last_mut().unwrap();
        doc.push_str(line);
        doc.push('\n');
    }
    (documents, args)
}

/// The codes an example reports; `None` when it needs live AWS and the feature is off.
/// A block whose command names a `.tf` file is a Terraform module (`main.tf`).
fn run_example(block: &str) -> Option<Vec<String>> {
    let (documents, args) = example_run(block);
    let terraform = block
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("# $ sandtrap check") && l.trim_end().ends_with(".tf"));
    let dir = tempfile::tempdir().unwrap();
    for (i, doc) in documents.iter().enumerate() {
        let name = match terraform {
            true => format!("doc{i}.tf"),
            false => format!("doc{i}.yaml"),
        };
        std::fs::write(dir.path().join(name), doc).unwrap();
    }
    let path = dir.path().to_string_lossy().into_owned();
    let mut all: Vec<&str> = vec![
        "check",
        "--format",
        "json",
        "--config",
        "testdata/rules/empty.sandtrap.yaml",
    ];
    all.extend(args.iter().map(String::as_str));
    all.push(&path);
    let run = run_args(&all)?;
    let report: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    Some(codes(&report))
}

#[test]
fn documentation_examples_fire_and_fixes_do_not() {
    let catalog = Catalog::builtin().unwrap();
    for rule in &catalog {
        let (examples, fixes) = rule.example_blocks();
        for example in &examples {
            let Some(got) = run_example(example) else {
                continue;
            };
            assert!(
                got.contains(&rule.code),
                "{}: the Example does not fire it: {got:?}\n{example}",
                rule.code
            );
        }
        for fix in &fixes {
            let Some(got) = run_example(fix) else {
                continue;
            };
            assert!(
                !got.contains(&rule.code),
                "{}: the Use instead fires it: {got:?}\n{fix}",
                rule.code
            );
        }
    }
}

#[test]
fn the_readme_rule_table_matches_the_catalog() {
    let readme = std::fs::read_to_string(support::root().join("README.md")).unwrap();
    let catalog = Catalog::builtin().unwrap();
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| ST")).collect();
    assert_eq!(rows.len(), catalog.len(), "one README row per rule");
    for (row, rule) in rows.iter().zip(&catalog) {
        let expected = format!(
            "| {} | {} | {} | {} |",
            rule.code, rule.name, rule.severity, rule.summary
        );
        assert_eq!(*row, expected);
    }
}

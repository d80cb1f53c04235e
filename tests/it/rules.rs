//! Rule fixtures and the catalog's meta-tests.
//!
//! `testdata/rules/<CODE>/fail-*` must fire the rule and `pass-*` must not. A fixture is a file or
//! a directory (several stacks in one run); `<fixture>.args` (or `args` inside a directory) holds
//! extra CLI arguments. The human rendering of every `fail-*` is a reviewed snapshot.
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

fn check(path: &Path, format: &str) -> Option<support::Run> {
    let rel = relative(path);
    let extra = fixture_args(path);
    let mut args = vec![
        "check",
        "--format",
        format,
        "--config",
        "testdata/rules/empty.sandtrap.yaml",
    ];
    args.extend(extra.iter().map(String::as_str));
    args.push(&rel);
    run_args(&args)
}

#[test]
fn rule_fixtures() {
    let catalog = Catalog::builtin().unwrap();
    let mut failures = Vec::new();
    for rule in &catalog {
        for path in fixtures(&rule.code) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(run) = check(&path, "json") else {
                continue;
            };
            let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
                panic!("{}: {e}\n{}{}", relative(&path), run.stdout, run.stderr)
            });
            let fired = codes(&report).contains(&rule.code);
            if name.starts_with("fail-") != fired {
                failures.push(format!(
                    "{}: expected {} {}, got {:?}",
                    relative(&path),
                    if fired { "no" } else { "a" },
                    rule.code,
                    codes(&report)
                ));
            }
            if name.starts_with("fail-") {
                let human = check(&path, "human").map(|r| r.stdout).unwrap_or_default();
                insta::with_settings!({
                    snapshot_path => "../../testdata/rules/snapshots",
                    prepend_module_to_snapshot => false,
                    description => relative(&path),
                }, {
                    insta::assert_snapshot!(format!("{}__{}", rule.code, name), human);
                });
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
                .filter(|w| !(w.ends_with(".yaml") || w.ends_with(".json")))
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
fn run_example(block: &str) -> Option<Vec<String>> {
    let (documents, args) = example_run(block);
    let dir = tempfile::tempdir().unwrap();
    for (i, doc) in documents.iter().enumerate() {
        std::fs::write(dir.path().join(format!("doc{i}.yaml")), doc).unwrap();
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

//! The CLI contract: exit codes, the JSON shape, standard input, discovery rules, every format,
//! `explain` and `rules`, and the scenario sandtrap exists for.

use assert_cmd::Command;
use sandtrap::cli::Exit;
use serde_json::Value;

use crate::support::{self, check_json, codes, root, run};

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn json_output_matches_the_contract_field_for_field() {
    let report = check_json(&[
        "--config",
        "testdata/rules/empty.sandtrap.yaml",
        "testdata/cli/broken.yaml",
    ]);
    assert_eq!(keys(&report), ["diagnostics", "summary", "tool", "version"]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "sandtrap");
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        keys(&report["summary"]),
        ["errors", "files", "infos", "templates", "warnings"]
    );
    let d = &report["diagnostics"][0];
    assert_eq!(
        keys(d),
        [
            "code", "file", "help", "message", "name", "range", "related", "resource", "severity",
            "stack", "url"
        ]
    );
    assert_eq!(d["code"], "ST006");
    assert_eq!(d["name"], "duplicate-key");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["file"], "testdata/cli/broken.yaml");
    assert_eq!(keys(&d["range"]), ["end", "start"]);
    assert_eq!(keys(&d["range"]["start"]), ["column", "line", "offset"]);
    // The second `Type` key, line 6, column 5 (1-based).
    assert_eq!(d["range"]["start"]["line"], 6);
    assert_eq!(d["range"]["start"]["column"], 5);
    let related = &d["related"][0];
    assert_eq!(keys(related), ["file", "message", "range"]);
    assert_eq!(related["range"]["start"]["line"], 5);
    assert_eq!(report["summary"]["warnings"], 1);
}

#[test]
fn columns_count_characters_and_offsets_count_bytes() {
    let text = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      UserPoolTags: {\"日本🚀\": a, \"日本🚀\": b}\n";
    let run = run(
        &[
            "check",
            "--format",
            "json",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "--stdin-filename",
            "infra/日本.yaml",
            "-",
        ],
        text,
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "ST006", "{report:#}");
    assert_eq!(d["file"], "infra/日本.yaml");
    // The duplicate is the second `"日本🚀"` key on line 6.
    let start = &d["range"]["start"];
    let offset = text.rfind("\"日本🚀\"").unwrap();
    let line_start = text[..offset].rfind('\n').unwrap() + 1;
    assert_eq!(start["line"], 6);
    assert_eq!(start["offset"].as_u64().unwrap() as usize, offset);
    let column = text[line_start..offset].chars().count() + 1;
    assert_eq!(start["column"].as_u64().unwrap() as usize, column);
    assert!(
        offset - line_start + 1 > column,
        "the line has multi-byte characters before the key"
    );
}

#[test]
fn exit_status_follows_the_fail_level() {
    let clean = run(
        &[
            "check",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "testdata/cli/clean.yaml",
        ],
        "",
    );
    assert_eq!(clean.exit, Exit::Clean, "{}", clean.stdout);
    assert!(clean.stdout.contains("All checks passed"));
    let warning = run(
        &[
            "check",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "testdata/cli/quota.yaml",
        ],
        "",
    );
    assert_eq!(warning.exit, Exit::Findings, "{}", warning.stdout);
    let relaxed = run(
        &[
            "check",
            "--fail-level",
            "error",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "testdata/cli/quota.yaml",
        ],
        "",
    );
    assert_eq!(relaxed.exit, Exit::Clean);
    let parse = run(
        &[
            "check",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "testdata/cli/broken.yaml",
        ],
        "",
    );
    assert_eq!(parse.exit, Exit::Findings);
}

#[test]
fn the_binary_exits_2_on_bad_usage_and_missing_paths() {
    Command::cargo_bin("sandtrap")
        .unwrap()
        .args(["check", "--format", "nope"])
        .assert()
        .code(2);
    Command::cargo_bin("sandtrap")
        .unwrap()
        .args(["check", "does/not/exist.yaml"])
        .assert()
        .code(2)
        .stdout("");
    Command::cargo_bin("sandtrap")
        .unwrap()
        .args([
            "check",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "testdata/cli/clean.yaml",
        ])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn files_that_are_not_templates_are_skipped_silently() {
    let report = check_json(&[
        "--config",
        "testdata/rules/empty.sandtrap.yaml",
        "testdata/cli/package.json",
    ]);
    assert_eq!(codes(&report), Vec::<String>::new());
    assert_eq!(report["summary"]["templates"], 0);
}

#[test]
fn a_run_that_finds_no_template_says_so_and_passes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"app\"}").unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let config = support::root()
        .join("testdata/rules/empty.sandtrap.yaml")
        .to_string_lossy()
        .into_owned();
    for format in ["human", "concise"] {
        Command::cargo_bin("sandtrap")
            .unwrap()
            .args(["check", "--format", format, "--config", &config, &path])
            .assert()
            .code(0)
            .stderr(format!("No templates found in {path}\n"));
    }
    // JSON carries the count, and standard error stays quiet for the program reading it.
    let out = Command::cargo_bin("sandtrap")
        .unwrap()
        .args(["check", "--format", "json", "--config", &config, &path])
        .assert()
        .code(0)
        .stderr("");
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["summary"]["templates"], 0);
    assert_eq!(report["summary"]["files"], 1);
    // A file that does not parse is a finding that says what was seen: no second message.
    let broken = support::root().join("testdata/parse/err-yaml-bad-indent.yaml");
    Command::cargo_bin("sandtrap")
        .unwrap()
        .args(["check", "--format", "concise", "--config", &config])
        .arg(&broken)
        .assert()
        .code(1)
        .stderr("");
}

#[test]
fn an_explicit_path_is_read_even_when_gitignored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "ignored.yaml\n").unwrap();
    std::fs::copy(
        support::root().join("testdata/cli/broken.yaml"),
        dir.path().join("ignored.yaml"),
    )
    .unwrap();
    let walked = dir.path().to_string_lossy().into_owned();
    let named = dir
        .path()
        .join("ignored.yaml")
        .to_string_lossy()
        .into_owned();
    let config = support::root()
        .join("testdata/rules/empty.sandtrap.yaml")
        .to_string_lossy()
        .into_owned();
    assert!(codes(&check_json(&["--config", &config, &walked])).is_empty());
    assert_eq!(
        codes(&check_json(&["--config", &config, &named])),
        ["ST006"]
    );
}

#[test]
fn concise_output_is_one_line_per_diagnostic() {
    let run = run(
        &[
            "check",
            "--format",
            "concise",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "testdata/cli/broken.yaml",
        ],
        "",
    );
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(
        run.stdout
            .starts_with("testdata/cli/broken.yaml:6:5: warning[ST006] "),
        "{}",
        run.stdout
    );
}

#[test]
fn human_output_shows_the_snippet_and_label() {
    let run = run(
        &[
            "check",
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            "testdata/cli/broken.yaml",
        ],
        "",
    );
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_prints_the_rule_documentation() {
    let by_code = run(&["explain", "ST101"], "");
    assert_eq!(by_code.exit, Exit::Clean);
    for heading in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## References",
    ] {
        assert!(by_code.stdout.contains(heading), "{heading}");
    }
    assert_eq!(
        run(&["explain", "ses-sandbox-recipients"], "").stdout,
        by_code.stdout
    );
    assert_eq!(run(&["explain", "ST999"], "").exit, Exit::Usage);
}

#[test]
fn rules_lists_the_catalog() {
    let run = run(&["rules", "--format", "json"], "");
    let rules: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = rules.iter().map(|r| r["code"].as_str().unwrap()).collect();
    for code in [
        "ST001", "ST002", "ST003", "ST101", "ST102", "ST103", "ST201", "ST211",
    ] {
        assert!(codes.contains(&code), "{code}");
    }
}

/// The scenario of the README: Tokyo has production access, Oregon (staging) is in the sandbox.
#[test]
fn staging_in_the_oregon_sandbox_is_an_error_and_tokyo_is_clean() {
    let report = check_json(&["--config", "examples/sandtrap.yaml", "examples/"]);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let serious: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["severity"] != "info")
        .collect();
    assert_eq!(serious.len(), 1, "{diagnostics:#?}");
    let d = serious[0];
    assert_eq!(d["code"], "ST101");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["stack"], "Auth-Staging");
    assert!(d["message"].as_str().unwrap().contains("us-west-2"));
    let help = d["help"].as_str().unwrap();
    assert!(
        help.contains("aws sesv2 put-account-details --production-access-enabled"),
        "{help}"
    );
    assert!(help.contains("--region us-west-2"), "{help}");
    assert!(help.contains("regions: [us-west-2]"), "{help}");
    assert!(
        diagnostics.iter().all(|d| d["stack"] != "Auth-Prod"),
        "{diagnostics:#?}"
    );
}

#[test]
fn malformed_region_and_account_flags_are_usage_errors() {
    for flags in [
        ["--region", "us-west2"],
        ["--account", "12345"],
        ["--ses-sandbox", "us-west2"],
    ] {
        let mut args = vec!["check", "--config", "testdata/rules/empty.sandtrap.yaml"];
        args.extend(flags);
        args.push("testdata/cli/clean.yaml");
        let got = run(&args, "");
        assert_eq!(got.exit, Exit::Usage, "{flags:?}: {}", got.stdout);
        assert!(got.stderr.contains(flags[1]), "{flags:?}: {}", got.stderr);
        assert_eq!(got.stdout, "", "{flags:?}");
    }
}

#[test]
fn options_errors_are_usage_errors_with_one_line() {
    // Rendered by miette like every other tool error, with no internal error code.
    for (flags, expected) in [
        (
            &["--param", "Env"][..],
            "  × `--param Env` has no `=`: expected KEY=VALUE\n",
        ),
        (
            &["--aws", "--aws-timeout", "0"][..],
            "  × `--aws-timeout 0` is not a positive number of seconds\n",
        ),
    ] {
        let mut args = vec!["check", "--config", "testdata/rules/empty.sandtrap.yaml"];
        args.extend(flags);
        args.push("testdata/cli/clean.yaml");
        let got = run(&args, "");
        assert_eq!(got.exit, Exit::Usage, "{flags:?}: {}", got.stdout);
        assert_eq!(got.stderr, expected, "{flags:?}");
        assert_eq!(got.stdout, "", "{flags:?}");
    }
}

#[test]
fn unknown_rule_selectors_are_usage_errors_with_a_suggestion() {
    let base = ["check", "--config", "testdata/rules/empty.sandtrap.yaml"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        args.push("testdata/cli/clean.yaml");
        run(&args, "")
    };
    let unknown = with(&["--select", "ST999"]);
    assert_eq!(unknown.exit, Exit::Usage);
    assert!(
        unknown
            .stderr
            .contains("unknown rule selector `ST999` in `--select`"),
        "{}",
        unknown.stderr
    );
    let lower = with(&["--ignore", "st101"]);
    assert_eq!(lower.exit, Exit::Usage);
    assert!(
        lower.stderr.contains("did you mean `ST101`?"),
        "{}",
        lower.stderr
    );
    // Prefixes, names, ALL and custom rules' codes are selectors.
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("acme.yaml"),
        "code: ACME1\nname: acme-one\nseverity: info\nsummary: s\ncases:\n  - query: $.senders[*]\n    at: resource\n    message: m\n",
    )
    .unwrap();
    let rules = rules.path().to_string_lossy().into_owned();
    for ok in [
        &["--select", "ST1,ses-sandbox-recipients,ALL"][..],
        &["--rules", &rules, "--select", "ACME1"][..],
    ] {
        let run = with(ok);
        assert_ne!(run.exit, Exit::Usage, "{ok:?}: {}", run.stderr);
    }
    let custom = with(&["--select", "ACME1"]);
    assert_eq!(custom.exit, Exit::Usage);
}

#[test]
fn unknown_rule_selectors_in_the_config_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".sandtrap.yaml");
    for (text, key, line) in [
        (
            "select: [ST1]\nignore: [ST999]\n",
            "ignore",
            "ignore: [ST999]",
        ),
        (
            "severity:\n  st101: warning\n",
            "severity",
            "st101: warning",
        ),
        (
            "per-file-ignores:\n  \"*.yaml\": [ses-sandbox-recipient]\n",
            "per-file-ignores",
            "ses-sandbox-recipient",
        ),
    ] {
        std::fs::write(&config, text).unwrap();
        let got = run(
            &[
                "check",
                "--config",
                &config.to_string_lossy(),
                "testdata/cli/clean.yaml",
            ],
            "",
        );
        assert_eq!(got.exit, Exit::Usage, "{text}");
        assert!(
            got.stderr.contains(&format!("in `{key}`")),
            "{}",
            got.stderr
        );
        assert!(got.stderr.contains(line), "{}", got.stderr);
        assert!(
            got.stderr.contains("did you mean") == (key != "ignore"),
            "{}",
            got.stderr
        );
    }
}

#[test]
fn multi_document_yaml_is_ours_only_when_a_document_is_a_template() {
    let check = |file: &str| check_json(&["--config", "testdata/rules/empty.sandtrap.yaml", file]);
    // A `Resources` key whose value is a string is not a template.
    assert!(codes(&check("testdata/multi-document/not-templates.yaml")).is_empty());
    assert_eq!(
        codes(&check("testdata/multi-document/second-is-template.yaml")),
        ["ST001"]
    );
}

#[test]
fn config_env_comes_from_the_flag_then_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".sandtrap.yaml");
    std::fs::write(&config, "config-env: prod\n").unwrap();
    let config = config.to_string_lossy().into_owned();
    let fixture = "testdata/rules/ST003/pass-samconfig-config-env";
    // samconfig.yaml there gives a region for `prod` only.
    assert!(!codes(&check_json(&["--config", &config, fixture])).contains(&"ST003".to_owned()));
    assert!(
        codes(&check_json(&[
            "--config",
            &config,
            "--config-env",
            "staging",
            fixture
        ]))
        .contains(&"ST003".to_owned())
    );
    assert!(
        codes(&check_json(&[
            "--config",
            "testdata/rules/empty.sandtrap.yaml",
            fixture
        ]))
        .contains(&"ST003".to_owned())
    );
}

#[test]
fn a_custom_rule_comparing_with_a_value_no_fact_takes_is_a_located_error() {
    let run = run(
        &[
            "check",
            "--rules",
            "testdata/custom-rules/typo-value",
            "testdata/cli/clean.yaml",
        ],
        "",
    );
    assert_eq!(run.exit, Exit::Usage, "{}", run.stderr);
    // The help is wrapped to the report's width: compared with its line breaks as spaces.
    let help = run.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "`DEVELOPR` is not a value of `sending_account` in `query`",
        "acme-developer.yaml:8:46",
        "did you mean `DEVELOPER`? `sending_account` is one of `DEVELOPER`, `COGNITO_DEFAULT`",
    ] {
        assert!(help.contains(expected), "{expected}\n{}", run.stderr);
    }
}

#[test]
fn a_custom_rule_with_three_typos_is_three_located_errors() {
    let run = run(
        &[
            "check",
            "--rules",
            "testdata/custom-rules/typos",
            "testdata/cli/clean.yaml",
        ],
        "",
    );
    assert_eq!(run.exit, Exit::Usage, "{}", run.stderr);
    assert!(
        run.stderr.contains("3 problems in rule file"),
        "{}",
        run.stderr
    );
    for (what, place, fix) in [
        (
            "member `ses.stat` in `query`",
            "acme-sandbox.yaml:8:30",
            "ses.state",
        ),
        (
            "span `source_arnn` in `at`",
            "acme-sandbox.yaml:9:10",
            "source_arn",
        ),
        (
            "placeholder `resourse` in `message`",
            "acme-sandbox.yaml:10:21",
            "resource",
        ),
    ] {
        assert!(
            run.stderr.contains(&format!("unknown {what}")),
            "{what}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(place), "{place}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("did you mean `{fix}`?")),
            "{fix}: {}",
            run.stderr
        );
    }
}

#[test]
fn facts_schema_is_a_json_schema_of_the_document() {
    let run = run(&["facts", "--schema"], "");
    assert_eq!(run.exit, Exit::Clean, "{}", run.stderr);
    let schema: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(schema["title"], "Facts");
    assert_eq!(schema["properties"]["senders"]["type"], "array");
    assert!(schema["$defs"]["SenderSes"]["properties"]["state"].is_object());
}

/// A project with a template (each with an ST101) in `infra/`, `legacy/`, `node_modules/pkg/`
/// and a generated one in `gen/`, and the config file `config`.
fn excluding_project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let template =
        std::fs::read_to_string(root().join("testdata/rules/ST101/fail-sandbox-self-signup.yaml"))
            .unwrap();
    for file in [
        "infra/a.yaml",
        "legacy/b.yaml",
        "node_modules/pkg/c.yaml",
        "gen/d.generated.yaml",
    ] {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &template).unwrap();
    }
    let config = format!("ses: {{sandbox: [{{regions: [us-west-2]}}]}}\n{config}");
    std::fs::write(dir.path().join(".sandtrap.yaml"), config).unwrap();
    dir
}

/// The files `check` reports, relative to `dir`, for `args` (then `--config`, then `paths`).
fn checked(dir: &tempfile::TempDir, args: &[&str], paths: &[&str]) -> Vec<String> {
    let config = dir.path().join(".sandtrap.yaml");
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(["--config".to_owned(), config.display().to_string()]);
    all.extend(
        paths
            .iter()
            .map(|p| dir.path().join(p).display().to_string()),
    );
    let report = check_json(&all.iter().map(String::as_str).collect::<Vec<_>>());
    let prefix = format!("{}/", dir.path().display());
    let mut files: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["file"]
                .as_str()
                .unwrap()
                .trim_start_matches(&prefix)
                .to_owned()
        })
        .collect();
    files.dedup();
    files
}

#[test]
fn exclude_and_extend_exclude_layer_as_ruffs_do() {
    // Default: installed npm packages are never read.
    let dir = excluding_project("");
    assert_eq!(
        checked(&dir, &[], &[""]),
        ["gen/d.generated.yaml", "infra/a.yaml", "legacy/b.yaml"]
    );
    // `extend-exclude` adds to the default; a glob with `/` is relative to the config file.
    let dir = excluding_project("extend-exclude: [legacy/*.yaml]\n");
    assert_eq!(
        checked(&dir, &[], &[""]),
        ["gen/d.generated.yaml", "infra/a.yaml"]
    );
    // `exclude` replaces the default: node_modules is read again.
    let dir = excluding_project("exclude: [\"*.generated.yaml\"]\nextend-exclude: [legacy]\n");
    assert_eq!(
        checked(&dir, &[], &[""]),
        ["infra/a.yaml", "node_modules/pkg/c.yaml"]
    );
    // `--exclude` replaces the config's `exclude`; `extend-exclude` still applies.
    assert_eq!(
        checked(&dir, &["--exclude", "infra,node_modules"], &[""]),
        ["gen/d.generated.yaml"]
    );
}

#[test]
fn an_excluded_path_is_never_read_even_when_named() {
    let dir = excluding_project("extend-exclude: [legacy]\n");
    // Named, or inside a named excluded directory: skipped, like a pre-commit hook's staged
    // files (ruff's `force-exclude`).
    assert_eq!(
        checked(
            &dir,
            &[],
            &["legacy/b.yaml", "legacy", "infra/a.yaml", "node_modules"]
        ),
        ["infra/a.yaml"]
    );
    // Standard input under an excluded name gives nothing.
    let config = dir.path().join(".sandtrap.yaml");
    let buffer = dir.path().join("legacy/b.yaml");
    let run = run(
        &[
            "check",
            "--format",
            "json",
            "--config",
            config.to_str().unwrap(),
            "--stdin-filename",
            buffer.to_str().unwrap(),
            "-",
        ],
        &std::fs::read_to_string(&buffer).unwrap(),
    );
    assert_eq!(run.exit, Exit::Clean, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 0);
}

#[test]
fn a_bad_exclude_glob_is_an_error_with_its_location() {
    let dir = excluding_project("extend-exclude: [\"legacy/[\"]\n");
    let config = dir.path().join(".sandtrap.yaml");
    let bad = run(&["check", "--config", config.to_str().unwrap(), "."], "");
    assert_eq!(bad.exit, Exit::Usage);
    assert!(
        bad.stderr.contains("invalid glob `legacy/[`"),
        "{}",
        bad.stderr
    );
    assert!(bad.stderr.contains(".sandtrap.yaml:2:"), "{}", bad.stderr);
    let flag = run(&["check", "--exclude", "[", "testdata/cli/clean.yaml"], "");
    assert_eq!(flag.exit, Exit::Usage);
    assert!(
        flag.stderr.contains("`--exclude [` is not a glob"),
        "{}",
        flag.stderr
    );
}

#[test]
fn the_human_report_fits_80_columns_and_keeps_each_command_whole() {
    // Not a terminal and no `COLUMNS`: 80 columns.
    let run = run(
        &["check", "--config", "examples/sandtrap.yaml", "examples/"],
        "",
    );
    assert_eq!(run.exit, Exit::Findings);
    let mut commands = 0;
    for line in run.stdout.lines() {
        if line.trim_start().starts_with("aws ") {
            // The commands to paste (production access, or verifying a tester), each alone and
            // whole on its line.
            assert!(
                line.starts_with("          aws sesv2 put-account-details")
                    || line.starts_with("          aws sesv2 create-email-identity"),
                "{line}"
            );
            assert!(line.ends_with("--region us-west-2"), "{line}");
            commands += 1;
        } else {
            assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
        }
    }
    assert_eq!(commands, 2, "{}", run.stdout);
    // A related location is headed by its label, not by an empty `Advice:` line.
    assert!(!run.stdout.contains("Advice:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("\n  ☞ sandbox declared here\n"),
        "{}",
        run.stdout
    );
}

//! What a pull request controls is untrusted: templates, file names, rule and settings files,
//! links committed in the checkout, what a live endpoint answers. None of it may reach a CI log or
//! a terminal as a command, a file outside the report, or a silent pass. Each test reproduces one
//! attack and checks that it no longer works.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// `sandtrap ARGS` as a process in `dir` (a relative file name can start with `::` only there).
fn sandtrap(dir: &Path, args: &[&str]) -> Output {
    sandtrap_wrapped(dir, args, 100)
}

/// [`sandtrap`] with reports wrapped to `columns`.
fn sandtrap_wrapped(dir: &Path, args: &[&str], columns: usize) -> Output {
    Command::cargo_bin("sandtrap")
        .unwrap()
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .env("COLUMNS", columns.to_string())
        .env("SANDTRAP_NO_CACHE", "1")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The workflow commands the GitHub runner would run for `log`, as (name, properties, data):
/// it reads a line (ended by LF, CR or CRLF) as a command when the line starts with `::` once
/// leading white space is trimmed, or when it holds `##[` anywhere (the legacy form). Its
/// comparisons are culture-sensitive, so characters such a comparison ignores are dropped first.
fn runner_commands(log: &str) -> Vec<(String, String, String)> {
    let ignorable = |c: char| {
        matches!(
            c,
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
        )
    };
    let mut commands = Vec::new();
    for line in log.split(['\n', '\r']) {
        let line: String = line.chars().filter(|c| !ignorable(*c)).collect();
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("::")
            && let Some((info, data)) = rest.split_once("::")
        {
            let (name, properties) = info.split_once(' ').unwrap_or((info, ""));
            commands.push((name.to_owned(), properties.to_owned(), data.to_owned()));
        } else if let Some((_, rest)) = line.split_once("##[")
            && let Some((info, data)) = rest.split_once(']')
        {
            let (name, properties) = info.split_once(' ').unwrap_or((info, ""));
            commands.push((name.to_owned(), properties.to_owned(), data.to_owned()));
        }
    }
    commands
}

/// The `file` property of an annotation, unescaped as the runner does.
fn file_property(properties: &str) -> Option<String> {
    properties.split(',').find_map(|p| {
        let value = p.strip_prefix("file=")?;
        Some(
            value
                .replace("%0D", "\r")
                .replace("%0A", "\n")
                .replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%25", "%"),
        )
    })
}

/// The payload a template puts where a message quotes it: workflow commands on lines of their
/// own (and in the legacy form), a line a problem matcher reads, terminal escapes (title, clear
/// screen, an OSC 8 link, a CSI in C1 form) and a bidirectional override.
const PAYLOAD: &str = "\n::stop-commands::tok\n::add-mask::hunter2\n##[add-mask]hunter2\n\
     ::error file=forged.yaml,line=1::forged\nforged.yaml:1:1: error[ST999] forged\r\
     \u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\\
     \u{9b}2J\u{202e} wrapped ::stop-commands::spaced ##[add-mask]spaced";

/// A template of `pools` user pools whose `SourceArn` names another service, the payload
/// inside it (`ST202` quotes the service), and whose logical ids carry the payload too.
fn pools(pools: usize) -> String {
    let resources: serde_json::Map<String, Value> = (0..pools)
        .map(|i| {
            let arn = format!("arn:aws:sns{PAYLOAD}:us-east-1:123456789012:identity/example.com");
            let pool = serde_json::json!({
                "Type": "AWS::Cognito::UserPool",
                "Properties": {"EmailConfiguration": {
                    "EmailSendingAccount": "DEVELOPER",
                    "SourceArn": arn,
                    "From": format!("noreply\u{9b}2J@example.com"),
                }},
            });
            (format!("Pool{i}{PAYLOAD}"), pool)
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Metadata": {"sandtrap": {"region": "us-east-1"}},
        "Resources": resources,
    }))
    .unwrap()
}

/// Eleven findings of one kind are one more than GitHub annotates: the eleventh is a plain log
/// line, which must not run the commands its message and file name carry either.
#[test]
fn the_github_format_writes_no_command_a_template_controls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pools.json"), pools(11)).unwrap();
    // A file name that starts with a command: the plain line starts with the name.
    let named = "::stop-commands::tok\n::add-mask::hunter2.json";
    std::fs::write(dir.path().join(named), pools(11)).unwrap();
    let output = sandtrap(dir.path(), &["check", "--format", "github"]);
    let log = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let commands = runner_commands(&log);
    let escaped_name = "\\::stop-commands::tok\\n::add-mask::hunter2.json";
    let mut annotations = 0;
    for (name, properties, _) in &commands {
        assert!(
            ["error", "warning", "notice"].contains(&name.as_str()),
            "the runner would run `{name}`:\n{log}"
        );
        match file_property(properties) {
            Some(file) => {
                assert!(
                    ["pools.json", escaped_name].contains(&file.as_str()),
                    "{file}"
                );
                annotations += 1;
            }
            // The closing summary.
            None => assert_eq!(properties, "title=sandtrap", "{log}"),
        }
    }
    assert_eq!(annotations, 10, "{log}");
    // The findings past the cap are still in the log, escaped.
    let plain: Vec<&str> = log.lines().filter(|l| !l.starts_with("::")).collect();
    assert_eq!(plain.len(), 12, "{log}");
    assert!(
        plain
            .iter()
            .any(|l| l.starts_with("\\::stop-commands::tok")),
        "{log}"
    );
    assert!(log.lines().all(|l| !l.starts_with("forged.yaml")), "{log}");
}

/// Every byte of `output` is printable text: no escape sequence, BEL, carriage return, C1
/// control or bidirectional override, and no line that forges a workflow command or a
/// problem-matcher line. With `colour`, escape sequences that set colours are allowed.
fn assert_printable(what: &str, output: &str, colour: bool) {
    let mut rest = output;
    while let Some(at) = rest.find('\u{1b}') {
        let sgr = rest[at + 1..]
            .strip_prefix('[')
            .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';'))
            .is_some_and(|r| r.starts_with('m'));
        assert!(
            colour && sgr,
            "{what}: an escape sequence reached the output:\n{output}"
        );
        rest = &rest[at + 1..];
    }
    let bad = output.chars().find(|&c| {
        (c.is_control() && !matches!(c, '\n' | '\t' | '\u{1b}'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
    });
    assert_eq!(bad, None, "{what}:\n{output}");
    for line in output.lines() {
        assert!(
            !line.trim_start().starts_with("::") && !line.starts_with("forged.yaml"),
            "{what}: a forged line:\n{line}"
        );
    }
}

/// Every string of a JSON document is printable too (the JSON encoder escapes raw control
/// characters, but whoever reads the document prints the decoded strings).
fn assert_printable_json(what: &str, value: &Value) {
    match value {
        Value::String(s) => assert_printable(what, s, false),
        Value::Array(items) => items.iter().for_each(|v| assert_printable_json(what, v)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            assert_printable(what, k, false);
            assert_printable_json(what, v);
        }),
        _ => {}
    }
}

/// A run whose logical ids, values, file names and custom rule carry terminal escapes and line
/// breaks: every format, `map`, `status`, `explain` and `rules` print them escaped.
#[test]
fn nothing_a_template_or_rule_file_holds_is_printed_raw() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("pools.json"), pools(2)).unwrap();
    // A file name with the payload (a name cannot hold `/` or NUL) and a finding (`ST201`).
    let name = PAYLOAD.replace(['/', '\0'], "_") + ".yaml";
    std::fs::write(
        root.join(&name),
        "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      \
         EmailConfiguration: {EmailSendingAccount: DEVELOPER}\n",
    )
    .unwrap();
    // Raw control bytes in a template: ST001 at the byte, with the line in the snippet.
    std::fs::write(
        root.join("raw.yaml"),
        "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: \"\u{1b}]0;pwned\u{7}\u{1b}[2J\"\n",
    )
    .unwrap();
    std::fs::create_dir(root.join("rules")).unwrap();
    std::fs::write(
        root.join("rules/ST900.yaml"),
        r###"code: ST900
name: hostile-rule
severity: warning
summary: "pools \e]0;pwned\a\e[2J"
docs: "## What it does\n\e]0;pwned\a\e[2J\u202e\r\n::error::forged\n"
cases:
  - query: "$.senders[*]"
    at: source_arn
    message: "`{resource}` \e]0;pwned\a\n::error file=forged.yaml::forged"
    help: "\e[2J\nforged.yaml:1:1: error[ST999] forged"
"###,
    )
    .unwrap();
    let run = |args: &[&str], colour: bool| {
        let output = sandtrap(root, args);
        let code = output.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{args:?}: {}",
            text(&output.stderr)
        );
        let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
        assert_printable(&format!("{args:?} stdout"), &stdout, colour);
        assert_printable(&format!("{args:?} stderr"), &stderr, false);
        stdout
    };
    let common = ["--rules", "rules", "--ses-sandbox", "us-east-1"];
    for format in [
        "human", "concise", "json", "sarif", "junit", "gitlab", "markdown", "html",
    ] {
        let mut args = vec!["check", "--format", format, "--color", "never"];
        args.extend(common);
        let stdout = run(&args, false);
        if let Ok(value) = serde_json::from_str::<Value>(&stdout) {
            assert_printable_json(format, &value);
        }
        if format == "human" {
            // The payload is there, escaped, in the messages and in the file name.
            assert!(stdout.contains("\\n::error file=forged.yaml"), "{stdout}");
            assert!(stdout.contains("␛]0;pwned␇"), "{stdout}");
            assert!(stdout.contains("\\u{202e}"), "{stdout}");
        }
    }
    let mut args = vec!["check", "--color", "always"];
    args.extend(common);
    run(&args, true);
    // Wrapped at any width, no line of the human format starts a command.
    let mut args = vec!["check", "--color", "never"];
    args.extend(common);
    for columns in [40, 47, 53, 61, 80] {
        let output = sandtrap_wrapped(root, &args, columns);
        assert_printable(&format!("human at {columns}"), &text(&output.stdout), false);
    }
    // The github format is checked as the runner reads it.
    let mut args = vec!["check", "--format", "github"];
    args.extend(common);
    let log = sandtrap(root, &args).stdout;
    let commands = runner_commands(&text(&log));
    assert!(
        commands
            .iter()
            .all(|(name, ..)| ["error", "warning", "notice"].contains(&name.as_str())),
        "{commands:?}"
    );
    for args in [
        &["map"][..],
        &["map", "--format", "dot"],
        &["map", "--format", "json"],
        &["status"],
        &["status", "--format", "json"],
        &["status", "--format", "markdown"],
    ] {
        let mut args = args.to_vec();
        args.extend(common);
        let stdout = run(&args, false);
        if let Ok(value) = serde_json::from_str::<Value>(&stdout) {
            assert_printable_json(&format!("{args:?}"), &value);
        }
    }
    let explained = run(&["explain", "ST900", "--rules", "rules"], false);
    assert!(explained.contains("␛]0;pwned␇"), "{explained}");
    run(&["rules", "--rules", "rules"], false);
    let listed = run(&["rules", "--rules", "rules", "--format", "json"], false);
    assert_printable_json("rules", &serde_json::from_str(&listed).unwrap());
}

/// The hooks of both manifests, as pre-commit runs them: the entry, then the staged file names.
/// Committed files named `--config=quiet.yaml` (pointing at a config that ignores every rule)
/// and `--output-file=victim.yaml` must be paths: the finding is reported and nothing written.
#[test]
fn pre_commit_hooks_never_read_a_file_name_as_an_option() {
    let root = crate::support::root();
    for manifest in [
        ".pre-commit-hooks.yaml",
        "packaging/pre-commit/.pre-commit-hooks.yaml",
    ] {
        let yaml = std::fs::read_to_string(root.join(manifest)).unwrap();
        let hooks: Vec<serde_json::Map<String, Value>> = serde_saphyr::from_str(&yaml).unwrap();
        let hook = hooks.iter().find(|h| h["id"] == "sandtrap").unwrap();
        assert_eq!(hook["pass_filenames"], true);
        let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(entry[0], "sandtrap");

        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("quiet.yaml", "ignore: [ST]\n"),
            ("--config=quiet.yaml", "ignore: [ST]\n"),
            ("--output-file=victim.yaml", "x: 1\n"),
            ("victim.yaml", "precious: true\n"),
            (
                "auth.yaml",
                "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      \
                 EmailConfiguration: {EmailSendingAccount: DEVELOPER}\n",
            ),
        ];
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        let mut args: Vec<&str> = entry[1..].to_vec();
        args.extend(files.iter().map(|(name, _)| *name));
        let output = sandtrap(dir.path(), &args);
        let stdout = text(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{manifest}: {args:?}\n{stdout}{}",
            text(&output.stderr)
        );
        assert!(stdout.contains("ST201"), "{manifest}: {stdout}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("victim.yaml")).unwrap(),
            "precious: true\n"
        );
    }
}

/// A pull request commits the report's name as a link to a file elsewhere (`sandtrap.sarif ->
/// ../outside/victim`), or to a file that does not exist yet: every command that writes a file
/// refuses it, and the target is untouched (or never created).
#[cfg(unix)]
#[test]
fn reports_are_never_written_through_a_symbolic_link() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let checkout = dir.path().join("checkout");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(checkout.join("man")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("victim"), "precious\n").unwrap();
    std::fs::write(checkout.join("auth.yaml"), pools(1)).unwrap();
    symlink("../outside/victim", checkout.join("sandtrap.sarif")).unwrap();
    symlink("../outside/created", checkout.join("new.sarif")).unwrap();
    symlink("../../outside/victim", checkout.join("man/sandtrap.1")).unwrap();
    let runs: [&[&str]; 4] = [
        &[
            "check",
            "--format",
            "sarif",
            "--output-file",
            "sandtrap.sarif",
            "auth.yaml",
        ],
        &["check", "--output-file", "new.sarif", "auth.yaml"],
        &["map", "--output-file", "sandtrap.sarif", "auth.yaml"],
        &["man", "--output-dir", "man"],
    ];
    for args in runs {
        let output = sandtrap(&checkout, args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("symbolic link"), "{args:?}: {stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(outside.join("victim")).unwrap(),
        "precious\n"
    );
    assert!(!outside.join("created").exists());
    // The links themselves are left as they were.
    for link in ["sandtrap.sarif", "new.sarif", "man/sandtrap.1"] {
        assert!(checkout.join(link).symlink_metadata().unwrap().is_symlink());
    }
    // A regular file is replaced, and nothing else is left in the directory.
    std::fs::remove_file(checkout.join("sandtrap.sarif")).unwrap();
    std::fs::write(checkout.join("sandtrap.sarif"), "old").unwrap();
    let output = sandtrap(&checkout, runs[0]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(checkout.join("sandtrap.sarif")).unwrap())
            .unwrap();
    assert_eq!(report["version"], "2.1.0");
    let names: Vec<String> = std::fs::read_dir(&checkout)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

/// A rule whose `match()` pattern cannot be used stopped firing without a word (exit 0): now
/// the rule file is an error located at the pattern (exit 2). A good pattern fires, evaluated
/// with the pattern compiled once.
#[test]
fn a_rule_pattern_that_cannot_be_used_is_a_located_error() {
    let rule = |query: &str| {
        format!(
            "code: ST900\nname: pattern-rule\nseverity: error\nsummary: A rule with a pattern\n\
             cases:\n  - query: \"{query}\"\n    at: source_arn\n    message: \"`{{resource}}` matched\"\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("pools.json"), pools(3)).unwrap();
    for (query, reason) in [
        (
            "$.senders[?match(@.resource, '[')]",
            "unclosed character class",
        ),
        (
            "$.senders[?search(@.from, '\\\\\\\\w{500}\\\\\\\\w{500}')]",
            "compiles to more than 10 MiB",
        ),
        ("$.senders[?match(@.resource, 5)]", "not a string"),
        ("$.senders[?match(@.resource, @.from)]", "string literal"),
    ] {
        std::fs::write(dir.path().join("rules/ST900.yaml"), rule(query)).unwrap();
        let output = sandtrap(dir.path(), &["check", "--rules", "rules", "pools.json"]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{query}: {stderr}");
        assert!(stderr.contains(reason), "{query}: {stderr}");
        assert!(stderr.contains("rules/ST900.yaml:6:"), "{query}: {stderr}");
    }
    std::fs::write(
        dir.path().join("rules/ST900.yaml"),
        rule("$.senders[?search(@.resource, '^Pool[02]') && search(@.from.text, '\\\\\\\\x{9b}')]"),
    )
    .unwrap();
    let output = sandtrap(
        dir.path(),
        &[
            "check",
            "--rules",
            "rules",
            "--select",
            "ST900",
            "--format",
            "json",
            "pools.json",
        ],
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let matched: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["resource"].as_str().unwrap())
        .collect();
    assert_eq!(matched.len(), 2, "{report:#}");
    assert!(
        matched
            .iter()
            .all(|r| r.starts_with("Pool0") || r.starts_with("Pool2"))
    );
}

/// A config error, or a finding's related label on the SES declaration, quoted the neighbouring
/// `stacks[].params` line, where a `NoEcho` value may be: parameter values are masked in every
/// snippet of the config file.
#[test]
fn config_snippets_never_quote_parameter_values() {
    let dir = tempfile::tempdir().unwrap();
    let template = "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  DbPassword:\n    \
         Type: String\n    NoEcho: true\nResources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    \
         Properties:\n      AutoVerifiedAttributes: [email]\n      EmailConfiguration:\n        \
         EmailSendingAccount: DEVELOPER\n        From: noreply@example.com\n        SourceArn: \
         arn:aws:ses:us-east-1:123456789012:identity/example.com\n";
    std::fs::write(dir.path().join("auth.yaml"), template).unwrap();
    let config = "stacks:\n  - files: \"*.yaml\"\n    region: us-east-1\n    \
                  params: {DbPassword: hunter2-secret}\nses: {sandbox: [{regions: [us-east-1]}]}\n";
    std::fs::write(dir.path().join(".sandtrap.yaml"), config).unwrap();
    let output = sandtrap(dir.path(), &["check", "--color", "never", "auth.yaml"]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("sandbox declared here"), "{stdout}");
    assert!(stdout.contains("DbPassword: ***"), "{stdout}");
    assert!(!stdout.contains("hunter2"), "{stdout}");

    let broken = config.replace("    region: us-east-1\n", "") + "    regoin: us-east-1\n";
    let broken = broken.replace("ses: {sandbox: [{regions: [us-east-1]}]}\n", "");
    std::fs::write(dir.path().join(".sandtrap.yaml"), &broken).unwrap();
    let output = sandtrap(dir.path(), &["check", "auth.yaml"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("regoin") && stderr.contains("DbPassword"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// A named `cdk.out` whose `manifest.json` is a link out of it (or a folder whose only template
/// is such a link) passed as "0 templates in 0 files", exit 0: what was refused is now said.
#[cfg(unix)]
#[test]
fn a_named_path_whose_candidates_were_refused_is_no_pass() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {"Auth": {"type": "aws:cloudformation:stack",
            "environment": "aws://111111111111/us-east-1",
            "properties": {"templateFile": "Auth.template.json"}}}}"#,
    )
    .unwrap();
    std::fs::write(outside.join("Auth.template.json"), pools(1)).unwrap();
    let checkout = dir.path().join("checkout");
    std::fs::create_dir_all(checkout.join("cdk.out")).unwrap();
    std::fs::create_dir_all(checkout.join("infra")).unwrap();
    symlink(
        "../../outside/manifest.json",
        checkout.join("cdk.out/manifest.json"),
    )
    .unwrap();
    symlink(
        "../../outside/Auth.template.json",
        checkout.join("infra/auth.json"),
    )
    .unwrap();
    for (path, refused) in [
        ("cdk.out", "cdk.out/manifest.json"),
        ("cdk.out/manifest.json", "cdk.out/manifest.json"),
        ("infra", "infra/auth.json"),
    ] {
        let output = sandtrap(&checkout, &["check", "--format", "concise", path]);
        let stdout = text(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{path}: {stdout}");
        assert!(
            stdout.starts_with(&format!("{refused}:1:1: error[ST001] cannot read: ")),
            "{path}: {stdout}"
        );
        assert!(stdout.contains("symbolic link"), "{stdout}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
    }
    // Beside a template of its own, the refused link stays a skipped file, as before.
    std::fs::write(checkout.join("infra/pool.json"), pools(1)).unwrap();
    let output = sandtrap(&checkout, &["check", "--format", "concise", "infra"]);
    assert!(
        !text(&output.stdout).contains("ST001"),
        "{}",
        text(&output.stdout)
    );
}

/// An endpoint that echoes the request in its error (a proxy, an emulator, a test server) put
/// the access key id, the signature and the session token into the CI log, with raw line breaks
/// and escapes; one whose answer never ends held the run and its memory.
#[cfg(feature = "aws")]
mod live_endpoint {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{text, *};

    const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "FwoGZXIvYXdzEBYaDHUniqueSessionTokenOfTheRun";

    /// What the fake SES answers `GetAccount` with.
    #[derive(Clone, Copy)]
    enum Mode {
        /// A 403 whose message is the whole request, the secret key and terminal escapes.
        Echo,
        /// A 200 whose body never ends (until the client stops reading).
        Endless,
    }

    /// Serves STS `GetCallerIdentity` properly and SES as `mode` says; counts the bytes of
    /// endless answers the client accepted.
    fn endpoint(mode: Mode) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sent = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&sent);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || serve(stream, mode, &counter));
            }
        });
        (url, sent)
    }

    fn serve(stream: TcpStream, mode: Mode, sent: &AtomicUsize) {
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut request = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            request.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        request.push_str(&String::from_utf8_lossy(&body));
        if request.contains("Action=GetCallerIdentity") {
            let xml = "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111111111111\
                       </Account><Arn>arn:aws:iam::111111111111:user/ci</Arn><UserId>X</UserId>\
                       </GetCallerIdentityResult></GetCallerIdentityResponse>";
            let _ = write!(
                writer,
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                xml.len()
            );
            return;
        }
        match mode {
            Mode::Echo => {
                // The credential headers first, so that no cut hides them.
                let credentials: Vec<&str> = (request.lines())
                    .filter(|l| {
                        let l = l.to_ascii_lowercase();
                        l.starts_with("authorization") || l.starts_with("x-amz-security-token")
                    })
                    .collect();
                let message = format!(
                    "{SECRET}\n{}\n\u{1b}]0;pwned\u{7}\u{1b}[2J\n{request}",
                    credentials.join("\n")
                );
                let body = serde_json::json!({ "message": message }).to_string();
                let _ = write!(
                    writer,
                    "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\
                     x-amzn-ErrorType: AccessDeniedException\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                );
            }
            Mode::Endless => {
                let _ = write!(
                    writer,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{{\"x\":\""
                );
                let chunk = vec![b'a'; 64 << 10];
                // At most 256 MiB: a client that reads it all has no bound.
                for _ in 0..4096 {
                    if writer.write_all(&chunk).is_err() {
                        return;
                    }
                    sent.fetch_add(chunk.len(), Ordering::Relaxed);
                }
            }
        }
    }

    fn run(url: &str, dir: &Path, args: &[&str]) -> Output {
        Command::cargo_bin("sandtrap")
            .unwrap()
            .current_dir(dir)
            .env_clear()
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_SESSION_TOKEN", TOKEN)
            .env("AWS_CONFIG_FILE", dir.join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("none"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("SANDTRAP_NO_CACHE", "1")
            .args(args)
            .args(["--aws", "--aws-timeout", "20", "--aws-endpoint-url", url])
            .output()
            .unwrap()
    }

    fn template(dir: &Path) {
        let pool = "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      \
             AutoVerifiedAttributes: [email]\n      EmailConfiguration:\n        \
             EmailSendingAccount: DEVELOPER\n        From: noreply@example.com\n        \
             SourceArn: arn:aws:ses:us-east-1:111111111111:identity/example.com\n";
        std::fs::write(dir.join("auth.yaml"), pool).unwrap();
    }

    #[test]
    fn an_echoing_endpoint_puts_no_credential_in_any_output() {
        let dir = tempfile::tempdir().unwrap();
        template(dir.path());
        let (url, _) = endpoint(Mode::Echo);
        let region = ["--region", "us-east-1", "auth.yaml"];
        let mut seen_st004 = false;
        for format in [
            "human", "concise", "json", "sarif", "github", "markdown", "html",
        ] {
            let mut args = vec!["check", "--format", format, "--color", "never"];
            args.extend(region);
            let output = run(&url, dir.path(), &args);
            let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
            seen_st004 |= stdout.contains("ST004");
            for secret in [KEY_ID, SECRET, TOKEN, "pwned\u{7}"] {
                assert!(
                    !stdout.contains(secret) && !stderr.contains(secret),
                    "{format}: {secret}\n{stdout}"
                );
            }
            if format == "github" {
                let commands = runner_commands(&stdout);
                assert!(
                    commands
                        .iter()
                        .all(|(name, ..)| name == "warning" || name == "notice"),
                    "{stdout}"
                );
            } else {
                assert_printable(format, &stdout, false);
            }
            if format == "concise" {
                // The code and what is left of the message, credentials masked.
                assert!(stdout.contains("AccessDeniedException: ****"), "{stdout}");
                assert!(stdout.contains("Signature=****"), "{stdout}");
            }
        }
        assert!(seen_st004);
        let mut args = vec!["status", "--format", "json"];
        args.extend(region);
        let output = run(&url, dir.path(), &args);
        let stdout = text(&output.stdout);
        assert!(
            stdout.contains("AccessDenied")
                || stdout.contains("not authorized")
                || stdout.contains("****"),
            "{stdout}"
        );
        for secret in [KEY_ID, SECRET, TOKEN] {
            assert!(!stdout.contains(secret), "{secret}: {stdout}");
        }
    }

    #[test]
    fn an_endless_answer_is_read_up_to_its_bound() {
        let dir = tempfile::tempdir().unwrap();
        template(dir.path());
        let (url, sent) = endpoint(Mode::Endless);
        let output = run(
            &url,
            dir.path(),
            &[
                "check",
                "--format",
                "concise",
                "--region",
                "us-east-1",
                "auth.yaml",
            ],
        );
        let stdout = text(&output.stdout);
        assert!(
            stdout.contains("ST004") && stdout.contains("could not be read"),
            "{stdout}"
        );
        // The bound (1 MiB) and what the sockets buffer: far from the 256 MiB on offer.
        let accepted = sent.load(Ordering::Relaxed);
        assert!(accepted < 32 << 20, "the client accepted {accepted} bytes");
    }
}

/// 16,000 findings on one minified line: the HTML report was quadratic in them (every finding
/// copied and escaped the whole line; 42 s in a release build) and marked none of them past the
/// line's 160th character. Each snippet is now a window around its own finding, marked.
#[test]
fn findings_on_one_long_line_each_get_a_marked_window() {
    const FINDINGS: usize = 16_000;
    let entries: Vec<String> = (0..FINDINGS)
        .map(|i| format!("\"k{i:05}\":1,\"k{i:05}\":2"))
        .collect();
    let template = format!(
        "{{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Metadata\":{{{}}},\"Resources\":{{}}}}",
        entries.join(",")
    );
    let html = crate::hostile::bounded(crate::hostile::LIMIT, move || {
        let run = crate::support::run(
            &[
                "check",
                "--format",
                "html",
                "--stdin-filename",
                "min.json",
                "-",
            ],
            &template,
        );
        run.stdout
    });
    let findings: Vec<&str> = html.split("<article class=\"finding\"").skip(1).collect();
    assert_eq!(findings.len(), FINDINGS);
    for (i, finding) in findings.iter().enumerate() {
        let marked = finding
            .split_once("<mark>")
            .and_then(|(_, rest)| rest.split_once("</mark>"))
            .map(|(mark, _)| mark);
        assert_eq!(
            marked,
            Some(format!("&quot;k{i:05}&quot;").as_str()),
            "finding {i}"
        );
        let snippet = finding
            .split_once("<pre")
            .unwrap()
            .1
            .split_once("</pre>")
            .unwrap()
            .0;
        assert!(snippet.len() < 1_000, "finding {i}: {snippet}");
    }
}

/// Found by the `render` fuzz target: a file named `:` made the concise line `::1:1: ...`, a
/// workflow command, though no name or message started with `::`.
#[test]
fn a_file_named_colon_starts_no_command() {
    let dir = tempfile::tempdir().unwrap();
    for name in [":", ":\u{200b}"] {
        std::fs::write(dir.path().join(name), pools(1)).unwrap();
    }
    for format in ["concise", "github", "human"] {
        let output = sandtrap(dir.path(), &["check", "--format", format, ":", ":\u{200b}"]);
        let stdout = text(&output.stdout);
        assert!(stdout.contains("ST202"), "{format}: {stdout}");
        let commands = runner_commands(&stdout);
        assert!(
            commands.iter().all(|(name, ..)| format == "github"
                && ["error", "warning", "notice"].contains(&name.as_str())),
            "{format}: {stdout}"
        );
    }
}

//! Hostile input: every case ends in bounded time with a located `ST001` or a correct result,
//! never a panic, a hang or an abort. Big inputs are generated in memory; small ones are files
//! under `testdata/hostile/`. Inputs the fuzzers found are replayed from `testdata/hostile/fuzz/`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{codes, copy_dir, run};

/// Generous enough for a debug build on a loaded 2-core machine; a hang fails instead of
/// blocking the suite.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs `f` on another thread and fails the test if it does not finish within `limit`.
fn bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("panicked"),
    }
}

/// `sandtrap check --format json ARGS`, bounded.
fn check(args: &[&str]) -> Value {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    bounded(LIMIT, move || {
        let mut all = vec!["check", "--format", "json"];
        all.extend(args.iter().map(String::as_str));
        let run = run(&all, "");
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr))
    })
}

/// `sandtrap check` of `text` on standard input under `name`, bounded.
fn check_text(name: &str, text: String) -> Value {
    let name = name.to_owned();
    bounded(LIMIT, move || {
        let run = run(
            &["check", "--format", "json", "--stdin-filename", &name, "-"],
            &text,
        );
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr))
    })
}

fn diagnostics(report: &Value) -> &[Value] {
    report["diagnostics"].as_array().unwrap()
}

/// The one `ST001` of a report, checked to be located inside a file of `len` bytes.
fn parse_error(report: &Value, len: usize) -> &Value {
    let found: Vec<&Value> = diagnostics(report)
        .iter()
        .filter(|d| d["code"] == "ST001")
        .collect();
    assert_eq!(found.len(), 1, "{report:#}");
    let range = &found[0]["range"];
    assert!(range["start"]["line"].as_u64().unwrap() >= 1, "{range}");
    assert!(
        range["end"]["offset"].as_u64().unwrap_or(0) as usize <= len,
        "{range}"
    );
    found[0]
}

fn no_parse_error(report: &Value) {
    assert!(!codes(report).iter().any(|c| c == "ST001"), "{report:#}");
}

fn hostile(name: &str) -> String {
    format!("testdata/hostile/{name}")
}

const HEAD: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\n";

#[test]
fn billion_laughs_is_reported_at_every_alias_and_not_expanded_without_bound() {
    let report = check(&[&hostile("billion-laughs.yaml")]);
    let found = diagnostics(&report);
    // 81 aliases, each reported; the expansion budget keeps the tree small.
    assert_eq!(found.len(), 81, "{report:#}");
    assert!(
        found
            .iter()
            .all(|d| d["code"] == "ST001" && d["message"].as_str().unwrap().contains("aliases"))
    );
    assert_eq!(found[0]["range"]["start"]["line"], 4);
    assert_eq!(found[0]["range"]["start"]["column"], 10);
}

#[test]
fn a_hundred_thousand_levels_of_nesting() {
    let depth = 100_000;
    let cases = [
        (
            "flow-seq.yaml",
            format!(
                "{HEAD}Metadata: {}{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
        (
            "flow-map.yaml",
            format!(
                "{HEAD}Metadata: {}1{}\n",
                "{a: ".repeat(depth),
                "}".repeat(depth)
            ),
        ),
        (
            "block.yaml",
            format!("{HEAD}Metadata:\n{}x\n", "- ".repeat(depth)),
        ),
        (
            "deep.json",
            format!(
                "{{\"Resources\": {}{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
    ];
    for (name, text) in cases {
        let len = text.len();
        let report = check_text(name, text);
        let d = parse_error(&report, len);
        assert!(
            d["message"].as_str().unwrap().contains("deeper than"),
            "{name}: {d}"
        );
    }
}

#[test]
fn a_fifty_megabyte_scalar() {
    let big = "a".repeat(50 << 20);
    let text = format!(
        "{HEAD}Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      \
         EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        From: !Sub \"{big}@example.com\"\n"
    );
    let report = check_text("big.yaml", text);
    no_parse_error(&report);
    // The resolver gives up on strings over its bound: the From is unknown, not copied.
    assert!(report.to_string().len() < 1 << 20);
    let json = format!("{{\"Description\": \"{big}\", \"Resources\": {{}}}}");
    no_parse_error(&check_text("big.json", json));
}

/// `count` keys in one mapping, the last a duplicate of `k17`: reported at the last line.
fn many_keys(count: usize) {
    let mut text = format!("{HEAD}Resources: {{}}\nMetadata:\n");
    for i in 0..count {
        text.push_str(&format!("  k{i}: {i}\n"));
    }
    text.push_str("  k17: again\n");
    let len = text.len();
    let report = check_text("keys.yaml", text);
    let found: Vec<&Value> = diagnostics(&report)
        .iter()
        .filter(|d| d["code"] == "ST006")
        .collect();
    let [d] = found.as_slice() else {
        panic!("{report:#}")
    };
    assert!(d["range"]["end"]["offset"].as_u64().unwrap() as usize <= len);
    assert!(d["message"].as_str().unwrap().contains("k17"), "{d}");
    assert_eq!(d["range"]["start"]["line"], count + 4);
}

#[test]
fn a_hundred_thousand_keys_in_one_mapping() {
    many_keys(100_000);
}

/// 17 MB of YAML: about 2 s optimized, far longer unoptimized.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "a million keys take over a minute unoptimized; run with `cargo test --release`"
)]
fn a_million_keys_in_one_mapping() {
    many_keys(1_000_000);
}

#[test]
fn nul_bytes() {
    for name in ["nul-in-quoted.yaml", "nul-bare.yaml", "nul-in-string.json"] {
        let path = hostile(name);
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        let report = check(&[&path]);
        parse_error(&report, len);
    }
}

#[test]
fn invalid_utf8_and_utf16_files() {
    for name in [
        "invalid-utf8.yaml",
        "utf16le-bom.yaml",
        "utf16be-bom.yaml",
        "utf16le-no-bom.yaml",
    ] {
        let path = hostile(name);
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        let report = check(&[&path]);
        parse_error(&report, len);
    }
}

/// A small template with a Cognito pool that mails through SES, for the filesystem cases.
const POOL: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Pool:\n    \
    Type: AWS::Cognito::UserPool\n    Properties:\n      EmailConfiguration:\n        \
    EmailSendingAccount: DEVELOPER\n        From: no-reply@example.com\n";

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[cfg(unix)]
#[test]
fn a_directory_symlink_loop() {
    let dir = temp();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("a/pool.yaml"), POOL).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("a/up")).unwrap();
    std::os::unix::fs::symlink("loop2.yaml", dir.path().join("a/loop1.yaml")).unwrap();
    std::os::unix::fs::symlink("loop1.yaml", dir.path().join("a/loop2.yaml")).unwrap();
    let report = check(&[path(dir.path())]);
    assert_eq!(report["summary"]["templates"], 1, "{report:#}");
    no_parse_error(&report);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp();
    let file = dir.path().join("secret.yaml");
    std::fs::write(&file, POOL).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&file).is_ok() {
        eprintln!("skipped: running as root, where mode 000 is still readable");
        return;
    }
    let report = check(&[path(&file)]);
    let d = parse_error(&report, 0);
    assert!(
        d["message"].as_str().unwrap().contains("cannot read"),
        "{d}"
    );
    // Walked, it is skipped silently unless it has a template's extension; this one has.
    let report = check(&[path(dir.path())]);
    parse_error(&report, 0);
}

/// Reading a directory is the one read error a test running as root still gets.
#[test]
fn a_directory_named_like_a_template_is_not_read() {
    let dir = temp();
    std::fs::create_dir(dir.path().join("dir.yaml")).unwrap();
    std::fs::write(dir.path().join("dir.yaml/pool.yaml"), POOL).unwrap();
    let report = check(&[path(dir.path())]);
    assert_eq!(report["summary"]["templates"], 1, "{report:#}");
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_never_blocks() {
    let dir = temp();
    std::fs::write(dir.path().join("pool.yaml"), POOL).unwrap();
    mkfifo(&dir.path().join("fifo.yaml"));
    std::fs::create_dir(dir.path().join("cdk.out")).unwrap();
    mkfifo(&dir.path().join("cdk.out/manifest.json"));
    // Walked: skipped.
    let report = check(&[path(dir.path())]);
    assert_eq!(report["summary"]["templates"], 1, "{report:#}");
    no_parse_error(&report);
    // Named: reported, not opened.
    let fifo = dir.path().join("fifo.yaml");
    let report = check(&[path(&fifo)]);
    let d = parse_error(&report, 0);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file"),
        "{d}"
    );
    let report = check(&[path(&dir.path().join("cdk.out"))]);
    no_parse_error(&report);
}

#[test]
fn numbers_with_ten_thousand_digits() {
    let digits: String = (0..10_000)
        .map(|i| char::from(b'1' + (i % 9) as u8))
        .collect();
    let yaml = format!(
        "{HEAD}Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      \
         A: {digits}\n      B: -{digits}.{digits}e{digits}\n      C: 0x{digits}\n      D: 0{digits}\n"
    );
    no_parse_error(&check_text("digits.yaml", yaml));
    let json = format!(
        "{{\"Resources\": {{\"T\": {{\"Type\": \"AWS::SNS::Topic\", \"Properties\": \
         {{\"A\": {digits}, \"B\": -{digits}.{digits}e{digits}}}}}}}}}"
    );
    no_parse_error(&check_text("digits.json", json));
}

/// `count` conditions `C0..` over one parameter, as YAML.
fn conditions(count: usize) -> String {
    let mut text = String::from("Parameters:\n  Env:\n    Type: String\nConditions:\n");
    for i in 0..count {
        text.push_str(&format!("  C{i}: !Equals [!Ref Env, e{i}]\n"));
    }
    text
}

#[test]
fn two_hundred_nested_ifs_over_distinct_conditions() {
    let mut from = String::from("last@example.com");
    for i in (0..200).rev() {
        from = format!("{{\"Fn::If\": [C{i}, \"v{i}@example.com\", {from}]}}");
    }
    let text = format!(
        "{HEAD}{}Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      \
         EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        From: {from}\n",
        conditions(200)
    );
    let report = check_text("ifs.yaml", text);
    no_parse_error(&report);
    assert!(report["summary"]["templates"] == 1);
}

#[test]
fn self_referential_ref_sub_and_get_att() {
    let text = format!(
        "{HEAD}Resources:\n  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n      \
         EmailIdentity: !Ref Identity\n  Other:\n    Type: AWS::SES::EmailIdentity\n    \
         Properties:\n      EmailIdentity: !Sub '${{Other}}.${{Identity}}'\n  Pool:\n    \
         Type: AWS::Cognito::UserPool\n    Properties:\n      EmailConfiguration:\n        \
         EmailSendingAccount: DEVELOPER\n        From: !Sub 'me@${{Other}}'\n        \
         SourceArn: !GetAtt Pool.Arn\n"
    );
    let report = check_text("cycle.yaml", text);
    no_parse_error(&report);
    assert!(!diagnostics(&report).is_empty());
}

#[test]
fn import_value_cycle_across_two_stacks() {
    let dir = temp();
    let export = |name: &str, imports: &str| {
        format!(
            "{HEAD}Metadata: {{sandtrap: {{region: us-east-1}}}}\nResources:\n  Topic:\n    \
             Type: AWS::SNS::Topic\nOutputs:\n  Out:\n    Value: !ImportValue {imports}\n    \
             Export:\n      Name: {name}\n"
        )
    };
    std::fs::write(dir.path().join("a.yaml"), export("A", "B")).unwrap();
    std::fs::write(dir.path().join("b.yaml"), export("B", "A")).unwrap();
    std::fs::write(
        dir.path().join("pool.yaml"),
        POOL.replace("From: no-reply@example.com", "From: !ImportValue A")
            + "Metadata: {sandtrap: {region: us-east-1}}\n",
    )
    .unwrap();
    let report = check(&[path(dir.path())]);
    no_parse_error(&report);
    assert_eq!(report["summary"]["templates"], 3);
}

#[test]
fn a_sub_with_ten_thousand_placeholders() {
    let known = "${Domain}".repeat(10_000);
    let unknown: String = (0..10_000).map(|i| format!("${{Missing{i}}}")).collect();
    for from in [known, unknown] {
        let text = format!(
            "{HEAD}Parameters:\n  Domain:\n    Type: String\n    Default: example.com\n\
             Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      \
             EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        \
             From: !Sub 'a@{from}'\n"
        );
        let report = check_text("sub.yaml", text);
        no_parse_error(&report);
        // The first few undefined placeholders are reported, not ten thousand.
        let unresolved = codes(&report).iter().filter(|c| *c == "ST002").count();
        assert!(unresolved <= 8, "{unresolved}");
        assert!(report.to_string().len() < 1 << 20);
    }
}

#[test]
fn a_cdk_assembly_that_points_to_itself_and_outside() {
    let dir = temp();
    let out = dir.path().join("cdk.out");
    std::fs::create_dir_all(out.join("stage")).unwrap();
    std::fs::write(
        dir.path().join("outside.template.json"),
        "{\"Resources\": {}}",
    )
    .unwrap();
    std::fs::write(
        out.join("manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {
  "Self": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}},
  "Up": {"type": "cdk:cloud-assembly", "properties": {"directoryName": ".."}},
  "Stage": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "stage"}},
  "Escape": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../outside.template.json"}}
}}"#,
    )
    .unwrap();
    std::fs::write(
        out.join("stage/manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {
  "Back": {"type": "cdk:cloud-assembly", "properties": {"directoryName": ".."}},
  "Again": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "../stage"}}
}}"#,
    )
    .unwrap();
    let report = check(&[path(&out)]);
    let messages: Vec<&str> = diagnostics(&report)
        .iter()
        .filter(|d| d["code"] == "ST001")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 5, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`Self`") && m.contains("already read"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`Up`") && m.contains("outside"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`Escape`") && m.contains("outside"))
    );
    assert!(messages.iter().any(|m| m.contains("`Back`")));
    assert!(messages.iter().any(|m| m.contains("`Again`")));
}

/// Every file under `dir` with its modification time and contents.
fn snapshot(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            }
            let contents = if meta.is_file() {
                std::fs::read(entry.path()).unwrap()
            } else {
                Vec::new()
            };
            files.push((entry.path(), meta.modified().unwrap(), contents));
        }
    }
    files.sort();
    files
}

#[test]
fn analyzed_files_and_directories_are_never_written() {
    let dir = temp();
    copy_dir(Path::new("testdata/rules"), &dir.path().join("rules"));
    copy_dir(Path::new("testdata/cdk"), &dir.path().join("cdk"));
    let before = snapshot(dir.path());
    let started = std::time::SystemTime::now();
    std::thread::sleep(Duration::from_millis(20));
    check(&[path(dir.path())]);
    let dir_path = dir.path().to_path_buf();
    let run = bounded(LIMIT, move || {
        run(&["facts", dir_path.to_str().unwrap()], "").stdout.len()
    });
    assert!(run > 0);
    let after = snapshot(dir.path());
    assert_eq!(before.len(), after.len(), "files were created or removed");
    for ((path, mtime, contents), (_, mtime2, contents2)) in before.iter().zip(&after) {
        assert_eq!(mtime, mtime2, "{} was touched", path.display());
        assert!(*mtime2 < started);
        assert!(contents == contents2, "{} changed", path.display());
    }
}

/// No HTTP client, TLS stack or DNS resolver in the default build: sandtrap cannot reach an
/// address. (The opt-in `aws` feature adds the AWS SDK; `Cargo.lock` lists it, the default
/// dependency graph must not.)
#[test]
fn no_network_crate_is_linked() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"sandtrap"), "{tree}");
    for name in [
        "reqwest",
        "ureq",
        "hyper",
        "curl",
        "isahc",
        "attohttpc",
        "rustls",
        "native-tls",
        "openssl",
        "trust-dns-resolver",
        "hickory-resolver",
        "tokio",
        "aws-config",
    ] {
        assert!(
            !crates.contains(&name),
            "{name} is in the default dependency graph"
        );
    }
}

const NO_ECHO: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata: {sandtrap: {region: eu-west-1}}\n\
Parameters:\n  SenderDomain:\n    Type: String\n    NoEcho: true\n    Default: hush-hush.example\n\
  Visible:\n    Type: String\n    Default: shown.example\nResources:\n  Pool:\n    \
Type: AWS::Cognito::UserPool\n    Properties:\n      EmailConfiguration:\n        \
EmailSendingAccount: DEVELOPER\n        From: !Sub 'no-reply@${SenderDomain}'\n        \
SourceArn: !Sub 'arn:aws:ses:ap-south-1:123456789012:identity/${SenderDomain}'\n        \
ReplyToEmailAddress: !Sub 'help@${Visible}'\n";

#[test]
fn no_echo_parameter_values_are_masked() {
    let name = "noecho.yaml";
    for (args, secret) in [
        (vec![], "hush-hush.example"),
        (
            vec!["--param", "SenderDomain=override.example"],
            "override.example",
        ),
    ] {
        let mut all = vec!["check", "--format", "json", "--stdin-filename", name];
        all.extend(args.iter().copied());
        all.push("-");
        let checked = run(&all, NO_ECHO);
        assert!(!checked.stdout.contains(secret), "{}", checked.stdout);
        assert!(!diagnostics(&serde_json::from_str(&checked.stdout).unwrap()).is_empty());
        assert!(checked.stdout.contains("****"), "{}", checked.stdout);
        for format in ["human", "concise"] {
            let mut all = vec!["check", "--format", format, "--stdin-filename", name];
            all.extend(args.iter().copied());
            all.push("-");
            let out = run(&all, NO_ECHO);
            // The human report quotes the template's own text, where a `Default` is written;
            // an override never appears.
            let shown = out.stdout.replace("Default: hush-hush.example", "");
            assert!(!shown.contains(secret), "{format}: {}", out.stdout);
        }
        let mut all = vec!["facts", "--stdin-filename", name];
        all.extend(args.iter().copied());
        all.push("-");
        let facts = run(&all, NO_ECHO);
        assert!(!facts.stdout.contains(secret), "{}", facts.stdout);
        assert!(facts.stdout.contains("no-reply@****"), "{}", facts.stdout);
    }
}

/// Inputs the fuzzers found: each must load and check without a panic.
#[test]
fn fuzz_findings_replay() {
    let dir = Path::new("testdata/hostile/fuzz");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for name in ["fuzz.yaml", "fuzz.json"] {
            check_text(name, text.clone());
        }
        let (decoded, _) = sandtrap::load::decode(&bytes);
        sandtrap::load::load(&decoded, sandtrap::load::Format::Yaml);
        sandtrap::load::load(&decoded, sandtrap::load::Format::Json);
        count += 1;
    }
    eprintln!("replayed {count} fuzz findings");
}

#[test]
fn time_is_bounded() {
    // One representative big case is timed outright, so a slowdown shows as a failure rather
    // than only as a slow suite.
    let started = Instant::now();
    let text = format!(
        "{HEAD}Metadata: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    check_text("deep.yaml", text);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// Thousands of pools whose `CreateAuthChallenge` names one function, and thousands of policies
/// attached to its role: the trigger-sender links are indexed once per template, not searched
/// per pool (quadratic).
#[test]
fn thousands_of_pool_triggers_and_attached_policies() {
    let count = 3_000;
    let mut text = format!(
        "{HEAD}Metadata: {{sandtrap: {{region: us-west-2}}}}\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {{Role: !GetAtt Role.Arn}}\n  Role:\n    Type: AWS::IAM::Role\n"
    );
    for i in 0..count {
        text.push_str(&format!(
            "  Pool{i}:\n    Type: AWS::Cognito::UserPool\n    Properties: {{LambdaConfig: {{CreateAuthChallenge: !GetAtt Fn.Arn}}}}\n  Policy{i}:\n    Type: AWS::IAM::Policy\n    Properties: {{Roles: [!Ref Role], PolicyDocument: {{Statement: [{{Effect: Allow, Action: sns:Publish, Resource: '*'}}]}}}}\n"
        ));
    }
    text.push_str("  Mail:\n    Type: AWS::IAM::Policy\n    Properties: {Roles: [!Ref Role], PolicyDocument: {Statement: [{Effect: Allow, Action: ses:SendEmail, Resource: '*'}]}}\n");
    let report = check_text("triggers.yaml", text);
    let found = diagnostics(&report)
        .iter()
        .filter(|d| d["code"] == "ST104")
        .count();
    assert_eq!(found, count, "{}", report["summary"]);
}

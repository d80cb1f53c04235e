//! Hostile input: every case ends in bounded time with a located `ST001` or a correct result,
//! never a panic, a hang or an abort. Big inputs are generated in memory; small ones are files
//! under `testdata/hostile/`. Inputs the fuzzers found are replayed from `testdata/hostile/fuzz/`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::support::{codes, copy_dir, run};

/// Generous enough for a debug build on a loaded 2-core machine; a hang fails instead of
/// blocking the suite.
pub(crate) const LIMIT: Duration = Duration::from_secs(60);

/// Runs `f` on another thread and fails the test if it does not finish within `limit`.
pub(crate) fn bounded<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
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
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let readable = std::fs::File::open(&file).is_ok();
    let Some((_, report)) = check_unprivileged(readable, &[path(&file)]) else {
        eprintln!("skipped: running as root without setpriv, where mode 000 is still readable");
        return;
    };
    let d = parse_error(&report, 0);
    assert!(
        d["message"].as_str().unwrap().contains("cannot read"),
        "{d}"
    );
    // Walked, it is skipped silently unless it has a template's extension; this one has.
    let (_, report) = check_unprivileged(readable, &[path(dir.path())]).unwrap();
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

/// `sandtrap ARGS` with `stdin` as standard input, bounded; stdout and stderr are checked never
/// to contain `secret`.
fn run_guarded(
    args: &[&str],
    stdin: Box<dyn std::io::Read + Send>,
    secret: &str,
) -> crate::support::Run {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let run = bounded(LIMIT, move || {
        use clap::Parser;
        let cli = sandtrap::cli::Cli::try_parse_from(
            std::iter::once("sandtrap")
                .chain(args.iter().map(String::as_str))
                .chain(args.first().filter(|a| *a == "check").map(|_| "--no-cache")),
        )
        .unwrap();
        let mut stdin = stdin;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let exit = sandtrap::cli::run(
            cli,
            sandtrap::cli::Io {
                stdin: &mut stdin,
                stdout: &mut out,
                stderr: &mut err,
                stdout_is_terminal: false,
                stderr_is_terminal: false,
            },
        )
        .unwrap();
        crate::support::Run {
            exit,
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
        }
    });
    assert!(!run.stdout.contains(secret), "{}", run.stdout);
    assert!(!run.stderr.contains(secret), "{}", run.stderr);
    run
}

/// Zeros without end, as `/dev/zero` gives; an error past 256 MiB stands for running out of
/// memory, so an unbounded read fails the test instead of the machine.
struct Zeros(u64);

impl std::io::Read for Zeros {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 > 256 << 20 {
            return Err(std::io::Error::other("read without a bound"));
        }
        buf.fill(0);
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
}

#[test]
fn standard_input_is_bounded() {
    let run = run_guarded(
        &["check", "--stdin-filename", "t.yaml", "-"],
        Box::new(Zeros(0)),
        "\0",
    );
    assert_eq!(run.exit, sandtrap::cli::Exit::Usage);
    assert!(
        run.stderr
            .contains("cannot read standard input: larger than 128 MiB"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_config_or_parameter_file_that_is_a_fifo_never_blocks() {
    let dir = temp();
    let (fifo, param_fifo) = (dir.path().join("fifo.yaml"), dir.path().join("fifo.json"));
    mkfifo(&fifo);
    mkfifo(&param_fifo);
    for args in [
        ["--config", path(&fifo)],
        ["--param-file", path(&param_fifo)],
    ] {
        let mut all = vec!["check"];
        all.extend(args);
        all.push(path(dir.path()));
        let run = run_guarded(&all, Box::new(std::io::empty()), "\0");
        assert_eq!(run.exit, sandtrap::cli::Exit::Usage, "{args:?}");
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    }
}

/// What a CI job can read and must never print: a credentials file outside the checkout.
const CREDENTIALS: &str = "[default]\naws_access_key_id = AKIAEXAMPLEKEYID\n\
aws_secret_access_key = TopSecretAccessKeyValue\n";
const SECRET: &str = "TopSecretAccessKeyValue";

#[cfg(unix)]
#[test]
fn settings_files_that_link_outside_the_project_are_refused() {
    let outside = temp();
    let credentials = outside.path().join("credentials");
    std::fs::write(&credentials, CREDENTIALS).unwrap();
    let project = temp();
    let link = |name: &str| {
        let at = project.path().join(name);
        std::os::unix::fs::symlink(&credentials, &at).unwrap();
        at
    };
    std::fs::write(project.path().join("pool.yaml"), POOL).unwrap();
    let config = link(".sandtrap.yaml");
    std::fs::create_dir(project.path().join("rules")).unwrap();
    link("rules/custom.yaml");
    let samconfig = link("samconfig.toml");
    let params = link("params.json");
    let template = path(&project.path().join("pool.yaml")).to_owned();
    let rules = path(&project.path().join("rules")).to_owned();
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", "--config", path(&config), &template],
        vec!["check", "--rules", &rules, &template],
        vec!["rules", "--rules", &rules],
        vec!["check", "--param-file", path(&samconfig), &template],
        vec!["check", "--param-file", path(&params), &template],
    ];
    for args in cases {
        let run = run_guarded(&args, Box::new(std::io::empty()), SECRET);
        assert_eq!(run.exit, sandtrap::cli::Exit::Usage, "{args:?}");
        assert!(
            run.stderr.contains("outside the project"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // Found upward from standard input's name, as from the current directory.
    let stdin_name = path(&project.path().join("pool.yaml")).to_owned();
    let run = run_guarded(
        &["check", "--stdin-filename", &stdin_name, "-"],
        Box::new(POOL.as_bytes()),
        SECRET,
    );
    assert_eq!(run.exit, sandtrap::cli::Exit::Usage);
    assert!(run.stderr.contains("outside the project"), "{}", run.stderr);
}

#[test]
fn settings_files_that_are_not_settings_are_never_quoted() {
    let dir = temp();
    let template = dir.path().join("pool.yaml");
    std::fs::write(&template, POOL).unwrap();
    let template = path(&template).to_owned();
    let write = |name: &str, text: &str| {
        let at = dir.path().join(name);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(&at, text).unwrap();
        path(&at).to_owned()
    };
    let environ = format!("HOME=/root\0AWS_SECRET_ACCESS_KEY={SECRET}\0PATH=/bin\0");
    let cases = [
        vec![
            "check".to_owned(),
            "--config".into(),
            write("creds.yaml", CREDENTIALS),
            template.clone(),
        ],
        vec![
            "check".to_owned(),
            "--config".into(),
            write("environ.yaml", &environ),
            template.clone(),
        ],
        vec![
            "check".to_owned(),
            "--config".into(),
            write("mapping.yaml", &format!("password: {SECRET}\n")),
            template.clone(),
        ],
        {
            write("rules/creds.yaml", CREDENTIALS);
            vec![
                "rules".to_owned(),
                "--rules".into(),
                path(&dir.path().join("rules")).to_owned(),
            ]
        },
        // A samconfig with a syntax error on the `parameter_overrides` line, where the secrets
        // are; and one with a typo in an override.
        vec![
            "check".to_owned(),
            "--param-file".into(),
            write(
                "samconfig.toml",
                &format!(
                    "[default.deploy.parameters]\nparameter_overrides = \"DbPassword={SECRET} Env=prod\n"
                ),
            ),
            template.clone(),
        ],
        vec![
            "check".to_owned(),
            "--param-file".into(),
            write(
                "typo/samconfig.toml",
                &format!(
                    "[default.deploy.parameters]\nparameter_overrides = \"DbPassword:{SECRET}\"\n"
                ),
            ),
            template.clone(),
        ],
        vec![
            "check".to_owned(),
            "--param-file".into(),
            write(
                "samconfig.yaml",
                &format!(
                    "default:\n  deploy:\n    parameters:\n      parameter_overrides: [DbPassword={SECRET}\n"
                ),
            ),
            template.clone(),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = run_guarded(&args, Box::new(std::io::empty()), SECRET);
        assert_eq!(run.exit, sandtrap::cli::Exit::Usage, "{args:?}");
        // Located all the same.
        assert!(
            run.stderr.contains(":1:")
                || run.stderr.contains(":2:")
                || run.stderr.contains(":4:")
                || run.stderr.contains("override 1"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn a_walked_file_link_is_followed_only_inside_the_root() {
    let dir = temp();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::create_dir(dir.path().join("outside")).unwrap();
    std::fs::write(root.join("pool.yaml"), POOL).unwrap();
    std::fs::write(dir.path().join("outside/t.yaml"), POOL).unwrap();
    std::os::unix::fs::symlink("../outside/t.yaml", root.join("evil.yaml")).unwrap();
    std::os::unix::fs::symlink("../pool.yaml", root.join("sub/inner.yaml")).unwrap();
    let report = check(&[path(&root)]);
    assert!(!report.to_string().contains("evil.yaml"), "{report:#}");
    // `pool.yaml` and the link to it inside the root are one file.
    assert_eq!(report["summary"]["templates"], 1, "{report:#}");
    // Named on the command line, the link is read.
    let report = check(&[path(&root.join("evil.yaml"))]);
    assert_eq!(report["summary"]["templates"], 1, "{report:#}");
}

/// `sandtrap check --format json ARGS` as a user to whom mode 000 means something: the test's
/// own user (in-process) when the mode-000 file or directory is not `readable` to it, or else
/// (the tests run as root, where mode 000 is still readable) `nobody` through `setpriv`, on the
/// built binary. `None` when neither is possible.
#[cfg(unix)]
fn check_unprivileged(readable: bool, args: &[&str]) -> Option<(i32, Value)> {
    if !readable {
        let run = run(&[&["check", "--format", "json"][..], args].concat(), "");
        let code = run.exit as i32;
        return Some((
            code,
            serde_json::from_str(&run.stdout).unwrap_or(Value::Null),
        ));
    }
    let output = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_sandtrap"))
        .env("SANDTRAP_NO_CACHE", "1")
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .ok()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("setpriv:") {
        return None;
    }
    Some((
        output.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
    ))
}

#[cfg(unix)]
#[test]
fn an_unreadable_directory_is_never_a_silent_pass() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("pool.yaml"), POOL).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Walked: ST001 against the directory, exit 1.
    let readable = std::fs::read_dir(&locked).is_ok();
    let Some((code, report)) = check_unprivileged(readable, &[path(dir.path())]) else {
        eprintln!("skipped: running as root without setpriv, where mode 000 is still readable");
        return;
    };
    assert_eq!(code, 1, "{report:#}");
    let d = parse_error(&report, 0);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("cannot read directory"),
        "{d}"
    );
    assert!(d["file"].as_str().unwrap().ends_with("locked"), "{d}");
    // Named: the run cannot proceed as asked.
    let (code, _) = check_unprivileged(readable, &[path(&locked)]).unwrap();
    assert_eq!(code, 2);
}

#[test]
fn a_named_file_in_utf32_or_all_nul_bytes_is_reported() {
    let dir = temp();
    let utf32 = |big: bool| -> Vec<u8> {
        POOL.chars()
            .flat_map(|c| {
                let n = c as u32;
                if big {
                    n.to_be_bytes()
                } else {
                    n.to_le_bytes()
                }
            })
            .collect()
    };
    let mut bom_le = vec![0xFF, 0xFE, 0, 0];
    bom_le.extend(utf32(false));
    let cases = [
        ("le.yaml", utf32(false), "UTF-32"),
        ("be.yaml", utf32(true), "UTF-32"),
        ("bom.yaml", bom_le, "UTF-32"),
        ("nul.json", vec![0; 1024], "control character U+0000"),
    ];
    for (name, bytes, needle) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, &bytes).unwrap();
        let report = check(&[path(&file)]);
        let d = parse_error(&report, bytes.len());
        assert!(
            d["message"].as_str().unwrap().contains(needle),
            "{name}: {d}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_forty_deep_assembly_chain_is_too_deep_and_a_device_is_not_a_template() {
    let dir = temp();
    let mut at = dir.path().join("cdk.out");
    for _ in 0..40 {
        std::fs::create_dir_all(at.join("a")).unwrap();
        std::fs::write(
            at.join("manifest.json"),
            r#"{"version": "36.0.0", "artifacts": {"Deeper": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "a"}}}}"#,
        )
        .unwrap();
        at = at.join("a");
    }
    let report = check(&[path(&dir.path().join("cdk.out"))]);
    let d = parse_error(&report, usize::MAX);
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("more than 32 assemblies deep"), "{d}");
    assert!(!message.contains("already read"), "{d}");

    let out = dir.path().join("zero.out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(
        out.join("manifest.json"),
        r#"{"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "/dev/zero"}}}}"#,
    )
    .unwrap();
    let report = check(&[path(&out)]);
    let d = parse_error(&report, usize::MAX);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("is not a regular file"),
        "{d}"
    );
}

#[test]
fn file_size_bounds() {
    let dir = temp();
    // Sparse files: measured, refused before a byte is read.
    let sparse = |name: &str, len: u64| {
        let at = dir.path().join(name);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::File::create(&at).unwrap().set_len(len).unwrap();
        path(&at).to_owned()
    };
    let template = sparse("big.yaml", sandtrap::input::MAX_FILE_BYTES + 1);
    let report = check(&[&template]);
    let d = parse_error(&report, 0);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("larger than 128 MiB"),
        "{d}"
    );
    let settings = sandtrap::input::MAX_SETTINGS_BYTES + 1;
    std::fs::write(dir.path().join("pool.yaml"), POOL).unwrap();
    let pool = path(&dir.path().join("pool.yaml")).to_owned();
    sparse("rules/big.yaml", settings);
    let rules = path(&dir.path().join("rules")).to_owned();
    let config = sparse("big-config.yaml", settings);
    let params = sparse("params.json", settings);
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", "--config", &config, &pool],
        vec!["check", "--param-file", &params, &pool],
        vec!["check", "--rules", &rules, &pool],
    ];
    for args in cases {
        let run = run_guarded(&args, Box::new(std::io::empty()), "\0");
        assert_eq!(run.exit, sandtrap::cli::Exit::Usage, "{args:?}");
        assert!(
            run.stderr.contains("larger than 4 MiB"),
            "{args:?}: {}",
            run.stderr
        );
    }
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
    // The cycle ends as an unknown value that says so (ST003 for the unknown region would be
    // there whatever the resolver did).
    let cycle = diagnostics(&report).iter().find(|d| {
        d["code"] == "ST002"
            && d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("`From` of `Pool`") && m.contains("reference cycle"))
    });
    assert!(cycle.is_some(), "{report:#}");
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
fn deep_nesting_is_judged() {
    // How long it takes is measured in `benches/load.rs` (`deep_nesting`), not here.
    let text = format!(
        "{HEAD}Metadata: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    check_text("deep.yaml", text);
}

/// A `NoEcho` list taken apart: each piece of the secret is as secret as the whole.
const NO_ECHO_PARTS: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\n\
Metadata: {sandtrap: {region: eu-west-1}}\nParameters:\n  Csv:\n    Type: CommaDelimitedList\n    \
NoEcho: true\n    Default: DefaultSecretA,DefaultSecretB\n  Plain:\n    Type: String\n    NoEcho: true\n    \
Default: \"PlainSecretC|PlainSecretD\"\nResources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    \
Properties:\n      EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        \
From: !Join ['', ['x@', !Select [0, !Split [',', !Join [',', !Ref Csv]]]]]\n        \
ReplyToEmailAddress: !Join ['', ['r@', !Select [1, !Ref Csv], '.', !Select [1, !Split ['|', !Ref Plain]]]]\n        \
SourceArn: !Sub\n          - 'arn:aws:ses:ap-south-1:123456789012:identity/${Part}.${Enc}'\n          \
- Part: !Select [1, !Split ['|', !Ref Plain]]\n            Enc: !Base64 {'Fn::Select': [0, !Ref Csv]}\n";

#[test]
fn no_echo_values_are_masked_in_every_part_derived_from_them() {
    let dir = temp();
    let template = dir.path().join("parts.yaml");
    std::fs::write(&template, NO_ECHO_PARTS).unwrap();
    let template = path(&template).to_owned();
    let params = dir.path().join("params.json");
    std::fs::write(
        &params,
        r#"[{"ParameterKey": "Csv", "ParameterValue": "FileSecretA,FileSecretB"}]"#,
    )
    .unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        "stacks:\n  - files: \"**\"\n    params: {Csv: \"ConfigSecretA,ConfigSecretB\"}\n",
    )
    .unwrap();
    let output = dir.path().join("out.txt");
    let cases: Vec<(Vec<String>, [&str; 2])> = vec![
        (vec![], ["DefaultSecretA", "DefaultSecretB"]),
        (
            vec!["--param".into(), "Csv=ParamSecretA,ParamSecretB".into()],
            ["ParamSecretA", "ParamSecretB"],
        ),
        (
            vec!["--param-file".into(), path(&params).into()],
            ["FileSecretA", "FileSecretB"],
        ),
        (
            vec!["--config".into(), path(&config).into()],
            ["ConfigSecretA", "ConfigSecretB"],
        ),
    ];
    for (args, secrets) in cases {
        let mut outputs = Vec::new();
        for format in [
            "human", "concise", "json", "sarif", "junit", "github", "gitlab",
        ] {
            let mut all = vec!["check", "--format", format];
            all.extend(args.iter().map(String::as_str));
            all.push(&template);
            let out = run(&all, "");
            assert_eq!(
                out.exit,
                sandtrap::cli::Exit::Findings,
                "{format}: {}{}",
                out.stdout,
                out.stderr
            );
            outputs.push((format.to_owned(), out.stdout, out.stderr));
            let mut all = vec!["check", "--format", format, "--output-file", path(&output)];
            all.extend(args.iter().map(String::as_str));
            all.push(&template);
            run(&all, "");
            outputs.push((
                format!("{format} --output-file"),
                std::fs::read_to_string(&output).unwrap(),
                String::new(),
            ));
        }
        let mut all = vec!["facts"];
        all.extend(args.iter().map(String::as_str));
        all.push(&template);
        let facts = run(&all, "");
        assert!(facts.stdout.contains("x@****"), "{}", facts.stdout);
        outputs.push(("facts".into(), facts.stdout, facts.stderr));
        for (format, stdout, stderr) in outputs {
            // The human report quotes the template's own lines, where the `Default`s are
            // written by the template's author; nothing else may show a secret or a piece of one.
            let shown = stdout
                .replace("Default: DefaultSecretA,DefaultSecretB", "")
                .replace("Default: \"PlainSecretC|PlainSecretD\"", "");
            for secret in secrets.iter().chain(&["PlainSecretC", "PlainSecretD"]) {
                assert!(
                    !shown.contains(secret) && !stderr.contains(secret),
                    "{format} shows {secret}: {stdout}{stderr}"
                );
            }
            for encoded in [
                "RGVmYXVsdFNlY3JldEE",
                "UGFyYW1TZWNyZXRB",
                "RmlsZVNlY3JldEE",
                "Q29uZmlnU2VjcmV0QQ",
            ] {
                assert!(
                    !shown.contains(encoded),
                    "{format} shows {encoded}: {stdout}"
                );
            }
        }
    }
}

/// Masking is one pass per text, not secrets × texts: 10,000 `NoEcho` defaults and 200
/// findings finish well inside the watchdog.
#[test]
fn masking_many_secrets_is_linear() {
    let mut t = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata: {sandtrap: {region: eu-west-1}}\nParameters:\n",
    );
    for i in 0..10_000 {
        t.push_str(&format!(
            "  S{i}:\n    Type: String\n    NoEcho: true\n    Default: secret-value-{i:05}\n"
        ));
    }
    t.push_str("Resources:\n");
    for i in 0..200 {
        t.push_str(&format!(
            "  Pool{i}:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      EmailConfiguration:\n        \
EmailSendingAccount: DEVELOPER\n        From: !Sub 'a@${{S{i}}}.example'\n"
        ));
    }
    let report = bounded(LIMIT, move || check_text("many.yaml", t));
    let shown = report.to_string();
    assert!(!diagnostics(&report).is_empty());
    assert!(!shown.contains("secret-value-"), "{shown}");
}

/// `sandtrap check FILE` in the default (human) format, bounded.
fn check_human(file: &Path) -> crate::support::Run {
    let file = file.to_owned();
    bounded(LIMIT, move || run(&["check", path(&file)], ""))
}

#[test]
fn a_diagnostic_past_column_65535_renders_in_the_default_format() {
    // Minified JSON as template generators write it; miette's graphical handler panics on a
    // label past column 65,535, so the human format shows a window of the line.
    let dir = temp();
    let file = dir.path().join("min.json");
    let text = format!(
        "{{\"Resources\":{{\"T\":{{\"Type\":\"AWS::SNS::Topic\",\"Properties\":{{\"TopicName\":\"{}\"}}}},}}}}\n",
        "p".repeat(70_000)
    );
    std::fs::write(&file, &text).unwrap();
    let run = check_human(&file);
    assert_eq!(run.exit, sandtrap::cli::Exit::Findings, "{}", run.stderr);
    assert!(run.stdout.contains("trailing comma"), "{}", run.stdout);
    assert!(run.stdout.contains("min.json:1:70075]"), "{}", run.stdout);
    assert!(run.stdout.len() < 2_000, "{}", run.stdout);
    // The caret stands under the comma.
    let lines: Vec<&str> = run.stdout.lines().collect();
    let source = lines.iter().position(|l| l.contains('…')).unwrap();
    let caret = lines[source + 1].chars().position(|c| c == '┬').unwrap();
    assert_eq!(
        lines[source].chars().nth(caret),
        Some(','),
        "{}",
        run.stdout
    );
}

/// One line of minified JSON, `size` bytes or a little more, with 4,000 duplicate keys spread
/// along it.
fn one_line_template(size: usize) -> String {
    let pad = "x".repeat(size / 4_000);
    let keys: Vec<String> = (0..4_000).map(|_| format!("\"k\":\"{pad}\"")).collect();
    format!(
        "{{\"Metadata\":{{{}}},\"Resources\":{{\"T\":{{\"Type\":\"AWS::SNS::Topic\"}}}}}}",
        keys.join(",")
    )
}

#[test]
fn a_hundred_megabyte_one_line_template_gives_a_report_of_a_few_kilobytes() {
    // 3,999 findings on one line printed the whole line each: gigabytes. Snippets are windows
    // and the human format shows 10 per file and code; unoptimized, 10 MB stands for 100.
    let size = if cfg!(debug_assertions) {
        10 << 20
    } else {
        100 << 20
    };
    let dir = temp();
    let file = dir.path().join("big.json");
    std::fs::write(&file, one_line_template(size)).unwrap();
    let run = check_human(&file);
    assert_eq!(run.exit, sandtrap::cli::Exit::Findings, "{}", run.stderr);
    assert!(run.stdout.len() < 64 << 10, "{} bytes", run.stdout.len());
    assert_eq!(run.stdout.matches("defined again here").count(), 10);
    let more = format!(
        "… and 3,989 more ST006 in {} (--format concise lists every one)",
        path(&file)
    );
    assert!(run.stdout.contains(&more), "{}", run.stdout);
    assert!(
        run.stdout.contains("Found 0 errors, 3999 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
fn four_thousand_aliases_on_one_line() {
    // 16 KB of YAML that wrote 129 MB in the human format; the machine formats keep every one.
    let aliases = vec!["*a"; 4_000].join(", ");
    let text = format!("{HEAD}Metadata:\n  a: &a x\n  b: [{aliases}]\nResources: {{}}\n");
    let dir = temp();
    let file = dir.path().join("aliases.yaml");
    std::fs::write(&file, &text).unwrap();
    let run = check_human(&file);
    assert!(run.stdout.len() < 64 << 10, "{} bytes", run.stdout.len());
    assert!(run.stdout.contains("more ST001 in"), "{}", run.stdout);
    let report = check(&[path(&file)]);
    assert_eq!(diagnostics(&report).len(), 4_000, "{report:#}");
}

/// Every position of `report` as (code, line, column, offset).
fn positions(report: &Value) -> Vec<(String, u64, u64, u64)> {
    diagnostics(report)
        .iter()
        .map(|d| {
            let start = &d["range"]["start"];
            (
                d["code"].as_str().unwrap().to_owned(),
                start["line"].as_u64().unwrap(),
                start["column"].as_u64().unwrap(),
                start["offset"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn lone_carriage_return_line_ends() {
    // Classic Mac line ends: YAML breaks lines at a lone CR, so every format must too (every
    // diagnostic was on line 1).
    let lf = std::fs::read_to_string("testdata/rules/ST101/fail-sandbox-self-signup.yaml").unwrap();
    let cr = lf.replace('\n', "\r");
    let dir = temp();
    let (lf_file, cr_file) = (dir.path().join("lf.yaml"), dir.path().join("cr.yaml"));
    std::fs::write(&lf_file, &lf).unwrap();
    std::fs::write(&cr_file, &cr).unwrap();
    let args = ["--ses-sandbox", "us-west-2"];
    let json = |file: &Path| check(&[args[0], args[1], path(file)]);
    let expected = positions(&json(&lf_file));
    assert!(
        expected.iter().any(|p| p.0 == "ST101" && p.1 == 15),
        "{expected:?}"
    );
    assert_eq!(positions(&json(&cr_file)), expected);

    let sarif = |file: &Path| {
        let run = run(
            &["check", "--format", "sarif", args[0], args[1], path(file)],
            "",
        );
        let log: Value = serde_json::from_str(&run.stdout).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["locations"][0]["physicalLocation"]["region"].clone())
            .collect::<Vec<Value>>()
    };
    assert_eq!(sarif(&cr_file), sarif(&lf_file));

    let human = run(&["check", args[0], args[1], path(&cr_file)], "");
    assert!(human.stdout.contains("cr.yaml:15:20]"), "{}", human.stdout);
    assert!(
        human.stdout.contains(" 15 │         SourceArn: !Sub"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains('\r'), "{}", human.stdout);
}

#[test]
fn identical_diagnostics_are_reported_once() {
    // A finding true in every condition variant was reported once per variant, and twice
    // through a condition that refers to itself.
    let pool = |from: &str| {
        format!(
            "{HEAD}Parameters:\n  Env:\n    Type: String\nConditions:\n  Prod: !Equals [!Ref Env, prod]\n  \
             Loop: !Condition Loop\nResources:\n  UserPool:\n    Type: AWS::Cognito::UserPool\n    \
             Properties:\n      EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n        \
             SourceArn: arn:aws:ses:us-west-2:123456789012:identity/example.com\n        From: {from}\n"
        )
    };
    for from in [
        "!If [Prod, a@example.com, b@example.com]",
        "!If [Loop, a@example.com, b@example.com]",
    ] {
        let dir = temp();
        let file = dir.path().join("variants.yaml");
        std::fs::write(&file, pool(from)).unwrap();
        let report = check(&["--ses-sandbox", "us-west-2", path(&file)]);
        let mut codes = codes(&report);
        codes.sort();
        // ST003: the template has no region, so the region checks were skipped.
        assert_eq!(codes, ["ST003", "ST101", "ST207"], "{from}: {report:#}");
    }
}

#[test]
fn a_megabyte_duplicate_key_gives_a_short_human_report() {
    // The message quotes the key: the human format cuts messages, labels and help.
    let key = "k".repeat(1 << 20);
    let dir = temp();
    let file = dir.path().join("key.json");
    let text = format!(
        "{{\"Metadata\":{{\"{key}\":1,\"{key}\":2}},\"Resources\":{{\"T\":{{\"Type\":\"AWS::SNS::Topic\"}}}}}}"
    );
    std::fs::write(&file, text).unwrap();
    let run = check_human(&file);
    assert!(run.stdout.contains("duplicate key"), "{}", run.stdout);
    assert!(run.stdout.len() < 8 << 10, "{} bytes", run.stdout.len());
}

#[test]
fn a_config_error_past_column_65535_renders() {
    // Located tool errors render through the same windows as findings.
    let dir = temp();
    let config = format!("ses: {{{}a: 1}}\n", " ".repeat(70_000));
    std::fs::write(dir.path().join(".sandtrap.yaml"), config).unwrap();
    let template = dir.path().join("t.yaml");
    std::fs::write(&template, "Resources: {}\n").unwrap();
    let config = dir.path().join(".sandtrap.yaml");
    let run = bounded(LIMIT, move || {
        run(&["check", "--config", path(&config), path(&template)], "")
    });
    assert_eq!(run.exit, sandtrap::cli::Exit::Usage, "{}", run.stderr);
    assert!(run.stderr.contains("unknown key `a`"), "{}", run.stderr);
    assert!(run.stderr.contains(":1:70007]"), "{}", run.stderr);
    assert!(run.stderr.len() < 2_000, "{}", run.stderr);
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

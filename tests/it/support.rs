//! Running the real CLI in-process, with captured streams, for the other test modules.

use std::path::{Path, PathBuf};

use clap::Parser;
use sandtrap::cli::{self, Cli, Exit, Io};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one invocation printed and how it ended.
pub struct Run {
    pub exit: Exit,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `sandtrap ARGS` in-process with `stdin` as standard input. Paths are relative to the
/// crate root, which is the test's current directory. An analysis runs without the cache
/// (which would be written into the repository) unless the arguments name one.
pub fn run(args: &[&str], stdin: &str) -> Run {
    let analysis =
        ["check", "facts", "map", "status"].contains(&args.first().copied().unwrap_or(""));
    let named = args
        .iter()
        .any(|a| a.starts_with("--cache-dir") || *a == "--no-cache");
    let no_cache = (analysis && !named).then_some("--no-cache");
    let cli = Cli::try_parse_from(
        std::iter::once("sandtrap")
            .chain(args.iter().copied())
            .chain(no_cache),
    )
    .unwrap_or_else(|e| panic!("bad arguments {args:?}: {e}"));
    let mut input = stdin.as_bytes();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = cli::run(
        cli,
        Io {
            stdin: &mut input,
            stdout: &mut out,
            stderr: &mut err,
            stdout_is_terminal: false,
            stderr_is_terminal: false,
        },
    )
    .unwrap();
    Run {
        exit,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// The JSON report of `sandtrap check --format json ARGS`.
pub fn check_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = run(&all, "");
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr))
}

/// The codes reported, in order.
pub fn codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Extra arguments for a fixture: the words of `<fixture>.args` (or `args` inside a fixture
/// directory), split on whitespace.
pub fn fixture_args(path: &Path) -> Vec<String> {
    let sidecar = if path.is_dir() {
        path.join("args")
    } else {
        path.with_file_name(format!(
            "{}.args",
            path.file_name().unwrap().to_string_lossy()
        ))
    };
    std::fs::read_to_string(sidecar)
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Relative to the crate root, with `/` separators, as the CLI reports it.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Copies a fixture tree (for tests that change files on disk).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

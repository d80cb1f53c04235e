//! Contributor tasks for sandtrap, run as `cargo xtask TASK` (an alias in `.cargo/config.toml`).
//!
//! - `new-rule CODE NAME [--severity LEVEL] [--summary TEXT] [--property NAME=Path] [--root DIR]`
//!   writes the files of a new built-in rule (and the declaration of a new sender property);
//!   CONTRIBUTING.md says what to fill in next.
//! - `check-rule CODE` runs every test that judges one rule.

mod check_rule;
mod new_rule;
mod property;

use std::path::PathBuf;
use std::process::ExitCode;

use new_rule::Spec;

const USAGE: &str = "usage: cargo xtask new-rule CODE NAME [--severity info|warning|error] \
                     [--summary TEXT] [--property NAME=Path.In.CloudFormation] [--root DIR]\n       \
                     cargo xtask check-rule CODE";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Runs one task; the text to print, or why nothing was done.
fn run(args: &[String]) -> Result<String, String> {
    match args.split_first() {
        Some((task, rest)) if task == "new-rule" => {
            let (spec, root) = parse_new_rule(rest)?;
            let written = new_rule::write(&root, &spec).map_err(|e| e.to_string())?;
            Ok(new_rule::report(&spec, &written))
        }
        Some((task, rest)) if task == "check-rule" => {
            let [code] = rest else {
                return Err(format!("expected one CODE\n{USAGE}"));
            };
            check_rule::run(&workspace_root(), &check_rule::code(code)?)
        }
        Some((task, _)) => Err(format!("unknown task `{task}`\n{USAGE}")),
        None => Err(USAGE.to_owned()),
    }
}

/// `CODE NAME` and the options, in any order.
fn parse_new_rule(args: &[String]) -> Result<(Spec, PathBuf), String> {
    let mut positional = Vec::new();
    let mut severity = None;
    let mut summary = None;
    let mut root = None;
    let mut properties = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("`{flag}` needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--severity" => severity = Some(value(arg)?),
            "--summary" => summary = Some(value(arg)?),
            "--root" => root = Some(PathBuf::from(value(arg)?)),
            "--property" => {
                properties.push(property::Property::parse(&value(arg)?).map_err(|e| e.to_string())?)
            }
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option `{flag}`\n{USAGE}"));
            }
            _ => positional.push(arg.clone()),
        }
    }
    let [code, name] = positional.as_slice() else {
        return Err(format!("expected CODE and NAME\n{USAGE}"));
    };
    let spec = Spec {
        code: code.clone(),
        name: name.clone(),
        severity: severity.unwrap_or_else(|| "warning".to_owned()),
        summary,
        properties,
    };
    Ok((spec, root.unwrap_or_else(workspace_root)))
}

/// The checkout this xtask was built from: the parent of `xtask/`.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn options_go_anywhere_and_severity_defaults_to_warning() {
        let (spec, root) =
            parse_new_rule(&args(&["--root", "/r", "ST299", "--summary", "S", "x-y"])).unwrap();
        assert_eq!((spec.code.as_str(), spec.name.as_str()), ("ST299", "x-y"));
        assert_eq!(spec.severity, "warning");
        assert_eq!(spec.summary.as_deref(), Some("S"));
        assert_eq!(root, PathBuf::from("/r"));
    }

    #[test]
    fn missing_or_extra_words_and_unknown_tasks_are_refused() {
        for words in [
            &["new-rule", "ST299"][..],
            &["new-rule", "ST299", "a", "b"],
            &["new-rule", "ST299", "a", "--severity"],
            &["new-rule", "ST299", "a", "--colour", "red"],
            &["new-lint", "ST299", "a"],
            &[],
        ] {
            let err = run(&args(words)).unwrap_err();
            assert!(
                err.contains("usage: cargo xtask new-rule"),
                "{words:?}: {err}"
            );
        }
    }
}

//! `cargo xtask check-rule CODE`: everything that judges one rule, in one command: the rule's
//! fixtures and snapshots first, then the catalog's meta-tests (documentation examples, README row,
//! scaffolding marks), the unit tests of the join's verdicts and of the property table, and the
//! generated references (facts, configuration, rule files) that go stale when a fact is added.

use std::process::Command;

/// The `cargo test` runs, each a name and its arguments.
pub fn steps(code: &str) -> Vec<(String, Vec<String>)> {
    let args = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
    vec![
        (
            format!("{code}'s fixtures and snapshots"),
            args(&[
                "test",
                "--locked",
                "--test",
                "it",
                &format!("rules::{}", code.to_ascii_lowercase()),
            ]),
        ),
        (
            "the catalog's meta-tests (documentation examples, README row, marks left)".to_owned(),
            args(&["test", "--locked", "--test", "it", "rules::"]),
        ),
        (
            "the join's verdicts and the property table".to_owned(),
            args(&["test", "--locked", "--lib", "join::"]),
        ),
        (
            "the extractor".to_owned(),
            args(&["test", "--locked", "--lib", "extract::"]),
        ),
        (
            "the generated references (docs/facts.md, docs/configuration.md, rules/README.md)"
                .to_owned(),
            args(&["test", "--locked", "--lib", "reference"]),
        ),
    ]
}

/// The rule code as the catalog writes it.
pub fn code(text: &str) -> Result<String, String> {
    let code = text.to_ascii_uppercase();
    let digits = code.strip_prefix("ST").unwrap_or_default();
    match digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit()) {
        true => Ok(code),
        false => Err(format!("`{text}` is not a rule code (ST and three digits)")),
    }
}

/// Runs every step in the checkout at `root`; the first failure ends the run.
pub fn run(root: &std::path::Path, code: &str) -> Result<String, String> {
    let mut done = String::new();
    for (what, args) in steps(code) {
        eprintln!("== {what}: cargo {}", args.join(" "));
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .args(&args)
            .current_dir(root)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!(
                "{what} failed (`cargo {}`); a changed snapshot is written beside the old one as \
                 .snap.new: read it, and move it over the .snap when it is right",
                args.join(" ")
            ));
        }
        done.push_str(&format!("ok: {what}\n"));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalized_and_checked() {
        assert_eq!(code("st214").unwrap(), "ST214");
        assert!(code("ST21").is_err());
        assert!(code("ACME100").is_err());
    }

    #[test]
    fn the_rule_runs_first_then_the_suites_that_judge_it() {
        let steps = steps("ST214");
        assert_eq!(steps[0].1.last().unwrap(), "rules::st214");
        assert!(
            steps
                .iter()
                .any(|(_, a)| a.contains(&"reference".to_owned()))
        );
        assert!(
            steps
                .iter()
                .all(|(_, a)| a.contains(&"--locked".to_owned()))
        );
    }
}

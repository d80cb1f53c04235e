//! The integration files (`.pre-commit-hooks.yaml`, `action.yml`) and the CLI behaviour they rely
//! on. The real pre-commit and CDK runs are `scripts/test-pre-commit.sh` and `scripts/test-cdk.sh`.

use clap::Parser;
use sandtrap::cli::{Cli, Exit};
use serde_json::Value;

use crate::support::{codes, root, run};

fn yaml(file: &str) -> Value {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn allow_missing_skips_absent_paths_and_checks_the_rest() {
    assert_eq!(run(&["check", "no-such-cdk.out"], "").exit, Exit::Usage);

    let absent = run(
        &[
            "check",
            "--format",
            "json",
            "--allow-missing",
            "no-such-cdk.out",
        ],
        "",
    );
    assert_eq!(absent.exit, Exit::Clean, "{}", absent.stderr);
    let report: Value = serde_json::from_str(&absent.stdout).unwrap();
    // Nothing named exists: nothing is checked (not the default `.`).
    assert_eq!(report["summary"]["files"], 0);
    assert!(codes(&report).is_empty());

    let mixed = run(
        &[
            "check",
            "--format",
            "json",
            "--allow-missing",
            "--config",
            "examples/sandtrap.yaml",
            "no-such-cdk.out",
            "examples/cdk.out",
        ],
        "",
    );
    assert_eq!(mixed.exit, Exit::Findings, "{}", mixed.stderr);
    let report: Value = serde_json::from_str(&mixed.stdout).unwrap();
    assert_eq!(codes(&report), ["ST101"]);
}

#[test]
fn pre_commit_hooks_run_commands_the_cli_accepts() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<_> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["sandtrap", "sandtrap-cdk"]);
    for hook in hooks {
        assert_eq!(hook["language"], "rust", "{hook}");
        assert!(hook["name"].is_string() && hook["description"].is_string());
        let entry = hook["entry"].as_str().unwrap();
        assert!(entry.starts_with("sandtrap check"), "{entry}");
        // What pre-commit appends is a path, whatever its name (tests/it/trust.rs).
        assert!(entry.split_whitespace().any(|w| w == "--"), "{entry}");
        // The entry parses with the real CLI (pre-commit appends file names or `args`).
        Cli::try_parse_from(entry.split_whitespace().chain(["extra.yaml"]))
            .unwrap_or_else(|e| panic!("{entry}: {e}"));
    }
    let files = &hooks[0];
    assert_eq!(files["pass_filenames"], true);
    assert_eq!(files["require_serial"], true);
    // The pattern as pre-commit applies it (a search over the staged path); pre-commit itself
    // running it is scripts/test-pre-commit.sh.
    let pattern = regex::Regex::new(files["files"].as_str().unwrap()).unwrap();
    for staged in [
        "stack.yaml",
        "infra/Stack.YML",
        "template.json",
        "old.template",
        "infra/main.tf",
        "infra/main.tf.json",
        "infra/main.tofu",
        "infra/terraform.tfvars",
        "infra/prod.auto.tfvars.json",
    ] {
        assert!(pattern.is_match(staged), "{pattern} misses {staged}");
    }
    for other in [
        "src/main.rs",
        "README.md",
        "infra/.terraform.lock.hcl",
        "plan.tfplan",
    ] {
        assert!(!pattern.is_match(other), "{pattern} takes {other}");
    }
    let cdk = &hooks[1];
    assert_eq!(cdk["pass_filenames"], false);
    assert_eq!(cdk["always_run"], true);
    assert!(
        cdk["entry"]
            .as_str()
            .unwrap()
            .contains("--allow-missing -- cdk.out")
    );
}

#[test]
fn action_is_a_composite_that_reports_its_exit_code() {
    let action = yaml("action.yml");
    assert!(action["name"].is_string() && action["description"].is_string());
    for (input, default) in [
        ("paths", "."),
        ("args", ""),
        ("format", "sarif"),
        // Empty: a file in `$RUNNER_TEMP`, never in the checkout a pull request controls.
        ("output-file", ""),
    ] {
        let spec = &action["inputs"][input];
        assert!(spec["description"].is_string(), "input {input}");
        assert_eq!(spec["default"], default, "input {input}");
    }
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    for step in steps {
        // A composite action's `run` step must name its shell.
        if step.get("run").is_some() {
            assert_eq!(step["shell"], "bash", "{step}");
        }
    }
    let check = steps.iter().find(|s| s["id"] == "check").unwrap();
    let script = check["run"].as_str().unwrap();
    assert!(script.contains("sandtrap check --format \"$SANDTRAP_FORMAT\""));
    assert!(script.contains("exit-code=$status"));
    assert!(script.contains("SANDTRAP_OUTPUT_FILE=\"$RUNNER_TEMP/sandtrap.$ext\""));
    // What follows the options is a path, whatever its name.
    assert!(script.contains("$SANDTRAP_ARGS -- $SANDTRAP_PATHS"));
    assert!(
        !script.contains("${{"),
        "inputs must reach the script through env"
    );
    assert_eq!(
        action["outputs"]["exit-code"]["value"],
        "${{ steps.check.outputs.exit-code }}"
    );
    let install = steps[0]["run"].as_str().unwrap();
    assert!(install.contains("cargo install --locked"));
    assert!(install.contains("$GITHUB_ACTION_PATH"));
}

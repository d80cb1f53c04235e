//! The Terraform front end against Terraform itself: `scripts/terraform-oracles.py` records what
//! `terraform plan` knows of every pool of every Terraform fixture (testdata/terraform/oracles/),
//! and sandtrap's evaluation (`sandtrap debug terraform`) must agree on each value Terraform
//! knows. The oracles are committed, so this needs no Terraform; CI regenerates them where
//! Terraform is installed and fails when they change.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{self, fixture_args, relative};

fn oracles() -> Vec<PathBuf> {
    let dir = support::root().join("testdata/terraform/oracles");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == "json"));
    out.sort();
    out
}

/// Every Terraform fixture directory, as the oracle script finds them.
fn fixtures() -> Vec<String> {
    let mut out = Vec::new();
    for base in ["testdata/rules", "testdata/terraform"] {
        let mut pending = vec![support::root().join(base)];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut has_config = false;
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if path.is_dir() && name != "modules" && name != "oracles" && !name.starts_with('.')
                {
                    pending.push(path);
                } else if name.ends_with(".tf") || name.ends_with(".tf.json") {
                    has_config = true;
                }
            }
            if has_config {
                out.push(relative(&dir));
            }
        }
    }
    out.sort();
    out
}

fn evaluated(fixture: &str) -> Vec<Value> {
    let mut args = vec!["debug".to_owned(), "terraform".to_owned()];
    args.extend(fixture_args(Path::new(fixture)));
    args.push(fixture.to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = support::run(&args, "");
    let rows: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{fixture}: {e}\n{}{}", run.stdout, run.stderr));
    rows.as_array()
        .into_iter()
        .flatten()
        .map(|row| row["instance"].clone())
        .collect()
}

#[test]
fn sandtrap_agrees_with_terraform_plan_on_every_value_terraform_knows() {
    let oracles = oracles();
    assert!(
        !oracles.is_empty(),
        "no oracles in testdata/terraform/oracles"
    );
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for path in oracles {
        let oracle: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let fixture = oracle["fixture"].as_str().unwrap();
        let ours = evaluated(fixture);
        for instance in oracle["instances"].as_array().unwrap() {
            let address = instance["address"].as_str().unwrap();
            let Some(mine) = ours.iter().find(|i| i["address"] == address) else {
                disagreements.push(format!("{fixture}: sandtrap has no pool {address}"));
                continue;
            };
            if let Some(region) = instance.get("region") {
                compared += 1;
                if mine["region"] != *region {
                    disagreements.push(format!(
                        "{fixture}: {address}: region {} (terraform: {region})",
                        mine["region"]
                    ));
                }
            }
            for (attribute, value) in instance["values"].as_object().unwrap() {
                compared += 1;
                if mine["values"][attribute] != *value {
                    disagreements.push(format!(
                        "{fixture}: {address}: {attribute} {} (terraform: {value})",
                        mine["values"][attribute]
                    ));
                }
            }
        }
        // Nothing sandtrap evaluates is missing from the plan, either.
        let planned: Vec<&str> = oracle["instances"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["address"].as_str())
            .collect();
        for mine in &ours {
            let address = mine["address"].as_str().unwrap_or_default();
            if !planned.contains(&address) {
                disagreements.push(format!("{fixture}: terraform plans no pool {address}"));
            }
        }
    }
    assert!(compared > 0);
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn every_terraform_fixture_has_an_oracle_or_a_reason() {
    let dir = support::root().join("testdata/terraform/oracles");
    let skipped = std::fs::read_to_string(dir.join("SKIPPED.tsv")).unwrap_or_default();
    for fixture in fixtures() {
        let oracle = dir.join(format!("{}.json", fixture.replace('/', "__")));
        let reason = skipped
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{fixture}\t")));
        assert!(
            oracle.exists() || reason.is_some(),
            "{fixture} has no oracle: run scripts/terraform-oracles.py (it needs terraform)"
        );
    }
}

/// A staged variables file stands for its module (the pre-commit hook names only what changed):
/// the findings are those of the whole directory, and no `.tfvars.json` is read as a template.
#[test]
fn a_named_variables_file_checks_its_module() {
    let dir = "testdata/terraform/tfvars-precedence";
    let concise = |paths: &[&str]| {
        let mut args = vec!["check", "--format", "concise"];
        args.extend(paths);
        let run = support::run(&args, "");
        assert!(!run.stdout.is_empty(), "{paths:?}: {}", run.stderr);
        run.stdout
    };
    let whole = concise(&[dir]);
    assert!(whole.contains("json.example.com"), "{whole}");
    for file in ["terraform.tfvars", "b.auto.tfvars.json", "main.tf"] {
        assert_eq!(concise(&[&format!("{dir}/{file}")]), whole, "{file}");
    }
    let files = |paths: &[&str]| {
        let mut args = vec!["check", "--format", "json"];
        args.extend(paths);
        let report: Value = serde_json::from_str(&support::run(&args, "").stdout).unwrap();
        report["summary"]["files"].clone()
    };
    assert_eq!(files(&[dir]), files(&[&format!("{dir}/main.tf")]));
}

/// A module called through a `source` spelled with escapes (`"\u002e/..."`, JSON's `".\/..."`)
/// is still known to be called: its pool is reported through the root, with the root's values,
/// exactly as with a plain `"./..."`, and never as a root of its own.
#[test]
fn a_module_called_through_an_escaped_source_is_reported_through_its_caller() {
    let module = "variable \"domain\" {\n  type = string\n}\n\n\
         resource \"aws_cognito_user_pool\" \"pool\" {\n  name = \"pool\"\n  \
         email_configuration {\n    email_sending_account = \"DEVELOPER\"\n    \
         source_arn = \"arn:aws:ses:us-east-1:123456789012:identity/${var.domain}\"\n    \
         from_email_address = \"no-reply@${var.domain}\"\n  }\n}\n";
    let native = |source: &str| {
        format!(
            "provider \"aws\" {{\n  region = \"us-west-2\"\n}}\n\nmodule \"mail\" {{\n  \
             source = \"{source}\"\n  domain = \"example.com\"\n}}\n"
        )
    };
    let json = "{\"provider\": {\"aws\": {\"region\": \"us-west-2\"}}, \"module\": {\"mail\": \
                {\"source\": \".\\/modules/mail\", \"domain\": \"example.com\"}}}\n";
    let roots = [
        ("main.tf", native("./modules/mail")),
        ("main.tf", native("\\u002e/modules/mail")),
        ("main.tf.json", json.to_owned()),
    ];
    let reports: Vec<String> = roots
        .iter()
        .map(|(name, text)| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("modules/mail")).unwrap();
            std::fs::write(dir.path().join("modules/mail/main.tf"), module).unwrap();
            std::fs::write(dir.path().join(name), text).unwrap();
            let root = dir.path().to_string_lossy().into_owned();
            let run = support::run(&["check", "--format", "concise", &root], "");
            run.stdout.replace(&format!("{root}/"), "")
        })
        .collect();
    let plain = &reports[0];
    let lines: Vec<&str> = plain.lines().filter(|l| l.contains("[ST")).collect();
    assert!(!lines.is_empty(), "{plain}");
    // Every finding is the module's, found through the root: none names the pool as a root's.
    for line in &lines {
        assert!(line.starts_with("modules/mail/main.tf:"), "{plain}");
        assert!(!line.contains("`aws_cognito_user_pool.pool`"), "{plain}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("`module.mail.aws_cognito_user_pool.pool`")),
        "{plain}"
    );
    // The caller's value reached the module: the identity is named.
    assert!(plain.contains("`example.com`"), "{plain}");
    for (report, (name, text)) in reports.iter().zip(&roots).skip(1) {
        assert_eq!(report, plain, "{name}: {text}");
    }
}

/// Modules that call each other in a cycle are analyzed once, through the first of them, and
/// the call that closes the cycle is reported where it is made: whether or not another
/// directory of the run is a root, and whether the cycle is two modules or one calling itself.
#[test]
fn a_cycle_of_module_calls_is_analyzed_once_and_reported_where_it_closes() {
    let pool = "resource \"aws_cognito_user_pool\" \"pool\" {\n  name = \"pool\"\n  \
         email_configuration {\n    email_sending_account = \"DEVELOPER\"\n    \
         source_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\n    \
         from_email_address = \"no-reply@example.com\"\n  }\n}\n";
    let provider = "provider \"aws\" {\n  region = \"us-west-2\"\n}\n";
    let call =
        |name: &str, source: &str| format!("module \"{name}\" {{\n  source = \"{source}\"\n}}\n");
    let two = [
        (
            "a/main.tf",
            format!("{provider}{}{pool}", call("b", "../b")),
        ),
        ("b/main.tf", call("a", "../a")),
    ];
    let one = [(
        "a/main.tf",
        format!("{provider}{}{pool}", call("again", "./../a")),
    )];
    let root = (
        "root/main.tf",
        format!("{provider}resource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"x\"\n}}\n"),
    );
    for (cycle, closing) in [(&two[..], "b/main.tf:2:12:"), (&one[..], "a/main.tf:5:12:")] {
        let alone = concise_report(cycle);
        let mut beside = cycle.to_vec();
        beside.push(root.clone());
        assert_eq!(
            concise_report(&beside),
            alone,
            "another root changes nothing"
        );
        let findings: Vec<&str> = alone.lines().filter(|l| l.contains("[ST")).collect();
        let notes: Vec<&&str> = findings.iter().filter(|l| l.contains("[ST002]")).collect();
        assert_eq!(notes.len(), 1, "{alone}");
        assert!(notes[0].starts_with(closing), "{alone}");
        assert!(notes[0].contains("a cycle of module calls"), "{alone}");
        // The pool is reported, once per rule, as the first module's own.
        assert!(findings.iter().any(|l| l.contains("[ST101]")), "{alone}");
        for line in findings.iter().filter(|l| !l.contains("[ST002]")) {
            assert!(line.starts_with("a/main.tf:"), "{alone}");
            assert!(!line.contains("module."), "{alone}");
        }
        let mut codes: Vec<&str> = findings
            .iter()
            .map(|l| &l[l.find("[ST").unwrap()..][..7])
            .collect();
        let all = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), all, "{alone}");
    }
}

/// A module that only a cycle calls is analyzed through the cycle, and not also as a root of
/// its own, even when its directory comes first.
#[test]
fn a_module_only_a_cycle_calls_is_analyzed_through_it_alone() {
    let files = [
        (
            "a-lib/main.tf",
            "resource \"aws_cognito_user_pool\" \"pool\" {\n  name = \"pool\"\n  email_configuration {\n    email_sending_account = \"DEVELOPER\"\n    source_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\n  }\n}\n",
        ),
        (
            "b/main.tf",
            "provider \"aws\" {\n  region = \"us-west-2\"\n}\nmodule \"c\" {\n  source = \"../c\"\n}\nmodule \"lib\" {\n  source = \"../a-lib\"\n}\n",
        ),
        ("c/main.tf", "module \"b\" {\n  source = \"../b\"\n}\n"),
    ];
    let files = files.map(|(name, text)| (name, text.to_owned()));
    let report = concise_report(&files);
    let pools: Vec<&str> = report.lines().filter(|l| l.contains("[ST101]")).collect();
    assert_eq!(pools.len(), 1, "{report}");
    assert!(
        pools[0].contains("`module.lib.aws_cognito_user_pool.pool`"),
        "{report}"
    );
    assert!(report.contains("c/main.tf:2:12: info[ST002]"), "{report}");
}

/// A cycle closed through a symbolic link (`a/link` leads back to `a`) is the same cycle: the
/// call is reported where it closes it, and the pool once.
#[cfg(unix)]
#[test]
fn a_cycle_through_a_symbolic_link_is_a_cycle() {
    let files = [(
        "a/main.tf",
        "provider \"aws\" {\n  region = \"us-west-2\"\n}\nmodule \"again\" {\n  source = \"./link\"\n}\nresource \"aws_cognito_user_pool\" \"pool\" {\n  name = \"pool\"\n  email_configuration {\n    email_sending_account = \"DEVELOPER\"\n    source_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\n  }\n}\n".to_owned(),
    )];
    let report = concise_report_with(&files, |dir| {
        std::os::unix::fs::symlink(".", dir.join("a/link")).unwrap();
    });
    let findings: Vec<&str> = report.lines().filter(|l| l.contains("[ST")).collect();
    let notes: Vec<&&str> = findings.iter().filter(|l| l.contains("[ST002]")).collect();
    assert_eq!(notes.len(), 1, "{report}");
    assert!(notes[0].starts_with("a/main.tf:5:12:"), "{report}");
    assert!(notes[0].contains("a cycle of module calls"), "{report}");
    let pools = findings.iter().filter(|l| l.contains("[ST101]")).count();
    assert_eq!(pools, 1, "{report}");
    assert!(!report.contains("module."), "{report}");
}

/// A module called along two paths (a diamond) is no cycle: each path analyzes it.
#[test]
fn a_module_reached_along_two_paths_is_no_cycle() {
    let files = [
        (
            "main.tf",
            "provider \"aws\" {\n  region = \"us-west-2\"\n}\nmodule \"x\" {\n  source = \"./x\"\n}\nmodule \"y\" {\n  source = \"./y\"\n}\n",
        ),
        ("x/main.tf", "module \"c\" {\n  source = \"../c\"\n}\n"),
        ("y/main.tf", "module \"c\" {\n  source = \"./../c\"\n}\n"),
        (
            "c/main.tf",
            "resource \"aws_cognito_user_pool\" \"pool\" {\n  name = \"pool\"\n  email_configuration {\n    email_sending_account = \"DEVELOPER\"\n    source_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\n  }\n}\n",
        ),
    ];
    let files = files.map(|(name, text)| (name, text.to_owned()));
    let report = concise_report(&files);
    assert!(!report.contains("[ST002]"), "{report}");
    for address in ["module.x.module.c.", "module.y.module.c."] {
        assert!(report.contains(address), "{report}");
    }
}

/// The concise report of a check of a directory holding `files` (paths relative to it), with
/// the directory left out of the names.
fn concise_report(files: &[(&str, String)]) -> String {
    concise_report_with(files, |_| {})
}

/// [`concise_report`], with `more` made in the directory after the files (a link, say).
fn concise_report_with(files: &[(&str, String)], more: impl FnOnce(&std::path::Path)) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    more(dir.path());
    let root = dir.path().to_string_lossy().into_owned();
    let run = support::run(&["check", "--format", "concise", &root], "");
    run.stdout.replace(&format!("{root}/"), "")
}

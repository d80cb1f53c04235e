//! The Serverless Framework front end against the framework: `testdata/serverless-app/package/`
//! is what the real `serverless package` made of `testdata/serverless-app/serverless.yml`
//! (`scripts/serverless-package.sh --write` refreshes it, and checks the same with a fresh
//! package), and sandtrap must find the same on both, for the same pool.

use crate::support;

fn findings(path: &str) -> Vec<String> {
    let report = support::check_json(&[
        "--config",
        "testdata/rules/empty.sandtrap.yaml",
        "--region",
        "eu-west-1",
        "--ses-sandbox",
        "eu-west-1",
        path,
    ]);
    let mut out: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {} {}", d["code"], d["severity"], d["message"]))
        .collect();
    out.sort();
    out
}

#[test]
fn a_service_and_its_package_give_the_same_findings() {
    let packaged =
        findings("testdata/serverless-app/package/cloudformation-template-update-stack.json");
    let source = findings("testdata/serverless-app/serverless.yml");
    assert!(
        packaged.iter().any(|f| f.contains("ST104"))
            && packaged.iter().any(|f| f.contains("ST101")),
        "{packaged:#?}"
    );
    assert_eq!(packaged, source);
}

#[test]
fn the_service_file_is_read_where_the_diagnostics_point() {
    let report = support::check_json(&[
        "--config",
        "testdata/rules/empty.sandtrap.yaml",
        "--ses-sandbox",
        "eu-west-1",
        "testdata/serverless-app/serverless.yml",
    ]);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        assert_eq!(d["file"], "testdata/serverless-app/serverless.yml");
        for related in d["related"].as_array().into_iter().flatten() {
            assert_eq!(
                related["file"], "testdata/serverless-app/serverless.yml",
                "{d}"
            );
        }
    }
}

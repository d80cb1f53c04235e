//! `sandtrap map` and the reports drawn from it (`check --format markdown|html`): what the
//! picture holds for the bundled example, that a large run stays readable and says what it
//! collapsed, that a secret never reaches a picture, and that the HTML report is one file that
//! needs no network.

use std::fmt::Write as _;

use sandtrap::cli::Exit;

use crate::support::{self, run};

const EXAMPLE: [&str; 3] = ["--config", "examples/sandtrap.yaml", "examples/"];

fn map_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["map", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all, "");
    assert_eq!(out.exit, Exit::Clean, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn the_example_map_groups_by_account_and_region_with_ses_state() {
    let map = map_json(&EXAMPLE);
    let accounts = map["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["account"], "111111111111");
    let regions: Vec<(&str, &str, &str)> = accounts[0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["region"].as_str().unwrap(),
                r["ses_state"].as_str().unwrap(),
                r["ses_state_source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        regions,
        [
            ("ap-northeast-1", "production", "config"),
            ("us-west-2", "sandbox", "config")
        ]
    );
    let oregon = &accounts[0]["regions"][1];
    assert_eq!(oregon["senders"][0]["stack"], "Auth-Staging");
    assert_eq!(oregon["senders"][0]["severity"], "error");
    assert_eq!(
        oregon["senders"][0]["findings"],
        serde_json::json!(["ST101"])
    );
    assert_eq!(oregon["identities"][0]["name"], "example.com");
    assert_eq!(oregon["identities"][0]["status"], "declared");
    assert_eq!(map["edges"].as_array().unwrap().len(), 2);
    assert_eq!(
        map["totals"]["needs_production"],
        serde_json::json!([{"account": "111111111111", "region": "us-west-2", "state": "sandbox", "senders": 1}])
    );
    assert_eq!(map["collapsed"], serde_json::json!([]));
}

/// The README shows the rendering of this exact diagram (scripts/test-browser.sh renders it
/// with the real Mermaid and checks it is the README's picture).
#[test]
fn the_example_mermaid_is_the_one_in_docs() {
    let out = run(&["map", EXAMPLE[0], EXAMPLE[1], EXAMPLE[2]], "");
    assert_eq!(out.exit, Exit::Clean, "{}", out.stderr);
    let path = support::root().join("docs/images/map-example.mmd");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, out.stdout,
        "docs/images/map-example.mmd is stale: refresh it with `cargo run -- map --config \
         examples/sandtrap.yaml examples/ > docs/images/map-example.mmd` and re-render the picture \
         with `bash scripts/test-browser.sh --update`"
    );
}

#[test]
fn mermaid_and_dot_draw_every_node_and_edge() {
    let mermaid = run(&["map", EXAMPLE[0], EXAMPLE[1], EXAMPLE[2]], "").stdout;
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    for needle in [
        "subgraph a0[\"account 111111111111\"]",
        "subgraph a0r1[\"us-west-2 · SES sandbox (config)\"]",
        "s1[\"UserPool6BA7E5F2<br/>Auth-Staging<br/>ST101\"]",
        "s1 -->|\"ST101 · declared\"| i1",
        "style a0r1 fill:#ffebe9",
        "linkStyle 1 stroke:#cf222e",
    ] {
        assert!(mermaid.contains(needle), "no `{needle}` in\n{mermaid}");
    }
    let dot = run(
        &["map", "--format", "dot", EXAMPLE[0], EXAMPLE[1], EXAMPLE[2]],
        "",
    )
    .stdout;
    assert!(dot.starts_with("digraph sandtrap {"), "{dot}");
    assert!(dot.contains("subgraph cluster_a0r1 {"), "{dot}");
    assert!(
        dot.contains("s1 -> i1 [style=solid, color=\"#cf222e\""),
        "{dot}"
    );
    assert!(dot.trim_end().ends_with('}'));
}

/// `stacks` templates, each a pool in `us-west-2` mailing through its own identity, declared
/// in one shared template; the first `failing` ones name an identity that no stack declares.
fn generated_app(dir: &std::path::Path, stacks: usize, failing: usize) {
    let env = "Metadata: {sandtrap: {region: us-west-2, account: \"123456789012\"}}\n";
    let mut identities = format!("{env}Resources:\n");
    for n in failing..stacks {
        let _ = write!(
            identities,
            "  Identity{n}:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n      EmailIdentity: app{n}.example.com\n"
        );
    }
    std::fs::write(dir.join("identities.yaml"), identities).unwrap();
    for n in 0..stacks {
        let text = format!(
            "{env}Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      \
             AdminCreateUserConfig: {{AllowAdminCreateUserOnly: true}}\n      EmailConfiguration:\n        \
             EmailSendingAccount: DEVELOPER\n        From: no-reply@app{n}.example.com\n        \
             SourceArn: arn:aws:ses:us-west-2:123456789012:identity/app{n}.example.com\n"
        );
        std::fs::write(dir.join(format!("stack{n:02}.yaml")), text).unwrap();
    }
}

#[test]
fn a_large_run_collapses_clean_senders_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    generated_app(dir.path(), 40, 2);
    let path = dir.path().to_str().unwrap();
    let production = [
        "--ses-production",
        "123456789012:us-west-2",
        "--account",
        "123456789012",
    ];
    let map = map_json(&[
        production[0],
        production[1],
        production[2],
        production[3],
        path,
    ]);
    let region = &map["accounts"][0]["regions"][0];
    assert_eq!(region["senders"].as_array().unwrap().len(), 2, "{region}");
    assert_eq!(region["collapsed"]["senders"], 38);
    assert_eq!(region["collapsed"]["stacks"], 38);
    let words = map["collapsed"][0].as_str().unwrap();
    assert!(
        words.starts_with(
            "38 senders without findings in 38 stacks of account 123456789012, us-west-2"
        ),
        "{words}"
    );
    assert_eq!(map["totals"]["senders"], 40);
    assert_eq!(map["totals"]["needs_production"], serde_json::json!([]));

    let mermaid = run(
        &[
            "map",
            production[0],
            production[1],
            production[2],
            production[3],
            path,
        ],
        "",
    )
    .stdout;
    assert!(mermaid.contains("%% collapsed 1: 38 senders"), "{mermaid}");
    assert!(
        mermaid.contains("[\"38 clean senders in 38 stacks\"]"),
        "{mermaid}"
    );

    let expanded = map_json(&[
        "--expand",
        production[0],
        production[1],
        production[2],
        production[3],
        path,
    ]);
    let region = &expanded["accounts"][0]["regions"][0];
    assert_eq!(region["senders"].as_array().unwrap().len(), 40);
    assert!(region["collapsed"].is_null());
}

#[test]
fn files_left_out_of_the_picture_are_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "Resources: [\n").unwrap();
    let path = dir.path().to_str().unwrap();
    for command in ["map", "status"] {
        let out = run(&[command, path], "");
        assert_eq!(out.exit, Exit::Clean, "{}", out.stderr);
        assert!(
            out.stderr.starts_with(
                "warning: 1 file could not be read or parsed and is not in the picture ("
            ) && out.stderr.contains("broken.yaml"),
            "{command}: {}",
            out.stderr
        );
    }
    let clean = run(&["map", EXAMPLE[0], EXAMPLE[1], EXAMPLE[2]], "");
    assert!(clean.stderr.is_empty(), "{}", clean.stderr);
}

#[test]
fn findings_never_fail_the_map_but_a_broken_run_does() {
    let out = run(
        &["map", "--ses-sandbox", "us-west-2", "testdata/rules/ST101"],
        "",
    );
    assert_eq!(out.exit, Exit::Clean, "{}", out.stderr);
    let out = run(&["map", "does/not/exist"], "");
    assert_eq!(out.exit, Exit::Usage);
    let out = run(&["map", "--ses-sandbox", "nowhere", "examples/"], "");
    assert_eq!(out.exit, Exit::Usage);
}

const SECRET: &str = "Metadata: {sandtrap: {region: us-west-2}}\nParameters:\n  Domain:\n    \
Type: String\n    NoEcho: true\n    Default: hush-hush.example\nResources:\n  Pool:\n    \
Type: AWS::Cognito::UserPool\n    Properties:\n      EmailConfiguration:\n        \
EmailSendingAccount: DEVELOPER\n        From: !Sub 'no-reply@${Domain}'\n        \
SourceArn: !Sub 'arn:aws:ses:us-west-2:123456789012:identity/${Domain}'\n";

#[test]
fn no_picture_or_report_prints_a_no_echo_value() {
    let name = "secret.yaml";
    let base = ["--stdin-filename", name, "--ses-sandbox", "us-west-2"];
    for (command, format) in [
        ("map", "json"),
        ("map", "mermaid"),
        ("map", "dot"),
        ("check", "markdown"),
        ("check", "html"),
    ] {
        let mut args = vec![command, "--format", format];
        args.extend_from_slice(&base);
        args.push("-");
        let out = run(&args, SECRET);
        assert!(
            out.stdout.contains("****"),
            "{command} {format}:\n{}",
            out.stdout
        );
        // The HTML report quotes the template's own lines, as the human report does; the
        // value written there by the template's author is not a secret of the run. What the
        // run derived from it is.
        let derived = if format == "html" {
            out.stdout.replace("Default: hush-hush.example", "")
        } else {
            out.stdout.clone()
        };
        assert!(
            !derived.contains("hush-hush"),
            "{command} {format}:\n{}",
            out.stdout
        );
    }
}

#[test]
fn the_markdown_report_heads_with_what_to_do() {
    let out = run(
        &[
            "check", "--format", "markdown", EXAMPLE[0], EXAMPLE[1], EXAMPLE[2],
        ],
        "",
    );
    assert_eq!(out.exit, Exit::Findings);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn a_clean_run_says_so_in_markdown() {
    let out = run(
        &[
            "check",
            "--format",
            "markdown",
            "--ses-production",
            "us-west-2",
            "--ses-production",
            "ap-northeast-1",
            "examples/",
        ],
        "",
    );
    assert_eq!(out.exit, Exit::Clean, "{}", out.stdout);
    assert!(
        out.stdout
            .starts_with("### sandtrap: no problems in 4 templates\n"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("production access needed"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("```mermaid\nflowchart LR\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_html_report_is_one_file_that_needs_no_network() {
    let out = run(
        &[
            "check", "--format", "html", EXAMPLE[0], EXAMPLE[1], EXAMPLE[2],
        ],
        "",
    );
    assert_eq!(out.exit, Exit::Findings);
    let html = out.stdout;
    assert!(html.starts_with("<!doctype html>"));
    for forbidden in ["<script src", "<link", "@import", "url(http", "src=\"http"] {
        assert!(!html.contains(forbidden), "the report loads `{forbidden}`");
    }
    // One node per sender, the findings with their filters, the rule's documentation inside.
    let map = map_json(&EXAMPLE);
    let senders: usize = map["accounts"][0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["senders"].as_array().unwrap().len())
        .sum();
    assert_eq!(html.matches("<g class=\"node sender\"").count(), senders);
    assert_eq!(html.matches("<article class=\"finding\"").count(), 1);
    assert!(html.contains("<input type=\"checkbox\" name=\"code\" value=\"ST101\" checked>"));
    assert!(html.contains("<dialog id=\"doc-ST101\""));
    assert!(html.contains("<h2 id=\"why-is-this-bad\">Why is this bad?</h2>"));
    assert!(html.contains(&format!(
        "href=\"{}rules/ST101/\"",
        sandtrap::site::DOCS_URL
    )));
    assert!(
        html.contains("<mark>&quot;SourceArn&quot;</mark>"),
        "the span is marked"
    );
}

//! The documentation site (`sandtrap debug site`): every URL sandtrap can emit is a page of it,
//! no page links to a page it does not have, and every rule's page carries its five sections.

use std::path::Path;

use sandtrap::rules::{Catalog, DOC_SECTIONS};
use sandtrap::site::{self, DOCS_URL, Site};

use crate::support;

fn built() -> Site {
    site::build(&Catalog::builtin().unwrap(), &support::root()).unwrap()
}

/// Every `href` and `src` of an HTML page.
fn references(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_url_sandtrap_emits_is_a_page_of_the_site() {
    let site = built();
    let catalog = Catalog::builtin().unwrap();
    let mut urls: Vec<String> = catalog.iter().filter_map(|rule| rule.url()).collect();
    assert_eq!(urls.len(), catalog.len(), "every built-in rule has a URL");
    // SARIF's `tool.driver.informationUri`.
    urls.push(DOCS_URL.to_owned());
    for url in urls {
        assert!(
            site.page_for_url(&url).is_some(),
            "{url} has no page in the site"
        );
    }
    // And the URL a diagnostic carries is the rule's.
    let run = support::run(
        &[
            "check",
            "--format",
            "sarif",
            "--ses-sandbox",
            "us-west-2",
            "testdata/rules/ST101",
        ],
        "",
    );
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // The framework's own findings link to their pages too: a parse error (ST001), a duplicate
    // key (ST006), a suppression naming no rule (ST005).
    let broken = support::run(
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "t.yaml",
            "-",
        ],
        "Resources:\n  A: {Type: AWS::SNS::Topic}  # sandtrap: ignore[ST999]\n  A: {Type: AWS::SNS::Topic}\n  B: [\n",
    );
    let report: serde_json::Value = serde_json::from_str(&broken.stdout).unwrap();
    let mut framework: Vec<&str> = Vec::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let url = d["url"].as_str().unwrap_or_else(|| panic!("no url: {d}"));
        assert!(
            site.page_for_url(url).is_some(),
            "{url} has no page in the site"
        );
        framework.push(d["code"].as_str().unwrap());
    }
    assert_eq!(framework, ["ST006", "ST001"]);
    let suppression = support::run(
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "t.yaml",
            "-",
        ],
        "Resources:\n  A: {Type: AWS::SNS::Topic}  # sandtrap: ignore[ST999]\n  A: {Type: AWS::SNS::Topic}\n",
    );
    let report: serde_json::Value = serde_json::from_str(&suppression.stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "ST005");
    assert!(site.page_for_url(d["url"].as_str().unwrap()).is_some());
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        let url = rule["helpUri"].as_str().unwrap();
        assert!(
            site.page_for_url(url).is_some(),
            "{url} has no page in the site"
        );
    }
}

#[test]
fn no_page_links_to_a_missing_file() {
    let site = built();
    let mut checked = 0;
    for (path, text) in &site.files {
        if !path.ends_with(".html") {
            continue;
        }
        let dir = Path::new(path).parent().unwrap();
        for reference in references(text) {
            if reference.starts_with("https://") || reference.starts_with('#') {
                continue;
            }
            assert!(
                !reference.starts_with("http://") && !reference.starts_with("//"),
                "{path}: the site loads nothing from the network: {reference}"
            );
            let target = reference.split('#').next().unwrap();
            let mut parts: Vec<&str> = dir.iter().map(|p| p.to_str().unwrap()).collect();
            for part in target.split('/') {
                match part {
                    ".." => {
                        assert!(parts.pop().is_some(), "{path}: {reference} leaves the site");
                    }
                    "." | "" => {}
                    part => parts.push(part),
                }
            }
            let resolved = parts.join("/");
            assert!(
                site.files.contains_key(&resolved),
                "{path}: dead link {reference} ({resolved})"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn every_rule_page_has_its_sections_and_is_searchable() {
    let site = built();
    let index = &site.files["search-index.js"];
    for rule in &Catalog::builtin().unwrap() {
        let page = &site.files[&format!("rules/{}/index.html", rule.code)];
        for heading in DOC_SECTIONS {
            assert!(
                page.contains(&format!(">{heading}</h2>")),
                "{}: no `{heading}`",
                rule.code
            );
        }
        assert!(page.contains(&format!("<code>{}</code> {}</h1>", rule.code, rule.name)));
        assert!(
            index.contains(&format!("\"{} {}\"", rule.code, rule.name)),
            "{} not in the search index",
            rule.code
        );
    }
    for guide in [
        "usage",
        "configuration",
        "integrations",
        "lsp",
        "custom-rules",
        "facts",
    ] {
        assert!(
            site.files.contains_key(&format!("{guide}/index.html")),
            "{guide}"
        );
    }
}

#[test]
fn the_command_writes_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let run = support::run(&["debug", "site", out.to_str().unwrap()], "");
    assert_eq!(run.exit, sandtrap::cli::Exit::Clean, "{}", run.stderr);
    assert!(out.join("index.html").is_file());
    assert!(out.join("rules/ST101/index.html").is_file());
    assert!(out.join("search-index.js").is_file());
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("rules/ST213/index.html"),
        "the home page lists the rules"
    );
}

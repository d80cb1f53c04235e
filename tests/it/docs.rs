//! What the repository's comments and documents point at is in the repository: every
//! `docs/NAME.md` they name exists, and every `docs/domain.md#section` is a heading there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{self, relative};

/// The text files that may point into `docs/`.
fn sources() -> Vec<PathBuf> {
    let root = support::root();
    let mut files: Vec<PathBuf> = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "build.rs"]
        .iter()
        .map(|f| root.join(f))
        .collect();
    let mut dirs: Vec<PathBuf> = ["src", "tests", "rules", "docs", "scripts", "xtask/src"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.ends_with("tests/it/docs.rs") {
                // This file, whose examples are patterns, not references.
            } else if path
                .extension()
                .is_some_and(|e| ["rs", "md", "yaml", "sh", "toml"].iter().any(|x| e == *x))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut in_code = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// The `docs/NAME.md` and `docs/NAME.md#anchor` references in a text.
fn references(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("docs/") {
        let rest = &text[at + "docs/".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let Some(after) = rest[name.len()..].strip_prefix(".md") else {
            continue;
        };
        let anchor = after.strip_prefix('#').map(|a| {
            a.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        });
        out.push((format!("docs/{name}.md"), anchor));
    }
    out
}

#[test]
fn references_into_docs_name_files_and_sections_that_exist() {
    let root = support::root();
    let mut broken = Vec::new();
    for file in sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (doc, section) in references(&text) {
            let target = root.join(&doc);
            if !target.is_file() {
                broken.push(format!("{}: {doc} does not exist", relative(&file)));
            } else if let Some(section) = section
                && !anchors(&target).contains(&section)
            {
                broken.push(format!(
                    "{}: {doc} has no section #{section}",
                    relative(&file)
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_domain_reference_links_its_own_sections_and_aws() {
    let path = support::root().join("docs/domain.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let sections = anchors(&path);
    for (at, _) in text.match_indices("](#") {
        let name: String = text[at + 3..].chars().take_while(|c| *c != ')').collect();
        assert!(
            sections.contains(&name),
            "docs/domain.md links #{name}, no such section"
        );
    }
    // Every fact section cites at least one AWS documentation page.
    for section in text.split("\n## ").skip(1) {
        let heading = section.lines().next().unwrap();
        if heading == "Not confirmed by AWS" {
            continue;
        }
        assert!(
            section.contains("](https://docs.aws.amazon.com/")
                || section.contains("](https://docs.amazonaws.cn/"),
            "docs/domain.md, `## {heading}`: no AWS documentation link"
        );
    }
}

#[test]
fn no_file_cites_the_design_documents_kept_outside_the_repository() {
    let outside = [concat!("DESIGN", ".md"), concat!("DOMAIN", ".md")];
    let cited: Vec<String> = sources()
        .iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            outside.iter().any(|name| text.contains(name))
        })
        .map(|file| relative(file))
        .collect();
    assert!(
        cited.is_empty(),
        "cite {outside:?}, which are not in the repository: {cited:#?}"
    );
}

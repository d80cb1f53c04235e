//! Every version the project's documents and package manifests name is Cargo.toml's: the release
//! tag users are told to pin (`rev: v0.1.0`, `uses: ...@v0.1.0`), the packages they are told to
//! install (`pip install sandtrap-cli==0.1.0`, `npx sandtrap-cli@0.1.0`), the npm, Python and
//! VS Code packages and their dependencies on each other. A release bumps them all at once
//! (RELEASING.md); this test fails on any it missed.

use std::path::{Path, PathBuf};

use crate::support::root;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every `vX.Y.Z` (a `v` not preceded by a letter or digit, then three dot-separated numbers) in
/// `text`, with its line number.
fn tags(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let bytes = line.as_bytes();
        for (i, _) in line.match_indices('v') {
            if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
                continue;
            }
            let rest = &line[i + 1..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let candidate = rest[..end].trim_end_matches('.');
            let parts: Vec<&str> = candidate.split('.').collect();
            if parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) {
                found.push((n + 1, format!("v{candidate}")));
            }
        }
    }
    found
}

/// The documents whose tags must be the current one: the README, RELEASING.md, docs/, the
/// action, the packages' READMEs and the pre-commit mirror. (CHANGELOG.md names past versions.)
fn documents() -> Vec<PathBuf> {
    let root = root();
    let mut files: Vec<PathBuf> = [
        "README.md",
        "RELEASING.md",
        "action.yml",
        ".pre-commit-hooks.yaml",
        "packages/cdk/README.md",
        "packages/vscode/README.md",
        "packaging/pre-commit/.pre-commit-hooks.yaml",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files
}

/// Every version pinned as `sandtrap==X` (pip) or `sandtrap@X` (npm) in `text`.
fn pins(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for marker in ["sandtrap-cli==", "sandtrap-cli@", "sandtrap-cdk@"] {
            for (i, _) in line.match_indices(marker) {
                let rest = &line[i + marker.len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .unwrap_or(rest.len());
                let version = rest[..end].trim_end_matches('.');
                if !version.is_empty() {
                    found.push((n + 1, version.to_owned()));
                }
            }
        }
    }
    found
}

#[test]
fn the_pin_scanner_finds_pip_and_npm_pins() {
    assert_eq!(
        pins("pip install sandtrap-cli==0.1.0\nnpx sandtrap-cli@1.2.3 check; org/sandtrap@v0.1.0"),
        [(1, "0.1.0".to_owned()), (2, "1.2.3".to_owned())]
    );
}

#[test]
fn the_tag_scanner_finds_versions_and_only_versions() {
    assert_eq!(
        tags("rev: v0.1.0\nuses: o/sandtrap@v1.22.333 # not v4, nor dev1.2.3\n--tag v2.0.0."),
        [
            (1, "v0.1.0".to_owned()),
            (2, "v1.22.333".to_owned()),
            (3, "v2.0.0".to_owned())
        ]
    );
}

#[test]
fn every_tag_the_documents_name_is_cargo_tomls_version() {
    let mut wrong = Vec::new();
    let mut seen = 0;
    for file in documents() {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (line, tag) in tags(&text) {
            seen += 1;
            if tag != format!("v{VERSION}") {
                wrong.push(format!("{}:{line}: {tag}", relative(&file)));
            }
        }
        for (line, pin) in pins(&text) {
            seen += 1;
            if pin != VERSION {
                wrong.push(format!("{}:{line}: {pin}", relative(&file)));
            }
        }
    }
    assert!(wrong.is_empty(), "not v{VERSION}: {wrong:#?}");
    // The integration docs pin the tag in several places; RELEASING.md names it too.
    assert!(seen >= 5, "{seen}");
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn json(path: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

fn toml(path: &str) -> toml::Table {
    std::fs::read_to_string(root().join(path))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn npm_packages_are_cargo_tomls_version_and_depend_on_it() {
    let shim = json("packages/npm/sandtrap-cli/package.json");
    assert_eq!(shim["version"], VERSION);
    let platforms = shim["optionalDependencies"].as_object().unwrap();
    assert_eq!(platforms.len(), 5, "{platforms:?}");
    for (name, version) in platforms {
        assert!(name.starts_with("sandtrap-cli-"), "{name}");
        assert_eq!(version, VERSION, "{name}");
    }
    let cdk = json("packages/cdk/package.json");
    assert_eq!(cdk["name"], "sandtrap-cdk");
    assert_eq!(cdk["version"], VERSION);
    assert_eq!(cdk["dependencies"]["sandtrap-cli"], VERSION);
    assert_eq!(json("packages/vscode/package.json")["version"], VERSION);
}

#[test]
fn python_packages_are_cargo_tomls_version() {
    // The wheel takes Cargo.toml's version itself.
    let wheel = toml("pyproject.toml");
    let project = wheel["project"].as_table().unwrap();
    assert!(
        project.get("version").is_none(),
        "pyproject.toml: a literal version"
    );
    assert!(
        project["dynamic"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str() == Some("version"))
    );
    let mirror = toml("packaging/pre-commit/pyproject.toml");
    let project = mirror["project"].as_table().unwrap();
    assert_eq!(project["version"].as_str(), Some(VERSION));
    let dependencies: Vec<&str> = project["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.as_str())
        .collect();
    assert_eq!(dependencies, [format!("sandtrap-cli=={VERSION}")]);
}

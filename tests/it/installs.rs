//! What the documents tell people to install, and where they tell them to look, is ours: every
//! install command of a document, recipe, hook or workflow (`pip install`, `pipx`, `uvx`, `npx`,
//! `npm install`, `cargo install`, `code --install-extension`, `additional_dependencies`) names a
//! package we publish or a tool on the short list of other projects' tools below, and every
//! address that names sandtrap is derived from Cargo.toml's `repository`. The name `sandtrap` on
//! PyPI belongs to an unrelated project: `pip install sandtrap` would run someone else's code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sandtrap::site::{DOCS_URL, REPOSITORY_URL};

use crate::support::root;

/// Other projects' tools the documents install on purpose, with why.
const THIRD_PARTY: &[(&str, &str)] = &[
    ("cargo-insta", "reviewing snapshots (CONTRIBUTING.md)"),
    ("cargo-fuzz", "fuzzing (docs/robustness.md)"),
    ("maturin", "building the wheel (the release workflow)"),
    ("cdk", "the AWS CDK CLI of a CDK app (`npx cdk synth`)"),
    ("aws-cdk", "the AWS CDK CLI"),
    ("aws-cdk-lib", "the AWS CDK library of a CDK app"),
    ("pre-commit", "running the hooks"),
    ("@vscode/vsce", "packaging the VS Code extension"),
];

/// Which registry a command installs from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Registry {
    PyPi,
    Npm,
    Crates,
    /// `code --install-extension` and `additional_dependencies`: a name of any of ours.
    Any,
}

/// What we publish, read from the manifests: the wheel's distribution, the npm packages and
/// their platform packages, the crate of the repository (installed from it with `--git`, never
/// from crates.io) and the VS Code extension (`publisher.name`).
struct Published {
    pypi: BTreeSet<String>,
    npm: BTreeSet<String>,
    crate_name: String,
    extension: String,
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

fn published() -> Published {
    let pyproject = toml("pyproject.toml");
    let pypi = BTreeSet::from([pyproject["project"]["name"].as_str().unwrap().to_owned()]);
    let mut npm = BTreeSet::new();
    let shim = json("packages/npm/sandtrap-cli/package.json");
    npm.insert(shim["name"].as_str().unwrap().to_owned());
    npm.extend(
        shim["optionalDependencies"]
            .as_object()
            .unwrap()
            .keys()
            .cloned(),
    );
    npm.insert(
        json("packages/cdk/package.json")["name"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let vscode = json("packages/vscode/package.json");
    let extension = format!(
        "{}.{}",
        vscode["publisher"].as_str().unwrap(),
        vscode["name"].as_str().unwrap()
    );
    let cargo = toml("Cargo.toml");
    Published {
        pypi,
        npm,
        crate_name: cargo["package"]["name"].as_str().unwrap().to_owned(),
        extension,
    }
}

/// The pre-commit hook repository (`packaging/pre-commit`, published beside the main one).
fn mirror_url() -> String {
    format!("{REPOSITORY_URL}-pre-commit")
}

/// The documents, recipes, hooks, workflows and manifests that tell people what to install.
fn files() -> Vec<PathBuf> {
    let root = root();
    let mut files: Vec<PathBuf> = [
        "README.md",
        "RELEASING.md",
        "CONTRIBUTING.md",
        "rules/README.md",
        "action.yml",
        ".pre-commit-hooks.yaml",
        "packaging/pre-commit/.pre-commit-hooks.yaml",
        "packaging/pre-commit/pyproject.toml",
        "pyproject.toml",
        "packages/cdk/README.md",
        "packages/cdk/package.json",
        "packages/npm/sandtrap-cli/package.json",
        "packages/vscode/README.md",
        "packages/vscode/package.json",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    for dir in ["docs", ".github/workflows"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path
                .extension()
                .is_some_and(|e| e == "md" || e == "yml" || e == "yaml")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The parts of `text` that are code: fenced blocks and inline code spans of Markdown; every
/// line but comments of YAML and TOML (a comment's inline code still counts).
fn code(path: &Path, text: &str) -> Vec<(usize, String)> {
    let markdown = path.extension().is_some_and(|e| e == "md");
    let mut out = Vec::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if markdown && trimmed.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || (!markdown && !trimmed.starts_with('#')) {
            out.push((n + 1, line.to_owned()));
            continue;
        }
        // Inline code spans of prose (and of YAML/TOML comments).
        let mut parts = line.split('`');
        parts.next();
        while let (Some(inside), Some(_)) = (parts.next(), parts.next()) {
            out.push((n + 1, inside.to_owned()));
        }
    }
    out
}

/// One installed name: registry, name as written, and the line it is on.
#[derive(Debug, PartialEq, Eq)]
struct Install {
    registry: Registry,
    name: String,
    line: usize,
    /// `cargo install --git URL`: the repository it installs from.
    git: Option<String>,
}

/// The words of a command after `at`, up to where the command ends (a comment, another
/// command, the end of an inline code span).
fn words(rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in rest.split_whitespace() {
        // A comment, another command, or prose in parentheses ends the command.
        if word.starts_with(['#', '(']) || ["&&", "||", "|", ";", ")"].contains(&word) {
            break;
        }
        let ends = word.ends_with([';', ')', ',', ']']) || word.contains('`');
        let clean = word
            .split('`')
            .next()
            .unwrap_or_default()
            .trim_end_matches([';', ')', ',', ']'])
            .trim_matches(['"', '\'', '[']);
        if !clean.is_empty() {
            out.push(clean.to_owned());
        }
        if ends {
            break;
        }
    }
    out
}

/// The package a requirement names: `sandtrap-cli==0.1.0` → `sandtrap-cli`,
/// `sandtrap-cli@0.1.0` (npm) → `sandtrap-cli`, `@scope/x@1` → `@scope/x`; `None` for a path,
/// a file, a variable or a placeholder.
fn package(word: &str) -> Option<String> {
    if word.starts_with(['.', '/', '$', '<', '{', '~'])
        || word.contains("://")
        || word.ends_with(".whl")
        || word.ends_with(".tgz")
        || word.ends_with(".vsix")
        || word.ends_with(".tar.gz")
        || word.starts_with("file:")
        || word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '-' || c == '_')
    {
        return None;
    }
    let (scope, rest) = match word.strip_prefix('@') {
        Some(rest) => ("@", rest),
        None => ("", word),
    };
    let end = rest
        .find(['=', '<', '>', '~', '!', '[', '@', ';'])
        .unwrap_or(rest.len());
    let name = &rest[..end];
    if name.contains('/') && scope.is_empty() {
        return None;
    }
    Some(format!("{scope}{name}"))
}

/// Options of each tool that take a value (the value is not a package).
const VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-f",
    "--find-links",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "-d",
    "--dest",
    "--platform",
    "--python-version",
    "--only-binary",
    "--no-binary",
    "--python",
    "--registry",
    "--loglevel",
    "--version",
    "--vers",
    "--features",
    "-F",
    "--bin",
    "--branch",
    "--tag",
    "--rev",
    "--profile",
    "-j",
    "--jobs",
    "--index",
    "--pack-destination",
    "--cache",
];

/// Every package installed by the commands of `line`.
fn installs(line_number: usize, line: &str) -> Vec<Install> {
    let mut out = Vec::new();
    let mut push = |registry, name: String, git: Option<String>| {
        out.push(Install {
            registry,
            name,
            line: line_number,
            git,
        });
    };
    let commands: &[(&str, Registry)] = &[
        ("pip install ", Registry::PyPi),
        ("pip3 install ", Registry::PyPi),
        ("pip download ", Registry::PyPi),
        ("pipx install ", Registry::PyPi),
        ("pipx run ", Registry::PyPi),
        ("uv tool install ", Registry::PyPi),
        ("uvx ", Registry::PyPi),
        ("npm install ", Registry::Npm),
        ("npm i ", Registry::Npm),
        ("npm add ", Registry::Npm),
        ("yarn add ", Registry::Npm),
        ("pnpm add ", Registry::Npm),
        ("npx ", Registry::Npm),
        ("cargo install ", Registry::Crates),
        ("code --install-extension ", Registry::Any),
    ];
    for (command, registry) in commands {
        for (at, _) in line.match_indices(command) {
            // `npx` inside another word (`tnpx`) is not the command.
            if at > 0
                && line[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '-')
            {
                continue;
            }
            let words = words(&line[at + command.len()..]);
            // `npx NAME ARGS`, `pipx run NAME ARGS`, `uvx NAME ARGS`: the first word is the
            // package, unless an option named it (then the word is the command it provides), and
            // the rest are the command's arguments.
            let runs = ["npx ", "pipx run ", "uvx "].contains(command);
            let (mut named, mut positional) = (Vec::new(), Vec::new());
            let mut git = None;
            let mut no_install = false;
            let mut iter = words.iter();
            while let Some(word) = iter.next() {
                if !word.starts_with('-') {
                    positional.push(word.clone());
                    if runs {
                        break;
                    }
                    continue;
                }
                match word.as_str() {
                    "--git" => git = iter.next().cloned(),
                    // npx: `--package NAME`; pipx run: `--spec NAME`; uvx: `--from NAME`.
                    "-p" | "--package" | "--spec" | "--from" => named.extend(iter.next().cloned()),
                    "--no-install" | "--no" | "--offline" => no_install = true,
                    "--path" => {
                        git = Some("path".to_owned());
                        iter.next();
                    }
                    option if VALUE_OPTIONS.contains(&option) => {
                        iter.next();
                    }
                    _ => {}
                }
            }
            let names = if runs && !named.is_empty() {
                named
            } else {
                named.into_iter().chain(positional).collect()
            };
            if no_install {
                continue;
            }
            // `cargo install --path .` installs a checkout, not a registry's package.
            if git.as_deref() == Some("path") {
                continue;
            }
            for name in names.iter().filter_map(|n| package(n)) {
                push(*registry, name, git.clone());
            }
        }
    }
    if let Some(rest) = line.trim_start().strip_prefix("additional_dependencies:") {
        for word in rest.split([',', '[', ']', ' ']).filter(|w| !w.is_empty()) {
            if let Some(name) = package(word.trim_matches(['"', '\''])) {
                push(Registry::Any, name, None);
            }
        }
    }
    out
}

#[test]
fn the_install_scanner_reads_commands_and_their_packages() {
    let names = |line: &str| -> Vec<String> {
        installs(1, line)
            .into_iter()
            .map(|i| {
                format!(
                    "{:?} {}{}",
                    i.registry,
                    i.name,
                    i.git.map(|g| format!(" {g}")).unwrap_or_default()
                )
            })
            .collect()
    };
    assert_eq!(
        names("pip install --quiet sandtrap==0.1.0"),
        ["PyPi sandtrap"]
    );
    assert_eq!(
        names("pipx run sandtrap check .  # or: pip install sandtrap-cli"),
        ["PyPi sandtrap-cli", "PyPi sandtrap"]
    );
    assert_eq!(
        names("pipx run --spec sandtrap-cli sandtrap check ."),
        ["PyPi sandtrap-cli"]
    );
    assert_eq!(names("npx sandtrap check cdk.out"), ["Npm sandtrap"]);
    assert_eq!(
        names("npx --no-install sandtrap check"),
        Vec::<String>::new()
    );
    assert_eq!(
        names("npm install --save-dev sandtrap-cli-cdk@1.2.3 @scope/x"),
        ["Npm sandtrap-cli-cdk", "Npm @scope/x"]
    );
    assert_eq!(
        names("cargo install --locked --git https://github.com/o/r sandtrap"),
        ["Crates sandtrap https://github.com/o/r"]
    );
    assert_eq!(
        names("cargo install --locked --path ."),
        Vec::<String>::new()
    );
    assert_eq!(names("cargo install cargo-insta"), ["Crates cargo-insta"]);
    assert_eq!(
        names("additional_dependencies: [sandtrap, 'x==1']"),
        ["Any sandtrap", "Any x"]
    );
    assert_eq!(
        names("python -m pip install --quiet \"maturin==1.16.0\" && maturin sdist"),
        ["PyPi maturin"]
    );
    assert_eq!(
        names("pip install --no-index --find-links \"$links\" x.whl"),
        Vec::<String>::new()
    );
}

#[test]
fn no_document_recipe_hook_or_workflow_installs_a_name_we_do_not_publish() {
    let published = published();
    let third_party: BTreeSet<&str> = THIRD_PARTY.iter().map(|(name, _)| *name).collect();
    let mut wrong = Vec::new();
    let mut seen = 0;
    for file in files() {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (line, code) in code(&file, &text) {
            for install in installs(line, &code) {
                seen += 1;
                if third_party.contains(install.name.as_str()) {
                    continue;
                }
                let ours = match install.registry {
                    Registry::PyPi => published.pypi.contains(&install.name),
                    Registry::Npm => published.npm.contains(&install.name),
                    // Nothing is published to crates.io: the crate installs from the repository.
                    Registry::Crates => {
                        install.git.as_deref() == Some(REPOSITORY_URL)
                            && install.name == published.crate_name
                    }
                    Registry::Any => {
                        published.pypi.contains(&install.name)
                            || published.npm.contains(&install.name)
                            || install.name == published.extension
                    }
                };
                if !ours {
                    wrong.push(format!(
                        "{name}:{}: installs `{}` from {:?}{}",
                        install.line,
                        install.name,
                        install.registry,
                        install.git.map(|g| format!(" ({g})")).unwrap_or_default()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "names we do not publish (ours: PyPI {:?}, npm {:?}, the crate {} from {REPOSITORY_URL}, \
         the extension {}): {wrong:#?}",
        published.pypi,
        published.npm,
        published.crate_name,
        published.extension
    );
    // The README, the integration guide and the hooks install several.
    assert!(seen >= 10, "{seen}");
}

/// Every `http(s)://` address in `text` that names sandtrap, with its line.
fn addresses(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for (at, _) in line.match_indices("http") {
            let rest = &line[at..];
            if !(rest.starts_with("https://") || rest.starts_with("http://")) {
                continue;
            }
            let end = rest
                .find(|c: char| c.is_whitespace() || "`\"'<>)]".contains(c))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            // A template (`https://github.com/$REPOSITORY/...`) is filled from what is checked.
            if url.to_ascii_lowercase().contains("sandtrap") && !url.contains(['$', '{']) {
                out.push((n + 1, url.to_owned()));
            }
        }
    }
    out
}

#[test]
fn every_address_that_names_sandtrap_derives_from_the_repository() {
    let published = published();
    let mirror = mirror_url();
    let allowed = |url: &str| {
        let registry_page = url
            .strip_prefix("https://pypi.org/project/")
            .map(|n| published.pypi.contains(n.trim_end_matches('/')))
            .or_else(|| {
                url.strip_prefix("https://www.npmjs.com/package/")
                    .map(|n| published.npm.contains(n.trim_end_matches('/')))
            })
            .unwrap_or(false);
        registry_page
            || url == REPOSITORY_URL
            || url.starts_with(&format!("{REPOSITORY_URL}/"))
            || url.starts_with(&format!("{REPOSITORY_URL}.git"))
            || url.starts_with(DOCS_URL)
            || url == DOCS_URL.trim_end_matches('/')
            || url == mirror
    };
    let mut wrong = Vec::new();
    let mut seen = 0;
    let mut paths = files();
    paths.push(root().join("Cargo.toml"));
    for file in paths {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (line, url) in addresses(&text) {
            seen += 1;
            if !allowed(&url) {
                wrong.push(format!("{name}:{line}: {url}"));
            }
        }
        // `uses: OWNER/REPO@vX.Y.Z` and pre-commit's `repo:` name the repositories too.
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_start().trim_start_matches("- ");
            if let Some(action) = line.strip_prefix("uses: ")
                && action.contains("sandtrap")
            {
                let repo = action.split('@').next().unwrap_or_default();
                if format!("https://github.com/{repo}") != REPOSITORY_URL {
                    wrong.push(format!("{name}:{}: uses: {action}", n + 1));
                }
            }
            if let Some(repo) = line.strip_prefix("repo: ")
                && repo.contains("sandtrap")
            {
                let repo = repo.split_whitespace().next().unwrap_or_default();
                if repo != mirror && !repo.starts_with('$') {
                    wrong.push(format!("{name}:{}: repo: {repo}", n + 1));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "addresses not derived from {REPOSITORY_URL} (docs {DOCS_URL}, pre-commit mirror \
         {mirror}): {wrong:#?}"
    );
    assert!(seen >= 3, "{seen}");
}

#[test]
fn the_action_downloads_from_the_repository_by_default() {
    let action: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap())
            .unwrap();
    let default = action["inputs"]["repository"]["default"].as_str().unwrap();
    assert_eq!(format!("https://github.com/{default}"), REPOSITORY_URL);
    // The release is found from the input, never from `github.action_repository`, which
    // composite actions are not promised.
    let steps = serde_json::to_string(&action["runs"]["steps"]).unwrap();
    assert!(!steps.contains("action_repository"), "{steps}");
    assert!(steps.contains("${{ inputs.repository }}"), "{steps}");
}

#[test]
fn the_docs_site_is_the_repositorys_github_pages_address() {
    let cargo = toml("Cargo.toml");
    assert_eq!(
        cargo["package"]["repository"].as_str(),
        Some(REPOSITORY_URL)
    );
    // A build may publish the site elsewhere (`SANDTRAP_DOCS_URL`); this one did not.
    if option_env!("SANDTRAP_DOCS_URL").is_some() {
        return;
    }
    let path = REPOSITORY_URL.strip_prefix("https://github.com/").unwrap();
    let (owner, repo) = path.split_once('/').unwrap();
    assert_eq!(
        DOCS_URL,
        format!("https://{}.github.io/{repo}/", owner.to_ascii_lowercase())
    );
}

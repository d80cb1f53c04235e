//! CDK cloud assemblies: `manifest.json` with its stacks, nested assemblies and nested stacks.
//!
//! The layout is the cloud assembly schema's
//! (<https://github.com/aws/aws-cdk-cli/tree/main/packages/%40aws-cdk/cloud-assembly-schema>):
//! `artifacts` keyed by id, each with a `type`. Stacks (`aws:cloudformation:stack`) and nested
//! assemblies (`cdk:cloud-assembly`, one per Stage) are read; every other type is ignored, as the
//! schema asks of readers, so manifests from any CDK version load.

mod nested;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::{CdkStack, Discovered, Environment, FileProblem, Origin, Target};
use crate::load::{LoadProblem, ProblemKind, json};
use crate::source::{SourceFile, Span};
use crate::tree::{Entry, Node};

pub(crate) const MANIFEST: &str = "manifest.json";

/// Stages inside stages are legal but never this deep; the bound only stops pathological input.
const MAX_NESTING: usize = 32;

/// The text of `dir/manifest.json` when that directory is a cloud assembly.
pub(crate) fn probe(dir: &Path) -> Option<String> {
    // Every directory of a walk is probed: one `lstat` answers for the many without a manifest
    // before any path is resolved.
    fs::symlink_metadata(dir.join(MANIFEST)).ok()?;
    let text = read_manifest(dir, dir).ok()?;
    is_assembly_manifest(&text).then_some(text)
}

/// The text of `dir/manifest.json`, read only when it resolves inside `root` (a manifest that
/// is a symbolic link out of the assembly is refused, like any other assembly file).
pub(crate) fn read_manifest(dir: &Path, root: &Path) -> std::io::Result<String> {
    let path = dir.join(MANIFEST);
    let root = fs::canonicalize(root)?;
    if crate::input::contained(&path, &root).is_none() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "links outside the cloud assembly",
        ));
    }
    super::read_regular_string(&path)
}

/// Whether `dir/manifest.json` is a symbolic link that leads out of `dir` (and so is refused).
pub(crate) fn manifest_links_out(dir: &Path) -> bool {
    let path = dir.join(MANIFEST);
    fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        && fs::canonicalize(dir).is_ok_and(|root| crate::input::contained(&path, &root).is_none())
}

/// A manifest with an `artifacts` object. A manifest that does not parse but mentions
/// `"artifacts"` counts too, so that its syntax error is reported (ST001) instead of the
/// directory being walked file by file.
pub(crate) fn is_assembly_manifest(text: &str) -> bool {
    if !text.contains("\"artifacts\"") {
        return false;
    }
    match json::load(text).document {
        Some(doc) => doc.root.get("artifacts").and_then(Node::as_map).is_some(),
        None => true,
    }
}

/// Reads the assembly in `dir` (whose manifest text is `text`) and everything nested in it into
/// `out`. `display_dir` is how the user should read `dir` (`""` for the current directory).
pub(crate) fn read(
    dir: &Path,
    display_dir: &str,
    text: String,
    explicit: bool,
    out: &mut Discovered,
) {
    let root = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut reader = Reader {
        visited: HashSet::from([root.clone()]),
        root,
        explicit,
        out,
    };
    reader.assembly(dir, display_dir, text, 0);
}

/// `dir` joined with `name` for display, without a leading `./`.
pub(crate) fn display_join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_owned()
    } else {
        Path::new(dir).join(name).to_string_lossy().into_owned()
    }
}

/// `aws://ACCOUNT/REGION`, where the CDK writes `unknown-account` / `unknown-region` for an
/// environment-agnostic stack. Anything that does not match the CDK's own pattern
/// (`aws://([a-z0-9A-Z\-\@\.\_]+)/([a-z\-0-9]+)`, `cx-api` `environment.ts`) is unknown.
pub fn parse_environment(text: &str) -> Environment {
    let Some((account, region)) = text
        .strip_prefix("aws://")
        .and_then(|rest| rest.split_once('/'))
    else {
        return Environment::default();
    };
    let account_ok = !account.is_empty()
        && account
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-@._".contains(c));
    let region_ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !(account_ok && region_ok) {
        return Environment::default();
    }
    Environment {
        account: (account != "unknown-account").then(|| account.to_owned()),
        region: (region != "unknown-region").then(|| region.to_owned()),
    }
}

struct Reader<'a> {
    /// The root assembly's canonical directory: nothing outside it is read.
    root: PathBuf,
    /// Canonical directories of the assemblies read so far (cycle guard).
    visited: HashSet<PathBuf>,
    explicit: bool,
    out: &'a mut Discovered,
}

/// One manifest being read: what every target and problem from it refers to.
struct Manifest<'a> {
    dir: &'a Path,
    display_dir: &'a str,
    file: SourceFile,
}

impl Reader<'_> {
    fn assembly(&mut self, dir: &Path, display_dir: &str, text: String, depth: usize) {
        let manifest = Manifest {
            dir,
            display_dir,
            file: SourceFile::new(
                display_join(display_dir, MANIFEST),
                Some(dir.join(MANIFEST)),
                text,
            ),
        };
        let loaded = json::load(&manifest.file.text);
        for problem in loaded.problems {
            self.out.problems.push(FileProblem {
                file: manifest.file.clone(),
                problem,
            });
        }
        let Some(doc) = loaded.document else {
            return;
        };
        let Some(artifacts) = doc.root.get("artifacts").and_then(Node::as_map) else {
            return;
        };
        let mut stacks = Vec::new();
        let mut assemblies = Vec::new();
        for entry in &artifacts.entries {
            match entry.value.get("type").and_then(Node::as_str) {
                Some("aws:cloudformation:stack") => {
                    if let Some(target) = self.stack(&manifest, entry) {
                        stacks.push(target);
                    }
                }
                Some("cdk:cloud-assembly") => assemblies.push(entry),
                _ => {}
            }
        }
        let nested = nested::templates(
            dir,
            &self.root,
            display_dir,
            &manifest.file.name,
            artifacts,
            &stacks,
        );
        self.out.targets.extend(stacks);
        self.out
            .targets
            .extend(nested.into_iter().map(|mut target| {
                target.explicit = self.explicit;
                target
            }));
        for entry in assemblies {
            self.nested_assembly(&manifest, entry, depth);
        }
    }

    fn stack(&mut self, manifest: &Manifest<'_>, entry: &Entry) -> Option<Target> {
        let id = &entry.key;
        let artifact = &entry.value;
        let properties = artifact.get("properties");
        let Some(template) = properties.and_then(|p| p.get("templateFile")) else {
            self.problem(
                manifest,
                entry.key_span,
                format!("stack `{id}` has no `properties.templateFile`"),
            );
            return None;
        };
        let Some(template_file) = template.as_str() else {
            self.problem(
                manifest,
                template.span,
                format!("`templateFile` of stack `{id}` is not a string"),
            );
            return None;
        };
        let path = manifest.dir.join(template_file);
        // Said in this order: a device such as `/dev/zero` is first of all not a template.
        let refusal = match fs::canonicalize(&path) {
            Err(_) => Some("does not exist"),
            Ok(c) if !c.is_file() => Some("is not a regular file; skipped"),
            Ok(c) if !c.starts_with(&self.root) => Some("is outside the cloud assembly; skipped"),
            Ok(_) => None,
        };
        if let Some(refusal) = refusal {
            let message = format!("template `{template_file}` of stack `{id}` {refusal}");
            self.problem(manifest, template.span, message);
            return None;
        }
        let environment_node = artifact.get("environment");
        let environment = environment_node
            .and_then(Node::as_str)
            .map(parse_environment)
            .unwrap_or_default();
        let stack_name = properties
            .and_then(|p| p.get("stackName"))
            .and_then(Node::as_str)
            .unwrap_or(id)
            .to_owned();
        let parameters: BTreeMap<String, String> = properties
            .and_then(|p| p.get("parameters"))
            .and_then(Node::as_map)
            .map(|map| {
                map.iter()
                    .filter_map(|(key, value)| Some((key.to_owned(), value.scalar_text()?)))
                    .collect()
            })
            .unwrap_or_default();
        Some(Target {
            name: display_join(manifest.display_dir, template_file),
            path: Some(path),
            explicit: self.explicit,
            origin: Origin::Cdk(Box::new(CdkStack {
                manifest: manifest.file.name.clone(),
                artifact_id: id.clone(),
                stack_name,
                nested_in: None,
                deployment: id.clone(),
                environment_span: environment_node.map(|n| n.span),
                parameters,
                lookup_role: properties
                    .and_then(|p| p.get("lookupRole"))
                    .and_then(lookup_role)
                    .map(Box::new),
            })),
            environment,
        })
    }

    fn nested_assembly(&mut self, manifest: &Manifest<'_>, entry: &Entry, depth: usize) {
        let id = &entry.key;
        let Some(name_node) = entry
            .value
            .get("properties")
            .and_then(|p| p.get("directoryName"))
        else {
            self.problem(
                manifest,
                entry.key_span,
                format!("nested assembly `{id}` has no `properties.directoryName`"),
            );
            return;
        };
        let Some(name) = name_node.as_str() else {
            self.problem(
                manifest,
                name_node.span,
                format!("`directoryName` of nested assembly `{id}` is not a string"),
            );
            return;
        };
        let dir = manifest.dir.join(name);
        let Ok(canonical) = fs::canonicalize(&dir) else {
            self.problem(
                manifest,
                name_node.span,
                format!("directory `{name}` of nested assembly `{id}` does not exist"),
            );
            return;
        };
        if !canonical.starts_with(&self.root) {
            self.problem(
                manifest,
                name_node.span,
                format!(
                    "nested assembly `{id}` points outside the cloud assembly (`{name}`); skipped"
                ),
            );
            return;
        }
        if depth + 1 >= MAX_NESTING {
            self.problem(
                manifest,
                name_node.span,
                format!(
                    "nested assembly `{id}` is more than {MAX_NESTING} assemblies deep (`{name}`); skipped"
                ),
            );
            return;
        }
        if !self.visited.insert(canonical) {
            self.problem(
                manifest,
                name_node.span,
                format!("nested assembly `{id}` points back to an assembly already read (`{name}`); skipped"),
            );
            return;
        }
        let Ok(text) = read_manifest(&dir, &self.root) else {
            self.problem(
                manifest,
                name_node.span,
                format!("nested assembly `{id}` has no readable `{MANIFEST}` in `{name}`"),
            );
            return;
        };
        let display_dir = display_join(manifest.display_dir, name);
        self.assembly(&dir, &display_dir, text, depth + 1);
    }

    fn problem(&mut self, manifest: &Manifest<'_>, span: Span, message: String) {
        self.out.problems.push(FileProblem {
            file: manifest.file.clone(),
            problem: LoadProblem {
                kind: ProblemKind::Assembly,
                span,
                message,
                related: None,
            },
        });
    }
}

/// `properties.lookupRole`; `None` without an `arn`. Unknown keys are ignored (newer CDK
/// versions may add some), and a malformed option is dropped rather than guessed.
pub(super) fn lookup_role(node: &Node) -> Option<super::LookupRole> {
    let arn = node.get("arn")?.as_str()?.to_owned();
    let text = |n: Option<&Node>| n.and_then(Node::as_str).map(str::to_owned);
    let options = node.get("assumeRoleAdditionalOptions");
    let option = |key: &str| options.and_then(|o| o.get(key));
    let strings = |n: Option<&Node>| -> Vec<String> {
        n.and_then(Node::as_seq)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    Some(super::LookupRole {
        arn,
        requires_bootstrap_version: node
            .get("requiresBootstrapStackVersion")
            .and_then(Node::scalar_text)
            .and_then(|v| v.parse().ok()),
        external_id: text(node.get("assumeRoleExternalId")),
        options: super::AssumeRoleOptions {
            duration_seconds: option("DurationSeconds")
                .and_then(Node::scalar_text)
                .and_then(|v| v.parse().ok()),
            tags: option("Tags")
                .and_then(Node::as_seq)
                .map(|tags| {
                    tags.iter()
                        .filter_map(|t| Some((text(t.get("Key"))?, text(t.get("Value"))?)))
                        .collect()
                })
                .unwrap_or_default(),
            transitive_tag_keys: strings(option("TransitiveTagKeys")),
            source_identity: text(option("SourceIdentity")),
            policy: text(option("Policy")),
            policy_arns: option("PolicyArns")
                .and_then(Node::as_seq)
                .map(|items| items.iter().filter_map(|i| text(i.get("arn"))).collect())
                .unwrap_or_default(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(account: Option<&str>, region: Option<&str>) -> Environment {
        Environment {
            account: account.map(str::to_owned),
            region: region.map(str::to_owned),
        }
    }

    #[test]
    fn environments() {
        assert_eq!(
            parse_environment("aws://111111111111/ap-northeast-1"),
            env(Some("111111111111"), Some("ap-northeast-1"))
        );
        assert_eq!(
            parse_environment("aws://unknown-account/unknown-region"),
            env(None, None)
        );
        assert_eq!(
            parse_environment("aws://unknown-account/eu-west-1"),
            env(None, Some("eu-west-1"))
        );
        assert_eq!(
            parse_environment("aws://111111111111/unknown-region"),
            env(Some("111111111111"), None)
        );
        for bad in [
            "awsx://37736633/us-region-1",
            "aws://111111111111",
            "aws:///us-east-1",
            "aws://111111111111/",
            "aws://${Token[AWS.AccountId.1]}/us-east-1",
            "aws://111111111111/US-EAST-1",
            "aws://1/us-east-1/extra",
            "",
        ] {
            assert_eq!(parse_environment(bad), Environment::default(), "{bad}");
        }
    }

    #[test]
    fn manifests_are_recognized_by_their_artifacts() {
        assert!(is_assembly_manifest(
            r#"{"version": "36.0.0", "artifacts": {}}"#
        ));
        assert!(is_assembly_manifest(
            r#"{"version": "36.0.0", "artifacts": {"#
        ));
        assert!(!is_assembly_manifest(r#"{"version": "0.0.0"}"#));
        assert!(!is_assembly_manifest(r#"{"artifacts": []}"#));
        assert!(!is_assembly_manifest(r#"{"name": "app", "icons": []}"#));
    }

    #[test]
    fn display_paths() {
        assert_eq!(display_join("", "a.json"), "a.json");
        assert_eq!(display_join(".", "a.json"), "a.json");
        assert_eq!(display_join("cdk.out", "a.json"), "cdk.out/a.json");
        assert_eq!(display_join("cdk.out/", "a.json"), "cdk.out/a.json");
    }

    #[test]
    fn lookup_roles_are_read_with_their_options() {
        let text = r#"{"arn": "arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-us-west-2",
            "requiresBootstrapStackVersion": 8, "assumeRoleExternalId": "ext",
            "assumeRoleAdditionalOptions": {"DurationSeconds": 900, "Tags": [{"Key": "team", "Value": "auth"}],
              "TransitiveTagKeys": ["team"], "SourceIdentity": "ci", "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
              "Unknown": true}}"#;
        let loaded = crate::load::json::load(text);
        let role = lookup_role(&loaded.document.unwrap().root).unwrap();
        assert_eq!(role.requires_bootstrap_version, Some(8));
        assert_eq!(role.external_id.as_deref(), Some("ext"));
        assert_eq!(role.options.duration_seconds, Some(900));
        assert_eq!(role.options.tags, [("team".to_owned(), "auth".to_owned())]);
        assert_eq!(role.options.transitive_tag_keys, ["team"]);
        assert_eq!(role.options.source_identity.as_deref(), Some("ci"));
        assert_eq!(
            role.options.policy_arns,
            ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
        );
        let bare = crate::load::json::load(r#"{"requiresBootstrapStackVersion": 8}"#);
        assert!(
            lookup_role(&bare.document.unwrap().root).is_none(),
            "no arn, no role"
        );
    }
}

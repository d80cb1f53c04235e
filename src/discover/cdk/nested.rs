//! Nested stack templates (`*.nested.template.json`) of one assembly directory and their parents.
//!
//! The CDK writes a nested stack's template next to its parent's as
//! `<unique id>.nested.template.json` and records no artifact for it. The parent is found, in
//! order, by:
//! 1. an `AWS::CloudFormation::Stack` resource whose `Metadata."aws:asset:path"` names the file,
//!    in a stack template or in another nested template (a nested stack inside a nested stack);
//!    the CLI writes this metadata, integration-test snapshots do not;
//! 2. the asset manifest a stack depends on (`cdk:asset-manifest`, `files.*.source.path`), or the
//!    stack's own `aws:cdk:asset` metadata (CDK v1), listing the file;
//! 3. the one stack of the manifest, when there is exactly one;
//! 4. the manifest's first stack, so the template is still checked with a plausible environment.
//!
//! A nested stack deploys to its parent's account and Region, so it inherits the environment of
//! the top-level stack it hangs from.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use super::display_join;
use crate::discover::{CdkStack, Origin, Target};
use crate::load::json;
use crate::tree::{Map, Node};

const SUFFIX: &str = ".nested.template.json";

/// Targets for the nested stack templates in `dir`, given the stacks its manifest declared.
pub(super) fn templates(
    dir: &Path,
    root: &Path,
    display_dir: &str,
    manifest_name: &str,
    artifacts: &Map,
    stacks: &[Target],
) -> Vec<Target> {
    let declared: HashSet<&std::ffi::OsStr> = stacks
        .iter()
        .filter_map(|t| t.path.as_deref()?.file_name())
        .collect();
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter(|e| !declared.contains(e.file_name().as_os_str()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| stem(name).is_some())
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        return Vec::new();
    }
    names.sort();

    let candidates: Vec<(String, std::path::PathBuf)> = stacks
        .iter()
        .filter_map(|t| Some((stack_of(t)?.artifact_id.clone(), t.path.clone()?)))
        .chain(
            names
                .iter()
                .filter_map(|n| Some((stem(n)?.to_owned(), dir.join(n)))),
        )
        .collect();
    let by_asset_path = asset_path_links(&candidates);
    let by_asset_manifest = asset_manifest_links(dir, root, artifacts, stacks);

    let parent_of: HashMap<String, String> = names
        .iter()
        .filter_map(|name| {
            let parent = by_asset_path
                .get(name.as_str())
                .or_else(|| by_asset_manifest.get(name.as_str()))
                .map(String::as_str)
                .or_else(|| Some(stack_of(stacks.first()?)?.artifact_id.as_str()))?;
            Some((stem(name)?.to_owned(), parent.to_owned()))
        })
        .collect();

    names
        .iter()
        .filter_map(|name| {
            let id = stem(name)?;
            let top = top_stack(id, &parent_of, stacks);
            let (environment, environment_span, lookup_role) = top
                .and_then(|t| {
                    let cdk = stack_of(t)?;
                    Some((
                        t.environment.clone(),
                        cdk.environment_span,
                        cdk.lookup_role.clone(),
                    ))
                })
                .unwrap_or_default();
            Some(Target {
                name: display_join(display_dir, name),
                path: Some(dir.join(name)),
                explicit: false,
                origin: Origin::Cdk(Box::new(CdkStack {
                    manifest: manifest_name.to_owned(),
                    artifact_id: id.to_owned(),
                    stack_name: id.to_owned(),
                    nested_in: parent_of.get(id).cloned(),
                    deployment: top
                        .and_then(stack_of)
                        .map_or_else(|| id.to_owned(), |t| t.artifact_id.clone()),
                    environment_span,
                    parameters: Default::default(),
                    lookup_role,
                })),
                environment,
            })
        })
        .collect()
}

/// The name without `.nested.template.json`, when it has that suffix (in any case).
fn stem(name: &str) -> Option<&str> {
    let cut = name.len().checked_sub(SUFFIX.len())?;
    let (stem, suffix) = (name.get(..cut)?, name.get(cut..)?);
    (!stem.is_empty() && suffix.eq_ignore_ascii_case(SUFFIX)).then_some(stem)
}

fn stack_of(target: &Target) -> Option<&CdkStack> {
    match &target.origin {
        Origin::Cdk(stack) => Some(&**stack),
        _ => None,
    }
}

/// Follows parents from the nested template `id` up to a declared stack.
fn top_stack<'s>(
    id: &str,
    parent_of: &HashMap<String, String>,
    stacks: &'s [Target],
) -> Option<&'s Target> {
    let mut current = id;
    // One hop per nested template at most; a longer chain is a cycle.
    for _ in 0..=parent_of.len() {
        let parent = parent_of.get(current)?;
        if let Some(stack) = stacks
            .iter()
            .find(|t| stack_of(t).is_some_and(|s| &s.artifact_id == parent))
        {
            return Some(stack);
        }
        current = parent;
    }
    None
}

/// File name → id of the template whose `AWS::CloudFormation::Stack` resource carries
/// `Metadata."aws:asset:path"` naming it.
fn asset_path_links(candidates: &[(String, std::path::PathBuf)]) -> HashMap<String, String> {
    let mut links = HashMap::new();
    for (id, path) in candidates {
        let Ok(text) = crate::discover::read_regular_string(path) else {
            continue;
        };
        let Some(doc) = json::load(&text).document else {
            continue;
        };
        let Some(resources) = doc.root.get("Resources").and_then(Node::as_map) else {
            continue;
        };
        for (_, resource) in resources.iter() {
            if resource.get("Type").and_then(Node::as_str) != Some("AWS::CloudFormation::Stack") {
                continue;
            }
            if let Some(file) = resource
                .get_path(&["Metadata", "aws:asset:path"])
                .and_then(Node::as_str)
            {
                let file = Path::new(file)
                    .file_name()
                    .map_or_else(|| file.to_owned(), |f| f.to_string_lossy().into_owned());
                links.entry(file).or_insert_with(|| id.clone());
            }
        }
    }
    links
}

/// File name → id of the stack whose assets include it: through the `cdk:asset-manifest`
/// artifacts it depends on (read only inside the root assembly's canonical directory `root`),
/// or its own `aws:cdk:asset` metadata entries (CDK v1).
fn asset_manifest_links(
    dir: &Path,
    root: &Path,
    artifacts: &Map,
    stacks: &[Target],
) -> HashMap<String, String> {
    let mut links = HashMap::new();
    for stack in stacks.iter().filter_map(stack_of) {
        let Some(artifact) = artifacts.get(&stack.artifact_id) else {
            continue;
        };
        let mut files = Vec::new();
        let dependencies = [
            artifact.get("dependencies"),
            artifact.get_path(&["properties", "additionalDependencies"]),
        ];
        for dependency in dependencies
            .into_iter()
            .flatten()
            .filter_map(Node::as_seq)
            .flatten()
            .filter_map(Node::as_str)
        {
            let Some(asset) = artifacts.get(dependency) else {
                continue;
            };
            if asset.get("type").and_then(Node::as_str) != Some("cdk:asset-manifest") {
                continue;
            }
            let Some(file) = asset
                .get_path(&["properties", "file"])
                .and_then(Node::as_str)
            else {
                continue;
            };
            let Some(inside) = crate::input::contained(&dir.join(file), root) else {
                continue;
            };
            let Ok(text) = crate::discover::read_regular_string(&inside) else {
                continue;
            };
            let Some(doc) = json::load(&text).document else {
                continue;
            };
            if let Some(entries) = doc.root.get("files").and_then(Node::as_map) {
                files.extend(entries.iter().filter_map(|(_, f)| {
                    f.get_path(&["source", "path"])
                        .and_then(Node::as_str)
                        .map(str::to_owned)
                }));
            }
        }
        if let Some(metadata) = artifact.get("metadata").and_then(Node::as_map) {
            files.extend(
                metadata
                    .iter()
                    .filter_map(|(_, entries)| entries.as_seq())
                    .flatten()
                    .filter(|e| e.get("type").and_then(Node::as_str) == Some("aws:cdk:asset"))
                    .filter_map(|e| e.get_path(&["data", "path"]).and_then(Node::as_str))
                    .map(str::to_owned),
            );
        }
        for file in files {
            links
                .entry(file)
                .or_insert_with(|| stack.artifact_id.clone());
        }
    }
    links
}

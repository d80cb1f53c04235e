//! A stack's region from the deploy configuration beside its template: SAM's `samconfig.toml` /
//! `samconfig.yaml`, and the Serverless Framework's `serverless.yml` for the CloudFormation
//! template it writes to `.serverless/`. Teams that deploy with these tools never pass
//! `--region`: the region is in the file the tool itself reads.
//!
//! - SAM (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html>):
//!   `[ENV.deploy.parameters] region`, else `[ENV.global.parameters] region`, where ENV is
//!   `--config-env`, else config `config-env` (default `default`), for the template named by `template_file` there
//!   (relative to the samconfig's directory), or `template.yaml`/`template.yml` beside it when
//!   none is named. `samconfig.toml` wins over `samconfig.yaml`/`samconfig.yml`, as in the SAM CLI.
//! - Serverless Framework: `.serverless/cloudformation-template-update-stack.json` deploys to
//!   `provider.region` of the `serverless.yml` (or `serverless.yaml`) beside `.serverless/`. Only
//!   a plain region counts: `${opt:region, 'us-east-1'}` and other variables depend on the command
//!   line, so the region stays unknown. Without `provider.region` the framework's own default
//!   (us-east-1) applies unless `sls deploy --region` says otherwise, so that is unknown too.
//!
//! The files are read with the project's own YAML loader and the `toml` crate's spanned parser,
//! so the related location of a diagnostic points at the `region` value.

use foldhash::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::CheckOptions;
use super::files::FileOutcome;
use super::inputs::RunInputs;
use super::stamp::Stamp;
use crate::config;
use crate::discover::Target;
use crate::source::Span;
use crate::tree::Node;

/// The SAM configuration files, in the order the SAM CLI prefers them.
const SAMCONFIG: [&str; 3] = ["samconfig.toml", "samconfig.yaml", "samconfig.yml"];
const SERVERLESS: [&str; 2] = ["serverless.yml", "serverless.yaml"];
const SERVERLESS_TEMPLATE: &str = "cloudformation-template-update-stack.json";

/// A region found in a deploy configuration file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeployRegion {
    pub region: String,
    /// The file, named like the template it applies to (same directory prefix).
    pub file: String,
    /// The `region` value in it.
    pub span: Span,
}

/// What the deploy configuration beside a template says about its region: the region, or why
/// there is none (for the note of a diagnostic that needed it).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deploy {
    pub region: Option<DeployRegion>,
    pub note: Option<String>,
    /// The file does not parse: a located warning of its own, never a silent "region unknown".
    pub problem: Option<DeployProblem>,
}

/// A deploy configuration file that does not parse: where, and the parser's message (never a
/// quotation of the file: `parameter_overrides` holds secrets).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeployProblem {
    /// The file, named like the template it applies to.
    pub file: String,
    pub path: std::path::PathBuf,
    pub span: Span,
    pub message: String,
}

impl Deploy {
    /// The region `region` read at `span` of the file shown as `file`.
    fn region(region: String, file: String, span: Span) -> Self {
        Self {
            region: Some(DeployRegion { region, file, span }),
            note: None,
            problem: None,
        }
    }

    fn note(note: String) -> Self {
        Self {
            region: None,
            note: Some(note),
            problem: None,
        }
    }
}

/// Which SAM configuration file each directory holds, looked for once per directory and run:
/// the templates of one directory share their lookup (three `stat` calls that find nothing, in
/// most directories of a large project).
#[derive(Debug, Default)]
pub(super) struct Probes(Mutex<HashMap<PathBuf, Option<&'static str>>>);

impl Probes {
    /// The first of [`SAMCONFIG`] that is a file in `dir`.
    fn samconfig(&self, dir: &Path) -> Option<&'static str> {
        let probed = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&found) = probed().get(dir) {
            return found;
        }
        // Not under the lock: another thread may look in the same directory, and find the same.
        let found = SAMCONFIG.into_iter().find(|f| dir.join(f).is_file());
        probed().insert(dir.to_path_buf(), found);
        found
    }
}

/// The region of the Serverless Framework service in `project`, whose template is reported as
/// `name`: its `provider.region` when it is a region, else a note why not.
fn serverless_region(project: &Path, name: &str) -> Option<Deploy> {
    let file = SERVERLESS.iter().find(|f| project.join(f).is_file())?;
    let shown = display(Path::new(name).parent().and_then(Path::parent), file);
    let Some(root) = read_yaml(&project.join(file), project) else {
        return Some(Deploy::note(format!(
            "{shown} cannot be read as YAML, so its `provider.region` was not used: pass `--region`"
        )));
    };
    Some(match root.get_path(&["provider", "region"]) {
        Some(node) => match literal_region(node) {
            Some((region, span)) => Deploy::region(region, shown, span),
            None => match node.scalar_text() {
                Some(value) if value.contains("${") => Deploy::note(format!(
                    "`provider.region` of {shown} is `{value}`, known only when `sls deploy` runs: pass `--region`"
                )),
                _ => Deploy::note(format!(
                    "`provider.region` of {shown} is not a region name: pass `--region`"
                )),
            },
        },
        None => Deploy::note(format!(
            "{shown} sets no `provider.region`: `sls deploy` uses its `--region`, else us-east-1; pass `--region`"
        )),
    })
}

/// The deploy configuration of the template at `path`, reported as `name`: each file read once
/// (bounded, links followed only inside its directory), `None` when there is none. The
/// directories' SAM configuration files are looked for through `probes`.
pub(super) fn lookup_probed(
    path: &Path,
    name: &str,
    config_env: &str,
    probes: &Probes,
) -> Option<Deploy> {
    let dir = path.parent()?;
    if let Some(project) = serverless_project(path) {
        return serverless_region(project, name);
    }
    let file = probes.samconfig(dir)?;
    let shown = display(Path::new(name).parent(), file);
    let unreadable = || {
        Some(Deploy::note(format!(
            "{shown} cannot be read, so its `region` was not used: pass `--region`"
        )))
    };
    let Ok(text) = crate::input::read_settings(&dir.join(file), dir) else {
        return unreadable();
    };
    let template = path.file_name()?.to_str()?;
    // A file that does not parse is said where it breaks, in the parser's words only.
    let broken = |span: Span, message: String| {
        let mut deploy = Deploy::note(format!(
            "{shown} cannot be read, so its `region` was not used: pass `--region`"
        ));
        deploy.problem = Some(DeployProblem {
            file: shown.clone(),
            path: dir.join(file),
            span,
            message: format!(
                "{shown} is not valid {}: {message}; the SAM CLI cannot read it either, and its deploy `region` is not used",
                if file.ends_with(".toml") {
                    "TOML"
                } else {
                    "YAML"
                }
            ),
        });
        Some(deploy)
    };
    let found = if file.ends_with(".toml") {
        let root = match toml::de::DeTable::parse(&text) {
            Ok(root) => root,
            Err(err) => {
                let span = err
                    .span()
                    .map_or(Span::empty(0), |r| Span::new(r.start, r.end));
                return broken(span, err.message().trim().to_owned());
            }
        };
        samconfig_toml(root.get_ref(), config_env, template, dir, path)
    } else {
        let loaded = crate::load::yaml::load(&text);
        let Some(root) = loaded.document.map(|d| d.root) else {
            return match loaded.problems.first() {
                Some(problem) => broken(problem.span, problem.message.clone()),
                None => unreadable(),
            };
        };
        samconfig_yaml(&root, config_env, template, dir, path)
    };
    let (region, span) = found?;
    Some(Deploy::region(region, shown, span))
}

/// Every path [`lookup_probed`] may read for the template at `path`: the directory it looks in, then
/// the files it looks for there.
pub fn candidates(path: &Path) -> Vec<std::path::PathBuf> {
    let (dir, files): (Option<&Path>, &[&str]) = match serverless_project(path) {
        Some(project) => (Some(project), &SERVERLESS),
        None => (
            path.parent().map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            }),
            &SAMCONFIG,
        ),
    };
    let Some(dir) = dir else {
        return Vec::new();
    };
    std::iter::once(dir.to_path_buf())
        .chain(files.iter().map(|f| dir.join(f)))
        .collect()
}

/// The Serverless project directory of `.serverless/cloudformation-template-update-stack.json`.
fn serverless_project(path: &Path) -> Option<&Path> {
    let dir = path.parent()?;
    let is = |p: &Path, name: &str| p.file_name().and_then(|f| f.to_str()) == Some(name);
    (is(path, SERVERLESS_TEMPLATE) && is(dir, ".serverless"))
        .then(|| dir.parent())
        .flatten()
}

/// `file` in `dir` as a display name, like the template's.
fn display(dir: Option<&Path>, file: &str) -> String {
    match dir {
        Some(d) if !d.as_os_str().is_empty() => d.join(file).to_string_lossy().replace('\\', "/"),
        _ => file.to_owned(),
    }
}

fn read_yaml(path: &Path, project: &Path) -> Option<Node> {
    let text = crate::input::read_settings(path, project).ok()?;
    crate::load::yaml::load(&text).document.map(|d| d.root)
}

/// Whether the samconfig's `template_file` (or SAM's default name) is this template.
fn governs(template_file: Option<&str>, template: &str, dir: &Path, path: &Path) -> bool {
    match template_file {
        Some(named) => {
            let named = dir.join(named);
            named == path
                || matches!((named.canonicalize(), path.canonicalize()), (Ok(a), Ok(b)) if a == b)
        }
        None => matches!(template, "template.yaml" | "template.yml"),
    }
}

fn samconfig_toml(
    root: &toml::de::DeTable<'_>,
    env: &str,
    template: &str,
    dir: &Path,
    path: &Path,
) -> Option<(String, Span)> {
    let env = root.get(env)?;
    let parameters = |command: &str| {
        env.get_ref()
            .get(command)
            .and_then(|c| c.get_ref().get("parameters"))
    };
    let lookup = |key: &str| {
        ["deploy", "global"]
            .into_iter()
            .find_map(|command| parameters(command)?.get_ref().get(key))
    };
    let template_file = lookup("template_file").and_then(|v| v.get_ref().as_str());
    if !governs(template_file, template, dir, path) {
        return None;
    }
    let region = lookup("region")?;
    let value = region.get_ref().as_str()?;
    let range = region.span();
    config::is_region(value).then(|| (value.to_owned(), Span::new(range.start, range.end)))
}

fn samconfig_yaml(
    root: &Node,
    env: &str,
    template: &str,
    dir: &Path,
    path: &Path,
) -> Option<(String, Span)> {
    let lookup = |key: &str| {
        ["deploy", "global"]
            .into_iter()
            .find_map(|command| root.get_path(&[env, command, "parameters", key]))
    };
    let template_file = lookup("template_file").and_then(Node::as_str);
    if !governs(template_file, template, dir, path) {
        return None;
    }
    literal_region(lookup("region")?)
}

/// A plain region value; `${...}` variables and anything else that is not a region code stay
/// unknown.
fn literal_region(node: &Node) -> Option<(String, Span)> {
    let value = node.as_str()?;
    config::is_region(value).then(|| (value.to_owned(), node.span))
}

/// The deploy configuration of a loose template as its analysis saw it: what the lookup found,
/// and the stamps of the directories it looked in and of the files it could have read, so that
/// the lookup runs again only when one of them moved (a file created beside the template, a
/// `samconfig.toml` edited); an editor's swap file in the same directory moves the directory
/// too, but then the lookup finds what it found before and the entry holds.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct DeployWatch {
    /// The places that existed, with their stamps (one created later moves its directory).
    pub(super) stamps: Vec<(PathBuf, Stamp)>,
    /// Boxed, as in [`FileOutcome`]: a cache entry holds one.
    pub(super) found: Option<Box<Deploy>>,
}

impl DeployWatch {
    /// What the analysis `outcome` of `target` read of the deploy configuration: nothing when
    /// a source above it gave the region (a change of that source changes the run inputs or the
    /// target); else the places the lookup looks in, and what it found there.
    pub(super) fn of(target: &Target, outcome: &FileOutcome) -> Self {
        let (Some(path), Some(found)) = (&target.path, &outcome.deploy) else {
            return Self::default();
        };
        let stamps = candidates(path)
            .into_iter()
            .filter_map(|p| Stamp::of(&p).map(|s| (p, s)))
            .collect();
        Self {
            stamps,
            found: found.clone(),
        }
    }
}

/// What [`lookup_probed`] finds for `target` at `path` in this run.
pub(super) fn lookup_for(
    path: &Path,
    target: &Target,
    options: &CheckOptions,
    inputs: &RunInputs,
) -> Option<Deploy> {
    lookup_probed(
        path,
        &target.name,
        super::inputs::config_env(options, inputs),
        &inputs.deploy_probes,
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn lookup(path: &Path, name: &str, config_env: &str) -> Option<Deploy> {
        lookup_probed(path, name, config_env, &Probes::default())
    }

    fn region(path: &Path, name: &str, config_env: &str) -> Option<DeployRegion> {
        lookup(path, name, config_env)?.region
    }

    fn unknown_region_note(path: &Path, name: &str) -> Option<String> {
        lookup(path, name, "default")?.note
    }

    fn write(dir: &Path, file: &str, text: &str) -> PathBuf {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn slice(path: &Path, found: &DeployRegion) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        text[found.span.range()].to_owned()
    }

    #[test]
    fn samconfig_toml_deploy_region_of_the_named_environment() {
        let dir = tempfile::tempdir().unwrap();
        let config = write(
            dir.path(),
            "samconfig.toml",
            "version = 0.1\n[default.deploy.parameters]\nregion = \"eu-west-1\"\n\
             [prod.global.parameters]\nregion = \"us-west-2\"\n",
        );
        let template = write(dir.path(), "template.yaml", "Resources: {}\n");
        let found = region(&template, "app/template.yaml", "default").unwrap();
        assert_eq!(found.region, "eu-west-1");
        assert_eq!(found.file, "app/samconfig.toml");
        assert_eq!(slice(&config, &found), "\"eu-west-1\"");
        assert_eq!(
            region(&template, "template.yaml", "prod").unwrap().region,
            "us-west-2"
        );
        assert_eq!(region(&template, "template.yaml", "staging"), None);
        // Another template beside it is not what SAM deploys.
        let other = write(dir.path(), "other.yaml", "Resources: {}\n");
        assert_eq!(region(&other, "other.yaml", "default"), None);
    }

    #[test]
    fn one_run_looks_in_each_directory_once_and_finds_what_a_lookup_alone_finds() {
        let dir = tempfile::tempdir().unwrap();
        let sam = dir.path().join("sam");
        let plain = dir.path().join("plain");
        write(
            &sam,
            "samconfig.yml",
            "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      region: eu-north-1\n",
        );
        write(
            &sam,
            "samconfig.yaml",
            "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      region: eu-west-3\n",
        );
        let templates = [
            write(&sam, "template.yaml", "Resources: {}\n"),
            write(&sam, "other.yaml", "Resources: {}\n"),
            write(&plain, "template.yaml", "Resources: {}\n"),
            write(&plain, "other.yaml", "Resources: {}\n"),
        ];
        let probes = Probes::default();
        let shared: Vec<_> = (templates.iter())
            .map(|t| lookup_probed(t, "template.yaml", "default", &probes))
            .collect();
        let alone: Vec<_> = (templates.iter())
            .map(|t| lookup(t, "template.yaml", "default"))
            .collect();
        assert_eq!(shared, alone);
        // `samconfig.yaml` before `samconfig.yml`, as the SAM CLI reads them.
        let region = |d: &Option<Deploy>| d.as_ref()?.region.as_ref().map(|r| r.region.clone());
        assert_eq!(region(&shared[0]).as_deref(), Some("eu-west-3"));
        assert_eq!(shared[2], None);
        let seen = probes.0.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen.get(&sam), Some(&Some("samconfig.yaml")));
        assert_eq!(seen.get(&plain), Some(&None));
    }

    #[test]
    fn samconfig_template_file_names_the_template() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "samconfig.yaml",
            "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      template_file: infra.yaml\n      region: ap-northeast-1\n",
        );
        let named = write(dir.path(), "infra.yaml", "Resources: {}\n");
        let default = write(dir.path(), "template.yaml", "Resources: {}\n");
        assert_eq!(
            region(&named, "infra.yaml", "default").unwrap().region,
            "ap-northeast-1"
        );
        assert_eq!(region(&default, "template.yaml", "default"), None);
    }

    #[test]
    fn serverless_provider_region_only_when_literal() {
        let dir = tempfile::tempdir().unwrap();
        let template = write(
            dir.path(),
            ".serverless/cloudformation-template-update-stack.json",
            "{}",
        );
        let name = "svc/.serverless/cloudformation-template-update-stack.json";
        write(
            dir.path(),
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  region: eu-central-1\n",
        );
        let found = region(&template, name, "default").unwrap();
        assert_eq!(
            (found.region.as_str(), found.file.as_str()),
            ("eu-central-1", "svc/serverless.yml")
        );
        write(
            dir.path(),
            "serverless.yml",
            "provider:\n  region: ${opt:region, 'us-east-1'}\n",
        );
        assert_eq!(region(&template, name, "default"), None);
        let note = unknown_region_note(&template, name).unwrap();
        assert!(
            note.contains("svc/serverless.yml") && note.contains("${opt:region"),
            "{note}"
        );
        write(dir.path(), "serverless.yml", "provider:\n  name: aws\n");
        assert_eq!(region(&template, name, "default"), None);
        assert!(
            unknown_region_note(&template, name)
                .unwrap()
                .contains("us-east-1")
        );
    }

    #[test]
    fn a_broken_samconfig_is_named_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "samconfig.toml",
            "[default.deploy.parameters]\nparameter_overrides = \"Secret=hunter2\nregion = \"eu-west-1\"\n",
        );
        let template = write(dir.path(), "template.yaml", "Resources: {}\n");
        let found = lookup(&template, "template.yaml", "default").unwrap();
        assert_eq!(found.region, None);
        let note = found.note.unwrap();
        assert!(note.contains("samconfig.toml cannot be read"), "{note}");
        assert!(!note.contains("hunter2"), "{note}");
        // The problem is located where the file breaks, in the parser's words, unquoted.
        let problem = found.problem.unwrap();
        assert!(
            problem.message.contains("not valid TOML"),
            "{}",
            problem.message
        );
        assert!(!problem.message.contains("hunter2"), "{}", problem.message);
        assert!(problem.span.start > 0);
    }
}

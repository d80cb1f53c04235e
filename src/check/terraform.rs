//! The Terraform front end's part of a run: the directories of the run's Terraform files are
//! modules, analyzed together ([`crate::terraform::run`]); each file they read becomes an
//! outcome like a template's, holding the stacks of the resources written in it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::CheckOptions;
use super::files::FileOutcome;
use super::inputs::RunInputs;
use super::overrides::override_for;
use super::suppression::FileSuppressions;
use crate::discover::{self, Origin, Target};
use crate::join::{EnvSource, Stack};
use crate::load::{LoadProblem, ProblemKind};
use crate::source::SourceFile;
use crate::terraform::instance::Fallback;
use crate::terraform::run::{self, Analysis};
use crate::tree::{Document, Node, Value};

/// Whether a target belongs to the Terraform front end.
pub(super) fn is_terraform(target: &Target) -> bool {
    target.origin == Origin::Terraform
}

/// The outcomes of the Terraform targets of a run.
pub(super) fn analyze(
    targets: &[&Target],
    options: &CheckOptions,
    inputs: &RunInputs,
) -> Vec<FileOutcome> {
    outcomes(analysis(targets, options, inputs), inputs)
}

/// The front end's analysis of the Terraform targets of a run.
pub(super) fn analysis(
    targets: &[&Target],
    options: &CheckOptions,
    inputs: &RunInputs,
) -> Analysis {
    let mut dirs: BTreeMap<PathBuf, String> = BTreeMap::new();
    for target in targets {
        let Some(path) = &target.path else { continue };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let display = Path::new(&target.name)
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".to_owned());
        dirs.entry(dir).or_insert(display);
    }
    let names: HashMap<PathBuf, String> = targets
        .iter()
        .filter_map(|t| Some((t.path.clone()?, t.name.clone())))
        .collect();
    let read = |path: &Path| -> std::io::Result<Vec<u8>> {
        if let Some(text) = stdin_for(options, path).or_else(|| override_for(options, path)) {
            return Ok(text.as_bytes().to_vec());
        }
        discover::read_regular(path)
    };
    let display = |path: &Path| -> String {
        if let Some(name) = names.get(path) {
            return name.clone();
        }
        let relative = match options.cwd.as_os_str().is_empty() {
            true => path,
            false => path.strip_prefix(&options.cwd).unwrap_or(path),
        };
        let shown = relative.to_string_lossy().replace('\\', "/");
        shown.strip_prefix("./").map(str::to_owned).unwrap_or(shown)
    };
    let fallback = |file: Option<&Path>, display: &str| fallback(file, display, options, inputs);
    let extra_files = |dir: &Path| -> Vec<PathBuf> {
        options
            .overrides
            .keys()
            .filter(|p| p.parent() == Some(dir) && discover::is_terraform(p))
            .cloned()
            .collect()
    };
    run::analyze(&run::Inputs {
        dirs: dirs.into_iter().collect(),
        read: &read,
        display: &display,
        fallback: &fallback,
        vars: &options.terraform,
        working_dir: options.cwd.clone(),
        extra_files: &extra_files,
    })
}

/// The standard input's text, when `path` is the file it stands for.
fn stdin_for<'a>(options: &'a CheckOptions, path: &Path) -> Option<&'a String> {
    let name = options.stdin_filename.as_ref()?;
    let stdin = options.stdin.as_ref()?;
    (options.cwd.join(name) == path || Path::new(name) == path).then_some(stdin)
}

/// A root's region and account where its providers say nothing: `--region`, the config's
/// `stacks:` entry matching a file of the root, `AWS_REGION`/`AWS_DEFAULT_REGION`.
fn fallback(
    file: Option<&Path>,
    display: &str,
    options: &CheckOptions,
    inputs: &RunInputs,
) -> Fallback {
    let relative = match file {
        Some(file) => {
            let name = format!(
                "{display}/{}",
                file.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            );
            inputs.relative_path(&name, Some(file))
        }
        None => display.to_owned(),
    };
    let entry = inputs.config.stack_for(&relative);
    let region = [
        (options.region.clone(), EnvSource::Flag),
        (
            entry
                .and_then(|e| e.region.as_ref())
                .map(|r| r.value.clone()),
            EnvSource::Config,
        ),
        (options.env_region.clone(), EnvSource::Environment),
    ]
    .into_iter()
    .find_map(|(value, source)| value.filter(|v| !v.is_empty()).map(|v| (v, source)));
    let account = [
        (options.account.clone(), EnvSource::Flag),
        (
            entry
                .and_then(|e| e.account.as_ref())
                .map(|a| a.value.clone()),
            EnvSource::Config,
        ),
    ]
    .into_iter()
    .find_map(|(value, source)| value.filter(|v| !v.is_empty()).map(|v| (v, source)));
    Fallback { region, account }
}

/// One outcome per file the front end read, with the stacks of its resources.
fn outcomes(analysis: Analysis, inputs: &RunInputs) -> Vec<FileOutcome> {
    let Analysis {
        files,
        stacks,
        notes,
        secrets,
        ..
    } = analysis;
    let mut by_file: HashMap<String, Vec<Stack>> = HashMap::new();
    for root_stack in stacks {
        let stack = stack(&root_stack.root, root_stack.stack);
        by_file.entry(stack.file.clone()).or_default().push(stack);
    }
    let mut notes_by_file: HashMap<String, Vec<LoadProblem>> = HashMap::new();
    for note in notes {
        notes_by_file
            .entry(note.file)
            .or_default()
            .push(LoadProblem {
                kind: ProblemKind::NotAnalyzed,
                span: note.span,
                message: note.message,
                related: None,
            });
    }
    let mut secrets = Some(secrets);
    files
        .into_iter()
        .map(|file| {
            let source = SourceFile::new(file.name.clone(), Some(file.path.clone()), file.text);
            let document = Document {
                root: Node::new(crate::source::Span::default(), Value::Null),
                comments: file.comments,
                loop_free: false,
            };
            let mut problems: Vec<LoadProblem> = file.problem.into_iter().collect();
            problems.extend(notes_by_file.remove(&file.name).unwrap_or_default());
            let config_file = discover::is_terraform(&file.path);
            FileOutcome {
                suppressions: FileSuppressions::read(&source, &document),
                relative: inputs.relative_path(&file.name, Some(&file.path)),
                stacks: by_file.remove(&file.name).unwrap_or_default(),
                source: std::sync::Arc::new(source),
                template: config_file,
                problems,
                secrets: secrets.take().unwrap_or_default(),
                text_dropped: false,
                deploy: None,
                keep: true,
                by_name: true,
            }
        })
        .collect()
}

/// A stack of the join from a group of one root's resources.
fn stack(root: &str, out: crate::terraform::extract::StackOut) -> Stack {
    let name = match out.module.is_empty() {
        true => root.to_owned(),
        false => format!("{root} {}", out.module),
    };
    Stack {
        file: out.file,
        name,
        account: out.account,
        account_source: out.account_source,
        region: out.region,
        region_source: out.region_source,
        environment_location: out.region_at.as_ref().map(|o| (o.file.clone(), o.span)),
        environment_label: out.region_at.map(|o| o.label),
        cdk: false,
        language: crate::extract::Language::Terraform,
        // One `terraform apply` creates everything of a root; an identity read by a data
        // source already exists.
        deployment: match out.existing {
            true => format!("terraform data {root}"),
            false => format!("terraform {root}"),
        },
        region_note: None,
        lookup_role: None,
        facts: out.facts.into_shared(),
    }
}

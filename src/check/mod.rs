//! One `sandtrap check` run: the pipeline stages in order, files in parallel (`files`, with the
//! editor buffers of `overrides`), only the small facts kept for the join.

pub mod baseline;
mod cache;
mod cached;
mod deploy;
mod files;
mod fuzzing;
mod inputs;
mod merge;
mod overrides;
mod secrets;
mod shelf;
mod signing;
mod stages;
mod stamp;
mod store;
mod suppression;
mod terraform;
mod walked;
mod watched;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Related, Severity, Summary};
use crate::discover::{self, DiscoverError};
use crate::join::{self, JoinInputs};
use crate::load::{LoadProblem, ProblemKind};
use crate::rules::{self, Catalog};
use crate::source::{FileId, Files};
use files::{FileOutcome, analyze_file, reread, targets};
use merge::Merged;

pub use crate::join::live::AwsOptions;
pub use cache::{Cache, CacheStats};
pub use fuzzing::{fuzz_cache, fuzz_cache_payload};
pub use inputs::RunInputs;
pub use stages::Stages;
pub use store::DIR_NAME as CACHE_DIR_NAME;
pub use watched::FileChange;

/// What a run is asked to do.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    /// The text of standard input when `-` is among the paths.
    pub stdin: Option<String>,
    /// The name standard input is reported under (and configuration is found from).
    pub stdin_filename: Option<String>,
    /// With standard input: also analyze this directory, so the buffer joins the project.
    pub project_root: Option<PathBuf>,
    /// Named paths that do not exist are skipped instead of stopping the run.
    pub allow_missing: bool,
    pub cwd: PathBuf,
    pub region: Option<String>,
    pub account: Option<String>,
    /// `--config-env`: the samconfig environment whose deploy region applies (`default`).
    pub config_env: Option<String>,
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`.
    pub env_region: Option<String>,
    pub params: BTreeMap<String, String>,
    pub param_files: Vec<PathBuf>,
    /// `[ACCOUNT:]REGION`.
    pub ses_sandbox: Vec<String>,
    pub ses_production: Vec<String>,
    pub config: Option<PathBuf>,
    /// `--exclude`: globs of paths never read, relative to `cwd`, instead of the config file's
    /// `exclude` (its `extend-exclude` still applies).
    pub exclude: Option<Vec<String>>,
    pub rules_dirs: Vec<PathBuf>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    /// Texts that replace files on disk (absolute paths): an editor's unsaved buffers. A path
    /// that discovery does not find (a new or ignored file) is analyzed as an extra target.
    pub overrides: BTreeMap<PathBuf, String>,
    /// `--aws`: read the SES state of every account and region live.
    pub aws: Option<AwsOptions>,
    /// Also draw the map of the run (`sandtrap map`, the Markdown and HTML reports).
    pub map: Option<crate::map::MapOptions>,
    /// Stops the walks and the analysis early; the run then ends with [`CheckError::Cancelled`].
    pub cancel: crate::cancel::Cancel,
    /// Entries a walk visits at most (the language server's bound); `None`: no bound.
    pub max_walk_entries: Option<usize>,
    /// Terraform input variables: `--var`, `--var-file`, `TF_VAR_` of the environment.
    pub terraform: crate::terraform::vars::VarOptions,
    /// Where each file's analysis is kept between processes (`store.rs`); [`run`] and
    /// [`run_with_progress`] use it, [`run_cached`] keeps its own in memory.
    pub cache: CacheDir,
}

/// Where the analysis cache lives between processes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CacheDir {
    /// No cache on disk (`--no-cache`; what a library caller gets unless it asks).
    #[default]
    Off,
    /// `.sandtrap_cache/` in the project root: `--project-root` when given, else the
    /// directory of the config file, else the current directory.
    ProjectRoot,
    /// This directory (`--cache-dir`, `SANDTRAP_CACHE_DIR`), relative to the current one.
    At(PathBuf),
}

impl CacheDir {
    /// The directory, once the run knows its config file.
    fn resolve(&self, options: &CheckOptions, inputs: &RunInputs) -> Option<PathBuf> {
        let root = match self {
            CacheDir::Off => return None,
            CacheDir::At(dir) => return Some(options.cwd.join(dir)),
            CacheDir::ProjectRoot => match (&options.project_root, inputs.config.dir()) {
                (Some(root), _) => options.cwd.join(root),
                (None, Some(dir)) => options.cwd.join(dir),
                (None, None) => options.cwd.clone(),
            },
        };
        Some(root.join(store::DIR_NAME))
    }
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// The fail level from the config file, when it sets one.
    pub config_fail_level: Option<Severity>,
    /// The facts the rules read (unmasked: [`Outcome::facts_json`] is the document to show).
    pub facts: join::Facts,
    /// The values of `NoEcho` parameters, masked in everything the run shows.
    secrets: secrets::Secrets,
    /// The rules of the run (SARIF rule metadata).
    pub catalog: Catalog,
    /// The analyzed templates, in the order they were found (shared with their analyses):
    /// their names are JUnit's test cases.
    pub templates: Vec<Arc<crate::source::SourceFile>>,
    /// The map of the run, when asked for.
    pub map: Option<crate::map::Map>,
    /// A walk stopped at [`CheckOptions::max_walk_entries`]: the files past it were not read.
    pub walk_limit_reached: bool,
    /// How long each stage took.
    pub stages: Stages,
}

/// Why a run could not happen as asked (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CheckError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] Box<crate::config::ConfigError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] Box<rules::RuleError>),
    #[error(transparent)]
    Params(#[from] crate::params::ParamError),
    #[error("`{0}` is not [ACCOUNT:]REGION (e.g. `us-west-2` or `123456789012:us-west-2`)")]
    SesFlag(String),
    #[error("`--region {0}` is not an AWS region (e.g. `us-west-2` or `ap-northeast-1`)")]
    RegionFlag(String),
    #[error("`--account {0}` is not a 12-digit AWS account id (e.g. `123456789012`)")]
    AccountFlag(String),
    #[error("`--exclude {glob}` is not a glob: {reason}")]
    ExcludeFlag { glob: String, reason: String },
    #[error("unknown rule selector `{selector}` in `{flag}`")]
    #[diagnostic(help("{help}"))]
    UnknownSelector {
        selector: String,
        flag: &'static str,
        help: String,
    },
    /// [`CheckOptions::cancel`] was raised: the run stopped early and has no outcome.
    #[error("the run was cancelled")]
    Cancelled,
    #[error("`--aws` needs live AWS support, and this sandtrap was built without it")]
    #[diagnostic(help(
        "build it with the `aws` feature: `cargo install --locked --path . --features aws` in a checkout of sandtrap (the released binaries and packages leave it out); or state the SES state with `--ses-sandbox`/`--ses-production`"
    ))]
    AwsNotBuilt,
}

/// The built-in rules plus those of `--rules` directories.
pub fn catalog(options: &CheckOptions) -> Result<Catalog, CheckError> {
    let mut catalog = Catalog::builtin().map_err(Box::new)?;
    for dir in &options.rules_dirs {
        let rules = Catalog::load_dir(dir, &options.cwd).map_err(Box::new)?;
        catalog.extend(rules).map_err(Box::new)?;
    }
    Ok(catalog)
}

/// Refuses selectors that name no rule of the run (built-in or `--rules`): `--select ST999`
/// would otherwise disable every rule and exit 0 (ruff: "Unknown rule selector").
fn check_selectors(
    options: &CheckOptions,
    config: &crate::config::Config,
    catalog: &Catalog,
) -> Result<(), CheckError> {
    let known: Vec<(&str, &str)> = catalog
        .iter()
        .map(|r| (r.code.as_str(), r.name.as_str()))
        .collect();
    let flags = options
        .select
        .iter()
        .flatten()
        .map(|s| ("--select", s))
        .chain(options.ignore.iter().map(|s| ("--ignore", s)));
    for (flag, text) in flags {
        let selector = crate::suppress::Selector::parse(text);
        if !crate::suppress::unknown_selectors(std::slice::from_ref(&selector), &known).is_empty() {
            return Err(CheckError::UnknownSelector {
                selector: selector.as_str().to_owned(),
                flag,
                help: crate::suppress::selector_help(text, &known),
            });
        }
    }
    match config.unknown_selector(&known) {
        Some(err) => Err(Box::new(err).into()),
        None => Ok(()),
    }
}

pub fn run(options: &CheckOptions) -> Result<Outcome, CheckError> {
    run_with_progress(options, &|_, _| {})
}

/// [`run`], calling `progress(done, total)` once before the files are analyzed and after each
/// file (from the worker threads, so it must be cheap). The caller decides whether and how to
/// show it; the library never touches the terminal.
pub fn run_with_progress(
    options: &CheckOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome, CheckError> {
    run_inner(options, progress, None)
}

/// [`run`], reusing from `cache` the analysis of every file that has not changed since the run
/// that stored it, and storing the rest: what the language server calls on every edit. The
/// outcome is the one [`run`] gives.
pub fn run_cached(options: &CheckOptions, cache: &mut Cache) -> Result<Outcome, CheckError> {
    run_inner(options, &|_, _| {}, Some(cache))
}

fn run_inner(
    options: &CheckOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
    mut cache: Option<&mut Cache>,
) -> Result<Outcome, CheckError> {
    if options.aws.is_some() && !cfg!(feature = "aws") {
        return Err(CheckError::AwsNotBuilt);
    }
    let inputs = RunInputs::load(options)?;
    // The cache on disk, for a run that keeps none in memory.
    let mut on_disk = match (&cache, options.cache.resolve(options, &inputs)) {
        (None, Some(dir)) => Some(Cache::on_disk(dir)),
        _ => None,
    };
    let mut stages = Stages::start();
    let catalog = catalog(options)?;
    check_selectors(options, &inputs.config, &catalog)?;
    let limits = discover::WalkLimits {
        cancel: options.cancel.clone(),
        max_entries: options.max_walk_entries,
    };
    let (targets, (outcomes, respelled)) = {
        let mut cache = match &mut on_disk {
            Some(disk) => Some(disk),
            None => cache.as_deref_mut(),
        };
        let targets = match cache.as_deref_mut() {
            Some(cache) => cache.targets(options, &inputs, &limits)?,
            None => Arc::new(targets(options, &inputs.exclude, &mut |paths, exclude| {
                discover::discover_from(paths, exclude, &limits, Some(&options.cwd))
            })?),
        };
        stages.mark("files");
        let analyzed = analyze(&targets.targets, options, &inputs, progress, cache);
        (targets, analyzed.ok_or(CheckError::Cancelled)?)
    };
    stages.mark("analysis");
    let analyzed = Analyzed {
        inputs: &inputs,
        catalog,
        targets: &targets,
        outcomes: &outcomes,
        respelled,
        stages,
    };
    // The cache of this run alone is written while the run goes on (nothing after reads it);
    // on this thread, after the run, when no other thread can be had.
    let outcome = std::thread::scope(|scope| {
        let writing = (on_disk.as_mut().filter(|disk| disk.unwritten())).map(|disk| {
            std::thread::Builder::new()
                .name("sandtrap-cache".into())
                .spawn_scoped(scope, || disk.write_disk())
        });
        // Only a cache the caller keeps (never one made for this run alone) is asked for the
        // last run's join and findings.
        let outcome = conclude(analyzed, options, cache.as_deref_mut());
        if let Some(Ok(writing)) = writing {
            // Best effort, as the write itself: a failure leaves the cache as it was.
            let _ = writing.join();
        }
        outcome
    });
    if let Some(disk) = &mut on_disk {
        disk.write_disk();
    }
    // A cache made for one run is written now; an editor's keeps the run's analyses.
    let outcomes = match cache {
        Some(cache) => cache.after_run(outcomes, outcome.is_ok()),
        None => outcomes,
    };
    // The cache, and the files' analyses and list beyond what the outcome holds.
    release((on_disk, outcomes, targets));
    outcome
}

/// A run's files, analyzed: what [`conclude`] makes its outcome of.
struct Analyzed<'a> {
    inputs: &'a RunInputs,
    catalog: Catalog,
    targets: &'a discover::Discovered,
    outcomes: &'a [Arc<FileOutcome>],
    respelled: cached::Respelled,
    stages: Stages,
}

/// The run's table of files, its join, its rules and its report; `memos`, an editor's cache,
/// keeps the join and the findings for its next run.
fn conclude(
    analyzed: Analyzed<'_>,
    options: &CheckOptions,
    mut memos: Option<&mut Cache>,
) -> Result<Outcome, CheckError> {
    let Analyzed {
        inputs,
        catalog,
        targets,
        outcomes,
        respelled,
        mut stages,
    } = analyzed;
    let mut run = Merged::new(
        inputs.config.source(),
        outcomes.len() + targets.problems.len(),
    );
    for problem in &targets.problems {
        run.add_problem(problem, &catalog);
    }
    let mut respelled = respelled.into_iter().peekable();
    for (n, outcome) in outcomes.iter().enumerate() {
        let path = respelled.next_if(|(at, _)| *at == n).map(|(_, path)| path);
        run.add(outcome, path, &catalog);
    }
    run.add_manifests(&options.cwd);
    stages.mark("table");

    let facts = join(
        &run.stacks,
        inputs,
        options,
        memos.as_deref_mut().map(Cache::memo),
    );
    stages.mark("join");
    let findings = evaluate(&catalog, &facts, &run, memos.map(Cache::rules_memo));
    stages.mark("rules");
    run.diagnostics.extend(findings);
    crate::diagnostic::dedup(&mut run.diagnostics);
    reread(&mut run.files, &run.dropped, &run.diagnostics);
    if options.cancel.is_cancelled() {
        return Err(CheckError::Cancelled);
    }
    let mut outcome = finish(run, facts, catalog, inputs, options);
    stages.mark("report");
    outcome.walk_limit_reached = targets.limit_reached;
    outcome.stages = stages;
    Ok(outcome)
}

/// Whether the process ends once its run is reported ([`exit_after_run`]).
static EXITS_AFTER_RUN: AtomicBool = AtomicBool::new(false);

/// Says that this process ends once its run is reported (the command line does): what a run
/// leaves behind (the cache's entries, the outcome) is then left to the system, which takes a
/// process's memory back at once, instead of being freed piece by piece, a tenth of the
/// instructions of an on-save run. A library caller that runs again never calls this.
pub fn exit_after_run() {
    EXITS_AFTER_RUN.store(true, Ordering::Relaxed);
}

/// Drops `value`, unless the process ends after its run ([`exit_after_run`]).
pub fn release<T>(value: T) {
    if EXITS_AFTER_RUN.load(Ordering::Relaxed) {
        std::mem::forget(value);
    }
}

/// Every Terraform pool instance of the run's paths as the front end evaluated it (before
/// instances with the same verdict merge), by root: `sandtrap debug terraform`.
pub fn terraform_instances(
    options: &CheckOptions,
) -> Result<Vec<(String, crate::terraform::extract::PoolInstance)>, CheckError> {
    let inputs = RunInputs::load(options)?;
    let targets = targets(options, &inputs.exclude, &mut discover::discover_excluding)?;
    let terraform: Vec<&discover::Target> = targets
        .targets
        .iter()
        .filter(|t| terraform::is_terraform(t))
        .collect();
    Ok(terraform::analysis(&terraform, options, &inputs).instances)
}

/// Every target's analysis, in the targets' order: in parallel, or through the cache; `None`
/// when the run was cancelled (the files not yet started are never read). With them, by
/// position, the paths of the files whose kept analysis spells their path otherwise than this
/// run does ([`cached::Respelled`]).
fn analyze(
    targets: &[discover::Target],
    options: &CheckOptions,
    inputs: &RunInputs,
    progress: &(dyn Fn(usize, usize) + Sync),
    cache: Option<&mut Cache>,
) -> Option<(Vec<Arc<FileOutcome>>, cached::Respelled)> {
    if options.cancel.is_cancelled() {
        return None;
    }
    let total = targets.len();
    let done = AtomicUsize::new(0);
    progress(0, total);
    // Terraform files are read by their module, all together (never kept in the cache: a
    // module's analysis depends on its callers').
    let (terraform, files): (Vec<&discover::Target>, Vec<&discover::Target>) =
        targets.iter().partition(|t| terraform::is_terraform(t));
    let (mut outcomes, respelled) = match cache {
        None => (
            files
                .par_iter()
                .map(|target| {
                    if options.cancel.is_cancelled() {
                        return None;
                    }
                    let outcome = analyze_file(target, options, inputs);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    Some(Arc::new(outcome))
                })
                .collect::<Option<Vec<_>>>()?,
            cached::Respelled::new(),
        ),
        Some(cache) => cached::analyze(cache, &files, options, inputs)?,
    };
    if !terraform.is_empty() {
        if options.cancel.is_cancelled() {
            return None;
        }
        outcomes.extend(
            terraform::analyze(&terraform, options, inputs)
                .into_iter()
                .map(Arc::new),
        );
        progress(total, total);
    }
    Some((outcomes, respelled))
}

/// The facts document of the run's stacks. With `--aws` the facts say which (account, region)
/// and identities matter; the lookup answers them and the join runs again with the answers.
/// The rules' findings over `facts`; `memo`, the last evaluation of a cached run's, keeps those
/// of the elements that did not change.
fn evaluate(
    catalog: &Catalog,
    facts: &join::Facts,
    run: &Merged<'_>,
    memo: Option<&mut rules::Memo>,
) -> Vec<Diagnostic> {
    let file_id = |name: &str| run.ids.get(name).copied();
    match memo {
        Some(memo) => {
            rules::evaluate_facts_with(catalog, facts, &file_id, run.names_digest(), memo)
        }
        None => rules::evaluate_facts(catalog, facts, &file_id),
    }
}

/// `memo`, the last join of a cached run's, makes this one join again only what changed.
fn join(
    stacks: &[&join::Stack],
    inputs: &RunInputs,
    options: &CheckOptions,
    memo: Option<&mut join::Memo>,
) -> join::Facts {
    let mut join_inputs = JoinInputs {
        ses: inputs.ses.clone(),
        live: None,
    };
    let facts = join::facts_document_with(stacks, &join_inputs, memo);
    let (Some(aws), Some(routes)) = (&options.aws, &inputs.aws_routes) else {
        return facts;
    };
    let mut targets = join::live::targets(&facts);
    targets.routes = join::live::routes(stacks, &targets, routes);
    join_inputs.live = Some(live_lookup(&targets, aws));
    join::facts_document(stacks, &join_inputs)
}

/// The findings as reported: suppressions and configured severities applied, secrets masked,
/// sorted and counted; the map drawn when asked for.
fn finish(
    run: Merged,
    facts: join::Facts,
    catalog: Catalog,
    inputs: &RunInputs,
    options: &CheckOptions,
) -> Outcome {
    let Merged {
        files,
        diagnostics,
        mut summary,
        suppressions,
        templates,
        secrets,
        ..
    } = run;
    let mut diagnostics = suppression::apply(
        diagnostics,
        &files,
        &suppressions,
        &catalog,
        &inputs.config,
        options,
    );
    let secrets = secrets::Secrets::new(secrets);
    if !secrets.is_empty() {
        diagnostics
            .iter_mut()
            .for_each(|d| secrets.mask_diagnostic(d));
    }
    sort(&files, &mut diagnostics);
    for d in &diagnostics {
        summary.count(d.severity);
    }
    let map = options.map.map(|map_options| {
        let mut map = crate::map::build(&facts, &diagnostics, &files, map_options);
        if !secrets.is_empty() {
            secrets.mask_map(&mut map);
        }
        map.escape();
        map
    });
    // What the run shows is made printable once it is masked (a secret holding a line break is
    // still found) and the map has matched findings to senders by their raw names.
    diagnostics.iter_mut().for_each(Diagnostic::escape);
    Outcome {
        files,
        diagnostics,
        summary,
        config_fail_level: inputs.config.fail_level.as_ref().map(|l| l.value),
        facts,
        secrets,
        catalog,
        templates,
        map,
        walk_limit_reached: false,
        stages: Stages::default(),
    }
}

impl Outcome {
    /// The facts document as `sandtrap facts` prints it, with the values of `NoEcho`
    /// parameters masked.
    pub fn facts_json(&self) -> serde_json::Value {
        let mut facts = self.facts.to_json();
        if !self.secrets.is_empty() {
            self.secrets.mask_json(&mut facts);
        }
        facts
    }
}

#[cfg(feature = "aws")]
fn live_lookup(targets: &join::live::LookupTargets, aws: &AwsOptions) -> join::live::LiveFacts {
    crate::live::lookup(targets, aws)
}

/// Unreachable: `run` refuses `--aws` first when the feature is off.
#[cfg(not(feature = "aws"))]
fn live_lookup(_: &join::live::LookupTargets, _: &AwsOptions) -> join::live::LiveFacts {
    join::live::LiveFacts::default()
}

/// A load problem as the framework rule that reports it; name and severity come from the rule
/// file.
fn parse_error(catalog: &Catalog, file: FileId, problem: &LoadProblem) -> Diagnostic {
    // CloudFormation accepts a duplicate key and deploys the last occurrence, which the loaders
    // keep: the file is analyzed as deployed, and the duplicate is a warning of its own.
    let code = match problem.kind {
        ProblemKind::DuplicateKey => "ST006",
        ProblemKind::NotAnalyzed => "ST002",
        _ => "ST001",
    };
    let mut d = catalog
        .framework_diagnostic(
            code,
            Location {
                file,
                span: problem.span,
            },
            problem.message.clone(),
        )
        .with_label(match problem.kind {
            ProblemKind::Syntax => "here",
            ProblemKind::MultiDocument => "a second document",
            ProblemKind::DuplicateKey => "defined again here",
            ProblemKind::Alias => "not supported by CloudFormation",
            ProblemKind::Encoding => "not UTF-8",
            ProblemKind::TooDeep => "nested too deeply",
            ProblemKind::TooLarge => "too large",
            ProblemKind::Unreadable => "cannot be read",
            ProblemKind::Assembly => "here",
            ProblemKind::NotAnalyzed => "not analyzed",
            ProblemKind::Rejected => "CloudFormation rejects this",
        });
    if let Some((span, message)) = &problem.related {
        d.related.push(Related {
            location: Location { file, span: *span },
            message: message.clone(),
        });
    }
    d
}

/// By file name, then offset, then code (docs/architecture.md, "Outputs").
fn sort(files: &Files, diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let name = |d: &Diagnostic| files.get(d.location.file).map(|f| f.name.as_str());
        name(a)
            .cmp(&name(b))
            .then(a.location.span.start.cmp(&b.location.span.start))
            .then(a.code.cmp(&b.code))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The severity of a framework rule is its rule file's: editing `severity:` changes it.
    #[test]
    fn framework_rules_take_name_and_severity_from_their_files() {
        let problem = LoadProblem {
            kind: ProblemKind::Syntax,
            span: crate::source::Span::empty(0),
            message: "broken".to_owned(),
            related: None,
        };
        let builtin = Catalog::builtin().unwrap();
        let d = parse_error(&builtin, FileId(0), &problem);
        assert_eq!((d.code.as_str(), d.severity), ("ST001", Severity::Error));

        let edited = include_str!("../../rules/ST001.yaml")
            .replace("severity: error", "severity: warning")
            .replace("name: parse-error", "name: unreadable-template");
        let rule = rules::parse_rule(&edited, "ST001.yaml", rules::RuleSource::Builtin).unwrap();
        let mut catalog = Catalog::new();
        catalog.extend([rule]).unwrap();
        let d = parse_error(&catalog, FileId(0), &problem);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.name, "unreadable-template");

        // ST005 the same way, through the one constructor suppression uses.
        let edited =
            include_str!("../../rules/ST005.yaml").replace("severity: warning", "severity: error");
        let rule = rules::parse_rule(&edited, "ST005.yaml", rules::RuleSource::Builtin).unwrap();
        let mut catalog = Catalog::new();
        catalog.extend([rule]).unwrap();
        let location = Location {
            file: FileId(0),
            span: crate::source::Span::empty(0),
        };
        let d = catalog.framework_diagnostic("ST005", location, "m".to_owned());
        assert_eq!(
            (d.name.as_str(), d.severity),
            ("invalid-suppression", Severity::Error)
        );
    }
}

//! One file of a run: which files a run reads (discovered paths, standard input, the project
//! around it), reading and loading each one, and extracting its stack's facts; what is kept of
//! it for the join, and reading again a text dropped after analysis.

use std::path::PathBuf;
use std::sync::Arc;

use super::inputs::{self, RunInputs};
use super::overrides::{add_unlisted_overrides, override_for};
use super::secrets;
use super::suppression::FileSuppressions;
use super::{CheckError, CheckOptions};
use crate::cloudformation::resolve::Resolver;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Origin, Target, classify};
use crate::extract::StackFacts;
use crate::join::Stack;
use crate::load::{self, Format, LoadProblem, ProblemKind};
use crate::source::FileId;
use crate::source::{Files, SourceFile};
use crate::tree::Document;

/// The result of one file, computed in parallel and merged in order.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct FileOutcome {
    /// Shared with the run's file table ([`Files::add_shared`]).
    pub(super) source: Arc<SourceFile>,
    pub(super) template: bool,
    pub(super) problems: Vec<LoadProblem>,
    /// The stacks of the file: one for a template; for a Terraform file, one per module call
    /// and provider its resources use.
    pub(super) stacks: Vec<Stack>,
    pub(super) suppressions: FileSuppressions,
    pub(super) relative: String,
    /// Values of `NoEcho` parameters, masked in everything the run reports.
    pub(super) secrets: Vec<String>,
    /// The text was dropped after analysis; read it again if a diagnostic points into it.
    pub(super) text_dropped: bool,
    /// What the deploy configuration lookup found, when it ran (the cache watches its files).
    /// Boxed: most files have none, and every file's outcome is kept until the report.
    pub(super) deploy: Option<Option<Box<super::deploy::Deploy>>>,
    /// Kept in the run's files even with nothing to report: a related location may point into
    /// it (a Terraform module's caller, a tfvars file).
    pub(super) keep: bool,
    /// Whether the file was named on the command line decided the analysis (its bytes could
    /// not be read or decoded). Otherwise the analysis of a walked file holds for the same file
    /// named, and the other way round: a pre-commit run reuses what a check of the project kept.
    pub(super) by_name: bool,
}

impl FileOutcome {
    /// Whether the analysis names its file by `path` as spelled (a kept analysis may spell it
    /// otherwise: `cache/respell.rs`).
    pub(super) fn spells(&self, path: Option<&std::path::Path>) -> bool {
        self.source.path.as_deref().map(std::path::Path::as_os_str)
            == path.map(std::path::Path::as_os_str)
    }
}

/// Reads again the texts dropped after analysis that a diagnostic points into.
pub(super) fn reread(
    files: &mut Files,
    dropped: &foldhash::HashSet<FileId>,
    diagnostics: &[Diagnostic],
) {
    let wanted: std::collections::BTreeSet<FileId> = diagnostics
        .iter()
        .flat_map(|d| {
            std::iter::once(d.location.file).chain(d.related.iter().map(|r| r.location.file))
        })
        .filter(|id| dropped.contains(id))
        .collect();
    for id in wanted {
        let Some(file) = files.get(id) else {
            continue;
        };
        let Some(bytes) = file
            .path
            .as_deref()
            .and_then(|p| discover::read_regular(p).ok())
        else {
            continue;
        };
        let (text, _) = load::decode(&bytes);
        let file = SourceFile::new(file.name.clone(), file.path.clone(), text);
        files.replace(id, file);
    }
}

pub(super) fn is_empty(facts: &StackFacts) -> bool {
    facts.senders.is_empty()
        && facts.identities.is_empty()
        && facts.configuration_sets.is_empty()
        && facts.trigger_senders.is_empty()
        && facts.exports.is_empty()
}

/// How a run discovers its files: [`discover::discover_excluding`], or the cache's.
pub(super) type Discover<'a> = dyn FnMut(&[PathBuf], &discover::Exclude) -> Result<discover::Discovered, discover::DiscoverError>
    + 'a;

/// The files to analyze: discovered paths, standard input, and the project around it.
pub(super) fn targets(
    options: &CheckOptions,
    exclude: &discover::Exclude,
    discover: &mut Discover<'_>,
) -> Result<discover::Discovered, CheckError> {
    let stdin_wanted = options.paths.iter().any(|p| p.as_os_str() == "-");
    let mut fs_paths: Vec<PathBuf> = options
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if stdin_wanted && let Some(root) = &options.project_root {
        fs_paths.push(root.clone());
    }
    let named = !fs_paths.is_empty();
    if options.allow_missing {
        fs_paths.retain(|path| match std::fs::metadata(path) {
            Ok(_) => true,
            // Anything else (a permission problem) still stops the run: it is not "absent".
            Err(err) => err.kind() != std::io::ErrorKind::NotFound,
        });
    }
    // Paths named but all missing mean nothing to check, not the default `.`.
    let mut discovered = if fs_paths.is_empty() && (stdin_wanted || named) {
        discover::Discovered::default()
    } else if fs_paths.is_empty() {
        discover(&[PathBuf::from(".")], exclude)?
    } else {
        discover(&fs_paths, exclude)?
    };
    add_unlisted_overrides(options, &mut discovered);
    if stdin_wanted {
        let name = options
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "-".to_owned());
        // The buffer replaces the file it was read from: only a target of the same file name
        // can be it, and only those are looked up on disk (`--project-root` walks thousands).
        if let Some(file) = &options.stdin_filename {
            let on_disk = options.cwd.join(file);
            let canonical = on_disk.canonicalize().ok();
            let file_name = on_disk.file_name();
            discovered.targets.retain(|t| {
                let Some(path) = &t.path else {
                    return true;
                };
                if !discover::may_be_named(path, file_name) || path.file_name() != file_name {
                    return true;
                }
                let same =
                    canonical.is_some() && options.cwd.join(path).canonicalize().ok() == canonical;
                !same
            });
        }
        discovered.targets.push(Target {
            name,
            path: options.stdin_filename.as_ref().map(|f| options.cwd.join(f)),
            explicit: true,
            origin: Origin::Stdin,
            environment: discover::Environment::default(),
        });
    }
    // What discovery did not walk past may still come in as an assembly's stack, an editor's
    // buffer or standard input's name: an excluded path is never analyzed.
    if !exclude.is_empty() {
        let paths = (discovered.targets.iter()).filter_map(|t| t.path.as_deref());
        let mut excluded = exclude.excludes_each(paths, &options.cwd).into_iter();
        (discovered.targets).retain(|t| t.path.is_none() || !excluded.next().unwrap_or(false));
    }
    Ok(discovered)
}

/// The text of an editor buffer or of standard input that stands for `target`, if any.
pub(super) fn buffer_text<'a>(target: &Target, options: &'a CheckOptions) -> Option<&'a str> {
    match (&target.origin, &target.path) {
        (Origin::Stdin, _) => Some(options.stdin.as_deref().unwrap_or_default()),
        (_, Some(path)) => override_for(options, path).map(String::as_str),
        (_, None) => None,
    }
}

/// The bytes of `target`: its buffer, or the file on disk.
pub(super) fn read(target: &Target, options: &CheckOptions) -> std::io::Result<Vec<u8>> {
    match (buffer_text(target, options), &target.path) {
        (Some(text), _) => Ok(text.as_bytes().to_vec()),
        (None, Some(path)) => discover::read_regular(path),
        (None, None) => Ok(Vec::new()),
    }
}

pub(super) fn analyze_file(
    target: &Target,
    options: &CheckOptions,
    inputs: &RunInputs,
) -> FileOutcome {
    analyze_bytes(target, options, inputs, read(target, options))
}

/// [`analyze_file`] with the bytes already read.
pub(super) fn analyze_bytes(
    target: &Target,
    options: &CheckOptions,
    inputs: &RunInputs,
    read: std::io::Result<Vec<u8>>,
) -> FileOutcome {
    let relative = inputs.relative_path(&target.name, target.path.as_deref());
    let always_template = matches!(target.origin, Origin::Cdk(_));
    let outcome = |source, template, problems| FileOutcome {
        source: Arc::new(source),
        template,
        problems,
        stacks: Vec::new(),
        suppressions: FileSuppressions::default(),
        relative: relative.clone(),
        secrets: Vec::new(),
        text_dropped: false,
        deploy: None,
        keep: false,
        by_name: false,
    };
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(err) => {
            let source = SourceFile::new(target.name.clone(), target.path.clone(), "");
            // An unreadable file that may not even be a template is reported only when named.
            let report = always_template || target.explicit || has_template_extension(&target.name);
            let problems = if report {
                vec![unreadable(&err)]
            } else {
                Vec::new()
            };
            return FileOutcome {
                by_name: true,
                ..outcome(source, always_template, problems)
            };
        }
    };
    let (text, decode_problem) = load::decode(&bytes);
    let source = SourceFile::new(target.name.clone(), target.path.clone(), text);
    if let Some(problems) = script_service(target, &source.text) {
        return outcome(source, false, problems);
    }
    if let Some(problem) = decode_problem {
        // A file named explicitly (or standard input) was asked for: a bad encoding is its
        // result, never "0 templates". A walked one is ours only if it looks like a template.
        let ours =
            always_template || target.explicit || classify::looks_like_template(&source.text);
        let problems = if ours { vec![problem] } else { Vec::new() };
        return FileOutcome {
            by_name: true,
            ..outcome(source, ours, problems)
        };
    }
    // Suppression comments only: the rest are never read by a check.
    let format = Format::guess(&target.name, &source.text);
    let mut loaded = load::load_with(&source.text, format, load::Comments::Suppressions);
    if always_template && loaded.document.is_none() && loaded.problems.is_empty() {
        // A CDK stack's template cannot be empty: the assembly is broken.
        loaded.problems.push(LoadProblem {
            kind: ProblemKind::Syntax,
            span: crate::source::Span::empty(0),
            message: "the template of this CDK stack is empty".to_owned(),
            related: None,
        });
    }
    let Classified {
        service,
        template,
        report,
    } = Classified::of(target, &source.text, &loaded, always_template);
    let problems = if report { loaded.problems } else { Vec::new() };
    let mut result = outcome(source, template, problems);
    if let (true, Some(document)) = (template, &loaded.document) {
        let analyzed = match service {
            true => serverless_stack(target, document, &relative, options, inputs, &result.source),
            false => stack(
                target,
                document,
                &relative,
                options,
                inputs,
                &result.source,
                None,
            ),
        };
        result.stacks = vec![analyzed.stack];
        result.secrets = analyzed.secrets;
        result.deploy = analyzed.deploy.map(|found| found.map(Box::new));
        result.problems.extend(analyzed.problems);
        // Suppressions are read where the resources are: a loop's copies keep its body's.
        let read = analyzed.document.as_ref().unwrap_or(document);
        result.suppressions = FileSuppressions::read(&result.source, read);
    }
    drop_unreported_text(&mut result, target);
    result
}

/// A service written as a program is read only by the framework: said once, when it looks like
/// one (a `serverless.ts` that is not a service is someone else's file). `None` when `target` is
/// not such a file.
fn script_service(target: &Target, text: &str) -> Option<Vec<LoadProblem>> {
    let path = target.path.as_deref()?;
    if target.origin != Origin::Loose || !crate::serverless::is_script(path) {
        return None;
    }
    let service = text.contains("service")
        && text.contains("provider")
        && crate::serverless::packaged(path).is_none();
    Some(match service {
        true => vec![crate::serverless::script_notice(&target.name)],
        false => Vec::new(),
    })
}

/// What a loaded file is to the run.
struct Classified {
    /// A Serverless Framework service file, read as the template the framework compiles.
    service: bool,
    /// A template (or a service): analyzed.
    template: bool,
    /// Its load problems are reported.
    report: bool,
}

impl Classified {
    fn of(target: &Target, text: &str, loaded: &load::Loaded, always_template: bool) -> Self {
        // A Serverless Framework service file is read as the template the framework compiles.
        // (With the framework's packaged template beside it, that template is read instead.)
        let service = target.origin == Origin::Loose
            && target.path.as_deref().is_some_and(|p| {
                crate::serverless::is_service_file(p) && crate::serverless::packaged(p).is_none()
            })
            && loaded
                .document
                .as_ref()
                .is_some_and(|doc| crate::serverless::is_service(&doc.root));
        let template = always_template
            || service
            || loaded
                .document
                .as_ref()
                .is_some_and(|doc| classify::is_template(&doc.root));
        // A broken file is ours to judge only when it looks like a template: a broken
        // tsconfig.json handed over by a pre-commit hook is not. A multi-document file
        // (Kubernetes manifests, a workflow with `Resources: some-string`) is ours only
        // when one of its documents is a template.
        let only_documents = !loaded.problems.is_empty()
            && loaded
                .problems
                .iter()
                .all(|p| p.kind == ProblemKind::MultiDocument);
        let report = template
            || (!loaded.problems.is_empty()
                && classify::looks_like_template(text)
                && (!only_documents || classify::later_document_is_template(text, loaded)));
        Classified {
            service,
            template,
            report,
        }
    }
}

/// Most files have nothing a diagnostic could point at (a stack whose only facts are its
/// exports is read for them, rarely reported): their text is dropped at once, while the other
/// files are still being read, so peak memory follows the files with something to report rather
/// than the size of the tree. The few that a diagnostic ends up pointing into are read again.
fn drop_unreported_text(result: &mut FileOutcome, target: &Target) {
    let reported = result.stacks.iter().any(|s| {
        !(s.facts.senders.is_empty()
            && s.facts.identities.is_empty()
            && s.facts.configuration_sets.is_empty()
            && s.facts.trigger_senders.is_empty())
    });
    let rereadable = result.source.path.is_some() && target.origin != Origin::Stdin;
    if result.problems.is_empty()
        && !reported
        && result.suppressions.is_empty()
        && rereadable
        && !result.source.text.is_empty()
    {
        let empty = SourceFile::new(result.source.name.clone(), result.source.path.clone(), "");
        result.source = Arc::new(empty);
        result.text_dropped = true;
    }
}

/// Why a file could not be read, as its problem.
fn unreadable(err: &std::io::Error) -> LoadProblem {
    LoadProblem {
        kind: match err.kind() {
            std::io::ErrorKind::FileTooLarge => ProblemKind::TooLarge,
            _ => ProblemKind::Unreadable,
        },
        span: crate::source::Span::empty(0),
        message: format!("cannot read file: {err}"),
        related: None,
    }
}

fn has_template_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// What the CloudFormation front end made of one template.
struct Analyzed {
    stack: Stack,
    secrets: Vec<String>,
    deploy: Option<Option<super::deploy::Deploy>>,
    /// The template as analyzed when it is not the one loaded (its `Fn::ForEach` loops
    /// expanded).
    document: Option<Document>,
    /// What the front end could not analyze, located.
    problems: Vec<LoadProblem>,
}

/// A Serverless Framework service file: translated into the template the framework compiles
/// (`crate::serverless`), then analyzed as any template, its region the service's.
fn serverless_stack(
    target: &Target,
    document: &Document,
    relative: &str,
    options: &CheckOptions,
    inputs: &RunInputs,
    source: &SourceFile,
) -> Analyzed {
    let dir = target
        .path
        .as_deref()
        .and_then(std::path::Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let service_options = crate::serverless::Options {
        region: options.region.clone(),
        params: inputs.params.clone(),
    };
    // An included file is read like a configuration file: bounded, links only inside.
    let read = |path: &std::path::Path| crate::input::read_settings(path, &dir).ok();
    let translated =
        crate::serverless::translate(document, &source.name, &dir, &service_options, &read);
    let region = translated.region;
    let service = Service {
        deploy: super::deploy::Deploy {
            region: region.name.map(|name| super::deploy::DeployRegion {
                region: name,
                file: source.name.clone(),
                span: region.span.unwrap_or_default(),
            }),
            note: region.note,
            problem: None,
        },
        stack_name: translated.stack_name,
        label: region.label,
    };
    let mut analyzed = stack(
        target,
        &translated.document,
        relative,
        options,
        inputs,
        source,
        Some(&service),
    );
    analyzed.problems.extend(translated.problems);
    if analyzed.document.is_none() {
        analyzed.document = Some(translated.document);
    }
    analyzed
}

/// What a Serverless Framework service says of its stack, beside the template it compiles to.
struct Service {
    deploy: super::deploy::Deploy,
    stack_name: Option<String>,
    /// The related label of its region.
    label: String,
}

fn stack(
    target: &Target,
    document: &Document,
    relative: &str,
    options: &CheckOptions,
    inputs: &RunInputs,
    source: &SourceFile,
    serverless: Option<&Service>,
) -> Analyzed {
    let given = serverless.map(|s| s.deploy.clone());
    let mut env = inputs::stack_env(target, &document.root, relative, options, inputs, given);
    if let Some(name) = serverless.and_then(|s| s.stack_name.clone()) {
        env.stack_name = name.clone();
        env.env.stack_name = Some(name);
    }
    let expanded = crate::cloudformation::foreach::expand(document, &env.env);
    let analyzed = expanded.document.as_ref().unwrap_or(document);
    let mut secrets = secrets::no_echo_values(&analyzed.root, &env.env.parameters);
    let resolver = Resolver::new(analyzed, &env.env);
    let template = crate::cloudformation::extract::Template {
        file: &source.name,
        text: &source.text,
        notes: &expanded.notes,
    };
    let facts = crate::cloudformation::extract(analyzed, template, &resolver);
    secrets.extend(resolver.secret_fragments());
    drop(resolver);
    let environment_location = match &target.origin {
        Origin::Cdk(cdk) => cdk
            .environment_span
            .map(|span| (cdk.manifest.clone(), span)),
        _ => env.region_location.clone(),
    };
    let stack = Stack {
        file: source.name.clone(),
        name: env.stack_name,
        account: env.env.account.clone(),
        account_source: env.account_source,
        region: env.env.region.clone(),
        region_source: env.region_source,
        environment_location,
        cdk: matches!(target.origin, Origin::Cdk(_)),
        language: crate::extract::Language::CloudFormation,
        environment_label: serverless
            .filter(|_| env.region_source == crate::join::EnvSource::DeployConfig)
            .map(|s| s.label.clone()),
        deployment: match &target.origin {
            Origin::Cdk(cdk) => format!("{}#{}", cdk.manifest, cdk.deployment),
            _ => source.name.clone(),
        },
        region_note: env.region_note.clone(),
        lookup_role: match &target.origin {
            Origin::Cdk(cdk) => cdk.lookup_role.clone(),
            _ => None,
        },
        facts: facts.into_shared(),
    };
    Analyzed {
        stack,
        secrets,
        deploy: env.deploy,
        document: expanded.document,
        problems: expanded.problems,
    }
}

//! One `sandtrap check` run: the pipeline stages in order, files in parallel.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, FileId, Location, Related, Severity, Summary};
use crate::discover::{self, DiscoverError, Origin, Target, classify};
use crate::load::{self, Format, LoadProblem, ProblemKind};
use crate::source::{Files, SourceFile};

/// What a run is asked to do.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    /// The text of standard input when `-` is among the paths.
    pub stdin: Option<String>,
    /// The name standard input is reported under.
    pub stdin_filename: Option<String>,
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
}

/// Why a run could not happen as asked (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CheckError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
}

/// The result of one file, computed in parallel and merged in order.
struct FileOutcome {
    source: SourceFile,
    template: bool,
    problems: Vec<LoadProblem>,
}

pub fn run(options: &CheckOptions) -> Result<Outcome, CheckError> {
    let stdin_wanted = options.paths.iter().any(|p| p.as_os_str() == "-");
    let fs_paths: Vec<PathBuf> = options
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let mut discovered = if fs_paths.is_empty() && stdin_wanted {
        discover::Discovered::default()
    } else if fs_paths.is_empty() {
        discover::discover(&[PathBuf::from(".")])?
    } else {
        discover::discover(&fs_paths)?
    };
    if stdin_wanted {
        discovered.targets.push(Target {
            name: options
                .stdin_filename
                .clone()
                .unwrap_or_else(|| "-".to_owned()),
            path: None,
            explicit: true,
            origin: Origin::Stdin,
            environment: discover::Environment::default(),
        });
    }

    let outcomes: Vec<FileOutcome> = discovered
        .targets
        .par_iter()
        .map(|target| analyze_file(target, options.stdin.as_deref()))
        .collect();

    let mut files = Files::default();
    let mut diagnostics = Vec::new();
    let mut summary = Summary::default();
    for problem in discovered.problems {
        summary.files += 1;
        let id = files.add(problem.file);
        diagnostics.push(parse_error(id, &problem.problem));
    }
    for outcome in outcomes {
        summary.files += 1;
        summary.templates += usize::from(outcome.template);
        if outcome.problems.is_empty() {
            continue;
        }
        let id = files.add(outcome.source);
        diagnostics.extend(outcome.problems.iter().map(|p| parse_error(id, p)));
    }
    sort(&files, &mut diagnostics);
    for d in &diagnostics {
        summary.count(d.severity);
    }
    Ok(Outcome {
        files,
        diagnostics,
        summary,
    })
}

fn analyze_file(target: &Target, stdin: Option<&str>) -> FileOutcome {
    let read = match (&target.origin, &target.path) {
        (Origin::Stdin, _) => Ok(stdin.unwrap_or_default().as_bytes().to_vec()),
        (_, Some(path)) => std::fs::read(path),
        (_, None) => Ok(Vec::new()),
    };
    let always_template = matches!(target.origin, Origin::Cdk(_));
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(err) => {
            let source = SourceFile::new(target.name.clone(), target.path.clone(), "");
            return FileOutcome {
                source,
                template: always_template,
                problems: vec![LoadProblem {
                    kind: ProblemKind::Encoding,
                    span: crate::source::Span::empty(0),
                    message: format!("cannot read file: {err}"),
                    related: None,
                }],
            };
        }
    };
    let (text, decode_problem) = load::decode(&bytes);
    let source = SourceFile::new(target.name.clone(), target.path.clone(), text);
    if let Some(problem) = decode_problem {
        let ours = always_template || classify::looks_like_template(&source.text);
        return FileOutcome {
            source,
            template: ours,
            problems: if ours { vec![problem] } else { Vec::new() },
        };
    }
    let loaded = load::load(&source.text, Format::guess(&target.name, &source.text));
    let template = always_template
        || loaded
            .document
            .as_ref()
            .is_some_and(|doc| classify::is_template(&doc.root));
    // A broken file is ours to judge only when it looks like a template: a broken tsconfig.json
    // handed over by a pre-commit hook is not.
    let report = template
        || (!loaded.problems.is_empty() && classify::looks_like_template(&source.text));
    FileOutcome {
        source,
        template,
        problems: if report { loaded.problems } else { Vec::new() },
    }
}

fn parse_error(file: FileId, problem: &LoadProblem) -> Diagnostic {
    let mut d = Diagnostic::new(
        "ST001",
        "parse-error",
        Severity::Error,
        Location {
            file,
            span: problem.span,
        },
        problem.message.clone(),
    );
    if let Some((span, message)) = &problem.related {
        d.related.push(Related {
            location: Location { file, span: *span },
            message: message.clone(),
        });
    }
    d
}

/// By file name, then offset, then code (DESIGN.md "Outputs").
fn sort(files: &Files, diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let name = |d: &Diagnostic| files.get(d.location.file).map(|f| f.name.clone());
        name(a)
            .cmp(&name(b))
            .then(a.location.span.start.cmp(&b.location.span.start))
            .then(a.code.cmp(&b.code))
    });
}

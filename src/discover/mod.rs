//! Paths to the list of files to analyze: walks directories (honouring `.gitignore`), reads CDK
//! cloud assemblies as units, and leaves everything else for the loader to classify.

pub mod cdk;
pub mod classify;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::load::LoadProblem;
use crate::source::{SourceFile, Span};

/// Account and region a stack deploys to, as far as its origin says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// Where a target came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A loose file: it is a template only if it looks like one.
    Loose,
    /// Standard input, reported under `--stdin-filename`.
    Stdin,
    /// A stack of a CDK cloud assembly: always a template.
    Cdk(CdkStack),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CdkStack {
    /// The manifest that declared the stack (its display name).
    pub manifest: String,
    /// The artifact id (the stack's logical name in the assembly).
    pub artifact_id: String,
    /// `properties.stackName`, or the artifact id.
    pub stack_name: String,
    /// For a nested stack template, the artifact id of its parent stack.
    pub nested_in: Option<String>,
    /// Span of the `environment` value in the manifest, for related locations.
    pub environment_span: Option<Span>,
    /// `properties.parameters`.
    pub parameters: BTreeMap<String, String>,
}

/// One file to analyze.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Display name (as given, or relative to the current directory when walked).
    pub name: String,
    /// Path on disk; `None` for standard input.
    pub path: Option<PathBuf>,
    /// Named explicitly on the command line.
    pub explicit: bool,
    pub origin: Origin,
    pub environment: Environment,
}

/// A manifest or path that could not be read; reported as `ST001` against `file`.
#[derive(Clone, Debug)]
pub struct FileProblem {
    pub file: SourceFile,
    pub problem: LoadProblem,
}

/// Everything discovery found.
#[derive(Clone, Debug, Default)]
pub struct Discovered {
    pub targets: Vec<Target>,
    pub problems: Vec<FileProblem>,
}

/// A path named on the command line that does not exist: the run cannot proceed as asked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct DiscoverError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// Finds the targets under `paths` (default `.`).
pub fn discover(_paths: &[PathBuf]) -> Result<Discovered, DiscoverError> {
    Ok(Discovered::default())
}

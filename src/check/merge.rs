//! The run's files brought together, in order: each file's analysis (or the problem of a file
//! that could not be read) becomes its entry in the run's file table, its load problems, its
//! suppressions and its stack for the join.

use std::sync::Arc;

use super::files::{FileOutcome, is_empty};
use super::parse_error;
use super::suppression::FileSuppressions;
use crate::diagnostic::{Diagnostic, Summary};
use crate::discover::{self, FileProblem};
use crate::join::Stack;
use crate::rules::Catalog;
use crate::source::{FileId, Files, SourceFile};

/// Each file's suppressions and its path relative to the config file.
pub(super) type Suppressions<'a> = foldhash::HashMap<FileId, (&'a FileSuppressions, &'a str)>;

/// A file discovery could not read has no suppressions.
static NO_SUPPRESSIONS: FileSuppressions = FileSuppressions::none();

/// Everything the later stages need of the run's files. It borrows what the files' analyses
/// hold (which the cache shares from run to run) and copies only the files' names and texts
/// (shared) into the run's table.
#[derive(Default)]
pub(super) struct Merged<'a> {
    pub(super) files: Files,
    /// A file's id by its display name (what facts and spans name).
    pub(super) ids: foldhash::HashMap<&'a str, FileId>,
    /// Load problems so far; the rules' findings join them.
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) summary: Summary,
    pub(super) suppressions: Suppressions<'a>,
    pub(super) stacks: Vec<&'a Stack>,
    /// The analyzed templates, in the order they were found.
    pub(super) templates: Vec<Arc<SourceFile>>,
    /// The values of `NoEcho` parameters.
    pub(super) secrets: Vec<String>,
    /// Files whose text was dropped after analysis.
    pub(super) dropped: foldhash::HashSet<FileId>,
}

impl<'a> Merged<'a> {
    /// A table that already holds the config file, which findings can point into, with room
    /// for `files` more: an editor's run merges thousands, and a table that grows into them
    /// rehashes each of its maps a dozen times.
    pub(super) fn new(config: Option<&'a SourceFile>, files: usize) -> Merged<'a> {
        let mut merged = Merged {
            files: Files::with_capacity(files + 1),
            ids: foldhash::HashMap::with_capacity_and_hasher(files + 1, Default::default()),
            suppressions: Suppressions::with_capacity_and_hasher(files, Default::default()),
            dropped: foldhash::HashSet::with_capacity_and_hasher(files, Default::default()),
            stacks: Vec::with_capacity(files),
            templates: Vec::with_capacity(files),
            ..Merged::default()
        };
        if let Some(source) = config {
            let id = merged.files.add(source.clone());
            merged.ids.insert(&source.name, id);
        }
        merged
    }

    /// A file discovery could not read: its problem is the file's finding.
    pub(super) fn add_problem(&mut self, problem: &'a FileProblem, catalog: &Catalog) {
        self.summary.files += 1;
        let name = &problem.file.name;
        let id = self.files.add(problem.file.clone());
        self.ids.insert(name, id);
        self.suppressions.insert(id, (&NO_SUPPRESSIONS, name));
        self.diagnostics
            .push(parse_error(catalog, id, &problem.problem));
    }

    /// One analyzed file. A file with nothing to report is counted and dropped, unless it has
    /// suppressions: one that names no rule is a finding of its own (ST005), whatever else the
    /// file holds.
    /// Only what is kept is copied: the analysis may be the cache's, shared with the next run.
    /// `path`, when the run spells the file's path otherwise than the analysis does (a kept
    /// one: `cache/respell.rs`), is the one the run names it by.
    pub(super) fn add(
        &mut self,
        outcome: &'a FileOutcome,
        path: Option<std::path::PathBuf>,
        catalog: &Catalog,
    ) {
        if let Some(Some(deploy)) = &outcome.deploy
            && let Some(problem) = &deploy.problem
        {
            self.add_deploy_problem(problem, catalog);
        }
        self.secrets.extend(outcome.secrets.iter().cloned());
        self.summary.files += 1;
        self.summary.templates += usize::from(outcome.template);
        if outcome.template {
            self.templates.push(Arc::clone(&outcome.source));
        }
        let has_facts = outcome.stacks.iter().any(|s| !is_empty(&s.facts));
        if outcome.problems.is_empty()
            && !has_facts
            && outcome.suppressions.is_empty()
            && !outcome.keep
        {
            return;
        }
        let id = match path {
            None => self.files.add_shared(Arc::clone(&outcome.source)),
            Some(path) => {
                let mut source = (*outcome.source).clone();
                source.path = Some(path);
                self.files.add(source)
            }
        };
        self.ids.insert(&outcome.source.name, id);
        if outcome.text_dropped {
            self.dropped.insert(id);
        }
        self.diagnostics
            .extend((outcome.problems.iter()).map(|p| parse_error(catalog, id, p)));
        self.suppressions
            .insert(id, (&outcome.suppressions, &outcome.relative));
        self.stacks
            .extend((outcome.stacks.iter()).filter(|s| !is_empty(&s.facts)));
    }

    /// A deploy configuration file beside a template that does not parse: a located warning
    /// (`ST001`, lowered: the template itself is read), once per file. The file is shown
    /// masked: its values may be secrets.
    fn add_deploy_problem(&mut self, problem: &'a super::deploy::DeployProblem, catalog: &Catalog) {
        let id = match self.ids.get(problem.file.as_str()) {
            Some(id) => *id,
            None => {
                let text = discover::read_regular_string(&problem.path).unwrap_or_default();
                let source = SourceFile::new(
                    problem.file.clone(),
                    None,
                    crate::input::masked_settings(&text),
                );
                let id = self.files.add(source);
                self.ids.insert(&problem.file, id);
                id
            }
        };
        let location = crate::diagnostic::Location {
            file: id,
            span: problem.span,
        };
        let mut d = catalog
            .framework_diagnostic("ST001", location, problem.message.clone())
            .with_label("not valid here");
        d.severity = crate::diagnostic::Severity::Warning;
        self.diagnostics.push(d);
    }

    /// A digest of the names of the run's files in order, which decide every file id (and so
    /// what the rules' findings point into).
    pub(super) fn names_digest(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        // Compared only with this process's earlier runs (an editor's), so seeded once per
        // process: names chosen to collide cannot be made in advance.
        static STATE: std::sync::OnceLock<foldhash::quality::RandomState> =
            std::sync::OnceLock::new();
        let mut hasher = STATE.get_or_init(Default::default).build_hasher();
        for (_, file) in self.files.iter() {
            file.name.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// The CDK manifests that declared stack environments, which related labels point into.
    pub(super) fn add_manifests(&mut self, cwd: &std::path::Path) {
        let stacks: &[&'a Stack] = &self.stacks;
        for stack in stacks {
            let stack: &'a Stack = stack;
            if let Some((manifest, _)) = &stack.environment_location
                && !self.ids.contains_key(manifest.as_str())
                && let Ok(text) = discover::read_regular_string(&cwd.join(manifest))
            {
                let id = self
                    .files
                    .add(SourceFile::new(manifest.clone(), None, text));
                self.ids.insert(manifest, id);
            }
        }
    }
}

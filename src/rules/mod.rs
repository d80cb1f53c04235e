//! The rule catalog: rules as YAML files (built-in and `--rules DIR`), their documentation, and
//! the lookups every later stage uses.
//!
//! The file format is documented for users in `rules/README.md`; [`load`] reads it and
//! [`evaluate`] runs it over the facts document.

mod builtin;
mod evaluate;
mod kept;
mod load;
mod local;
mod memo;
mod patterns;
mod plan;
mod project;
mod raw;
mod schema;
mod template;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use miette::{NamedSource, SourceSpan};

use crate::diagnostic::Severity;

pub use evaluate::{evaluate, evaluate_facts, evaluate_facts_with};
#[cfg(test)]
use load::parse_rule_unchecked;
pub use load::{RuleError, parse_rule, schema};
pub use memo::{Memo, MemoStats};
pub use template::{Template, TemplateError, UNKNOWN};

/// Where each rule's documentation is published ([`crate::site::DOCS_URL`] plus `rules/`); a
/// diagnostic's `url` is this plus its code.
pub const RULES_URL: &str = concat!(env!("SANDTRAP_DOCS_URL"), "rules/");

/// The headings every built-in rule's `docs` carries, in order.
pub const DOC_SECTIONS: [&str; 5] = [
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "References",
];

/// One rule, as read from its file.
#[derive(Clone, Debug)]
pub struct Rule {
    pub code: String,
    pub name: String,
    /// The default severity; a case may set its own, and configuration overrides both later.
    pub severity: Severity,
    pub summary: String,
    /// Markdown with `## ` sections (see [`DOC_SECTIONS`]).
    pub docs: String,
    /// `where:`: objects it rejects are never reported (nor claimed) by any case.
    pub filter: Option<RuleFilter>,
    pub cases: Vec<Case>,
    pub source: RuleSource,
    /// `None` for a built-in rule (the build checked that its code and name are unique).
    origin: Option<Origin>,
}

/// Where a rule came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleSource {
    /// Embedded from the repository's `rules/` folder at build time.
    Builtin,
    /// Read from a `--rules DIR` folder.
    File(PathBuf),
}

/// The text of a rule's file and the locations of its identity, kept to report a clash with
/// another rule at the right key.
#[derive(Clone, Debug)]
struct Origin {
    source: Arc<NamedSource<String>>,
    code_span: SourceSpan,
    name_span: SourceSpan,
}

/// A rule's `where:`: a filter expression on `@`, decided on the matched object by its plan, or
/// run as `$[?...]` over a one-element array holding it.
#[derive(Clone, Debug)]
pub struct RuleFilter {
    pub text: String,
    /// The member paths the condition reads and the condition, when it has a plan.
    plan: Option<(Vec<Vec<String>>, plan::Pred)>,
    /// `$[?text]` in the JSONPath engine, for a condition without a plan.
    engine: Engine,
}

/// One query of a rule and what to report for each object it matches.
#[derive(Clone, Debug)]
pub struct Case {
    /// The JSONPath query as written.
    pub query: String,
    /// The query in the JSONPath engine, over the whole document.
    engine: Engine,
    /// The query over each element of a collection, as a plan ([`plan`]): the rules then read
    /// only the members the plan names, from each fact on its own ([`evaluate`]).
    plan: Option<plan::Plan>,
    /// Without a plan, the query in the engine over one element of a collection, when it reads
    /// nothing else.
    local: Option<evaluate::Local>,
    /// `None`: the rule's default severity.
    pub severity: Option<Severity>,
    /// Keys of the matched object's `spans`; the first one present is the primary location.
    pub at: Vec<String>,
    pub message: Template,
    pub label: Option<Template>,
    pub help: Option<Template>,
    pub note: Option<Template>,
    pub related: Vec<RelatedSpec>,
}

/// A query for the JSONPath engine, with its `match()`/`search()` patterns compiled: at load for
/// a user's rule (whose errors are reported then), on first use for a built-in rule (which the
/// build and the tests checked), since most runs decide every built-in case by its plan.
#[derive(Clone, Debug, Default)]
struct Engine {
    runnable: OnceLock<Option<patterns::Runnable>>,
}

impl Engine {
    fn compiled(runnable: patterns::Runnable) -> Self {
        Engine {
            runnable: OnceLock::from(Some(runnable)),
        }
    }

    /// The compiled query, compiling `query` the first time; `None` if it cannot be (a
    /// built-in query always can: `tests::builtin_rules_are_their_files`).
    fn get(&self, query: impl FnOnce() -> String) -> Option<&patterns::Runnable> {
        self.runnable
            .get_or_init(|| {
                let parsed = jsonpath_rust::parser::parse_json_path(&query()).ok()?;
                patterns::Runnable::new(&parsed).ok()
            })
            .as_ref()
    }
}

impl Case {
    /// The query in the engine, over the whole document.
    fn runnable(&self) -> Option<&patterns::Runnable> {
        self.engine.get(|| self.query.clone())
    }

    /// The collection whose elements the case reads one at a time, if it does.
    fn collection(&self) -> Option<&str> {
        match (&self.plan, &self.local) {
            (Some(plan), _) => Some(&plan.collection),
            (None, Some(local)) => Some(local.collection()),
            (None, None) => None,
        }
    }
}

impl RuleFilter {
    /// The condition in the engine, as `$[?text]`.
    fn runnable(&self) -> Option<&patterns::Runnable> {
        self.engine.get(|| format!("$[?{}]", self.text))
    }
}

/// A secondary location of a case: a span key (first present wins) and its message.
#[derive(Clone, Debug)]
pub struct RelatedSpec {
    pub at: Vec<String>,
    pub message: Template,
}

impl Rule {
    /// The documentation URL of a built-in rule (its page's directory, with the slash: a static
    /// host answers it without a redirect, and the page's relative links resolve under a
    /// project site's path); rules of the user's own have none.
    pub fn url(&self) -> Option<String> {
        match self.source {
            RuleSource::Builtin => Some(format!("{RULES_URL}{}/", self.code)),
            RuleSource::File(_) => None,
        }
    }

    /// The `## ` sections of `docs` as (heading, body), in order; the body is trimmed. Lines
    /// inside fenced code blocks are never headings.
    pub fn sections(&self) -> Vec<(&str, &str)> {
        let mut headings: Vec<(&str, usize, usize)> = Vec::new();
        let mut fence: Option<&str> = None;
        let mut offset = 0;
        for line in self.docs.split_inclusive('\n') {
            let trimmed = line.trim_end();
            if let Some(open) = fence {
                if trimmed.trim_start().starts_with(open) {
                    fence = None;
                }
            } else if let Some(marker) = fence_marker(trimmed) {
                fence = Some(marker);
            } else if let Some(heading) = trimmed.strip_prefix("## ") {
                headings.push((heading.trim(), offset, offset + line.len()));
            }
            offset += line.len();
        }
        headings
            .iter()
            .enumerate()
            .map(|(index, &(heading, _, body_start))| {
                let body_end = headings
                    .get(index + 1)
                    .map_or(self.docs.len(), |&(_, next_start, _)| next_start);
                let body = self.docs.get(body_start..body_end).unwrap_or_default();
                (heading, body.trim())
            })
            .collect()
    }

    /// The body of one `## ` section, by heading.
    pub fn section(&self, heading: &str) -> Option<&str> {
        self.sections()
            .into_iter()
            .find(|(name, _)| *name == heading)
            .map(|(_, body)| body)
    }

    /// The fenced code blocks under `## Example` and under `## Use instead`, in order.
    pub fn example_blocks(&self) -> (Vec<String>, Vec<String>) {
        let blocks = |heading| self.section(heading).map(code_blocks).unwrap_or_default();
        (blocks("Example"), blocks("Use instead"))
    }
}

/// The opening fence of a fenced code block (three or more backticks or tildes).
fn fence_marker(line: &str) -> Option<&str> {
    let line = line.trim_start();
    ["````", "```", "~~~~", "~~~"]
        .into_iter()
        .find(|marker| line.starts_with(marker))
}

/// The contents of the fenced code blocks of a markdown text.
fn code_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<(&str, String)> = None;
    for line in markdown.split_inclusive('\n') {
        match current.as_mut() {
            Some((marker, body)) => {
                if line.trim().starts_with(*marker) {
                    if let Some((_, body)) = current.take() {
                        blocks.push(body);
                    }
                } else {
                    body.push_str(line);
                }
            }
            None => {
                if let Some(marker) = fence_marker(line.trim_end()) {
                    current = Some((marker, String::new()));
                }
            }
        }
    }
    blocks
}

impl fmt::Display for RuleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleSource::Builtin => f.write_str("built-in"),
            RuleSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Every rule of a run, in a stable order: built-ins by code, then the user's own.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Shared: the built-in catalog is made once per process, and a run that adds no rules of
    /// its own uses it as it is.
    rules: Arc<Vec<Rule>>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rules of `rules/*.yaml`, read and checked when sandtrap was built (`build.rs`), made
    /// without parsing anything, once per process (the language server asks on every edit).
    pub fn builtin() -> Result<Catalog, RuleError> {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        Ok(BUILTIN
            .get_or_init(|| Catalog {
                rules: Arc::new(builtin::rules()),
            })
            .clone())
    }

    /// Every `*.yaml` and `*.yml` file directly in `dir`, sorted by file name. A symbolic link
    /// is followed only into `dir` or `project` ([`crate::input::read_settings`]).
    pub fn load_dir(dir: &Path, project: &Path) -> Result<Vec<Rule>, RuleError> {
        let io_error = |source| RuleError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_error)? {
            let path = entry.map_err(io_error)?.path();
            let is_yaml = path
                .extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml");
            if is_yaml && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        paths
            .into_iter()
            .map(|path| {
                let text = crate::input::read_settings(&path, project).map_err(|source| {
                    RuleError::Io {
                        path: path.clone(),
                        source,
                    }
                })?;
                let name = path.display().to_string();
                parse_rule(&text, &name, RuleSource::File(path))
            })
            .collect()
    }

    /// Adds rules, refusing a code or a name that is already taken (by the catalog or by an
    /// earlier rule of `rules`). On error the catalog is unchanged.
    pub fn extend(&mut self, rules: impl IntoIterator<Item = Rule>) -> Result<(), RuleError> {
        let mut rules = rules.into_iter().peekable();
        if rules.peek().is_none() {
            return Ok(());
        }
        let all = Arc::make_mut(&mut self.rules);
        let before = all.len();
        for rule in rules {
            if let Err(error) = check_unique(all, &rule) {
                all.truncate(before);
                return Err(error);
            }
            all.push(rule);
        }
        Ok(())
    }

    /// A diagnostic of a rule the framework reports itself (`ST001`, `ST005`, `ST006`: rules
    /// without cases), with the name and severity of its rule file, so that the file is the one
    /// place they are written. The built-in catalog always has these rules;
    /// without one, the code stands for the name and the severity is an error.
    pub fn framework_diagnostic(
        &self,
        code: &str,
        location: crate::diagnostic::Location,
        message: String,
    ) -> crate::diagnostic::Diagnostic {
        let rule = self.get(code);
        let mut d = crate::diagnostic::Diagnostic::new(
            code,
            rule.map_or(code, |r| r.name.as_str()),
            rule.map_or(Severity::Error, |r| r.severity),
            location,
            message,
        );
        // Like every rule's finding, it links to its rule's page.
        d.url = rule.and_then(Rule::url);
        d
    }

    /// A rule by code (`ST201`) or name (`missing-source-arn`).
    pub fn get(&self, code_or_name: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|rule| rule.code == code_or_name || rule.name == code_or_name)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Rule> {
        self.rules.iter()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl<'a> IntoIterator for &'a Catalog {
    type Item = &'a Rule;
    type IntoIter = std::slice::Iter<'a, Rule>;

    fn into_iter(self) -> Self::IntoIter {
        self.rules.iter()
    }
}

/// Refuses `rule` when an earlier rule has its code or its name.
fn check_unique(rules: &[Rule], rule: &Rule) -> Result<(), RuleError> {
    let clash = |kind: &str, value: &str, code, span: fn(&Origin) -> SourceSpan, other: &Rule| {
        let message = format!(
            "rule {kind} `{value}` is already used by {}",
            describe(other)
        );
        match &rule.origin {
            Some(origin) => crate::located::Located::new(
                code,
                message,
                &origin.source,
                span(origin),
                format!("duplicate {kind}"),
            )
            .into(),
            // A built-in rule has no file to point into (and the build refuses duplicates).
            None => RuleError::NotRule {
                name: format!("built-in rule {}", rule.code),
                at: String::new(),
                problem: message,
            },
        }
    };
    if let Some(other) = rules.iter().find(|other| other.code == rule.code) {
        let code = "sandtrap::rules::duplicate_code";
        return Err(clash("code", &rule.code, code, |o| o.code_span, other));
    }
    if let Some(other) = rules.iter().find(|other| other.name == rule.name) {
        let code = "sandtrap::rules::duplicate_name";
        return Err(clash("name", &rule.name, code, |o| o.name_span, other));
    }
    Ok(())
}

fn describe(rule: &Rule) -> String {
    match &rule.source {
        RuleSource::Builtin => format!("built-in rule {} ({})", rule.code, rule.name),
        RuleSource::File(path) => format!("rule {} in {}", rule.code, path.display()),
    }
}

#[cfg(test)]
mod tests;

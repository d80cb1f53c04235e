//! `.sandtrap.yaml`: discovery, typed loading with locations, and lookups.
//!
//! Every value keeps the byte span it was read from, so later stages can point at the config
//! entry behind a decision (the `ses:` region that made an account production, the `stacks:`
//! entry that gave a template its region).

mod env;
mod error;
mod mask;
mod raw;

pub use raw::schema;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::GlobMatcher;

pub use env::env_region;
pub use error::ConfigError;
pub(crate) use raw::compile_glob;

use crate::diagnostic::Severity;
use crate::source::{SourceFile, Span};

/// File names looked for in each directory, in order: `.sandtrap.yaml` wins when both exist.
pub const FILE_NAMES: [&str; 2] = [".sandtrap.yaml", ".sandtrap.yml"];

/// A config value with the byte span of its YAML scalar (quotes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

/// The SES state of an (account, region): what the config, a flag or the live lookup says, and
/// what the facts document reports (`ses.state`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SesState {
    /// Still in the SES sandbox: only verified recipients receive mail.
    Sandbox,
    /// Production access granted.
    Production,
}

/// One item of `ses.production` or `ses.sandbox`.
#[derive(Debug, Clone)]
pub struct SesEntry {
    pub state: SesState,
    pub regions: Vec<Located<String>>,
    /// `None` means any account.
    pub account: Option<Located<String>>,
}

/// One item of `stacks:`: the environment of the templates its glob matches.
#[derive(Debug, Clone)]
pub struct StackEntry {
    /// Glob relative to the config file's directory.
    pub files: Located<String>,
    matcher: GlobMatcher,
    pub account: Option<Located<String>>,
    pub region: Option<Located<String>>,
    /// Parameter values by name; each value's span points at it in the config.
    pub params: BTreeMap<String, Located<String>>,
}

/// One entry of `severity:`: a rule code (or name) and the severity it gets instead.
#[derive(Debug, Clone)]
pub struct SeverityOverride {
    pub code: Located<String>,
    pub severity: Located<Severity>,
}

/// One entry of `per-file-ignores:`.
#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    /// Glob relative to the config file's directory.
    pub glob: Located<String>,
    matcher: GlobMatcher,
    /// Selectors as written (codes, names or prefixes).
    pub codes: Vec<Located<String>>,
}

/// One glob of `exclude:` or `extend-exclude:` (ruff's semantics: without `/` it matches a
/// file or directory name at any depth, with `/` a path relative to the config file's
/// directory).
#[derive(Debug, Clone)]
pub struct ExcludeGlob {
    pub glob: Located<String>,
    pub matcher: GlobMatcher,
}

/// The loaded configuration. [`Config::default()`] is what applies when there is no file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    source: Option<SourceFile>,
    pub ses: Vec<SesEntry>,
    pub stacks: Vec<StackEntry>,
    /// `None` when the file has no `select:` (everything is selected).
    pub select: Option<Vec<Located<String>>>,
    pub ignore: Vec<Located<String>>,
    pub severity: Vec<SeverityOverride>,
    pub per_file_ignores: Vec<PerFileIgnore>,
    pub fail_level: Option<Located<Severity>>,
    /// `config-env`: the samconfig environment whose deploy region applies (`--config-env` wins).
    pub config_env: Option<Located<String>>,
    /// `aws.role-arn`: the role `--aws` assumes in accounts other than the caller's
    /// (`{account}` replaced; `--aws-role-arn` wins).
    pub aws_role_arn: Option<Located<String>>,
    /// `aws.profiles`: the AWS config profile that reads each account.
    pub aws_profiles: Vec<(Located<String>, Located<String>)>,
    /// `exclude`: paths never read, instead of the default ones (`--exclude` replaces it);
    /// `None` when the file has none.
    pub exclude: Option<Vec<ExcludeGlob>>,
    /// `extend-exclude`: paths never read, on top of `exclude` (or the default, or `--exclude`).
    pub extend_exclude: Vec<ExcludeGlob>,
}

/// An IAM role ARN whose account is `{account}` or 12 digits: `arn:PARTITION:iam::ACCOUNT:role/NAME`.
pub fn is_role_arn_template(text: &str) -> bool {
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let name = resource.strip_prefix("role/").unwrap_or_default();
    matches!(partition, "aws" | "aws-cn" | "aws-us-gov" | "{partition}")
        && (account == "{account}" || is_account(account))
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_/{}".contains(c))
}

/// Walks from `start_dir` up to the filesystem root and returns the first config file found.
pub fn find(start_dir: &Path) -> Option<PathBuf> {
    start_dir.ancestors().find_map(|dir| {
        FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
    })
}

/// Reads and validates a config file, reported under its path as given. `project` is the
/// run's directory: a symbolic link is followed only into it or into the link's own directory
/// ([`crate::input::read_settings`]).
pub fn load(path: &Path, project: &Path) -> Result<Config, ConfigError> {
    load_named(path, path.display().to_string(), project)
}

/// Reads and validates a config file, reported under `name` (e.g. relative to the current
/// directory, like every other file of a run).
pub fn load_named(path: &Path, name: String, project: &Path) -> Result<Config, ConfigError> {
    let text = crate::input::read_settings(path, project).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let config = raw::parse(SourceFile::new(name, Some(path.to_path_buf()), text))?;
    Ok(config.with_params_masked())
}

/// Validates config text reported under `name`. The result has no directory: its globs match
/// paths relative to wherever the caller decides.
pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
    Ok(raw::parse(SourceFile::new(name, None, text))?.with_params_masked())
}

impl Config {
    /// The config once its values are read: the text kept for snippets (a finding's related
    /// label on the SES declaration) no longer holds the values of `stacks[].params`.
    fn with_params_masked(mut self) -> Config {
        if let Some(source) = &mut self.source
            && let std::borrow::Cow::Owned(masked) = mask::params(&source.text)
        {
            *source = SourceFile::new(source.name.clone(), source.path.clone(), masked);
        }
        self
    }

    /// The config file's text and name, for pointing at its entries (`None` for the default).
    pub fn source(&self) -> Option<&SourceFile> {
        self.source.as_ref()
    }

    /// The directory globs are relative to: the config file's directory.
    pub fn dir(&self) -> Option<&Path> {
        self.source.as_ref()?.path.as_deref()?.parent()
    }

    /// The first `stacks:` entry whose glob matches `file`, a path relative to [`Config::dir`].
    pub fn stack_for(&self, file: &str) -> Option<&StackEntry> {
        let file = normalize(file);
        self.stacks.iter().find(|s| s.matcher.is_match(&file))
    }

    /// The first `select`, `ignore`, `severity` or `per-file-ignores` entry that names no rule of
    /// `catalog` (`(code, name)` pairs), as a located error. `severity:` takes exact codes and
    /// names only; the others also take code prefixes and `ALL`.
    pub fn unknown_selector(&self, catalog: &[(&str, &str)]) -> Option<ConfigError> {
        let source = self.source.as_ref()?;
        let selects = self.select.iter().flatten().map(|l| ("select", l));
        let ignores = self.ignore.iter().map(|l| ("ignore", l));
        let per_file = self
            .per_file_ignores
            .iter()
            .flat_map(|p| p.codes.iter().map(|l| ("per-file-ignores", l)));
        let selector_unknown = |text: &str| {
            !crate::suppress::unknown_selectors(&[crate::suppress::Selector::parse(text)], catalog)
                .is_empty()
        };
        let found = selects
            .chain(ignores)
            .chain(per_file)
            .find(|(_, l)| selector_unknown(&l.value))
            .or_else(|| {
                self.severity
                    .iter()
                    .map(|o| ("severity", &o.code))
                    .find(|(_, l)| {
                        !catalog
                            .iter()
                            .any(|(code, name)| l.value == *code || l.value == *name)
                    })
            })?;
        let (key, entry) = found;
        let (src, span) = error::located(source, entry.span);
        Some(
            crate::located::Located::new(
                "sandtrap::config::unknown_selector",
                format!("unknown rule selector `{}` in `{key}`", entry.value),
                &src,
                span,
                "names no rule",
            )
            .with_help(crate::suppress::selector_help(&entry.value, catalog))
            .into(),
        )
    }

    /// The severity `severity:` gives a rule, matched by exact code or name; the last entry wins.
    pub fn severity_for(&self, code: &str, name: &str) -> Option<&Located<Severity>> {
        self.severity
            .iter()
            .rev()
            .find(|o| o.code.value == code || o.code.value == name)
            .map(|o| &o.severity)
    }
}

impl StackEntry {
    /// Whether `file` (relative to the config's directory) is one of this entry's templates.
    pub fn is_match(&self, file: &str) -> bool {
        self.matcher.is_match(&*normalize(file))
    }
}

impl PerFileIgnore {
    /// Whether the glob matches `file` (relative to the config's directory). A glob without `/`
    /// also matches the file name alone, so `"*.json": [ST207]` works at any depth.
    pub fn is_match(&self, file: &str) -> bool {
        let file = normalize(file);
        if self.matcher.is_match(&*file) {
            return true;
        }
        !self.glob.value.contains('/')
            && file
                .rsplit('/')
                .next()
                .is_some_and(|base| self.matcher.is_match(base))
    }
}

/// Paths are matched with `/` separators and without a leading `./`.
fn normalize(file: &str) -> String {
    let file = file.replace('\\', "/");
    let mut rest = file.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    rest.to_string()
}

/// An AWS region code: `us-east-1`, `us-gov-west-1`, `us-isob-east-1`, `ap-southeast-7`.
/// The region of an SES declaration that stands for every region (`--ses-production
/// 111111111111:*`, config `ses: {production: [{regions: ["*"]}]}`).
pub const ANY_REGION: &str = "*";

pub fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// An AWS account id: exactly 12 ASCII digits.
pub fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

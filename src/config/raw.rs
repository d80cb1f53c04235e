//! The config file as serde reads it (every leaf spanned), and its validation into [`Config`].

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use globset::{GlobBuilder, GlobMatcher};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_saphyr::Spanned;

use super::error::{ConfigError, located};
use super::{
    Config, ExcludeGlob, Located, PerFileIgnore, SesEntry, SesState, SeverityOverride, StackEntry,
};
use crate::diagnostic::Severity;
// The located error config and rule files share; `Located<T>` above is a config value with its
// span.
use crate::located::Located as Problem;
use crate::source::{SourceFile, Span};

type Text = Spanned<String>;

/// The top-level keys of [`RawConfig`], from its schema.
pub(super) fn config_keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| crate::located::schema_keys(&schema()))
}

/// The JSON schema of the config file, from the types below (their doc comments are the
/// reference users read: `docs/configuration.md`).
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RawConfig)).unwrap_or_default()
}

/// `.sandtrap.yaml`: what sandtrap cannot read from the templates (the SES sandbox state of
/// each account and region, the environment of templates that carry none) and which rules run.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "sandtrap configuration")]
struct RawConfig {
    /// What is known of the SES sandbox, per region (and account): production access granted,
    /// or still in the sandbox.
    ses: Option<RawSes>,
    /// The environment of templates that do not carry one: the account, region and parameter
    /// values of the files a glob matches (the first matching entry applies).
    stacks: Option<Vec<RawStack>>,
    /// Only these rules: codes, names or code prefixes (`ST1`). Default: all.
    #[schemars(with = "Option<Vec<String>>")]
    select: Option<Vec<Text>>,
    /// Not these rules: codes, names or code prefixes.
    #[schemars(with = "Option<Vec<String>>")]
    ignore: Option<Vec<Text>>,
    /// A rule's severity instead of its default (`info`, `warning` or `error`), by code:
    /// `{ST207: warning}`.
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    severity: Option<Pairs<Text>>,
    /// Rules not reported in the files a glob (relative to this file) matches:
    /// `{"legacy/**": [ST103]}`.
    #[schemars(with = "Option<BTreeMap<String, Vec<String>>>")]
    per_file_ignores: Option<Pairs<Vec<Text>>>,
    /// The lowest severity that makes `sandtrap check` exit with status 1 (`info`, `warning` or
    /// `error`). Default: `warning`; `--fail-level` wins.
    #[schemars(with = "Option<String>")]
    fail_level: Option<Text>,
    /// The samconfig environment whose deploy `region` applies to the template beside it.
    /// Default: `default`; `--config-env` wins.
    #[schemars(with = "Option<String>")]
    config_env: Option<Text>,
    /// How `--aws` reads accounts other than the credentials' own.
    aws: Option<RawAws>,
    /// Paths never read, as globs (ruff's semantics): without `/` a file or directory name at
    /// any depth, with `/` a path relative to this file. An excluded directory is not walked,
    /// and an excluded path is skipped even when named. Replaces the default, `[node_modules]`;
    /// `--exclude` replaces it.
    #[schemars(with = "Option<Vec<String>>")]
    exclude: Option<Vec<Text>>,
    /// More paths never read, on top of `exclude` (or its default, or `--exclude`).
    #[schemars(with = "Option<Vec<String>>")]
    extend_exclude: Option<Vec<Text>>,
}

/// How `--aws` reaches accounts other than the caller's.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAws {
    /// The role to assume in an account no CDK lookup role reaches (`{account}` stands for
    /// each account): `arn:aws:iam::{account}:role/sandtrap-reader`. `--aws-role-arn` wins.
    #[schemars(with = "Option<String>")]
    role_arn: Option<Text>,
    /// A profile of the AWS config files per account: `{"222222222222": dev}`.
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    profiles: Option<Pairs<Text>>,
}

/// The SES sandbox state of regions; a flag (`--ses-sandbox`, `--ses-production`) or `--aws`
/// wins over it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSes {
    /// Regions (of an account) where SES has production access.
    production: Option<Vec<RawSesEntry>>,
    /// Regions (of an account) where SES is still in the sandbox.
    sandbox: Option<Vec<RawSesEntry>>,
}

/// Regions of one account, or of every account.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSesEntry {
    /// Region names, or `"*"` (quoted) for every region, the ones an environment-agnostic
    /// stack deploys to included; a region named explicitly beats `*`.
    #[schemars(with = "Vec<String>")]
    regions: Vec<Text>,
    /// The 12-digit account, quoted; omitted means every account.
    #[schemars(with = "Option<String>")]
    account: Option<Text>,
}

/// The environment of the templates a glob matches.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawStack {
    /// A glob of template paths, relative to this file: `infra/prod/**`.
    #[schemars(with = "String")]
    files: Text,
    /// The 12-digit account, quoted (a CDK manifest and `--account` win).
    #[schemars(with = "Option<String>")]
    account: Option<Text>,
    /// The region (a CDK manifest and `--region` win).
    #[schemars(with = "Option<String>")]
    region: Option<Text>,
    /// Template parameter values: `{Env: prod}` (`--param` and `--param-file` win).
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    params: Option<Pairs<Text>>,
}

/// A mapping kept in source order with each key's location (serde maps lose both).
struct Pairs<V>(Vec<(Text, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Pairs<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
            type Value = Pairs<V>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<V>, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }

        deserializer.deserialize_map(PairsVisitor(PhantomData))
    }
}

/// Reads and validates the whole file; the first problem found is the error.
pub(super) fn parse(source: SourceFile) -> Result<Config, ConfigError> {
    let options = serde_saphyr::options! { with_snippet: false };
    let raw: Option<RawConfig> = serde_saphyr::from_str_with_options(&source.text, options)
        .map_err(|e| {
            match crate::input::yaml_shape(&source.text, &crate::located::strs(config_keys())) {
                Ok(true) => from_yaml_error(&source, &e),
                shape => not_config(&source, &shape, &e),
            }
        })?;
    let Some(raw) = raw else {
        return Ok(Config {
            source: Some(source),
            ..Config::default()
        });
    };
    let v = Validator { source: &source };
    let ses = match raw.ses {
        Some(raw_ses) => v.ses(raw_ses)?,
        None => Vec::new(),
    };
    let stacks = raw
        .stacks
        .into_iter()
        .flatten()
        .map(|stack| v.stack(stack))
        .collect::<Result<Vec<_>, _>>()?;
    let mut severity = Vec::new();
    for (code, level) in raw.severity.map(|p| p.0).unwrap_or_default() {
        severity.push(SeverityOverride {
            code: v.text(code),
            severity: v.severity(level)?,
        });
    }
    let mut per_file_ignores = Vec::new();
    for (glob, codes) in raw.per_file_ignores.map(|p| p.0).unwrap_or_default() {
        let (glob, matcher) = v.glob(glob)?;
        per_file_ignores.push(PerFileIgnore {
            glob,
            matcher,
            codes: codes.into_iter().map(|c| v.text(c)).collect(),
        });
    }
    let (mut aws_role_arn, mut aws_profiles) = (None, Vec::new());
    if let Some(aws) = raw.aws {
        aws_role_arn = aws.role_arn.map(|r| v.role_arn(r)).transpose()?;
        for (account, profile) in aws.profiles.map(|p| p.0).unwrap_or_default() {
            aws_profiles.push((v.account(account)?, v.text(profile)));
        }
    }
    let exclude = raw.exclude.map(|e| v.excludes(e)).transpose()?;
    let extend_exclude = raw
        .extend_exclude
        .map(|e| v.excludes(e))
        .transpose()?
        .unwrap_or_default();
    let texts = |items: Vec<Text>| items.into_iter().map(|t| v.text(t)).collect::<Vec<_>>();
    Ok(Config {
        ses,
        stacks,
        select: raw.select.map(texts),
        ignore: raw.ignore.map(texts).unwrap_or_default(),
        severity,
        per_file_ignores,
        fail_level: raw.fail_level.map(|l| v.severity(l)).transpose()?,
        config_env: raw.config_env.map(|e| v.text(e)),
        aws_role_arn,
        aws_profiles,
        exclude,
        extend_exclude,
        source: Some(source),
    })
}

struct Validator<'a> {
    source: &'a SourceFile,
}

impl Validator<'_> {
    /// The `ses:` entries, production ones first.
    fn ses(&self, raw: RawSes) -> Result<Vec<SesEntry>, ConfigError> {
        let mut ses = Vec::new();
        for (state, entries) in [
            (SesState::Production, raw.production),
            (SesState::Sandbox, raw.sandbox),
        ] {
            for entry in entries.into_iter().flatten() {
                ses.push(SesEntry {
                    state,
                    regions: entry
                        .regions
                        .into_iter()
                        .map(|r| self.ses_region(r))
                        .collect::<Result<_, _>>()?,
                    account: entry.account.map(|a| self.account(a)).transpose()?,
                });
            }
        }
        Ok(ses)
    }

    /// One entry of `stacks:`.
    fn stack(&self, stack: RawStack) -> Result<StackEntry, ConfigError> {
        let (files, matcher) = self.glob(stack.files)?;
        let mut params = BTreeMap::new();
        for (key, value) in stack.params.map(|p| p.0).unwrap_or_default() {
            params.insert(key.value, self.text(value));
        }
        Ok(StackEntry {
            files,
            matcher,
            account: stack.account.map(|a| self.account(a)).transpose()?,
            region: stack.region.map(|r| self.region(r)).transpose()?,
            params,
        })
    }

    /// The globs of `exclude:` or `extend-exclude:`.
    fn excludes(&self, items: Vec<Text>) -> Result<Vec<ExcludeGlob>, ConfigError> {
        items
            .into_iter()
            .map(|t| {
                self.glob(t)
                    .map(|(glob, matcher)| ExcludeGlob { glob, matcher })
            })
            .collect()
    }

    fn text(&self, t: Text) -> Located<String> {
        Located {
            span: location_span(self.source, &t.referenced),
            value: t.value,
        }
    }

    /// A region of an `ses:` entry: a region name, or `*` for every region (the regions a
    /// stack deploys to included, when its own region is unknown).
    fn ses_region(&self, t: Text) -> Result<Located<String>, ConfigError> {
        if t.value == super::ANY_REGION {
            return Ok(self.text(t));
        }
        self.region(t)
    }

    fn region(&self, t: Text) -> Result<Located<String>, ConfigError> {
        let t = self.text(t);
        if super::is_region(&t.value) {
            return Ok(t);
        }
        let (src, span) = located(self.source, t.span);
        Err(Problem::new(
            "sandtrap::config::bad_region",
            format!("`{}` is not an AWS region", t.value),
            &src,
            span,
            "not a region",
        )
        .with_help("write a region code such as us-east-1 or ap-northeast-1")
        .into())
    }

    /// An unquoted account id is accepted: serde-saphyr hands a string field the scalar's exact
    /// text, so leading zeros survive (`012345678901` is not read as a number here).
    fn account(&self, t: Text) -> Result<Located<String>, ConfigError> {
        let t = self.text(t);
        if super::is_account(&t.value) {
            return Ok(t);
        }
        let (src, span) = located(self.source, t.span);
        Err(Problem::new(
            "sandtrap::config::bad_account",
            format!("`{}` is not a 12-digit AWS account id", t.value),
            &src,
            span,
            "not an account id",
        )
        .with_help("write the account id as a quoted string of 12 digits, e.g. \"012345678901\"")
        .into())
    }

    /// `aws.role-arn`: an IAM role ARN, its account written as `{account}` or as one account.
    fn role_arn(&self, t: Text) -> Result<Located<String>, ConfigError> {
        let t = self.text(t);
        if super::is_role_arn_template(&t.value) {
            return Ok(t);
        }
        let (src, span) = located(self.source, t.span);
        Err(Problem::new(
            "sandtrap::config::bad_role_arn",
            format!("`{}` is not an IAM role ARN", t.value),
            &src,
            span,
            "not a role ARN",
        )
        .with_help(
            "write `arn:aws:iam::{account}:role/NAME`: `{account}` stands for each account to read",
        )
        .into())
    }

    fn severity(&self, t: Text) -> Result<Located<Severity>, ConfigError> {
        let t = self.text(t);
        match Severity::parse(&t.value) {
            Some(value) => Ok(Located {
                value,
                span: t.span,
            }),
            None => {
                let (src, span) = located(self.source, t.span);
                Err(Problem::new(
                    "sandtrap::config::bad_severity",
                    format!("`{}` is not a severity", t.value),
                    &src,
                    span,
                    "not a severity",
                )
                .with_help("use one of: info, warning, error")
                .into())
            }
        }
    }

    fn glob(&self, t: Text) -> Result<(Located<String>, GlobMatcher), ConfigError> {
        let t = self.text(t);
        match compile_glob(&t.value) {
            Ok(matcher) => Ok((t, matcher)),
            Err(e) => {
                let (src, span) = located(self.source, t.span);
                Err(Problem::new(
                    "sandtrap::config::bad_glob",
                    format!("invalid glob `{}`: {}", t.value, e.kind()),
                    &src,
                    span,
                    "invalid glob",
                )
                .into())
            }
        }
    }
}

/// Globs follow gitignore habits: `*` stays within one path component, `**` crosses them.
pub(crate) fn compile_glob(glob: &str) -> Result<GlobMatcher, globset::Error> {
    let glob = glob.strip_prefix("./").unwrap_or(glob);
    Ok(GlobBuilder::new(glob)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}

/// The byte span of a serde-saphyr location; parse errors carry only line and column, which are
/// turned back into a byte offset through the file's line table.
fn location_span(source: &SourceFile, loc: &serde_saphyr::Location) -> Span {
    let text_len = source.text.len();
    let s = loc.span();
    if let (Some(offset), Some(len)) = (s.byte_offset(), s.byte_len()) {
        let start = usize::try_from(offset).unwrap_or(text_len).min(text_len);
        let end = usize::try_from(offset.saturating_add(len))
            .unwrap_or(text_len)
            .min(text_len);
        if source.text.is_char_boundary(start) && source.text.is_char_boundary(end) {
            return Span::new(start, end);
        }
    }
    let line = u32::try_from(loc.line()).unwrap_or(u32::MAX);
    let Some(line_start) = source.line_start(line) else {
        return Span::empty(text_len);
    };
    let rest = source.text.get(line_start as usize..).unwrap_or("");
    let column = usize::try_from(loc.column().saturating_sub(1)).unwrap_or(0);
    let offset = rest
        .char_indices()
        .take_while(|(_, c)| *c != '\n')
        .nth(column)
        .map_or_else(|| rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
    Span::empty(line_start as usize + offset)
}

/// serde-saphyr's message in the user's terms, without its location (the label shows that).
fn bare_message(error: &serde_saphyr::Error) -> String {
    crate::input::yaml_problem(error)
}

/// The error for text that is not a config file: its location and what kind of text it is,
/// never a quotation.
fn not_config(
    source: &SourceFile,
    shape: &Result<bool, serde_saphyr::Error>,
    error: &serde_saphyr::Error,
) -> ConfigError {
    let located = shape.as_ref().err().unwrap_or(error);
    let span = located
        .location()
        .map_or(Span::empty(0), |loc| location_span(source, &loc));
    let (at, problem) = crate::input::unquoted_yaml_problem(shape, error, "config keys");
    ConfigError::NotConfig {
        name: source.name.clone(),
        at,
        problem,
        span,
    }
}

fn from_yaml_error(source: &SourceFile, error: &serde_saphyr::Error) -> ConfigError {
    use serde_saphyr::Error as E;
    let span = error
        .location()
        .map_or(Span::empty(0), |loc| location_span(source, &loc));
    let (src, label) = located(source, span);
    match error {
        E::WithSnippet { error, .. } => from_yaml_error(source, error),
        E::SerdeUnknownField {
            field, expected, ..
        } => Problem::new(
            "sandtrap::config::unknown_key",
            format!("unknown key `{field}`"),
            &src,
            label,
            "not a config key here",
        )
        .with_help(format!("expected one of: {}", expected.join(", ")))
        .into(),
        E::DuplicateMappingKey { key, .. } => Problem::new(
            "sandtrap::config::duplicate_key",
            format!("duplicate key `{}`", key.as_deref().unwrap_or_default()),
            &src,
            label,
            "given a second time",
        )
        .into(),
        E::SerdeMissingField { field, .. } => Problem::new(
            "sandtrap::config::missing_key",
            format!("missing key `{field}`"),
            &src,
            label,
            format!("this entry needs `{field}`"),
        )
        .into(),
        E::SerdeInvalidType { .. }
        | E::SerdeInvalidValue { .. }
        | E::SerdeInvalidLength { .. }
        | E::SerdeUnknownVariant { .. }
        | E::Unexpected { .. }
        | E::NullIntoString { .. }
        | E::Message { .. } => Problem::new(
            "sandtrap::config::invalid_value",
            bare_message(error),
            &src,
            label,
            "here",
        )
        .into(),
        _ => Problem::new(
            "sandtrap::config::syntax",
            bare_message(error),
            &src,
            label,
            "here",
        )
        .into(),
    }
}

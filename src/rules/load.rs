//! Reading one rule file: YAML into a checked [`Rule`], or a [`RuleError`] at the offending key.

use std::path::PathBuf;
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};
use serde_saphyr::Spanned;

use super::raw::{self, Keys, RawCase, RawRule};
use super::{Case, Origin, RelatedSpec, Rule, RuleSource, Template};
use crate::diagnostic::Severity;
use crate::located::Located;

/// A rule file that cannot be used. The tool stops (exit 2): a rule that silently does nothing
/// is worse than no rule.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RuleError {
    #[error("cannot read rules from {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is not a rule file at all (not YAML, or not a mapping of rule keys): said with
    /// its location only, never quoted, since it may be anything a symbolic link points at.
    #[error("{name}{at}: not a rule file: {problem}")]
    #[diagnostic(
        help(
            "a rule file is a YAML mapping of {keys}; its text is not shown because it is not one",
            keys = rule_keys().join(", ")
        )
    )]
    NotRule {
        name: String,
        /// `:LINE:COLUMN`, when known.
        at: String,
        problem: String,
    },

    /// A problem at a place in the file: a key, a value, a query, a name.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(Box<Located>),

    /// Every problem of one rule file, so that one run shows them all.
    #[error("{} problems in rule file {name}", problems.len())]
    Several {
        name: String,
        #[related]
        problems: Vec<RuleError>,
    },
}

impl From<Located> for RuleError {
    fn from(located: Located) -> Self {
        RuleError::Located(Box::new(located))
    }
}

impl RuleError {
    /// The located problem, for every error that has a place in the file.
    pub fn located(&self) -> Option<&Located> {
        match self {
            RuleError::Located(located) => Some(located),
            _ => None,
        }
    }
}

/// The top-level keys of [`RawRule`], from its schema.
fn rule_keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| crate::located::schema_keys(&schema()))
}

/// The JSON schema of a rule file (`rules/*.yaml`, `--rules DIR`), from the types of `raw.rs`.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RawRule)).unwrap_or_default()
}

/// Reads one rule from the text of its file; `name` is how errors name the file. Its queries,
/// span names and placeholders are checked against the facts schema.
pub fn parse_rule(text: &str, name: &str, source: RuleSource) -> Result<Rule, RuleError> {
    parse(text, name, source, true)
}

/// [`parse_rule`] without the facts schema: the evaluation engine's own tests run rules over
/// made-up documents.
#[cfg(test)]
pub(crate) fn parse_rule_unchecked(
    text: &str,
    name: &str,
    source: RuleSource,
) -> Result<Rule, RuleError> {
    parse(text, name, source, false)
}

fn parse(text: &str, name: &str, source: RuleSource, schema: bool) -> Result<Rule, RuleError> {
    let src = Arc::new(NamedSource::new(name, text.to_owned()).with_language("yaml"));
    let checker = Checker { text, src, schema };
    let raw: RawRule =
        serde_saphyr::from_str(text).map_err(|e| {
            match crate::input::yaml_shape(text, &crate::located::strs(rule_keys())) {
                Ok(true) => checker.yaml_error(&e),
                shape => {
                    let (at, problem) =
                        crate::input::unquoted_yaml_problem(&shape, &e, "rule keys");
                    RuleError::NotRule {
                        name: name.to_owned(),
                        at,
                        problem,
                    }
                }
            }
        })?;
    checker.rule(raw, source)
}

struct Checker<'a> {
    text: &'a str,
    src: Arc<NamedSource<String>>,
    /// Check names against the facts schema.
    schema: bool,
}

impl Checker<'_> {
    fn rule(&self, raw: RawRule, source: RuleSource) -> Result<Rule, RuleError> {
        if let Some(problem) = raw::code_problem(&raw.code.value) {
            return Err(self.invalid("code", problem, &raw.code));
        }
        if let Some(problem) = raw::name_problem(&raw.name.value) {
            return Err(self.invalid("name", problem, &raw.name));
        }
        if let Some(problem) = raw::summary_problem(&raw.summary.value) {
            return Err(self.invalid("summary", problem, &raw.summary));
        }
        let summary = raw.summary.value.trim();
        // Built-in rules the framework reports itself (ST001) have no cases; a user's rule
        // without cases could never fire.
        if raw.cases.value.is_empty() && !matches!(source, RuleSource::Builtin) {
            return Err(self.invalid("cases", "a rule needs at least one case", &raw.cases));
        }
        let severity = self.severity(&raw.severity)?;
        let filter = raw
            .filter
            .as_ref()
            .map(|text| self.filter(text))
            .transpose()?;
        let (filter, filter_query) = filter.unzip();
        let mut cases = Vec::new();
        let mut problems = Vec::new();
        let mut objects = Vec::new();
        for case in raw.cases.value {
            match self.case(case) {
                Ok((case, object)) => {
                    cases.push(case);
                    objects.extend(object);
                }
                Err(mut errors) => problems.append(&mut errors),
            }
        }
        if let (Some(compiled), Some(text)) = (&filter_query, &raw.filter) {
            // Checked against each kind of object the cases match, each unknown name once.
            let mut unknown = Vec::new();
            for object in objects {
                super::schema::check_filter(object, compiled, &mut unknown);
            }
            let mut seen = std::collections::HashSet::new();
            unknown.retain(|u| seen.insert(u.path.clone()));
            let mut cursor = 0;
            for name in unknown {
                let span = self.member_span(text, &name.name, &mut cursor);
                problems.push(self.unknown_fact("member", "where", &name, span));
            }
        }
        if problems.len() == 1 {
            return Err(problems.remove(0));
        }
        if !problems.is_empty() {
            return Err(RuleError::Several {
                name: self.src.name().to_owned(),
                problems,
            });
        }
        Ok(Rule {
            origin: Some(Origin {
                source: Arc::clone(&self.src),
                code_span: self.span(&raw.code),
                name_span: self.span(&raw.name),
            }),
            code: raw.code.value,
            name: raw.name.value,
            severity,
            // `explain`, `rules`, SARIF, the HTML report and hover print these as they are.
            summary: crate::printable::escape(summary).into_owned(),
            docs: crate::printable::escape_lines(&raw.docs.unwrap_or_default()).into_owned(),
            filter,
            cases,
            source,
        })
    }

    /// One case, or every problem it has: syntax first (a query or template that does not
    /// parse is not checked further), then every name the facts document does not have.
    /// With the case, the schema of the objects it matches, when the query makes that clear.
    fn case(
        &self,
        raw: RawCase,
    ) -> Result<(Case, Option<&'static serde_json::Value>), Vec<RuleError>> {
        let (case, compiled) = self.case_syntax(&raw).map_err(|error| vec![error])?;
        if !self.schema {
            return Ok((case, None));
        }
        let mut problems = Vec::new();
        let mut unknown = Vec::new();
        let object = super::schema::check_query(&compiled, &mut unknown);
        let mut cursor = 0;
        for name in unknown {
            let span = match name.allowed {
                Some(_) => self.member_span(&raw.query, &name.name, &mut 0),
                None => self.member_span(&raw.query, &name.name, &mut cursor),
            };
            problems.push(self.unknown_fact("member", "query", &name, span));
        }
        if let Some(object) = object {
            let spans = std::iter::once(("at", &raw.at))
                .chain(raw.related.iter().map(|r| ("related.at", &r.at)));
            for (key, keys) in spans {
                for name in &keys.value.0 {
                    if let Some(unknown) = super::schema::check_span(object, name) {
                        let span = self.find_after(self.span(keys), name);
                        problems.push(self.unknown_fact("span", key, &unknown, span));
                    }
                }
            }
            let templates = [
                ("message", Some(&raw.message)),
                ("label", raw.label.as_ref()),
                ("help", raw.help.as_ref()),
                ("note", raw.note.as_ref()),
            ]
            .into_iter()
            .chain(
                raw.related
                    .iter()
                    .map(|r| ("related.message", Some(&r.message))),
            );
            for (key, text) in templates {
                let Some(text) = text else { continue };
                let Ok(template) = Template::parse(&text.value) else {
                    continue;
                };
                for placeholder in template.placeholders() {
                    let path: Vec<&str> = placeholder.split('.').collect();
                    if let Some(unknown) = super::schema::check_path(object, &path) {
                        let span = self.find_within(self.span(text), &format!("{{{placeholder}}}"));
                        problems.push(self.unknown_fact("placeholder", key, &unknown, span));
                    }
                }
            }
        }
        match problems.is_empty() {
            true => Ok((case, object)),
            false => Err(problems),
        }
    }

    /// `where:`, a filter expression as inside `[?...]`, with the query it is parsed as.
    fn filter(
        &self,
        raw: &Spanned<String>,
    ) -> Result<(super::RuleFilter, jsonpath_rust::parser::model::JpQuery), RuleError> {
        let text = raw.value.trim();
        let compiled =
            jsonpath_rust::parser::parse_json_path(&format!("$[?{text}]")).map_err(|error| {
                let message = format!(
                    "`where` is a filter expression on `@`, as inside `[?...]`: {}",
                    error
                        .to_string()
                        .lines()
                        .rev()
                        .find_map(|line| line.trim().strip_prefix("= "))
                        .unwrap_or("it does not parse")
                );
                query_error(&self.src, &message, self.span(raw))
            })?;
        let runnable = self.runnable(raw, &compiled)?;
        let filter = super::RuleFilter {
            text: text.to_owned(),
            plan: super::plan::Plan::filter(&compiled),
            engine: super::Engine::compiled(runnable),
        };
        Ok((filter, compiled))
    }

    /// The query with its `match()`/`search()` patterns checked and compiled: a pattern that
    /// cannot be used is an error located at it (a rule that silently never fires is worse
    /// than none).
    fn runnable(
        &self,
        raw: &Spanned<String>,
        compiled: &jsonpath_rust::parser::model::JpQuery,
    ) -> Result<super::patterns::Runnable, RuleError> {
        super::patterns::Runnable::new(compiled).map_err(|error| {
            let whole = self.span(raw);
            // As written: a `\` of the pattern is `\\` in the query's string, and may be
            // doubled again by YAML's quotes.
            let at = (error.pattern.as_deref())
                .and_then(|pattern| {
                    let escaped = pattern.replace('\\', "\\\\");
                    let twice = escaped.replace('\\', "\\\\");
                    [pattern, &escaped, &twice]
                        .into_iter()
                        .find_map(|written| self.find_within(whole, written))
                })
                .unwrap_or(whole);
            Located::new(
                "sandtrap::rules::pattern",
                error.message,
                &self.src,
                at,
                "here",
            )
            .with_help(
                "patterns are I-Regexps (RFC 9485) written as string literals, e.g. \
                 `match(@.from, '.*@example\\.com')`",
            )
            .into()
        })
    }

    /// A case, with its query as parsed.
    fn case_syntax(
        &self,
        raw: &RawCase,
    ) -> Result<(Case, jsonpath_rust::parser::model::JpQuery), RuleError> {
        let compiled = jsonpath_rust::parser::parse_json_path(&raw.query.value)
            .map_err(|error| self.query_error(&raw.query, &error.to_string()))?;
        let runnable = self.runnable(&raw.query, &compiled)?;
        let severity = raw
            .severity
            .as_ref()
            .map(|severity| self.severity(severity))
            .transpose()?;
        let optional = |key, field: &Option<Spanned<String>>| {
            field
                .as_ref()
                .map(|text| self.template(key, text))
                .transpose()
        };
        let related = raw
            .related
            .iter()
            .map(|related| {
                Ok(RelatedSpec {
                    at: self.keys(&related.at)?,
                    message: self.template("related.message", &related.message)?,
                })
            })
            .collect::<Result<Vec<_>, RuleError>>()?;
        let plan = super::plan::Plan::of(&compiled);
        let case = Case {
            local: match plan {
                Some(_) => None,
                None => super::evaluate::Local::of(&compiled),
            },
            plan,
            engine: super::Engine::compiled(runnable),
            severity,
            at: self.keys(&raw.at)?,
            message: self.template("message", &raw.message)?,
            label: optional("label", &raw.label)?,
            help: optional("help", &raw.help)?,
            note: optional("note", &raw.note)?,
            related,
            query: raw.query.value.clone(),
        };
        Ok((case, compiled))
    }

    fn unknown_fact(
        &self,
        what: &'static str,
        key: &'static str,
        unknown: &super::schema::Unknown,
        span: Option<SourceSpan>,
    ) -> RuleError {
        if let Some(allowed) = &unknown.allowed {
            let values: Vec<String> = allowed.iter().map(|v| format!("`{v}`")).collect();
            let of = format!("`{}` is one of {}", unknown.path, values.join(", "));
            return Located::new(
                "sandtrap::rules::unknown_value",
                format!(
                    "`{}` is not a value of `{}` in `{key}`",
                    unknown.name, unknown.path
                ),
                &self.src,
                span.unwrap_or(SourceSpan::new(0.into(), 0)),
                "never equal: the case could not match",
            )
            .with_help(match &unknown.suggestion {
                Some(fix) => format!("did you mean `{fix}`? {of}"),
                None => of,
            })
            .into();
        }
        Located::new(
            "sandtrap::rules::unknown_fact",
            format!("unknown {what} `{}` in `{key}`", unknown.path),
            &self.src,
            span.unwrap_or(SourceSpan::new(0.into(), 0)),
            "not in the facts document",
        )
        .with_help(match &unknown.suggestion {
            Some(fix) => format!("did you mean `{fix}`?"),
            None => "`sandtrap facts --schema` lists every field of the facts document".to_owned(),
        })
        .into()
    }

    /// Where the member `name` is written in the query at `query`, searching from `cursor` on
    /// (the walk reports unknown members left to right) as `.name`, `['name']` or `["name"]`.
    fn member_span(
        &self,
        query: &Spanned<String>,
        name: &str,
        cursor: &mut usize,
    ) -> Option<SourceSpan> {
        let whole = self.span(query);
        let written = self.find_within(whole, &query.value)?;
        let text = &query.value;
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let mut from = *cursor;
        while let Some(found) = text.get(from..).and_then(|rest| rest.find(name)) {
            let at = from + found;
            let end = at + name.len();
            let before = text.get(..at).and_then(|t| t.chars().next_back());
            let after = text.get(end..).and_then(|t| t.chars().next());
            if matches!(before, Some('.' | '\'' | '"')) && boundary(after) {
                *cursor = end;
                return Some(SourceSpan::new((written.offset() + at).into(), name.len()));
            }
            from = end;
        }
        None
    }

    /// jsonpath-rust reports syntax errors in pest's layout (` --> line:col`, the query, a caret,
    /// `= expected ...`): keep the `expected` line as the message and put the label on the very
    /// character, when the query is written verbatim in the file.
    fn query_error(&self, query: &Spanned<String>, message: &str) -> RuleError {
        let whole = self.span(query);
        let expected = message
            .lines()
            .rev()
            .find_map(|line| line.trim().strip_prefix("= "))
            .map(str::to_owned);
        let position = message
            .split_once("--> ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|place| place.split_once(':'))
            .and_then(|(line, column)| {
                Some((line.parse::<usize>().ok()?, column.parse::<usize>().ok()?))
            });
        let culprit = position.and_then(|(line, column)| {
            let written = self.find_within(whole, &query.value)?;
            let line_start: usize = query
                .value
                .split_inclusive('\n')
                .take(line.checked_sub(1)?)
                .map(str::len)
                .sum();
            let rest = query.value.get(line_start..)?;
            let at = rest
                .char_indices()
                .nth(column.checked_sub(1)?)
                .map_or(rest.len(), |(at, _)| at);
            let width = rest.get(at..)?.chars().next().map_or(0, char::len_utf8);
            Some(SourceSpan::new(
                (written.offset() + line_start + at).into(),
                width,
            ))
        });
        query_error(
            &self.src,
            &expected.unwrap_or_else(|| message.to_owned()),
            culprit.unwrap_or(whole),
        )
    }

    fn severity(&self, raw: &Spanned<String>) -> Result<Severity, RuleError> {
        Severity::parse(&raw.value).ok_or_else(|| {
            Located::new(
                "sandtrap::rules::severity",
                format!("invalid severity `{}`", raw.value),
                &self.src,
                self.span(raw),
                "not a severity",
            )
            .with_help("use one of: info, warning, error")
            .into()
        })
    }

    fn keys(&self, raw: &Spanned<Keys>) -> Result<Vec<String>, RuleError> {
        let keys = &raw.value.0;
        if keys.is_empty() || keys.iter().any(|key| key.trim().is_empty()) {
            return Err(self.invalid("at", "name at least one span key", raw));
        }
        Ok(keys.clone())
    }

    fn template(&self, key: &'static str, raw: &Spanned<String>) -> Result<Template, RuleError> {
        Template::parse(&raw.value).map_err(|error| {
            let whole = self.span(raw);
            let culprit = raw
                .value
                .get(error.start..error.end)
                .and_then(|fragment| self.find_within(whole, fragment))
                .unwrap_or(whole);
            Located::new(
                "sandtrap::rules::placeholder",
                format!("broken placeholder in `{key}`: {}", error.message),
                &self.src,
                culprit,
                "here",
            )
            .with_help("placeholders are dotted paths into the matched object, like `{ses.region}`")
            .into()
        })
    }

    /// Where `fragment` sits inside the scalar at `whole`, when it was written there verbatim
    /// (quoting or folding can make the value differ from its text).
    fn find_within(&self, whole: SourceSpan, fragment: &str) -> Option<SourceSpan> {
        if fragment.is_empty() {
            return None;
        }
        let start = whole.offset();
        let text = self.text.get(start..start + whole.len())?;
        let at = text.find(fragment)?;
        Some(SourceSpan::new((start + at).into(), fragment.len()))
    }

    /// Where `name` is first written at or after `whole` on its line or the lines below it: a
    /// sequence's own span may cover only its opening.
    fn find_after(&self, whole: SourceSpan, name: &str) -> Option<SourceSpan> {
        let start = whole.offset();
        let rest = self.text.get(start..)?;
        let found = rest.match_indices(name).find(|(at, _)| {
            let before = rest.get(..*at).and_then(|t| t.chars().next_back());
            let after = rest.get(at + name.len()..).and_then(|t| t.chars().next());
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })?;
        Some(SourceSpan::new((start + found.0).into(), name.len()))
    }

    fn invalid<T>(&self, key: &'static str, message: &str, at: &Spanned<T>) -> RuleError {
        Located::new(
            "sandtrap::rules::invalid",
            format!("invalid `{key}`: {message}"),
            &self.src,
            self.span(at),
            message,
        )
        .into()
    }

    fn span<T>(&self, spanned: &Spanned<T>) -> SourceSpan {
        self.location_span(&spanned.referenced)
            .unwrap_or_else(|| SourceSpan::new(0.into(), 0))
    }

    fn location_span(&self, location: &serde_saphyr::Location) -> Option<SourceSpan> {
        let span = location.span();
        let start = usize::try_from(span.byte_offset()?).ok()?;
        let len = usize::try_from(span.byte_len()?).ok()?;
        let end = start.checked_add(len)?.min(self.text.len());
        Some(SourceSpan::new(start.min(end).into(), end - start.min(end)))
    }

    fn yaml_error(&self, error: &serde_saphyr::Error) -> RuleError {
        let error = error.without_snippet();
        let span = error
            .location()
            .and_then(|location| self.location_span(&location));
        let src = Arc::clone(&self.src);
        match error {
            serde_saphyr::Error::SerdeUnknownField {
                field, expected, ..
            } => Located::new(
                "sandtrap::rules::unknown_key",
                format!("unknown key `{field}` in rule file"),
                &src,
                span,
                "unknown key",
            )
            .with_help(format!("expected one of: {}", expected.join(", ")))
            .into(),
            serde_saphyr::Error::SerdeMissingField { field, .. } => Located::new(
                "sandtrap::rules::missing_key",
                format!("missing key `{field}` in rule file"),
                &src,
                span,
                format!("`{field}` is missing from this mapping"),
            )
            .into(),
            other => Located::new(
                "sandtrap::rules::syntax",
                crate::input::yaml_problem(other),
                &src,
                span,
                "here",
            )
            .into(),
        }
    }
}

fn query_error(src: &Arc<NamedSource<String>>, message: &str, span: SourceSpan) -> RuleError {
    Located::new(
        "sandtrap::rules::query",
        format!("invalid JSONPath query: {message}"),
        src,
        span,
        "here",
    )
    .with_help("queries follow RFC 9535, e.g. `$.senders[?@.ses.state == 'sandbox']`")
    .into()
}

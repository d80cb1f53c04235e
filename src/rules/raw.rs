//! A rule file as written: the serde types of its keys, and the checks of single values that
//! need nothing but the text (a code's shape, a kebab-case name, a one-line summary).
//!
//! This file is also compiled into the build script, which reads the built-in rules with it
//! (`build.rs`); the JSON schema of the format (`rules::schema`) is derived only in the library
//! (`--cfg sandtrap_schema`, set by the build script for the library alone).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A rule: metadata, documentation and cases, each a JSONPath query over the facts document
/// (`sandtrap facts --schema`).
#[derive(Deserialize)]
#[cfg_attr(sandtrap_schema, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(sandtrap_schema, schemars(title = "sandtrap rule"))]
pub struct RawRule {
    /// Stable identifier, upper-case letters followed by digits (`ST201`, `ACME001`), unique
    /// across all loaded rules and never reused.
    #[cfg_attr(sandtrap_schema, schemars(with = "String"))]
    pub code: Spanned<String>,
    /// Kebab-case name of the bad pattern (`from-not-covered`), unique across all loaded rules;
    /// `--select`, `--ignore`, suppressions and `sandtrap explain` accept it as well as the code.
    #[cfg_attr(sandtrap_schema, schemars(with = "String"))]
    pub name: Spanned<String>,
    /// The default severity of the rule's diagnostics: `info`, `warning` or `error`.
    /// Configuration can override it.
    #[cfg_attr(sandtrap_schema, schemars(with = "String"))]
    pub severity: Spanned<String>,
    /// One line: what the rule flags.
    #[cfg_attr(sandtrap_schema, schemars(with = "String"))]
    pub summary: Spanned<String>,
    /// Markdown documentation (required for built-in rules): `## What it does`, `## Why is this
    /// bad?`, `## Example`, `## Use instead`, `## References`.
    #[serde(default)]
    pub docs: Option<String>,
    /// A filter expression on `@`, as inside `[?...]`, that every object a case matches must
    /// also satisfy: the conditions all cases share, written once.
    #[serde(default, rename = "where")]
    #[cfg_attr(sandtrap_schema, schemars(with = "Option<String>"))]
    pub filter: Option<Spanned<String>>,
    /// A non-empty list of cases, tried in order: an object is reported once per rule, by the
    /// first case that matches it.
    #[cfg_attr(sandtrap_schema, schemars(with = "Vec<RawCase>"))]
    pub cases: Spanned<Vec<RawCase>>,
}

/// One JSONPath query and what to report for each object it matches.
#[derive(Deserialize)]
#[cfg_attr(sandtrap_schema, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// A JSONPath query (RFC 9535) over the facts document that selects objects (not strings or
    /// numbers): `$.senders[?@.uses_ses == true]`.
    #[cfg_attr(sandtrap_schema, schemars(with = "String"))]
    pub query: Spanned<String>,
    /// This case's severity; defaults to the rule's `severity`.
    #[serde(default)]
    #[cfg_attr(sandtrap_schema, schemars(with = "Option<String>"))]
    pub severity: Option<Spanned<String>>,
    /// A span key, or a list of span keys tried in order: the diagnostic points at the first one
    /// found in the matched object's `spans`.
    #[cfg_attr(sandtrap_schema, schemars(with = "Keys"))]
    pub at: Spanned<Keys>,
    /// The diagnostic message (template: `{field.path}` placeholders of the matched object).
    #[cfg_attr(sandtrap_schema, schemars(with = "String"))]
    pub message: Spanned<String>,
    /// The text under the caret (template). Without it, the message is shown there.
    #[serde(default)]
    #[cfg_attr(sandtrap_schema, schemars(with = "Option<String>"))]
    pub label: Option<Spanned<String>>,
    /// What to do about it (template).
    #[serde(default)]
    #[cfg_attr(sandtrap_schema, schemars(with = "Option<String>"))]
    pub help: Option<Spanned<String>>,
    /// Extra context (template). The matched object's own `note` (its CDK construct path, the
    /// conditions it assumes, why its region is unknown) is added to every diagnostic by
    /// sandtrap; this one follows it.
    #[serde(default)]
    #[cfg_attr(sandtrap_schema, schemars(with = "Option<String>"))]
    pub note: Option<Spanned<String>>,
    /// Secondary locations. An entry whose span keys are all absent is left out.
    #[serde(default)]
    pub related: Vec<RawRelated>,
}

/// A secondary location of a diagnostic.
#[derive(Deserialize)]
#[cfg_attr(sandtrap_schema, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawRelated {
    /// A span key, or a list of them tried in order.
    #[cfg_attr(sandtrap_schema, schemars(with = "Keys"))]
    pub at: Spanned<Keys>,
    /// What is there (template).
    #[cfg_attr(sandtrap_schema, schemars(with = "String"))]
    pub message: Spanned<String>,
}

/// `at: key` or `at: [key, fallback]`.
pub struct Keys(pub Vec<String>);

#[cfg(sandtrap_schema)]
impl schemars::JsonSchema for Keys {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SpanNames".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A span name, or a list of them.",
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        })
    }
}

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;

        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = Keys;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a span key or a list of span keys")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Keys, E> {
                Ok(Keys(vec![value.to_owned()]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<String>()? {
                    keys.push(key);
                }
                Ok(Keys(keys))
            }
        }

        deserializer.deserialize_any(KeysVisitor)
    }
}

/// Why a code is not `LETTERS` then `DIGITS` (upper-case), if it is not.
pub fn code_problem(code: &str) -> Option<&'static str> {
    let letters = code.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = code.len() - letters.len();
    let ok = !letters.is_empty() && digits > 0 && letters.chars().all(|c| c.is_ascii_uppercase());
    (!ok).then_some("a code is upper-case letters then digits, like `ST201`")
}

/// Why a name is not kebab-case, if it is not.
pub fn name_problem(name: &str) -> Option<&'static str> {
    let ok = !name.is_empty()
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    (!ok).then_some("a name is kebab-case, like `missing-source-arn`")
}

/// Why a summary is not one non-empty line, if it is not.
pub fn summary_problem(summary: &str) -> Option<&'static str> {
    let summary = summary.trim();
    (summary.is_empty() || summary.contains('\n')).then_some("a summary is one non-empty line")
}

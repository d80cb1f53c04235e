//! One located error for the settings files sandtrap reads besides templates (`.sandtrap.yaml`
//! and rule files): what is wrong, the file's text, the span with its label, and a help. Config
//! and rule-file errors are both this one miette type, so they render alike and anything that
//! places an error (the language server) reads one shape.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode, SourceSpan};

/// A problem at a place in a settings file.
#[derive(Clone, Debug)]
pub struct Located {
    code: &'static str,
    message: String,
    src: Arc<NamedSource<String>>,
    span: Option<SourceSpan>,
    label: String,
    help: Option<String>,
}

impl Located {
    /// `code` is the diagnostic code (`sandtrap::config::unknown_key`); `label` is shown at
    /// `span`, when there is one.
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        src: &Arc<NamedSource<String>>,
        span: impl Into<Option<SourceSpan>>,
        label: impl Into<String>,
    ) -> Self {
        Self {
            code,
            message: message.into(),
            src: Arc::clone(src),
            span: span.into(),
            label: label.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic code, which says what kind of problem it is.
    pub fn kind(&self) -> &'static str {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    pub fn span(&self) -> Option<SourceSpan> {
        self.span
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Located {}

/// The code says what kind of problem it is to a program ([`Located::kind`]); a person reads the
/// sentence, so miette is not given it to print.
impl miette::Diagnostic for Located {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.src.as_ref())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            span,
        ))))
    }
}

/// The top-level keys a settings file's schema allows, in the order they are declared: the
/// "expected one of" lists of config and rule-file errors.
pub fn schema_keys(schema: &serde_json::Value) -> Vec<String> {
    schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

/// Borrowed views of `keys`.
pub fn strs(keys: &[String]) -> Vec<&str> {
    keys.iter().map(String::as_str).collect()
}

//! Config errors, each located at the offending key or value so it renders like a finding.

use std::path::PathBuf;
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

use crate::source::{SourceFile, Span};

/// Why `.sandtrap.yaml` could not be used. [`ConfigError::Located`] carries the file's text and
/// the span of the offending key or value, in the type rule-file errors use too.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read config file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is not a config file at all (not YAML, or not a mapping of config keys): said
    /// with its location only, never quoted, since it may be anything a symbolic link or a
    /// mistake points at.
    #[error("{name}{at}: not a sandtrap config file: {problem}")]
    #[diagnostic(
        help(
            "a config file is a YAML mapping of {keys}; its text is not shown because it is not one",
            keys = super::raw::config_keys().join(", ")
        )
    )]
    NotConfig {
        name: String,
        /// `:LINE:COLUMN`, when known.
        at: String,
        problem: String,
        span: Span,
    },

    /// A problem at a key or a value of the file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(Box<crate::located::Located>),
}

impl From<crate::located::Located> for ConfigError {
    fn from(located: crate::located::Located) -> Self {
        ConfigError::Located(Box::new(located))
    }
}

impl ConfigError {
    /// The byte span the error points at, when it has one.
    pub fn span(&self) -> Option<Span> {
        let span = match self {
            ConfigError::Read { .. } => return None,
            ConfigError::NotConfig { span, .. } => return Some(*span),
            ConfigError::Located(located) => located.span()?,
        };
        Some(Span::new(span.offset(), span.offset() + span.len()))
    }

    /// The located problem, for every error at a key or value of the file.
    pub fn located(&self) -> Option<&crate::located::Located> {
        match self {
            ConfigError::Located(located) => Some(located),
            _ => None,
        }
    }
}

/// The pieces every located variant needs, built from the config's [`SourceFile`]; the text an
/// error quotes has its parameter values masked ([`super::mask`]).
pub(crate) fn located(source: &SourceFile, span: Span) -> (Arc<NamedSource<String>>, SourceSpan) {
    let text = super::mask::params(&source.text).into_owned();
    let src = NamedSource::new(source.name.clone(), text).with_language("yaml");
    (
        Arc::new(src),
        SourceSpan::new((span.start as usize).into(), span.len()),
    )
}

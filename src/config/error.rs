//! Config errors, each located at the offending key or value so it renders like a finding.

use std::path::PathBuf;
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

use crate::source::{SourceFile, Span};

/// Why `.sandtrap.yaml` could not be used. Every variant but [`ConfigError::Read`] carries the
/// file's text and the span of the offending key or value.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read config file {}", path.display())]
    #[diagnostic(code(sandtrap::config::read))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{message}")]
    #[diagnostic(code(sandtrap::config::syntax))]
    Syntax {
        message: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("here")]
        span: SourceSpan,
    },

    /// The file is not a config file at all (not YAML, or not a mapping of config keys): said
    /// with its location only, never quoted, since it may be anything a symbolic link or a
    /// mistake points at.
    #[error("{name}{at}: not a sandtrap config file: {problem}")]
    #[diagnostic(
        code(sandtrap::config::not_config),
        help(
            "a config file is a YAML mapping of {keys}; its text is not shown because it is not one",
            keys = super::raw::CONFIG_KEYS.join(", ")
        )
    )]
    NotConfig {
        name: String,
        /// `:LINE:COLUMN`, when known.
        at: String,
        problem: String,
        span: Span,
    },

    #[error("unknown key `{key}`")]
    #[diagnostic(
        code(sandtrap::config::unknown_key),
        help("expected one of: {expected}")
    )]
    UnknownKey {
        key: String,
        expected: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("not a config key here")]
        span: SourceSpan,
    },

    #[error("duplicate key `{key}`")]
    #[diagnostic(code(sandtrap::config::duplicate_key))]
    DuplicateKey {
        key: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("given a second time")]
        span: SourceSpan,
    },

    #[error("missing key `{key}`")]
    #[diagnostic(code(sandtrap::config::missing_key))]
    MissingKey {
        key: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("this entry needs `{key}`")]
        span: SourceSpan,
    },

    #[error("{message}")]
    #[diagnostic(code(sandtrap::config::invalid_value))]
    InvalidValue {
        message: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("`{value}` is not an AWS region")]
    #[diagnostic(
        code(sandtrap::config::bad_region),
        help("write a region code such as us-east-1 or ap-northeast-1")
    )]
    BadRegion {
        value: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("not a region")]
        span: SourceSpan,
    },

    #[error("`{value}` is not a 12-digit AWS account id")]
    #[diagnostic(
        code(sandtrap::config::bad_account),
        help("write the account id as a quoted string of 12 digits, e.g. \"012345678901\"")
    )]
    BadAccount {
        value: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("not an account id")]
        span: SourceSpan,
    },

    #[error("`{value}` is not an IAM role ARN")]
    #[diagnostic(
        code(sandtrap::config::bad_role_arn),
        help(
            "write `arn:aws:iam::{{account}}:role/NAME`: `{{account}}` stands for each account to read"
        )
    )]
    BadRoleArn {
        value: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("not a role ARN")]
        span: SourceSpan,
    },

    #[error("`{value}` is not a severity")]
    #[diagnostic(
        code(sandtrap::config::bad_severity),
        help("use one of: info, warning, error")
    )]
    BadSeverity {
        value: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("not a severity")]
        span: SourceSpan,
    },

    #[error("unknown rule selector `{selector}` in `{key}`")]
    #[diagnostic(code(sandtrap::config::unknown_selector), help("{help}"))]
    UnknownSelector {
        selector: String,
        key: &'static str,
        help: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("names no rule")]
        span: SourceSpan,
    },

    #[error("invalid glob `{glob}`: {message}")]
    #[diagnostic(code(sandtrap::config::bad_glob))]
    BadGlob {
        glob: String,
        message: String,
        #[source_code]
        src: Arc<NamedSource<String>>,
        #[label("invalid glob")]
        span: SourceSpan,
    },
}

impl ConfigError {
    /// The byte span the error points at, when it has one.
    pub fn span(&self) -> Option<Span> {
        let span = match self {
            ConfigError::Read { .. } => return None,
            ConfigError::NotConfig { span, .. } => return Some(*span),
            ConfigError::Syntax { span, .. }
            | ConfigError::UnknownKey { span, .. }
            | ConfigError::DuplicateKey { span, .. }
            | ConfigError::MissingKey { span, .. }
            | ConfigError::InvalidValue { span, .. }
            | ConfigError::BadRegion { span, .. }
            | ConfigError::BadAccount { span, .. }
            | ConfigError::BadRoleArn { span, .. }
            | ConfigError::BadSeverity { span, .. }
            | ConfigError::UnknownSelector { span, .. }
            | ConfigError::BadGlob { span, .. } => span,
        };
        Some(Span::new(span.offset(), span.offset() + span.len()))
    }
}

/// The pieces every located variant needs, built from the config's [`SourceFile`].
pub(crate) fn located(source: &SourceFile, span: Span) -> (Arc<NamedSource<String>>, SourceSpan) {
    let src = NamedSource::new(source.name.clone(), source.text.to_string()).with_language("yaml");
    (
        Arc::new(src),
        SourceSpan::new((span.start as usize).into(), span.len()),
    )
}

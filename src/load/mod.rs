//! Bytes to a [`Document`] with spans: YAML and JSON give the same tree.
//!
//! A load never panics and never stops at the first problem it can recover from: the result holds
//! the tree (when one could be built) and every problem found, each with a location.

pub mod dump;
pub mod json;
pub mod yaml;

use crate::source::Span;
use crate::tree::Document;

/// What the bytes are expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    /// By extension: `.json` is JSON; `.yaml`, `.yml`, `.template` and anything else YAML (a JSON
    /// document is also valid YAML 1.2, but CloudFormation reads `.template` files either way,
    /// so those are sniffed by their first non-blank character).
    pub fn guess(path: &str, text: &str) -> Self {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".json") {
            return Format::Json;
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Format::Yaml;
        }
        let first = text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next();
        if first == Some('{') {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// Why a file could not be read as it should.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    Syntax,
    DuplicateKey,
    Alias,
    Encoding,
    TooDeep,
    TooLarge,
    /// A CDK cloud assembly manifest names something that is missing or out of bounds (a stack
    /// template that does not exist, a nested assembly outside the assembly's directory).
    Assembly,
}

/// One located load problem (rendered as `ST001`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadProblem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    /// A secondary location, e.g. the first occurrence of a duplicate key.
    pub related: Option<(Span, String)>,
}

/// The outcome of a load: a tree when one could be built, plus every problem found.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub document: Option<Document>,
    pub problems: Vec<LoadProblem>,
}

/// Loads `text` as `format`.
pub fn load(text: &str, format: Format) -> Loaded {
    match format {
        Format::Yaml => yaml::load(text),
        Format::Json => json::load(text),
    }
}

/// Bytes to text. Templates are UTF-8 (a BOM is kept in the text and tolerated by the loaders, so
/// spans stay byte offsets into the file as it is on disk). Anything else is a located problem;
/// the returned text is then a lossy rendering that is exact up to the problem's offset.
pub fn decode(bytes: &[u8]) -> (String, Option<LoadProblem>) {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return (
            String::new(),
            Some(LoadProblem {
                kind: ProblemKind::Encoding,
                span: Span::new(0, 0),
                message: "file is UTF-16 encoded; CloudFormation templates must be UTF-8".into(),
                related: None,
            }),
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), None),
        Err(err) => {
            let at = err.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let problem = LoadProblem {
                kind: ProblemKind::Encoding,
                span: Span::new(at, (at + 1).min(text.len())),
                message: format!(
                    "invalid UTF-8 at byte {at}; CloudFormation templates must be UTF-8"
                ),
                related: None,
            };
            (text, Some(problem))
        }
    }
}

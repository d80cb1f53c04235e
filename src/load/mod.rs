//! Bytes to a [`Document`] with spans: YAML and JSON give the same tree.
//!
//! A load never panics and never stops at the first problem it can recover from: the result holds
//! the tree (when one could be built) and every problem found, each with a location.

pub mod dump;
pub mod json;
pub mod yaml;

use std::collections::HashMap;

use crate::source::Span;
use crate::tree::{Document, Entry};

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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProblemKind {
    Syntax,
    DuplicateKey,
    Alias,
    Encoding,
    TooDeep,
    TooLarge,
    /// A second YAML document (`---`): CloudFormation reads one document per template.
    MultiDocument,
    /// The file could not be read (permissions, not a regular file, I/O error).
    Unreadable,
    /// A CDK cloud assembly manifest names something that is missing or out of bounds (a stack
    /// template that does not exist, a nested assembly outside the assembly's directory).
    Assembly,
    /// Something CloudFormation rejects at deploy although it parses (a `Fn::ForEach` without
    /// `Transform: AWS::LanguageExtensions`): reported as `ST001`.
    Rejected,
    /// Something a front end read but could not analyze (a Terraform module that is not
    /// installed, a `for_each` whose value is unknown): reported as `ST002`, never silence.
    NotAnalyzed,
}

/// One located load problem (rendered as `ST001`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoadProblem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    /// A secondary location, e.g. the first occurrence of a duplicate key.
    pub related: Option<(Span, String)>,
}

/// Mappings with fewer entries find a duplicate key by a scan of the entries before; larger
/// ones through a hash index, so that a `Resources` mapping with a million keys stays linear.
const LINEAR_SCAN_KEYS: usize = 16;

/// What one mapping being built has seen of its keys, for the duplicates both loaders report
/// (CloudFormation deploys the last of them).
#[derive(Debug, Default)]
pub(crate) struct FirstKeys {
    /// Key → index of its first entry, built once the mapping outgrows a linear scan.
    index: Option<HashMap<String, usize>>,
    /// A key was given twice.
    duplicates: bool,
}

impl FirstKeys {
    /// The key span of the first of `entries` (the mapping's entries so far) named `key`, the
    /// key of the entry about to be added after them.
    pub(crate) fn earlier(&mut self, entries: &[Entry], key: &str) -> Option<Span> {
        let earlier = match &mut self.index {
            Some(index) => match index.get(key) {
                Some(&i) => entries.get(i).map(|e| e.key_span),
                None => {
                    index.insert(key.to_owned(), entries.len());
                    None
                }
            },
            None => {
                let earlier = entries.iter().find(|e| e.key == key).map(|e| e.key_span);
                if entries.len() + 1 >= LINEAR_SCAN_KEYS {
                    let mut index = HashMap::with_capacity(entries.len() * 2);
                    for (i, e) in entries.iter().enumerate() {
                        index.entry(e.key.clone()).or_insert(i);
                    }
                    index.entry(key.to_owned()).or_insert(entries.len());
                    self.index = Some(index);
                }
                earlier
            }
        };
        self.duplicates |= earlier.is_some();
        earlier
    }

    /// The mapping's `entries` as CloudFormation deploys them: of duplicate keys the last.
    pub(crate) fn kept(&self, entries: Vec<Entry>) -> Vec<Entry> {
        if self.duplicates {
            crate::tree::keep_last(entries)
        } else {
            entries
        }
    }
}

/// The problem of a `key` given again at `span`, first given at `first`.
pub(crate) fn duplicate_key(key: &str, span: Span, first: Span) -> LoadProblem {
    LoadProblem {
        kind: ProblemKind::DuplicateKey,
        span,
        message: format!("duplicate key `{key}`"),
        related: Some((first, "ignored: CloudFormation keeps the last".to_owned())),
    }
}

/// The outcome of a load: a tree when one could be built, plus every problem found.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub document: Option<Document>,
    pub problems: Vec<LoadProblem>,
}

/// Loads `text` as `format`, with every comment.
pub fn load(text: &str, format: Format) -> Loaded {
    load_with(text, format, Comments::All)
}

/// Which comments a load keeps in its [`Document`](crate::tree::Document).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comments {
    /// Every comment (`debug parse`, the editor's quick fixes, the loader's tests).
    All,
    /// What a check reads of them: the suppression comments (`# sandtrap: ignore[...]`). A text
    /// that does not hold `sandtrap` has none, so its comments are not captured at all (the
    /// parser skips them about a sixth faster); one that does keeps every comment.
    Suppressions,
}

/// Loads `text` as `format`, with the comments `comments` asks for (JSON has none).
pub fn load_with(text: &str, format: Format, comments: Comments) -> Loaded {
    match format {
        Format::Yaml => yaml::load_with(text, comments),
        Format::Json => json::load(text),
    }
}

/// Bytes to text. Templates are UTF-8 (a BOM is kept in the text and tolerated by the loaders, so
/// spans stay byte offsets into the file as it is on disk). Anything else is a located problem;
/// the returned text is then a lossy rendering that is exact up to the problem's offset.
pub fn decode(bytes: &[u8]) -> (String, Option<LoadProblem>) {
    // Other encodings are transcoded only so that the text can be recognised as a template; the
    // problem sits at offset 0, where every encoding agrees.
    let other = |text: String, encoding: &str| {
        let problem = LoadProblem {
            kind: ProblemKind::Encoding,
            span: Span::new(0, 0),
            message: format!("file is {encoding} encoded; CloudFormation templates must be UTF-8"),
            related: None,
        };
        (text, Some(problem))
    };
    if let Some(text) = utf32(bytes) {
        return other(text, "UTF-32");
    }
    if let Some(text) = utf16(bytes) {
        return other(text, "UTF-16");
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let problem = control_character(text);
            (text.to_owned(), problem)
        }
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

/// UTF-32 text, by its byte-order mark or, without one, by three NULs beside the first
/// character (checked before UTF-16, as the YAML specification's table does, since a UTF-32 LE
/// byte-order mark starts like UTF-16 LE's): transcoded lossily.
fn utf32(bytes: &[u8]) -> Option<String> {
    let (big_endian, body) = match bytes {
        [0, 0, 0xFE, 0xFF, rest @ ..] => (true, rest),
        [0xFF, 0xFE, 0, 0, rest @ ..] => (false, rest),
        [0, 0, 0, a, ..] if *a != 0 => (true, bytes),
        [a, 0, 0, 0, ..] if *a != 0 => (false, bytes),
        _ => return None,
    };
    Some(
        body.chunks_exact(4)
            .map(|quad| {
                let quad = [quad[0], quad[1], quad[2], quad[3]];
                let unit = if big_endian {
                    u32::from_be_bytes(quad)
                } else {
                    u32::from_le_bytes(quad)
                };
                char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
    )
}

/// UTF-16 text, by its byte-order mark or, without one, by a NUL in the first or second byte
/// (the YAML specification's encoding detection, "5.2 Character Encodings"): transcoded lossily.
fn utf16(bytes: &[u8]) -> Option<String> {
    let (big_endian, body) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (false, rest),
        [0xFE, 0xFF, rest @ ..] => (true, rest),
        [a, 0, ..] if *a != 0 => (false, bytes),
        [0, b, ..] if *b != 0 => (true, bytes),
        _ => return None,
    };
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// A C0 control character other than tab, line feed and carriage return: neither YAML (whose
/// character set excludes them) nor JSON (which allows them only escaped, inside strings)
/// accepts one, and CloudFormation rejects the template. NUL bytes are the usual case: a binary
/// file, or a UTF-16 file that lost its byte-order mark.
fn control_character(text: &str) -> Option<LoadProblem> {
    let at = text
        .bytes()
        .position(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))?;
    let byte = text.as_bytes()[at];
    Some(LoadProblem {
        kind: ProblemKind::Syntax,
        span: Span::new(at, at + 1),
        message: format!(
            "control character U+{byte:04X} at byte {at}; CloudFormation templates cannot contain it"
        ),
        related: None,
    })
}

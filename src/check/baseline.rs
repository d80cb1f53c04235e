//! The parse-only baseline for benchmarks: discovery and reading as `check` does them, in
//! parallel, then only the parsers' own work (YAML event stream, JSON syntax tree), or the full
//! load into our spanned tree. Reached through the hidden `sandtrap debug parse`.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::discover::{self, DiscoverError, Target};
use crate::load::{self, Format};

/// How far each file is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The parser crates alone: `granit-parser` events, `jsonc-parser`'s AST.
    Parser,
    /// `load::load`: the spanned tree with tags, YAML 1.1 scalars and duplicate keys.
    Tree,
}

/// What a baseline run read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub bytes: usize,
    /// Files the parser rejected.
    pub failed: usize,
}

/// Reads and parses every file `check` would analyze under `paths`.
pub fn run(paths: &[PathBuf], depth: Depth) -> Result<Totals, DiscoverError> {
    let found = discover::discover(paths)?;
    Ok(found
        .targets
        .par_iter()
        .map(|target| one(target, depth))
        .reduce(Totals::default, |a, b| Totals {
            files: a.files + b.files,
            bytes: a.bytes + b.bytes,
            failed: a.failed + b.failed,
        }))
}

fn one(target: &Target, depth: Depth) -> Totals {
    let Some(bytes) = target
        .path
        .as_deref()
        .and_then(|p| discover::read_regular(p).ok())
    else {
        return Totals::default();
    };
    let (text, _) = load::decode(&bytes);
    let format = Format::guess(&target.name, &text);
    let ok = match depth {
        Depth::Tree => load::load(&text, format).problems.is_empty(),
        Depth::Parser => parse_only(&text, format),
    };
    Totals {
        files: 1,
        bytes: bytes.len(),
        failed: usize::from(!ok),
    }
}

/// Runs the parser crate over `text` and drops what it produced; whether it accepted the text.
fn parse_only(text: &str, format: Format) -> bool {
    match format {
        Format::Json => jsonc_parser::parse_to_ast(
            text,
            &jsonc_parser::CollectOptions::default(),
            &jsonc_parser::ParseOptions::default(),
        )
        .is_ok(),
        Format::Yaml => {
            let mut parser = granit_parser::Parser::new_from_str(text);
            while let Some(event) = parser.next_event() {
                if event.is_err() {
                    return false;
                }
            }
            true
        }
    }
}

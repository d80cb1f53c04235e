//! Diagnostics to bytes: one module per output format. Line and column are computed here, from
//! byte spans, and nowhere earlier.

pub mod concise;
pub mod human;
pub mod json;

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Summary};
use crate::source::Files;

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Graphical reports with the source snippet, labels and help.
    Human,
    /// One line per diagnostic: `file:line:col: severity[CODE] message`.
    Concise,
    /// The stable JSON contract for editors and scripts.
    Json,
}

/// Options that change how reports look, not what they say.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    /// Emit OSC-8 hyperlinks (only on a terminal).
    pub links: bool,
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Self {
            color: false,
            links: false,
            width: 100,
        }
    }
}

/// What every emitter receives.
pub struct Report<'a> {
    pub files: &'a Files,
    pub diagnostics: &'a [Diagnostic],
    pub summary: Summary,
}

/// Writes `report` in `format`.
pub fn emit(
    report: &Report<'_>,
    format: OutputFormat,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::write(report, style, out),
        OutputFormat::Concise => concise::write(report, out),
        OutputFormat::Json => json::write(report, out),
    }
}

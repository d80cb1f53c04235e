//! Diagnostics to bytes: one module per output format. Line and column are computed here, from
//! byte spans, and nowhere earlier.

pub mod concise;
mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod sarif;
pub mod statistics;

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Summary};
use crate::rules::Catalog;
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
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, one test case per template, for CI test dashboards.
    Junit,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// A Markdown report for GitHub job summaries and pull-request comments: headline, the
    /// regions that need SES production access, the findings, the map (Mermaid).
    Markdown,
    /// A self-contained HTML report (one file, works offline): the map, the findings with their
    /// source, filters, each rule's documentation.
    Html,
}

/// Options that change how reports look, not what they say.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    /// Emit OSC-8 hyperlinks (only on a terminal).
    pub links: bool,
    pub width: usize,
    /// `--quiet`: the diagnostics and nothing else (no closing summary line).
    pub quiet: bool,
}

impl Default for Style {
    fn default() -> Self {
        Self {
            color: false,
            links: false,
            width: crate::cli::DEFAULT_WIDTH,
            quiet: false,
        }
    }
}

/// What every emitter receives.
pub struct Report<'a> {
    pub files: &'a Files,
    pub diagnostics: &'a [Diagnostic],
    pub summary: Summary,
    /// The rules of the run (SARIF rule metadata).
    pub catalog: &'a Catalog,
    /// The analyzed templates, whose names are JUnit's test cases.
    pub templates: &'a [std::sync::Arc<crate::source::SourceFile>],
    /// The directory relative file names are relative to (the run's current directory); empty
    /// when unknown.
    pub cwd: &'a Path,
    /// The repository's root (SARIF `%SRCROOT%`): the SARIF, Markdown and GitLab reports give
    /// paths relative to it, so their links work wherever the run started
    /// ([`repository_root`]); empty when unknown.
    pub root: &'a Path,
    /// The map of the run (Markdown and HTML reports).
    pub map: Option<&'a crate::map::Map>,
    /// Where the repository's files are browsed at this commit (`https://github.com/O/R/blob/SHA/`),
    /// so the Markdown report links findings to their lines.
    pub source_url: Option<&'a str>,
    /// How long the analysis took (JUnit `time`); `None` when not measured.
    pub elapsed: Option<Duration>,
}

impl Report<'_> {
    /// A reported file name as a path relative to the repository root, with `/` separators
    /// (`auth.yaml` of a run started in `infra/` is `infra/auth.yaml`); a file outside the root,
    /// or a run without one, keeps its name.
    pub fn repository_path(&self, name: &str) -> String {
        let name = name.replace('\\', "/");
        if self.root.as_os_str().is_empty() {
            return name;
        }
        let path = Path::new(&name);
        let absolute = if path.is_absolute() {
            normalize(path)
        } else if self.cwd.as_os_str().is_empty() {
            return name;
        } else {
            normalize(&self.cwd.join(path))
        };
        match absolute.strip_prefix(normalize(self.root)) {
            Ok(relative) if !relative.as_os_str().is_empty() => relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            _ => name,
        }
    }
}

/// `.` and `..` removed without touching the file system (the file may be standard input).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The repository `dir` is in: the nearest directory from `dir` upward holding `.git` (a
/// directory, or the file of a worktree or submodule); `dir` itself when there is none.
pub fn repository_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

/// Writes `value` as indented JSON. serde_json makes a write for every token: through a buffer
/// of its own type, each is a copy, not a call through `dyn Write`.
fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    buffered.flush()
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
        OutputFormat::Sarif => sarif::write(report, out),
        OutputFormat::Junit => junit::write(report, out),
        OutputFormat::Github => github::write(report, out),
        OutputFormat::Gitlab => gitlab::write(report, out),
        OutputFormat::Markdown => markdown::write(report, out),
        OutputFormat::Html => html::write(report, out),
    }
}

//! The suppress stage of a run: `select`/`ignore`/`per-file-ignores`, resource and template
//! `Metadata`, `# sandtrap: ignore[...]` comments, then configured severities. Suppressions that
//! name no rule, or cannot be read, are reported themselves (ST005).

use super::CheckOptions;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Location};
use crate::rules::Catalog;
use crate::source::{FileId, Files, SourceFile, Span};
use crate::suppress::{
    self, CommentSuppressions, Filter, MalformedSuppression, MetadataIgnores, Selector,
};
use crate::tree::Document;

/// What one file says about suppressing diagnostics.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FileSuppressions {
    comments: Option<CommentSuppressions>,
    metadata: Option<MetadataIgnores>,
}

impl FileSuppressions {
    /// No suppression at all (a file that could not be read).
    pub const fn none() -> Self {
        Self {
            comments: None,
            metadata: None,
        }
    }

    pub fn read(source: &SourceFile, document: &Document) -> Self {
        Self {
            comments: Some(suppress::comment_suppressions(source, &document.comments)),
            metadata: Some(suppress::metadata_ignores(&document.root)),
        }
    }

    /// Whether the file has no suppression comment and no `Metadata.sandtrap.ignore` entry, so
    /// no `ST005` can point into it.
    pub fn is_empty(&self) -> bool {
        self.comments
            .as_ref()
            .is_none_or(|c| c.suppressions.is_empty() && c.malformed.is_empty())
            && self
                .metadata
                .as_ref()
                .is_none_or(|m| m.entries().is_empty() && m.malformed.is_empty())
    }
}

/// The rule of invalid suppressions; its name and severity come from `rules/ST005.yaml`.
const INVALID: &str = "ST005";

pub fn apply(
    diagnostics: Vec<Diagnostic>,
    files: &Files,
    suppressions: &super::merge::Suppressions<'_>,
    catalog: &Catalog,
    config: &Config,
    options: &CheckOptions,
) -> Vec<Diagnostic> {
    let known: Vec<(&str, &str)> = catalog
        .iter()
        .map(|r| (r.code.as_str(), r.name.as_str()))
        .collect();
    let mut all = diagnostics;
    all.extend(invalid_suppressions(suppressions, &known, catalog));
    let filter = Filter::from_config(config).layer(
        options.select.as_ref().map(suppress::parse_selectors),
        suppress::parse_selectors(&options.ignore),
    );
    all.into_iter()
        .filter_map(|mut d| {
            let (file_suppressions, relative) = suppressions
                .get(&d.location.file)
                .map(|&(s, r)| (Some(s), r))
                .unwrap_or((None, ""));
            let relative = if relative.is_empty() {
                files.get(d.location.file).map_or("", |f| f.name.as_str())
            } else {
                relative
            };
            if !filter.enabled(&d.code, &d.name, relative) {
                return None;
            }
            if let Some(s) = file_suppressions {
                if s.metadata
                    .as_ref()
                    .and_then(|m| m.is_ignored(&d.code, &d.name, d.resource.as_deref()))
                    .is_some()
                {
                    return None;
                }
                let line = files
                    .get(d.location.file)
                    .map(|f| f.position(d.location.span.start).line);
                if let (Some(comments), Some(line)) = (&s.comments, line)
                    && comments
                        .suppressions
                        .iter()
                        .any(|c| c.applies(line) && c.matches(&d.code, &d.name).is_some())
                {
                    return None;
                }
            }
            if let Some(severity) = config.severity_for(&d.code, &d.name) {
                d.severity = severity.value;
            }
            Some(d)
        })
        .collect()
}

fn invalid_suppressions(
    suppressions: &super::merge::Suppressions<'_>,
    known: &[(&str, &str)],
    catalog: &Catalog,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut report = |file: FileId, span: Span, message: String, help: &str| {
        let d = catalog
            .framework_diagnostic(INVALID, Location { file, span }, message)
            .with_help(help);
        out.push(d);
    };
    let unknown =
        |text: &str| suppress::unknown_selectors(&[Selector::parse(text)], known).len() == 1;
    for (&file, (s, _)) in suppressions {
        let malformed: Vec<&MalformedSuppression> = s
            .comments
            .iter()
            .flat_map(|c| c.malformed.iter())
            .chain(s.metadata.iter().flat_map(|m| m.malformed.iter()))
            .collect();
        for m in malformed {
            report(
                file,
                m.span,
                m.message.clone(),
                "write `# sandtrap: ignore[ST101]` (codes, names or prefixes, comma-separated)",
            );
        }
        for comment in s.comments.iter().flat_map(|c| c.suppressions.iter()) {
            for (code, span) in &comment.codes {
                if unknown(code) {
                    report(
                        file,
                        *span,
                        format!("`{code}` in a suppression comment names no sandtrap rule"),
                        "see `sandtrap rules` for the codes and names",
                    );
                }
            }
        }
        for entry in s.metadata.iter().flat_map(|m| m.entries().iter()) {
            if unknown(entry.selector.as_str()) {
                report(
                    file,
                    entry.span,
                    format!(
                        "`{}` in `Metadata.sandtrap.ignore` names no sandtrap rule",
                        entry.selector.as_str()
                    ),
                    "see `sandtrap rules` for the codes and names",
                );
            }
        }
    }
    out
}

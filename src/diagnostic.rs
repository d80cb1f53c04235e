//! Findings as data: what every stage produces and every emitter reads.

use std::collections::hash_map::Entry;
use std::fmt;

use crate::source::{FileId, Span};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A location in a file of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
}

/// A secondary location with its own message ("identity declared here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub note: Option<String>,
    pub url: Option<String>,
    pub location: Location,
    /// The label under the primary span (defaults to the message when absent).
    pub label: Option<String>,
    pub stack: Option<String>,
    pub resource: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(
        code: impl Into<String>,
        name: impl Into<String>,
        severity: Severity,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            name: name.into(),
            severity,
            message: message.into(),
            help: None,
            note: None,
            url: None,
            location,
            label: None,
            stack: None,
            resource: None,
            related: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Makes every text of the diagnostic printable ([`crate::printable`]): its message, label,
    /// help and note quote values, logical ids and rule files a pull request controls. Code,
    /// name and URL come from a rule file whose code and name were checked when it loaded.
    pub fn escape(&mut self) {
        use crate::printable::escape_in_place;
        escape_in_place(&mut self.message);
        for text in [
            &mut self.help,
            &mut self.note,
            &mut self.label,
            &mut self.stack,
            &mut self.resource,
        ]
        .into_iter()
        .flatten()
        {
            escape_in_place(text);
        }
        for related in &mut self.related {
            escape_in_place(&mut related.message);
        }
    }
}

/// Drops every diagnostic equal to an earlier one in code, location and message, keeping the
/// first (raised to the most severe of its copies). The rules see one fact per condition variant,
/// so a finding true in every variant (or reached twice through a self-referencing condition)
/// would otherwise be reported once per variant. The kept note keeps only the parts (`; `-
/// separated: the CDK path, each "when condition ..." assumption) that every copy shares: a
/// condition under which only some copies hold does not decide the finding.
pub fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    let mut first: foldhash::HashMap<(&str, Location, &str), usize> =
        foldhash::HashMap::with_capacity_and_hasher(diagnostics.len(), Default::default());
    let mut keep = vec![true; diagnostics.len()];
    let mut copies: Vec<(usize, Severity, Option<String>)> = Vec::new();
    for (i, d) in diagnostics.iter().enumerate() {
        match first.entry((d.code.as_str(), d.location, d.message.as_str())) {
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
            Entry::Occupied(slot) => {
                keep[i] = false;
                copies.push((*slot.get(), d.severity, d.note.clone()));
            }
        }
    }
    for (i, severity, note) in copies {
        let kept = &mut diagnostics[i];
        kept.severity = kept.severity.max(severity);
        if kept.note != note {
            let shared: Vec<&str> = (kept.note.as_deref().unwrap_or("").split("; "))
                .filter(|part| {
                    (note.as_deref().unwrap_or("").split("; ")).any(|other| other == *part)
                })
                .collect();
            kept.note = (!shared.is_empty()).then(|| shared.join("; "));
        }
    }
    let mut keep = keep.into_iter();
    diagnostics.retain(|_| keep.next().unwrap_or(true));
}

/// Counts of a run, as printed in every format's summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub templates: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(code: &str, start: usize, message: &str, severity: Severity) -> Diagnostic {
        let location = Location {
            file: FileId(0),
            span: Span::new(start, start + 1),
        };
        Diagnostic::new(code, "name", severity, location, message)
    }

    #[test]
    fn identical_diagnostics_are_kept_once_at_the_highest_severity() {
        let mut found = vec![
            at("ST101", 3, "m", Severity::Warning),
            at("ST207", 3, "m", Severity::Info),
            at("ST101", 3, "m", Severity::Error),
            at("ST101", 4, "m", Severity::Warning),
            at("ST101", 3, "other", Severity::Warning),
            at("ST207", 3, "m", Severity::Info),
        ];
        dedup(&mut found);
        let kept: Vec<(&str, u32, &str, Severity)> = found
            .iter()
            .map(|d| {
                (
                    d.code.as_str(),
                    d.location.span.start,
                    d.message.as_str(),
                    d.severity,
                )
            })
            .collect();
        assert_eq!(
            kept,
            [
                ("ST101", 3, "m", Severity::Error),
                ("ST207", 3, "m", Severity::Info),
                ("ST101", 4, "m", Severity::Warning),
                ("ST101", 3, "other", Severity::Warning),
            ]
        );
    }

    #[test]
    fn the_kept_note_keeps_what_every_copy_shares() {
        let noted = |note: &str| {
            let mut d = at("ST207", 3, "m", Severity::Info);
            d.note = Some(note.to_owned());
            d
        };
        let mut found = vec![
            noted("CDK construct `A/P`; when condition `X` is true; when condition `Y` is true"),
            noted("CDK construct `A/P`; when condition `X` is true; when condition `Y` is false"),
        ];
        dedup(&mut found);
        assert_eq!(
            found[0].note.as_deref(),
            Some("CDK construct `A/P`; when condition `X` is true")
        );
        let mut found = vec![
            noted("when condition `Y` is true"),
            noted("when condition `Y` is false"),
        ];
        dedup(&mut found);
        assert_eq!(found[0].note, None);
    }
}

//! GitLab Code Quality: the JSON array of issues GitLab shows in merge requests
//! (`artifacts:reports:codequality`).
//!
//! Severity: error → `major`, warning → `minor`, info → `info` (`critical` and `blocker` are
//! left for findings sandtrap does not make). The fingerprint is the stable hash shared with
//! SARIF, unique within a run as GitLab requires. The location is given as `lines` only: the
//! Code Climate format allows `lines` or `positions`, not both; its `path` is relative to the
//! repository root, as GitLab needs to place it in the merge request.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use super::fingerprint::fingerprints;
use crate::diagnostic::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<Issue<'_>> = report
        .diagnostics
        .iter()
        .zip(fingerprints(report))
        .filter_map(|(d, fingerprint)| {
            let file = report.files.get(d.location.file)?;
            let start = file.position(d.location.span.start);
            let end = file.position(d.location.span.end);
            Some(Issue {
                kind: "issue",
                description: format!("{}: {}", d.code, d.message),
                check_name: &d.code,
                fingerprint,
                severity: severity(d.severity),
                location: IssueLocation {
                    path: report.repository_path(&file.name),
                    lines: Lines {
                        begin: start.line,
                        end: end.line,
                    },
                },
            })
        })
        .collect();
    super::write_json(out, &issues)?;
    writeln!(out)
}

//! The JSON contract of docs/architecture.md ("Outputs"), field for field. Editors and scripts
//! depend on it: add fields, never rename or remove them.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::diagnostic::{Location, Summary};
use crate::source::{Files, Position};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    url: Option<&'a str>,
    file: &'a str,
    range: Range,
    stack: Option<&'a str>,
    resource: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    range: Range,
    message: &'a str,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

fn locate(files: &Files, location: Location) -> Option<(&str, Range)> {
    let file = files.get(location.file)?;
    Some((
        &file.name,
        Range {
            start: file.position(location.span.start),
            end: file.position(location.span.end),
        },
    ))
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let diagnostics = report
        .diagnostics
        .iter()
        .filter_map(|d| {
            let (file, range) = locate(report.files, d.location)?;
            Some(JsonDiagnostic {
                code: &d.code,
                name: &d.name,
                severity: d.severity.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
                url: d.url.as_deref(),
                file,
                range,
                stack: d.stack.as_deref(),
                resource: d.resource.as_deref(),
                related: d
                    .related
                    .iter()
                    .filter_map(|r| {
                        let (file, range) = locate(report.files, r.location)?;
                        Some(JsonRelated {
                            file,
                            range,
                            message: &r.message,
                        })
                    })
                    .collect(),
            })
        })
        .collect();
    let output = Output {
        version: VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics,
        summary: report.summary,
    };
    super::write_json(out, &output)?;
    writeln!(out)
}

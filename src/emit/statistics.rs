//! `--statistics`: the number of findings per code, most frequent first (ties by code), like
//! ruff's; text columns, or JSON with `--format json`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::diagnostic::Severity;

#[derive(Serialize)]
struct Count<'a> {
    code: &'a str,
    name: &'a str,
    /// The most severe of the code's findings.
    severity: &'static str,
    count: usize,
}

pub fn write(report: &Report<'_>, json: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut by_code: BTreeMap<&str, (&str, Severity, usize)> = BTreeMap::new();
    for d in report.diagnostics {
        let entry = by_code
            .entry(d.code.as_str())
            .or_insert((d.name.as_str(), d.severity, 0));
        entry.1 = entry.1.max(d.severity);
        entry.2 += 1;
    }
    let mut counts: Vec<Count<'_>> = by_code
        .into_iter()
        .map(|(code, (name, severity, count))| Count {
            code,
            name,
            severity: severity.as_str(),
            count,
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    if json {
        super::write_json(out, &counts)?;
        return writeln!(out);
    }
    let width = counts.first().map_or(1, |c| c.count.to_string().len());
    for c in &counts {
        writeln!(
            out,
            "{:>width$}  {:<6} {:<32} {}",
            c.count, c.code, c.name, c.severity
        )?;
    }
    Ok(())
}

//! `sandtrap explain` and `sandtrap rules`: the catalog, built-in and `--rules` directories.

use std::io;
use std::path::PathBuf;

use super::super::{Exit, Io, RulesFormat, report_error};
use crate::check::{self, CheckOptions};

fn rule_catalog(
    dirs: &[PathBuf],
    io: &mut Io<'_>,
) -> io::Result<Result<crate::rules::Catalog, Exit>> {
    let options = CheckOptions {
        rules_dirs: dirs.to_vec(),
        ..CheckOptions::default()
    };
    match check::catalog(&options) {
        Ok(catalog) => Ok(Ok(catalog)),
        Err(err) => Ok(Err(report_error(&err, io)?)),
    }
}

pub(in crate::cli) fn explain(rule: &str, dirs: &[PathBuf], mut io: Io<'_>) -> io::Result<Exit> {
    let catalog = match rule_catalog(dirs, &mut io)? {
        Ok(catalog) => catalog,
        Err(exit) => return Ok(exit),
    };
    let Some(rule) = catalog
        .get(rule)
        .or_else(|| catalog.get(&rule.to_ascii_uppercase()))
    else {
        writeln!(
            io.stderr,
            "error: no rule `{rule}`; `sandtrap rules` lists them"
        )?;
        return Ok(Exit::Usage);
    };
    writeln!(io.stdout, "# {} {}\n", rule.code, rule.name)?;
    writeln!(io.stdout, "{}\n", rule.summary)?;
    writeln!(io.stdout, "Default severity: {}\n", rule.severity)?;
    io.stdout.write_all(rule.docs.trim_end().as_bytes())?;
    writeln!(io.stdout)?;
    Ok(Exit::Clean)
}

pub(in crate::cli) fn list(
    format: RulesFormat,
    dirs: &[PathBuf],
    mut io: Io<'_>,
) -> io::Result<Exit> {
    let catalog = match rule_catalog(dirs, &mut io)? {
        Ok(catalog) => catalog,
        Err(exit) => return Ok(exit),
    };
    match format {
        RulesFormat::Text => {
            for rule in &catalog {
                writeln!(
                    io.stdout,
                    "{:<6} {:<32} {:<8} {}",
                    rule.code,
                    rule.name,
                    rule.severity.as_str(),
                    rule.summary
                )?;
            }
        }
        RulesFormat::Json => {
            let rules: Vec<_> = catalog
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code, "name": r.name, "severity": r.severity.as_str(),
                        "summary": r.summary, "url": r.url(), "docs": r.docs,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *io.stdout, &rules)?;
            writeln!(io.stdout)?;
        }
    }
    Ok(Exit::Clean)
}

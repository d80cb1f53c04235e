//! `file:line:col: severity[CODE] message`, one line per diagnostic.

use std::io::{self, Write};

use super::Report;

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let Some(file) = report.files.get(d.location.file) else {
            continue;
        };
        let pos = file.position(d.location.span.start);
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            file.name, pos.line, pos.column, d.severity, d.code, d.message
        )?;
    }
    Ok(())
}

//! `sandtrap map` and `sandtrap status`: pictures and tables of the run, never an exit status
//! of findings.

use std::io;

use super::super::{
    AnalysisArgs, Exit, Io, MapArgs, MapFormat, StatusArgs, StatusFormat, run_analysis,
    write_output,
};
use crate::emit::progress::Progress;

/// The map of a run for `map` and `status`, or the exit status of a run that cannot happen.
fn drawn_map(
    args: &AnalysisArgs,
    expand: bool,
    io: &mut Io<'_>,
) -> io::Result<Result<crate::map::Map, Exit>> {
    let options = crate::map::MapOptions { expand };
    let outcome = match run_analysis(args, Some(options), &Progress::new(false), io)? {
        Ok(outcome) => outcome,
        Err(exit) => return Ok(Err(exit)),
    };
    // A picture never fails the run, but it must not pass off less than it was given as the
    // whole: files that could not be read or parsed are named on stderr.
    let mut unread: Vec<&str> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == "ST001")
        .filter_map(|d| outcome.files.get(d.location.file).map(|f| f.name.as_str()))
        .collect();
    unread.dedup();
    if !unread.is_empty() {
        writeln!(
            io.stderr,
            "warning: {} could not be read or parsed and {} not in the picture ({}); `sandtrap check` says why",
            if unread.len() == 1 {
                "1 file".to_owned()
            } else {
                format!("{} files", unread.len())
            },
            if unread.len() == 1 { "is" } else { "are" },
            unread.join(", ")
        )?;
    }
    Ok(Ok(outcome.map.unwrap_or_default()))
}

/// Pretty JSON and a final newline.
fn json_text<T: serde::Serialize>(value: &T) -> io::Result<String> {
    let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    text.push('\n');
    Ok(text)
}

/// `sandtrap map`: the picture of the run. Findings are drawn, never an exit status: only a
/// run that cannot happen exits non-zero (2).
pub(in crate::cli) fn map(args: MapArgs, mut io: Io<'_>) -> io::Result<Exit> {
    let map = match drawn_map(&args.analysis, args.expand, &mut io)? {
        Ok(map) => map,
        Err(exit) => return Ok(exit),
    };
    let text = match args.format {
        MapFormat::Mermaid => crate::map::mermaid::render(&map),
        MapFormat::Dot => crate::map::dot::render(&map),
        MapFormat::Json => json_text(&map)?,
    };
    match &args.output_file {
        Some(path) => write_output(path, text.as_bytes(), &mut io),
        None => {
            io.stdout.write_all(text.as_bytes())?;
            Ok(Exit::Clean)
        }
    }
}

/// `sandtrap status`: the table of every (account, region). Like `map`, it reports: only a run
/// that cannot happen exits non-zero (2).
pub(in crate::cli) fn status(args: StatusArgs, mut io: Io<'_>) -> io::Result<Exit> {
    let map = match drawn_map(&args.analysis, true, &mut io)? {
        Ok(map) => map,
        Err(exit) => return Ok(exit),
    };
    let status = crate::map::status::rows(&map);
    let text = match args.format {
        StatusFormat::Human => crate::map::status::human(&status),
        StatusFormat::Json => json_text(&status)?,
        StatusFormat::Markdown => crate::map::status::markdown(&status, &map),
    };
    io.stdout.write_all(text.as_bytes())?;
    Ok(Exit::Clean)
}

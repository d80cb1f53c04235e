//! `sandtrap check`: the run, its report in the asked format, and the exit status.

use std::io::{self, Write};

use super::super::{CheckArgs, Exit, Io, Stream, report_width, run_analysis, write_output};
use crate::diagnostic::Severity;
use crate::emit::progress::Progress;
use crate::emit::{self, OutputFormat, Report, Style};

/// Where the Markdown report links a file's lines: the commit being built, on GitHub Actions
/// or GitLab CI; nowhere elsewhere.
fn source_url() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(server), Some(repository), Some(sha)) = (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_SHA"),
    ) {
        return Some(format!("{server}/{repository}/blob/{sha}/"));
    }
    if let (Some(project), Some(sha)) = (var("CI_PROJECT_URL"), var("CI_COMMIT_SHA")) {
        return Some(format!("{project}/-/blob/{sha}/"));
    }
    None
}

pub(in crate::cli) fn check(args: CheckArgs, mut io: Io<'_>) -> io::Result<Exit> {
    // The bar goes to standard error, beside a report people read, never beside one a
    // program parses.
    let progress =
        Progress::new(io.stderr_is_terminal && args.format == OutputFormat::Human && !args.quiet);
    let map = matches!(args.format, OutputFormat::Markdown | OutputFormat::Html)
        .then(crate::map::MapOptions::default);
    let started = std::time::Instant::now();
    let outcome = match run_analysis(&args.analysis, map, &progress, &mut io)? {
        Ok(outcome) => outcome,
        Err(exit) => return Ok(exit),
    };
    let exit = report(&args, &outcome, started, &mut io);
    crate::check::release(outcome);
    exit
}

/// Writes the report of `outcome` as `args` ask, and says how the process exits.
fn report(
    args: &CheckArgs,
    outcome: &crate::check::Outcome,
    started: std::time::Instant,
    io: &mut Io<'_>,
) -> io::Result<Exit> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = match &args.repository_root {
        Some(dir) => crate::emit::normalize(&cwd.join(dir)),
        None => emit::repository_root(&cwd),
    };
    let source_url = source_url();
    let report = Report {
        files: &outcome.files,
        diagnostics: &outcome.diagnostics,
        summary: outcome.summary,
        catalog: &outcome.catalog,
        templates: &outcome.templates,
        cwd: &cwd,
        root: &root,
        map: outcome.map.as_ref(),
        source_url: source_url.as_deref(),
        elapsed: Some(started.elapsed()),
    };
    let to_terminal = args.output_file.is_none() && io.stdout_is_terminal;
    let style = Style {
        color: args
            .color
            .resolve(to_terminal, &|name| std::env::var(name).ok()),
        links: to_terminal,
        width: report_width(Stream::Stdout, to_terminal),
        quiet: args.quiet,
    };
    let write = |out: &mut dyn Write| {
        if args.statistics {
            emit::statistics::write(&report, args.format == OutputFormat::Json, out)
        } else {
            emit::emit(&report, args.format, style, out)
        }
    };
    match &args.output_file {
        Some(path) => {
            let mut buffer = Vec::new();
            write(&mut buffer)?;
            if write_output(path, &buffer, io)? == Exit::Usage {
                return Ok(Exit::Usage);
            }
        }
        None => write(io.stdout)?,
    }
    // A run that read no template says so, beside a report people read (ruff's "No Python
    // files found"): a green that means "did not look" is not trusted. JSON carries the count.
    // A run with findings (a template that does not parse) has said what it saw.
    let readable = matches!(args.format, OutputFormat::Human | OutputFormat::Concise);
    let silent = outcome.diagnostics.is_empty();
    if outcome.summary.templates == 0 && silent && readable && !args.quiet {
        writeln!(
            io.stderr,
            "No templates found in {}",
            shown_paths(&args.analysis.paths)
        )?;
    }
    if args.exit_zero {
        return Ok(Exit::Clean);
    }
    let fail_level = args
        .fail_level
        .map(Severity::from)
        .or(outcome.config_fail_level)
        .unwrap_or(Severity::Warning);
    Ok(
        if outcome.diagnostics.iter().any(|d| d.severity >= fail_level) {
            Exit::Findings
        } else {
            Exit::Clean
        },
    )
}

/// The paths a run was given, as typed (`.` when none).
fn shown_paths(paths: &[std::path::PathBuf]) -> String {
    if paths.is_empty() {
        return ".".to_owned();
    }
    let shown: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    shown.join(" ")
}

//! The command line: arguments to a run, the run's outcome to an exit status. Writes only to the
//! handles it is given; `main.rs` owns the process.

use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::check::{self, CheckOptions};
use crate::diagnostic::Severity;
use crate::emit::{self, OutputFormat, Report, Style};
use crate::load::{self, Format};
use crate::source::SourceFile;

/// Finds Cognito user pools whose email through Amazon SES will fail, before they deploy.
#[derive(Debug, Parser)]
#[command(name = "sandtrap", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check templates and CDK cloud assemblies (default path: `.`).
    Check(CheckArgs),
    /// Developer tools: dump intermediate stages.
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print the loaded tree of a file with the span of every node.
    Load { file: PathBuf },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// The path standard input is reported under (and configuration is found from).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<String>,
    /// Exit with status 1 when a diagnostic is at or above this severity.
    #[arg(long, value_enum, default_value = "warning")]
    pub fail_level: FailLevel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailLevel {
    Info,
    Warning,
    Error,
}

impl From<FailLevel> for Severity {
    fn from(level: FailLevel) -> Self {
        match level {
            FailLevel::Info => Severity::Info,
            FailLevel::Warning => Severity::Warning,
            FailLevel::Error => Severity::Error,
        }
    }
}

/// How the process should end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above the fail level.
    Clean = 0,
    /// Diagnostics at or above the fail level.
    Findings = 1,
    /// The tool could not run as asked.
    Usage = 2,
}

/// The process's standard streams, handed in so the library never touches them itself.
pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Whether standard output is a terminal (colour and hyperlinks).
    pub stdout_is_terminal: bool,
}

/// Runs one command.
pub fn run(cli: Cli, io: Io<'_>) -> io::Result<Exit> {
    match cli.command {
        Command::Check(args) => check(args, io),
        Command::Debug(DebugCommand::Load { file }) => debug_load(&file, io),
    }
}

fn check(args: CheckArgs, io: Io<'_>) -> io::Result<Exit> {
    let mut stdin = None;
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut text = String::new();
        if let Err(err) = io.stdin.read_to_string(&mut text) {
            writeln!(io.stderr, "error: cannot read standard input: {err}")?;
            return Ok(Exit::Usage);
        }
        stdin = Some(text);
    }
    let options = CheckOptions {
        paths: args.paths.clone(),
        stdin,
        stdin_filename: args.stdin_filename.clone(),
    };
    let outcome = match check::run(&options) {
        Ok(outcome) => outcome,
        Err(err) => {
            writeln!(io.stderr, "error: {err}")?;
            return Ok(Exit::Usage);
        }
    };
    let report = Report {
        files: &outcome.files,
        diagnostics: &outcome.diagnostics,
        summary: outcome.summary,
    };
    let to_terminal = args.output_file.is_none() && io.stdout_is_terminal;
    let style = Style {
        color: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        links: to_terminal,
        width: terminal_width(),
    };
    match &args.output_file {
        Some(path) => {
            let mut buffer = Vec::new();
            emit::emit(&report, args.format, style, &mut buffer)?;
            if let Err(err) = std::fs::write(path, buffer) {
                writeln!(io.stderr, "error: cannot write {}: {err}", path.display())?;
                return Ok(Exit::Usage);
            }
        }
        None => emit::emit(&report, args.format, style, io.stdout)?,
    }
    let fail_level = Severity::from(args.fail_level);
    Ok(
        if outcome.diagnostics.iter().any(|d| d.severity >= fail_level) {
            Exit::Findings
        } else {
            Exit::Clean
        },
    )
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100)
}

fn debug_load(path: &std::path::Path, io: Io<'_>) -> io::Result<Exit> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            writeln!(io.stderr, "error: {}: {err}", path.display())?;
            return Ok(Exit::Usage);
        }
    };
    let name = path.display().to_string();
    let (text, problem) = load::decode(&bytes);
    let file = SourceFile::new(name.clone(), Some(path.to_owned()), text);
    let mut loaded = load::load(&file.text, Format::guess(&name, &file.text));
    loaded.problems.extend(problem);
    io.stdout
        .write_all(load::dump::dump(&file, &loaded).as_bytes())?;
    Ok(Exit::Clean)
}

/// Whether standard output is a terminal; a helper for `main.rs`.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

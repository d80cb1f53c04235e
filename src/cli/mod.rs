//! The command line: arguments to a run, the run's outcome to an exit status. Writes only to the
//! handles it is given; `main.rs` owns the process. The grammar is `args.rs`; each command is a
//! file of `commands/`.

mod args;
mod commands;
mod debug;

use std::io::{self, IsTerminal, Read, Write};

use crate::check::{self, CheckOptions};
use crate::emit::progress::Progress;

pub use args::*;

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
    /// Whether standard error is a terminal (progress bar of a long human-format run).
    pub stderr_is_terminal: bool,
}

/// Runs one command.
pub fn run(cli: Cli, io: Io<'_>) -> io::Result<Exit> {
    match cli.command {
        Command::Check(args) => commands::check::check(args, io),
        Command::Facts(args) => commands::facts::facts(args, io),
        Command::Map(args) => commands::map::map(args, io),
        Command::Status(args) => commands::map::status(args, io),
        Command::Explain { rule, rules } => commands::rules::explain(&rule, &rules, io),
        Command::Rules { format, rules } => commands::rules::list(format, &rules, io),
        Command::Lsp {
            stdio: _,
            no_cache,
            cache_dir,
        } => commands::lsp::lsp(no_cache, cache_dir, io),
        Command::Completions { shell } => commands::man::completions(shell, io),
        Command::Man { output_dir } => commands::man::man(output_dir, io),
        Command::Debug(DebugCommand::Load { file }) => debug::load(&file, io),
        Command::Debug(DebugCommand::Site { out, root }) => debug::site(&out, &root, io),
        Command::Debug(DebugCommand::Terraform { analysis }) => debug::terraform(&analysis, io),
        Command::Debug(DebugCommand::Parse { paths, tree }) => debug::parse(&paths, tree, io),
        Command::Debug(DebugCommand::Resolve {
            file,
            region,
            account,
            params,
        }) => debug::resolve(&file, region, account, &params, io),
    }
}

/// Why the arguments of `check` or `facts` make no run (exit status 2, before any file is read).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OptionsError {
    #[error("cannot read standard input: {0}")]
    Stdin(#[source] io::Error),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Param(#[from] crate::params::ParamError),

    #[error("`--var {0}` has no `=`: expected NAME=VALUE")]
    Var(String),

    #[error("`--aws-timeout {0}` is not a positive number of seconds")]
    AwsTimeout(f64),

    #[error(
        "`--aws-role-arn {0}` is not an IAM role ARN (e.g. `arn:aws:iam::{{account}}:role/NAME`, `{{account}}` standing for each account to read)"
    )]
    AwsRoleArn(String),
}

/// Reads standard input when asked and turns the arguments into run options.
fn options(args: &AnalysisArgs, io: &mut Io<'_>) -> Result<CheckOptions, OptionsError> {
    let mut stdin = None;
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let text =
            crate::input::read_bounded(io.stdin, crate::input::MAX_FILE_BYTES).and_then(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
            });
        stdin = Some(text.map_err(OptionsError::Stdin)?);
    }
    let params = crate::params::parse_params(&args.params)?;
    Ok(CheckOptions {
        paths: args.paths.clone(),
        stdin,
        stdin_filename: args.stdin_filename.clone(),
        project_root: args.project_root.clone(),
        allow_missing: args.allow_missing,
        cwd: std::env::current_dir().unwrap_or_default(),
        region: args.region.clone(),
        account: args.account.clone(),
        config_env: args.config_env.clone(),
        env_region: crate::config::env_region(),
        params,
        param_files: args.param_files.clone(),
        ses_sandbox: args.ses_sandbox.clone(),
        ses_production: args.ses_production.clone(),
        config: args.config.clone(),
        exclude: args.exclude.clone(),
        rules_dirs: args.rules.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        overrides: std::collections::BTreeMap::new(),
        aws: aws_options(args)?,
        map: None,
        cancel: crate::cancel::Cancel::new(),
        max_walk_entries: None,
        terraform: terraform_vars(args)?,
        cache: match &args.cache_dir {
            _ if args.no_cache => check::CacheDir::Off,
            Some(dir) if !dir.as_os_str().is_empty() => check::CacheDir::At(dir.clone()),
            _ => check::CacheDir::ProjectRoot,
        },
    })
}

/// `--var`, `--var-file` and the environment's `TF_VAR_name` values, as Terraform reads them.
fn terraform_vars(args: &AnalysisArgs) -> Result<crate::terraform::vars::VarOptions, OptionsError> {
    let mut vars = Vec::new();
    for var in &args.vars {
        vars.push(
            crate::terraform::vars::parse_var(var).ok_or_else(|| OptionsError::Var(var.clone()))?,
        );
    }
    let env = std::env::vars()
        .filter_map(|(key, value)| Some((key.strip_prefix("TF_VAR_")?.to_owned(), value)))
        .filter(|(name, _)| !name.is_empty())
        .collect();
    Ok(crate::terraform::vars::VarOptions {
        files: args.var_files.clone(),
        vars,
        env,
    })
}

fn aws_options(args: &AnalysisArgs) -> Result<Option<check::AwsOptions>, OptionsError> {
    if !args.aws {
        return Ok(None);
    }
    let timeout = std::time::Duration::try_from_secs_f64(args.aws_timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or(OptionsError::AwsTimeout(args.aws_timeout))?;
    let role_arn = match &args.aws_role_arn {
        Some(arn) if !crate::config::is_role_arn_template(arn) => {
            return Err(OptionsError::AwsRoleArn(arn.clone()));
        }
        Some(arn) => Some((arn.clone(), crate::join::live::RoleSource::Flag)),
        None => None,
    };
    Ok(Some(check::AwsOptions {
        profile: args.aws_profile.clone(),
        endpoint_url: args.aws_endpoint_url.clone(),
        timeout,
        routes: crate::join::live::RouteOptions {
            role_arn,
            profiles: Default::default(),
        },
    }))
}

/// Renders a tool error (with its source snippet when it has a location) on stderr.
fn report_error(err: &dyn miette::Diagnostic, io: &mut Io<'_>) -> io::Result<Exit> {
    let width = report_width(Stream::Stderr, io.stderr_is_terminal);
    let text = crate::emit::human::render_error(err, width);
    io.stderr.write_all(text.as_bytes())?;
    Ok(Exit::Usage)
}

fn run_analysis(
    args: &AnalysisArgs,
    map: Option<crate::map::MapOptions>,
    progress: &Progress,
    io: &mut Io<'_>,
) -> io::Result<Result<check::Outcome, Exit>> {
    let options = match options(args, io) {
        Ok(options) => CheckOptions { map, ..options },
        Err(err) => return Ok(Err(report_error(&err, io)?)),
    };
    let result = check::run_with_progress(&options, &|done, total| {
        progress.update(done, total);
    });
    progress.finish();
    match result {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(err) => Ok(Err(report_error(&err, io)?)),
    }
}

/// Writes `bytes` to the file the user named ([`crate::output::write_file`]), or says on standard
/// error why not (exit status 2).
fn write_output(path: &std::path::Path, bytes: &[u8], io: &mut Io<'_>) -> io::Result<Exit> {
    match crate::output::write_file(path, bytes) {
        Ok(()) => Ok(Exit::Clean),
        Err(err) => {
            let message = crate::printable::escape(&err.to_string()).into_owned();
            writeln!(io.stderr, "error: {message}")?;
            Ok(Exit::Usage)
        }
    }
}

/// Where a report is written, for [`report_width`].
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// The width a report is wrapped to: `COLUMNS` when it is set (the user's choice, also for a
/// pipe), else the width of the terminal the report goes to (asked of the terminal itself: a
/// shell does not export `COLUMNS`), else [`DEFAULT_WIDTH`]. Narrower than 40 columns is taken
/// as 40.
fn report_width(stream: Stream, to_terminal: bool) -> usize {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let terminal = || {
        let size = match stream {
            Stream::Stdout => terminal_size::terminal_size_of(io::stdout()),
            Stream::Stderr => terminal_size::terminal_size_of(io::stderr()),
        };
        size.map(|(terminal_size::Width(w), _)| usize::from(w))
    };
    columns
        .or_else(|| to_terminal.then(terminal).flatten())
        .unwrap_or(DEFAULT_WIDTH)
        .max(40)
}

/// The width of a report that does not go to a terminal (a pipe, a file, a CI log).
pub const DEFAULT_WIDTH: usize = 80;

/// Whether standard output is a terminal; a helper for `main.rs`.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Whether standard error is a terminal; a helper for `main.rs`.
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

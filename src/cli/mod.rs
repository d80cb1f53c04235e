//! The command line: arguments to a run, the run's outcome to an exit status. Writes only to the
//! handles it is given; `main.rs` owns the process.

mod debug;

use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::check::{self, CheckOptions};
use crate::diagnostic::Severity;
use crate::emit::progress::Progress;
use crate::emit::{self, OutputFormat, Report, Style};

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
    /// Print the facts document the rules read (JSON).
    Facts(FactsArgs),
    /// Draw who mails through which SES: accounts and regions with their SES state, senders,
    /// identities and findings (Mermaid, Graphviz DOT or JSON).
    Map(MapArgs),
    /// The SES state of every account and region the run touches, and who said it (with
    /// `--aws`: sending, enforcement, quota, rate, identity verification).
    Status(StatusArgs),
    /// Print a rule's documentation.
    Explain {
        /// A rule code (`ST101`) or name (`ses-sandbox-recipients`).
        rule: String,
        /// Also load the rules in this directory.
        #[arg(long, value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
        /// Also load the rules in this directory.
        #[arg(long, value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Run the language server (LSP over standard input and output) for editors.
    Lsp {
        /// Accepted for clients that pass it; standard input and output is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write `sandtrap.1`, `sandtrap-check.1`, ... into this directory instead.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
    /// Developer tools: dump intermediate stages.
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print the loaded tree of a file with the span of every node.
    Load { file: PathBuf },
    /// Parse every file `check` would read, and nothing else: the benchmarks' baseline.
    Parse {
        paths: Vec<PathBuf>,
        /// Build the spanned tree (`load`) instead of running only the parser crates.
        #[arg(long)]
        tree: bool,
    },
    /// Print every resource property of a template resolved, with its assumptions.
    Resolve {
        file: PathBuf,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        account: Option<String>,
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
    /// Build the documentation site (every rule's page, the guides, a search) into OUT.
    Site {
        out: PathBuf,
        /// The checkout whose README.md, docs/ and rules/README.md become the guides.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MapFormat {
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// The map as data (what the pictures are drawn from).
    Json,
}

#[derive(Debug, Args)]
pub struct MapArgs {
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: MapFormat,
    /// Write the map to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Draw every sender; by default, past 30 senders the ones without findings are drawn as
    /// one node per region (and the map says so).
    #[arg(long)]
    pub expand: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    /// An aligned table.
    Human,
    /// The rows as data.
    Json,
    /// A GitHub-flavoured table and the map (Mermaid).
    Markdown,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: StatusFormat,
}

#[derive(Debug, Args)]
pub struct FactsArgs {
    /// Print the JSON schema of the facts document instead (what rule files are checked
    /// against); analyzes nothing.
    #[arg(long)]
    pub schema: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// What the analysis needs to know: environment, parameters, SES state, configuration, rules.
#[derive(Debug, Args, Default)]
pub struct AnalysisArgs {
    /// Files or directories to check; `-` reads standard input.
    pub paths: Vec<PathBuf>,
    /// The path standard input is reported under (and configuration is found from).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<String>,
    /// With `-`: also analyze this directory, so the buffer is joined with the rest of the
    /// project (its on-disk copy is replaced by the buffer).
    #[arg(long, value_name = "DIR")]
    pub project_root: Option<PathBuf>,
    /// Skip named paths that do not exist instead of exiting with status 2 (for hooks and CI
    /// steps whose input, like `cdk.out`, exists only sometimes).
    #[arg(long)]
    pub allow_missing: bool,
    /// The region of stacks that do not carry one (CDK manifests win).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// The account of stacks that do not carry one (CDK manifests win).
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// The samconfig environment whose deploy `region` applies to the template beside it
    /// [default: `config-env` from the config file, else `default`].
    #[arg(long, value_name = "ENV")]
    pub config_env: Option<String>,
    /// A template parameter value (repeatable); wins over `--param-file` and `Default`.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Parameter values from a CloudFormation CLI JSON list, a CodePipeline template
    /// configuration, or samconfig.toml `parameter_overrides` (repeatable).
    #[arg(long = "param-file", value_name = "FILE")]
    pub param_files: Vec<PathBuf>,
    /// SES in this region (of this account) is in the sandbox (repeatable).
    #[arg(long, value_name = "[ACCOUNT:]REGION")]
    pub ses_sandbox: Vec<String>,
    /// SES in this region (of this account) has production access (repeatable).
    #[arg(long, value_name = "[ACCOUNT:]REGION")]
    pub ses_production: Vec<String>,
    /// Use this configuration file instead of finding `.sandtrap.yaml` upward.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also load the rules in this directory (repeatable).
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Only these rules: codes, names or code prefixes (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<String>>,
    /// Not these rules: codes, names or code prefixes (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Read the SES state of each account and region live (SESv2 GetAccount and
    /// GetEmailIdentity, read-only); wins over `--ses-*` and the config file. Needs the `aws`
    /// feature.
    #[arg(long)]
    pub aws: bool,
    /// With `--aws`: use this profile of the AWS config files.
    #[arg(long, value_name = "NAME", requires = "aws")]
    pub aws_profile: Option<String>,
    /// With `--aws`: send requests to this endpoint (an emulator or a test server).
    #[arg(long, value_name = "URL", requires = "aws")]
    pub aws_endpoint_url: Option<String>,
    /// With `--aws`: the role to assume in accounts other than the credentials' own, when no CDK
    /// lookup role reaches them (`{account}` stands for each account; session name `sandtrap`).
    #[arg(long, value_name = "ARN", requires = "aws")]
    pub aws_role_arn: Option<String>,
    /// With `--aws`: give up on a request after this many seconds, retries included.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, requires = "aws")]
    pub aws_timeout: f64,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Exit with status 1 when a diagnostic is at or above this severity [default: warning,
    /// or `fail-level` from the config file].
    #[arg(long, value_enum)]
    pub fail_level: Option<FailLevel>,
    /// Exit with status 0 even when there are findings; status 2 (sandtrap could not run as
    /// asked) still fails.
    #[arg(long)]
    pub exit_zero: bool,
    /// Colour in the human format: `auto` colours a terminal unless `NO_COLOR` is set or `TERM`
    /// is `dumb`, and `FORCE_COLOR` colours even a pipe.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print the diagnostics and nothing else: no summary line, no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the number of findings per code instead of the findings (text, or JSON with
    /// `--format json`).
    #[arg(long)]
    pub statistics: bool,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour, given whether the report goes to a terminal and the environment
    /// (`NO_COLOR` wins over `FORCE_COLOR`, as no-color.org asks; an empty value is unset).
    pub fn resolve(self, to_terminal: bool, env: &dyn Fn(&str) -> Option<String>) -> bool {
        let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR") => false,
            ColorChoice::Auto if set("FORCE_COLOR") => {
                env("FORCE_COLOR").is_none_or(|v| v != "0" && v != "false")
            }
            ColorChoice::Auto => to_terminal && env("TERM").is_none_or(|t| t != "dumb"),
        }
    }
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
    /// Whether standard error is a terminal (progress bar of a long human-format run).
    pub stderr_is_terminal: bool,
}

/// Runs one command.
pub fn run(cli: Cli, io: Io<'_>) -> io::Result<Exit> {
    match cli.command {
        Command::Check(args) => check(args, io),
        Command::Facts(args) => facts(args, io),
        Command::Map(args) => map(args, io),
        Command::Status(args) => status(args, io),
        Command::Explain { rule, rules } => explain(&rule, &rules, io),
        Command::Rules { format, rules } => list_rules(format, &rules, io),
        Command::Lsp { stdio: _ } => lsp(io),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut public_command(), "sandtrap", io.stdout);
            Ok(Exit::Clean)
        }
        Command::Man { output_dir } => man(output_dir, io),
        Command::Debug(DebugCommand::Load { file }) => debug::load(&file, io),
        Command::Debug(DebugCommand::Site { out, root }) => debug::site(&out, &root, io),
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
    #[diagnostic(code(sandtrap::cli::stdin))]
    Stdin(#[source] io::Error),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Param(#[from] crate::params::ParamError),

    #[error("`--aws-timeout {0}` is not a positive number of seconds")]
    #[diagnostic(code(sandtrap::cli::aws_timeout))]
    AwsTimeout(f64),

    #[error(
        "`--aws-role-arn {0}` is not an IAM role ARN (e.g. `arn:aws:iam::{{account}}:role/NAME`, `{{account}}` standing for each account to read)"
    )]
    #[diagnostic(code(sandtrap::cli::aws_role_arn))]
    AwsRoleArn(String),
}

/// The command line as users see it: without the hidden commands (`debug`), which clap's
/// completion generators would otherwise offer, and without the `help` subcommand, which has no
/// page of its own.
fn public_command() -> clap::Command {
    let cli = Cli::command();
    let public: Vec<clap::Command> = cli
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .cloned()
        .collect();
    // clap cannot remove a subcommand: rebuild the top level with the public ones only.
    let mut top = clap::Command::new("sandtrap")
        .version(env!("CARGO_PKG_VERSION"))
        .max_term_width(100)
        .propagate_version(true)
        .disable_help_subcommand(true)
        .subcommands(public);
    if let Some(about) = cli.get_about() {
        top = top.about(about.clone());
    }
    top
}

/// `sandtrap man`: the top page on standard output, or every page into a directory.
fn man(output_dir: Option<PathBuf>, io: Io<'_>) -> io::Result<Exit> {
    let mut top = public_command();
    top.build();
    let Some(dir) = output_dir else {
        clap_mangen::Man::new(top).render(io.stdout)?;
        return Ok(Exit::Clean);
    };
    let mut pages = vec![top.clone()];
    pages.extend(top.get_subcommands().cloned());
    for page in pages {
        let man = clap_mangen::Man::new(page);
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        let path = dir.join(man.get_filename());
        if let Err(err) = std::fs::write(&path, roff) {
            writeln!(io.stderr, "error: cannot write {}: {err}", path.display())?;
            return Ok(Exit::Usage);
        }
    }
    Ok(Exit::Clean)
}

/// Reads standard input when asked and turns the arguments into run options.
fn options(args: &AnalysisArgs, io: &mut Io<'_>) -> io::Result<Result<CheckOptions, OptionsError>> {
    let mut stdin = None;
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let text =
            crate::input::read_bounded(io.stdin, crate::input::MAX_FILE_BYTES).and_then(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
            });
        match text {
            Ok(text) => stdin = Some(text),
            Err(err) => return Ok(Err(OptionsError::Stdin(err))),
        }
    }
    let params = match crate::params::parse_params(&args.params) {
        Ok(params) => params,
        Err(err) => return Ok(Err(err.into())),
    };
    Ok(Ok(CheckOptions {
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
        rules_dirs: args.rules.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        overrides: std::collections::BTreeMap::new(),
        aws: match aws_options(args) {
            Ok(aws) => aws,
            Err(err) => return Ok(Err(err)),
        },
        map: None,
    }))
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
    let text = crate::emit::human::render_error(err, terminal_width());
    io.stderr.write_all(text.as_bytes())?;
    Ok(Exit::Usage)
}

fn run_analysis(
    args: &AnalysisArgs,
    map: Option<crate::map::MapOptions>,
    progress: &Progress,
    io: &mut Io<'_>,
) -> io::Result<Result<check::Outcome, Exit>> {
    let options = match options(args, io)? {
        Ok(options) => CheckOptions { map, ..options },
        Err(err) => {
            writeln!(io.stderr, "error: {err}")?;
            return Ok(Err(Exit::Usage));
        }
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

fn facts(args: FactsArgs, mut io: Io<'_>) -> io::Result<Exit> {
    if args.schema {
        serde_json::to_writer_pretty(&mut *io.stdout, &crate::join::facts::schema())?;
        writeln!(io.stdout)?;
        return Ok(Exit::Clean);
    }
    let outcome = match run_analysis(&args.analysis, None, &Progress::new(false), &mut io)? {
        Ok(outcome) => outcome,
        Err(exit) => return Ok(exit),
    };
    serde_json::to_writer_pretty(&mut *io.stdout, &outcome.facts_json())?;
    writeln!(io.stdout)?;
    Ok(Exit::Clean)
}

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
fn map(args: MapArgs, mut io: Io<'_>) -> io::Result<Exit> {
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
        Some(path) => {
            if let Err(err) = std::fs::write(path, text) {
                writeln!(io.stderr, "error: cannot write {}: {err}", path.display())?;
                return Ok(Exit::Usage);
            }
        }
        None => io.stdout.write_all(text.as_bytes())?,
    }
    Ok(Exit::Clean)
}

/// `sandtrap status`: the table of every (account, region). Like `map`, it reports: only a run
/// that cannot happen exits non-zero (2).
fn status(args: StatusArgs, mut io: Io<'_>) -> io::Result<Exit> {
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

fn explain(rule: &str, dirs: &[PathBuf], mut io: Io<'_>) -> io::Result<Exit> {
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

fn list_rules(format: RulesFormat, dirs: &[PathBuf], mut io: Io<'_>) -> io::Result<Exit> {
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

fn check(args: CheckArgs, mut io: Io<'_>) -> io::Result<Exit> {
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
    let root = std::env::current_dir().unwrap_or_default();
    let source_url = source_url();
    let report = Report {
        files: &outcome.files,
        diagnostics: &outcome.diagnostics,
        summary: outcome.summary,
        catalog: &outcome.catalog,
        templates: &outcome.templates,
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
        width: terminal_width(),
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
            if let Err(err) = std::fs::write(path, buffer) {
                writeln!(io.stderr, "error: cannot write {}: {err}", path.display())?;
                return Ok(Exit::Usage);
            }
        }
        None => write(io.stdout)?,
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

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100)
}

fn lsp(io: Io<'_>) -> io::Result<Exit> {
    let clean =
        crate::lsp::serve_stdio(crate::lsp::ServerOptions::default(), io.stdout, io.stderr)?;
    Ok(if clean { Exit::Clean } else { Exit::Findings })
}

/// Whether standard output is a terminal; a helper for `main.rs`.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Whether standard error is a terminal; a helper for `main.rs`.
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

//! The command line's grammar: every command, flag and value as clap parses it. What each
//! command does is in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diagnostic::Severity;
use crate::emit::OutputFormat;

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
        /// Do not read the analysis cache of `sandtrap check` for the first analysis.
        #[arg(long, env = "SANDTRAP_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
        no_cache: bool,
        /// Read the analysis cache for the first analysis from this directory, relative to the
        /// first workspace folder [default: `.sandtrap_cache`, when it exists].
        #[arg(long, value_name = "DIR", env = "SANDTRAP_CACHE_DIR")]
        cache_dir: Option<PathBuf>,
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
    /// Print every Terraform pool instance as evaluated (address, region, the arguments the
    /// facts read), as JSON.
    Terraform {
        #[command(flatten)]
        analysis: Box<AnalysisArgs>,
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
    /// A Terraform input variable (repeatable), as `terraform plan -var`; wins over
    /// `--var-file`, tfvars files and `TF_VAR_name`.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A Terraform variables file (repeatable), as `terraform plan -var-file`; wins over
    /// `terraform.tfvars` and `*.auto.tfvars`.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// SES in this region (of this account) is in the sandbox (repeatable).
    #[arg(long, value_name = "[ACCOUNT:]REGION")]
    pub ses_sandbox: Vec<String>,
    /// SES in this region (of this account) has production access (repeatable).
    #[arg(long, value_name = "[ACCOUNT:]REGION")]
    pub ses_production: Vec<String>,
    /// Use this configuration file instead of finding `.sandtrap.yaml` upward.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Never read paths matching these globs (comma-separated or repeated; a glob without `/`
    /// matches a name at any depth, one with `/` a path from the current directory), even when
    /// named; replaces the config file's `exclude` [default: `node_modules`], and its
    /// `extend-exclude` still applies.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Option<Vec<String>>,
    /// Also load the rules in this directory (repeatable).
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Neither read nor write the analysis cache.
    #[arg(long, env = "SANDTRAP_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,
    /// Keep the analysis cache (each file's analysis, reused while the file and the run's
    /// inputs are unchanged) in this directory [default: `.sandtrap_cache` in the project root:
    /// `--project-root`, else the config file's directory, else the current directory].
    #[arg(long, value_name = "DIR", env = "SANDTRAP_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
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
    /// The directory the `sarif`, `gitlab` and `markdown` reports give paths relative to
    /// [default: the repository root, the nearest directory upward holding `.git`, else the
    /// current directory].
    #[arg(long, value_name = "DIR")]
    pub repository_root: Option<PathBuf>,
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

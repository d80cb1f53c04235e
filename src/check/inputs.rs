//! The inputs of a run that do not come from the analyzed files: the config file, parameter
//! values, SES state declarations, and each stack's environment by the precedence of
//! docs/architecture.md ("Inputs and their precedence").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{CheckError, CheckOptions};
use crate::cloudformation::resolve::StackEnv;
use crate::config::{self, Config};
use crate::discover::{Exclude, Origin, Target};
use crate::join::{EnvSource, SesDeclaration, SesState, StateSource};
use crate::tree::Node;

/// Everything resolved once per run.
pub struct RunInputs {
    pub config: Config,
    /// `--param-file` values, then `--param` on top.
    pub params: BTreeMap<String, String>,
    pub ses: Vec<SesDeclaration>,
    /// With `--aws`: how other accounts are reached; the flag's role wins over the config's,
    /// and profiles come from the config (`aws.profiles`).
    pub aws_routes: Option<crate::join::live::RouteOptions>,
    /// The paths never read: the config file's `exclude` (or `--exclude`, or the default) and
    /// `extend-exclude`.
    pub exclude: crate::discover::Exclude,
    /// The run's directory, which relative paths are read from.
    cwd: PathBuf,
    /// The config file's directory, absolute, and with its links resolved (taken once per run,
    /// not per file).
    config_dir: Option<(PathBuf, Option<PathBuf>)>,
    /// The deploy configuration files found in the run's directories so far.
    pub(super) deploy_probes: super::deploy::Probes,
}

impl RunInputs {
    /// What every file's analysis reads besides the file: the flags and settings of the run.
    pub(super) fn fingerprint(&self, options: &CheckOptions) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        (
            &options.cwd,
            &options.region,
            &options.account,
            &options.config_env,
            &options.env_region,
        )
            .hash(&mut hasher);
        // Not `stdin_filename`: it decides which target is standard input (never kept on disk, and
        // an entry of its own in memory) and where the config file is found from (hashed below),
        // so an editor's on-save run (`--stdin-filename F --project-root . -`) and a plain check of
        // the project share their entries.
        self.params.hash(&mut hasher);
        if let Some(source) = self.config.source() {
            (&source.name, &source.path, &*source.text).hash(&mut hasher);
        }
        // The text keeps the parameter values masked (a change of one is a change of the inputs).
        for stack in &self.config.stacks {
            for (name, value) in &stack.params {
                (name, &value.value).hash(&mut hasher);
            }
        }
        hasher.finish()
    }

    pub fn load(options: &CheckOptions) -> Result<Self, CheckError> {
        let config = match &options.config {
            Some(path) => config::load(path, &options.cwd).map_err(Box::new)?,
            None => {
                let start = options
                    .stdin_filename
                    .as_ref()
                    .and_then(|f| Path::new(f).parent().map(|p| options.cwd.join(p)))
                    .unwrap_or_else(|| options.cwd.clone());
                match config::find(&start) {
                    Some(path) => {
                        let name = relative_to(&path, &options.cwd);
                        config::load_named(&path, name, &options.cwd).map_err(Box::new)?
                    }
                    None => Config::default(),
                }
            }
        };
        // A typo in a flag would otherwise become an ST202 finding in every template.
        if let Some(region) = options.region.as_ref().filter(|r| !config::is_region(r)) {
            return Err(CheckError::RegionFlag(region.clone()));
        }
        if let Some(account) = options.account.as_ref().filter(|a| !config::is_account(a)) {
            return Err(CheckError::AccountFlag(account.clone()));
        }
        let mut params = BTreeMap::new();
        for file in &options.param_files {
            params.extend(crate::params::load_param_file(file, &options.cwd)?);
        }
        params.extend(options.params.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut ses = Vec::new();
        for (flags, state) in [
            (&options.ses_sandbox, SesState::Sandbox),
            (&options.ses_production, SesState::Production),
        ] {
            for flag in flags {
                let (account, region) = parse_ses_flag(flag)?;
                ses.push(SesDeclaration {
                    account,
                    region,
                    state,
                    source: StateSource::Flag,
                    location: None,
                });
            }
        }
        ses.extend(config_declarations(&config));
        let config_dir = config.dir().map(|dir| {
            let absolute = crate::discover::absolute(dir, Some(&options.cwd));
            let canonical = absolute.canonicalize().ok();
            (absolute, canonical)
        });
        let aws_routes = options
            .aws
            .as_ref()
            .map(|aws| aws_routes(&aws.routes, &config));
        let exclude = exclusions(options, &config)?;
        Ok(Self {
            config,
            params,
            ses,
            aws_routes,
            exclude,
            cwd: options.cwd.clone(),
            config_dir,
            deploy_probes: super::deploy::Probes::default(),
        })
    }

    /// The path of `target` relative to the config file's directory (or the display name), as
    /// `stacks:` and `per-file-ignores:` globs see it.
    pub fn relative_path(&self, target_name: &str, target_path: Option<&Path>) -> String {
        let shown = |relative: &Path| relative.to_string_lossy().replace('\\', "/");
        if let (Some(path), Some((dir, canonical_dir))) = (target_path, &self.config_dir) {
            // By the path's own components, without a system call: a walked file under the
            // config file's directory (nearly every file of a run). A path that climbs (`..`)
            // or lies elsewhere is compared with its links resolved, as the file system sees it.
            let absolute = crate::discover::absolute(path, Some(&self.cwd));
            if !crate::discover::climbs(&absolute)
                && let Ok(relative) = absolute.strip_prefix(dir)
            {
                return shown(relative);
            }
            return match (absolute.canonicalize().ok(), canonical_dir) {
                (Some(file), Some(dir)) => file
                    .strip_prefix(dir)
                    .map(shown)
                    .unwrap_or_else(|_| target_name.to_owned()),
                _ => target_name.to_owned(),
            };
        }
        target_name.trim_start_matches("./").to_owned()
    }
}

/// The paths a run never reads, as ruff layers them: `--exclude` replaces the config file's
/// `exclude`, which replaces [`DEFAULT_EXCLUDE`](crate::discover::exclude::DEFAULT_EXCLUDE);
/// `extend-exclude` adds to whichever applies. The config's globs are relative to its
/// directory, the flag's to the current directory.
fn exclusions(
    options: &CheckOptions,
    config: &Config,
) -> Result<crate::discover::Exclude, CheckError> {
    let mut exclude = crate::discover::Exclude::none();
    let config_dir = config.dir().map_or_else(
        || options.cwd.clone(),
        |d| crate::discover::absolute(d, Some(&options.cwd)),
    );
    let from_config = |exclude: &mut crate::discover::Exclude, globs: &[config::ExcludeGlob]| {
        for g in globs {
            exclude.push(&g.glob.value, g.matcher.clone(), &config_dir);
        }
    };
    match (&options.exclude, &config.exclude) {
        (Some(flags), _) => {
            for glob in flags {
                let matcher = config::compile_glob(glob).map_err(|e| CheckError::ExcludeFlag {
                    glob: glob.clone(),
                    reason: e.kind().to_string(),
                })?;
                exclude.push(glob, matcher, &options.cwd);
            }
        }
        (None, Some(globs)) => from_config(&mut exclude, globs),
        (None, None) => {
            for glob in crate::discover::exclude::DEFAULT_EXCLUDE {
                if let Ok(matcher) = config::compile_glob(glob) {
                    exclude.push(glob, matcher, &options.cwd);
                }
            }
        }
    }
    from_config(&mut exclude, &config.extend_exclude);
    Ok(exclude)
}

/// What the config file's `ses:` says, as declarations the join weighs with the flags'.
fn config_declarations(config: &Config) -> Vec<SesDeclaration> {
    let name = config.source().map(|s| s.name.clone());
    let mut out = Vec::new();
    for entry in &config.ses {
        for region in &entry.regions {
            out.push(SesDeclaration {
                account: entry.account.as_ref().map(|a| a.value.clone()),
                region: region.value.clone(),
                state: entry.state,
                source: StateSource::Config,
                location: name.clone().map(|n| (n, region.span)),
            });
        }
    }
    out
}

/// `path` as seen from `dir` (`../.sandtrap.yaml` for a file found above it), so a found config
/// file is reported like every other file of the run.
fn relative_to(path: &Path, dir: &Path) -> String {
    for (up, ancestor) in dir.ancestors().enumerate() {
        if let Ok(rest) = path.strip_prefix(ancestor) {
            let mut name = "../".repeat(up);
            name.push_str(&rest.to_string_lossy());
            return name;
        }
    }
    path.display().to_string()
}

/// The routes to other accounts: `--aws-role-arn` › config `aws.role-arn`; a profile per account
/// from the config, unless a flag already named one.
fn aws_routes(
    flags: &crate::join::live::RouteOptions,
    config: &Config,
) -> crate::join::live::RouteOptions {
    let mut routes = flags.clone();
    if routes.role_arn.is_none()
        && let Some(role) = &config.aws_role_arn
    {
        routes.role_arn = Some((role.value.clone(), crate::join::live::RoleSource::Config));
    }
    for (account, profile) in &config.aws_profiles {
        routes
            .profiles
            .entry(account.value.clone())
            .or_insert_with(|| profile.value.clone());
    }
    routes
}

/// `[ACCOUNT:]REGION`.
fn parse_ses_flag(flag: &str) -> Result<(Option<String>, String), CheckError> {
    let (account, region) = match flag.split_once(':') {
        Some((a, r)) => (Some(a.to_owned()), r.to_owned()),
        None => (None, flag.to_owned()),
    };
    let bad_account = account.as_deref().is_some_and(|a| !config::is_account(a));
    if bad_account || !(config::is_region(&region) || region == config::ANY_REGION) {
        return Err(CheckError::SesFlag(flag.to_owned()));
    }
    Ok((account, region))
}

/// A stack's environment with where each part came from.
pub struct Resolved {
    pub env: StackEnv,
    pub account_source: EnvSource,
    pub region_source: EnvSource,
    /// Where a region from deploy configuration was read (`samconfig.toml` and the span of its
    /// `region` value), for related labels.
    pub region_location: Option<(String, crate::source::Span)>,
    /// Why the deploy configuration gives no region, when it was looked at and the region stays
    /// unknown (a Serverless `${opt:region}`).
    pub region_note: Option<String>,
    pub stack_name: String,
    /// What the deploy configuration lookup found, when it ran (`None`: a source above it gave
    /// the region, so it was not looked at).
    pub deploy: Option<Option<super::deploy::Deploy>>,
}

/// Applies the precedence of docs/architecture.md ("Inputs and their precedence") to one stack.
/// `given` is the deploy configuration a front end read itself (a Serverless Framework
/// service's `provider.region`), which then stands for the one looked up beside the template.
pub fn stack_env(
    target: &Target,
    root: &Node,
    relative: &str,
    options: &CheckOptions,
    inputs: &RunInputs,
    given: Option<super::deploy::Deploy>,
) -> Resolved {
    let entry = inputs.config.stack_for(relative);
    let cdk = match &target.origin {
        Origin::Cdk(stack) => Some(&**stack),
        _ => None,
    };
    let config_region = entry
        .and_then(|e| e.region.as_ref())
        .map(|r| r.value.clone());
    // The deploy configuration is read only when no source above it gives the region.
    let above = [&target.environment.region, &options.region, &config_region];
    let looked_up = match (&target.origin, &target.path) {
        _ if given.is_some() => None,
        (Origin::Cdk(_), _) | (_, None) => None,
        _ if above
            .iter()
            .any(|r| r.as_ref().is_some_and(|r| !r.is_empty())) =>
        {
            None
        }
        (_, Some(path)) => Some(super::deploy::lookup_probed(
            path,
            &target.name,
            config_env(options, inputs),
            &inputs.deploy_probes,
        )),
    };
    let deploy = given.or_else(|| looked_up.clone().flatten());
    let deploy_region = deploy.as_ref().and_then(|d| d.region.clone());
    let metadata_region = root
        .get_path(&["Metadata", "sandtrap", "region"])
        .and_then(Node::as_str)
        .map(str::to_owned);
    let (region, region_source) = first([
        (target.environment.region.clone(), EnvSource::CdkManifest),
        (options.region.clone(), EnvSource::Flag),
        (config_region, EnvSource::Config),
        (
            deploy_region.as_ref().map(|d| d.region.clone()),
            EnvSource::DeployConfig,
        ),
        (metadata_region, EnvSource::TemplateMetadata),
        (options.env_region.clone(), EnvSource::Environment),
    ]);
    let (account, account_source) = first([
        (target.environment.account.clone(), EnvSource::CdkManifest),
        (options.account.clone(), EnvSource::Flag),
        (
            entry
                .and_then(|e| e.account.as_ref())
                .map(|a| a.value.clone()),
            EnvSource::Config,
        ),
    ]);
    // --param › --param-file › config `stacks:` params › CDK manifest parameters › Default.
    let mut parameters: BTreeMap<String, String> =
        cdk.map(|c| c.parameters.clone()).unwrap_or_default();
    if let Some(entry) = entry {
        parameters.extend(
            entry
                .params
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone())),
        );
    }
    parameters.extend(inputs.params.iter().map(|(k, v)| (k.clone(), v.clone())));
    let stack_name = cdk
        .map(|c| c.stack_name.clone())
        .unwrap_or_else(|| stem(&target.name));
    Resolved {
        env: StackEnv {
            account,
            region,
            stack_name: Some(stack_name.clone()),
            parameters,
        },
        account_source,
        region_source,
        region_location: deploy_region
            .filter(|_| region_source == EnvSource::DeployConfig)
            .map(|d| (d.file, d.span)),
        region_note: deploy
            .and_then(|d| d.note)
            .filter(|_| region_source == EnvSource::Unknown),
        stack_name,
        deploy: looked_up,
    }
}

/// The samconfig environment whose deploy region applies: `--config-env`, else the config
/// file's `config-env`, else `default`.
pub(super) fn config_env<'a>(options: &'a CheckOptions, inputs: &'a RunInputs) -> &'a str {
    options
        .config_env
        .as_deref()
        .or(inputs.config.config_env.as_ref().map(|e| e.value.as_str()))
        .filter(|e| !e.is_empty())
        .unwrap_or("default")
}

fn first<const N: usize>(
    candidates: [(Option<String>, EnvSource); N],
) -> (Option<String>, EnvSource) {
    candidates
        .into_iter()
        .find_map(|(value, source)| value.filter(|v| !v.is_empty()).map(|v| (Some(v), source)))
        .unwrap_or((None, EnvSource::Unknown))
}

/// A loose template's stack name: its file name without the extension.
fn stem(name: &str) -> String {
    let path = PathBuf::from(name);
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_owned())
}

/// Everything besides the files on disk that decides a run's files: the paths named, standard
/// input and the project around it, the editor's buffers (by path: a buffer's text decides its
/// analysis, not whether it is analyzed) and the exclusions.
#[derive(PartialEq)]
pub(super) struct TargetsKey {
    paths: Vec<PathBuf>,
    cwd: PathBuf,
    stdin: Option<(Option<String>, Option<PathBuf>)>,
    allow_missing: bool,
    buffers: Vec<PathBuf>,
    exclude: Exclude,
}

impl TargetsKey {
    pub(super) fn of(options: &CheckOptions, exclude: &Exclude) -> Self {
        let stdin = (options.paths.iter().any(|p| p.as_os_str() == "-"))
            .then(|| (options.stdin_filename.clone(), options.project_root.clone()));
        TargetsKey {
            paths: options.paths.clone(),
            cwd: options.cwd.clone(),
            stdin,
            allow_missing: options.allow_missing,
            buffers: options.overrides.keys().cloned().collect(),
            exclude: exclude.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{config_declarations, relative_to};
    use std::path::Path;

    #[test]
    fn found_config_files_are_named_relative_to_the_current_directory() {
        let cwd = Path::new("/repo/infra/auth");
        assert_eq!(
            relative_to(Path::new("/repo/infra/auth/.sandtrap.yaml"), cwd),
            ".sandtrap.yaml"
        );
        assert_eq!(
            relative_to(Path::new("/repo/.sandtrap.yaml"), cwd),
            "../../.sandtrap.yaml"
        );
    }

    #[test]
    fn ses_state_prefers_the_account_entry_then_sandbox() {
        let text = r#"ses:
      production:
        - regions: [us-east-1, eu-west-1]
        - regions: [ap-northeast-1]
          account: "111111111111"
      sandbox:
        - regions: [eu-west-1]
        - regions: [us-east-1]
          account: "222222222222"
        - regions: [ap-northeast-1]
    "#;
        let c = crate::config::parse("x", text).unwrap();
        let declarations = config_declarations(&c);
        let src = c.source().unwrap();
        let state = |account, region| {
            crate::join::ses_state(&declarations, account, region).map(|d| {
                let state = d.state;
                let span = d
                    .location
                    .as_ref()
                    .map(|(_, span)| *span)
                    .unwrap_or_default();
                (state, src.position(span.start).line)
            })
        };
        // Any-account production entry.
        assert_eq!(
            state(Some("111111111111"), "us-east-1"),
            Some((crate::config::SesState::Production, 3))
        );
        assert_eq!(
            state(None, "us-east-1"),
            Some((crate::config::SesState::Production, 3))
        );
        // The account-specific sandbox entry beats the generic production one.
        assert_eq!(
            state(Some("222222222222"), "us-east-1"),
            Some((crate::config::SesState::Sandbox, 8))
        );
        // Both generic: sandbox wins.
        assert_eq!(
            state(None, "eu-west-1"),
            Some((crate::config::SesState::Sandbox, 7))
        );
        // The account-specific production entry beats the generic sandbox one...
        assert_eq!(
            state(Some("111111111111"), "ap-northeast-1"),
            Some((crate::config::SesState::Production, 4))
        );
        // ...but only for that account, and never for an unknown account.
        assert_eq!(
            state(Some("333333333333"), "ap-northeast-1"),
            Some((crate::config::SesState::Sandbox, 10))
        );
        assert_eq!(
            state(None, "ap-northeast-1"),
            Some((crate::config::SesState::Sandbox, 10))
        );
        assert_eq!(state(None, "sa-east-1"), None);
    }
}

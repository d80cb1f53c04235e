//! Paths to the list of files to analyze: walks directories (honouring `.gitignore`), reads CDK
//! cloud assemblies as units, and leaves everything else for the loader to classify.

pub mod cdk;
pub mod classify;
pub mod exclude;
mod pseudo;
mod walk;

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

pub use exclude::Exclude;

use crate::load::LoadProblem;
use crate::source::{SourceFile, Span};

/// Account and region a stack deploys to, as far as its origin says.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Environment {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// Where a target came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    /// A loose file: it is a template only if it looks like one.
    Loose,
    /// Standard input, reported under `--stdin-filename`.
    Stdin,
    /// A stack of a CDK cloud assembly: always a template.
    Cdk(Box<CdkStack>),
    /// A Terraform or OpenTofu configuration file (`.tf`, `.tf.json`, `.tofu`, `.tofu.json`):
    /// its directory is a module, analyzed by the Terraform front end as a whole.
    Terraform,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CdkStack {
    /// The manifest that declared the stack (its display name).
    pub manifest: String,
    /// The artifact id (the stack's logical name in the assembly).
    pub artifact_id: String,
    /// `properties.stackName`, or the artifact id.
    pub stack_name: String,
    /// For a nested stack template, the artifact id of its parent stack.
    pub nested_in: Option<String>,
    /// The artifact id of the stack deployed with `cdk deploy`: its own for a stack, the
    /// top-level stack's for a nested one. Stacks with the same one are one CloudFormation
    /// deployment.
    pub deployment: String,
    /// Span of the `environment` value in the manifest, for related locations.
    pub environment_span: Option<Span>,
    /// `properties.parameters`.
    pub parameters: BTreeMap<String, String>,
    /// `properties.lookupRole`: the read-only bootstrap role `cdk diff` and context lookups
    /// assume in the stack's account (a nested stack has its top-level stack's).
    pub lookup_role: Option<Box<LookupRole>>,
}

/// A CDK stack's `properties.lookupRole` as the manifest writes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LookupRole {
    /// As written, placeholders included:
    /// `arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-us-west-2`.
    pub arn: String,
    /// `requiresBootstrapStackVersion`: the bootstrap version that created the role.
    pub requires_bootstrap_version: Option<u64>,
    /// `assumeRoleExternalId`.
    pub external_id: Option<String>,
    /// `assumeRoleAdditionalOptions` that STS `AssumeRole` takes.
    pub options: AssumeRoleOptions,
}

/// The parameters of STS `AssumeRole` a CDK manifest may add (`assumeRoleAdditionalOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AssumeRoleOptions {
    pub duration_seconds: Option<i32>,
    /// Session tags (`Tags: [{Key, Value}]`).
    pub tags: Vec<(String, String)>,
    pub transitive_tag_keys: Vec<String>,
    pub source_identity: Option<String>,
    /// An inline session policy (JSON text).
    pub policy: Option<String>,
    /// Managed session policies (`PolicyArns: [{arn}]`).
    pub policy_arns: Vec<String>,
}

/// One file to analyze.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    /// Display name (as given, or relative to the current directory when walked).
    pub name: String,
    /// Path on disk; `None` for standard input.
    pub path: Option<PathBuf>,
    /// Named explicitly on the command line.
    pub explicit: bool,
    pub origin: Origin,
    pub environment: Environment,
}

/// A manifest or path that could not be read; reported as `ST001` against `file`.
#[derive(Clone, Debug)]
pub struct FileProblem {
    pub file: SourceFile,
    pub problem: LoadProblem,
}

/// Everything discovery found.
#[derive(Clone, Debug, Default)]
pub struct Discovered {
    pub targets: Vec<Target>,
    pub problems: Vec<FileProblem>,
    /// A walk stopped at [`WalkLimits::max_entries`]: what it found before is all there is.
    pub limit_reached: bool,
    /// The directories the walks entered (not those skipped as ignored, excluded or cloud
    /// assemblies): a watcher of the workspace watches them.
    pub dirs: Vec<PathBuf>,
    /// A walk met a symbolic link (to a file or a directory, followed or not): what it
    /// found then depends on more than the directories it entered.
    links_met: bool,
    /// The walked files that are symbolic links, by path, with the file they lead to: they
    /// are the one way a walk meets a file twice.
    links: HashMap<PathBuf, PathBuf>,
    /// Candidates refused because they are symbolic links out of their tree, with why: reported
    /// when a named path yields nothing else ([`refused_problems`]).
    refused: Vec<(PathBuf, &'static str)>,
}

impl Discovered {
    /// What a walk that found `targets` and nothing else discovered.
    pub fn walked(targets: Vec<Target>) -> Discovered {
        Discovered {
            targets,
            ..Discovered::default()
        }
    }

    /// Whether what was found depends only on the entries of the directories the walks
    /// entered (and the ignore files there): no symbolic link met, nothing refused or
    /// unreadable, no bound reached.
    pub fn only_entries(&self) -> bool {
        !self.links_met
            && self.links.is_empty()
            && self.refused.is_empty()
            && self.problems.is_empty()
            && !self.limit_reached
    }
}

/// A path named on the command line that does not exist: the run cannot proceed as asked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct DiscoverError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// What may stop a walk early: a cancelled run, and (for the language server, whose workspace
/// folder may be `/` or a home directory) a number of entries.
#[derive(Clone, Debug, Default)]
pub struct WalkLimits {
    pub cancel: crate::cancel::Cancel,
    /// Files and directories a walk visits at most; past it the walk stops and says so
    /// ([`Discovered::limit_reached`]).
    pub max_entries: Option<usize>,
}

/// Extensions of loose files worth reading (compared without regard to case). Explicitly named
/// files are read whatever their extension.
const EXTENSIONS: [&str; 4] = ["yaml", "yml", "json", "template"];

pub use crate::input::{MAX_FILE_BYTES, read_regular, read_regular_string};

/// Finds the targets under `paths` (default `.`), sorted by display name.
///
/// - A file named explicitly is always a target, even when ignored or hidden. A `manifest.json`
///   of a cloud assembly stands for its assembly; a template inside an assembly directory keeps
///   its stack's environment.
/// - A directory named explicitly is read as a cloud assembly when it holds one; otherwise it is
///   walked, honouring `.gitignore` (inside a git repository or not), `.ignore` and git's exclude
///   files, and skipping hidden files and directories as ruff does. An ignored `cdk.out` is
///   therefore skipped by a walk: name it to check it.
/// - A cloud assembly met by a walk is read as one; none of its files is also a loose target.
/// - A path that does not exist is an error: the run cannot proceed as asked.
pub fn discover(paths: &[PathBuf]) -> Result<Discovered, DiscoverError> {
    discover_within(paths, &Exclude::none(), &WalkLimits::default())
}

/// [`discover`], never reading what `exclude` excludes: a named path that it excludes (or that
/// lies in a directory it excludes) is skipped, and a walk does not enter an excluded directory.
pub fn discover_excluding(
    paths: &[PathBuf],
    exclude: &Exclude,
) -> Result<Discovered, DiscoverError> {
    discover_within(paths, exclude, &WalkLimits::default())
}

/// [`discover_excluding`], stopping the walks early when `limits` say so.
pub fn discover_within(
    paths: &[PathBuf],
    exclude: &Exclude,
    limits: &WalkLimits,
) -> Result<Discovered, DiscoverError> {
    discover_from(paths, exclude, limits, None)
}

/// [`discover_within`] for a run in `cwd` (the process's directory when `None`): the files
/// below it are named relative to it, as a run started there names them, and exclusions
/// are matched from it. A language server runs in its workspace, wherever its process was
/// started.
pub fn discover_from(
    paths: &[PathBuf],
    exclude: &Exclude,
    limits: &WalkLimits,
    cwd: Option<&Path>,
) -> Result<Discovered, DiscoverError> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let cwd = match cwd {
        Some(cwd) if cwd.is_absolute() => Some(cwd.to_path_buf()),
        _ => std::env::current_dir().ok(),
    };
    let mut found = Discovered::default();
    for path in paths {
        if let Some(cwd) = &cwd
            && exclude.excludes(path, cwd)
        {
            continue;
        }
        let metadata = std::fs::metadata(path).map_err(|source| DiscoverError {
            path: path.to_string_lossy().into_owned(),
            source,
        })?;
        let given = path.to_string_lossy().into_owned();
        let before = (found.targets.len(), found.problems.len());
        if metadata.is_dir() {
            // A named directory that cannot be listed is not an empty one: the run cannot
            // proceed as asked (a walk would skip it and pass).
            std::fs::read_dir(path).map_err(|source| DiscoverError {
                path: given.clone(),
                source,
            })?;
            match cdk::probe(path) {
                Some(text) => cdk::read(path, &tidy(&given), text, true, &mut found),
                None => {
                    if cdk::manifest_links_out(path) {
                        (found.refused).push((path.join(cdk::MANIFEST), REFUSED_MANIFEST));
                    }
                    walk::walk(path, cwd.as_deref(), exclude, limits, &mut found);
                }
            }
        } else {
            explicit_file(path, given, &mut found);
        }
        // A named path that yields nothing because what it holds was refused is not a pass.
        let refused = std::mem::take(&mut found.refused);
        if (found.targets.len(), found.problems.len()) == before {
            let problems = refused_problems(refused, cwd.as_deref());
            found.problems.extend(problems);
        }
    }
    serverless_services(&mut found.targets);
    // Sorted first, so that which of two equal-ranked spellings of one file is kept does not
    // depend on the order the walker's threads found them.
    let by_name = |a: &Target, b: &Target| a.name.cmp(&b.name).then_with(|| a.path.cmp(&b.path));
    found.targets.sort_by(by_name);
    // Several directories named can reach one file through links the walk cannot see (a
    // linked directory named beside its target): then only the file system can say.
    let resolve = paths.len() > 1 && paths.iter().any(|p| p.is_dir());
    found.targets = dedup(
        std::mem::take(&mut found.targets),
        &found.links,
        resolve,
        cwd.as_deref(),
    );
    Ok(found)
}

fn explicit_file(path: &Path, given: String, found: &mut Discovered) {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let display_dir = Path::new(&given)
        .parent()
        .map(|p| tidy(&p.to_string_lossy()))
        .unwrap_or_default();
    if path.file_name() == Some(OsStr::new(cdk::MANIFEST)) {
        if cdk::manifest_links_out(parent) {
            // Read as a loose file, it would be "no template": a refusal must say so.
            found.refused.push((path.to_path_buf(), REFUSED_MANIFEST));
            return;
        }
        if let Ok(text) = cdk::read_manifest(parent, parent)
            && cdk::is_assembly_manifest(&text)
        {
            cdk::read(parent, &display_dir, text, true, found);
            return;
        }
    }
    // A template handed over on its own (by a pre-commit hook, say) that belongs to an assembly
    // is still that assembly's stack, with its environment.
    if let Some(text) = cdk::probe(parent) {
        let mut assembly = Discovered::default();
        cdk::read(parent, &display_dir, text, true, &mut assembly);
        let canonical = std::fs::canonicalize(path).ok();
        if let Some(mut target) = assembly.targets.into_iter().find(|t| {
            canonical.is_some()
                && t.path.as_ref().and_then(|p| std::fs::canonicalize(p).ok()) == canonical
        }) {
            target.name = given;
            target.explicit = true;
            found.targets.push(target);
            return;
        }
    }
    // A named link is known by the file it leads to, like a walked one.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && let Ok(target) = std::fs::canonicalize(path)
    {
        found.links.insert(path.to_path_buf(), target);
    }
    found.targets.push(Target {
        name: given,
        path: Some(path.to_path_buf()),
        explicit: true,
        // A named variables file stands for its module, whose values it sets (pre-commit names
        // `terraform.tfvars` alone when only it changed).
        origin: match is_terraform(path) || is_terraform_variables(path) {
            true => Origin::Terraform,
            false => Origin::Loose,
        },
        environment: Environment::default(),
    });
}

const REFUSED_MANIFEST: &str = "the cloud assembly's manifest.json is a symbolic link to a file outside it; not read, so \
     the assembly yields no stack";

/// The refused candidates of a named path that yielded nothing else, as `ST001`s: a named
/// `cdk.out` whose manifest links out of it would otherwise pass as "0 templates in 0 files".
fn refused_problems(
    mut refused: Vec<(PathBuf, &'static str)>,
    cwd: Option<&Path>,
) -> Vec<FileProblem> {
    // Once per file (a walk also meets the manifest a named assembly refused), the most
    // telling reason first.
    refused.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then((a.1 != REFUSED_MANIFEST).cmp(&(b.1 != REFUSED_MANIFEST)))
    });
    refused.dedup_by(|later, first| later.0 == first.0);
    refused
        .into_iter()
        .map(|(path, why)| FileProblem {
            file: SourceFile::new(display(&path, cwd), Some(path.clone()), ""),
            problem: LoadProblem {
                kind: crate::load::ProblemKind::Unreadable,
                span: Span::empty(0),
                message: format!("cannot read: {why}"),
                related: None,
            },
        })
        .collect()
}

/// A Terraform configuration file, by its name.
pub fn is_terraform(path: &Path) -> bool {
    path.file_name()
        .and_then(OsStr::to_str)
        .is_some_and(crate::terraform::module::is_config_file)
}

/// A Serverless Framework service is read through the template the framework packaged from it
/// when there is one (`.serverless/cloudformation-template-update-stack.json`, which a walk skips
/// as hidden): that template becomes a target beside the service file, which is then not
/// analyzed itself (`check::files`), so the two are never both read. Of several service files
/// in one directory, a walk keeps the one the framework reads.
fn serverless_services(targets: &mut Vec<Target>) {
    let mut packaged = Vec::new();
    targets.retain(|target| {
        let Some(path) = &target.path else {
            return true;
        };
        let service =
            crate::serverless::is_service_file(path) || crate::serverless::is_script(path);
        if target.origin != Origin::Loose || !service {
            return true;
        }
        if !target.explicit && !crate::serverless::is_chosen(path) {
            return false;
        }
        if let Some(template) = crate::serverless::packaged(path) {
            let name = match Path::new(&target.name).parent() {
                Some(dir) if !dir.as_os_str().is_empty() => {
                    format!(
                        "{}/{}",
                        tidy(&dir.to_string_lossy()),
                        crate::serverless::PACKAGED
                    )
                }
                _ => crate::serverless::PACKAGED.to_owned(),
            };
            packaged.push(Target {
                name,
                path: Some(template),
                explicit: false,
                origin: Origin::Loose,
                environment: Environment::default(),
            });
        }
        true
    });
    targets.extend(packaged);
}

/// A Terraform variable definitions file, by its name.
pub fn is_terraform_variables(path: &Path) -> bool {
    path.file_name()
        .and_then(OsStr::to_str)
        .is_some_and(crate::terraform::module::is_variables_file)
}

/// Whether a change of the file at `path` can change what a run finds: a template, a Terraform
/// or Serverless file, or a file that decides which files are read and how (ignore files, the
/// configuration, SAM's deploy configuration). Editors' backup and swap files, build outputs
/// and sources of other languages cannot.
pub fn may_matter(path: &Path) -> bool {
    const DECIDING: &[&str] = &[".gitignore", ".ignore", "samconfig.toml", ".sandtrap.yaml"];
    has_candidate_extension(path)
        || is_terraform(path)
        || is_terraform_variables(path)
        || crate::serverless::is_script(path)
        || path
            .file_name()
            .and_then(OsStr::to_str)
            .is_some_and(|name| DECIDING.contains(&name))
}

fn has_candidate_extension(path: &Path) -> bool {
    path.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|ext| EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

/// How a walked path is shown: relative to the current directory when it is under it, without
/// a leading `./`, otherwise as the walk produced it (prefixed by the root as the user typed it).
pub(crate) fn display(path: &Path, cwd: Option<&Path>) -> String {
    let relative = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    tidy(&relative.to_string_lossy())
}

/// Drops leading `./` (as `ignore` yields `./x` when walking `.`).
fn tidy(name: &str) -> String {
    let mut rest = name;
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped.trim_start_matches('/');
    }
    if rest.is_empty() && !name.is_empty() {
        ".".to_owned()
    } else {
        rest.to_owned()
    }
}

/// One target per file on disk, when several paths reach it: a CDK stack beats a loose file
/// (it knows its environment), then an explicitly named one beats a walked one.
///
/// A file is known by its absolute path without `.` components, which costs no system call;
/// a walked link by the file it leads to (`links`); a CDK stack's template, a path that climbs
/// (`..`), or every path when `resolve` is set, by its path with links resolved.
fn dedup(
    targets: Vec<Target>,
    links: &HashMap<PathBuf, PathBuf>,
    resolve: bool,
    cwd: Option<&Path>,
) -> Vec<Target> {
    let key = |target: &Target| {
        let path = target.path.as_ref()?;
        if let Some(key) = links.get(path) {
            return Some(key.clone());
        }
        let cdk = matches!(target.origin, Origin::Cdk(_));
        Some(if resolve || climbs(path) || cdk {
            std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path, cwd))
        } else {
            absolute(path, cwd)
        })
    };
    // Keys are whole paths without `.` or empty components (made by `absolute`, or resolved):
    // equal as bytes exactly when equal as paths, and hashed as bytes, far cheaper.
    let mut best: foldhash::HashMap<std::ffi::OsString, usize> =
        foldhash::HashMap::with_capacity_and_hasher(targets.len(), Default::default());
    let mut kept: Vec<Option<Target>> = Vec::with_capacity(targets.len());
    for target in targets {
        let Some(key) = key(&target).map(PathBuf::into_os_string) else {
            kept.push(Some(target));
            continue;
        };
        match best.get(&key).copied() {
            Some(index) => {
                let slot = kept.get_mut(index).and_then(Option::as_mut);
                if let Some(current) = slot
                    && rank(&target) > rank(current)
                {
                    *current = target;
                }
            }
            None => {
                best.insert(key, kept.len());
                kept.push(Some(target));
            }
        }
    }
    kept.into_iter().flatten().collect()
}

/// Whether `path` has a `..` component: only the file system can say where it leads through a
/// link, so comparing it by its components is not enough.
pub(crate) fn climbs(path: &Path) -> bool {
    path.components()
        .any(|c| c == std::path::Component::ParentDir)
}

/// `path` made absolute against `cwd`, without `.` components (`..` kept: see [`climbs`]).
pub(crate) fn absolute(path: &Path, cwd: Option<&Path>) -> PathBuf {
    if let Some(cwd) = cwd
        && let Some(joined) = join_plain(path, cwd)
    {
        return joined;
    }
    let joined = match cwd {
        Some(cwd) => cwd.join(path),
        None => path.to_path_buf(),
    };
    joined
        .components()
        .filter(|c| *c != std::path::Component::CurDir)
        .collect()
}

/// [`absolute`] of the spellings a walk yields (`./a/b.yaml`, `a/b.yaml`) below a `cwd` already
/// in that form, joined as bytes: nothing to drop, so the same path, at a tenth of the cost of
/// going component by component. `None` for any other spelling.
#[cfg(unix)]
fn join_plain(path: &Path, cwd: &Path) -> Option<PathBuf> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    /// No `.` component, no empty one (`//`, a trailing `/`).
    fn plain(bytes: &[u8]) -> bool {
        !bytes.is_empty()
            && bytes
                .split(|&b| b == b'/')
                .all(|part| !part.is_empty() && part != b".")
    }
    let cwd_bytes = cwd.as_os_str().as_bytes();
    let mut rest = path.as_os_str().as_bytes();
    while let Some(after) = rest.strip_prefix(b"./") {
        rest = after;
    }
    let cwd_plain = cwd_bytes == b"/" || cwd_bytes.strip_prefix(b"/").is_some_and(plain);
    if !cwd_plain || !plain(rest) {
        return None;
    }
    let mut joined = Vec::with_capacity(cwd_bytes.len() + 1 + rest.len());
    joined.extend_from_slice(cwd_bytes);
    if cwd_bytes != b"/" {
        joined.push(b'/');
    }
    joined.extend_from_slice(rest);
    Some(PathBuf::from(std::ffi::OsString::from_vec(joined)))
}

#[cfg(not(unix))]
fn join_plain(_: &Path, _: &Path) -> Option<PathBuf> {
    None
}

fn rank(target: &Target) -> (bool, bool) {
    (matches!(target.origin, Origin::Cdk(_)), target.explicit)
}

/// Whether `path`'s file name can be `name`, told from its bytes: a walk's thousands of paths
/// mostly end otherwise, and `Path::file_name` parses components. The file name of a path
/// that ends in neither a separator nor `.` is its last bytes, so such a path that does not end
/// with `name` has another; every other path is `true` here, for `Path::file_name` to decide.
pub(crate) fn may_be_named(path: &Path, name: Option<&std::ffi::OsStr>) -> bool {
    name.is_none_or(|name| may_end_in(path, name.as_encoded_bytes()))
}

/// Whether `path` can have the file name of `other` ([`may_be_named`]), `other`'s name read from
/// its bytes too: a workspace's thousands of paths are compared so with its few open buffers,
/// before anything parses their components.
pub(crate) fn may_share_name(path: &Path, other: &Path) -> bool {
    plain_name(other).is_none_or(|name| may_end_in(path, name))
}

/// Whether `path` can have the file name of one of `others` ([`may_share_name`]): whether it
/// can be one of an editor's few open buffers, which a workspace's thousands of paths mostly
/// cannot, as their bytes tell before anything compares paths component by component.
#[inline]
pub(crate) fn may_share_a_name<'p>(
    path: &Path,
    others: impl IntoIterator<Item = &'p PathBuf>,
) -> bool {
    (others.into_iter()).any(|other| may_share_name(path, other))
}

/// Whether `path` can have the file name whose bytes are `name` ([`may_be_named`]).
fn may_end_in(path: &Path, name: &[u8]) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    let Some(&last) = bytes.last() else {
        return true;
    };
    std::path::is_separator(char::from(last)) || last == b'.' || bytes.ends_with(name)
}

/// The bytes of `path`'s file name when it ends in one (neither a separator nor `.`): those
/// after its last separator (or a Windows drive's `:`). `None` leaves it to `Path::file_name`.
fn plain_name(path: &Path) -> Option<&[u8]> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let separator = |c: u8| std::path::is_separator(char::from(c)) || (cfg!(windows) && c == b':');
    let last = *bytes.last()?;
    if last == b'.' || separator(last) {
        return None;
    }
    let start = bytes
        .iter()
        .rposition(|&c| separator(c))
        .map_or(0, |i| i + 1);
    Some(&bytes[start..])
}

#[cfg(test)]
mod tests;

//! The last walk of a project, kept between processes beside the analyses (`store.rs`): a
//! pre-commit or on-save run that finds nothing it depends on changed uses it instead of
//! walking the project again (a seventh of such a run's instructions).
//!
//! A walk's result depends on the entries of each directory it entered, which the directory's
//! own times follow (an entry created, deleted or renamed there moves them, and so does a
//! change of its permissions), and on the ignore files that say what to skip, whose contents
//! can change in place. So the record keeps the stamp of every directory entered and of every
//! ignore file in it (`.gitignore`, `.ignore`, `.git/info/exclude`); of the ignore files in the
//! directories above the walked roots, present or absent (those directories, `/tmp` say, change
//! for other reasons); of git's global configuration files and excludes file; and of a loose
//! `manifest.json`, which rewritten could make its directory a cloud assembly; and of each
//! Serverless service's packaged template, present or absent. A record is used
//! only when every stamp is as it was, for the same paths, working directory, exclusions and
//! git environment.
//!
//! Only walks whose result depends on nothing else are kept: no symbolic link met, no cloud
//! assembly, nothing unreadable or refused, no bound, every path named a directory. A directory
//! changed within the last two seconds may change again within the same tick of its clock,
//! unseen, so a walk that saw one is not kept either (git's "racily clean" entries).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use super::stamp::Stamp;
use crate::discover::{Discovered, Exclude, Origin, Target};

/// How old the newest change a record depends on must be.
const SETTLED: Duration = Duration::from_secs(2);

/// The ignore files the walker reads in each directory it enters.
const IGNORE_FILES: [&str; 2] = [".gitignore", ".ignore"];

/// The environment variables that say where git's global configuration and the home are.
const GIT_ENV: [&str; 4] = [
    "HOME",
    "XDG_CONFIG_HOME",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
];

/// A path with its stamp, or `None` for a file that must still not exist.
type Kept = (PathBuf, Option<Stamp>);

/// A walk's targets with everything they depend on.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct WalkRecord {
    paths: Vec<PathBuf>,
    cwd: PathBuf,
    exclude: Vec<(String, PathBuf)>,
    env: Vec<Option<OsString>>,
    stamps: Vec<Kept>,
    targets: Vec<Target>,
}

impl WalkRecord {
    /// The record of `discovered`, the walk of `paths` from `cwd` with `exclude` whose
    /// directories were `dirs`; `None` when that walk's result may depend on more than the
    /// record can check.
    pub(super) fn of(
        paths: &[PathBuf],
        cwd: &Path,
        exclude: &Exclude,
        discovered: &Discovered,
        dirs: &[PathBuf],
    ) -> Option<WalkRecord> {
        let named_dirs = paths.iter().all(|p| dirs.contains(p));
        if paths.is_empty()
            || !named_dirs
            || !discovered.only_entries()
            || !discovered.targets.iter().all(found_by_a_walk)
        {
            return None;
        }
        // In one order whatever the walker's threads did: the same walk, the same file.
        let mut dirs: Vec<&PathBuf> = dirs.iter().collect();
        dirs.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        let mut stamps = stamps(paths, cwd, &dirs)?;
        for path in discovered.targets.iter().filter_map(|t| t.path.as_deref()) {
            let deciding = if path.file_name().is_some_and(|n| n == "manifest.json") {
                // A loose `manifest.json` rewritten into an assembly's makes its directory one.
                path.to_path_buf()
            } else if crate::serverless::is_service_file(path) || crate::serverless::is_script(path)
            {
                // A service's packaged template (in `.serverless/`, which no walk enters) is a
                // target when it exists.
                match path.parent() {
                    Some(dir) => dir.join(crate::serverless::PACKAGED),
                    None => continue,
                }
            } else {
                continue;
            };
            let stamp = Stamp::of(&deciding);
            stamps.push((deciding, stamp));
        }
        let settled = SystemTime::now().checked_sub(SETTLED)?;
        if (stamps.iter()).any(|(_, stamp)| stamp.is_some_and(|s| s.changed_since(settled))) {
            return None;
        }
        Some(WalkRecord {
            paths: paths.to_vec(),
            cwd: cwd.to_path_buf(),
            exclude: exclude.key(),
            env: env(),
            stamps,
            targets: discovered.targets.clone(),
        })
    }

    /// The walk's result, when this record is of a walk of `paths` from `cwd` with `exclude`
    /// and nothing it depends on moved since; with the stamps it was checked with, which the
    /// run may use instead of a `stat` of the same paths.
    pub(super) fn reuse(
        self,
        paths: &[PathBuf],
        cwd: &Path,
        exclude: &Exclude,
    ) -> Option<(Discovered, foldhash::HashMap<OsString, Option<Stamp>>)> {
        if self.paths != paths
            || self.cwd != cwd
            || self.exclude != exclude.key()
            || self.env != env()
        {
            return None;
        }
        let unmoved = (self.stamps.par_iter()).all(|(path, stamp)| Stamp::of(path) == *stamp);
        let walked = self.targets.iter().all(found_by_a_walk);
        (unmoved && walked).then(|| {
            let stamps = (self.stamps.into_iter())
                .map(|(path, stamp)| (path.into_os_string(), stamp))
                .collect();
            (Discovered::walked(self.targets), stamps)
        })
    }
}

impl WalkRecord {
    /// The number of targets and stamps (for the fuzz target).
    pub(super) fn len(&self) -> usize {
        self.targets.len() + self.stamps.len()
    }
}

/// What a kept walk holds: files found by a walk on disk, never named, never standard input,
/// never a cloud assembly's stack.
fn found_by_a_walk(target: &Target) -> bool {
    matches!(target.origin, Origin::Loose | Origin::Terraform)
        && !target.explicit
        && target.path.is_some()
}

fn env() -> Vec<Option<OsString>> {
    GIT_ENV.iter().map(std::env::var_os).collect()
}

/// The stamps a walk of `paths` that entered `dirs` depends on; `None` when one of them is a
/// git worktree (a `.git` file pointing elsewhere), whose exclude file lives out of reach.
fn stamps(paths: &[PathBuf], cwd: &Path, dirs: &[&PathBuf]) -> Option<Vec<Kept>> {
    // The directories above each root, whose ignore files apply too: each of those files is
    // kept as it is or as absent (their directories, `/tmp` say, change for other reasons).
    let mut above: Vec<PathBuf> = Vec::new();
    for path in paths {
        let absolute = crate::discover::absolute(path, Some(cwd));
        for ancestor in absolute.ancestors().skip(1) {
            if !above.iter().any(|a| a == ancestor) {
                above.push(ancestor.to_path_buf());
            }
        }
    }
    let git_kept = |dir: &Path, out: &mut Vec<Kept>| -> Option<()> {
        let git = dir.join(".git");
        match std::fs::symlink_metadata(&git) {
            Ok(metadata) if metadata.is_dir() => {
                let exclude = git.join("info/exclude");
                let stamp = Stamp::of(&exclude);
                out.push((exclude, stamp));
                Some(())
            }
            // A worktree's `.git` file: its exclude file is elsewhere.
            Ok(_) => None,
            Err(_) => Some(()),
        }
    };
    let entered: Option<Vec<Vec<Kept>>> = (dirs.par_iter())
        .map(|dir| {
            let mut out = vec![(PathBuf::clone(dir), Some(Stamp::of(dir)?))];
            for name in IGNORE_FILES {
                let file = dir.join(name);
                if let Some(stamp) = Stamp::of(&file) {
                    out.push((file, Some(stamp)));
                }
            }
            git_kept(dir, &mut out)?;
            Some(out)
        })
        .collect();
    let mut outside = Vec::new();
    for dir in &above {
        for name in IGNORE_FILES.iter().chain(&[".git"]) {
            let file = dir.join(name);
            let stamp = Stamp::of(&file);
            outside.push((file, stamp));
        }
        git_kept(dir, &mut outside)?;
    }
    let per_dir = entered.map(|mut all| {
        all.push(outside);
        all
    });
    let mut stamps: Vec<Kept> = per_dir?.into_iter().flatten().collect();
    stamps.extend(git_global().into_iter().map(|path| {
        let stamp = Stamp::of(&path);
        (path, stamp)
    }));
    Some(stamps)
}

/// Git's global configuration files (each may be absent) and the global excludes file they
/// name, as the walker finds them.
fn git_global() -> Vec<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = var("HOME");
    let xdg = var("XDG_CONFIG_HOME").or_else(|| home.as_ref().map(|h| h.join(".config")));
    let mut files: Vec<PathBuf> = Vec::new();
    files.extend(var("GIT_CONFIG_GLOBAL"));
    files.extend(home.map(|h| h.join(".gitconfig")));
    files.extend(xdg.map(|x| x.join("git/config")));
    files.push(var("GIT_CONFIG_SYSTEM").unwrap_or_else(|| PathBuf::from("/etc/gitconfig")));
    files.extend(ignore::gitignore::gitconfig_excludes_path());
    files
}

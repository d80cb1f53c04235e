//! One file, two spellings of its path: a check of the project walks `.` and finds
//! `./auth/pool.yaml`, the language server walks the workspace's absolute path and finds the
//! same file as `/home/me/project/auth/pool.yaml`; both name it `auth/pool.yaml`. Both runs
//! have the same directory and the same inputs, so they read one cache file, where entries are
//! filed by name; an entry made by the one holds for the other once it spells the path the
//! other's way. The analysis itself is shared as it is: the run names the file by its own
//! spelling (`cached::analyze`, `Merged::add`), which reports point at and an editor turns into
//! the file's URI. The cache file is written again in the new spelling, so a run pays this
//! once when the spelling changes (a server's first start after a check, a check after it).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::super::deploy::{self, Deploy, DeployWatch};
use super::super::shelf::plain;
use super::Entry;
use crate::discover::absolute;

/// Whether two spellings of a target's path name the same file for a run in `cwd`: alike but
/// for a leading `./`, or the one relative to `cwd` and the other absolute (or both spelled
/// otherwise, with the same place once `.` components are dropped).
pub(super) fn same_place(a: Option<&Path>, b: Option<&Path>, cwd: &Path) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if plain(a) == plain(b) => true,
        (Some(a), Some(b)) => {
            // Compared as bytes first (a walk's paths have no `.` inside), then by components.
            let (a, b) = (placed(a, cwd), placed(b, cwd));
            a.as_os_str() == b.as_os_str() || a == b
        }
        (None, None) => true,
        _ => false,
    }
}

/// `path` from the file system's root: as it is when it is absolute.
fn placed<'p>(path: &'p Path, cwd: &Path) -> Cow<'p, Path> {
    match path.is_absolute() {
        true => Cow::Borrowed(path),
        false => Cow::Owned(absolute(path, Some(cwd))),
    }
}

/// Whether `a` and `b` are spelled alike (a leading `./` aside): the entry of the one is the
/// other's as it is.
pub(super) fn spelled_alike(a: Option<&Path>, b: Option<&Path>) -> bool {
    a.map(plain) == b.map(plain)
}

impl Entry {
    /// This entry for `target`, whose path is another spelling of the one it was made for
    /// ([`same_place`]): the places of the deploy configuration it watches spelled from the
    /// target's path, the analysis shared. `None` when the analysis names another file by a
    /// path of its own (a deploy configuration that does not parse), which only a fresh
    /// analysis spells the run's way.
    pub(super) fn respelled(&self, target: &crate::discover::Target) -> Option<Entry> {
        let (Some(from), Some(to)) = (&self.target.path, &target.path) else {
            return None;
        };
        let names_a_path = |deploy: Option<&Deploy>| deploy.is_some_and(|d| d.problem.is_some());
        if names_a_path(self.outcome.deploy.as_ref().and_then(Option::as_deref))
            || names_a_path(self.deploy.found.as_deref())
        {
            return None;
        }
        // The watched places are made from the template's path, in the same order.
        let (before, after) = (deploy::candidates(from), deploy::candidates(to));
        let stamps = (self.deploy.stamps.iter())
            .map(|(place, stamp)| {
                let at = (before.iter()).position(|p| p.as_os_str() == place.as_os_str())?;
                Some((after.get(at)?.clone(), *stamp))
            })
            .collect::<Option<Vec<(PathBuf, _)>>>()?;
        Some(Entry {
            target: target.clone(),
            hash: self.hash,
            read: self.read,
            deploy: DeployWatch {
                stamps,
                found: self.deploy.found.clone(),
            },
            // Shared: a run names the file by its own spelling (`cached::analyze`).
            outcome: Arc::clone(&self.outcome),
            // Written again in this spelling (`as_written`), so that the next run that spells
            // it so (the next check, on-save or server start alike) need not respell it.
            from_disk: None,
        })
    }

    /// This entry as the cache file keeps it: its analysis naming the file by the target's
    /// spelling (a copy, made when the file is written).
    pub(super) fn as_written(&self) -> Entry {
        let mut outcome = super::FileOutcome::clone(&self.outcome);
        std::sync::Arc::make_mut(&mut outcome.source)
            .path
            .clone_from(&self.target.path);
        Entry {
            outcome: Arc::new(outcome),
            ..self.clone()
        }
    }
}

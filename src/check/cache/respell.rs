//! One file, two spellings of its path: a check of the project walks `.` and names its files
//! `./auth/pool.yaml`, the language server walks the workspace's absolute path and names the
//! same file `/home/me/project/auth/pool.yaml`. Both runs have the same directory and the same
//! inputs, so they read one cache file; an entry made by the one holds for the other, once it
//! spells the path the other's way: the path is what a report points at, and what an editor
//! turns into the file's URI.

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
        (Some(a), Some(b)) => {
            plain(a) == plain(b) || absolute(a, Some(cwd)) == absolute(b, Some(cwd))
        }
        (None, None) => true,
        _ => false,
    }
}

/// Whether `a` and `b` are spelled alike (a leading `./` aside): the entry of the one is the
/// other's as it is.
pub(super) fn spelled_alike(a: Option<&Path>, b: Option<&Path>) -> bool {
    a.map(plain) == b.map(plain)
}

impl Entry {
    /// This entry for `path`, another spelling of the path it was made for ([`same_place`]):
    /// the analysis names the file by `path`, and the places of the deploy configuration it
    /// watches are spelled from it. `None` when the analysis names another file by a path of
    /// its own (a deploy configuration that does not parse), which a fresh analysis spells.
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
                let at = before.iter().position(|p| p == place)?;
                Some((after.get(at)?.clone(), *stamp))
            })
            .collect::<Option<Vec<(PathBuf, _)>>>()?;
        let mut outcome = super::FileOutcome::clone(&self.outcome);
        outcome.source.path = Some(to.clone());
        Some(Entry {
            target: target.clone(),
            hash: self.hash,
            read: self.read,
            deploy: DeployWatch {
                stamps,
                found: self.deploy.found.clone(),
            },
            outcome: Arc::new(outcome),
            // Its bytes in the cache file hold as they are: the same analysis, under the same
            // key (the target's name), spelled the other way.
            from_disk: self.from_disk,
        })
    }
}

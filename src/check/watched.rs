//! What a file watcher reported between two runs, and whether the last run's discovery still
//! holds after it: a run whose changes only touched the content of templates it already knew
//! reuses its files, and the language server runs it on one thread.

use std::path::{Path, PathBuf};

use crate::discover::{Discovered, Origin};

/// A change on disk, as a file watcher reports it (LSP `workspace/didChangeWatchedFiles`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub path: PathBuf,
    /// The file's content changed; `false` for a file created or deleted.
    pub content_only: bool,
}

/// Whether `changes` only changed the content of loose templates among `discovered`'s: what
/// discovery finds is then the same.
pub(super) fn contents_only(changes: &[FileChange], discovered: &Discovered) -> bool {
    if changes.iter().any(|c| !c.content_only) {
        return false;
    }
    // An editor reports a file or two: looked for among the targets, no set of them made.
    if changes.len() <= 16 {
        let known = |path: &Path| {
            (discovered.targets.iter())
                .any(|t| t.origin == Origin::Loose && t.path.as_deref() == Some(path))
        };
        return changes.iter().all(|c| known(&c.path));
    }
    let targets: foldhash::HashSet<&Path> = (discovered.targets.iter())
        .filter(|t| t.origin == Origin::Loose)
        .filter_map(|t| t.path.as_deref())
        .collect();
    changes.iter().all(|c| targets.contains(c.path.as_path()))
}

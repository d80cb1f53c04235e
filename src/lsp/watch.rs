//! The server's own file watcher, for clients that offer none (or refuse the server's
//! registration). It watches the directories the last walk entered, each on its own: never
//! recursively, so ignored folders (`.git`, `node_modules`, build outputs) cost nothing and a
//! workspace is watched exactly as far as it is read. What changes there reaches the next run
//! as a client's watcher reports it ([`super::Changes`]), so an edit needs no walk and no `stat`
//! per file, with or without the client's help.
//!
//! A directory added to the watch after the walk that found it may have changed in between:
//! whenever one is, the next run looks at everything again, and watches what that walk finds.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use notify::event::{CreateKind, EventKind, ModifyKind, RemoveKind};
use notify::{RecursiveMode, Watcher};

use super::worker::{Trigger, Waker};
use super::{Workspace, lock};
use crate::check::FileChange;

/// The watcher and the directories it watches.
pub struct DiskWatch {
    watcher: notify::RecommendedWatcher,
    /// Shared with the event handler, which needs to know a directory when one is renamed
    /// away (an event that does not say it is a directory).
    dirs: Arc<Mutex<HashSet<PathBuf>>>,
    /// The number of the walk the watched directories come from ([`crate::check::Cache::walks`]).
    walk: Option<u64>,
}

impl DiskWatch {
    /// Starts a watcher that watches nothing yet; see [`DiskWatch::follow`].
    pub fn start(workspace: Arc<Mutex<Workspace>>, waker: Waker) -> notify::Result<DiskWatch> {
        let dirs: Arc<Mutex<HashSet<PathBuf>>> = Arc::default();
        let known = Arc::clone(&dirs);
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let meaning = match &event {
                Ok(event) => meaning(event, &mut lock(&known)),
                // Events were lost: nothing says what changed.
                Err(_) => Meaning::Everything,
            };
            let mut workspace = lock(&workspace);
            match meaning {
                Meaning::Nothing => return,
                Meaning::Everything => workspace.changes.everything = true,
                Meaning::Changes(files) => workspace.changes.files.extend(files),
            }
            drop(workspace);
            waker.wake(Trigger::Debounced);
        })?;
        Ok(DiskWatch {
            watcher,
            dirs,
            walk: None,
        })
    }

    /// Watches the directories of walk number `walk` (`dirs`, from
    /// [`crate::check::Cache::watched_dirs`]) if that walk is new, and says in `workspace` whether its runs may trust the watcher.
    /// Returns how many directories were added: the next run must then look at everything (and
    /// be asked for). An error (the system's limit of watches reached) leaves the watcher
    /// unusable.
    pub fn follow(
        &mut self,
        walk: u64,
        dirs: impl FnOnce() -> Option<Vec<PathBuf>>,
        workspace: &Mutex<Workspace>,
    ) -> notify::Result<usize> {
        if self.walk == Some(walk) {
            return Ok(0);
        }
        self.walk = Some(walk);
        let Some(dirs) = dirs() else {
            // A walk stopped at its bound: the watcher cannot cover what it did not read.
            let old = std::mem::take(&mut *lock(&self.dirs));
            for dir in old {
                let _ = self.watcher.unwatch(&dir);
            }
            lock(workspace).changes.watching = false;
            return Ok(0);
        };
        let wanted: HashSet<&Path> = dirs.iter().map(PathBuf::as_path).collect();
        let (added, removed): (Vec<PathBuf>, Vec<PathBuf>) = {
            let known = lock(&self.dirs);
            let added = dirs.iter().filter(|d| !known.contains(*d)).cloned();
            let removed = known.iter().filter(|d| !wanted.contains(d.as_path()));
            (added.collect(), removed.cloned().collect())
        };
        {
            // Known before they are watched: the lock is never held while the watcher is
            // asked for anything (its thread may be waiting for the lock in the handler).
            let mut known = lock(&self.dirs);
            for dir in &removed {
                known.remove(dir);
            }
            known.extend(added.iter().cloned());
        }
        // In one batch: macOS's watcher restarts its stream once, not once per directory.
        let mut batch = self.watcher.paths_mut();
        for dir in &removed {
            // Already gone when the directory was deleted.
            let _ = batch.remove(dir);
        }
        let mut failed = None;
        for dir in &added {
            match batch.add(dir, RecursiveMode::NonRecursive) {
                Ok(()) => {}
                // Deleted since the walk: the event that says so was missed, the next (full)
                // run finds it.
                Err(err) if gone(&err) => {
                    lock(&self.dirs).remove(dir);
                }
                Err(err) => {
                    failed = Some(err);
                    break;
                }
            }
        }
        let committed = batch.commit();
        if let Some(err) = failed.map_or(committed.err(), Some) {
            lock(workspace).changes.watching = false;
            return Err(err);
        }
        let mut workspace = lock(workspace);
        workspace.changes.watching = true;
        if !added.is_empty() {
            workspace.changes.everything = true;
        }
        Ok(added.len())
    }
}

fn gone(err: &notify::Error) -> bool {
    match &err.kind {
        notify::ErrorKind::PathNotFound => true,
        notify::ErrorKind::Io(io) => io.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    }
}

/// What one event means for the next run.
#[derive(Debug, PartialEq)]
enum Meaning {
    /// Nothing a run reads: a swap file, a build output, a file opened.
    Nothing,
    Changes(Vec<FileChange>),
    /// Events were lost: the next run looks at everything.
    Everything,
}

/// What `event` means, given the watched directories `dirs`; a watched directory that is
/// deleted or renamed away is forgotten, so that one created again under its name is watched.
fn meaning(event: &notify::Event, dirs: &mut HashSet<PathBuf>) -> Meaning {
    if event.need_rescan() {
        return Meaning::Everything;
    }
    let content_only = match event.kind {
        EventKind::Access(_) => return Meaning::Nothing,
        EventKind::Modify(ModifyKind::Name(_)) | EventKind::Create(_) | EventKind::Remove(_) => {
            false
        }
        EventKind::Modify(_) => true,
        EventKind::Any | EventKind::Other => false,
    };
    let folder = matches!(
        event.kind,
        EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder)
    );
    let mut changes = Vec::new();
    for path in &event.paths {
        let known = dirs.contains(path);
        if known || folder || (!content_only && path.is_dir()) {
            if known && !content_only {
                dirs.retain(|d| !d.starts_with(path));
            }
            // A directory's own times change whenever a file in it does: only its creation,
            // deletion, renaming or permissions matter.
            if !content_only || matches!(event.kind, EventKind::Modify(ModifyKind::Metadata(_))) {
                changes.push(FileChange {
                    path: path.clone(),
                    content_only: false,
                });
            }
        } else if crate::discover::may_matter(path) {
            changes.push(FileChange {
                path: path.clone(),
                content_only,
            });
        }
    }
    if changes.is_empty() {
        Meaning::Nothing
    } else {
        Meaning::Changes(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, DataChange, MetadataKind, RenameMode};

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(PathBuf::from(path))
    }

    fn changes(kind: EventKind, path: &str, dirs: &mut HashSet<PathBuf>) -> Vec<(String, bool)> {
        match meaning(&event(kind, path), dirs) {
            Meaning::Changes(files) => files
                .into_iter()
                .map(|c| (c.path.display().to_string(), c.content_only))
                .collect(),
            Meaning::Nothing => Vec::new(),
            Meaning::Everything => vec![("everything".to_owned(), false)],
        }
    }

    #[test]
    fn templates_and_what_decides_the_run_are_changes_the_rest_is_not() {
        let mut dirs = HashSet::new();
        let edit = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let create = EventKind::Create(CreateKind::File);
        assert_eq!(
            changes(edit, "/w/pool.yaml", &mut dirs),
            [("/w/pool.yaml".to_owned(), true)]
        );
        assert_eq!(
            changes(create, "/w/main.tf", &mut dirs),
            [("/w/main.tf".to_owned(), false)]
        );
        for path in [
            "/w/.gitignore",
            "/w/samconfig.toml",
            "/w/prod.tfvars",
            "/w/.sandtrap.yaml",
        ] {
            assert_eq!(changes(edit, path, &mut dirs).len(), 1, "{path}");
        }
        for path in [
            "/w/.pool.yaml.swp",
            "/w/pool.yaml~",
            "/w/4913",
            "/w/src/lib.rs",
        ] {
            assert_eq!(changes(create, path, &mut dirs), [], "{path}");
        }
        let opened = EventKind::Access(AccessKind::Any);
        assert_eq!(changes(opened, "/w/pool.yaml", &mut dirs), []);
    }

    #[test]
    fn a_directory_created_removed_or_renamed_changes_what_is_found() {
        let mut dirs: HashSet<PathBuf> = ["/w", "/w/a.stack", "/w/a.stack/b"]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        let made = EventKind::Create(CreateKind::Folder);
        assert_eq!(
            changes(made, "/w/new.d", &mut dirs),
            [("/w/new.d".to_owned(), false)]
        );
        // Renamed away: no word of a directory in the event, but it was watched.
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        assert_eq!(
            changes(renamed, "/w/a.stack", &mut dirs),
            [("/w/a.stack".to_owned(), false)]
        );
        // Forgotten with what was under it, to be watched again when found again.
        assert_eq!(dirs, HashSet::from([PathBuf::from("/w")]));
        // A watched directory's times move with every file in it: no change of its own.
        let touched = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert_eq!(changes(touched, "/w", &mut dirs), []);
        let chmod = EventKind::Modify(ModifyKind::Metadata(MetadataKind::Permissions));
        assert_eq!(changes(chmod, "/w", &mut dirs), [("/w".to_owned(), false)]);
    }

    #[test]
    fn lost_events_mean_everything() {
        let lost = notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert_eq!(meaning(&lost, &mut HashSet::new()), Meaning::Everything);
    }
}

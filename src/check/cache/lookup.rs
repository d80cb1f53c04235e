//! Which earlier analyses still hold for a run's files ([`Cache::lookup_all`]), and what the
//! last run's lookups let the next one skip.
//!
//! An editor's run after an edit of a buffer, with the watcher vouching that nothing changed on
//! disk, names the very files of the run before it. A file that run reused as it was (not a
//! buffer, not moved, not spelled otherwise by the entry) holds the same analysis now: its
//! entry can only have changed through its own lookup, the run inputs and directory are the
//! same, and so are the buffers (which a buffer's file is). Such a run takes those analyses
//! from the last run's list, and looks up only the others (the buffers, the files analyzed or
//! restamped last time), instead of hashing, finding and checking all of a workspace's
//! entries again. Anything else looks every file up.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::{Cache, Entry, Key, Lookup, Read, hash, key};
use crate::check::files::FileOutcome;
use crate::check::inputs::RunInputs;
use crate::check::stamp::Stamp;
use crate::check::{CheckOptions, deploy};
use crate::discover::{Discovered, Target};

/// The last run's lookups, for the next ([`Cache::lookup_all`]).
pub(super) struct Recent {
    /// The run's files, kept so that their addresses stay theirs.
    discovered: Arc<Discovered>,
    /// The address of each target looked up, in order.
    targets: Vec<usize>,
    /// The run inputs' fingerprint and the directory the lookups were made with.
    inputs: Option<u64>,
    cwd: PathBuf,
    /// The paths of the editor's buffers then.
    buffers: Vec<PathBuf>,
    /// Per target: when its analysis was reused as it was, whether that analysis spells the
    /// file's path otherwise than the target (`respell.rs`).
    kept: Vec<Option<bool>>,
    /// The run's analyses of those targets, once the run is done ([`Cache::after_run`]).
    outcomes: Vec<Arc<FileOutcome>>,
}

/// A target's address, which names it while its list is kept.
fn address(target: &Target) -> usize {
    std::ptr::from_ref(target) as usize
}

impl Recent {
    /// Whether this run names the very targets, with the same inputs, directory and buffers,
    /// and nothing changed on disk since.
    fn holds(&self, cache: &Cache, targets: &[&Target], options: &CheckOptions) -> bool {
        (cache.trusted.as_ref()).is_some_and(Vec::is_empty)
            && (cache.finished.as_ref()).is_some_and(|(_, d)| Arc::ptr_eq(d, &self.discovered))
            && cache.inputs == self.inputs
            && options.cwd == self.cwd
            && options.overrides.keys().eq(&self.buffers)
            && self.kept.len() == targets.len()
            && self.outcomes.len() == targets.len()
            && (targets.iter().map(|t| address(t))).eq(self.targets.iter().copied())
    }
}

impl Cache {
    /// Decides, for every target at once (the `stat` calls run in parallel), which earlier
    /// analyses still hold: those the last run reused as they were, when [`Recent::holds`],
    /// without looking them up.
    pub(in crate::check) fn lookup_all(
        &mut self,
        targets: &[&Target],
        options: &CheckOptions,
        inputs: &RunInputs,
    ) -> Vec<Lookup> {
        let recent = self.recent.take();
        let Some(recent) = recent.filter(|r| r.holds(self, targets, options)) else {
            return self.lookup_each(targets, options, inputs);
        };
        let again: Vec<&Target> = (targets.iter().zip(&recent.kept))
            .filter_map(|(target, kept)| kept.is_none().then_some(*target))
            .collect();
        self.last.taken = targets.len() - again.len();
        let mut looked = self.lookup_each(&again, options, inputs).into_iter();
        (recent.kept.into_iter().zip(recent.outcomes))
            .map(|(kept, outcome)| match kept {
                Some(respelled) => Lookup::Unchanged(outcome, Some(respelled)),
                None => looked.next().unwrap_or(Lookup::Analyze(None)),
            })
            .collect()
    }

    /// Remembers what this run's lookups of `targets` found (`kept`, as [`Recent::kept`]),
    /// for an editor's next run; the analyses follow once the run is done.
    pub(in crate::check) fn remember_lookups(
        &mut self,
        targets: &[&Target],
        options: &CheckOptions,
        kept: Vec<Option<bool>>,
    ) {
        self.recent = (self.finished.as_ref())
            .filter(|_| !self.one_run)
            .map(|(_, discovered)| Recent {
                discovered: Arc::clone(discovered),
                targets: targets.iter().map(|t| address(t)).collect(),
                inputs: self.inputs,
                cwd: options.cwd.clone(),
                buffers: options.overrides.keys().cloned().collect(),
                kept,
                outcomes: Vec::new(),
            });
    }

    /// After a run with this cache that `completed`, given its analyses (its files' first, in
    /// order): a cache made for one run is written now; one kept for an editor's next runs
    /// (which the editor writes once it has told the run's diagnostics,
    /// [`Cache::write_disk`]) keeps them, for the next run to take as they are
    /// ([`Cache::lookup_all`]). Gives back what it does not keep.
    pub(in crate::check) fn after_run(
        &mut self,
        mut outcomes: Vec<Arc<FileOutcome>>,
        completed: bool,
    ) -> Vec<Arc<FileOutcome>> {
        if self.is_for_one_run() {
            self.write_disk();
            return outcomes;
        }
        let Some(recent) = self.recent.as_mut().filter(|_| completed) else {
            return outcomes;
        };
        if !recent.outcomes.is_empty() || outcomes.len() < recent.kept.len() {
            self.recent = None;
            return outcomes;
        }
        outcomes.truncate(recent.kept.len());
        recent.outcomes = outcomes;
        Vec::new()
    }

    /// [`Cache::lookup_all`] of every target, each looked up.
    fn lookup_each(
        &mut self,
        targets: &[&Target],
        options: &CheckOptions,
        inputs: &RunInputs,
    ) -> Vec<Lookup> {
        let keys: Vec<Key> = targets.par_iter().map(|t| key(t)).collect();
        // The analyses kept on disk for these files, and only those.
        if let Some(shelf) = self.disk.as_mut().and_then(|d| d.shelf.as_mut()) {
            let wanted: Vec<u64> = (targets.iter().zip(&keys))
                .filter(|(_, k)| !self.files.contains_key(*k))
                .map(|(t, _)| super::super::shelf::disk_key(t))
                .collect();
            let taken = shelf.take(&wanted);
            self.files.reserve(taken.len());
            for (at, entry) in taken {
                let entry = Entry {
                    from_disk: Some(at),
                    ..entry
                };
                self.files.entry(entry.key()).or_insert(entry);
            }
        }
        let entries: Vec<Option<&Entry>> = keys.par_iter().map(|k| self.files.get(k)).collect();
        // Each dependency once, however many templates share a directory (by the paths' bytes,
        // as `walk_stamps`); none when the watcher vouches for every file, so no entry's
        // dependencies are visited then.
        let vouched_for_all = (self.trusted.as_ref()).is_some_and(Vec::is_empty);
        let with_dependencies = if vouched_for_all {
            &[][..]
        } else {
            &entries[..]
        };
        let dependencies: foldhash::HashSet<&OsStr> = (with_dependencies.iter().flatten())
            .flat_map(|e| e.deploy.stamps.iter().map(|(p, _)| p.as_path()))
            .filter(|p| {
                (self.trusted.as_ref()).is_none_or(|changed| changed.iter().any(|c| c == p))
            })
            .map(Path::as_os_str)
            .collect();
        let dependencies: foldhash::HashMap<&OsStr, Option<Stamp>> = dependencies
            .into_par_iter()
            .map(|path| {
                let stamp = self.walk_stamps.get(path).copied();
                (path, stamp.unwrap_or_else(|| Stamp::of(Path::new(path))))
            })
            .collect();
        (targets.par_iter().zip(entries))
            .map(|(target, entry)| self.lookup(target, entry, options, inputs, &dependencies))
            .collect()
    }

    /// Whether `entry`, the one kept under `target`'s key, still holds for it.
    fn lookup(
        &self,
        target: &Target,
        entry: Option<&Entry>,
        options: &CheckOptions,
        inputs: &RunInputs,
        dependencies: &foldhash::HashMap<&OsStr, Option<Stamp>>,
    ) -> Lookup {
        let analyze = Lookup::Analyze;
        let Some(entry) = entry else {
            return analyze(None);
        };
        if !entry.made_for(target, &options.cwd) {
            return analyze(None);
        }
        // Made for another spelling of the path: reused in this one, or analyzed again.
        let respelled = match super::respell::spelled_alike(
            entry.target.path.as_deref(),
            target.path.as_deref(),
        ) {
            true => None,
            false => match entry.respelled(target) {
                Some(respelled) => Some(Box::new(respelled)),
                None => return analyze(None),
            },
        };
        // Called once, on whichever path reuses the entry; `as_is` where the file is not a
        // buffer and did not move (so it has no new stamp).
        let reused = move |stamp: Option<Stamp>, as_is: bool| match respelled {
            None if as_is => Lookup::Unchanged(Arc::clone(&entry.outcome), None),
            None => Lookup::Reused(Arc::clone(&entry.outcome), stamp),
            Some(entry) => Lookup::Respelled(entry, stamp),
        };
        let trusted = |path: &Path| {
            (self.trusted.as_ref()).is_some_and(|changed| !changed.iter().any(|c| c == path))
        };
        let moved = (entry.deploy.stamps.iter()).any(|(path, then)| {
            !trusted(path) && dependencies.get(path.as_os_str()) != Some(&Some(*then))
        });
        if moved
            && let Some(path) = &target.path
            && deploy::lookup_for(path, target, options, inputs).as_ref()
                != entry.deploy.found.as_deref()
        {
            return analyze(None);
        }
        if let Some(text) = crate::check::files::buffer_text(target, options) {
            return if entry.read == Read::Buffer && hash(text.as_bytes()) == entry.hash {
                reused(None, false)
            } else {
                analyze(None)
            };
        }
        let (Some(path), Read::File(then)) = (&target.path, entry.read) else {
            return analyze(None);
        };
        if trusted(path) {
            return reused(None, true);
        }
        let Some(now) = Stamp::of(path) else {
            return analyze(None);
        };
        if now == then {
            return reused(None, true);
        }
        // Moved: the bytes decide, and a fresh analysis uses them (stamped before the read).
        let bytes = crate::discover::read_regular(path);
        match &bytes {
            Ok(bytes) if hash(bytes) == entry.hash => reused(Some(now), false),
            _ => analyze(Some((Read::File(now), bytes))),
        }
    }
}

//! What one run keeps for the next: each file's analysis (read, load, resolve, extract), for a
//! caller that checks the same tree again and again, the language server above all. A file is
//! analyzed again only when what its analysis read has changed; the join and the rules, which
//! read every file's facts, run over the whole workspace every time, so a cached run reports
//! exactly what a fresh one would.
//!
//! A file's analysis depends on:
//!
//! - its bytes: an editor buffer is compared by a hash of its text; a file on disk first by its
//!   length, modification and change times and inode (one `stat`), then, if those moved, by a
//!   hash of its bytes (a `touch` or a checkout that rewrites the same text keeps the entry);
//! - how discovery found it (its name, CDK stack and environment): a different [`Target`] is
//!   a different entry;
//! - the run's inputs (flags, the config file's text, parameter files, the environment's
//!   region): any change there starts the cache afresh;
//! - the deploy configuration beside a loose template (`samconfig.toml`, `serverless.yml`): the
//!   directories it is looked up in are compared by their own times (a file created, removed
//!   or renamed there changes them), and the files that existed by theirs.
//!
//! The analysis of a Serverless Framework service file is never kept: it reads the files the
//! service includes, which nothing here watches.

use std::ffi::OsString;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::files::FileOutcome;
use super::inputs::RunInputs;
use super::inputs::TargetsKey;
use super::stamp::Stamp;
use super::walked::WalkRecord;
use super::watched::{FileChange, contents_only};
use super::{CheckOptions, deploy};
use crate::discover::{DiscoverError, Discovered, Exclude};
use crate::discover::{Origin, Target};

mod entry;
mod lookup;
mod respell;

/// Walks made by every cache of the process ([`Cache::walks`]).
static WALKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The analyses of the files of earlier runs. Keep one per workspace and pass it to
/// [`super::run_cached`].
#[derive(Default)]
pub struct Cache {
    /// The fingerprint of the run inputs the entries were made with.
    inputs: Option<u64>,
    files: foldhash::HashMap<Key, Entry>,
    last: CacheStats,
    /// The last discovery, with the paths it walked.
    discovered: Option<(Vec<PathBuf>, Exclude, Discovered)>,
    /// How many walks this cache has seen, and the directories the last one entered (`None`
    /// when it stopped at its bound): see [`Cache::watched_dirs`].
    walks: u64,
    walked: Option<Vec<PathBuf>>,
    /// The last run's files (discovery, buffers and standard input added, exclusions applied),
    /// with what decided them: an edit the watcher reports reuses them as they are.
    finished: Option<(TargetsKey, Arc<Discovered>)>,
    /// For the next run: what a file watcher reported since the last one.
    watched: Option<Vec<FileChange>>,
    /// For this run: the files on disk known unchanged need no `stat` (the watcher reported
    /// every change, and none of them touched discovery).
    /// (A handful of paths: a list is searched faster than a set's paths are hashed.)
    trusted: Option<Vec<PathBuf>>,
    /// For this run: the stamps the kept walk was just checked with (the directories it
    /// entered), which the deploy lookups' dependencies (a template's directory) need not
    /// `stat` again. Keyed by the paths' bytes, as both sides come from the same walk: a `Path`
    /// hashes and compares component by component (a path spelled otherwise is `stat`ed).
    walk_stamps: foldhash::HashMap<OsString, Option<Stamp>>,
    /// The cache directory that keeps the entries between processes, when there is one.
    disk: Option<Disk>,
    /// Made for one run ([`Cache::on_disk`]): nothing is kept for a next.
    one_run: bool,
    /// The last run's join, which the next one updates.
    memo: crate::join::Memo,
    /// The last run's findings per fact, which the next one updates.
    rules: crate::rules::Memo,
    /// The last run's lookups and analyses, which the next one may take as they are.
    recent: Option<lookup::Recent>,
}

/// The entries' place on disk (`store.rs`) and what this process did with it.
struct Disk {
    store: super::store::Store,
    /// The run inputs whose cache file the entries are read from.
    loaded: Option<u64>,
    /// That file: each entry is read when a run looks its file up.
    shelf: Option<super::shelf::Shelf>,
    /// An entry was added, replaced or restamped since: the file is written again.
    dirty: bool,
    /// The last run changed the entries, and the file is still to be written
    /// ([`Cache::write_disk`]): with the keys of that run's files, whose entries go first.
    unwritten: Option<foldhash::HashSet<Key>>,
    /// The run's directory, which relative paths are from (an editor's process may have
    /// another).
    cwd: PathBuf,
}

/// How the last run used the cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Files whose earlier analysis was used.
    pub reused: usize,
    /// Files analyzed (new, changed, or everything after the inputs changed).
    pub analyzed: usize,
    /// Of the reused, those taken as the last run left them, not looked up (an editor's run
    /// after an edit, the watcher vouching for every file: `cache/lookup.rs`).
    pub taken: usize,
    /// The run's files are those of the walk an earlier process kept on disk: no directory
    /// was read ([`super::walked`]).
    pub walk_kept: bool,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("files", &self.files.len())
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Entry {
    target: Target,
    /// The hash of the bytes analyzed.
    hash: u64,
    /// Where those bytes came from.
    read: Read,
    deploy: deploy::DeployWatch,
    /// Shared with the runs that reuse it: a kept analysis is never copied.
    outcome: Arc<FileOutcome>,
    /// The number of the record it was read from in the cache file, while it is as it was
    /// read: it is then copied into the next file as it is.
    #[serde(skip)]
    from_disk: Option<usize>,
}

/// Where the bytes of an analysis came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) enum Read {
    /// An editor buffer or standard input: compared by its text.
    Buffer,
    /// The file on disk, with its stamp taken before it was read (so that a change during the
    /// read shows in the next run).
    File(Stamp),
}

/// A file of this run: an earlier analysis that still holds, or what to analyze.
pub(super) enum Lookup {
    /// Reused as it is: not a buffer, and the file did not move. With whether the analysis
    /// spells the file's path otherwise than the run, when the last run found out.
    Unchanged(Arc<FileOutcome>, Option<bool>),
    /// With the file's new stamp when it moved but its bytes are the same (a checkout, a
    /// `touch`): the entry takes it, so the next run need not read the file.
    Reused(Arc<FileOutcome>, Option<Stamp>),
    /// Reused by a target that spells the file's path otherwise (`respell.rs`): the entry as
    /// this run spells it, which the cache keeps in its place, and the new stamp as above.
    Respelled(Box<Entry>, Option<Stamp>),
    /// Not cached, or changed; the bytes (and where from) when they were read to find out.
    Analyze(Option<(Read, std::io::Result<Vec<u8>>)>),
}

impl Cache {
    pub fn new() -> Self {
        Self::default()
    }

    /// A cache whose entries are also kept in `dir` between processes (`store.rs`): read when
    /// a run begins, written when it changed them.
    pub fn on_disk(dir: PathBuf) -> Self {
        Self {
            disk: Some(Disk {
                store: super::store::Store::new(dir),
                loaded: None,
                shelf: None,
                dirty: false,
                unwritten: None,
                cwd: PathBuf::new(),
            }),
            one_run: true,
            ..Self::default()
        }
    }

    /// An editor's cache whose first run reads, and brings up to date, the entries kept in
    /// `dir`; after [`Cache::forget_disk`] its runs keep them in memory only.
    pub fn starting_from(dir: PathBuf) -> Self {
        Self {
            one_run: false,
            ..Self::on_disk(dir)
        }
    }

    /// Made for one run ([`Cache::on_disk`]), not an editor's ([`Cache::starting_from`]).
    pub(super) fn is_for_one_run(&self) -> bool {
        self.one_run
    }

    /// Keeps the entries in memory only from now on (what was read stays).
    pub fn forget_disk(&mut self) {
        self.disk = None;
    }

    /// The last run's join, for this one's.
    pub(super) fn memo(&mut self) -> &mut crate::join::Memo {
        &mut self.memo
    }

    /// The last run's findings, for this one's.
    pub(super) fn rules_memo(&mut self) -> &mut crate::rules::Memo {
        &mut self.rules
    }

    /// How the last run's rules used the findings of the one before it.
    pub fn rules_stats(&self) -> crate::rules::MemoStats {
        self.rules.stats()
    }

    /// How the last run's join used the one before it.
    pub fn join_stats(&self) -> crate::join::MemoStats {
        self.memo.stats()
    }

    /// How the last run used the cache.
    pub fn stats(&self) -> CacheStats {
        self.last
    }

    /// The number of files whose analysis is kept.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Says, for the next run only, that `changes` are every change on disk since the last run
    /// (a client's file watcher reported them). That run then reuses the last discovery and
    /// looks at no file on disk but the changed ones, unless a change could alter what
    /// discovery finds (a file created or deleted, anything but a known template's content:
    /// a `.gitignore`, a `manifest.json`, a `samconfig.toml`), which makes it a full run.
    /// Without this call every run checks every file (one `stat` each) and walks again.
    pub fn watched(&mut self, changes: Vec<FileChange>) {
        self.watched.get_or_insert_with(Vec::new).extend(changes);
    }

    /// Whether the next run can only be small: it has a walk to reuse, and the watcher
    /// reported at most `limit` changes, each to the content of a known template. (The run
    /// may still walk again if its options changed; it is right either way, only slower.)
    pub fn next_run_is_small(&self, limit: usize) -> bool {
        let (Some(changes), Some((_, finished))) = (&self.watched, &self.finished) else {
            return false;
        };
        changes.len() <= limit && contents_only(changes, finished)
    }

    /// The files of this run ([`super::files::targets`]): the last run's, untouched, when the
    /// watcher reported only changes to the content of known templates and the run names the
    /// same paths, buffers and exclusions; else found again (through [`Cache::discover`]).
    pub(super) fn targets(
        &mut self,
        options: &CheckOptions,
        inputs: &RunInputs,
        limits: &crate::discover::WalkLimits,
    ) -> Result<Arc<Discovered>, super::CheckError> {
        let exclude = &inputs.exclude;
        self.last.walk_kept = false;
        let key = TargetsKey::of(options, exclude);
        if let (Some(changes), Some((last, finished))) = (&self.watched, &self.finished)
            && *last == key
            && contents_only(changes, finished)
        {
            self.trusted = Some(changes.iter().map(|c| c.path.clone()).collect());
            self.watched = None;
            return Ok(Arc::clone(finished));
        }
        self.finished = None;
        // Where the last walk is kept between processes: beside the analyses of these inputs.
        let kept = (self.disk.is_some() && limits.max_entries.is_none())
            .then(|| super::store::file_key(inputs.fingerprint(options)))
            .flatten();
        let discovered = super::files::targets(options, exclude, &mut |paths, exclude| {
            self.discover(paths, exclude, limits, kept, &options.cwd)
        })?;
        let discovered = Arc::new(discovered);
        if !limits.cancel.is_cancelled() {
            self.finished = Some((key, Arc::clone(&discovered)));
        }
        Ok(discovered)
    }

    /// The discovery of `paths` for a run in `run_dir`: the last one when the watcher says
    /// nothing changed it, or the one kept on disk under `kept` ([`super::walked`]) when
    /// nothing it depends on moved.
    pub(super) fn discover(
        &mut self,
        paths: &[PathBuf],
        exclude: &Exclude,
        limits: &crate::discover::WalkLimits,
        kept: Option<u64>,
        run_dir: &Path,
    ) -> Result<Discovered, DiscoverError> {
        let changes = self.watched.take();
        self.trusted = None;
        self.walk_stamps = foldhash::HashMap::default();
        if let (Some(changes), Some((walked, excluded, discovered))) = (&changes, &self.discovered)
            && walked == paths
            && excluded == exclude
            && contents_only(changes, discovered)
        {
            self.trusted = Some(changes.iter().map(|c| c.path.clone()).collect());
            return Ok(discovered.clone());
        }
        let cwd = std::env::current_dir().ok();
        // Only a walk of directories is kept (a pre-commit run names files: nothing to read),
        // under a name of its own for each set of paths and working directory.
        let on_disk = match (kept, &self.disk, &cwd) {
            (Some(key), Some(disk), Some(cwd)) if paths.iter().all(|p| p.is_dir()) => {
                let mut hasher = DefaultHasher::new();
                (key, paths, cwd).hash(&mut hasher);
                Some((hasher.finish(), &disk.store, cwd.as_path()))
            }
            _ => None,
        };
        if let Some((key, store, cwd)) = on_disk
            && self.discovered.is_none()
            && let Some((found, stamps)) =
                (store.load_walk(key)).and_then(|r| r.reuse(paths, cwd, exclude))
        {
            self.walk_stamps = stamps;
            self.remember(paths, exclude, &found);
            self.last.walk_kept = true;
            return Ok(found);
        }
        let mut discovered = crate::discover::discover_from(paths, exclude, limits, Some(run_dir))?;
        // A walk cut short is no discovery to reuse.
        if !limits.cancel.is_cancelled() {
            // Numbered across the process: a cache made anew (after a panic) never repeats
            // a number a watcher has seen.
            self.walks = WALKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let dirs = std::mem::take(&mut discovered.dirs);
            if let Some((key, store, cwd)) = on_disk
                && let Some(record) = WalkRecord::of(paths, cwd, exclude, &discovered, &dirs)
            {
                store.save_walk(key, &record);
            }
            self.walked = (!discovered.limit_reached).then_some(dirs);
            self.remember(paths, exclude, &discovered);
        }
        Ok(discovered)
    }

    /// Keeps `discovered` for the next run of an editor's cache, whose watcher may say nothing
    /// changed it. A cache made for one run is never asked again: copying a large project's
    /// targets would only cost memory.
    fn remember(&mut self, paths: &[PathBuf], exclude: &Exclude, discovered: &Discovered) {
        if !self.one_run {
            self.discovered = Some((paths.to_vec(), exclude.clone(), discovered.clone()));
        }
    }

    /// The number of the last walk this cache made (unique in the process; 0 before any):
    /// [`Cache::watched_dirs`] changes only with it.
    pub fn walks(&self) -> u64 {
        self.walks
    }

    /// The directories a watcher of the workspace watches to see every change the last walk
    /// could meet: each directory it entered and each directory a file it found is in (cloud
    /// assemblies, named files), with the modules `terraform init` installed beside a
    /// Terraform root. `None` after a walk that stopped at its bound (no watcher covers that
    /// workspace), or before any walk.
    pub fn watched_dirs(&self) -> Option<Vec<PathBuf>> {
        let walked = self.walked.as_ref()?;
        let (_, _, discovered) = self.discovered.as_ref()?;
        let mut dirs: Vec<PathBuf> = walked.clone();
        let mut seen: foldhash::HashSet<&std::ffi::OsStr> =
            walked.iter().map(|d| d.as_os_str()).collect();
        let mut terraform_roots: foldhash::HashSet<&Path> = foldhash::HashSet::default();
        for target in &discovered.targets {
            let Some(dir) = target.path.as_deref().and_then(Path::parent) else {
                continue;
            };
            if seen.insert(dir.as_os_str()) {
                dirs.push(dir.to_path_buf());
            }
            if target.origin == Origin::Terraform && terraform_roots.insert(dir) {
                let modules = dir.join(".terraform/modules");
                if modules.is_dir() {
                    dirs.push(modules);
                }
            }
        }
        Some(dirs)
    }

    /// Forgets every entry made with other run inputs than these.
    pub(super) fn begin(&mut self, options: &CheckOptions, inputs: &RunInputs) {
        let fingerprint = inputs.fingerprint(options);
        if self.inputs != Some(fingerprint) {
            self.files.clear();
            self.inputs = Some(fingerprint);
        }
        self.last = CacheStats {
            walk_kept: self.last.walk_kept,
            ..CacheStats::default()
        };
        if let Some(disk) = &mut self.disk {
            disk.cwd.clone_from(&options.cwd);
            // No user key, no name: nothing is read or written.
            if let Some(key) = super::store::file_key(fingerprint)
                && disk.loaded != Some(key)
            {
                disk.loaded = Some(key);
                disk.dirty = false;
                disk.shelf = disk.store.shelf(key);
            }
        }
    }

    /// Keeps the analysis of `target` (see [`entry`]).
    pub(super) fn store(&mut self, target: &Target, entry: Entry) {
        if let Some(disk) = &mut self.disk {
            disk.dirty |= entry.storable_once_written();
        }
        self.files.insert(key(target), entry);
    }

    /// Keeps `entry`, the earlier one of `target` spelled as `target` spells its path, with the
    /// file's new stamp when it has one.
    pub(super) fn respell(&mut self, target: &Target, entry: Entry, stamp: Option<Stamp>) {
        if let Some(disk) = &mut self.disk {
            disk.dirty |= entry.storable_once_written();
        }
        self.files.insert(key(target), entry);
        if let Some(stamp) = stamp {
            self.restamp(target, stamp);
        }
    }

    /// Gives the entry of `target` the file's new stamp (its bytes did not change).
    pub(super) fn restamp(&mut self, target: &Target, stamp: Stamp) {
        if let Some(entry) = self.files.get_mut(&key(target)) {
            entry.read = Read::File(stamp);
            entry.from_disk = None;
            if let Some(disk) = &mut self.disk {
                disk.dirty |= entry.storable_once_written();
            }
        }
    }

    pub(super) fn count(&mut self, reused: bool) {
        if reused {
            self.last.reused += 1;
        } else {
            self.last.analyzed += 1;
        }
    }

    /// Drops the entries of files this run did not meet (deleted, no longer walked). The
    /// cache on disk keeps those of files that still exist (a pre-commit run of one file must
    /// not forget the project), and is written when this run changed it ([`Cache::write_disk`],
    /// once the run needs the entries no more); the entries this run did not read are copied
    /// as they are, and looked at (does the file still exist?) only when they are no more than
    /// the run's own files.
    pub(super) fn retain(&mut self, targets: &[&Target]) {
        let Some(disk) = &mut self.disk else {
            if self.files.len() > targets.len() {
                let met: foldhash::HashSet<Key> = targets.iter().map(|t| key(t)).collect();
                self.files.retain(|k, _| met.contains(k));
            }
            return;
        };
        let (Some(_), true) = (disk.loaded, disk.dirty) else {
            return;
        };
        disk.dirty = false;
        let met: foldhash::HashSet<Key> = targets.iter().map(|t| self::key(t)).collect();
        self.files.retain(|k, entry| {
            met.contains(k)
                || (entry.target.path.as_deref()).is_some_and(|p| disk.cwd.join(p).exists())
        });
        disk.unwritten = Some(met);
    }

    /// Whether the last run changed what the cache directory keeps, and [`Cache::write_disk`]
    /// has not written it yet.
    pub fn unwritten(&self) -> bool {
        self.disk.as_ref().is_some_and(|d| d.unwritten.is_some())
    }

    /// Writes the cache file of the last run, if it changed the entries (best effort: a
    /// directory that cannot be written is left as it is). A run of the command line writes
    /// it while its join, rules and report go on; an editor's server after it has published
    /// the run's diagnostics.
    pub fn write_disk(&mut self) {
        let Some(disk) = &mut self.disk else {
            return;
        };
        let (Some(key), Some(met)) = (disk.loaded, disk.unwritten.take()) else {
            return;
        };
        // The entries of this run first: they are the ones kept should the file be full.
        let storable = (self.files.iter()).filter(|(_, e)| e.storable_once_written());
        let (mut entries, others): (Vec<_>, Vec<_>) = storable.partition(|(k, _)| met.contains(*k));
        entries.extend(others);
        // Those read and unchanged are copied as they were read; the others encoded again.
        let (read, mut fresh): (Vec<&Entry>, Vec<&Entry>) = (entries.into_iter())
            .map(|(_, e)| e)
            .partition(|e| e.from_disk.is_some());
        let copies = disk.shelf.as_mut().and_then(|shelf| {
            let few = shelf.untaken() <= met.len();
            let taken: Vec<usize> = read.iter().filter_map(|e| e.from_disk).collect();
            shelf.copies(&taken, few.then_some(disk.cwd.as_path()))
        });
        if copies.is_none() {
            fresh.extend(read);
        }
        // An entry given this run's spelling is written in it, with an analysis that says so.
        let written: Vec<std::borrow::Cow<'_, Entry>> = (fresh.iter())
            .map(|e| match e.outcome.spells(e.target.path.as_deref()) {
                true => std::borrow::Cow::Borrowed(*e),
                false => std::borrow::Cow::Owned(e.as_written()),
            })
            .collect();
        let fresh: Vec<&Entry> = written.iter().map(AsRef::as_ref).collect();
        disk.store.save(key, &fresh, &copies.unwrap_or_default());
    }
}

/// What to keep of a fresh analysis of `target`, made from bytes hashing to `hash` read from
/// `read` (built on the analysis threads: it stats the deploy configuration).
pub(super) fn entry(target: &Target, hash: u64, read: Read, outcome: &Arc<FileOutcome>) -> Entry {
    Entry {
        target: target.clone(),
        hash,
        read,
        deploy: deploy::DeployWatch::of(target, outcome),
        outcome: Arc::clone(outcome),
        from_disk: None,
    }
}

/// Reads `target` for a fresh analysis: its buffer, or its file stamped first; `None` for the
/// stamp when it cannot be taken, or when the analysis may read other files than the target's
/// (a Serverless Framework service includes files with `${file(...)}`): the analysis is then
/// not kept.
pub(super) fn read(
    target: &Target,
    options: &CheckOptions,
) -> (Option<Read>, std::io::Result<Vec<u8>>) {
    let includes = (target.path.as_deref()).is_some_and(crate::serverless::is_service_file);
    let read = match (super::files::buffer_text(target, options), &target.path) {
        _ if includes => None,
        (Some(_), _) => Some(Read::Buffer),
        (None, Some(path)) => Stamp::of(path).map(Read::File),
        (None, None) => None,
    };
    (read, super::files::read(target, options))
}

/// An entry's key: a hash of the target's name, made without a copy. Not of its path, which
/// one file may have several spellings of (`respell.rs`); two targets with the same key only
/// share a slot: an entry is used for the target it was made for ([`Cache::lookup`] compares
/// them), so a collision costs an analysis, never a wrong result.
type Key = u64;

fn key(target: &Target) -> Key {
    use std::hash::BuildHasher;
    // Seeded once per process: the keys live in memory only (a cache file's entries are keyed
    // again when read), and file names chosen to collide cannot be made in advance.
    static STATE: std::sync::OnceLock<foldhash::fast::RandomState> = std::sync::OnceLock::new();
    (STATE.get_or_init(Default::default)).hash_one(&target.name)
}

/// The hash of `bytes` an entry records (keyed: `signing.rs`).
pub(super) fn hash(bytes: &[u8]) -> u64 {
    super::signing::content_hash(bytes)
}

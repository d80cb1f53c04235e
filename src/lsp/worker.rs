//! The analysis thread: coalesces triggers (debouncing bursts of edits), runs the workspace as
//! one `sandtrap check` with the open buffers, and publishes the diagnostics of every file that
//! has some, clearing those that no longer do.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use lsp_server::{Message, Notification};
use lsp_types::{PublishDiagnosticsParams, Uri};
use serde_json::json;

use super::convert::{self, Encoding, path_to_uri};
use super::converted;
use super::watch::DiskWatch;
use super::{Document, Log, Workspace, lock};
use crate::cancel::Cancel;
use crate::check::{self, CheckError, CheckOptions};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceFile};

/// Continuous typing still gets fresh diagnostics this often.
const MAX_DELAY: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Run once the edits have been quiet for the debounce delay.
    Debounced,
    /// Run as soon as the queue is drained (open, save, settings).
    Now,
    Stop,
}

/// The last published diagnostics of one file.
#[derive(Clone, Debug)]
pub struct FileResult {
    pub diagnostics: converted::Shared,
}

/// What the last run published, by path; hover and code actions read it.
#[derive(Debug, Default)]
pub struct Results {
    pub files: foldhash::HashMap<PathBuf, FileResult>,
}

pub struct Context {
    pub workspace: Arc<Mutex<Workspace>>,
    pub results: Arc<Mutex<Results>>,
    pub out: Sender<Message>,
    pub encoding: Encoding,
    pub debounce: Duration,
    pub start_cache: super::StartCache,
    pub log: Log,
}

pub struct Worker {
    waker: Waker,
    handle: Option<JoinHandle<()>>,
}

/// What asks the worker for a run: the protocol thread, and the server's own file watcher.
#[derive(Clone)]
pub struct Waker {
    triggers: Sender<Trigger>,
    /// The flag of the run in progress (or of the last one).
    running: Arc<Mutex<Cancel>>,
}

impl Waker {
    /// Asks for a run; the one in progress, if any, is stale now and stops early (what it
    /// analyzed is kept in the cache for the next).
    pub fn wake(&self, trigger: Trigger) {
        lock(&self.running).cancel();
        let _ = self.triggers.send(trigger);
    }
}

impl Worker {
    pub fn spawn(context: Context) -> Worker {
        let (triggers, receiver) = crossbeam_channel::unbounded();
        let log = Arc::clone(&context.log);
        let waker = Waker {
            triggers,
            running: Arc::new(Mutex::new(Cancel::new())),
        };
        let own = waker.clone();
        let handle = std::thread::Builder::new()
            .name("sandtrap-analysis".to_owned())
            .spawn(move || run_loop(&context, &receiver, own))
            .map_err(|e| log(&format!("cannot start the analysis thread: {e}")))
            .ok();
        Worker { waker, handle }
    }

    /// Asks for a run ([`Waker::wake`]).
    pub fn trigger(&self, trigger: Trigger) {
        self.waker.wake(trigger);
    }

    /// Cancels the run in progress, then stops the thread: it ends within one file's analysis
    /// or one entry of a walk, however big the workspace.
    pub fn stop(mut self) {
        self.waker.wake(Trigger::Stop);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn run_loop(context: &Context, triggers: &Receiver<Trigger>, waker: Waker) {
    let mut state = PublishState::default();
    let mut watch = OwnWatch {
        waker,
        disk: None,
        failed: false,
    };
    while let Ok(first) = triggers.recv() {
        if first == Trigger::Stop {
            return;
        }
        // Coalesce: every trigger that arrives while waiting joins this run. A debounced one
        // restarts the quiet period (up to MAX_DELAY); `Now` ends the wait.
        let started = Instant::now();
        let mut debounced = first == Trigger::Debounced;
        loop {
            let wait = if debounced {
                context
                    .debounce
                    .min(MAX_DELAY.saturating_sub(started.elapsed()))
            } else {
                Duration::ZERO
            };
            match triggers.recv_timeout(wait) {
                Ok(Trigger::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(Trigger::Now) => debounced = false,
                Ok(Trigger::Debounced) => {}
                Err(RecvTimeoutError::Timeout) => break,
            }
        }
        // A fresh flag per run, raised by the next trigger; one raised before this run began
        // (by the trigger that started it) is left behind.
        let cancel = Cancel::new();
        *lock(&watch.waker.running) = cancel.clone();
        analyze(context, &mut state, cancel);
        watch.follow(context, &state.cache);
    }
}

/// The server's own file watcher ([`super::watch`]), once the workspace asks for it.
struct OwnWatch {
    waker: Waker,
    disk: Option<DiskWatch>,
    /// It could not start or keep up (the system's limit of watches): every run walks.
    failed: bool,
}

impl OwnWatch {
    /// Starts the watcher when the workspace wants it, and has it watch what the last walk
    /// found; a directory newly watched asks for a run that looks at everything again.
    fn follow(&mut self, context: &Context, cache: &check::Cache) {
        if self.disk.is_none() && !self.failed && lock(&context.workspace).own_watcher {
            match DiskWatch::start(Arc::clone(&context.workspace), self.waker.clone()) {
                Ok(disk) => {
                    (context.log)("watching the workspace for changes on disk");
                    self.disk = Some(disk);
                }
                Err(err) => return self.fail(context, &err),
            }
        }
        let Some(disk) = &mut self.disk else {
            return;
        };
        match disk.follow(cache.walks(), || cache.watched_dirs(), &context.workspace) {
            Ok(0) => {}
            Ok(added) => {
                (context.log)(&format!(
                    "watching {added} more directories: the next run looks at everything"
                ));
                self.waker.wake(Trigger::Debounced);
            }
            Err(err) => self.fail(context, &err),
        }
    }

    fn fail(&mut self, context: &Context, err: &notify::Error) {
        self.disk = None;
        self.failed = true;
        lock(&context.workspace).changes.watching = false;
        (context.log)(&crate::printable::escape(&format!(
            "cannot watch the workspace ({err}): every run walks it and looks at every file"
        )));
    }
}

/// What the client was last told, to clear files that lose all their diagnostics and to show
/// one error message once rather than on every keystroke.
#[derive(Default)]
struct PublishState {
    /// By URI: what each file was last told (its version and diagnostics), so that a run sends
    /// only what changed; a workspace of thousands of files with findings is not sent again on
    /// every keystroke.
    published: Published,
    last_error: Option<String>,
    /// The message that the walk stopped at its bound was shown (once per server).
    walk_limit_shown: bool,
    /// Each file's analysis from earlier runs: an edit re-analyzes the files that changed, then
    /// joins and checks the whole workspace again.
    cache: check::Cache,
    /// Where the server stands with the cache on disk ([`super::StartCache`]).
    start: Start,
    /// The pools runs are made in, once each was needed ([`Pools`]).
    pools: Pools,
    /// The URIs made for the last run's files with diagnostics, by their paths' bytes: most
    /// are the next run's too.
    uris: Uris,
    /// Each published file's diagnostics with what they were made from: most are the next
    /// run's too.
    converted: converted::Memo,
}

/// URIs made from paths, by the paths' bytes.
type Uris = foldhash::HashMap<std::ffi::OsString, Option<Uri>>;

/// The pools the server's runs are made in besides rayon's own. Small runs are made on this
/// thread alone, which keeps the memory the runs before freed here (the merge, the join, the
/// rules and the publishing run here) for the next: a thread of their own took fresh pages
/// while this one's lay idle, 5–10 MB more peak at 10,000 templates. But once this thread is a
/// pool's, rayon makes every run it starts itself in that pool, on one thread: a run of many
/// changes after it is handed to a pool of every core.
#[derive(Default)]
struct Pools {
    /// This thread alone ([`SMALL_RUN_CHANGES`]).
    one_thread: Option<rayon::ThreadPool>,
    /// Every core (as many threads as rayon's own pool has), once this thread is a pool's.
    every_core: Option<rayon::ThreadPool>,
}

impl Pools {
    /// The pool a run is made in; `None` for rayon's own.
    fn take(&mut self, small: bool) -> Option<rayon::ThreadPool> {
        match (small, self.one_thread.is_some()) {
            (true, _) => self.one_thread.take().or_else(|| make_pool(true)),
            (false, true) => self.every_core.take().or_else(|| make_pool(false)),
            (false, false) => None,
        }
    }

    /// Keeps the pool a run was made in for the next.
    fn put_back(&mut self, small: bool, pool: Option<rayon::ThreadPool>) {
        match small {
            true => self.one_thread = pool,
            false => self.every_core = pool,
        }
    }
}

/// A run after at most this many files changed (an edit, a save) is made on the server's own
/// thread alone ([`Pools`]). Its work is thousands of lookups of a few hundred instructions
/// each and the analysis of a file or two: split between threads, it costs more CPU (the
/// threads hand work over, an idle one spins before it sleeps, and memory is freed on another
/// thread than the one that took it) and takes about as long. A first run, or one after a
/// checkout, uses every core.
const SMALL_RUN_CHANGES: usize = 8;

/// The server's use of the cache on disk: only until a first run completes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Start {
    /// No run has completed, and none has opened the cache on disk.
    #[default]
    First,
    /// The cache on disk was opened for the first run (which may be cancelled and run again).
    Reading,
    /// A run was completed: the cache keeps its analyses in memory only.
    Done,
}

fn analyze(context: &Context, state: &mut PublishState, cancel: Cancel) {
    let (options, documents) = {
        let mut workspace = lock(&context.workspace);
        workspace.changes.take_into(&mut state.cache);
        let overrides = workspace
            .documents
            .iter()
            .map(|(path, doc)| (path.clone(), doc.text.clone()))
            .collect();
        (
            workspace
                .settings
                .options(&workspace.roots, overrides, crate::config::env_region()),
            workspace.documents.clone(),
        )
    };
    if options.paths.is_empty() {
        // No workspace folder and no open file: nothing to analyze (and never the server's
        // own working directory).
        return;
    }
    let options = CheckOptions { cancel, ..options };
    if state.start == Start::First
        && let Some(dir) = context.start_cache.dir(&options.cwd)
    {
        (context.log)(&format!("reading the analysis cache in {dir:?}"));
        state.start = Start::Reading;
        state.cache = check::Cache::starting_from(dir);
    }
    (context.log)(&format!("checking {:?}", options.paths));
    // A small run is made on this thread alone ([`Pools`]).
    let small = state.start == Start::Done && state.cache.next_run_is_small(SMALL_RUN_CHANGES);
    let pool = state.pools.take(small);
    match &pool {
        Some(pool) => pool.install(|| run_and_publish(context, state, &options, &documents)),
        None => run_and_publish(context, state, &options, &documents),
    }
    state.pools.put_back(small, pool);
}

/// Runs the check of `options` and tells the client what changed.
fn run_and_publish(
    context: &Context,
    state: &mut PublishState,
    options: &CheckOptions,
    documents: &BTreeMap<PathBuf, Document>,
) {
    let threads = rayon::current_num_threads();
    let started = Instant::now();
    // Nothing reachable from input may panic; should it happen anyway, the editor keeps its
    // server and the log says why.
    let cache = &mut state.cache;
    let outcome = match catch_unwind(AssertUnwindSafe(|| check::run_cached(options, cache))) {
        Ok(outcome) => outcome,
        Err(_) => {
            (context.log)("the analysis panicked; diagnostics were not updated");
            // What the interrupted run left in the cache is not to be trusted.
            state.cache = check::Cache::new();
            return;
        }
    };
    let elapsed = started.elapsed();
    // The cache on disk served the first run, which brought it up to date; the next runs keep
    // their analyses in memory.
    let first = outcome.is_ok() && state.start != Start::Done;
    if first {
        state.start = Start::Done;
    }
    let outcome = match outcome {
        Ok(outcome) => {
            state.last_error = None;
            if outcome.walk_limit_reached && !state.walk_limit_shown {
                state.walk_limit_shown = true;
                walk_limit_message(context, options);
            }
            outcome
        }
        // A newer trigger, `shutdown` or `exit`: nothing to publish.
        Err(CheckError::Cancelled) => {
            (context.log)("run cancelled");
            return;
        }
        Err(err) => return report_error(context, state, options, documents, &err),
    };

    let by_file = by_file(context, &outcome, options, documents, state);
    publish_changes(context, state, by_file, documents);
    let stats = state.cache.stats();
    (context.log)(&format!(
        "analyzed {} files in {:.1} ms on {} ({} unchanged, {} read again; {} stacks joined, \
         {} facts evaluated): {} diagnostics ({})",
        outcome.summary.files,
        elapsed.as_secs_f64() * 1000.0,
        match threads {
            1 => "one thread".to_owned(),
            n => format!("{n} threads"),
        },
        stats.reused,
        stats.analyzed,
        state.cache.join_stats().joined,
        state.cache.rules_stats().evaluated,
        outcome.diagnostics.len(),
        outcome.stages,
    ));
    if first {
        // Written once the client has the diagnostics, which need none of it.
        state.cache.write_disk();
        state.cache.forget_disk();
    }
}

/// A pool for a run ([`Pools`]): for a small one, this thread alone (its registry lives as long
/// as the process); else one of every core. `None` if rayon would not make it (the run then
/// uses rayon's own pool).
fn make_pool(small: bool) -> Option<rayon::ThreadPool> {
    let builder = rayon::ThreadPoolBuilder::new();
    let builder = match small {
        true => builder.num_threads(1).use_current_thread(),
        false => builder.thread_name(|i| format!("sandtrap-analysis-{i}")),
    };
    builder.build().ok()
}

/// The run's diagnostics converted for the client, grouped by the URI of their file. Each
/// file's URI and path, and each rule's URL, are made once per run, however many findings
/// name them; a file whose findings are the last run's keeps their conversion
/// ([`converted`]).
fn by_file(
    context: &Context,
    outcome: &check::Outcome,
    options: &CheckOptions,
    documents: &BTreeMap<PathBuf, Document>,
    state: &mut PublishState,
) -> ByFile {
    let places: RefCell<foldhash::HashMap<FileId, Option<Place>>> = RefCell::default();
    // The last run's URIs are taken over; what this run made is kept for the next.
    let (last, made) = (
        RefCell::new(std::mem::take(&mut state.uris)),
        RefCell::new(Uris::default()),
    );
    let make = |path: &Path| {
        let key = path.as_os_str();
        let uri = (last.borrow_mut().remove(key)).unwrap_or_else(|| path_to_uri(path));
        made.borrow_mut().insert(key.to_owned(), uri.clone());
        uri
    };
    let place = |id: FileId, file: &SourceFile| -> Option<Place> {
        (places.borrow_mut().entry(id))
            .or_insert_with(|| {
                let path = file
                    .path
                    .clone()
                    .unwrap_or_else(|| options.cwd.join(&file.name));
                uri_for(&path, documents, make).map(|uri| (uri, path))
            })
            .clone()
    };
    let uri_of = |id: FileId, file: &SourceFile| place(id, file).map(|(uri, _)| uri);
    let hrefs: RefCell<foldhash::HashMap<String, Option<Uri>>> = RefCell::default();
    let href_of = |url: &str| -> Option<Uri> {
        if let Some(href) = hrefs.borrow().get(url) {
            return href.clone();
        }
        let href = Uri::from_str(url).ok();
        hrefs.borrow_mut().insert(url.to_owned(), href.clone());
        href
    };
    let findings = group_by_uri(outcome, &place);
    let files = &outcome.files;
    let uri_of_id = |id: FileId| files.get(id).and_then(|file| uri_of(id, file));
    let convert =
        |d: &Diagnostic| convert::diagnostic(d, files, context.encoding, &uri_of, &href_of);
    let mut kept = std::mem::take(&mut state.converted);
    let mut next = converted::Memo::with_capacity_and_hasher(findings.len(), Default::default());
    let by_file = (findings.into_iter())
        .map(|(key, uri, path, found)| {
            let memo = (&mut kept, &mut next);
            let diagnostics =
                converted::diagnostics(&key, &found, files, &uri_of_id, &convert, memo);
            (key, uri, path, diagnostics)
        })
        .filter(|(_, _, _, diagnostics)| !diagnostics.is_empty())
        .collect();
    state.converted = next;
    state.uris = made.into_inner();
    by_file
}

/// A file's URI and the path it stands for.
type Place = (Uri, PathBuf);

/// A file's findings, with its URI (as a key, and as the client is told it) and path.
type Group<'o> = (String, Uri, PathBuf, Vec<&'o Diagnostic>);

/// The run's findings grouped by the URI their file is published under (`place` names a
/// file's URI and path), in the URIs' order. The run sorts its findings by file: a file's
/// come one after the other.
fn group_by_uri<'o>(
    outcome: &'o check::Outcome,
    place: &dyn Fn(FileId, &SourceFile) -> Option<Place>,
) -> Vec<Group<'o>> {
    let mut groups: Vec<Group<'o>> = Vec::new();
    let mut at: foldhash::HashMap<String, usize> = foldhash::HashMap::default();
    // The last finding's file, and its group.
    let mut last: Option<(FileId, usize)> = None;
    for d in &outcome.diagnostics {
        let id = d.location.file;
        let n = match last {
            Some((file, n)) if file == id => n,
            _ => {
                let Some((uri, path)) = (outcome.files.get(id)).and_then(|file| place(id, file))
                else {
                    continue;
                };
                *at.entry(uri.as_str().to_owned()).or_insert_with(|| {
                    groups.push((uri.as_str().to_owned(), uri, path, Vec::new()));
                    groups.len() - 1
                })
            }
        };
        groups[n].3.push(d);
        last = Some((id, n));
    }
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    groups
}

/// Tells the client what changed since the last run (new or different diagnostics, files that
/// have none any more), after handing hover and code actions what the client is about to see.
fn publish_changes(
    context: &Context,
    state: &mut PublishState,
    by_file: ByFile,
    documents: &BTreeMap<PathBuf, Document>,
) {
    // Hover and code actions must see what the client is about to be told.
    let mut files = foldhash::HashMap::with_capacity_and_hasher(by_file.len(), Default::default());
    for (_, _, path, diagnostics) in &by_file {
        let diagnostics = Arc::clone(diagnostics);
        files.insert(path.clone(), FileResult { diagnostics });
    }
    lock(&context.results).files = files;
    let mut published = Published::with_capacity_and_hasher(by_file.len(), Default::default());
    for (key, uri, path, diagnostics) in by_file {
        let version = version(&path, documents);
        let told = state.published.remove(&key);
        // A file's diagnostics shared with the last run's are the same (`converted`).
        let same = |d: &converted::Shared| Arc::ptr_eq(d, &diagnostics) || *d == diagnostics;
        if told
            .as_ref()
            .is_none_or(|(_, v, d)| *v != version || !same(d))
        {
            publish(context, &uri, version, diagnostics.to_vec());
        }
        published.insert(key, (uri, version, diagnostics));
    }
    // Files that had diagnostics and have none now.
    let mut gone: Vec<_> = std::mem::take(&mut state.published).into_iter().collect();
    gone.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    for (_, (uri, _, _)) in gone {
        publish(context, &uri, None, Vec::new());
    }
    state.published = published;
}

/// Diagnostics by the URI of their file (in the URIs' order), with the URI and the path.
type ByFile = Vec<(String, Uri, PathBuf, converted::Shared)>;

/// By URI, what each file was last told: its URI, version and diagnostics.
type Published = foldhash::HashMap<String, (Uri, Option<i32>, converted::Shared)>;

/// The URI a file is published under: an open buffer's own (clients match diagnostics to
/// buffers by the exact string), else one made from the path by `make`.
fn uri_for(
    path: &Path,
    documents: &BTreeMap<PathBuf, Document>,
    make: impl FnOnce(&Path) -> Option<Uri>,
) -> Option<Uri> {
    // Only a file of an open buffer's name can be that buffer, under its path or another.
    if !crate::discover::may_share_a_name(path, documents.keys()) {
        return make(path);
    }
    if let Some(doc) = documents.get(path) {
        return Some(doc.uri.clone());
    }
    // Another spelling of an open buffer's path (through a link) has its file name: only then
    // is the file system asked.
    let mut same_name = documents
        .iter()
        .filter(|(p, _)| p.file_name() == path.file_name())
        .peekable();
    if same_name.peek().is_some()
        && let Ok(canonical) = path.canonicalize()
        && let Some((_, doc)) =
            same_name.find(|(p, _)| p.canonicalize().ok().as_ref() == Some(&canonical))
    {
        return Some(doc.uri.clone());
    }
    make(path)
}

fn version(path: &Path, documents: &BTreeMap<PathBuf, Document>) -> Option<i32> {
    // Most of a workspace's paths have no open buffer's name, which their bytes tell before
    // the map compares paths component by component.
    if !crate::discover::may_share_a_name(path, documents.keys()) {
        return None;
    }
    documents.get(path).map(|d| d.version)
}

fn publish(
    context: &Context,
    uri: &Uri,
    version: Option<i32>,
    diagnostics: Vec<lsp_types::Diagnostic>,
) {
    let params = PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics,
        version,
    };
    let _ = context
        .out
        .send(Notification::new("textDocument/publishDiagnostics".to_owned(), params).into());
}

/// Says that the walk of the workspace stopped at its bound, which files were left out, and how
/// to narrow the workspace.
fn walk_limit_message(context: &Context, options: &CheckOptions) {
    let bound = options.max_walk_entries.unwrap_or_default();
    let roots: Vec<String> = (options.paths.iter())
        .map(|p| crate::printable::escape(&p.to_string_lossy()).into_owned())
        .collect();
    let message = format!(
        "sandtrap: the workspace ({}) has more than {bound} files and folders; only the \
         templates among the first {bound} are checked. Open the folder that holds your \
         templates instead, list what to skip in a .ignore file there, or raise the `walkLimit` \
         setting.",
        roots.join(", ")
    );
    (context.log)(&message);
    let _ = context.out.send(
        Notification::new(
            "window/showMessage".to_owned(),
            json!({"type": 2, "message": message}),
        )
        .into(),
    );
}

/// A run that could not happen is shown to the user, once per error: as a message, and, for a
/// broken configuration file of the workspace, as a diagnostic on it too.
fn report_error(
    context: &Context,
    state: &mut PublishState,
    options: &CheckOptions,
    documents: &BTreeMap<PathBuf, Document>,
    err: &CheckError,
) {
    // It quotes settings files and paths of the workspace.
    let text = crate::printable::escape(&err.to_string()).into_owned();
    (context.log)(&format!("cannot analyze the workspace: {text}"));
    if state.last_error.as_deref() != Some(text.as_str()) {
        let _ = context.out.send(
            Notification::new(
                "window/showMessage".to_owned(),
                json!({"type": 1, "message": format!("sandtrap: {text}")}),
            )
            .into(),
        );
        state.last_error = Some(text.clone());
    }
    if let CheckError::Config(config_error) = err
        && let Some(span) = config_error.span()
        && let Some(path) = options
            .config
            .clone()
            .or_else(|| crate::config::find(&options.cwd))
        && let Some(uri) = uri_for(&path, documents, path_to_uri)
    {
        let source_text = documents
            .get(&path)
            .map(|d| d.text.clone())
            .or_else(|| crate::input::read_settings(&path, &options.cwd).ok())
            .unwrap_or_default();
        let file = SourceFile::new(path.to_string_lossy(), Some(path.clone()), source_text);
        let help = miette::Diagnostic::help(&**config_error)
            .map(|h| crate::printable::escape(&h.to_string()).into_owned());
        let mut message = text;
        if let Some(help) = help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let diagnostic = lsp_types::Diagnostic {
            range: convert::range(&file, span, context.encoding),
            severity: Some(lsp_types::DiagnosticSeverity::ERROR),
            code: Some(lsp_types::NumberOrString::String("config".to_owned())),
            source: Some("sandtrap".to_owned()),
            message,
            ..lsp_types::Diagnostic::default()
        };
        let version = version(&path, documents);
        publish(context, &uri, version, vec![diagnostic.clone()]);
        let diagnostics = Arc::new(vec![diagnostic]);
        (state.published).insert(uri.as_str().to_owned(), (uri, version, diagnostics));
    }
}

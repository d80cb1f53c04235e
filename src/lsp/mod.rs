//! `sandtrap lsp`: a language server that runs the whole workspace as one `sandtrap check`, with
//! the editor's open buffers in place of the files on disk.
//!
//! Threads: the caller's thread runs [`serve`] (the protocol: requests, notifications, the
//! workspace state); one worker thread ([`worker`]) runs the analysis, coalescing bursts of
//! edits, and publishes diagnostics itself. The two share the workspace (open buffers, settings,
//! roots) and the last results behind mutexes held only to copy or swap them.

mod convert;
mod converted;
mod features;
mod settings;
mod transport;
mod watch;
mod worker;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::Uri;
use serde_json::{Value, json};

pub use convert::{Encoding, path_to_uri, uri_to_path};
pub use settings::{FileWatcher, Settings, SettingsError};
pub use transport::{serve_io, serve_stdio};

use worker::{Trigger, Worker};

/// How the server behaves; the defaults are what `sandtrap lsp` uses.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// How long a burst of `didChange` must be quiet before the workspace is analyzed.
    pub debounce: Duration,
    /// Where the first analysis finds the analyses `sandtrap check` kept.
    pub start_cache: StartCache,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            debounce: Duration::from_millis(200),
            start_cache: StartCache::Workspace,
        }
    }
}

/// Where the server's first analysis reads (and brings up to date) the analysis cache of
/// `sandtrap check` (`docs/performance.md`, "Persistent cache"). The runs after it keep their
/// analyses in memory only: an edit never writes into the workspace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StartCache {
    /// Nowhere (`sandtrap lsp --no-cache`, `SANDTRAP_NO_CACHE`).
    #[default]
    Off,
    /// `.sandtrap_cache/` in the first workspace folder, only when it is there already (a
    /// check of the project made it): the server never creates one.
    Workspace,
    /// This directory, relative to the first workspace folder (`--cache-dir`,
    /// `SANDTRAP_CACHE_DIR`).
    At(PathBuf),
}

impl StartCache {
    /// The directory for a run whose first workspace folder is `root`.
    pub(crate) fn dir(&self, root: &std::path::Path) -> Option<PathBuf> {
        if root.as_os_str().is_empty() {
            return None;
        }
        match self {
            StartCache::Off => None,
            StartCache::At(dir) => Some(root.join(dir)),
            StartCache::Workspace => {
                let dir = root.join(crate::check::CACHE_DIR_NAME);
                (std::fs::symlink_metadata(&dir))
                    .is_ok_and(|m| m.is_dir())
                    .then_some(dir)
            }
        }
    }
}

/// Where the server's log lines go (standard error under `sandtrap lsp`).
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// The command behind the "open the rule's documentation" code action.
pub const OPEN_DOCS_COMMAND: &str = "sandtrap.openDocumentation";

/// One open buffer.
#[derive(Clone, Debug)]
struct Document {
    uri: Uri,
    text: String,
    version: i32,
}

/// What the protocol thread knows and the worker reads for each run.
#[derive(Debug, Default)]
struct Workspace {
    documents: BTreeMap<PathBuf, Document>,
    settings: Settings,
    roots: Vec<PathBuf>,
    /// What changed on disk since the last run, as far as the server knows.
    changes: Changes,
    /// The server watches the disk itself ([`watch`]): the client offers no watcher, refused
    /// the server's, or the settings ask for the server's.
    own_watcher: bool,
}

/// The changes on disk a file watcher (the client's or the server's own) reported since the
/// last run. Only when the watcher is registered and watching, and nothing else (settings,
/// workspace folders) changed, can a run trust them to be all
/// ([`crate::check::Cache::watched`]).
#[derive(Debug, Default)]
struct Changes {
    watching: bool,
    /// Something the watcher does not report changed: the next run looks at everything.
    everything: bool,
    files: Vec<crate::check::FileChange>,
}

impl Changes {
    /// Hands the changes to the cache for the next run, and starts counting afresh.
    fn take_into(&mut self, cache: &mut crate::check::Cache) {
        if self.watching && !self.everything {
            cache.watched(std::mem::take(&mut self.files));
        }
        self.files.clear();
        self.everything = false;
    }
}

/// What the client said it can do, as far as the server cares.
#[derive(Clone, Copy, Debug, Default)]
struct ClientSupport {
    watch_registration: bool,
    show_document: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; carry on with it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Serves one client on `connection` until `exit` or until the client goes away. Returns whether
/// the client shut the server down properly (`shutdown` before `exit`).
pub fn serve(connection: Connection, options: ServerOptions, log: Log) -> bool {
    let Some((id, params)) = wait_for_initialize(&connection, &log) else {
        return false;
    };
    let encoding = Encoding::negotiate(
        serde_json::from_value::<Vec<lsp_types::PositionEncodingKind>>(
            params
                .pointer("/capabilities/general/positionEncodings")
                .cloned()
                .unwrap_or(Value::Null),
        )
        .ok()
        .as_deref(),
    );
    let support = ClientSupport {
        watch_registration: params
            .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        show_document: params
            .pointer("/capabilities/window/showDocument/support")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let mut workspace = Workspace {
        roots: roots(&params),
        ..Workspace::default()
    };
    if let Some(init) = params.get("initializationOptions") {
        match Settings::parse(init) {
            Ok(settings) => workspace.settings = settings,
            Err(err) => show_message(&connection, 1, &err.to_string()),
        }
    }
    warn_unknown_settings(&connection, &workspace.settings);
    let file_watcher = workspace.settings.file_watcher;
    workspace.own_watcher = match file_watcher {
        FileWatcher::Auto => !support.watch_registration,
        FileWatcher::Server => true,
        FileWatcher::Off => false,
    };
    log(&format!(
        "sandtrap lsp {}: roots {:?}, position encoding {:?}",
        env!("CARGO_PKG_VERSION"),
        workspace.roots,
        encoding
    ));
    let result = json!({
        "capabilities": capabilities(encoding),
        "serverInfo": {"name": "sandtrap", "version": env!("CARGO_PKG_VERSION")},
    });
    if connection
        .sender
        .send(Response::new_ok(id, result).into())
        .is_err()
    {
        return false;
    }

    // Without its rules the server would show a workspace with nothing wrong: say so instead.
    let catalog = match crate::rules::Catalog::builtin() {
        Ok(catalog) => catalog,
        Err(err) => {
            let message = format!("sandtrap cannot load its built-in rules: {err}");
            show_message(&connection, 1, &message);
            crate::rules::Catalog::default()
        }
    };
    let workspace = Arc::new(Mutex::new(workspace));
    let results = Arc::new(Mutex::new(worker::Results::default()));
    let worker = Worker::spawn(worker::Context {
        workspace: Arc::clone(&workspace),
        results: Arc::clone(&results),
        out: connection.sender.clone(),
        encoding,
        debounce: options.debounce,
        start_cache: options.start_cache.clone(),
        log: Arc::clone(&log),
    });
    let mut server = Server {
        connection: &connection,
        workspace,
        results,
        worker: &worker,
        catalog,
        encoding,
        support,
        log,
        shutdown: false,
        next_id: 0,
        watch_registration: None,
        file_watcher,
    };
    let clean = server.main_loop();
    worker.stop();
    clean
}

/// Answers everything before `initialize` as the protocol says; `None` when the client left.
fn wait_for_initialize(connection: &Connection, log: &Log) -> Option<(RequestId, Value)> {
    for message in &connection.receiver {
        match message {
            Message::Request(req) if req.method == "initialize" => {
                return Some((req.id, req.params));
            }
            Message::Request(req) => {
                let _ = connection.sender.send(
                    Response::new_err(
                        req.id,
                        ErrorCode::ServerNotInitialized as i32,
                        "the server is not initialized yet".to_owned(),
                    )
                    .into(),
                );
            }
            Message::Notification(n) if n.method == "exit" => return None,
            other => log(&format!("ignored before initialize: {other:?}")),
        }
    }
    None
}

/// The workspace folders, else `rootUri`, else `rootPath`; only local directories count.
fn roots(params: &Value) -> Vec<PathBuf> {
    let from_uri = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<Uri>().ok())
            .and_then(|u| uri_to_path(&u))
    };
    let mut roots: Vec<PathBuf> = params
        .get("workspaceFolders")
        .and_then(Value::as_array)
        .map(|folders| {
            folders
                .iter()
                .filter_map(|f| f.get("uri").and_then(from_uri))
                .collect()
        })
        .unwrap_or_default();
    if roots.is_empty() {
        roots.extend(params.get("rootUri").and_then(from_uri));
    }
    if roots.is_empty() {
        roots.extend(
            params
                .get("rootPath")
                .and_then(Value::as_str)
                .map(PathBuf::from),
        );
    }
    roots.retain(|r| r.is_dir());
    roots
}

fn capabilities(encoding: Encoding) -> Value {
    json!({
        "positionEncoding": encoding.kind(),
        "textDocumentSync": {
            "openClose": true,
            // Full text on every change: templates are small, and no edit can drift.
            "change": 1,
            "save": {"includeText": false},
        },
        "hoverProvider": true,
        "codeActionProvider": {"codeActionKinds": ["quickfix"]},
        "executeCommandProvider": {"commands": [OPEN_DOCS_COMMAND]},
        "workspace": {"workspaceFolders": {"supported": true, "changeNotifications": true}},
    })
}

/// Shows `message`, which may quote settings and URLs of the workspace, printable.
fn show_message(connection: &Connection, kind: u8, message: &str) {
    let _ = connection.sender.send(
        Notification::new(
            "window/showMessage".to_owned(),
            json!({"type": kind, "message": crate::printable::escape(message)}),
        )
        .into(),
    );
}

fn warn_unknown_settings(connection: &Connection, settings: &Settings) {
    if !settings.unknown.is_empty() {
        let keys: Vec<&str> = settings.unknown.keys().map(String::as_str).collect();
        show_message(
            connection,
            2,
            &format!(
                "sandtrap: unknown settings ignored: {} (known: region, account, params, \
                 sesSandbox, sesProduction, config, walkLimit, fileWatcher)",
                keys.join(", ")
            ),
        );
    }
}

struct Server<'a> {
    connection: &'a Connection,
    workspace: Arc<Mutex<Workspace>>,
    results: Arc<Mutex<worker::Results>>,
    worker: &'a Worker,
    catalog: crate::rules::Catalog,
    encoding: Encoding,
    support: ClientSupport,
    log: Log,
    shutdown: bool,
    next_id: i32,
    /// The request that registers the file watcher, until the client answers it.
    watch_registration: Option<RequestId>,
    /// Who watches the disk, as the settings at start said.
    file_watcher: FileWatcher,
}

impl Server<'_> {
    fn main_loop(&mut self) -> bool {
        for message in &self.connection.receiver {
            match message {
                Message::Request(req) => self.request(req),
                Message::Notification(n) if n.method == "exit" => return self.shutdown,
                Message::Notification(n) => self.notification(n),
                Message::Response(response) => self.response(&response),
            }
        }
        false
    }

    /// An answer to a request of the server's. Once the client has accepted the file watcher,
    /// it reports what changes on disk, and runs may trust it to report everything
    /// ([`Changes`]); a refused registration leaves every run looking at every file.
    fn response(&mut self, response: &lsp_server::Response) {
        if self.watch_registration.as_ref() == Some(&response.id) {
            self.watch_registration = None;
            if response.error.is_none() {
                lock(&self.workspace).changes.watching = true;
            } else {
                (self.log)("the client refused the file watcher: the server watches the disk");
                lock(&self.workspace).own_watcher = true;
            }
        }
    }

    fn respond(&self, response: Response) {
        let _ = self.connection.sender.send(response.into());
    }

    fn request(&mut self, req: Request) {
        if self.shutdown {
            return self.respond(Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_owned(),
            ));
        }
        let result = match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/hover" => parse(req.params).map(|params| {
                let results = lock(&self.results);
                json!(features::hover(&params, &results, &self.catalog))
            }),
            "textDocument/codeAction" => parse(req.params).map(|params| {
                let results = lock(&self.results);
                let workspace = lock(&self.workspace);
                json!(features::code_actions(
                    &params,
                    &results,
                    &workspace,
                    &self.catalog,
                ))
            }),
            "workspace/executeCommand" => {
                parse::<lsp_types::ExecuteCommandParams>(req.params).map(|p| self.execute(p))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("sandtrap does not handle `{}`", req.method),
            )),
        };
        self.respond(match result {
            Ok(value) => Response::new_ok(req.id, value),
            Err((code, message)) => Response::new_err(req.id, code as i32, message),
        });
    }

    fn execute(&mut self, params: lsp_types::ExecuteCommandParams) -> Value {
        let url = params.arguments.first().and_then(Value::as_str);
        match (params.command.as_str(), url) {
            (OPEN_DOCS_COMMAND, Some(url)) if self.support.show_document => {
                self.next_id += 1;
                let request = Request::new(
                    RequestId::from(format!("sandtrap-{}", self.next_id)),
                    "window/showDocument".to_owned(),
                    json!({"uri": url, "external": true}),
                );
                let _ = self.connection.sender.send(request.into());
            }
            (OPEN_DOCS_COMMAND, Some(url)) => {
                show_message(
                    self.connection,
                    3,
                    &format!("sandtrap documentation: {url}"),
                );
            }
            (command, _) => (self.log)(&format!("unknown command `{command}` ignored")),
        }
        Value::Null
    }

    fn notification(&mut self, n: Notification) {
        let trigger = match n.method.as_str() {
            "textDocument/didOpen" => self.did_open(n.params),
            "textDocument/didChange" => self.did_change(n.params),
            "textDocument/didSave" => self.did_save(n.params),
            "textDocument/didClose" => self.did_close(n.params),
            "workspace/didChangeWatchedFiles" => self.did_change_watched_files(n.params),
            "workspace/didChangeConfiguration" => self.did_change_configuration(n.params),
            "workspace/didChangeWorkspaceFolders" => self.did_change_folders(n.params),
            "initialized" => {
                self.register_watchers();
                Some(Trigger::Now)
            }
            _ => None,
        };
        if let Some(trigger) = trigger {
            self.worker.trigger(trigger);
        }
    }

    fn log_bad_params(&self, method: &str, message: &str) {
        (self.log)(&format!(
            "ignored `{method}` with bad parameters: {message}"
        ));
    }

    fn did_open(&mut self, params: Value) -> Option<Trigger> {
        let params: lsp_types::DidOpenTextDocumentParams = parse(params)
            .map_err(|(_, m)| self.log_bad_params("didOpen", &m))
            .ok()?;
        let doc = params.text_document;
        let path = uri_to_path(&doc.uri)?;
        lock(&self.workspace).documents.insert(
            path,
            Document {
                uri: doc.uri,
                text: doc.text,
                version: doc.version,
            },
        );
        Some(Trigger::Now)
    }

    fn did_change(&mut self, params: Value) -> Option<Trigger> {
        let params: lsp_types::DidChangeTextDocumentParams = parse(params)
            .map_err(|(_, m)| self.log_bad_params("didChange", &m))
            .ok()?;
        let path = uri_to_path(&params.text_document.uri)?;
        let mut workspace = lock(&self.workspace);
        let Some(doc) = workspace.documents.get_mut(&path) else {
            (self.log)("didChange for a document that is not open: ignored");
            return None;
        };
        for change in params.content_changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    features::apply_edit(&mut doc.text, range, &change.text, self.encoding);
                }
            }
        }
        doc.version = params.text_document.version;
        Some(Trigger::Debounced)
    }

    fn did_save(&mut self, params: Value) -> Option<Trigger> {
        let params: lsp_types::DidSaveTextDocumentParams = parse(params)
            .map_err(|(_, m)| self.log_bad_params("didSave", &m))
            .ok()?;
        let Some(path) = uri_to_path(&params.text_document.uri) else {
            return Some(Trigger::Now);
        };
        let mut workspace = lock(&self.workspace);
        if let (Some(text), Some(doc)) = (params.text, workspace.documents.get_mut(&path)) {
            doc.text = text;
        }
        // The file on disk changed, whether or not the watcher's word of it came first.
        workspace.changes.files.push(crate::check::FileChange {
            path,
            content_only: true,
        });
        Some(Trigger::Now)
    }

    fn did_close(&mut self, params: Value) -> Option<Trigger> {
        let params: lsp_types::DidCloseTextDocumentParams = parse(params)
            .map_err(|(_, m)| self.log_bad_params("didClose", &m))
            .ok()?;
        let path = uri_to_path(&params.text_document.uri)?;
        lock(&self.workspace).documents.remove(&path);
        // The file on disk now stands for it, which may differ from the unsaved buffer.
        Some(Trigger::Now)
    }

    fn did_change_watched_files(&mut self, params: Value) -> Option<Trigger> {
        let mut workspace = lock(&self.workspace);
        let changes = &mut workspace.changes;
        match parse::<lsp_types::DidChangeWatchedFilesParams>(params) {
            Ok(params) => {
                for change in params.changes {
                    match uri_to_path(&change.uri) {
                        Some(path) => changes.files.push(crate::check::FileChange {
                            path,
                            content_only: change.typ == lsp_types::FileChangeType::CHANGED,
                        }),
                        None => changes.everything = true,
                    }
                }
            }
            // Changes we cannot read are changes we cannot trust to be all.
            Err(_) => changes.everything = true,
        }
        Some(Trigger::Debounced)
    }

    fn did_change_configuration(&mut self, params: Value) -> Option<Trigger> {
        lock(&self.workspace).changes.everything = true;
        let settings = params.get("settings").cloned().unwrap_or(Value::Null);
        match Settings::parse(&settings) {
            Ok(settings) => {
                warn_unknown_settings(self.connection, &settings);
                lock(&self.workspace).settings = settings;
                Some(Trigger::Now)
            }
            Err(err) => {
                show_message(self.connection, 1, &err.to_string());
                None
            }
        }
    }

    fn did_change_folders(&mut self, params: Value) -> Option<Trigger> {
        let params: lsp_types::DidChangeWorkspaceFoldersParams = parse(params)
            .map_err(|(_, m)| self.log_bad_params("didChangeWorkspaceFolders", &m))
            .ok()?;
        let mut workspace = lock(&self.workspace);
        workspace.changes.everything = true;
        for removed in &params.event.removed {
            if let Some(path) = uri_to_path(&removed.uri) {
                workspace.roots.retain(|r| *r != path);
            }
        }
        for added in &params.event.added {
            if let Some(path) = uri_to_path(&added.uri).filter(|p| p.is_dir()) {
                workspace.roots.push(path);
            }
        }
        Some(Trigger::Now)
    }

    /// Asks the client to report changes of templates and configuration made outside the
    /// editor (a `git checkout`, a `cdk synth`).
    fn register_watchers(&mut self) {
        if !self.support.watch_registration || self.file_watcher != FileWatcher::Auto {
            return;
        }
        self.next_id += 1;
        let id = RequestId::from(format!("sandtrap-{}", self.next_id));
        // Trusted once the client accepts it (`response`); runs before that read everything.
        self.watch_registration = Some(id.clone());
        let request = Request::new(
            id,
            "client/registerCapability".to_owned(),
            json!({"registrations": [{
                "id": "sandtrap-watched-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [
                    {"globPattern": "**/*.{yaml,yml,json,template}"},
                    // Terraform: configuration files, variables files, installed modules.
                    {"globPattern": "**/*.{tf,tofu,tfvars}"},
                    {"globPattern": "**/.terraform/modules/modules.json"},
                    {"globPattern": "**/.sandtrap.yaml"},
                    // What else decides which files are read and how: ignore files, SAM's
                    // deploy configuration (its YAML form is matched above).
                    {"globPattern": "**/{.gitignore,.ignore,samconfig.toml}"},
                ]},
            }]}),
        );
        let _ = self.connection.sender.send(request.into());
    }
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

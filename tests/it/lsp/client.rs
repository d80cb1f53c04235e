//! A protocol-level client for the language server tests: requests, notifications and waiting
//! for published diagnostics over `Connection::memory()`.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use crate::support::copy_dir;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use sandtrap::lsp::{self, ServerOptions};
use serde_json::{Value, json};

use crate::support;

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    pub connection: Connection,
    pub server: Option<JoinHandle<bool>>,
    pub next_id: i32,
    /// Messages that arrived while waiting for something else.
    inbox: VecDeque<Message>,
    /// Holds the workspace copy (and the server's temporary files) until the client goes.
    _dir: tempfile::TempDir,
    /// The last version sent of each open document: older publishes are stale.
    versions: std::collections::HashMap<String, i32>,
    /// The server's log lines.
    logs: crossbeam_channel::Receiver<String>,
    /// The workspace folder.
    workspace: PathBuf,
}

pub fn fixture(name: &str) -> PathBuf {
    support::root().join("testdata/lsp").join(name)
}

impl Client {
    /// A server on a fresh copy of the fixture workspace, initialized with `capabilities`.
    pub fn start(capabilities: Value, init_options: Value, debounce: Duration) -> (Client, Value) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("workspace");
        copy_dir(&fixture("workspace"), &root);
        Client::start_with(
            dir,
            &root,
            capabilities,
            init_options,
            ServerOptions {
                debounce,
                start_cache: lsp::StartCache::Off,
            },
        )
    }

    /// A server whose workspace folder is `root` as it is (`/`, say).
    pub fn start_at(root: &Path, init_options: Value) -> Client {
        let dir = tempfile::tempdir().unwrap();
        let server = ServerOptions {
            debounce: Duration::from_millis(50),
            start_cache: lsp::StartCache::Off,
        };
        Client::start_with(dir, root, json!({}), init_options, server).0
    }

    /// A server on `root` as it is, whose first analysis reads the analysis cache as
    /// `start_cache` says.
    pub fn start_cached(root: &Path, start_cache: lsp::StartCache) -> Client {
        let dir = tempfile::tempdir().unwrap();
        let server = ServerOptions {
            debounce: Duration::from_millis(50),
            start_cache,
        };
        Client::start_with(dir, root, json!({}), json!({}), server).0
    }

    fn start_with(
        dir: tempfile::TempDir,
        root: &Path,
        capabilities: Value,
        init_options: Value,
        options: ServerOptions,
    ) -> (Client, Value) {
        let (server_side, client_side) = Connection::memory();
        let (log, logs) = crossbeam_channel::unbounded();
        let server = std::thread::spawn(move || {
            lsp::serve(
                server_side,
                options,
                std::sync::Arc::new(move |line: &str| {
                    let _ = log.send(line.to_owned());
                }),
            )
        });
        let mut client = Client {
            connection: client_side,
            server: Some(server),
            next_id: 0,
            inbox: VecDeque::new(),
            versions: std::collections::HashMap::new(),
            _dir: dir,
            logs,
            workspace: root.to_owned(),
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": lsp::path_to_uri(root).unwrap(),
                "capabilities": capabilities,
                "initializationOptions": init_options,
            }),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    pub fn root(&self) -> PathBuf {
        self.workspace.clone()
    }

    pub fn uri(&self, name: &str) -> String {
        lsp::path_to_uri(&self.root().join(name))
            .unwrap()
            .as_str()
            .to_owned()
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Notification::new(method.to_owned(), params).into())
            .unwrap();
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Request::new(id.clone(), method.to_owned(), params).into())
            .unwrap();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self
                .connection
                .receiver
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no answer to {method}"));
            match message {
                Message::Response(r) if r.id == id => {
                    assert!(r.error.is_none(), "{method} failed: {:?}", r.error);
                    return r.result.unwrap_or(Value::Null);
                }
                other => self.inbox.push_back(other),
            }
        }
    }

    /// Waits for the server's file watcher registration and accepts it, as an editor does;
    /// everything else that arrives meanwhile stays in the inbox.
    pub fn accept_watcher(&mut self) {
        let deadline = Instant::now() + TIMEOUT;
        let mut kept = VecDeque::new();
        let request = loop {
            match self.next(deadline.saturating_duration_since(Instant::now())) {
                Some(Message::Request(r)) if r.method == "client/registerCapability" => break r,
                Some(other) => kept.push_back(other),
                None => panic!("no watcher registration"),
            }
        };
        kept.extend(self.inbox.drain(..));
        self.inbox = kept;
        let response = lsp_server::Response::new_ok(request.id, Value::Null);
        self.connection.sender.send(response.into()).unwrap();
    }

    /// The next message, from the inbox first.
    pub fn next(&mut self, timeout: Duration) -> Option<Message> {
        self.inbox
            .pop_front()
            .or_else(|| self.connection.receiver.recv_timeout(timeout).ok())
    }

    /// The next `publishDiagnostics` for `name`, skipping everything else.
    pub fn diagnostics(&mut self, name: &str) -> Vec<Value> {
        let uri = self.uri(name);
        let version = self.versions.get(&uri).copied();
        let deadline = Instant::now() + TIMEOUT;
        while let Some(message) = self.next(deadline.saturating_duration_since(Instant::now())) {
            if let Message::Notification(n) = message
                && n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri.as_str()
                && version.is_none_or(|v| n.params["version"] == v)
            {
                return n.params["diagnostics"].as_array().unwrap().clone();
            }
        }
        panic!("no diagnostics published for {name}");
    }

    /// Every `publishDiagnostics` for `name` up to the one of `version` (waiting for it as long
    /// as [`TIMEOUT`]).
    pub fn publishes_until(&mut self, name: &str, version: i64) -> Vec<Vec<Value>> {
        let uri = self.uri(name);
        let mut out = Vec::new();
        let deadline = Instant::now() + TIMEOUT;
        while let Some(message) = self.next(deadline.saturating_duration_since(Instant::now())) {
            if let Message::Notification(n) = message
                && n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri.as_str()
            {
                out.push(n.params["diagnostics"].as_array().unwrap().clone());
                if n.params["version"] == version {
                    return out;
                }
            }
        }
        panic!("no diagnostics published for version {version} of {name}");
    }

    pub fn open(&mut self, name: &str, text: &str) {
        self.versions.insert(self.uri(name), 1);
        let language = if name.ends_with(".json") {
            "json"
        } else if name.ends_with(".tf") {
            "terraform"
        } else {
            "yaml"
        };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": self.uri(name), "languageId": language,
                "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, name: &str, version: i32, text: &str) {
        self.versions.insert(self.uri(name), version);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": self.uri(name), "version": version},
                "contentChanges": [{"text": text}]}),
        );
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.root().join(name)).unwrap()
    }

    /// Waits until the server logs a line holding `text`, and returns it.
    pub fn wait_log(&self, text: &str) -> String {
        self.wait_log_lines(text).pop().unwrap()
    }

    /// The server's log lines up to the first that holds `text` (waiting for it).
    pub fn wait_log_lines(&self, text: &str) -> Vec<String> {
        let deadline = Instant::now() + TIMEOUT;
        let mut lines = Vec::new();
        while let Ok(line) = self
            .logs
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            let found = line.contains(text);
            lines.push(line);
            if found {
                return lines;
            }
        }
        panic!("the server never logged `{text}`: {lines:#?}");
    }

    /// Waits for a `window/showMessage`, skipping everything else.
    pub fn message(&mut self) -> Option<String> {
        let deadline = Instant::now() + TIMEOUT;
        while let Some(message) = self.next(deadline.saturating_duration_since(Instant::now())) {
            if let Message::Notification(n) = message
                && n.method == "window/showMessage"
            {
                return n.params["message"].as_str().map(str::to_owned);
            }
        }
        None
    }

    /// Ends the session, with `shutdown` and `exit` or by closing the server's input, while
    /// the server may be deep in a run; the server must end within [`TIMEOUT`] (a hang fails,
    /// it is no measurement). Returns whether it reported a clean shutdown.
    pub fn end(mut self, with_exit: bool) -> bool {
        if with_exit {
            assert_eq!(self.request("shutdown", Value::Null), Value::Null);
            self.notify("exit", Value::Null);
        }
        let server = self.server.take().unwrap();
        drop(self);
        let (done, ended) = crossbeam_channel::bounded(1);
        std::thread::spawn(move || {
            let _ = done.send(server.join().unwrap());
        });
        ended
            .recv_timeout(TIMEOUT)
            .expect("the server did not end after the session ended")
    }

    /// `shutdown` then `exit`; the server must end cleanly.
    pub fn stop(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let clean = self.server.take().unwrap().join().unwrap();
        assert!(clean, "the server did not report a clean shutdown");
    }
}

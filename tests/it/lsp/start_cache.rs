//! The first analysis of a workspace reads the analysis cache that `sandtrap check` keeps
//! (`.sandtrap_cache/`), and the runs after it keep their analyses in memory only.

use std::path::{Path, PathBuf};

use sandtrap::lsp::StartCache;
use serde_json::Value;

use super::client::{Client, fixture};
use crate::support::copy_dir;

/// A copy of the fixture workspace, with two more templates.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join("workspace");
    copy_dir(&fixture("workspace"), &root);
    for n in 0..2 {
        let queue = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n";
        std::fs::write(root.join(format!("queue{n}.yaml")), queue).unwrap();
    }
    (dir, root)
}

/// `sandtrap check .` in `root`, which makes `.sandtrap_cache/` there.
fn check_the_workspace(root: &Path) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sandtrap"))
        .current_dir(root)
        .env_remove("SANDTRAP_NO_CACHE")
        .env_remove("SANDTRAP_CACHE_DIR")
        .args(["check", "--exit-zero", "."])
        .output()
        .unwrap();
    assert!(
        out.status.success() && root.join(".sandtrap_cache").is_dir(),
        "{out:?}"
    );
}

/// A server's first analysis: the log lines up to it, and the diagnostics of `pool.yaml`.
fn first_analysis(client: &mut Client) -> (Vec<String>, Vec<Value>) {
    let diagnostics = client.diagnostics("pool.yaml");
    (client.wait_log_lines("analyzed "), diagnostics)
}

/// Every file in `cache`: its name, length, modification time and inode.
fn files(cache: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    let mut files: Vec<_> = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let metadata = std::fs::metadata(&path).unwrap();
            let modified = metadata.modified().unwrap();
            (path, metadata.len(), modified, metadata.ino())
        })
        .collect();
    files.sort();
    files
}

#[cfg(unix)]
#[test]
fn the_first_analysis_reads_the_cache_a_check_made_and_the_server_never_makes_one() {
    let (_dir, root) = workspace();
    let cache = root.join(".sandtrap_cache");

    // No cache directory: the server analyzes every file and makes none.
    let mut client = Client::start_cached(&root, StartCache::Workspace);
    let (log, expected) = first_analysis(&mut client);
    assert!(
        !log.iter().any(|l| l.contains("analysis cache")),
        "{log:#?}"
    );
    client.stop();
    assert!(!cache.exists());

    // A check of the project makes it (with its own names for the files).
    check_the_workspace(&root);

    // The first server reads it and keeps its analyses there; the next one reuses them all.
    for reused in [false, true] {
        let mut client = Client::start_cached(&root, StartCache::Workspace);
        let (log, diagnostics) = first_analysis(&mut client);
        assert!(log.iter().any(|l| l.contains("reading the analysis cache")));
        let analyzed = log.last().unwrap();
        assert_eq!(analyzed.contains(", 0 read again"), reused, "{analyzed}");
        assert_eq!(diagnostics, expected);
        if reused {
            // Later runs neither read nor write the directory: an edit on disk is analyzed
            // in memory, and the cache file stays as it was.
            client.wait_log("watching the workspace");
            let before = files(&cache);
            let pool = root.join("pool.yaml");
            let text = std::fs::read_to_string(&pool).unwrap();
            std::fs::write(&pool, format!("{text}# edited\n")).unwrap();
            let edited = client.wait_log("analyzed ");
            assert!(edited.contains("(4 unchanged, 1 read again"), "{edited}");
            assert_eq!(files(&cache), before);
        }
        client.stop();
    }

    // Turned off, the server reads nothing.
    let mut client = Client::start_cached(&root, StartCache::Off);
    let (log, diagnostics) = first_analysis(&mut client);
    assert!(
        !log.iter().any(|l| l.contains("analysis cache")),
        "{log:#?}"
    );
    assert!(log.last().unwrap().contains("(0 unchanged"), "{log:#?}");
    assert_eq!(diagnostics, expected);
    client.stop();
}

/// A cache directory that is a symbolic link is not followed, and one planted with files
/// signed by another key is read as nothing: the analysis is the one without it.
#[cfg(unix)]
#[test]
fn a_linked_or_planted_cache_directory_changes_nothing() {
    let (_dir, root) = workspace();
    let mut client = Client::start_cached(&root, StartCache::Off);
    let (_, expected) = first_analysis(&mut client);
    client.stop();

    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), root.join(".sandtrap_cache")).unwrap();
    let mut client = Client::start_cached(&root, StartCache::Workspace);
    let (log, diagnostics) = first_analysis(&mut client);
    assert!(
        !log.iter().any(|l| l.contains("analysis cache")),
        "{log:#?}"
    );
    assert_eq!(diagnostics, expected);
    client.stop();
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    std::fs::remove_file(root.join(".sandtrap_cache")).unwrap();

    let planted = root.join(".sandtrap_cache");
    std::fs::create_dir(&planted).unwrap();
    std::fs::write(
        planted.join("analyses-0000000000000000.bin"),
        b"not a cache",
    )
    .unwrap();
    let mut client = Client::start_cached(&root, StartCache::At(".sandtrap_cache".into()));
    let (log, diagnostics) = first_analysis(&mut client);
    assert!(log.iter().any(|l| l.contains("reading the analysis cache")));
    assert!(log.last().unwrap().contains("(0 unchanged"), "{log:#?}");
    assert_eq!(diagnostics, expected);
    client.stop();
}

/// The messages of an LSP stream, read until it ends.
fn messages(stream: impl std::io::Read) -> Vec<Value> {
    use std::io::{BufRead, BufReader, Read};
    let mut reader = BufReader::new(stream);
    let mut out = Vec::new();
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                return out;
            }
            match line.trim_end().strip_prefix("Content-Length: ") {
                Some(n) => length = n.parse::<usize>().ok(),
                None if line.trim_end().is_empty() => break,
                None => {}
            }
        }
        let mut body = vec![0; length.unwrap()];
        reader.read_exact(&mut body).unwrap();
        out.push(serde_json::from_slice(&body).unwrap());
    }
}

/// `sandtrap lsp` (with `args`) as an editor starts it, from `from`, which need not be the
/// workspace, then `pool.yaml` opened: the log line of its first analysis (read from its
/// standard error), and the diagnostics it published, by URI.
#[cfg(unix)]
fn binary_first_analysis(root: &Path, from: &Path, args: &[&str]) -> (String, Vec<Value>) {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let mut server = Command::new(env!("CARGO_BIN_EXE_sandtrap"))
        .arg("lsp")
        .args(args)
        .current_dir(from)
        .env_remove("SANDTRAP_NO_CACHE")
        .env_remove("SANDTRAP_CACHE_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let published = std::thread::spawn(move || messages(stdout));
    let mut stdin = server.stdin.take().unwrap();
    let mut send = |message: Value| {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let uri = sandtrap::lsp::path_to_uri(root).unwrap().to_string();
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": null, "rootUri": uri, "capabilities": {},
        "workspaceFolders": [{"uri": uri, "name": "workspace"}]}}),
    );
    send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let mut log = BufReader::new(server.stderr.take().unwrap())
        .lines()
        .map(Result::unwrap);
    let mut next_analysis = || log.find(|line| line.contains("analyzed ")).unwrap();
    let analyzed = next_analysis();
    // A run after the first (an editor opens a template) names the files the same way.
    let pool = root.join("pool.yaml");
    let uri = sandtrap::lsp::path_to_uri(&pool).unwrap().to_string();
    let text = std::fs::read_to_string(&pool).unwrap();
    send(
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}}),
    );
    next_analysis();
    send(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    send(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    assert!(server.wait().unwrap().success());
    let mut published: Vec<Value> = (published.join().unwrap().into_iter())
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .map(|m| m["params"].clone())
        .collect();
    published.sort_by_key(|p| p["uri"].as_str().unwrap_or_default().to_owned());
    (analyzed, published)
}

/// The server names a workspace's files as a check run in it does, wherever the editor started
/// its process, and spells their paths from the workspace's absolute path: its first analysis
/// reuses every analysis the check kept (`sandtrap check .`, paths spelled from `.`) and
/// publishes what a server without the cache publishes (the URIs are made from the paths),
/// then and after an edit; it writes the file in its spelling once.
#[cfg(unix)]
#[test]
fn the_server_started_anywhere_reuses_the_analyses_of_a_check_of_the_workspace() {
    let (dir, root) = workspace();
    let cache = root.join(".sandtrap_cache");
    let (_, expected) = binary_first_analysis(&root, dir.path(), &["--no-cache"]);
    assert!(
        expected
            .iter()
            .any(|p| p["diagnostics"].as_array().is_some_and(|d| !d.is_empty())),
        "{expected:#?}"
    );
    check_the_workspace(&root);
    let checked = files(&cache);
    // The first start writes the file in the server's spelling; the next one writes nothing.
    let mut written = checked.clone();
    for (from, writes) in [(dir.path(), true), (root.as_path(), false)] {
        let (analyzed, published) = binary_first_analysis(&root, from, &[]);
        assert!(
            analyzed.contains("analyzed 5 files")
                && analyzed.contains("(5 unchanged, 0 read again"),
            "{analyzed}"
        );
        assert_eq!(published, expected);
        assert_eq!(files(&cache) != written, writes);
        written = files(&cache);
    }
    // A check after it reuses the server's analyses as the server reused the check's.
    check_the_workspace(&root);
    assert_eq!(files(&cache).len(), checked.len());
}

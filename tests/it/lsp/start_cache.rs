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
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sandtrap"))
        .current_dir(&root)
        .env_remove("SANDTRAP_NO_CACHE")
        .env_remove("SANDTRAP_CACHE_DIR")
        .args(["check", "--exit-zero", "."])
        .output()
        .unwrap();
    assert!(out.status.success() && cache.is_dir(), "{out:?}");

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

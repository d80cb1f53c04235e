//! Reading what sandtrap is given: one bounded reader for every file and stream, and the
//! containment of symbolic links that a repository can commit.
//!
//! Templates, manifests and standard input may be large; configuration, rule and parameter
//! files are small. Both go through [`read_bounded`], so no input is read without a bound, and
//! no file is opened before it is known to be a regular file (opening a FIFO or a character
//! device for reading can block forever).

use std::io::{Error, ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The largest template, manifest or standard input read. CloudFormation accepts templates up
/// to 1 MB (from S3); the bound only keeps a stray disk image or log named `*.json` (or
/// `/dev/zero` on standard input) from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 128 << 20;

/// The largest configuration, rule or parameter file read. These are written by hand (a
/// CloudFormation stack takes at most 200 parameters of 4 KB each).
pub const MAX_SETTINGS_BYTES: u64 = 4 << 20;

/// Reads `reader` to its end, or fails with `FileTooLarge` past `limit` bytes without reading
/// more than one byte beyond it. The one place where sandtrap reads input.
pub fn read_bounded(reader: &mut dyn Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

fn too_large(limit: u64) -> Error {
    let size = if limit >= 1 << 20 {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{limit} bytes")
    };
    Error::new(ErrorKind::FileTooLarge, format!("larger than {size}"))
}

/// Reads a regular file of at most `limit` bytes (following symbolic links). Anything else is
/// refused before it is opened: "not a regular file" (`InvalidInput`), or `FileTooLarge`.
pub fn read_file(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    if metadata.len() > limit {
        return Err(too_large(limit));
    }
    // The file may have grown since it was measured: the read is bounded too.
    read_bounded(&mut std::fs::File::open(path)?, limit)
}

/// A template or manifest: [`read_file`] bounded by [`MAX_FILE_BYTES`].
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    read_file(path, MAX_FILE_BYTES)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_string(path: &Path) -> std::io::Result<String> {
    utf8(read_regular(path)?)
}

fn utf8(bytes: Vec<u8>) -> std::io::Result<String> {
    String::from_utf8(bytes).map_err(|_| Error::new(ErrorKind::InvalidData, "not UTF-8 text"))
}

/// A configuration, rule or parameter file, as UTF-8 text of at most [`MAX_SETTINGS_BYTES`].
///
/// Git stores symbolic links, so a pull request can commit `.sandtrap.yaml -> ~/.aws/credentials`
/// and have a CI job read (and, through an error message, print) any file the job can read. A
/// symbolic link is therefore followed only when its target lies inside the link's own
/// directory or inside `project` (the run's directory); anything else is refused unopened
/// (`PermissionDenied`).
pub fn read_settings(path: &Path, project: &Path) -> std::io::Result<String> {
    if !stays_inside(path, project) {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            "a symbolic link to a file outside the project; refused",
        ));
    }
    utf8(read_file(path, MAX_SETTINGS_BYTES)?)
}

/// Whether `path` is not a symbolic link, or is one whose target lies inside its own directory
/// or inside `project`. A path that cannot be resolved is left for the read to report.
fn stays_inside(path: &Path, project: &Path) -> bool {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return true;
    }
    let Ok(target) = std::fs::canonicalize(path) else {
        return true;
    };
    let own_dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    [own_dir, project]
        .into_iter()
        .any(|root| within(&target, root))
}

/// Whether the canonical `target` lies inside `root` (resolved the same way).
pub fn within(target: &Path, root: &Path) -> bool {
    std::fs::canonicalize(root).is_ok_and(|root| target.starts_with(root))
}

/// The canonical path of `path` when it resolves to something inside the canonical `root`.
pub fn contained(path: &Path, root: &Path) -> Option<PathBuf> {
    let canonical = std::fs::canonicalize(path).ok()?;
    canonical.starts_with(root).then_some(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded() {
        let mut endless = std::io::repeat(b'a');
        let err = read_bounded(&mut endless, 1000).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "larger than 1000 bytes");
        let mut short: &[u8] = b"abc";
        assert_eq!(read_bounded(&mut short, 3).unwrap(), b"abc");
        let mut endless = std::io::repeat(0);
        let err = read_bounded(&mut endless, MAX_SETTINGS_BYTES).unwrap_err();
        assert_eq!(err.to_string(), "larger than 4 MiB");
    }

    #[cfg(unix)]
    #[test]
    fn settings_links_stay_inside() {
        let outside = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "key: TopSecret\n").unwrap();
        std::fs::write(project.path().join("real.yaml"), "ses: {}\n").unwrap();
        let link = project.path().join("link.yaml");
        std::os::unix::fs::symlink(outside.path().join("secret"), &link).unwrap();
        let err = read_settings(&link, project.path()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        // Inside the link's own directory, or inside the project: followed.
        let inner = project.path().join("inner.yaml");
        std::os::unix::fs::symlink("real.yaml", &inner).unwrap();
        assert_eq!(read_settings(&inner, outside.path()).unwrap(), "ses: {}\n");
        std::fs::create_dir(project.path().join("sub")).unwrap();
        let up = project.path().join("sub/up.yaml");
        std::os::unix::fs::symlink("../real.yaml", &up).unwrap();
        assert!(read_settings(&up, outside.path()).is_err());
        assert!(read_settings(&up, project.path()).is_ok());
    }
}

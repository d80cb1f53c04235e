//! Writing a file sandtrap makes: a report or a man page the user named (`--output-file`, `man
//! --output-dir`), a file of the analysis cache. The file often lies inside a checkout a pull
//! request controls, which can commit a symbolic link where the report goes (`sandtrap.sarif ->
//! ../../.bashrc`): so the file is written to a new temporary file beside it and renamed over
//! it, and an existing symbolic link (or anything but a regular file) is refused, never written
//! through. The rename also makes concurrent writers safe: a reader sees one whole file or the
//! other.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {}: it is a symbolic link, which sandtrap never writes through; remove it or name another file", .0.display())]
    Link(PathBuf),
    #[error("cannot write {}: it exists and is not a regular file", .0.display())]
    NotRegular(PathBuf),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Temporary names tried before giving up (another writer holds each one it finds).
const ATTEMPTS: u32 = 64;

/// Writes `bytes` to `path` through a temporary file in the same directory and an atomic
/// rename; refuses a `path` that is a symbolic link or not a regular file. An existing file
/// keeps its permissions.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_file_parts(path, &[bytes])
}

/// [`write_file`] of `parts`, one after the other.
pub fn write_file_parts(path: &Path, parts: &[&[u8]]) -> Result<(), WriteError> {
    let io_error = |source| WriteError::Io {
        path: path.to_owned(),
        source,
    };
    let existing = match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err(WriteError::Link(path.to_owned()));
        }
        Ok(metadata) if !metadata.is_file() => return Err(WriteError::NotRegular(path.to_owned())),
        Ok(metadata) => Some(metadata),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(io_error(err)),
    };
    let Some(name) = path.file_name() else {
        return Err(io_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        )));
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let (temp, file) = temporary(dir, &name.to_string_lossy()).map_err(io_error)?;
    let written = (|| {
        let mut out = io::BufWriter::with_capacity(1 << 16, file);
        parts.iter().try_for_each(|part| out.write_all(part))?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        if let Some(metadata) = &existing {
            file.set_permissions(metadata.permissions())?;
        }
        drop(file);
        // A link planted at `path` since the check above is replaced, not followed.
        fs::rename(&temp, path)
    })();
    if let Err(err) = written {
        let _ = fs::remove_file(&temp);
        return Err(io_error(err));
    }
    Ok(())
}

/// A new file beside the target, created exclusively (never an existing file or link).
fn temporary(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = None;
    for attempt in 0..ATTEMPTS {
        let temp = dir.join(format!(".{name}.{pid}.{attempt}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => last = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary file name left")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_and_a_replaced_one_keep_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.sarif");
        write_file(&path, b"one").unwrap();
        write_file(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.sarif");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&path, b"new").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_file(dir.path(), b"x").unwrap_err();
        assert!(matches!(err, WriteError::NotRegular(_)), "{err}");
    }

    /// Two writers at once: every read sees one whole report, never a mix or a truncated one.
    #[test]
    fn concurrent_writers_never_leave_a_mixed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        let reports: Vec<Vec<u8>> = (b'a'..=b'b').map(|c| vec![c; 64 * 1024]).collect();
        std::thread::scope(|scope| {
            for report in &reports {
                let path = &path;
                scope.spawn(move || {
                    for _ in 0..50 {
                        write_file(path, report).unwrap();
                    }
                });
            }
            scope.spawn(|| {
                for _ in 0..200 {
                    if let Ok(seen) = fs::read(&path) {
                        assert!(reports.contains(&seen), "a mixed report of {}", seen.len());
                    }
                }
            });
        });
        assert!(reports.contains(&fs::read(&path).unwrap()));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

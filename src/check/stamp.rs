//! What `stat` says of a file or directory, the cache's first test of whether it changed.

use std::path::Path;
use std::time::SystemTime;

/// What `stat` says about a file's content without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    /// Whether the file's content or entries changed after `since` (or its clock is ahead).
    pub fn changed_since(&self, since: SystemTime) -> bool {
        #[cfg(unix)]
        let changed = {
            let since = since
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or((0, 0), |d| {
                    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                    (secs, i64::from(d.subsec_nanos()))
                });
            self.changed >= since
        };
        #[cfg(not(unix))]
        let changed = true;
        changed || self.modified.is_none_or(|m| m >= since)
    }

    pub fn of(path: &Path) -> Option<Stamp> {
        let metadata = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            changed: (metadata.ctime(), metadata.ctime_nsec()),
            #[cfg(unix)]
            inode: (metadata.dev(), metadata.ino()),
        })
    }
}

//! The analysis cache on disk: each file's analysis kept between processes (a CI job run again,
//! an editor's `--project-root` run on every save), ruff's way. A cache directory
//! (`.sandtrap_cache/` in the project root unless told otherwise) holds one file per set of run
//! inputs, named by their fingerprint, with every analysis those inputs produced; the directory
//! ignores itself (`.gitignore` holding `*`) and carries a `CACHEDIR.TAG`, so backups and
//! version control leave it alone.
//!
//! Nothing read from it is trusted. A cache file is used only when it is a regular file (never
//! a symbolic link) of at most [`MAX_FILE_BYTES`], starts with [`MAGIC`], was written by this
//! very build (the version and the running executable's stamp) for these run inputs, and its
//! index has the length its header states and the signature of this user's key
//! (`signing.rs`: a file planted in the project, by a pull request say, cannot be signed), and
//! describes exactly the entries that follow; anything else, a truncated, corrupt, foreign,
//! swapped or oversized file, is ignored as a whole and rewritten at the end of the run. Each
//! entry is read only when a run looks its file up, and is signed on its own
//! ([`super::shelf`]): one that fails its signature, does not decode, or is not what sandtrap
//! writes (an analysis of a file on disk, filed under that file) is ignored alone, and its file
//! analyzed again. An entry itself is reused only for the bytes it was made from: the file's
//! stamp, else the hash of its bytes (the caller, `cache.rs`, decides that as for the language
//! server's cache).
//!
//! Writes go through [`crate::output::write_file`] (a temporary file renamed over the old one,
//! never through a symbolic link); a directory that cannot be written (read-only, or a link
//! where the directory should be) is left alone without a word: the cache only saves time.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use super::cache::Entry;
use super::shelf::{self, Record, Shelf};
use super::signing::{self, Key};

/// The first bytes of a cache file (the last one is the layout's version).
const MAGIC: &[u8; 8] = b"STCACHE\x02";

/// The longest header read: it holds a version string and a few numbers.
const MAX_HEADER_BYTES: u64 = 1024;

/// The first bytes of a file that keeps the last walk of a project ([`super::walked`]).
const WALK_MAGIC: &[u8; 8] = b"STWALK\x00\x01";

/// The largest cache file read or written; past it the least recently used entries are left
/// out (10,000 templates take a few MB).
pub const MAX_FILE_BYTES: u64 = 128 << 20;

/// The cache files kept in a directory, one per set of run inputs; past this the least
/// recently written are removed.
const MAX_FILES: usize = 8;

/// The name of the cache directory in the project root.
pub const DIR_NAME: &str = ".sandtrap_cache";

/// Marks a cache directory (<https://bford.info/cachedir/>).
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by sandtrap.\n# For information about cache directory tags see https://bford.info/cachedir/\n";

/// What precedes the entries.
#[derive(serde::Serialize, serde::Deserialize, PartialEq, Eq)]
struct Header {
    version: String,
    /// The running executable's stamp ([`build_id`]).
    build: Option<u64>,
    /// The hash of a fixed text: the hashes of file contents in the entries were made with the
    /// same function and key.
    probe: u64,
    /// The fingerprint of the run inputs (as in the file's name).
    key: u64,
    /// The length of the payload that follows (of an analyses file: its index), and the
    /// signature of the header's other fields and the payload with the user's key.
    length: u64,
    signature: u128,
}

impl Header {
    fn expected(key: u64, payload: &[u8], secret: &Key) -> Header {
        let version = env!("CARGO_PKG_VERSION");
        let build = build_id();
        let probe = signing::content_hash(b"sandtrap analysis cache");
        let fields = postcard::to_allocvec(&(version, build, probe, key)).unwrap_or_default();
        Header {
            version: version.to_owned(),
            build,
            probe,
            key,
            length: payload.len() as u64,
            signature: signing::sign(secret, &[&fields, payload]),
        }
    }
}

/// The fingerprint of run inputs, as this user's cache file is named; `None` without a user
/// key (no cache on disk then).
pub(super) fn file_key(inputs: u64) -> Option<u64> {
    signing::user_key().map(|secret| file_key_with(inputs, secret))
}

/// The fingerprint of run inputs under `secret`: the same inputs give the same name only in the
/// same build and for the same user. Keyed, because the run inputs include `--param` values: an
/// unkeyed name would let whoever sees a cache directory confirm a guessed value offline.
pub(super) fn file_key_with(inputs: u64, secret: &Key) -> u64 {
    let mut hasher = DefaultHasher::new();
    (inputs, env!("CARGO_PKG_VERSION"), build_id(), MAGIC).hash(&mut hasher);
    let fields = hasher.finish().to_le_bytes();
    // The low half of the keyed signature: a name, not a proof (the file's header is that).
    signing::sign(secret, &[b"file name", &fields]) as u64
}

/// The build that runs: the length and modification time of the running executable, so that a
/// cache written by one build is never read by a build of other sources with the same version
/// number (a checkout between two commits, a test binary rebuilt). A copied or reinstalled
/// executable only misses the cache once. `None` when the executable cannot be looked at: then
/// no cache is read or written.
fn build_id() -> Option<u64> {
    static ID: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *ID.get_or_init(|| {
        let metadata = std::env::current_exe().and_then(std::fs::metadata).ok()?;
        let mut hasher = DefaultHasher::new();
        (metadata.len(), metadata.modified().ok()?).hash(&mut hasher);
        Some(hasher.finish())
    })
}

/// A cache directory.
#[derive(Clone, Debug)]
pub(super) struct Store {
    dir: PathBuf,
}

impl Store {
    pub(super) fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    fn path(&self, key: u64) -> PathBuf {
        self.dir.join(format!("analyses-{key:016x}.bin"))
    }

    fn walk_path(&self, key: u64) -> PathBuf {
        self.dir.join(format!("walk-{key:016x}.bin"))
    }

    /// What `read` makes of the payload of the cache file at `path` for the run inputs `key`,
    /// checked as the module's documentation says; `None` for anything else.
    fn read_sealed<T>(
        &self,
        path: &Path,
        magic: &[u8; 8],
        key: u64,
        read: impl FnOnce(&[u8]) -> Option<T>,
    ) -> Option<T> {
        let secret = signing::user_key().filter(|_| build_id().is_some())?;
        if !is_directory(&self.dir) {
            return None;
        }
        // A link is never followed, whatever it points at.
        match std::fs::symlink_metadata(path) {
            Ok(metadata) if metadata.is_file() && metadata.len() <= MAX_FILE_BYTES => {}
            _ => return None,
        }
        let bytes = crate::input::read_file(path, MAX_FILE_BYTES).ok()?;
        read(open(&bytes, magic, key, secret)?)
    }

    /// Writes `payload` sealed for the run inputs `key` at `path`, then `tail` (signed on its
    /// own); best effort.
    fn write_sealed(
        &self,
        path: &Path,
        magic: &[u8; 8],
        key: u64,
        (payload, tail): (&[u8], &[&[u8]]),
    ) -> bool {
        let Some(secret) = signing::user_key().filter(|_| build_id().is_some()) else {
            return false;
        };
        if self.prepare().is_err() {
            return false;
        }
        let Some(bytes) = seal(magic, key, payload, secret) else {
            return false;
        };
        // A link where the file goes (the cache's names are sandtrap's) is removed, never
        // written through.
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            let _ = std::fs::remove_file(path);
        }
        let parts: Vec<&[u8]> = std::iter::once(bytes.as_slice())
            .chain(tail.iter().copied())
            .collect();
        crate::output::write_file_parts(path, &parts).is_ok()
    }

    /// The last walk kept under `key` (the run inputs' key, hashed with the paths walked; the
    /// record is unchecked against the disk: the caller does that), if any.
    pub(super) fn load_walk(&self, key: u64) -> Option<super::walked::WalkRecord> {
        self.read_sealed(&self.walk_path(key), WALK_MAGIC, key, |payload| {
            postcard::from_bytes(payload).ok()
        })
    }

    /// Keeps `record` for the run inputs `key`.
    pub(super) fn save_walk(&self, key: u64, record: &super::walked::WalkRecord) {
        let Ok(payload) = postcard::to_allocvec(record) else {
            return;
        };
        if payload.len() as u64 <= MAX_FILE_BYTES - 4096
            && self.write_sealed(&self.walk_path(key), WALK_MAGIC, key, (&payload, &[]))
        {
            self.prune();
        }
    }

    /// The entries kept for the run inputs `key`, each read when a run asks for it
    /// ([`super::shelf`]); `None` when there is no usable cache file.
    pub(super) fn shelf(&self, key: u64) -> Option<Shelf> {
        let secret = signing::user_key().filter(|_| build_id().is_some())?;
        let path = self.path(key);
        if !is_directory(&self.dir) {
            return None;
        }
        // A link is never followed, whatever it points at.
        match std::fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.is_file() && metadata.len() <= MAX_FILE_BYTES => {}
            _ => return None,
        }
        let file = std::fs::File::open(&path).ok()?;
        let metadata = file.metadata().ok()?;
        if !metadata.is_file() || metadata.len() > MAX_FILE_BYTES {
            return None;
        }
        open_shelf(file, metadata.len(), key, *secret)
    }

    /// Writes the analyses `fresh` and the entries `kept` of the last cache file for the run
    /// inputs `key` (at most [`MAX_FILE_BYTES`] of them, the first ones first), then removes the
    /// least recently written cache files past [`MAX_FILES`]. Best effort: a directory that
    /// cannot be written is left as it is.
    pub(super) fn save(&self, key: u64, fresh: &[&Entry], kept: &[(Record, &[u8])]) {
        if fresh.is_empty() && kept.is_empty() {
            return;
        }
        let Some(secret) = signing::user_key() else {
            return;
        };
        let budget = MAX_FILE_BYTES - 4096;
        let Some((index, body)) = shelf::write(fresh, kept, key, secret, budget) else {
            return;
        };
        let body: Vec<&[u8]> = body.iter().map(|part| &**part).collect();
        if self.write_sealed(&self.path(key), MAGIC, key, (&index, &body)) {
            self.prune();
        }
    }

    /// Creates the directory with its `.gitignore` and `CACHEDIR.TAG`; refuses a directory
    /// that is a symbolic link (or anything but a directory).
    fn prepare(&self) -> std::io::Result<()> {
        match std::fs::symlink_metadata(&self.dir) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => return Err(std::io::Error::other("not a directory")),
            Err(_) => std::fs::create_dir_all(&self.dir)?,
        }
        if !is_directory(&self.dir) {
            return Err(std::io::Error::other("not a directory"));
        }
        for (name, text) in [(".gitignore", "*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)] {
            let path = self.dir.join(name);
            if std::fs::symlink_metadata(&path).is_err() {
                crate::output::write_file(&path, text.as_bytes()).map_err(std::io::Error::other)?;
            }
        }
        Ok(())
    }

    /// Keeps the [`MAX_FILES`] most recently written cache files of each kind.
    fn prune(&self) {
        for prefix in ["analyses-", "walk-"] {
            let Ok(read) = std::fs::read_dir(&self.dir) else {
                return;
            };
            let mut files: Vec<(std::time::SystemTime, PathBuf)> = read
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .filter_map(|e| {
                    let metadata = std::fs::symlink_metadata(e.path()).ok()?;
                    Some((metadata.modified().ok()?, e.path()))
                })
                .collect();
            if files.len() <= MAX_FILES {
                continue;
            }
            files.sort_by_key(|f| std::cmp::Reverse(f.0));
            for (_, path) in files.into_iter().skip(MAX_FILES) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Whether `dir` is a directory and not a symbolic link to one.
fn is_directory(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
}

/// A cache file: `magic`, the header's length (4 bytes, little-endian), the header (which
/// signs the rest), the payload.
fn seal(magic: &[u8; 8], key: u64, payload: &[u8], secret: &Key) -> Option<Vec<u8>> {
    let header = postcard::to_allocvec(&Header::expected(key, payload, secret)).ok()?;
    let mut out = Vec::with_capacity(magic.len() + 4 + header.len() + payload.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&u32::try_from(header.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(payload);
    Some(out)
}

/// The header of a file sealed with `magic` ([`seal`]), read from `reader`, which is left
/// after it; with the number of bytes read. Unchecked: the caller compares it with the
/// expected one once it has read what it signs.
fn read_header(reader: &mut impl Read, magic: &[u8; 8]) -> Option<(Header, u64)> {
    let mut head = [0u8; 12];
    reader.read_exact(&mut head).ok()?;
    let (found, length) = head.split_first_chunk::<8>()?;
    if found != magic {
        return None;
    }
    let length = u64::from(u32::from_le_bytes(length.try_into().ok()?));
    if length > MAX_HEADER_BYTES {
        return None;
    }
    let mut header = vec![0; usize::try_from(length).ok()?];
    reader.read_exact(&mut header).ok()?;
    let (header, rest) = postcard::take_from_bytes::<Header>(&header).ok()?;
    rest.is_empty().then_some((header, 12 + length))
}

/// The payload of `bytes`, a file sealed by this build with `magic` for the run inputs `key`
/// and signed with `secret`; `None` for anything else.
fn open<'a>(bytes: &'a [u8], magic: &[u8; 8], key: u64, secret: &Key) -> Option<&'a [u8]> {
    let mut payload = bytes;
    let (header, _) = read_header(&mut payload, magic)?;
    (header == Header::expected(key, payload, secret)).then_some(payload)
}

/// The index of the cache file `reader` (`end` bytes long), checked against its header as
/// the module's documentation says, with the entries to read from after it.
fn open_shelf<R: Read + Seek>(mut reader: R, end: u64, key: u64, secret: Key) -> Option<Shelf<R>> {
    let (header, read) = read_header(&mut reader, MAGIC)?;
    // Not signed yet: the index's length is believed only once it fits in the file.
    let base = read.checked_add(header.length)?;
    if base > end {
        return None;
    }
    let mut index = vec![0; usize::try_from(header.length).ok()?];
    reader.read_exact(&mut index).ok()?;
    if header != Header::expected(key, &index, &secret) {
        return None;
    }
    Shelf::new(reader, (base, end), &index, key, secret)
}

/// A cache file of `entries`.
#[cfg(test)]
fn encode(key: u64, entries: &[&Entry], secret: &Key) -> Option<Vec<u8>> {
    let (index, body) = shelf::write(entries, &[], key, secret, MAX_FILE_BYTES)?;
    let mut bytes = seal(MAGIC, key, &index, secret)?;
    body.iter().for_each(|part| bytes.extend_from_slice(part));
    Some(bytes)
}

/// The entries of a cache file written by this build for the run inputs `key` and signed with
/// `secret`; `None` for anything else, or when any entry is not what sandtrap writes.
pub(super) fn decode(bytes: &[u8], key: u64, secret: &Key) -> Option<Vec<Entry>> {
    let end = bytes.len() as u64;
    open_shelf(std::io::Cursor::new(bytes), end, key, *secret)?.take_all()
}

/// The entries of a cache file, after its header and index, unchecked.
pub(super) fn entries_of(bytes: &[u8]) -> Option<&[u8]> {
    let mut rest = bytes;
    let (header, _) = read_header(&mut rest, MAGIC)?;
    rest.get(usize::try_from(header.length).ok()?..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_this_builds_is_refused() {
        let secret = [7; 16];
        let key = file_key_with(1, &secret);
        let good = encode(key, &[], &secret).unwrap();
        assert_eq!(decode(&good, key, &secret).map(|e| e.len()), Some(0));
        // Signed with another key (made elsewhere, or planted), another run's inputs (a file
        // renamed over another's), truncated, grown, flipped.
        assert!(decode(&good, key, &[8; 16]).is_none());
        assert!(decode(&good, file_key_with(2, &secret), &secret).is_none());
        // Another user's name for the same inputs is another name.
        assert_ne!(file_key_with(1, &[8; 16]), key);
        assert!(decode(&good[..good.len() - 1], key, &secret).is_none());
        let mut longer = good.clone();
        longer.push(0);
        assert!(decode(&longer, key, &secret).is_none());
        for i in 0..good.len() {
            let mut flipped = good.clone();
            flipped[i] ^= 0x40;
            assert!(decode(&flipped, key, &secret).is_none(), "byte {i}");
        }
        // Entries that do not decode.
        assert!(shelf::decode_unsigned(&[0xff, 0xff, 0x03]).is_none());
        // A header that claims an index longer than anything (it is read before it is checked).
        for length in [u64::MAX, u64::MAX - 1036, 1 << 40] {
            let header = Header {
                length,
                ..Header::expected(key, &[], &secret)
            };
            let header = postcard::to_allocvec(&header).unwrap();
            let mut bytes = MAGIC.to_vec();
            bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&header);
            assert!(decode(&bytes, key, &secret).is_none(), "{length}");
        }
    }
}

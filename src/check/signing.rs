//! The key that signs the analysis cache on disk. A cache directory sits in the project, where a
//! pull request can put files of its choosing: a cache file whose checksum anyone can compute
//! could say that a changed template has no findings. So every cache file carries a keyed
//! SipHash of its contents, with a key made from the operating system's randomness the first
//! time it is needed and kept in the user's own cache directory, outside every project
//! (`$XDG_CACHE_HOME/sandtrap/cache-key` or `~/.cache/sandtrap/cache-key`; `~/Library/Caches` on
//! macOS, `%LOCALAPPDATA%` on Windows), readable by the user alone. The hashes of file contents
//! that decide whether an entry may be reused are keyed the same way, so no file can be made to
//! collide with another one's entry. Without a user cache directory there is no key, and no
//! cache is read or written on disk (the language server's cache in memory needs none).

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use siphasher::sip::SipHasher13;
use siphasher::sip128::{Hasher128, SipHasher13 as SipHasher13x128};

/// A signing key.
pub(super) type Key = [u8; 16];

const KEY_FILE: &str = "cache-key";

/// This user's key; `None` when there is no user cache directory or no key can be kept in it.
pub(super) fn user_key() -> Option<&'static Key> {
    static KEY: OnceLock<Option<Key>> = OnceLock::new();
    KEY.get_or_init(|| load_or_create(&user_cache_dir()?.join("sandtrap")))
        .as_ref()
}

/// The key of content hashes: the user's, else one made for this process.
fn content_key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| match user_key() {
        Some(key) => *key,
        None => random().unwrap_or_default(),
    })
}

/// The hash of a file's bytes, as cache entries record it.
pub(super) fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = SipHasher13::new_with_key(content_key());
    hasher.write(bytes);
    hasher.finish()
}

/// The signature of `parts` under `key`.
pub(super) fn sign(key: &Key, parts: &[&[u8]]) -> u128 {
    let mut hasher = SipHasher13x128::new_with_key(key);
    for part in parts {
        // Each part's length first: two ways of cutting the same bytes sign differently.
        hasher.write(&(part.len() as u64).to_le_bytes());
        hasher.write(part);
    }
    hasher.finish128().as_u128()
}

fn random() -> Option<Key> {
    let mut key = Key::default();
    getrandom::fill(&mut key).ok()?;
    Some(key)
}

/// The user's cache directory, as each platform names it.
fn user_cache_dir() -> Option<PathBuf> {
    let absolute = |value: std::ffi::OsString| {
        let path = PathBuf::from(value);
        path.is_absolute().then_some(path)
    };
    if cfg!(windows) {
        return std::env::var_os("LOCALAPPDATA").and_then(absolute);
    }
    if cfg!(target_os = "macos") {
        return Some(absolute(std::env::var_os("HOME")?)?.join("Library/Caches"));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").and_then(absolute) {
        return Some(dir);
    }
    Some(absolute(std::env::var_os("HOME")?)?.join(".cache"))
}

/// The key kept in `dir`, made there when it has none (or a damaged one). Two processes making
/// one at once each write a whole file; the last rename wins, and a cache file signed with the
/// other key is refused once and written again.
fn load_or_create(dir: &Path) -> Option<Key> {
    let path = dir.join(KEY_FILE);
    if let Some(key) = read_key(&path) {
        return Some(key);
    }
    create_private_dir(dir).ok()?;
    let key = random()?;
    let text: String = key.iter().map(|b| format!("{b:02x}")).collect();
    crate::output::write_file(&path, text.as_bytes()).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).ok()?;
    }
    read_key(&path)
}

/// A key file: a regular file (never a link) of 32 hexadecimal digits.
fn read_key(path: &Path) -> Option<Key> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() != 32 {
        return None;
    }
    let text = std::fs::read(path).ok()?;
    let mut key = Key::default();
    for (byte, pair) in key.iter_mut().zip(text.chunks_exact(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(key)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_kept_for_the_user_alone() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("sandtrap");
        let key = load_or_create(&keys).unwrap();
        assert_eq!(load_or_create(&keys), Some(key));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&keys), 0o700);
            assert_eq!(mode(&keys.join(KEY_FILE)), 0o600);
        }
        // A damaged key is replaced, never used.
        std::fs::write(keys.join(KEY_FILE), "not a key").unwrap();
        let replaced = load_or_create(&keys).unwrap();
        assert_ne!(replaced, key);
        assert_eq!(read_key(&keys.join(KEY_FILE)), Some(replaced));
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_key_file_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "00112233445566778899aabbccddeeff").unwrap();
        let link = dir.path().join(KEY_FILE);
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        assert_eq!(read_key(&link), None);
        assert!(read_key(&elsewhere).is_some());
    }

    #[test]
    fn signatures_depend_on_the_key_and_the_cut() {
        let (a, b) = ([1; 16], [2; 16]);
        assert_ne!(sign(&a, &[b"payload"]), sign(&b, &[b"payload"]));
        assert_ne!(sign(&a, &[b"pay", b"load"]), sign(&a, &[b"payl", b"oad"]));
        assert_eq!(sign(&a, &[b"payload"]), sign(&a, &[b"payload"]));
    }
}

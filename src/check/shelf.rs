//! The entries of a cache file, read one at a time: a run takes only the analyses of its own
//! files. A pre-commit run of one file in a project whose cache holds 10,000 analyses reads the
//! file's index and one entry, not the other 9,999, and when it writes the file again it copies
//! the entries it did not read as they are, without decoding or encoding them.
//!
//! The layout after the sealed header ([`super::store`]): the index, one [`Record`] of
//! [`RECORD`] bytes per entry, sorted by [`disk_key`] (the header signs the index), then the
//! entries, each postcard-encoded and signed on its own with the user's key and the file's
//! key, so an entry from another cache file, another user or another build is refused like a
//! corrupt one. An entry is used only when its signature holds, it decodes to exactly its
//! bytes, it is what sandtrap keeps on disk ([`Entry::storable`]) and it is filed under its own
//! target's key; anything else is skipped (that file is analyzed again, and the next write
//! leaves the entry out).

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use rayon::prelude::*;

use super::cache::Entry;
use super::signing::{self, Key};
use crate::discover::Target;

/// The bytes of one [`Record`] in the index.
pub(super) const RECORD: usize = 32;

/// More entries than this are read a span at a time and decoded in parallel; fewer are read
/// each on its own.
const FEW: usize = 32;

/// The bytes of entries read at once when many are taken (an entry longer than this is read
/// alone).
const SPAN: u64 = 1 << 20;

/// Where an entry is in the file and how it is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Record {
    /// [`disk_key`] of the entry's target.
    pub(super) key: u64,
    /// From the start of the entries, and the length.
    offset: u32,
    length: u32,
    signature: u128,
}

impl Record {
    fn parse(bytes: &[u8]) -> Option<Record> {
        let (key, rest) = bytes.split_first_chunk::<8>()?;
        let (offset, rest) = rest.split_first_chunk::<4>()?;
        let (length, rest) = rest.split_first_chunk::<4>()?;
        let (signature, _) = rest.split_first_chunk::<16>()?;
        Some(Record {
            key: u64::from_le_bytes(*key),
            offset: u32::from_le_bytes(*offset),
            length: u32::from_le_bytes(*length),
            signature: u128::from_le_bytes(*signature),
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.key.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.length.to_le_bytes());
        out.extend_from_slice(&self.signature.to_le_bytes());
    }

    /// Where the entry ends, from the start of the entries.
    fn end(&self) -> u64 {
        u64::from(self.offset) + u64::from(self.length)
    }

    fn range(&self) -> std::ops::Range<usize> {
        let start = self.offset as usize;
        start..start + self.length as usize
    }
}

/// The key an entry is filed under in a cache file: its target's name (not its path, which one
/// file may have several spellings of: `cache/respell.rs`), hashed the same way in every
/// process of this build (the in-memory key is seeded per process). A collision costs decoding
/// one more entry: each is used only for the target it was made for.
pub(super) fn disk_key(target: &Target) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5354_4341_4348_4532).hash_one(&target.name)
}

/// A path's bytes as the cache compares them: `./a/b` and `a/b` are one file (a walk of `.`
/// finds the one, a pre-commit hook names the other).
pub(super) fn plain(path: &Path) -> &[u8] {
    let mut bytes = path.as_os_str().as_encoded_bytes();
    let separator = |b: &u8| *b == b'/' || (cfg!(windows) && *b == b'\\');
    while let [b'.', next, rest @ ..] = bytes
        && separator(next)
    {
        let skip = rest.iter().take_while(|b| separator(b)).count();
        bytes = &rest[skip..];
    }
    bytes
}

/// The signature of an entry's bytes in the cache file named `file_key`.
fn sign(secret: &Key, file_key: u64, bytes: &[u8]) -> u128 {
    signing::sign(secret, &[b"entry", &file_key.to_le_bytes(), bytes])
}

/// The entries of one cache file, whose index has been checked: each is read when a run asks
/// for it.
pub(super) struct Shelf<R = std::fs::File> {
    reader: R,
    file_key: u64,
    secret: Key,
    records: Vec<Record>,
    /// Records already read (used, or refused): never read or copied again.
    taken: Vec<bool>,
    /// Where the entries start in the file, and how long the file is.
    base: u64,
    end: u64,
    /// Every entry's bytes, read in one go when they are copied into the next file (`None`
    /// inside when that read failed).
    body: Option<Option<Vec<u8>>>,
}

impl<R: Read + Seek> Shelf<R> {
    /// The entries after a header that signed `index` ([`super::store`]), `base` bytes into
    /// `reader`, which is `end` bytes long. `None` when the index is not whole records, sorted,
    /// each within the file.
    pub(super) fn new(
        reader: R,
        (base, end): (u64, u64),
        index: &[u8],
        file_key: u64,
        secret: Key,
    ) -> Option<Self> {
        if !index.len().is_multiple_of(RECORD) {
            return None;
        }
        let records: Vec<Record> = (index.chunks_exact(RECORD))
            .map(Record::parse)
            .collect::<Option<_>>()?;
        let room = end.checked_sub(base)?;
        let fits = |r: &Record| u64::from(r.offset) + u64::from(r.length) <= room;
        // The entries fill the rest of the file, each once: a file cut or grown is refused.
        let total: u64 = records.iter().map(|r| u64::from(r.length)).sum();
        if total != room || !records.iter().all(fits) || !records.is_sorted_by_key(|r| r.key) {
            return None;
        }
        Some(Shelf {
            reader,
            file_key,
            secret,
            taken: vec![false; records.len()],
            records,
            base,
            end,
            body: None,
        })
    }

    /// The number of entries not taken yet.
    pub(super) fn untaken(&self) -> usize {
        self.taken.iter().filter(|t| !**t).count()
    }

    /// The entries filed under `keys` ([`disk_key`]) and not taken before, each checked as the
    /// module's documentation says, with its record's number (for [`Shelf::copies`]); those
    /// that fail are left out (and taken: never copied).
    pub(super) fn take(&mut self, keys: &[u64]) -> Vec<(usize, Entry)> {
        let mut wanted = Vec::new();
        for key in keys {
            let first = self.records.partition_point(|r| r.key < *key);
            for at in first..self.records.len() {
                if self.records[at].key != *key {
                    break;
                }
                if !std::mem::replace(&mut self.taken[at], true) {
                    wanted.push(at);
                }
            }
        }
        if wanted.len() <= FEW {
            return (wanted.into_iter())
                .filter_map(|at| {
                    let record = self.records[at];
                    let bytes = self.read_one(&record)?;
                    Some((at, decode(&self.secret, self.file_key, &record, &bytes)?))
                })
                .collect();
        }
        // In the order they lie in the file, a span of about `SPAN` bytes at a time read into
        // one buffer and decoded in parallel: a large cache costs the memory of one span, not
        // of every entry's bytes, and each read lands in the pages of the last.
        wanted.sort_unstable_by_key(|&at| self.records[at].offset);
        let mut entries = Vec::with_capacity(wanted.len());
        let mut buffer = Vec::new();
        let mut rest = &wanted[..];
        while let Some(&first) = rest.first() {
            let start = self.records[first].offset;
            let within = |at: &usize| self.records[*at].end() - u64::from(start) <= SPAN;
            let count = 1 + rest[1..].iter().take_while(|at| within(at)).count();
            let (span, after) = rest.split_at(count);
            rest = after;
            let end = span
                .iter()
                .map(|&at| self.records[at].end())
                .max()
                .unwrap_or(0);
            let length = end - u64::from(start);
            let Some(bytes) = self.read_into(&mut buffer, self.base + u64::from(start), length)
            else {
                // Those entries are left out: their files are analyzed again.
                continue;
            };
            let (secret, file_key, records) = (&self.secret, self.file_key, &self.records);
            let decoded: Vec<Option<(usize, Entry)>> = (span.par_iter())
                .map(|&at| {
                    let record = &records[at];
                    let from = (record.offset - start) as usize;
                    let bytes = bytes.get(from..from + record.length as usize)?;
                    Some((at, decode(secret, file_key, record, bytes)?))
                })
                .collect();
            entries.extend(decoded.into_iter().flatten());
        }
        entries
    }

    /// What to write again as it is, as (record, bytes): the taken entries numbered `taken`
    /// (still as they were read), then every entry not taken; of these, with `only_existing`
    /// (the directory relative paths are from: the run's, as the cache file's key says), only
    /// those whose file still exists (their target read from the first bytes of each). `None`
    /// when the entries cannot be read again.
    pub(super) fn copies(
        &mut self,
        taken: &[usize],
        only_existing: Option<&Path>,
    ) -> Option<Vec<(Record, &[u8])>> {
        if taken.is_empty() && self.untaken() == 0 {
            return Some(Vec::new());
        }
        self.body()?;
        let Some(Some(body)) = &self.body else {
            return None;
        };
        let records = &self.records;
        let exists = |bytes: &[u8]| {
            postcard::take_from_bytes::<Target>(bytes).is_ok_and(|(target, _)| {
                (target.path.as_deref())
                    .is_some_and(|p| only_existing.is_some_and(|cwd| cwd.join(p).exists()))
            })
        };
        let untaken = (self.taken.iter().enumerate())
            .filter(|(_, taken)| !**taken)
            .map(|(at, _)| at)
            .filter(|&at| {
                only_existing.is_none() || body.get(records[at].range()).is_some_and(exists)
            });
        let read = (taken.iter().copied()).filter(|&at| self.taken.get(at) == Some(&true));
        (read.chain(untaken))
            .map(|at| Some((records[at], body.get(records.get(at)?.range())?)))
            .collect()
    }

    /// Every entry's bytes, read once.
    fn body(&mut self) -> Option<&Vec<u8>> {
        if self.body.is_none() {
            let read = self.read_at(self.base, self.end - self.base);
            self.body = Some(read);
        }
        self.body.as_ref().and_then(Option::as_ref)
    }

    fn read_one(&mut self, record: &Record) -> Option<Vec<u8>> {
        if let Some(Some(body)) = &self.body {
            return body.get(record.range()).map(<[u8]>::to_vec);
        }
        self.read_at(self.base + u64::from(record.offset), record.length.into())
    }

    /// `length` bytes at `at`, read into `buffer` (grown when it is shorter).
    fn read_into<'b>(&mut self, buffer: &'b mut Vec<u8>, at: u64, length: u64) -> Option<&'b [u8]> {
        let length = usize::try_from(length).ok()?;
        if buffer.len() < length {
            buffer.resize(length, 0);
        }
        self.reader.seek(SeekFrom::Start(at)).ok()?;
        self.reader.read_exact(&mut buffer[..length]).ok()?;
        Some(&buffer[..length])
    }

    fn read_at(&mut self, at: u64, length: u64) -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        self.read_into(&mut bytes, at, length)?;
        Some(bytes)
    }

    /// Every entry, checked; `None` when any fails (the fuzz target and the tests).
    pub(super) fn take_all(mut self) -> Option<Vec<Entry>> {
        let all: Vec<u64> = self.records.iter().map(|r| r.key).collect();
        let count = self.records.len();
        let mut keys = all;
        keys.dedup();
        let entries: Vec<Entry> = self.take(&keys).into_iter().map(|(_, e)| e).collect();
        (entries.len() == count).then_some(entries)
    }
}

/// The entry of `record`, `bytes`, if its signature holds, it decodes to exactly those bytes,
/// it is what sandtrap keeps on disk and it is filed under its own target.
fn decode(secret: &Key, file_key: u64, record: &Record, bytes: &[u8]) -> Option<Entry> {
    if sign(secret, file_key, bytes) != record.signature {
        return None;
    }
    let entry = decode_one(bytes)?;
    (disk_key(entry.target()) == record.key).then_some(entry)
}

/// One entry of exactly `bytes`, if it is what sandtrap keeps on disk.
fn decode_one(bytes: &[u8]) -> Option<Entry> {
    let (entry, rest) = postcard::take_from_bytes::<Entry>(bytes).ok()?;
    (rest.is_empty() && entry.storable()).then_some(entry)
}

/// The entries of a cache file as written: those encoded anew, and those copied.
pub(super) type Body<'k> = Vec<Cow<'k, [u8]>>;

/// The index and the entries of a cache file of `fresh` (encoded here) and `kept` (copied as
/// they are), in that order of priority, up to `budget` bytes: those past it are left out.
pub(super) fn write<'k>(
    fresh: &[&Entry],
    kept: &[(Record, &'k [u8])],
    file_key: u64,
    secret: &Key,
    budget: u64,
) -> Option<(Vec<u8>, Body<'k>)> {
    let mut records: Vec<Record> = Vec::new();
    let mut body: Body<'k> = Vec::new();
    let mut length = 0usize;
    let fresh = (fresh.iter()).map(|entry| {
        let bytes = postcard::to_allocvec(entry).ok()?;
        let signature = sign(secret, file_key, &bytes);
        Some((disk_key(entry.target()), signature, Cow::Owned(bytes)))
    });
    let kept = (kept.iter())
        .map(|(record, bytes)| Some((record.key, record.signature, Cow::Borrowed(*bytes))));
    for entry in fresh.chain(kept) {
        let (key, signature, bytes) = entry?;
        if ((records.len() + 1) * RECORD + length + bytes.len()) as u64 > budget {
            break;
        }
        records.push(Record {
            key,
            offset: u32::try_from(length).ok()?,
            length: u32::try_from(bytes.len()).ok()?,
            signature,
        });
        length += bytes.len();
        body.push(bytes);
    }
    records.sort_by_key(|r| r.key);
    let mut index = Vec::with_capacity(records.len() * RECORD);
    records.iter().for_each(|r| r.write(&mut index));
    Some((index, body))
}

/// The entries of `body` read one after another without any signature: what the fuzz target
/// mutates. `None` when any fails.
pub(super) fn decode_unsigned(mut body: &[u8]) -> Option<Vec<Entry>> {
    let mut entries = Vec::new();
    while !body.is_empty() {
        let (entry, rest) = postcard::take_from_bytes::<Entry>(body).ok()?;
        if !entry.storable() {
            return None;
        }
        entries.push(entry);
        body = rest;
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    const SECRET: Key = [3; 16];
    const FILE: u64 = 42;

    /// Records (made with `key`, in order) for `bodies`, signed, and the entries' bytes.
    fn kept(entries: &[(u64, &[u8])]) -> (Vec<u8>, Vec<u8>) {
        let kept: Vec<(Record, &[u8])> = (entries.iter())
            .map(|(key, bytes)| {
                let record = Record {
                    key: *key,
                    offset: 0,
                    length: 0,
                    signature: sign(&SECRET, FILE, bytes),
                };
                (record, *bytes)
            })
            .collect();
        let (index, body) = write(&[], &kept, FILE, &SECRET, u64::MAX).unwrap();
        (index, body.concat())
    }

    fn shelf(index: &[u8], body: &[u8]) -> Option<Shelf<Cursor<Vec<u8>>>> {
        let end = body.len() as u64;
        Shelf::new(Cursor::new(body.to_vec()), (0, end), index, FILE, SECRET)
    }

    #[test]
    fn an_index_that_does_not_describe_the_entries_is_refused() {
        let (index, body) = kept(&[(9, b"nine"), (2, b"two"), (5, b"five")]);
        // Sorted by key, whatever the order written.
        let keys: Vec<u64> = (index.chunks_exact(RECORD))
            .map(|r| Record::parse(r).unwrap().key)
            .collect();
        assert_eq!(keys, [2, 5, 9]);
        assert!(shelf(&index, &body).is_some());
        // Cut, grown, a record cut, records swapped.
        assert!(shelf(&index, &body[..body.len() - 1]).is_none());
        assert!(shelf(&index, &[body.as_slice(), b"x"].concat()).is_none());
        assert!(shelf(&index[..index.len() - 1], &body).is_none());
        let swapped = [
            &index[RECORD..2 * RECORD],
            &index[..RECORD],
            &index[2 * RECORD..],
        ]
        .concat();
        assert!(shelf(&swapped, &body).is_none());
        // A record past the end.
        let mut past = index.clone();
        past[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(shelf(&past, &body).is_none());
    }

    #[test]
    fn entries_are_taken_once_and_the_rest_is_copied_as_it_is() {
        let (index, body) = kept(&[(1, b"one"), (2, b"two"), (3, b"three")]);
        let mut shelf = shelf(&index, &body).unwrap();
        assert_eq!(shelf.untaken(), 3);
        // Signed, but not an entry: refused, and taken (never copied again).
        assert!(shelf.take(&[2, 7]).is_empty());
        assert!(shelf.take(&[2]).is_empty());
        assert_eq!(shelf.untaken(), 2);
        let rest = shelf.copies(&[], None).unwrap();
        let bytes: Vec<&[u8]> = rest.iter().map(|(_, b)| *b).collect();
        assert_eq!(bytes, [b"one".as_slice(), b"three"]);
        // Written again: the same bytes under the same signatures.
        let (index, body) = write(&[], &rest, FILE, &SECRET, u64::MAX).unwrap();
        let mut again = super::tests::shelf(&index, &body.concat()).unwrap();
        let same = |rest: &[(Record, &[u8])]| -> Vec<(u64, u128, Vec<u8>)> {
            (rest.iter())
                .map(|(r, b)| (r.key, r.signature, b.to_vec()))
                .collect()
        };
        let written = same(&rest);
        assert_eq!(same(&again.copies(&[], None).unwrap()), written);
        // With a budget, the first ones first.
        let (index, _) = write(&[], &rest, FILE, &SECRET, (RECORD + 3) as u64).unwrap();
        assert_eq!(index.len(), RECORD);
        // Without any file left to keep (the targets are unreadable), none is kept.
        assert!(again.copies(&[], Some(Path::new("/"))).unwrap().is_empty());
    }

    #[test]
    fn a_path_is_compared_without_its_leading_dots() {
        let plain = |p: &str| String::from_utf8(plain(Path::new(p)).to_vec()).unwrap();
        assert_eq!(plain("./a/b.yaml"), "a/b.yaml");
        assert_eq!(plain(".//./a"), "a");
        assert_eq!(plain("a/./b"), "a/./b");
        assert_eq!(plain("../a"), "../a");
        assert_eq!(plain(".hidden/a"), ".hidden/a");
        assert_eq!(plain("."), ".");
        assert_eq!(plain("/abs/a"), "/abs/a");
    }

    #[test]
    fn an_entry_signed_for_another_file_is_refused() {
        let (index, body) = kept(&[(1, b"one")]);
        let end = body.len() as u64;
        let mut other = Shelf::new(Cursor::new(body), (0, end), &index, FILE + 1, SECRET).unwrap();
        let record = other.records[0];
        let bytes = other.read_one(&record).unwrap();
        assert!(decode(&SECRET, FILE + 1, &record, &bytes).is_none());
        assert!(decode(&[4; 16], FILE, &record, &bytes).is_none());
        assert_eq!(sign(&SECRET, FILE, &bytes), record.signature);
    }

    /// Entries not taken are kept when their file exists, a relative path being read from the
    /// run's directory (the cache file's key holds it), not from the process's: an editor's
    /// server runs elsewhere, and must not drop the entries a check of the project made.
    #[test]
    fn an_entry_not_taken_is_kept_when_its_file_exists_from_the_runs_directory() {
        let project = tempfile::tempdir().unwrap();
        std::fs::write(project.path().join("here.yaml"), "x").unwrap();
        let target = |path: &str| Target {
            name: path.to_owned(),
            path: Some(path.into()),
            explicit: false,
            origin: crate::discover::Origin::Loose,
            environment: crate::discover::Environment::default(),
        };
        let encoded = |path: &str| postcard::to_allocvec(&target(path)).unwrap();
        let (here, gone) = (encoded("./here.yaml"), encoded("./gone.yaml"));
        let (index, body) = kept(&[(1, &here), (2, &gone)]);
        let mut shelf = shelf(&index, &body).unwrap();
        let kept = |copies: Vec<(Record, &[u8])>| -> Vec<u64> {
            copies.iter().map(|(r, _)| r.key).collect()
        };
        assert_eq!(kept(shelf.copies(&[], Some(project.path())).unwrap()), [1]);
        assert!(kept(shelf.copies(&[], Some(Path::new("/"))).unwrap()).is_empty());
        assert_eq!(kept(shelf.copies(&[], None).unwrap()), [1, 2]);
    }
}

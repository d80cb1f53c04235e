//! Each file's diagnostics as the client was last sent them, with what they were made from.
//! A file's protocol diagnostics follow from its findings (the check's diagnostics located in
//! it, in order), the texts and URIs of the files those point into, and the session's position
//! encoding; after an edit most files have the same of all of these, so their diagnostics are
//! the ones made before, shared, not converted again (positions, messages, related locations)
//! nor compared again member by member.

use std::sync::Arc;

use lsp_types::Uri;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Files};

/// One file's protocol diagnostics (shared with what hover and code actions read).
pub(super) type Shared = Arc<Vec<lsp_types::Diagnostic>>;

/// By the URI a file is published under, its last conversion.
pub(super) type Memo = foldhash::HashMap<String, Converted>;

/// A file's findings and what they became.
pub(super) struct Converted {
    findings: Vec<Diagnostic>,
    /// Every file the findings point into (their own and related locations'), each once: its
    /// id, text and URI at the time.
    places: Vec<(FileId, Arc<str>, Option<Uri>)>,
    diagnostics: Shared,
}

/// The diagnostics of the file published under `key`, whose findings are `findings`: the last
/// conversion's when it was made from the same findings, texts and URIs, else `convert` of
/// each finding (a finding it cannot convert is left out), kept in `next` for the next run.
pub(super) fn diagnostics(
    key: &str,
    findings: &[&Diagnostic],
    files: &Files,
    uri_of: &dyn Fn(FileId) -> Option<Uri>,
    convert: &dyn Fn(&Diagnostic) -> Option<lsp_types::Diagnostic>,
    (last, next): (&mut Memo, &mut Memo),
) -> Shared {
    let places = places(findings, files, uri_of);
    let kept = last.remove(key).filter(|kept| {
        kept.findings.iter().eq(findings.iter().copied())
            && kept.places.len() == places.len()
            && (kept.places.iter().zip(&places)).all(|((id, text, uri), (id2, text2, uri2))| {
                id == id2 && uri == uri2 && (Arc::ptr_eq(text, text2) || text == text2)
            })
    });
    let converted = kept.unwrap_or_else(|| Converted {
        findings: findings.iter().map(|d| (*d).clone()).collect(),
        places,
        diagnostics: Arc::new(findings.iter().filter_map(|d| convert(d)).collect()),
    });
    let diagnostics = Arc::clone(&converted.diagnostics);
    next.insert(key.to_owned(), converted);
    diagnostics
}

/// The files `findings` point into, each once, in the order they are met.
fn places(
    findings: &[&Diagnostic],
    files: &Files,
    uri_of: &dyn Fn(FileId) -> Option<Uri>,
) -> Vec<(FileId, Arc<str>, Option<Uri>)> {
    let mut places: Vec<(FileId, Arc<str>, Option<Uri>)> = Vec::new();
    let ids = (findings.iter()).flat_map(|d| {
        std::iter::once(d.location.file).chain(d.related.iter().map(|r| r.location.file))
    });
    for id in ids {
        if places.iter().any(|(seen, _, _)| *seen == id) {
            continue;
        }
        if let Some(file) = files.get(id) {
            places.push((id, Arc::clone(&file.text), uri_of(id)));
        }
    }
    places
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diagnostic::{Location, Related, Severity};
    use crate::lsp::convert::{self, Encoding, path_to_uri};
    use crate::source::{SourceFile, Span};

    /// A run's files: the pool (whose finding sits after an `é` on its line) and the file its
    /// related location points into.
    fn files(pool: &str, other: &str) -> Files {
        let mut files = Files::with_capacity(2);
        files.add(SourceFile::new("pool.yaml", None, pool));
        files.add(SourceFile::new("other.yaml", None, other));
        files
    }

    fn finding(files: &Files, message: &str) -> Diagnostic {
        let (pool, other) = (
            files.iter().next().unwrap().0,
            files.iter().nth(1).unwrap().0,
        );
        let mut d = Diagnostic::new(
            "ST101",
            "sandbox",
            Severity::Error,
            Location {
                file: pool,
                span: Span::new(7, 11),
            },
            message,
        );
        d.related.push(Related {
            location: Location {
                file: other,
                span: Span::new(4, 6),
            },
            message: "declared here".to_owned(),
        });
        d
    }

    /// One run's conversion of `findings` (all in the pool's file) with the memo `last`.
    fn run(files: &Files, findings: &[Diagnostic], uris: [&str; 2], last: &mut Memo) -> Shared {
        let ids: Vec<FileId> = files.iter().map(|(id, _)| id).collect();
        let uri_of = |id: FileId| {
            let n = ids.iter().position(|i| *i == id)?;
            path_to_uri(Path::new(uris[n]))
        };
        let convert = |d: &Diagnostic| {
            convert::diagnostic(d, files, Encoding::Utf16, &|id, _| uri_of(id), &|_| None)
        };
        let mut next = Memo::default();
        let findings: Vec<&Diagnostic> = findings.iter().collect();
        let out = diagnostics(
            "pool",
            &findings,
            files,
            &uri_of,
            &convert,
            (last, &mut next),
        );
        *last = next;
        out
    }

    /// What a conversion without a memo gives.
    fn fresh(files: &Files, findings: &[Diagnostic], uris: [&str; 2]) -> Shared {
        run(files, findings, uris, &mut Memo::default())
    }

    #[test]
    fn a_conversion_is_kept_only_while_its_findings_texts_and_uris_are_the_same() {
        let uris = ["/w/pool.yaml", "/w/other.yaml"];
        let (pool, other) = ("a: é b: cdef\n", "x: é yz\n");
        let mut memo = Memo::default();
        let first_files = files(pool, other);
        let first = run(&first_files, &[finding(&first_files, "m")], uris, &mut memo);
        assert_eq!(
            first,
            fresh(&first_files, &[finding(&first_files, "m")], uris)
        );

        // The same findings over texts equal but read again: the same conversion, shared.
        let same = files(pool, other);
        let again = run(&same, &[finding(&same, "m")], uris, &mut memo);
        assert!(Arc::ptr_eq(&first, &again));

        // Each of these changes what the client must be told, and makes it again.
        let changes: [(Files, &str, [&str; 2]); 4] = [
            // `é` became `ab` before the finding: the same bytes, another UTF-16 column.
            (files("a: ab b: cdef\n", other), "m", uris),
            // ... before the related location, in the other file.
            (files(pool, "x: ab yz\n"), "m", uris),
            // Another message.
            (files(pool, other), "n", uris),
            // The related file published under another URI (a buffer opened there).
            (
                files(pool, other),
                "m",
                ["/w/pool.yaml", "/w/link/other.yaml"],
            ),
        ];
        for (files, message, now_uris) in changes {
            let findings = [finding(&files, message)];
            let before = run(&first_files, &[finding(&first_files, "m")], uris, &mut memo);
            let now = run(&files, &findings, now_uris, &mut memo);
            assert_eq!(now, fresh(&files, &findings, now_uris));
            assert_ne!(now, before, "{message} {now_uris:?}");
        }
    }
}

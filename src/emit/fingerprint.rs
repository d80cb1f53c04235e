//! Stable identities for findings, shared by SARIF (`partialFingerprints`) and GitLab Code
//! Quality (`fingerprint`), so a finding keeps its identity when unrelated lines move.

use std::collections::HashMap;

use super::Report;
use crate::diagnostic::Diagnostic;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bits: tiny, dependency-free and fixed forever (unlike `std`'s `DefaultHasher`,
/// whose output may change between Rust releases), which is what a stored fingerprint needs.
#[derive(Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(FNV_OFFSET)
    }
}

impl Fnv1a {
    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    /// Writes `field` followed by a separator no field contains, so `("ab", "c")` and
    /// `("a", "bc")` hash differently.
    pub fn field(&mut self, field: &str) {
        self.write(field.as_bytes());
        self.write(&[0]);
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

/// One fingerprint per diagnostic of `report`, in order: 16 hex digits.
///
/// The hash covers the code, the file's path in the repository, the stack and resource, and the text under the
/// primary span with runs of whitespace collapsed (so re-indenting keeps it). Line numbers and
/// the message are left out: moving a resource or rewording a message is the same finding.
/// Identical inputs within one run (two `Type` keys duplicated alike) get an occurrence number
/// so every fingerprint of a run is unique, as GitLab requires.
pub fn fingerprints(report: &Report<'_>) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let base = base_hash(report, d);
            let occurrence = seen.entry(base).or_insert(0);
            let hash = if *occurrence == 0 {
                base
            } else {
                let mut hasher = Fnv1a(base);
                hasher.field(&occurrence.to_string());
                hasher.finish()
            };
            *occurrence += 1;
            format!("{hash:016x}")
        })
        .collect()
}

fn base_hash(report: &Report<'_>, d: &Diagnostic) -> u64 {
    let mut hasher = Fnv1a::default();
    hasher.field(&d.code);
    let file = report.files.get(d.location.file);
    // By the path in the repository: the same finding whichever directory the run started in.
    hasher.field(&file.map_or_else(String::new, |f| report.repository_path(&f.name)));
    hasher.field(d.stack.as_deref().unwrap_or(""));
    hasher.field(d.resource.as_deref().unwrap_or(""));
    let text = file.map_or("", |f| f.slice(d.location.span));
    let mut first = true;
    for word in text.split_whitespace() {
        if !first {
            hasher.write(b" ");
        }
        hasher.write(word.as_bytes());
        first = false;
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        let hash = |s: &str| {
            let mut h = Fnv1a::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fields_are_separated() {
        let pair = |a: &str, b: &str| {
            let mut h = Fnv1a::default();
            h.field(a);
            h.field(b);
            h.finish()
        };
        assert_ne!(pair("ab", "c"), pair("a", "bc"));
    }
}

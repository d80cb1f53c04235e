//! The entry points of the cache's fuzz target (`fuzz/fuzz_targets/cache_entry.rs`).

use std::sync::Arc;

use super::files::FileOutcome;
use super::merge::Merged;
use super::{CheckOptions, RunInputs, cache, finish, join, store};
use crate::rules::{self, Catalog};

/// For the fuzz target `cache_entry`: reads `bytes` as a whole cache file (`whole`, checked
/// against a fixed key of zeros instead of the user's) or as the entries that follow a header (a
/// mutated file fails its signature long before its entries are read), then takes whatever it
/// accepts through the rest of a run (merge, join, rules, suppressions, positions), as a run
/// that found it on disk would; and reads the same bytes as a kept walk
/// ([`super::walked::WalkRecord`]). Returns a count, so nothing is optimized away.
#[doc(hidden)]
pub fn fuzz_cache(bytes: &[u8], whole: bool) -> usize {
    // The same bytes as the payload of a kept walk: decoded or refused, never a panic.
    let walk: Option<super::walked::WalkRecord> = postcard::from_bytes(bytes).ok();
    let walked = walk.map_or(0, |record| record.len());
    walked + fuzz_entries(bytes, whole)
}

fn fuzz_entries(bytes: &[u8], whole: bool) -> usize {
    let entries = match whole {
        true => store::decode(bytes, store::file_key_with(0, &[0; 16]), &[0; 16]),
        false => super::shelf::decode_unsigned(bytes),
    };
    let (Some(entries), Ok(catalog)) = (entries, Catalog::builtin()) else {
        return 0;
    };
    let options = CheckOptions::default();
    let Ok(inputs) = RunInputs::load(&options) else {
        return 0;
    };
    let outcomes: Vec<Arc<FileOutcome>> = entries
        .into_iter()
        .map(cache::Entry::into_outcome)
        .collect();
    let mut run = Merged::new(None, 0);
    for outcome in &outcomes {
        run.add(outcome, None, &catalog);
    }
    let facts = join(&run.stacks, &inputs, &options, None);
    let findings = rules::evaluate_facts(&catalog, &facts, &|name| run.ids.get(name).copied());
    run.diagnostics.extend(findings);
    crate::diagnostic::dedup(&mut run.diagnostics);
    let outcome = finish(run, facts, catalog, &inputs, &options);
    outcome
        .diagnostics
        .iter()
        .filter_map(|d| outcome.files.get(d.location.file))
        .zip(&outcome.diagnostics)
        .map(|(file, d)| file.position(d.location.span.end).line as usize)
        .sum()
}

/// The entries of a cache file, after its header and index: what [`fuzz_cache`] mutates.
#[doc(hidden)]
pub fn fuzz_cache_payload(file: &[u8]) -> Option<&[u8]> {
    store::entries_of(file)
}

//! A run's files through the analysis cache: the earlier analysis of each file where it still
//! holds, a fresh one (kept for the next run) where not.

use std::sync::Arc;

use rayon::prelude::*;

use super::files::{self, FileOutcome};
use super::{CheckOptions, cache, inputs::RunInputs, stamp};
use crate::discover;
use cache::Cache;

/// What the cache learns of one file of a run.
enum Keep {
    /// A fresh analysis.
    Entry(Box<cache::Entry>),
    /// The earlier analysis still holds, and the file has a new stamp.
    Restamp(stamp::Stamp),
    /// The earlier analysis still holds, spelled as this run spells the file's path.
    Respell(Box<cache::Entry>, Option<stamp::Stamp>),
}

/// One target of a cached run.
struct Looked {
    outcome: Arc<FileOutcome>,
    /// An earlier analysis, reused.
    reused: bool,
    /// What the cache learns.
    keep: Option<Keep>,
    /// The analysis spells the file's path otherwise than the run (`cache/respell.rs`).
    otherwise: bool,
    /// Reused as it was ([`cache::Lookup::Unchanged`]): what the next run may take.
    as_is: bool,
}

impl Looked {
    /// An earlier analysis of `target`, reused.
    fn reused(target: &discover::Target, outcome: Arc<FileOutcome>, keep: Option<Keep>) -> Self {
        let otherwise = (target.path.as_ref()).is_some_and(|p| !outcome.spells(Some(p)));
        Looked {
            outcome,
            reused: true,
            keep,
            otherwise,
            as_is: false,
        }
    }
}

/// By position among a run's analyses, the paths of the files whose kept analysis was made for
/// another spelling of their path (`cache/respell.rs`): the run names each file as it spells
/// it, without a copy of the analysis.
pub(super) type Respelled = Vec<(usize, std::path::PathBuf)>;

/// Every target's analysis: the cached one where it still holds, a fresh one (stored) where not.
/// A cancelled run still stores what it analyzed, so the next run starts from there.
pub(super) fn analyze(
    cache: &mut Cache,
    targets: &[&discover::Target],
    options: &CheckOptions,
    inputs: &RunInputs,
) -> Option<(Vec<Arc<FileOutcome>>, Respelled)> {
    cache.begin(options, inputs);
    let lookups = cache.lookup_all(targets, options, inputs);
    // `None` once cancelled.
    let results: Vec<Option<Looked>> = (targets.par_iter())
        .zip(lookups.into_par_iter())
        .map(|(target, lookup)| look(target, lookup, options, inputs))
        .collect();
    let mut outcomes = Vec::with_capacity(targets.len());
    let mut respelled = Respelled::new();
    let mut complete = true;
    // Per target, as `cache::Recent` keeps it for the next run.
    let mut kept = Vec::with_capacity(targets.len());
    for (target, result) in targets.iter().zip(results) {
        let Some(Looked {
            outcome,
            reused,
            keep,
            otherwise,
            as_is,
        }) = result
        else {
            complete = false;
            continue;
        };
        cache.count(reused);
        match keep {
            Some(Keep::Entry(entry)) => cache.store(target, *entry),
            Some(Keep::Restamp(stamp)) => cache.restamp(target, stamp),
            Some(Keep::Respell(entry, stamp)) => cache.respell(target, *entry, stamp),
            None => {}
        }
        // A kept analysis may spell the file's path otherwise (`cache/respell.rs`): the run
        // names the file by its own spelling.
        if let (true, Some(path)) = (otherwise, &target.path) {
            respelled.push((outcomes.len(), path.clone()));
        }
        kept.push(as_is.then_some(otherwise));
        outcomes.push(outcome);
    }
    if !complete {
        return None;
    }
    cache.retain(targets);
    cache.remember_lookups(targets, options, kept);
    Some((outcomes, respelled))
}

/// What `lookup` of `target` gives the run: the analysis, fresh when it must be; `None` once
/// the run is cancelled.
fn look(
    target: &discover::Target,
    lookup: cache::Lookup,
    options: &CheckOptions,
    inputs: &RunInputs,
) -> Option<Looked> {
    match lookup {
        // Whether it spells the path otherwise is the last run's answer, when it has one.
        cache::Lookup::Unchanged(outcome, Some(otherwise)) => Some(Looked {
            outcome,
            reused: true,
            keep: None,
            otherwise,
            as_is: true,
        }),
        cache::Lookup::Unchanged(outcome, None) => Some(Looked {
            as_is: true,
            ..Looked::reused(target, outcome, None)
        }),
        cache::Lookup::Reused(outcome, stamp) => {
            Some(Looked::reused(target, outcome, stamp.map(Keep::Restamp)))
        }
        cache::Lookup::Respelled(entry, stamp) => {
            let outcome = entry.outcome();
            Some(Looked::reused(
                target,
                outcome,
                Some(Keep::Respell(entry, stamp)),
            ))
        }
        _ if options.cancel.is_cancelled() => None,
        cache::Lookup::Analyze(known) => {
            let (from, bytes) = match known {
                Some((from, bytes)) => (Some(from), bytes),
                None => cache::read(target, options),
            };
            // Only what was read is kept; a file that could not be read is read again.
            let hash = bytes.as_deref().map(cache::hash).ok();
            let outcome = Arc::new(files::analyze_bytes(target, options, inputs, bytes));
            let keep = (hash.zip(from)).map(|(hash, from)| {
                Keep::Entry(Box::new(cache::entry(target, hash, from, &outcome)))
            });
            Some(Looked {
                outcome,
                reused: false,
                keep,
                otherwise: false,
                as_is: false,
            })
        }
    }
}

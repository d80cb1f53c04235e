//! What one evaluation of the rules keeps for the next over almost the same facts (the language
//! server evaluates the whole workspace after every edit). An element's findings depend on the
//! element, its place in its collection (an object without an `id` is known by its path), the
//! rules and the run's file ids; nothing else. So an element that is the very fact the last
//! evaluation read (the join hands the same shared fact to every run until its stack changes,
//! `join/memo.rs`), at the same place, keeps its findings while the rules and the files are the
//! same; every other element is evaluated. The memo holds the facts it read, so their address
//! cannot be taken by other facts.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::Catalog;
use super::evaluate::{Found, Visit};
use super::project::Projection;
use crate::join::Facts;

/// The last evaluation's findings per element, for the next. Keep one per workspace; see
/// [`super::evaluate_facts_with`].
#[derive(Default)]
pub struct Memo {
    /// The rules the findings were made with.
    catalog: Option<(Catalog, String)>,
    /// The run's files the findings point into (a digest of their names in order, which
    /// decide every file id).
    files: Option<u64>,
    /// Per collection, per element: the element read, and what it found.
    found: HashMap<&'static str, Vec<Kept>>,
    last: MemoStats,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

/// An element as the last evaluation read it (kept alive, so that its address stays its own),
/// and what it found.
type Kept = (Arc<dyn Any + Send + Sync>, Arc<Found>);

/// How the last evaluation used the memo.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoStats {
    /// Elements evaluated.
    pub evaluated: usize,
    /// Elements whose findings were kept.
    pub kept: usize,
}

impl Memo {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn stats(&self) -> MemoStats {
        self.last
    }

    /// Starts an evaluation with `catalog` over a run whose files' names, in order, digest to
    /// `files`: what was kept with other rules or other files is forgotten.
    pub(super) fn begin(&mut self, catalog: &Catalog, files: u64) {
        self.last = MemoStats::default();
        // The same catalog, or (a `--rules` directory read again) one that says the same.
        let same_address = (self.catalog.as_ref())
            .is_some_and(|(kept, _)| Arc::ptr_eq(&kept.rules, &catalog.rules));
        if !same_address {
            let text = rules_text(catalog);
            if self.catalog.as_ref().is_none_or(|(_, kept)| *kept != text) {
                self.found.clear();
            }
            // Its address is the one to compare next time.
            self.catalog = Some((catalog.clone(), text));
        }
        if self.files != Some(files) {
            self.files = Some(files);
            self.found.clear();
        }
    }

    /// `visit` of each element of `collection`, or its kept findings, in the collection's order.
    pub(super) fn map_each(
        &mut self,
        facts: &Facts,
        collection: &str,
        visit: &Visit<'_, Found>,
    ) -> Option<Vec<Arc<Found>>> {
        Some(match collection {
            "stacks" => self.each("stacks", &facts.stacks, visit),
            "senders" => self.each("senders", &facts.senders, visit),
            "identities" => self.each("identities", &facts.identities, visit),
            "configuration_sets" => {
                self.each("configuration_sets", &facts.configuration_sets, visit)
            }
            "trigger_senders" => self.each("trigger_senders", &facts.trigger_senders, visit),
            // The live lookups are made anew by every run.
            _ => return None,
        })
    }

    fn each<T: serde::Serialize + Send + Sync + 'static>(
        &mut self,
        collection: &'static str,
        items: &[Arc<T>],
        visit: &Visit<'_, Found>,
    ) -> Vec<Arc<Found>> {
        let before = self.found.remove(collection).unwrap_or_default();
        let results: Vec<(Arc<Found>, bool)> = items
            .par_iter()
            .enumerate()
            .map_init(Projection::default, |scratch, (index, item)| {
                match before.get(index) {
                    Some((kept, found)) if same(kept, item) => (Arc::clone(found), true),
                    _ => (Arc::new(visit(scratch, index, &**item)), false),
                }
            })
            .collect();
        let kept = results.iter().filter(|(_, kept)| *kept).count();
        self.last.kept += kept;
        self.last.evaluated += results.len() - kept;
        let now = (items.iter().zip(&results))
            .map(|(item, (found, _))| {
                let item: Arc<dyn Any + Send + Sync> = Arc::<T>::clone(item);
                (item, Arc::clone(found))
            })
            .collect();
        self.found.insert(collection, now);
        results.into_iter().map(|(found, _)| found).collect()
    }
}

/// Whether `kept` is the very element `item`.
fn same<T>(kept: &Arc<dyn Any + Send + Sync>, item: &Arc<T>) -> bool {
    std::ptr::eq(
        Arc::as_ptr(kept).cast::<()>(),
        Arc::as_ptr(item).cast::<()>(),
    )
}

/// Everything a catalog's rules say, to tell two catalogs of the same rules (a `--rules`
/// directory read again) from two of different ones.
fn rules_text(catalog: &Catalog) -> String {
    format!("{:?}", catalog.rules)
}

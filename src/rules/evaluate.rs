//! The evaluate stage: every case's JSONPath query over the facts, each matched object turned
//! into at most one diagnostic per rule.
//!
//! Almost every query picks elements of one collection (`$.senders[?@.ses.state == 'sandbox']`,
//! `$.senders[*].unresolved[*]`) and reads nothing outside the element it looks at. Such a case
//! runs over each element on its own, on every core. Most have a plan ([`super::plan`]): the few
//! members its condition names are read straight from the typed fact ([`super::project`], one
//! walk per fact for every plan of every rule), and the fact becomes a JSON value only when a
//! case keeps it (to fill the diagnostic), once for all the rules. A case without a plan runs in
//! the JSONPath engine over the element's JSON ([`Local`]). Either way the whole document never
//! exists as a `Value`, and memory follows the typed facts. A rule with any other case
//! (`$..region`, `$.senders[0]`, a filter that names `$`) runs over the whole document, which is
//! built once, and only when such a rule exists. All ways give the same diagnostics in the same
//! order: by rule, then case, then document order.

use std::cell::{Cell, OnceCell};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::kept::{self, Keep};
pub(super) use super::local::Local;
use super::plan::{self, Val};
use super::project::{Paths, Projection};
use super::{Case, Catalog, Rule, RuleFilter};
use crate::diagnostic::{Diagnostic, Location, Related};
use crate::join::Facts;
use crate::source::{FileId, Span};

/// Maps the `file` of a fact's span to the run's file.
pub type FileIds<'a> = dyn Fn(&str) -> Option<FileId> + Sync + 'a;

/// The facts a run's rules read: the typed facts of a run, or a JSON document (the tests', and
/// any caller holding one).
#[derive(Clone, Copy)]
enum Source<'a> {
    Facts(&'a Facts),
    Json(&'a Value),
}

/// One element of a collection as the rules read it: the members the plans name, and its JSON.
pub(super) trait Element: Sync {
    /// Reads the wanted members into `out`; false when they cannot be read that way.
    fn project(&self, paths: &Paths, out: &mut Projection) -> bool;
    /// The element as JSON; `None` if it does not serialize (the facts always do: string keys,
    /// finite numbers), and the rules then skip it.
    fn json(&self) -> Option<Value>;
    /// The members `keep` names, as in [`Element::json`] ([`kept`]).
    fn json_kept(&self, keep: &Keep) -> Option<Value>;
}

impl<T: serde::Serialize + Sync> Element for T {
    fn project(&self, paths: &Paths, out: &mut Projection) -> bool {
        out.fill(paths, self)
    }

    fn json(&self) -> Option<Value> {
        serde_json::to_value(self).ok()
    }

    fn json_kept(&self, keep: &Keep) -> Option<Value> {
        kept::to_value(self, keep)
    }
}

pub(super) type Visit<'v, R> = dyn Fn(&mut Projection, usize, &dyn Element) -> R + Sync + 'v;

impl Source<'_> {
    /// `visit` of each element of `collection` (with scratch space for its projection), on
    /// every core, in the collection's order.
    fn map_each<R: Send>(&self, collection: &str, visit: &Visit<'_, R>) -> Vec<R> {
        fn each<T: serde::Serialize + Sync, R: Send>(items: &[T], visit: &Visit<'_, R>) -> Vec<R> {
            items
                .par_iter()
                .enumerate()
                .map_init(Projection::default, |scratch, (index, item)| {
                    visit(scratch, index, item)
                })
                .collect()
        }
        match self {
            Source::Facts(facts) => match collection {
                "stacks" => each(&facts.stacks, visit),
                "senders" => each(&facts.senders, visit),
                "lookups" => each(&facts.lookups, visit),
                "identities" => each(&facts.identities, visit),
                "configuration_sets" => each(&facts.configuration_sets, visit),
                "trigger_senders" => each(&facts.trigger_senders, visit),
                _ => Vec::new(),
            },
            Source::Json(document) => match document.get(collection).and_then(Value::as_array) {
                Some(items) => each(items, visit),
                None => Vec::new(),
            },
        }
    }

    fn whole(&self) -> std::borrow::Cow<'_, Value> {
        match self {
            Source::Facts(facts) => std::borrow::Cow::Owned(facts.to_json()),
            Source::Json(document) => std::borrow::Cow::Borrowed(*document),
        }
    }
}

/// Runs every rule of `catalog` over the typed facts of a run.
///
/// `file_id` maps the `file` of a fact's span to the run's file; a location in a file it does not
/// know is treated as absent. Diagnostics come out by rule, then case, then document order;
/// severity is the case's or the rule's default (configuration applies later).
pub fn evaluate_facts(catalog: &Catalog, facts: &Facts, file_id: &FileIds<'_>) -> Vec<Diagnostic> {
    run(catalog, Source::Facts(facts), file_id, None)
}

/// [`evaluate_facts`], keeping in `memo` each element's findings for the next evaluation, and
/// taking from it those of the elements that are the same shared facts at the same place
/// (`memo.rs`). `files` digests the names of the run's files in order (which decide what
/// `file_id` answers): a change of it, or of the rules, evaluates everything. The diagnostics
/// are those [`evaluate_facts`] gives.
pub fn evaluate_facts_with(
    catalog: &Catalog,
    facts: &Facts,
    file_id: &FileIds<'_>,
    files: u64,
    memo: &mut super::Memo,
) -> Vec<Diagnostic> {
    memo.begin(catalog, files);
    run(catalog, Source::Facts(facts), file_id, Some(memo))
}

/// [`evaluate_facts`] over a facts document as JSON.
pub fn evaluate(catalog: &Catalog, facts: &Value, file_id: &FileIds<'_>) -> Vec<Diagnostic> {
    run(catalog, Source::Json(facts), file_id, None)
}

/// One rule's state while it runs: what it found per case, and which objects it already
/// reported (or rejected by `where:`).
struct Progress<'r> {
    rule: &'r Rule,
    url: Option<String>,
    /// An object claimed by an earlier case is not reported again by a later, less specific one,
    /// even when the earlier case could not locate it: one object, one diagnostic.
    claimed: foldhash::HashSet<String>,
    /// `where:` is decided once per object, whichever case meets it first.
    passes: foldhash::HashMap<String, bool>,
    /// Per case, the diagnostics with the identity of the object each reports.
    found: Vec<Vec<(String, Diagnostic)>>,
}

impl<'r> Progress<'r> {
    fn new(rule: &'r Rule) -> Self {
        Self {
            url: rule.url(),
            found: vec![Vec::new(); rule.cases.len()],
            ..Self::bare(rule)
        }
    }

    /// A state that allocates nothing until it finds something (one per rule and element).
    fn bare(rule: &'r Rule) -> Self {
        Self {
            rule,
            url: None,
            claimed: foldhash::HashSet::default(),
            passes: foldhash::HashMap::default(),
            found: Vec::new(),
        }
    }

    /// Considers one matched object for case `index`; `path` names it when it has no `id`.
    fn consider(
        &mut self,
        index: usize,
        value: &Value,
        path: impl FnOnce() -> String,
        file_id: &FileIds<'_>,
    ) {
        let identity = match value.get("id").and_then(Value::as_str) {
            Some(id) => format!("id:{id}"),
            None => format!("path:{}", path()),
        };
        if let Some(filter) = &self.rule.filter {
            let pass = *self
                .passes
                .entry(identity.clone())
                .or_insert_with(|| holds(filter, value));
            if !pass {
                return;
            }
        }
        if !self.claimed.insert(identity.clone()) {
            return;
        }
        let (Some(object), Some(case)) = (value.as_object(), self.rule.cases.get(index)) else {
            return;
        };
        if let Some(mut diagnostic) = report(self.rule, case, value, object, file_id) {
            if self.found.len() < self.rule.cases.len() {
                self.found.resize_with(self.rule.cases.len(), Vec::new);
            }
            if let Some(found) = self.found.get_mut(index) {
                diagnostic.url.clone_from(&self.url);
                found.push((identity, diagnostic));
            }
        }
    }

    /// Every case of the rule over the whole document.
    fn over_whole(&mut self, document: &Value, file_id: &FileIds<'_>) {
        for (index, case) in self.rule.cases.iter().enumerate() {
            let Some(runnable) = case.runnable() else {
                continue;
            };
            runnable.run(document, &mut |value, path| {
                self.consider(index, value, || path.to_owned(), file_id);
            });
        }
    }

    /// Takes one diagnostic an element's evaluation found, after what earlier elements found:
    /// an object already reported (by an earlier element) is not reported again.
    fn merge(&mut self, case: usize, identity: String, mut diagnostic: Diagnostic) {
        if let Some(all) = self.found.get_mut(case)
            && self.claimed.insert(identity.clone())
        {
            diagnostic.url.clone_from(&self.url);
            all.push((identity, diagnostic));
        }
    }
}

/// Whether one of the rule's cases runs over elements of `collection`.
fn reads(rule: &Rule, collection: &str) -> bool {
    (rule.cases.iter()).any(|case| case.collection() == Some(collection))
}

/// Whether every case of the rule runs over elements of a collection.
fn local(rule: &Rule) -> bool {
    rule.cases.iter().all(|case| case.collection().is_some())
}

/// What one element's evaluation found: (rule, case, object, diagnostic).
pub(super) type Found = Vec<(usize, usize, String, Diagnostic)>;

fn run(
    catalog: &Catalog,
    source: Source<'_>,
    file_id: &FileIds<'_>,
    mut memo: Option<&mut super::Memo>,
) -> Vec<Diagnostic> {
    let mut progress: Vec<Progress<'_>> = catalog.iter().map(Progress::new).collect();

    // Rules made of local cases, per collection, one element at a time.
    let mut collections: Vec<&str> = Vec::new();
    for rule in catalog.iter().filter(|rule| local(rule)) {
        for collection in rule.cases.iter().filter_map(Case::collection) {
            if !collections.contains(&collection) {
                collections.push(collection);
            }
        }
    }
    for collection in collections {
        let on = OnCollection::new(catalog, collection);
        // Each element on its own, on every core; then merged in the collection's order, so
        // that an object met again in a later element (the same `id`) is still reported once.
        let visit = |scratch: &mut Projection, element: usize, item: &dyn Element| {
            on.element(scratch, element, item, file_id)
        };
        let kept = match (source, memo.as_deref_mut()) {
            (Source::Facts(facts), Some(memo)) => memo.map_each(facts, collection, &visit),
            _ => None,
        };
        if let Some(kept) = &kept {
            reserve(&mut progress, kept);
        }
        let merge = |found: Found| {
            for (rule, case, identity, diagnostic) in found {
                if let Some(state) = progress.get_mut(rule) {
                    state.merge(case, identity, diagnostic);
                }
            }
        };
        match kept {
            // Copied out of what the memo keeps for the next run (into room made for it).
            Some(kept) => kept.into_iter().map(Arc::unwrap_or_clone).for_each(merge),
            None => source
                .map_each(collection, &visit)
                .into_iter()
                .for_each(merge),
        }
    }

    // Every other rule, over the whole document.
    if catalog.iter().any(|rule| !local(rule)) {
        let document = source.whole();
        for state in progress.iter_mut().filter(|state| !local(state.rule)) {
            state.over_whole(&document, file_id);
        }
    }

    let total = (progress.iter().flat_map(|state| &state.found))
        .map(Vec::len)
        .sum();
    let mut diagnostics = Vec::with_capacity(total);
    for state in progress {
        diagnostics.extend(state.found.into_iter().flatten().map(|(_, d)| d));
    }
    diagnostics
}

/// Room in each rule's state for the findings `kept` holds, merged one at a time after.
fn reserve(progress: &mut [Progress<'_>], kept: &[Arc<Found>]) {
    let mut counts: Vec<Vec<usize>> = (progress.iter())
        .map(|state| vec![0; state.found.len()])
        .collect();
    for (rule, case, _, _) in kept.iter().flat_map(|found| found.iter()) {
        if let Some(count) = counts.get_mut(*rule).and_then(|c| c.get_mut(*case)) {
            *count += 1;
        }
    }
    for (state, counts) in progress.iter_mut().zip(counts) {
        state.claimed.reserve(counts.iter().sum());
        for (found, count) in state.found.iter_mut().zip(counts) {
            found.reserve(count);
        }
    }
}

/// The rules made of local cases that read one collection, and every member their plans read.
struct OnCollection<'c> {
    collection: &'c str,
    /// (index in the catalog, rule).
    rules: Vec<(usize, &'c Rule)>,
    /// Every member any plan reads, each read once per element.
    paths: Paths,
    /// Per rule, per case, the slot of each path of its plan.
    slots: Vec<Vec<Vec<usize>>>,
    /// Per rule, what the diagnostics of its cases with a plan read of an element they keep
    /// ([`kept`]; `None`: the whole element), decided when the rule first keeps one.
    keeps: Vec<OnceLock<Option<Keep>>>,
}

/// One element being evaluated: its projection, and its JSON once a case needs it.
struct Current<'e> {
    collection: &'e str,
    index: usize,
    item: &'e dyn Element,
    scratch: &'e Projection,
    projected: bool,
    /// The element in a one-element array, as the engine's element queries read it.
    json: OnceCell<Option<Value>>,
    /// The rules of the collection, and per rule what its diagnostics read of an element.
    rules: &'e [(usize, &'e Rule)],
    keeps: &'e [OnceLock<Option<Keep>>],
    /// The rule whose cases run (its place in `keeps`).
    rule: Cell<usize>,
    /// Per rule, those members of the element, once a case of the rule keeps it.
    kept: OnceCell<Vec<OnceCell<Option<Value>>>>,
}

impl Current<'_> {
    fn one(&self) -> Option<&Value> {
        (self.json)
            .get_or_init(|| self.item.json().map(|value| Value::Array(vec![value])))
            .as_ref()
    }

    fn element(&self) -> Option<&Value> {
        self.one().and_then(|one| one.get(0))
    }

    /// The element as a case with a plan that keeps it reads it: the members the diagnostics
    /// of the rule read, or the whole element when that is built already or needed.
    fn found(&self) -> Option<&Value> {
        let rule = self.rule.get();
        let keep = match (self.keeps.get(rule), self.rules.get(rule)) {
            (Some(cell), Some((_, rule))) => cell
                .get_or_init(|| kept::of_rule(rule, self.collection))
                .as_ref(),
            _ => None,
        };
        match keep {
            Some(keep) if self.json.get().is_none() => {
                let kept = (self.kept)
                    .get_or_init(|| self.keeps.iter().map(|_| OnceCell::new()).collect());
                kept.get(rule)?
                    .get_or_init(|| self.item.json_kept(keep).or_else(|| self.item.json()))
                    .as_ref()
            }
            _ => self.element(),
        }
    }

    /// The normalized path of an object `inner` below the element.
    fn path(&self, inner: &str) -> String {
        format!("$['{}'][{}]{inner}", self.collection, self.index)
    }
}

impl<'c> OnCollection<'c> {
    fn new(catalog: &'c Catalog, collection: &'c str) -> Self {
        let rules: Vec<(usize, &Rule)> = (catalog.iter().enumerate())
            .filter(|(_, rule)| local(rule) && reads(rule, collection))
            .collect();
        let mut paths = Paths::new();
        let keeps = rules.iter().map(|_| OnceLock::new()).collect();
        let slots = (rules.iter())
            .map(|(_, rule)| {
                (rule.cases.iter())
                    .map(|case| match &case.plan {
                        Some(plan) if plan.collection == collection => {
                            plan.paths.iter().map(|path| paths.slot(path)).collect()
                        }
                        _ => Vec::new(),
                    })
                    .collect()
            })
            .collect();
        OnCollection {
            collection,
            rules,
            paths,
            slots,
            keeps,
        }
    }

    /// What the rules find in one element: (rule, case, object, diagnostic).
    fn element(
        &self,
        scratch: &mut Projection,
        index: usize,
        item: &dyn Element,
        file_id: &FileIds<'_>,
    ) -> Found {
        let projected = !self.paths.is_empty() && item.project(&self.paths, scratch);
        let current = Current {
            collection: self.collection,
            index,
            item,
            scratch,
            projected,
            json: OnceCell::new(),
            rules: &self.rules,
            keeps: &self.keeps,
            rule: Cell::new(0),
            kept: OnceCell::new(),
        };
        let mut found: Found = Vec::new();
        for (place, ((rule_index, rule), slots)) in self.rules.iter().zip(&self.slots).enumerate() {
            current.rule.set(place);
            let mut state: Option<Progress<'_>> = None;
            for (index, case) in rule.cases.iter().enumerate() {
                if case.collection() == Some(self.collection) {
                    let slots = slots.get(index).map(Vec::as_slice);
                    Self::case(&current, rule, index, case, slots, &mut state, file_id);
                }
            }
            // Only what was found leaves the element.
            for (case, all) in state.into_iter().flat_map(|s| s.found).enumerate() {
                for (identity, d) in all {
                    found.push((*rule_index, case, identity, d));
                }
            }
        }
        found
    }

    /// One case over the element; `state` is made when it first finds something.
    fn case<'r>(
        current: &Current<'_>,
        rule: &'r Rule,
        index: usize,
        case: &Case,
        slots: Option<&[usize]>,
        state: &mut Option<Progress<'r>>,
        file_id: &FileIds<'_>,
    ) {
        if let Some(plan) = &case.plan {
            let keeps = match slots {
                Some(slots) if current.projected => plan.keeps(&|p| {
                    (slots.get(p)).map_or(Val::Missing, |&slot| current.scratch.val(slot))
                }),
                _ => current.element().is_some_and(|value| {
                    plan.keeps(&|p| {
                        (plan.paths.get(p)).map_or(Val::Missing, |path| plan::json_val(value, path))
                    })
                }),
            };
            let Some(value) = keeps.then(|| current.found()).flatten() else {
                return;
            };
            let state = state.get_or_insert_with(|| Progress::bare(rule));
            if plan.rest.is_empty() {
                state.consider(index, value, || current.path(""), file_id);
            } else {
                plan.select(value, &mut |value, inner| {
                    state.consider(index, value, || current.path(inner), file_id);
                });
            }
        } else if let Some(l) = &case.local {
            let Some(one) = current.one() else {
                return;
            };
            if !one.get(0).is_some_and(|element| l.may_match(element)) {
                return;
            }
            let state = state.get_or_insert_with(|| Progress::bare(rule));
            l.query.run(one, &mut |value, found| {
                // `$[0]...` within the element: the same object as `$['senders'][N]...`.
                let inner = found.strip_prefix("$[0]").unwrap_or(found);
                state.consider(index, value, || current.path(inner), file_id);
            });
        }
    }
}

/// Whether `object` satisfies the rule's `where:`.
fn holds(filter: &RuleFilter, object: &Value) -> bool {
    if let Some((paths, pred)) = &filter.plan {
        return pred
            .holds(&|p| (paths.get(p)).map_or(Val::Missing, |path| plan::json_val(object, path)));
    }
    let Some(runnable) = filter.runnable() else {
        return false;
    };
    let one = Value::Array(vec![object.clone()]);
    let mut found = false;
    runnable.run(&one, &mut |_, _| found = true);
    found
}

/// The diagnostic of `value`, which a case keeps. What it reads of the value is listed in
/// [`kept::of_rule`] too (only those members of an element are made into JSON): read another
/// member here, and list it there.
fn report(
    rule: &Rule,
    case: &Case,
    value: &Value,
    object: &Map<String, Value>,
    file_id: &FileIds<'_>,
) -> Option<Diagnostic> {
    let spans = object.get("spans").and_then(Value::as_object);
    let locate = |keys: &[String]| spans.and_then(|spans| locate(spans, keys, file_id));
    let location = locate(&case.at)?;
    let severity = case.severity.unwrap_or(rule.severity);
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(Diagnostic {
        code: rule.code.clone(),
        name: rule.name.clone(),
        severity,
        message: case.message.render(value),
        help: case
            .help
            .as_ref()
            .and_then(|help| help.render_optional(value)),
        note: note(object, case, value),
        url: None,
        location,
        label: case
            .label
            .as_ref()
            .and_then(|label| label.render_optional(value)),
        stack: text("stack"),
        resource: text("resource"),
        related: case
            .related
            .iter()
            .filter_map(|related| {
                Some(Related {
                    location: locate(&related.at)?,
                    message: related.message.render(value),
                })
            })
            .chain(spans.and_then(|spans| via(spans, &case.at, file_id)))
            .collect(),
    })
}

/// Where the value at the diagnostic's span was written, when elsewhere (the span's `via`):
/// the framework shows it with every diagnostic there, whatever the rule.
fn via(spans: &Map<String, Value>, keys: &[String], file_id: &FileIds<'_>) -> Option<Related> {
    let span = keys.iter().find_map(|key| spans.get(key))?;
    let via = span.get("via")?;
    let file = file_id(via.get("file")?.as_str()?)?;
    let offset = |name| {
        via.get(name)?
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
    };
    let (start, end) = (offset("start")?, offset("end")?);
    let message = via.get("label")?.as_str()?.to_owned();
    (start <= end).then(|| Related {
        location: Location {
            file,
            span: Span::new(start, end),
        },
        message,
    })
}

/// The note of a diagnostic: the matched object's own `note` (its CDK path, the conditions it
/// assumes, why its region is unknown), which the framework adds to every diagnostic, then the
/// case's `note:`, when it says something else.
fn note(object: &Map<String, Value>, case: &Case, value: &Value) -> Option<String> {
    let own = object.get("note").and_then(Value::as_str);
    let case = case
        .note
        .as_ref()
        .and_then(|note| note.render_optional(value));
    match (own, case) {
        (Some(own), Some(case)) if own != case => Some(format!("{own}; {case}")),
        (Some(own), _) => Some(own.to_owned()),
        (None, case) => case,
    }
}

/// The first of `keys` with a well-formed span in a file of the run.
fn locate(spans: &Map<String, Value>, keys: &[String], file_id: &FileIds<'_>) -> Option<Location> {
    keys.iter().find_map(|key| {
        let span = spans.get(key)?;
        let file = file_id(span.get("file")?.as_str()?)?;
        let offset = |name| {
            span.get(name)?
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
        };
        let (start, end) = (offset("start")?, offset("end")?);
        (start <= end).then(|| Location {
            file,
            span: Span::new(start, end),
        })
    })
}

/// Every case of every rule over the whole document: what [`run`] must equal.
#[cfg(test)]
pub(super) fn evaluate_whole(
    catalog: &Catalog,
    facts: &Value,
    file_id: &FileIds<'_>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in catalog {
        let mut state = Progress::new(rule);
        state.over_whole(facts, file_id);
        out.extend(state.found.into_iter().flatten().map(|(_, d)| d));
    }
    out
}

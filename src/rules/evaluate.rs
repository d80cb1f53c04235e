//! The evaluate stage: every case's JSONPath query over the facts document, each matched object
//! turned into at most one diagnostic per rule.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::{Case, Catalog, Rule, RuleFilter};
use crate::diagnostic::{Diagnostic, Location, Related};
use crate::source::{FileId, Span};

/// Runs every rule of `catalog` over `facts`.
///
/// `file_id` maps the `file` of a fact's span to the run's file; a location in a file it does not
/// know is treated as absent. Diagnostics come out by rule, then case, then document order;
/// severity is the case's or the rule's default (configuration applies later).
pub fn evaluate(
    catalog: &Catalog,
    facts: &Value,
    file_id: &dyn Fn(&str) -> Option<FileId>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for rule in catalog {
        evaluate_rule(rule, facts, file_id, &mut diagnostics);
    }
    diagnostics
}

fn evaluate_rule(
    rule: &Rule,
    facts: &Value,
    file_id: &dyn Fn(&str) -> Option<FileId>,
    out: &mut Vec<Diagnostic>,
) {
    // An object claimed by an earlier case is not reported again by a later, less specific one,
    // even when the earlier case could not locate it: one object, one diagnostic.
    let mut claimed: HashSet<String> = HashSet::new();
    // `where:` is decided once per object, whichever case meets it first.
    let mut passes: HashMap<String, bool> = HashMap::new();
    let url = rule.url();
    for case in &rule.cases {
        // A query over a plain `Value` cannot fail at run time once it has parsed; should the
        // engine still refuse, the case reports nothing rather than stop the run.
        let Ok(matches) = jsonpath_rust::query::js_path_process(&case.compiled, facts) else {
            continue;
        };
        for found in matches {
            let identity = match found.val.get("id").and_then(Value::as_str) {
                Some(id) => format!("id:{id}"),
                None => format!("path:{}", found.path),
            };
            if let Some(filter) = &rule.filter {
                let pass = *passes
                    .entry(identity.clone())
                    .or_insert_with(|| holds(filter, found.val));
                if !pass {
                    continue;
                }
            }
            if !claimed.insert(identity) {
                continue;
            }
            let Some(object) = found.val.as_object() else {
                continue;
            };
            if let Some(mut diagnostic) = report(rule, case, found.val, object, file_id) {
                diagnostic.url.clone_from(&url);
                out.push(diagnostic);
            }
        }
    }
}

/// Whether `object` satisfies the rule's `where:`.
fn holds(filter: &RuleFilter, object: &Value) -> bool {
    let one = Value::Array(vec![object.clone()]);
    jsonpath_rust::query::js_path_process(&filter.compiled, &one)
        .is_ok_and(|matches| !matches.is_empty())
}

fn report(
    rule: &Rule,
    case: &Case,
    value: &Value,
    object: &Map<String, Value>,
    file_id: &dyn Fn(&str) -> Option<FileId>,
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
            .collect(),
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
fn locate(
    spans: &Map<String, Value>,
    keys: &[String],
    file_id: &dyn Fn(&str) -> Option<FileId>,
) -> Option<Location> {
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

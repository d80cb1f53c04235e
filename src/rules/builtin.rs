//! The built-in rules, as the build script compiled them from `rules/*.yaml` (`build.rs`): read,
//! checked, their queries turned into plans and their templates parsed at build time, so a
//! process makes its catalog from plain values, without a YAML or JSONPath parser.
//!
//! What the build script cannot check (the facts schema, `match()` patterns, the escaping of the
//! documentation) the tests do, by loading every file as a user's rule is loaded and comparing
//! ([`tests::builtin_rules_are_their_files`](super::tests)).

// What the generated code may name, whether or not today's rules do.
#[allow(unused_imports)]
use super::plan::{Lit, Op, Operand, Plan, Pred, Step};
use super::template::Part;
use super::{Case, Engine, RelatedSpec, Rule, RuleFilter, RuleSource, Template};
use crate::diagnostic::Severity;

// `rules()`, and for the tests `FILES` (file name, text).
include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// A case whose query has no plan: parsed now, to run in the engine over each element when it
/// reads nothing else (the build checked that it parses). Every built-in query has a plan today.
#[allow(dead_code)]
fn engine_local(query: &str) -> Option<super::evaluate::Local> {
    let parsed = jsonpath_rust::parser::parse_json_path(query).ok()?;
    super::evaluate::Local::of(&parsed)
}

fn template(source: &str, parts: Vec<Part>) -> Template {
    Template::from_parts(source.to_owned(), parts)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}

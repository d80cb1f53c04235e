//! `Fn::ForEach` of `Transform: AWS::LanguageExtensions`, expanded before the template is
//! resolved, as CloudFormation's transform does: each `Fn::ForEach::Name: [Identifier,
//! Collection, {OutputKey: OutputValue}]` in `Resources`, `Outputs` and `Conditions` (and inside
//! a resource's properties) becomes one copy of its fragment per item of the collection, with
//! `${Identifier}` (and `&{Identifier}`, the item without its non-alphanumeric characters)
//! replaced in keys and values and `Ref: Identifier` replaced by the item; loops nest
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html>).
//!
//! Every copy keeps the spans of the loop body it came from, so a diagnostic points at the
//! value inside the body, and its note names the iteration (`Fn::ForEach::Pools` with `Env` =
//! `prod`). The collection is a literal list or anything the resolver can evaluate to a known
//! list (a `CommaDelimitedList` parameter with a value, a `Fn::FindInMap`...). What cannot be
//! expanded is said, never skipped silently, when the loop holds something sandtrap reads (a
//! pool, an SES identity or configuration set, a function or IAM resource a trigger may use, an
//! exported output, a condition): an unknown collection is `ST002` naming the loop and how many
//! resources were not analyzed; a loop without the transform is what CloudFormation rejects at
//! deploy (`ST001`), and is expanded anyway so its pools are judged as they will be once the
//! transform is declared. Other loops (buckets, tables) are expanded or not without a word:
//! sandtrap reads nothing of them.
//!
//! The other language extensions that change values rules read (`Fn::Length`,
//! `Fn::ToJsonString`, `Fn::FindInMap` with `DefaultValue`) are evaluated by the resolver.

use std::collections::HashMap;

use super::resolve::{Resolved, Resolver, StackEnv, UnknownReason};
use crate::load::{LoadProblem, ProblemKind};
use crate::source::Span;
use crate::tree::{Document, Entry, LOOP_KEY_PREFIX as FOR_EACH, Map, Node, Value};

/// The transform that defines `Fn::ForEach`.
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

/// Most entries the loops of one template may make (CloudFormation allows 500 resources).
pub const MAX_EXPANDED: usize = 4096;

/// Deepest nesting of loops and values followed.
const MAX_DEPTH: usize = 64;

/// The sections whose entries a loop may make.
const SECTIONS: [&str; 3] = ["Resources", "Outputs", "Conditions"];

/// Resource types sandtrap reads besides the senders, identities and configuration sets of the
/// property table: a trigger's function and the IAM that lets it send.
const TRIGGER_TYPES: [&str; 5] = [
    "AWS::Lambda::Function",
    "AWS::Serverless::Function",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
];

/// A template with its loops expanded.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The expanded template; `None` when it has no loop (the original stands).
    pub document: Option<Document>,
    /// For each resource a loop made, the iteration that made it (`Fn::ForEach::Pools` with
    /// `Env` = `prod`), for the notes of its diagnostics.
    pub notes: HashMap<String, String>,
    /// What could not be expanded, located.
    pub problems: Vec<LoadProblem>,
}

/// Expands the loops of `document` for the stack `env`.
pub fn expand(document: &Document, env: &StackEnv) -> Expanded {
    if document.loop_free || !has_loop(&document.root, 0) {
        return Expanded::default();
    }
    let transform = declares_transform(&document.root);
    let resolver = Resolver::new(document, env);
    let mut expander = Expander {
        resolver: &resolver,
        transform,
        made: 0,
        notes: HashMap::new(),
        problems: Vec::new(),
    };
    let mut root = document.root.clone();
    if let Value::Map(map) = &mut root.value {
        for entry in &mut map.entries {
            if !SECTIONS.contains(&entry.key.as_str()) {
                continue;
            }
            if let Value::Map(section) = &entry.value.value {
                let section_name = entry.key.clone();
                let entries =
                    expander.expand_map(section, &section_name, None, &[], &mut Vec::new(), 0);
                entry.value.value = Value::Map(Map { entries });
            }
        }
    }
    Expanded {
        document: Some(Document {
            root,
            comments: document.comments.clone(),
            loop_free: false,
        }),
        notes: expander.notes,
        problems: expander.problems,
    }
}

/// Whether `Transform` (a name or a list of them) declares the language extensions.
pub fn declares_transform(root: &Node) -> bool {
    match root.get("Transform") {
        Some(node) => match node.as_seq() {
            Some(items) => items
                .iter()
                .any(|i| i.as_str() == Some(LANGUAGE_EXTENSIONS)),
            None => node.as_str() == Some(LANGUAGE_EXTENSIONS),
        },
        None => false,
    }
}

/// Whether a section of the template has a loop key anywhere.
fn has_loop(root: &Node, depth: usize) -> bool {
    fn any(node: &Node, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &node.value {
            Value::Map(map) => map
                .entries
                .iter()
                .any(|e| e.key.starts_with(FOR_EACH) || any(&e.value, depth + 1)),
            Value::Seq(items) => items.iter().any(|i| any(i, depth + 1)),
            _ => false,
        }
    }
    SECTIONS
        .iter()
        .filter_map(|s| root.get(s))
        .any(|section| any(section, depth))
}

/// One identifier bound to one item: (loop name, identifier, item).
type Binding = (String, String, String);

struct Expander<'r> {
    resolver: &'r Resolver<'r>,
    transform: bool,
    /// Entries made so far, against [`MAX_EXPANDED`].
    made: usize,
    notes: HashMap<String, String>,
    problems: Vec<LoadProblem>,
}

/// A loop's three arguments.
struct Loop<'n> {
    name: String,
    key_span: Span,
    identifier: &'n str,
    collection: &'n Node,
    fragment: &'n Map,
}

impl Loop<'_> {
    /// The loop's body for one item of its collection: the identifier substituted in keys and
    /// values.
    fn instance(&self, item: &str) -> Map {
        let entries = self.fragment.entries.iter().map(|e| Entry {
            key: substitute_text(&e.key, self.identifier, item),
            key_span: e.key_span,
            value: substitute(&e.value, self.identifier, item, 0),
        });
        Map {
            entries: entries.collect(),
        }
    }
}

impl Expander<'_> {
    /// The entries of a mapping with its loops expanded, under `bindings` (the items of the
    /// loops around it, already substituted in `map`).
    fn expand_map(
        &mut self,
        map: &Map,
        section: &str,
        // Whether what the loops make is read, when the section does not say (a resource's
        // properties are read when the resource is).
        read: Option<bool>,
        bindings: &[Binding],
        out_notes: &mut Vec<(String, Vec<Binding>)>,
        depth: usize,
    ) -> Vec<Entry> {
        let mut out = Vec::with_capacity(map.entries.len());
        for entry in &map.entries {
            if depth > MAX_DEPTH {
                out.push(entry.clone());
                continue;
            }
            let Some(name) = entry.key.strip_prefix(FOR_EACH) else {
                let read = read.unwrap_or_else(|| is_read(section, &entry.value));
                let value = self.expand_value(&entry.value, read, depth + 1);
                if !bindings.is_empty() {
                    self.made += 1;
                    if depth == 0 && section == "Resources" {
                        out_notes.push((entry.key.clone(), bindings.to_vec()));
                    }
                }
                out.push(Entry {
                    key: entry.key.clone(),
                    key_span: entry.key_span,
                    value,
                });
                continue;
            };
            let Some(found) = parse_loop(name, entry) else {
                self.problem(
                    ProblemKind::Rejected,
                    entry.key_span,
                    format!(
                        "`{}` is not `[Identifier, Collection, {{OutputKey: OutputValue}}]`: CloudFormation rejects the template",
                        entry.key
                    ),
                );
                continue;
            };
            let relevant = read.unwrap_or_else(|| relevant(section, found.fragment, 0));
            if !self.transform && relevant {
                self.problem(
                    ProblemKind::Rejected,
                    found.key_span,
                    format!(
                        "`{}` needs `Transform: {LANGUAGE_EXTENSIONS}`: without it CloudFormation rejects the template at deploy (a logical id cannot contain `::`); it is analyzed as if the transform were declared",
                        entry.key
                    ),
                );
            }
            let items = match self.collection(&found) {
                Ok(items) => items,
                Err((span, why)) => {
                    if relevant {
                        self.unknown_collection(&found, section, span, why);
                    }
                    continue;
                }
            };
            for item in items {
                if self.made >= MAX_EXPANDED {
                    self.problem(
                        ProblemKind::NotAnalyzed,
                        found.key_span,
                        format!(
                            "`{}` makes more than {MAX_EXPANDED} entries: the rest were not analyzed",
                            entry.key
                        ),
                    );
                    return out;
                }
                let mut inner = bindings.to_vec();
                inner.push((
                    found.name.clone(),
                    found.identifier.to_owned(),
                    item.clone(),
                ));
                let made = self.expand_map(
                    &found.instance(&item),
                    section,
                    read,
                    &inner,
                    out_notes,
                    depth,
                );
                out.extend(made);
            }
        }
        if depth == 0 && section == "Resources" {
            for (key, bindings) in out_notes.drain(..) {
                self.notes.insert(key, note(&bindings));
            }
        }
        out
    }

    /// Says that a loop whose body sandtrap reads iterates over what it cannot know.
    fn unknown_collection(
        &mut self,
        found: &Loop<'_>,
        section: &str,
        span: Span,
        (what, supply): (String, String),
    ) {
        let count = found.fragment.len();
        let keys: Vec<String> = found
            .fragment
            .entries
            .iter()
            .take(3)
            .map(|e| format!("`{}`", e.key))
            .collect();
        let noun = match (section, count) {
            ("Resources", 1) => "resource",
            ("Resources", _) => "resources",
            ("Outputs", 1) => "output",
            ("Outputs", _) => "outputs",
            (_, 1) => "condition",
            _ => "conditions",
        };
        self.problem(
            ProblemKind::NotAnalyzed,
            span,
            format!(
                "`{}` iterates over {what}: the {count} {noun} of its body ({}{}) {} not analyzed; {supply}",
                found.name,
                keys.join(", "),
                if count > 3 { ", ..." } else { "" },
                if count == 1 { "was" } else { "were" },
            ),
        );
    }

    /// A value with the loops inside it expanded (a resource's properties); `read`: whether
    /// sandtrap reads the resource.
    fn expand_value(&mut self, node: &Node, read: bool, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return node.clone();
        }
        match &node.value {
            Value::Map(map) => {
                let entries: Vec<Entry> = if map.entries.iter().any(|e| e.key.starts_with(FOR_EACH))
                {
                    self.expand_map(
                        map,
                        "Properties",
                        Some(read),
                        &[],
                        &mut Vec::new(),
                        depth + 1,
                    )
                } else {
                    map.entries
                        .iter()
                        .map(|e| Entry {
                            key: e.key.clone(),
                            key_span: e.key_span,
                            value: self.expand_value(&e.value, read, depth + 1),
                        })
                        .collect()
                };
                Node::new(node.span, Value::Map(Map { entries }))
            }
            Value::Seq(items) => Node::new(
                node.span,
                Value::Seq(
                    items
                        .iter()
                        .map(|i| self.expand_value(i, read, depth + 1))
                        .collect(),
                ),
            ),
            _ => node.clone(),
        }
    }

    /// The items of a loop's collection, or where and why they are unknown (what it is, what
    /// to supply).
    fn collection(&self, found: &Loop<'_>) -> Result<Vec<String>, (Span, (String, String))> {
        let span = found.collection.span;
        let fix = "write the collection as a list";
        let variants = self.resolver.resolve(found.collection);
        let [variant] = variants.as_slice() else {
            return Err((
                span,
                (
                    "a collection that depends on a condition".to_owned(),
                    fix.to_owned(),
                ),
            ));
        };
        match &variant.value {
            Some(Resolved::List(items)) => items
                .iter()
                .map(|item| match item {
                    Resolved::Str(t) => t.known().ok_or_else(|| (span, unknown_item(t))),
                    Resolved::Number(n) => Ok(n.clone()),
                    _ => Err((
                        span,
                        ("a list that is not of strings".to_owned(), fix.to_owned()),
                    )),
                })
                .collect(),
            Some(Resolved::Unknown(u)) => Err((u.span, why(&u.reason))),
            Some(Resolved::Str(t)) if t.known().is_none() => Err((span, unknown_item(t))),
            _ => Err((
                span,
                ("something that is not a list".to_owned(), fix.to_owned()),
            )),
        }
    }

    fn problem(&mut self, kind: ProblemKind, span: Span, message: String) {
        if !self
            .problems
            .iter()
            .any(|p| p.span == span && p.message == message)
        {
            self.problems.push(LoadProblem {
                kind,
                span,
                message,
                related: None,
            });
        }
    }
}

/// Why a collection with an unknown item is unknown.
fn unknown_item(text: &crate::value::Text) -> (String, String) {
    match text.holes().next() {
        Some(u) => why(&u.reason),
        None => (
            "a value that is not known".to_owned(),
            "write the collection as a list".to_owned(),
        ),
    }
}

/// What an unknown collection is, and what to supply.
fn why(reason: &UnknownReason) -> (String, String) {
    match reason {
        UnknownReason::Parameter { name } => (
            format!("parameter `{name}`, which has no value"),
            format!("pass `--param {name}=A,B` (or `--param-file`), or give it a `Default`"),
        ),
        other => (
            format!("`{other}`, which is known only at deploy"),
            "write the collection as a list, or as a parameter with a value".to_owned(),
        ),
    }
}

/// `[Identifier, Collection, {OutputKey: OutputValue}]`.
fn parse_loop<'n>(name: &str, entry: &'n Entry) -> Option<Loop<'n>> {
    let [identifier, collection, fragment] = entry.value.as_seq()? else {
        return None;
    };
    Some(Loop {
        name: entry.key.clone(),
        key_span: entry.key_span,
        identifier: identifier.as_str().filter(|_| !name.is_empty())?,
        collection,
        fragment: fragment.as_map()?,
    })
}

/// Whether a loop's fragment holds something sandtrap reads.
fn relevant(section: &str, fragment: &Map, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    fragment.entries.iter().any(|entry| {
        if entry.key.starts_with(FOR_EACH) {
            return entry
                .value
                .as_seq()
                .and_then(|args| args.get(2))
                .and_then(Node::as_map)
                .is_some_and(|inner| relevant(section, inner, depth + 1));
        }
        is_read(section, &entry.value)
    })
}

/// Whether sandtrap reads an entry of a section: a resource of a type it reads, an exported
/// output (an import may name it), any condition (a pool's may).
fn is_read(section: &str, value: &Node) -> bool {
    match section {
        "Resources" => value.get("Type").and_then(Node::as_str).is_some_and(|t| {
            crate::extract::resource_type(crate::extract::Language::CloudFormation, t).is_some()
                || TRIGGER_TYPES.contains(&t)
        }),
        "Outputs" => value.get("Export").is_some(),
        _ => true,
    }
}

/// A value with `${id}`, `&{id}` and `Ref: id` replaced by `item`, keeping every span.
fn substitute(node: &Node, id: &str, item: &str, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return node.clone();
    }
    match &node.value {
        Value::String(s) => Node::new(node.span, Value::String(substitute_text(s, id, item))),
        Value::Map(map) => {
            if let Some(("Ref", _, target)) = node.as_intrinsic()
                && target.as_str() == Some(id)
            {
                return Node::new(node.span, Value::String(item.to_owned()));
            }
            Node::new(
                node.span,
                Value::Map(Map {
                    entries: map
                        .entries
                        .iter()
                        .map(|e| Entry {
                            key: substitute_text(&e.key, id, item),
                            key_span: e.key_span,
                            value: substitute(&e.value, id, item, depth + 1),
                        })
                        .collect(),
                }),
            )
        }
        Value::Seq(items) => Node::new(
            node.span,
            Value::Seq(
                items
                    .iter()
                    .map(|i| substitute(i, id, item, depth + 1))
                    .collect(),
            ),
        ),
        Value::Tagged(tag, inner) => Node::new(
            node.span,
            Value::Tagged(
                tag.clone(),
                Box::new(substitute(inner, id, item, depth + 1)),
            ),
        ),
        _ => node.clone(),
    }
}

/// `${id}` as the item, `&{id}` as the item's letters and digits only.
fn substitute_text(text: &str, id: &str, item: &str) -> String {
    if !text.contains('{') {
        return text.to_owned();
    }
    let alphanumeric: String = item.chars().filter(char::is_ascii_alphanumeric).collect();
    text.replace(&format!("${{{id}}}"), item)
        .replace(&format!("&{{{id}}}"), &alphanumeric)
}

/// `` `Fn::ForEach::Pools` with `Env` = `prod` ``, outermost first.
fn note(bindings: &[Binding]) -> String {
    let parts: Vec<String> = bindings
        .iter()
        .map(|(name, id, item)| format!("`{name}` with `{id}` = `{item}`"))
        .collect();
    format!("made by {}", parts.join(", "))
}

#[cfg(test)]
mod tests;

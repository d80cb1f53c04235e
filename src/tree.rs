//! The loaded template: one tree type for YAML and JSON in which every node and every mapping key
//! carries a byte span.
//!
//! Short-form YAML tags are already in long form here (`!Ref X` is a one-entry mapping
//! `{Ref: X}` whose key span is the tag's span), so later stages never see the difference between
//! YAML and JSON.

use crate::source::Span;

/// A value with the byte range it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number in canonical decimal text (YAML 1.1 `0755` is stored as `"493"`; JSON numbers
    /// keep their source text). CloudFormation passes numbers to resources as strings.
    Number(String),
    String(String),
    Seq(Vec<Node>),
    Map(Map),
    /// A YAML tag CloudFormation does not define (e.g. `!Rain::Embed`), kept with the tag text
    /// (without the leading `!`).
    Tagged(String, Box<Node>),
    /// A value the front end that built the tree knows it cannot know statically, with why (a
    /// Serverless Framework `${ssm:...}` variable). No loader makes one.
    Unknown(crate::value::UnknownReason),
}

/// A mapping in source order. Of duplicate keys the loaders keep only the last, as CloudFormation
/// deploys it (and report the duplicate, see [`keep_last`]); lookups also return the last entry,
/// for trees built otherwise.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// A comment and its span (the span covers the `#`); `text` is what follows the `#`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

/// A whole loaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub root: Node,
    /// The comments, in source order: every one, except that a check's load
    /// ([`crate::load::Comments::Suppressions`]) leaves them out of a file that names no
    /// `sandtrap` (none of them can be a suppression).
    pub comments: Vec<Comment>,
    /// The loader saw every mapping key, and none begins with [`LOOP_KEY_PREFIX`]: the
    /// document has no `Fn::ForEach` loop, and no one need look for one. `false` says nothing
    /// (a document made otherwise is searched).
    pub loop_free: bool,
}

/// How the key of an `Fn::ForEach` loop begins.
pub const LOOP_KEY_PREFIX: &str = "Fn::ForEach::";

impl Node {
    pub fn new(span: Span, value: Value) -> Self {
        Self { span, value }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// Follows a path of mapping keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A scalar rendered as CloudFormation would pass it to a resource property.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// When the node is a one-entry mapping whose key is an intrinsic function (`Ref`,
    /// `Condition` or `Fn::*`), returns the function name, the key span and the argument.
    pub fn as_intrinsic(&self) -> Option<(&str, Span, &Node)> {
        let map = self.as_map()?;
        let [entry] = map.entries.as_slice() else {
            return None;
        };
        let key = entry.key.as_str();
        (key == "Ref" || key == "Condition" || key.starts_with("Fn::")).then_some((
            key,
            entry.key_span,
            &entry.value,
        ))
    }
}

/// `entries` without those a later entry of the same key overrides, in source order: what
/// CloudFormation deploys from a mapping with duplicate keys.
pub fn keep_last(entries: Vec<Entry>) -> Vec<Entry> {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<Entry> = entries
        .into_iter()
        .rev()
        .filter(|e| seen.insert(e.key.clone()))
        .collect();
    kept.reverse();
    kept
}

impl Map {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|e| (e.key.as_str(), &e.value))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

//! The tree builder: parser events in, [`Node`]s out, with an explicit stack (no recursion on
//! input), duplicate-key detection and bounded alias expansion.

use std::collections::HashMap;

use super::tags::{self, TagInfo, TagKind};
use super::{ALIAS_NODE_BUDGET, MAX_DEPTH};
use crate::load::{FirstKeys, LoadProblem, ProblemKind};
use crate::source::Span;
use crate::tree::{Entry, Map, Node, Value};

const ALIAS_MESSAGE: &str = "CloudFormation does not support YAML aliases/anchors";

/// Everything known about a node when its first event arrives.
pub(super) struct Start {
    /// Where the node's span begins: its tag when it has one.
    pub start: usize,
    pub tag: Option<TagInfo>,
    pub anchor: usize,
}

/// What an open collection is: a sequence, or a mapping with what it has seen of its keys.
enum Children {
    Seq,
    Map(MapKeys),
}

struct Frame {
    start: Start,
    /// Where the collection itself begins (its `[`, `{`, first `-` or first key).
    value_start: usize,
    /// The end of the last child seen, which ends a block collection.
    last_end: usize,
    flow: bool,
    /// Where this collection's children begin on the builder's shared stack of items (a
    /// sequence) or entries (a mapping): a collection's children are gathered there and moved
    /// into one allocation of their exact size when it closes.
    first: usize,
    children: Children,
}

#[derive(Default)]
struct MapKeys {
    pending_key: Option<(String, Span)>,
    keys: FirstKeys,
}

struct Anchored {
    node: Node,
    nodes: usize,
    height: usize,
}

pub(super) struct Builder<'a> {
    text: &'a str,
    stack: Vec<Frame>,
    /// The children of the open sequences, innermost last (see [`Frame::first`]).
    items: Vec<Node>,
    /// The entries of the open mappings, innermost last.
    entries: Vec<Entry>,
    pub root: Option<Node>,
    pub problems: Vec<LoadProblem>,
    anchors: HashMap<usize, Anchored>,
    /// Nodes that may still be copied for anchors and aliases.
    alias_budget: usize,
    /// A mapping key began with [`crate::tree::LOOP_KEY_PREFIX`].
    pub loop_key: bool,
}

impl<'a> Builder<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            root: None,
            problems: Vec::new(),
            anchors: HashMap::new(),
            alias_budget: ALIAS_NODE_BUDGET,
            loop_key: false,
        }
    }

    fn problem(&mut self, kind: ProblemKind, span: Span, message: impl Into<String>) {
        self.problems.push(LoadProblem {
            kind,
            span,
            message: message.into(),
            related: None,
        });
    }

    /// Whether the next node completes a mapping key.
    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame { children: Children::Map(m), .. }) if m.pending_key.is_none()
        )
    }

    pub fn scalar(
        &mut self,
        text: &str,
        style: granit_parser::ScalarStyle,
        value_span: Span,
        start: Start,
    ) {
        if self.expecting_key() {
            let key_span = Span::new(
                start.start.min(value_span.start as usize),
                value_span.end as usize,
            );
            if style == granit_parser::ScalarStyle::Plain && text == "<<" && start.tag.is_none() {
                self.problem(
                    ProblemKind::Alias,
                    key_span,
                    format!("{ALIAS_MESSAGE} (merge key `<<`)"),
                );
            }
            if start.anchor != 0 {
                let node = Node::new(key_span, Value::String(text.to_owned()));
                self.remember(start.anchor, &node);
            }
            self.key(text.to_owned(), key_span);
            return;
        }
        let kind = start.tag.as_ref().map(|t| &t.kind);
        let value = match kind {
            Some(TagKind::Function("Fn::GetAtt")) => {
                tags::split_get_att(text, value_span, self.text)
            }
            _ => tags::scalar_value(text, style, kind),
        };
        let node = Node::new(value_span, value);
        self.finish(start, node);
    }

    pub fn alias(&mut self, id: Option<usize>, span: Span) {
        if self.expecting_key() {
            self.problem(ProblemKind::Alias, span, ALIAS_MESSAGE);
            let key = self.text.get(span.range()).unwrap_or("").to_owned();
            self.key(key, span);
            return;
        }
        let depth = self.stack.len();
        let budget = self.alias_budget;
        let copy = id
            .and_then(|id| self.anchors.get(&id))
            .filter(|a| a.nodes <= budget && depth + a.height <= MAX_DEPTH)
            .map(|a| (a.node.clone(), a.nodes));
        let node = match copy {
            Some((mut node, nodes)) => {
                self.alias_budget -= nodes;
                self.problem(ProblemKind::Alias, span, ALIAS_MESSAGE);
                node.span = span;
                node
            }
            None => {
                let why = match id {
                    None => "this alias has no anchor",
                    Some(_) => {
                        "this alias expands past the size or depth limit and is read as null"
                    }
                };
                self.problem(ProblemKind::Alias, span, format!("{ALIAS_MESSAGE}; {why}"));
                Node::new(span, Value::Null)
            }
        };
        self.attach(node);
    }

    /// Opens a collection; `false` when it would nest too deep (a `TooDeep` problem is recorded).
    pub fn open(&mut self, seq: bool, flow: bool, value_span: Span, start: Start) -> bool {
        if self.stack.len() >= MAX_DEPTH {
            let span = Span::new(
                start.start.min(value_span.start as usize),
                value_span.end as usize,
            );
            self.problem(
                ProblemKind::TooDeep,
                span,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            );
            return false;
        }
        let value_start = value_span.start as usize;
        let (first, children) = if seq {
            (self.items.len(), Children::Seq)
        } else {
            (self.entries.len(), Children::Map(MapKeys::default()))
        };
        self.stack.push(Frame {
            start,
            value_start,
            last_end: value_span.end as usize,
            flow,
            first,
            children,
        });
        true
    }

    pub fn close(&mut self, end_span: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let end = if frame.flow {
            end_span.end as usize
        } else {
            frame.last_end
        };
        let span = Span::new(frame.value_start, end.max(frame.value_start));
        let first = frame.first;
        let value = match frame.children {
            Children::Seq => Value::Seq(self.items.drain(first.min(self.items.len())..).collect()),
            Children::Map(mut map) => {
                if let Some((key, key_span)) = map.pending_key.take() {
                    // A key without a value event cannot come from the parser, but keep it.
                    let value = Node::new(Span::empty(key_span.end as usize), Value::Null);
                    self.entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
                let entries = self
                    .entries
                    .drain(first.min(self.entries.len())..)
                    .collect();
                Value::Map(Map {
                    entries: map.keys.kept(entries),
                })
            }
        };
        self.finish(frame.start, Node::new(span, value));
    }

    /// Applies the tag, records the anchor, and hands the node to its parent.
    fn finish(&mut self, start: Start, node: Node) {
        let Start { start, tag, anchor } = start;
        let node = match tag {
            Some(tag) => tags::apply(tag, start.min(node.span.start as usize), node),
            None => node,
        };
        if anchor != 0 {
            self.remember(anchor, &node);
        }
        if self.expecting_key() {
            // A sequence or mapping used as a key: CloudFormation keys are strings.
            self.problem(
                ProblemKind::Syntax,
                node.span,
                "a mapping key must be a string, not a collection",
            );
            let key = self.text.get(node.span.range()).unwrap_or("").to_owned();
            self.key(key, node.span);
            return;
        }
        self.attach(node);
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        let Some((nodes, height)) = measure(node, self.alias_budget) else {
            // Too large to copy: aliases of it become null.
            return;
        };
        self.alias_budget -= nodes;
        self.anchors.insert(
            anchor,
            Anchored {
                node: node.clone(),
                nodes,
                height,
            },
        );
    }

    fn key(&mut self, key: String, key_span: Span) {
        if let Some(Frame {
            children: Children::Map(map),
            last_end,
            ..
        }) = self.stack.last_mut()
        {
            *last_end = (*last_end).max(key_span.end as usize);
            self.loop_key |= key.starts_with(crate::tree::LOOP_KEY_PREFIX);
            map.pending_key = Some((key, key_span));
        }
    }

    fn attach(&mut self, node: Node) {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        frame.last_end = frame.last_end.max(node.span.end as usize);
        match &mut frame.children {
            Children::Seq => self.items.push(node),
            Children::Map(map) => {
                let Some((key, key_span)) = map.pending_key.take() else {
                    return;
                };
                let own = self.entries.get(frame.first..).unwrap_or_default();
                if let Some(earlier) = map.keys.earlier(own, &key) {
                    (self.problems).push(crate::load::duplicate_key(&key, key_span, earlier));
                }
                self.entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                });
            }
        }
    }
}

/// The node count and height of `node`, or `None` as soon as the count passes `limit`.
fn measure(node: &Node, limit: usize) -> Option<(usize, usize)> {
    let mut count = 0usize;
    let mut height = 0usize;
    let mut pending = vec![(node, 1usize)];
    while let Some((n, depth)) = pending.pop() {
        count += 1;
        if count > limit {
            return None;
        }
        height = height.max(depth);
        match &n.value {
            Value::Seq(items) => pending.extend(items.iter().map(|i| (i, depth + 1))),
            Value::Map(map) => pending.extend(map.entries.iter().map(|e| (&e.value, depth + 1))),
            Value::Tagged(_, inner) => pending.push((inner, depth + 1)),
            _ => {}
        }
    }
    Some((count, height))
}

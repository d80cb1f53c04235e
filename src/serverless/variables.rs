//! The Serverless Framework's variables, resolved the way the framework does before it compiles
//! a service into CloudFormation: `${source:address, fallback, ...}` in any value, nested and
//! with fallbacks (<https://www.serverless.com/framework/docs/guides/variables>).
//!
//! A variable starts with `${` and a lowercase source name followed by `:` or `(`; anything
//! else (`${AWS::Region}`, `${MyBucket.Arn}`) is CloudFormation's and stays as written. Sources:
//!
//! - `self:path` (the service file itself, `custom:` included), `file(path):path` (a YAML or
//!   JSON file inside the service's directory, read with the bounded reader);
//! - `opt:name` (a `serverless` command-line option: `--region` for `opt:region`, `--param
//!   name=VALUE` for the others), `param:name` (`--param`, then the service's `params:` for the
//!   stage, then `params.default`), `sls:stage`;
//! - `aws:region` and `aws:accountId` become the stack's `AWS::Region` and `AWS::AccountId`, so
//!   they are what the stack's environment says (the account is unknown unless `--account`);
//! - `env:`, `ssm:`, `cf:`, `s3:`, `file()` of a script or outside the project, and plugins'
//!   sources are read when the framework runs: unknown, with the variable and what to do.
//!
//! A source that finds nothing passes to the next one (the fallback); an unknown source makes
//! the whole variable unknown, since sandtrap cannot tell whether it would have found
//! something. Every value made keeps the span of the string that held the variable.

use super::syntax::{Piece, literal, parse, split_source, split_top};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::Path;

use crate::source::Span;
use crate::tree::{Entry, Map, Node, Value};
use crate::value::UnknownReason;

/// Deepest chain of variables followed (a variable naming a value that holds another...).
pub const MAX_DEPTH: usize = 32;

/// Most nodes the resolution of one service may make: a value copied into many places that
/// each copy it again cannot grow without bound.
pub const MAX_NODES: usize = 500_000;

/// What the run says of the variables that depend on the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--region`: `${opt:region}`.
    pub region: Option<String>,
    /// `--param NAME=VALUE`: `${opt:NAME}` and `${param:NAME}` (`stage` for the stage).
    pub params: BTreeMap<String, String>,
}

/// What a source found.
enum Found {
    Node(Node),
    /// Nothing there: the next source (the fallback) is tried.
    Nothing,
    Unknown(UnknownReason),
}

/// Resolves the variables of one service file.
pub struct Resolver<'a> {
    root: &'a Node,
    dir: &'a Path,
    options: &'a Options,
    /// Reads a file the service includes, when it lies inside `dir`.
    read: &'a dyn Fn(&Path) -> Option<String>,
    /// The stage, once known (`None` while the stage itself is being resolved).
    stage: Option<String>,
    resolving: RefCell<Vec<String>>,
    budget: Cell<usize>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        root: &'a Node,
        dir: &'a Path,
        options: &'a Options,
        read: &'a dyn Fn(&Path) -> Option<String>,
    ) -> Self {
        let mut resolver = Self {
            root,
            dir,
            options,
            read,
            stage: None,
            resolving: RefCell::new(Vec::new()),
            budget: Cell::new(MAX_NODES),
        };
        resolver.stage = Some(resolver.compute_stage());
        resolver
    }

    /// `--param stage=...` (the framework's `--stage`), else `provider.stage`, else `dev`.
    fn compute_stage(&self) -> String {
        if let Some(stage) = self.options.params.get("stage") {
            return stage.clone();
        }
        self.root
            .get_path(&["provider", "stage"])
            .map(|node| self.resolve(node))
            .and_then(|node| node.scalar_text())
            .unwrap_or_else(|| "dev".to_owned())
    }

    /// The stage the service deploys.
    pub fn stage(&self) -> &str {
        self.stage.as_deref().unwrap_or("dev")
    }

    /// `node` with every variable in it resolved.
    pub fn resolve(&self, node: &Node) -> Node {
        self.node(node, 0)
    }

    fn spend(&self, n: usize) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(n));
        left >= n
    }

    fn node(&self, node: &Node, depth: usize) -> Node {
        if depth > MAX_DEPTH * 8 || !self.spend(1) {
            return unknown_node(
                node.span,
                "a value",
                "nested or repeated too much to follow",
            );
        }
        match &node.value {
            Value::String(text) => self.string(text, node.span, depth),
            Value::Map(map) => {
                // A `Fn::Sub` string keeps CloudFormation's own `${...}`: a variable that is not
                // known becomes one of its variables instead of breaking the string.
                if let Some(("Fn::Sub", key_span, argument)) = node.as_intrinsic() {
                    return self.sub(node.span, key_span, argument, depth);
                }
                Node::new(
                    node.span,
                    Value::Map(Map {
                        entries: map
                            .entries
                            .iter()
                            .map(|e| Entry {
                                key: e.key.clone(),
                                key_span: e.key_span,
                                value: self.node(&e.value, depth + 1),
                            })
                            .collect(),
                    }),
                )
            }
            Value::Seq(items) => Node::new(
                node.span,
                Value::Seq(items.iter().map(|i| self.node(i, depth + 1)).collect()),
            ),
            _ => node.clone(),
        }
    }

    /// A string: itself without variables; the value of a variable that is the whole string;
    /// else the pieces joined (`Fn::Join`), unknown ones as holes.
    fn string(&self, text: &str, span: Span, depth: usize) -> Node {
        let pieces = parse(text);
        if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
            return Node::new(span, Value::String(text.to_owned()));
        }
        if let [Piece::Variable(inner)] = pieces.as_slice() {
            return match self.variable(inner, span, depth) {
                Found::Node(node) => node,
                Found::Unknown(reason) => Node::new(span, Value::Unknown(reason)),
                Found::Nothing => Node::new(span, Value::Unknown(nothing(inner))),
            };
        }
        let mut parts: Vec<Node> = Vec::new();
        let mut literal = String::new();
        for piece in &pieces {
            let node = match piece {
                Piece::Text(t) => {
                    literal.push_str(t);
                    continue;
                }
                Piece::Variable(inner) => match self.variable(inner, span, depth) {
                    Found::Node(node) => match node.scalar_text() {
                        Some(t) => {
                            literal.push_str(&t);
                            continue;
                        }
                        None if node.as_intrinsic().is_some() => node,
                        None => match node.value {
                            Value::Unknown(_) => node,
                            _ => unknown_node(
                                span,
                                &format!("${{{inner}}}"),
                                "a list or mapping inside a string, which the framework refuses",
                            ),
                        },
                    },
                    Found::Unknown(reason) => Node::new(span, Value::Unknown(reason)),
                    Found::Nothing => Node::new(span, Value::Unknown(nothing(inner))),
                },
            };
            if !literal.is_empty() {
                parts.push(Node::new(span, Value::String(std::mem::take(&mut literal))));
            }
            parts.push(node);
        }
        if parts.is_empty() {
            return Node::new(span, Value::String(literal));
        }
        if !literal.is_empty() {
            parts.push(Node::new(span, Value::String(literal)));
        }
        intrinsic(
            span,
            "Fn::Join",
            Node::new(
                span,
                Value::Seq(vec![
                    Node::new(span, Value::String(String::new())),
                    Node::new(span, Value::Seq(parts)),
                ]),
            ),
        )
    }

    /// `Fn::Sub`: its string's variables resolved in place; what is not known becomes a
    /// variable of the `Fn::Sub` (`${sandtrap0}`), bound to the unknown value.
    fn sub(&self, span: Span, key_span: Span, argument: &Node, depth: usize) -> Node {
        let (template, bindings) = match &argument.value {
            Value::String(s) => ((s.as_str(), argument.span), None),
            Value::Seq(items) => match items.as_slice() {
                [
                    Node {
                        value: Value::String(s),
                        span: string_span,
                    },
                    map,
                ] => ((s.as_str(), *string_span), Some(map)),
                _ => return self.plain_sub(span, key_span, argument, depth),
            },
            _ => return self.plain_sub(span, key_span, argument, depth),
        };
        let (text, text_span) = template;
        let mut out = String::new();
        let mut extra: Vec<Entry> = Vec::new();
        for piece in parse(text) {
            match piece {
                Piece::Text(t) => out.push_str(&t),
                Piece::Variable(inner) => {
                    let found = match self.variable(&inner, text_span, depth) {
                        Found::Node(node) => node,
                        Found::Unknown(reason) => Node::new(text_span, Value::Unknown(reason)),
                        Found::Nothing => Node::new(text_span, Value::Unknown(nothing(&inner))),
                    };
                    if let Some(t) = found.scalar_text() {
                        out.push_str(&t);
                    } else if let Some(("Ref", _, target)) = found.as_intrinsic()
                        && let Some(name) = target.as_str()
                    {
                        out.push_str(&format!("${{{name}}}"));
                    } else {
                        let name = format!("sandtrap{}", extra.len());
                        out.push_str(&format!("${{{name}}}"));
                        extra.push(Entry {
                            key: name,
                            key_span: text_span,
                            value: found,
                        });
                    }
                }
            }
        }
        let string = Node::new(text_span, Value::String(out));
        let mut variables: Vec<Entry> = match bindings.map(|b| self.node(b, depth + 1)) {
            Some(Node {
                value: Value::Map(map),
                ..
            }) => map.entries,
            _ => Vec::new(),
        };
        let argument = if extra.is_empty() && bindings.is_none() {
            string
        } else {
            variables.extend(extra);
            Node::new(
                argument.span,
                Value::Seq(vec![
                    string,
                    Node::new(argument.span, Value::Map(Map { entries: variables })),
                ]),
            )
        };
        Node::new(
            span,
            Value::Map(Map {
                entries: vec![Entry {
                    key: "Fn::Sub".to_owned(),
                    key_span,
                    value: argument,
                }],
            }),
        )
    }

    fn plain_sub(&self, span: Span, key_span: Span, argument: &Node, depth: usize) -> Node {
        intrinsic_at(span, key_span, "Fn::Sub", self.node(argument, depth + 1))
    }

    /// The value of the variable `${inner}`: its sources in order, until one finds something.
    fn variable(&self, inner: &str, span: Span, depth: usize) -> Found {
        if depth > MAX_DEPTH {
            return Found::Unknown(serverless(
                inner,
                "nested more deeply than sandtrap follows",
                PACKAGE,
            ));
        }
        let sources = split_top(inner, ',');
        let last = sources.len().saturating_sub(1);
        for (i, source) in sources.iter().enumerate() {
            let source = source.trim();
            let found = self.source(source, i == 0, span, depth);
            match found {
                Found::Nothing if i < last => continue,
                Found::Nothing => return Found::Nothing,
                other => return other,
            }
        }
        Found::Nothing
    }

    /// One source of a variable. `first`: a literal is a source only as a fallback.
    fn source(&self, source: &str, first: bool, span: Span, depth: usize) -> Found {
        if let Some(literal) = literal(source) {
            return match first {
                true => Found::Unknown(serverless(
                    source,
                    "not a variable the framework reads",
                    "write the value",
                )),
                false => Found::Node(literal.at(span)),
            };
        }
        if let Some(nested) = source.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
            return self.variable(nested, span, depth + 1);
        }
        let Some((kind, params, address)) = split_source(source) else {
            return Found::Unknown(serverless(
                source,
                "not a variable sandtrap can read",
                PACKAGE,
            ));
        };
        // The address may hold variables of its own.
        let address = match address {
            Some(a) if a.contains("${") => match self.string(a, span, depth + 1).scalar_text() {
                Some(t) => Some(t),
                None => {
                    return Found::Unknown(serverless(
                        &format!("${{{source}}}"),
                        "an address that is not known",
                        PACKAGE,
                    ));
                }
            },
            other => other.map(str::to_owned),
        };
        let address = address.as_deref().unwrap_or("");
        let written = format!("${{{source}}}");
        match (kind, params) {
            ("self", None) => {
                self.path(self.root, address, &format!("self:{address}"), span, depth)
            }
            ("opt", None) => self.option(address, span),
            ("param", None) => self.param(address, span, depth),
            ("sls", None) => match address {
                "stage" => match &self.stage {
                    Some(stage) => Found::Node(Node::new(span, Value::String(stage.clone()))),
                    None => Found::Unknown(serverless(
                        &written,
                        "the stage, which `provider.stage` cannot define with itself",
                        "pass `--param stage=STAGE`",
                    )),
                },
                _ => Found::Unknown(serverless(
                    &written,
                    "known only when the framework runs",
                    PACKAGE,
                )),
            },
            ("aws", None) => match address {
                "region" => Found::Node(reference(span, "AWS::Region")),
                "accountId" => Found::Node(reference(span, "AWS::AccountId")),
                _ => Found::Unknown(serverless(
                    &written,
                    "known only when the framework runs",
                    PACKAGE,
                )),
            },
            ("file", Some(params)) => self.file(params, address, &written, span, depth),
            ("env", _) => Found::Unknown(serverless(
                &written,
                "an environment variable of the machine that runs the framework",
                PACKAGE,
            )),
            ("ssm" | "cf" | "s3" | "secretsmanager" | "sm", _) => Found::Unknown(serverless(
                &written,
                "read from AWS when the framework runs",
                PACKAGE,
            )),
            _ => Found::Unknown(serverless(
                &written,
                "a variable source of the framework or a plugin that sandtrap does not read",
                PACKAGE,
            )),
        }
    }

    /// `${opt:NAME}`: a command-line option (`--region`, `--stage`, `--param`).
    fn option(&self, address: &str, span: Span) -> Found {
        let value = match address {
            "region" => self.options.region.clone(),
            "stage" | "s" => self.options.params.get("stage").cloned(),
            name => self.options.params.get(name).cloned(),
        };
        match value {
            Some(v) => Found::Node(Node::new(span, Value::String(v))),
            None => Found::Nothing,
        }
    }

    /// `${param:NAME}`: `--param`, then the stage's `params`, then `params.default`.
    fn param(&self, address: &str, span: Span, depth: usize) -> Found {
        if let Some(v) = self.options.params.get(address) {
            return Found::Node(Node::new(span, Value::String(v.clone())));
        }
        let stage = self.stage();
        for section in [stage, "default"] {
            if let Some(node) = self.root.get_path(&["params", section, address]) {
                return self.resolved(node, &format!("params.{section}.{address}"), depth);
            }
        }
        Found::Nothing
    }

    /// The value at a dotted `address` of `root`, its own variables resolved.
    fn path(&self, root: &Node, address: &str, key: &str, span: Span, depth: usize) -> Found {
        let mut node = root;
        for part in address.split('.').filter(|p| !p.is_empty()) {
            let next = match &node.value {
                Value::Map(map) => map.get(part),
                Value::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => return Found::Nothing,
            }
        }
        let _ = span;
        self.resolved(node, key, depth)
    }

    /// A value the service writes elsewhere, its own variables resolved; a cycle is unknown.
    fn resolved(&self, node: &Node, key: &str, depth: usize) -> Found {
        if self.resolving.borrow().iter().any(|k| k == key) {
            return Found::Unknown(serverless(
                &format!("${{{key}}}"),
                "a variable that refers to itself",
                "break the cycle",
            ));
        }
        self.resolving.borrow_mut().push(key.to_owned());
        let out = self.node(node, depth + 1);
        self.resolving.borrow_mut().retain(|k| k != key);
        match out.value {
            Value::Null => Found::Nothing,
            _ => Found::Node(out),
        }
    }

    /// `${file(path):address}`: a YAML or JSON file inside the service's directory. Its values
    /// point at the variable that included them.
    fn file(&self, params: &str, address: &str, written: &str, span: Span, depth: usize) -> Found {
        let path = params.trim().trim_matches(|c| c == '\'' || c == '"');
        if path.contains("${") {
            return Found::Unknown(serverless(
                written,
                "a file whose name is not known",
                PACKAGE,
            ));
        }
        let lower = path.to_ascii_lowercase();
        let json = lower.ends_with(".json");
        if !(json || lower.ends_with(".yml") || lower.ends_with(".yaml")) {
            return Found::Unknown(serverless(
                written,
                "a file the framework runs or parses itself (only YAML and JSON files are read)",
                PACKAGE,
            ));
        }
        let full = self.dir.join(path);
        if crate::input::contained(&full, self.dir).is_none() {
            return match full.exists() {
                true => Found::Unknown(serverless(
                    written,
                    "a file outside the service's directory, which sandtrap does not read",
                    PACKAGE,
                )),
                false => Found::Nothing,
            };
        }
        let key = format!("file({path})");
        let Some(text) = (self.read)(&full) else {
            return Found::Unknown(serverless(written, "a file that cannot be read", PACKAGE));
        };
        let loaded = match json {
            true => crate::load::json::load(&text),
            false => crate::load::yaml::load(&text),
        };
        let Some(document) = loaded.document else {
            return Found::Unknown(serverless(written, "a file that does not parse", PACKAGE));
        };
        let root = respan(&document.root, span);
        self.path(&root, address, &format!("{key}:{address}"), span, depth)
    }
}

/// The suggestion for what sandtrap cannot resolve.
const PACKAGE: &str = "write the value in the service file, or run `serverless package` so that sandtrap reads .serverless/cloudformation-template-update-stack.json, where the framework has resolved every variable";

fn serverless(variable: &str, why: &str, supply: &str) -> UnknownReason {
    UnknownReason::Serverless {
        variable: variable.to_owned(),
        why: why.to_owned(),
        supply: supply.to_owned(),
    }
}

/// A variable none of whose sources found anything: the framework stops with an error.
fn nothing(inner: &str) -> UnknownReason {
    let written = format!("${{{inner}}}");
    let supply = match split_source(inner.split(',').next().unwrap_or("").trim()) {
        Some(("opt", None, Some("region"))) => "pass `--region REGION`".to_owned(),
        Some(("opt" | "param", None, Some(name))) => format!("pass `--param {name}=VALUE`"),
        _ => "define it, or give the variable a fallback".to_owned(),
    };
    serverless(
        &written,
        "which has no value here (the framework stops on it)",
        &supply,
    )
}

fn unknown_node(span: Span, variable: &str, why: &str) -> Node {
    Node::new(span, Value::Unknown(serverless(variable, why, PACKAGE)))
}

/// `{Ref: name}`.
fn reference(span: Span, name: &str) -> Node {
    intrinsic(span, "Ref", Node::new(span, Value::String(name.to_owned())))
}

fn intrinsic(span: Span, name: &str, argument: Node) -> Node {
    intrinsic_at(span, span, name, argument)
}

fn intrinsic_at(span: Span, key_span: Span, name: &str, argument: Node) -> Node {
    Node::new(
        span,
        Value::Map(Map {
            entries: vec![Entry {
                key: name.to_owned(),
                key_span,
                value: argument,
            }],
        }),
    )
}

/// A value read from another file, pointing at the variable that included it.
fn respan(node: &Node, span: Span) -> Node {
    let value = match &node.value {
        Value::Map(map) => Value::Map(Map {
            entries: map
                .entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: span,
                    value: respan(&e.value, span),
                })
                .collect(),
        }),
        Value::Seq(items) => Value::Seq(items.iter().map(|i| respan(i, span)).collect()),
        Value::Tagged(tag, inner) => Value::Tagged(tag.clone(), Box::new(respan(inner, span))),
        other => other.clone(),
    };
    Node::new(span, value)
}

#[cfg(test)]
mod tests;

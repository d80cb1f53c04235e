//! CloudFormation intrinsic functions evaluated for one stack.
//!
//! Public contract (implementation pending):
//! - [`StackEnv`] in, [`Resolver`] over one [`Document`];
//! - [`Resolver::resolve`] turns a property node into one or more [`Variant`]s, one per
//!   combination of undecidable conditions, each with its assumptions;
//! - unknown parts stay visible as [`Unknown`] holes inside otherwise known text.

use std::collections::BTreeMap;
use std::fmt;

use crate::source::Span;
use crate::tree::Document;

/// What the resolver knows about the stack it evaluates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackEnv {
    pub account: Option<String>,
    pub region: Option<String>,
    pub stack_name: Option<String>,
    /// Parameter values that override `Default`s (already merged by precedence).
    pub parameters: BTreeMap<String, String>,
}

/// Why (part of) a value is not known statically, with the span of the node that made it so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub span: Span,
    pub reason: UnknownReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnknownReason {
    /// A template parameter with neither an override nor a `Default`.
    Parameter { name: String },
    /// A pseudo parameter the stack environment does not fix (`AWS::AccountId`, `AWS::Region`...).
    Pseudo { name: String },
    /// `Fn::ImportValue` of this export name; the join stage substitutes other stacks' exports.
    Import { name: Box<Text> },
    /// `Fn::GetAtt`.
    GetAtt { resource: String, attribute: String },
    /// `Ref` to a resource whose `Ref` value is not modelled.
    Resource { logical_id: String },
    /// An intrinsic the resolver does not evaluate (`Fn::GetAZs`, `Fn::Cidr`, `Fn::Transform`...).
    Unsupported { function: String },
    /// A malformed intrinsic, a reference cycle, or a bound that was hit.
    Invalid { reason: String },
}

/// A string that may contain unknown holes: `arn:aws:ses:us-east-1:<AWS::AccountId>:identity/x`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    Hole(Unknown),
}

/// A resolved value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Number(String),
    Str(Text),
    List(Vec<Resolved>),
    Map(Vec<(String, Resolved)>),
    /// A value whose shape is unknown (e.g. `Fn::GetAtt` used where a list is expected).
    Unknown(Unknown),
}

/// A condition assumed to hold a value for this variant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Assumption {
    pub condition: String,
    pub value: bool,
}

/// One possible value of a property; `value` is `None` when it resolves to `AWS::NoValue`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub value: Option<Resolved>,
    pub assumptions: Vec<Assumption>,
}

/// Three-valued truth of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

/// An `Outputs` entry with an `Export`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: Text,
    pub value: Vec<Variant>,
    pub span: Span,
}

impl Text {
    pub fn lit(text: impl Into<String>) -> Self {
        Self {
            parts: vec![Part::Lit(text.into())],
        }
    }

    /// The whole string when no part is unknown.
    pub fn known(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Hole(_) => return None,
            }
        }
        Some(out)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Lit(s) => f.write_str(s)?,
                Part::Hole(u) => write!(f, "<{}>", u.reason)?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for UnknownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnknownReason::Parameter { name } => write!(f, "parameter {name}"),
            UnknownReason::Pseudo { name } => f.write_str(name),
            UnknownReason::Import { name } => write!(f, "import {name}"),
            UnknownReason::GetAtt {
                resource,
                attribute,
            } => write!(f, "{resource}.{attribute}"),
            UnknownReason::Resource { logical_id } => write!(f, "Ref {logical_id}"),
            UnknownReason::Unsupported { function } => f.write_str(function),
            UnknownReason::Invalid { reason } => write!(f, "invalid: {reason}"),
        }
    }
}

/// Evaluates intrinsics over one document (implementation pending).
pub struct Resolver<'a> {
    pub document: &'a Document,
    pub env: &'a StackEnv,
}

impl<'a> Resolver<'a> {
    pub fn new(document: &'a Document, env: &'a StackEnv) -> Self {
        Self { document, env }
    }

    pub fn resolve(&self, node: &crate::tree::Node) -> Vec<Variant> {
        vec![Variant {
            value: Some(Resolved::Unknown(Unknown {
                span: node.span,
                reason: UnknownReason::Unsupported {
                    function: "pending".into(),
                },
            })),
            assumptions: Vec::new(),
        }]
    }

    pub fn resource_condition(&self, _logical_id: &str) -> Truth {
        Truth::True
    }

    pub fn exports(&self) -> Vec<Export> {
        Vec::new()
    }
}

impl Text {
    pub fn split_on(&self, _sep: char) -> Vec<Text> {
        vec![self.clone()]
    }
}

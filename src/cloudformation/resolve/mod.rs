//! CloudFormation intrinsic functions evaluated for one stack.
//!
//! - [`StackEnv`] in, [`Resolver`] over one [`Document`];
//! - [`Resolver::resolve`] turns a property node into one or more [`Variant`]s, one per
//!   combination of undecidable conditions, each with its assumptions;
//! - unknown parts stay visible as [`Unknown`] holes inside otherwise known text.
//!
//! Bounds, so that no template can make the resolver hang, overflow its stack or allocate without
//! limit:
//! - [`MAX_VARIANTS`] variants per [`Resolver::resolve`] call; past it the first
//!   `MAX_VARIANTS - 1` are kept and one more variant, with no assumptions and the value
//!   `Unknown::Invalid("too many condition combinations")`, stands for all the others;
//! - [`MAX_DEPTH`] levels of nesting (tree levels, `Ref` chains between resources and conditions);
//!   deeper input resolves to `Unknown::Invalid`;
//! - [`MAX_TEXT_BYTES`] of text in one string (a hole counts 16 bytes); longer strings become
//!   `Unknown::Invalid`, and [`MAX_COPIED_BYTES`] of resource `Ref` values copied into one
//!   `resolve` call, past which a `Ref` resolves to `Unknown::Invalid`;
//! - `Ref` values of resources and condition truths are computed once per [`Resolver`], so a
//!   chain of resources that each refer to the previous one twice costs linear time; a cycle
//!   resolves to `Unknown::Invalid("reference cycle")` (conditions: [`Truth::Unknown`]).
//!
//! What stays unknown: `Fn::GetAtt`, `Fn::ImportValue` (the join stage substitutes exports),
//! `Fn::GetAZs`, `Fn::Cidr`, `Fn::Transform`, YAML tags CloudFormation does not define, `Ref` of
//! resources other than the SES and Pinpoint identities and configuration sets (and
//! configuration sets without a `Name`), parameters of `AWS::SSM::Parameter::Value<...>` types
//! unless the [`StackEnv`] supplies the value (their `Default` names a Parameter Store entry),
//! `AWS::StackId` and `AWS::NotificationARNs`, and any pseudo parameter the [`StackEnv`] does not
//! fix.
//!
//! Choices where CloudFormation leaves room:
//! - an undecided condition labels its variants with the condition it is equivalent to once
//!   decided operands drop out (see [`Resolver::assumption`]);
//! - `Fn::Split` of a string with holes splits only when every hole is `AWS::AccountId`,
//!   `AWS::Region` or `AWS::Partition` and the delimiter is one character none of them can
//!   contain; otherwise the list is unknown, with the first offending hole's reason;
//! - a hole made inside a `Fn::Sub` string points at the whole `Fn::Sub` node.

mod combine;
mod conditions;
mod dump;
mod eval;
mod functions;
mod sub;
mod text;
mod variants;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::tree::{Document, Node};

pub use crate::value::{
    Assumption, Export, Part, Resolved, Text, Truth, Unknown, UnknownReason, Variant,
};
pub use combine::{Combined, MAX_COMBINATIONS};
pub use dump::debug_dump;
pub use eval::is_no_echo;
pub use variants::MAX_VARIANTS;

/// The CDK custom resources behind `crossRegionReferences: true`.
pub(crate) const CROSS_REGION_WRITER: &str = "Custom::CrossRegionExportWriter";
pub(crate) const CROSS_REGION_READER: &str = "Custom::CrossRegionExportReader";

/// Deepest nesting of intrinsics, values and references the resolver follows.
pub const MAX_DEPTH: usize = 256;

/// Longest text (in bytes, a hole counting 16) one resolved string may hold.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// Most bytes of resource `Ref` values one `resolve` call copies (a list of ten thousand `Ref`s
/// to a one-megabyte name must not need ten gigabytes).
pub const MAX_COPIED_BYTES: usize = 64 << 20;

/// What the resolver knows about the stack it evaluates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackEnv {
    pub account: Option<String>,
    pub region: Option<String>,
    pub stack_name: Option<String>,
    /// Parameter values that override `Default`s (already merged by precedence).
    pub parameters: BTreeMap<String, String>,
}

/// Evaluates intrinsics over one document.
///
/// Construction computes every condition and the `Ref` value of every modelled resource once;
/// afterwards the resolver is immutable (and `Sync`), so one stack's properties can be resolved
/// from any thread.
pub struct Resolver<'a> {
    pub document: &'a Document,
    pub env: &'a StackEnv,
    index: eval::Index<'a>,
    tables: eval::Tables,
    secrets: SecretLog,
}

/// Every secret text the resolver has made: the values of `NoEcho` parameters and each piece
/// derived from one (`Fn::Split` items, list items, `Fn::Base64`, `Fn::ToJsonString`).
/// Resolution is otherwise immutable, so the log is behind a lock.
#[derive(Debug, Default)]
pub(crate) struct SecretLog(std::sync::Mutex<std::collections::BTreeSet<String>>);

impl SecretLog {
    /// Records every secret part of `text`.
    pub(crate) fn record(&self, text: &Text) {
        let mut secrets = None;
        for part in &text.parts {
            if let Part::Secret(s) = part
                && !s.is_empty()
            {
                let log = secrets.get_or_insert_with(|| match self.0.lock() {
                    Ok(log) => log,
                    Err(poisoned) => poisoned.into_inner(),
                });
                if !log.contains(s) {
                    log.insert(s.clone());
                }
            }
        }
    }

    fn take(&self) -> Vec<String> {
        let log = match self.0.lock() {
            Ok(log) => log,
            Err(poisoned) => poisoned.into_inner(),
        };
        log.iter().cloned().collect()
    }
}

impl<'a> Resolver<'a> {
    pub fn new(document: &'a Document, env: &'a StackEnv) -> Self {
        let index = eval::Index::new(document);
        let secrets = SecretLog::default();
        let tables = eval::Tables::compute(&index, env, &secrets);
        Self {
            document,
            env,
            index,
            tables,
            secrets,
        }
    }

    /// Every value `node` can take, one [`Variant`] per combination of undecidable conditions
    /// (at most [`MAX_VARIANTS`]).
    pub fn resolve(&self, node: &Node) -> Vec<Variant> {
        let mut eval = eval::Eval::frozen(&self.index, self.env, &self.tables, &self.secrets);
        eval.eval(node).into_variants(node.span)
    }

    /// The secret texts resolution has made so far (see [`Part::Secret`]), for masking: the
    /// whole value of each `NoEcho` parameter used, and every piece taken from one.
    pub fn secret_fragments(&self) -> Vec<String> {
        self.secrets.take()
    }

    /// The truth of a condition of the `Conditions` section (`Unknown` when undefined).
    pub fn condition(&self, name: &str) -> Truth {
        self.tables.condition(name)
    }

    /// The assumption that condition `name` has `value`, as variants are labelled: in terms of
    /// the condition it is equivalent to once decided operands drop out (`IsNotProd: Not[IsProd]`
    /// false is `IsProd` true), so that it combines with the assumptions of [`Self::resolve`].
    pub fn assumption(&self, name: &str, value: bool) -> Assumption {
        let (condition, polarity) = self.tables.literal(name);
        Assumption {
            condition,
            value: value == polarity,
        }
    }

    /// Whether the resource is created: the truth of its `Condition` key (`True` without one,
    /// `Unknown` for an undefined resource).
    pub fn resource_condition(&self, logical_id: &str) -> Truth {
        let Some(resource) = self.index.resources.get(logical_id) else {
            return Truth::Unknown;
        };
        match resource.get("Condition") {
            None => Truth::True,
            Some(node) => match node.as_str() {
                Some(name) => self.condition(name),
                None => Truth::Unknown,
            },
        }
    }

    /// The `Outputs` entries with an `Export`, in document order, then what CDK cross-region
    /// export writers write ([`Self::cross_region_exports`]). Outputs whose `Condition` is
    /// false are left out; an export name with several variants gives one [`Export`] each, with
    /// the value variants compatible with it (their assumptions include the name's); `span` is
    /// the span of the export's `Name` node.
    pub fn exports(&self) -> Vec<Export> {
        let mut out = Vec::new();
        let outputs = self.document.root.get("Outputs").and_then(Node::as_map);
        for (_, output) in outputs.iter().flat_map(|o| o.iter()) {
            let Some(name_node) = output.get_path(&["Export", "Name"]) else {
                continue;
            };
            let created = match output.get("Condition").and_then(Node::as_str) {
                Some(name) => self.condition(name),
                None => Truth::True,
            };
            if created == Truth::False {
                continue;
            }
            let value = match output.get("Value") {
                Some(node) => self.resolve(node),
                None => Vec::new(),
            };
            for variant in self.resolve(name_node) {
                let name = match variant.value {
                    Some(Resolved::Str(name)) => name,
                    Some(Resolved::Number(n)) => Text::lit(n),
                    _ => continue,
                };
                // Under the name's assumptions, only the value's compatible variants remain.
                let value = (value.iter())
                    .filter_map(|v| {
                        let assumptions = variants::merge(&variant.assumptions, &v.assumptions)?;
                        Some(Variant {
                            value: v.value.clone(),
                            assumptions,
                        })
                    })
                    .collect();
                out.push(Export {
                    name,
                    value,
                    span: name_node.span,
                    reader_region: None,
                });
            }
        }
        out.extend(self.cross_region_exports());
        out
    }

    /// What each `Custom::CrossRegionExportWriter` writes: `WriterProps: {region, exports:
    /// {"/cdk/exports/CONSUMER/NAME": value}}`, the SSM parameters that a stack in `region`
    /// reads back through its `Custom::CrossRegionExportReader`.
    fn cross_region_exports(&self) -> Vec<Export> {
        let mut out = Vec::new();
        let Some(resources) = self.document.root.get("Resources").and_then(Node::as_map) else {
            return out;
        };
        for (_, resource) in resources.iter() {
            if resource.get("Type").and_then(Node::as_str) != Some(CROSS_REGION_WRITER) {
                continue;
            }
            let Some(props) = resource.get_path(&["Properties", "WriterProps"]) else {
                continue;
            };
            let region = props.get("region").map(|node| self.resolve(node));
            let region = match region.as_deref() {
                Some(
                    [
                        Variant {
                            value: Some(Resolved::Str(t)),
                            ..
                        },
                    ],
                ) => t.known(),
                _ => None,
            };
            let Some(exports) = props.get("exports").and_then(Node::as_map) else {
                continue;
            };
            for entry in &exports.entries {
                out.push(Export {
                    name: Text::lit(entry.key.clone()),
                    value: self.resolve(&entry.value),
                    span: entry.key_span,
                    reader_region: region.clone(),
                });
            }
        }
        out
    }

    /// The partition of the stack's region (`aws`, `aws-cn`, ...), when the region is known.
    pub fn partition(&self) -> Option<&str> {
        self.env.region.as_deref().map(eval::partition_of)
    }
}

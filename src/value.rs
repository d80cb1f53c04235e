//! The values every front end evaluates to, and the join reads: strings that may be partly
//! unknown ([`Text`] with [`Unknown`] holes saying why), collections, and the condition
//! assumptions of a value that depends on one.

use std::fmt;

use crate::source::Span;

/// Why (part of) a value is not known statically, with the span of the node that made it so.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unknown {
    pub span: Span,
    pub reason: UnknownReason,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UnknownReason {
    /// A template parameter with neither an override nor a `Default`.
    Parameter { name: String },
    /// A pseudo parameter the stack environment does not fix (`AWS::AccountId`, `AWS::Region`...).
    Pseudo { name: String },
    /// `Fn::ImportValue` of this export name; the join stage substitutes other stacks' exports.
    Import { name: Box<Text> },
    /// A CDK cross-region reference (`crossRegionReferences: true`): `Fn::GetAtt` of a
    /// `Custom::CrossRegionExportReader` naming the SSM parameter that the producing stack's
    /// `Custom::CrossRegionExportWriter` writes; the join substitutes the writer's value.
    CrossRegionImport { name: String },
    /// `Fn::GetAtt`.
    GetAtt { resource: String, attribute: String },
    /// `Ref` to a resource whose `Ref` value is not modelled.
    Resource { logical_id: String },
    /// An intrinsic the resolver does not evaluate (`Fn::GetAZs`, `Fn::Cidr`, `Fn::Transform`...).
    Unsupported { function: String },
    /// A malformed intrinsic, a reference cycle, or a bound that was hit.
    Invalid { reason: String },
    /// A Terraform input variable with no value: no default, no tfvars, no `--var`.
    Variable { name: String },
    /// A Terraform resource attribute only the provider computes (`aws_iam_role.r.arn`),
    /// known only after apply.
    Computed { address: String, attribute: String },
    /// An output of a Terraform module sandtrap could not read (a registry or git module
    /// before `terraform init`).
    ModuleOutput { module: String, output: String },
    /// A Serverless Framework variable sandtrap does not resolve (`${ssm:/path}`,
    /// `${env:NAME}`, `${opt:stage}` without a value): the variable as written, why, and what to
    /// supply.
    Serverless {
        variable: String,
        why: String,
        supply: String,
    },
}

/// A string that may contain unknown holes: `arn:aws:ses:us-east-1:<AWS::AccountId>:identity/x`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Text {
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Part {
    Lit(String),
    /// Known text that is, or was taken from, the value of a `NoEcho` parameter: analyzed like
    /// any literal, and every such piece is masked in what a run reports (see
    /// [`Resolver::secret_fragments`]).
    Secret(String),
    Hole(Unknown),
}

/// A resolved value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

impl Resolved {
    /// Drops the room left to grow, all the way down.
    pub fn shrink_to_fit(&mut self) {
        match self {
            Resolved::Str(text) => text.shrink_to_fit(),
            Resolved::List(items) => {
                items.shrink_to_fit();
                items.iter_mut().for_each(Resolved::shrink_to_fit);
            }
            Resolved::Map(entries) => {
                entries.shrink_to_fit();
                for (key, value) in entries {
                    key.shrink_to_fit();
                    value.shrink_to_fit();
                }
            }
            Resolved::Null | Resolved::Bool(_) | Resolved::Number(_) | Resolved::Unknown(_) => {}
        }
    }
}

impl Export {
    /// Drops the room left to grow (an export is kept until the run's join).
    pub fn shrink_to_fit(&mut self) {
        self.name.shrink_to_fit();
        self.value.shrink_to_fit();
        for variant in &mut self.value {
            variant.assumptions.shrink_to_fit();
            if let Some(value) = &mut variant.value {
                value.shrink_to_fit();
            }
        }
    }
}

/// A condition assumed to hold a value for this variant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Assumption {
    pub condition: String,
    pub value: bool,
}

/// One possible value of a property; `value` is `None` when it resolves to `AWS::NoValue`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Variant {
    pub value: Option<Resolved>,
    pub assumptions: Vec<Assumption>,
}

/// Three-valued truth of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Truth {
    True,
    False,
    Unknown,
}

/// An `Outputs` entry with an `Export`, or a value a CDK `Custom::CrossRegionExportWriter`
/// writes for a stack in another region.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Export {
    pub name: Text,
    pub value: Vec<Variant>,
    pub span: Span,
    /// For a cross-region export, the region of the stacks that read it (the writer's
    /// `WriterProps.region`); `None` for an `Outputs` export, read in the stack's own region.
    pub reader_region: Option<String>,
}

impl Text {
    /// Drops the room left to grow (a text kept for the rest of the run).
    pub fn shrink_to_fit(&mut self) {
        self.parts.shrink_to_fit();
        for part in &mut self.parts {
            if let Part::Lit(text) | Part::Secret(text) = part {
                text.shrink_to_fit();
            }
        }
    }

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
                Part::Lit(s) | Part::Secret(s) => out.push_str(s),
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
                Part::Lit(s) | Part::Secret(s) => f.write_str(s)?,
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
            UnknownReason::CrossRegionImport { name } => write!(f, "cross-region reference {name}"),
            UnknownReason::GetAtt {
                resource,
                attribute,
            } => write!(f, "{resource}.{attribute}"),
            UnknownReason::Resource { logical_id } => write!(f, "Ref {logical_id}"),
            UnknownReason::Unsupported { function } => f.write_str(function),
            UnknownReason::Invalid { reason } => write!(f, "invalid: {reason}"),
            UnknownReason::Variable { name } => write!(f, "var.{name}"),
            UnknownReason::Computed { address, attribute } => write!(f, "{address}.{attribute}"),
            UnknownReason::ModuleOutput { module, output } => write!(f, "module.{module}.{output}"),
            UnknownReason::Serverless { variable, .. } => f.write_str(variable),
        }
    }
}

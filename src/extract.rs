//! From one resolved stack, the typed facts the join needs: email senders, SES identities,
//! configuration sets and exports, each value kept with the span it came from.
//!
//! Values stay partially known ([`Text`] with holes); deciding what they mean is the join's job.

mod trigger;

pub use trigger::TriggerSender;

use crate::resolve::{
    Assumption, Combined, Export, Part, Resolved, Resolver, Text, Truth, Unknown, UnknownReason,
};
use crate::source::Span;
use crate::tree::{Document, Node};

/// Which resource sends the mail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SenderKind {
    /// `AWS::Cognito::UserPool` `EmailConfiguration`.
    #[default]
    UserPool,
    /// `AWS::Cognito::UserPoolRegionalConfigurationAttachment` in a replica region.
    Replica,
    /// `AWS::Cognito::UserPoolRiskConfigurationAttachment` notify configuration.
    #[serde(rename = "risk-notification")]
    RiskNotify,
}

/// A property value: absent, or present with its (partially known) value and span.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Field {
    pub value: Option<Value>,
    pub span: Option<Span>,
}

/// The value of a present property.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(Text),
    Bool(bool),
    List(Vec<Text>),
    /// Present, but its shape is unknown (e.g. `Fn::GetAtt` where a list was expected).
    Unknown(Unknown),
}

impl Field {
    pub fn is_present(&self) -> bool {
        self.value.is_some()
    }

    pub fn text(&self) -> Option<&Text> {
        match &self.value {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The whole value when it is a fully known string.
    pub fn known(&self) -> Option<String> {
        self.text().and_then(Text::known)
    }

    /// Every unknown piece of the value.
    pub fn unknowns(&self) -> Vec<&Unknown> {
        fn holes(t: &Text) -> impl Iterator<Item = &Unknown> {
            t.parts.iter().filter_map(|p| match p {
                Part::Hole(u) => Some(u),
                Part::Lit(_) | Part::Secret(_) => None,
            })
        }
        match &self.value {
            Some(Value::Text(t)) => holes(t).collect(),
            Some(Value::List(items)) => items.iter().flat_map(holes).collect(),
            Some(Value::Unknown(u)) => vec![u],
            Some(Value::Bool(_)) | None => Vec::new(),
        }
    }

    /// Three-valued truth of a boolean property (`"true"` strings count, as CloudFormation
    /// coerces them).
    pub fn truth(&self) -> Truth {
        match &self.value {
            Some(Value::Bool(true)) => Truth::True,
            Some(Value::Bool(false)) => Truth::False,
            Some(Value::Text(t)) => {
                match t.known().as_deref().map(str::to_ascii_lowercase).as_deref() {
                    Some("true") => Truth::True,
                    Some("false") => Truth::False,
                    _ => Truth::Unknown,
                }
            }
            None => Truth::False,
            Some(_) => Truth::Unknown,
        }
    }

    /// Whether a list property contains `item` (case-sensitive, as Cognito's enums are).
    pub fn contains(&self, item: &str) -> Truth {
        match &self.value {
            None => Truth::False,
            Some(Value::List(items)) => {
                if items.iter().any(|t| t.known().as_deref() == Some(item)) {
                    Truth::True
                } else if items.iter().all(|t| t.known().is_some()) {
                    Truth::False
                } else {
                    Truth::Unknown
                }
            }
            Some(Value::Text(t)) => match t.known() {
                Some(s) if s == item => Truth::True,
                Some(_) => Truth::False,
                None => Truth::Unknown,
            },
            Some(_) => Truth::Unknown,
        }
    }
}

/// One email sender, for one combination of conditions.
#[derive(Clone, Debug, PartialEq)]
pub struct Sender {
    pub kind: SenderKind,
    pub resource: String,
    pub resource_type: String,
    /// The logical id's key span.
    pub resource_span: Span,
    pub cdk_path: Option<String>,
    pub assumptions: Vec<Assumption>,
    pub email_sending_account: Field,
    pub source_arn: Field,
    pub from: Field,
    pub configuration_set: Field,
    pub custom_email_sender: Field,
    pub allow_admin_create_user_only: Field,
    pub auto_verified_attributes: Field,
    pub username_attributes: Field,
    pub alias_attributes: Field,
    /// `AccountRecoverySetting.RecoveryMechanisms[*].Name`.
    pub recovery_mechanisms: Field,
    pub enabled_mfas: Field,
    pub mfa_configuration: Field,
    /// `EmailConfiguration` itself (for pointing when a field is absent).
    pub email_configuration_span: Option<Span>,
    /// Combinations of conditions past the bound that were not checked (set on the first
    /// sender of a resource).
    pub unchecked_combinations: u64,
}

/// An SES identity declared by a resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub resource: String,
    pub resource_type: String,
    pub resource_span: Span,
    pub name: Field,
    pub assumptions: Vec<Assumption>,
}

/// An SES configuration set declared by a resource.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigurationSet {
    pub resource: String,
    pub resource_span: Span,
    pub name: Field,
}

/// Everything extracted from one stack.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackFacts {
    pub senders: Vec<Sender>,
    pub identities: Vec<Identity>,
    pub configuration_sets: Vec<ConfigurationSet>,
    /// Pool triggers whose function may send mail through SES itself (`trigger.rs`).
    pub trigger_senders: Vec<TriggerSender>,
    pub exports: Vec<Export>,
    /// Each parameter's logical-id span, for "declared here" labels.
    pub parameters: Vec<(String, Span)>,
}

const USER_POOL: &str = "AWS::Cognito::UserPool";
const REPLICA: &str = "AWS::Cognito::UserPoolRegionalConfigurationAttachment";
const RISK: &str = "AWS::Cognito::UserPoolRiskConfigurationAttachment";
const SES_IDENTITY: &str = "AWS::SES::EmailIdentity";
const PINPOINT_IDENTITY: &str = "AWS::PinpointEmail::Identity";
const SES_CONFIG_SET: &str = "AWS::SES::ConfigurationSet";
const PINPOINT_CONFIG_SET: &str = "AWS::PinpointEmail::ConfigurationSet";

/// Extracts the facts of one template.
///
/// `text` is the template's source, used to keep pointers short: a value that spans several lines
/// (a CDK `Fn::Join`) is pointed at by its key.
pub fn extract(document: &Document, text: &str, resolver: &Resolver<'_>) -> StackFacts {
    let mut facts = StackFacts {
        exports: resolver.exports(),
        ..StackFacts::default()
    };
    if let Some(params) = document.root.get("Parameters").and_then(Node::as_map) {
        facts.parameters = params
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.key_span))
            .collect();
    }
    let Some(resources) = document.root.get("Resources").and_then(Node::as_map) else {
        return facts;
    };
    facts.trigger_senders = trigger::trigger_senders(document, resolver);
    for entry in &resources.entries {
        let logical_id = entry.key.as_str();
        let resource = &entry.value;
        let Some(resource_type) = resource.get("Type").and_then(Node::as_str) else {
            continue;
        };
        if !matches!(
            resource_type,
            USER_POOL
                | REPLICA
                | RISK
                | SES_IDENTITY
                | PINPOINT_IDENTITY
                | SES_CONFIG_SET
                | PINPOINT_CONFIG_SET
        ) {
            continue;
        }
        let condition = resolver.resource_condition(logical_id);
        if condition == Truth::False {
            continue;
        }
        let base: Vec<Assumption> =
            match (condition, resource.get("Condition").and_then(Node::as_str)) {
                (Truth::Unknown, Some(name)) => vec![resolver.assumption(name, true)],
                _ => Vec::new(),
            };
        let Some(properties) = resource.get("Properties") else {
            continue;
        };
        let cdk_path = resource
            .get_path(&["Metadata", "aws:cdk:path"])
            .and_then(Node::as_str)
            .map(str::to_owned);
        let sends = matches!(resource_type, USER_POOL | REPLICA | RISK);
        let combined = match sends {
            // Each property a sender reads is resolved on its own, so conditions that vary only
            // the `From` do not crowd out the one that picks the SES region.
            true => resolver.resolve_parts(properties, SENDER_PROPERTIES),
            false => Combined {
                variants: resolver.resolve(properties),
                unchecked: 0,
            },
        };
        let first_sender = facts.senders.len();
        for variant in combined.variants {
            let Some(props) = variant.value else { continue };
            let mut assumptions = base.clone();
            assumptions.extend(variant.assumptions);
            assumptions.sort();
            assumptions.dedup();
            let at = Props {
                node: properties,
                value: &props,
                text,
            };
            match resource_type {
                USER_POOL | REPLICA | RISK => {
                    if let Some(sender) = sender(
                        resource_type,
                        logical_id,
                        entry.key_span,
                        cdk_path.clone(),
                        assumptions,
                        &at,
                    ) {
                        facts.senders.push(sender);
                    }
                }
                SES_IDENTITY | PINPOINT_IDENTITY => {
                    let key = if resource_type == SES_IDENTITY {
                        "EmailIdentity"
                    } else {
                        "Name"
                    };
                    facts.identities.push(Identity {
                        resource: logical_id.to_owned(),
                        resource_type: resource_type.to_owned(),
                        resource_span: entry.key_span,
                        name: at.field(&[key]),
                        assumptions,
                    });
                }
                _ => facts.configuration_sets.push(ConfigurationSet {
                    resource: logical_id.to_owned(),
                    resource_span: entry.key_span,
                    name: at.field(&["Name"]),
                }),
            }
        }
        if sends {
            let mut senders = facts.senders.split_off(first_sender);
            merge_same_cause(&mut senders);
            if let Some(first) = senders.first_mut() {
                first.unchecked_combinations = combined.unchecked;
            }
            facts.senders.append(&mut senders);
        }
    }
    facts
}

/// The properties of a sender resource that extraction reads (each resolved on its own).
const SENDER_PROPERTIES: &[&[&str]] = &[
    &["EmailConfiguration", "EmailSendingAccount"],
    &["EmailConfiguration", "SourceArn"],
    &["EmailConfiguration", "From"],
    &["EmailConfiguration", "ConfigurationSet"],
    &["LambdaConfig"],
    &["AdminCreateUserConfig", "AllowAdminCreateUserOnly"],
    &["AutoVerifiedAttributes"],
    &["UsernameAttributes"],
    &["AliasAttributes"],
    &["AccountRecoverySetting"],
    &["EnabledMfas"],
    &["MfaConfiguration"],
    &["AccountTakeoverRiskConfiguration"],
];

/// One sender per distinct set of facts: variants that differ only in their assumptions are
/// one cause, labelled with the assumptions they all share (a condition that varies among them
/// does not change the outcome, so it drops out).
///
/// What rules read of a `From` is its domain (which identity covers it); variants whose `From`
/// differs only before the `@` are one cause, shown with the first one's address.
fn merge_same_cause(senders: &mut Vec<Sender>) {
    let mut merged: Vec<(Sender, Sender)> = Vec::with_capacity(senders.len());
    for sender in senders.drain(..) {
        let key = cause(&sender);
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some((_, m)) => m.assumptions.retain(|a| sender.assumptions.contains(a)),
            None => merged.push((key, sender)),
        }
    }
    *senders = merged.into_iter().map(|(_, s)| s).collect();
}

/// A sender as rules see it: without its assumptions, and with only the domain of its `From`.
fn cause(sender: &Sender) -> Sender {
    let mut key = sender.clone();
    key.assumptions.clear();
    if let Some(from) = key.from.known() {
        let address = from.rsplit_once('<').map_or(from.as_str(), |(_, a)| a);
        if let Some((_, domain)) = address.trim_end_matches('>').rsplit_once('@') {
            key.from.value = Some(Value::Text(Text::lit(domain.trim().to_ascii_lowercase())));
        }
    }
    key
}

fn sender(
    resource_type: &str,
    logical_id: &str,
    resource_span: Span,
    cdk_path: Option<String>,
    assumptions: Vec<Assumption>,
    at: &Props<'_>,
) -> Option<Sender> {
    let (email, kind) = match resource_type {
        USER_POOL => (vec!["EmailConfiguration"], SenderKind::UserPool),
        REPLICA => (vec!["EmailConfiguration"], SenderKind::Replica),
        _ => (
            vec!["AccountTakeoverRiskConfiguration", "NotifyConfiguration"],
            SenderKind::RiskNotify,
        ),
    };
    let path = |last: &'static str| -> Vec<&str> {
        let mut p = email.clone();
        p.push(last);
        p
    };
    // A risk configuration without a notify configuration sends nothing.
    if kind == SenderKind::RiskNotify && at.get(&email).is_none() {
        return None;
    }
    Some(Sender {
        kind,
        resource: logical_id.to_owned(),
        resource_type: resource_type.to_owned(),
        resource_span,
        cdk_path,
        assumptions,
        email_sending_account: if kind == SenderKind::RiskNotify {
            // Notifications always go through SES under a sending authorization policy.
            Field {
                value: Some(Value::Text(Text::lit("DEVELOPER"))),
                span: None,
            }
        } else if !matches!(at.value, Resolved::Map(_)) {
            // `Properties` as a whole is not a mapping once resolved (an intrinsic over them, a
            // bound hit): how the pool sends is unknown, which ST002 says, not `COGNITO_DEFAULT`.
            Field {
                value: Some(convert(at.value)),
                span: Some(at.node.span),
            }
        } else {
            at.field(&path("EmailSendingAccount"))
        },
        source_arn: at.field(&path("SourceArn")),
        from: at.field(&path("From")),
        configuration_set: at.field(&path("ConfigurationSet")),
        custom_email_sender: at.field(&["LambdaConfig", "CustomEmailSender"]),
        allow_admin_create_user_only: at
            .field(&["AdminCreateUserConfig", "AllowAdminCreateUserOnly"]),
        auto_verified_attributes: at.field(&["AutoVerifiedAttributes"]),
        username_attributes: at.field(&["UsernameAttributes"]),
        alias_attributes: at.field(&["AliasAttributes"]),
        recovery_mechanisms: at.recovery_mechanisms(),
        enabled_mfas: at.field(&["EnabledMfas"]),
        mfa_configuration: at.field(&["MfaConfiguration"]),
        email_configuration_span: at.node_span(&email),
        unchecked_combinations: 0,
    })
}

/// A resource's `Properties`: the source node (for spans) and one resolved variant (for values).
struct Props<'a> {
    node: &'a Node,
    value: &'a Resolved,
    text: &'a str,
}

impl Props<'_> {
    fn get(&self, path: &[&str]) -> Option<&Resolved> {
        path.iter().try_fold(self.value, |v, key| match v {
            Resolved::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        })
    }

    /// The span of the deepest node along `path` that exists in the source (a value under an
    /// `Fn::If` points at the `Fn::If`): the value, or its key when the value is a multi-line
    /// intrinsic function (a CDK `Fn::Join`), which would otherwise underline a whole block. A
    /// scalar is the value even when it spans lines (a YAML folded string).
    fn node_span(&self, path: &[&str]) -> Option<Span> {
        let mut node = self.node;
        let mut key_span = None;
        for key in path {
            match node.as_map().and_then(|m| m.entry(key)) {
                Some(entry) => {
                    key_span = Some(entry.key_span);
                    node = &entry.value;
                }
                None => return (node.as_intrinsic().is_some()).then_some(node.span),
            }
        }
        let multiline = !matches!(
            node.value,
            crate::tree::Value::String(_)
                | crate::tree::Value::Number(_)
                | crate::tree::Value::Bool(_)
        ) && self
            .text
            .get(node.span.range())
            .is_some_and(|t| t.contains('\n'));
        match (multiline, key_span) {
            (true, Some(key)) => Some(key),
            _ => Some(node.span),
        }
    }

    fn field(&self, path: &[&str]) -> Field {
        let Some(value) = self.get(path) else {
            return Field::default();
        };
        Field {
            value: Some(convert(value)),
            span: self.node_span(path).or(Some(self.node.span)),
        }
    }

    fn recovery_mechanisms(&self) -> Field {
        let path = ["AccountRecoverySetting", "RecoveryMechanisms"];
        let Some(value) = self.get(&path) else {
            return Field::default();
        };
        let value = match value {
            Resolved::List(items) => Value::List(
                items
                    .iter()
                    .map(|item| match item {
                        Resolved::Map(entries) => match entries.iter().find(|(k, _)| k == "Name") {
                            Some((_, Resolved::Str(t))) => t.clone(),
                            Some((_, other)) => hole_of(other),
                            None => Text::default(),
                        },
                        other => hole_of(other),
                    })
                    .collect(),
            ),
            other => convert(other),
        };
        Field {
            value: Some(value),
            span: self.node_span(&path),
        }
    }
}

fn hole_of(value: &Resolved) -> Text {
    match value {
        Resolved::Unknown(u) => Text {
            parts: vec![Part::Hole(u.clone())],
        },
        _ => Text {
            parts: vec![Part::Hole(Unknown {
                span: Span::default(),
                reason: UnknownReason::Invalid {
                    reason: "unexpected value".into(),
                },
            })],
        },
    }
}

fn convert(value: &Resolved) -> Value {
    match value {
        Resolved::Str(t) => Value::Text(t.clone()),
        Resolved::Number(n) => Value::Text(Text::lit(n.clone())),
        Resolved::Bool(b) => Value::Bool(*b),
        Resolved::Null => Value::Text(Text::default()),
        Resolved::List(items) => Value::List(
            items
                .iter()
                .map(|item| match item {
                    Resolved::Str(t) => t.clone(),
                    Resolved::Number(n) => Text::lit(n.clone()),
                    Resolved::Bool(b) => Text::lit(b.to_string()),
                    other => hole_of(other),
                })
                .collect(),
        ),
        Resolved::Map(_) => Value::Unknown(Unknown {
            span: Span::default(),
            reason: UnknownReason::Invalid {
                reason: "a mapping where a value was expected".into(),
            },
        }),
        Resolved::Unknown(u) => Value::Unknown(u.clone()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn source_arn_span(text: &str) -> String {
        let document = crate::load::yaml::load(text).document.unwrap();
        let env = crate::resolve::StackEnv::default();
        let resolver = Resolver::new(&document, &env);
        let facts = extract(&document, text, &resolver);
        let span = facts.senders[0].source_arn.span.unwrap();
        text[span.range()].to_owned()
    }

    #[test]
    fn arn_spans_are_the_value_or_the_key_of_a_multi_line_intrinsic() {
        let head = "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      EmailConfiguration:\n        EmailSendingAccount: DEVELOPER\n";
        let scalar = format!(
            "{head}        SourceArn: arn:aws:ses:us-east-1:111111111111:identity/example.com\n"
        );
        assert_eq!(
            source_arn_span(&scalar),
            "arn:aws:ses:us-east-1:111111111111:identity/example.com"
        );
        let folded = format!(
            "{head}        SourceArn: >-\n          arn:aws:ses:us-east-1:111111111111:identity/example.com\n"
        );
        // A folded scalar over two lines is still the value, not the key.
        assert!(source_arn_span(&folded).contains("arn:aws:ses:us-east-1"));
        let one_line = format!(
            "{head}        SourceArn: !Sub arn:aws:ses:${{AWS::Region}}:111111111111:identity/x.com\n"
        );
        assert!(source_arn_span(&one_line).starts_with("!Sub"));
        let block = format!(
            "{head}        SourceArn:\n          Fn::Join:\n            - ''\n            - [arn:aws:ses:us-east-1:111111111111:identity/, x.com]\n"
        );
        assert_eq!(source_arn_span(&block), "SourceArn");
    }
}

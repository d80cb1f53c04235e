//! The CloudFormation front end's extraction: from one resolved template, each resource the
//! analysis reads ([`super::resource_type`]) with its resolved properties and the spans of the
//! source tree they came from.

use std::collections::HashMap;

use super::trigger;
use crate::cloudformation::resolve::{Combined, Resolver};
use crate::extract::{
    Arguments, ConfigurationSet, Identity, Language, Property, ResourceKind, SenderHeader,
    SenderKind, StackFacts, field_at, merge_same_cause, read_sender, resource_type,
};
use crate::source::Span;
use crate::tree::{Document, Node};
use crate::value::{Assumption, Resolved, Truth};

/// The template being extracted, as the run names it.
#[derive(Clone, Copy, Debug)]
pub struct Template<'a> {
    /// The file's display name (what trigger senders' locations name).
    pub file: &'a str,
    /// The template's source, used to keep pointers short: a value that spans several lines (a
    /// CDK `Fn::Join`) is pointed at by its key.
    pub text: &'a str,
    /// What is known of where a resource came from, by logical id (the `Fn::ForEach`
    /// iteration that made it), for the notes of its diagnostics.
    pub notes: &'a HashMap<String, String>,
}

/// Extracts the facts of one template.
pub fn extract(document: &Document, template: Template<'_>, resolver: &Resolver<'_>) -> StackFacts {
    let text = template.text;
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
    facts.trigger_senders =
        trigger::trigger_senders(document, template.file, resolver, template.notes);
    for entry in &resources.entries {
        let logical_id = entry.key.as_str();
        let resource = &entry.value;
        let Some(type_name) = resource.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let Some(read) = resource_type(Language::CloudFormation, type_name) else {
            continue;
        };
        let Some((base, properties, cdk_path)) = context(resolver, logical_id, resource) else {
            continue;
        };
        let combined = match read.kind.sender() {
            // Each property a sender reads is resolved on its own, so conditions that vary only
            // the `From` do not crowd out the one that picks the SES region.
            Some(kind) => {
                let wanted = wanted(kind);
                let wanted: Vec<&[&str]> = wanted.iter().map(Vec::as_slice).collect();
                resolver.resolve_parts(properties, &wanted)
            }
            None => Combined {
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
            match read.kind {
                ResourceKind::Sender(kind) => {
                    let header = SenderHeader {
                        kind,
                        resource: logical_id.to_owned(),
                        resource_type: type_name.to_owned(),
                        resource_span: entry.key_span,
                        cdk_path: cdk_path.clone(),
                        note: template.notes.get(logical_id).cloned(),
                        assumptions,
                    };
                    facts.senders.extend(read_sender(header, &at));
                }
                ResourceKind::Identity => facts.identities.push(Identity {
                    resource: logical_id.to_owned(),
                    resource_type: type_name.to_owned(),
                    resource_span: entry.key_span,
                    name: field_at(&at, &[read.name_key], None),
                    assumptions,
                }),
                ResourceKind::ConfigurationSet => facts.configuration_sets.push(ConfigurationSet {
                    resource: logical_id.to_owned(),
                    resource_span: entry.key_span,
                    name: field_at(&at, &[read.name_key], None),
                }),
            }
        }
        if read.kind.sender().is_some() {
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

/// What a resource contributes to each of its variants: the condition it assumes (when
/// undecided), its `Properties`, its CDK construct path; `None` when it is not deployed
/// (its condition is false) or has no properties.
fn context<'a>(
    resolver: &Resolver<'_>,
    logical_id: &str,
    resource: &'a Node,
) -> Option<(Vec<Assumption>, &'a Node, Option<String>)> {
    let condition = resolver.resource_condition(logical_id);
    if condition == Truth::False {
        return None;
    }
    let base: Vec<Assumption> = match (condition, resource.get("Condition").and_then(Node::as_str))
    {
        (Truth::Unknown, Some(name)) => vec![resolver.assumption(name, true)],
        _ => Vec::new(),
    };
    let properties = resource.get("Properties")?;
    let cdk_path = resource
        .get_path(&["Metadata", "aws:cdk:path"])
        .and_then(Node::as_str)
        .map(str::to_owned);
    Some((base, properties, cdk_path))
}

/// The key paths of a sender's properties, each resolved on its own: every declared property,
/// and the email settings whole where their presence decides whether the resource sends.
fn wanted(kind: SenderKind) -> Vec<Vec<&'static str>> {
    let language = Language::CloudFormation;
    let mut wanted: Vec<Vec<&str>> = Property::ALL
        .iter()
        .filter_map(|p| p.keys(language, kind))
        .collect();
    if kind.needs_email_settings() {
        wanted.push(kind.email_settings(language).to_vec());
    }
    wanted
}

/// A resource's `Properties`: the source node (for spans) and one resolved variant (for values).
struct Props<'a> {
    node: &'a Node,
    value: &'a Resolved,
    text: &'a str,
}

impl Arguments for Props<'_> {
    fn language(&self) -> Language {
        Language::CloudFormation
    }

    fn value(&self) -> &Resolved {
        self.value
    }

    /// The span of the deepest node along `path` that exists in the source (a value under an
    /// `Fn::If` points at the `Fn::If`): the value, or its key when the value is a multi-line
    /// intrinsic function (a CDK `Fn::Join`), which would otherwise underline a whole block. A
    /// scalar is the value even when it spans lines (a YAML folded string).
    fn span(&self, path: &[&str]) -> Option<Span> {
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

    fn whole_span(&self) -> Span {
        self.node.span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_arn_span(text: &str) -> String {
        let document = crate::load::yaml::load(text).document.unwrap();
        let env = crate::cloudformation::resolve::StackEnv::default();
        let resolver = Resolver::new(&document, &env);
        let notes = HashMap::new();
        let template = Template {
            file: "t.yaml",
            text,
            notes: &notes,
        };
        let facts = extract(&document, template, &resolver);
        let span = facts.senders[0].field(Property::SourceArn).span.unwrap();
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

//! What a sender's facts cannot say: placeholders left where a value was meant, and the values
//! that stayed unknown, each with the reason and what would make it known.

use super::super::facts::{Placeholder, PlaceholderSpans, Unresolved, UnresolvedSpans};
use super::super::{Stack, ses, span_fact};
use crate::extract::{Language, Properties, Property, Sender};
use crate::value::{Text, Unknown, UnknownReason};

/// The `From` and `SourceArn` that hold a placeholder where a value was meant: wherever the
/// sender sends from, a value of `Cloud Quest <undefined>` is a build that lost its input.
pub(super) fn placeholders(
    stack: &Stack,
    sender: &Sender,
    fields: &Properties,
    id: &str,
) -> Vec<Placeholder> {
    let mut out = Vec::new();
    for property in [Property::From, Property::SourceArn] {
        let field = &fields[property];
        let (Some(text), Some(span)) = (field.text(), super::super::field_span(&stack.file, field))
        else {
            continue;
        };
        // Only what is written: a hole is not a placeholder, whatever it will be.
        let found = text.parts.iter().find_map(|part| match part {
            crate::value::Part::Lit(s) | crate::value::Part::Secret(s) => ses::placeholder(s),
            crate::value::Part::Hole(_) => None,
        });
        let Some(found) = found else { continue };
        let name = property.name(sender.language, sender.kind);
        out.push(Placeholder {
            id: format!("{id}#{name}#placeholder"),
            stack: stack.name.clone(),
            resource: sender.resource.clone(),
            field: name.to_owned(),
            value: text.to_string(),
            placeholder: found.to_owned(),
            cause: placeholder_cause(found, stack.cdk, sender.language),
            spans: PlaceholderSpans { value: span },
        });
    }
    out
}

/// Where a placeholder usually comes from, and what to do.
fn placeholder_cause(found: &str, cdk: bool, language: Language) -> String {
    let fix = match (cdk, language) {
        (true, _) => "set it and synthesize again (`cdk.out` is generated: do not edit it)",
        (false, Language::Terraform) => {
            "set it and generate the configuration again, or write the value"
        }
        (false, Language::CloudFormation) => {
            "set it and generate the template again, or write the value"
        }
    };
    match found {
        "undefined" => format!(
            "likely an environment variable or context value that was not set when the app was synthesized (JavaScript writes `undefined` for `process.env.EMAIL_FROM` unset, as an Amplify backend without `EMAIL_FROM` does): {fix}"
        ),
        "None" => format!(
            "likely a Python value that was `None` when the app was synthesized (an unset `os.environ.get(...)`): {fix}"
        ),
        "null" => format!("likely a value that was null when the app was synthesized: {fix}"),
        _ => "a `${...}` placeholder nobody substituted: a shell or template variable that was not expanded, or a CloudFormation `Fn::Sub` missing around it; substitute it, or write the value".to_owned(),
    }
}

/// The most unresolved parts reported for one field of one sender.
const MAX_UNRESOLVED_PER_FIELD: usize = 8;

/// The unknown pieces of the values rules need ([`Declaration::needed`]), each with what to
/// supply, named as the sender's language names them. `AWS::Region` is left to ST003 and
/// `AWS::AccountId`/`AWS::Partition` never block a rule (unknown matches any account).
pub(super) fn unresolved(
    stack: &Stack,
    sender: &Sender,
    fields: &Properties,
    id: &str,
    relevant: bool,
) -> Vec<Unresolved> {
    if !relevant {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let needed = Property::ALL
        .into_iter()
        .filter(|p| p.declaration().needed)
        .map(|p| (p, p.name(sender.language, sender.kind), &fields[p]));
    for (property, field, value) in needed {
        let Some(value_span) = value.span else {
            continue;
        };
        let allowed = property.declaration().values;
        if let Some(known) = value
            .known()
            .filter(|v| !allowed.is_empty() && !allowed.contains(&v.as_str()))
        {
            out.push(Unresolved {
                id: format!("{id}#{field}#value"),
                stack: stack.name.clone(),
                resource: sender.resource.clone(),
                field: field.to_owned(),
                needs: format!(
                    "a value Cognito accepts ({}), not `{known}`",
                    allowed
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                suggestion: format!(
                    "write `{field}` as one of those values (they are case-sensitive)"
                ),
                spans: UnresolvedSpans {
                    value: span_fact(&stack.file, value_span),
                    parameter: None,
                },
            });
        }
        let mut in_field = 0;
        for unknown in value.unknowns() {
            // A `Fn::Sub` with thousands of undefined placeholders must not become thousands
            // of ST002s: the first few say what to supply.
            if in_field == MAX_UNRESOLVED_PER_FIELD {
                break;
            }
            let Some((needs, suggestion)) = describe(unknown, stack.cdk, sender.language) else {
                continue;
            };
            if !seen.insert((field, needs.clone())) {
                continue;
            }
            in_field += 1;
            let parameter = match &unknown.reason {
                UnknownReason::Parameter { name } => stack
                    .facts
                    .parameters
                    .iter()
                    .find(|(p, _)| p == name)
                    .map(|(_, span)| span_fact(&stack.file, *span)),
                _ => None,
            };
            out.push(Unresolved {
                id: format!("{id}#{field}#{}", seen.len()),
                stack: stack.name.clone(),
                resource: sender.resource.clone(),
                field: field.to_owned(),
                needs,
                suggestion,
                spans: UnresolvedSpans {
                    value: span_fact(&stack.file, value_span),
                    parameter,
                },
            });
        }
    }
    out
}

/// What a rule needs and what to supply. For a stack synthesized by CDK the advice names what a
/// CDK user changes (the app, the flags, `.sandtrap.yaml`): `cdk.out` is generated, not edited.
/// A Terraform value is supplied as Terraform supplies it: `--var`, a tfvars file, `TF_VAR_`.
fn describe(unknown: &Unknown, cdk: bool, language: Language) -> Option<(String, String)> {
    const CDK_TOKEN: &str = "in the CDK app, use a plain string where the value is known in advance instead of a token resolved at deploy time (`cdk.out` is generated: do not edit it)";
    const LITERAL: &str = "write the value literally or pass it as a parameter";
    const TERRAFORM_LITERAL: &str =
        "write the value literally, or pass it in through a variable (`--var NAME=VALUE`)";
    let after_deploy = match (cdk, language) {
        (true, _) => CDK_TOKEN,
        (false, Language::Terraform) => TERRAFORM_LITERAL,
        (false, Language::CloudFormation) => LITERAL,
    };
    Some(match &unknown.reason {
        UnknownReason::Variable { name } => (
            format!("variable `{name}`, which has no value"),
            format!(
                "pass `--var {name}=VALUE` (or `--var-file FILE`, a `terraform.tfvars` line, `TF_VAR_{name}`), or give the variable a default"
            ),
        ),
        UnknownReason::Computed { address, attribute } => (
            format!("`{address}.{attribute}`, known only after apply"),
            after_deploy.to_owned(),
        ),
        UnknownReason::ModuleOutput { module, output } => (
            format!("output `{output}` of module `{module}`, which is not analyzed"),
            "run `terraform init` so the module is in .terraform/modules, or pass the value in through a variable".to_owned(),
        ),
        UnknownReason::Parameter { name } => (
            format!("parameter `{name}`, which has no Default"),
            match cdk {
                true => format!(
                    "pass `--param {name}=VALUE`, or add a `stacks:` entry with `params` in .sandtrap.yaml (or give the CfnParameter a default in the CDK app)"
                ),
                false => format!(
                    "pass `--param {name}=VALUE` (or `--param-file`), or add a `stacks:` entry with `params` in .sandtrap.yaml"
                ),
            },
        ),
        UnknownReason::Import { name } => (
            format!(
                "the export `{}` imported with Fn::ImportValue",
                name_text(name)
            ),
            match cdk {
                true => "synthesize the stack that exports it into the same run (the whole app, or its cdk.out next to this one), in the same account and region".to_owned(),
                false => "add the template that exports it (same account and region) to the run".to_owned(),
            },
        ),
        UnknownReason::CrossRegionImport { name } => (
            format!("the CDK cross-region reference `{name}`"),
            "synthesize the stack that writes it (its `Custom::CrossRegionExportWriter`) into the same run: check the whole app's cdk.out".to_owned(),
        ),
        UnknownReason::GetAtt {
            resource,
            attribute,
        } => (
            format!("`{resource}.{attribute}`, known only after deploy"),
            after_deploy.to_owned(),
        ),
        UnknownReason::Resource { logical_id } => (
            format!("the physical id of `{logical_id}`, known only after deploy"),
            after_deploy.to_owned(),
        ),
        UnknownReason::Unsupported { function } => (
            format!("`{function}`, which is not evaluated statically"),
            after_deploy.to_owned(),
        ),
        UnknownReason::Invalid { reason } => (
            format!("a value that cannot be evaluated ({reason})"),
            match cdk {
                true => "report the construct that produced it: CDK should not synthesize an invalid intrinsic".to_owned(),
                false => "fix the intrinsic function".to_owned(),
            },
        ),
        UnknownReason::Serverless {
            variable,
            why,
            supply,
        } => (format!("`{variable}`, {why}"), supply.clone()),
        UnknownReason::Pseudo { .. } => return None,
    })
}

fn name_text(text: &Text) -> String {
    text.to_string()
}

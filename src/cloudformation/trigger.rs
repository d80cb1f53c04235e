//! Cognito's other mail path: Lambda triggers that send mail themselves through SES.
//!
//! A `CreateAuthChallenge` trigger (passwordless and email-MFA custom auth) and a
//! `LambdaConfig.CustomEmailSender` function deliver the codes Cognito hands them, so when
//! their role may call SES they hit the same sandbox as `EmailConfiguration` does. The link is
//! followed inside one template only: pool trigger › function (`AWS::Lambda::Function`,
//! `AWS::Serverless::Function`, or a SAM function's `Cognito` event) › its role › the policies
//! that grant `ses:SendEmail`/`ses:SendRawEmail` (inline `Policies`, `AWS::IAM::Policy` and
//! `AWS::IAM::ManagedPolicy` attached to the role, SAM `Policies` and policy templates).
//! `CustomMessage` is not followed: it only rewrites the text, Cognito still sends
//! (docs/domain.md#who-makes-cognito-send-mail).

use std::collections::HashMap;

use crate::cloudformation::resolve::Resolver;
use crate::source::Span;
use crate::tree::{Document, Node};
use crate::value::{Resolved, Text, Truth};

/// The triggers that deliver mail themselves.
const TRIGGERS: [&str; 2] = ["CreateAuthChallenge", "CustomEmailSender"];

/// SAM policy templates that allow `ses:SendEmail` and `ses:SendRawEmail` on
/// `identity/${IdentityName}`. `SESEmailTemplateCrudPolicy` (template CRUD) and
/// `SESSendBouncePolicy` (`ses:SendBounce`) grant neither, so they are not senders.
const SAM_SES_TEMPLATES: [&str; 3] = [
    "SESCrudPolicy",
    "SESBulkTemplatedCrudPolicy",
    "SESBulkTemplatedCrudPolicy_v2",
];

/// The AWS managed policy that allows every SES action.
const SES_FULL_ACCESS: &str = "AmazonSESFullAccess";

/// A pool trigger whose function's role may send mail through SES.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TriggerSender {
    /// The user pool's logical id and key span.
    pub pool: String,
    pub pool_span: Span,
    /// `CreateAuthChallenge` or `CustomEmailSender`.
    pub trigger: String,
    /// Where the pool names the function (or the SAM `Cognito` event's `Trigger`).
    pub trigger_span: Span,
    pub function: String,
    pub function_span: Span,
    /// The role's logical id, when the permission comes from a role.
    pub role: Option<String>,
    /// The statement (or policy template) that grants sending.
    pub grant_span: Span,
    /// The SES resources the grant names, resolved (`*` or identity ARNs).
    pub resources: Vec<Text>,
    /// An identity named by a SAM policy template's `IdentityName`.
    pub identity_name: Option<Text>,
    /// `AdminCreateUserConfig.AllowAdminCreateUserOnly` of the pool.
    pub admin_only: Truth,
}

/// Every trigger of every pool of `document` that sends through SES by the heuristic above.
pub fn trigger_senders(document: &Document, resolver: &Resolver<'_>) -> Vec<TriggerSender> {
    let Some(resources) = document.root.get("Resources").and_then(Node::as_map) else {
        return Vec::new();
    };
    // Logical id → resource, once: a template with thousands of pools stays linear.
    let index: HashMap<&str, &crate::tree::Entry> = resources
        .entries
        .iter()
        .map(|e| (e.key.as_str(), e))
        .collect();
    let resource = |id: &str| index.get(id).copied();
    let mut out = Vec::new();
    let mut links: Vec<(String, Span, &'static str, Span, String)> = Vec::new();
    for entry in &resources.entries {
        let Some(kind) = entry.value.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let properties = entry.value.get("Properties");
        match kind {
            "AWS::Cognito::UserPool" => {
                let Some(lambda) = properties.and_then(|p| p.get("LambdaConfig")) else {
                    continue;
                };
                for trigger in TRIGGERS {
                    let node = match trigger {
                        "CustomEmailSender" => lambda.get_path(&[trigger, "LambdaArn"]),
                        _ => lambda.get(trigger),
                    };
                    if let Some((function, span)) = node.and_then(function_ref) {
                        links.push((entry.key.clone(), entry.key_span, trigger, span, function));
                    }
                }
            }
            "AWS::Serverless::Function" => {
                // SAM adds `LambdaConfig[Trigger]` to the pool of a `Cognito` event
                // (docs/domain.md#trigger-functions-that-send-mail).
                let events = properties
                    .and_then(|p| p.get("Events"))
                    .and_then(Node::as_map);
                for (_, event) in events.iter().flat_map(|m| m.iter()) {
                    if event.get("Type").and_then(Node::as_str) != Some("Cognito") {
                        continue;
                    }
                    let Some(props) = event.get("Properties") else {
                        continue;
                    };
                    let Some(pool) = props.get("UserPool").and_then(ref_target) else {
                        continue;
                    };
                    let Some(trigger_node) = props.get("Trigger") else {
                        continue;
                    };
                    let names: Vec<&Node> = match trigger_node.as_seq() {
                        Some(items) => items.iter().collect(),
                        None => vec![trigger_node],
                    };
                    for name in names {
                        let Some(trigger) =
                            TRIGGERS.into_iter().find(|t| name.as_str() == Some(*t))
                        else {
                            continue;
                        };
                        if let Some(pool_entry) = resource(pool) {
                            links.push((
                                pool.to_owned(),
                                pool_entry.key_span,
                                trigger,
                                name.span,
                                entry.key.clone(),
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let attached = if links.is_empty() {
        HashMap::new()
    } else {
        attached_policies(resources)
    };
    // One function often serves many pools: its grant is found once.
    let mut grants: HashMap<String, Option<(Option<String>, Grant)>> = HashMap::new();
    for (pool, pool_span, trigger, trigger_span, function) in links {
        let Some(function_entry) = resource(&function) else {
            continue;
        };
        let found = grants
            .entry(function.clone())
            .or_insert_with(|| function_grant(&function_entry.value, &index, &attached, resolver));
        let Some((role, grant)) = found.clone() else {
            continue;
        };
        let pool_props = resource(&pool).and_then(|e| e.value.get("Properties"));
        let admin_only = pool_props
            .and_then(|p| p.get_path(&["AdminCreateUserConfig", "AllowAdminCreateUserOnly"]))
            .map_or(Truth::False, |node| truth(node, resolver));
        out.push(TriggerSender {
            pool,
            pool_span,
            trigger: trigger.to_owned(),
            trigger_span,
            function,
            function_span: function_entry.key_span,
            role,
            grant_span: grant.span,
            resources: grant.resources,
            identity_name: grant.identity_name,
            admin_only,
        });
    }
    out
}

/// The role (when the permission comes from one) and the grant that lets `function` send.
fn function_grant(
    function: &Node,
    index: &HashMap<&str, &crate::tree::Entry>,
    attached: &HashMap<&str, Vec<&Node>>,
    resolver: &Resolver<'_>,
) -> Option<(Option<String>, Grant)> {
    let props = function.get("Properties");
    let kind = function.get("Type").and_then(Node::as_str);
    if !matches!(
        kind,
        Some("AWS::Lambda::Function" | "AWS::Serverless::Function")
    ) {
        return None;
    }
    let role = props
        .and_then(|p| p.get("Role"))
        .and_then(function_ref)
        .map(|(role, _)| role)
        .filter(|r| {
            index
                .get(r.as_str())
                .and_then(|e| e.value.get("Type"))
                .and_then(Node::as_str)
                == Some("AWS::IAM::Role")
        });
    let grant = match &role {
        Some(role) => role_grant(index, attached, role, resolver),
        None if kind == Some("AWS::Serverless::Function") => props
            .and_then(|p| p.get("Policies"))
            .and_then(|p| sam_policies(p, resolver)),
        None => None,
    }?;
    Some((role, grant))
}

/// A permission to send found in a policy.
#[derive(Clone)]
struct Grant {
    span: Span,
    resources: Vec<Text>,
    identity_name: Option<Text>,
}

/// The logical id a function or role reference names: `Fn::GetAtt [Id, Arn]`, `!GetAtt Id.Arn`,
/// or `Ref Id`, with the span of the reference.
fn function_ref(node: &Node) -> Option<(String, Span)> {
    if let Some(target) = ref_target(node) {
        return Some((target.to_owned(), node.span));
    }
    let (name, _, argument) = node.as_intrinsic()?;
    if name != "Fn::GetAtt" {
        return None;
    }
    let id = match argument.as_seq() {
        Some([id, attribute]) if attribute.as_str() == Some("Arn") => id.as_str()?,
        _ => argument.as_str()?.strip_suffix(".Arn")?,
    };
    Some((id.to_owned(), node.span))
}

fn ref_target(node: &Node) -> Option<&str> {
    match node.as_intrinsic()? {
        ("Ref", _, target) => target.as_str(),
        _ => None,
    }
}

fn truth(node: &Node, resolver: &Resolver<'_>) -> Truth {
    let values: Vec<Truth> = resolver
        .resolve(node)
        .into_iter()
        .map(|v| match v.value {
            Some(Resolved::Bool(true)) => Truth::True,
            Some(Resolved::Bool(false)) => Truth::False,
            Some(Resolved::Str(t)) => match t.known().map(|s| s.to_ascii_lowercase()).as_deref() {
                Some("true") => Truth::True,
                Some("false") => Truth::False,
                _ => Truth::Unknown,
            },
            _ => Truth::Unknown,
        })
        .collect();
    match values.as_slice() {
        [] => Truth::Unknown,
        [first, rest @ ..] if rest.iter().all(|t| t == first) => *first,
        _ => Truth::Unknown,
    }
}

/// The role's inline `Policies`, its `ManagedPolicyArns`, and `AWS::IAM::Policy` /
/// `AWS::IAM::ManagedPolicy` resources whose `Roles` name it.
fn role_grant(
    resources: &HashMap<&str, &crate::tree::Entry>,
    attached: &HashMap<&str, Vec<&Node>>,
    role: &str,
    resolver: &Resolver<'_>,
) -> Option<Grant> {
    let role_props = resources.get(role)?.value.get("Properties");
    let inline = role_props
        .and_then(|p| p.get("Policies"))
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("PolicyDocument"));
    for document in inline {
        if let Some(grant) = document_grant(document, resolver) {
            return Some(grant);
        }
    }
    for arn in role_props
        .and_then(|p| p.get("ManagedPolicyArns"))
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
    {
        if arn
            .as_str()
            .is_some_and(|a| a.ends_with(&format!("policy/{SES_FULL_ACCESS}")))
        {
            return Some(everything(arn.span));
        }
        let managed = ref_target(arn)
            .and_then(|id| resources.get(id))
            .map(|e| &e.value)
            .filter(|r| r.get("Type").and_then(Node::as_str) == Some("AWS::IAM::ManagedPolicy"));
        if let Some(document) = managed.and_then(|r| r.get_path(&["Properties", "PolicyDocument"]))
            && let Some(grant) = document_grant(document, resolver)
        {
            return Some(grant);
        }
    }
    attached
        .get(role)
        .into_iter()
        .flatten()
        .find_map(|document| document_grant(document, resolver))
}

/// The `PolicyDocument` of every `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` by the roles
/// its `Roles` name, built once per template so that many pools stay linear.
fn attached_policies(resources: &crate::tree::Map) -> HashMap<&str, Vec<&Node>> {
    let mut out: HashMap<&str, Vec<&Node>> = HashMap::new();
    for (_, policy) in resources.iter() {
        let kind = policy.get("Type").and_then(Node::as_str);
        if !matches!(kind, Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")) {
            continue;
        }
        let props = policy.get("Properties");
        let Some(document) = props.and_then(|p| p.get("PolicyDocument")) else {
            continue;
        };
        let roles = props.and_then(|p| p.get("Roles")).and_then(Node::as_seq);
        for role in roles.into_iter().flatten().filter_map(ref_target) {
            out.entry(role).or_default().push(document);
        }
    }
    out
}

fn everything(span: Span) -> Grant {
    Grant {
        span,
        resources: vec![Text::lit("*")],
        identity_name: None,
    }
}

/// SAM `Policies`: a policy name, a policy template, an inline document, or a list of them.
fn sam_policies(node: &Node, resolver: &Resolver<'_>) -> Option<Grant> {
    let items: Vec<&Node> = match node.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    for item in items {
        if item.as_str() == Some(SES_FULL_ACCESS)
            || item
                .as_str()
                .is_some_and(|a| a.ends_with(&format!("policy/{SES_FULL_ACCESS}")))
        {
            return Some(everything(item.span));
        }
        if item.get("Statement").is_some() {
            if let Some(grant) = document_grant(item, resolver) {
                return Some(grant);
            }
            continue;
        }
        let Some(map) = item.as_map() else { continue };
        for entry in &map.entries {
            if SAM_SES_TEMPLATES.contains(&entry.key.as_str()) {
                let identity_name = entry
                    .value
                    .get("IdentityName")
                    .and_then(|n| resolve_text(n, resolver));
                return Some(Grant {
                    span: entry.key_span,
                    resources: Vec::new(),
                    identity_name,
                });
            }
        }
    }
    None
}

/// The first `Allow` statement of a policy document whose actions include sending mail.
fn document_grant(document: &Node, resolver: &Resolver<'_>) -> Option<Grant> {
    let statements = document.get("Statement")?;
    let statements: Vec<&Node> = match statements.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![statements],
    };
    statements.into_iter().find_map(|statement| {
        if statement.get("Effect").and_then(Node::as_str) != Some("Allow") {
            return None;
        }
        let actions = statement.get("Action")?;
        let actions: Vec<&str> = match actions.as_seq() {
            Some(items) => items.iter().filter_map(Node::as_str).collect(),
            None => actions.as_str().into_iter().collect(),
        };
        if !actions.into_iter().any(sends_mail) {
            return None;
        }
        let resources: Vec<Text> = match statement.get("Resource") {
            Some(node) => match node.as_seq() {
                Some(items) => items
                    .iter()
                    .filter_map(|n| resolve_text(n, resolver))
                    .collect(),
                None => resolve_text(node, resolver).into_iter().collect(),
            },
            None => Vec::new(),
        };
        Some(Grant {
            // The actions are what grants sending; the whole statement may span many lines.
            span: statement.get("Action").map_or(statement.span, |a| a.span),
            resources,
            identity_name: None,
        })
    })
}

/// Whether an IAM action pattern allows `SendEmail` or `SendRawEmail` (SES v1 and v2 share the
/// `ses:` prefix). A bare `*` says nothing about mail and is not counted.
fn sends_mail(action: &str) -> bool {
    let lower = action.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("ses:") else {
        return false;
    };
    ["sendemail", "sendrawemail"]
        .iter()
        .any(|name| wildcard_match(rest, name))
}

/// IAM action globbing: `*` matches any run of characters, `?` one. Dynamic programming over
/// bytes, so a hostile pattern of many `*` stays linear in its length times the action's.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let text = text.as_bytes();
    // matched[j]: the pattern so far matches the first j bytes of the text.
    let mut matched = vec![false; text.len() + 1];
    matched[0] = true;
    for &p in pattern.as_bytes() {
        let mut next = vec![false; text.len() + 1];
        if p == b'*' {
            let mut any = false;
            for (j, slot) in next.iter_mut().enumerate() {
                any |= matched[j];
                *slot = any;
            }
        } else {
            for (j, &t) in text.iter().enumerate() {
                next[j + 1] = matched[j] && (p == b'?' || p == t);
            }
        }
        matched = next;
    }
    matched[text.len()]
}

fn resolve_text(node: &Node, resolver: &Resolver<'_>) -> Option<Text> {
    match resolver.resolve(node).into_iter().next()?.value? {
        Resolved::Str(text) => Some(text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{sends_mail, wildcard_match};

    #[test]
    fn mail_actions_of_ses_v1_and_v2() {
        for yes in [
            "ses:SendEmail",
            "ses:SendRawEmail",
            "SES:send*",
            "ses:*",
            "ses:Send?mail",
        ] {
            assert!(sends_mail(yes), "{yes}");
        }
        for no in [
            "*",
            "ses:SendBounce",
            "ses:GetTemplate",
            "sns:Publish",
            "ses:Send",
        ] {
            assert!(!sends_mail(no), "{no}");
        }
        assert!(wildcard_match("a*b*c", "aXXbYc"));
        assert!(!wildcard_match("a*b", "ab-c"));
        assert!(!wildcard_match(
            &format!("{}x", "*".repeat(10_000)),
            "sendemail"
        ));
        assert!(wildcard_match(&"*".repeat(10_000), "sendemail"));
    }
}

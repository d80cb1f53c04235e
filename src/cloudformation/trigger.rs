//! Cognito's other mail path in CloudFormation: a pool's Lambda triggers whose function's role
//! may send mail through SES ([`crate::extract::trigger`] says which triggers, who gets their
//! mail and which actions send).
//!
//! The link is followed inside one template only: pool `LambdaConfig` › function
//! (`AWS::Lambda::Function`, `AWS::Serverless::Function`, or a SAM function's `Cognito` event)
//! › its role › the policies that grant a mail action (inline `Policies`, `ManagedPolicyArns`,
//! `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` attached to the role, SAM `Policies` and
//! policy templates), with the `Deny`s of every resource among them taken into account.
//! `CustomMessage` is not followed: it only rewrites the text, Cognito still sends
//! (docs/domain.md#trigger-functions-that-send-mail).

use std::collections::HashMap;

use crate::cloudformation::resolve::Resolver;
use crate::extract::Language;
use crate::extract::trigger::{At, Trigger, TriggerSender, allowed_mail, mail_actions};
use crate::source::Span;
use crate::tree::{Document, Node};
use crate::value::{Resolved, Text, Truth};

/// SAM policy templates that allow mail actions on `identity/${IdentityName}`, with the
/// actions they allow. `SESEmailTemplateCrudPolicy` (template CRUD) and `SESSendBouncePolicy`
/// (`ses:SendBounce`, a bounce to a sender of received mail) grant none, so they are not
/// senders.
const SAM_SES_TEMPLATES: [(&str, &[&str]); 3] = [
    ("SESCrudPolicy", &["ses:SendEmail", "ses:SendRawEmail"]),
    (
        "SESBulkTemplatedCrudPolicy",
        &[
            "ses:SendEmail",
            "ses:SendRawEmail",
            "ses:SendTemplatedEmail",
            "ses:SendBulkTemplatedEmail",
        ],
    ),
    (
        "SESBulkTemplatedCrudPolicy_v2",
        &[
            "ses:SendEmail",
            "ses:SendRawEmail",
            "ses:SendTemplatedEmail",
            "ses:SendBulkTemplatedEmail",
        ],
    ),
];

/// The AWS managed policy that allows every SES action.
pub const SES_FULL_ACCESS: &str = "AmazonSESFullAccess";

/// One link from a pool to a function: (pool, pool span, trigger, trigger span, function).
type Link = (String, Span, Trigger, Span, String);

/// Every trigger of every pool of `document` (the template `file`) that may send through SES.
/// `notes` gives what is known of where a resource came from (the `Fn::ForEach` iteration).
pub fn trigger_senders(
    document: &Document,
    file: &str,
    resolver: &Resolver<'_>,
    notes: &HashMap<String, String>,
) -> Vec<TriggerSender> {
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
    let mut links: Vec<Link> = Vec::new();
    for entry in &resources.entries {
        let properties = entry.value.get("Properties");
        match entry.value.get("Type").and_then(Node::as_str) {
            Some("AWS::Cognito::UserPool") => pool_links(entry, properties, &mut links),
            Some("AWS::Serverless::Function") => {
                cognito_event_links(entry, properties, &resource, &mut links);
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
            language: Language::CloudFormation,
            note: notes.get(&pool).cloned(),
            pool,
            pool_at: At::new(file, pool_span),
            trigger,
            trigger_at: At::new(file, trigger_span),
            function,
            function_at: At::new(file, function_entry.key_span),
            role,
            grant_at: At::new(file, grant.span),
            resources: grant.resources,
            identity_name: grant.identity_name,
            admin_only,
        });
    }
    out
}

/// The functions a pool's `LambdaConfig` names, one link per trigger.
fn pool_links(entry: &crate::tree::Entry, properties: Option<&Node>, links: &mut Vec<Link>) {
    let Some(lambda) = properties
        .and_then(|p| p.get("LambdaConfig"))
        .and_then(Node::as_map)
    else {
        return;
    };
    for config in &lambda.entries {
        let Some(trigger) = Trigger::from_name(&config.key) else {
            continue;
        };
        // The custom senders and the versioned token trigger name their function in
        // `LambdaArn`.
        let node = match config.value.get("LambdaArn") {
            Some(arn) => arn,
            None => &config.value,
        };
        if let Some((function, span)) = function_ref(node) {
            links.push((entry.key.clone(), entry.key_span, trigger, span, function));
        }
    }
}

/// The pools a SAM function's `Cognito` events attach it to: SAM adds `LambdaConfig[Trigger]`
/// to the pool (docs/domain.md#trigger-functions-that-send-mail).
fn cognito_event_links<'t>(
    entry: &crate::tree::Entry,
    properties: Option<&Node>,
    resource: &dyn Fn(&str) -> Option<&'t crate::tree::Entry>,
    links: &mut Vec<Link>,
) {
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
        let Some(pool_entry) = resource(pool) else {
            continue;
        };
        let names: Vec<&Node> = match trigger_node.as_seq() {
            Some(items) => items.iter().collect(),
            None => vec![trigger_node],
        };
        for name in names {
            if let Some(trigger) = name.as_str().and_then(Trigger::from_name) {
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
    let statements = match &role {
        Some(role) => role_statements(index, attached, role, resolver),
        None if kind == Some("AWS::Serverless::Function") => props
            .and_then(|p| p.get("Policies"))
            .map(|p| sam_statements(p, resolver))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let grant = grant(statements)?;
    Some((role, grant))
}

/// A permission to send found in a policy.
#[derive(Clone)]
struct Grant {
    span: Span,
    resources: Vec<Text>,
    identity_name: Option<Text>,
}

/// One statement of the policies a function's role has, or what a policy template or a
/// managed policy amounts to.
struct Statement {
    allow: bool,
    actions: Vec<String>,
    /// Every resource: `Resource` absent, `*`, or a list holding `*`.
    everywhere: bool,
    grant: Grant,
}

/// The first `Allow` that grants a mail action the `Deny`s leave allowed.
fn grant(statements: Vec<Statement>) -> Option<Grant> {
    let allowed = allowed_mail(statements.iter().map(|s| {
        (
            s.allow,
            s.actions.iter().map(String::as_str).collect(),
            s.everywhere,
        )
    }));
    statements
        .into_iter()
        .filter(|s| s.allow)
        .find(|s| {
            s.actions
                .iter()
                .any(|a| mail_actions(a).any(|m| allowed.contains(&m)))
        })
        .map(|s| s.grant)
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

/// The statements of the role's inline `Policies`, its `ManagedPolicyArns`, and the
/// `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` resources whose `Roles` name it, in that
/// order.
fn role_statements(
    resources: &HashMap<&str, &crate::tree::Entry>,
    attached: &HashMap<&str, Vec<&Node>>,
    role: &str,
    resolver: &Resolver<'_>,
) -> Vec<Statement> {
    let mut out = Vec::new();
    let Some(role_props) = resources.get(role).map(|e| e.value.get("Properties")) else {
        return out;
    };
    let inline = role_props
        .and_then(|p| p.get("Policies"))
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("PolicyDocument"));
    for document in inline {
        out.extend(document_statements(document, resolver));
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
            out.push(everything(arn.span));
            continue;
        }
        let managed = ref_target(arn)
            .and_then(|id| resources.get(id))
            .map(|e| &e.value)
            .filter(|r| r.get("Type").and_then(Node::as_str) == Some("AWS::IAM::ManagedPolicy"));
        if let Some(document) = managed.and_then(|r| r.get_path(&["Properties", "PolicyDocument"]))
        {
            out.extend(document_statements(document, resolver));
        }
    }
    for document in attached.get(role).into_iter().flatten() {
        out.extend(document_statements(document, resolver));
    }
    out
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

/// `AmazonSESFullAccess`: every SES action on every resource.
fn everything(span: Span) -> Statement {
    Statement {
        allow: true,
        actions: vec!["ses:*".to_owned()],
        everywhere: true,
        grant: Grant {
            span,
            resources: vec![Text::lit("*")],
            identity_name: None,
        },
    }
}

/// SAM `Policies`: a policy name, a policy template, an inline document, or a list of them.
fn sam_statements(node: &Node, resolver: &Resolver<'_>) -> Vec<Statement> {
    let items: Vec<&Node> = match node.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    let mut out = Vec::new();
    for item in items {
        if item.as_str() == Some(SES_FULL_ACCESS)
            || item
                .as_str()
                .is_some_and(|a| a.ends_with(&format!("policy/{SES_FULL_ACCESS}")))
        {
            out.push(everything(item.span));
            continue;
        }
        if item.get("Statement").is_some() {
            out.extend(document_statements(item, resolver));
            continue;
        }
        let Some(map) = item.as_map() else { continue };
        for entry in &map.entries {
            let Some((_, actions)) = SAM_SES_TEMPLATES
                .iter()
                .find(|(name, _)| *name == entry.key)
            else {
                continue;
            };
            let identity_name = entry
                .value
                .get("IdentityName")
                .and_then(|n| resolve_text(n, resolver));
            out.push(Statement {
                allow: true,
                actions: actions.iter().map(|a| (*a).to_owned()).collect(),
                everywhere: false,
                grant: Grant {
                    span: entry.key_span,
                    resources: Vec::new(),
                    identity_name,
                },
            });
        }
    }
    out
}

/// The statements of a policy document whose actions are written as strings.
fn document_statements(document: &Node, resolver: &Resolver<'_>) -> Vec<Statement> {
    let Some(statements) = document.get("Statement") else {
        return Vec::new();
    };
    let statements: Vec<&Node> = match statements.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![statements],
    };
    statements
        .into_iter()
        .filter_map(|statement| {
            let allow = match statement.get("Effect").and_then(Node::as_str) {
                Some("Allow") => true,
                Some("Deny") => false,
                _ => return None,
            };
            let actions = statement.get("Action")?;
            let actions: Vec<String> = match actions.as_seq() {
                Some(items) => items
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_owned)
                    .collect(),
                None => actions.as_str().map(str::to_owned).into_iter().collect(),
            };
            let resource = statement.get("Resource");
            let everywhere = match resource {
                None => true,
                Some(node) => match node.as_seq() {
                    Some(items) => items.iter().any(|n| n.as_str() == Some("*")),
                    None => node.as_str() == Some("*"),
                },
            };
            // Only an `Allow` that grants mail needs its resources resolved.
            let resources: Vec<Text> = match (allow, resource) {
                (true, Some(node)) if actions.iter().any(|a| mail_actions(a).next().is_some()) => {
                    match node.as_seq() {
                        Some(items) => items
                            .iter()
                            .filter_map(|n| resolve_text(n, resolver))
                            .collect(),
                        None => resolve_text(node, resolver).into_iter().collect(),
                    }
                }
                _ => Vec::new(),
            };
            Some(Statement {
                allow,
                actions,
                everywhere,
                grant: Grant {
                    // The actions are what grants sending; the whole statement may span many
                    // lines.
                    span: statement.get("Action").map_or(statement.span, |a| a.span),
                    resources,
                    identity_name: None,
                },
            })
        })
        .collect()
}

fn resolve_text(node: &Node, resolver: &Resolver<'_>) -> Option<Text> {
    match resolver.resolve(node).into_iter().next()?.value? {
        Resolved::Str(text) => Some(text),
        _ => None,
    }
}

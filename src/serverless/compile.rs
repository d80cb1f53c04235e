//! A resolved Serverless Framework service as the CloudFormation template the framework
//! compiles from it, as far as sandtrap reads it: `resources` (`Resources`, `Outputs`,
//! `Conditions`, `Mappings`, `Parameters`, or a list of such), and what `functions:` add to the
//! mail path: each function (`<Name>LambdaFunction`) with its role, the shared role
//! `IamRoleLambdaExecution` with `provider.iam.role.statements` (the older
//! `provider.iamRoleStatements`) and managed policies, a function's own `iamRoleStatements` (the
//! `serverless-iam-roles-per-function` plugin's role), and the user pools its `cognitoUserPool`
//! events create or extend with their `LambdaConfig` triggers
//! (<https://www.serverless.com/framework/docs/providers/aws/events/cognito-user-pool>).
//!
//! Every node made keeps the span of what it was made from in the service file: a generated
//! pool its event's `pool`, a trigger its event's `trigger`, a role's policy the statements as
//! written.

use crate::extract::trigger::Trigger;
use crate::load::{LoadProblem, ProblemKind};
use crate::source::Span;
use crate::tree::{Entry, Map, Node, Value};

/// The sections of `resources` that are CloudFormation's.
const SECTIONS: [&str; 5] = [
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];

/// The shared execution role's logical id.
const DEFAULT_ROLE: &str = "IamRoleLambdaExecution";

/// The template, and what could not be compiled.
pub struct Compiled {
    pub root: Node,
    pub problems: Vec<LoadProblem>,
}

/// The template a resolved `service` compiles to.
pub fn compile(service: &Node) -> Compiled {
    let mut problems = Vec::new();
    let mut sections: Vec<(String, Span, Vec<Entry>)> = Vec::new();
    if let Some(entry) = service.as_map().and_then(|m| m.entry("resources")) {
        let parts: Vec<&Node> = match &entry.value.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![&entry.value],
        };
        for part in parts {
            match &part.value {
                Value::Map(map) => {
                    for section in &map.entries {
                        if SECTIONS.contains(&section.key.as_str()) {
                            merge_section(&mut sections, section, &mut problems);
                        }
                    }
                }
                Value::Unknown(reason) => problems.push(not_analyzed(
                    part.span,
                    format!(
                        "the `resources` of the service are {}: {}, so they were not analyzed",
                        variable_of(reason),
                        why_of(reason)
                    ),
                )),
                _ => {}
            }
        }
    }
    let mut generated = Generated::default();
    functions(service, &sections, &mut generated, &mut problems);
    let resources = match sections.iter_mut().find(|(k, _, _)| k == "Resources") {
        Some((_, _, entries)) => entries,
        None => {
            sections.push(("Resources".to_owned(), Span::default(), Vec::new()));
            let last = sections.len() - 1;
            &mut sections[last].2
        }
    };
    for (pool, config) in generated.pools {
        attach(resources, pool, config);
    }
    for entry in generated.resources {
        match resources.iter_mut().find(|e| e.key == entry.key) {
            // A resource the service declares itself under a generated name extends it: the
            // framework merges the two, the service's values winning.
            Some(existing) => existing.value = merged(&entry.value, &existing.value),
            None => resources.push(entry),
        }
    }
    let root = Node::new(
        service.span,
        Value::Map(Map {
            entries: sections
                .into_iter()
                .map(|(key, key_span, entries)| Entry {
                    key,
                    key_span,
                    value: Node::new(key_span, Value::Map(Map { entries })),
                })
                .collect(),
        }),
    );
    Compiled { root, problems }
}

/// Adds one section of `resources` to the template's, the later entries of a name winning.
fn merge_section(
    sections: &mut Vec<(String, Span, Vec<Entry>)>,
    section: &Entry,
    problems: &mut Vec<LoadProblem>,
) {
    let entries: Vec<Entry> = match &section.value.value {
        Value::Map(map) => map.entries.clone(),
        Value::Unknown(reason) => {
            problems.push(not_analyzed(
                section.value.span,
                format!(
                    "`resources.{}` is {}: {}, so it was not analyzed",
                    section.key,
                    variable_of(reason),
                    why_of(reason)
                ),
            ));
            return;
        }
        _ => return,
    };
    for entry in &entries {
        if let Value::Unknown(reason) = &entry.value.value {
            problems.push(not_analyzed(
                entry.value.span,
                format!(
                    "`{}` is {}: {}, so it was not analyzed",
                    entry.key,
                    variable_of(reason),
                    why_of(reason)
                ),
            ));
        }
    }
    match sections.iter_mut().find(|(k, _, _)| *k == section.key) {
        Some((_, _, existing)) => {
            for entry in entries {
                existing.retain(|e| e.key != entry.key);
                existing.push(entry);
            }
        }
        None => sections.push((section.key.clone(), section.key_span, entries)),
    }
}

/// What the functions add: resources, and triggers by pool.
#[derive(Default)]
struct Generated {
    resources: Vec<Entry>,
    /// Pool logical id → (where the first event names it, the pool's name, `LambdaConfig`
    /// entries).
    pools: Vec<(String, PoolConfig)>,
}

struct PoolConfig {
    span: Span,
    name: Node,
    lambda_config: Vec<Entry>,
}

/// The functions' resources, roles and pool triggers.
fn functions(
    service: &Node,
    sections: &[(String, Span, Vec<Entry>)],
    out: &mut Generated,
    problems: &mut Vec<LoadProblem>,
) {
    let Some(functions) = service.as_map().and_then(|m| m.entry("functions")) else {
        return;
    };
    let functions: Vec<&Entry> = match &functions.value.value {
        Value::Map(map) => map.entries.iter().collect(),
        // A list of maps (several files of functions).
        Value::Seq(items) => items
            .iter()
            .filter_map(Node::as_map)
            .flat_map(|m| m.entries.iter())
            .collect(),
        Value::Unknown(reason) => {
            problems.push(not_analyzed(
                functions.value.span,
                format!(
                    "the `functions` of the service are {}: {}, so their triggers were not analyzed",
                    variable_of(reason),
                    why_of(reason)
                ),
            ));
            return;
        }
        _ => return,
    };
    let declared = |id: &str| {
        sections
            .iter()
            .filter(|(k, _, _)| k == "Resources")
            .any(|(_, _, entries)| entries.iter().any(|e| e.key == id))
    };
    let provider = service.get("provider");
    let shared = shared_role(provider, &declared);
    let mut shared_used = false;
    for function in functions {
        let Some(body) = function.value.as_map().map(|_| &function.value) else {
            continue;
        };
        let name = &function.key;
        let logical_id = format!("{}LambdaFunction", function_name(name));
        let span = function.key_span;
        let role = match body.get("role") {
            Some(role) => role_value(role, &declared),
            None => match body.get("iamRoleStatements").and_then(Node::as_seq) {
                // The `serverless-iam-roles-per-function` plugin: the function's own role.
                Some(statements) => {
                    let id = format!("{}IamRoleLambdaExecution", function_name(name));
                    let mut all: Vec<Node> = statements.to_vec();
                    if body
                        .get("iamRoleStatementsInherit")
                        .is_some_and(|n| n.scalar_text().as_deref() == Some("true"))
                    {
                        all.extend(provider_statements(provider));
                    }
                    out.resources
                        .push(role_resource(&id, span, all, Vec::new()));
                    get_att(span, &id)
                }
                None => {
                    shared_used = true;
                    shared.clone()
                }
            },
        };
        out.resources.push(Entry {
            key: logical_id.clone(),
            key_span: span,
            value: resource(
                body.span,
                "AWS::Lambda::Function",
                vec![entry("Role", span, role)],
            ),
        });
        for event in body
            .get("events")
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
        {
            let Some(cognito) = event.get("cognitoUserPool") else {
                continue;
            };
            cognito_event(cognito, &logical_id, out, problems);
        }
    }
    if shared_used && let Some((id, node)) = shared_role_resource(provider) {
        out.resources.push(Entry {
            key: id,
            key_span: node.0,
            value: node.1,
        });
    }
}

/// The role functions use unless they name their own: `provider.iam.role` (or the older
/// `provider.role`) when it names a role, else the framework's `IamRoleLambdaExecution`.
fn shared_role(provider: Option<&Node>, declared: &dyn Fn(&str) -> bool) -> Node {
    let named = provider.and_then(|p| {
        p.get_path(&["iam", "role"])
            .filter(|r| r.as_map().is_none() || r.as_intrinsic().is_some())
            .or_else(|| p.get("role"))
    });
    match named {
        Some(role) => role_value(role, declared),
        None => get_att(provider.map_or(Span::default(), |p| p.span), DEFAULT_ROLE),
    }
}

/// `IamRoleLambdaExecution` with the provider's statements and managed policies, when the
/// framework makes it.
fn shared_role_resource(provider: Option<&Node>) -> Option<(String, (Span, Node))> {
    let provider = provider?;
    if provider
        .get_path(&["iam", "role"])
        .is_some_and(|r| r.as_map().is_none() || r.as_intrinsic().is_some())
        || provider.get("role").is_some()
    {
        return None;
    }
    let span = provider
        .get_path(&["iam", "role"])
        .or_else(|| provider.get("iamRoleStatements"))
        .map_or(provider.span, |n| n.span);
    let mut managed: Vec<Node> = Vec::new();
    for path in [
        &["iam", "role", "managedPolicies"][..],
        &["iamManagedPolicies"][..],
    ] {
        if let Some(items) = provider.get_path(path).and_then(Node::as_seq) {
            managed.extend(items.iter().cloned());
        }
    }
    let entry = role_resource(
        DEFAULT_ROLE,
        span,
        provider_statements(Some(provider)),
        managed,
    );
    Some((entry.key, (entry.key_span, entry.value)))
}

/// `provider.iam.role.statements` and the older `provider.iamRoleStatements`.
fn provider_statements(provider: Option<&Node>) -> Vec<Node> {
    let mut out = Vec::new();
    let Some(provider) = provider else {
        return out;
    };
    for path in [
        &["iam", "role", "statements"][..],
        &["iamRoleStatements"][..],
    ] {
        if let Some(items) = provider.get_path(path).and_then(Node::as_seq) {
            out.extend(items.iter().cloned());
        }
    }
    out
}

/// An `AWS::IAM::Role` whose inline policy holds `statements`.
fn role_resource(id: &str, span: Span, statements: Vec<Node>, managed: Vec<Node>) -> Entry {
    let document = Node::new(
        span,
        Value::Map(Map {
            entries: vec![
                entry("Version", span, string(span, "2012-10-17")),
                entry("Statement", span, Node::new(span, Value::Seq(statements))),
            ],
        }),
    );
    let policy = Node::new(
        span,
        Value::Map(Map {
            entries: vec![
                entry("PolicyName", span, string(span, "lambda")),
                entry("PolicyDocument", span, document),
            ],
        }),
    );
    let mut properties = vec![entry(
        "Policies",
        span,
        Node::new(span, Value::Seq(vec![policy])),
    )];
    if !managed.is_empty() {
        properties.push(entry(
            "ManagedPolicyArns",
            span,
            Node::new(span, Value::Seq(managed)),
        ));
    }
    Entry {
        key: id.to_owned(),
        key_span: span,
        value: resource(span, "AWS::IAM::Role", properties),
    }
}

/// A function's `role`: a role of the service by logical id (`Fn::GetAtt`), else the value as
/// written (an ARN, an intrinsic).
fn role_value(role: &Node, declared: &dyn Fn(&str) -> bool) -> Node {
    match role.as_str() {
        Some(id) if declared(id) => get_att(role.span, id),
        _ => role.clone(),
    }
}

/// One `cognitoUserPool` event: the trigger it adds to its pool.
fn cognito_event(
    event: &Node,
    function: &str,
    out: &mut Generated,
    problems: &mut Vec<LoadProblem>,
) {
    let (Some(pool), Some(trigger_node)) = (event.get("pool"), event.get("trigger")) else {
        return;
    };
    let (Some(pool_name), Some(trigger_name)) = (pool.scalar_text(), trigger_node.as_str()) else {
        if Trigger::from_name(trigger_node.as_str().unwrap_or_default()).is_some()
            || pool.scalar_text().is_none()
        {
            problems.push(not_analyzed(
                pool.span,
                "the pool of this `cognitoUserPool` event is not known, so its trigger was not analyzed"
                    .to_owned(),
            ));
        }
        return;
    };
    let existing = event
        .get("existing")
        .is_some_and(|n| n.scalar_text().as_deref() == Some("true"));
    let Some(trigger) = Trigger::from_name(trigger_name) else {
        return;
    };
    if existing {
        problems.push(not_analyzed(
            trigger_node.span,
            format!(
                "the {trigger_name} trigger of the existing pool `{pool_name}` is attached outside this service (`existing: true`), whose settings sandtrap cannot see: it was not judged"
            ),
        ));
        return;
    }
    let arn = get_att(trigger_node.span, function);
    let value = match trigger {
        Trigger::CustomEmailSender | Trigger::CustomSmsSender => Node::new(
            trigger_node.span,
            Value::Map(Map {
                entries: vec![
                    entry("LambdaArn", trigger_node.span, arn),
                    entry(
                        "LambdaVersion",
                        trigger_node.span,
                        string(trigger_node.span, "V1_0"),
                    ),
                ],
            }),
        ),
        _ => arn,
    };
    let id = format!("CognitoUserPool{}", alphanumeric_name(&pool_name));
    let config = match out.pools.iter_mut().find(|(p, _)| *p == id) {
        Some((_, config)) => config,
        None => {
            out.pools.push((
                id,
                PoolConfig {
                    span: pool.span,
                    name: pool.clone(),
                    lambda_config: Vec::new(),
                },
            ));
            let last = out.pools.len() - 1;
            &mut out.pools[last].1
        }
    };
    config
        .lambda_config
        .push(entry(trigger_name, trigger_node.span, value));
    if let Some(key) = event.get("kmsKeyId") {
        config
            .lambda_config
            .push(entry("KMSKeyID", key.span, key.clone()));
    }
}

/// Adds a pool's triggers: to the service's own resource of that name, whose values win, or
/// to the pool the framework creates.
fn attach(resources: &mut Vec<Entry>, id: String, config: PoolConfig) {
    let generated = resource(
        config.span,
        "AWS::Cognito::UserPool",
        vec![
            entry("UserPoolName", config.span, config.name.clone()),
            entry(
                "LambdaConfig",
                config.span,
                Node::new(
                    config.span,
                    Value::Map(Map {
                        entries: config.lambda_config,
                    }),
                ),
            ),
        ],
    );
    match resources.iter_mut().find(|e| e.key == id) {
        Some(existing) => existing.value = merged(&generated, &existing.value),
        None => resources.push(Entry {
            key: id,
            key_span: config.span,
            value: generated,
        }),
    }
}

/// `base` with `over` merged into it (lodash's `merge`, as the framework uses): mappings merged
/// key by key, anything else replaced. The result keeps `over`'s span.
fn merged(base: &Node, over: &Node) -> Node {
    match (&base.value, &over.value) {
        (Value::Map(a), Value::Map(b))
            if base.as_intrinsic().is_none() && over.as_intrinsic().is_none() =>
        {
            let mut entries = a.entries.clone();
            for entry in &b.entries {
                match entries.iter_mut().find(|e| e.key == entry.key) {
                    Some(existing) => {
                        existing.value = merged(&existing.value, &entry.value);
                        existing.key_span = entry.key_span;
                    }
                    None => entries.push(entry.clone()),
                }
            }
            Node::new(over.span, Value::Map(Map { entries }))
        }
        _ => over.clone(),
    }
}

fn resource(span: Span, kind: &str, properties: Vec<Entry>) -> Node {
    Node::new(
        span,
        Value::Map(Map {
            entries: vec![
                entry("Type", span, string(span, kind)),
                entry(
                    "Properties",
                    span,
                    Node::new(
                        span,
                        Value::Map(Map {
                            entries: properties,
                        }),
                    ),
                ),
            ],
        }),
    )
}

fn entry(key: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: key.to_owned(),
        key_span,
        value,
    }
}

fn string(span: Span, text: &str) -> Node {
    Node::new(span, Value::String(text.to_owned()))
}

/// `{Fn::GetAtt: [id, Arn]}`.
fn get_att(span: Span, id: &str) -> Node {
    Node::new(
        span,
        Value::Map(Map {
            entries: vec![entry(
                "Fn::GetAtt",
                span,
                Node::new(
                    span,
                    Value::Seq(vec![string(span, id), string(span, "Arn")]),
                ),
            )],
        }),
    )
}

fn not_analyzed(span: Span, message: String) -> LoadProblem {
    LoadProblem {
        kind: ProblemKind::NotAnalyzed,
        span,
        message,
        related: None,
    }
}

fn variable_of(reason: &crate::value::UnknownReason) -> String {
    format!("`{reason}`")
}

fn why_of(reason: &crate::value::UnknownReason) -> String {
    match reason {
        crate::value::UnknownReason::Serverless { why, supply, .. } => format!("{why}; {supply}"),
        other => other.to_string(),
    }
}

/// The framework's name of a function in logical ids: `-` as `Dash`, `_` as `Underscore`, the
/// first letter capitalized.
pub fn function_name(name: &str) -> String {
    upper_first(&name.replace('-', "Dash").replace('_', "Underscore"))
}

/// A name with only its letters and digits, the first capitalized (a pool's logical id).
pub fn alphanumeric_name(name: &str) -> String {
    upper_first(
        &name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>(),
    )
}

fn upper_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_framework_makes_them() {
        assert_eq!(
            function_name("send-welcome_mail"),
            "SendDashwelcomeUnderscoremail"
        );
        assert_eq!(alphanumeric_name("my-user pool"), "Myuserpool");
    }

    fn compiled(service: &str) -> Compiled {
        let document = crate::load::yaml::load(service).document.unwrap();
        compile(&document.root)
    }

    #[test]
    fn a_cognito_event_creates_its_pool_with_the_trigger_and_the_role() {
        let service = "service: s\nprovider:\n  name: aws\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: ses:SendEmail\n          Resource: '*'\nfunctions:\n  welcome:\n    handler: h.js\n    events:\n      - cognitoUserPool:\n          pool: users\n          trigger: PostConfirmation\n";
        let out = compiled(service);
        assert!(out.problems.is_empty());
        let resources = out.root.get("Resources").unwrap();
        let pool = resources.get("CognitoUserPoolUsers").unwrap();
        assert_eq!(
            pool.get_path(&[
                "Properties",
                "LambdaConfig",
                "PostConfirmation",
                "Fn::GetAtt"
            ])
            .and_then(Node::as_seq)
            .and_then(|s| s[0].as_str()),
            Some("WelcomeLambdaFunction")
        );
        let role = resources.get(DEFAULT_ROLE).unwrap();
        let statement = role
            .get_path(&["Properties", "Policies"])
            .and_then(Node::as_seq)
            .and_then(|p| p[0].get_path(&["PolicyDocument", "Statement"]))
            .and_then(Node::as_seq)
            .unwrap();
        assert_eq!(
            statement[0].get("Action").and_then(Node::as_str),
            Some("ses:SendEmail")
        );
        // The span of the statement is the service file's.
        assert_eq!(
            &service[statement[0].get("Action").unwrap().span.range()],
            "ses:SendEmail"
        );
    }

    #[test]
    fn a_declared_pool_is_extended_and_its_own_values_win() {
        let service = "service: s\nprovider: {name: aws}\nfunctions:\n  pre:\n    handler: h.js\n    role: MailRole\n    events:\n      - cognitoUserPool: {pool: Users, trigger: PreSignUp}\n      - cognitoUserPool: {pool: Old, trigger: PreSignUp, existing: true}\nresources:\n  Resources:\n    MailRole:\n      Type: AWS::IAM::Role\n    CognitoUserPoolUsers:\n      Type: AWS::Cognito::UserPool\n      Properties:\n        AutoVerifiedAttributes: [email]\n";
        let out = compiled(service);
        let resources = out.root.get("Resources").unwrap();
        let pool = resources.get("CognitoUserPoolUsers").unwrap();
        assert!(
            pool.get_path(&["Properties", "AutoVerifiedAttributes"])
                .is_some()
        );
        assert!(
            pool.get_path(&["Properties", "LambdaConfig", "PreSignUp"])
                .is_some()
        );
        let function = resources.get("PreLambdaFunction").unwrap();
        assert_eq!(
            function
                .get_path(&["Properties", "Role", "Fn::GetAtt"])
                .and_then(Node::as_seq)
                .and_then(|s| s[0].as_str()),
            Some("MailRole")
        );
        // The existing pool is said, not judged.
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].message.contains("existing pool `Old`"));
        assert!(resources.get("CognitoUserPoolOld").is_none());
    }
}

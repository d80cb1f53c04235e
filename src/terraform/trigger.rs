//! Cognito's other mail path in Terraform: a pool's `lambda_config` trigger whose function's
//! role may send mail through SES ([`crate::extract::trigger`] says which triggers, who gets
//! their mail and which actions send).
//!
//! The link is followed inside one module instance, by reference:
//! `aws_cognito_user_pool` `lambda_config { post_confirmation = aws_lambda_function.x.arn }`
//! (or an `aws_lambda_alias` of it) › the function's `role` (`aws_iam_role.r.arn`) › the
//! policies of that role: its `inline_policy` blocks and `managed_policy_arns`,
//! `aws_iam_role_policy`, `aws_iam_role_policy_attachment` and `aws_iam_policy_attachment`
//! naming it (by reference, or by the role's literal `name`), the attached `aws_iam_policy`, and
//! the AWS managed `AmazonSESFullAccess`. A policy is read from `jsonencode({...})`, a JSON
//! string or heredoc, or an `aws_iam_policy_document` data source's `statement` blocks.
//! Functions, roles and policies of other modules, and whatever is attached outside the
//! configuration, are not seen.

use super::extract::address;
use super::instance::{Expansion, Instance};
use super::module::{Mode, Resource};
use super::syntax::{Expr, Part, Step};
use crate::extract::Language;
use crate::extract::trigger::{At, Trigger, TriggerSender, allowed_mail, mail_actions};
use crate::value::{Resolved, Text, Truth};

/// The AWS managed policy that allows every SES action.
const SES_FULL_ACCESS: &str = "AmazonSESFullAccess";

/// How many policies deep a `policy` naming another policy's is followed.
const MAX_POLICY_DEPTH: usize = 8;

/// The root names of an expression that are not resources.
const NOT_RESOURCES: [&str; 9] = [
    "var",
    "local",
    "module",
    "each",
    "count",
    "path",
    "self",
    "terraform",
    "data",
];

/// The trigger senders of one instance of a pool resource.
pub fn trigger_senders(
    instance: &Instance<'_>,
    pool: &Resource,
    expansion: &Expansion,
) -> Vec<TriggerSender> {
    let mut out = Vec::new();
    let Some(config) = pool.body.blocks("lambda_config").next() else {
        return out;
    };
    let admin_only = admin_only(instance, pool, expansion);
    let file = instance.file_name(pool.file).to_owned();
    for trigger in Trigger::ALL {
        // The custom senders and the versioned token trigger are blocks with `lambda_arn`.
        let block = match trigger {
            Trigger::PreTokenGeneration => "pre_token_generation_config",
            other => other.terraform(),
        };
        let attr = config.body.attribute(trigger.terraform()).or_else(|| {
            config
                .body
                .blocks(block)
                .next()
                .and_then(|b| b.body.attribute("lambda_arn"))
        });
        let Some(attr) = attr else { continue };
        let Some(function) = function_of(instance, &attr.expr) else {
            continue;
        };
        let Some((role, grant)) = function_grant(instance, function) else {
            continue;
        };
        out.push(TriggerSender {
            language: Language::Terraform,
            pool: address(instance, pool, expansion.key.as_ref()),
            pool_at: At::new(&file, pool.header_span),
            trigger,
            trigger_at: At::new(&file, attr.expr.span()),
            function: address(instance, function, None),
            function_at: At::new(instance.file_name(function.file), function.header_span),
            role: Some(address(instance, role, None)),
            grant_at: grant.at,
            resources: grant.resources,
            identity_name: None,
            admin_only,
            note: None,
        });
    }
    out
}

/// `admin_create_user_config { allow_admin_create_user_only = ... }` of this instance.
fn admin_only(instance: &Instance<'_>, pool: &Resource, expansion: &Expansion) -> Truth {
    let Some(attr) = pool
        .body
        .blocks("admin_create_user_config")
        .next()
        .and_then(|b| b.body.attribute("allow_admin_create_user_only"))
    else {
        return Truth::False;
    };
    let choices = instance
        .evaluator(pool.file, expansion.iterators.clone())
        .eval(&attr.expr);
    let truths: Vec<Truth> = choices
        .iter()
        .map(|c| super::eval::truth(&c.value))
        .collect();
    match truths.as_slice() {
        [first, rest @ ..] if rest.iter().all(|t| t == first) => *first,
        _ => Truth::Unknown,
    }
}

/// Calls `f(mode, kind, name)` for every resource or data source `expr` refers to
/// (`aws_lambda_function.x.arn`, `data.aws_iam_policy_document.d.json`), in source order.
fn collect(expr: &Expr, f: &mut dyn FnMut(Mode, &str, &str)) {
    match expr {
        Expr::Traversal(root, steps, _) => {
            if let Expr::Variable(root_name, _) = root.as_ref() {
                let attr = |i: usize| match steps.get(i) {
                    Some(Step::Attr(name)) => Some(name.as_str()),
                    _ => None,
                };
                match (root_name.as_str(), attr(0), attr(1)) {
                    ("data", Some(kind), Some(name)) => f(Mode::Data, kind, name),
                    (kind, Some(name), _) if !NOT_RESOURCES.contains(&kind) => {
                        f(Mode::Managed, kind, name);
                    }
                    _ => {}
                }
            } else {
                collect(root, f);
            }
            for step in steps {
                if let Step::Index(index) = step {
                    collect(index, f);
                }
            }
        }
        Expr::Template(parts, _) => collect_parts(parts, f),
        Expr::Tuple(items, _) => items.iter().for_each(|e| collect(e, f)),
        Expr::Object(entries, _) => {
            for (k, v) in entries {
                collect(k, f);
                collect(v, f);
            }
        }
        Expr::Call { args, .. } => args.iter().for_each(|e| collect(e, f)),
        Expr::Conditional(c, a, b, _) => {
            collect(c, f);
            collect(a, f);
            collect(b, f);
        }
        Expr::Unary(_, e, _) => collect(e, f),
        Expr::Binary(_, a, b, _) => {
            collect(a, f);
            collect(b, f);
        }
        Expr::For(for_expr) => {
            collect(&for_expr.collection, f);
            collect(&for_expr.value, f);
        }
        Expr::Null(_)
        | Expr::Bool(..)
        | Expr::Number(..)
        | Expr::Variable(..)
        | Expr::Invalid(..) => {}
    }
}

fn collect_parts(parts: &[Part], f: &mut dyn FnMut(Mode, &str, &str)) {
    for part in parts {
        match part {
            Part::Literal(_) => {}
            Part::Interpolation(e) => collect(e, f),
            Part::If {
                condition,
                then,
                otherwise,
            } => {
                collect(condition, f);
                collect_parts(then, f);
                collect_parts(otherwise, f);
            }
            Part::For {
                collection, body, ..
            } => {
                collect(collection, f);
                collect_parts(body, f);
            }
        }
    }
}

/// The resources of `kinds` an expression refers to, in source order.
fn referred<'a>(
    instance: &'a Instance<'_>,
    expr: &Expr,
    mode: Mode,
    kinds: &[&str],
) -> Vec<&'a Resource> {
    let module: &'a super::module::Module = &instance.module;
    let mut out: Vec<&'a Resource> = Vec::new();
    collect(expr, &mut |m, kind, name| {
        if m != mode || !kinds.contains(&kind) {
            return;
        }
        if let Some(resource) = module.resource(m, kind, name)
            && !out.iter().any(|r| std::ptr::eq(*r, resource))
        {
            out.push(resource);
        }
    });
    out
}

/// The function a trigger names: `aws_lambda_function.x.arn`, or an alias of it.
fn function_of<'a>(instance: &'a Instance<'_>, expr: &Expr) -> Option<&'a Resource> {
    let named = referred(
        instance,
        expr,
        Mode::Managed,
        &["aws_lambda_function", "aws_lambda_alias"],
    );
    let first = *named.first()?;
    if first.kind == "aws_lambda_function" {
        return Some(first);
    }
    let target = first.body.attribute("function_name")?;
    referred(
        instance,
        &target.expr,
        Mode::Managed,
        &["aws_lambda_function"],
    )
    .first()
    .copied()
}

/// A permission to send found in a policy.
struct Grant {
    at: At,
    resources: Vec<Text>,
}

/// One statement of the policies of a function's role (or what a managed policy amounts to).
struct Statement {
    allow: bool,
    actions: Vec<String>,
    /// Every resource: `Resource` absent, `*`, or a list holding `*`.
    everywhere: bool,
    resources: Vec<Text>,
    at: At,
}

/// The function's role and the first `Allow` of its policies that grants a mail action the
/// `Deny`s leave allowed.
fn function_grant<'a>(
    instance: &'a Instance<'_>,
    function: &Resource,
) -> Option<(&'a Resource, Grant)> {
    let role_attr = function.body.attribute("role")?;
    let role = *referred(instance, &role_attr.expr, Mode::Managed, &["aws_iam_role"]).first()?;
    let statements = role_statements(instance, role);
    let allowed = allowed_mail(statements.iter().map(|s| {
        (
            s.allow,
            s.actions.iter().map(String::as_str).collect(),
            s.everywhere,
        )
    }));
    let statement = statements.into_iter().filter(|s| s.allow).find(|s| {
        s.actions
            .iter()
            .any(|a| mail_actions(a).any(|m| allowed.contains(&m)))
    })?;
    Some((
        role,
        Grant {
            at: statement.at,
            resources: statement.resources,
        },
    ))
}

/// Every statement of the policies `role` has in this module instance.
fn role_statements(instance: &Instance<'_>, role: &Resource) -> Vec<Statement> {
    let mut out = Vec::new();
    for block in role.body.blocks("inline_policy") {
        if let Some(policy) = block.body.attribute("policy") {
            out.extend(policy_statements(instance, role.file, &policy.expr, 0));
        }
    }
    if let Some(arns) = role.body.attribute("managed_policy_arns") {
        out.extend(attached(instance, role.file, &arns.expr));
    }
    let role_name = role
        .body
        .attribute("name")
        .and_then(|a| known(instance, role.file, &a.expr));
    for resource in &instance.module.resources {
        if resource.mode != Mode::Managed {
            continue;
        }
        let names_role = |attribute: &str| {
            resource.body.attribute(attribute).is_some_and(|attr| {
                referred(instance, &attr.expr, Mode::Managed, &["aws_iam_role"])
                    .iter()
                    .any(|r| std::ptr::eq(*r, role))
                    || role_name.as_ref().is_some_and(|name| {
                        strings(instance, resource.file, &attr.expr).contains(name)
                    })
            })
        };
        match resource.kind.as_str() {
            "aws_iam_role_policy" if names_role("role") => {
                if let Some(policy) = resource.body.attribute("policy") {
                    out.extend(policy_statements(instance, resource.file, &policy.expr, 0));
                }
            }
            "aws_iam_role_policy_attachment" if names_role("role") => {
                if let Some(arn) = resource.body.attribute("policy_arn") {
                    out.extend(attached(instance, resource.file, &arn.expr));
                }
            }
            "aws_iam_policy_attachment" if names_role("roles") => {
                if let Some(arn) = resource.body.attribute("policy_arn") {
                    out.extend(attached(instance, resource.file, &arn.expr));
                }
            }
            _ => {}
        }
    }
    out
}

/// The statements of the policies an ARN expression attaches: `aws_iam_policy` resources of
/// the module, and `AmazonSESFullAccess`.
fn attached(instance: &Instance<'_>, file: usize, expr: &Expr) -> Vec<Statement> {
    let mut out = Vec::new();
    for policy in referred(instance, expr, Mode::Managed, &["aws_iam_policy"]) {
        if let Some(document) = policy.body.attribute("policy") {
            out.extend(policy_statements(instance, policy.file, &document.expr, 1));
        }
    }
    let at = At::new(instance.file_name(file), expr.span());
    if strings(instance, file, expr)
        .iter()
        .any(|arn| arn.ends_with(&format!("policy/{SES_FULL_ACCESS}")))
    {
        out.push(Statement {
            allow: true,
            actions: vec!["ses:*".to_owned()],
            everywhere: true,
            resources: vec![Text::lit("*")],
            at,
        });
    }
    out
}

/// The statements of a `policy` argument.
fn policy_statements(
    instance: &Instance<'_>,
    file: usize,
    expr: &Expr,
    depth: usize,
) -> Vec<Statement> {
    if depth > MAX_POLICY_DEPTH {
        return Vec::new();
    }
    let at = At::new(instance.file_name(file), expr.span());
    // `jsonencode({...})`: the object itself, so that unknown parts (an identity's ARN) stay
    // holes instead of hiding the whole text.
    if let Expr::Call { name, args, .. } = expr
        && name == "jsonencode"
        && let [document] = args.as_slice()
    {
        return first_value(instance, file, document)
            .map(|value| document_statements(&value, &at))
            .unwrap_or_default();
    }
    if let Some(data) = referred(instance, expr, Mode::Data, &["aws_iam_policy_document"]).first() {
        return policy_document(instance, data);
    }
    if let Some(policy) = referred(instance, expr, Mode::Managed, &["aws_iam_policy"]).first() {
        return match policy.body.attribute("policy") {
            Some(document) => policy_statements(instance, policy.file, &document.expr, depth + 1),
            None => Vec::new(),
        };
    }
    // A JSON string or heredoc.
    let Some(text) = known(instance, file, expr) else {
        return Vec::new();
    };
    let Some(document) = crate::load::json::load(&text).document else {
        return Vec::new();
    };
    document_statements(&tree_value(&document.root), &at)
}

/// The statements of an IAM policy document as a value (`{Statement: [...]}`).
fn document_statements(document: &Resolved, at: &At) -> Vec<Statement> {
    let statements = match get(document, "Statement") {
        Some(Resolved::List(items)) => items.iter().collect(),
        Some(single @ Resolved::Map(_)) => vec![single],
        _ => Vec::new(),
    };
    statements
        .into_iter()
        .filter_map(|statement| {
            let allow = match get(statement, "Effect").and_then(text_of).as_deref() {
                Some("Allow") => true,
                Some("Deny") => false,
                _ => return None,
            };
            let actions = texts(get(statement, "Action")?)
                .iter()
                .filter_map(Text::known)
                .collect();
            let resources = get(statement, "Resource").map(texts);
            Some(Statement {
                allow,
                actions,
                everywhere: resources
                    .as_ref()
                    .is_none_or(|r| r.iter().any(|t| t.known().as_deref() == Some("*"))),
                resources: resources.unwrap_or_default(),
                at: at.clone(),
            })
        })
        .collect()
}

/// The `statement` blocks of an `aws_iam_policy_document` data source (`effect` defaults to
/// `Allow`).
fn policy_document(instance: &Instance<'_>, data: &Resource) -> Vec<Statement> {
    let file = instance.file_name(data.file).to_owned();
    data.body
        .blocks("statement")
        .filter_map(|block| {
            let allow = match block
                .body
                .attribute("effect")
                .and_then(|a| known(instance, data.file, &a.expr))
                .as_deref()
            {
                None | Some("Allow") => true,
                Some("Deny") => false,
                Some(_) => return None,
            };
            let actions_attr = block.body.attribute("actions")?;
            let actions = first_value(instance, data.file, &actions_attr.expr)
                .map(|v| texts(&v).iter().filter_map(Text::known).collect())
                .unwrap_or_default();
            let resources = block
                .body
                .attribute("resources")
                .and_then(|a| first_value(instance, data.file, &a.expr))
                .map(|v| texts(&v));
            Some(Statement {
                allow,
                actions,
                everywhere: resources
                    .as_ref()
                    .is_none_or(|r| r.iter().any(|t| t.known().as_deref() == Some("*"))),
                resources: resources.unwrap_or_default(),
                at: At::new(&file, actions_attr.expr.span()),
            })
        })
        .collect()
}

/// The value of an expression under the first of its conditions.
fn first_value(instance: &Instance<'_>, file: usize, expr: &Expr) -> Option<Resolved> {
    instance
        .evaluator(file, Vec::new())
        .eval(expr)
        .into_iter()
        .next()
        .map(|c| c.value)
}

/// The known string an expression evaluates to under every condition.
fn known(instance: &Instance<'_>, file: usize, expr: &Expr) -> Option<String> {
    let choices = instance.evaluator(file, Vec::new()).eval(expr);
    let mut values = choices.iter().map(|c| super::eval::known_string(&c.value));
    let first = values.next()??;
    values
        .all(|v| v.as_deref() == Some(&first))
        .then_some(first)
}

/// The known strings an expression (a string or a list of them) evaluates to.
fn strings(instance: &Instance<'_>, file: usize, expr: &Expr) -> Vec<String> {
    instance
        .evaluator(file, Vec::new())
        .eval(expr)
        .iter()
        .flat_map(|c| texts(&c.value))
        .filter_map(|t| t.known())
        .collect()
}

fn get<'v>(value: &'v Resolved, key: &str) -> Option<&'v Resolved> {
    match value {
        Resolved::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn text_of(value: &Resolved) -> Option<String> {
    super::eval::known_string(value)
}

/// A string, or a list of them, as texts (unknown parts kept as holes).
fn texts(value: &Resolved) -> Vec<Text> {
    match value {
        Resolved::Str(t) => vec![t.clone()],
        Resolved::List(items) => items
            .iter()
            .filter_map(|i| match i {
                Resolved::Str(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A JSON document's tree as a value.
fn tree_value(node: &crate::tree::Node) -> Resolved {
    use crate::tree::Value;
    match &node.value {
        Value::Null => Resolved::Null,
        Value::Bool(b) => Resolved::Bool(*b),
        Value::Number(n) => Resolved::Number(n.clone()),
        Value::String(s) => Resolved::Str(Text::lit(s.clone())),
        Value::Seq(items) => Resolved::List(items.iter().map(tree_value).collect()),
        Value::Map(map) => Resolved::Map(
            map.entries
                .iter()
                .map(|e| (e.key.clone(), tree_value(&e.value)))
                .collect(),
        ),
        _ => Resolved::Null,
    }
}

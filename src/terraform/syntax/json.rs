//! JSON syntax (`.tf.json`, `.tofu.json`, CDK for Terraform's `cdk.tf.json`): objects nested
//! by block labels, strings parsed as templates.

use super::native::native_parts;
use super::{Attribute, Block, Body, Expr, ForExpr, Part, Step};
use crate::source::Span;
use crate::tree::{Node, Value};

/// The block types JSON syntax nests with labels, and how many.
pub(super) fn labels_of(kind: &str) -> Option<usize> {
    Some(match kind {
        "resource" | "data" => 2,
        "variable" | "output" | "module" | "provider" => 1,
        "locals" | "terraform" => 0,
        _ => return None,
    })
}

/// Nested block types of the resources and providers sandtrap reads: in JSON syntax a key is a
/// block or an attribute only by the schema, and these are the blocks.
const NESTED_BLOCKS: &[&str] = &[
    "email_configuration",
    "admin_create_user_config",
    "account_recovery_setting",
    "recovery_mechanism",
    "lambda_config",
    "custom_email_sender",
    "custom_sms_sender",
    "email_mfa_configuration",
    "account_takeover_risk_configuration",
    "notify_configuration",
    "block_email",
    "mfa_email",
    "no_action_email",
    "actions",
    "dynamic",
    "content",
    "lifecycle",
    "assume_role",
    "default_tags",
    "validation",
    "statement",
    "principals",
    "condition",
];

/// JSON syntax: a file's root object as a body.
pub fn json_body(root: &Node, text: &str) -> Body {
    let mut body = Body::default();
    let Some(map) = root.as_map() else {
        return body;
    };
    for entry in &map.entries {
        if entry.key == "//" {
            continue;
        }
        match labels_of(&entry.key) {
            Some(count) => {
                for value in items(&entry.value) {
                    json_labelled(
                        &entry.key,
                        entry.key_span,
                        count,
                        value,
                        &mut Vec::new(),
                        text,
                        &mut body,
                    );
                }
            }
            None => body.attributes.push(Attribute {
                name: entry.key.clone(),
                name_span: entry.key_span,
                expr: json_expr(&entry.value, text),
            }),
        }
    }
    body
}

/// An object or an array of objects (JSON syntax writes repeated blocks as arrays).
pub(super) fn items(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    }
}

pub(super) fn json_labelled(
    kind: &str,
    kind_span: Span,
    remaining: usize,
    node: &Node,
    labels: &mut Vec<(String, Span)>,
    text: &str,
    out: &mut Body,
) {
    if remaining == 0 {
        let header_end = labels.last().map_or(kind_span.end, |(_, s)| s.end);
        let construct_path = node
            .get_path(&["//", "metadata", "path"])
            .and_then(Node::as_str)
            .map(str::to_owned);
        out.blocks.push(Block {
            kind: kind.to_owned(),
            header_span: Span {
                start: kind_span.start,
                end: header_end.max(kind_span.start),
            },
            labels: labels.clone(),
            body: json_block_body(kind, node, text),
            span: node.span,
            construct_path,
        });
        return;
    }
    let Some(map) = node.as_map() else {
        return;
    };
    for entry in &map.entries {
        if entry.key == "//" {
            continue;
        }
        labels.push((entry.key.clone(), entry.key_span));
        for value in items(&entry.value) {
            json_labelled(kind, kind_span, remaining - 1, value, labels, text, out);
        }
        labels.pop();
    }
}

/// A block's body in JSON syntax: known nested block types become blocks, the rest attributes.
/// A variable's `default` and a `locals`-free literal are values, not templates.
pub(super) fn json_block_body(kind: &str, node: &Node, text: &str) -> Body {
    let mut body = Body::default();
    let Some(map) = node.as_map() else {
        return body;
    };
    for entry in &map.entries {
        if entry.key == "//" {
            continue;
        }
        let block = NESTED_BLOCKS.contains(&entry.key.as_str())
            && items(&entry.value).iter().all(|n| n.as_map().is_some());
        if kind == "module" && entry.key == "providers" || !block {
            let expr = match kind == "variable" && entry.key == "default" {
                true => json_literal(&entry.value),
                false => json_expr(&entry.value, text),
            };
            body.attributes.push(Attribute {
                name: entry.key.clone(),
                name_span: entry.key_span,
                expr,
            });
            continue;
        }
        if entry.key == "dynamic" {
            // `"dynamic": {"name": {"for_each": ..., "content": {...}}}`.
            if let Some(kinds) = entry.value.as_map() {
                for kind_entry in &kinds.entries {
                    for value in items(&kind_entry.value) {
                        body.blocks.push(Block {
                            kind: "dynamic".to_owned(),
                            header_span: entry.key_span.cover(kind_entry.key_span),
                            labels: vec![(kind_entry.key.clone(), kind_entry.key_span)],
                            body: json_block_body("dynamic", value, text),
                            span: value.span,
                            construct_path: None,
                        });
                    }
                }
            }
            continue;
        }
        for value in items(&entry.value) {
            body.blocks.push(Block {
                kind: entry.key.clone(),
                header_span: entry.key_span,
                labels: Vec::new(),
                body: json_block_body(&entry.key, value, text),
                span: value.span,
                construct_path: None,
            });
        }
    }
    body
}

/// A JSON value as an expression: strings are templates.
pub fn json_expr(node: &Node, text: &str) -> Expr {
    let span = node.span;
    match &node.value {
        Value::Null => Expr::Null(span),
        Value::Bool(b) => Expr::Bool(*b, span),
        Value::Number(n) => Expr::Number(n.clone(), span),
        Value::String(s) => json_template(s, span, text),
        Value::Seq(items) => Expr::Tuple(items.iter().map(|n| json_expr(n, text)).collect(), span),
        Value::Map(map) => Expr::Object(
            map.entries
                .iter()
                .filter(|e| e.key != "//")
                .map(|e| {
                    let key = Expr::Template(vec![Part::Literal(e.key.clone())], e.key_span);
                    (key, json_expr(&e.value, text))
                })
                .collect(),
            span,
        ),
        Value::Tagged(_, inner) => json_expr(inner, text),
        Value::Unknown(reason) => Expr::Invalid(reason.to_string(), span),
    }
}

/// A JSON value taken literally (a variable's `default`).
pub(super) fn json_literal(node: &Node) -> Expr {
    let span = node.span;
    match &node.value {
        Value::Null => Expr::Null(span),
        Value::Bool(b) => Expr::Bool(*b, span),
        Value::Number(n) => Expr::Number(n.clone(), span),
        Value::String(s) => Expr::Template(vec![Part::Literal(s.clone())], span),
        Value::Seq(items) => Expr::Tuple(items.iter().map(json_literal).collect(), span),
        Value::Map(map) => Expr::Object(
            map.entries
                .iter()
                .map(|e| {
                    let key = Expr::Template(vec![Part::Literal(e.key.clone())], e.key_span);
                    (key, json_literal(&e.value))
                })
                .collect(),
            span,
        ),
        Value::Tagged(_, inner) => json_literal(inner),
        Value::Unknown(reason) => Expr::Invalid(reason.to_string(), span),
    }
}

/// A JSON-syntax string as a template (`"${var.region}"`). Its parts point into the string
/// when the source spells it without escapes, else at the whole string.
pub(super) fn json_template(content: &str, span: Span, text: &str) -> Expr {
    if !content.contains("${") && !content.contains("%{") {
        return Expr::Template(vec![Part::Literal(content.to_owned())], span);
    }
    let inner = text
        .get(span.start as usize + 1..(span.end as usize).saturating_sub(1))
        .filter(|raw| *raw == content);
    match hcl_edit::parser::parse_template(content) {
        Ok(template) => {
            let parts = native_parts(&template, Span::default());
            // Parsed alone, the template's spans are offsets into the string's content: moved to
            // where it sits in the file, or the whole string where escapes make them inexact.
            let place = |s: Span| match inner {
                Some(_) => Span {
                    start: s.start + span.start + 1,
                    end: s.end + span.start + 1,
                },
                None => span,
            };
            Expr::Template(
                parts.into_iter().map(|p| map_part(p, &place)).collect(),
                span,
            )
        }
        Err(err) => Expr::Invalid(format!("not a template: {}", err.message()), span),
    }
}

pub(super) fn map_part(part: Part, f: &dyn Fn(Span) -> Span) -> Part {
    let parts = |parts: Vec<Part>| parts.into_iter().map(|p| map_part(p, f)).collect();
    match part {
        Part::Literal(text) => Part::Literal(text),
        Part::Interpolation(expr) => Part::Interpolation(map_spans(expr, f)),
        Part::If {
            condition,
            then,
            otherwise,
        } => Part::If {
            condition: map_spans(condition, f),
            then: parts(then),
            otherwise: parts(otherwise),
        },
        Part::For {
            key_var,
            value_var,
            collection,
            body,
        } => Part::For {
            key_var,
            value_var,
            collection: map_spans(collection, f),
            body: parts(body),
        },
    }
}

/// `expr` with every span passed through `f`.
pub(super) fn map_spans(expr: Expr, f: &dyn Fn(Span) -> Span) -> Expr {
    let each = |items: Vec<Expr>| items.into_iter().map(|e| map_spans(e, f)).collect();
    let boxed = |e: Box<Expr>| Box::new(map_spans(*e, f));
    match expr {
        Expr::Null(span) => Expr::Null(f(span)),
        Expr::Bool(b, span) => Expr::Bool(b, f(span)),
        Expr::Number(n, span) => Expr::Number(n, f(span)),
        Expr::Template(parts, span) => {
            Expr::Template(parts.into_iter().map(|p| map_part(p, f)).collect(), f(span))
        }
        Expr::Tuple(items, span) => Expr::Tuple(each(items), f(span)),
        Expr::Object(entries, span) => Expr::Object(
            entries
                .into_iter()
                .map(|(k, v)| (map_spans(k, f), map_spans(v, f)))
                .collect(),
            f(span),
        ),
        Expr::Variable(name, span) => Expr::Variable(name, f(span)),
        Expr::Traversal(root, steps, span) => Expr::Traversal(
            boxed(root),
            steps
                .into_iter()
                .map(|step| match step {
                    Step::Index(index) => Step::Index(map_spans(index, f)),
                    other => other,
                })
                .collect(),
            f(span),
        ),
        Expr::Call {
            name,
            args,
            expand,
            span,
        } => Expr::Call {
            name,
            args: each(args),
            expand,
            span: f(span),
        },
        Expr::Conditional(c, t, e, span) => {
            Expr::Conditional(boxed(c), boxed(t), boxed(e), f(span))
        }
        Expr::Unary(op, e, span) => Expr::Unary(op, boxed(e), f(span)),
        Expr::Binary(op, l, r, span) => Expr::Binary(op, boxed(l), boxed(r), f(span)),
        Expr::For(for_expr) => {
            let ForExpr {
                key_var,
                value_var,
                collection,
                key,
                value,
                condition,
                grouping,
                span,
            } = *for_expr;
            Expr::For(Box::new(ForExpr {
                key_var,
                value_var,
                collection: map_spans(collection, f),
                key: key.map(|k| map_spans(k, f)),
                value: map_spans(value, f),
                condition: condition.map(|c| map_spans(c, f)),
                grouping,
                span: f(span),
            }))
        }
        Expr::Invalid(why, span) => Expr::Invalid(why, f(span)),
    }
}

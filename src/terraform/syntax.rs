//! Terraform's two syntaxes as one spanned tree: a body of attributes and blocks whose
//! expressions keep the byte span they were written at. Native syntax (`.tf`, `.tofu`) comes from
//! `hcl-edit`; JSON syntax (`.tf.json`, `.tofu.json`, CDK for Terraform's `cdk.tf.json`) from the
//! JSON loader, its strings parsed as templates. The evaluator never learns which one it reads.

use hcl_edit::Span as _;
use hcl_edit::expr::{BinaryOperator, Expression, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Directive, Element, Template};

use crate::source::Span;
use crate::tree::{Node, Value};

/// The attributes and nested blocks of a file or a block, in source order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub name_span: Span,
    pub expr: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: String,
    /// The whole header, `resource "aws_cognito_user_pool" "pool"`.
    pub header_span: Span,
    pub labels: Vec<(String, Span)>,
    pub body: Body,
    pub span: Span,
    /// CDK for Terraform's construct path (`"//": {"metadata": {"path": ...}}`).
    pub construct_path: Option<String>,
}

impl Body {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().rev().find(|a| a.name == name)
    }

    pub fn blocks<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

/// An expression of the language, with its span.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Null(Span),
    Bool(bool, Span),
    Number(String, Span),
    /// A string, a heredoc, or a JSON-syntax string: literal text and interpolations.
    Template(Vec<Part>, Span),
    Tuple(Vec<Expr>, Span),
    Object(Vec<(Expr, Expr)>, Span),
    /// A root name: `var`, `local`, `aws_ses_email_identity`, an iterator...
    Variable(String, Span),
    /// `expr.attr`, `expr[index]`, `expr.*.attr`.
    Traversal(Box<Expr>, Vec<Step>, Span),
    Call {
        name: String,
        args: Vec<Expr>,
        /// `f(list...)`.
        expand: bool,
        span: Span,
    },
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>, Span),
    Unary(Unary, Box<Expr>, Span),
    Binary(Binary, Box<Expr>, Box<Expr>, Span),
    For(Box<ForExpr>),
    /// What could not be read (a JSON-syntax template that does not parse): evaluates to an
    /// unknown value saying so.
    Invalid(String, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Attr(String),
    Index(Expr),
    /// `.*` or `[*]`: the rest of the traversal applies to each element.
    Splat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    pub key: Option<Expr>,
    pub value: Expr,
    pub condition: Option<Expr>,
    pub grouping: bool,
    pub span: Span,
}

/// A piece of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Literal(String),
    Interpolation(Expr),
    If {
        condition: Expr,
        then: Vec<Part>,
        otherwise: Vec<Part>,
    },
    For {
        key_var: Option<String>,
        value_var: String,
        collection: Expr,
        body: Vec<Part>,
    },
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Null(span)
            | Expr::Bool(_, span)
            | Expr::Number(_, span)
            | Expr::Template(_, span)
            | Expr::Tuple(_, span)
            | Expr::Object(_, span)
            | Expr::Variable(_, span)
            | Expr::Traversal(_, _, span)
            | Expr::Call { span, .. }
            | Expr::Conditional(_, _, _, span)
            | Expr::Unary(_, _, span)
            | Expr::Binary(_, _, _, span)
            | Expr::Invalid(_, span) => *span,
            Expr::For(for_expr) => for_expr.span,
        }
    }

    /// A literal string's text.
    pub fn as_literal(&self) -> Option<String> {
        match self {
            Expr::Template(parts, _) => {
                let mut text = String::new();
                for part in parts {
                    match part {
                        Part::Literal(lit) => text.push_str(lit),
                        _ => return None,
                    }
                }
                Some(text)
            }
            _ => None,
        }
    }

    /// A bare name or a traversal of attribute names: `aws.west` as `["aws", "west"]`.
    pub fn as_path(&self) -> Option<Vec<&str>> {
        match self {
            Expr::Variable(name, _) => Some(vec![name.as_str()]),
            Expr::Traversal(root, steps, _) => {
                let mut path = root.as_path()?;
                for step in steps {
                    match step {
                        Step::Attr(name) => path.push(name),
                        _ => return None,
                    }
                }
                Some(path)
            }
            _ => None,
        }
    }
}

fn span_of(range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
    range.map_or(fallback, |r| Span::new(r.start, r.end))
}

/// Native syntax: `text` parsed, or the parser's error with its byte offset.
pub fn parse_native(text: &str) -> Result<Body, (String, usize)> {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(native_body(&body, Span::new(0, text.len()))),
        Err(err) => Err((err.message().to_owned(), err.location().offset())),
    }
}

fn native_body(body: &hcl_edit::structure::Body, parent: Span) -> Body {
    let mut out = Body::default();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let span = span_of(attr.span(), parent);
                out.attributes.push(Attribute {
                    name: attr.key.as_str().to_owned(),
                    name_span: span_of(attr.key.span(), span),
                    expr: native_expr(&attr.value, span),
                });
            }
            Structure::Block(block) => {
                let span = span_of(block.span(), parent);
                let ident_span = span_of(block.ident.span(), span);
                let labels: Vec<(String, Span)> = block
                    .labels
                    .iter()
                    .map(|label| {
                        let label_span = match label {
                            BlockLabel::Ident(ident) => ident.span(),
                            BlockLabel::String(string) => string.span(),
                        };
                        (label.as_str().to_owned(), span_of(label_span, span))
                    })
                    .collect();
                let header_end = labels.last().map_or(ident_span.end, |(_, s)| s.end);
                out.blocks.push(Block {
                    kind: block.ident.as_str().to_owned(),
                    header_span: Span {
                        start: ident_span.start,
                        end: header_end.max(ident_span.start),
                    },
                    labels,
                    body: native_body(&block.body, span),
                    span,
                    construct_path: None,
                });
            }
        }
    }
    out
}

fn native_expr(expr: &Expression, parent: Span) -> Expr {
    let span = span_of(expr.span(), parent);
    match expr {
        Expression::Null(_) => Expr::Null(span),
        Expression::Bool(b) => Expr::Bool(*b.value(), span),
        Expression::Number(n) => Expr::Number(n.value().to_string(), span),
        Expression::String(s) => Expr::Template(vec![Part::Literal(s.value().clone())], span),
        Expression::Array(array) => {
            Expr::Tuple(array.iter().map(|e| native_expr(e, span)).collect(), span)
        }
        Expression::Object(object) => Expr::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let key = match key {
                        hcl_edit::expr::ObjectKey::Ident(ident) => Expr::Template(
                            vec![Part::Literal(ident.as_str().to_owned())],
                            span_of(ident.span(), span),
                        ),
                        hcl_edit::expr::ObjectKey::Expression(expr) => native_expr(expr, span),
                    };
                    (key, native_expr(value.expr(), span))
                })
                .collect(),
            span,
        ),
        Expression::StringTemplate(template) => Expr::Template(native_parts(template, span), span),
        Expression::HeredocTemplate(heredoc) => {
            Expr::Template(native_parts(&heredoc.template, span), span)
        }
        Expression::Parenthesis(inner) => native_expr(inner.inner(), span),
        Expression::Variable(name) => Expr::Variable(name.as_str().to_owned(), span),
        Expression::Conditional(cond) => Expr::Conditional(
            Box::new(native_expr(&cond.cond_expr, span)),
            Box::new(native_expr(&cond.true_expr, span)),
            Box::new(native_expr(&cond.false_expr, span)),
            span,
        ),
        Expression::FuncCall(call) => {
            let mut name: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
            name.push(call.name.name.as_str());
            Expr::Call {
                name: name.join("::"),
                args: call.args.iter().map(|a| native_expr(a, span)).collect(),
                expand: call.args.expand_final(),
                span,
            }
        }
        Expression::Traversal(traversal) => {
            let steps = traversal
                .operators
                .iter()
                .map(|op| match op.value() {
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        Step::Splat
                    }
                    TraversalOperator::GetAttr(ident) => Step::Attr(ident.as_str().to_owned()),
                    TraversalOperator::Index(index) => Step::Index(native_expr(index, span)),
                    TraversalOperator::LegacyIndex(index) => {
                        Step::Index(Expr::Number(index.value().to_string(), span))
                    }
                })
                .collect();
            Expr::Traversal(Box::new(native_expr(&traversal.expr, span)), steps, span)
        }
        Expression::UnaryOp(op) => Expr::Unary(
            match op.operator.value() {
                UnaryOperator::Neg => Unary::Neg,
                UnaryOperator::Not => Unary::Not,
            },
            Box::new(native_expr(&op.expr, span)),
            span,
        ),
        Expression::BinaryOp(op) => Expr::Binary(
            match op.operator.value() {
                BinaryOperator::Eq => Binary::Eq,
                BinaryOperator::NotEq => Binary::NotEq,
                BinaryOperator::LessEq => Binary::LessEq,
                BinaryOperator::GreaterEq => Binary::GreaterEq,
                BinaryOperator::Less => Binary::Less,
                BinaryOperator::Greater => Binary::Greater,
                BinaryOperator::Plus => Binary::Add,
                BinaryOperator::Minus => Binary::Sub,
                BinaryOperator::Mul => Binary::Mul,
                BinaryOperator::Div => Binary::Div,
                BinaryOperator::Mod => Binary::Mod,
                BinaryOperator::And => Binary::And,
                BinaryOperator::Or => Binary::Or,
            },
            Box::new(native_expr(&op.lhs_expr, span)),
            Box::new(native_expr(&op.rhs_expr, span)),
            span,
        ),
        Expression::ForExpr(for_expr) => Expr::For(Box::new(ForExpr {
            key_var: for_expr
                .intro
                .key_var
                .as_ref()
                .map(|k| k.as_str().to_owned()),
            value_var: for_expr.intro.value_var.as_str().to_owned(),
            collection: native_expr(&for_expr.intro.collection_expr, span),
            key: for_expr.key_expr.as_ref().map(|k| native_expr(k, span)),
            value: native_expr(&for_expr.value_expr, span),
            condition: for_expr.cond.as_ref().map(|c| native_expr(&c.expr, span)),
            grouping: for_expr.grouping,
            span,
        })),
    }
}

fn native_parts(template: &Template, span: Span) -> Vec<Part> {
    let elements: Vec<&Element> = template.iter().collect();
    let mut parts = Vec::with_capacity(elements.len());
    for (i, element) in elements.iter().enumerate() {
        match element {
            Element::Literal(lit) => {
                let mut text = lit.value().as_str();
                // `~` strips the spaces of the literal next to the marker.
                let strip_start = i > 0 && strips(elements[i - 1], false);
                let strip_end = elements.get(i + 1).is_some_and(|e| strips(e, true));
                if strip_start {
                    text = text.trim_start();
                }
                if strip_end {
                    text = text.trim_end();
                }
                parts.push(Part::Literal(text.to_owned()));
            }
            Element::Interpolation(interpolation) => {
                parts.push(Part::Interpolation(native_expr(&interpolation.expr, span)));
            }
            Element::Directive(directive) => match directive.as_ref() {
                Directive::If(if_directive) => parts.push(Part::If {
                    condition: native_expr(&if_directive.if_expr.cond_expr, span),
                    then: native_parts(&if_directive.if_expr.template, span),
                    otherwise: if_directive
                        .else_expr
                        .as_ref()
                        .map(|e| native_parts(&e.template, span))
                        .unwrap_or_default(),
                }),
                Directive::For(for_directive) => parts.push(Part::For {
                    key_var: for_directive
                        .for_expr
                        .key_var
                        .as_ref()
                        .map(|k| k.as_str().to_owned()),
                    value_var: for_directive.for_expr.value_var.as_str().to_owned(),
                    collection: native_expr(&for_directive.for_expr.collection_expr, span),
                    body: native_parts(&for_directive.for_expr.template, span),
                }),
            },
        }
    }
    parts
}

/// Whether `element` strips the spaces of the literal after it (`before == true`: the element
/// follows the literal and strips its end) .
fn strips(element: &Element, before: bool) -> bool {
    match element {
        Element::Interpolation(i) => match before {
            true => i.strip.strip_start(),
            false => i.strip.strip_end(),
        },
        _ => false,
    }
}

/// The block types JSON syntax nests with labels, and how many.
fn labels_of(kind: &str) -> Option<usize> {
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
fn items(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    }
}

fn json_labelled(
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
fn json_block_body(kind: &str, node: &Node, text: &str) -> Body {
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
fn json_literal(node: &Node) -> Expr {
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
fn json_template(content: &str, span: Span, text: &str) -> Expr {
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

fn map_part(part: Part, f: &dyn Fn(Span) -> Span) -> Part {
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
fn map_spans(expr: Expr, f: &dyn Fn(Span) -> Span) -> Expr {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_blocks_attributes_and_spans() {
        let text = "resource \"aws_cognito_user_pool\" \"pool\" {\n  email_configuration {\n    source_arn = aws_ses_email_identity.default.arn\n  }\n}\n";
        let body = parse_native(text).unwrap();
        let pool = &body.blocks[0];
        assert_eq!(pool.kind, "resource");
        assert_eq!(pool.labels[1].0, "pool");
        assert_eq!(
            &text[pool.header_span.range()],
            "resource \"aws_cognito_user_pool\" \"pool\""
        );
        let email = pool.body.blocks("email_configuration").next().unwrap();
        let arn = email.body.attribute("source_arn").unwrap();
        assert_eq!(
            &text[arn.expr.span().range()],
            "aws_ses_email_identity.default.arn"
        );
        assert_eq!(
            arn.expr.as_path(),
            Some(vec!["aws_ses_email_identity", "default", "arn"])
        );
    }

    #[test]
    fn syntax_errors_have_an_offset() {
        let (message, offset) = parse_native("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert!(!message.is_empty());
        assert!(offset > 0);
    }

    #[test]
    fn json_syntax_nests_labels_and_parses_templates() {
        let text = r#"{"resource": {"aws_cognito_user_pool": {"pool": {"email_configuration": {"source_arn": "${aws_ses_email_identity.default.arn}"}, "//": {"metadata": {"path": "app/pool"}}}}}}"#;
        let root = crate::load::json::load(text).document.unwrap().root;
        let body = json_body(&root, text);
        let pool = &body.blocks[0];
        assert_eq!(pool.labels[0].0, "aws_cognito_user_pool");
        assert_eq!(pool.construct_path.as_deref(), Some("app/pool"));
        let email = pool.body.blocks("email_configuration").next().unwrap();
        let arn = email.body.attribute("source_arn").unwrap();
        let Expr::Template(parts, _) = &arn.expr else {
            panic!("{arn:?}")
        };
        let Part::Interpolation(inner) = &parts[0] else {
            panic!("{parts:?}")
        };
        assert_eq!(
            &text[inner.span().range()],
            "aws_ses_email_identity.default.arn"
        );
    }
}

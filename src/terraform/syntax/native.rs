//! Native syntax (`.tf`, `.tofu`) through `hcl-edit`, every node with its span.

use hcl_edit::Span as _;
use hcl_edit::expr::{BinaryOperator, Expression, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Directive, Element, Template};

use super::{Attribute, Binary, Block, Body, Expr, ForExpr, Part, Step, Unary};
use crate::source::Span;

pub(super) fn span_of(range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
    range.map_or(fallback, |r| Span::new(r.start, r.end))
}

/// Native syntax: `text` parsed, or the parser's error with its byte offset.
pub fn parse_native(text: &str) -> Result<Body, (String, usize)> {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(native_body(&body, Span::new(0, text.len()))),
        Err(err) => Err((err.message().to_owned(), err.location().offset())),
    }
}

pub(super) fn native_body(body: &hcl_edit::structure::Body, parent: Span) -> Body {
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

pub(super) fn native_expr(expr: &Expression, parent: Span) -> Expr {
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
            let steps = traversal.operators.iter().map(|op| step(op.value(), span));
            Expr::Traversal(
                Box::new(native_expr(&traversal.expr, span)),
                steps.collect(),
                span,
            )
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
            binary(*op.operator.value()),
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

fn step(op: &TraversalOperator, span: Span) -> Step {
    match op {
        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => Step::Splat,
        TraversalOperator::GetAttr(ident) => Step::Attr(ident.as_str().to_owned()),
        TraversalOperator::Index(index) => Step::Index(native_expr(index, span)),
        TraversalOperator::LegacyIndex(index) => {
            Step::Index(Expr::Number(index.value().to_string(), span))
        }
    }
}

fn binary(op: BinaryOperator) -> Binary {
    match op {
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
    }
}

pub(super) fn native_parts(template: &Template, span: Span) -> Vec<Part> {
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
pub(super) fn strips(element: &Element, before: bool) -> bool {
    match element {
        Element::Interpolation(i) => match before {
            true => i.strip.strip_start(),
            false => i.strip.strip_end(),
        },
        _ => false,
    }
}

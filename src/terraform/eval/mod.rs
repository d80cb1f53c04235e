//! Terraform expressions evaluated like Terraform, with unknown as a state.
//!
//! A value is a [`Resolved`], the same partially known value the CloudFormation resolver makes:
//! a string keeps its known text around its unknown holes, each hole saying why
//! (`var.region` with no value, an attribute known only after apply). An error Terraform would
//! report at plan time (a missing attribute, a bad argument) is an unknown value whose reason
//! is `Invalid`: `try` and `can` see it as Terraform sees the error.
//!
//! A conditional whose condition is unknown keeps both branches as [`Choice`]s, each labelled
//! with the condition it assumes, exactly as `Fn::If` does; combinations are bounded by
//! [`MAX_CHOICES`]. Names (`var.`, `local.`, resources, modules, data sources) are resolved by a
//! [`Context`], the module instance the expression belongs to.

mod value;

pub use value::*;

use super::functions;
use super::module::Mode;
use super::syntax::{Binary, Expr, ForExpr, Part, Step};
use crate::source::Span;
use crate::value::{Assumption, Resolved, Text, Truth, UnknownReason};

/// The most choices one expression keeps; past it the rest become one unknown choice.
pub const MAX_CHOICES: usize = 16;

/// Deepest nesting of expressions, locals and references followed.
pub const MAX_DEPTH: usize = 96;

/// Longest text one string may hold, and most items of a collection built by a function or a
/// `for` expression.
pub const MAX_TEXT: usize = 1 << 20;
pub const MAX_ITEMS: usize = 1 << 16;

/// What a module instance answers for the names an expression uses.
pub trait Context {
    /// The text of the file an expression of this context is written in.
    fn source(&self, file: usize) -> &str;
    fn variable(&self, name: &str, span: Span, depth: usize) -> Choices;
    fn local(&self, name: &str, span: Span, depth: usize) -> Choices;
    /// An attribute of a resource or data source instance.
    fn resource(&self, reference: &Reference<'_>, span: Span, depth: usize) -> Choices;
    /// An output of a module call's instance.
    fn module_output(
        &self,
        call: &str,
        key: Key,
        output: &str,
        span: Span,
        depth: usize,
    ) -> Choices;
    /// `path.module`, `path.root`, `path.cwd`.
    fn path(&self, which: &str) -> Option<String>;
}

/// `aws_ses_domain_identity.main[0].arn`: a resource or data source, one instance of it (or
/// all), one attribute.
#[derive(Clone, Debug)]
pub struct Reference<'a> {
    pub mode: Mode,
    pub kind: &'a str,
    pub name: &'a str,
    pub key: Key,
    pub attribute: &'a str,
}

/// Which instance of a resource or module call a reference names.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// No index: the only instance (or, for a counted resource, all of them as a list).
    None,
    Index(Resolved),
    /// `[*]`: every instance.
    All,
}

/// Evaluates expressions of one file of a context, with the iterators in scope.
pub struct Evaluator<'a> {
    pub context: &'a dyn Context,
    pub file: usize,
    /// `each`, `count`, `for` variables, dynamic block iterators: innermost last.
    pub iterators: Vec<(String, Resolved)>,
    pub depth: usize,
}

impl Evaluator<'_> {
    fn deeper(&self) -> Option<Evaluator<'_>> {
        (self.depth < MAX_DEPTH).then(|| Evaluator {
            context: self.context,
            file: self.file,
            iterators: self.iterators.clone(),
            depth: self.depth + 1,
        })
    }

    /// The condition's text, for the label of the choices it splits.
    fn label(&self, span: Span) -> String {
        let text = self.context.source(self.file);
        text.get(span.range())
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .unwrap_or_else(|| "a condition".to_owned())
    }

    pub fn eval(&self, expr: &Expr) -> Choices {
        let Some(inner) = self.deeper() else {
            return one(invalid(expr.span(), "nested too deeply"));
        };
        inner.eval_inner(expr)
    }

    fn eval_inner(&self, expr: &Expr) -> Choices {
        let span = expr.span();
        match expr {
            Expr::Null(_) => one(Resolved::Null),
            Expr::Bool(b, _) => one(Resolved::Bool(*b)),
            Expr::Number(n, _) => one(Resolved::Number(n.clone())),
            Expr::Invalid(why, _) => one(invalid(span, why.clone())),
            Expr::Template(parts, _) => self.template(parts, span),
            Expr::Tuple(items, _) => {
                let parts: Vec<Choices> = items.iter().map(|e| self.eval(e)).collect();
                combine(&parts, span, &mut |values| {
                    Resolved::List(values.iter().map(|v| (*v).clone()).collect())
                })
            }
            Expr::Object(entries, _) => {
                let parts: Vec<Choices> = entries
                    .iter()
                    .flat_map(|(k, v)| [self.object_key(k), self.eval(v)])
                    .collect();
                combine(&parts, span, &mut |values| {
                    let mut map: Vec<(String, Resolved)> = Vec::new();
                    for pair in values.chunks(2) {
                        let [key, value] = pair else { continue };
                        let Some(key) = known_string(key) else {
                            return first_unknown(key).unwrap_or_else(|| {
                                invalid(span, "an object key that is not a string")
                            });
                        };
                        map.retain(|(k, _)| *k != key);
                        map.push((key, (*value).clone()));
                    }
                    Resolved::Map(map)
                })
            }
            Expr::Variable(name, _) => self.reference(name, &[], span),
            Expr::Traversal(root, steps, _) => match root.as_ref() {
                Expr::Variable(name, _) => self.reference(name, steps, span),
                other => {
                    let base = self.eval(other);
                    self.apply_steps(base, steps, span)
                }
            },
            Expr::Call {
                name, args, expand, ..
            } => self.call(name, args, *expand, span),
            Expr::Conditional(condition, then, otherwise, _) => {
                self.conditional(condition, then, otherwise)
            }
            Expr::Unary(op, operand, _) => {
                let values = self.eval(operand);
                combine(&[values], span, &mut |v| unary(*op, v[0], span))
            }
            Expr::Binary(op, left, right, _) => self.binary(*op, left, right, span),
            Expr::For(for_expr) => self.for_expr(for_expr),
        }
    }

    /// An object key: a bare name is its text (already a literal), anything else a value.
    fn object_key(&self, key: &Expr) -> Choices {
        self.eval(key)
    }

    fn conditional(&self, condition: &Expr, then: &Expr, otherwise: &Expr) -> Choices {
        let mut out = Vec::new();
        for choice in self.eval(condition) {
            let branches: Vec<(&Expr, Option<bool>)> = match truth(&choice.value) {
                Truth::True => vec![(then, None)],
                Truth::False => vec![(otherwise, None)],
                Truth::Unknown if is_error(&choice.value) => {
                    out.push(choice);
                    continue;
                }
                Truth::Unknown => vec![(then, Some(true)), (otherwise, Some(false))],
            };
            for (branch, assumed) in branches {
                let mut assumptions = choice.assumptions.clone();
                if let Some(value) = assumed {
                    let label = self.label(condition.span());
                    let Some(merged) = merge(
                        &assumptions,
                        &[Assumption {
                            condition: label,
                            value,
                        }],
                    ) else {
                        continue;
                    };
                    assumptions = merged;
                }
                for mut result in self.eval(branch) {
                    let Some(merged) = merge(&assumptions, &result.assumptions) else {
                        continue;
                    };
                    result.assumptions = merged;
                    out.push(result);
                }
            }
        }
        bounded(dedup(out), condition.span())
    }

    fn template(&self, parts: &[Part], span: Span) -> Choices {
        let mut pieces: Vec<Choices> = Vec::with_capacity(parts.len());
        for part in parts {
            pieces.push(match part {
                Part::Literal(text) => one(string(text.clone())),
                Part::Interpolation(expr) => self.eval(expr),
                Part::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    let mut out = Vec::new();
                    for choice in self.eval(condition) {
                        let branch = match truth(&choice.value) {
                            Truth::True => Some(then),
                            Truth::False => Some(otherwise),
                            Truth::Unknown => None,
                        };
                        match branch {
                            Some(branch) => {
                                for mut result in self.template(branch, span) {
                                    if let Some(merged) =
                                        merge(&choice.assumptions, &result.assumptions)
                                    {
                                        result.assumptions = merged;
                                        out.push(result);
                                    }
                                }
                            }
                            None => out.push(Choice {
                                value: first_unknown(&choice.value).unwrap_or_else(|| {
                                    invalid(span, "a condition that is not a bool")
                                }),
                                assumptions: choice.assumptions,
                            }),
                        }
                    }
                    out
                }
                Part::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                } => {
                    let mut out = Vec::new();
                    for choice in self.eval(collection) {
                        let Some(items) = iterate(&choice.value) else {
                            out.push(Choice {
                                value: first_unknown(&choice.value)
                                    .unwrap_or_else(|| invalid(span, "not a collection")),
                                assumptions: choice.assumptions,
                            });
                            continue;
                        };
                        let mut text = Text::default();
                        for (key, value) in items {
                            let mut inner = Evaluator {
                                context: self.context,
                                file: self.file,
                                iterators: self.iterators.clone(),
                                depth: self.depth + 1,
                            };
                            if let Some(k) = key_var {
                                inner.iterators.push((k.clone(), key));
                            }
                            inner.iterators.push((value_var.clone(), value));
                            let rendered = inner.template(body, span);
                            let first = rendered.into_iter().next().map(|c| c.value);
                            text.parts
                                .extend(to_text(&first.unwrap_or(Resolved::Null), span).parts);
                        }
                        out.push(Choice {
                            value: Resolved::Str(text),
                            assumptions: choice.assumptions,
                        });
                    }
                    out
                }
            });
        }
        combine(&pieces, span, &mut |values| {
            // A template of one interpolation and nothing else is that value, as in Terraform.
            if let ([value], [Part::Interpolation(_)]) = (values, parts) {
                return (*value).clone();
            }
            let mut text = Text::default();
            for value in values {
                text.parts.extend(to_text(value, span).parts);
            }
            if text.parts.iter().map(part_len).sum::<usize>() > MAX_TEXT {
                return invalid(span, "a string longer than sandtrap follows");
            }
            Resolved::Str(normalize(text))
        })
    }

    fn binary(&self, op: Binary, left: &Expr, right: &Expr, span: Span) -> Choices {
        // `&&` and `||` short-circuit on a known operand, as unknowns would otherwise spread.
        let lefts = self.eval(left);
        let rights = self.eval(right);
        combine(&[lefts, rights], span, &mut |v| {
            binary(op, v[0], v[1], span)
        })
    }

    fn for_expr(&self, for_expr: &ForExpr) -> Choices {
        let span = for_expr.span;
        let mut out = Vec::new();
        for choice in self.eval(&for_expr.collection) {
            let Some(items) = iterate(&choice.value) else {
                out.push(Choice {
                    value: first_unknown(&choice.value).unwrap_or_else(|| {
                        invalid(span, "a `for` over a value that is not a collection")
                    }),
                    assumptions: choice.assumptions,
                });
                continue;
            };
            let mut list = Vec::new();
            let mut map: Vec<(String, Resolved)> = Vec::new();
            let mut failed = None;
            for (key, value) in items.into_iter().take(MAX_ITEMS) {
                let mut inner = Evaluator {
                    context: self.context,
                    file: self.file,
                    iterators: self.iterators.clone(),
                    depth: self.depth + 1,
                };
                if let Some(k) = &for_expr.key_var {
                    inner.iterators.push((k.clone(), key));
                }
                inner.iterators.push((for_expr.value_var.clone(), value));
                // Each item takes its first choice: the items of one collection are not
                // multiplied into combinations.
                let pick = |expr: &Expr| inner.eval(expr).into_iter().next().map(|c| c.value);
                if let Some(condition) = &for_expr.condition {
                    match pick(condition).map(|v| truth(&v)) {
                        Some(Truth::True) => {}
                        Some(Truth::False) => continue,
                        _ => {
                            failed = Some(unknown(
                                span,
                                UnknownReason::Invalid {
                                    reason: "a `for` whose condition is unknown".into(),
                                },
                            ));
                            break;
                        }
                    }
                }
                let value = pick(&for_expr.value).unwrap_or(Resolved::Null);
                match &for_expr.key {
                    None => list.push(value),
                    Some(key_expr) => {
                        let key = pick(key_expr).unwrap_or(Resolved::Null);
                        let Some(key) = known_string(&key) else {
                            failed = Some(first_unknown(&key).unwrap_or_else(|| {
                                invalid(span, "an object key that is not a string")
                            }));
                            break;
                        };
                        match (for_expr.grouping, map.iter_mut().find(|(k, _)| *k == key)) {
                            (true, Some((_, Resolved::List(group)))) => group.push(value),
                            (true, _) => map.push((key, Resolved::List(vec![value]))),
                            (false, Some(_)) => {
                                failed = Some(invalid(
                                    span,
                                    format!("duplicate key `{key}` in a `for` expression"),
                                ));
                                break;
                            }
                            (false, None) => map.push((key, value)),
                        }
                    }
                }
            }
            let value = match (failed, &for_expr.key) {
                (Some(failure), _) => failure,
                (None, None) => Resolved::List(list),
                (None, Some(_)) => Resolved::Map(map),
            };
            out.push(Choice {
                value,
                assumptions: choice.assumptions,
            });
        }
        out
    }

    fn call(&self, name: &str, args: &[Expr], expand: bool, span: Span) -> Choices {
        match name {
            // Their arguments' errors are values, not failures of the call.
            "try" => return self.try_call(args, span),
            "can" => {
                let Some(arg) = args.first() else {
                    return one(invalid(span, "can() needs an argument"));
                };
                return self
                    .eval(arg)
                    .into_iter()
                    .map(|c| Choice {
                        value: match (is_error(&c.value), has_unknown(&c.value)) {
                            (true, _) => Resolved::Bool(false),
                            (false, true) => first_unknown(&c.value).unwrap_or(Resolved::Null),
                            (false, false) => Resolved::Bool(true),
                        },
                        assumptions: c.assumptions,
                    })
                    .collect();
            }
            _ => {}
        }
        let parts: Vec<Choices> = args.iter().map(|a| self.eval(a)).collect();
        combine(&parts, span, &mut |values| {
            let mut values: Vec<Resolved> = values.iter().map(|v| (*v).clone()).collect();
            if expand {
                match values.pop() {
                    Some(Resolved::List(last)) => values.extend(last),
                    Some(other) if has_unknown(&other) => {
                        return first_unknown(&other).unwrap_or(Resolved::Null);
                    }
                    Some(_) => return invalid(span, "`...` on a value that is not a list"),
                    None => {}
                }
            }
            functions::call(name, values, span)
        })
    }

    fn try_call(&self, args: &[Expr], span: Span) -> Choices {
        for arg in args {
            let choices = self.eval(arg);
            if choices.iter().all(|c| is_error(&c.value)) {
                continue;
            }
            return choices
                .into_iter()
                .filter(|c| !is_error(&c.value))
                .collect();
        }
        one(invalid(span, "no argument of try() could be evaluated"))
    }

    /// A name and the traversal after it.
    fn reference(&self, root: &str, steps: &[Step], span: Span) -> Choices {
        if let Some((_, value)) = self.iterators.iter().rev().find(|(n, _)| n == root) {
            return self.apply_steps(one(value.clone()), steps, span);
        }
        let attr = |i: usize| match steps.get(i) {
            Some(Step::Attr(name)) => Some(name.as_str()),
            _ => None,
        };
        match root {
            "var" => match attr(0) {
                Some(name) => {
                    let base = self.context.variable(name, span, self.depth);
                    self.apply_steps(base, &steps[1..], span)
                }
                None => one(invalid(span, "`var` needs a variable name")),
            },
            "local" => match attr(0) {
                Some(name) => {
                    let base = self.context.local(name, span, self.depth);
                    self.apply_steps(base, &steps[1..], span)
                }
                None => one(invalid(span, "`local` needs a name")),
            },
            "path" => match attr(0).and_then(|w| self.context.path(w)) {
                Some(path) => one(string(path)),
                None => one(invalid(span, "an unknown `path` attribute")),
            },
            "terraform" => match attr(0) {
                Some("workspace") => one(string("default")),
                _ => one(unknown(
                    span,
                    UnknownReason::Unsupported {
                        function: "terraform.*".into(),
                    },
                )),
            },
            "module" => {
                let Some(call) = attr(0) else {
                    return one(invalid(span, "`module` needs a module name"));
                };
                let (key, rest) = self.instance_key(&steps[1..]);
                self.keyed(key, span, &mut |key| match rest.first() {
                    Some(Step::Attr(output)) => {
                        let base = self
                            .context
                            .module_output(call, key, output, span, self.depth);
                        self.apply_steps(base, &rest[1..], span)
                    }
                    _ => one(unknown(
                        span,
                        UnknownReason::ModuleOutput {
                            module: call.to_owned(),
                            output: "*".to_owned(),
                        },
                    )),
                })
            }
            "data" => match (attr(0), attr(1)) {
                (Some(kind), Some(name)) => {
                    self.resource_reference(Mode::Data, kind, name, &steps[2..], span)
                }
                _ => one(invalid(span, "`data` needs a type and a name")),
            },
            "self" | "each" | "count" => one(unknown(
                span,
                UnknownReason::Unsupported {
                    function: format!("{root} outside its block"),
                },
            )),
            kind => match attr(0) {
                Some(name) => self.resource_reference(Mode::Managed, kind, name, &steps[1..], span),
                None => one(invalid(span, format!("an unknown name `{kind}`"))),
            },
        }
    }

    fn resource_reference(
        &self,
        mode: Mode,
        kind: &str,
        name: &str,
        steps: &[Step],
        span: Span,
    ) -> Choices {
        let (key, rest) = self.instance_key(steps);
        self.keyed(key, span, &mut |key| match rest.first() {
            Some(Step::Attr(attribute)) => {
                let reference = Reference {
                    mode,
                    kind,
                    name,
                    key,
                    attribute,
                };
                let base = self.context.resource(&reference, span, self.depth);
                self.apply_steps(base, &rest[1..], span)
            }
            _ => one(unknown(
                span,
                UnknownReason::Computed {
                    address: match mode {
                        Mode::Managed => format!("{kind}.{name}"),
                        Mode::Data => format!("data.{kind}.{name}"),
                    },
                    attribute: "*".to_owned(),
                },
            )),
        })
    }

    /// The instance key after a resource or module name: `[0]`, `["a"]`, `[*]`, or none.
    fn instance_key<'s>(&self, steps: &'s [Step]) -> (KeyExpr<'s>, &'s [Step]) {
        match steps.first() {
            Some(Step::Index(index)) => (KeyExpr::Index(index), &steps[1..]),
            Some(Step::Splat) => (KeyExpr::All, &steps[1..]),
            _ => (KeyExpr::None, steps),
        }
    }

    fn keyed(&self, key: KeyExpr<'_>, span: Span, f: &mut dyn FnMut(Key) -> Choices) -> Choices {
        match key {
            KeyExpr::None => f(Key::None),
            KeyExpr::All => f(Key::All),
            KeyExpr::Index(expr) => {
                let mut out = Vec::new();
                for choice in self.eval(expr) {
                    for mut result in f(Key::Index(choice.value.clone())) {
                        if let Some(merged) = merge(&choice.assumptions, &result.assumptions) {
                            result.assumptions = merged;
                            out.push(result);
                        }
                    }
                }
                bounded(out, span)
            }
        }
    }

    /// `.attr`, `[index]` and splats applied to each choice.
    pub fn apply_steps(&self, base: Choices, steps: &[Step], span: Span) -> Choices {
        let mut current = base;
        for (i, step) in steps.iter().enumerate() {
            current = match step {
                Step::Attr(name) => current
                    .into_iter()
                    .map(|c| Choice {
                        value: get_attr(&c.value, name, span),
                        assumptions: c.assumptions,
                    })
                    .collect(),
                Step::Index(index) => {
                    let keys = self.eval(index);
                    let parts = [current, keys];
                    combine(&parts, span, &mut |v| get_index(v[0], v[1], span))
                }
                Step::Splat => {
                    let rest = &steps[i + 1..];
                    return current
                        .into_iter()
                        .flat_map(|c| {
                            let items: Vec<Resolved> = match &c.value {
                                Resolved::List(items) => items.clone(),
                                Resolved::Null => Vec::new(),
                                other if has_unknown(other) => {
                                    return vec![c];
                                }
                                other => vec![other.clone()],
                            };
                            let mapped: Vec<Resolved> = items
                                .into_iter()
                                .map(|item| {
                                    self.apply_steps(one(item), rest, span)
                                        .into_iter()
                                        .next()
                                        .map_or(Resolved::Null, |c| c.value)
                                })
                                .collect();
                            vec![Choice {
                                value: Resolved::List(mapped),
                                assumptions: c.assumptions,
                            }]
                        })
                        .collect();
                }
            };
        }
        current
    }
}

enum KeyExpr<'a> {
    None,
    Index(&'a Expr),
    All,
}

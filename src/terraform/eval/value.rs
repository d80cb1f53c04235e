//! Values as the evaluator combines them: choices under assumptions, conversions Terraform
//! makes (to a string, to a bool), unknowns kept and named, and the operators.

use super::MAX_CHOICES;
use crate::source::Span;
use crate::terraform::syntax::{Binary, Unary};
use crate::value::{Assumption, Part as TextPart, Resolved, Text, Truth, Unknown, UnknownReason};

/// One possible value and the conditions it assumes.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub value: Resolved,
    pub assumptions: Vec<Assumption>,
}

pub type Choices = Vec<Choice>;

pub fn one(value: Resolved) -> Choices {
    vec![Choice {
        value,
        assumptions: Vec::new(),
    }]
}

pub fn unknown(span: Span, reason: UnknownReason) -> Resolved {
    Resolved::Unknown(Unknown { span, reason })
}

pub fn invalid(span: Span, reason: impl Into<String>) -> Resolved {
    unknown(
        span,
        UnknownReason::Invalid {
            reason: reason.into(),
        },
    )
}

/// Whether `value` is what Terraform would report as an error.
pub fn is_error(value: &Resolved) -> bool {
    matches!(
        value,
        Resolved::Unknown(Unknown {
            reason: UnknownReason::Invalid { .. },
            ..
        })
    )
}

/// The cartesian product of `parts`, each combination merged by `f`, assumptions merged and
/// contradictory combinations dropped; bounded by [`MAX_CHOICES`].
pub fn combine(
    parts: &[Choices],
    span: Span,
    f: &mut dyn FnMut(&[&Resolved]) -> Resolved,
) -> Choices {
    let mut combos: Vec<(Vec<&Resolved>, Vec<Assumption>)> = vec![(Vec::new(), Vec::new())];
    let mut capped = false;
    for choices in parts {
        let mut next = Vec::new();
        'combos: for (values, assumptions) in &combos {
            for choice in choices {
                let Some(merged) = merge(assumptions, &choice.assumptions) else {
                    continue;
                };
                if next.len() == MAX_CHOICES {
                    capped = true;
                    break 'combos;
                }
                let mut values = values.clone();
                values.push(&choice.value);
                next.push((values, merged));
            }
        }
        combos = next;
    }
    let mut out: Choices = combos
        .into_iter()
        .map(|(values, assumptions)| Choice {
            value: f(&values),
            assumptions,
        })
        .collect();
    if capped {
        out.pop();
        out.push(Choice {
            value: invalid(span, "too many combinations of conditions"),
            assumptions: Vec::new(),
        });
    }
    dedup(out)
}

/// Assumptions of both, or `None` when they contradict.
pub fn merge(a: &[Assumption], b: &[Assumption]) -> Option<Vec<Assumption>> {
    let mut out = a.to_vec();
    for assumption in b {
        match out.iter().find(|x| x.condition == assumption.condition) {
            Some(x) if x.value != assumption.value => return None,
            Some(_) => {}
            None => out.push(assumption.clone()),
        }
    }
    out.sort();
    Some(out)
}

/// Equal values under different assumptions are one choice, under the assumptions they share.
pub(super) fn dedup(choices: Choices) -> Choices {
    let mut out: Choices = Vec::with_capacity(choices.len());
    for choice in choices {
        match out.iter_mut().find(|c| c.value == choice.value) {
            Some(existing) => existing
                .assumptions
                .retain(|a| choice.assumptions.contains(a)),
            None => out.push(choice),
        }
    }
    out
}

/// A value as template text: strings, numbers and bools convert; the rest is an error.
pub fn to_text(value: &Resolved, span: Span) -> Text {
    match value {
        Resolved::Str(text) => text.clone(),
        Resolved::Number(n) => Text::lit(n.clone()),
        Resolved::Bool(b) => Text::lit(b.to_string()),
        Resolved::Unknown(u) => Text {
            parts: vec![TextPart::Hole(u.clone())],
        },
        Resolved::Null => hole(invalid(span, "a null value in a string template")),
        Resolved::List(_) | Resolved::Map(_) => {
            hole(invalid(span, "a collection where a string was expected"))
        }
    }
}

pub(super) fn hole(value: Resolved) -> Text {
    match value {
        Resolved::Unknown(u) => Text {
            parts: vec![TextPart::Hole(u)],
        },
        _ => Text::default(),
    }
}

/// The value's truth, converting `"true"`/`"false"` as Terraform does.
pub fn truth(value: &Resolved) -> Truth {
    match value {
        Resolved::Bool(true) => Truth::True,
        Resolved::Bool(false) => Truth::False,
        Resolved::Str(text) => match text.known().as_deref() {
            Some("true") => Truth::True,
            Some("false") => Truth::False,
            _ => Truth::Unknown,
        },
        _ => Truth::Unknown,
    }
}

/// Whether the value holds an unknown anywhere.
pub fn has_unknown(value: &Resolved) -> bool {
    match value {
        Resolved::Unknown(_) => true,
        Resolved::Str(text) => text.known().is_none(),
        Resolved::List(items) => items.iter().any(has_unknown),
        Resolved::Map(entries) => entries.iter().any(|(_, v)| has_unknown(v)),
        Resolved::Null | Resolved::Bool(_) | Resolved::Number(_) => false,
    }
}

/// The first unknown inside a value.
pub fn first_unknown(value: &Resolved) -> Option<Resolved> {
    match value {
        Resolved::Unknown(_) => Some(value.clone()),
        Resolved::Str(text) => text.parts.iter().find_map(|p| match p {
            TextPart::Hole(u) => Some(Resolved::Unknown(u.clone())),
            _ => None,
        }),
        Resolved::List(items) => items.iter().find_map(first_unknown),
        Resolved::Map(entries) => entries.iter().find_map(|(_, v)| first_unknown(v)),
        Resolved::Null | Resolved::Bool(_) | Resolved::Number(_) => None,
    }
}

/// A string value.
pub fn string(text: impl Into<String>) -> Resolved {
    Resolved::Str(Text::lit(text))
}

/// The known string of a value (numbers and bools as Terraform converts them).
pub fn known_string(value: &Resolved) -> Option<String> {
    match value {
        Resolved::Str(text) => text.known(),
        Resolved::Number(n) => Some(n.clone()),
        Resolved::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn bounded(mut choices: Choices, span: Span) -> Choices {
    if choices.len() > MAX_CHOICES {
        choices.truncate(MAX_CHOICES - 1);
        choices.push(Choice {
            value: invalid(span, "too many combinations of conditions"),
            assumptions: Vec::new(),
        });
    }
    choices
}

pub(super) fn part_len(part: &TextPart) -> usize {
    match part {
        TextPart::Lit(s) | TextPart::Secret(s) => s.len(),
        TextPart::Hole(_) => 16,
    }
}

/// Adjacent literals joined, empty ones dropped.
pub fn normalize(text: Text) -> Text {
    let mut parts: Vec<TextPart> = Vec::with_capacity(text.parts.len());
    for part in text.parts {
        match (parts.last_mut(), part) {
            (_, TextPart::Lit(s)) if s.is_empty() => {}
            (Some(TextPart::Lit(last)), TextPart::Lit(s)) => last.push_str(&s),
            (_, part) => parts.push(part),
        }
    }
    Text { parts }
}

/// The entries of a collection as (key, value): a list's indexes, a map's keys.
pub fn iterate(value: &Resolved) -> Option<Vec<(Resolved, Resolved)>> {
    match value {
        Resolved::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (Resolved::Number(i.to_string()), v.clone()))
                .collect(),
        ),
        Resolved::Map(entries) => Some(
            entries
                .iter()
                .map(|(k, v)| (string(k.clone()), v.clone()))
                .collect(),
        ),
        _ => None,
    }
}

pub fn get_attr(value: &Resolved, name: &str, span: Span) -> Resolved {
    match value {
        Resolved::Map(entries) => match entries.iter().rev().find(|(k, _)| k == name) {
            Some((_, v)) => v.clone(),
            None => invalid(span, format!("no attribute `{name}`")),
        },
        Resolved::Unknown(_) => value.clone(),
        Resolved::Null => invalid(span, format!("attribute `{name}` of a null value")),
        _ => invalid(span, format!("attribute `{name}` of a value that has none")),
    }
}

pub fn get_index(value: &Resolved, key: &Resolved, span: Span) -> Resolved {
    if let Resolved::Unknown(_) = value {
        return value.clone();
    }
    if has_unknown(key) {
        return first_unknown(key).unwrap_or(Resolved::Null);
    }
    match value {
        Resolved::List(items) => match known_string(key).and_then(|k| k.parse::<usize>().ok()) {
            Some(i) => items
                .get(i)
                .cloned()
                .unwrap_or_else(|| invalid(span, format!("index {i} out of range"))),
            None => invalid(span, "a list index that is not a whole number"),
        },
        Resolved::Map(_) => match known_string(key) {
            Some(k) => get_attr(value, &k, span),
            None => invalid(span, "a map key that is not a string"),
        },
        _ => invalid(span, "an index into a value that is not a collection"),
    }
}

pub(super) fn number(value: &Resolved) -> Option<f64> {
    known_string(value).and_then(|s| s.parse::<f64>().ok())
}

/// A number as Terraform prints it: whole numbers without a fraction.
pub fn number_value(n: f64) -> Resolved {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        Resolved::Number(format!("{}", n as i64))
    } else if n.is_finite() {
        Resolved::Number(n.to_string())
    } else {
        Resolved::Unknown(Unknown {
            span: Span::default(),
            reason: UnknownReason::Invalid {
                reason: "a number out of range".into(),
            },
        })
    }
}

pub(super) fn unary(op: Unary, value: &Resolved, span: Span) -> Resolved {
    if has_unknown(value) {
        return first_unknown(value).unwrap_or(Resolved::Null);
    }
    match op {
        Unary::Not => match truth(value) {
            Truth::True => Resolved::Bool(false),
            Truth::False => Resolved::Bool(true),
            Truth::Unknown => invalid(span, "`!` of a value that is not a bool"),
        },
        Unary::Neg => match number(value) {
            Some(n) => number_value(-n),
            None => invalid(span, "`-` of a value that is not a number"),
        },
    }
}

/// Whether two known values are equal as Terraform compares them (a number and its string
/// differ in type, so they are not).
pub(super) fn equal(a: &Resolved, b: &Resolved) -> bool {
    match (a, b) {
        (Resolved::Number(x), Resolved::Number(y)) => {
            x == y || x.parse::<f64>().ok() == y.parse::<f64>().ok()
        }
        (Resolved::Str(x), Resolved::Str(y)) => x.known() == y.known(),
        (Resolved::List(x), Resolved::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (Resolved::Map(x), Resolved::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && equal(v, v2)))
        }
        _ => a == b,
    }
}

pub(super) fn binary(op: Binary, left: &Resolved, right: &Resolved, span: Span) -> Resolved {
    match op {
        Binary::And | Binary::Or => {
            let (l, r) = (truth(left), truth(right));
            let and = op == Binary::And;
            return match (l, r) {
                (Truth::False, _) | (_, Truth::False) if and => Resolved::Bool(false),
                (Truth::True, _) | (_, Truth::True) if !and => Resolved::Bool(true),
                (Truth::True, Truth::True) => Resolved::Bool(true),
                (Truth::False, Truth::False) => Resolved::Bool(false),
                _ => first_unknown(left)
                    .or_else(|| first_unknown(right))
                    .unwrap_or_else(|| {
                        invalid(span, "a logical operator on values that are not bools")
                    }),
            };
        }
        _ => {}
    }
    if has_unknown(left) || has_unknown(right) {
        return first_unknown(left)
            .or_else(|| first_unknown(right))
            .unwrap_or(Resolved::Null);
    }
    match op {
        Binary::Eq => Resolved::Bool(equal(left, right)),
        Binary::NotEq => Resolved::Bool(!equal(left, right)),
        _ => {
            let (Some(a), Some(b)) = (number(left), number(right)) else {
                return invalid(span, "arithmetic on values that are not numbers");
            };
            match op {
                Binary::Less => Resolved::Bool(a < b),
                Binary::LessEq => Resolved::Bool(a <= b),
                Binary::Greater => Resolved::Bool(a > b),
                Binary::GreaterEq => Resolved::Bool(a >= b),
                Binary::Add => number_value(a + b),
                Binary::Sub => number_value(a - b),
                Binary::Mul => number_value(a * b),
                Binary::Div if b == 0.0 => invalid(span, "division by zero"),
                Binary::Div => number_value(a / b),
                Binary::Mod if b == 0.0 => invalid(span, "modulo by zero"),
                Binary::Mod => number_value(a % b),
                _ => Resolved::Null,
            }
        }
    }
}

//! Conditions: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` and `Condition`, in three-valued
//! logic.

use super::eval::Eval;
use super::variants::merge;
use super::{MAX_DEPTH, Part, Resolved, Text, Truth};
use crate::tree::Node;

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

/// `Fn::And` over truths: false wins, then unknown.
fn all(truths: impl IntoIterator<Item = Truth>) -> Truth {
    let mut out = Truth::True;
    for truth in truths {
        match truth {
            Truth::False => return Truth::False,
            Truth::Unknown => out = Truth::Unknown,
            Truth::True => {}
        }
    }
    out
}

/// `Fn::Or` over truths.
fn any(truths: impl IntoIterator<Item = Truth>) -> Truth {
    all(truths.into_iter().map(Truth::not)).not()
}

/// The same truth in every case, else unknown.
fn agree(truths: impl IntoIterator<Item = Truth>) -> Truth {
    let mut out: Option<Truth> = None;
    for truth in truths {
        match out {
            None => out = Some(truth),
            Some(seen) if seen != truth => return Truth::Unknown,
            Some(_) => {}
        }
    }
    out.unwrap_or(Truth::Unknown)
}

impl Eval<'_> {
    /// The truth of a condition expression.
    pub fn truth(&mut self, node: &Node) -> Truth {
        self.nested(|this| this.truth_inner(node))
            .unwrap_or(Truth::Unknown)
    }

    fn truth_inner(&mut self, node: &Node) -> Truth {
        match node.as_intrinsic() {
            Some(("Condition", _, arg)) => match arg.as_str() {
                Some(name) => self.condition(name),
                None => Truth::Unknown,
            },
            Some(("Fn::Equals", _, arg)) => match arg.as_seq() {
                Some([a, b]) => self.equals(a, b),
                _ => Truth::Unknown,
            },
            Some(("Fn::And", _, arg)) => match arg.as_seq() {
                Some(items) => all(items.iter().map(|c| self.truth(c)).collect::<Vec<_>>()),
                None => Truth::Unknown,
            },
            Some(("Fn::Or", _, arg)) => match arg.as_seq() {
                Some(items) => any(items.iter().map(|c| self.truth(c)).collect::<Vec<_>>()),
                None => Truth::Unknown,
            },
            Some(("Fn::Not", _, arg)) => match arg.as_seq() {
                Some([c]) => self.truth(c).not(),
                _ => Truth::Unknown,
            },
            _ => {
                let alts = self.eval(node);
                agree(alts.items.iter().map(|v| match &v.value {
                    Some(Resolved::Bool(b)) => Truth::from_bool(*b),
                    Some(Resolved::Str(t)) => match t.known().as_deref() {
                        Some("true") => Truth::True,
                        Some("false") => Truth::False,
                        _ => Truth::Unknown,
                    },
                    _ => Truth::Unknown,
                }))
            }
        }
    }

    /// The condition an undecided condition is equivalent to once its decided operands drop
    /// out, with its polarity: `ProdWithSes: And[IsProd, SesEnabled]` with `SesEnabled` true is
    /// `(IsProd, true)`, `IsNotProd: Not[IsProd]` is `(IsProd, false)`. Variants are labelled with
    /// it, so that correlated conditions cannot produce combinations no deployment can have.
    pub(super) fn literal_of(&mut self, name: &str) -> (String, bool) {
        let mut best = (name.to_owned(), true);
        let Some(mut node) = self.index.conditions.get(name).copied() else {
            return best;
        };
        let mut polarity = true;
        for _ in 0..MAX_DEPTH {
            let next = match node.as_intrinsic() {
                Some(("Condition", _, arg)) => {
                    let target = arg
                        .as_str()
                        .and_then(|n| Some((n, *self.index.conditions.get(n)?)));
                    let Some((target_name, target)) = target else {
                        break;
                    };
                    best = (target_name.to_owned(), polarity);
                    target
                }
                Some(("Fn::Not", _, arg)) => match arg.as_seq() {
                    Some([c]) => {
                        polarity = !polarity;
                        c
                    }
                    _ => break,
                },
                Some((op @ ("Fn::And" | "Fn::Or"), _, arg)) => {
                    let neutral = if op == "Fn::And" {
                        Truth::True
                    } else {
                        Truth::False
                    };
                    let Some(items) = arg.as_seq() else {
                        break;
                    };
                    let mut undecided = Vec::new();
                    for item in items {
                        match self.truth(item) {
                            Truth::Unknown => undecided.push(item),
                            t if t == neutral => {}
                            _ => return best,
                        }
                    }
                    match undecided.as_slice() {
                        [only] => *only,
                        _ => break,
                    }
                }
                _ => break,
            };
            node = next;
        }
        best
    }

    /// `Fn::Equals`: decided when every compatible pair of alternatives decides the same way.
    fn equals(&mut self, a: &Node, b: &Node) -> Truth {
        let left = self.eval(a);
        let right = self.eval(b);
        if left.overflow || right.overflow {
            return Truth::Unknown;
        }
        let mut truths = Vec::new();
        for x in &left.items {
            for y in &right.items {
                if merge(&x.assumptions, &y.assumptions).is_some() {
                    truths.push(match (&x.value, &y.value) {
                        (Some(x), Some(y)) => equal(x, y),
                        _ => Truth::Unknown,
                    });
                }
            }
        }
        agree(truths)
    }
}

fn scalar_text(value: &Resolved) -> Option<Text> {
    match value {
        Resolved::Str(t) => Some(t.clone()),
        Resolved::Number(n) => Some(Text::lit(n.clone())),
        Resolved::Bool(b) => Some(Text::lit(b.to_string())),
        _ => None,
    }
}

/// Whether a value could still be a list (a lone hole may be one).
fn maybe_list(value: &Resolved) -> bool {
    match value {
        Resolved::List(_) | Resolved::Unknown(_) => true,
        Resolved::Str(t) => matches!(t.parts.as_slice(), [Part::Hole(_)]),
        _ => false,
    }
}

/// Equality of two resolved values, false only when no value of the holes could make them equal.
pub(super) fn equal(a: &Resolved, b: &Resolved) -> Truth {
    match (a, b) {
        (Resolved::Unknown(_), _) | (_, Resolved::Unknown(_)) => Truth::Unknown,
        (Resolved::Null, Resolved::Null) => Truth::True,
        (Resolved::List(x), Resolved::List(y)) => {
            if x.len() != y.len() {
                return Truth::False;
            }
            all(x
                .iter()
                .zip(y)
                .map(|(x, y)| equal(x, y))
                .collect::<Vec<_>>())
        }
        (Resolved::Map(x), Resolved::Map(y)) => {
            let same_keys = x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.0 == y.0);
            if !same_keys {
                return Truth::Unknown;
            }
            all(x
                .iter()
                .zip(y)
                .map(|(x, y)| equal(&x.1, &y.1))
                .collect::<Vec<_>>())
        }
        _ => match (scalar_text(a), scalar_text(b)) {
            (Some(x), Some(y)) => equal_text(&x, &y),
            _ if maybe_list(a) && maybe_list(b) => Truth::Unknown,
            _ => Truth::False,
        },
    }
}

/// Text equality: decided when both are known, or when their known ends cannot match.
pub(super) fn equal_text(a: &Text, b: &Text) -> Truth {
    match (a.known(), b.known()) {
        (Some(x), Some(y)) => Truth::from_bool(x == y),
        (Some(k), None) => fits(&k, b),
        (None, Some(k)) => fits(&k, a),
        (None, None) => {
            let (pa, pb) = (a.literal_prefix(), b.literal_prefix());
            let (sa, sb) = (a.literal_suffix(), b.literal_suffix());
            let prefixes = pa.starts_with(&pb) || pb.starts_with(&pa);
            let suffixes = sa.ends_with(&sb) || sb.ends_with(&sa);
            if prefixes && suffixes {
                Truth::Unknown
            } else {
                Truth::False
            }
        }
    }
}

/// Whether known text `k` can be an instance of `pattern`, which has holes.
fn fits(k: &str, pattern: &Text) -> Truth {
    let prefix = pattern.literal_prefix();
    let suffix = pattern.literal_suffix();
    if k.len() >= prefix.len() + suffix.len() && k.starts_with(&prefix) && k.ends_with(&suffix) {
        Truth::Unknown
    } else {
        Truth::False
    }
}

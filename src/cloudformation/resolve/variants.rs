//! Sets of alternative values under condition assumptions, and their bounded products.

use super::{Assumption, Resolved, Unknown, UnknownReason, Variant};
use crate::source::Span;

/// Most variants one [`super::Resolver::resolve`] call returns. Sixteen covers four independent
/// undecidable conditions in one property, far more than real templates combine, and keeps the
/// work per property small whatever the template does.
pub const MAX_VARIANTS: usize = 16;

/// The alternatives of one value. `overflow` records that some combinations were dropped to
/// stay within [`MAX_VARIANTS`]; it sticks through every later combination.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Alts {
    pub items: Vec<Variant>,
    pub overflow: bool,
}

impl Alts {
    pub fn one(value: Resolved) -> Self {
        Self::maybe(Some(value))
    }

    /// `AWS::NoValue`.
    pub fn no_value() -> Self {
        Self::maybe(None)
    }

    pub fn maybe(value: Option<Resolved>) -> Self {
        Self {
            items: vec![Variant {
                value,
                assumptions: Vec::new(),
            }],
            overflow: false,
        }
    }

    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            overflow: false,
        }
    }

    /// Adds `variant` unless it is already there; past the bound, records the overflow instead.
    pub fn push(&mut self, variant: Variant) {
        if self.items.contains(&variant) {
            return;
        }
        if self.items.len() >= MAX_VARIANTS {
            self.overflow = true;
            return;
        }
        self.items.push(variant);
    }

    /// Every alternative of `other` with `assumption` added (contradictory ones dropped).
    pub fn extend_assuming(&mut self, other: Alts, assumption: &[Assumption]) {
        self.overflow |= other.overflow;
        for variant in other.items {
            if let Some(assumptions) = merge(assumption, &variant.assumptions) {
                self.push(Variant {
                    value: variant.value,
                    assumptions,
                });
            }
        }
    }

    /// Applies `f` to every alternative; the alternatives `f` returns inherit the assumptions.
    pub fn flat_map(self, mut f: impl FnMut(Option<Resolved>) -> Alts) -> Alts {
        let mut out = Alts::empty();
        out.overflow = self.overflow;
        for variant in self.items {
            let produced = f(variant.value);
            out.extend_assuming(produced, &variant.assumptions);
        }
        out
    }

    /// The public form: past the bound, one extra variant stands for the dropped combinations.
    pub fn into_variants(self, span: Span) -> Vec<Variant> {
        let mut items = self.items;
        if self.overflow {
            items.truncate(MAX_VARIANTS - 1);
            items.push(Variant {
                value: Some(Resolved::Unknown(Unknown {
                    span,
                    reason: UnknownReason::Invalid {
                        reason: "too many condition combinations".into(),
                    },
                })),
                assumptions: Vec::new(),
            });
        }
        items
    }
}

/// The union of two sorted assumption sets, or `None` when they contradict each other.
pub(super) fn merge(a: &[Assumption], b: &[Assumption]) -> Option<Vec<Assumption>> {
    if a.is_empty() {
        return Some(b.to_vec());
    }
    if b.is_empty() {
        return Some(a.to_vec());
    }
    let mut out: Vec<Assumption> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.condition == y.condition => {
                if x.value != y.value {
                    return None;
                }
                i += 1;
                j += 1;
                x
            }
            (Some(x), Some(y)) if x.condition < y.condition => {
                i += 1;
                x
            }
            (Some(x), None) => {
                i += 1;
                x
            }
            (_, Some(y)) => {
                j += 1;
                y
            }
            (None, None) => break,
        };
        out.push(next.clone());
    }
    Some(out)
}

/// A value under construction from several parts (the entries of a map, the pieces of a
/// `Fn::Sub`), one partial value per combination of the parts' alternatives so far.
pub(super) struct Partial<T> {
    items: Vec<(T, Vec<Assumption>)>,
    overflow: bool,
}

impl<T: Clone + PartialEq> Partial<T> {
    pub fn new(start: T) -> Self {
        Self {
            items: vec![(start, Vec::new())],
            overflow: false,
        }
    }

    /// Applies `f` to every partial value, for things every alternative shares.
    pub fn each(&mut self, mut f: impl FnMut(&mut T)) {
        for (value, _) in &mut self.items {
            f(value);
        }
    }

    pub fn all(&self, f: impl Fn(&T) -> bool) -> bool {
        self.items.iter().all(|(value, _)| f(value))
    }

    /// Combines with every alternative of the next part; `f` adds the part to a partial value.
    pub fn join(&mut self, part: Alts, mut f: impl FnMut(&mut T, Option<Resolved>)) {
        self.overflow |= part.overflow;
        if part.items.len() == 1 && part.items.iter().all(|v| v.assumptions.is_empty()) {
            // The common case (no undecided condition): extend in place, cloning the part only
            // when several partial values need it.
            let mut only = part.items.into_iter().next().map(|v| v.value);
            let count = self.items.len();
            for (k, (value, _)) in self.items.iter_mut().enumerate() {
                let v = if k + 1 == count {
                    only.take()
                } else {
                    only.clone()
                };
                f(value, v.flatten());
            }
            return;
        }
        let mut next: Vec<(T, Vec<Assumption>)> = Vec::new();
        for (value, assumptions) in &self.items {
            for alt in &part.items {
                let Some(merged) = merge(assumptions, &alt.assumptions) else {
                    continue;
                };
                let mut value = value.clone();
                f(&mut value, alt.value.clone());
                let candidate = (value, merged);
                if next.contains(&candidate) {
                    continue;
                }
                if next.len() >= MAX_VARIANTS {
                    self.overflow = true;
                    continue;
                }
                next.push(candidate);
            }
        }
        self.items = next;
    }

    /// Applies `f` to every combination; what `f` returns inherits the combination's
    /// assumptions.
    pub fn flat_map<S>(self, state: &mut S, mut f: impl FnMut(&mut S, T) -> Alts) -> Alts {
        let mut out = Alts::empty();
        out.overflow = self.overflow;
        for (value, assumptions) in self.items {
            let produced = f(state, value);
            out.extend_assuming(produced, &assumptions);
        }
        out
    }

    pub fn finish(self, mut f: impl FnMut(T) -> Option<Resolved>) -> Alts {
        let mut out = Alts::empty();
        out.overflow = self.overflow;
        for (value, assumptions) in self.items {
            out.push(Variant {
                value: f(value),
                assumptions,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(condition: &str, value: bool) -> Assumption {
        Assumption {
            condition: condition.into(),
            value,
        }
    }

    #[test]
    fn merge_unions_sorted_and_detects_contradictions() {
        assert_eq!(
            merge(
                &[a("A", true), a("C", false)],
                &[a("B", true), a("C", false)]
            ),
            Some(vec![a("A", true), a("B", true), a("C", false)])
        );
        assert_eq!(merge(&[a("A", true)], &[a("A", false)]), None);
        assert_eq!(merge(&[], &[a("A", true)]), Some(vec![a("A", true)]));
    }

    #[test]
    fn partial_product_prunes_and_bounds() {
        let mut p = Partial::new(Vec::<String>::new());
        for i in 0..6 {
            let name = format!("C{i}");
            let mut alts = Alts::empty();
            for value in [true, false] {
                alts.push(Variant {
                    value: Some(Resolved::Bool(value)),
                    assumptions: vec![a(&name, value)],
                });
            }
            p.join(alts, |acc, v| acc.push(format!("{v:?}")));
        }
        let done = p.finish(|acc| Some(Resolved::Number(acc.len().to_string())));
        assert_eq!(done.items.len(), MAX_VARIANTS);
        assert!(done.overflow);
        let public = done.into_variants(Span::default());
        assert_eq!(public.len(), MAX_VARIANTS);
        assert!(matches!(
            public.last().and_then(|v| v.value.as_ref()),
            Some(Resolved::Unknown(_))
        ));
    }

    #[test]
    fn partial_product_drops_contradictions() {
        let both = || {
            let mut alts = Alts::empty();
            for value in [true, false] {
                alts.push(Variant {
                    value: Some(Resolved::Bool(value)),
                    assumptions: vec![a("C", value)],
                });
            }
            alts
        };
        let mut p = Partial::new(Vec::new());
        p.join(both(), |acc: &mut Vec<Option<Resolved>>, v| acc.push(v));
        p.join(both(), |acc, v| acc.push(v));
        let done = p.finish(|acc| Some(Resolved::List(acc.into_iter().flatten().collect())));
        assert_eq!(done.items.len(), 2);
        assert!(!done.overflow);
    }
}

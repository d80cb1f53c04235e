//! Cases that run over each element of a collection on its own, in the JSONPath engine: the
//! query `$.senders[?F].rest` as `$[?F].rest` over a one-element array holding the element
//! ([`super::evaluate`] runs them).

use jsonpath_rust::parser::model::{
    Comparable, Comparison, Filter, FilterAtom, JpQuery, Literal, Segment, Selector, SingularQuery,
};
use serde_json::Value;

use super::patterns::Runnable;

/// A case's query as a query over one element of a collection: `$.senders[?F].rest` becomes
/// `$[?F].rest`, run over a one-element array holding the element.
#[derive(Clone, Debug)]
pub(super) struct Local {
    collection: String,
    pub(super) query: Runnable,
    /// Equalities the filter asks of every element it keeps (`@.kind == 'user-pool'` among its
    /// `&&` terms, a string or boolean literal): checked first on the element, they skip the
    /// query for the many elements a case is not about.
    required: Vec<(Vec<String>, Value)>,
}

impl Local {
    /// `Some` when the query starts with a collection's name, then a wildcard or a filter, and
    /// nothing after the name can read outside the element: no `$` in the filter or the rest
    /// (the test is on the printed query, so a `$` inside a string literal also counts: such a
    /// rule runs over the whole document, which is always right).
    pub(super) fn of(query: &JpQuery) -> Option<Local> {
        let mut segments = query.segments.iter();
        let Some(Segment::Selector(Selector::Name(collection))) = segments.next() else {
            return None;
        };
        let element = segments.next()?;
        if !matches!(
            element,
            Segment::Selector(Selector::Wildcard | Selector::Filter(_))
        ) {
            return None;
        }
        let query = JpQuery::new(std::iter::once(element).chain(segments).cloned().collect());
        let reads_root = query.segments.iter().any(|s| s.to_string().contains('$'));
        let required = match element {
            Segment::Selector(Selector::Filter(filter)) => required(filter),
            _ => Vec::new(),
        };
        // Its patterns are the whole query's, which loading checked.
        let query = Runnable::new(&query).ok()?;
        (!reads_root).then(|| Local {
            collection: collection.clone(),
            query,
            required,
        })
    }

    pub(super) fn collection(&self) -> &str {
        &self.collection
    }

    /// The required equalities as `path = literal`, for tests.
    #[cfg(test)]
    pub(super) fn required_paths(&self) -> Vec<String> {
        (self.required.iter())
            .map(|(path, literal)| format!("{} = {literal}", path.join(".")))
            .collect()
    }

    /// Whether `element` meets every equality the filter requires (so the query may match it).
    pub(super) fn may_match(&self, element: &Value) -> bool {
        self.required.iter().all(|(path, literal)| {
            path.iter()
                .try_fold(element, |value, name| value.get(name))
                .is_some_and(|value| value == literal)
        })
    }
}

/// The `@.a.b == 'literal'` terms of a filter that every kept element satisfies: the filter
/// itself or one of its top-level `&&` terms (RFC 9535: a missing member equals no literal).
fn required(filter: &Filter) -> Vec<(Vec<String>, Value)> {
    let terms = match filter {
        Filter::And(terms) => terms.as_slice(),
        other => std::slice::from_ref(other),
    };
    terms
        .iter()
        .filter_map(|term| match term {
            Filter::Atom(FilterAtom::Comparison(comparison)) => match &**comparison {
                Comparison::Eq(a, b) => equality(a, b).or_else(|| equality(b, a)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn equality(query: &Comparable, literal: &Comparable) -> Option<(Vec<String>, Value)> {
    let Comparable::SingularQuery(SingularQuery::Current(segments)) = query else {
        return None;
    };
    let path = super::plan::member_path(segments)?;
    let literal = match literal {
        Comparable::Literal(Literal::String(text)) => Value::String(text.clone()),
        Comparable::Literal(Literal::Bool(flag)) => Value::Bool(*flag),
        _ => return None,
    };
    Some((path, literal))
}

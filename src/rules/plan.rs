//! A case's query as a plan over one element of a collection: a condition on a few members of
//! the element, then the steps that select inside it, decided without building a JSON value of
//! the element.
//!
//! Nearly every query is `$.senders[?@.a.b == 'x' && @.c == true]`: a filter of comparisons of
//! member paths with literals. Such a filter is compiled into a [`Pred`] over the member paths it
//! reads ([`Plan::paths`]), which the evaluator fills for each element straight from the typed
//! facts (`project.rs`): the rules then cost a walk of the few members they name, not a JSON
//! document per fact. A query the plan cannot express exactly (functions, nested filters,
//! comparisons of two paths, indexes, `$`) has no plan and runs in the JSONPath engine as before.
//!
//! The plan decides exactly as `jsonpath-rust` does (and `tests/evaluate.rs` checks it against
//! the engine): a missing member equals only another missing member, numbers compare as `f64`
//! with the engine's epsilon, strings and numbers order, nothing else does.
//!
//! This file is also compiled into the build script, which turns the built-in rules' queries into
//! plans at build time (`build.rs`), so it depends on nothing but `jsonpath-rust`'s model.

use jsonpath_rust::parser::model::{
    Comparable, Comparison, Filter, FilterAtom, JpQuery, Literal, Segment, Selector, SingularQuery,
    SingularQuerySegment, Test,
};

/// A query over the elements of one collection.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The member of the document whose elements the query picks (`senders`).
    pub collection: String,
    /// Member paths (relative to the element) the condition reads; a [`Pred`] refers to them by
    /// index.
    pub paths: Vec<Vec<String>>,
    /// The filter on the element; `None` for a wildcard (every element).
    pub pred: Option<Pred>,
    /// What the query selects inside a kept element (`$.senders[*].unresolved[*]`); empty: the
    /// element itself.
    pub rest: Vec<Step>,
    /// When `rest` is not empty, the path (an index into `paths`) of its first member, and
    /// whether it must be a non-empty array or object for anything to be selected (otherwise it
    /// must only be present).
    pub guard: Option<(usize, bool)>,
}

/// A step of [`Plan::rest`].
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Name(String),
    Wildcard,
}

/// A condition on an element.
#[derive(Clone, Debug, PartialEq)]
pub enum Pred {
    /// `a && b && ...`
    All(Vec<Pred>),
    /// `a || b || ...`
    Any(Vec<Pred>),
    Not(Box<Pred>),
    /// `@.a.b`: the member is present (whatever its value, `null` included).
    Exists(usize),
    /// A comparison; at most one side is a path.
    Cmp(Op, Operand, Operand),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// An index into [`Plan::paths`].
    Path(usize),
    Lit(Lit),
}

/// A literal as the engine holds it (a JSON scalar).
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    /// Integers too: the engine compares numbers as `f64`.
    Num(f64),
    Str(String),
}

/// The value at a member path of one element, as far as a condition needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val<'a> {
    Missing,
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    /// An array or an object, with its number of items.
    Composite(usize),
}

impl Plan {
    /// The plan of `query`, when it picks elements of one collection and the rest is something
    /// the plan expresses exactly.
    pub fn of(query: &JpQuery) -> Option<Plan> {
        let mut segments = query.segments.iter();
        let Some(Segment::Selector(Selector::Name(collection))) = segments.next() else {
            return None;
        };
        let mut paths = Vec::new();
        let pred = match segments.next()? {
            Segment::Selector(Selector::Wildcard) => None,
            Segment::Selector(Selector::Filter(filter)) => Some(pred(filter, &mut paths)?),
            _ => return None,
        };
        let rest = segments
            .map(|segment| match segment {
                Segment::Selector(Selector::Name(name)) => Some(Step::Name(name.clone())),
                Segment::Selector(Selector::Wildcard) => Some(Step::Wildcard),
                _ => None,
            })
            .collect::<Option<Vec<Step>>>()?;
        let guard = match rest.first() {
            Some(Step::Name(name)) => {
                Some((path_index(&mut paths, vec![name.clone()]), rest.len() > 1))
            }
            _ => None,
        };
        Some(Plan {
            collection: collection.clone(),
            paths,
            pred,
            rest,
            guard,
        })
    }

    /// The condition of a rule's `where:` (parsed as `$[?...]`), over the matched object.
    pub fn filter(query: &JpQuery) -> Option<(Vec<Vec<String>>, Pred)> {
        let [Segment::Selector(Selector::Filter(filter))] = query.segments.as_slice() else {
            return None;
        };
        let mut paths = Vec::new();
        let pred = pred(filter, &mut paths)?;
        Some((paths, pred))
    }

    /// Whether an element whose member paths read `value` may select anything: its condition
    /// holds and the first member of `rest` is there to select from.
    pub fn keeps<'a>(&'a self, value: &dyn Fn(usize) -> Val<'a>) -> bool {
        self.pred.as_ref().is_none_or(|pred| pred.holds(value))
            && self
                .guard
                .is_none_or(|(path, composite)| match value(path) {
                    Val::Missing => false,
                    Val::Composite(items) => !composite || items > 0,
                    _ => !composite,
                })
    }
}

fn path_index(paths: &mut Vec<Vec<String>>, path: Vec<String>) -> usize {
    match paths.iter().position(|p| *p == path) {
        Some(index) => index,
        None => {
            paths.push(path);
            paths.len() - 1
        }
    }
}

fn pred(filter: &Filter, paths: &mut Vec<Vec<String>>) -> Option<Pred> {
    match filter {
        Filter::And(items) => Some(Pred::All(
            items
                .iter()
                .map(|f| pred(f, paths))
                .collect::<Option<_>>()?,
        )),
        Filter::Or(items) => Some(Pred::Any(
            items
                .iter()
                .map(|f| pred(f, paths))
                .collect::<Option<_>>()?,
        )),
        Filter::Atom(FilterAtom::Filter { expr, not }) => {
            let inner = pred(expr, paths)?;
            Some(if *not {
                Pred::Not(Box::new(inner))
            } else {
                inner
            })
        }
        Filter::Atom(FilterAtom::Test { expr, not }) => {
            let Test::RelQuery(segments) = &**expr else {
                return None;
            };
            let path = segments
                .iter()
                .map(|segment| match segment {
                    Segment::Selector(Selector::Name(name)) => Some(name.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>()?;
            if path.is_empty() {
                return None;
            }
            let exists = Pred::Exists(path_index(paths, path));
            Some(if *not {
                Pred::Not(Box::new(exists))
            } else {
                exists
            })
        }
        Filter::Atom(FilterAtom::Comparison(comparison)) => {
            let (op, (left, right)) = match &**comparison {
                Comparison::Eq(..) => (Op::Eq, comparison.vals()),
                Comparison::Ne(..) => (Op::Ne, comparison.vals()),
                Comparison::Lt(..) => (Op::Lt, comparison.vals()),
                Comparison::Lte(..) => (Op::Le, comparison.vals()),
                Comparison::Gt(..) => (Op::Gt, comparison.vals()),
                Comparison::Gte(..) => (Op::Ge, comparison.vals()),
            };
            let left = operand(left, paths)?;
            let right = operand(right, paths)?;
            if matches!((&left, &right), (Operand::Path(_), Operand::Path(_))) {
                // Two members may both be arrays or objects, which compare deeply: the engine's.
                return None;
            }
            Some(Pred::Cmp(op, left, right))
        }
    }
}

/// The member names of `@.a.b`; `None` when a segment is an index.
pub(super) fn member_path(segments: &[SingularQuerySegment]) -> Option<Vec<String>> {
    (segments.iter())
        .map(|segment| match segment {
            SingularQuerySegment::Name(name) => Some(name.clone()),
            SingularQuerySegment::Index(_) => None,
        })
        .collect()
}

fn operand(comparable: &Comparable, paths: &mut Vec<Vec<String>>) -> Option<Operand> {
    match comparable {
        Comparable::Literal(literal) => Some(Operand::Lit(match literal {
            Literal::Null => Lit::Null,
            Literal::Bool(flag) => Lit::Bool(*flag),
            Literal::Int(n) => Lit::Num(*n as f64),
            // The engine holds a literal as a JSON value, where a number that is not finite is
            // null.
            Literal::Float(n) if n.is_finite() => Lit::Num(*n),
            Literal::Float(_) => Lit::Null,
            Literal::String(text) => Lit::Str(text.clone()),
        })),
        Comparable::SingularQuery(SingularQuery::Current(segments)) => {
            let path = member_path(segments)?;
            // `@` alone is the element itself, an object: nothing a path reads.
            if path.is_empty() {
                return None;
            }
            Some(Operand::Path(path_index(paths, path)))
        }
        Comparable::SingularQuery(SingularQuery::Root(_)) | Comparable::Function(_) => None,
    }
}

impl Pred {
    /// Whether the condition holds for an element whose member paths read `value`.
    pub fn holds<'a>(&'a self, value: &dyn Fn(usize) -> Val<'a>) -> bool {
        match self {
            Pred::All(items) => items.iter().all(|p| p.holds(value)),
            Pred::Any(items) => items.iter().any(|p| p.holds(value)),
            Pred::Not(inner) => !inner.holds(value),
            Pred::Exists(path) => value(*path) != Val::Missing,
            Pred::Cmp(op, left, right) => {
                let read = |operand: &'a Operand| match operand {
                    Operand::Path(path) => value(*path),
                    Operand::Lit(lit) => lit.val(),
                };
                let (l, r) = (read(left), read(right));
                match op {
                    Op::Eq => equal(l, r),
                    Op::Ne => !equal(l, r),
                    Op::Lt => less(l, r),
                    Op::Gt => less(r, l),
                    Op::Le => less(l, r) || equal(l, r),
                    Op::Ge => less(r, l) || equal(l, r),
                }
            }
        }
    }
}

impl Lit {
    fn val(&self) -> Val<'_> {
        match self {
            Lit::Null => Val::Null,
            Lit::Bool(flag) => Val::Bool(*flag),
            Lit::Num(n) => Val::Num(*n),
            Lit::Str(text) => Val::Str(text),
        }
    }
}

/// The engine's `==`: two missing members are equal, a missing one equals nothing else; numbers
/// are equal within `f64::EPSILON`; an array or object equals no scalar.
fn equal(left: Val<'_>, right: Val<'_>) -> bool {
    match (left, right) {
        (Val::Missing, Val::Missing) => true,
        (Val::Num(a), Val::Num(b)) => (a - b).abs() < f64::EPSILON,
        (Val::Null, Val::Null) => true,
        (Val::Bool(a), Val::Bool(b)) => a == b,
        (Val::Str(a), Val::Str(b)) => a == b,
        // Two composites never meet: a comparison has at most one path.
        _ => false,
    }
}

/// The engine's `<`: of two numbers, or of two strings; false for anything else.
fn less(left: Val<'_>, right: Val<'_>) -> bool {
    match (left, right) {
        (Val::Num(a), Val::Num(b)) => a < b,
        (Val::Str(a), Val::Str(b)) => a < b,
        _ => false,
    }
}

/// The value at `path` of a JSON value, as a condition reads it.
pub fn json_val<'a>(value: &'a serde_json::Value, path: &[String]) -> Val<'a> {
    let found = path
        .iter()
        .try_fold(value, |value, name| value.as_object()?.get(name.as_str()));
    match found {
        None => Val::Missing,
        Some(serde_json::Value::Null) => Val::Null,
        Some(serde_json::Value::Bool(flag)) => Val::Bool(*flag),
        Some(serde_json::Value::Number(n)) => n.as_f64().map_or(Val::Null, Val::Num),
        Some(serde_json::Value::String(text)) => Val::Str(text),
        Some(serde_json::Value::Array(items)) => Val::Composite(items.len()),
        Some(serde_json::Value::Object(map)) => Val::Composite(map.len()),
    }
}

impl Plan {
    /// What `rest` selects inside a kept element, with each node's path below the element, as
    /// the engine writes it (`['unresolved'][0]`).
    pub fn select<'v>(
        &self,
        element: &'v serde_json::Value,
        each: &mut dyn FnMut(&'v serde_json::Value, &str),
    ) {
        let mut path = String::new();
        walk(&self.rest, element, &mut path, each);
    }
}

fn walk<'v>(
    steps: &[Step],
    value: &'v serde_json::Value,
    path: &mut String,
    each: &mut dyn FnMut(&'v serde_json::Value, &str),
) {
    let Some((step, rest)) = steps.split_first() else {
        each(value, path);
        return;
    };
    let at = path.len();
    match (step, value) {
        (Step::Name(name), serde_json::Value::Object(map)) => {
            if let Some(member) = map.get(name.as_str()) {
                push_name(path, name);
                walk(rest, member, path, each);
            }
        }
        (Step::Wildcard, serde_json::Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                path.truncate(at);
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
                walk(rest, item, path, each);
            }
        }
        (Step::Wildcard, serde_json::Value::Object(map)) => {
            for (key, item) in map {
                path.truncate(at);
                push_name(path, key);
                walk(rest, item, path, each);
            }
        }
        _ => {}
    }
    path.truncate(at);
}

/// `['name']`, a normalized path's name selector (RFC 9535, 2.7), as the engine writes it.
fn push_name(path: &mut String, name: &str) {
    path.push_str("['");
    for c in name.chars() {
        match c {
            '\u{0008}' => path.push_str("\\b"),
            '\u{000C}' => path.push_str("\\f"),
            '\n' => path.push_str("\\n"),
            '\r' => path.push_str("\\r"),
            '\t' => path.push_str("\\t"),
            '\'' => path.push_str("\\'"),
            '\\' => path.push_str("\\\\"),
            c if c < '\u{0020}' => path.push_str(&format!("\\u{:04x}", c as u32)),
            c => path.push(c),
        }
    }
    path.push_str("']");
}

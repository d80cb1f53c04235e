//! Rule files checked against the facts schema ([`crate::join::facts::schema`]): every member a
//! JSONPath query names, every span name of `at:`/`related.at` and every `{placeholder}` must
//! exist in the document, so a typo is an error at load instead of a rule that never fires.
//!
//! The walk follows the schema as far as the query makes its type clear; past a wildcard over
//! an object or a descendant segment (`..`) the matched values may be of any type, and nothing
//! further is checked.

use std::sync::OnceLock;

use jsonpath_rust::parser::model::{
    Comparable, FilterAtom, FnArg, JpQuery, Literal, Segment, Selector, SingularQuery,
    SingularQuerySegment, Test, TestFunction,
};
use serde_json::Value;

/// A name the facts document does not have, or a value a field never takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// The unknown name as written (the last segment of a path), or the literal compared.
    pub name: String,
    /// The dotted path the name ends, as the rule reaches it (`ses.stat`); for a value, the
    /// path of the field it is compared with.
    pub path: String,
    /// The nearest existing path (or value), when one is close enough to be a typo.
    pub suggestion: Option<String>,
    /// For a value: every value the field can take (a comparison with any other is never
    /// true, so the case could never match).
    pub allowed: Option<Vec<String>>,
}

/// The facts schema, built once.
fn root() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(crate::join::facts::schema)
}

/// A schema node: an object with named members, an array of items, or anything else.
enum Shape<'a> {
    Object(&'a serde_json::Map<String, Value>),
    Array(&'a Value),
    Other,
}

/// Follows `$ref`s and drops the `null` alternative of an optional value.
fn shape(node: &Value) -> Shape<'_> {
    let mut node = node;
    for _ in 0..16 {
        if let Some(target) = node.get("$ref").and_then(Value::as_str) {
            let Some(found) = target
                .strip_prefix("#/$defs/")
                .and_then(|name| root().get("$defs")?.get(name))
            else {
                return Shape::Other;
            };
            node = found;
            continue;
        }
        let alternatives = ["anyOf", "oneOf"]
            .iter()
            .find_map(|key| node.get(*key).and_then(Value::as_array));
        if let Some(alternatives) = alternatives {
            let structured: Vec<&Value> = alternatives
                .iter()
                .filter(|alt| alt.get("type").and_then(Value::as_str) != Some("null"))
                .filter(|alt| alt.get("const").is_none())
                .collect();
            match structured.as_slice() {
                [one] => {
                    node = one;
                    continue;
                }
                _ => return Shape::Other,
            }
        }
        break;
    }
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        return Shape::Object(properties);
    }
    match node.get("items") {
        Some(items) => Shape::Array(items),
        None => Shape::Other,
    }
}

/// Where a walk stands: a schema node and the dotted path that reached it from the current
/// object of the walk (for suggestions).
#[derive(Clone)]
struct At<'a> {
    node: &'a Value,
    path: Vec<String>,
}

impl<'a> At<'a> {
    fn member(&self, name: &str, errors: &mut Vec<Unknown>) -> Option<At<'a>> {
        match shape(self.node) {
            Shape::Object(properties) => match properties.get(name) {
                Some(node) => {
                    let mut path = self.path.clone();
                    path.push(name.to_owned());
                    Some(At { node, path })
                }
                None => {
                    let prefix = match self.path.is_empty() {
                        true => String::new(),
                        false => format!("{}.", self.path.join(".")),
                    };
                    let suggestion =
                        crate::suppress::nearest(name, properties.keys().map(String::as_str))
                            .map(|near| format!("{prefix}{near}"));
                    errors.push(Unknown {
                        name: name.to_owned(),
                        path: format!("{prefix}{name}"),
                        suggestion,
                        allowed: None,
                    });
                    None
                }
            },
            // A name selects nothing from an array or a scalar; the query is legal, only
            // useless, and its later members cannot be checked.
            _ => None,
        }
    }

    fn item(&self) -> Option<At<'a>> {
        match shape(self.node) {
            Shape::Array(items) => Some(At {
                node: items,
                path: self.path.clone(),
            }),
            _ => None,
        }
    }

    /// A fresh walk from this node: paths inside a filter are relative to `@`.
    fn current(&self) -> At<'a> {
        At {
            node: self.node,
            path: Vec::new(),
        }
    }
}

fn start() -> At<'static> {
    At {
        node: root(),
        path: Vec::new(),
    }
}

/// Checks every member `query` names; returns the schema node of what it matches, when that is
/// clear, for checking the case's span names and placeholders.
pub fn check_query(query: &JpQuery, errors: &mut Vec<Unknown>) -> Option<&'static Value> {
    segments(Some(start()), &query.segments, errors).map(|at| at.node)
}

fn segments<'a>(
    mut at: Option<At<'a>>,
    list: &[Segment],
    errors: &mut Vec<Unknown>,
) -> Option<At<'a>> {
    for segment in list {
        at = match segment {
            Segment::Selector(selector) => selector_step(at.as_ref(), selector, errors),
            Segment::Selectors(selectors) => {
                let results: Vec<Option<At<'a>>> = selectors
                    .iter()
                    .map(|s| selector_step(at.as_ref(), s, errors))
                    .collect();
                match results.as_slice() {
                    [one] => one.clone(),
                    _ => None,
                }
            }
            // Below `..` the matched values can be of any type: the rest is not checked.
            Segment::Descendant(_) => return None,
        };
    }
    at
}

fn selector_step<'a>(
    at: Option<&At<'a>>,
    selector: &Selector,
    errors: &mut Vec<Unknown>,
) -> Option<At<'a>> {
    let at = at?;
    match selector {
        Selector::Name(name) => at.member(name, errors),
        Selector::Index(_) | Selector::Slice(..) => at.item(),
        Selector::Wildcard => at.item(),
        Selector::Filter(filter) => {
            let item = at.item();
            filter_check(item.as_ref().map(At::current), filter, errors);
            item
        }
    }
}

fn filter_check(
    current: Option<At<'_>>,
    filter: &jsonpath_rust::parser::model::Filter,
    errors: &mut Vec<Unknown>,
) {
    use jsonpath_rust::parser::model::Filter;
    match filter {
        Filter::Or(items) | Filter::And(items) => {
            for item in items {
                filter_check(current.clone(), item, errors);
            }
        }
        Filter::Atom(atom) => match atom {
            FilterAtom::Filter { expr, .. } => filter_check(current, expr, errors),
            FilterAtom::Test { expr, .. } => test_check(current, expr, errors),
            FilterAtom::Comparison(comparison) => {
                let (left, right) = comparison.vals();
                let left_at = comparable_check(current.clone(), left, errors);
                let right_at = comparable_check(current, right, errors);
                for (at, other) in [(left_at, right), (right_at, left)] {
                    if let (Some(at), Comparable::Literal(Literal::String(value))) = (at, other) {
                        value_check(&at, value, errors);
                    }
                }
            }
        },
    }
}

/// Checks the members a comparison's side names; returns the schema node of a singular query.
fn comparable_check<'a>(
    current: Option<At<'a>>,
    comparable: &Comparable,
    errors: &mut Vec<Unknown>,
) -> Option<At<'a>> {
    match comparable {
        Comparable::Literal(_) => None,
        Comparable::Function(function) => {
            function_check(current, function, errors);
            None
        }
        Comparable::SingularQuery(query) => {
            let (from, list) = match query {
                SingularQuery::Current(list) => (current, list),
                SingularQuery::Root(list) => (Some(start()), list),
            };
            let mut at = from;
            for segment in list {
                at = match (at, segment) {
                    (Some(at), SingularQuerySegment::Name(name)) => at.member(name, errors),
                    (Some(at), SingularQuerySegment::Index(_)) => at.item(),
                    (None, _) => None,
                };
            }
            at
        }
    }
}

/// A string compared with an enumerated field must be one of its values.
fn value_check(at: &At<'_>, value: &str, errors: &mut Vec<Unknown>) {
    let Some(allowed) = values(at.node) else {
        return;
    };
    if allowed.iter().any(|v| v == value) {
        return;
    }
    errors.push(Unknown {
        name: value.to_owned(),
        path: at.path.join("."),
        suggestion: crate::suppress::nearest(value, allowed.iter().map(String::as_str))
            .map(str::to_owned),
        allowed: Some(allowed),
    });
}

/// The values an enumerated schema node allows (`enum`, or the `const`s of a documented
/// enum's `oneOf`), looking through `$ref`s and the `null` of an optional value.
fn values(node: &Value) -> Option<Vec<String>> {
    let mut node = node;
    for _ in 0..16 {
        if let Some(target) = node.get("$ref").and_then(Value::as_str) {
            node = target
                .strip_prefix("#/$defs/")
                .and_then(|name| root().get("$defs")?.get(name))?;
            continue;
        }
        if let Some(alternatives) = node.get("anyOf").and_then(Value::as_array) {
            let mut structured = alternatives
                .iter()
                .filter(|alt| alt.get("type").and_then(Value::as_str) != Some("null"));
            match (structured.next(), structured.next()) {
                (Some(one), None) => {
                    node = one;
                    continue;
                }
                _ => return None,
            }
        }
        break;
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect();
    }
    node.get("oneOf")?
        .as_array()?
        .iter()
        .map(|alt| alt.get("const")?.as_str().map(str::to_owned))
        .collect()
}

fn test_check(current: Option<At<'_>>, test: &Test, errors: &mut Vec<Unknown>) {
    match test {
        Test::RelQuery(list) => {
            segments(current, list, errors);
        }
        Test::AbsQuery(query) => {
            segments(Some(start()), &query.segments, errors);
        }
        Test::Function(function) => function_check(current, function, errors),
    }
}

fn function_check(current: Option<At<'_>>, function: &TestFunction, errors: &mut Vec<Unknown>) {
    let args: Vec<&FnArg> = match function {
        TestFunction::Custom(_, args) => args.iter().collect(),
        TestFunction::Length(arg) => vec![arg.as_ref()],
        TestFunction::Value(arg) | TestFunction::Count(arg) => vec![arg],
        TestFunction::Search(a, b) | TestFunction::Match(a, b) => vec![a, b],
    };
    for arg in args {
        match arg {
            FnArg::Literal(_) => {}
            FnArg::Test(test) => test_check(current.clone(), test, errors),
            FnArg::Filter(filter) => filter_check(current.clone(), filter, errors),
        }
    }
}

/// Checks the members of a rule's `where:` (compiled as `$[?...]`) against `object`.
pub fn check_filter(object: &'static Value, compiled: &JpQuery, errors: &mut Vec<Unknown>) {
    if let Some(Segment::Selector(Selector::Filter(filter))) = compiled.segments.first() {
        let at = At {
            node: object,
            path: Vec::new(),
        };
        filter_check(Some(at), filter, errors);
    }
}

/// Checks a dotted placeholder path (`ses.region`, `unresolved.0.field`) from `object`.
pub fn check_path(object: &'static Value, path: &[&str]) -> Option<Unknown> {
    let mut errors = Vec::new();
    let mut at = Some(At {
        node: object,
        path: Vec::new(),
    });
    for segment in path {
        let Some(here) = at else { break };
        at = match segment.parse::<usize>() {
            Ok(_) => here.item(),
            Err(_) => here.member(segment, &mut errors),
        };
    }
    errors.into_iter().next()
}

/// Checks a span name of `at:` against the `spans` of `object`.
pub fn check_span(object: &'static Value, name: &str) -> Option<Unknown> {
    let spans = At {
        node: object,
        path: Vec::new(),
    }
    .member("spans", &mut Vec::new())?;
    let mut errors = Vec::new();
    At {
        node: spans.node,
        path: Vec::new(),
    }
    .member(name, &mut errors);
    errors.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> (Option<&'static Value>, Vec<Unknown>) {
        let parsed = jsonpath_rust::parser::parse_json_path(text).unwrap();
        let mut errors = Vec::new();
        (check_query(&parsed, &mut errors), errors)
    }

    #[test]
    fn known_members_pass_and_typos_are_named_with_the_fix() {
        let (object, errors) = query("$.senders[?@.ses.state == 'sandbox' && @.uses_ses]");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(object.is_some());
        let (_, errors) = query("$.senders[?@.ses.stat == 'sandbox']");
        assert_eq!(
            errors,
            [Unknown {
                name: "stat".into(),
                path: "ses.stat".into(),
                suggestion: Some("ses.state".into()),
                allowed: None,
            }]
        );
        let (_, errors) = query("$.sendrs[*]");
        assert_eq!(errors[0].suggestion.as_deref(), Some("senders"));
    }

    #[test]
    fn spans_and_placeholders_follow_the_matched_object() {
        let (object, _) = query("$.senders[?@.uses_ses == true]");
        let object = object.unwrap();
        assert_eq!(check_span(object, "source_arn"), None);
        assert_eq!(
            check_span(object, "source_arnn").and_then(|u| u.suggestion),
            Some("source_arn".into())
        );
        assert_eq!(check_path(object, &["ses", "region"]), None);
        assert_eq!(check_path(object, &["unresolved", "0", "field"]), None);
        assert_eq!(
            check_path(object, &["resourse"]).and_then(|u| u.suggestion),
            Some("resource".into())
        );
        // Optional objects and live state are looked through.
        assert_eq!(check_path(object, &["source_arn", "region"]), None);
        assert_eq!(
            check_path(object, &["ses", "live", "production_access"]),
            None
        );
    }

    #[test]
    fn literals_compared_with_enumerated_fields_must_be_values() {
        for good in [
            "$.senders[?@.sending_account == 'DEVELOPER']",
            "$.senders[?@.kind == 'risk-notification' && @.ses.state != 'unknown']",
            "$.senders[?'declared' == @.identity.verdict]",
            "$.senders[?@.source_arn.identity_kind == 'email']",
            "$.senders[?@.resource == 'anything']",
        ] {
            let (_, errors) = query(good);
            assert!(errors.is_empty(), "{good}: {errors:?}");
        }
        let (_, errors) = query("$.senders[?@.sending_account == 'DEVELOPR']");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].name, "DEVELOPR");
        assert_eq!(errors[0].path, "sending_account");
        assert_eq!(errors[0].suggestion.as_deref(), Some("DEVELOPER"));
        assert_eq!(
            errors[0].allowed.as_deref(),
            Some(&["DEVELOPER".to_owned(), "COGNITO_DEFAULT".to_owned()][..])
        );
        let (_, errors) = query("$.senders[?@.ses.state == 'Sandbox' || @.kind == 'pool']");
        let names: Vec<&str> = errors.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Sandbox", "pool"]);
    }

    #[test]
    fn descendants_are_not_checked() {
        let (object, errors) = query("$..anything");
        assert!(errors.is_empty());
        assert!(object.is_none());
    }
}

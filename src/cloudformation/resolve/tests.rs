//! Unit tests of the resolver over small trees built from JSON.

mod conditions;
mod functions;
mod limits;
mod refs;

use serde_json::json;

use super::*;
use crate::source::Span;
use crate::tree::{Entry, Map, Value};

/// A tree from JSON; every node gets a distinct span (its pre-order number) so tests can check
/// which node an unknown points at.
pub(super) fn tree(value: &serde_json::Value) -> Node {
    let mut counter = 0;
    build(value, &mut counter)
}

fn build(value: &serde_json::Value, counter: &mut usize) -> Node {
    use serde_json::Value as J;
    *counter += 1;
    let span = Span::new(*counter, *counter + 1);
    let value = match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Number(n.to_string()),
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::Seq(items.iter().map(|i| build(i, counter)).collect()),
        J::Object(entries) => Value::Map(Map {
            entries: entries
                .iter()
                .map(|(key, v)| Entry {
                    key: key.clone(),
                    key_span: span,
                    value: build(v, counter),
                })
                .collect(),
        }),
    };
    Node::new(span, value)
}

pub(super) fn document(value: serde_json::Value) -> Document {
    Document {
        root: tree(&value),
        comments: Vec::new(),
        loop_free: false,
    }
}

pub(super) fn env(account: Option<&str>, region: Option<&str>) -> StackEnv {
    StackEnv {
        account: account.map(str::to_owned),
        region: region.map(str::to_owned),
        stack_name: Some("Stack".into()),
        parameters: BTreeMap::new(),
    }
}

/// The variants of `Resources.R.Properties.P`, rendered like the debug dump.
pub(super) fn resolve_prop(doc: &Document, env: &StackEnv) -> Vec<Variant> {
    let resolver = Resolver::new(doc, env);
    let node = doc.root.get_path(&["Resources", "R", "Properties", "P"]);
    node.map(|n| resolver.resolve(n)).unwrap_or_default()
}

/// A template whose resource `R` has property `P` = `value`, plus `extra` top-level sections.
pub(super) fn with_prop(value: serde_json::Value, extra: serde_json::Value) -> Document {
    let mut root =
        json!({"Resources": {"R": {"Type": "AWS::Test::Thing", "Properties": {"P": value}}}});
    if let (Some(root), Some(extra)) = (root.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            if k == "Resources" {
                if let (Some(resources), Some(more)) = (
                    root.get_mut("Resources").and_then(|r| r.as_object_mut()),
                    v.as_object(),
                ) {
                    resources.extend(more.clone());
                }
            } else {
                root.insert(k.clone(), v.clone());
            }
        }
    }
    document(root)
}

/// The one variant's value, rendered as in the dump.
pub(super) fn show(variants: &[Variant]) -> String {
    let rendered: Vec<String> = variants
        .iter()
        .map(|v| {
            let value = match &v.value {
                Some(value) => render(value),
                None => "(no value)".into(),
            };
            if v.assumptions.is_empty() {
                value
            } else {
                let when: Vec<String> = (v.assumptions.iter())
                    .map(|a| format!("{}={}", a.condition, a.value))
                    .collect();
                format!("[{}] {value}", when.join(","))
            }
        })
        .collect();
    rendered.join(" | ")
}

fn render(value: &Resolved) -> String {
    match value {
        Resolved::Null => "null".into(),
        Resolved::Bool(b) => b.to_string(),
        Resolved::Number(n) => format!("#{n}"),
        Resolved::Str(t) => format!("{t:?}", t = t.to_string()),
        Resolved::List(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(", "))
        }
        Resolved::Map(entries) => {
            let entries: Vec<String> = (entries.iter())
                .map(|(k, v)| format!("{k}: {}", render(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Resolved::Unknown(u) => format!("?{}", u.reason),
    }
}

/// Resolves `value` as property `P` with `extra` sections under `env`, rendered.
pub(super) fn eval_in(
    value: serde_json::Value,
    extra: serde_json::Value,
    env: &StackEnv,
) -> String {
    show(&resolve_prop(&with_prop(value, extra), env))
}

pub(super) fn eval(value: serde_json::Value) -> String {
    eval_in(
        value,
        json!({}),
        &self::env(Some("111122223333"), Some("us-east-1")),
    )
}

#[test]
fn plain_values_pass_through() {
    assert_eq!(
        eval(json!({"a": [1, true, null, "x"], "b": {}})),
        r#"{a: [#1, true, null, "x"], b: {}}"#
    );
}

#[test]
fn unknown_tags_and_functions_are_unsupported() {
    assert_eq!(eval(json!({"Fn::GetAZs": ""})), "?Fn::GetAZs");
    assert_eq!(
        eval(json!({"Fn::Cidr": ["10.0.0.0/16", 2, 8]})),
        "?Fn::Cidr"
    );
    assert_eq!(
        eval(json!({"Fn::Transform": {"Name": "X"}})),
        "?Fn::Transform"
    );
    let tagged = Node::new(
        Span::new(5, 9),
        Value::Tagged("Rain::Embed".into(), Box::new(tree(&json!("x")))),
    );
    let doc = document(json!({}));
    let env = StackEnv::default();
    let got = Resolver::new(&doc, &env).resolve(&tagged);
    assert_eq!(show(&got), "?!Rain::Embed");
}

#[test]
fn condition_key_in_a_value_is_data() {
    assert_eq!(eval(json!({"Condition": "X"})), r#"{Condition: "X"}"#);
}

#[test]
fn resolver_is_sync() {
    fn sync<T: Sync>() {}
    sync::<Resolver<'static>>();
}

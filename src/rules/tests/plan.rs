//! Plans decide what the JSONPath engine decides: every comparison, literal and missing member,
//! read from JSON and from a typed value's projection alike.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::rules::plan::{self, Plan, Val};
use crate::rules::project::{Paths, Projection};

fn parse(query: &str) -> jsonpath_rust::parser::model::JpQuery {
    jsonpath_rust::parser::parse_json_path(query).unwrap()
}

/// What the engine selects from `element` as the only element of `s`: (path below it, value).
fn engine(query: &jsonpath_rust::parser::model::JpQuery, element: &Value) -> Vec<(String, Value)> {
    let document = json!({ "s": [element] });
    jsonpath_rust::query::js_path_process(query, &document)
        .unwrap()
        .into_iter()
        .map(|found| {
            let inner = found.path.strip_prefix("$['s'][0]").unwrap().to_owned();
            (inner, found.val.clone())
        })
        .collect()
}

/// What the plan selects, deciding from the element's JSON and from its projection; both must
/// agree.
fn planned(plan: &Plan, element: &Value) -> Vec<(String, Value)> {
    let from_json = plan.keeps(&|p| plan::json_val(element, &plan.paths[p]));
    let mut paths = Paths::new();
    let slots: Vec<usize> = plan.paths.iter().map(|p| paths.slot(p)).collect();
    let mut projection = Projection::default();
    assert!(projection.fill(&paths, element));
    let from_projection = plan.keeps(&|p| projection.val(slots[p]));
    assert_eq!(from_json, from_projection, "{plan:?} over {element}");
    let mut found = Vec::new();
    if from_json {
        plan.select(element, &mut |value, path| {
            found.push((path.to_owned(), value.clone()))
        });
    }
    found
}

const FILTERS: &[&str] = &[
    "@.a == 'x'",
    "@.a != 'x'",
    "@.a < 'y'",
    "@.a >= 'x'",
    "@.a == 1",
    "@.a == 1.0",
    "@.a != 1",
    "@.a < 1",
    "@.a <= 1",
    "@.a > -2",
    "@.a >= 1.5",
    "@.a == true",
    "@.a != false",
    "@.a == null",
    "@.a != null",
    "@.a.b == 1",
    "@.a.b != 'x'",
    "@.a",
    "!@.a",
    "@.a.b",
    "!@.a.b",
    "@.a == 1 && @.b != 'y'",
    "@.a == 1 || @.b == 'x'",
    "!(@.a == 1 || @.b)",
    "(@.a == 'x' || @.a == 'y') && !(@.b == null)",
    "1 < @.a",
    "'x' == @.a",
    "null == @.b",
    "1 == 1",
    "'a' < 'b'",
    "null == null",
    "true != false",
];

const SELECTIONS: &[&str] = &[
    "$.s[*]",
    "$.s[*].a",
    "$.s[*].a[*]",
    "$.s[*].a.b",
    "$.s[?@.b == 'x'].a[*]",
    "$.s[*][*]",
];

fn member() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        any::<bool>().prop_map(|b| Some(json!(b))),
        prop::sample::select(vec![json!(1), json!(1.0), json!(1.5), json!(-2), json!(0)])
            .prop_map(Some),
        prop::sample::select(vec![json!("x"), json!("y"), json!(""), json!("1")]).prop_map(Some),
        prop::sample::select(vec![
            json!([]),
            json!([1, "x"]),
            json!({}),
            json!({"b": 1}),
            json!({"b": "x", "c": [true]}),
            json!({"b": null}),
        ])
        .prop_map(Some),
    ]
}

fn element() -> impl Strategy<Value = Value> {
    (member(), member()).prop_map(|(a, b)| {
        let mut object = serde_json::Map::new();
        if let Some(a) = a {
            object.insert("a".to_owned(), a);
        }
        if let Some(b) = b {
            object.insert("b".to_owned(), b);
        }
        Value::Object(object)
    })
}

#[test]
fn every_filter_here_has_a_plan() {
    for filter in FILTERS {
        assert!(
            Plan::of(&parse(&format!("$.s[?{filter}]"))).is_some(),
            "{filter}"
        );
    }
    for query in SELECTIONS {
        assert!(Plan::of(&parse(query)).is_some(), "{query}");
    }
}

#[test]
fn queries_a_plan_cannot_decide_exactly_have_none() {
    for query in [
        "$.s",
        "$.s[0]",
        "$.s[?@.a == @.b]",
        "$.s[?@.a[0] == 1]",
        "$.s[?@.a == $.x]",
        "$.s[?length(@.a) > 1]",
        "$.s[?match(@.a, 'x')]",
        "$.s[?@.a[?@ == 1]]",
        "$.s[?@.a[*]]",
        "$.s[*].a[0]",
        "$.s[*]..a",
        "$..s[*]",
    ] {
        assert_eq!(Plan::of(&parse(query)), None, "{query}");
    }
}

/// Every query of [`FILTERS`] and [`SELECTIONS`], parsed once, with its plan.
static QUERIES: std::sync::LazyLock<Vec<(String, jsonpath_rust::parser::model::JpQuery, Plan)>> =
    std::sync::LazyLock::new(|| {
        let filters = FILTERS.iter().map(|filter| format!("$.s[?{filter}]"));
        let selections = SELECTIONS.iter().map(|query| (*query).to_owned());
        filters
            .chain(selections)
            .map(|query| {
                let parsed = parse(&query);
                let plan = Plan::of(&parsed).unwrap();
                (query, parsed, plan)
            })
            .collect()
    });

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn plans_decide_as_the_engine(element in element()) {
        for (query, parsed, plan) in QUERIES.iter() {
            prop_assert_eq!(planned(plan, &element), engine(parsed, &element), "{}", query);
        }
    }
}

/// A typed value reads as its JSON does: options, enums, skipped fields, nested structs.
#[test]
fn a_projection_reads_what_the_json_holds() {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        UserPool,
        #[allow(dead_code)]
        Other,
    }
    #[derive(serde::Serialize)]
    struct Inner {
        state: Option<String>,
        known: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
    }
    #[derive(serde::Serialize)]
    struct Fact {
        kind: Kind,
        n: u64,
        inner: Inner,
        none: Option<Inner>,
        list: Vec<u8>,
        tagged: Tagged,
    }
    #[derive(serde::Serialize)]
    enum Tagged {
        Wrapped(u32),
    }
    let fact = Fact {
        kind: Kind::UserPool,
        n: 7,
        inner: Inner {
            state: Some("sandbox".to_owned()),
            known: true,
            skipped: None,
        },
        none: None,
        list: vec![1, 2],
        tagged: Tagged::Wrapped(3),
    };
    let json = serde_json::to_value(&fact).unwrap();
    let wanted: Vec<Vec<String>> = [
        "kind",
        "n",
        "inner",
        "inner.state",
        "inner.known",
        "inner.skipped",
        "none",
        "none.state",
        "list",
        "tagged",
        "tagged.Wrapped",
        "missing",
        "n.deeper",
    ]
    .iter()
    .map(|p| p.split('.').map(str::to_owned).collect())
    .collect();
    let mut paths = Paths::new();
    let slots: Vec<usize> = wanted.iter().map(|p| paths.slot(p)).collect();
    let mut projection = Projection::default();
    assert!(projection.fill(&paths, &fact));
    for (path, slot) in wanted.iter().zip(slots) {
        assert_eq!(
            projection.val(slot),
            plan::json_val(&json, path),
            "{}",
            path.join(".")
        );
    }
    assert_eq!(projection.val(0), Val::Str("user-pool"));
}

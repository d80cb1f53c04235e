//! Bounds: variant counts, nesting depth, and no panic on arbitrary trees.

use proptest::prelude::*;
use serde_json::json;

use super::*;

/// `count` undecidable conditions `C0..`, each `Env == "i"`.
fn conditions(count: usize) -> serde_json::Value {
    let mut conditions = serde_json::Map::new();
    for i in 0..count {
        conditions.insert(
            format!("C{i}"),
            json!({"Fn::Equals": [{"Ref": "Env"}, i.to_string()]}),
        );
    }
    json!({"Parameters": {"Env": {"Type": "String"}}, "Conditions": conditions})
}

fn is_overflow(v: &Variant) -> bool {
    matches!(&v.value, Some(Resolved::Unknown(Unknown { reason: UnknownReason::Invalid { reason }, .. }))
        if reason == "too many condition combinations")
        && v.assumptions.is_empty()
}

#[test]
fn two_hundred_nested_ifs_are_bounded() {
    let mut value = json!("last");
    for i in (0..200).rev() {
        value = json!({"Fn::If": [format!("C{i}"), format!("v{i}"), value]});
    }
    let variants = resolve_prop(&with_prop(value, conditions(200)), &env(None, None));
    assert_eq!(variants.len(), MAX_VARIANTS);
    assert_eq!(
        variants[0].assumptions,
        vec![Assumption {
            condition: "C0".into(),
            value: true
        }]
    );
    assert!(is_overflow(&variants[MAX_VARIANTS - 1]));
    assert!(variants[..MAX_VARIANTS - 1].iter().all(|v| !is_overflow(v)));
}

#[test]
fn two_hundred_ifs_side_by_side_are_bounded() {
    let items: Vec<serde_json::Value> = (0..200)
        .map(|i| json!({"Fn::If": [format!("C{i}"), "a", "b"]}))
        .collect();
    let value = json!({"Fn::Join": ["", items]});
    let variants = resolve_prop(&with_prop(value, conditions(200)), &env(None, None));
    assert_eq!(variants.len(), MAX_VARIANTS);
    assert!(is_overflow(&variants[MAX_VARIANTS - 1]));
}

#[test]
fn four_conditions_fit() {
    let items: Vec<serde_json::Value> = (0..4)
        .map(|i| json!({"Fn::If": [format!("C{i}"), "a", "b"]}))
        .collect();
    let variants = resolve_prop(&with_prop(json!(items), conditions(4)), &env(None, None));
    assert_eq!(variants.len(), 16);
    assert!(
        variants
            .iter()
            .all(|v| !is_overflow(v) && v.assumptions.len() == 4)
    );
}

#[test]
fn deep_nesting_is_cut() {
    for wrap in [
        |v| json!({"Fn::Base64": v}),
        |v| json!([v]),
        |v| json!({"Fn::Join": ["", [v]]}),
        |v| json!({"Fn::Select": [0, [v]]}),
        |v| json!({"Fn::If": ["C", v, "x"]}),
        |v| json!({"Fn::Sub": ["${X}", {"X": v}]}),
    ] as [fn(serde_json::Value) -> serde_json::Value; 6]
    {
        let mut value = json!("x");
        for _ in 0..300 {
            value = wrap(value);
        }
        let unknown = json!({"Fn::Equals": [{"Ref": "AWS::Region"}, "x"]});
        let doc = with_prop(value, json!({"Conditions": {"C": unknown}}));
        // Half the stack of a default worker thread, to keep a margin.
        let got = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn_scoped(scope, || eval_render(&doc))
                .map(|h| h.join())
        });
        let Ok(Ok(got)) = got else {
            panic!("resolver thread failed");
        };
        assert!(got.contains("nested more than 256 levels deep"), "{got}");
    }
}

fn eval_render(doc: &Document) -> String {
    show(&resolve_prop(doc, &env(None, None)))
}

#[test]
fn condition_chain_deeper_than_the_bound() {
    let mut conditions = serde_json::Map::new();
    conditions.insert("C0".into(), json!({"Fn::Equals": ["a", "a"]}));
    for i in 1..2000 {
        conditions.insert(
            format!("C{i}"),
            json!({"Fn::Not": [{"Condition": format!("C{}", i - 1)}]}),
        );
    }
    let doc = document(json!({"Conditions": conditions}));
    let e = env(None, None);
    let resolver = Resolver::new(&doc, &e);
    // Computed in document order, each step is shallow.
    assert_eq!(resolver.condition("C1999"), Truth::False);
    assert_eq!(resolver.condition("C1998"), Truth::True);
}

const KEYS: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::If",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::Base64",
    "Fn::ImportValue",
    "Fn::GetAtt",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::GetAZs",
    "A",
    "B",
    "C",
    "DefaultValue",
];

const STRINGS: &[&str] = &[
    "A",
    "B",
    "C",
    "AWS::NoValue",
    "AWS::Region",
    "AWS::AccountId",
    "${A}",
    "${B.Arn}-${!x}-${AWS::Partition}",
    "a,b",
    ":",
    "0",
    "1",
    "-1",
    "${",
    "é",
    "",
];

fn arb_node() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(|b| json!(b)),
        (-3i64..5).prop_map(|n| json!(n)),
        prop::sample::select(STRINGS).prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(6, 64, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            (prop::sample::select(KEYS), inner.clone()).prop_map(|(k, v)| json!({k: v})),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|entries| {
                serde_json::Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_trees_never_panic(
        value in arb_node(),
        a in arb_node(),
        b in arb_node(),
        c in arb_node(),
    ) {
        let root = json!({
            "Parameters": {"A": {"Type": "CommaDelimitedList", "Default": a.clone()}, "P": c.clone()},
            "Mappings": {"A": {"B": {"C": b.clone()}}, "M": c.clone()},
            "Conditions": {"A": a.clone(), "B": b.clone(), "C": {"Fn::Not": [{"Condition": "A"}]}},
            "Resources": {
                "R": {"Type": "AWS::Test::Thing", "Properties": {"P": value}},
                "B": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": b}},
                "C": {"Type": "AWS::SES::ConfigurationSet", "Properties": {"Name": c}, "Condition": a}
            },
            "Outputs": {"O": {"Value": {"Ref": "B"}, "Export": {"Name": {"Ref": "C"}}}}
        });
        let doc = document(root);
        for e in [env(None, None), env(Some("1"), Some("cn-north-1"))] {
            let variants = resolve_prop(&doc, &e);
            prop_assert!(variants.len() <= MAX_VARIANTS);
            let resolver = Resolver::new(&doc, &e);
            let _ = resolver.exports();
            let _ = resolver.resource_condition("C");
            let _ = debug_dump(&doc, &e);
        }
    }
}

/// A template whose resource `Pool` has `properties`, over the conditions `C0..` of [`conditions`].
fn pool(properties: serde_json::Value, count: usize) -> Document {
    let mut root = conditions(count);
    root["Resources"] =
        json!({"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": properties}});
    document(root)
}

/// Properties resolved one by one: conditions that vary different properties combine without
/// crowding each other out of the sixteen variants of one `resolve` call.
#[test]
fn parts_are_resolved_one_by_one_and_combined() {
    let from: Vec<serde_json::Value> = (1..5)
        .map(|i| json!({"Fn::If": [format!("C{i}"), "a", "b"]}))
        .collect();
    let doc = pool(
        json!({
            "UserPoolName": {"Fn::If": ["C1", "x", "y"]},
            "EmailConfiguration": {
                "SourceArn": {"Fn::If": ["C0", "arn-prod", "arn-dev"]},
                "From": {"Fn::Join": ["", from]}
            }
        }),
        5,
    );
    let e = env(None, Some("us-west-2"));
    let resolver = Resolver::new(&doc, &e);
    let properties = doc
        .root
        .get_path(&["Resources", "Pool", "Properties"])
        .unwrap();
    // Whole, the 32 combinations of five conditions overflow sixteen variants.
    assert_eq!(resolver.resolve(properties).len(), MAX_VARIANTS);
    let wanted: &[&[&str]] = &[
        &["EmailConfiguration", "SourceArn"],
        &["EmailConfiguration", "From"],
    ];
    let combined = resolver.resolve_parts(properties, wanted);
    assert_eq!(combined.unchecked, 0);
    assert_eq!(combined.variants.len(), 32);
    let arns: std::collections::BTreeSet<String> = (combined.variants.iter())
        .filter_map(|v| match &v.value {
            Some(Resolved::Map(m)) => match &m[0] {
                (k, Resolved::Map(inner)) if k == "EmailConfiguration" => inner
                    .iter()
                    .find(|(k, _)| k == "SourceArn")
                    .and_then(|(_, v)| match v {
                        Resolved::Str(t) => t.known(),
                        _ => None,
                    }),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(
        arns.into_iter().collect::<Vec<_>>(),
        ["arn-dev", "arn-prod"]
    );
    // Unwanted properties are not resolved at all.
    assert!(combined.variants.iter().all(|v| match &v.value {
        Some(Resolved::Map(m)) => m.iter().all(|(k, _)| k == "EmailConfiguration"),
        _ => false,
    }));
}

#[test]
fn combinations_past_the_bound_are_counted() {
    let mut properties = serde_json::Map::new();
    let mut wanted_names = Vec::new();
    for i in 0..9 {
        properties.insert(
            format!("K{i}"),
            json!({"Fn::If": [format!("C{i}"), "a", "b"]}),
        );
        wanted_names.push(format!("K{i}"));
    }
    let doc = pool(serde_json::Value::Object(properties), 9);
    let e = env(None, Some("us-west-2"));
    let resolver = Resolver::new(&doc, &e);
    let node = doc
        .root
        .get_path(&["Resources", "Pool", "Properties"])
        .unwrap();
    let paths: Vec<[&str; 1]> = wanted_names.iter().map(|n| [n.as_str()]).collect();
    let wanted: Vec<&[&str]> = paths.iter().map(|p| &p[..]).collect();
    let combined = resolver.resolve_parts(node, &wanted);
    assert_eq!(
        combined.variants.len(),
        crate::cloudformation::resolve::MAX_COMBINATIONS
    );
    assert_eq!(combined.unchecked, 512 - 256);
}

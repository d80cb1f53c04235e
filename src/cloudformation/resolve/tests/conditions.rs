//! Conditions and `Fn::If`.

use serde_json::json;

use super::*;
use crate::cloudformation::resolve::conditions::equal_text;

fn template() -> serde_json::Value {
    json!({
        "Parameters": {
            "Env": {"Type": "String"},
            "Stage": {"Type": "String", "Default": "dev"}
        },
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]},
            "NotDev": {"Fn::Not": [{"Condition": "IsDev"}]},
            "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
            "NotNotProd": {"Fn::Not": [{"Fn::Not": [{"Condition": "IsProd"}]}]},
            "ProdAndDev": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
            "ProdAndNotDev": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "NotDev"}]},
            "ProdOrDev": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
            "ProdOrNotDev": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsDev"}]}]},
            "UsRegion": {"Fn::Equals": [{"Fn::Select": [0, {"Fn::Split": ["-", {"Ref": "AWS::Region"}]}]}, "us"]},
            "ArnInProd": {"Fn::Equals": [{"Fn::Sub": "arn:${AWS::Partition}:x"}, "prod"]},
            "Loop1": {"Fn::Not": [{"Condition": "Loop2"}]},
            "Loop2": {"Fn::Not": [{"Condition": "Loop1"}]},
            "Self": {"Condition": "Self"},
            "Dangling": {"Condition": "Nowhere"},
            "Malformed": {"Fn::Equals": ["only one"]}
        }
    })
}

#[test]
fn three_valued_conditions() {
    let doc = document(template());
    let e = env(None, Some("us-west-2"));
    let resolver = Resolver::new(&doc, &e);
    let cases = [
        ("IsProd", Truth::Unknown),
        ("IsDev", Truth::True),
        ("NotDev", Truth::False),
        ("ProdAndDev", Truth::Unknown),
        ("ProdAndNotDev", Truth::False),
        ("ProdOrDev", Truth::True),
        ("ProdOrNotDev", Truth::Unknown),
        ("UsRegion", Truth::True),
        ("ArnInProd", Truth::False),
        ("Loop1", Truth::Unknown),
        ("Loop2", Truth::Unknown),
        ("Self", Truth::Unknown),
        ("Dangling", Truth::Unknown),
        ("Malformed", Truth::Unknown),
        ("Undefined", Truth::Unknown),
    ];
    for (name, expected) in cases {
        assert_eq!(resolver.condition(name), expected, "{name}");
    }
}

#[test]
fn equals_decides_on_known_ends() {
    let hole = Unknown {
        span: Span::default(),
        reason: UnknownReason::Pseudo {
            name: "AWS::AccountId".into(),
        },
    };
    let pattern = |prefix: &str, suffix: &str| {
        let mut t = Text::lit(prefix);
        t.push_hole(hole.clone());
        t.push_str(suffix);
        t
    };
    let lit = |s: &str| Text::lit(s);
    assert_eq!(equal_text(&lit("a"), &lit("a")), Truth::True);
    assert_eq!(equal_text(&lit("a"), &lit("b")), Truth::False);
    assert_eq!(
        equal_text(&pattern("arn:", ":x"), &lit("arn:1:x")),
        Truth::Unknown
    );
    assert_eq!(
        equal_text(&pattern("arn:", ":x"), &lit("arn:1:y")),
        Truth::False
    );
    assert_eq!(
        equal_text(&pattern("arn:", ":x"), &lit("arn:x")),
        Truth::False
    );
    assert_eq!(equal_text(&pattern("arn:", ""), &lit("ar")), Truth::False);
    assert_eq!(
        equal_text(&pattern("a", "z"), &pattern("ab", "yz")),
        Truth::Unknown
    );
    assert_eq!(
        equal_text(&pattern("a", "z"), &pattern("b", "z")),
        Truth::False
    );
    assert_eq!(
        equal_text(&pattern("a", "z"), &pattern("a", "y")),
        Truth::False
    );
    let e = env(None, None);
    let equals = |a: serde_json::Value, b: serde_json::Value| {
        let doc = document(json!({"Conditions": {"C": {"Fn::Equals": [a, b]}}}));
        Resolver::new(&doc, &e).condition("C")
    };
    assert_eq!(equals(json!(1), json!("1")), Truth::True);
    assert_eq!(equals(json!(true), json!("true")), Truth::True);
    assert_eq!(equals(json!(["a", "b"]), json!(["a", "b"])), Truth::True);
    assert_eq!(equals(json!(["a"]), json!(["a", "b"])), Truth::False);
    assert_eq!(
        equals(json!({"Ref": "AWS::NotificationARNs"}), json!([])),
        Truth::Unknown
    );
    assert_eq!(
        equals(json!({"Ref": "AWS::Region"}), json!([])),
        Truth::Unknown
    );
    assert_eq!(equals(json!("x"), json!([])), Truth::False);
}

#[test]
fn fn_if_follows_or_forks() {
    let e = env(None, None);
    let if_ = |c: &str| json!({"Fn::If": [c, "yes", {"Ref": "AWS::NoValue"}]});
    assert_eq!(eval_in(if_("IsDev"), template(), &e), r#""yes""#);
    assert_eq!(eval_in(if_("NotDev"), template(), &e), "(no value)");
    assert_eq!(
        eval_in(if_("IsProd"), template(), &e),
        r#"[IsProd=true] "yes" | [IsProd=false] (no value)"#
    );
    assert_eq!(
        eval_in(json!({"a": if_("IsProd"), "b": 1}), template(), &e),
        r#"[IsProd=true] {a: "yes", b: #1} | [IsProd=false] {b: #1}"#
    );
    assert_eq!(
        eval_in(if_("Nope"), template(), &e),
        "?invalid: Fn::If of undefined condition Nope"
    );
    assert_eq!(
        eval_in(json!({"Fn::If": ["IsProd", "a"]}), template(), &e),
        "?invalid: Fn::If needs [condition, then, else]"
    );
}

#[test]
fn same_condition_twice_is_not_contradicted() {
    let e = env(None, None);
    let nested = json!({"Fn::If": ["IsProd", {"Fn::If": ["IsProd", "a", "b"]}, "c"]});
    assert_eq!(
        eval_in(nested, template(), &e),
        r#"[IsProd=true] "a" | [IsProd=false] "c""#
    );
    let twice = json!({"Fn::Join": ["-", [
        {"Fn::If": ["IsProd", "p", "d"]},
        {"Fn::If": ["IsProd", "P", "D"]}
    ]]});
    assert_eq!(
        eval_in(twice, template(), &e),
        r#"[IsProd=true] "p-P" | [IsProd=false] "d-D""#
    );
}

#[test]
fn identical_branches_merge_per_assumption() {
    let e = env(None, None);
    let same = json!({"Fn::If": ["IsProd", "x", "x"]});
    assert_eq!(
        eval_in(same, template(), &e),
        r#"[IsProd=true] "x" | [IsProd=false] "x""#
    );
}

#[test]
fn correlated_conditions_share_a_label() {
    let e = env(None, None);
    let value = json!({"Fn::Join": ["-", [
        {"Fn::If": ["IsProd", "p", "d"]},
        {"Fn::If": ["NotProd", "n", "N"]},
        {"Fn::If": ["ProdAndDev", "a", "A"]},
        {"Fn::If": ["NotNotProd", "x", "X"]},
        {"Fn::If": ["ProdOrNotDev", "o", "O"]}
    ]]});
    assert_eq!(
        eval_in(value, template(), &e),
        r#"[IsProd=true] "p-N-a-x-o" | [IsProd=false] "d-n-A-X-O""#
    );
    let doc = document(template());
    let resolver = Resolver::new(&doc, &e);
    let assumption = |condition: &str, value| Assumption {
        condition: condition.into(),
        value,
    };
    assert_eq!(
        resolver.assumption("NotProd", true),
        assumption("IsProd", false)
    );
    assert_eq!(
        resolver.assumption("ProdAndDev", false),
        assumption("IsProd", false)
    );
    assert_eq!(
        resolver.assumption("IsProd", true),
        assumption("IsProd", true)
    );
    // A cycle is cut after a bounded walk; the label is one of the conditions in it.
    let looped = resolver.assumption("Loop1", true).condition;
    assert!(looped == "Loop1" || looped == "Loop2", "{looped}");
}

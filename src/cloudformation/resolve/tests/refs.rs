//! `Ref`: parameters, pseudo parameters, resources, cycles and `AWS::NoValue`.

use serde_json::json;

use super::*;

fn params() -> serde_json::Value {
    json!({"Parameters": {
        "Env": {"Type": "String"},
        "Domain": {"Type": "String", "Default": "example.com"},
        "Port": {"Type": "Number", "Default": 25},
        "Names": {"Type": "CommaDelimitedList", "Default": "a,b,c"},
        "Ids": {"Type": "List<AWS::EC2::Subnet::Id>"},
        "FromSsm": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/mail/from"},
        "ListSsm": {"Type": "AWS::SSM::Parameter::Value<List<String>>", "Default": "/mail/list"}
    }})
}

#[test]
fn parameters_override_default_or_stay_unknown() {
    let mut e = env(None, None);
    assert_eq!(
        eval_in(json!({"Ref": "Domain"}), params(), &e),
        r#""example.com""#
    );
    assert_eq!(
        eval_in(json!({"Ref": "Env"}), params(), &e),
        r#""<parameter Env>""#
    );
    assert_eq!(eval_in(json!({"Ref": "Port"}), params(), &e), r#""25""#);
    assert_eq!(
        eval_in(json!({"Ref": "Names"}), params(), &e),
        r#"["a", "b", "c"]"#
    );
    assert_eq!(
        eval_in(json!({"Ref": "Ids"}), params(), &e),
        "?parameter Ids"
    );
    // An SSM parameter's `Default` names a Parameter Store entry; its value is not in the template.
    assert_eq!(
        eval_in(json!({"Ref": "FromSsm"}), params(), &e),
        r#""<parameter FromSsm>""#
    );
    assert_eq!(
        eval_in(json!({"Ref": "ListSsm"}), params(), &e),
        "?parameter ListSsm"
    );
    e.parameters
        .insert("Domain".into(), "mail.example.org".into());
    e.parameters.insert("Env".into(), "prod".into());
    e.parameters
        .insert("Ids".into(), "subnet-1,subnet-2".into());
    e.parameters
        .insert("FromSsm".into(), "noreply@example.com".into());
    e.parameters.insert("ListSsm".into(), "a,b".into());
    assert_eq!(
        eval_in(json!({"Ref": "Domain"}), params(), &e),
        r#""mail.example.org""#
    );
    assert_eq!(eval_in(json!({"Ref": "Env"}), params(), &e), r#""prod""#);
    assert_eq!(
        eval_in(json!({"Ref": "Ids"}), params(), &e),
        r#"["subnet-1", "subnet-2"]"#
    );
    assert_eq!(
        eval_in(json!({"Ref": "FromSsm"}), params(), &e),
        r#""noreply@example.com""#
    );
    assert_eq!(
        eval_in(json!({"Ref": "ListSsm"}), params(), &e),
        r#"["a", "b"]"#
    );
}

#[test]
fn unknown_points_at_the_ref_node() {
    let doc = with_prop(json!({"Name": {"Ref": "Env"}}), params());
    let e = env(None, None);
    let variants = resolve_prop(&doc, &e);
    let ref_node = doc
        .root
        .get_path(&["Resources", "R", "Properties", "P", "Name"])
        .map(|n| n.span);
    let Some(Resolved::Map(entries)) = &variants[0].value else {
        panic!("{variants:?}");
    };
    let Resolved::Str(t) = &entries[0].1 else {
        panic!("{entries:?}");
    };
    assert_eq!(t.holes().next().map(|u| u.span), ref_node);
}

#[test]
fn pseudo_parameters() {
    let known = env(Some("111122223333"), Some("eu-west-1"));
    let cases = [
        ("AWS::AccountId", r#""111122223333""#),
        ("AWS::Region", r#""eu-west-1""#),
        ("AWS::Partition", r#""aws""#),
        ("AWS::URLSuffix", r#""amazonaws.com""#),
        ("AWS::StackName", r#""Stack""#),
        ("AWS::StackId", r#""<AWS::StackId>""#),
        ("AWS::NotificationARNs", "?AWS::NotificationARNs"),
        ("AWS::Nope", "?invalid: unknown pseudo parameter AWS::Nope"),
    ];
    for (name, expected) in cases {
        assert_eq!(
            eval_in(json!({"Ref": name}), json!({}), &known),
            expected,
            "{name}"
        );
    }
    let mut unknown = StackEnv::default();
    for name in [
        "AWS::AccountId",
        "AWS::Region",
        "AWS::Partition",
        "AWS::URLSuffix",
        "AWS::StackName",
    ] {
        assert_eq!(
            eval_in(json!({"Ref": name}), json!({}), &unknown),
            format!("\"<{name}>\""),
        );
    }
    let partitions = [
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
        ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
        ("us-east-1", "aws", "amazonaws.com"),
    ];
    for (region, partition, suffix) in partitions {
        unknown.region = Some(region.into());
        let doc = document(json!({}));
        assert_eq!(Resolver::new(&doc, &unknown).partition(), Some(partition));
        assert_eq!(
            eval_in(json!({"Ref": "AWS::URLSuffix"}), json!({}), &unknown),
            format!("{suffix:?}")
        );
    }
}

#[test]
fn no_value_is_removed() {
    let no = || json!({"Ref": "AWS::NoValue"});
    assert_eq!(eval(no()), "(no value)");
    assert_eq!(eval(json!({"a": no(), "b": 1})), "{b: #1}");
    assert_eq!(eval(json!([1, no(), 2])), "[#1, #2]");
}

fn identities() -> serde_json::Value {
    json!({"Resources": {
        "Identity": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "example.com"}},
        "Set": {"Type": "AWS::SES::ConfigurationSet", "Properties": {"Name": "events"}},
        "Unnamed": {"Type": "AWS::SES::ConfigurationSet"},
        "Legacy": {"Type": "AWS::PinpointEmail::Identity", "Properties": {"Name": {"Fn::Sub": "mail.${AWS::Region}.example.com"}}},
        "LegacySet": {"Type": "AWS::PinpointEmail::ConfigurationSet", "Properties": {"Name": "legacy"}},
        "Bucket": {"Type": "AWS::S3::Bucket"}
    }})
}

#[test]
fn resource_refs() {
    let e = env(Some("111122223333"), Some("us-east-1"));
    let cases = [
        ("Identity", r#""example.com""#),
        ("Set", r#""events""#),
        ("Unnamed", r#""<Ref Unnamed>""#),
        ("Legacy", r#""mail.us-east-1.example.com""#),
        ("LegacySet", r#""legacy""#),
        ("Bucket", r#""<Ref Bucket>""#),
        ("Nothing", "?invalid: Ref to undefined Nothing"),
    ];
    for (id, expected) in cases {
        assert_eq!(
            eval_in(json!({"Ref": id}), identities(), &e),
            expected,
            "{id}"
        );
    }
    assert_eq!(
        eval_in(json!({"Ref": ["x"]}), json!({}), &e),
        "?invalid: Ref needs a name"
    );
}

#[test]
fn reference_cycles_end() {
    let cycle = json!({"Resources": {
        "A": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": {"Ref": "B"}}},
        "B": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": {"Fn::Join": ["", [{"Ref": "C"}, ".com"]]}}},
        "C": {"Type": "AWS::PinpointEmail::Identity", "Properties": {"Name": {"Ref": "A"}}},
        "Me": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": {"Fn::Sub": "${Me}.x"}}}
    }});
    let e = env(None, None);
    assert_eq!(
        eval_in(json!({"Ref": "A"}), cycle.clone(), &e),
        r#""<invalid: reference cycle>.com""#
    );
    assert_eq!(
        eval_in(json!({"Ref": "Me"}), cycle, &e),
        r#""<invalid: reference cycle>.x""#
    );
}

#[test]
fn doubling_chain_stays_linear() {
    // Each identity's name is the previous one twice: exponential if re-evaluated per use, and
    // past the text bound long before the end.
    let mut resources = serde_json::Map::new();
    resources.insert(
        "I0".into(),
        json!({"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "ab"}}),
    );
    for i in 1..64 {
        let prev = format!("I{}", i - 1);
        resources.insert(
            format!("I{i}"),
            json!({"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": {"Fn::Join": ["", [{"Ref": prev}, {"Ref": prev}]]}}}),
        );
    }
    let extra = json!({"Resources": resources});
    let e = env(None, None);
    let got = eval_in(json!({"Ref": "I63"}), extra, &e);
    assert!(got.contains("string longer than"), "{got}");
}

#[test]
fn resource_condition_and_exports() {
    let doc = document(json!({
        "Parameters": {"Env": {"Type": "String"}},
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "Never": {"Fn::Equals": ["a", "b"]}
        },
        "Resources": {
            "Plain": {"Type": "AWS::S3::Bucket"},
            "Prod": {"Type": "AWS::S3::Bucket", "Condition": "IsProd"},
            "Off": {"Type": "AWS::S3::Bucket", "Condition": "Never"}
        },
        "Outputs": {
            "Arn": {"Value": {"Fn::Sub": "arn:aws:ses:${AWS::Region}:1:identity/x"},
                    "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Arn"}}},
            "Hidden": {"Value": "x", "Condition": "Never", "Export": {"Name": "Hidden"}},
            "NoExport": {"Value": "y"}
        }
    }));
    let e = env(None, Some("us-west-2"));
    let resolver = Resolver::new(&doc, &e);
    assert_eq!(resolver.resource_condition("Plain"), Truth::True);
    assert_eq!(resolver.resource_condition("Prod"), Truth::Unknown);
    assert_eq!(resolver.resource_condition("Off"), Truth::False);
    assert_eq!(resolver.resource_condition("Missing"), Truth::Unknown);
    let exports = resolver.exports();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].name.known().as_deref(), Some("Stack-Arn"));
    assert_eq!(
        show(&exports[0].value),
        r#""arn:aws:ses:us-west-2:1:identity/x""#
    );
    let name_span = doc
        .root
        .get_path(&["Outputs", "Arn", "Export", "Name"])
        .map(|n| n.span);
    assert_eq!(Some(exports[0].span), name_span);
}

#[test]
fn export_name_variants_keep_compatible_values() {
    let doc = document(json!({
        "Parameters": {"Env": {"Type": "String"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Outputs": {"O": {
            "Value": {"Fn::If": ["IsProd", "p", "d"]},
            "Export": {"Name": {"Fn::If": ["IsProd", "prod-x", "dev-x"]}}
        }}
    }));
    let e = env(None, None);
    let exports = Resolver::new(&doc, &e).exports();
    let shown: Vec<String> = (exports.iter())
        .map(|x| format!("{} = {}", x.name, show(&x.value)))
        .collect();
    assert_eq!(
        shown,
        [
            r#"prod-x = [IsProd=true] "p""#,
            r#"dev-x = [IsProd=false] "d""#
        ]
    );
}

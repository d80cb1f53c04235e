//! `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap` and the rest.

use serde_json::json;

use super::*;

fn identity() -> serde_json::Value {
    json!({
        "Parameters": {"Env": {"Type": "String"}, "Names": {"Type": "CommaDelimitedList"}},
        "Resources": {
            "Identity": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "example.com"}}
        }
    })
}

fn agnostic() -> StackEnv {
    env(None, None)
}

#[test]
fn sub_forms() {
    let e = env(Some("111122223333"), Some("eu-west-1"));
    let arn = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${Identity}";
    assert_eq!(
        eval_in(json!({"Fn::Sub": arn}), identity(), &e),
        r#""arn:aws:ses:eu-west-1:111122223333:identity/example.com""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Sub": arn}), identity(), &agnostic()),
        r#""arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/example.com""#
    );
    assert_eq!(
        eval_in(
            json!({"Fn::Sub": ["${Local}@${Domain}-${!Literal}", {"Local": "no-reply", "Domain": {"Ref": "Env"}}]}),
            identity(),
            &e
        ),
        r#""no-reply@<parameter Env>-${Literal}""#
    );
    assert_eq!(
        eval_in(
            json!({"Fn::Sub": "${Identity.DkimDNSTokenName1}"}),
            identity(),
            &e
        ),
        r#""<Identity.DkimDNSTokenName1>""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Sub": "${Missing}/${No.Such}"}), identity(), &e),
        r#""<invalid: Ref to undefined Missing>/<invalid: ${No.Such} names no resource>""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Sub": "${Names}"}), identity(), &e),
        r#""<parameter Names>""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Sub": 3}), identity(), &e),
        "?invalid: Fn::Sub needs a string"
    );
    assert_eq!(
        eval_in(json!({"Fn::Sub": {"Rain::Embed": "x.sh"}}), identity(), &e),
        "?Rain::Embed"
    );
}

#[test]
fn sub_hole_points_at_the_sub_node() {
    let doc = with_prop(json!({"Fn::Sub": "x-${Env}"}), identity());
    let e = agnostic();
    let variants = resolve_prop(&doc, &e);
    let sub = doc.root.get_path(&["Resources", "R", "Properties", "P"]);
    let Some(Resolved::Str(t)) = &variants[0].value else {
        panic!("{variants:?}");
    };
    assert_eq!(t.holes().next().map(|u| u.span), sub.map(|n| n.span));
}

#[test]
fn sub_with_ten_thousand_placeholders() {
    let template = "${AWS::Region}-${Env}.".repeat(10_000);
    let got = resolve_prop(
        &with_prop(json!({"Fn::Sub": template}), identity()),
        &agnostic(),
    );
    let Some(Resolved::Str(t)) = &got[0].value else {
        panic!("not a string");
    };
    assert_eq!(t.parts.len(), 40_000);
    assert_eq!(t.holes().count(), 20_000);
}

#[test]
fn join_cdk_source_arn() {
    // DOMAIN §7.1: what `UserPoolEmail.withSES` synthesizes.
    let cdk = json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ses:us-east-1:", {"Ref": "AWS::AccountId"}, ":identity/example.com"]]});
    assert_eq!(
        eval_in(cdk.clone(), json!({}), &agnostic()),
        r#""arn:<AWS::Partition>:ses:us-east-1:<AWS::AccountId>:identity/example.com""#
    );
    let got = resolve_prop(&with_prop(cdk, json!({})), &agnostic());
    let Some(Resolved::Str(t)) = &got[0].value else {
        panic!("not a string");
    };
    let segments = t.split_on(':');
    assert_eq!(segments[3].known().as_deref(), Some("us-east-1"));
    assert_eq!(segments[5].known().as_deref(), Some("identity/example.com"));
    assert_eq!(segments[4].known(), None);
}

#[test]
fn join_lists() {
    let mut e = agnostic();
    assert_eq!(
        eval_in(json!({"Fn::Join": ["-", {"Ref": "Names"}]}), identity(), &e),
        r#""<parameter Names>""#
    );
    e.parameters.insert("Names".into(), "a,b".into());
    assert_eq!(
        eval_in(json!({"Fn::Join": ["-", {"Ref": "Names"}]}), identity(), &e),
        r#""a-b""#
    );
    assert_eq!(
        eval_in(
            json!({"Fn::Join": [",", [1, true, {"Ref": "AWS::NoValue"}, "x"]]}),
            identity(),
            &e
        ),
        r#""1,true,x""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Join": [",", "nope"]}), identity(), &e),
        r#""<invalid: expected a list>""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Join": "x"}), identity(), &e),
        "?invalid: Fn::Join needs [separator, list]"
    );
}

#[test]
fn select_and_split() {
    let e = env(None, Some("us-east-1"));
    assert_eq!(
        eval_in(json!({"Fn::Select": ["1", ["a", "b"]]}), identity(), &e),
        r#""b""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Select": [0, ["a", "b"]]}), identity(), &e),
        r#""a""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Select": [2, ["a", "b"]]}), identity(), &e),
        "?invalid: Fn::Select index 2 out of range (2 items)"
    );
    assert_eq!(
        eval_in(json!({"Fn::Select": [-1, ["a"]]}), identity(), &e),
        "?invalid: Fn::Select index \"-1\""
    );
    assert_eq!(
        eval_in(
            json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
            identity(),
            &e
        ),
        r#""<Fn::GetAZs>""#
    );
    let domain = json!({"Fn::Select": [1, {"Fn::Split": ["@", "noreply@example.com"]}]});
    assert_eq!(eval_in(domain, identity(), &e), r#""example.com""#);
    // Pseudo parameters cannot hide a `:`, so the ARN still splits into its six fields.
    let arn = json!({"Fn::Split": [":", {"Fn::Sub": "arn:aws:ses:${AWS::Region}:${AWS::AccountId}:identity/x"}]});
    assert_eq!(
        eval_in(arn, identity(), &e),
        r#"["arn", "aws", "ses", "us-east-1", "<AWS::AccountId>", "identity/x"]"#
    );
    // A parameter could hold the delimiter: the pieces' positions are unknown.
    let param = json!({"Fn::Split": [":", {"Fn::Sub": "a:${Env}:b"}]});
    assert_eq!(eval_in(param, identity(), &e), "?parameter Env");
    assert_eq!(
        eval_in(json!({"Fn::Split": ["", "ab"]}), identity(), &e),
        "?invalid: Fn::Split delimiter is empty"
    );
}

fn mappings() -> serde_json::Value {
    json!({"Mappings": {"Ses": {
        "us-east-1": {"Region": "us-east-1"},
        "eu-central-1": {"Region": "eu-west-1"}
    }}})
}

#[test]
fn find_in_map() {
    let e = env(None, Some("eu-central-1"));
    let find = |keys: serde_json::Value| json!({"Fn::FindInMap": keys});
    assert_eq!(
        eval_in(
            find(json!(["Ses", {"Ref": "AWS::Region"}, "Region"])),
            mappings(),
            &e
        ),
        r#""eu-west-1""#
    );
    assert_eq!(
        eval_in(
            find(json!(["Ses", "ap-south-1", "Region", {"DefaultValue": "us-east-1"}])),
            mappings(),
            &e
        ),
        r#""us-east-1""#
    );
    assert_eq!(
        eval_in(find(json!(["Ses", "ap-south-1", "Region"])), mappings(), &e),
        "?invalid: Fn::FindInMap: no entry Ses/ap-south-1/Region"
    );
    assert_eq!(
        eval_in(
            find(json!(["Ses", {"Ref": "AWS::Region"}, "Region"])),
            mappings(),
            &agnostic()
        ),
        "?AWS::Region"
    );
    assert_eq!(
        eval_in(find(json!(["Ses"])), mappings(), &e),
        "?invalid: Fn::FindInMap needs [map, key, key]"
    );
}

#[test]
fn base64_import_get_att() {
    let e = env(None, Some("us-east-1"));
    assert_eq!(
        eval_in(json!({"Fn::Base64": "foobar"}), identity(), &e),
        r#""Zm9vYmFy""#
    );
    assert_eq!(
        eval_in(json!({"Fn::Base64": {"Ref": "Env"}}), identity(), &e),
        r#""<parameter Env>""#
    );
    assert_eq!(
        eval_in(
            json!({"Fn::ImportValue": {"Fn::Sub": "${AWS::Region}-Identity"}}),
            identity(),
            &e
        ),
        r#""<import us-east-1-Identity>""#
    );
    let got = resolve_prop(
        &with_prop(json!({"Fn::ImportValue": "Shared-Arn"}), identity()),
        &e,
    );
    let Some(Resolved::Str(t)) = &got[0].value else {
        panic!("not a string");
    };
    assert!(matches!(
        &t.parts[..],
        [Part::Hole(Unknown { reason: UnknownReason::Import { name }, .. })] if name.known().as_deref() == Some("Shared-Arn")
    ));
    for get_att in [
        json!({"Fn::GetAtt": ["Identity", "DkimDNSTokenName1"]}),
        json!({"Fn::GetAtt": "Identity.DkimDNSTokenName1"}),
    ] {
        assert_eq!(
            eval_in(get_att, identity(), &e),
            r#""<Identity.DkimDNSTokenName1>""#
        );
    }
    assert_eq!(
        eval_in(json!({"Fn::GetAtt": ["Nope", "Arn"]}), identity(), &e),
        "?invalid: Fn::GetAtt of undefined Nope"
    );
}

#[test]
fn length_and_to_json_string() {
    let e = agnostic();
    assert_eq!(
        eval_in(json!({"Fn::Length": [1, 2, 3]}), identity(), &e),
        "#3"
    );
    assert_eq!(
        eval_in(json!({"Fn::Length": {"Ref": "Names"}}), identity(), &e),
        "?parameter Names"
    );
    assert_eq!(
        eval_in(
            json!({"Fn::ToJsonString": {"a": [1, "x", true]}}),
            identity(),
            &e
        ),
        r#""{\"a\":[1,\"x\",true]}""#
    );
    assert_eq!(
        eval_in(
            json!({"Fn::ToJsonString": {"a": {"Ref": "Env"}}}),
            identity(),
            &e
        ),
        r#""<parameter Env>""#
    );
}

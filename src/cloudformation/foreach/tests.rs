//! The loops' expansion, and the loaders' word that a document has none.

use super::*;

fn expanded(text: &str, params: &[(&str, &str)]) -> Expanded {
    let document = crate::load::yaml::load(text).document.unwrap();
    let env = StackEnv {
        parameters: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..StackEnv::default()
    };
    expand(&document, &env)
}

fn keys(e: &Expanded, section: &str) -> Vec<String> {
    e.document
        .as_ref()
        .unwrap()
        .root
        .get(section)
        .and_then(Node::as_map)
        .unwrap()
        .entries
        .iter()
        .map(|e| e.key.clone())
        .collect()
}

const HEAD: &str = "Transform: AWS::LanguageExtensions\n";

#[test]
fn a_literal_list_makes_one_copy_per_item_with_the_body_spans() {
    let text = format!(
        "{HEAD}Resources:\n  Fn::ForEach::Pools:\n    - Env\n    - [dev, prod-1]\n    - Pool${{Env}}:\n        Type: AWS::Cognito::UserPool\n        Properties:\n          UserPoolName: !Ref Env\n          Tag: \"&{{Env}}\"\n"
    );
    let e = expanded(&text, &[]);
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(keys(&e, "Resources"), ["Pooldev", "Poolprod-1"]);
    let root = &e.document.as_ref().unwrap().root;
    let name = root
        .get_path(&["Resources", "Poolprod-1", "Properties", "UserPoolName"])
        .unwrap();
    assert_eq!(name.as_str(), Some("prod-1"));
    assert_eq!(&text[name.span.range()], "!Ref Env");
    let tag = root
        .get_path(&["Resources", "Poolprod-1", "Properties", "Tag"])
        .unwrap();
    assert_eq!(tag.as_str(), Some("prod1"));
    assert_eq!(
        e.notes.get("Poolprod-1").map(String::as_str),
        Some("made by `Fn::ForEach::Pools` with `Env` = `prod-1`")
    );
}

#[test]
fn nested_loops_and_a_parameter_collection() {
    let text = format!(
        "{HEAD}Parameters:\n  Envs:\n    Type: CommaDelimitedList\n    Default: a,b\nResources:\n  Fn::ForEach::Outer:\n    - Env\n    - !Ref Envs\n    - Fn::ForEach::Inner:\n        - Kind\n        - [x, y]\n        - ${{Env}}${{Kind}}:\n            Type: AWS::SNS::Topic\n"
    );
    let e = expanded(&text, &[]);
    assert_eq!(keys(&e, "Resources"), ["ax", "ay", "bx", "by"]);
    assert_eq!(
        e.notes.get("by").map(String::as_str),
        Some(
            "made by `Fn::ForEach::Outer` with `Env` = `b`, `Fn::ForEach::Inner` with `Kind` = `y`"
        )
    );
    // A value given on the command line wins over the default.
    let e = expanded(&text, &[("Envs", "c")]);
    assert_eq!(keys(&e, "Resources"), ["cx", "cy"]);
}

#[test]
fn an_unknown_collection_is_said_only_where_it_hides_something_read() {
    let pools = format!(
        "{HEAD}Parameters:\n  Envs:\n    Type: CommaDelimitedList\nResources:\n  Fn::ForEach::Pools:\n    - Env\n    - !Ref Envs\n    - Pool${{Env}}:\n        Type: AWS::Cognito::UserPool\n      Client${{Env}}:\n        Type: AWS::Cognito::UserPoolClient\n"
    );
    let e = expanded(&pools, &[]);
    assert_eq!(e.problems.len(), 1);
    let problem = &e.problems[0];
    assert_eq!(problem.kind, ProblemKind::NotAnalyzed);
    assert!(
        problem.message.contains("`Fn::ForEach::Pools`")
            && problem.message.contains("parameter `Envs`")
            && problem.message.contains("the 2 resources of its body")
            && problem.message.contains("--param Envs="),
        "{}",
        problem.message
    );
    assert!(keys(&e, "Resources").is_empty());
    let buckets = pools
        .replace("AWS::Cognito::UserPoolClient", "AWS::S3::Bucket")
        .replace("AWS::Cognito::UserPool\n", "AWS::S3::Bucket\n");
    assert!(expanded(&buckets, &[]).problems.is_empty());
}

#[test]
fn without_the_transform_a_loop_that_holds_a_pool_is_rejected_and_still_expanded() {
    let text = "Resources:\n  Fn::ForEach::Pools:\n    - Env\n    - [dev]\n    - Pool${Env}:\n        Type: AWS::Cognito::UserPool\n";
    let e = expanded(text, &[]);
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].kind, ProblemKind::Rejected);
    assert_eq!(keys(&e, "Resources"), ["Pooldev"]);
    let buckets = text.replace("AWS::Cognito::UserPool", "AWS::S3::Bucket");
    assert!(expanded(&buckets, &[]).problems.is_empty());
    // A template without loops is left alone.
    assert!(expanded("Resources: {}\n", &[]).document.is_none());
}

#[test]
fn outputs_conditions_and_properties_expand_too() {
    let text = format!(
        "{HEAD}Conditions:\n  Fn::ForEach::Is:\n    - Env\n    - [dev]\n    - Is${{Env}}: !Equals [!Ref AWS::Region, us-east-1]\nResources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      Fn::ForEach::Props:\n        - P\n        - [UserPoolName]\n        - ${{P}}: x\nOutputs:\n  Fn::ForEach::Out:\n    - Env\n    - [dev]\n    - Out${{Env}}:\n        Value: !Ref Env\n"
    );
    let e = expanded(&text, &[]);
    assert_eq!(keys(&e, "Conditions"), ["Isdev"]);
    assert_eq!(keys(&e, "Outputs"), ["Outdev"]);
    let root = &e.document.as_ref().unwrap().root;
    assert_eq!(
        root.get_path(&["Resources", "Pool", "Properties", "UserPoolName"])
            .and_then(Node::as_str),
        Some("x")
    );
}

#[test]
fn the_bound_holds() {
    let items: Vec<String> = (0..100).map(|i| format!("i{i}")).collect();
    let list = format!("[{}]", items.join(", "));
    let text = format!(
        "{HEAD}Resources:\n  Fn::ForEach::A:\n    - X\n    - {list}\n    - Fn::ForEach::B:\n        - Y\n        - {list}\n        - P${{X}}${{Y}}:\n            Type: AWS::Cognito::UserPool\n"
    );
    let e = expanded(&text, &[]);
    let made = keys(&e, "Resources").len();
    assert!(made > 1000 && made <= MAX_EXPANDED, "{made}");
    assert!(e.problems.iter().any(|p| p.message.contains("more than")));
}

/// Whether any mapping key of `node`, at any depth, begins as a loop's does.
fn any_loop_key(node: &Node) -> bool {
    match &node.value {
        Value::Map(map) => {
            (map.entries.iter()).any(|e| e.key.starts_with(FOR_EACH) || any_loop_key(&e.value))
        }
        Value::Seq(items) => items.iter().any(any_loop_key),
        Value::Tagged(_, inner) => any_loop_key(inner),
        _ => false,
    }
}

#[test]
fn a_document_is_loop_free_only_when_no_key_begins_a_loop() {
    let yaml = [
        ("Resources:\n  B:\n    Type: AWS::S3::Bucket\n", false),
        ("Resources:\n  Fn::ForEach::A: [X, [a], {}]\n", true),
        // Escaped in a double-quoted key, in a flow mapping, under a sequence, in a tag.
        ("Resources:\n  \"Fn::ForEac\\x68::A\": [X, [a], {}]\n", true),
        ("Outputs: [{Fn::ForEach::O: x}]\n", true),
        ("A: !Sub {Fn::ForEach::S: x}\n", true),
        ("A: &a {Fn::ForEach::S: x}\nB: *a\n", true),
        (
            "A: !Sub x\nB: !GetAtt R.Arn\nC: ForEach\nFn::ForEach: x\n",
            false,
        ),
    ];
    for (text, loop_key) in yaml {
        let document = crate::load::yaml::load(text).document.unwrap();
        assert_eq!(any_loop_key(&document.root), loop_key, "{text}");
        assert_eq!(document.loop_free, !loop_key, "{text}");
        assert!(!document.loop_free || expand(&document, &StackEnv::default()).document.is_none());
    }
    let json = [
        (
            r#"{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}"#,
            false,
        ),
        (
            r#"{"Resources": {"\u0046n::ForEach::A": ["X", ["a"], {}]}}"#,
            true,
        ),
        (r#"{"O": [{"x": {"Fn::ForEach::B": 1}}]}"#, true),
        (r#"{"Fn::ForEach": 1, "ForEach::A": 2}"#, false),
    ];
    for (text, loop_key) in json {
        let document = crate::load::json::load(text).document.unwrap();
        assert_eq!(any_loop_key(&document.root), loop_key, "{text}");
        assert_eq!(document.loop_free, !loop_key, "{text}");
    }
    // A loop found by the loader is expanded; one in a document made otherwise too (its
    // `loop_free` is false).
    let text = "Resources:\n  Fn::ForEach::A:\n    - X\n    - [a]\n    - B${X}:\n        Type: AWS::S3::Bucket\n";
    let loaded = crate::load::yaml::load(text).document.unwrap();
    assert!(!loaded.loop_free);
    assert!(expand(&loaded, &StackEnv::default()).document.is_some());
    let made = Document {
        root: loaded.root.clone(),
        comments: Vec::new(),
        loop_free: false,
    };
    assert!(expand(&made, &StackEnv::default()).document.is_some());
}

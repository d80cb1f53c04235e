use super::*;

fn resolved(service: &str, value: &str, options: &Options) -> Node {
    let document = crate::load::yaml::load(service).document.unwrap();
    let read = |_: &Path| None;
    let resolver = Resolver::new(&document.root, Path::new("."), options, &read);
    let node = document.root.get_path(&["value"]).unwrap().clone();
    let _ = value;
    resolver.resolve(&node)
}

fn text(service: &str, options: &Options) -> Option<String> {
    resolved(service, "", options).scalar_text()
}

#[test]
fn strings_split_into_text_and_variables() {
    assert_eq!(
        parse("arn:${self:a}:${AWS::Region}/${opt:x, 'y'}"),
        [
            Piece::Text("arn:".into()),
            Piece::Variable("self:a".into()),
            Piece::Text(":${AWS::Region}/".into()),
            Piece::Variable("opt:x, 'y'".into()),
        ]
    );
    assert_eq!(
        parse("${self:custom.${opt:stage}}"),
        [Piece::Variable("self:custom.${opt:stage}".into())]
    );
    assert_eq!(
        parse("${Bucket.Arn}"),
        [Piece::Text("${Bucket.Arn}".into())]
    );
    assert_eq!(parse("${unclosed:x"), [Piece::Text("${unclosed:x".into())]);
    assert_eq!(
        split_top("env:A, ${self:b, 'c,d'}, 'e,f'", ','),
        ["env:A", " ${self:b, 'c,d'}", " 'e,f'"]
    );
    assert_eq!(
        split_source("file(./a.yml):x.y"),
        Some(("file", Some("./a.yml"), Some("x.y")))
    );
}

#[test]
fn self_opt_sls_and_fallbacks() {
    let options = Options {
        region: None,
        params: [("stage".to_owned(), "prod".to_owned())].into(),
    };
    let service = "custom:\n  domains:\n    prod: example.com\n  from: noreply@${self:custom.domains.${sls:stage}}\nvalue: ${self:custom.from}\n";
    assert_eq!(
        text(service, &options).as_deref(),
        Some("noreply@example.com")
    );
    let region = "value: ${opt:region, 'eu-west-1'}\n";
    assert_eq!(
        text(region, &Options::default()).as_deref(),
        Some("eu-west-1")
    );
    let given = Options {
        region: Some("ap-south-1".into()),
        ..Options::default()
    };
    assert_eq!(text(region, &given).as_deref(), Some("ap-south-1"));
    // The stage defaults to `dev`, and a fallback may be another variable.
    let stage = "provider:\n  stage: ${opt:stage, 'dev'}\ncustom:\n  x: y\nvalue: ${sls:stage}-${opt:nothing, self:custom.x}\n";
    assert_eq!(text(stage, &Options::default()).as_deref(), Some("dev-y"));
}

#[test]
fn what_is_read_when_the_framework_runs_is_unknown_and_named() {
    for (value, named) in [
        ("${ssm:/app/from}", "${ssm:/app/from}"),
        ("${env:FROM, 'x@example.com'}", "${env:FROM}"),
        ("${cf:other.Output}", "${cf:other.Output}"),
        ("${file(./handler.js):from}", "${file(./handler.js):from}"),
        ("${opt:stage}", "${opt:stage}"),
    ] {
        let service = format!("value: \"{value}\"\n");
        let node = resolved(&service, "", &Options::default());
        match node.value {
            Value::Unknown(UnknownReason::Serverless { variable, .. }) => {
                assert_eq!(variable, named);
            }
            other => panic!("{value}: {other:?}"),
        }
    }
    // Inside a string: a hole in a join.
    let node = resolved(
        "value: arn:aws:ses:${aws:region}:${ssm:/acct}:identity/x\n",
        "",
        &Options::default(),
    );
    let (name, _, _) = node.as_intrinsic().unwrap();
    assert_eq!(name, "Fn::Join");
}

#[test]
fn cycles_and_repetition_are_bounded() {
    let cycle = "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nvalue: ${self:custom.a}\n";
    assert!(matches!(
        resolved(cycle, "", &Options::default()).value,
        Value::Unknown(_)
    ));
    let mut service = String::from("custom:\n  l0: [x, x]\n");
    for i in 1..40 {
        service.push_str(&format!(
            "  l{i}: [\"${{self:custom.l{}}}\", \"${{self:custom.l{}}}\"]\n",
            i - 1,
            i - 1
        ));
    }
    service.push_str("value: ${self:custom.l39}\n");
    // Terminates, whatever it makes.
    let _ = resolved(&service, "", &Options::default());
}

#[test]
fn a_fn_sub_keeps_its_own_variables() {
    let service = "custom:\n  name: app\nvalue:\n  Fn::Sub: arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${self:custom.name}/${ssm:/x}\n";
    let node = resolved(service, "", &Options::default());
    let (name, _, argument) = node.as_intrinsic().unwrap();
    assert_eq!(name, "Fn::Sub");
    let items = argument.as_seq().unwrap();
    assert_eq!(
        items[0].as_str(),
        Some("arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/${sandtrap0}")
    );
    assert!(matches!(
        items[1].get("sandtrap0").unwrap().value,
        Value::Unknown(_)
    ));
}

use super::*;

const EXAMPLE: &str = r#"ses:
  production:                 # SES production access granted (out of the sandbox)
    - regions: [ap-northeast-1]
      account: "123456789012" # optional; omitted means any account
  sandbox:
    - regions: [us-west-2]
stacks:                       # environment for templates that do not carry one
  - files: "infra/prod/**"
    account: "123456789012"
    region: ap-northeast-1
    params: {Env: prod}
select: [ST]                  # default: all
ignore: [ST102]
severity: {ST207: warning}
per-file-ignores:
  "legacy/**": [ST103]
fail-level: warning
"#;

fn err(text: &str) -> ConfigError {
    match parse(".sandtrap.yaml", text) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e,
    }
}

/// (line, column, spanned text) of the error's label.
fn at(text: &str, e: &ConfigError) -> (u32, u32, String) {
    let source = SourceFile::new("x", None, text);
    let span = e.span().unwrap();
    let p = source.position(span.start);
    (p.line, p.column, source.slice(span).to_string())
}

fn render(e: &ConfigError) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .render_report(&mut out, e)
        .unwrap();
    out
}

#[test]
fn design_example_loads_with_values_and_spans() {
    let c = parse(".sandtrap.yaml", EXAMPLE).unwrap();
    let src = c.source().unwrap();
    assert_eq!(c.ses.len(), 2);
    assert_eq!(c.ses[0].state, SesState::Production);
    assert_eq!(src.slice(c.ses[0].regions[0].span), "ap-northeast-1");
    let account = c.ses[0].account.as_ref().unwrap();
    assert_eq!(account.value, "123456789012");
    assert_eq!(src.slice(account.span), "\"123456789012\"");
    assert_eq!(c.ses[1].state, SesState::Sandbox);
    assert!(c.ses[1].account.is_none());

    let stack = &c.stacks[0];
    assert_eq!(stack.files.value, "infra/prod/**");
    assert_eq!(stack.region.as_ref().unwrap().value, "ap-northeast-1");
    let env = &stack.params["Env"];
    // The value is read; the text kept for snippets masks it (it may be a `NoEcho` value).
    assert_eq!((env.value.as_str(), src.slice(env.span)), ("prod", "****"));

    let select: Vec<_> = c
        .select
        .iter()
        .flatten()
        .map(|s| s.value.as_str())
        .collect();
    assert_eq!(select, ["ST"]);
    assert_eq!(c.ignore[0].value, "ST102");
    assert_eq!(
        c.severity_for("ST207", "identity-not-declared")
            .unwrap()
            .value,
        Severity::Warning
    );
    assert_eq!(src.slice(c.severity[0].code.span), "ST207");
    assert_eq!(c.per_file_ignores[0].codes[0].value, "ST103");
    assert_eq!(c.fail_level.as_ref().unwrap().value, Severity::Warning);
    assert_eq!(
        src.position(c.fail_level.as_ref().unwrap().span.start).line,
        17
    );
}

#[test]
fn empty_or_comment_only_file_is_the_default() {
    for text in ["", "\n", "# nothing yet\n", "---\n"] {
        let c = parse("x", text).unwrap();
        assert!(
            c.ses.is_empty() && c.stacks.is_empty() && c.select.is_none(),
            "{text:?}"
        );
    }
}

#[test]
fn unknown_key_is_labelled_at_the_key() {
    let text = "select: [ST]\nignore: [ST102]\nfoo: 1\n";
    let e = err(text);
    assert_eq!(
        kind(&e),
        ("sandtrap::config::unknown_key", "unknown key `foo`")
    );
    assert_eq!(at(text, &e), (3, 1, "foo".into()));
    insta::assert_snapshot!(render(&e));
}

#[test]
fn unknown_key_in_a_nested_entry() {
    let text = "ses:\n  sandbox:\n    - regions: [us-west-2]\n      acount: \"123456789012\"\n";
    let e = err(text);
    assert_eq!(at(text, &e), (4, 7, "acount".into()));
    assert_eq!(kind(&e).0, "sandtrap::config::unknown_key");
    assert_eq!(
        e.located().and_then(|l| l.help_text()),
        Some("expected one of: regions, account")
    );
}

#[test]
fn bad_region_is_located() {
    let text = "ses:\n  production:\n    - regions: [us-east-1, US_EAST_1]\n";
    let e = err(text);
    assert!(kind(&e).0 == "sandtrap::config::bad_region");
    assert_eq!(at(text, &e), (3, 28, "US_EAST_1".into()));
    let e = err("stacks:\n  - files: a\n    region: us-east\n");
    assert_eq!(
        kind(&e),
        (
            "sandtrap::config::bad_region",
            "`us-east` is not an AWS region"
        )
    );
}

#[test]
fn account_must_be_twelve_digits_and_keeps_leading_zeros() {
    let text = "stacks:\n  - files: a\n    account: 12345678901\n";
    let e = err(text);
    assert!(kind(&e).0 == "sandtrap::config::bad_account");
    assert_eq!(at(text, &e), (3, 14, "12345678901".into()));
    // Unquoted is fine: the scalar's text is kept, so the leading zero survives.
    let c = parse("x", "stacks:\n  - files: a\n    account: 012345678901\n").unwrap();
    assert_eq!(c.stacks[0].account.as_ref().unwrap().value, "012345678901");
    let e = err("stacks:\n  - files: a\n    account: \"1234-5678-9012\"\n");
    assert!(kind(&e).0 == "sandtrap::config::bad_account");
}

#[test]
fn bad_severity_values_are_located() {
    let text = "severity:\n  ST207: fatal\n";
    let e = err(text);
    assert!(kind(&e).0 == "sandtrap::config::bad_severity");
    assert_eq!(at(text, &e), (2, 10, "fatal".into()));
    let text = "fail-level: Error\n";
    assert_eq!(at(text, &err(text)), (1, 13, "Error".into()));
}

#[test]
fn bad_glob_is_located() {
    let text = "per-file-ignores:\n  \"legacy/[abc\": [ST103]\n";
    let e = err(text);
    assert!(kind(&e).0 == "sandtrap::config::bad_glob");
    assert_eq!(at(text, &e), (2, 3, "\"legacy/[abc\"".into()));
    let e = err("stacks:\n  - files: \"a/{b\"\n");
    assert!(kind(&e).0 == "sandtrap::config::bad_glob");
}

#[test]
fn wrong_shapes_and_duplicates_are_located() {
    let text = "select: ST\n";
    let e = err(text);
    assert!(kind(&e).0 == "sandtrap::config::invalid_value", "{e:?}");
    assert_eq!(at(text, &e).0, 1);

    let text = "select: [ST]\nselect: [ST1]\n";
    let e = err(text);
    assert!(kind(&e).0 == "sandtrap::config::duplicate_key", "{e:?}");
    assert_eq!(at(text, &e).0, 2);

    let text = "stacks:\n  - region: us-east-1\n";
    let e = err(text);
    assert!(
        kind(&e) == ("sandtrap::config::missing_key", "missing key `files`"),
        "{e:?}"
    );

    // Not YAML at all: located, never quoted.
    let text = "ses:\n  production: [\n";
    let e = err(text);
    assert!(matches!(e, ConfigError::NotConfig { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        ".sandtrap.yaml:2:15: not a sandtrap config file: not valid YAML: unclosed bracket '['"
    );
}

#[test]
fn text_that_is_not_a_config_is_never_quoted() {
    for text in [
        "[default]\naws_secret_access_key = TopSecret\n",
        "A=TopSecret\0B=x\0",
        "password: TopSecret\n",
        "- TopSecret\n",
        "TopSecret\n",
    ] {
        let e = err(text);
        assert!(
            matches!(e, ConfigError::NotConfig { .. }),
            "{text:?}: {e:?}"
        );
        let shown = render(&e);
        assert!(!shown.contains("TopSecret"), "{shown}");
        assert!(shown.contains(".sandtrap.yaml:"), "{shown}");
    }
}

#[test]
fn library_limits_are_said_in_the_users_terms() {
    let text = format!("select:\n{}", "  - ST1\n".repeat(260_000));
    let e = err(&text);
    let shown = e.to_string();
    assert!(
        shown.contains("too large or too complex for a settings file: more than 250,000 values"),
        "{shown}"
    );
    assert!(!shown.contains("budget"), "{shown}");
    let text = "ses: &a\n  production: *a\n";
    let shown = err(text).to_string();
    assert!(
        shown.contains("an alias refers to the anchor that contains it"),
        "{shown}"
    );
    assert!(!shown.contains("weak"), "{shown}");
}

#[test]
fn syntax_error_without_byte_offsets_is_located_by_line_and_column() {
    let text = "select: [ST]\nfail-level: warning\n  b: : :\n";
    let e = err(text);
    let (line, _, _) = at(text, &e);
    assert_eq!(line, 3, "{e:?}");
}

#[test]
fn stack_for_takes_the_first_matching_glob() {
    let text = "stacks:\n  - files: \"infra/prod/**\"\n    region: ap-northeast-1\n  - files: \"infra/*.yaml\"\n    region: us-east-1\n  - files: \"**\"\n    region: eu-west-1\n";
    let c = parse("x", text).unwrap();
    let region = |f: &str| {
        c.stack_for(f)
            .and_then(|s| s.region.as_ref())
            .map(|r| r.value.clone())
    };
    assert_eq!(
        region("infra/prod/a/b.yaml").as_deref(),
        Some("ap-northeast-1")
    );
    assert_eq!(
        region("./infra/prod/b.yaml").as_deref(),
        Some("ap-northeast-1")
    );
    assert_eq!(
        region("infra\\prod\\b.yaml").as_deref(),
        Some("ap-northeast-1")
    );
    assert_eq!(region("infra/a.yaml").as_deref(), Some("us-east-1"));
    // `*` does not cross a directory.
    assert_eq!(region("infra/dev/a.yaml").as_deref(), Some("eu-west-1"));
    assert!(parse("x", "").unwrap().stack_for("a.yaml").is_none());
}

#[test]
fn per_file_ignore_globs_without_slash_match_the_file_name() {
    let text = "per-file-ignores:\n  \"*.json\": [ST207]\n  \"legacy/**\": [ST1]\n";
    let c = parse("x", text).unwrap();
    assert!(c.per_file_ignores[0].is_match("cdk.out/a/Stack.template.json"));
    assert!(!c.per_file_ignores[0].is_match("a.yaml"));
    assert!(c.per_file_ignores[1].is_match("legacy/x/y.yaml"));
    assert!(!c.per_file_ignores[1].is_match("src/legacy/y.yaml"));
}

#[test]
fn find_walks_upward_and_prefers_yaml_over_yml() {
    let root = tempfile::tempdir().unwrap();
    let deep = root.path().join("a/b/c");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(root.path().join("a/.sandtrap.yml"), "select: [ST]\n").unwrap();
    assert_eq!(find(&deep), Some(root.path().join("a/.sandtrap.yml")));
    std::fs::write(root.path().join("a/.sandtrap.yaml"), "ignore: [ST102]\n").unwrap();
    assert_eq!(find(&deep), Some(root.path().join("a/.sandtrap.yaml")));
    std::fs::write(deep.join(".sandtrap.yml"), "").unwrap();
    assert_eq!(find(&deep), Some(deep.join(".sandtrap.yml")));

    let c = load(&root.path().join("a/.sandtrap.yaml"), root.path()).unwrap();
    assert_eq!(c.dir(), Some(root.path().join("a").as_path()));
    assert_eq!(c.ignore[0].value, "ST102");
    assert!(matches!(
        load(&root.path().join("missing.yaml"), root.path()),
        Err(ConfigError::Read { .. })
    ));
    assert!(Config::default().dir().is_none());
}

#[test]
fn region_and_account_syntax() {
    for ok in [
        "us-east-1",
        "ap-northeast-1",
        "us-gov-west-1",
        "us-isob-east-1",
        "cn-north-1",
        "ap-southeast-7",
    ] {
        assert!(is_region(ok), "{ok}");
    }
    for bad in [
        "",
        "us-east",
        "us-east-",
        "US-EAST-1",
        "useast1",
        "us-east-1a",
        "*",
        "us--1",
        "usa-east-1",
        "us-east-123",
    ] {
        assert!(!is_region(bad), "{bad}");
    }
    assert!(is_account("012345678901"));
    assert!(
        !is_account("12345678901") && !is_account("1234567890123") && !is_account("12345678901a")
    );
}

/// The kind and message of a located config error.
fn kind(e: &ConfigError) -> (&'static str, &str) {
    match e.located() {
        Some(located) => (located.kind(), located.message()),
        None => panic!("not located: {e:?}"),
    }
}

#[test]
fn aws_routes_are_read_and_checked() {
    let config = parse(
        ".sandtrap.yaml",
        "aws:\n  role-arn: \"arn:aws:iam::{account}:role/sandtrap-reader\"\n  profiles: {\"222222222222\": dev}\n",
    )
    .unwrap();
    assert_eq!(
        config.aws_role_arn.unwrap().value,
        "arn:aws:iam::{account}:role/sandtrap-reader"
    );
    let profiles: Vec<(String, String)> = config
        .aws_profiles
        .into_iter()
        .map(|(a, p)| (a.value, p.value))
        .collect();
    assert_eq!(profiles, [("222222222222".to_owned(), "dev".to_owned())]);

    let text = "aws:\n  role-arn: \"arn:aws:s3:::bucket\"\n";
    let e = err(text);
    assert_eq!(at(text, &e), (2, 13, "\"arn:aws:s3:::bucket\"".to_owned()));
    assert!(
        render(&e).contains("is not an IAM role ARN"),
        "{}",
        render(&e)
    );
    let text = "aws:\n  profiles: {\"12345\": dev}\n";
    assert!(
        render(&err(text)).contains("12-digit"),
        "{}",
        render(&err(text))
    );
}

#[test]
fn role_arn_templates() {
    for good in [
        "arn:aws:iam::{account}:role/sandtrap-reader",
        "arn:aws-cn:iam::123456789012:role/path/name",
        "arn:{partition}:iam::{account}:role/r",
    ] {
        assert!(is_role_arn_template(good), "{good}");
    }
    for bad in [
        "arn:aws:iam::{account}:user/x",
        "arn:aws:iam::1234:role/x",
        "arn:aws:iam::{account}:role/",
        "arn:aws:sts::{account}:role/x",
        "arn:aws:iam::{account}:role/a b",
    ] {
        assert!(!is_role_arn_template(bad), "{bad}");
    }
}

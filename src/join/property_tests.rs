//! Every declared property is read: a pool with each property set to its declared example, and
//! the same pool without one of them, give different facts. A property that is declared but
//! feeds no fact fails here. And the parallel join makes the document a join in order does.

use serde_json::{Map, Value, json};

use super::{JoinInputs, Stack, facts_document};
use crate::cloudformation::resolve::{Resolver, StackEnv};
use crate::extract::{Base, Language, Path, Property, SenderKind};

/// Sets `value` at `keys`; a `*` makes a list of one item holding the rest of the path.
fn set(object: &mut Map<String, Value>, keys: &[&str], value: Value) {
    let Some((first, rest)) = keys.split_first() else {
        return;
    };
    match rest {
        [] => {
            object.insert((*first).to_owned(), value);
        }
        ["*", item @ ..] => {
            let mut entry = Map::new();
            set(&mut entry, item, value);
            object.insert(
                (*first).to_owned(),
                Value::Array(vec![Value::Object(entry)]),
            );
        }
        _ => {
            let child = object
                .entry((*first).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(child) = child {
                set(child, rest, value);
            }
        }
    }
}

/// The facts of one CloudFormation pool with the given properties set.
fn facts_of(properties: &[Property]) -> Value {
    let mut props = Map::new();
    for property in properties {
        let kind = SenderKind::UserPool;
        let language = Language::CloudFormation;
        let Path::At(path) = property.path(language, kind) else {
            continue;
        };
        let mut keys = match property.declaration().base {
            Base::Email => kind.email_settings(language).to_vec(),
            Base::Resource => Vec::new(),
        };
        keys.extend(path);
        let example = serde_json::from_str(property.declaration().example);
        set(&mut props, &keys, example.unwrap_or(Value::Null));
    }
    let template = json!({
        "Resources": {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": props}}
    })
    .to_string();
    match stack_of(&template, "pool") {
        Some(stack) => facts_document(&[&stack], &JoinInputs::default()).to_json(),
        None => Value::Null,
    }
}

/// The stack of JSON template `template`, named `name`, in eu-west-1 of account 111111111111.
fn stack_of(template: &str, name: &str) -> Option<Stack> {
    let document = crate::load::json::load(template).document?;
    let env = StackEnv {
        region: Some("eu-west-1".to_owned()),
        account: Some("111111111111".to_owned()),
        ..StackEnv::default()
    };
    let resolver = Resolver::new(&document, &env);
    let notes = std::collections::HashMap::new();
    let file = format!("{name}.json");
    let source = crate::cloudformation::extract::Template {
        file: &file,
        text: template,
        notes: &notes,
    };
    let facts = crate::cloudformation::extract(&document, source, &resolver);
    Some(Stack {
        file: file.clone(),
        name: name.to_owned(),
        account: env.account.clone(),
        account_source: super::EnvSource::Flag,
        region: env.region.clone(),
        region_source: super::EnvSource::Flag,
        environment_location: None,
        cdk: false,
        language: crate::extract::Language::CloudFormation,
        environment_label: None,
        deployment: file,
        region_note: None,
        lookup_role: None,
        facts: std::sync::Arc::new(facts),
    })
}

/// The stacks are joined in parallel; the document is the one a join in order makes, with
/// every stack's senders joined with identities, exports and configuration sets of others.
#[test]
fn a_parallel_join_is_the_join_in_order() {
    let stacks: Vec<Stack> = (0..300)
        .filter_map(|n| {
            let template = json!({
                "Resources": {
                    "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {
                        "EmailConfiguration": {
                            "EmailSendingAccount": "DEVELOPER",
                            "SourceArn": {"Fn::ImportValue": format!("arn-{}", (n + 7) % 300)},
                            "From": format!("no-reply@d{}.example.com", (n + 1) % 300),
                            "ConfigurationSet": format!("set-{}", n % 5),
                        }
                    }},
                    "Identity": {"Type": "AWS::SES::EmailIdentity", "Properties": {
                        "EmailIdentity": format!("d{n}.example.com")
                    }},
                    "Set": {"Type": "AWS::SES::ConfigurationSet", "Properties": {
                        "Name": format!("set-{}", n % 3)
                    }}
                },
                "Outputs": {"Arn": {
                    "Value": format!("arn:aws:ses:eu-west-1:111111111111:identity/d{n}.example.com"),
                    "Export": {"Name": format!("arn-{n}")}
                }}
            });
            stack_of(&template.to_string(), &format!("stack-{n}"))
        })
        .collect();
    assert_eq!(stacks.len(), 300);
    let stacks: Vec<&Stack> = stacks.iter().collect();
    let run = super::index::RunIndex::new(&stacks);
    let inputs = JoinInputs::default();
    let in_order: Vec<super::Joined> = (0..stacks.len())
        .map(|index| super::join_stack(&stacks, &run, index, &inputs))
        .collect();
    assert!(in_order.iter().all(|joined| joined.senders.len() == 1));
    let parallel = super::join_all(&stacks, &run, &inputs);
    assert_eq!(format!("{parallel:?}"), format!("{in_order:?}"));
}

#[test]
fn every_example_is_json() {
    for property in Property::ALL {
        let example = property.declaration().example;
        assert!(
            serde_json::from_str::<Value>(example).is_ok(),
            "the example of `{property:?}` is not JSON: {example}"
        );
    }
}

#[test]
fn every_declared_property_changes_the_facts() {
    let all = facts_of(&Property::ALL);
    assert!(
        all.get("senders")
            .and_then(Value::as_array)
            .is_some_and(|s| s.len() == 1),
        "{all}"
    );
    for property in Property::ALL {
        let others: Vec<Property> = Property::ALL
            .into_iter()
            .filter(|p| *p != property)
            .collect();
        assert_ne!(
            facts_of(&others),
            all,
            "`{property:?}` is declared, but the facts are the same without it: read it, or remove its declaration"
        );
    }
}

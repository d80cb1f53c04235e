//! Every declared property is read: a pool with each property set, and the same pool without
//! one of them, give different facts. A property that is declared but feeds no fact fails here.

use serde_json::{Map, Value, json};

use super::{JoinInputs, Stack, facts_document};
use crate::extract::{Base, Language, Path, Property, SenderKind};
use crate::resolve::{Resolver, StackEnv};

/// A value of `property` whose presence changes what the join says of the pool below.
fn sample(property: Property) -> Value {
    match property {
        Property::EmailSendingAccount => json!("DEVELOPER"),
        Property::SourceArn => json!("arn:aws:ses:eu-west-1:111111111111:identity/example.com"),
        Property::From => json!("noreply@example.com"),
        Property::ConfigurationSet => json!("transactional"),
        Property::AllowAdminCreateUserOnly => json!(true),
        Property::AutoVerifiedAttributes => json!(["email"]),
        Property::UsernameAttributes => json!(["email"]),
        Property::AliasAttributes => json!(["email"]),
        Property::RecoveryMechanisms => json!("admin_only"),
        Property::EnabledMfas => json!(["EMAIL_OTP"]),
        Property::CustomEmailSender => {
            json!({"LambdaArn": "arn:aws:lambda:eu-west-1:111111111111:function:f", "LambdaVersion": "V1_0"})
        }
    }
}

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
        set(&mut props, &keys, sample(*property));
    }
    let template = json!({
        "Resources": {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": props}}
    })
    .to_string();
    let document = crate::load::json::load(&template).document;
    let Some(document) = document else {
        return Value::Null;
    };
    let env = StackEnv {
        region: Some("eu-west-1".to_owned()),
        account: Some("111111111111".to_owned()),
        ..StackEnv::default()
    };
    let resolver = Resolver::new(&document, &env);
    let facts = crate::extract::extract(&document, &template, &resolver);
    let stack = Stack {
        file: "pool.json".to_owned(),
        name: "pool".to_owned(),
        account: env.account.clone(),
        account_source: super::EnvSource::Flag,
        region: env.region.clone(),
        region_source: super::EnvSource::Flag,
        environment_location: None,
        cdk: false,
        deployment: "pool.json".to_owned(),
        region_note: None,
        lookup_role: None,
        facts: std::sync::Arc::new(facts),
    };
    facts_document(&[stack], &JoinInputs::default()).to_json()
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

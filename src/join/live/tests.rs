//! Tests of the module above.

use super::*;

use crate::join::facts::{IdentityJoin, SenderSes, SenderSpans, SourceArnFact, SpanFact};

fn sender(
    account: Option<&str>,
    source: Option<AccountSource>,
    region: &str,
    identity: &str,
) -> SenderFact {
    SenderFact {
        stack: "S".into(),
        file: "t.yaml".into(),
        resource: "Pool".into(),
        source_arn: Some(SourceArnFact {
            valid: true,
            ..SourceArnFact::default()
        }),
        ses: SenderSes {
            region: Some(region.into()),
            account: account.map(str::to_owned),
            account_source: source,
            ..SenderSes::default()
        },
        identity: IdentityJoin {
            name: Some(identity.into()),
            ..IdentityJoin::default()
        },
        spans: SenderSpans {
            source_arn: Some(SpanFact {
                file: "t.yaml".into(),
                start: 1,
                end: 2,
                via: None,
            }),
            ..SenderSpans::default()
        },
        ..SenderFact::default()
    }
}

fn error(kind: ErrorKind, action: &'static str) -> LookupError {
    LookupError {
        kind,
        operation: "GetAccount",
        action,
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
        role: None,
        role_source: None,
    }
}

#[test]
fn targets_deduplicate_accounts_and_identities() {
    let mut invalid = sender(None, None, "us-east-1", "x.com");
    invalid.source_arn = invalid.source_arn.map(|arn| SourceArnFact {
        valid: false,
        ..arn
    });
    let facts = Facts {
        senders: vec![
            sender(
                Some("111111111111"),
                Some(AccountSource::Stack),
                "us-west-2",
                "example.com",
            ),
            sender(
                Some("111111111111"),
                Some(AccountSource::Stack),
                "us-west-2",
                "example.com",
            ),
            sender(None, None, "eu-west-1", "a@example.com"),
            invalid,
        ]
        .into_iter()
        .map(std::sync::Arc::new)
        .collect(),
        ..Facts::default()
    };
    let t = targets(&facts);
    assert_eq!(t.accounts.len(), 2);
    assert_eq!(t.identities.len(), 2);
    assert!(t.accounts.contains(&(None, "eu-west-1".into())));
}

#[test]
fn caller_account_maps_back_to_the_unknown_key() {
    let s = sender(
        Some("999999999999"),
        Some(AccountSource::Caller),
        "us-west-2",
        "x.com",
    );
    assert_eq!(sender_key(&s), Some((None, "us-west-2".into())));
}

#[test]
fn live_state_and_errors_reach_the_sender() {
    let mut live = LiveFacts::default();
    live.accounts.insert(
        (None, "us-west-2".into()),
        AccountLookup {
            account: Some("999999999999".into()),
            result: Ok(AccountState {
                production_access: false,
                sending_enabled: true,
                ..AccountState::default()
            }),
        },
    );
    live.identities.insert(
        (None, "us-west-2".into(), "x.com".into()),
        Err(error(ErrorKind::AccessDenied, "ses:GetEmailIdentity")),
    );
    let got = for_sender(&live, None, "us-west-2", Some("x.com"));
    assert_eq!(got.state, Some(SesState::Sandbox));
    assert_eq!(got.caller_account.as_deref(), Some("999999999999"));
    assert_eq!(
        got.identity_error.map(|e| e.action),
        Some("ses:GetEmailIdentity")
    );
    assert_eq!(got.identity_live, None);
}

#[test]
fn one_lookup_entry_per_account_region_with_merged_actions() {
    let mut live = LiveFacts::default();
    let key = (Some("111111111111".to_owned()), "us-west-2".to_owned());
    live.accounts.insert(
        key.clone(),
        AccountLookup {
            account: key.0.clone(),
            result: Err(error(ErrorKind::AccessDenied, "ses:GetAccount")),
        },
    );
    for name in ["a.com", "b.com"] {
        live.identities.insert(
            (key.0.clone(), key.1.clone(), name.into()),
            Err(error(ErrorKind::AccessDenied, "ses:GetEmailIdentity")),
        );
    }
    let senders = vec![
        sender(
            Some("111111111111"),
            Some(AccountSource::Stack),
            "us-west-2",
            "a.com",
        ),
        sender(
            Some("111111111111"),
            Some(AccountSource::Stack),
            "us-west-2",
            "b.com",
        ),
    ];
    let senders: Vec<_> = senders.into_iter().map(std::sync::Arc::new).collect();
    let got = lookups(&live, &senders);
    assert_eq!(got.len(), 1);
    let error = got[0].error.as_ref().unwrap();
    assert_eq!(error.actions, ["ses:GetAccount", "ses:GetEmailIdentity"]);
    assert_eq!(got[0].spans.source_arn.as_ref().map(|s| s.start), Some(1));
    assert!(
        error.summary.starts_with(
            "access denied (ses:GetAccount, ses:GetEmailIdentity; AccessDeniedException"
        )
    );
}

fn cdk_stack(account: &str, region: Option<&str>, arn: &str) -> crate::join::Stack {
    crate::join::Stack {
        file: "t.json".into(),
        name: "S".into(),
        account: Some(account.into()),
        account_source: crate::join::EnvSource::CdkManifest,
        region: region.map(str::to_owned),
        region_source: crate::join::EnvSource::CdkManifest,
        environment_location: None,
        cdk: true,
        language: crate::extract::Language::CloudFormation,
        environment_label: None,
        deployment: "m#S".into(),
        region_note: None,
        lookup_role: Some(Box::new(crate::discover::LookupRole {
            arn: arn.into(),
            requires_bootstrap_version: Some(8),
            ..Default::default()
        })),
        facts: Default::default(),
    }
}

#[test]
fn routes_try_the_lookup_role_then_a_profile_then_the_named_role() {
    let lookup = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-lookup-role-${AWS::AccountId}-${AWS::Region}";
    let stacks = [
        cdk_stack("222222222222", Some("cn-north-1"), lookup),
        cdk_stack("222222222222", Some("cn-northwest-1"), lookup),
        // The region is unknown: the role's name cannot be written.
        cdk_stack("333333333333", None, lookup),
    ];
    let mut targets = LookupTargets::default();
    for account in [
        "222222222222",
        "333333333333",
        "444444444444",
        "555555555555",
    ] {
        targets
            .accounts
            .insert((Some(account.into()), "us-west-2".into()));
    }
    targets.accounts.insert((None, "us-west-2".into()));
    let options = RouteOptions {
        role_arn: Some((
            "arn:aws:iam::{account}:role/reader".into(),
            RoleSource::Flag,
        )),
        profiles: [("222222222222".to_owned(), "dev".to_owned())].into(),
    };
    let routes = routes(&stacks.iter().collect::<Vec<_>>(), &targets, &options);
    let names = |account: &str| -> Vec<(String, RoleSource)> {
        routes[account]
            .iter()
            .map(|r| (r.name().to_owned(), r.source()))
            .collect()
    };
    assert_eq!(
        names("222222222222"),
        [
            (
                "arn:aws-cn:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-cn-north-1".to_owned(),
                RoleSource::CdkLookupRole
            ),
            ("dev".to_owned(), RoleSource::Profile),
            ("arn:aws:iam::222222222222:role/reader".to_owned(), RoleSource::Flag),
        ]
    );
    assert_eq!(
        names("333333333333"),
        [(
            "arn:aws:iam::333333333333:role/reader".to_owned(),
            RoleSource::Flag
        )]
    );
    assert_eq!(
        routes.len(),
        4,
        "the caller's unknown account needs no route"
    );

    // A role ARN written for one account reaches that account only.
    let one = RouteOptions {
        role_arn: Some((
            "arn:aws:iam::444444444444:role/reader".into(),
            RoleSource::Config,
        )),
        profiles: Default::default(),
    };
    let routes = super::routes(&[], &targets, &one);
    assert_eq!(routes.keys().collect::<Vec<_>>(), ["444444444444"]);
}

//! One sender's verdicts: sending account, parsed `SourceArn`, SES state, region check, identity
//! join, `From` coverage, configuration set, exposure, and what could not be resolved.

use super::facts::{
    AccountSource, AssumptionFact, ConfigurationSetUse, Exposure, ExposureLevel, FromFact,
    IdentityJoin, IdentityVerdict, RegionCheck, SenderFact, SenderSes, SenderSpans, SendingAccount,
    SourceArnFact, StateSource,
};
use super::index::RunIndex;
use super::live::SenderLive;
use super::ses::SourceArn;
use super::{
    JoinInputs, SesDeclaration, Stack, compatible, regions, ses, ses_state, span_fact,
    substitute_imports,
};
mod gaps;

use gaps::{placeholders, unresolved};

use crate::extract::{Field, Language, Properties, Property, Sender, SenderKind};
use crate::source::Span;
use crate::value::{Text, Truth};

/// A sender's values with the exports of other stacks substituted for their imports.
fn with_imports(stacks: &[&Stack], run: &RunIndex, stack: &Stack, sender: &Sender) -> Properties {
    let (account, region) = (stack.account.as_deref(), stack.region.as_deref());
    let mut fields = sender.properties.clone();
    for property in Property::ALL {
        let field = &mut fields[property];
        if let Some(text) = field.text() {
            field.value = Some(crate::extract::Value::Text(substitute_imports(
                text, stacks, run, account, region,
            )));
        }
    }
    fields
}

/// The facts of sender `n` of stack `index`.
pub(crate) fn analyze(
    stacks: &[&Stack],
    run: &RunIndex,
    index: usize,
    n: usize,
    sender: &Sender,
    inputs: &JoinInputs,
) -> Option<SenderFact> {
    let stack = stacks.get(index)?;
    let file = stack.file.as_str();
    let fields = with_imports(stacks, run, stack, sender);

    // Without `EmailSendingAccount`, Cognito uses its built-in mailer
    // (docs/domain.md#the-two-ways-a-pool-sends).
    let sending_account_field = &fields[Property::EmailSendingAccount];
    let sending_account = sending_account(sending_account_field);
    let custom_email_sender = fields[Property::CustomEmailSender].is_present();
    let uses_ses = sending_account == Some(SendingAccount::Developer) && !custom_email_sender;

    let arn_text = fields[Property::SourceArn].text();
    let arn = arn_text.map(ses::parse_arn).unwrap_or_default();
    let (ses, live, declaration) = ses_facts(stack, &arn, arn_text, inputs);
    let identity = identity_join(
        stacks,
        run,
        index,
        arn.identity.as_deref(),
        ses.account.as_deref(),
        ses.region.as_deref(),
    );
    let mut spans = spans(file, sender, &fields);
    let at = |location: Option<&(String, Span)>| location.map(|(f, span)| span_fact(f, *span));
    spans.ses_state = at(declaration.and_then(|d| d.location.as_ref()));
    spans.environment = at(stack.environment_location.as_ref());
    spans.identity = at(identity.location.as_ref());

    let id = format!("{file}#{}#{n}", sender.resource);
    // What rules need is unknown when the pool sends through SES, or when how it sends is.
    let relevant = uses_ses || sending_account_field.is_present() && sending_account.is_none();
    let region = stack.region.as_deref();
    Some(SenderFact {
        placeholders: placeholders(stack, sender, &fields, &id),
        unresolved: unresolved(stack, sender, &fields, &id, relevant),
        id,
        kind: sender.kind,
        stack: stack.name.clone(),
        file: file.to_owned(),
        resource: sender.resource.clone(),
        resource_type: sender.resource_type.clone(),
        language: sender.language,
        names: crate::extract::PropertyNames::of(sender.language, sender.kind),
        cdk_path: sender.cdk_path.clone(),
        assumptions: assumption_facts(sender),
        note: note(stack, sender),
        account: stack.account.clone(),
        pool_region: region.map(str::to_owned),
        pool_region_known: region.is_some(),
        cdk: stack.cdk,
        stack_environment: super::environment_label(stack),
        sending_account_known: sending_account.is_some(),
        sending_account,
        uses_ses,
        custom_email_sender,
        has_source_arn: fields[Property::SourceArn].is_present(),
        source_arn: arn_text.map(|text| source_arn(text, &arn)),
        region_check: region_check(region, ses.region.as_deref()),
        identity: IdentityJoin {
            name: arn.identity.clone(),
            verdict: identity.verdict,
            declared_regions: identity.regions,
            declared_name: identity.declared_name,
            declared_in: identity.declared_in,
            live: live.identity_live,
            live_error: live.identity_error,
        },
        from: from(&fields[Property::From], &arn),
        reply_to: fields[Property::ReplyTo].known(),
        reply_to_valid: fields[Property::ReplyTo]
            .known()
            .as_deref()
            .map(bare_address),
        configuration_set: configuration_set(
            stacks,
            run,
            &fields[Property::ConfigurationSet],
            &ses,
        ),
        ses,
        email_mfa: fields[Property::EnabledMfas].contains("EMAIL_OTP") == Truth::True,
        mails_users: mails_users(sender.kind, &fields, custom_email_sender),
        exposure: exposure(sender.kind, &fields),
        unchecked_combinations: sender.unchecked_combinations,
        spans,
    })
}

/// How the pool sends, `None` when `EmailSendingAccount` is there but not known.
fn sending_account(field: &Field) -> Option<SendingAccount> {
    match field.is_present() {
        true => field.known().and_then(|text| SendingAccount::parse(&text)),
        false => Some(SendingAccount::CognitoDefault),
    }
}

/// `ReplyToEmailAddress` as `CreateUserPool` takes it: one address, no display name.
fn bare_address(text: &str) -> bool {
    let address = text.split_once('@');
    !text.contains(char::is_whitespace)
        && address.is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
}

fn assumption_facts(sender: &Sender) -> Vec<AssumptionFact> {
    (sender.assumptions.iter())
        .map(|a| AssumptionFact {
            condition: a.condition.clone(),
            value: a.value,
        })
        .collect()
}

/// May the pool's region use that SES region?
fn region_check(pool: Option<&str>, ses: Option<&str>) -> RegionCheck {
    RegionCheck {
        verdict: regions::verdict(pool, ses),
        allowed: pool
            .and_then(regions::allowed)
            .map(|list| list.into_iter().map(str::to_owned).collect()),
    }
}

/// The spans of the sender's own template.
fn spans(file: &str, sender: &Sender, fields: &Properties) -> SenderSpans {
    let at = |span: Option<Span>| span.map(|span| span_fact(file, span));
    let of = |property: Property| super::field_span(file, &fields[property]);
    SenderSpans {
        resource: span_fact(file, sender.resource_span),
        email_configuration: at(sender.email_configuration_span),
        sending_account: of(Property::EmailSendingAccount),
        source_arn: of(Property::SourceArn),
        from: of(Property::From),
        reply_to: of(Property::ReplyTo),
        configuration_set: of(Property::ConfigurationSet),
        auto_verified_attributes: of(Property::AutoVerifiedAttributes),
        enabled_mfas: of(Property::EnabledMfas),
        ses_state: None,
        environment: None,
        identity: None,
    }
}

fn source_arn(text: &Text, arn: &SourceArn) -> SourceArnFact {
    SourceArnFact {
        text: text.to_string(),
        known: text.known().is_some(),
        partition: arn.partition.clone(),
        region: arn.region.clone(),
        account: arn.account.clone(),
        identity: arn.identity.clone(),
        identity_kind: arn.identity.as_deref().map(ses::identity_kind),
        valid: arn.problem.is_none(),
        problem: arn.problem.clone(),
    }
}

/// The SES account and region the `SourceArn` routes mail through, its state (live state wins
/// over flags and config: docs/architecture.md, "Inputs and their precedence"), what the live lookup said,
/// and the declaration that gave the state.
fn ses_facts<'a>(
    stack: &Stack,
    arn: &SourceArn,
    arn_text: Option<&Text>,
    inputs: &'a JoinInputs,
) -> (SenderSes, SenderLive, Option<&'a SesDeclaration>) {
    let region = arn.region.clone().filter(|r| regions::is_region_name(r));
    let mut account = arn.account.clone().or_else(|| stack.account.clone());
    let mut account_source = if arn.account.is_some() {
        Some(AccountSource::SourceArn)
    } else {
        stack.account.as_ref().map(|_| AccountSource::Stack)
    };
    let live = match (&inputs.live, region.as_deref()) {
        (Some(facts), Some(r)) if arn.problem.is_none() => Some(super::live::for_sender(
            facts,
            account.as_deref(),
            r,
            arn.identity.as_deref(),
        )),
        _ => None,
    }
    .unwrap_or_default();
    if let Some(caller) = &live.caller_account {
        account = Some(caller.clone());
        account_source = Some(AccountSource::Caller);
    }
    // An environment-agnostic stack whose `SourceArn` names its own region mails through SES in
    // whatever region it lands in: only a declaration for every region (`*`) speaks for that.
    let deploy_region = region.is_none()
        && stack.region.is_none()
        && arn_text.is_some_and(ses::region_is_deploy_region);
    let state_region = match deploy_region {
        true => Some(crate::config::ANY_REGION),
        false => region.as_deref(),
    };
    let declaration = state_region
        .and_then(|r| ses_state(&inputs.ses, account.as_deref(), r))
        .filter(|_| live.state.is_none());
    let (state, state_source) = match (live.state, declaration) {
        (Some(state), _) => (Some(state), Some(StateSource::Live)),
        (None, Some(d)) => (Some(d.state), Some(d.source)),
        (None, None) => (None, None),
    };
    let production_config = production_config(account.as_deref(), region.as_deref(), deploy_region);
    let production_flag = match (account.as_deref(), region.as_deref()) {
        (Some(a), Some(r)) => format!("--ses-production {a}:{r}"),
        (Some(a), None) => format!("--ses-production '{a}:*'"),
        (None, Some(r)) => format!("--ses-production {r}"),
        (None, None) => "--ses-production '*'".to_owned(),
    };
    let ses = SenderSes {
        region_known: region.is_some(),
        region,
        deploy_region,
        cross_account: matches!((&arn.account, &stack.account), (Some(a), Some(b)) if a != b),
        account,
        account_source,
        state,
        state_source,
        production_config,
        production_flag,
        live: live.ses_live.clone(),
        live_error: live.ses_error.clone(),
    };
    (ses, live, declaration)
}

/// The `.sandtrap.yaml` line recording production access; `*` must be quoted in YAML, where it
/// would start an alias.
pub(super) fn production_config(
    account: Option<&str>,
    region: Option<&str>,
    deploy_region: bool,
) -> String {
    let config_region = match (deploy_region, region) {
        (true, _) => "\"*\"",
        (false, Some(r)) => r,
        (false, None) => "REGION",
    };
    match account {
        Some(a) => {
            format!("ses: {{production: [{{regions: [{config_region}], account: \"{a}\"}}]}}")
        }
        None => format!("ses: {{production: [{{regions: [{config_region}]}}]}}"),
    }
}

fn from(field: &Field, arn: &SourceArn) -> FromFact {
    let text = field.known();
    let address = text.as_deref().and_then(ses::from_address);
    let covered = match (&arn.identity, &address) {
        (Some(identity), Some(address)) => Some(ses::covers(identity, address)),
        _ => None,
    };
    FromFact {
        present: field.is_present(),
        text,
        address,
        covered,
    }
}

fn configuration_set(
    stacks: &[&Stack],
    run: &RunIndex,
    field: &Field,
    ses: &SenderSes,
) -> ConfigurationSetUse {
    let name = field.known();
    let declared = name.as_deref().map(|name| {
        run.configuration_set_stacks(name).iter().any(|&i| {
            stacks.get(i).is_some_and(|s| {
                compatible(s.account.as_deref(), ses.account.as_deref())
                    && compatible(s.region.as_deref(), ses.region.as_deref())
            })
        })
    });
    ConfigurationSetUse { name, declared }
}

/// Mail every user receives: the sign-up code of self sign-up with email verification, or
/// password-reset codes when account recovery is explicitly by email (ST103;
/// docs/domain.md#the-two-ways-a-pool-sends).
fn mails_users(kind: SenderKind, fields: &Properties, custom_email_sender: bool) -> bool {
    let has_email = |property: Property| fields[property].contains("email") == Truth::True;
    let auto_verify_email = has_email(Property::AutoVerifiedAttributes);
    let email_recovery = fields[Property::RecoveryMechanisms].contains("verified_email")
        == Truth::True
        && (auto_verify_email
            || has_email(Property::UsernameAttributes)
            || has_email(Property::AliasAttributes));
    kind == SenderKind::UserPool
        && !custom_email_sender
        && ((fields[Property::AllowAdminCreateUserOnly].truth() == Truth::False
            && auto_verify_email)
            || email_recovery)
}

/// The CDK path, the assumptions and why the region is unknown, for a diagnostic's note.
fn note(stack: &Stack, sender: &Sender) -> Option<String> {
    let mut note = Vec::new();
    if let Some(path) = &sender.cdk_path {
        note.push(match sender.language {
            Language::CloudFormation => format!("CDK construct `{path}`"),
            Language::Terraform => format!("CDK for Terraform construct `{path}`"),
        });
    }
    note.extend(sender.note.clone());
    for a in &sender.assumptions {
        note.push(format!("when condition `{}` is {}", a.condition, a.value));
    }
    note.extend(stack.region_note.clone().filter(|_| stack.region.is_none()));
    (!note.is_empty()).then(|| note.join("; "))
}

/// The identity-join verdict and where the relevant declaration is.
struct IdentityDeclaration {
    verdict: IdentityVerdict,
    regions: Vec<String>,
    declared_name: Option<String>,
    /// The stack that declares it, for `same-deployment`.
    declared_in: Option<String>,
    location: Option<(String, Span)>,
}

fn identity_join(
    stacks: &[&Stack],
    run: &RunIndex,
    own: usize,
    name: Option<&str>,
    account: Option<&str>,
    region: Option<&str>,
) -> IdentityDeclaration {
    let mut join = IdentityDeclaration {
        verdict: IdentityVerdict::Unknown,
        regions: Vec::new(),
        declared_name: None,
        declared_in: None,
        location: None,
    };
    let (Some(name), Some(region)) = (name, region) else {
        return join;
    };
    // Only the identities that can bear on `name` (the index's candidates, in stack order), with
    // the same account rule as a scan of every declaration.
    let declarations = run
        .identity_candidates(name)
        .into_iter()
        .filter_map(|(i, n)| {
            let s = stacks.get(i)?;
            let id = s.facts.identities.get(n)?;
            let declared = id.name.known()?;
            compatible(s.account.as_deref(), account).then_some((i, s, id, declared))
        });
    let location = |s: &Stack, id: &crate::extract::Identity| {
        Some((s.file.clone(), id.name.span.unwrap_or(id.resource_span)))
    };
    let mut same_stack = None;
    let mut same_deployment = None;
    let mut other_regions = Vec::new();
    let mut other_level = None;
    let deployment = stacks.get(own).map(|s| s.deployment.as_str());
    for (i, s, id, declared) in declarations {
        let in_region = compatible(s.region.as_deref(), Some(region));
        if ses::same_identity(&declared, name) {
            if !in_region {
                other_regions.push((s.region.clone().unwrap_or_default(), location(s, id)));
            } else if i == own {
                same_stack = location(s, id);
            } else if Some(s.deployment.as_str()) == deployment {
                // A parent and its nested stacks are created by one deployment: the identity
                // is as new as if it were in the pool's own stack.
                if same_deployment.is_none() {
                    same_deployment = Some((s.name.clone(), location(s, id)));
                }
            } else {
                join.verdict = IdentityVerdict::Declared;
                join.location = location(s, id);
                return join;
            }
        } else if in_region && other_level.is_none() {
            // The other level: the ARN names an address whose domain is declared, or a domain
            // of which only addresses are declared. Cognito checks the exact identity.
            let related = match (name.rsplit_once('@'), declared.rsplit_once('@')) {
                (Some((_, domain)), None) => ses::under_domain(domain, &declared),
                (None, Some((_, domain))) => ses::under_domain(domain, name),
                _ => false,
            };
            if related {
                other_level = Some((declared.clone(), location(s, id)));
            }
        }
    }
    if same_stack.is_some() {
        join.verdict = IdentityVerdict::SameStack;
        join.location = same_stack;
    } else if let Some((stack, location)) = same_deployment {
        join.verdict = IdentityVerdict::SameDeployment;
        join.declared_in = Some(stack);
        join.location = location;
    } else if let Some((declared, location)) = other_level {
        join.verdict = IdentityVerdict::OtherLevel;
        join.declared_name = Some(declared);
        join.location = location;
    } else if !other_regions.is_empty() {
        join.verdict = IdentityVerdict::OtherRegion;
        join.location = other_regions.first().and_then(|(_, l)| l.clone());
        join.regions = other_regions.into_iter().map(|(r, _)| r).collect();
        join.regions.sort();
        join.regions.dedup();
    } else {
        join.verdict = IdentityVerdict::NotDeclared;
    }
    join
}

/// Who can make Cognito send mail to an address nobody verified
/// (docs/domain.md#who-makes-cognito-send-mail).
fn exposure(kind: SenderKind, fields: &Properties) -> Exposure {
    if kind != SenderKind::UserPool {
        let trigger = match kind {
            SenderKind::Replica => "replica of a user pool",
            _ => "threat protection notifications",
        };
        return Exposure {
            level: ExposureLevel::Admin,
            triggers: vec![trigger.to_owned()],
        };
    }
    let mut triggers = Vec::new();
    let self_signup = fields[Property::AllowAdminCreateUserOnly].truth();
    if self_signup == Truth::False {
        triggers.push("self sign-up");
    }
    let has_email = |property: Property| fields[property].contains("email") == Truth::True;
    let auto_verify = has_email(Property::AutoVerifiedAttributes);
    if auto_verify {
        triggers.push("email auto-verification");
    }
    let username = has_email(Property::UsernameAttributes);
    if username {
        triggers.push("email as username");
    }
    let alias = has_email(Property::AliasAttributes);
    if alias {
        triggers.push("email as alias");
    }
    // Without AccountRecoverySetting, Cognito falls back to a verified email when there is no
    // verified phone (docs/domain.md#who-makes-cognito-send-mail).
    let recovery = &fields[Property::RecoveryMechanisms];
    let recovery = !recovery.is_present() || recovery.contains("verified_email") == Truth::True;
    if recovery && (auto_verify || username || alias) {
        triggers.push("account recovery by email");
    }
    let mfa = fields[Property::EnabledMfas].contains("EMAIL_OTP") == Truth::True;
    if mfa {
        triggers.push("email MFA");
    }
    triggers.push("admin invitations");
    let public = self_signup == Truth::False && (auto_verify || username || alias || mfa);
    Exposure {
        level: match public {
            true => ExposureLevel::Public,
            false => ExposureLevel::Admin,
        },
        triggers: triggers.into_iter().map(str::to_owned).collect(),
    }
}

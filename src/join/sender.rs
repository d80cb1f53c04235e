//! One sender's verdicts: sending account, parsed `SourceArn`, SES state, region check, identity
//! join, `From` coverage, configuration set, exposure, and what could not be resolved.

use serde_json::{Map, Value as Json, json};

use super::{
    JoinInputs, SesState, Stack, compatible, regions, ses, ses_state, span_json, substitute_imports,
};
use crate::extract::{Field, Sender, SenderKind};
use crate::resolve::{Text, Truth, Unknown, UnknownReason};
use crate::source::Span;

/// The facts of sender `n` of stack `index`.
pub fn analyze(
    stacks: &[Stack],
    index: usize,
    n: usize,
    sender: &Sender,
    inputs: &JoinInputs,
) -> Json {
    let Some(stack) = stacks.get(index) else {
        return Json::Null;
    };
    let file = stack.file.as_str();
    let (account, region) = (stack.account.as_deref(), stack.region.as_deref());
    let with_imports = |field: &Field| -> Field {
        match field.text() {
            Some(text) => Field {
                value: Some(crate::extract::Value::Text(substitute_imports(
                    text, stacks, account, region,
                ))),
                span: field.span,
            },
            None => field.clone(),
        }
    };
    let sending_field = with_imports(&sender.email_sending_account);
    let arn_field = with_imports(&sender.source_arn);
    let from_field = with_imports(&sender.from);
    let set_field = with_imports(&sender.configuration_set);

    let mut spans = Map::new();
    let mut put = |name: &str, span: Option<Span>| {
        if let Some(span) = span {
            spans.insert(name.to_owned(), span_json(file, span));
        }
    };
    put("resource", Some(sender.resource_span));
    put("email_configuration", sender.email_configuration_span);
    put("sending_account", sending_field.span);
    put("source_arn", arn_field.span);
    put("from", from_field.span);
    put("configuration_set", set_field.span);
    put(
        "auto_verified_attributes",
        sender.auto_verified_attributes.span,
    );
    put("enabled_mfas", sender.enabled_mfas.span);

    // Without `EmailSendingAccount`, Cognito uses its built-in mailer
    // (docs/domain.md#the-two-ways-a-pool-sends).
    let sending_account = if sending_field.is_present() {
        sending_field.known()
    } else {
        Some("COGNITO_DEFAULT".to_owned())
    };
    let custom_email_sender = sender.custom_email_sender.is_present();
    let developer = sending_account.as_deref() == Some("DEVELOPER");
    let uses_ses = developer && !custom_email_sender;

    let arn_text = arn_field.text();
    let arn = arn_text.map(ses::parse_arn).unwrap_or_default();
    let ses_region = arn.region.clone().filter(|r| regions::is_region_name(r));
    let mut ses_account = arn.account.clone().or_else(|| stack.account.clone());
    let mut account_source = if arn.account.is_some() {
        Some("source-arn")
    } else {
        stack.account.as_ref().map(|_| "stack")
    };
    // Live state wins over flags and config (docs/architecture.md, "Inputs and their precedence").
    let live = match (&inputs.live, ses_region.as_deref()) {
        (Some(facts), Some(r)) if arn.problem.is_none() => Some(super::live::for_sender(
            facts,
            ses_account.as_deref(),
            r,
            arn.identity.as_deref(),
        )),
        _ => None,
    }
    .unwrap_or_default();
    if let Some(caller) = &live.caller_account {
        ses_account = Some(caller.clone());
        account_source = Some("caller");
    }
    // An environment-agnostic stack whose `SourceArn` names its own region mails through SES in
    // whatever region it lands in: only a declaration for every region (`*`) speaks for that.
    let deploy_region = ses_region.is_none()
        && region.is_none()
        && arn_text.is_some_and(ses::region_is_deploy_region);
    let state_region = match deploy_region {
        true => Some(crate::config::ANY_REGION),
        false => ses_region.as_deref(),
    };
    let declaration = state_region
        .and_then(|r| ses_state(&inputs.ses, ses_account.as_deref(), r))
        .filter(|_| live.state.is_none());
    let (state, state_source) = match (live.state, declaration) {
        (Some(state), _) => (Some(state), Some("live")),
        (None, Some(d)) => (Some(d.state), Some(d.source)),
        (None, None) => (None, None),
    };
    let state = match state {
        Some(SesState::Sandbox) => "sandbox",
        Some(SesState::Production) => "production",
        None => "unknown",
    };
    if let Some((decl_file, span)) = declaration.and_then(|d| d.location.clone()) {
        spans.insert("ses_state".into(), span_json(&decl_file, span));
    }
    if let Some((manifest, span)) = &stack.environment_location {
        spans.insert("environment".into(), span_json(manifest, *span));
    }

    let verdict = regions::verdict(region, ses_region.as_deref());
    let allowed = region.and_then(regions::allowed);

    let identity = identity_join(
        stacks,
        index,
        arn.identity.as_deref(),
        ses_account.as_deref(),
        ses_region.as_deref(),
    );
    if let Some((decl_file, span)) = &identity.location {
        spans.insert("identity".into(), span_json(decl_file, *span));
    }

    let from_text = from_field.known();
    let from_address = from_text.as_deref().and_then(ses::from_address);
    let covered = match (&arn.identity, &from_address) {
        (Some(identity), Some(address)) => Some(ses::covers(identity, address)),
        _ => None,
    };

    let set_name = set_field.known();
    let set_declared = set_name.as_deref().map(|name| {
        stacks.iter().any(|s| {
            compatible(s.account.as_deref(), ses_account.as_deref())
                && compatible(s.region.as_deref(), ses_region.as_deref())
                && s.facts
                    .configuration_sets
                    .iter()
                    .any(|c| c.name.known().as_deref() == Some(name))
        })
    });

    let exposure = exposure(sender);
    let email_mfa = sender.enabled_mfas.contains("EMAIL_OTP") == Truth::True;
    // Mail every user receives: the sign-up code of self sign-up with email verification, or
    // password-reset codes when account recovery is explicitly by email (ST103;
    // docs/domain.md#the-two-ways-a-pool-sends).
    let auto_verify_email = sender.auto_verified_attributes.contains("email") == Truth::True;
    let email_recovery = sender.recovery_mechanisms.contains("verified_email") == Truth::True
        && (auto_verify_email
            || sender.username_attributes.contains("email") == Truth::True
            || sender.alias_attributes.contains("email") == Truth::True);
    let mails_users = sender.kind == SenderKind::UserPool
        && !custom_email_sender
        && ((sender.allow_admin_create_user_only.truth() == Truth::False && auto_verify_email)
            || email_recovery);

    let mut note = Vec::new();
    if let Some(path) = &sender.cdk_path {
        note.push(format!("CDK construct `{path}`"));
    }
    for a in &sender.assumptions {
        note.push(format!("when condition `{}` is {}", a.condition, a.value));
    }
    note.extend(stack.region_note.clone().filter(|_| region.is_none()));

    let id = format!("{file}#{}#{n}", sender.resource);
    let unresolved = unresolved(
        stack,
        sender,
        &id,
        uses_ses || sending_field.known().is_none() && sending_field.is_present(),
        [
            ("EmailSendingAccount", &sending_field),
            ("SourceArn", &arn_field),
            ("From", &from_field),
            ("ConfigurationSet", &set_field),
            (
                "AllowAdminCreateUserOnly",
                &sender.allow_admin_create_user_only,
            ),
            ("AutoVerifiedAttributes", &sender.auto_verified_attributes),
        ],
    );
    // `*` must be quoted in YAML, where it would start an alias.
    let config_region = match (deploy_region, ses_region.as_deref()) {
        (true, _) => "\"*\"",
        (false, Some(r)) => r,
        (false, None) => "REGION",
    };
    let production_config = match ses_account.as_deref() {
        Some(a) => {
            format!("ses: {{production: [{{regions: [{config_region}], account: \"{a}\"}}]}}")
        }
        None => format!("ses: {{production: [{{regions: [{config_region}]}}]}}"),
    };
    let production_flag = match (ses_account.as_deref(), ses_region.as_deref()) {
        (Some(a), Some(r)) => format!("--ses-production {a}:{r}"),
        (Some(a), None) => format!("--ses-production '{a}:*'"),
        (None, Some(r)) => format!("--ses-production {r}"),
        (None, None) => "--ses-production '*'".to_owned(),
    };

    json!({
        "id": id,
        "kind": sender.kind.as_str(),
        "stack": stack.name,
        "file": file,
        "resource": sender.resource,
        "resource_type": sender.resource_type,
        "cdk_path": sender.cdk_path,
        "assumptions": sender.assumptions.iter().map(|a| json!({"condition": a.condition, "value": a.value})).collect::<Vec<_>>(),
        "note": (!note.is_empty()).then(|| note.join("; ")),
        "account": stack.account,
        "pool_region": region,
        "pool_region_known": region.is_some(),
        "cdk": stack.cdk,
        "stack_environment": super::environment_label(stack),
        "sending_account": sending_account,
        "sending_account_known": sending_account.is_some(),
        "uses_ses": uses_ses,
        "custom_email_sender": custom_email_sender,
        "has_source_arn": arn_field.is_present(),
        "source_arn": arn_text.map(|t| json!({
            "text": t.to_string(),
            "known": t.known().is_some(),
            "partition": arn.partition,
            "region": arn.region,
            "account": arn.account,
            "identity": arn.identity,
            "identity_kind": arn.identity.as_deref().map(ses::identity_kind),
            "valid": arn.problem.is_none(),
            "problem": arn.problem,
        })),
        "ses": {
            "region": ses_region,
            "region_known": ses_region.is_some(),
            "deploy_region": deploy_region,
            "account": ses_account,
            "cross_account": matches!((&arn.account, &stack.account), (Some(a), Some(b)) if a != b),
            "account_source": account_source,
            "state": state,
            "state_source": state_source,
            "production_config": production_config,
            "production_flag": production_flag,
            "live": live.ses_live,
            "live_error": live.ses_error,
        },
        "region_check": {
            "verdict": verdict.as_str(),
            "allowed": allowed,
        },
        "identity": {
            "name": arn.identity,
            "verdict": identity.verdict,
            "declared_regions": identity.regions,
            "declared_name": identity.declared_name,
            "declared_in": identity.declared_in,
            "live": live.identity_live,
            "live_error": live.identity_error,
        },
        "from": {
            "present": from_field.is_present(),
            "text": from_text,
            "address": from_address,
            "covered": covered,
        },
        "configuration_set": {
            "name": set_name,
            "declared": set_declared,
        },
        "email_mfa": email_mfa,
        "mails_users": mails_users,
        "exposure": exposure,
        "unresolved": unresolved,
        "unchecked_combinations": sender.unchecked_combinations,
        "spans": spans,
    })
}

/// The identity-join verdict and where the relevant declaration is.
struct IdentityJoin {
    verdict: &'static str,
    regions: Vec<String>,
    declared_name: Option<String>,
    /// The stack that declares it, for `same-deployment`.
    declared_in: Option<String>,
    location: Option<(String, Span)>,
}

fn identity_join(
    stacks: &[Stack],
    own: usize,
    name: Option<&str>,
    account: Option<&str>,
    region: Option<&str>,
) -> IdentityJoin {
    let mut join = IdentityJoin {
        verdict: "unknown",
        regions: Vec::new(),
        declared_name: None,
        declared_in: None,
        location: None,
    };
    let (Some(name), Some(region)) = (name, region) else {
        return join;
    };
    let declarations = stacks.iter().enumerate().flat_map(|(i, s)| {
        s.facts
            .identities
            .iter()
            .filter_map(move |id| id.name.known().map(|n| (i, s, id, n)))
            .filter(|(_, s, _, _)| compatible(s.account.as_deref(), account))
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
                join.verdict = "declared";
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
        join.verdict = "same-stack";
        join.location = same_stack;
    } else if let Some((stack, location)) = same_deployment {
        join.verdict = "same-deployment";
        join.declared_in = Some(stack);
        join.location = location;
    } else if let Some((declared, location)) = other_level {
        join.verdict = "other-level";
        join.declared_name = Some(declared);
        join.location = location;
    } else if !other_regions.is_empty() {
        join.verdict = "other-region";
        join.location = other_regions.first().and_then(|(_, l)| l.clone());
        join.regions = other_regions.into_iter().map(|(r, _)| r).collect();
        join.regions.sort();
        join.regions.dedup();
    } else {
        join.verdict = "not-declared";
    }
    join
}

/// Who can make Cognito send mail to an address nobody verified
/// (docs/domain.md#who-makes-cognito-send-mail).
fn exposure(sender: &Sender) -> Json {
    if sender.kind != SenderKind::UserPool {
        let trigger = match sender.kind {
            SenderKind::Replica => "replica of a user pool",
            _ => "threat protection notifications",
        };
        return json!({"level": "admin", "triggers": [trigger]});
    }
    let mut triggers = Vec::new();
    let self_signup = sender.allow_admin_create_user_only.truth();
    if self_signup == Truth::False {
        triggers.push("self sign-up");
    }
    let auto_verify = sender.auto_verified_attributes.contains("email") == Truth::True;
    if auto_verify {
        triggers.push("email auto-verification");
    }
    let username = sender.username_attributes.contains("email") == Truth::True;
    if username {
        triggers.push("email as username");
    }
    let alias = sender.alias_attributes.contains("email") == Truth::True;
    if alias {
        triggers.push("email as alias");
    }
    // Without AccountRecoverySetting, Cognito falls back to a verified email when there is no
    // verified phone (docs/domain.md#who-makes-cognito-send-mail).
    let recovery = !sender.recovery_mechanisms.is_present()
        || sender.recovery_mechanisms.contains("verified_email") == Truth::True;
    if recovery && (auto_verify || username || alias) {
        triggers.push("account recovery by email");
    }
    let mfa = sender.enabled_mfas.contains("EMAIL_OTP") == Truth::True;
    if mfa {
        triggers.push("email MFA");
    }
    triggers.push("admin invitations");
    let public = self_signup == Truth::False && (auto_verify || username || alias || mfa);
    json!({"level": if public { "public" } else { "admin" }, "triggers": triggers})
}

/// The most unresolved parts reported for one field of one sender.
const MAX_UNRESOLVED_PER_FIELD: usize = 8;

/// The unknown pieces of the values rules need, each with what to supply. `AWS::Region` is left to
/// ST003 and `AWS::AccountId`/`AWS::Partition` never block a rule (unknown matches any account).
fn unresolved<const N: usize>(
    stack: &Stack,
    sender: &Sender,
    id: &str,
    relevant: bool,
    fields: [(&str, &Field); N],
) -> Vec<Json> {
    if !relevant {
        return Vec::new();
    }
    let mut out: Vec<Json> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (field, value) in fields {
        let Some(value_span) = value.span else {
            continue;
        };
        let mut in_field = 0;
        for unknown in value.unknowns() {
            // A `Fn::Sub` with thousands of undefined placeholders must not become thousands
            // of ST002s: the first few say what to supply.
            if in_field == MAX_UNRESOLVED_PER_FIELD {
                break;
            }
            let Some((needs, suggestion)) = describe(unknown, stack.cdk) else {
                continue;
            };
            if !seen.insert((field, needs.clone())) {
                continue;
            }
            in_field += 1;
            let mut spans = Map::new();
            spans.insert("value".into(), span_json(&stack.file, value_span));
            if let UnknownReason::Parameter { name } = &unknown.reason
                && let Some((_, span)) = stack.facts.parameters.iter().find(|(p, _)| p == name)
            {
                spans.insert("parameter".into(), span_json(&stack.file, *span));
            }
            out.push(json!({
                "id": format!("{id}#{field}#{}", seen.len()),
                "stack": stack.name,
                "resource": sender.resource,
                "field": field,
                "needs": needs,
                "suggestion": suggestion,
                "spans": spans,
            }));
        }
    }
    out
}

/// What a rule needs and what to supply. For a stack synthesized by CDK the advice names what a
/// CDK user changes (the app, the flags, `.sandtrap.yaml`): `cdk.out` is generated, not edited.
fn describe(unknown: &Unknown, cdk: bool) -> Option<(String, String)> {
    const CDK_TOKEN: &str = "in the CDK app, use a plain string where the value is known in advance instead of a token resolved at deploy time (`cdk.out` is generated: do not edit it)";
    const LITERAL: &str = "write the value literally or pass it as a parameter";
    let after_deploy = if cdk { CDK_TOKEN } else { LITERAL };
    Some(match &unknown.reason {
        UnknownReason::Parameter { name } => (
            format!("parameter `{name}`, which has no Default"),
            match cdk {
                true => format!(
                    "pass `--param {name}=VALUE`, or add a `stacks:` entry with `params` in .sandtrap.yaml (or give the CfnParameter a default in the CDK app)"
                ),
                false => format!(
                    "pass `--param {name}=VALUE` (or `--param-file`), or add a `stacks:` entry with `params` in .sandtrap.yaml"
                ),
            },
        ),
        UnknownReason::Import { name } => (
            format!(
                "the export `{}` imported with Fn::ImportValue",
                name_text(name)
            ),
            match cdk {
                true => "synthesize the stack that exports it into the same run (the whole app, or its cdk.out next to this one), in the same account and region".to_owned(),
                false => "add the template that exports it (same account and region) to the run".to_owned(),
            },
        ),
        UnknownReason::CrossRegionImport { name } => (
            format!("the CDK cross-region reference `{name}`"),
            "synthesize the stack that writes it (its `Custom::CrossRegionExportWriter`) into the same run: check the whole app's cdk.out".to_owned(),
        ),
        UnknownReason::GetAtt {
            resource,
            attribute,
        } => (
            format!("`{resource}.{attribute}`, known only after deploy"),
            after_deploy.to_owned(),
        ),
        UnknownReason::Resource { logical_id } => (
            format!("the physical id of `{logical_id}`, known only after deploy"),
            after_deploy.to_owned(),
        ),
        UnknownReason::Unsupported { function } => (
            format!("`{function}`, which is not evaluated statically"),
            after_deploy.to_owned(),
        ),
        UnknownReason::Invalid { reason } => (
            format!("a value that cannot be evaluated ({reason})"),
            match cdk {
                true => "report the construct that produced it: CDK should not synthesize an invalid intrinsic".to_owned(),
                false => "fix the intrinsic function".to_owned(),
            },
        ),
        UnknownReason::Pseudo { .. } => return None,
    })
}

fn name_text(text: &Text) -> String {
    text.to_string()
}

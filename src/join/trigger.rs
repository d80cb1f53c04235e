//! Facts of the pool triggers that send mail themselves through SES (ST104): the SES region and
//! account they send from, its sandbox state, the identity the policy names, and who can make
//! Cognito call them.

use serde_json::{Map, Value as Json, json};

use super::{JoinInputs, SesState, Stack, regions, ses, ses_state, span_json};
use crate::extract::TriggerSender;
use crate::resolve::Truth;

/// The facts of trigger sender `n` of stack `index`.
pub fn analyze(
    stacks: &[Stack],
    index: usize,
    n: usize,
    trigger: &TriggerSender,
    inputs: &JoinInputs,
) -> Json {
    let Some(stack) = stacks.get(index) else {
        return Json::Null;
    };
    let file = stack.file.as_str();
    // The identity, region and account the grant names, when one of its resources is an SES
    // identity ARN; otherwise the function sends from the stack's own region (its SDK client's
    // default), as the same account.
    let named = trigger
        .resources
        .iter()
        .map(ses::parse_arn)
        .find(|arn| arn.problem.is_none() && arn.identity.is_some());
    let identity = named
        .as_ref()
        .and_then(|arn| arn.identity.clone())
        .or_else(|| trigger.identity_name.as_ref().and_then(|t| t.known()));
    let arn_region = named
        .as_ref()
        .and_then(|arn| arn.region.clone())
        .filter(|r| regions::is_region_name(r));
    let (ses_region, region_from) = match (arn_region, &stack.region) {
        (Some(r), _) => (Some(r), "policy-resource"),
        (None, Some(r)) => (Some(r.clone()), "stack"),
        (None, None) => (None, "stack"),
    };
    let ses_account = named
        .as_ref()
        .and_then(|arn| arn.account.clone())
        .or_else(|| stack.account.clone());
    // Unknown, the SES region is the region the stack deploys to: only a declaration for
    // every region (`*`) speaks for it, as for a pool's environment-agnostic `SourceArn`.
    let state_region = ses_region.as_deref().unwrap_or(crate::config::ANY_REGION);
    let declaration = ses_state(&inputs.ses, ses_account.as_deref(), state_region);
    let state = match declaration.map(|d| d.state) {
        Some(SesState::Sandbox) => "sandbox",
        Some(SesState::Production) => "production",
        None => "unknown",
    };

    let mut spans = Map::new();
    spans.insert("resource".into(), span_json(file, trigger.pool_span));
    spans.insert("trigger".into(), span_json(file, trigger.trigger_span));
    spans.insert("function".into(), span_json(file, trigger.function_span));
    spans.insert("grant".into(), span_json(file, trigger.grant_span));
    if let Some((decl_file, span)) = declaration.and_then(|d| d.location.clone()) {
        spans.insert("ses_state".into(), span_json(&decl_file, span));
    }
    if let Some((env_file, span)) = &stack.environment_location {
        spans.insert("environment".into(), span_json(env_file, *span));
    }
    let region_text = ses_region.as_deref().unwrap_or("REGION");
    let production_config = match ses_account.as_deref() {
        Some(a) => format!("ses: {{production: [{{regions: [{region_text}], account: \"{a}\"}}]}}"),
        None => format!("ses: {{production: [{{regions: [{region_text}]}}]}}"),
    };
    json!({
        "id": format!("{file}#{}#{}#{n}", trigger.pool, trigger.trigger),
        "stack": stack.name,
        "file": file,
        "resource": trigger.pool,
        "trigger": trigger.trigger,
        "function": trigger.function,
        "role": trigger.role,
        "pool_region": stack.region,
        "identity": identity,
        "ses": {
            "region": ses_region,
            "region_known": ses_region.is_some(),
            "region_from": region_from,
            "account": ses_account,
            "state": state,
            "state_source": declaration.map(|d| d.source),
            "production_config": production_config,
        },
        "exposure": {
            "level": if trigger.admin_only == Truth::True { "admin" } else { "public" },
        },
        "stack_environment": super::environment_label(stack),
        "spans": spans,
    })
}

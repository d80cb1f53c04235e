//! Facts of the pool triggers that send mail themselves through SES (ST104): the SES region and
//! account they send from, its sandbox state, the identity the policy names, who gets the mail
//! and who can make Cognito call them.

use super::facts::{
    ExposureLevel, RegionFrom, TriggerExposure, TriggerNames, TriggerSenderFact, TriggerSes,
    TriggerSpans,
};
use super::{JoinInputs, Stack, regions, ses, ses_state, span_fact};
use crate::extract::{Language, TriggerSender};
use crate::value::Truth;

/// The facts of trigger sender `n` of stack `index`.
pub fn analyze(
    stacks: &[&Stack],
    index: usize,
    n: usize,
    trigger: &TriggerSender,
    inputs: &JoinInputs,
) -> Option<TriggerSenderFact> {
    let stack = stacks.get(index)?;
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
        (Some(r), _) => (Some(r), RegionFrom::PolicyResource),
        (None, Some(r)) => (Some(r.clone()), RegionFrom::Stack),
        (None, None) => (None, RegionFrom::Stack),
    };
    let ses_account = named
        .as_ref()
        .and_then(|arn| arn.account.clone())
        .or_else(|| stack.account.clone());
    // Unknown, the SES region is the region the stack deploys to: only a declaration for
    // every region (`*`) speaks for it, as for a pool's environment-agnostic `SourceArn`.
    let state_region = ses_region.as_deref().unwrap_or(crate::config::ANY_REGION);
    let declaration = ses_state(&inputs.ses, ses_account.as_deref(), state_region);
    let at = |at: &crate::extract::trigger::At| span_fact(&at.file, at.span);
    let spans = TriggerSpans {
        resource: at(&trigger.pool_at),
        trigger: at(&trigger.trigger_at),
        function: at(&trigger.function_at),
        grant: at(&trigger.grant_at),
        ses_state: declaration
            .and_then(|d| d.location.as_ref())
            .map(|(f, span)| span_fact(f, *span)),
        environment: stack
            .environment_location
            .as_ref()
            .map(|(f, span)| span_fact(f, *span)),
    };
    let mut note: Vec<String> = trigger.note.clone().into_iter().collect();
    note.extend(stack.region_note.clone().filter(|_| stack.region.is_none()));
    Some(TriggerSenderFact {
        id: format!("{file}#{}#{}#{n}", trigger.pool, trigger.trigger.name()),
        stack: stack.name.clone(),
        file: file.to_owned(),
        resource: trigger.pool.clone(),
        trigger: trigger.trigger.name().to_owned(),
        language: trigger.language,
        names: TriggerNames {
            trigger: trigger.trigger.name_in(trigger.language),
            lambda_config: match trigger.language {
                Language::CloudFormation => "LambdaConfig",
                Language::Terraform => "lambda_config",
            },
        },
        recipients: trigger.trigger.recipients(),
        note: (!note.is_empty()).then(|| note.join("; ")),
        function: trigger.function.clone(),
        role: trigger.role.clone(),
        pool_region: stack.region.clone(),
        identity,
        ses: TriggerSes {
            production_config: super::sender::production_config(
                ses_account.as_deref(),
                ses_region.as_deref(),
                false,
            ),
            region_known: ses_region.is_some(),
            region: ses_region,
            region_from,
            account: ses_account,
            state: declaration.map(|d| d.state),
            state_source: declaration.map(|d| d.source),
        },
        exposure: TriggerExposure {
            level: match trigger.admin_only {
                Truth::True => ExposureLevel::Admin,
                _ => ExposureLevel::Public,
            },
        },
        stack_environment: super::environment_label(stack),
        spans,
    })
}

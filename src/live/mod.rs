//! `--aws`: reads the SES state of every (account, region) and identity the senders point to, live
//! and read-only, and hands it to the join as plain facts.
//!
//! One current-thread tokio runtime lives only for the duration of [`lookup`]. The credentials are
//! resolved and the caller's account read (STS `GetCallerIdentity`) first. Every other account is
//! then reached once, by the first of its routes that works (a CDK stack's bootstrap lookup role,
//! a profile named for the account, the user's role ARN: STS `AssumeRole`, session name
//! `sandtrap`); then one SESv2 client per (account, region) answers the deduplicated questions,
//! at most [`IN_FLIGHT`] requests at a time. A failure becomes a [`LookupError`] in the facts
//! (naming the role that was tried) and the run goes on with that state unknown.

mod client;
mod error;
mod untrusted;

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::join::live::AwsOptions;
use crate::join::live::{
    AccountKey, AccountLookup, AccountState, ErrorKind, IdentityKey, IdentityState, LiveFacts,
    LookupError, LookupTargets,
};

/// Requests in flight at once: enough to hide latency, few enough to stay clear of SES's
/// per-account request rate.
pub const IN_FLIGHT: usize = 8;

/// Answers every question of `targets`. Never fails: what cannot be read is an error in the facts.
pub fn lookup(targets: &LookupTargets, options: &AwsOptions) -> LiveFacts {
    if targets.accounts.is_empty() {
        return LiveFacts::default();
    }
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(lookup_all(targets, options)),
        Err(err) => everything_failed(
            targets,
            &LookupError {
                kind: ErrorKind::Other,
                operation: "GetCallerIdentity",
                action: "sts:GetCallerIdentity",
                code: None,
                message: format!("cannot start the network runtime: {err}"),
                role: None,
                role_source: None,
            },
        ),
    }
}

enum Answer {
    Account(AccountKey, Result<AccountState, LookupError>),
    Identity(IdentityKey, Result<IdentityState, LookupError>),
}

/// [`lookup_questions`], with the run's own credentials masked in every error it keeps.
async fn lookup_all(targets: &LookupTargets, options: &AwsOptions) -> LiveFacts {
    let mut secrets = untrusted::Secrets::default();
    let mut facts = lookup_questions(targets, options, &mut secrets).await;
    for lookup in facts.accounts.values_mut() {
        if let Err(err) = &mut lookup.result {
            secrets.redact(err);
        }
    }
    for err in facts
        .identities
        .values_mut()
        .filter_map(|r| r.as_mut().err())
    {
        secrets.redact(err);
    }
    facts
}

async fn lookup_questions(
    targets: &LookupTargets,
    options: &AwsOptions,
    secrets: &mut untrusted::Secrets,
) -> LiveFacts {
    let sdk = client::load(options).await;
    if let Some(credentials) = client::credentials(&sdk, options.timeout).await {
        secrets.add(&credentials);
    }
    // STS answers in any region of the partition; the first SES region is in the right one.
    let sts_region = targets
        .accounts
        .iter()
        .next()
        .map_or("us-east-1", |(_, region)| region.as_str());
    let caller = match client::caller_account(&sdk, sts_region, options.timeout).await {
        Ok(caller) => caller,
        Err(err) => return everything_failed(targets, &err),
    };

    let reached = reach_accounts(&sdk, targets, &caller, options).await;
    for config in reached.values().flatten() {
        if let Some(credentials) = client::credentials(config, options.timeout).await {
            secrets.add(&credentials);
        }
    }
    let mut clients = Clients {
        sdk: &sdk,
        caller: &caller,
        reached: &reached,
        made: BTreeMap::new(),
    };
    let mut facts = LiveFacts {
        caller_account: Some(caller.clone()),
        ..LiveFacts::default()
    };
    let mut tasks = ask(targets, &mut clients, &mut facts, options.timeout);
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Answer::Account(key, result)) => {
                let account = key.0.clone().or_else(|| Some(caller.clone()));
                facts
                    .accounts
                    .insert(key, AccountLookup { account, result });
            }
            Ok(Answer::Identity(key, result)) => {
                facts.identities.insert(key, result);
            }
            // A task that panicked leaves its question unanswered; filled in below.
            Err(_) => {}
        }
    }
    fill_unanswered(targets, &mut facts);
    facts
}

/// The SES clients of a lookup, one per account and region, made when first asked for.
struct Clients<'a> {
    sdk: &'a aws_config::SdkConfig,
    caller: &'a str,
    reached: &'a BTreeMap<String, Result<aws_config::SdkConfig, LookupError>>,
    made: BTreeMap<(String, String), aws_sdk_sesv2::Client>,
}

impl Clients<'_> {
    /// The client that asks about `account` (the caller's when `None`) in `region`, or why
    /// there is none.
    fn get(
        &mut self,
        account: Option<&str>,
        region: &str,
    ) -> Result<aws_sdk_sesv2::Client, LookupError> {
        let account = account.unwrap_or(self.caller);
        let config = if account == self.caller {
            self.sdk
        } else {
            match self.reached.get(account) {
                Some(Ok(config)) => config,
                Some(Err(err)) => return Err(err.clone()),
                None => return Err(cross_account(account, self.caller)),
            }
        };
        Ok(self
            .made
            .entry((account.to_owned(), region.to_owned()))
            .or_insert_with(|| client::ses(config, region))
            .clone())
    }
}

/// Starts every question of `targets` (at most [`IN_FLIGHT`] at once); a question no client can
/// ask is answered in `facts` at once with the reason.
fn ask(
    targets: &LookupTargets,
    clients: &mut Clients<'_>,
    facts: &mut LiveFacts,
    timeout: std::time::Duration,
) -> JoinSet<Answer> {
    let semaphore = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    for key in &targets.accounts {
        let client = match clients.get(key.0.as_deref(), &key.1) {
            Ok(client) => client,
            Err(err) => {
                facts.accounts.insert(
                    key.clone(),
                    AccountLookup {
                        account: key.0.clone(),
                        result: Err(err.for_operation("GetAccount")),
                    },
                );
                continue;
            }
        };
        let (semaphore, key) = (Arc::clone(&semaphore), key.clone());
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let answer = client::get_account(&client, timeout).await;
            Answer::Account(key, answer)
        });
    }
    for key in &targets.identities {
        let client = match clients.get(key.0.as_deref(), &key.1) {
            Ok(client) => client,
            Err(err) => {
                facts
                    .identities
                    .insert(key.clone(), Err(err.for_operation("GetEmailIdentity")));
                continue;
            }
        };
        let (semaphore, key) = (Arc::clone(&semaphore), key.clone());
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let answer = client::get_email_identity(&client, &key.2, timeout).await;
            Answer::Identity(key, answer)
        });
    }
    tasks
}

/// Every account of `targets` other than the caller's, reached by the first of its routes that
/// works, each once, concurrently (at most [`IN_FLIGHT`]); the error of the last route tried when
/// none does. Accounts without a route are left out (they cannot be read: [`cross_account`]).
async fn reach_accounts(
    sdk: &aws_config::SdkConfig,
    targets: &LookupTargets,
    caller: &str,
    options: &AwsOptions,
) -> BTreeMap<String, Result<aws_config::SdkConfig, LookupError>> {
    let semaphore = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    for (account, routes) in &targets.routes {
        if account == caller || routes.is_empty() {
            continue;
        }
        // STS is asked in one of the account's SES regions: the right partition.
        let Some(region) = targets
            .accounts
            .iter()
            .find(|(a, _)| a.as_ref() == Some(account))
            .map(|(_, region)| region.clone())
        else {
            continue;
        };
        let (sdk, routes, account) = (sdk.clone(), routes.clone(), account.clone());
        let (options, semaphore) = (options.clone(), Arc::clone(&semaphore));
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let mut last = None;
            for route in &routes {
                match client::reach(&sdk, route, &account, &region, &options).await {
                    Ok(config) => return (account, Ok(config)),
                    Err(err) => last = Some(err),
                }
            }
            let err = last.unwrap_or_else(|| cross_account(&account, ""));
            (account, Err(err))
        });
    }
    let mut out = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((account, result)) = joined {
            out.insert(account, result);
        }
    }
    out
}

/// SESv2 describes only the credentials' own account: another account's state can be read
/// only through a role or profile of that account, and none was found.
fn cross_account(account: &str, caller: &str) -> LookupError {
    LookupError {
        kind: ErrorKind::CrossAccount,
        operation: "GetAccount",
        action: error::action("GetAccount"),
        code: None,
        message: format!(
            "the SourceArn is in account {account}, but the credentials are for account {caller}, and no CDK lookup role, `aws.profiles` entry or `--aws-role-arn` reaches it"
        ),
        role: None,
        role_source: None,
    }
}

/// Every question answered with `err` (the credentials or STS failed before any SES call).
fn everything_failed(targets: &LookupTargets, err: &LookupError) -> LiveFacts {
    let mut facts = LiveFacts::default();
    for key in &targets.accounts {
        facts.accounts.insert(
            key.clone(),
            AccountLookup {
                account: key.0.clone(),
                result: Err(err.clone()),
            },
        );
    }
    for key in &targets.identities {
        facts.identities.insert(key.clone(), Err(err.clone()));
    }
    facts
}

fn fill_unanswered(targets: &LookupTargets, facts: &mut LiveFacts) {
    let lost = |operation: &'static str| LookupError {
        kind: ErrorKind::Other,
        operation,
        action: error::action(operation),
        code: None,
        message: "the request was lost".to_owned(),
        role: None,
        role_source: None,
    };
    for key in &targets.accounts {
        facts
            .accounts
            .entry(key.clone())
            .or_insert_with(|| AccountLookup {
                account: key.0.clone(),
                result: Err(lost("GetAccount")),
            });
    }
    for key in &targets.identities {
        facts
            .identities
            .entry(key.clone())
            .or_insert_with(|| Err(lost("GetEmailIdentity")));
    }
}

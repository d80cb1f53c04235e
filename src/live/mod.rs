//! `--aws`: reads the SES state of every (account, region) and identity the senders point to, live
//! and read-only, and hands it to the join as plain facts.
//!
//! One current-thread tokio runtime lives only for the duration of [`lookup`]. The credentials are
//! resolved and the caller's account read (STS `GetCallerIdentity`) first; then one SESv2 client
//! per region answers the deduplicated questions, at most [`IN_FLIGHT`] at a time. A failure
//! becomes a [`LookupError`] in the facts and the run goes on with that state unknown.

mod client;
mod error;

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
            },
        ),
    }
}

enum Answer {
    Account(AccountKey, Result<AccountState, LookupError>),
    Identity(IdentityKey, Result<IdentityState, LookupError>),
}

async fn lookup_all(targets: &LookupTargets, options: &AwsOptions) -> LiveFacts {
    let sdk = client::load(options).await;
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

    let mut clients: BTreeMap<String, aws_sdk_sesv2::Client> = BTreeMap::new();
    let mut client_for = |region: &str| {
        clients
            .entry(region.to_owned())
            .or_insert_with(|| client::ses(&sdk, region))
            .clone()
    };
    let mut facts = LiveFacts {
        caller_account: Some(caller.clone()),
        ..LiveFacts::default()
    };
    let semaphore = Arc::new(Semaphore::new(IN_FLIGHT));
    let timeout = options.timeout;
    let mut tasks = JoinSet::new();
    for key in &targets.accounts {
        if let Some(err) = cross_account(key.0.as_deref(), &caller, "GetAccount") {
            facts.accounts.insert(
                key.clone(),
                AccountLookup {
                    account: key.0.clone(),
                    result: Err(err),
                },
            );
            continue;
        }
        let (client, semaphore, key) = (client_for(&key.1), Arc::clone(&semaphore), key.clone());
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let answer = client::get_account(&client, timeout).await;
            Answer::Account(key, answer)
        });
    }
    for key in &targets.identities {
        if let Some(err) = cross_account(key.0.as_deref(), &caller, "GetEmailIdentity") {
            facts.identities.insert(key.clone(), Err(err));
            continue;
        }
        let (client, semaphore, key) = (client_for(&key.1), Arc::clone(&semaphore), key.clone());
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let answer = client::get_email_identity(&client, &key.2, timeout).await;
            Answer::Identity(key, answer)
        });
    }
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

/// SESv2 describes only the caller's own account: another account's state cannot be read, and
/// asking would describe the wrong account.
fn cross_account(
    account: Option<&str>,
    caller: &str,
    operation: &'static str,
) -> Option<LookupError> {
    let account = account.filter(|a| *a != caller)?;
    Some(LookupError {
        kind: ErrorKind::CrossAccount,
        operation,
        action: error::action(operation),
        code: None,
        message: format!(
            "the SourceArn is in account {account}, but the credentials are for account {caller}; SESv2 describes only the caller's own account"
        ),
    })
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

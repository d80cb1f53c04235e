//! Live SES state read with `--aws`, as the join consumes it: plain data with no SDK types, so the
//! join builds and is tested without the `aws` feature. `src/live/` (feature `aws`) fills it.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::SesState;
use super::facts::{AccountSource, Facts, LookupFact, LookupSpans, MergedError, SenderFact};

/// How to reach AWS for `--aws`; credentials come the standard way (environment, profile, SSO,
/// instance role). Here, beside the data the lookup returns, so that the run (`check`) and the
/// lookup (`live`, feature `aws`) both depend on it and not on each other.
#[derive(Clone, Debug)]
pub struct AwsOptions {
    /// `--aws-profile`.
    pub profile: Option<String>,
    /// `--aws-endpoint-url`: an emulator or a test server.
    pub endpoint_url: Option<String>,
    /// `--aws-timeout`: for each request, retries included.
    pub timeout: std::time::Duration,
}

/// An (account, region) as the facts name it before the lookup: the account is `None` when neither
/// the `SourceArn` nor the stack says (the caller's account is used then).
pub type AccountKey = (Option<String>, String);

/// An identity of a `SourceArn` in an (account, region) of [`AccountKey`].
pub type IdentityKey = (Option<String>, String, String);

/// What to look up: every (account, region) a valid `SourceArn` points to, and its identities.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LookupTargets {
    pub accounts: BTreeSet<AccountKey>,
    pub identities: BTreeSet<IdentityKey>,
}

/// Everything the live lookup learned; each question is asked once per run.
#[derive(Clone, Debug, Default)]
pub struct LiveFacts {
    /// The account of the credentials (STS `GetCallerIdentity`), when it answered.
    pub caller_account: Option<String>,
    pub accounts: BTreeMap<AccountKey, AccountLookup>,
    pub identities: BTreeMap<IdentityKey, Result<IdentityState, LookupError>>,
}

/// The SES account state of one (account, region).
#[derive(Clone, Debug)]
pub struct AccountLookup {
    /// The account actually described: the key's, or the caller's when the key has none.
    pub account: Option<String>,
    pub result: Result<AccountState, LookupError>,
}

/// SESv2 `GetAccount` (DOMAIN.md §4.3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
pub struct AccountState {
    /// `ProductionAccessEnabled`; false means the sandbox.
    pub production_access: bool,
    /// `SendingEnabled`.
    pub sending_enabled: bool,
    /// `HEALTHY`, `PROBATION` or `SHUTDOWN`.
    pub enforcement_status: Option<String>,
    /// `SendQuota.Max24HourSend` (`-1` means unlimited).
    pub max_24_hour_send: Option<f64>,
    /// `SendQuota.MaxSendRate`.
    pub max_send_rate: Option<f64>,
    /// `SendQuota.SentLast24Hours`.
    pub sent_last_24_hours: Option<f64>,
    /// `Details.ReviewDetails.Status` of a production-access request: `PENDING`, `FAILED`,
    /// `GRANTED`, `DENIED`.
    pub review_status: Option<String>,
}

/// SESv2 `GetEmailIdentity`; `exists: false` when SES answered `NotFoundException`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct IdentityState {
    /// False when SES answered `NotFoundException`; the others are then null.
    pub exists: bool,
    pub verified_for_sending: Option<bool>,
    /// `PENDING`, `SUCCESS`, `FAILED`, `TEMPORARY_FAILURE` or `NOT_STARTED`.
    pub verification_status: Option<String>,
    /// `EMAIL_ADDRESS`, `DOMAIN` or `MANAGED_DOMAIN`.
    pub identity_type: Option<String>,
}

/// Why a question could not be answered. Holds the service's error code and message only, never
/// a request, a signature or a credential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct LookupError {
    pub kind: ErrorKind,
    /// `GetAccount`, `GetEmailIdentity` or `GetCallerIdentity`.
    pub operation: &'static str,
    /// The IAM action the operation needs.
    pub action: &'static str,
    /// The service's error code (`AccessDeniedException`, `TooManyRequestsException`, ...).
    pub code: Option<String>,
    /// The service's message, or what went wrong.
    pub message: String,
}

/// What kind of failure a lookup met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// No credentials could be loaded, or the service rejected them.
    Credentials,
    AccessDenied,
    Throttled,
    Timeout,
    /// The endpoint could not be reached.
    Network,
    /// The account is not the caller's: SESv2 only describes the caller's own account.
    CrossAccount,
    Other,
}

/// The lookup key of a sender of the facts document: a valid `SourceArn` with a known region.
/// An account that came from the caller maps back to `None`, so the key is the same before and
/// after the lookup.
pub fn sender_key(sender: &SenderFact) -> Option<AccountKey> {
    if !sender.source_arn.as_ref().is_some_and(|arn| arn.valid) {
        return None;
    }
    let region = sender.ses.region.clone()?;
    let account = match sender.ses.account_source {
        Some(AccountSource::Caller) => None,
        _ => sender.ses.account.clone(),
    };
    Some((account, region))
}

/// What the senders of a facts document (built without live state) need looked up.
pub fn targets(facts: &Facts) -> LookupTargets {
    let mut targets = LookupTargets::default();
    for sender in &facts.senders {
        let Some((account, region)) = sender_key(sender) else {
            continue;
        };
        if let Some(identity) = &sender.identity.name {
            targets
                .identities
                .insert((account.clone(), region.clone(), identity.to_owned()));
        }
        targets.accounts.insert((account, region));
    }
    targets
}

/// What the live lookup says about one sender.
#[derive(Clone, Debug, Default)]
pub struct SenderLive {
    /// The caller's account, when the facts had none.
    pub caller_account: Option<String>,
    pub state: Option<SesState>,
    pub ses_live: Option<AccountState>,
    pub ses_error: Option<LookupError>,
    pub identity_live: Option<IdentityState>,
    pub identity_error: Option<LookupError>,
}

/// The live facts of a sender whose `SourceArn` points to `account` and `region`.
pub fn for_sender(
    live: &LiveFacts,
    account: Option<&str>,
    region: &str,
    identity: Option<&str>,
) -> SenderLive {
    let key = (account.map(str::to_owned), region.to_owned());
    let mut out = SenderLive::default();
    if let Some(lookup) = live.accounts.get(&key) {
        if account.is_none() {
            out.caller_account = lookup.account.clone();
        }
        match &lookup.result {
            Ok(state) => {
                out.state = Some(if state.production_access {
                    SesState::Production
                } else {
                    SesState::Sandbox
                });
                out.ses_live = Some(state.clone());
            }
            Err(err) => out.ses_error = Some(err.clone()),
        }
    }
    if let Some(name) = identity
        && let Some(result) = live
            .identities
            .get(&(key.0.clone(), key.1.clone(), name.to_owned()))
    {
        match result {
            Ok(state) => out.identity_live = Some(state.clone()),
            Err(err) => out.identity_error = Some(err.clone()),
        }
    }
    out
}

/// One entry per looked-up (account, region) for `lookups[]`, located at the first sender whose
/// `SourceArn` points there, with every failure of its questions merged into one `error`.
pub fn lookups(live: &LiveFacts, senders: &[SenderFact]) -> Vec<LookupFact> {
    let mut out = Vec::new();
    for (key, lookup) in &live.accounts {
        let Some(first) = senders.iter().find(|s| sender_key(s).as_ref() == Some(key)) else {
            continue;
        };
        let mut errors: Vec<&LookupError> = Vec::new();
        if let Err(err) = &lookup.result {
            errors.push(err);
        }
        let identity_errors = live
            .identities
            .range((key.0.clone(), key.1.clone(), String::new())..)
            .take_while(|((a, r, _), _)| (a, r) == (&key.0, &key.1))
            .filter_map(|(_, result)| result.as_ref().err());
        for err in identity_errors {
            if !errors.contains(&err) {
                errors.push(err);
            }
        }
        let (region, account) = (&key.1, lookup.account.as_deref());
        let place = match account {
            Some(account) => format!("account {account} in {region}"),
            None => format!("{region} (account of the credentials)"),
        };
        out.push(LookupFact {
            id: format!("lookup#{}#{region}", account.unwrap_or("?")),
            place,
            account: account.map(str::to_owned),
            account_source: first.ses.account_source,
            region: region.clone(),
            live: lookup.result.as_ref().ok().cloned(),
            error: merged_error(&errors, account, region),
            stack: first.stack.clone(),
            file: first.file.clone(),
            resource: first.resource.clone(),
            cdk_path: first.cdk_path.clone(),
            note: first.note.clone(),
            spans: LookupSpans {
                source_arn: first.spans.source_arn.clone(),
                resource: Some(first.spans.resource.clone()),
            },
        });
    }
    out
}

/// The failures of one (account, region) as one object: the first failure's kind, code and
/// message, every IAM action that failed, and a sentence that names them.
fn merged_error(
    errors: &[&LookupError],
    account: Option<&str>,
    region: &str,
) -> Option<MergedError> {
    let first = errors.first()?;
    let mut actions: Vec<&str> = Vec::new();
    let mut operations: Vec<&str> = Vec::new();
    for err in errors {
        if !actions.contains(&err.action) {
            actions.push(err.action);
        }
        if !operations.contains(&err.operation) {
            operations.push(err.operation);
        }
    }
    let what = match first.kind {
        ErrorKind::Credentials => "no usable AWS credentials",
        ErrorKind::AccessDenied => "access denied",
        ErrorKind::Throttled => "throttled",
        ErrorKind::Timeout => "timed out",
        ErrorKind::Network => "the endpoint could not be reached",
        ErrorKind::CrossAccount => "the account is not the credentials' account",
        ErrorKind::Other => "the request failed",
    };
    let detail = match &first.code {
        Some(code) => format!("{code}: {}", first.message),
        None => first.message.clone(),
    };
    Some(MergedError {
        kind: first.kind,
        code: first.code.clone(),
        message: first.message.clone(),
        summary: format!("{what} ({}; {detail})", actions.join(", ")),
        operations: operations.into_iter().map(str::to_owned).collect(),
        actions: actions.into_iter().map(str::to_owned).collect(),
        account: account.map(str::to_owned),
        region: region.to_owned(),
    })
}

#[cfg(test)]
mod tests {
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
            ],
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
        let got = lookups(&live, &senders);
        assert_eq!(got.len(), 1);
        let error = got[0].error.as_ref().unwrap();
        assert_eq!(error.actions, ["ses:GetAccount", "ses:GetEmailIdentity"]);
        assert_eq!(got[0].spans.source_arn.as_ref().map(|s| s.start), Some(1));
        assert!(error.summary.starts_with(
            "access denied (ses:GetAccount, ses:GetEmailIdentity; AccessDeniedException"
        ));
    }
}

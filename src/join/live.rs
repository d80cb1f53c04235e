//! Live SES state read with `--aws`, as the join consumes it: plain data with no SDK types, so the
//! join builds and is tested without the `aws` feature. `src/live/` (feature `aws`) fills it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};

use super::SesState;

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

/// SESv2 `GetAccount` (docs/domain.md#reading-ses-state).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountState {
    pub production_access: bool,
    pub sending_enabled: bool,
    /// `HEALTHY`, `PROBATION` or `SHUTDOWN`.
    pub enforcement_status: Option<String>,
    pub max_24_hour_send: Option<f64>,
    pub max_send_rate: Option<f64>,
    pub sent_last_24_hours: Option<f64>,
    /// `Details.ReviewDetails.Status` of a production-access request.
    pub review_status: Option<String>,
}

/// SESv2 `GetEmailIdentity`; `exists: false` when SES answered `NotFoundException`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdentityState {
    pub exists: bool,
    pub verified_for_sending: Option<bool>,
    /// `PENDING`, `SUCCESS`, `FAILED`, `TEMPORARY_FAILURE` or `NOT_STARTED`.
    pub verification_status: Option<String>,
    /// `EMAIL_ADDRESS`, `DOMAIN` or `MANAGED_DOMAIN`.
    pub identity_type: Option<String>,
}

/// Why a question could not be answered. Holds the service's error code and message only, never
/// a request, a signature or a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupError {
    pub kind: ErrorKind,
    /// `GetAccount`, `GetEmailIdentity` or `GetCallerIdentity`.
    pub operation: &'static str,
    /// The IAM action the operation needs.
    pub action: &'static str,
    pub code: Option<String>,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Credentials => "credentials",
            ErrorKind::AccessDenied => "access-denied",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Network => "network",
            ErrorKind::CrossAccount => "cross-account",
            ErrorKind::Other => "other",
        }
    }
}

impl LookupError {
    fn to_json(&self) -> Json {
        json!({
            "kind": self.kind.as_str(),
            "operation": self.operation,
            "action": self.action,
            "code": self.code,
            "message": self.message,
        })
    }
}

impl AccountState {
    fn to_json(&self) -> Json {
        json!({
            "production_access": self.production_access,
            "sending_enabled": self.sending_enabled,
            "enforcement_status": self.enforcement_status,
            "max_24_hour_send": self.max_24_hour_send,
            "max_send_rate": self.max_send_rate,
            "sent_last_24_hours": self.sent_last_24_hours,
            "review_status": self.review_status,
        })
    }
}

impl IdentityState {
    fn to_json(&self) -> Json {
        json!({
            "exists": self.exists,
            "verified_for_sending": self.verified_for_sending,
            "verification_status": self.verification_status,
            "identity_type": self.identity_type,
        })
    }
}

/// The lookup key of a sender of the facts document: a valid `SourceArn` with a known region.
/// An account that came from the caller maps back to `None`, so the key is the same before and
/// after the lookup.
pub fn sender_key(sender: &Json) -> Option<AccountKey> {
    if sender["source_arn"]["valid"] != Json::Bool(true) {
        return None;
    }
    let region = sender["ses"]["region"].as_str()?;
    let account = match sender["ses"]["account_source"].as_str() {
        Some("caller") => None,
        _ => sender["ses"]["account"].as_str().map(str::to_owned),
    };
    Some((account, region.to_owned()))
}

/// What the senders of a facts document (built without live state) need looked up.
pub fn targets(facts: &Json) -> LookupTargets {
    let mut targets = LookupTargets::default();
    for sender in facts["senders"].as_array().into_iter().flatten() {
        let Some((account, region)) = sender_key(sender) else {
            continue;
        };
        if let Some(identity) = sender["identity"]["name"].as_str() {
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
    pub ses_live: Json,
    pub ses_error: Json,
    pub identity_live: Json,
    pub identity_error: Json,
}

/// The live facts of a sender whose `SourceArn` points to `account` and `region`.
pub fn for_sender(
    live: &LiveFacts,
    account: Option<&str>,
    region: &str,
    identity: Option<&str>,
) -> SenderLive {
    let key = (account.map(str::to_owned), region.to_owned());
    let mut out = SenderLive {
        ses_live: Json::Null,
        ses_error: Json::Null,
        identity_live: Json::Null,
        identity_error: Json::Null,
        ..SenderLive::default()
    };
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
                out.ses_live = state.to_json();
            }
            Err(err) => out.ses_error = err.to_json(),
        }
    }
    if let Some(name) = identity
        && let Some(result) = live
            .identities
            .get(&(key.0.clone(), key.1.clone(), name.to_owned()))
    {
        match result {
            Ok(state) => out.identity_live = state.to_json(),
            Err(err) => out.identity_error = err.to_json(),
        }
    }
    out
}

/// One entry per looked-up (account, region) for `lookups[]`, located at the first sender whose
/// `SourceArn` points there, with every failure of its questions merged into one `error`.
pub fn lookups(live: &LiveFacts, senders: &[Json]) -> Vec<Json> {
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
        let mut spans = Map::new();
        for name in ["source_arn", "resource"] {
            if let Some(span) = first["spans"].get(name) {
                spans.insert(name.to_owned(), span.clone());
            }
        }
        let place = match account {
            Some(account) => format!("account {account} in {region}"),
            None => format!("{region} (account of the credentials)"),
        };
        out.push(json!({
            "id": format!("lookup#{}#{region}", account.unwrap_or("?")),
            "place": place,
            "account": account,
            "account_source": first["ses"]["account_source"],
            "region": region,
            "live": lookup.result.as_ref().ok().map(AccountState::to_json),
            "error": merged_error(&errors, account, region),
            "stack": first["stack"],
            "file": first["file"],
            "resource": first["resource"],
            "cdk_path": first["cdk_path"],
            "note": first["note"],
            "spans": spans,
        }));
    }
    out
}

/// The failures of one (account, region) as one object: the first failure's kind, code and
/// message, every IAM action that failed, and a sentence that names them.
fn merged_error(errors: &[&LookupError], account: Option<&str>, region: &str) -> Json {
    let Some(first) = errors.first() else {
        return Json::Null;
    };
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
    json!({
        "kind": first.kind.as_str(),
        "code": first.code,
        "message": first.message,
        "operations": operations,
        "actions": actions,
        "summary": format!(
            "{what} ({}; {detail})",
            actions.join(", ")
        ),
        "account": account,
        "region": region,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(account: Option<&str>, source: &str, region: &str, identity: &str) -> Json {
        json!({
            "stack": "S", "file": "t.yaml", "resource": "Pool", "cdk_path": null,
            "source_arn": {"valid": true},
            "ses": {"region": region, "account": account, "account_source": source},
            "identity": {"name": identity},
            "spans": {"source_arn": {"file": "t.yaml", "start": 1, "end": 2}},
        })
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
        let facts = json!({"senders": [
            sender(Some("111111111111"), "stack", "us-west-2", "example.com"),
            sender(Some("111111111111"), "stack", "us-west-2", "example.com"),
            sender(None, "unknown", "eu-west-1", "a@example.com"),
            {"source_arn": {"valid": false}, "ses": {"region": "us-east-1"}},
        ]});
        let t = targets(&facts);
        assert_eq!(t.accounts.len(), 2);
        assert_eq!(t.identities.len(), 2);
        assert!(t.accounts.contains(&(None, "eu-west-1".into())));
    }

    #[test]
    fn caller_account_maps_back_to_the_unknown_key() {
        let s = sender(Some("999999999999"), "caller", "us-west-2", "x.com");
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
        assert_eq!(got.identity_error["action"], "ses:GetEmailIdentity");
        assert_eq!(got.identity_live, Json::Null);
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
            sender(Some("111111111111"), "stack", "us-west-2", "a.com"),
            sender(Some("111111111111"), "stack", "us-west-2", "b.com"),
        ];
        let got = lookups(&live, &senders);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0]["error"]["actions"],
            json!(["ses:GetAccount", "ses:GetEmailIdentity"])
        );
        assert_eq!(got[0]["spans"]["source_arn"]["start"], 1);
        assert!(got[0]["error"]["summary"].as_str().unwrap().starts_with(
            "access denied (ses:GetAccount, ses:GetEmailIdentity; AccessDeniedException"
        ));
    }
}

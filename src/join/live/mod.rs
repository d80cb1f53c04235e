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
    /// `--aws-role-arn`, then config `aws.role-arn`, and config `aws.profiles`: how to reach
    /// accounts other than the caller's besides the CDK lookup roles.
    pub routes: RouteOptions,
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
    /// How to read each account, by account id, in the order tried, when it is not the
    /// caller's ([`routes`]).
    pub routes: BTreeMap<String, Vec<Route>>,
}

/// Who named the way to another account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RoleSource {
    /// A CDK stack's `properties.lookupRole` (the bootstrap's read-only lookup role).
    CdkLookupRole,
    /// `--aws-role-arn`.
    Flag,
    /// `.sandtrap.yaml` `aws: {role-arn}`.
    Config,
    /// `.sandtrap.yaml` `aws: {profiles}`.
    Profile,
}

/// One way to read an account other than the caller's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// STS `AssumeRole` with the caller's credentials, session name `sandtrap`.
    Role {
        arn: String,
        source: RoleSource,
        external_id: Option<String>,
        options: crate::discover::AssumeRoleOptions,
        /// For a CDK lookup role: the bootstrap version that creates it.
        requires_bootstrap_version: Option<u64>,
    },
    /// A profile of the AWS config files.
    Profile(String),
}

impl Route {
    /// The role ARN or profile name, for messages.
    pub fn name(&self) -> &str {
        match self {
            Route::Role { arn, .. } => arn,
            Route::Profile(profile) => profile,
        }
    }

    pub fn source(&self) -> RoleSource {
        match self {
            Route::Role { source, .. } => *source,
            Route::Profile(_) => RoleSource::Profile,
        }
    }
}

/// What the user named to reach other accounts: a role ARN (`{account}` replaced by each
/// account) and profiles by account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteOptions {
    pub role_arn: Option<(String, RoleSource)>,
    pub profiles: BTreeMap<String, String>,
}

/// The ways to read each account of `targets`: the CDK lookup role of the account's stacks
/// first (partition, account and region substituted), then a profile named for the account,
/// then the user's role ARN. The caller's own account needs none; the lookup decides which
/// account is the caller's.
pub fn routes(
    stacks: &[&super::Stack],
    targets: &LookupTargets,
    options: &RouteOptions,
) -> BTreeMap<String, Vec<Route>> {
    let mut out: BTreeMap<String, Vec<Route>> = BTreeMap::new();
    let accounts: BTreeSet<&String> = targets
        .accounts
        .iter()
        .filter_map(|(a, _)| a.as_ref())
        .collect();
    for account in accounts {
        let mut routes = Vec::new();
        for stack in stacks
            .iter()
            .filter(|s| s.account.as_ref() == Some(account))
        {
            let Some(role) = &stack.lookup_role else {
                continue;
            };
            let Some(arn) = substitute(&role.arn, account, stack.region.as_deref()) else {
                continue;
            };
            let route = Route::Role {
                arn,
                source: RoleSource::CdkLookupRole,
                external_id: role.external_id.clone(),
                options: role.options.clone(),
                requires_bootstrap_version: role.requires_bootstrap_version,
            };
            // One lookup role per account is enough: IAM is global, and every region's
            // lookup role reads the whole account.
            if !routes
                .iter()
                .any(|r: &Route| r.source() == RoleSource::CdkLookupRole)
            {
                routes.push(route);
            }
        }
        if let Some(profile) = options.profiles.get(account) {
            routes.push(Route::Profile(profile.clone()));
        }
        if let Some((template, source)) = &options.role_arn {
            let arn = template.replace("{account}", account);
            // A role ARN written for one account applies to that account only.
            if arn.split(':').nth(4) == Some(account.as_str()) {
                routes.push(Route::Role {
                    arn: arn.replace("{partition}", "aws"),
                    source: *source,
                    external_id: None,
                    options: Default::default(),
                    requires_bootstrap_version: None,
                });
            }
        }
        if !routes.is_empty() {
            out.insert(account.clone(), routes);
        }
    }
    out
}

/// A lookup role ARN with `${AWS::Partition}`, `${AWS::AccountId}` and `${AWS::Region}` replaced;
/// `None` when one of them is unknown.
fn substitute(arn: &str, account: &str, region: Option<&str>) -> Option<String> {
    let partition = region.map_or("aws", super::regions::partition);
    let mut out = arn
        .replace("${AWS::Partition}", partition)
        .replace("${AWS::AccountId}", account);
    if out.contains("${AWS::Region}") {
        out = out.replace("${AWS::Region}", region?);
    }
    (!out.contains("${")).then_some(out)
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize, JsonSchema)]
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
    /// The role (or profile) tried to reach another account, when that failed.
    pub role: Option<String>,
    /// Who named that role.
    pub role_source: Option<RoleSource>,
}

impl LookupError {
    /// The same failure, for another SES question of the account: a failure to reach the
    /// account (no route, a role that cannot be assumed) keeps its STS operation; a cross-account
    /// refusal names the question it refuses.
    pub fn for_operation(&self, operation: &'static str) -> LookupError {
        let mut err = self.clone();
        if err.kind == ErrorKind::CrossAccount {
            err.operation = operation;
            err.action = match operation {
                "GetEmailIdentity" => "ses:GetEmailIdentity",
                _ => "ses:GetAccount",
            };
        }
        err
    }
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
    /// The account is not the caller's: SESv2 only describes the caller's own account, and no
    /// role or profile reaches it.
    CrossAccount,
    /// The role (or profile) that reaches another account could not be used.
    AssumeRole,
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
pub fn lookups(live: &LiveFacts, senders: &[std::sync::Arc<SenderFact>]) -> Vec<LookupFact> {
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
            caller: live.caller_account.clone(),
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
        ErrorKind::AssumeRole => "the role to read the account could not be assumed",
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
        role: first.role.clone(),
        role_source: first.role_source,
    })
}

#[cfg(test)]
mod tests;

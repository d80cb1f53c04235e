//! The facts document as Rust types: what the join builds, what `sandtrap facts` prints and what
//! rules query. Serialized once ([`Facts::to_json`]); the field order is the document's. The JSON
//! schema derived from these types ([`schema`]) checks rule files and generates the field tables
//! of `docs/facts.md`, so the doc comments here are the reference users read.

use schemars::JsonSchema;
use std::sync::Arc;

use serde::Serialize;

use super::live::{AccountState, ErrorKind, IdentityState, LookupError};
use super::regions::RegionVerdict;
use crate::extract::SenderKind;

pub use crate::config::SesState;

/// The whole document (schema version 1).
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct Facts {
    /// The schema version, `1`.
    pub version: u32,
    pub stacks: Vec<Arc<StackFact>>,
    pub senders: Vec<Arc<SenderFact>>,
    pub lookups: Vec<LookupFact>,
    pub identities: Vec<Arc<IdentityFact>>,
    pub configuration_sets: Vec<Arc<ConfigurationSetFact>>,
    pub trigger_senders: Vec<Arc<TriggerSenderFact>>,
}

impl Facts {
    /// The document as JSON, as the rules read it. Every map key is a string and every number
    /// finite or null, so serializing cannot fail; should it, the rules see an empty document.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// The JSON schema of the document.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Facts)).unwrap_or_default()
}

/// A location: a byte range of a file of the run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SpanFact {
    /// The file's display name.
    pub file: String,
    /// The first byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// Where the value was written when elsewhere (a Terraform module's caller, a tfvars
    /// line): every diagnostic at this span shows it as a related location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Box<ViaFact>>,
}

/// Where a value came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ViaFact {
    pub file: String,
    pub start: u32,
    pub end: u32,
    /// `value passed here (module.auth["prod"])`, `value from terraform.tfvars`.
    pub label: String,
}

/// Where a piece of the stack environment came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EnvSource {
    CdkManifest,
    Flag,
    Config,
    /// `samconfig.toml`/`samconfig.yaml` or `serverless.yml` beside the template.
    DeployConfig,
    TemplateMetadata,
    /// A Terraform provider configuration's `region` (or `allowed_account_ids`, `assume_role`),
    /// or a resource's own `region`.
    TerraformProvider,
    #[serde(rename = "environment-variable")]
    Environment,
    #[default]
    Unknown,
}

/// One analyzed template.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct StackFact {
    /// CDK stack name, or the template's file name without extension.
    pub name: String,
    /// The template as reported.
    pub file: String,
    /// The stack's account.
    pub account: Option<String>,
    /// Where `account` came from.
    pub account_source: EnvSource,
    /// The stack's region.
    pub region: Option<String>,
    /// Where `region` came from.
    pub region_source: EnvSource,
    /// Derived from the region (`cn-*` is `aws-cn`, `us-gov-*` is `aws-us-gov`).
    pub partition: Option<String>,
}

/// A condition value a variant assumes.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct AssumptionFact {
    pub condition: String,
    pub value: bool,
}

/// Where the SES account came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AccountSource {
    /// The `SourceArn` account.
    SourceArn,
    /// The stack's account.
    Stack,
    /// With `--aws`, the credentials' account when neither says.
    Caller,
}

/// Who stated the SES state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StateSource {
    /// SESv2 `GetAccount` (`--aws`); it wins over the others.
    Live,
    /// `--ses-sandbox` / `--ses-production`.
    Flag,
    /// `.sandtrap.yaml` `ses:`.
    Config,
}

/// `email` for an address, `domain` otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    Email,
    Domain,
}

/// The identity-join verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityVerdict {
    /// Declared by another analyzed stack in that account and region.
    Declared,
    /// Declared by the pool's own stack.
    SameStack,
    /// Declared by a parent or sibling nested stack: created by the same CloudFormation deployment.
    SameDeployment,
    /// Declared, but only in other regions.
    OtherRegion,
    /// An address where the domain is declared, or the reverse.
    OtherLevel,
    /// No analyzed stack declares it.
    NotDeclared,
    /// The name or the SES region is unknown.
    #[default]
    Unknown,
}

/// Who can make Cognito send mail to an address nobody verified.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExposureLevel {
    /// Anyone can sign up and make Cognito mail an address they typed.
    Public,
    /// Only administrators' invitations (and replicas or notifications).
    #[default]
    Admin,
}

/// Where a trigger sender's SES region came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RegionFrom {
    /// The region of the identity ARN the grant names.
    PolicyResource,
    /// The stack's region.
    #[default]
    Stack,
}

/// A Cognito resource that sends mail, for one combination of undecidable conditions.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct SenderFact {
    /// `FILE#LOGICALID#N`.
    pub id: String,
    pub kind: SenderKind,
    /// The stack's name.
    pub stack: String,
    /// The template as reported.
    pub file: String,
    /// The logical id.
    pub resource: String,
    /// The resource type (CloudFormation `AWS::Cognito::UserPool`, Terraform
    /// `aws_cognito_user_pool`).
    pub resource_type: String,
    /// The language the sender is written in.
    pub language: crate::extract::Language,
    /// What the sender's language calls each property, for messages in its words:
    /// `names.source_arn` is `SourceArn` in CloudFormation, `source_arn` in Terraform.
    pub names: crate::extract::PropertyNames,
    /// From `Metadata.aws:cdk:path`.
    pub cdk_path: Option<String>,
    /// The condition values this variant assumes.
    pub assumptions: Vec<AssumptionFact>,
    /// The CDK path and the assumptions, for a diagnostic's note.
    pub note: Option<String>,
    /// The stack's account.
    pub account: Option<String>,
    /// The stack's region (for a replica: the replica's region).
    pub pool_region: Option<String>,
    /// `pool_region` is not null.
    pub pool_region_known: bool,
    /// The stack was read from a CDK cloud assembly (advice then names the app's `env`, not
    /// template `Metadata`).
    pub cdk: bool,
    /// The label of `spans.environment`: `stack environment` (a CDK manifest) or `stack region
    /// from samconfig.toml` (the deploy configuration file the region came from).
    pub stack_environment: String,
    /// `DEVELOPER`, `COGNITO_DEFAULT` (also when `EmailConfiguration` or the key is absent), null
    /// when unresolved.
    pub sending_account: Option<SendingAccount>,
    /// `sending_account` is not null.
    pub sending_account_known: bool,
    /// `DEVELOPER` without a `LambdaConfig.CustomEmailSender`: Cognito calls your SES (always true
    /// for risk notifications).
    pub uses_ses: bool,
    /// A custom email sender Lambda delivers the mail instead.
    pub custom_email_sender: bool,
    /// `SourceArn` is present.
    pub has_source_arn: bool,
    /// Null when absent.
    pub source_arn: Option<SourceArnFact>,
    pub ses: SenderSes,
    pub region_check: RegionCheck,
    pub identity: IdentityJoin,
    pub from: FromFact,
    /// `ReplyToEmailAddress` (a risk configuration's `ReplyTo`), when known; and whether
    /// Cognito accepts it: one address, no display name or spaces (`CreateUserPool` checks it
    /// against `[\p{L}\p{M}\p{S}\p{N}\p{P}]+@[\p{L}\p{M}\p{S}\p{N}\p{P}]+`).
    pub reply_to: Option<String>,
    pub reply_to_valid: Option<bool>,
    pub configuration_set: ConfigurationSetUse,
    /// `EnabledMfas` contains `EMAIL_OTP`.
    pub email_mfa: bool,
    /// Self sign-up with email auto-verification (a user pool mails every new user).
    pub mails_users: bool,
    pub exposure: Exposure,
    /// Values a rule needs that could not be resolved.
    pub unresolved: Vec<Unresolved>,
    /// `From` or `SourceArn` holding what a synthesizer writes where it had no value
    /// (`undefined`, `null`, `None`, an unsubstituted `${...}`).
    pub placeholders: Vec<Placeholder>,
    /// Combinations of conditions left unchecked past the bound.
    pub unchecked_combinations: u64,
    pub spans: SenderSpans,
}

/// How a pool sends mail: through your SES, or Cognito's own mailer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub enum SendingAccount {
    #[serde(rename = "DEVELOPER")]
    Developer,
    #[serde(rename = "COGNITO_DEFAULT")]
    CognitoDefault,
}

impl SendingAccount {
    /// The value as Cognito's API spells it (it is case-sensitive).
    pub fn parse(text: &str) -> Option<SendingAccount> {
        match text {
            "DEVELOPER" => Some(SendingAccount::Developer),
            "COGNITO_DEFAULT" => Some(SendingAccount::CognitoDefault),
            _ => None,
        }
    }
}

/// The parsed `SourceArn`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct SourceArnFact {
    /// The resolved text, unknown parts as `<...>`.
    pub text: String,
    /// Fully known.
    pub known: bool,
    /// The ARN's partition, when known.
    pub partition: Option<String>,
    /// The ARN's region, when known.
    pub region: Option<String>,
    /// The ARN's account, when known.
    pub account: Option<String>,
    /// The identity name after `identity/`, when known.
    pub identity: Option<String>,
    pub identity_kind: Option<IdentityKind>,
    /// False when the known parts already show it is not an SES identity ARN.
    pub valid: bool,
    /// Why not.
    pub problem: Option<String>,
}

/// The SES account and region mail is routed through, and its state.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct SenderSes {
    /// The SES region mail is routed through (the `SourceArn` region).
    pub region: Option<String>,
    /// `region` is not null.
    pub region_known: bool,
    /// The `SourceArn` region is the stack's own (`${AWS::Region}`) and that region is unknown:
    /// SES is used in whatever region the stack deploys to; `ses.state` then comes only from
    /// declarations for every region (`*`).
    pub deploy_region: bool,
    /// The `SourceArn` account, else the stack's.
    pub account: Option<String>,
    /// The `SourceArn` account is known and differs from the stack's known account.
    pub cross_account: bool,
    /// Where `ses.account` came from.
    pub account_source: Option<AccountSource>,
    /// The sandbox state of the SES account and region.
    #[serde(serialize_with = "state_or_unknown")]
    #[schemars(schema_with = "state_schema")]
    pub state: Option<SesState>,
    /// Who said so; live state wins.
    pub state_source: Option<StateSource>,
    /// The `.sandtrap.yaml` line that records production access for this account and region
    /// (`regions: ["*"]` for a deploy region).
    pub production_config: String,
    /// The same as a flag: `--ses-production ACCOUNT:REGION` (`'ACCOUNT:*'` for a deploy region).
    pub production_flag: String,
    /// With `--aws`, what SESv2 `GetAccount` said for this account and region; null when not
    /// looked up or when the lookup failed.
    pub live: Option<AccountState>,
    /// Why `GetAccount` failed.
    pub live_error: Option<LookupError>,
}

/// `None` is `unknown` in the document.
fn state_or_unknown<S: serde::Serializer>(
    state: &Option<SesState>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match state {
        Some(state) => state.serialize(serializer),
        None => serializer.serialize_str("unknown"),
    }
}

fn state_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string", "enum": ["sandbox", "production", "unknown"]})
}

/// May the pool's region use that SES region?
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct RegionCheck {
    pub verdict: RegionVerdict,
    /// The SES regions allowed for the pool's region.
    pub allowed: Option<Vec<String>>,
}

/// The `SourceArn` identity joined with the identities the run declares.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct IdentityJoin {
    /// The `SourceArn` identity.
    pub name: Option<String>,
    pub verdict: IdentityVerdict,
    /// For `other-region`: where it is declared.
    pub declared_regions: Vec<String>,
    /// For `other-level`: the identity that is declared.
    pub declared_name: Option<String>,
    /// For `same-deployment`: the stack that declares it.
    pub declared_in: Option<String>,
    /// With `--aws`, what SESv2 `GetEmailIdentity` said in the SES account and region.
    pub live: Option<IdentityState>,
    /// Why `GetEmailIdentity` failed.
    pub live_error: Option<LookupError>,
}

/// The `From` address.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct FromFact {
    /// `From` is set.
    pub present: bool,
    pub text: Option<String>,
    /// The address inside `text`.
    pub address: Option<String>,
    /// Whether the `SourceArn` identity covers the address; null when either is unknown.
    pub covered: Option<bool>,
}

/// The configuration set a sender names.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct ConfigurationSetUse {
    pub name: Option<String>,
    /// Declared by an analyzed stack in the SES account and region.
    pub declared: Option<bool>,
}

/// Who can make Cognito send mail.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct Exposure {
    pub level: ExposureLevel,
    /// `self sign-up`, `email auto-verification`, `email as username`, `email as alias`,
    /// `account recovery by email`, `email MFA`, `admin invitations`, ...
    pub triggers: Vec<String>,
}

/// A value that holds a placeholder instead of what was meant.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct Placeholder {
    pub id: String,
    pub stack: String,
    pub resource: String,
    /// The property, as the sender's language calls it (`From`, `from_email_address`).
    pub field: String,
    /// The value as resolved (unknown parts shown as `<...>`).
    pub value: String,
    /// What was found: `undefined`, `null`, `None` or `${...}`.
    pub placeholder: String,
    /// Where such a value usually comes from, and what to do.
    pub cause: String,
    pub spans: PlaceholderSpans,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct PlaceholderSpans {
    /// The value.
    pub value: SpanFact,
}

/// A value a rule needs that could not be resolved.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct Unresolved {
    pub id: String,
    pub stack: String,
    pub resource: String,
    /// The property, like `SourceArn`.
    pub field: String,
    /// What is missing.
    pub needs: String,
    /// What to supply.
    pub suggestion: String,
    pub spans: UnresolvedSpans,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct UnresolvedSpans {
    /// The value.
    pub value: SpanFact,
    /// The parameter declaration the value needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<SpanFact>,
}

/// The named locations of a sender.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct SenderSpans {
    /// The logical id.
    pub resource: SpanFact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_configuration: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sending_account: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration_set: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_verified_attributes: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled_mfas: Option<SpanFact>,
    /// The config entry or flag that declared the state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ses_state: Option<SpanFact>,
    /// The CDK manifest's `environment`, or the `region` value of the samconfig or
    /// serverless.yml it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<SpanFact>,
    /// The relevant identity declaration, possibly in another file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<SpanFact>,
}

/// `AWS::SES::EmailIdentity` (`EmailIdentity`) and `AWS::PinpointEmail::Identity` (`Name`).
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct IdentityFact {
    pub stack: String,
    pub file: String,
    pub resource: String,
    pub resource_type: String,
    pub name: Option<String>,
    pub kind: Option<IdentityKind>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub spans: IdentitySpans,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct IdentitySpans {
    pub resource: SpanFact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<SpanFact>,
}

/// `AWS::SES::ConfigurationSet` and `AWS::PinpointEmail::ConfigurationSet`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct ConfigurationSetFact {
    pub stack: String,
    pub file: String,
    pub resource: String,
    pub name: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub spans: ResourceSpans,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct ResourceSpans {
    pub resource: SpanFact,
}

/// A user pool's Lambda trigger whose function may send mail through SES itself: its role
/// allows `ses:SendEmail`, `ses:SendRawEmail`, `ses:SendTemplatedEmail` or
/// `ses:SendBulkTemplatedEmail`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct TriggerSenderFact {
    pub id: String,
    pub stack: String,
    pub file: String,
    /// The user pool.
    pub resource: String,
    /// Cognito's name of the trigger: `PreSignUp`, `PostConfirmation`, `PreAuthentication`,
    /// `PostAuthentication`, `DefineAuthChallenge`, `CreateAuthChallenge`,
    /// `VerifyAuthChallengeResponse`, `PreTokenGeneration`, `UserMigration`,
    /// `CustomEmailSender` or `CustomSMSSender`.
    pub trigger: String,
    /// The language the pool is written in.
    pub language: crate::extract::Language,
    /// What the pool's language calls the trigger, for messages in its words.
    pub names: TriggerNames,
    /// Who gets the mail the function sends for the user it runs for.
    pub recipients: crate::extract::trigger::Recipients,
    /// Where the pool came from (the `Fn::ForEach` iteration) and why the region is unknown,
    /// for a diagnostic's note.
    pub note: Option<String>,
    /// The function's logical id (Terraform: address).
    pub function: String,
    /// The role's logical id (Terraform: address); null for a SAM function's own `Policies`.
    pub role: Option<String>,
    /// The stack's region.
    pub pool_region: Option<String>,
    /// The identity a grant's `Resource` ARN or a policy template's `IdentityName` names.
    pub identity: Option<String>,
    pub ses: TriggerSes,
    pub exposure: TriggerExposure,
    /// The label of `spans.environment`.
    pub stack_environment: String,
    pub spans: TriggerSpans,
}

/// A trigger's words in the language of its pool.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct TriggerNames {
    /// `PostConfirmation` in CloudFormation, `post_confirmation` in Terraform.
    pub trigger: &'static str,
    /// `LambdaConfig`, `lambda_config`.
    pub lambda_config: &'static str,
}

/// The SES a trigger's function sends through.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct TriggerSes {
    /// The region of the identity ARN, else the stack's region.
    pub region: Option<String>,
    pub region_known: bool,
    pub region_from: RegionFrom,
    pub account: Option<String>,
    /// The sandbox state, from flags and config (the live lookup does not read trigger senders).
    #[serde(serialize_with = "state_or_unknown")]
    #[schemars(schema_with = "state_schema")]
    pub state: Option<SesState>,
    pub state_source: Option<StateSource>,
    /// As in `senders[]`.
    pub production_config: String,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct TriggerExposure {
    /// `admin` when only administrators create users, else `public`.
    pub level: ExposureLevel,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct TriggerSpans {
    /// The pool.
    pub resource: SpanFact,
    /// Where the pool names the function, or the SAM event's (the Serverless Framework
    /// event's) trigger.
    pub trigger: SpanFact,
    pub function: SpanFact,
    /// The actions, the policy template or the managed policy that allow sending (in
    /// Terraform possibly in another file than the pool).
    pub grant: SpanFact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ses_state: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<SpanFact>,
}

/// One (account, region) looked up with `--aws`, located at the first sender whose `SourceArn`
/// points there.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct LookupFact {
    pub id: String,
    /// `account 111111111111 in us-west-2`.
    pub place: String,
    pub account: Option<String>,
    pub account_source: Option<AccountSource>,
    pub region: String,
    /// The account of the credentials (STS `GetCallerIdentity`), when it answered.
    pub caller: Option<String>,
    /// As `ses.live`.
    pub live: Option<AccountState>,
    /// Every failure of that (account, region)'s questions merged.
    pub error: Option<MergedError>,
    pub stack: String,
    pub file: String,
    pub resource: String,
    pub cdk_path: Option<String>,
    pub note: Option<String>,
    pub spans: LookupSpans,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct LookupSpans {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<SpanFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<SpanFact>,
}

/// The failures of one (account, region) as one.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct MergedError {
    /// Of the first failure.
    pub kind: ErrorKind,
    /// Of the first failure.
    pub code: Option<String>,
    /// Of the first failure.
    pub message: String,
    /// Every failed operation.
    pub operations: Vec<String>,
    /// Every failed IAM action.
    pub actions: Vec<String>,
    /// A sentence naming the actions.
    pub summary: String,
    pub account: Option<String>,
    pub region: String,
    /// For `assume-role`: the role ARN (or profile) that was tried.
    pub role: Option<String>,
    /// For `assume-role`: `cdk-lookup-role`, `flag`, `config` or `profile`.
    pub role_source: Option<super::live::RoleSource>,
}

//! The SDK calls: configuration (credentials and endpoint the standard way, short retries and a
//! timeout), STS `GetCallerIdentity`, SESv2 `GetAccount` and `GetEmailIdentity`.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sesv2::config::ProvideCredentials;

use super::error::{self, classify};
use super::untrusted::BoundedAnswers;
use crate::join::live::{AccountState, AwsOptions, ErrorKind, IdentityState, LookupError, Route};

/// The shared configuration: environment, profile (`--aws-profile`), SSO or instance role, as
/// aws-config finds them; `--aws-endpoint-url` for every client. Two attempts per request keep a
/// throttled or slow endpoint from holding the run; `timeout` bounds each request, retries
/// included.
pub(super) async fn load(options: &AwsOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        // Each client names its own region; this only spares the region lookup.
        .region(Region::new("us-east-1"))
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(options.timeout)
                .operation_timeout(options.timeout)
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// The configuration of another account: STS `AssumeRole` of `route` with the caller's
/// credentials (session name `sandtrap`, the manifest's external id and options), or the
/// profile named for it, confirmed to be that account. `region` is one of the account's SES
/// regions (STS answers in the partition of the region it is asked in).
pub(super) async fn reach(
    sdk: &SdkConfig,
    route: &Route,
    account: &str,
    region: &str,
    options: &AwsOptions,
) -> Result<SdkConfig, LookupError> {
    let failed = |kind, code, message| route_error(route, kind, code, message);
    match route {
        Route::Role {
            arn,
            external_id,
            options: extra,
            ..
        } => {
            let config = aws_sdk_sts::config::Builder::from(sdk)
                .region(Region::new(region.to_owned()))
                .interceptor(BoundedAnswers)
                .build();
            let client = aws_sdk_sts::Client::from_conf(config);
            let request = client
                .assume_role()
                .role_arn(arn)
                .role_session_name("sandtrap")
                .set_external_id(external_id.clone());
            let out = with_options(request, extra)
                .map_err(|message| failed(ErrorKind::Other, None, message))?
                .send()
                .await
                .map_err(|err| {
                    let classified = classify(&err, "AssumeRole", options.timeout);
                    let kind = match classified.kind {
                        ErrorKind::Timeout | ErrorKind::Network | ErrorKind::Throttled => {
                            classified.kind
                        }
                        _ => ErrorKind::AssumeRole,
                    };
                    failed(kind, classified.code, classified.message)
                })?;
            let Some(credentials) = out.credentials() else {
                return Err(failed(
                    ErrorKind::AssumeRole,
                    None,
                    "the answer carries no credentials".to_owned(),
                ));
            };
            let expiry = std::time::SystemTime::try_from(*credentials.expiration()).ok();
            let credentials = aws_sdk_sesv2::config::Credentials::new(
                credentials.access_key_id(),
                credentials.secret_access_key(),
                Some(credentials.session_token().to_owned()),
                expiry,
                "sandtrap-assume-role",
            );
            Ok(sdk
                .to_builder()
                .credentials_provider(aws_sdk_sesv2::config::SharedCredentialsProvider::new(
                    credentials,
                ))
                .build())
        }
        Route::Profile(profile) => {
            let with_profile = AwsOptions {
                profile: Some(profile.clone()),
                ..options.clone()
            };
            let config = load(&with_profile).await;
            match caller_account(&config, region, options.timeout).await {
                Ok(found) if found == account => Ok(config),
                Ok(found) => Err(failed(
                    ErrorKind::AssumeRole,
                    None,
                    format!("the profile's credentials are for account {found}, not {account}"),
                )),
                Err(err) => Err(failed(ErrorKind::AssumeRole, err.code, err.message)),
            }
        }
    }
}

/// A failure to reach an account through `route`.
fn route_error(
    route: &Route,
    kind: ErrorKind,
    code: Option<String>,
    message: String,
) -> LookupError {
    LookupError {
        kind,
        operation: "AssumeRole",
        action: error::action("AssumeRole"),
        code,
        message,
        role: Some(route.name().to_owned()),
        role_source: Some(route.source()),
    }
}

/// An `AssumeRole` request with the manifest's options: duration, source identity, session
/// policy, tags, transitive tag keys and policy ARNs.
fn with_options(
    mut request: aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder,
    extra: &crate::discover::AssumeRoleOptions,
) -> Result<aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder, String> {
    request = request
        .set_duration_seconds(extra.duration_seconds)
        .set_source_identity(extra.source_identity.clone())
        .set_policy(extra.policy.clone());
    for (key, value) in &extra.tags {
        let tag = aws_sdk_sts::types::Tag::builder()
            .key(key)
            .value(value)
            .build()
            .map_err(|e| e.to_string())?;
        request = request.tags(tag);
    }
    for key in &extra.transitive_tag_keys {
        request = request.transitive_tag_keys(key);
    }
    for policy in &extra.policy_arns {
        request = request.policy_arns(
            aws_sdk_sts::types::PolicyDescriptorType::builder()
                .arn(policy)
                .build(),
        );
    }
    Ok(request)
}

/// The credentials of `sdk`, when they can be had (to mask their values in what the lookup
/// keeps).
pub(super) async fn credentials(
    sdk: &SdkConfig,
    timeout: Duration,
) -> Option<aws_sdk_sesv2::config::Credentials> {
    let provider = sdk.credentials_provider()?;
    tokio::time::timeout(timeout, provider.provide_credentials())
        .await
        .ok()?
        .ok()
}

/// The SESv2 client of one region.
pub(super) fn ses(sdk: &SdkConfig, region: &str) -> aws_sdk_sesv2::Client {
    let config = aws_sdk_sesv2::config::Builder::from(sdk)
        .region(Region::new(region.to_owned()))
        .interceptor(BoundedAnswers)
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
}

/// The account of the credentials. Loading the credentials first tells "none found" apart from
/// what the service says.
pub(super) async fn caller_account(
    sdk: &SdkConfig,
    region: &str,
    timeout: Duration,
) -> Result<String, LookupError> {
    let operation = "GetCallerIdentity";
    let credentials_error = |message: String| LookupError {
        kind: ErrorKind::Credentials,
        operation,
        action: error::action(operation),
        code: None,
        message,
        role: None,
        role_source: None,
    };
    let Some(provider) = sdk.credentials_provider() else {
        return Err(credentials_error(
            "no credentials provider is configured".to_owned(),
        ));
    };
    match tokio::time::timeout(timeout, provider.provide_credentials()).await {
        Ok(Ok(_)) => {}
        // The top-level message only: it is a fixed sentence per failure kind, while deeper
        // sources may quote configuration files.
        Ok(Err(err)) => {
            return Err(credentials_error(format!(
                "{err} (looked in the environment, the AWS config files, SSO and the instance role)"
            )));
        }
        Err(_) => {
            return Err(credentials_error(format!(
                "loading credentials took longer than {}s",
                timeout.as_secs_f64()
            )));
        }
    }
    let config = aws_sdk_sts::config::Builder::from(sdk)
        .region(Region::new(region.to_owned()))
        .interceptor(BoundedAnswers)
        .build();
    let client = aws_sdk_sts::Client::from_conf(config);
    match client.get_caller_identity().send().await {
        Ok(out) => out.account().map(str::to_owned).ok_or_else(|| LookupError {
            kind: ErrorKind::Other,
            operation,
            action: error::action(operation),
            code: None,
            message: "the answer names no account".to_owned(),
            role: None,
            role_source: None,
        }),
        Err(err) => Err(classify(&err, operation, timeout)),
    }
}

/// SESv2 `GetAccount` of the client's region.
pub(super) async fn get_account(
    client: &aws_sdk_sesv2::Client,
    timeout: Duration,
) -> Result<AccountState, LookupError> {
    let out = client
        .get_account()
        .send()
        .await
        .map_err(|err| classify(&err, "GetAccount", timeout))?;
    let quota = out.send_quota();
    Ok(AccountState {
        production_access: out.production_access_enabled(),
        sending_enabled: out.sending_enabled(),
        enforcement_status: out.enforcement_status().map(str::to_owned),
        max_24_hour_send: quota.map(|q| q.max24_hour_send()),
        max_send_rate: quota.map(|q| q.max_send_rate()),
        sent_last_24_hours: quota.map(|q| q.sent_last24_hours()),
        review_status: out
            .details()
            .and_then(|d| d.review_details())
            .and_then(|r| r.status())
            .map(|s| s.as_str().to_owned()),
    })
}

/// SESv2 `GetEmailIdentity`; an identity SES does not know is an answer, not an error.
pub(super) async fn get_email_identity(
    client: &aws_sdk_sesv2::Client,
    name: &str,
    timeout: Duration,
) -> Result<IdentityState, LookupError> {
    match client
        .get_email_identity()
        .email_identity(name)
        .send()
        .await
    {
        Ok(out) => Ok(IdentityState {
            exists: true,
            verified_for_sending: Some(out.verified_for_sending_status()),
            verification_status: out.verification_status().map(|s| s.as_str().to_owned()),
            identity_type: out.identity_type().map(|t| t.as_str().to_owned()),
        }),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_not_found_exception()) =>
        {
            Ok(IdentityState {
                exists: false,
                ..IdentityState::default()
            })
        }
        Err(err) => Err(classify(&err, "GetEmailIdentity", timeout)),
    }
}

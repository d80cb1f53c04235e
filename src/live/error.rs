//! SDK errors as [`LookupError`]s: the kind, the IAM action, and the service's error code and
//! message only. Requests, signatures and credentials never reach the facts or the report.

use std::time::Duration;

use aws_sdk_sesv2::config::http::HttpResponse;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};

use super::untrusted;
use crate::join::live::{ErrorKind, LookupError};

/// The IAM action an operation needs.
pub(super) fn action(operation: &'static str) -> &'static str {
    match operation {
        "GetAccount" => "ses:GetAccount",
        "GetEmailIdentity" => "ses:GetEmailIdentity",
        "AssumeRole" => "sts:AssumeRole",
        _ => "sts:GetCallerIdentity",
    }
}

pub(super) fn classify<E: ProvideErrorMetadata>(
    err: &SdkError<E, HttpResponse>,
    operation: &'static str,
    timeout: Duration,
) -> LookupError {
    let (kind, code, message) = match err {
        // What the endpoint says is untrusted: a code only when it looks like one, a message
        // cut short, escaped and without credentials.
        SdkError::ServiceError(context) => {
            let code = context.err().code().and_then(untrusted::code);
            let status = context.raw().status().as_u16();
            let message = context
                .err()
                .message()
                .map_or_else(|| format!("HTTP status {status}"), untrusted::message);
            (service_kind(code.as_deref(), status), code, message)
        }
        SdkError::TimeoutError(_) => (
            ErrorKind::Timeout,
            None,
            format!(
                "no answer within {}s (`--aws-timeout`)",
                timeout.as_secs_f64()
            ),
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => (
            ErrorKind::Timeout,
            None,
            format!(
                "no answer within {}s (`--aws-timeout`)",
                timeout.as_secs_f64()
            ),
        ),
        SdkError::DispatchFailure(failure) if failure.is_io() => (
            ErrorKind::Network,
            None,
            "cannot connect to the endpoint".to_owned(),
        ),
        SdkError::DispatchFailure(_) => (
            ErrorKind::Other,
            None,
            "the request could not be sent".to_owned(),
        ),
        SdkError::ResponseError(_) => (
            ErrorKind::Other,
            None,
            format!(
                "the answer could not be read (or was larger than {} KiB)",
                untrusted::MAX_ANSWER_BYTES / 1024
            ),
        ),
        _ => (
            ErrorKind::Other,
            None,
            "the request could not be built".to_owned(),
        ),
    };
    LookupError {
        kind,
        operation,
        action: action(operation),
        code,
        message,
        role: None,
        role_source: None,
    }
}

/// What a service error code (or, without one, the HTTP status) means for the user.
fn service_kind(code: Option<&str>, status: u16) -> ErrorKind {
    match code.unwrap_or_default() {
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "IncompleteSignature"
        | "MissingAuthenticationToken" => ErrorKind::Credentials,
        "TooManyRequestsException" | "Throttling" | "ThrottlingException" => ErrorKind::Throttled,
        code if code.starts_with("AccessDenied") => ErrorKind::AccessDenied,
        _ if status == 403 => ErrorKind::AccessDenied,
        _ if status == 429 => ErrorKind::Throttled,
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_classify() {
        assert_eq!(
            service_kind(Some("AccessDeniedException"), 403),
            ErrorKind::AccessDenied
        );
        assert_eq!(service_kind(None, 403), ErrorKind::AccessDenied);
        assert_eq!(
            service_kind(Some("TooManyRequestsException"), 429),
            ErrorKind::Throttled
        );
        assert_eq!(service_kind(Some("Throttling"), 400), ErrorKind::Throttled);
        assert_eq!(
            service_kind(Some("InvalidClientTokenId"), 403),
            ErrorKind::Credentials
        );
        assert_eq!(
            service_kind(Some("BadRequestException"), 400),
            ErrorKind::Other
        );
    }
}

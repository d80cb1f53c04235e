//! What an endpoint answers is untrusted: `--aws-endpoint-url` may name a proxy, an emulator or
//! a test server, and some echo the request back in their error messages (the access key id,
//! the signature, the session token), with line breaks and terminal escapes, or answer without
//! end. So an answer is read up to [`MAX_ANSWER_BYTES`], and of an error only its code (when it
//! looks like one) and a short message are kept: escaped, with anything shaped like a credential
//! (`AKIA…`/`ASIA…` ids, `Signature=`, `Credential=`, `X-Amz-Security-Token`) and the run's own
//! key, secret and token replaced by `****`, before it reaches the facts or any output.

use aws_sdk_sesv2::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_sesv2::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_sesv2::error::BoxError;
use aws_smithy_types::body::SdkBody;

use crate::join::live::LookupError;

/// The most read of one answer: SES and STS answer in a few KiB.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// The most kept of an error message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 240;

/// Cuts every answer's body at [`MAX_ANSWER_BYTES`]: past it, reading fails, and the request
/// is an error ("the answer could not be read") instead of a read without end.
#[derive(Debug)]
pub struct BoundedAnswers;

impl Intercept for BoundedAnswers {
    fn name(&self) -> &'static str {
        "BoundedAnswers"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let body = response.take_body();
        *response.body_mut() =
            SdkBody::from_body_1_x(http_body_util::Limited::new(body, MAX_ANSWER_BYTES));
        Ok(())
    }
}

/// The error code an answer gives, when it looks like one (`AccessDeniedException`,
/// `Sender.Throttling`); anything else is not kept.
pub fn code(code: &str) -> Option<String> {
    let looks = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'));
    looks.then(|| code.to_owned())
}

/// An answer's message as it may be shown: credentials redacted, escaped, cut short.
pub fn message(text: &str) -> String {
    let redacted = redact_shapes(text);
    let escaped = crate::printable::escape(&redacted);
    match escaped.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped.into_owned(),
    }
}

/// The values of the run's own credentials (the caller's and every assumed role's), masked in
/// every error the lookup keeps, whatever shape they are in.
#[derive(Debug, Default)]
pub struct Secrets(Vec<String>);

impl Secrets {
    pub fn add(&mut self, credentials: &aws_sdk_sesv2::config::Credentials) {
        let values = [
            Some(credentials.access_key_id()),
            Some(credentials.secret_access_key()),
            credentials.session_token(),
        ];
        // A value of a few characters (a test's `test`) would mask ordinary words.
        (self.0).extend(
            values
                .into_iter()
                .flatten()
                .filter(|v| v.len() >= 8)
                .map(str::to_owned),
        );
    }

    pub fn redact(&self, error: &mut LookupError) {
        for secret in &self.0 {
            if error.message.contains(secret.as_str()) {
                error.message = error.message.replace(secret.as_str(), MASK);
            }
            if error
                .code
                .as_deref()
                .is_some_and(|c| c.contains(secret.as_str()))
            {
                error.code = None;
            }
        }
    }
}

const MASK: &str = "****";

/// Keys and values that carry credentials: after one of these (any case), the value up to the
/// next separator is masked.
const CREDENTIAL_KEYS: [&str; 6] = [
    "signature",
    "credential",
    "x-amz-security-token",
    "x-amz-credential",
    "aws_secret_access_key",
    "aws_session_token",
];

/// Access key id prefixes (IAM's unique id prefixes for keys and temporary keys).
const KEY_PREFIXES: [&str; 2] = ["AKIA", "ASIA"];

fn redact_shapes(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut masked: Vec<(usize, usize)> = Vec::new();
    for key in CREDENTIAL_KEYS {
        for (at, _) in lower.match_indices(key) {
            // `key=value`, `key: value`, `"key":"value"`; never `Signature expired: ...`.
            let after = at + key.len();
            let rest = &text[after..];
            let quoted = rest.trim_start_matches(['"', '\'', ' ']);
            if !quoted.starts_with(['=', ':']) {
                continue;
            }
            let value = quoted.trim_start_matches(['"', '\'', ' ', '=', ':']);
            let start = text.len() - value.len();
            let len = text[start..]
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, ',' | '&' | '"' | '\'' | ';' | '<')
                })
                .unwrap_or(text.len() - start);
            if len > 0 {
                masked.push((start, start + len));
            }
        }
    }
    for prefix in KEY_PREFIXES {
        for (at, _) in text.match_indices(prefix) {
            let id = &text.as_bytes()[at..];
            let len = id
                .iter()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                .count();
            if len >= 16 {
                masked.push((at, at + len));
            }
        }
    }
    if masked.is_empty() {
        return text.to_owned();
    }
    masked.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in masked {
        if end <= at {
            continue;
        }
        out.push_str(&text[at..start.max(at)]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_request_keeps_no_credential() {
        let echo = "POST / HTTP/1.1\r\nauthorization: AWS4-HMAC-SHA256 \
            Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/ses/aws4_request, \
            SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7\r\n\
            x-amz-security-token: IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==\r\n\
            {\"X-Amz-Security-Token\":\"FwoGZXIvYXdzEBYaDH\",\"key\":\"ASIAQWERTYUIOPASDFGH\"}";
        let shown = message(echo);
        for secret in [
            "AKIAIOSFODNN7EXAMPLE",
            "5d672d79c15b",
            "IQoJb3JpZ2lu",
            "FwoGZXIvYXdz",
            "ASIAQWERTYUIOPASDFGH",
        ] {
            assert!(!shown.contains(secret), "{secret}: {shown}");
        }
        assert!(!shown.contains(['\r', '\n']), "{shown}");
        assert!(shown.chars().count() <= MAX_MESSAGE_CHARS + 1, "{shown}");
    }

    #[test]
    fn plain_messages_are_kept() {
        for text in [
            "User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ses:GetAccount",
            "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z",
            "Credential should be scoped to a valid region.",
        ] {
            assert_eq!(message(text), text);
        }
        assert_eq!(message("a\u{1b}]0;x\u{7}"), "a␛]0;x␇");
    }

    #[test]
    fn codes_are_kept_only_when_they_look_like_codes() {
        assert_eq!(
            code("AccessDeniedException").as_deref(),
            Some("AccessDeniedException")
        );
        assert_eq!(
            code("Sender.Throttling").as_deref(),
            Some("Sender.Throttling")
        );
        assert_eq!(code("x\ny"), None);
        assert_eq!(code(&"A".repeat(100)), None);
    }

    #[test]
    fn the_runs_own_values_are_masked() {
        let mut secrets = Secrets::default();
        secrets.add(&aws_sdk_sesv2::config::Credentials::new(
            "AKIDEXAMPLE1234",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            Some("session-token-value".to_owned()),
            None,
            "test",
        ));
        let mut error = LookupError {
            kind: crate::join::live::ErrorKind::Other,
            operation: "GetAccount",
            action: "ses:GetAccount",
            code: None,
            message: "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and session-token-value"
                .into(),
            role: None,
            role_source: None,
        };
        secrets.redact(&mut error);
        assert_eq!(error.message, "secret **** and ****");
    }
}

//! A stub of the SES v2 and STS APIs on 127.0.0.1, in the test process: std `TcpListener`, one
//! thread per connection, answers in exactly the shapes the SDK deserializes. What it answers is
//! decided by conventions, so one shared instance serves every fixture and documentation example:
//!
//! | request | answer |
//! | --- | --- |
//! | STS `GetCallerIdentity` | account `111111111111`; with assumed credentials, their account |
//! | STS `AssumeRole` of a role whose name holds `denied` | 403 `AccessDenied` |
//! | STS `AssumeRole` otherwise | credentials of the role's account: access key `ASIA` + the account |
//! | SES, access key `denied` | 403 `AccessDeniedException` |
//! | SES in `sa-east-1` | 429 `TooManyRequestsException` |
//! | SES in `ca-central-1` | the answer comes after 3 s |
//! | `GetAccount` of account `444444444444` (assumed) | production, healthy, in every region |
//! | `GetAccount` in `us-west-2` | sandbox (no production access) |
//! | `GetAccount` in `eu-west-1` | production, sending disabled |
//! | `GetAccount` in `eu-central-1` | sending disabled, enforcement `SHUTDOWN` |
//! | `GetAccount` elsewhere | production, healthy |
//! | `GetEmailIdentity` in `eu-north-1` | 403 `AccessDeniedException` |
//! | `GetEmailIdentity` of `pending.*` / `pending@*` | exists, `PENDING`, not verified for sending |
//! | `GetEmailIdentity` of `missing.*` / `missing@*` | 404 `NotFoundException` |
//! | `GetEmailIdentity` otherwise | verified (`SUCCESS`) |
//!
//! The region and access key come from the SigV4 `Authorization` header's credential scope
//! (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`), as a real endpoint would see them: the
//! account whose credentials signed a request is the caller's, or the one an `ASIA…` key was
//! issued for by `AssumeRole`. Every `AssumeRole` request body is kept ([`Stub::assume_role_requests`]).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const CALLER_ACCOUNT: &str = "111111111111";

/// The secret and session token `AssumeRole` hands out end with this: no output may show it.
pub const SECRET_MARK: &str = "StubSecretNeverPrinted";

/// A running stub; it lives until the test process ends.
pub struct Stub {
    pub url: String,
    /// Requests served, by "OPERATION REGION" (e.g. "GetAccount us-west-2").
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
    /// The bodies of the `AssumeRole` requests, decoded.
    assumed: Arc<Mutex<Vec<String>>>,
}

impl Stub {
    pub fn start() -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Mutex::new(BTreeMap::new()));
        let assumed = Arc::new(Mutex::new(Vec::new()));
        let (shared, shared_assumed) = (Arc::clone(&counts), Arc::clone(&assumed));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counts = Arc::clone(&shared);
                let assumed = Arc::clone(&shared_assumed);
                std::thread::spawn(move || serve(stream, &counts, &assumed));
            }
        });
        Stub {
            url,
            counts,
            assumed,
        }
    }

    /// The `AssumeRole` requests served so far, each body percent-decoded.
    pub fn assume_role_requests(&self) -> Vec<String> {
        self.assumed.lock().unwrap().clone()
    }

    /// How many requests of `operation` in `region` were served.
    pub fn count(&self, operation: &str, region: &str) -> usize {
        let counts = self.counts.lock().unwrap();
        counts
            .get(&format!("{operation} {region}"))
            .copied()
            .unwrap_or(0)
    }

    /// Every request served, by "OPERATION REGION".
    pub fn counts(&self) -> BTreeMap<String, usize> {
        self.counts.lock().unwrap().clone()
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// (access key, region) from the SigV4 credential scope.
    fn scope(&self) -> (String, String) {
        let auth = self.header("authorization").unwrap_or_default();
        let credential = auth
            .split("Credential=")
            .nth(1)
            .and_then(|c| c.split(',').next())
            .unwrap_or_default();
        let mut parts = credential.split('/');
        let key = parts.next().unwrap_or_default().to_owned();
        let region = parts.nth(1).unwrap_or_default().to_owned();
        (key, region)
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut words = line.split_whitespace();
    let method = words.next()?.to_owned();
    let path = words.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: String::new(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    request.body = String::from_utf8_lossy(&body).into_owned();
    Some(request)
}

struct Response {
    status: u16,
    content_type: &'static str,
    error_type: Option<&'static str>,
    body: String,
    delay: Duration,
}

fn json(status: u16, body: String) -> Response {
    Response {
        status,
        content_type: "application/json",
        error_type: None,
        body,
        delay: Duration::ZERO,
    }
}

fn error(status: u16, error_type: &'static str, message: &str) -> Response {
    Response {
        error_type: Some(error_type),
        ..json(status, format!(r#"{{"message":"{message}"}}"#))
    }
}

fn serve(stream: TcpStream, counts: &Mutex<BTreeMap<String, usize>>, assumed: &Mutex<Vec<String>>) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    // One request per connection: every answer says `Connection: close`.
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    let (operation, response) = answer(&request);
    if operation == "AssumeRole" {
        assumed.lock().unwrap().push(percent_decode(&request.body));
    }
    let (_, region) = request.scope();
    *counts
        .lock()
        .unwrap()
        .entry(format!("{operation} {region}"))
        .or_default() += 1;
    std::thread::sleep(response.delay);
    let reason = match response.status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nx-amzn-RequestId: stub\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    if let Some(error_type) = response.error_type {
        head.push_str(&format!("x-amzn-ErrorType: {error_type}\r\n"));
    }
    head.push_str("\r\n");
    // The client may have given up (timeouts): nothing to do about a broken pipe.
    let _ = writer.write_all(head.as_bytes());
    let _ = writer.write_all(response.body.as_bytes());
    let _ = writer.flush();
}

fn answer(request: &Request) -> (&'static str, Response) {
    let (key, region) = request.scope();
    let signer = key
        .strip_prefix("ASIA")
        .filter(|a| a.len() == 12)
        .unwrap_or(CALLER_ACCOUNT)
        .to_owned();
    if request.method == "POST" && request.body.contains("Action=GetCallerIdentity") {
        return ("GetCallerIdentity", caller_identity(&signer));
    }
    if request.method == "POST" && request.body.contains("Action=AssumeRole") {
        return ("AssumeRole", assume_role(&percent_decode(&request.body)));
    }
    let operation = if request.path == "/v2/email/account" {
        "GetAccount"
    } else if request.path.starts_with("/v2/email/identities/") {
        "GetEmailIdentity"
    } else {
        return (
            "Unknown",
            error(404, "NotFoundException", "no such operation in the stub"),
        );
    };
    let mut response = if key == "denied"
        || (operation == "GetEmailIdentity" && region == "eu-north-1")
    {
        error(
            403,
            "AccessDeniedException",
            &format!(
                "User: arn:aws:iam::{CALLER_ACCOUNT}:user/ci is not authorized to perform: ses:{operation}"
            ),
        )
    } else if region == "sa-east-1" {
        error(429, "TooManyRequestsException", "Too many requests")
    } else if operation == "GetAccount" {
        account(&signer, &region)
    } else {
        let name = request.path.trim_start_matches("/v2/email/identities/");
        identity(&percent_decode(name))
    };
    if region == "ca-central-1" {
        response.delay = Duration::from_secs(3);
    }
    (operation, response)
}

fn account(signer: &str, region: &str) -> Response {
    let (production, sending, enforcement) = match region {
        _ if signer == "444444444444" => (true, true, "HEALTHY"),
        "us-west-2" => (false, true, "HEALTHY"),
        "eu-west-1" => (true, false, "HEALTHY"),
        "eu-central-1" => (true, false, "SHUTDOWN"),
        _ => (true, true, "HEALTHY"),
    };
    let quota = if production {
        r#"{"Max24HourSend":50000.0,"MaxSendRate":14.0,"SentLast24Hours":12.0}"#
    } else {
        r#"{"Max24HourSend":200.0,"MaxSendRate":1.0,"SentLast24Hours":0.0}"#
    };
    let review = if production { "GRANTED" } else { "PENDING" };
    json(
        200,
        format!(
            r#"{{"DedicatedIpAutoWarmupEnabled":false,"EnforcementStatus":"{enforcement}","ProductionAccessEnabled":{production},"SendingEnabled":{sending},"SendQuota":{quota},"Details":{{"MailType":"TRANSACTIONAL","WebsiteURL":"https://example.com","ReviewDetails":{{"Status":"{review}","CaseId":"1"}}}}}}"#
        ),
    )
}

fn identity(name: &str) -> Response {
    let local = name.split(['.', '@']).next().unwrap_or_default();
    let kind = if name.contains('@') {
        "EMAIL_ADDRESS"
    } else {
        "DOMAIN"
    };
    let (verified, status) = match local {
        "missing" => {
            return error(
                404,
                "NotFoundException",
                &format!("Email identity {name} does not exist."),
            );
        }
        "pending" => (false, "PENDING"),
        _ => (true, "SUCCESS"),
    };
    json(
        200,
        format!(
            r#"{{"IdentityType":"{kind}","FeedbackForwardingStatus":true,"VerifiedForSendingStatus":{verified},"VerificationStatus":"{status}","DkimAttributes":{{"SigningEnabled":true,"Status":"{status}","Tokens":[]}},"Policies":{{}},"Tags":[]}}"#
        ),
    )
}

fn caller_identity(account: &str) -> Response {
    xml(
        200,
        format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::{account}:user/ci</Arn><UserId>AIDASTUB</UserId><Account>{account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
        ),
    )
}

fn xml(status: u16, body: String) -> Response {
    Response {
        status,
        content_type: "text/xml",
        error_type: None,
        body,
        delay: Duration::ZERO,
    }
}

/// STS `AssumeRole` (query protocol, form body): credentials for the role's account, or
/// `AccessDenied` for a role whose name holds `denied`.
fn assume_role(body: &str) -> Response {
    let param = |name: &str| {
        body.split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let arn = param("RoleArn");
    let account = arn.split(':').nth(4).unwrap_or_default().to_owned();
    if arn.contains("denied") || param("RoleSessionName") != "sandtrap" {
        return xml(
            403,
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::{CALLER_ACCOUNT}:user/ci is not authorized to perform: sts:AssumeRole on resource: {arn}</Message></Error><RequestId>stub</RequestId></ErrorResponse>"
            ),
        );
    }
    xml(
        200,
        format!(
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>ASIA{account}</AccessKeyId><SecretAccessKey>secret-{SECRET_MARK}</SecretAccessKey><SessionToken>token-{account}-{SECRET_MARK}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/lookup/sandtrap</Arn><AssumedRoleId>AROASTUB:sandtrap</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></AssumeRoleResponse>"
        ),
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

//! SES judgements computed once, in Rust, for rules to read: the parts of an identity ARN, what
//! kind of identity a name is, and whether an identity covers a `From` address.

use super::facts::IdentityKind;
use super::regions;
use crate::value::{Part, Text, UnknownReason};

/// A `SourceArn` taken apart; `None` parts are unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceArn {
    pub partition: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    pub identity: Option<String>,
    /// Why the ARN cannot be an SES identity ARN, when its known parts already say so.
    pub problem: Option<String>,
}

/// Whether the region of an identity ARN is exactly the stack's own region (`${AWS::Region}`,
/// `Ref AWS::Region`) left unknown: the SES region is then whatever region the stack deploys to.
pub fn region_is_deploy_region(text: &Text) -> bool {
    let segments = text.split_on(':');
    segments.get(3).is_some_and(|region| {
        matches!(region.parts.as_slice(), [Part::Hole(u)]
            if matches!(&u.reason, UnknownReason::Pseudo { name } if name == "AWS::Region"))
    })
}

/// Parses `arn:PARTITION:ses:REGION:ACCOUNT:identity/NAME` (docs/domain.md#the-identity-arn),
/// keeping whatever parts are known.
pub fn parse_arn(text: &Text) -> SourceArn {
    let segments = text.split_on(':');
    let known: Vec<Option<String>> = segments.iter().map(Text::known).collect();
    let mut arn = SourceArn::default();
    let all_known = known.iter().all(Option::is_some);
    if segments.len() < 6 {
        if all_known {
            arn.problem = Some(format!(
                "`{text}` is not an ARN of the form arn:PARTITION:ses:REGION:ACCOUNT:identity/NAME"
            ));
        }
        return arn;
    }
    let get = |i: usize| known.get(i).cloned().flatten();
    // An identity name cannot hold a colon: anything past the sixth segment is part of a
    // malformed resource.
    let resource = if segments.len() == 6 {
        get(5)
    } else if all_known {
        Some(
            known[5..]
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(":"),
        )
    } else {
        None
    };
    arn.partition = get(1);
    arn.region = get(3);
    arn.account = get(4).filter(|a| !a.is_empty());
    let mut problems = Vec::new();
    if let Some(prefix) = get(0).filter(|p| p != "arn") {
        problems.push(format!("starts with `{prefix}` instead of `arn`"));
    }
    if let Some(service) = get(2).filter(|s| s != "ses") {
        problems.push(format!("names the service `{service}`, not `ses`"));
    }
    match arn.region.as_deref() {
        Some("") => problems.push("has an empty region".to_owned()),
        Some(r) if r.contains('*') => {
            problems.push("has a wildcard region, which Cognito does not accept".to_owned());
        }
        Some(r) if !regions::is_region_name(r) => {
            problems.push(format!("has `{r}` where a region belongs"))
        }
        _ => {}
    }
    if let (Some(p), Some(r)) = (arn.partition.as_deref(), arn.region.as_deref())
        && regions::is_region_name(r)
        && regions::partition(r) != p
    {
        problems.push(format!(
            "has partition `{p}`, but region {r} is in partition `{}`",
            regions::partition(r)
        ));
    }
    if let Some(account) = arn.account.as_deref()
        && (account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()))
    {
        problems.push(format!(
            "has `{account}` where a 12-digit account id belongs"
        ));
    }
    match resource.as_deref() {
        Some(r) => match r.strip_prefix("identity/") {
            Some("") => problems.push("has an empty identity name".to_owned()),
            Some(name) if name.contains(':') || name.contains('/') => {
                problems.push(format!(
                    "names `{name}`, which is not an email address or domain"
                ));
            }
            Some(name) => arn.identity = Some(name.to_owned()),
            None => problems.push(format!("names the resource `{r}`, not `identity/NAME`")),
        },
        None => {
            // The name may still be known when only its prefix is: `identity/<Ref X>` is unknown,
            // `<hole>identity/x` cannot happen with six segments.
        }
    }
    if !problems.is_empty() {
        arn.problem = Some(problems.join("; "));
    }
    arn
}

/// `email` for an address, `domain` otherwise.
pub fn identity_kind(name: &str) -> IdentityKind {
    if name.contains('@') {
        IdentityKind::Email
    } else {
        IdentityKind::Domain
    }
}

/// Whether two identity names name the same SES identity: domains compare case-insensitively,
/// an email's local part case-sensitively (docs/domain.md#what-an-identity-covers).
pub fn same_identity(a: &str, b: &str) -> bool {
    match (a.rsplit_once('@'), b.rsplit_once('@')) {
        (Some((la, da)), Some((lb, db))) => la == lb && da.eq_ignore_ascii_case(db),
        (None, None) => a
            .trim_end_matches('.')
            .eq_ignore_ascii_case(b.trim_end_matches('.')),
        _ => false,
    }
}

/// Whether `domain` is `parent` or one of its subdomains.
pub fn under_domain(domain: &str, parent: &str) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let parent = parent.trim_end_matches('.').to_ascii_lowercase();
    domain == parent || domain.ends_with(&format!(".{parent}"))
}

/// The address inside a `From` value: `Name <addr>` or a bare address.
pub fn from_address(from: &str) -> Option<String> {
    let from = from.trim();
    let address = match (from.rfind('<'), from.rfind('>')) {
        (Some(open), Some(close)) if open < close => from.get(open + 1..close)?,
        _ => from,
    };
    let address = address.trim();
    (address.contains('@') && !address.contains(char::is_whitespace)).then(|| address.to_owned())
}

/// Whether the identity `identity` covers the address `address`
/// (docs/domain.md#what-an-identity-covers): an email identity only itself; a domain identity any
/// address at the domain or its subdomains.
pub fn covers(identity: &str, address: &str) -> bool {
    if identity.contains('@') {
        return same_identity(identity, address);
    }
    address
        .rsplit_once('@')
        .is_some_and(|(_, domain)| under_domain(domain, identity))
}

/// What a synthesizer writes where it had no value: JavaScript's `undefined`, `null`, Python's
/// `None` (as whole words), or a `${...}` placeholder nobody substituted. Amplify with
/// `EMAIL_FROM` unset synthesizes `Cloud Quest <undefined>`. The first found, in `text`'s order.
pub fn placeholder(text: &str) -> Option<&str> {
    let mut found: Option<(usize, &str)> = None;
    let mut keep = |at: usize, token: &'static str| {
        if found.is_none_or(|(first, _)| at < first) {
            found = Some((at, token));
        }
    };
    for token in ["undefined", "null", "None"] {
        let bytes = text.as_bytes();
        let boundary = |i: Option<usize>| {
            i.and_then(|i| bytes.get(i))
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        };
        for (at, _) in text.match_indices(token) {
            if boundary(at.checked_sub(1)) && boundary(Some(at + token.len())) {
                keep(at, token);
                break;
            }
        }
    }
    if let Some(at) = text.find("${")
        && text[at..].contains('}')
    {
        keep(at, "${...}");
    }
    found.map(|(_, token)| token)
}

#[cfg(test)]
mod placeholder_tests {
    use super::placeholder;

    #[test]
    fn what_synthesizers_leave_where_a_value_was_missing() {
        assert_eq!(placeholder("Cloud Quest <undefined>"), Some("undefined"));
        assert_eq!(placeholder("undefined@example.com"), Some("undefined"));
        assert_eq!(
            placeholder("arn:aws:ses:us-east-1:123456789012:identity/None"),
            Some("None")
        );
        assert_eq!(placeholder("noreply@null"), Some("null"));
        assert_eq!(placeholder("noreply@${MAIL_DOMAIN}"), Some("${...}"));
        assert_eq!(placeholder("None <${X}>"), Some("None"));
        for fine in [
            "noreply@example.com",
            "Nonesuch <a@nullable.example>",
            "arn:aws:ses:us-east-1:123456789012:identity/undefinedness.com",
            "cost: ${",
            "x_undefined@example.com",
        ] {
            assert_eq!(placeholder(fine), None, "{fine}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_literal_arn() {
        let arn = parse_arn(&Text::lit(
            "arn:aws:ses:us-west-2:123456789012:identity/example.com",
        ));
        assert_eq!(arn.region.as_deref(), Some("us-west-2"));
        assert_eq!(arn.account.as_deref(), Some("123456789012"));
        assert_eq!(arn.identity.as_deref(), Some("example.com"));
        assert_eq!(arn.problem, None);
    }

    #[test]
    fn flags_wrong_service_empty_name_and_partition() {
        let arn = parse_arn(&Text::lit(
            "arn:aws:sns:us-west-2:123456789012:identity/x.com",
        ));
        assert!(arn.problem.unwrap().contains("`sns`"));
        let arn = parse_arn(&Text::lit("arn:aws:ses:us-west-2:123456789012:identity/"));
        assert!(arn.problem.unwrap().contains("empty identity"));
        let arn = parse_arn(&Text::lit(
            "arn:aws-cn:ses:us-west-2:123456789012:identity/x.com",
        ));
        assert!(arn.problem.unwrap().contains("partition"));
        let arn = parse_arn(&Text::lit("arn:aws:ses:*:123456789012:identity/x.com"));
        assert!(arn.problem.unwrap().contains("wildcard"));
        let arn = parse_arn(&Text::lit("noreply@example.com"));
        assert!(arn.problem.is_some());
    }

    #[test]
    fn identity_rules() {
        assert!(same_identity("Auth@Example.com", "Auth@example.COM"));
        assert!(!same_identity("auth@example.com", "Auth@example.com"));
        assert!(same_identity("Example.com", "example.com"));
        assert!(covers("example.com", "no-reply@mail.example.com"));
        assert!(covers("example.com", "no-reply@EXAMPLE.com"));
        assert!(!covers("example.com", "no-reply@badexample.com"));
        assert!(covers("a@example.com", "a@example.com"));
        assert!(!covers("a@example.com", "b@example.com"));
        assert_eq!(identity_kind("a@b.c"), IdentityKind::Email);
    }

    #[test]
    fn from_addresses() {
        assert_eq!(
            from_address("\"My App\" <noreply@example.com>").as_deref(),
            Some("noreply@example.com")
        );
        assert_eq!(
            from_address("noreply@example.com").as_deref(),
            Some("noreply@example.com")
        );
        assert_eq!(from_address("My App"), None);
    }
}

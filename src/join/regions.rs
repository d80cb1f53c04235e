//! Which SES regions a user pool may name in `SourceArn`, from the Cognito developer guide,
//! "Amazon SES email configuration Regions" (docs/domain.md#which-ses-regions-a-pool-may-use).

/// The regions every pool in a "legacy" region may also use.
const LEGACY: [&str; 3] = ["us-east-1", "us-west-2", "eu-west-1"];

/// `(pool region, also allowed besides itself: the legacy trio)`. Pools in regions with `false`
/// may use SES only in their own region.
const TABLE: &[(&str, bool)] = &[
    ("us-east-1", true),
    ("us-east-2", true),
    ("us-west-1", false),
    ("us-west-2", true),
    ("ca-central-1", true),
    ("ap-northeast-1", true),
    ("ap-northeast-2", true),
    ("ap-south-1", true),
    ("ap-southeast-1", true),
    ("ap-southeast-2", true),
    ("eu-west-1", true),
    ("eu-west-2", true),
    ("eu-west-3", false),
    ("eu-central-1", true),
    ("eu-north-1", false),
    ("eu-south-1", false),
    ("me-south-1", false),
    ("sa-east-1", false),
];

/// The verdict on a pool region / SES region pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RegionVerdict {
    /// The SES region is the pool's own.
    Same,
    /// Another region the table allows (one of the legacy three).
    Allowed,
    /// The table lists the pool region and does not allow this SES region.
    NotAllowed,
    /// The pool region is missing from the table (launched later); its mapping is unconfirmed,
    /// so only the same region is assumed safe.
    NotListed,
    /// Either region is unknown.
    #[default]
    Unknown,
}

/// The SES regions a pool in `pool_region` may use, when the table lists it.
pub fn allowed(pool_region: &str) -> Option<Vec<&'static str>> {
    let &(region, legacy) = TABLE.iter().find(|(r, _)| *r == pool_region)?;
    let mut out = vec![region];
    if legacy {
        out.extend(LEGACY.iter().filter(|r| **r != region));
    }
    Some(out)
}

pub fn verdict(pool_region: Option<&str>, ses_region: Option<&str>) -> RegionVerdict {
    let (Some(pool), Some(ses)) = (pool_region, ses_region) else {
        return RegionVerdict::Unknown;
    };
    if pool == ses {
        return RegionVerdict::Same;
    }
    match allowed(pool) {
        Some(list) if list.contains(&ses) => RegionVerdict::Allowed,
        Some(_) => RegionVerdict::NotAllowed,
        None => RegionVerdict::NotListed,
    }
}

/// The partition a region belongs to.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// A plausible region name (`xx-name-1`), used to reject typos and wildcards.
pub fn is_region_name(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokyo_may_use_itself_and_the_legacy_three() {
        assert_eq!(
            allowed("ap-northeast-1"),
            Some(vec![
                "ap-northeast-1",
                "us-east-1",
                "us-west-2",
                "eu-west-1"
            ])
        );
        assert_eq!(
            verdict(Some("ap-northeast-1"), Some("us-west-2")),
            RegionVerdict::Allowed
        );
    }

    #[test]
    fn legacy_regions_list_only_the_trio() {
        assert_eq!(
            allowed("us-west-2"),
            Some(vec!["us-west-2", "us-east-1", "eu-west-1"])
        );
    }

    #[test]
    fn same_region_only_pools() {
        assert_eq!(
            verdict(Some("eu-west-3"), Some("us-east-1")),
            RegionVerdict::NotAllowed
        );
        assert_eq!(
            verdict(Some("eu-west-3"), Some("eu-west-3")),
            RegionVerdict::Same
        );
    }

    #[test]
    fn regions_missing_from_the_table_are_not_listed() {
        assert_eq!(
            verdict(Some("ap-south-2"), Some("us-east-1")),
            RegionVerdict::NotListed
        );
        assert_eq!(
            verdict(Some("ap-south-2"), Some("ap-south-2")),
            RegionVerdict::Same
        );
        assert_eq!(verdict(None, Some("us-east-1")), RegionVerdict::Unknown);
    }

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("eu-west-1"), "aws");
    }

    #[test]
    fn region_names() {
        assert!(is_region_name("ap-northeast-1"));
        assert!(is_region_name("us-gov-west-1"));
        assert!(!is_region_name("*"));
        assert!(!is_region_name("useast1"));
    }
}

//! What the process environment configures: the region of `AWS_REGION`, else `AWS_DEFAULT_REGION`,
//! read the same way by `sandtrap check` and the language server.

/// The region the environment names (`CheckOptions::env_region`), `None` when neither variable is
/// set to a non-empty value.
pub fn env_region() -> Option<String> {
    region_from(|name| std::env::var(name).ok())
}

/// `AWS_REGION` wins, as for the AWS CLI and SDKs; an empty value counts as unset, since a shell
/// `AWS_REGION= cmd` means "no region", not the region "".
fn region_from(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|name| var(name).filter(|region| !region.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::region_from;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn aws_region_wins_over_the_default_region() {
        let vars = [
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_REGION", "us-west-2"),
        ];
        assert_eq!(region_from(env(&vars)).as_deref(), Some("us-west-2"));
    }

    #[test]
    fn an_empty_aws_region_falls_back_to_the_default_region() {
        let vars = [("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "eu-west-1")];
        assert_eq!(region_from(env(&vars)).as_deref(), Some("eu-west-1"));
        assert_eq!(region_from(env(&[("AWS_DEFAULT_REGION", "")])), None);
        assert_eq!(region_from(env(&[])), None);
    }
}

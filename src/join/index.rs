//! What the join looks up for every sender, indexed once per run, so a run with N senders and N
//! identities costs N lookups instead of N² comparisons: identities by the name SES compares
//! (and, for the other-level check, by domain), exports and configuration sets by name. A lookup
//! returns candidates in stack order; the join applies its account and region rules to them as
//! it did to every declaration, so verdicts are exactly those of a full scan.

use super::Stack;

/// (stack index, item index within the stack), in stack order.
pub(crate) type At = (usize, usize);

#[derive(Debug, Default)]
pub(crate) struct RunIndex {
    /// Identities by [`identity_key`].
    identities: foldhash::HashMap<String, Vec<At>>,
    /// Domain identities by their lowercased name (an address's domain or a parent of it is
    /// looked up here).
    domains: foldhash::HashMap<String, Vec<At>>,
    /// Email-address identities by every domain their own domain is under (`a@x.example.com`
    /// under `x.example.com`, `example.com` and `com`).
    addresses_under: foldhash::HashMap<String, Vec<At>>,
    /// Exports by name.
    exports: foldhash::HashMap<String, Vec<At>>,
    /// Configuration sets by name.
    configuration_sets: foldhash::HashMap<String, Vec<usize>>,
}

/// The name two identities share when SES takes them for one (`ses::same_identity`): an
/// address's local part as written and its domain lowercased; a domain lowercased without
/// trailing dots.
pub(crate) fn identity_key(name: &str) -> String {
    match name.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
        None => domain_key(name),
    }
}

/// A domain as `ses::under_domain` compares it.
fn domain_key(domain: &str) -> String {
    domain.trim_end_matches('.').to_ascii_lowercase()
}

/// `x.example.com`, `example.com`, `com`.
fn suffixes(domain: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(domain), |d| d.split_once('.').map(|(_, rest)| rest))
        .filter(|d| !d.is_empty())
}

/// A table with room for `n` names, hashed with a seed of this process's (the names come from
/// templates: none can be chosen to collide in advance).
fn sized<V>(n: usize) -> foldhash::HashMap<String, V> {
    foldhash::HashMap::with_capacity_and_hasher(n, Default::default())
}

impl RunIndex {
    pub(crate) fn new(stacks: &[&Stack]) -> RunIndex {
        // Sized for what the run declares, so that no table grows (and hashes its keys again)
        // while it is filled: most names are each other's, one per declaration.
        let (mut identities, mut exports, mut sets) = (0, 0, 0);
        for stack in stacks {
            identities += stack.facts.identities.len();
            exports += stack.facts.exports.len();
            sets += stack.facts.configuration_sets.len();
        }
        let mut index = RunIndex {
            identities: sized(identities),
            domains: sized(identities),
            addresses_under: sized(0),
            exports: sized(exports),
            configuration_sets: sized(sets),
        };
        for (s, stack) in stacks.iter().enumerate() {
            for (i, identity) in stack.facts.identities.iter().enumerate() {
                let Some(name) = identity.name.known() else {
                    continue;
                };
                index
                    .identities
                    .entry(identity_key(&name))
                    .or_default()
                    .push((s, i));
                match name.rsplit_once('@') {
                    Some((_, domain)) => {
                        for suffix in suffixes(&domain_key(domain)) {
                            index
                                .addresses_under
                                .entry(suffix.to_owned())
                                .or_default()
                                .push((s, i));
                        }
                    }
                    None => index
                        .domains
                        .entry(domain_key(&name))
                        .or_default()
                        .push((s, i)),
                }
            }
            for (e, export) in stack.facts.exports.iter().enumerate() {
                if let Some(name) = export.name.known() {
                    index.exports.entry(name).or_default().push((s, e));
                }
            }
            for set in &stack.facts.configuration_sets {
                if let Some(name) = set.name.known() {
                    let stacks = index.configuration_sets.entry(name).or_default();
                    if stacks.last() != Some(&s) {
                        stacks.push(s);
                    }
                }
            }
        }
        index
    }

    /// The identities that can bear on `name`: the same identity, and those at the other level
    /// (the domain of an address, or the addresses of a domain), in stack order, each once.
    pub(crate) fn identity_candidates(&self, name: &str) -> Vec<At> {
        let mut out: Vec<At> = self
            .identities
            .get(&identity_key(name))
            .cloned()
            .unwrap_or_default();
        match name.rsplit_once('@') {
            Some((_, domain)) => {
                for suffix in suffixes(&domain_key(domain)) {
                    out.extend(self.domains.get(suffix).into_iter().flatten());
                }
            }
            None => out.extend(
                self.addresses_under
                    .get(&domain_key(name))
                    .into_iter()
                    .flatten(),
            ),
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The exports named `name`, in stack order.
    pub(crate) fn exports(&self, name: &str) -> &[At] {
        self.exports.get(name).map_or(&[], Vec::as_slice)
    }

    /// The stacks that declare a configuration set named `name`, in order.
    pub(crate) fn configuration_set_stacks(&self, name: &str) -> &[usize] {
        self.configuration_sets.get(name).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_ses_equality() {
        assert_eq!(identity_key("Ops@Example.COM"), "Ops@example.com");
        assert_eq!(identity_key("Example.com."), "example.com");
        assert_ne!(
            identity_key("ops@example.com"),
            identity_key("Ops@example.com")
        );
        assert_eq!(
            suffixes("a.example.com").collect::<Vec<_>>(),
            ["a.example.com", "example.com", "com"]
        );
    }

    fn stack_with(names: &[&str]) -> Stack {
        let mut facts = crate::extract::StackFacts::default();
        for name in names {
            facts.identities.push(crate::extract::Identity {
                resource: "Id".into(),
                resource_type: "AWS::SES::EmailIdentity".into(),
                resource_span: crate::source::Span::new(0, 1),
                name: crate::extract::Field {
                    value: Some(crate::extract::Value::Text(crate::value::Text::lit(*name))),
                    span: None,
                    origin: None,
                },
                assumptions: Vec::new(),
            });
        }
        Stack {
            file: "t.yaml".into(),
            name: "t".into(),
            account: None,
            account_source: super::super::EnvSource::Unknown,
            region: None,
            region_source: super::super::EnvSource::Unknown,
            environment_location: None,
            cdk: false,
            language: crate::extract::Language::CloudFormation,
            environment_label: None,
            deployment: "t.yaml".into(),
            region_note: None,
            lookup_role: None,
            facts: std::sync::Arc::new(facts),
        }
    }

    #[test]
    fn candidates_are_the_same_identity_and_the_other_level_in_stack_order() {
        let stacks = [
            stack_with(&["ops@mail.example.com", "other.org"]),
            stack_with(&["Example.com.", "team@example.com", "x@notexample.com"]),
            stack_with(&["mail.EXAMPLE.com"]),
        ];
        let index = RunIndex::new(&stacks.iter().collect::<Vec<_>>());
        // An address: itself, and every domain identity it is under.
        assert_eq!(
            index.identity_candidates("ops@Mail.Example.com"),
            [(0, 0), (1, 0), (2, 0)]
        );
        // A domain: itself, and the addresses under it (not `notexample.com`).
        assert_eq!(
            index.identity_candidates("example.com"),
            [(0, 0), (1, 0), (1, 1)]
        );
        assert_eq!(index.identity_candidates("nothing.example"), []);
        // The local part is compared as written.
        assert_eq!(index.identity_candidates("Ops@example.net"), []);
    }
}

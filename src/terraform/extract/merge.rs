//! Instances of one resource (or of one module call) with the same values are one finding.

use std::collections::HashMap;

use crate::extract::{self, Property};

/// Instances of one resource with the same values are one sender: named without the instance
/// key when they are all of them, else by the first with the others after it. What rules read
/// of a `From` is its domain, so instances that differ only before the `@` are one, as
/// condition variants are.
pub(super) fn merge_instances(senders: &mut Vec<extract::Sender>) {
    let mut instances: HashMap<String, std::collections::BTreeSet<String>> = HashMap::new();
    for sender in senders.iter() {
        instances
            .entry(base_address(&sender.resource))
            .or_default()
            .insert(sender.resource.clone());
    }
    let mut groups: Vec<(extract::Sender, extract::Sender, Vec<String>)> = Vec::new();
    for sender in senders.drain(..) {
        let key = cause(&sender);
        match groups.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, group, members)) => {
                if !members.contains(&sender.resource) {
                    members.push(sender.resource.clone());
                }
                group.assumptions.retain(|a| sender.assumptions.contains(a));
            }
            None => {
                let resource = sender.resource.clone();
                groups.push((key, sender, vec![resource]));
            }
        }
    }
    for (_, mut sender, members) in groups {
        let base = base_address(&sender.resource);
        if members.len() > 1 {
            sender.resource = match instances.get(&base).map(std::collections::BTreeSet::len) {
                Some(n) if n == members.len() => base,
                _ => format!("{} (also {})", members[0], members[1..].join(", ")),
            };
        }
        senders.push(sender);
    }
}

/// A sender as rules judge it, whichever instance it is.
pub(super) fn cause(sender: &extract::Sender) -> extract::Sender {
    let mut key = sender.clone();
    key.resource = base_address(&sender.resource);
    key.assumptions.clear();
    if let Some(from) = key.field(Property::From).known() {
        let address = from.rsplit_once('<').map_or(from.as_str(), |(_, a)| a);
        if let Some((_, domain)) = address.trim_end_matches('>').rsplit_once('@') {
            key.properties[Property::From].value = Some(extract::Value::Text(
                crate::value::Text::lit(domain.trim().to_ascii_lowercase()),
            ));
        }
    }
    key
}

/// An address without its instance keys.
/// Instances of one pool whose trigger is judged the same are one trigger sender, named
/// without the instance key when they are all of them, as senders are.
pub(super) fn merge_trigger_instances(triggers: &mut Vec<extract::TriggerSender>) {
    let mut instances: HashMap<String, usize> = HashMap::new();
    for t in triggers.iter() {
        *instances.entry(base_address(&t.pool)).or_default() += 1;
    }
    let mut groups: Vec<(extract::TriggerSender, usize)> = Vec::new();
    for t in triggers.drain(..) {
        let same = |g: &extract::TriggerSender| {
            base_address(&g.pool) == base_address(&t.pool)
                && g.trigger == t.trigger
                && g.function == t.function
                && g.admin_only == t.admin_only
                && g.grant_at == t.grant_at
                && g.resources == t.resources
        };
        match groups.iter_mut().find(|(g, _)| same(g)) {
            Some((_, n)) => *n += 1,
            None => groups.push((t, 1)),
        }
    }
    for (mut t, n) in groups {
        let base = base_address(&t.pool);
        if n > 1 && instances.get(&base) == Some(&n) {
            t.pool = base;
        }
        triggers.push(t);
    }
}

pub(super) fn base_address(address: &str) -> String {
    crate::terraform::instance::strip_keys(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_addresses_drop_instance_keys() {
        assert_eq!(
            base_address("module.a[\"x]\"].aws_cognito_user_pool.pool[0]"),
            "module.a.aws_cognito_user_pool.pool"
        );
    }
}

//! A root module's pools, identities and configuration sets as the facts every front end gives:
//! each resource instance's arguments evaluated at the paths the property table declares for
//! Terraform, read by the same [`read_sender`] the CloudFormation front end uses, grouped into
//! stacks by file, module call and provider (the account and region the join works with).

use std::collections::HashMap;

use super::eval::{Choice, Choices, combine, first_unknown, invalid, iterate, merge, one};
use super::instance::{Expansion, Instance, InstanceKey, Origin};
use super::module::{Mode, Resource};
use super::syntax::{Block, Body, Expr};
use crate::extract::{
    self, Arguments, ConfigurationSet, Identity, Language, Property, ResourceKind, SenderHeader,
    SenderKind, StackFacts,
};
use crate::join::EnvSource;
use crate::source::Span;
use crate::value::{Assumption, Resolved};

/// The key of the name an SES identity or configuration set type declares, and the kind of
/// its ARN (`identity`, `configuration-set`).
pub fn name_key(kind: &str) -> Option<(&'static str, &'static str)> {
    let found = extract::resource_type(Language::Terraform, kind)?;
    match found.kind {
        ResourceKind::Identity => Some((found.name_key, "identity")),
        ResourceKind::ConfigurationSet => Some((found.name_key, "configuration-set")),
        ResourceKind::Sender(_) => None,
    }
}

/// The facts of one group of resources: one file of one module call, deployed by one provider.
#[derive(Debug)]
pub struct StackOut {
    /// The file's display name.
    pub file: String,
    /// `module.auth` (instance keys left out), or `""` for the root module.
    pub module: String,
    pub region: Option<String>,
    pub region_source: EnvSource,
    pub region_at: Option<Origin>,
    pub account: Option<String>,
    pub account_source: EnvSource,
    /// Data sources: identities that already exist, not created by this configuration.
    pub existing: bool,
    pub facts: StackFacts,
}

/// One pool instance as evaluated, before instances with the same verdict are merged: what
/// `sandtrap debug terraform` prints, and what the differential test compares with
/// `terraform plan`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PoolInstance {
    /// `module.auth["prod"].aws_cognito_user_pool.this`.
    pub address: String,
    pub region: Option<String>,
    /// Each argument the facts read, as Terraform names it: its value when known and the
    /// same under every condition, else null.
    pub values: std::collections::BTreeMap<&'static str, Option<String>>,
}

/// Something the evaluation could not judge, said at its place.
#[derive(Debug)]
pub struct Note {
    pub file: String,
    pub span: Span,
    pub message: String,
}

/// What the module instances under one root hold.
#[derive(Debug, Default)]
pub struct Extracted {
    pub stacks: Vec<StackOut>,
    pub notes: Vec<Note>,
    pub instances: Vec<PoolInstance>,
}

/// Everything extracted from the module instances under `root`.
pub fn extract(root: &Instance<'_>) -> Extracted {
    let mut out = Extracted::default();
    walk(root, &mut out);
    let Extracted { stacks, .. } = &mut out;
    for stack in stacks.iter_mut() {
        let mut senders = std::mem::take(&mut stack.facts.senders);
        merge_instances(&mut senders);
        stack.facts.senders = senders;
        merge_trigger_instances(&mut stack.facts.trigger_senders);
    }
    out
}

fn walk(instance: &Instance<'_>, out: &mut Extracted) {
    let Extracted {
        stacks,
        notes,
        instances,
    } = out;
    let module = std::sync::Arc::clone(&instance.module);
    let verified = verified_domains(instance);
    for resource in &module.resources {
        let Some(read) = extract::resource_type(Language::Terraform, &resource.kind) else {
            continue;
        };
        let sender = match (read.kind, resource.mode) {
            (ResourceKind::Sender(kind), Mode::Managed) => Some(kind),
            (ResourceKind::Sender(_), Mode::Data) => continue,
            _ => None,
        };
        for expansion in instance.expand(resource.file, &resource.body, &[]) {
            if let Some(why) = &expansion.unknown {
                notes.push(Note {
                    file: instance.file_name(resource.file).to_owned(),
                    span: resource
                        .body
                        .attribute("for_each")
                        .or_else(|| resource.body.attribute("count"))
                        .map_or(resource.header_span, |a| a.expr.span()),
                    message: format!(
                        "the instances of `{}` depend on {}: it is judged as one instance whose `count`/`each` is unknown",
                        address(instance, resource, None),
                        describe(why)
                    ),
                });
            }
            let stack = stack_for(instance, resource, &expansion, stacks, false);
            match (read.kind, sender) {
                (ResourceKind::Sender(_), Some(kind)) => {
                    if kind == SenderKind::UserPool {
                        let triggers =
                            super::trigger::trigger_senders(instance, resource, &expansion);
                        stacks[stack].facts.trigger_senders.extend(triggers);
                    }
                    let senders = senders(instance, resource, &expansion, kind);
                    instances.push(PoolInstance {
                        address: address(instance, resource, expansion.key.as_ref()),
                        region: stacks[stack].region.clone(),
                        values: Property::ALL
                            .into_iter()
                            .filter_map(|p| {
                                let known: Vec<Option<String>> =
                                    senders.iter().map(|s| s.field(p).known()).collect();
                                let value = match known.as_slice() {
                                    [one] => one.clone(),
                                    [first, rest @ ..] if rest.iter().all(|v| v == first) => {
                                        first.clone()
                                    }
                                    _ => None,
                                };
                                let name = p.name(Language::Terraform, kind);
                                (!name.is_empty()).then_some((name, value))
                            })
                            .collect(),
                    });
                    stacks[stack].facts.senders.extend(senders);
                }
                (ResourceKind::Identity, _) => {
                    for (name, assumptions) in names(instance, resource, &expansion, read.name_key)
                    {
                        // A domain the apply waits to see verified (an
                        // `aws_ses_domain_identity_verification`) is verified before anything
                        // that depends on it is created.
                        let waited = resource.kind == "aws_ses_domain_identity"
                            && name.known().is_some_and(|n| verified.contains(&n));
                        let stack = match waited {
                            true => stack_for(instance, resource, &expansion, stacks, true),
                            false => stack,
                        };
                        stacks[stack].facts.identities.push(Identity {
                            resource: address(instance, resource, expansion.key.as_ref()),
                            resource_type: resource.kind.clone(),
                            resource_span: resource.header_span,
                            name,
                            assumptions,
                        });
                    }
                }
                (ResourceKind::ConfigurationSet, _) => {
                    for (name, _) in names(instance, resource, &expansion, read.name_key) {
                        stacks[stack]
                            .facts
                            .configuration_sets
                            .push(ConfigurationSet {
                                resource: address(instance, resource, expansion.key.as_ref()),
                                resource_span: resource.header_span,
                                name,
                            });
                    }
                }
                (ResourceKind::Sender(_), None) => {}
            }
        }
    }
    for call in &module.calls {
        for (_, child) in instance.call_instances(call) {
            walk(&child, out);
        }
    }
}

/// What an unknown is, in a sentence.
fn describe(value: &Resolved) -> String {
    match first_unknown(value) {
        Some(Resolved::Unknown(u)) => match &u.reason {
            crate::value::UnknownReason::Variable { name } => {
                format!("variable `{name}`, which has no value (pass `--var {name}=...`)")
            }
            other => format!("`{other}`, which is not known statically"),
        },
        _ => "a value that is not known statically".to_owned(),
    }
}

/// `module.auth["prod"].aws_cognito_user_pool.pool[0]`.
pub(super) fn address(
    instance: &Instance<'_>,
    resource: &Resource,
    key: Option<&InstanceKey>,
) -> String {
    let own = format!(
        "{}{}",
        resource.address(),
        key.map(InstanceKey::suffix).unwrap_or_default()
    );
    match instance.address.is_empty() {
        true => own,
        false => format!("{}.{own}", instance.address),
    }
}

/// The module address without instance keys: instances of one call share a stack.
fn module_path(instance: &Instance<'_>) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in instance.address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The domains an `aws_ses_domain_identity_verification` of this module instance waits for.
fn verified_domains(instance: &Instance<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for resource in &instance.module.resources {
        if resource.mode != Mode::Managed || resource.kind != "aws_ses_domain_identity_verification"
        {
            continue;
        }
        let Some(domain) = resource.body.attribute("domain") else {
            continue;
        };
        for expansion in instance.expand(resource.file, &resource.body, &[]) {
            let ev = instance.evaluator(resource.file, expansion.iterators.clone());
            out.extend(
                ev.eval(&domain.expr)
                    .iter()
                    .filter_map(|c| super::eval::known_string(&c.value)),
            );
        }
    }
    out
}

/// The index of the stack for this resource instance, made when new. `verified`: an identity
/// that exists, verified, before the resources that use it are created.
fn stack_for(
    instance: &Instance<'_>,
    resource: &Resource,
    expansion: &Expansion,
    stacks: &mut Vec<StackOut>,
    verified: bool,
) -> usize {
    let file = instance.file_name(resource.file).to_owned();
    let module = module_path(instance);
    let (region, region_source, region_at, _) = instance.region_of(resource, &expansion.iterators);
    let provider = instance.provider_of(resource);
    let existing = resource.mode == Mode::Data || verified;
    if let Some(i) = stacks.iter().position(|s| {
        s.file == file
            && s.module == module
            && s.region == region
            && s.account == provider.account
            && s.existing == existing
    }) {
        return i;
    }
    stacks.push(StackOut {
        file,
        module,
        region,
        region_source,
        region_at,
        account: provider.account.clone(),
        account_source: provider.account_source,
        existing,
        facts: StackFacts::default(),
    });
    stacks.len() - 1
}

/// The senders of one resource instance: one per combination of conditions.
fn senders(
    instance: &Instance<'_>,
    resource: &Resource,
    expansion: &Expansion,
    kind: SenderKind,
) -> Vec<extract::Sender> {
    let wanted: Vec<Vec<&'static str>> = wanted(kind);
    let wanted: Vec<&[&str]> = wanted.iter().map(Vec::as_slice).collect();
    let mut origins = HashMap::new();
    let values = evaluate(
        instance,
        resource.file,
        &resource.body,
        &expansion.iterators,
        &wanted,
        &mut Vec::new(),
        &mut origins,
    );
    let text = instance
        .module
        .files
        .get(resource.file)
        .map_or("", |f| f.text.as_str());
    let mut out = Vec::new();
    for choice in values {
        let Some(assumptions) = merge(&expansion.assumptions, &choice.assumptions) else {
            continue;
        };
        let args = Args {
            value: &choice.value,
            body: &resource.body,
            header: resource.header_span,
            text,
            origins: &origins,
        };
        let header = SenderHeader {
            kind,
            resource: address(instance, resource, expansion.key.as_ref()),
            resource_type: resource.kind.clone(),
            resource_span: resource.header_span,
            cdk_path: resource.construct_path.clone(),
            note: None,
            assumptions,
        };
        out.extend(extract::read_sender(header, &args));
    }
    extract::merge_same_cause(&mut out);
    out
}

/// Every property's Terraform path, `*` and what follows it included (the item keys), and
/// the email settings whole where their presence decides whether the resource sends.
fn wanted(kind: SenderKind) -> Vec<Vec<&'static str>> {
    let language = Language::Terraform;
    let mut out = Vec::new();
    for property in Property::ALL {
        let Some(mut keys) = property.keys(language, kind) else {
            continue;
        };
        if let extract::Path::At(path) = property.path(language, kind)
            && let Some(star) = path.iter().position(|k| *k == "*")
        {
            keys.extend_from_slice(&path[star..]);
        }
        out.push(keys);
    }
    if kind.needs_email_settings() {
        out.push(kind.email_settings(language).to_vec());
    }
    out
}

/// The names an identity or configuration set instance declares, with their assumptions.
fn names(
    instance: &Instance<'_>,
    resource: &Resource,
    expansion: &Expansion,
    name_key: &str,
) -> Vec<(extract::Field, Vec<Assumption>)> {
    let mut origins = HashMap::new();
    let values = evaluate(
        instance,
        resource.file,
        &resource.body,
        &expansion.iterators,
        &[&[name_key]],
        &mut Vec::new(),
        &mut origins,
    );
    let text = instance
        .module
        .files
        .get(resource.file)
        .map_or("", |f| f.text.as_str());
    values
        .into_iter()
        .filter_map(|choice| {
            let assumptions = merge(&expansion.assumptions, &choice.assumptions)?;
            let args = Args {
                value: &choice.value,
                body: &resource.body,
                header: resource.header_span,
                text,
                origins: &origins,
            };
            Some((extract::field_at(&args, &[name_key], None), assumptions))
        })
        .collect()
}

/// The wanted paths of a body, evaluated: choices of a map holding only them. A block is a
/// list of its instances (static blocks and `dynamic` ones, in source order); `0` picks the
/// first, `*` reads the rest of the path in each.
fn evaluate(
    instance: &Instance<'_>,
    file: usize,
    body: &Body,
    iterators: &[(String, Resolved)],
    wanted: &[&[&str]],
    prefix: &mut Vec<String>,
    origins: &mut HashMap<String, Origin>,
) -> Choices {
    let mut keys: Vec<&str> = Vec::new();
    for path in wanted {
        if let Some(first) = path.first()
            && !keys.contains(first)
        {
            keys.push(first);
        }
    }
    let mut names = Vec::new();
    let mut parts: Vec<Choices> = Vec::new();
    for key in keys {
        let rest: Vec<&[&str]> = wanted
            .iter()
            .filter(|p| p.first() == Some(&key))
            .map(|p| &p[1..])
            .collect();
        if let Some(attr) = body.attribute(key) {
            let (choices, reads) = instance.eval_recorded(file, iterators.to_vec(), &attr.expr);
            if let Some(origin) = instance.origin_of(&reads) {
                prefix.push(key.to_owned());
                origins.insert(prefix.join("."), origin);
                prefix.pop();
            }
            names.push(key);
            parts.push(choices);
            continue;
        }
        let blocks = blocks_of(body, key);
        if blocks.is_empty() {
            continue;
        }
        // Under a block, `0` and `*` stand for its instances: what follows is read in each.
        let inner: Vec<&[&str]> = rest
            .iter()
            .filter_map(|p| match p.first() {
                Some(k) if *k == "*" || k.parse::<usize>().is_ok() => Some(&p[1..]),
                _ => None,
            })
            .filter(|p| !p.is_empty())
            .collect();
        prefix.push(key.to_owned());
        let list = block_list(instance, file, &blocks, iterators, &inner, prefix, origins);
        prefix.pop();
        names.push(key);
        parts.push(list);
    }
    combine(&parts, Span::default(), &mut |values| {
        Resolved::Map(
            names
                .iter()
                .zip(values)
                .map(|(k, v)| ((*k).to_owned(), (*v).clone()))
                .collect(),
        )
    })
}

/// A static or dynamic block of a kind.
enum BlockRef<'a> {
    Static(&'a Block),
    Dynamic(&'a Block),
}

fn blocks_of<'a>(body: &'a Body, kind: &str) -> Vec<BlockRef<'a>> {
    body.blocks
        .iter()
        .filter_map(|b| match b.kind.as_str() {
            k if k == kind => Some(BlockRef::Static(b)),
            "dynamic" if b.labels.first().is_some_and(|(l, _)| l == kind) => {
                Some(BlockRef::Dynamic(b))
            }
            _ => None,
        })
        .collect()
}

/// The instances of the blocks of one kind as a list of maps.
fn block_list(
    instance: &Instance<'_>,
    file: usize,
    blocks: &[BlockRef<'_>],
    iterators: &[(String, Resolved)],
    wanted: &[&[&str]],
    prefix: &mut Vec<String>,
    origins: &mut HashMap<String, Origin>,
) -> Choices {
    // Each block gives choices of a list (a dynamic block may give several items, or none).
    let mut parts: Vec<Choices> = Vec::new();
    let mut index = 0;
    for block in blocks {
        match block {
            BlockRef::Static(block) => {
                prefix.push(index.to_string());
                let items = evaluate(
                    instance,
                    file,
                    &block.body,
                    iterators,
                    wanted,
                    prefix,
                    origins,
                );
                prefix.pop();
                index += 1;
                parts.push(
                    items
                        .into_iter()
                        .map(|c| Choice {
                            value: Resolved::List(vec![c.value]),
                            assumptions: c.assumptions,
                        })
                        .collect(),
                );
            }
            BlockRef::Dynamic(block) => {
                let choices = dynamic_items(
                    instance, file, block, iterators, wanted, prefix, origins, index,
                );
                index += 1;
                parts.push(choices);
            }
        }
    }
    combine(&parts, Span::default(), &mut |lists| {
        let mut all = Vec::new();
        for list in lists {
            if let Resolved::List(items) = list {
                all.extend(items.iter().cloned());
            }
        }
        Resolved::List(all)
    })
}

/// A `dynamic` block's items: its `content` evaluated for each element of `for_each`, with the
/// iterator (the block's label, or `iterator`) bound to `{key, value}`. An unknown `for_each`
/// gives one item whose iterator is unknown, so what depends on it says why.
#[allow(clippy::too_many_arguments)]
fn dynamic_items(
    instance: &Instance<'_>,
    file: usize,
    block: &Block,
    iterators: &[(String, Resolved)],
    wanted: &[&[&str]],
    prefix: &mut Vec<String>,
    origins: &mut HashMap<String, Origin>,
    index: usize,
) -> Choices {
    let Some(content) = block.body.blocks("content").next() else {
        return one(Resolved::List(Vec::new()));
    };
    let name = block
        .body
        .attribute("iterator")
        .and_then(|a| {
            a.expr
                .as_path()
                .map(|p| p.join("."))
                .or_else(|| a.expr.as_literal())
        })
        .or_else(|| block.labels.first().map(|(l, _)| l.clone()))
        .unwrap_or_default();
    let Some(for_each) = block.body.attribute("for_each") else {
        return one(invalid(
            block.header_span,
            "a `dynamic` block without `for_each`",
        ));
    };
    let (collections, reads) = instance.eval_recorded(file, iterators.to_vec(), &for_each.expr);
    let origin = instance.origin_of(&reads);
    let mut out = Vec::new();
    for collection in collections {
        let elements: Vec<(Resolved, Resolved)> = match iterate(&collection.value) {
            Some(elements) => elements,
            None => {
                let why = first_unknown(&collection.value).unwrap_or_else(|| {
                    invalid(
                        for_each.expr.span(),
                        "a `for_each` that is not a collection",
                    )
                });
                vec![(why.clone(), why)]
            }
        };
        let mut items: Vec<Choices> = Vec::new();
        for (i, (key, value)) in elements.into_iter().enumerate() {
            let mut bound = iterators.to_vec();
            bound.push((
                name.clone(),
                Resolved::Map(vec![("key".to_owned(), key), ("value".to_owned(), value)]),
            ));
            prefix.push((index + i).to_string());
            let before = origins.len();
            let item = evaluate(
                instance,
                file,
                &content.body,
                &bound,
                wanted,
                prefix,
                origins,
            );
            // What the content reads through the iterator came from the `for_each` value.
            if origins.len() == before
                && let Some(origin) = &origin
            {
                for path in wanted {
                    let key = format!("{}.{}", prefix.join("."), path.join("."));
                    origins.entry(key).or_insert_with(|| origin.clone());
                }
            }
            prefix.pop();
            items.push(item);
        }
        for mut choice in combine(&items, block.header_span, &mut |values| {
            Resolved::List(values.iter().map(|v| (*v).clone()).collect())
        }) {
            if let Some(merged) = merge(&collection.assumptions, &choice.assumptions) {
                choice.assumptions = merged;
                out.push(choice);
            }
        }
    }
    out
}

/// A resource instance's values, with the spans of the body they were written in.
struct Args<'a> {
    value: &'a Resolved,
    body: &'a Body,
    header: Span,
    text: &'a str,
    origins: &'a HashMap<String, Origin>,
}

impl Arguments for Args<'_> {
    fn language(&self) -> Language {
        Language::Terraform
    }

    fn value(&self) -> &Resolved {
        self.value
    }

    fn span(&self, keys: &[&str]) -> Option<Span> {
        span_in(self.body, keys, self.text)
    }

    fn whole_span(&self) -> Span {
        self.header
    }

    fn origin(&self, keys: &[&str]) -> Option<Origin> {
        self.origins.get(&keys.join(".")).cloned()
    }
}

/// Where the value at `keys` is written: an attribute's value (its name when the value is an
/// expression over several lines), or the nearest block on the way.
fn span_in(body: &Body, keys: &[&str], text: &str) -> Option<Span> {
    let (first, rest) = keys.split_first()?;
    if let Some(attr) = body.attribute(first) {
        let span = attr.expr.span();
        let multiline = !matches!(
            attr.expr,
            Expr::Template(..) | Expr::Number(..) | Expr::Bool(..)
        ) && text.get(span.range()).is_some_and(|t| t.contains('\n'));
        return Some(match multiline {
            true => attr.name_span,
            false => span,
        });
    }
    let blocks = blocks_of(body, first);
    let (index, rest) = match rest.first().and_then(|k| k.parse::<usize>().ok()) {
        Some(i) => (i, &rest[1..]),
        None => (0, rest),
    };
    let (inner, header) = match blocks.get(index).or_else(|| blocks.first())? {
        BlockRef::Static(block) => (&block.body, block.header_span),
        BlockRef::Dynamic(block) => (
            block
                .body
                .blocks("content")
                .next()
                .map_or(&block.body, |c| &c.body),
            block.header_span,
        ),
    };
    match rest.is_empty() {
        true => Some(header),
        false => span_in(inner, rest, text).or(Some(header)),
    }
}

/// Instances of one resource with the same values are one sender: named without the instance
/// key when they are all of them, else by the first with the others after it. What rules read
/// of a `From` is its domain, so instances that differ only before the `@` are one, as
/// condition variants are.
fn merge_instances(senders: &mut Vec<extract::Sender>) {
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

/// Instances of one pool whose trigger is judged the same are one trigger sender, named
/// without the instance key when they are all of them, as senders are.
fn merge_trigger_instances(triggers: &mut Vec<extract::TriggerSender>) {
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

/// A sender as rules judge it, whichever instance it is.
fn cause(sender: &extract::Sender) -> extract::Sender {
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
fn base_address(address: &str) -> String {
    super::instance::strip_keys(address)
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

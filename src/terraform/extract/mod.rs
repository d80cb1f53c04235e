//! A root module's pools, identities and configuration sets as the facts every front end gives:
//! each resource instance's arguments evaluated at the paths the property table declares for
//! Terraform, read by the same [`read_sender`] the CloudFormation front end uses, grouped into
//! stacks by file, module call and provider (the account and region the join works with).

use std::collections::HashMap;

use crate::extract::{
    self, ConfigurationSet, Identity, Language, Property, ResourceKind, SenderHeader, SenderKind,
    StackFacts,
};
use crate::join::EnvSource;
use crate::terraform::eval::{Choice, Choices, first_unknown, merge};
use crate::terraform::instance::{Expansion, Instance, InstanceKey, Origin};
use crate::terraform::module::{Mode, Resource};

mod blocks;
mod merge;

use crate::source::Span;
use crate::value::{Assumption, Resolved};
use blocks::{Args, evaluate};
use merge::{merge_instances, merge_trigger_instances};

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
                notes.push(unknown_instances(instance, resource, why));
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
                        values: known_values(&senders, kind),
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

/// Says that a resource's instances could not be counted, at its `for_each` or `count`.
fn unknown_instances(instance: &Instance<'_>, resource: &Resource, why: &Resolved) -> Note {
    Note {
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
    }
}

/// Each property's value in a pool instance, when all of its senders agree on it.
fn known_values(
    senders: &[extract::Sender],
    kind: SenderKind,
) -> std::collections::BTreeMap<&'static str, Option<String>> {
    Property::ALL
        .into_iter()
        .filter_map(|p| {
            let known: Vec<Option<String>> = senders.iter().map(|s| s.field(p).known()).collect();
            let value = match known.as_slice() {
                [one] => one.clone(),
                [first, rest @ ..] if rest.iter().all(|v| v == first) => first.clone(),
                _ => None,
            };
            let name = p.name(Language::Terraform, kind);
            (!name.is_empty()).then_some((name, value))
        })
        .collect()
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
pub(crate) fn address(
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
                    .filter_map(|c| crate::terraform::eval::known_string(&c.value)),
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
    let evaluated = Evaluated::new(instance, resource, expansion, &wanted);
    let mut out = Vec::new();
    for (choice, assumptions) in evaluated.choices(expansion) {
        let args = evaluated.args(choice, resource);
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
    let evaluated = Evaluated::new(instance, resource, expansion, &[&[name_key]]);
    evaluated
        .choices(expansion)
        .map(|(choice, assumptions)| {
            let args = evaluated.args(choice, resource);
            (extract::field_at(&args, &[name_key], None), assumptions)
        })
        .collect()
}

/// A resource instance's body evaluated at the wanted paths: one choice per combination of
/// conditions, where each value came from, and the text of the resource's file.
struct Evaluated<'a> {
    values: Choices,
    origins: HashMap<String, Origin>,
    text: &'a str,
}

impl<'a> Evaluated<'a> {
    fn new(
        instance: &'a Instance<'_>,
        resource: &Resource,
        expansion: &Expansion,
        wanted: &[&[&str]],
    ) -> Self {
        let mut origins = HashMap::new();
        let values = evaluate(
            instance,
            resource.file,
            &resource.body,
            &expansion.iterators,
            wanted,
            &mut Vec::new(),
            &mut origins,
        );
        let text = (instance.module.files.get(resource.file)).map_or("", |f| f.text.as_str());
        Evaluated {
            values,
            origins,
            text,
        }
    }

    /// The choices with the instance's own assumptions merged in; a choice that contradicts
    /// them cannot happen and is left out.
    fn choices<'s>(
        &'s self,
        expansion: &'s Expansion,
    ) -> impl Iterator<Item = (&'s Choice, Vec<Assumption>)> {
        (self.values.iter()).filter_map(|choice| {
            Some((choice, merge(&expansion.assumptions, &choice.assumptions)?))
        })
    }

    fn args<'s>(&'s self, choice: &'s Choice, resource: &'s Resource) -> Args<'s> {
        Args {
            value: &choice.value,
            body: &resource.body,
            header: resource.header_span,
            text: self.text,
            origins: &self.origins,
        }
    }
}

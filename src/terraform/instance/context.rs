//! The names an expression uses, answered by its module instance: variables, locals,
//! resources and data sources (SES identities' ARNs built from their provider), module outputs.

use std::path::Path;

use super::{Expansion, Instance, InstanceKey};
use crate::join::regions;
use crate::source::Span;
use crate::terraform::eval::{
    Choice, Choices, Context, Key, MAX_CHOICES, Reference, invalid, known_string, one, string,
    unknown,
};
use crate::terraform::module::{Mode, Resource};
use crate::value::{Part, Resolved, Text, UnknownReason};

impl<'t> Instance<'t> {
    /// The value of attribute `name` of a resource instance's body, evaluated.
    pub(super) fn attribute(
        &self,
        resource: &Resource,
        iterators: &[(String, Resolved)],
        name: &str,
        span: Span,
        depth: usize,
    ) -> Choices {
        match resource.body.attribute(name) {
            Some(attr) => {
                let mut ev = self.evaluator(resource.file, iterators.to_vec());
                ev.depth = depth + 1;
                ev.eval(&attr.expr)
            }
            None => one(unknown(
                span,
                UnknownReason::Computed {
                    address: resource.address(),
                    attribute: name.to_owned(),
                },
            )),
        }
    }

    /// An attribute of one instance of `resource`.
    pub(super) fn instance_attribute(
        &self,
        resource: &Resource,
        expansion: &Expansion,
        attribute: &str,
        span: Span,
        depth: usize,
    ) -> Choices {
        let its = &expansion.iterators;
        let provider_region = || -> Resolved {
            let (region, _, _, _) = self.region_of(resource, its);
            match region {
                Some(region) => string(region),
                None => pseudo("AWS::Region", span),
            }
        };
        let provider_account = || -> Resolved {
            match &self.provider_of(resource).account {
                Some(account) => string(account.clone()),
                None => pseudo("AWS::AccountId", span),
            }
        };
        let partition = |region: &Resolved| -> Resolved {
            match known_string(region) {
                Some(r) => string(regions::partition(&r)),
                None => pseudo("AWS::Partition", span),
            }
        };
        match (resource.mode, resource.kind.as_str(), attribute) {
            // Waits until the domain is verified; its `arn` is the identity's.
            (Mode::Managed, "aws_ses_domain_identity_verification", "arn") => {
                let region = provider_region();
                self.attribute(resource, its, "domain", span, depth)
                    .into_iter()
                    .map(|choice| Choice {
                        value: arn(
                            &partition(&region),
                            &region,
                            &provider_account(),
                            "identity",
                            &choice.value,
                            span,
                        ),
                        assumptions: choice.assumptions,
                    })
                    .collect()
            }
            (Mode::Managed, "aws_ses_domain_identity_verification", "id") => {
                self.attribute(resource, its, "domain", span, depth)
            }
            (Mode::Data, "aws_region", "name" | "region" | "id") => one(provider_region()),
            (Mode::Data, "aws_caller_identity", "account_id" | "id") => one(provider_account()),
            (Mode::Data, "aws_partition", "partition" | "id") => one(partition(&provider_region())),
            (_, kind, _) if crate::terraform::extract::name_key(kind).is_some() => {
                let Some((name_key, arn_kind)) = crate::terraform::extract::name_key(kind) else {
                    return one(Resolved::Null);
                };
                match attribute {
                    a if a == name_key || a == "id" => {
                        self.attribute(resource, its, name_key, span, depth)
                    }
                    "arn" => {
                        let region = provider_region();
                        let names = self.attribute(resource, its, name_key, span, depth);
                        names
                            .into_iter()
                            .map(|choice| Choice {
                                value: arn(
                                    &partition(&region),
                                    &region,
                                    &provider_account(),
                                    arn_kind,
                                    &choice.value,
                                    span,
                                ),
                                assumptions: choice.assumptions,
                            })
                            .collect()
                    }
                    other => self.attribute(resource, its, other, span, depth),
                }
            }
            (_, _, other) => self.attribute(resource, its, other, span, depth),
        }
    }
}

/// `arn:PARTITION:ses:REGION:ACCOUNT:KIND/NAME` with whatever parts are unknown as holes.
pub(super) fn arn(
    partition: &Resolved,
    region: &Resolved,
    account: &Resolved,
    kind: &str,
    name: &Resolved,
    span: Span,
) -> Resolved {
    let text = |v: &Resolved| crate::terraform::eval::to_text(v, span);
    let mut out = Text::lit("arn:");
    out.parts.extend(text(partition).parts);
    out.parts.push(Part::Lit(":ses:".into()));
    out.parts.extend(text(region).parts);
    out.parts.push(Part::Lit(":".into()));
    out.parts.extend(text(account).parts);
    out.parts.push(Part::Lit(format!(":{kind}/")));
    out.parts.extend(text(name).parts);
    Resolved::Str(crate::terraform::eval::normalize(out))
}

/// What the provider leaves unknown: the region, account or partition of whatever it
/// deploys to, named as the CloudFormation pseudo parameters that mean the same.
pub(super) fn pseudo(name: &str, span: Span) -> Resolved {
    unknown(
        span,
        UnknownReason::Pseudo {
            name: name.to_owned(),
        },
    )
}

impl Context for Instance<'_> {
    fn source(&self, file: usize) -> &str {
        self.module.files.get(file).map_or("", |f| f.text.as_str())
    }

    fn variable(&self, name: &str, span: Span, _depth: usize) -> Choices {
        self.record(name);
        if let Some(input) = self.inputs.get(name) {
            return input.choices.clone();
        }
        match self.module.variable(name) {
            Some(variable) => match &variable.default {
                Some(default) => self.evaluator(variable.file, Vec::new()).eval(default),
                None => one(unknown(
                    span,
                    UnknownReason::Variable {
                        name: name.to_owned(),
                    },
                )),
            },
            None => one(invalid(span, format!("no variable `{name}` is declared"))),
        }
    }

    fn local(&self, name: &str, span: Span, depth: usize) -> Choices {
        if let Some((choices, reads)) = self.locals.borrow().get(name) {
            for read in reads {
                self.record(read);
            }
            return choices.clone();
        }
        if self.evaluating.borrow().iter().any(|n| n == name)
            || depth > crate::terraform::eval::MAX_DEPTH
        {
            return one(invalid(span, format!("`local.{name}` refers to itself")));
        }
        let Some(local) = self.module.local(name) else {
            return one(invalid(span, format!("no local value `{name}`")));
        };
        self.evaluating.borrow_mut().push(name.to_owned());
        let (choices, reads) = {
            let outer = self.reads.borrow_mut().replace(Vec::new());
            let mut ev = self.evaluator(local.file, Vec::new());
            ev.depth = depth + 1;
            let choices = ev.eval(&local.expr);
            let reads = self.reads.borrow_mut().take().unwrap_or_default();
            *self.reads.borrow_mut() = outer;
            (choices, reads)
        };
        self.evaluating.borrow_mut().retain(|n| n != name);
        for read in &reads {
            self.record(read);
        }
        self.locals
            .borrow_mut()
            .insert(name.to_owned(), (choices.clone(), reads));
        choices
    }

    fn resource(&self, reference: &Reference<'_>, span: Span, depth: usize) -> Choices {
        let Reference {
            mode,
            kind,
            name,
            key,
            attribute,
        } = reference.clone();
        let Some(resource) = self.module.resource(mode, kind, name) else {
            return one(invalid(
                span,
                format!(
                    "no {} `{kind}.{name}`",
                    match mode {
                        Mode::Managed => "resource",
                        Mode::Data => "data source",
                    }
                ),
            ));
        };
        let expansions = self.expand(resource.file, &resource.body, &[]);
        let counted = expansions.iter().any(|e| e.key.is_some());
        let mut out = Vec::new();
        for expansion in &expansions {
            let selected = match (&key, &expansion.key) {
                (Key::None, None) | (Key::All, _) => true,
                (Key::Index(k), Some(instance)) => {
                    instance.matches(k) || *instance == InstanceKey::Unknown
                }
                _ => false,
            };
            if !selected {
                continue;
            }
            for mut choice in self.instance_attribute(resource, expansion, attribute, span, depth) {
                if let Some(merged) =
                    crate::terraform::eval::merge(&expansion.assumptions, &choice.assumptions)
                {
                    choice.assumptions = merged;
                    out.push(choice);
                }
            }
        }
        if matches!(key, Key::All) || (counted && matches!(key, Key::None)) {
            // Every instance as a list (a splat); an unknown count is an unknown list.
            if let Some(unknown) = expansions.iter().find_map(|e| e.unknown.clone()) {
                return one(unknown);
            }
            let items: Vec<Resolved> = out.into_iter().map(|c| c.value).collect();
            return one(Resolved::List(items));
        }
        match out.is_empty() {
            true => one(invalid(
                span,
                format!("no such instance of `{kind}.{name}`"),
            )),
            false => out.into_iter().take(MAX_CHOICES).collect(),
        }
    }

    fn module_output(
        &self,
        call_name: &str,
        key: Key,
        output: &str,
        span: Span,
        depth: usize,
    ) -> Choices {
        let Some(call) = self.module.call(call_name) else {
            return one(invalid(span, format!("no module `{call_name}`")));
        };
        let instances = self.call_instances(call);
        if instances.is_empty() {
            return one(unknown(
                span,
                UnknownReason::ModuleOutput {
                    module: call_name.to_owned(),
                    output: output.to_owned(),
                },
            ));
        }
        let mut values = Vec::new();
        for (expansion, child) in &instances {
            let selected = match (&key, &expansion.key) {
                (Key::None, None) | (Key::All, _) => true,
                (Key::Index(k), Some(instance)) => {
                    instance.matches(k) || *instance == InstanceKey::Unknown
                }
                _ => false,
            };
            if !selected {
                continue;
            }
            let Some(out) = child.module.output(output) else {
                return one(invalid(
                    span,
                    format!("module `{call_name}` has no output `{output}`"),
                ));
            };
            let mut ev = child.evaluator(out.file, Vec::new());
            ev.depth = depth + 1;
            values.extend(ev.eval(&out.expr));
        }
        if matches!(key, Key::All) {
            return one(Resolved::List(
                values.into_iter().map(|c| c.value).collect(),
            ));
        }
        match values.is_empty() {
            true => one(invalid(
                span,
                format!("no such instance of module `{call_name}`"),
            )),
            false => values.into_iter().take(MAX_CHOICES).collect(),
        }
    }

    fn path(&self, which: &str) -> Option<String> {
        let relative = |dir: &Path| {
            dir.strip_prefix(&self.tree.working_dir)
                .unwrap_or(dir)
                .to_string_lossy()
                .replace('\\', "/")
        };
        match which {
            "module" => Some(relative(&self.module.dir)),
            "root" => Some(relative(&self.tree.root_dir)),
            "cwd" => Some(self.tree.working_dir.to_string_lossy().into_owned()),
            _ => None,
        }
    }
}

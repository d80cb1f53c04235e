//! Instances: `count` and `for_each` of a resource or a module call, and each module call's
//! instances evaluated with the caller's arguments and providers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::{
    Expansion, Input, Instance, InstanceKey, MAX_INSTANCES, MAX_MODULE_DEPTH, Origin,
    ProviderConfig, normalize, strip_keys,
};
use crate::terraform::eval::{invalid, known_string, string};
use crate::terraform::module::Call;
use crate::terraform::syntax::Expr;
use crate::value::Resolved;

impl<'t> Instance<'t> {
    /// The instances of a resource or module call (`count`, `for_each`, or one).
    pub fn expand(
        &self,
        file: usize,
        body: &crate::terraform::syntax::Body,
        outer: &[(String, Resolved)],
    ) -> Vec<Expansion> {
        let ev = self.evaluator(file, outer.to_vec());
        let (name, attr) = match (body.attribute("count"), body.attribute("for_each")) {
            (Some(count), _) => ("count", count),
            (None, Some(for_each)) => ("each", for_each),
            (None, None) => {
                return vec![Expansion {
                    key: None,
                    iterators: outer.to_vec(),
                    assumptions: Vec::new(),
                    unknown: None,
                }];
            }
        };
        let mut out = Vec::new();
        for choice in ev.eval(&attr.expr) {
            let instances = match name {
                "count" => counted(&choice.value),
                _ => keyed(&choice.value),
            };
            let bind = |iterator: Resolved| {
                let mut iterators = outer.to_vec();
                iterators.push((name.to_owned(), iterator));
                iterators
            };
            match instances {
                Some(instances) => {
                    for (key, iterator) in instances.into_iter().take(MAX_INSTANCES) {
                        out.push(Expansion {
                            key: Some(key),
                            iterators: bind(iterator),
                            assumptions: choice.assumptions.clone(),
                            unknown: None,
                        });
                    }
                }
                None => {
                    let why =
                        crate::terraform::eval::first_unknown(&choice.value).unwrap_or_else(|| {
                            invalid(
                                attr.expr.span(),
                                match name {
                                    "count" => "a `count` that is not a number",
                                    _ => "a `for_each` that is not a map or a set of strings",
                                },
                            )
                        });
                    // One instance stands for however many there are, its iterator unknown.
                    let iterator = match name {
                        "count" => Resolved::Map(vec![("index".to_owned(), why.clone())]),
                        _ => Resolved::Map(vec![
                            ("key".to_owned(), why.clone()),
                            ("value".to_owned(), why.clone()),
                        ]),
                    };
                    out.push(Expansion {
                        key: Some(InstanceKey::Unknown),
                        iterators: bind(iterator),
                        assumptions: choice.assumptions.clone(),
                        unknown: Some(why),
                    });
                }
            }
        }
        out
    }

    /// The instances of module call `call`, each evaluated (once).
    pub fn call_instances(&self, call: &Call) -> Vec<(Expansion, Rc<Instance<'t>>)> {
        let mut out = Vec::new();
        for expansion in self.expand(call.file, &call.body, &[]) {
            let key = expansion
                .key
                .as_ref()
                .map(InstanceKey::suffix)
                .unwrap_or_default();
            let cached = self
                .children
                .borrow()
                .get(&(call.name.clone(), key.clone()))
                .cloned();
            let child = match cached {
                Some(child) => Some(child),
                None => self.instantiate(call, &expansion, &key).map(Rc::new),
            };
            if let Some(child) = child {
                self.children
                    .borrow_mut()
                    .insert((call.name.clone(), key), Rc::clone(&child));
                out.push((expansion, child));
            }
        }
        out
    }

    /// The directory module call `call` reads, or why it cannot be read.
    pub fn call_dir(&self, call: &Call) -> Result<PathBuf, String> {
        let Some((source, _)) = &call.source else {
            return Err("its `source` is not a literal string".to_owned());
        };
        if source.starts_with("./") || source.starts_with("../") {
            return Ok(normalize(&self.module.dir.join(source)));
        }
        let mut key = self.key_path.clone();
        key.push(call.name.clone());
        match self.tree.installed().get(&key.join(".")) {
            Some(dir) => Ok(dir.clone()),
            None => Err(format!(
                "it comes from `{source}`, which is read from .terraform/modules after `terraform init`, and this configuration has not been initialized"
            )),
        }
    }

    /// Why the call `call` of the module in `dir` (normalized) is not followed, when it is not:
    /// it closes a cycle of calls, or it goes more than [`MAX_MODULE_DEPTH`] modules deep.
    fn not_followed(&self, call: &Call, dir: &Path) -> Option<String> {
        if self.lineage.iter().any(|above| above == dir) || self.inside_through_links(dir) {
            let source = call
                .source
                .as_ref()
                .map_or("", |(source, _)| source.as_str());
            return Some(format!(
                "`{source}` is a module this call is already inside (a cycle of module calls, which `terraform init` cannot install)"
            ));
        }
        (self.lineage.len() >= MAX_MODULE_DEPTH)
            .then(|| format!("more than {MAX_MODULE_DEPTH} modules deep"))
    }

    /// Whether `dir` is one of the lineage's directories reached through a symbolic link
    /// (`./link` leading back to the module): the same directory to the file system. A
    /// `stat` of each, only for the calls an instance makes (most roots make none).
    fn inside_through_links(&self, dir: &Path) -> bool {
        let Some(place) = same_file::Handle::from_path(dir).ok() else {
            return false;
        };
        (self.lineage.iter())
            .any(|above| same_file::Handle::from_path(above).is_ok_and(|above| above == place))
    }

    pub(super) fn instantiate(
        &self,
        call: &Call,
        expansion: &Expansion,
        key: &str,
    ) -> Option<Instance<'t>> {
        let address = format!(
            "{}module.{}{key}",
            if self.address.is_empty() {
                String::new()
            } else {
                format!("{}.", self.address)
            },
            call.name
        );
        let dir = match self.call_dir(call) {
            Ok(dir) => dir,
            Err(why) => {
                self.notice(
                    call,
                    format!("module `{}` is not analyzed: {why}", call.name),
                );
                return None;
            }
        };
        // As the lineage holds it.
        let place = normalize(&dir);
        if let Some(why) = self.not_followed(call, &place) {
            self.notice(
                call,
                format!("module `{}` is not analyzed: {why}", call.name),
            );
            return None;
        }
        let Some(module) = self.tree.module(&dir) else {
            self.notice(
                call,
                format!(
                    "module `{}` is not analyzed: its directory cannot be read",
                    call.name
                ),
            );
            return None;
        };
        let mut inputs = HashMap::new();
        for attr in &call.body.attributes {
            if matches!(
                attr.name.as_str(),
                "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
            ) {
                continue;
            }
            let (choices, reads) =
                self.eval_recorded(call.file, expansion.iterators.clone(), &attr.expr);
            // The value as the caller wrote it, unless it came from further out.
            let origin = self.origin_of(&reads).or_else(|| {
                Some(Origin {
                    file: self.file_name(call.file).to_owned(),
                    span: attr.expr.span(),
                    label: format!("value passed here ({})", strip_keys(&address)),
                })
            });
            inputs.insert(attr.name.clone(), Input { choices, origin });
        }
        let mut key_path = self.key_path.clone();
        key_path.push(call.name.clone());
        let lineage = (self.lineage.iter().cloned()).chain([place]).collect();
        let mut child = Instance::new(self.tree, module, address, key_path, inputs, lineage);
        // `providers = { aws = aws.west }`; without it the caller's default configurations.
        let mut passed: HashMap<String, Rc<ProviderConfig>> = HashMap::new();
        match call.body.attribute("providers") {
            Some(attr) => {
                if let Expr::Object(entries, _) = &attr.expr {
                    for (k, v) in entries {
                        let key = k.as_literal().or_else(|| k.as_path().map(|p| p.join(".")));
                        let value = v.as_path().map(|p| p.join("."));
                        if let (Some(key), Some(value)) = (key, value)
                            && let Some(config) = self.providers.get(&value)
                        {
                            passed.insert(key, Rc::clone(config));
                        }
                    }
                }
            }
            None => {
                for (key, config) in &self.providers {
                    if !key.contains('.') {
                        passed.insert(key.clone(), Rc::clone(config));
                    }
                }
            }
        }
        child.providers = child.own_providers(&passed);
        Some(child)
    }
}

/// The instances of a known `count`, with `count` bound to `{index}`.
fn counted(value: &Resolved) -> Option<Vec<(InstanceKey, Resolved)>> {
    let n = known_string(value)?.parse::<f64>().ok()?;
    Some(
        (0..(n.max(0.0) as usize).min(MAX_INSTANCES))
            .map(|i| {
                let index =
                    Resolved::Map(vec![("index".to_owned(), Resolved::Number(i.to_string()))]);
                (InstanceKey::Index(i), index)
            })
            .collect(),
    )
}

/// The instances of a known `for_each` (a map, or a set of strings whose keys are the strings),
/// with `each` bound to `{key, value}`.
fn keyed(value: &Resolved) -> Option<Vec<(InstanceKey, Resolved)>> {
    let entries: Vec<(String, Resolved)> = match value {
        Resolved::Map(entries) => entries.clone(),
        Resolved::List(items) => items
            .iter()
            .map(|item| known_string(item).map(|k| (k, item.clone())))
            .collect::<Option<_>>()?,
        _ => return None,
    };
    Some(
        entries
            .into_iter()
            .map(|(key, value)| {
                let each = Resolved::Map(vec![
                    ("key".to_owned(), string(key.clone())),
                    ("value".to_owned(), value),
                ]);
                (InstanceKey::Name(key), each)
            })
            .collect(),
    )
}

//! Module instances: a module evaluated with its inputs and providers, as Terraform plans it.
//!
//! The root module's inputs come from `--var`, `--var-file`, `*.auto.tfvars`, `terraform.tfvars`
//! (with their precedence) and defaults; a called module's from its caller's arguments, evaluated
//! in the caller (once per `count`/`for_each` instance of the call). Local modules are read from
//! their directory, registry and git modules from `.terraform/modules` after `terraform init`.
//! Every name an expression uses is answered here ([`Context`]): variables, locals, resources
//! and data sources (SES identities' ARNs built from their own provider's region and account),
//! module outputs. What Terraform only knows after apply stays unknown with its reason.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::eval::{
    Choice, Choices, Context, Evaluator, Key, MAX_CHOICES, Reference, has_unknown, invalid,
    iterate, known_string, one, string, unknown,
};
use super::module::{Call, Mode, Module, Provider, Resource};
use super::syntax::Expr;
use crate::join::regions;
use crate::source::Span;
use crate::value::{Part, Resolved, Text, UnknownReason};

/// Deepest chain of module calls followed.
pub const MAX_MODULE_DEPTH: usize = 16;

/// Most instances of one resource or module call.
pub const MAX_INSTANCES: usize = 256;

pub use crate::extract::Origin;

/// A module input: its choices and where they were written.
#[derive(Clone, Debug)]
pub struct Input {
    pub choices: Choices,
    pub origin: Option<Origin>,
}

/// Where a root module's provider falls back to for its region and account, with the source of
/// each (a flag, the config file, the environment).
#[derive(Clone, Debug, Default)]
pub struct Fallback {
    pub region: Option<(String, crate::join::EnvSource)>,
    pub account: Option<(String, crate::join::EnvSource)>,
}

/// A provider configuration as resources see it.
#[derive(Clone, Debug, Default)]
pub struct ProviderConfig {
    /// `aws` or `aws.west`, in the module that declares it.
    pub key: String,
    pub region: Option<String>,
    pub region_source: crate::join::EnvSource,
    /// Where the region was written: the provider's `region`, or the tfvars line its variable
    /// came from.
    pub region_at: Option<Origin>,
    /// Why the region is unknown.
    pub region_unknown: Option<crate::value::Unknown>,
    pub account: Option<String>,
    pub account_source: crate::join::EnvSource,
}

/// Gives the module of a directory: read once for the run, shared by every root that uses it.
pub type Reader<'a> = dyn Fn(&Path) -> Option<Arc<Module>> + 'a;

/// A notice about what could not be analyzed: a module that is not read.
#[derive(Clone, Debug)]
pub struct Notice {
    /// The module directory of the call, and the file index of the call in it.
    pub dir: PathBuf,
    pub file: usize,
    pub span: Span,
    pub message: String,
}

/// Everything one root module's evaluation shares.
pub struct Tree<'a> {
    pub reader: &'a Reader<'a>,
    pub root_dir: PathBuf,
    pub root_inputs: HashMap<String, Input>,
    pub fallback: Fallback,
    /// `.terraform/modules/modules.json`: module key (`auth`, `auth.child`) → directory.
    pub installed: HashMap<String, PathBuf>,
    pub working_dir: PathBuf,
    modules: RefCell<HashMap<PathBuf, Arc<Module>>>,
    pub notices: RefCell<Vec<Notice>>,
}

impl<'a> Tree<'a> {
    pub fn new(
        reader: &'a Reader<'a>,
        root_dir: PathBuf,
        root_inputs: HashMap<String, Input>,
        fallback: Fallback,
        working_dir: PathBuf,
    ) -> Tree<'a> {
        let installed = installed_modules(&root_dir);
        Tree {
            reader,
            root_dir,
            root_inputs,
            fallback,
            installed,
            working_dir,
            modules: RefCell::new(HashMap::new()),
            notices: RefCell::new(Vec::new()),
        }
    }

    /// The module of `dir`, read once.
    pub fn module(&self, dir: &Path) -> Option<Arc<Module>> {
        if let Some(found) = self.modules.borrow().get(dir) {
            return Some(Arc::clone(found));
        }
        let module = (self.reader)(dir)?;
        self.modules
            .borrow_mut()
            .insert(dir.to_path_buf(), Arc::clone(&module));
        Some(module)
    }

    /// Every module this root used, by directory.
    pub fn modules(&self) -> Vec<Arc<Module>> {
        let mut modules: Vec<Arc<Module>> = self.modules.borrow().values().cloned().collect();
        modules.sort_by(|a, b| a.dir.cmp(&b.dir));
        modules
    }
}

/// The directories `terraform init` installed, by module key.
fn installed_modules(root: &Path) -> HashMap<String, PathBuf> {
    let manifest = root.join(".terraform/modules/modules.json");
    let Ok(text) = crate::input::read_settings(&manifest, root) else {
        return HashMap::new();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for module in value
        .get("Modules")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(key), Some(dir)) = (
            module.get("Key").and_then(serde_json::Value::as_str),
            module.get("Dir").and_then(serde_json::Value::as_str),
        ) else {
            continue;
        };
        // Only directories inside the root: a manifest cannot send the reader elsewhere.
        let dir = Path::new(dir);
        if key.is_empty() || dir.is_absolute() || crate::discover::climbs(dir) {
            continue;
        }
        out.insert(key.to_owned(), root.join(dir));
    }
    out
}

/// An instance key of `count` or `for_each`.
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceKey {
    Index(usize),
    Name(String),
    /// `count`/`for_each` is unknown: one instance stands for however many there are.
    Unknown,
}

impl InstanceKey {
    pub fn suffix(&self) -> String {
        match self {
            InstanceKey::Index(i) => format!("[{i}]"),
            InstanceKey::Name(name) => format!("[{}]", serde_json::Value::from(name.as_str())),
            InstanceKey::Unknown => "[*]".to_owned(),
        }
    }

    fn matches(&self, key: &Resolved) -> bool {
        match (self, known_string(key)) {
            (InstanceKey::Index(i), Some(k)) => k.parse::<usize>().ok() == Some(*i),
            (InstanceKey::Name(n), Some(k)) => *n == k,
            _ => false,
        }
    }
}

/// One instance of a resource, or of a module call: its key, the iterators it binds, and the
/// conditions its existence assumes (`count = var.on ? 1 : 0`).
#[derive(Clone, Debug)]
pub struct Expansion {
    pub key: Option<InstanceKey>,
    pub iterators: Vec<(String, Resolved)>,
    pub assumptions: Vec<crate::value::Assumption>,
    /// Why the number of instances is unknown.
    pub unknown: Option<Resolved>,
}

/// A module evaluated with its inputs.
pub struct Instance<'t> {
    pub tree: &'t Tree<'t>,
    pub module: Arc<Module>,
    /// `""` for the root, `module.auth["prod"]`, `module.a.module.b`.
    pub address: String,
    /// The module key `terraform init` writes (`auth.child`).
    pub key_path: Vec<String>,
    pub inputs: HashMap<String, Input>,
    pub providers: HashMap<String, Rc<ProviderConfig>>,
    pub depth: usize,
    locals: RefCell<HashMap<String, (Choices, Vec<String>)>>,
    evaluating: RefCell<Vec<String>>,
    children: RefCell<HashMap<(String, String), Rc<Instance<'t>>>>,
    /// Inputs read while recording (for "value passed here").
    reads: RefCell<Option<Vec<String>>>,
}

impl<'t> Instance<'t> {
    /// The root module of `tree`.
    pub fn root(tree: &'t Tree<'t>) -> Option<Instance<'t>> {
        let module = tree.module(&tree.root_dir)?;
        let mut instance = Instance::new(
            tree,
            module,
            String::new(),
            Vec::new(),
            tree.root_inputs.clone(),
            0,
        );
        instance.providers = instance.own_providers(&HashMap::new());
        Some(instance)
    }

    fn new(
        tree: &'t Tree<'t>,
        module: Arc<Module>,
        address: String,
        key_path: Vec<String>,
        inputs: HashMap<String, Input>,
        depth: usize,
    ) -> Instance<'t> {
        Instance {
            tree,
            module,
            address,
            key_path,
            inputs,
            providers: HashMap::new(),
            depth,
            locals: RefCell::new(HashMap::new()),
            evaluating: RefCell::new(Vec::new()),
            children: RefCell::new(HashMap::new()),
            reads: RefCell::new(None),
        }
    }

    /// An evaluator for expressions of file `file` of this module.
    pub fn evaluator(&self, file: usize, iterators: Vec<(String, Resolved)>) -> Evaluator<'_> {
        Evaluator {
            context: self,
            file,
            iterators,
            depth: 0,
        }
    }

    /// The display name of file `file` of this module.
    pub fn file_name(&self, file: usize) -> &str {
        self.module.files.get(file).map_or("", |f| f.name.as_str())
    }

    /// Evaluates `expr` and reports which module inputs it read (through locals too).
    pub fn eval_recorded(
        &self,
        file: usize,
        iterators: Vec<(String, Resolved)>,
        expr: &Expr,
    ) -> (Choices, Vec<String>) {
        let outer = self.reads.borrow_mut().replace(Vec::new());
        let choices = self.evaluator(file, iterators).eval(expr);
        let reads = self.reads.borrow_mut().take().unwrap_or_default();
        if let Some(mut outer) = outer {
            outer.extend(reads.iter().cloned());
            *self.reads.borrow_mut() = Some(outer);
        }
        (choices, reads)
    }

    fn record(&self, name: &str) {
        if let Some(reads) = self.reads.borrow_mut().as_mut()
            && !reads.iter().any(|r| r == name)
        {
            reads.push(name.to_owned());
        }
    }

    /// Where an input's value was written, when elsewhere than this module.
    pub fn origin_of(&self, inputs_read: &[String]) -> Option<Origin> {
        inputs_read
            .iter()
            .find_map(|name| self.inputs.get(name).and_then(|i| i.origin.clone()))
    }

    /// The provider configurations this module declares itself, evaluated here, on top of
    /// `inherited`.
    fn own_providers(
        &self,
        inherited: &HashMap<String, Rc<ProviderConfig>>,
    ) -> HashMap<String, Rc<ProviderConfig>> {
        let mut providers = inherited.clone();
        for provider in &self.module.providers {
            providers.insert(provider.key(), Rc::new(self.provider_config(provider)));
        }
        // A module with no `aws` configuration of its own and none passed uses an empty one:
        // Terraform's default provider, configured by the environment.
        providers
            .entry("aws".to_owned())
            .or_insert_with(|| Rc::new(self.fallback_config("aws".to_owned())));
        providers
    }

    fn fallback_config(&self, key: String) -> ProviderConfig {
        let fallback = &self.tree.fallback;
        ProviderConfig {
            key,
            region: fallback.region.as_ref().map(|(r, _)| r.clone()),
            region_source: fallback
                .region
                .as_ref()
                .map_or_else(Default::default, |(_, s)| *s),
            region_at: None,
            region_unknown: None,
            account: fallback.account.as_ref().map(|(a, _)| a.clone()),
            account_source: fallback
                .account
                .as_ref()
                .map_or_else(Default::default, |(_, s)| *s),
        }
    }

    fn provider_config(&self, provider: &Provider) -> ProviderConfig {
        let mut config = self.fallback_config(provider.key());
        if let Some(attr) = provider.body.attribute("region") {
            let (choices, reads) = self.eval_recorded(provider.file, Vec::new(), &attr.expr);
            let written = Origin {
                file: self.file_name(provider.file).to_owned(),
                span: attr.expr.span(),
                label: format!("region of provider `{}`", provider.key()),
            };
            match single_string(&choices) {
                Ok(region) => {
                    config.region = Some(region);
                    config.region_source = crate::join::EnvSource::TerraformProvider;
                    config.region_at = Some(match self.origin_of(&reads) {
                        Some(origin) => Origin {
                            label: format!(
                                "region of provider `{}`: {}",
                                provider.key(),
                                origin.label
                            ),
                            ..origin
                        },
                        None => written,
                    });
                    config.region_unknown = None;
                }
                Err(why) if config.region.is_none() => config.region_unknown = Some(why),
                Err(_) => {}
            }
        }
        let account = provider
            .body
            .attribute("allowed_account_ids")
            .and_then(|attr| {
                match self
                    .evaluator(provider.file, Vec::new())
                    .eval(&attr.expr)
                    .as_slice()
                {
                    [
                        Choice {
                            value: Resolved::List(ids),
                            ..
                        },
                    ] if ids.len() == 1 => known_string(&ids[0]),
                    _ => None,
                }
            })
            .or_else(|| {
                let role = provider.body.blocks("assume_role").next()?;
                let attr = role.body.attribute("role_arn")?;
                let choices = self.evaluator(provider.file, Vec::new()).eval(&attr.expr);
                let arn = single_string(&choices).ok()?;
                let account = arn.split(':').nth(4)?;
                crate::config::is_account(account).then(|| account.to_owned())
            });
        if let Some(account) = account {
            config.account = Some(account);
            config.account_source = crate::join::EnvSource::TerraformProvider;
        }
        config
    }

    /// The provider configuration a resource or data source uses: its `provider` argument, or
    /// the default configuration of its type's provider.
    pub fn provider_of(&self, resource: &Resource) -> Rc<ProviderConfig> {
        let key = resource
            .body
            .attribute("provider")
            .and_then(|a| match a.expr.as_literal() {
                Some(text) => Some(text),
                None => a.expr.as_path().map(|p| p.join(".")),
            })
            .unwrap_or_else(|| resource.kind.split('_').next().unwrap_or("aws").to_owned());
        self.providers
            .get(&key)
            .or_else(|| self.providers.get("aws"))
            .cloned()
            .unwrap_or_else(|| Rc::new(self.fallback_config(key)))
    }

    /// The region a resource instance is created in: its own `region` argument (AWS provider
    /// 6), else its provider's. `Err` holds why it is unknown.
    pub fn region_of(
        &self,
        resource: &Resource,
        iterators: &[(String, Resolved)],
    ) -> (
        Option<String>,
        crate::join::EnvSource,
        Option<Origin>,
        Option<crate::value::Unknown>,
    ) {
        if let Some(attr) = resource.body.attribute("region") {
            let (choices, reads) =
                self.eval_recorded(resource.file, iterators.to_vec(), &attr.expr);
            match single_string(&choices) {
                Ok(region) => {
                    let written = Origin {
                        file: self.file_name(resource.file).to_owned(),
                        span: attr.expr.span(),
                        label: "region of the resource".to_owned(),
                    };
                    return (
                        Some(region),
                        crate::join::EnvSource::TerraformProvider,
                        Some(self.origin_of(&reads).unwrap_or(written)),
                        None,
                    );
                }
                Err(why) => return (None, crate::join::EnvSource::Unknown, None, Some(why)),
            }
        }
        let provider = self.provider_of(resource);
        (
            provider.region.clone(),
            provider.region_source,
            provider.region_at.clone(),
            provider.region_unknown.clone(),
        )
    }

    /// The instances of a resource or module call (`count`, `for_each`, or one).
    pub fn expand(
        &self,
        file: usize,
        body: &super::syntax::Body,
        outer: &[(String, Resolved)],
    ) -> Vec<Expansion> {
        let ev = self.evaluator(file, outer.to_vec());
        let single = || {
            vec![Expansion {
                key: None,
                iterators: outer.to_vec(),
                assumptions: Vec::new(),
                unknown: None,
            }]
        };
        if let Some(count) = body.attribute("count") {
            let mut out = Vec::new();
            for choice in ev.eval(&count.expr) {
                match known_string(&choice.value).and_then(|n| n.parse::<f64>().ok()) {
                    Some(n) => {
                        for i in 0..(n.max(0.0) as usize).min(MAX_INSTANCES) {
                            let mut iterators = outer.to_vec();
                            iterators.push((
                                "count".to_owned(),
                                Resolved::Map(vec![(
                                    "index".to_owned(),
                                    Resolved::Number(i.to_string()),
                                )]),
                            ));
                            out.push(Expansion {
                                key: Some(InstanceKey::Index(i)),
                                iterators,
                                assumptions: choice.assumptions.clone(),
                                unknown: None,
                            });
                        }
                    }
                    None => {
                        let why = super::eval::first_unknown(&choice.value).unwrap_or_else(|| {
                            invalid(count.expr.span(), "a `count` that is not a number")
                        });
                        let mut iterators = outer.to_vec();
                        iterators.push((
                            "count".to_owned(),
                            Resolved::Map(vec![("index".to_owned(), why.clone())]),
                        ));
                        out.push(Expansion {
                            key: Some(InstanceKey::Unknown),
                            iterators,
                            assumptions: choice.assumptions.clone(),
                            unknown: Some(why),
                        });
                    }
                }
            }
            return out;
        }
        let Some(for_each) = body.attribute("for_each") else {
            return single();
        };
        let mut out = Vec::new();
        for choice in ev.eval(&for_each.expr) {
            let entries: Option<Vec<(String, Resolved)>> = match &choice.value {
                Resolved::Map(entries) => Some(entries.clone()),
                // A set of strings: each.key and each.value are the string.
                Resolved::List(items) => items
                    .iter()
                    .map(|item| known_string(item).map(|k| (k, item.clone())))
                    .collect(),
                _ => None,
            };
            match entries {
                Some(entries) => {
                    for (key, value) in entries.into_iter().take(MAX_INSTANCES) {
                        let mut iterators = outer.to_vec();
                        iterators.push((
                            "each".to_owned(),
                            Resolved::Map(vec![
                                ("key".to_owned(), string(key.clone())),
                                ("value".to_owned(), value),
                            ]),
                        ));
                        out.push(Expansion {
                            key: Some(InstanceKey::Name(key)),
                            iterators,
                            assumptions: choice.assumptions.clone(),
                            unknown: None,
                        });
                    }
                }
                _ => {
                    let why = super::eval::first_unknown(&choice.value).unwrap_or_else(|| {
                        invalid(
                            for_each.expr.span(),
                            "a `for_each` that is not a map or a set of strings",
                        )
                    });
                    let mut iterators = outer.to_vec();
                    iterators.push((
                        "each".to_owned(),
                        Resolved::Map(vec![
                            ("key".to_owned(), why.clone()),
                            ("value".to_owned(), why.clone()),
                        ]),
                    ));
                    out.push(Expansion {
                        key: Some(InstanceKey::Unknown),
                        iterators,
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
        match self.tree.installed.get(&key.join(".")) {
            Some(dir) => Ok(dir.clone()),
            None => Err(format!(
                "it comes from `{source}`, which is read from .terraform/modules after `terraform init`, and this configuration has not been initialized"
            )),
        }
    }

    fn instantiate(&self, call: &Call, expansion: &Expansion, key: &str) -> Option<Instance<'t>> {
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
        if self.depth + 1 >= MAX_MODULE_DEPTH {
            self.notice(
                call,
                format!(
                    "module `{}` is not analyzed: more than {MAX_MODULE_DEPTH} modules deep",
                    call.name
                ),
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
        let mut child = Instance::new(self.tree, module, address, key_path, inputs, self.depth + 1);
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

    fn notice(&self, call: &Call, message: String) {
        let mut notices = self.tree.notices.borrow_mut();
        let span = call.source.as_ref().map_or(call.header_span, |(_, s)| *s);
        if !notices
            .iter()
            .any(|n| n.dir == self.module.dir && n.span == span && n.file == call.file)
        {
            notices.push(Notice {
                dir: self.module.dir.clone(),
                file: call.file,
                span,
                message,
            });
        }
    }

    /// The value of attribute `name` of a resource instance's body, evaluated.
    fn attribute(
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
    fn instance_attribute(
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
            (_, kind, _) if super::extract::name_key(kind).is_some() => {
                let Some((name_key, arn_kind)) = super::extract::name_key(kind) else {
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
fn arn(
    partition: &Resolved,
    region: &Resolved,
    account: &Resolved,
    kind: &str,
    name: &Resolved,
    span: Span,
) -> Resolved {
    let text = |v: &Resolved| super::eval::to_text(v, span);
    let mut out = Text::lit("arn:");
    out.parts.extend(text(partition).parts);
    out.parts.push(Part::Lit(":ses:".into()));
    out.parts.extend(text(region).parts);
    out.parts.push(Part::Lit(":".into()));
    out.parts.extend(text(account).parts);
    out.parts.push(Part::Lit(format!(":{kind}/")));
    out.parts.extend(text(name).parts);
    Resolved::Str(super::eval::normalize(out))
}

/// What the provider leaves unknown: the region, account or partition of whatever it
/// deploys to, named as the CloudFormation pseudo parameters that mean the same.
fn pseudo(name: &str, span: Span) -> Resolved {
    unknown(
        span,
        UnknownReason::Pseudo {
            name: name.to_owned(),
        },
    )
}

/// The one known string of `choices`, or why there is none.
fn single_string(choices: &Choices) -> Result<String, crate::value::Unknown> {
    let why = |value: &Resolved| match super::eval::first_unknown(value) {
        Some(Resolved::Unknown(u)) => u,
        _ => crate::value::Unknown {
            span: Span::default(),
            reason: UnknownReason::Invalid {
                reason: "not a string".into(),
            },
        },
    };
    match choices.as_slice() {
        [choice] => known_string(&choice.value).ok_or_else(|| why(&choice.value)),
        [first, ..] => Err(crate::value::Unknown {
            span: super::eval::first_unknown(&first.value)
                .and_then(|v| match v {
                    Resolved::Unknown(u) => Some(u.span),
                    _ => None,
                })
                .unwrap_or_default(),
            reason: UnknownReason::Invalid {
                reason: "it depends on a condition".into(),
            },
        }),
        [] => Err(why(&Resolved::Null)),
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
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
        if self.evaluating.borrow().iter().any(|n| n == name) || depth > super::eval::MAX_DEPTH {
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
                    super::eval::merge(&expansion.assumptions, &choice.assumptions)
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

/// Whether a value is fully known (for callers deciding how to show it).
pub fn is_known(value: &Resolved) -> bool {
    !has_unknown(value)
}

/// The entries of a collection, re-exported for the extractor.
pub fn entries(value: &Resolved) -> Option<Vec<(Resolved, Resolved)>> {
    iterate(value)
}

/// An address without its instance keys: `module.auth["prod"]` as `module.auth`.
pub fn strip_keys(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_string = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

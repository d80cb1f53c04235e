//! Module instances: a module evaluated with its inputs and providers, as Terraform plans it.
//!
//! The root module's inputs come from `--var`, `--var-file`, `*.auto.tfvars`, `terraform.tfvars`
//! (with their precedence) and defaults; a called module's from its caller's arguments, evaluated
//! in the caller (once per `count`/`for_each` instance of the call). Local modules are read from
//! their directory, registry and git modules from `.terraform/modules` after `terraform init`.
//! Every name an expression uses is answered here ([`Context`]): variables, locals, resources
//! and data sources (SES identities' ARNs built from their own provider's region and account),
//! module outputs. What Terraform only knows after apply stays unknown with its reason.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use crate::source::Span;
use crate::terraform::eval::{Choices, Evaluator, has_unknown, iterate, known_string};
use crate::terraform::module::{Call, Module};
use crate::terraform::syntax::Expr;
use crate::value::Resolved;

/// Deepest chain of module calls followed.
pub const MAX_MODULE_DEPTH: usize = 16;

/// Most instances of one resource or module call.
pub const MAX_INSTANCES: usize = 256;

pub use crate::extract::Origin;

mod context;
mod expand;
mod providers;

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
    /// `.terraform/modules/modules.json`: module key (`auth`, `auth.child`) → directory; read
    /// when a call first needs it (most roots call no installed module).
    installed: OnceCell<HashMap<String, PathBuf>>,
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
        Tree {
            reader,
            root_dir,
            root_inputs,
            fallback,
            installed: OnceCell::new(),
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

    /// The directories `terraform init` installed for this root, by module key.
    pub fn installed(&self) -> &HashMap<String, PathBuf> {
        self.installed
            .get_or_init(|| installed_modules(&self.root_dir))
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
    /// The directories of every module above this one and of this one, root first, normalized:
    /// a call to one of them closes a cycle, and their count is how deep the instance is.
    lineage: Vec<PathBuf>,
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
            vec![normalize(&tree.root_dir)],
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
        lineage: Vec<PathBuf>,
    ) -> Instance<'t> {
        Instance {
            tree,
            lineage,
            module,
            address,
            key_path,
            inputs,
            providers: HashMap::new(),
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

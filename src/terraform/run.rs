//! The Terraform front end over a run: the module directories the run found read once (in
//! parallel), the roots among them (a directory no other analyzed module calls), and each root
//! evaluated with its inputs and extracted. A module called by an analyzed root is reported
//! through that root, with the caller's values; one that nothing calls is analyzed as a root,
//! its variables without a default unknown.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::extract::{Note, StackOut};
use super::instance::{Fallback, Instance, Tree};
use super::module::{self, Module};
use super::vars::{self, VarOptions};
use crate::load::LoadProblem;
use crate::tree::Comment;

/// A file the front end read, for the run's file table.
#[derive(Clone, Debug)]
pub struct File {
    pub name: String,
    pub path: PathBuf,
    pub text: String,
    pub problem: Option<LoadProblem>,
    pub comments: Vec<Comment>,
}

/// A stack and the root it belongs to.
#[derive(Debug)]
pub struct RootStack {
    /// The root module's directory as reported.
    pub root: String,
    pub stack: StackOut,
}

/// Everything the front end found.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Each file once, whichever roots used it.
    pub files: Vec<File>,
    pub stacks: Vec<RootStack>,
    pub notes: Vec<Note>,
    /// Values of sensitive variables, masked in what the run reports.
    pub secrets: Vec<String>,
    /// The root directories, as reported.
    pub roots: Vec<String>,
    /// Every pool instance as evaluated, by root.
    pub instances: Vec<(String, super::extract::PoolInstance)>,
}

/// What the run gives the front end.
pub struct Inputs<'a> {
    /// The module directories found (absolute or as given), each with its display name.
    pub dirs: Vec<(PathBuf, String)>,
    /// Reads a file (an editor's buffer first, then the disk, bounded).
    pub read: &'a (dyn Fn(&Path) -> std::io::Result<Vec<u8>> + Sync),
    /// The display name of a path.
    pub display: &'a (dyn Fn(&Path) -> String + Sync),
    /// The region and account a root's providers fall back to.
    pub fallback: &'a (dyn Fn(&Path, &str) -> Fallback + Sync),
    pub vars: &'a VarOptions,
    pub working_dir: PathBuf,
    /// Extra files in the module directories (an editor's unsaved new buffers).
    pub extra_files: &'a (dyn Fn(&Path) -> Vec<PathBuf> + Sync),
}

/// Reads one module directory.
pub fn read_module(dir: &Path, inputs: &Inputs<'_>) -> Module {
    let mut paths = module::config_files(dir).unwrap_or_default();
    for extra in (inputs.extra_files)(dir) {
        if !paths.contains(&extra) {
            paths.push(extra);
        }
    }
    paths.sort();
    let files = paths
        .into_iter()
        .map(|path| {
            let bytes = (inputs.read)(&path);
            ((inputs.display)(&path), path, bytes)
        })
        .collect();
    module::read(dir, files)
}

/// The local module directories `module` calls.
fn local_calls(module: &Module) -> Vec<PathBuf> {
    module
        .calls
        .iter()
        .filter_map(|call| {
            let (source, _) = call.source.as_ref()?;
            (source.starts_with("./") || source.starts_with("../"))
                .then(|| super::instance::normalize(&module.dir.join(source)))
        })
        .collect()
}

/// Analyzes every root among `inputs.dirs`.
pub fn analyze(inputs: &Inputs<'_>) -> Analysis {
    let modules: HashMap<PathBuf, Arc<Module>> = inputs
        .dirs
        .par_iter()
        .map(|(dir, _)| (dir.clone(), Arc::new(read_module(dir, inputs))))
        .collect();
    let called: BTreeSet<PathBuf> = modules.values().flat_map(|m| local_calls(m)).collect();
    let mut roots: Vec<&(PathBuf, String)> = inputs
        .dirs
        .iter()
        .filter(|(dir, _)| {
            !called.contains(&super::instance::normalize(dir)) && !called.contains(dir)
        })
        .collect();
    // A cycle of calls leaves no root: its modules are analyzed as roots rather than not at all.
    if roots.is_empty() {
        roots = inputs.dirs.iter().collect();
    }
    let results: Vec<RootResult> = roots
        .par_iter()
        .map(|(dir, display)| analyze_root(dir, display, &modules, inputs))
        .collect();
    let mut analysis = Analysis::default();
    let mut seen: BTreeMap<PathBuf, ()> = BTreeMap::new();
    for result in results {
        for file in result.files {
            if seen.insert(file.path.clone(), ()).is_none() {
                analysis.files.push(file);
            }
        }
        analysis.roots.push(result.root.clone());
        analysis
            .stacks
            .extend(result.stacks.into_iter().map(|stack| RootStack {
                root: result.root.clone(),
                stack,
            }));
        analysis.notes.extend(result.notes);
        let root = result.root.clone();
        analysis
            .instances
            .extend(result.instances.into_iter().map(|i| (root.clone(), i)));
        analysis.secrets.extend(result.secrets);
    }
    // A module no root reached (its caller failed to parse, say) is still reported: its files.
    for module in modules.values() {
        for file in &module.files {
            if seen.insert(file.path.clone(), ()).is_none() {
                analysis.files.push(to_file(file));
            }
        }
    }
    analysis
}

struct RootResult {
    root: String,
    files: Vec<File>,
    stacks: Vec<StackOut>,
    notes: Vec<Note>,
    secrets: Vec<String>,
    instances: Vec<super::extract::PoolInstance>,
}

fn to_file(file: &module::ModuleFile) -> File {
    File {
        name: file.name.clone(),
        path: file.path.clone(),
        text: file.text.clone(),
        problem: file.problem.clone(),
        comments: file.comments.clone(),
    }
}

fn analyze_root(
    dir: &Path,
    display: &str,
    modules: &HashMap<PathBuf, Arc<Module>>,
    inputs: &Inputs<'_>,
) -> RootResult {
    let Some(root_module) = modules.get(dir).cloned() else {
        return RootResult {
            root: display.to_owned(),
            files: Vec::new(),
            stacks: Vec::new(),
            notes: Vec::new(),
            secrets: Vec::new(),
            instances: Vec::new(),
        };
    };
    let mut var_paths = vars::automatic_files(dir);
    var_paths.extend(inputs.vars.files.iter().cloned());
    let var_files = var_paths
        .into_iter()
        .map(|path| {
            let bytes = (inputs.read)(&path);
            ((inputs.display)(&path), path, bytes)
        })
        .collect();
    let (root_inputs, read_vars) = vars::root_inputs(&root_module, var_files, inputs.vars);
    let secrets = sensitive_values(&root_module, &root_inputs);
    let reader = |path: &Path| -> Option<Arc<Module>> {
        match modules.get(path) {
            Some(module) => Some(Arc::clone(module)),
            None => Some(Arc::new(read_module(path, inputs))),
        }
    };
    let fallback = (inputs.fallback)(dir, display);
    let tree = Tree::new(
        &reader,
        dir.to_path_buf(),
        root_inputs,
        fallback,
        inputs.working_dir.clone(),
    );
    let super::extract::Extracted {
        stacks,
        mut notes,
        instances,
    } = match Instance::root(&tree) {
        Some(root) => super::extract::extract(&root),
        None => super::extract::Extracted::default(),
    };
    let used = tree.modules();
    for notice in tree.notices.borrow().iter() {
        let file = used
            .iter()
            .find(|m| m.dir == notice.dir)
            .and_then(|m| m.files.get(notice.file))
            .map(|f| f.name.clone())
            .unwrap_or_default();
        notes.push(Note {
            file,
            span: notice.span,
            message: notice.message.clone(),
        });
    }
    let mut files: Vec<File> = used
        .iter()
        .flat_map(|m| m.files.iter().map(to_file))
        .collect();
    files.extend(read_vars.into_iter().map(|v| File {
        name: v.name,
        path: v.path,
        text: v.text,
        problem: v.problem,
        comments: Vec::new(),
    }));
    RootResult {
        root: display.to_owned(),
        files,
        stacks,
        notes,
        secrets,
        instances,
    }
}

/// The known text of every value given to a `sensitive` variable of the root.
fn sensitive_values(
    module: &Module,
    inputs: &HashMap<String, super::instance::Input>,
) -> Vec<String> {
    let mut out = Vec::new();
    for variable in module.variables.iter().filter(|v| v.sensitive) {
        if let Some(input) = inputs.get(&variable.name) {
            for choice in &input.choices {
                collect_strings(&choice.value, &mut out);
            }
        }
    }
    out
}

fn collect_strings(value: &crate::value::Resolved, out: &mut Vec<String>) {
    use crate::value::Resolved;
    match value {
        Resolved::Str(text) => {
            if let Some(text) = text.known().filter(|t| !t.is_empty()) {
                out.push(text);
            }
        }
        Resolved::Number(n) => out.push(n.clone()),
        Resolved::List(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Resolved::Map(entries) => entries.iter().for_each(|(_, v)| collect_strings(v, out)),
        _ => {}
    }
}

//! The Terraform front end over a run: the module directories the run found read once (in
//! parallel), the roots among them (a directory no other analyzed module calls), and each root
//! evaluated with its inputs and extracted. A module called by an analyzed root is reported
//! through that root, with the caller's values; one that nothing calls is analyzed as a root,
//! its variables without a default unknown.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::iter::Either;
use rayon::prelude::*;

use super::extract::{Note, StackOut};
use super::instance::{Fallback, Instance, Tree, normalize};
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
    /// The region and account a root's providers fall back to, from the root's first file
    /// (if any) and its display name.
    pub fallback: &'a (dyn Fn(Option<&Path>, &str) -> Fallback + Sync),
    pub vars: &'a VarOptions,
    pub working_dir: PathBuf,
    /// Extra files in the module directories (an editor's unsaved new buffers).
    pub extra_files: &'a (dyn Fn(&Path) -> Vec<PathBuf> + Sync),
}

/// A module directory's files, read but not parsed yet.
struct Gathered {
    dir: PathBuf,
    /// Each file's display name, path and bytes (or why they could not be read).
    files: Vec<(String, PathBuf, std::io::Result<Vec<u8>>)>,
    automatic_variables: Vec<PathBuf>,
}

impl Gathered {
    fn parse(self) -> Module {
        let mut module = module::read(&self.dir, self.files);
        module.automatic_variables = self.automatic_variables;
        module
    }

    /// Whether a file of the module may call a local module. A literal `source` that starts
    /// with `./` or `../` holds the bytes `./`, or spells them with an escape, which needs a
    /// backslash; a module whose files hold neither calls no local module.
    fn may_call_locally(&self) -> bool {
        self.files.iter().any(|(_, _, bytes)| {
            bytes.as_ref().is_ok_and(|bytes| {
                memchr::memchr(b'\\', bytes).is_some()
                    || memchr::memmem::find(bytes, b"./").is_some()
            })
        })
    }
}

/// Lists one module directory and reads its files.
fn gather(dir: &Path, inputs: &Inputs<'_>) -> Gathered {
    let listing = module::list(dir).unwrap_or_default();
    let mut paths = listing.config;
    for extra in (inputs.extra_files)(dir) {
        if !paths.contains(&extra) {
            paths.push(extra);
        }
    }
    paths.sort();
    Gathered {
        dir: dir.to_path_buf(),
        files: read_each(&paths, inputs),
        automatic_variables: listing.automatic_variables,
    }
}

/// Each path's display name, the path, and its bytes (or why they could not be read).
fn read_each<'p>(
    paths: impl IntoIterator<Item = &'p PathBuf>,
    inputs: &Inputs<'_>,
) -> Vec<(String, PathBuf, std::io::Result<Vec<u8>>)> {
    paths
        .into_iter()
        .map(|path| ((inputs.display)(path), path.clone(), (inputs.read)(path)))
        .collect()
}

/// Reads one module directory.
pub fn read_module(dir: &Path, inputs: &Inputs<'_>) -> Module {
    gather(dir, inputs).parse()
}

/// A root's own module, as first read: parsed when it may call another, else kept as bytes
/// until its own analysis parses it (and frees it with it).
enum Read {
    Parsed(Arc<Module>),
    Unparsed(Gathered),
}

impl Read {
    fn into_module(self) -> Arc<Module> {
        match self {
            Read::Parsed(module) => module,
            Read::Unparsed(gathered) => Arc::new(gathered.parse()),
        }
    }
}

/// The local module directories `module` calls.
fn local_calls(module: &Module) -> Vec<PathBuf> {
    module
        .calls
        .iter()
        .filter_map(|call| {
            let (source, _) = call.source.as_ref()?;
            (source.starts_with("./") || source.starts_with("../"))
                .then(|| normalize(&module.dir.join(source)))
        })
        .collect()
}

/// The roots of the run, in the run's order: every module directory that no module of the run
/// calls; then, of the modules no root reaches, the first of each cycle of calls (a module no
/// root reaches is a cycle's, or called from one), so that every module is analyzed, once.
/// The call that closes a cycle is reported where it is made, and not followed
/// (`Instance::instantiate`). `calls` are the local calls of each parsed module, by its
/// directory normalized.
fn roots<'i>(
    inputs: &'i Inputs<'_>,
    calls: &HashMap<PathBuf, Vec<PathBuf>>,
    is_called: &dyn Fn(&PathBuf) -> bool,
) -> Vec<&'i (PathBuf, String)> {
    // Every module directory `from` calls, directly or not (and `from` itself).
    let reach = |from: &Path, reached: &mut HashSet<PathBuf>| {
        let mut pending = vec![normalize(from)];
        while let Some(dir) = pending.pop() {
            if !reached.contains(&dir) {
                pending.extend(calls.get(&dir).into_iter().flatten().cloned());
                reached.insert(dir);
            }
        }
    };
    let on_cycle = |dir: &Path| {
        let dir = normalize(dir);
        let mut below = HashSet::new();
        for called in calls.get(&dir).into_iter().flatten() {
            reach(called, &mut below);
        }
        below.contains(&dir)
    };
    let mut reached: HashSet<PathBuf> = HashSet::new();
    let mut chosen = vec![false; inputs.dirs.len()];
    for (n, (dir, _)) in inputs.dirs.iter().enumerate() {
        if !is_called(dir) {
            chosen[n] = true;
            reach(dir, &mut reached);
        }
    }
    for (n, (dir, _)) in inputs.dirs.iter().enumerate() {
        if !reached.contains(&normalize(dir)) && on_cycle(dir) {
            chosen[n] = true;
            reach(dir, &mut reached);
        }
    }
    (inputs.dirs.iter().zip(chosen))
        .filter_map(|(entry, chosen)| chosen.then_some(entry))
        .collect()
}

/// Every module directory of the run, read in parallel: the modules that may call another
/// parsed, the others kept as bytes.
fn first_read(inputs: &Inputs<'_>) -> (HashMap<PathBuf, Arc<Module>>, Vec<Gathered>) {
    inputs.dirs.par_iter().partition_map(|(dir, _)| {
        let gathered = gather(dir, inputs);
        match gathered.may_call_locally() {
            true => Either::Left((dir.clone(), Arc::new(gathered.parse()))),
            false => Either::Right(gathered),
        }
    })
}

/// Analyzes every root among `inputs.dirs`.
///
/// Only the modules that may call another are parsed before the roots are known: the others
/// wait as bytes, so that a run of many roots never holds every module's syntax at once.
pub fn analyze(inputs: &Inputs<'_>) -> Analysis {
    let (mut modules, unparsed) = first_read(inputs);
    let calls: HashMap<PathBuf, Vec<PathBuf>> = (modules.values())
        .map(|module| (normalize(&module.dir), local_calls(module)))
        .collect();
    let called: BTreeSet<&PathBuf> = calls.values().flatten().collect();
    let is_called = |dir: &PathBuf| called.contains(&normalize(dir)) || called.contains(dir);
    let roots = roots(inputs, &calls, &is_called);
    // The modules other modules call are shared between the roots: parsed now.
    let (shared, unparsed): (Vec<_>, Vec<_>) = unparsed
        .into_iter()
        .partition(|gathered| is_called(&gathered.dir));
    let mut unparsed: HashMap<PathBuf, Gathered> = unparsed
        .into_iter()
        .map(|gathered| (gathered.dir.clone(), gathered))
        .collect();
    modules.extend(
        shared
            .into_par_iter()
            .map(|gathered| (gathered.dir.clone(), Arc::new(gathered.parse())))
            .collect::<Vec<_>>(),
    );
    // A root no module calls is used by its own analysis alone, so it leaves the shared table:
    // it is freed as soon as its root is done, its texts moved out. (The root of a cycle is
    // also called: it stays.)
    let roots: Vec<(&PathBuf, &String, Option<Read>)> = roots
        .into_iter()
        .map(|(dir, display)| {
            let own = match is_called(dir) {
                true => None,
                false => (modules.remove(dir).map(Read::Parsed))
                    .or_else(|| unparsed.remove(dir).map(Read::Unparsed)),
            };
            (dir, display, own)
        })
        .collect();
    let results: Vec<RootResult> = roots
        .into_par_iter()
        .map(|(dir, display, own)| analyze_root(dir, display, own, &modules, inputs))
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
                analysis.files.push(into_file(file.clone()));
            }
        }
    }
    analysis
}

#[derive(Default)]
struct RootResult {
    root: String,
    files: Vec<File>,
    stacks: Vec<StackOut>,
    notes: Vec<Note>,
    secrets: Vec<String>,
    instances: Vec<super::extract::PoolInstance>,
}

fn into_file(file: module::ModuleFile) -> File {
    File {
        name: file.name,
        path: file.path,
        text: file.text,
        problem: file.problem,
        comments: file.comments,
    }
}

fn analyze_root(
    dir: &Path,
    display: &str,
    own: Option<Read>,
    modules: &HashMap<PathBuf, Arc<Module>>,
    inputs: &Inputs<'_>,
) -> RootResult {
    let Some(root_module) = own
        .map(Read::into_module)
        .or_else(|| modules.get(dir).cloned())
    else {
        return RootResult {
            root: display.to_owned(),
            ..RootResult::default()
        };
    };
    let variables = root_module.automatic_variables.iter();
    let variables = read_each(variables.chain(&inputs.vars.files), inputs);
    let (root_inputs, read_vars) = vars::root_inputs(&root_module, variables, inputs.vars);
    let secrets = sensitive_values(&root_module, &root_inputs);
    let reader = |path: &Path| -> Option<Arc<Module>> {
        if path == dir {
            return Some(Arc::clone(&root_module));
        }
        match modules.get(path) {
            Some(module) => Some(Arc::clone(module)),
            None => Some(Arc::new(read_module(path, inputs))),
        }
    };
    let first_file = root_module.files.first().map(|f| f.path.as_path());
    let fallback = (inputs.fallback)(first_file, display);
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
    notes.extend(tree.notices.borrow().iter().map(|notice| {
        Note {
            file: used
                .iter()
                .find(|m| m.dir == notice.dir)
                .and_then(|m| m.files.get(notice.file))
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            span: notice.span,
            message: notice.message.clone(),
        }
    }));
    // The root's own files are moved out of its module when nothing else holds it any more.
    let mut files: Vec<File> = Vec::new();
    let mut own_at = None;
    for module in &used {
        match Arc::ptr_eq(module, &root_module) {
            true => own_at = Some(files.len()),
            false => files.extend(module.files.iter().cloned().map(into_file)),
        }
    }
    drop(used);
    drop(tree);
    if let Some(at) = own_at {
        let own: Vec<File> = match Arc::try_unwrap(root_module) {
            Ok(module) => module.files.into_iter().map(into_file).collect(),
            Err(shared) => shared.files.iter().cloned().map(into_file).collect(),
        };
        files.splice(at..at, own);
    }
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

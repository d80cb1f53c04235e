//! The parallel walk of a directory: loose candidates, the cloud assemblies met on the way,
//! links that stay inside the walked root, the run's exclusions, cancellation and bound.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;

use super::*;

const REFUSED_LINK: &str = "a symbolic link to a file outside the walked folder; not read (named \
     on its own, it is)";

/// Walks `root` on every core, collecting loose candidates and reading the cloud assemblies it
/// meets (probing each directory for a manifest happens on the walker's threads too). Pseudo
/// file systems met on the way (`/proc`, `/sys`, `/dev`) are never entered: a workspace of `/`
/// would otherwise read devices and every process's files.
pub(super) fn walk(
    root: &Path,
    cwd: Option<&Path>,
    exclude: &Exclude,
    limits: &WalkLimits,
    found: &mut Discovered,
) {
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let pseudo: Vec<PathBuf> = pseudo::mounts()
        .iter()
        .filter(|mount| mount.starts_with(&canonical_root) && **mount != canonical_root)
        .cloned()
        .collect();
    // The filter runs inside the walker, so it can only hand what it finds back through a
    // shared list: directories that are assemblies (with their manifest text) are not descended.
    let assemblies: Arc<Mutex<Vec<(PathBuf, String)>>> = Arc::default();
    let seen = Arc::clone(&assemblies);
    // Each entry is looked at once, on its own: the directories above it were already.
    let excluded = {
        let exclude = Arc::new(exclude.clone());
        let cwd = cwd.map(Path::to_path_buf);
        move |path: &Path| !exclude.is_empty() && exclude.matches_walked(path, cwd.as_deref())
    };
    let cancel = limits.cancel.clone();
    let (walk_root, real_root) = (root.to_path_buf(), canonical_root.clone());
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .threads(std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
        .filter_entry(move |entry| {
            if entry.depth() > 0 && excluded(entry.path()) {
                return false;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if entry.depth() == 0 || !is_dir {
                return true;
            }
            if cancel.is_cancelled() {
                return false;
            }
            // Links to directories are not followed, so the path under the real root is the
            // directory's real path.
            if !pseudo.is_empty()
                && let Ok(inside) = entry.path().strip_prefix(&walk_root)
                && pseudo.contains(&real_root.join(inside))
            {
                return false;
            }
            match cdk::probe(entry.path()) {
                Some(text) => {
                    lock(&seen).push((entry.path().to_path_buf(), text));
                    false
                }
                None => true,
            }
        })
        .build_parallel();
    // A link to a file is followed only when it resolves inside the walked root: a committed
    // `evil.json -> ../../outside/t.json` is not part of the tree. Broken links are skipped.
    let walked: Mutex<Walked> = Mutex::default();
    let visited = AtomicUsize::new(0);
    let limit_reached = AtomicBool::new(false);
    walker.visit(&mut WalkContext {
        shared: &walked,
        root,
        cwd,
        canonical_root: &canonical_root,
        limits,
        visited: &visited,
        limit_reached: &limit_reached,
    });
    found.limit_reached |= limit_reached.into_inner();
    let walked = walked.into_inner().unwrap_or_else(|p| p.into_inner());
    found.targets.extend(walked.targets);
    found.dirs.extend(walked.dirs);
    found.links_met |= walked.links_met;
    found.links.extend(walked.links);
    found.refused.extend(walked.refused);
    // The threads finish in any order; the problems are reported by path.
    let mut problems = walked.problems;
    problems.sort_by(|a, b| a.file.name.cmp(&b.file.name));
    found.problems.extend(problems);
    let mut assemblies = std::mem::take(&mut *lock(&assemblies));
    assemblies.sort();
    for (dir, text) in assemblies {
        cdk::read(&dir, &display(&dir, cwd), text, false, found);
    }
}

/// What the walker threads found.
#[derive(Default)]
struct Walked {
    targets: Vec<Target>,
    problems: Vec<FileProblem>,
    links: Vec<(PathBuf, PathBuf)>,
    refused: Vec<(PathBuf, &'static str)>,
    dirs: Vec<PathBuf>,
    links_met: bool,
}

/// What every walker thread shares; it makes one [`Visitor`] per thread.
#[derive(Clone, Copy)]
struct WalkContext<'a> {
    shared: &'a Mutex<Walked>,
    root: &'a Path,
    cwd: Option<&'a Path>,
    canonical_root: &'a Path,
    limits: &'a WalkLimits,
    /// Entries visited so far, by every thread.
    visited: &'a AtomicUsize,
    limit_reached: &'a AtomicBool,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for WalkContext<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor {
            mine: Walked::default(),
            context: *self,
        })
    }
}

/// One walker thread's findings, kept apart and handed over once, when the thread is done.
struct Visitor<'a> {
    mine: Walked,
    context: WalkContext<'a>,
}

impl ignore::ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, result: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        let context = self.context;
        if context.limits.cancel.is_cancelled() {
            return ignore::WalkState::Quit;
        }
        if let Some(max) = context.limits.max_entries
            && context.visited.fetch_add(1, Ordering::Relaxed) >= max
        {
            context.limit_reached.store(true, Ordering::Relaxed);
            return ignore::WalkState::Quit;
        }
        let entry = match result {
            Ok(entry) => entry,
            Err(err) => {
                (self.mine.problems).push(walk_problem(&err, self.context.root, self.context.cwd));
                return ignore::WalkState::Continue;
            }
        };
        let path = entry.path();
        let (is_file, link) = match entry.file_type() {
            Some(t) if t.is_symlink() => {
                self.mine.links_met = true;
                match crate::input::contained(path, self.context.canonical_root) {
                    Some(target) if target.is_file() => (true, Some(target)),
                    Some(_) => (false, None),
                    None => {
                        if has_candidate_extension(path) && std::fs::metadata(path).is_ok() {
                            self.mine.refused.push((path.to_path_buf(), REFUSED_LINK));
                        }
                        (false, None)
                    }
                }
            }
            Some(t) if t.is_dir() => {
                self.mine.dirs.push(path.to_path_buf());
                return ignore::WalkState::Continue;
            }
            Some(t) => (t.is_file(), None),
            None => (false, None),
        };
        // A variables file (`terraform.tfvars.json` too) is read with its module, never as a
        // template.
        let terraform = is_file && (is_terraform(path) || is_terraform_variables(path));
        let candidate = has_candidate_extension(path) || crate::serverless::is_script(path);
        if is_file && (terraform || candidate) {
            // Keyed like the files the walk meets directly: under the root as it was named.
            if let Some(target) = link
                && let Ok(inside) = target.strip_prefix(self.context.canonical_root)
            {
                let key = absolute(self.context.root, self.context.cwd).join(inside);
                self.mine.links.push((path.to_path_buf(), key));
            }
            self.mine.targets.push(Target {
                name: display(path, self.context.cwd),
                path: Some(path.to_path_buf()),
                explicit: false,
                origin: match terraform {
                    true => Origin::Terraform,
                    false => Origin::Loose,
                },
                environment: Environment::default(),
            });
        }
        ignore::WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let mut shared = lock(self.context.shared);
        shared.targets.append(&mut self.mine.targets);
        shared.problems.append(&mut self.mine.problems);
        shared.links.append(&mut self.mine.links);
        shared.refused.append(&mut self.mine.refused);
        shared.dirs.append(&mut self.mine.dirs);
        shared.links_met |= self.mine.links_met;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A directory the walk could not read (permissions, an I/O error): `ST001` against it, so an
/// unreadable subtree is never a silent pass.
pub(super) fn walk_problem(err: &ignore::Error, root: &Path, cwd: Option<&Path>) -> FileProblem {
    /// The path and the innermost cause of a walker error.
    fn parts(err: &ignore::Error) -> (Option<&Path>, String) {
        match err {
            ignore::Error::WithPath { path, err } => (Some(path), parts(err).1),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                parts(err)
            }
            ignore::Error::Partial(errs) => errs
                .first()
                .map_or((None, err.to_string()), |first| parts(first)),
            ignore::Error::Io(io) => (None, io.to_string()),
            other => (None, other.to_string()),
        }
    }
    let (path, cause) = parts(err);
    let path = path.unwrap_or(root);
    FileProblem {
        file: SourceFile::new(display(path, cwd), Some(path.to_path_buf()), ""),
        problem: LoadProblem {
            kind: crate::load::ProblemKind::Unreadable,
            span: Span::empty(0),
            message: format!("cannot read directory: {cause}"),
            related: None,
        },
    }
}

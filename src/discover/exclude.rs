//! Paths never read: `exclude` and `extend-exclude` of the config file and `--exclude`, with
//! ruff's semantics. A glob without `/` matches a file or directory name at any depth
//! (`node_modules`, `*.generated.json`); a glob with `/` matches a path relative to its base
//! (the config file's directory, or the current directory for `--exclude`). An excluded
//! directory is not walked, and an excluded path is skipped even when named on the command line
//! (as ruff does with `force-exclude`, so a pre-commit hook handing over staged files obeys it).

use std::path::{Path, PathBuf};

use globset::GlobMatcher;

/// What a run excludes when neither the config file's `exclude` nor `--exclude` says otherwise:
/// installed npm packages, whose JSON files are never the project's templates.
pub const DEFAULT_EXCLUDE: &[&str] = &["node_modules"];

/// One glob with the directory its `/` patterns are relative to.
#[derive(Clone, Debug)]
struct Pattern {
    text: String,
    matcher: GlobMatcher,
    /// Absolute, without `.` components.
    base: PathBuf,
    /// Matched against names: the glob has no `/`.
    names: bool,
    /// The name itself, when the glob is one with nothing a glob reads as a pattern
    /// (`node_modules`, the default): matched by comparing.
    plain: Option<String>,
}

/// The compiled exclusions of a run.
#[derive(Clone, Debug, Default)]
pub struct Exclude {
    patterns: Vec<Pattern>,
}

impl PartialEq for Exclude {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Exclude {
    /// What decides what this excludes: each glob with its base.
    pub fn key(&self) -> Vec<(String, PathBuf)> {
        (self.patterns.iter())
            .map(|p| (p.text.clone(), p.base.clone()))
            .collect()
    }

    /// Excludes nothing.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds `glob` (compiled as `matcher`), relative to `base` (absolute). A trailing `/`
    /// (`legacy/`, a directory as gitignore writes it) is matched without it.
    pub fn push(&mut self, glob: &str, matcher: GlobMatcher, base: &Path) {
        let text = glob.strip_prefix("./").unwrap_or(glob).to_owned();
        let trimmed = text.trim_end_matches('/');
        let matcher = if trimmed.len() < text.len() {
            crate::config::compile_glob(trimmed).unwrap_or(matcher)
        } else {
            matcher
        };
        const SPECIAL: &[char] = &['*', '?', '[', ']', '{', '}', '\\', '/'];
        let plain = (!trimmed.is_empty() && !trimmed.contains(SPECIAL)).then(|| trimmed.to_owned());
        self.patterns.push(Pattern {
            plain,
            names: !trimmed.contains('/'),
            text,
            matcher,
            base: super::absolute(base, None),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `path` itself (absolute, without `.` components) is excluded: its name matches a
    /// glob without `/`, or its path below a glob's base matches a glob with one.
    pub fn matches(&self, path: &Path) -> bool {
        let name = path.file_name().map(|n| n.to_string_lossy());
        self.patterns.iter().any(|p| {
            if p.names {
                return name
                    .as_deref()
                    .is_some_and(|n| p.matcher.is_match(n.trim_end_matches('/')));
            }
            path.strip_prefix(&p.base).is_ok_and(|relative| {
                !relative.as_os_str().is_empty()
                    && p.matcher
                        .is_match(relative.to_string_lossy().replace('\\', "/"))
            })
        })
    }

    /// [`Exclude::matches`] for a path as a walk yields it (relative to `cwd`, or absolute),
    /// making it absolute only when a glob with `/` needs it.
    pub fn matches_walked(&self, path: &Path, cwd: Option<&Path>) -> bool {
        if self.plain_names() {
            let name = path.file_name().map(|n| n.to_string_lossy());
            return name.is_some_and(|name| self.is_plain_name(&name));
        }
        if self.patterns.iter().all(|p| p.names) {
            let name = path.file_name().map(|n| n.to_string_lossy());
            return name.is_some_and(|n| self.patterns.iter().any(|p| p.matcher.is_match(&*n)));
        }
        self.matches(&super::absolute(path, cwd))
    }

    /// Whether `path` (as named, relative to `cwd` or absolute) is excluded, or lies in an
    /// excluded directory: the path and each directory above it are looked at, up to where it
    /// meets `cwd`'s ancestors (a run started inside `node_modules` still reads it).
    pub fn excludes(&self, path: &Path, cwd: &Path) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let absolute = super::absolute(path, Some(cwd));
        let cwd = super::absolute(cwd, None);
        absolute
            .ancestors()
            .take_while(|a| !cwd.starts_with(a))
            .any(|a| self.matches(a))
    }

    /// [`Exclude::excludes`] of each of `paths`, each directory above them looked at once
    /// however many of the paths it holds (a walk's thousands of files share a few hundred).
    /// Paths are compared as their bytes once made absolute (`absolute` leaves them in one
    /// form), which costs a fraction of comparing their components.
    pub fn excludes_each<'a>(
        &self,
        paths: impl Iterator<Item = &'a Path>,
        cwd: &Path,
    ) -> Vec<bool> {
        use std::collections::{HashMap, HashSet};
        use std::ffi::OsString;
        if self.patterns.is_empty() {
            return paths.map(|_| false).collect();
        }
        if self.plain_names() {
            return paths
                .map(|path| {
                    self.plain_name_in(path, cwd)
                        .unwrap_or_else(|| self.excludes(path, cwd))
                })
                .collect();
        }
        let cwd = super::absolute(cwd, None);
        let above: HashSet<&std::ffi::OsStr> = cwd.ancestors().map(Path::as_os_str).collect();
        let mut directories: HashMap<OsString, bool> = HashMap::new();
        paths
            .map(|path| {
                let absolute = super::absolute(path, Some(&cwd));
                if above.contains(absolute.as_os_str()) {
                    return false;
                }
                if self.matches(&absolute) {
                    return true;
                }
                let mut pending = Vec::new();
                let mut verdict = false;
                for dir in absolute.ancestors().skip(1) {
                    if above.contains(dir.as_os_str()) {
                        break;
                    }
                    if let Some(known) = directories.get(dir.as_os_str()) {
                        verdict = *known;
                        break;
                    }
                    pending.push(dir);
                    if self.matches(dir) {
                        verdict = true;
                        break;
                    }
                }
                // Every directory met on the way is excluded exactly when one above it (or
                // itself, the last) is.
                for dir in pending {
                    directories.insert(dir.as_os_str().to_owned(), verdict);
                }
                verdict
            })
            .collect()
    }
}

impl Exclude {
    /// Whether every glob is a plain name (`node_modules`, the default).
    fn plain_names(&self) -> bool {
        self.patterns.iter().all(|p| p.plain.is_some())
    }

    fn is_plain_name(&self, name: &str) -> bool {
        self.patterns
            .iter()
            .any(|p| p.plain.as_deref() == Some(name))
    }

    /// [`Exclude::excludes`] when every glob is a plain name and `path` lies below `cwd`
    /// (relative without `..`, or absolute under it): then the directories looked at are
    /// exactly its components, and one of them must be one of the names. `None` for any other
    /// path.
    fn plain_name_in(&self, path: &Path, cwd: &Path) -> Option<bool> {
        let below = if path.is_absolute() {
            path.strip_prefix(cwd).ok()?
        } else {
            path
        };
        self.plain_names_below(below)
    }

    /// [`Exclude::is_plain_name`] of a name as bytes: an ASCII name compared byte for byte,
    /// any other one as the text `to_string_lossy` makes of it.
    fn is_plain_name_bytes(&self, name: &[u8]) -> bool {
        if name.is_ascii() {
            return (self.patterns.iter())
                .any(|p| p.plain.as_deref().map(str::as_bytes) == Some(name));
        }
        self.is_plain_name(&String::from_utf8_lossy(name))
    }

    /// Whether one of the directory and file names of `below` (a relative path) is a plain
    /// name; `None` when it climbs (`..`) or is not relative. On Unix the names are found
    /// between the path's `/` bytes: its components without `Path`'s parsing of each one,
    /// which a walk's thousands of paths pay for (empty names and `.` are no names, as
    /// `Path::components` skips them).
    fn plain_names_below(&self, below: &Path) -> Option<bool> {
        let mut excluded = false;
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let bytes = below.as_os_str().as_bytes();
            if bytes.first() == Some(&b'/') {
                return None;
            }
            for name in bytes.split(|&b| b == b'/') {
                match name {
                    b"" | b"." => {}
                    b".." => return None,
                    name => excluded |= self.is_plain_name_bytes(name),
                }
            }
        }
        #[cfg(not(unix))]
        for component in below.components() {
            use std::path::Component;
            match component {
                Component::CurDir => {}
                // Made text as before, so that a name that is not Unicode compares the same.
                Component::Normal(name) => excluded |= self.is_plain_name(&name.to_string_lossy()),
                _ => return None,
            }
        }
        Some(excluded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_glob;

    fn exclude(globs: &[(&str, &str)]) -> Exclude {
        let mut e = Exclude::none();
        for (glob, base) in globs {
            e.push(glob, compile_glob(glob).unwrap(), Path::new(base));
        }
        e
    }

    /// `excludes_each` says of every path what `excludes` says of it, in any order and
    /// whatever directories the paths share.
    #[test]
    fn excludes_each_agrees_with_excludes() {
        let e = exclude(&[
            ("node_modules", "/repo"),
            ("legacy/", "/repo"),
            ("a/b/*.yaml", "/repo"),
        ]);
        let paths: Vec<&Path> = [
            "x/node_modules/t.yaml",
            "x/node_modules/deep/t.yaml",
            "x/t.yaml",
            "/repo/legacy/t.yaml",
            "./a/b/c.yaml",
            "a/b/c/d.yaml",
            "../repo/a/b/c.yaml",
            "/elsewhere/node_modules/t.yaml",
            "/repo",
            "/",
            "legacy",
            "x/node_modules",
        ]
        .into_iter()
        .map(Path::new)
        .collect();
        // Plain names (the default) take a path of their own.
        let names = exclude(&[("node_modules", "/repo"), ("legacy/", "/repo")]);
        assert!(names.plain_names() && !e.plain_names());
        let mut paths = paths;
        paths.extend(
            [
                "/repo/x/node_modules/t.yaml",
                "/repo/legacy",
                "./legacy/t.yaml",
            ]
            .map(Path::new),
        );
        for e in [&e, &names] {
            for cwd in [
                "/repo",
                "/repo/x/node_modules",
                "/repo/legacy/inner",
                "/",
                "/repo/x",
            ] {
                let cwd = Path::new(cwd);
                let each = e.excludes_each(paths.iter().copied(), cwd);
                let one: Vec<bool> = paths.iter().map(|p| e.excludes(p, cwd)).collect();
                assert_eq!(each, one, "from {cwd:?}");
            }
        }
    }

    /// The names of a relative path, found between its `/` bytes, are those
    /// `Path::components` finds, whatever the separators, `.` and `..` around them.
    #[test]
    fn plain_names_are_the_components_names() {
        use proptest::prelude::*;
        fn by_components(below: &Path, plain: impl Fn(&str) -> bool) -> Option<bool> {
            use std::path::Component;
            let mut excluded = false;
            for component in below.components() {
                match component {
                    Component::CurDir => {}
                    Component::Normal(name) => excluded |= plain(&name.to_string_lossy()),
                    _ => return None,
                }
            }
            Some(excluded)
        }
        let e = exclude(&[
            ("node_modules", "/repo"),
            ("legacy", "/repo"),
            ("é", "/repo"),
        ]);
        let piece = prop::sample::select(vec![
            "",
            ".",
            "..",
            "node_modules",
            "node_modules.",
            "a",
            "legacy",
            "é",
            "x y",
        ]);
        let separator = prop::sample::select(vec!["/", "//", "/./"]);
        let path = (
            prop::sample::select(vec!["", "./", "/", "../"]),
            prop::collection::vec((piece, separator), 0..6),
            prop::sample::select(vec!["", "/", "/."]),
        )
            .prop_map(|(start, parts, end)| {
                let mut path = start.to_owned();
                for (piece, separator) in parts {
                    path.push_str(piece);
                    path.push_str(separator);
                }
                path.push_str(end);
                path
            });
        proptest!(|(path in path)| {
            let path = Path::new(&path);
            prop_assert_eq!(
                e.plain_names_below(path),
                by_components(path, |name| e.is_plain_name(name)),
                "{:?}",
                path
            );
        });
    }

    #[test]
    fn a_glob_without_a_slash_matches_names_at_any_depth() {
        let e = exclude(&[("node_modules", "/repo"), ("*.generated.json", "/repo")]);
        assert!(e.matches(Path::new("/repo/node_modules")));
        assert!(e.matches(Path::new("/repo/app/node_modules")));
        assert!(e.matches(Path::new("/repo/infra/a.generated.json")));
        assert!(!e.matches(Path::new("/repo/infra/a.json")));
        assert!(!e.matches(Path::new("/repo/node_modules_x")));
    }

    #[test]
    fn a_glob_with_a_slash_is_relative_to_its_base() {
        let e = exclude(&[("legacy/*.yaml", "/repo"), ("./infra/old/**", "/repo")]);
        assert!(e.matches(Path::new("/repo/legacy/a.yaml")));
        assert!(
            !e.matches(Path::new("/repo/legacy/deep/a.yaml")),
            "`*` stays in one directory"
        );
        assert!(!e.matches(Path::new("/repo/app/legacy/a.yaml")));
        assert!(!e.matches(Path::new("/elsewhere/legacy/a.yaml")));
        assert!(e.matches(Path::new("/repo/infra/old/x/y.json")));
    }

    #[test]
    fn a_trailing_slash_names_the_directory() {
        let e = exclude(&[("legacy/", "/repo"), ("infra/old/", "/repo")]);
        assert!(e.matches(Path::new("/repo/app/legacy")));
        assert!(e.matches(Path::new("/repo/infra/old")));
        assert!(e.matches_walked(Path::new("app/legacy"), Some(Path::new("/repo"))));
        let names = exclude(&[("node_modules", "/repo")]);
        assert!(names.matches_walked(Path::new("./a/node_modules"), None));
        assert!(!names.matches_walked(Path::new("./a/src"), None));
    }

    #[test]
    fn a_named_path_inside_an_excluded_directory_is_excluded() {
        let e = exclude(&[("node_modules", "/repo"), ("legacy", "/repo")]);
        let cwd = Path::new("/repo");
        assert!(e.excludes(Path::new("node_modules/pkg/t.json"), cwd));
        assert!(e.excludes(Path::new("./legacy/a.yaml"), cwd));
        assert!(e.excludes(Path::new("/repo/legacy"), cwd));
        assert!(!e.excludes(Path::new("infra/a.yaml"), cwd));
        // A run started inside an excluded directory reads it: only what lies below the
        // current directory is looked at.
        assert!(!e.excludes(Path::new("t.json"), Path::new("/repo/node_modules/pkg")));
        assert!(!Exclude::none().excludes(Path::new("node_modules/x.json"), cwd));
    }
}

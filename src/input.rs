//! Reading what sandtrap is given: one bounded reader for every file and stream, and the
//! containment of symbolic links that a repository can commit.
//!
//! Templates, manifests and standard input may be large; configuration, rule and parameter
//! files are small. Both go through [`read_bounded`], so no input is read without a bound, and
//! no file is opened before it is known to be a regular file (opening a FIFO or a character
//! device for reading can block forever).

use std::io::{Error, ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The largest template, manifest or standard input read. CloudFormation accepts templates up
/// to 1 MB (from S3); the bound only keeps a stray disk image or log named `*.json` (or
/// `/dev/zero` on standard input) from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 128 << 20;

/// The largest configuration, rule or parameter file read. These are written by hand (a
/// CloudFormation stack takes at most 200 parameters of 4 KB each).
pub const MAX_SETTINGS_BYTES: u64 = 4 << 20;

/// Reads `reader` to its end, or fails with `FileTooLarge` past `limit` bytes without reading
/// more than one byte beyond it. The one place where sandtrap reads input.
pub fn read_bounded(reader: &mut dyn Read, limit: u64) -> std::io::Result<Vec<u8>> {
    read_sized(reader, limit, 0)
}

/// [`read_bounded`] into a buffer sized for `expected` bytes (a file's length), so a file that
/// did not change since it was measured is read in one call and one more that finds its end.
fn read_sized(reader: &mut dyn Read, limit: u64, expected: u64) -> std::io::Result<Vec<u8>> {
    let capacity = usize::try_from(expected.min(limit).saturating_add(1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

fn too_large(limit: u64) -> Error {
    let size = if limit >= 1 << 20 {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{limit} bytes")
    };
    Error::new(ErrorKind::FileTooLarge, format!("larger than {size}"))
}

/// Reads a regular file of at most `limit` bytes (following symbolic links). Anything else is
/// refused before it is opened: "not a regular file" (`InvalidInput`), or `FileTooLarge`.
pub fn read_file(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    if metadata.len() > limit {
        return Err(too_large(limit));
    }
    // The file may have grown since it was measured: the read is bounded too.
    read_sized(&mut std::fs::File::open(path)?, limit, metadata.len())
}

/// A template or manifest: [`read_file`] bounded by [`MAX_FILE_BYTES`].
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    read_file(path, MAX_FILE_BYTES)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_string(path: &Path) -> std::io::Result<String> {
    utf8(read_regular(path)?)
}

fn utf8(bytes: Vec<u8>) -> std::io::Result<String> {
    String::from_utf8(bytes).map_err(|_| Error::new(ErrorKind::InvalidData, "not UTF-8 text"))
}

/// A configuration, rule or parameter file, as UTF-8 text of at most [`MAX_SETTINGS_BYTES`].
///
/// Git stores symbolic links, so a pull request can commit `.sandtrap.yaml -> ~/.aws/credentials`
/// and have a CI job read (and, through an error message, print) any file the job can read. A
/// symbolic link is therefore followed only when its target lies inside the link's own
/// directory or inside `project` (the run's directory); anything else is refused unopened
/// (`PermissionDenied`).
pub fn read_settings(path: &Path, project: &Path) -> std::io::Result<String> {
    if !stays_inside(path, project) {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            "a symbolic link to a file outside the project; refused",
        ));
    }
    utf8(read_file(path, MAX_SETTINGS_BYTES)?)
}

/// Whether `path` is not a symbolic link, or is one whose target lies inside its own directory
/// or inside `project`. A path that cannot be resolved is left for the read to report.
fn stays_inside(path: &Path, project: &Path) -> bool {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return true;
    }
    let Ok(target) = std::fs::canonicalize(path) else {
        return true;
    };
    let own_dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    [own_dir, project]
        .into_iter()
        .any(|root| within(&target, root))
}

/// Whether the canonical `target` lies inside `root` (resolved the same way).
pub fn within(target: &Path, root: &Path) -> bool {
    std::fs::canonicalize(root).is_ok_and(|root| target.starts_with(root))
}

/// The canonical path of `path` when it resolves to something inside the canonical `root`.
pub fn contained(path: &Path, root: &Path) -> Option<PathBuf> {
    let canonical = std::fs::canonicalize(path).ok()?;
    canonical.starts_with(root).then_some(canonical)
}

/// What went wrong in a YAML settings file, in the user's terms: the error kinds of
/// `serde-saphyr` that name its own machinery (budgets, weak recursion types) are said as what
/// the file does, without the location (the caller shows it) and without quoting the file.
pub fn yaml_problem(error: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    match error {
        E::WithSnippet { error, .. } => yaml_problem(error),
        E::AliasError { error, .. } => yaml_problem(error),
        E::Budget { breach, .. } => {
            let budget = serde_saphyr::Budget::default();
            let what = match breach {
                B::Nodes { .. } => format!("more than {} values", grouped(budget.max_nodes)),
                B::Events { .. } => {
                    format!("more than {} YAML events", grouped(budget.max_events))
                }
                B::Depth { .. } => format!("nested deeper than {} levels", budget.max_depth),
                B::Aliases { .. } => format!("more than {} aliases", grouped(budget.max_aliases)),
                B::Anchors { .. } => format!("more than {} anchors", grouped(budget.max_anchors)),
                B::AliasAnchorRatio { .. } => "far more aliases than anchors".to_owned(),
                B::Documents { .. } => "too many YAML documents".to_owned(),
                B::ScalarBytes { .. } | B::InputBytes { .. } => "too much text".to_owned(),
                _ => "too many aliases, anchors or merge keys".to_owned(),
            };
            format!("the file is too large or too complex for a settings file: {what}")
        }
        E::RecursiveReferencesRequireWeakTypes { .. } => {
            "an alias refers to the anchor that contains it; settings cannot be recursive".into()
        }
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => {
            "aliases expand to too much data; write the values out".to_owned()
        }
        E::UnknownAnchor { .. } => "an alias refers to an anchor that is not defined".to_owned(),
        E::MultipleDocuments { .. } => {
            "more than one YAML document (`---`); a settings file is one document".to_owned()
        }
        E::Unexpected { expected, .. } => {
            let expected = match *expected {
                "sequence start" => "a list",
                "mapping start" => "a mapping",
                "scalar" | "string scalar" | "str expected" | "missing string" => "a single value",
                other => other,
            };
            format!("expected {expected} here")
        }
        E::Eof { .. } => "the file ends in the middle of a value".to_owned(),
        E::InvalidUtf8Input => "the file is not UTF-8 text".to_owned(),
        other => {
            // The rest are serde's and the parser's own sentences, which read well; the
            // location is shown separately.
            let message = other.to_string();
            match message.rfind(" at line ") {
                Some(i) => message.get(..i).unwrap_or(&message).to_owned(),
                None => message,
            }
        }
    }
}

/// `250000` as `250,000`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A settings file as a diagnostic may show it: keys, section headers and layout kept, every
/// value and comment masked byte for byte (so spans and lines stay where they were). A SAM
/// `parameter_overrides` line holds secrets; nothing after a line's first `=` or `:` is shown.
pub fn masked_settings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let keep = if trimmed.starts_with('[') && !trimmed.starts_with("[[") {
            // A TOML table header, up to its closing bracket.
            line.find(']').map_or(0, |i| i + 1)
        } else {
            line.find(['=', ':', '#'])
                .map_or(0, |i| if line[i..].starts_with('#') { i } else { i + 1 })
        };
        out.push_str(&line[..keep]);
        for c in line[keep..].chars() {
            match c {
                '\n' | '\r' | ' ' | '\t' => out.push(c),
                other => out.extend(std::iter::repeat_n('*', other.len_utf8())),
            }
        }
    }
    out
}

/// Whether `text` is empty or a YAML mapping with at least one of `keys`: text of the expected
/// shape (perhaps with a misspelt key), which an error message may quote. Anything else (a
/// credentials file, an environment dump, a mapping of something else) is described, never
/// shown. Text that is not YAML at all is the parser's error.
pub fn yaml_shape(text: &str, keys: &[&str]) -> Result<bool, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        with_snippet: false,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
    };
    let _: serde::de::IgnoredAny = serde_saphyr::from_str_with_options(text, options.clone())?;
    let top: Result<Option<std::collections::BTreeMap<String, serde::de::IgnoredAny>>, _> =
        serde_saphyr::from_str_with_options(text, options);
    Ok(top.is_ok_and(|top| {
        top.is_none_or(|map| map.is_empty() || map.keys().any(|k| keys.contains(&k.as_str())))
    }))
}

/// What to say of text that is not of the expected shape (see [`yaml_shape`]), after `error`
/// from reading it as the expected type: where, and what kind of text it is, never a quotation
/// (not even of a key or value, which may be a secret). Returns (`:LINE:COLUMN`, problem).
pub fn unquoted_yaml_problem(
    shape: &Result<bool, serde_saphyr::Error>,
    error: &serde_saphyr::Error,
    expected: &str,
) -> (String, String) {
    let (located, problem) = match shape {
        Err(syntax) => (syntax, format!("not valid YAML: {}", yaml_problem(syntax))),
        Ok(_) => (
            error,
            format!("its top level is not a mapping of {expected}"),
        ),
    };
    let at = located.location().map_or_else(String::new, |loc| {
        format!(":{}:{}", loc.line(), loc.column())
    });
    (at, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_settings_keep_keys_and_positions_and_nothing_else() {
        let text = "version = 0.1\n[default.deploy.parameters]\nparameter_overrides = \"Secret=hünter2\n# token abc\n";
        let masked = masked_settings(text);
        assert_eq!(masked.len(), text.len());
        assert!(masked.contains("[default.deploy.parameters]"));
        assert!(masked.contains("parameter_overrides ="));
        assert!(!masked.contains("Secret") && !masked.contains("nter2") && !masked.contains("abc"));
        assert_eq!(masked.lines().count(), text.lines().count());
    }

    #[test]
    fn reads_are_bounded() {
        let mut endless = std::io::repeat(b'a');
        let err = read_bounded(&mut endless, 1000).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "larger than 1000 bytes");
        let mut short: &[u8] = b"abc";
        assert_eq!(read_bounded(&mut short, 3).unwrap(), b"abc");
        let mut endless = std::io::repeat(0);
        let err = read_bounded(&mut endless, MAX_SETTINGS_BYTES).unwrap_err();
        assert_eq!(err.to_string(), "larger than 4 MiB");
    }

    fn yaml_error(text: &str) -> serde_saphyr::Error {
        serde_saphyr::from_str::<std::collections::BTreeMap<String, Vec<String>>>(text).unwrap_err()
    }

    #[test]
    fn yaml_problems_are_said_in_the_users_terms() {
        let many = format!("a:\n{}", "  - x\n".repeat(260_000));
        assert_eq!(
            yaml_problem(&yaml_error(&many)),
            "the file is too large or too complex for a settings file: more than 250,000 values"
        );
        assert_eq!(
            yaml_problem(&yaml_error("a: &x\n  - *x\n")),
            "an alias refers to the anchor that contains it; settings cannot be recursive"
        );
        assert_eq!(yaml_problem(&yaml_error("a: b\n")), "expected a list here");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(999), "999");
    }

    #[test]
    fn only_text_of_the_expected_shape_may_be_quoted() {
        let keys = ["ses", "stacks"];
        let shape = |text: &str| yaml_shape(text, &keys).ok();
        assert_eq!(shape("ses: {}\nstacks: []\n"), Some(true));
        assert_eq!(shape("# nothing\n"), Some(true));
        assert_eq!(shape("{}"), Some(true));
        assert_eq!(shape("ses: 1\nses: 2\n"), Some(true));
        assert_eq!(shape("ses: {}\nsess: 1\n"), Some(true));
        assert_eq!(shape("password: hunter2\n"), Some(false));
        assert_eq!(shape("- ses\n"), Some(false));
        assert_eq!(shape("[default]\nkey = hunter2\n"), None);
        assert_eq!(shape("A=hunter2\0B=x\0"), None);
    }

    #[cfg(unix)]
    #[test]
    fn settings_links_stay_inside() {
        let outside = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "key: TopSecret\n").unwrap();
        std::fs::write(project.path().join("real.yaml"), "ses: {}\n").unwrap();
        let link = project.path().join("link.yaml");
        std::os::unix::fs::symlink(outside.path().join("secret"), &link).unwrap();
        let err = read_settings(&link, project.path()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        // Inside the link's own directory, or inside the project: followed.
        let inner = project.path().join("inner.yaml");
        std::os::unix::fs::symlink("real.yaml", &inner).unwrap();
        assert_eq!(read_settings(&inner, outside.path()).unwrap(), "ses: {}\n");
        std::fs::create_dir(project.path().join("sub")).unwrap();
        let up = project.path().join("sub/up.yaml");
        std::os::unix::fs::symlink("../real.yaml", &up).unwrap();
        assert!(read_settings(&up, outside.path()).is_err());
        assert!(read_settings(&up, project.path()).is_ok());
    }
}

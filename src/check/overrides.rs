//! Editor buffers that replace files on disk (`CheckOptions::overrides`, from the language
//! server): which file a buffer stands for, and buffers no discovery walked.

use super::CheckOptions;
use crate::discover::{self, Origin, Target};

/// Open buffers that no path discovery walked (a new file, an ignored one) are analyzed too.
pub(super) fn add_unlisted_overrides(
    options: &CheckOptions,
    discovered: &mut discover::Discovered,
) {
    for path in options.overrides.keys() {
        let listed = discovered
            .targets
            .iter()
            .filter_map(|t| t.path.as_deref())
            .filter(|p| p.file_name() == path.file_name())
            .any(|p| same_file(p, path));
        if !listed {
            // Named as the walk names the files beside it.
            discovered.targets.push(Target {
                name: discover::display(path, Some(&options.cwd)),
                path: Some(path.clone()),
                explicit: false,
                origin: match discover::is_terraform(path) {
                    true => Origin::Terraform,
                    false => Origin::Loose,
                },
                environment: discover::Environment::default(),
            });
        }
    }
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The override of `path`, by exact path first (the usual case), then by canonical path.
pub(super) fn override_for<'a>(
    options: &'a CheckOptions,
    path: &std::path::Path,
) -> Option<&'a String> {
    if options.overrides.is_empty() {
        return None;
    }
    if !discover::may_share_a_name(path, options.overrides.keys()) {
        return None;
    }
    if let Some(text) = options.overrides.get(path) {
        return Some(text);
    }
    // Only a file of the same name can be the same file under another spelling (a symlinked
    // directory); comparing names first keeps the system calls off the common path.
    options
        .overrides
        .iter()
        .filter(|(p, _)| p.file_name() == path.file_name())
        .find(|(p, _)| same_file(p, path))
        .map(|(_, text)| text)
}

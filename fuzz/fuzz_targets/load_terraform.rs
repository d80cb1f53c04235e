//! Fuzzes the Terraform front end: the input (after a selector byte) is a module's one file,
//! native syntax (`main.tf`) or JSON (`main.tf.json`). It is read as a module (parsed, its
//! declarations collected; a problem's span must lie inside the text), and, for half the
//! selectors, written into a module directory and checked whole (`check::run`: evaluation,
//! instances, extraction, the rules), with or without a region.
#![no_main]

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sandtrap::check::{self, CheckOptions};
use sandtrap::terraform::module;

/// The module directory of the whole runs.
fn root() -> Option<&'static PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().ok().map(|d| d.keep()))
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let name = if selector & 1 == 0 {
        "main.tf"
    } else {
        "main.tf.json"
    };
    let dir = PathBuf::from("/nonexistent");
    let read = module::read(
        &dir,
        vec![(name.to_owned(), dir.join(name), Ok(rest.to_vec()))],
    );
    for file in &read.files {
        if let Some(problem) = &file.problem {
            let end = problem.span.end as usize;
            assert!(
                end <= file.text.len().max(rest.len()),
                "a problem past the end: {problem:?}"
            );
        }
    }
    if selector & 2 == 0 {
        return;
    }
    let Some(root) = root() else {
        return;
    };
    for stale in ["main.tf", "main.tf.json"] {
        let _ = fs::remove_file(root.join(stale));
    }
    if fs::write(root.join(name), rest).is_err() {
        return;
    }
    let options = CheckOptions {
        paths: vec![root.clone()],
        cwd: root.clone(),
        region: (selector & 4 != 0).then(|| "us-west-2".to_owned()),
        ses_sandbox: vec!["us-west-2".to_owned()],
        ..CheckOptions::default()
    };
    let _ = check::run(&options);
});

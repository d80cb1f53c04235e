//! Embeds every `rules/*.yaml` file as the built-in rule catalog, and sets where the
//! documentation site is published (`SANDTRAP_DOCS_URL`, which the release sets).

#![allow(clippy::print_stdout)] // cargo reads a build script's instructions from its stdout

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=rules");
    docs_url()?;
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("rules");
    let mut files = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "yaml") && path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();

    let mut table = String::from(
        "/// (file name, text) of every built-in rule, sorted by file name.\n\
         pub(super) static RULES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| format!("rule file name is not UTF-8: {}", path.display()))?;
        let full = path
            .to_str()
            .ok_or_else(|| format!("rule path is not UTF-8: {}", path.display()))?;
        writeln!(table, "    ({name:?}, include_str!({full:?})),")?;
    }
    table.push_str("];\n");

    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("builtin_rules.rs");
    std::fs::write(out, table)?;
    Ok(())
}

/// `SANDTRAP_DOCS_URL` at build time, else the default: every diagnostic's `url` starts with
/// it. It must be an `https://` (or, for a local build of the site, `http://` or `file://`)
/// URL ending in `/`.
fn docs_url() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-env-changed=SANDTRAP_DOCS_URL");
    let url = std::env::var("SANDTRAP_DOCS_URL").unwrap_or_else(|_| "https://sandtrap.dev/".into());
    let scheme_ok = ["https://", "http://", "file://"]
        .iter()
        .any(|s| url.starts_with(s));
    if !scheme_ok || !url.ends_with('/') {
        return Err(format!(
            "SANDTRAP_DOCS_URL must be an https:// URL ending in `/`, got `{url}`"
        )
        .into());
    }
    println!("cargo:rustc-env=SANDTRAP_DOCS_URL={url}");
    Ok(())
}

//! Embeds every `rules/*.yaml` file as the built-in rule catalog, and sets where the
//! documentation site is published (`SANDTRAP_DOCS_URL`, else the Pages address of Cargo.toml's
//! `repository`).

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

/// `SANDTRAP_DOCS_URL` at build time, else the GitHub Pages address of Cargo.toml's
/// `repository` (`https://github.com/OWNER/REPO` is published at `https://OWNER.github.io/REPO/`,
/// where `.github/workflows/pages.yml` puts the site): every diagnostic's `url` starts with it.
/// It must be an `https://` (or, for a local build of the site, `http://` or `file://`) URL
/// ending in `/`.
fn docs_url() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-env-changed=SANDTRAP_DOCS_URL");
    // `repository` comes from the manifest.
    println!("cargo:rerun-if-changed=Cargo.toml");
    let url = match std::env::var("SANDTRAP_DOCS_URL") {
        Ok(url) => url,
        Err(_) => pages_url(&std::env::var("CARGO_PKG_REPOSITORY")?)?,
    };
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

/// The GitHub Pages address of a GitHub repository's project site.
fn pages_url(repository: &str) -> Result<String, Box<dyn Error>> {
    let path = repository
        .strip_prefix("https://github.com/")
        .ok_or_else(|| {
            format!("Cargo.toml `repository` is not a GitHub address: `{repository}`")
        })?;
    match path.trim_end_matches('/').split('/').collect::<Vec<_>>()[..] {
        [owner, repo] if !owner.is_empty() && !repo.is_empty() => Ok(format!(
            "https://{}.github.io/{repo}/",
            owner.to_ascii_lowercase()
        )),
        _ => Err(format!("Cargo.toml `repository` is not OWNER/REPO: `{repository}`").into()),
    }
}

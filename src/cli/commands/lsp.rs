//! `sandtrap lsp`: the language server over standard input and output.

use std::io;
use std::path::PathBuf;

use super::super::{Exit, Io};
use crate::lsp::{ServerOptions, StartCache};

pub(in crate::cli) fn lsp(
    no_cache: bool,
    cache_dir: Option<PathBuf>,
    io: Io<'_>,
) -> io::Result<Exit> {
    let start_cache = match (no_cache, cache_dir) {
        (true, _) => StartCache::Off,
        (false, Some(dir)) => StartCache::At(dir),
        (false, None) => StartCache::Workspace,
    };
    let options = ServerOptions {
        start_cache,
        ..ServerOptions::default()
    };
    let clean = crate::lsp::serve_stdio(options, io.stdout, io.stderr)?;
    Ok(if clean { Exit::Clean } else { Exit::Findings })
}

//! `sandtrap lsp`: the language server over standard input and output.

use std::io;

use super::super::{Exit, Io};

pub(in crate::cli) fn lsp(io: Io<'_>) -> io::Result<Exit> {
    let clean =
        crate::lsp::serve_stdio(crate::lsp::ServerOptions::default(), io.stdout, io.stderr)?;
    Ok(if clean { Exit::Clean } else { Exit::Findings })
}

//! One file per command of the command line.

pub(super) mod check;
pub(super) mod facts;
pub(super) mod lsp;
pub(super) mod man;
pub(super) mod map;
pub(super) mod rules;

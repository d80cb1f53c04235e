//! The one integration-test binary: each module is one area of the contract.

// Test helpers panic on broken fixtures by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cache;
mod cli;
mod corpus;
mod docs;
mod formats;
mod hostile;
mod installs;
mod integrations;
mod live;
mod lsp;
mod map;
mod parse;
mod resolve;
mod rules;
mod serverless;
mod site;
mod support;
mod terraform;
mod trust;
mod versions;

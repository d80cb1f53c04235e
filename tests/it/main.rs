//! The one integration-test binary: each module is one area of the contract.

mod cli;
mod parse;
mod resolve;
mod rules;
mod support;

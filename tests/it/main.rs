//! The one integration-test binary: each module is one area of the contract.

mod parse;
mod resolve;

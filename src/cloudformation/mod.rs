//! The CloudFormation front end (templates in YAML and JSON, SAM, CDK cloud assemblies): a
//! loaded template ([`crate::load`]) resolved for its stack ([`resolve`]: intrinsic functions,
//! conditions as variants, parameters, pseudo parameters) and its senders, identities,
//! configuration sets and trigger functions extracted ([`extract`], [`trigger`]) into the facts
//! every front end gives. The Terraform front end is its sibling, `crate::terraform`.

pub mod extract;
pub mod foreach;
pub mod resolve;
pub mod trigger;

pub use extract::extract;

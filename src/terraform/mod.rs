//! The Terraform and OpenTofu front end: modules read from source, evaluated like Terraform with
//! unknown as a state, and their pools, identities and configuration sets extracted into the same
//! facts the CloudFormation front end gives.
//!
//! - `syntax.rs`: native (`hcl-edit`) and JSON syntax as one spanned tree;
//! - `module.rs`: a module directory's declarations;
//! - `eval.rs`, `functions.rs`: expressions, with unknown values and conditional choices;
//! - `instance.rs`: module instances (inputs, locals, providers, resources, calls);
//! - `extract.rs`: the facts, through the property table's Terraform paths.

pub mod eval;
pub mod extract;
pub mod functions;
pub mod instance;
pub mod module;
pub mod run;
pub mod syntax;
pub mod trigger;
pub mod vars;

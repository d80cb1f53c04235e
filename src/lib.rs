//! sandtrap: finds Cognito user pools whose email through Amazon SES will fail, in CloudFormation
//! templates and CDK cloud assemblies.
//!
//! The pipeline (one module per stage): [`discover`] → [`load`] → [`resolve`] → extract → join →
//! [`rules`] (evaluate) → suppress → emit.

pub mod cancel;
pub mod check;
pub mod cli;
pub mod cloudformation;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod emit;
pub mod extract;
pub mod input;
pub mod join;
#[cfg(feature = "aws")]
pub mod live;
pub mod load;
pub mod located;
pub mod lsp;
pub mod map;
pub mod params;
pub mod printable;
pub mod reference;
pub mod rules;
pub mod serverless;
pub mod site;
pub mod source;
pub mod suppress;
pub mod terraform;
pub mod tree;
pub mod value;

//! sandtrap: finds Cognito user pools whose email through Amazon SES will fail, in CloudFormation
//! templates and CDK cloud assemblies.
//!
//! The pipeline (one module per stage): [`discover`] → [`load`] → [`resolve`] → extract → join →
//! evaluate → suppress → emit.

pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod load;
pub mod params;
pub mod resolve;
pub mod source;
pub mod suppress;
pub mod tree;

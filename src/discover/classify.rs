//! Is this file a CloudFormation template? (placeholder until discovery lands)

use crate::tree::Node;

pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion") || text.contains("Resources")
}

pub fn is_template(root: &Node) -> bool {
    root.get("AWSTemplateFormatVersion").is_some() || root.get("Resources").is_some()
}

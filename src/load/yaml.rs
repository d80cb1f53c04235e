//! YAML to [`Document`]: CloudFormation short-form tags to long form, YAML 1.1 scalars.

use super::Loaded;

pub fn load(_text: &str) -> Loaded {
    Loaded::default()
}

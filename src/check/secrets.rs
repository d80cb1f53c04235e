//! Keeps the values of `NoEcho` parameters out of what a run reports: they are analyzed like any
//! other value, then every occurrence in messages and in the facts document reads `****`, as
//! CloudFormation shows them.

use crate::diagnostic::Diagnostic;
use crate::tree::Node;

/// What CloudFormation prints for a `NoEcho` parameter.
pub const MASK: &str = "****";

/// The values the parameters marked `NoEcho: true` take in this stack: the override the run
/// supplies, else the `Default`.
pub fn no_echo_values(
    root: &Node,
    overrides: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let Some(parameters) = root.get("Parameters").and_then(Node::as_map) else {
        return Vec::new();
    };
    parameters
        .iter()
        .filter(|(_, declaration)| {
            declaration
                .get("NoEcho")
                .and_then(Node::scalar_text)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        })
        .filter_map(|(name, declaration)| {
            overrides
                .get(name)
                .cloned()
                .or_else(|| declaration.get("Default").and_then(Node::scalar_text))
        })
        .filter(|value| !value.is_empty())
        .collect()
}

/// The secrets of a run, longest first so that a secret containing another is masked whole.
#[derive(Debug, Default)]
pub struct Secrets(Vec<String>);

impl Secrets {
    pub fn new(mut values: Vec<String>) -> Self {
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Self(values)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every secret replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.0 {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), MASK);
            }
        }
        text
    }

    fn mask_in_place(&self, text: &mut String) {
        if self.0.iter().any(|s| text.contains(s.as_str())) {
            *text = self.mask(text);
        }
    }

    /// Masks every text a diagnostic shows.
    pub fn mask_diagnostic(&self, d: &mut Diagnostic) {
        self.mask_in_place(&mut d.message);
        for text in [&mut d.help, &mut d.note, &mut d.label]
            .into_iter()
            .flatten()
        {
            self.mask_in_place(text);
        }
        for related in &mut d.related {
            self.mask_in_place(&mut related.message);
        }
    }

    /// Masks every string (keys included) of a JSON document.
    pub fn mask_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.mask_in_place(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.mask_json(v)),
            serde_json::Value::Object(map) => {
                let masked_keys = map
                    .keys()
                    .any(|k| self.0.iter().any(|s| k.contains(s.as_str())));
                if masked_keys {
                    let entries: Vec<(String, serde_json::Value)> =
                        std::mem::take(map).into_iter().collect();
                    for (key, mut v) in entries {
                        self.mask_json(&mut v);
                        map.insert(self.mask(&key), v);
                    }
                } else {
                    map.values_mut().for_each(|v| self.mask_json(v));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_secret_first() {
        let secrets = Secrets::new(vec!["abc".into(), "abcdef".into()]);
        assert_eq!(secrets.mask("x abcdef y abc"), "x **** y ****");
    }

    #[test]
    fn json_strings_and_keys() {
        let secrets = Secrets::new(vec!["hunter2".into()]);
        let mut v = serde_json::json!({"from": "a@hunter2.com", "hunter2": ["hunter2", 1]});
        secrets.mask_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"from": "a@****.com", "****": ["****", 1]})
        );
    }
}

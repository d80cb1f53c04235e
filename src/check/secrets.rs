//! Keeps the values of `NoEcho` parameters out of what a run reports: they are analyzed like any
//! other value, then every occurrence in messages and in the facts document reads `****`, as
//! CloudFormation shows them.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::cloudformation::resolve::is_no_echo;
use crate::diagnostic::Diagnostic;
use crate::tree::Node;

/// What CloudFormation prints for a `NoEcho` parameter.
pub const MASK: &str = "****";

/// The values the parameters marked `NoEcho: true` take in this stack: the override the run
/// supplies, else the `Default`. The pieces taken from them come from the resolver
/// ([`crate::cloudformation::resolve::Resolver::secret_fragments`]).
pub fn no_echo_values(
    root: &Node,
    overrides: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let Some(parameters) = root.get("Parameters").and_then(Node::as_map) else {
        return Vec::new();
    };
    parameters
        .iter()
        .filter(|(_, declaration)| is_no_echo(declaration))
        .filter_map(|(name, declaration)| {
            overrides
                .get(name)
                .cloned()
                .or_else(|| declaration.get("Default").and_then(Node::scalar_text))
        })
        .filter(|value| !value.is_empty())
        .collect()
}

/// The secrets of a run, found in one pass over each text whatever their number (one
/// Aho-Corasick automaton, leftmost-longest, so a secret containing another is masked whole).
#[derive(Debug, Default)]
pub struct Secrets(Matcher);

#[derive(Debug, Default)]
enum Matcher {
    #[default]
    Nothing,
    Automaton(AhoCorasick),
    /// The automaton could not be built (only past its size limits, far beyond any template's
    /// secrets): every text that could hold one is masked whole.
    Everything,
}

impl Secrets {
    pub fn new(mut values: Vec<String>) -> Self {
        values.retain(|v| !v.is_empty());
        values.sort_unstable();
        values.dedup();
        if values.is_empty() {
            return Self(Matcher::Nothing);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&values);
        Self(automaton.map_or(Matcher::Everything, Matcher::Automaton))
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.0, Matcher::Nothing)
    }

    /// `text` with every secret replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        match &self.0 {
            Matcher::Nothing => text.to_owned(),
            Matcher::Automaton(ac) => {
                let mut out = String::with_capacity(text.len());
                ac.replace_all_with(text, &mut out, |_, _, out| {
                    out.push_str(MASK);
                    true
                });
                out
            }
            Matcher::Everything => MASK.to_owned(),
        }
    }

    fn contains_secret(&self, text: &str) -> bool {
        match &self.0 {
            Matcher::Nothing => false,
            Matcher::Automaton(ac) => ac.is_match(text),
            Matcher::Everything => !text.is_empty(),
        }
    }

    fn mask_in_place(&self, text: &mut String) {
        if self.contains_secret(text) {
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
    /// Masks every string of the map (through its JSON form, so no field can be forgotten).
    pub fn mask_map(&self, map: &mut crate::map::Map) {
        let Ok(mut value) = serde_json::to_value(&*map) else {
            return;
        };
        self.mask_json(&mut value);
        if let Ok(masked) = serde_json::from_value(value) {
            *map = masked;
        }
    }

    pub fn mask_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.mask_in_place(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.mask_json(v)),
            serde_json::Value::Object(map) => {
                if map.keys().any(|k| self.contains_secret(k)) {
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

//! The values of `stacks[].params` hidden from every snippet of the config file: a parameter
//! there may be the value of a `NoEcho` parameter (a password), and the lines around a config
//! error, or around the SES declaration a finding points at, would otherwise quote it into a
//! CI log. The text keeps its length and its lines (each masked byte is a `*`), so every span
//! into it still points at the same place.

use std::borrow::Cow;

use crate::load::{Format, load};
use crate::source::Span;
use crate::tree::Node;

/// `text` with the value of every `stacks[].params` entry masked. When the text does not load
/// as YAML, the value of every `key: value` line is masked instead: a config that cannot be
/// read is not one whose parameters can be told apart.
pub fn params(text: &str) -> Cow<'_, str> {
    if !text.contains("params") {
        return Cow::Borrowed(text);
    }
    let spans = match load(text, Format::Yaml).document {
        Some(document) => param_values(&document.root),
        None => every_value(text),
    };
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        for byte in bytes.get_mut(span.range()).into_iter().flatten() {
            if !matches!(byte, b'\n' | b'\r') {
                *byte = b'*';
            }
        }
    }
    // Only whole characters were replaced, each byte by an ASCII one.
    Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

/// The spans of the values of `stacks[].params`.
fn param_values(root: &Node) -> Vec<Span> {
    let stacks = root
        .get("stacks")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    stacks
        .iter()
        .filter_map(|stack| stack.get("params")?.as_map())
        .flat_map(|params| params.entries.iter().map(|entry| entry.value.span))
        .collect()
}

/// The text after `: ` (or a final `:`) of every line.
fn every_value(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(at) = content.find(": ") {
            spans.push(Span::new(start + at + 2, start + content.len()));
        }
        start += line.len();
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_values_are_masked_and_nothing_moves() {
        let text = "ses:\n  sandbox: [{regions: [us-west-2]}]\nstacks:\n  - files: \"infra/**\"\n    \
                    params: {DbPassword: hunter2, Env: prod}\n  - files: b\n    params:\n      \
                    Token: \"sécret\"\n      Multi: |\n        line one\n        line two\n";
        let masked = params(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked.lines().count(), text.lines().count());
        for secret in ["hunter2", "prod", "sécret", "line one", "line two"] {
            assert!(!masked.contains(secret), "{secret}: {masked}");
        }
        for kept in ["DbPassword", "Token", "us-west-2", "infra/**"] {
            assert!(masked.contains(kept), "{kept}: {masked}");
        }
        assert!(masked.contains("DbPassword: *******"), "{masked}");
    }

    #[test]
    fn text_that_does_not_load_is_masked_line_by_line() {
        let text = "stacks:\n  - params: {A: [unclosed\n    B: hunter2\n";
        let masked = params(text);
        assert!(!masked.contains("hunter2"), "{masked}");
        assert_eq!(masked.len(), text.len());
    }

    #[test]
    fn a_config_without_params_is_left_alone() {
        assert!(matches!(params("ses: {}\n"), Cow::Borrowed(_)));
    }
}

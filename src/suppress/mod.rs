//! Suppression primitives: rule selectors, the select/ignore filter, `# sandtrap: ignore[...]`
//! comments and `Metadata.sandtrap.ignore`.
//!
//! Selection follows ruff: a selector is a code (`ST101`), a code prefix (`ST`, `ST2`), a rule
//! name (`ses-sandbox-recipients`) or `ALL`. Within one layer of `select`/`ignore`, the most
//! specific selector that matches a rule decides, and `ignore` wins a tie. Layers apply in
//! order (the config file first, then the command line): a layer with `select` starts over
//! from nothing, a layer with only `ignore` removes rules from what the layers before it
//! enabled. With no `select` anywhere, every rule is selected. `per-file-ignores` apply last.

mod comments;
mod metadata;

use std::fmt;

pub use comments::{
    CommentSuppression, CommentSuppressions, MalformedSuppression, comment_suppressions,
};
pub use metadata::{MetadataIgnore, MetadataIgnores, metadata_ignores};

use crate::config::{Config, PerFileIgnore};

/// One item of `select`, `ignore`, a per-file ignore or a suppression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Selector {
    text: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
enum Kind {
    All,
    /// Upper-case letters then digits: a whole code or a prefix of codes.
    Prefix,
    Name,
}

impl Selector {
    /// Reads a selector; surrounding whitespace is ignored. Anything that is not `ALL` or
    /// upper-case letters followed by digits is taken as a rule name.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let letters = text.bytes().take_while(u8::is_ascii_uppercase).count();
        let kind = if text == "ALL" {
            Kind::All
        } else if letters > 0
            && text
                .get(letters..)
                .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit()))
        {
            Kind::Prefix
        } else {
            Kind::Name
        };
        Self {
            text: text.to_string(),
            kind,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, code: &str, name: &str) -> bool {
        match self.kind {
            Kind::All => true,
            Kind::Prefix => code.starts_with(&self.text),
            Kind::Name => !self.text.is_empty() && name == self.text,
        }
    }

    /// How precisely the selector names rules: `ALL` < shorter prefixes < longer prefixes <
    /// a whole code, and a rule name counts as a whole code.
    pub fn specificity(&self) -> usize {
        match self.kind {
            Kind::All => 0,
            Kind::Prefix => self.text.len(),
            Kind::Name => usize::MAX,
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

pub fn parse_selectors<I, S>(items: I) -> Vec<Selector>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    items
        .into_iter()
        .map(|s| Selector::parse(s.as_ref()))
        .collect()
}

/// The selectors that match no rule of `catalog` (`(code, name)` pairs): typos to report.
pub fn unknown_selectors<'a>(
    selectors: &'a [Selector],
    catalog: &[(&str, &str)],
) -> Vec<&'a Selector> {
    selectors
        .iter()
        .filter(|s| !catalog.iter().any(|(code, name)| s.matches(code, name)))
        .collect()
}

/// What a selector that matches no rule was probably meant to be: the same text in the case
/// rules are written in (`st101` for `ST101`, `SES-SANDBOX-RECIPIENTS`), else the code or name
/// nearest to it when it is close enough to be a typo (`ST10` is a prefix, not a typo).
pub fn suggestion(text: &str, catalog: &[(&str, &str)]) -> Option<String> {
    let text = text.trim();
    let matches_any = |candidate: &str| {
        let selector = Selector::parse(candidate);
        catalog
            .iter()
            .any(|(code, name)| selector.matches(code, name))
    };
    for candidate in [text.to_ascii_uppercase(), text.to_ascii_lowercase()] {
        if candidate != text && matches_any(&candidate) {
            return Some(candidate);
        }
    }
    nearest(text, catalog.iter().flat_map(|(code, name)| [*code, *name])).map(str::to_owned)
}

/// The candidate nearest to `text`, ignoring ASCII case, when it is close enough to be a typo:
/// at most a quarter of its characters (and at least one) edited. Selectors and the names of
/// the facts document (rule files) share it.
pub fn nearest<'a>(text: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let folded = text.trim().to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                distance(&folded, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(d, _)| *d <= (folded.chars().count() / 4).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

/// The help of an unknown-selector error: the likely fix, else where to find the rules.
pub fn selector_help(text: &str, catalog: &[(&str, &str)]) -> String {
    match suggestion(text, catalog) {
        Some(fix) => format!("did you mean `{fix}`?"),
        None => "see `sandtrap rules` for the codes and names (prefixes such as `ST1` and `ALL` work too)".to_owned(),
    }
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// One `select`/`ignore` pair: the config file's, or the command line's.
#[derive(Debug, Clone, Default)]
struct Layer {
    select: Option<Vec<Selector>>,
    ignore: Vec<Selector>,
}

impl Layer {
    /// `Some(enabled)` when a selector of this layer speaks about the rule.
    fn decide(&self, code: &str, name: &str) -> Option<bool> {
        let best = |selectors: &[Selector]| {
            selectors
                .iter()
                .filter(|s| s.matches(code, name))
                .map(Selector::specificity)
                .max()
        };
        let selected = best(self.select.as_deref().unwrap_or_default());
        let ignored = best(&self.ignore);
        match (selected, ignored) {
            (None, None) => None,
            (Some(s), Some(i)) => Some(s > i),
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
        }
    }
}

/// Which rules run where: `select`/`ignore` layers and `per-file-ignores`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    layers: Vec<Layer>,
    per_file: Vec<(PerFileIgnore, Vec<Selector>)>,
}

impl Filter {
    /// Everything enabled.
    pub fn new() -> Self {
        Self::default()
    }

    /// The config file's `select`, `ignore` and `per-file-ignores`.
    pub fn from_config(config: &Config) -> Self {
        let values = |items: &[crate::config::Located<String>]| {
            parse_selectors(items.iter().map(|l| l.value.as_str()))
        };
        let mut filter =
            Self::new().layer(config.select.as_deref().map(values), values(&config.ignore));
        filter.per_file = config
            .per_file_ignores
            .iter()
            .map(|p| (p.clone(), values(&p.codes)))
            .collect();
        filter
    }

    /// Adds a layer on top of the previous ones (`--select`/`--ignore` after the config's).
    pub fn layer(mut self, select: Option<Vec<Selector>>, ignore: Vec<Selector>) -> Self {
        self.layers.push(Layer { select, ignore });
        self
    }

    /// Whether the rule runs for `file_rel_path` (relative to the config file's directory).
    pub fn enabled(&self, code: &str, name: &str, file_rel_path: &str) -> bool {
        let selected = self.layers.iter().fold(true, |enabled, layer| {
            match (layer.decide(code, name), &layer.select) {
                (Some(decision), _) => decision,
                (None, Some(_)) => false,
                (None, None) => enabled,
            }
        });
        selected
            && !self.per_file.iter().any(|(glob, selectors)| {
                glob.is_match(file_rel_path) && selectors.iter().any(|s| s.matches(code, name))
            })
    }
}

#[cfg(test)]
mod tests;

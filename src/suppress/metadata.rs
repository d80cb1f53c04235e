//! `Metadata: {sandtrap: {ignore: [...]}}` on the template root and on each resource.

use crate::source::Span;
use crate::tree::{Node, Value};

use super::{MalformedSuppression, Selector};

/// One item of a `sandtrap.ignore` list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MetadataIgnore {
    pub selector: Selector,
    /// The item's span in the template.
    pub span: Span,
    /// The resource's logical id, or `None` for the template's root `Metadata`.
    pub resource: Option<String>,
}

/// Every `sandtrap.ignore` item of a template.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MetadataIgnores {
    entries: Vec<MetadataIgnore>,
    /// `ignore` values that are not a list of codes.
    pub malformed: Vec<MalformedSuppression>,
}

impl MetadataIgnores {
    /// The span of the item that suppresses the rule for `resource` (`None`: a diagnostic not
    /// about one resource, which only the root `Metadata` covers). The resource's own list is
    /// preferred over the root's, so the span points at the most specific reason.
    pub fn is_ignored(&self, code: &str, name: &str, resource: Option<&str>) -> Option<Span> {
        let find = |owner: Option<&str>| {
            self.entries
                .iter()
                .find(|e| e.resource.as_deref() == owner && e.selector.matches(code, name))
                .map(|e| e.span)
        };
        resource.and_then(|r| find(Some(r))).or_else(|| find(None))
    }

    /// Every item, in template order (root first), to check each against the rule catalog.
    pub fn entries(&self) -> &[MetadataIgnore] {
        &self.entries
    }
}

pub fn metadata_ignores(root: &Node) -> MetadataIgnores {
    let mut out = MetadataIgnores::default();
    read(root, None, &mut out);
    if let Some(resources) = root.get("Resources").and_then(Node::as_map) {
        for entry in &resources.entries {
            read(&entry.value, Some(&entry.key), &mut out);
        }
    }
    out
}

fn read(owner: &Node, resource: Option<&str>, out: &mut MetadataIgnores) {
    let Some(ignore) = owner.get_path(&["Metadata", "sandtrap", "ignore"]) else {
        return;
    };
    let items = match &ignore.value {
        Value::Seq(items) => items.as_slice(),
        Value::String(_) => std::slice::from_ref(ignore),
        _ => {
            out.malformed.push(MalformedSuppression {
                span: ignore.span,
                message: "`sandtrap.ignore` must be a list of rule codes".into(),
            });
            return;
        }
    };
    for item in items {
        match item.as_str() {
            Some(text) if !text.trim().is_empty() => out.entries.push(MetadataIgnore {
                selector: Selector::parse(text),
                span: item.span,
                resource: resource.map(str::to_string),
            }),
            _ => out.malformed.push(MalformedSuppression {
                span: item.span,
                message: "expected a rule code such as ST101".into(),
            }),
        }
    }
}

//! YAML tags: CloudFormation short forms to their long form, YAML core tags applied, anything
//! else kept as [`Value::Tagged`].

use granit_parser::{ScalarStyle, Tag};

use super::scalar;
use crate::source::Span;
use crate::tree::{Entry, Map, Node, Value};

/// What a tag does to the node it is on.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TagKind {
    /// A CloudFormation short form; the long-form key (`Ref`, `Condition`, `Fn::Sub`, …).
    Function(&'static str),
    /// A YAML core tag (`!!str`, `!!int`, …) or the non-specific `!`, which means string.
    Core(Core),
    /// Any other tag, by its text without the leading `!`.
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Core {
    Str,
    Int,
    Float,
    Bool,
    Null,
    /// `!!seq`, `!!map`: nothing to do.
    Collection,
}

/// A tag and where it was written.
#[derive(Debug, Clone)]
pub(super) struct TagInfo {
    pub kind: TagKind,
    /// The tag token (`!Ref`).
    pub span: Span,
}

/// The short forms CloudFormation defines, with their long-form key.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>
const FUNCTIONS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("If", "Fn::If"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("Transform", "Fn::Transform"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Length", "Fn::Length"),
];

/// Classifies a parsed tag; `raw` is its source text (`!Ref`, `!!binary`) when available.
pub(super) fn classify(tag: &Tag, raw: Option<&str>) -> TagKind {
    let (handle, suffix) = tag.parts();
    if handle == "!"
        && tag.original_handle() == "!"
        && let Some((_, long)) = FUNCTIONS.iter().find(|(short, _)| *short == suffix)
    {
        return TagKind::Function(long);
    }
    // The non-specific tag `! x` forces a string.
    if handle.is_empty() && suffix == "!" {
        return TagKind::Core(Core::Str);
    }
    match tag.core_suffix() {
        Some("str") => return TagKind::Core(Core::Str),
        Some("int") => return TagKind::Core(Core::Int),
        Some("float") => return TagKind::Core(Core::Float),
        Some("bool") => return TagKind::Core(Core::Bool),
        Some("null") => return TagKind::Core(Core::Null),
        Some(_) => return TagKind::Core(Core::Collection),
        None => {}
    }
    let text = raw.map_or_else(|| tag.original(), str::to_owned);
    let name = text.strip_prefix('!').unwrap_or(&text).to_owned();
    TagKind::Other(name)
}

/// The value of a scalar given its tag (or lack of one).
pub(super) fn scalar_value(text: &str, style: ScalarStyle, kind: Option<&TagKind>) -> Value {
    let plain = style == ScalarStyle::Plain;
    match kind {
        None if plain => scalar::resolve_plain(text),
        None => Value::String(text.to_owned()),
        // CloudFormation functions and unknown tags take the scalar's text as written.
        Some(TagKind::Function(_) | TagKind::Other(_)) => Value::String(text.to_owned()),
        Some(TagKind::Core(core)) => match core {
            Core::Str => Value::String(text.to_owned()),
            Core::Null => Value::Null,
            Core::Bool => {
                scalar::bool_value(text).map_or_else(|| Value::String(text.to_owned()), Value::Bool)
            }
            Core::Int | Core::Float => match scalar::resolve_plain(text) {
                number @ Value::Number(_) => number,
                _ => Value::String(text.to_owned()),
            },
            Core::Collection if plain => scalar::resolve_plain(text),
            Core::Collection => Value::String(text.to_owned()),
        },
    }
}

/// Wraps a finished node in what its tag makes of it. `start` is where the tagged node begins
/// (the tag, or an anchor before it).
pub(super) fn apply(tag: TagInfo, start: usize, inner: Node) -> Node {
    let whole = Span::new(start, inner.span.end as usize);
    match tag.kind {
        TagKind::Function(key) => {
            let entry = Entry {
                key: key.to_owned(),
                key_span: tag.span,
                value: inner,
            };
            Node::new(
                whole,
                Value::Map(Map {
                    entries: vec![entry],
                }),
            )
        }
        TagKind::Core(_) => Node::new(whole, inner.value),
        TagKind::Other(name) => Node::new(whole, Value::Tagged(name, Box::new(inner))),
    }
}

/// `!GetAtt Res.Attr.Sub` as the list `[Res, Attr.Sub]`, split at the first dot. The items get
/// sub-spans when the source text is exactly the value (a one-line scalar without escapes).
pub(super) fn split_get_att(text: &str, value_span: Span, source: &str) -> Value {
    let Some((resource, attribute)) = text.split_once('.') else {
        return Value::Seq(vec![Node::new(value_span, Value::String(text.to_owned()))]);
    };
    let raw = source.get(value_span.range()).unwrap_or("");
    let inner_start = if raw == text {
        Some(value_span.start as usize)
    } else if raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text) {
        Some(value_span.start as usize + 1)
    } else {
        None
    };
    let (resource_span, attribute_span) = match inner_start {
        Some(at) => {
            let dot = at + resource.len();
            (
                Span::new(at, dot),
                Span::new(dot + 1, dot + 1 + attribute.len()),
            )
        }
        None => (value_span, value_span),
    };
    Value::Seq(vec![
        Node::new(resource_span, Value::String(resource.to_owned())),
        Node::new(attribute_span, Value::String(attribute.to_owned())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_short_form_has_a_long_form() {
        for (short, long) in FUNCTIONS {
            let kind = classify(&Tag::new("!", *short), Some(&format!("!{short}")));
            assert_eq!(kind, TagKind::Function(long));
            assert!(*long == "Ref" || *long == "Condition" || long == &format!("Fn::{short}"));
        }
    }

    #[test]
    fn other_tags_keep_their_text() {
        let kind = classify(&Tag::new("!", "Rain::Embed"), Some("!Rain::Embed"));
        assert_eq!(kind, TagKind::Other("Rain::Embed".to_owned()));
        let binary = Tag::with_original_handle("tag:yaml.org,2002:", "binary", "!!");
        assert_eq!(
            classify(&binary, Some("!!binary")),
            TagKind::Other("!binary".to_owned())
        );
        // Case matters: `!ref` is not `!Ref`.
        let lower = classify(&Tag::new("!", "ref"), Some("!ref"));
        assert_eq!(lower, TagKind::Other("ref".to_owned()));
    }

    #[test]
    fn get_att_sub_spans() {
        let source = "x: !GetAtt A.B.C";
        let value = split_get_att("A.B.C", Span::new(11, 16), source);
        let Value::Seq(items) = value else {
            panic!("not a list")
        };
        assert_eq!(&source[items[0].span.range()], "A");
        assert_eq!(&source[items[1].span.range()], "B.C");

        let quoted = "x: !GetAtt 'A.B'";
        let value = split_get_att("A.B", Span::new(11, 16), quoted);
        let Value::Seq(items) = value else {
            panic!("not a list")
        };
        assert_eq!(&quoted[items[0].span.range()], "A");
        assert_eq!(&quoted[items[1].span.range()], "B");
    }
}

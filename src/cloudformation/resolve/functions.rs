//! The intrinsic functions that compute a value from their arguments: `Fn::Join`, `Fn::Select`,
//! `Fn::Split`, `Fn::FindInMap`, `Fn::Base64`, `Fn::ImportValue`, `Fn::GetAtt`, `Fn::Length`,
//! `Fn::ToJsonString`.

use super::eval::{Eval, hole, invalid, text, unknown};
use super::variants::{Alts, Partial};
use super::{CROSS_REGION_READER, MAX_TEXT_BYTES, Part, Resolved, Text, Unknown, UnknownReason};
use crate::source::Span;
use crate::tree::Node;

/// What a hole counts against [`MAX_TEXT_BYTES`], so that texts made of holes are bounded too.
const HOLE_SIZE: usize = 16;

/// The size of a text as [`MAX_TEXT_BYTES`] measures it.
pub(super) fn text_size(t: &Text) -> usize {
    (t.parts.iter())
        .map(|p| match p {
            Part::Lit(s) | Part::Secret(s) => s.len(),
            Part::Hole(_) => HOLE_SIZE,
        })
        .fold(0, usize::saturating_add)
}

/// A string being built, with its size kept so that the bound costs nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct SizedText {
    pub text: Text,
    size: usize,
}

impl SizedText {
    pub fn push_str(&mut self, s: &str) {
        self.size = self.size.saturating_add(s.len());
        if !self.too_long() {
            self.text.push_str(s);
        }
    }

    pub fn append(&mut self, t: Text) {
        self.size = self.size.saturating_add(text_size(&t));
        if !self.too_long() {
            self.text.append(t);
        }
    }

    pub fn too_long(&self) -> bool {
        self.size > MAX_TEXT_BYTES
    }

    pub fn finish(self, span: Span) -> Resolved {
        if self.too_long() {
            too_long(span)
        } else {
            Resolved::Str(self.text)
        }
    }
}

pub(super) fn too_long(span: Span) -> Resolved {
    invalid(span, format!("string longer than {MAX_TEXT_BYTES} bytes"))
}

/// A value used where CloudFormation expects a string.
pub(super) fn to_text(value: Option<Resolved>, span: Span) -> Text {
    match value {
        Some(Resolved::Str(t)) => t,
        Some(Resolved::Number(n)) => text(&n),
        Some(Resolved::Bool(b)) => text(if b { "true" } else { "false" }),
        Some(Resolved::Unknown(u)) => Text::hole(u),
        Some(Resolved::List(_) | Resolved::Map(_) | Resolved::Null) | None => Text::hole(unknown(
            span,
            UnknownReason::Invalid {
                reason: "expected a string".into(),
            },
        )),
    }
}

/// A value used where CloudFormation expects a list; a lone hole may stand for one.
fn to_list(value: Option<Resolved>, span: Span) -> Result<Vec<Resolved>, Unknown> {
    match value {
        Some(Resolved::List(items)) => Ok(items),
        Some(Resolved::Unknown(u)) => Err(u),
        Some(Resolved::Str(t)) if matches!(t.parts.as_slice(), [Part::Hole(_)]) => {
            Err(first_hole(&t, span))
        }
        _ => Err(unknown(
            span,
            UnknownReason::Invalid {
                reason: "expected a list".into(),
            },
        )),
    }
}

/// The first hole of a text known to have one.
fn first_hole(t: &Text, span: Span) -> Unknown {
    t.holes().next().cloned().unwrap_or_else(|| {
        unknown(
            span,
            UnknownReason::Invalid {
                reason: "unknown text".into(),
            },
        )
    })
}

/// A hole of a pseudo parameter whose values never contain `sep` (account ids are digits;
/// regions and partitions are lowercase letters, digits and dashes).
fn split_safe(unknown: &Unknown, sep: char) -> bool {
    let safe_name = matches!(&unknown.reason, UnknownReason::Pseudo { name }
        if matches!(name.as_str(), "AWS::AccountId" | "AWS::Region" | "AWS::Partition"));
    safe_name && !sep.is_ascii_alphanumeric() && sep != '-'
}

fn one(value: Resolved) -> Alts {
    Alts::one(value)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let sextet = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(BASE64.get(sextet).copied().unwrap_or(b'=')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn to_json(value: &Resolved) -> Result<serde_json::Value, Unknown> {
    use serde_json::Value as J;
    Ok(match value {
        Resolved::Null => J::Null,
        Resolved::Bool(b) => J::Bool(*b),
        Resolved::Number(n) => match serde_json::from_str::<serde_json::Number>(n) {
            Ok(number) => J::Number(number),
            Err(_) => J::String(n.clone()),
        },
        Resolved::Str(t) => match t.known() {
            Some(s) => J::String(s),
            None => return Err(first_hole(t, Span::default())),
        },
        Resolved::List(items) => J::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Resolved::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_json(v)?)))
                .collect::<Result<_, _>>()?,
        ),
        Resolved::Unknown(u) => return Err(u.clone()),
    })
}

impl Eval<'_> {
    /// Evaluates `args` and applies `f` to every combination of their alternatives.
    fn with_args(
        &mut self,
        args: &[&Node],
        f: impl FnMut(&mut Self, Vec<Option<Resolved>>) -> Alts,
    ) -> Alts {
        let mut values = Partial::new(Vec::with_capacity(args.len()));
        for arg in args {
            let alts = self.eval(arg);
            values.join(alts, |acc, v| acc.push(v));
        }
        values.flat_map(self, f)
    }

    pub fn fn_join(&mut self, arg: &Node, span: Span) -> Alts {
        let Some([separator, list]) = arg.as_seq() else {
            return one(invalid(span, "Fn::Join needs [separator, list]"));
        };
        self.with_args(&[separator, list], |_, mut args| {
            let list = args.pop().flatten();
            let separator = to_text(args.pop().flatten(), span);
            let items = match to_list(list, span) {
                Ok(items) => items,
                Err(u) => return one(Resolved::Str(Text::hole(u))),
            };
            let mut out = SizedText::default();
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    out.append(separator.clone());
                }
                out.append(to_text(Some(item), span));
                if out.too_long() {
                    break;
                }
            }
            one(out.finish(span))
        })
    }

    pub fn fn_select(&mut self, arg: &Node, span: Span) -> Alts {
        let Some([index, list]) = arg.as_seq() else {
            return one(invalid(span, "Fn::Select needs [index, list]"));
        };
        self.with_args(&[index, list], |_, mut args| {
            let list = args.pop().flatten();
            let index = to_text(args.pop().flatten(), span);
            let index = match index.known() {
                Some(i) => match i.trim().parse::<usize>() {
                    Ok(i) => i,
                    Err(_) => return one(invalid(span, format!("Fn::Select index {i:?}"))),
                },
                None => return one(Resolved::Unknown(first_hole(&index, span))),
            };
            match to_list(list, span) {
                Ok(items) => {
                    let count = items.len();
                    match items.into_iter().nth(index) {
                        Some(item) => one(item),
                        None => one(invalid(
                            span,
                            format!("Fn::Select index {index} out of range ({count} items)"),
                        )),
                    }
                }
                Err(u) => one(Resolved::Str(Text::hole(u))),
            }
        })
    }

    /// `Fn::Split`. A string with holes is split only when every hole is a pseudo parameter
    /// that cannot contain the (one-character) delimiter, so the pieces keep their positions;
    /// otherwise the list is unknown, with the first hole's reason.
    pub fn fn_split(&mut self, arg: &Node, span: Span) -> Alts {
        let Some([separator, source]) = arg.as_seq() else {
            return one(invalid(span, "Fn::Split needs [delimiter, string]"));
        };
        self.with_args(&[separator, source], |this, mut args| {
            let source = to_text(args.pop().flatten(), span);
            let Some(separator) = to_text(args.pop().flatten(), span).known() else {
                return one(invalid(span, "Fn::Split delimiter must be known"));
            };
            if separator.is_empty() {
                return one(invalid(span, "Fn::Split delimiter is empty"));
            }
            if let Some(pieces) = source.split_known(&separator) {
                // A piece of a secret is as secret as the whole.
                pieces.iter().for_each(|p| this.secrets.record(p));
                return one(Resolved::List(
                    pieces.into_iter().map(Resolved::Str).collect(),
                ));
            }
            let mut chars = separator.chars();
            let sep = chars.next().filter(|_| chars.next().is_none());
            let offending = source
                .holes()
                .find(|u| sep.is_none_or(|c| !split_safe(u, c)));
            match (sep, offending) {
                (_, Some(u)) => one(Resolved::Unknown(u.clone())),
                (Some(sep), None) => {
                    let pieces = source.split_on(sep);
                    pieces.iter().for_each(|p| this.secrets.record(p));
                    one(Resolved::List(
                        pieces.into_iter().map(Resolved::Str).collect(),
                    ))
                }
                (None, None) => one(invalid(span, "Fn::Split")),
            }
        })
    }

    /// `Fn::FindInMap [map, top key, second key, {DefaultValue: ...}]` (the default is an
    /// `AWS::LanguageExtensions` addition).
    pub fn fn_find_in_map(&mut self, arg: &Node, span: Span) -> Alts {
        let (keys, default) = match arg.as_seq() {
            Some([a, b, c]) => ([a, b, c], None),
            Some([a, b, c, d]) => ([a, b, c], d.get("DefaultValue")),
            _ => return one(invalid(span, "Fn::FindInMap needs [map, key, key]")),
        };
        self.with_args(&keys, |this, args| {
            let mut names = Vec::with_capacity(3);
            for value in args {
                let t = to_text(value, span);
                match t.known() {
                    Some(name) => names.push(name),
                    None => {
                        return one(Resolved::Unknown(first_hole(&t, span)));
                    }
                }
            }
            let [map, top, second] = names.as_slice() else {
                return one(invalid(span, "Fn::FindInMap"));
            };
            let found =
                (this.index.mappings.get(map.as_str())).and_then(|m| m.get(top)?.get(second));
            match (found, default) {
                (Some(node), _) => this.eval(node),
                (None, Some(default)) => this.eval(default),
                (None, None) => one(invalid(
                    span,
                    format!("Fn::FindInMap: no entry {map}/{top}/{second}"),
                )),
            }
        })
    }

    pub fn fn_base64(&mut self, arg: &Node, span: Span) -> Alts {
        self.with_args(&[arg], |this, mut args| {
            let t = to_text(args.pop().flatten(), span);
            one(match t.known() {
                Some(s) if s.len() / 3 * 4 > MAX_TEXT_BYTES => too_long(span),
                // The encoding of a secret gives the secret away.
                Some(s) if t.has_secret() => this.secret(base64(s.as_bytes())),
                Some(s) => Resolved::Str(text(&base64(s.as_bytes()))),
                None => Resolved::Str(Text::hole(first_hole(&t, span))),
            })
        })
    }

    /// `Fn::ImportValue`: a hole naming the export, which the join stage fills in.
    pub fn fn_import_value(&mut self, arg: &Node, span: Span) -> Alts {
        self.with_args(&[arg], |_, mut args| {
            let name = to_text(args.pop().flatten(), span);
            one(hole(
                span,
                UnknownReason::Import {
                    name: Box::new(name),
                },
            ))
        })
    }

    /// `Fn::GetAtt [resource, attribute]` or `Fn::GetAtt "resource.attribute"`.
    pub fn fn_get_att(&mut self, arg: &Node, span: Span) -> Alts {
        let (resource, attribute) = match (&arg.as_str(), arg.as_seq()) {
            (Some(dotted), _) => match dotted.split_once('.') {
                Some((r, a)) => (r.to_owned(), Alts::one(Resolved::Str(text(a)))),
                None => return one(invalid(span, "Fn::GetAtt needs resource.attribute")),
            },
            (None, Some([resource, attribute])) => match resource.as_str() {
                Some(r) => (r.to_owned(), self.eval(attribute)),
                None => return one(invalid(span, "Fn::GetAtt needs a resource name")),
            },
            _ => return one(invalid(span, "Fn::GetAtt needs [resource, attribute]")),
        };
        let Some(node) = self.index.resources.get(resource.as_str()) else {
            return one(invalid(span, format!("Fn::GetAtt of undefined {resource}")));
        };
        let reader = node.get("Type").and_then(Node::as_str) == Some(CROSS_REGION_READER);
        attribute.flat_map(|attribute| {
            let attribute = to_text(attribute, span).to_string();
            if reader && attribute.starts_with("/cdk/exports/") {
                return one(hole(
                    span,
                    UnknownReason::CrossRegionImport { name: attribute },
                ));
            }
            one(get_att(span, &resource, &attribute))
        })
    }

    pub fn fn_length(&mut self, arg: &Node, span: Span) -> Alts {
        self.with_args(&[arg], |_, mut args| {
            one(match to_list(args.pop().flatten(), span) {
                Ok(items) => Resolved::Number(items.len().to_string()),
                Err(u) => Resolved::Unknown(u),
            })
        })
    }

    pub fn fn_to_json_string(&mut self, arg: &Node, span: Span) -> Alts {
        self.with_args(&[arg], |this, mut args| {
            let value = args.pop().flatten();
            one(match value.as_ref().map(to_json) {
                Some(Ok(json)) => {
                    let json = json.to_string();
                    if json.len() > MAX_TEXT_BYTES {
                        too_long(span)
                    } else if value.as_ref().is_some_and(has_secret) {
                        // A secret inside JSON may be escaped: the whole string is secret.
                        this.secret(json)
                    } else {
                        Resolved::Str(text(&json))
                    }
                }
                Some(Err(u)) => Resolved::Str(Text::hole(u)),
                None => invalid(span, "Fn::ToJsonString of no value"),
            })
        })
    }
}

/// Whether any text inside `value` has a secret part.
fn has_secret(value: &Resolved) -> bool {
    match value {
        Resolved::Str(t) => t.has_secret(),
        Resolved::List(items) => items.iter().any(has_secret),
        Resolved::Map(entries) => entries.iter().any(|(_, v)| has_secret(v)),
        Resolved::Null | Resolved::Bool(_) | Resolved::Number(_) | Resolved::Unknown(_) => false,
    }
}

/// The hole of `Fn::GetAtt` (and of `${Resource.Attribute}` in `Fn::Sub`).
pub(super) fn get_att(span: Span, resource: &str, attribute: &str) -> Resolved {
    hole(
        span,
        UnknownReason::GetAtt {
            resource: resource.to_owned(),
            attribute: attribute.to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
    }
}

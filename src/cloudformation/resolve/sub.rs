//! `Fn::Sub`: `${Name}` placeholders in a string, in one pass over it.

use foldhash::HashMap;

use super::eval::{Eval, invalid, unknown};
use super::functions::{SizedText, get_att, to_text};
use super::variants::{Alts, Partial};
use super::{Resolved, UnknownReason};
use crate::source::Span;
use crate::tree::Node;

/// A piece of a `Fn::Sub` template string.
#[derive(Debug, PartialEq)]
enum Piece<'s> {
    Lit(&'s str),
    Name(&'s str),
}

/// Splits a template into literal text and placeholder names. `${!Literal}` is the literal
/// `${Literal}`; an unterminated `${` is kept as text.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html>
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push(Piece::Lit(&rest[..start]));
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            out.push(Piece::Lit("${"));
            rest = literal;
            continue;
        }
        match after.find('}') {
            Some(end) => {
                out.push(Piece::Name(after[..end].trim()));
                rest = &after[end + 1..];
            }
            None => {
                out.push(Piece::Lit(&rest[start..]));
                rest = "";
            }
        }
    }
    out.push(Piece::Lit(rest));
    out.retain(|p| *p != Piece::Lit(""));
    out
}

/// A template that is not a string: a pre-processor directive such as Rain's
/// `{"Rain::Embed": "script.sh"}` is unsupported, anything else invalid.
fn not_a_template(arg: &Node, span: Span) -> Resolved {
    let directive = arg.as_seq().and_then(<[Node]>::first).unwrap_or(arg);
    match directive.as_map().map(|m| m.entries.as_slice()) {
        Some([entry]) => Resolved::Unknown(unknown(
            span,
            UnknownReason::Unsupported {
                function: entry.key.clone(),
            },
        )),
        _ => invalid(span, "Fn::Sub needs a string"),
    }
}

impl Eval<'_> {
    /// `Fn::Sub: template` or `Fn::Sub: [template, {name: value}]`.
    pub fn fn_sub(&mut self, arg: &Node, span: Span) -> Alts {
        let (template, vars) = match (arg.as_str(), arg.as_seq()) {
            (Some(template), _) => (template, None),
            (None, Some([template, vars])) => match (template.as_str(), vars.as_map()) {
                (Some(template), Some(vars)) => (template, Some(vars)),
                _ => return Alts::one(invalid(span, "Fn::Sub needs [string, {variables}]")),
            },
            _ => return Alts::one(not_a_template(arg, span)),
        };
        let mut values: HashMap<&str, Alts> = HashMap::default();
        for (name, node) in vars.iter().flat_map(|m| m.iter()) {
            let alts = self.eval(node);
            values.insert(name, alts);
        }
        let mut out = Partial::new(SizedText::default());
        for piece in pieces(template) {
            match piece {
                Piece::Lit(s) => out.each(|t| t.push_str(s)),
                Piece::Name(name) => {
                    let alts = match values.get(name) {
                        Some(alts) => alts.clone(),
                        None => self.placeholder(name, span),
                    };
                    out.join(alts, |t, v| t.append(to_text(v, span)));
                }
            }
            if out.all(SizedText::too_long) {
                break;
            }
        }
        out.finish(|t| Some(t.finish(span)))
    }

    /// `${Name}` without a variable: `Ref` semantics, or `Fn::GetAtt` for `${Resource.Attr}`.
    fn placeholder(&mut self, name: &str, span: Span) -> Alts {
        if name.is_empty() {
            return Alts::one(invalid(span, "empty ${} in Fn::Sub"));
        }
        match name.split_once('.') {
            Some((resource, attribute)) if self.index.resources.contains_key(resource) => {
                Alts::one(get_att(span, resource, attribute))
            }
            Some(_) => Alts::one(invalid(span, format!("${{{name}}} names no resource"))),
            None => self.reference(name, span),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_templates() {
        use Piece::{Lit, Name};
        assert_eq!(
            pieces("arn:${AWS::Partition}:ses:${ Region }:x"),
            [
                Lit("arn:"),
                Name("AWS::Partition"),
                Lit(":ses:"),
                Name("Region"),
                Lit(":x")
            ]
        );
        assert_eq!(
            pieces("a${!Literal}b"),
            [Lit("a"), Lit("${"), Lit("Literal}b")]
        );
        assert_eq!(pieces("x${open"), [Lit("x"), Lit("${open")]);
        assert_eq!(pieces("${A}${B.C}"), [Name("A"), Name("B.C")]);
        assert_eq!(pieces("é${ü}é"), [Lit("é"), Name("ü"), Lit("é")]);
        assert!(pieces("").is_empty());
    }
}

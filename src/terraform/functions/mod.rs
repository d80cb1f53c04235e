//! Terraform's built-in functions that real configurations use around the values sandtrap
//! reads. An unknown argument makes the result unknown only where the function needs its value:
//! `join` and `format` keep the known text around a hole, `length` of a list with unknown items
//! is known. A function not listed is an unknown value that names it, never a guess.

use crate::source::Span;
use crate::terraform::eval::{
    MAX_ITEMS, MAX_TEXT, first_unknown, invalid, is_error, known_string, normalize, number_value,
    string, to_text, truth, unknown,
};

mod collections;

use crate::value::{Part as TextPart, Resolved, Text, Truth, UnknownReason};
use collections::*;

/// `name(args)`, the arguments already evaluated.
pub fn call(name: &str, args: Vec<Resolved>, span: Span) -> Resolved {
    if let Some(error) = args.iter().find(|a| is_error(a)) {
        return error.clone();
    }
    let name = name.strip_prefix("core::").unwrap_or(name);
    let result = match name {
        "format" => format(&args, span),
        "formatlist" => formatlist(&args, span),
        "join" => join(&args, span),
        "split" => split(&args, span),
        "concat" => concat(&args, span),
        "lookup" => lookup(&args, span),
        "merge" => merge(&args, span),
        "element" => element(&args, span),
        "coalesce" => coalesce(&args, span),
        "coalescelist" => coalescelist(&args, span),
        "lower" | "upper" | "title" | "trimspace" | "chomp" => text_map(name, &args, span),
        "replace" => replace(&args, span),
        "trimprefix" | "trimsuffix" | "trim" | "startswith" | "endswith" | "strcontains" => {
            two_strings(name, &args, span)
        }
        "substr" => substr(&args, span),
        "tostring" => tostring(&args, span),
        "tonumber" => tonumber(&args, span),
        "tobool" => tobool(&args, span),
        "tolist" | "toset" => tolist(name, &args, span),
        "tomap" => match args.first() {
            Some(value @ Resolved::Map(_)) => value.clone(),
            Some(other) => not_known_or(other, span, "tomap() of a value that is not an object"),
            None => arity(span, name),
        },
        "length" => length(&args, span),
        "contains" => contains(&args, span),
        "one" => one(&args, span),
        "keys" | "values" => keys_values(name, &args, span),
        "flatten" => flatten(&args, span),
        "distinct" => distinct(&args, span),
        "compact" => compact(&args, span),
        "reverse" => match args.first() {
            Some(Resolved::List(items)) => Resolved::List(items.iter().rev().cloned().collect()),
            Some(other) => not_known_or(other, span, "reverse() of a value that is not a list"),
            None => arity(span, name),
        },
        "slice" => slice(&args, span),
        "zipmap" => zipmap(&args, span),
        "range" => range(&args, span),
        "index" => index(&args, span),
        "max" | "min" | "abs" | "ceil" | "floor" => numeric(name, &args, span),
        "jsonencode" => match args.first() {
            Some(value) => Resolved::Str(normalize(json(value))),
            None => arity(span, name),
        },
        "sensitive" | "nonsensitive" => args.into_iter().next().unwrap_or(Resolved::Null),
        "can" | "try" => invalid(span, "try() and can() are evaluated by the caller"),
        other => unknown(
            span,
            UnknownReason::Unsupported {
                function: format!("{other}()"),
            },
        ),
    };
    match result {
        Resolved::Str(text) if text.parts.iter().map(len).sum::<usize>() > MAX_TEXT => {
            invalid(span, "a string longer than sandtrap follows")
        }
        other => other,
    }
}

fn len(part: &TextPart) -> usize {
    match part {
        TextPart::Lit(s) | TextPart::Secret(s) => s.len(),
        TextPart::Hole(_) => 16,
    }
}

pub(super) fn arity(span: Span, name: &str) -> Resolved {
    invalid(span, format!("{name}() called with the wrong arguments"))
}

/// The first unknown of `value`, or an error saying `why`.
pub(super) fn not_known_or(value: &Resolved, span: Span, why: &str) -> Resolved {
    first_unknown(value).unwrap_or_else(|| invalid(span, why))
}

fn text_arg(value: &Resolved, span: Span) -> Text {
    to_text(value, span)
}

pub(super) fn list_arg<'a>(
    value: &'a Resolved,
    span: Span,
    name: &str,
) -> Result<&'a [Resolved], Resolved> {
    match value {
        Resolved::List(items) => Ok(items),
        other => Err(not_known_or(
            other,
            span,
            &format!("{name}() of a value that is not a list"),
        )),
    }
}

fn format(args: &[Resolved], span: Span) -> Resolved {
    let Some((spec, rest)) = args.split_first() else {
        return arity(span, "format");
    };
    let Some(spec) = known_string(spec) else {
        return not_known_or(spec, span, "format() with a format that is not a string");
    };
    let mut out = Text::default();
    let mut values = rest.iter();
    let mut chars = spec.chars().peekable();
    let mut literal = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            literal.push(c);
            continue;
        }
        // Flags and width are read and dropped; the verb decides the conversion.
        let mut verb = None;
        for next in chars.by_ref() {
            if next.is_ascii_alphabetic() || next == '%' {
                verb = Some(next);
                break;
            }
        }
        match verb {
            Some('%') => literal.push('%'),
            Some(verb) => {
                let Some(value) = values.next() else {
                    return invalid(span, "format() has more verbs than arguments");
                };
                out.parts.push(TextPart::Lit(std::mem::take(&mut literal)));
                match verb {
                    'q' => {
                        out.parts.push(TextPart::Lit("\"".into()));
                        out.parts.extend(text_arg(value, span).parts);
                        out.parts.push(TextPart::Lit("\"".into()));
                    }
                    'v' | 's' | 'd' | 'f' | 'g' | 'e' | 'x' | 'X' | 'o' | 'b' | 't' => {
                        out.parts.extend(text_arg(value, span).parts);
                    }
                    other => return invalid(span, format!("format() verb `%{other}`")),
                }
            }
            None => return invalid(span, "format() with a `%` at its end"),
        }
    }
    out.parts.push(TextPart::Lit(literal));
    Resolved::Str(normalize(out))
}

fn formatlist(args: &[Resolved], span: Span) -> Resolved {
    let Some(count) = args[1..]
        .iter()
        .filter_map(|a| match a {
            Resolved::List(items) => Some(items.len()),
            _ => None,
        })
        .max()
    else {
        return format(args, span);
    };
    let mut items = Vec::new();
    for i in 0..count.min(MAX_ITEMS) {
        let mut row = vec![args[0].clone()];
        for arg in &args[1..] {
            row.push(match arg {
                Resolved::List(list) => list.get(i).cloned().unwrap_or(Resolved::Null),
                other => other.clone(),
            });
        }
        items.push(format(&row, span));
    }
    Resolved::List(items)
}

fn join(args: &[Resolved], span: Span) -> Resolved {
    let Some((separator, lists)) = args.split_first() else {
        return arity(span, "join");
    };
    let separator = text_arg(separator, span);
    let mut out = Text::default();
    let mut first = true;
    for list in lists {
        let items = match list_arg(list, span, "join") {
            Ok(items) => items,
            Err(e) => return e,
        };
        for item in items {
            if !first {
                out.parts.extend(separator.parts.iter().cloned());
            }
            first = false;
            out.parts.extend(text_arg(item, span).parts);
        }
    }
    Resolved::Str(normalize(out))
}

fn split(args: &[Resolved], span: Span) -> Resolved {
    let [separator, text] = args else {
        return arity(span, "split");
    };
    match (known_string(separator), known_string(text)) {
        (Some(sep), Some(text)) if !sep.is_empty() => Resolved::List(
            text.split(sep.as_str())
                .map(string)
                .take(MAX_ITEMS)
                .collect(),
        ),
        (Some(_), Some(text)) => {
            Resolved::List(text.chars().map(|c| string(c.to_string())).collect())
        }
        _ => not_known_or(
            &Resolved::List(args.to_vec()),
            span,
            "split() of values that are not strings",
        ),
    }
}

/// Maps the known text of a string, keeping its holes.
fn map_text(value: &Resolved, span: Span, f: &dyn Fn(&str) -> String) -> Resolved {
    let text = text_arg(value, span);
    Resolved::Str(normalize(Text {
        parts: text
            .parts
            .into_iter()
            .map(|p| match p {
                TextPart::Lit(s) => TextPart::Lit(f(&s)),
                TextPart::Secret(s) => TextPart::Secret(f(&s)),
                hole => hole,
            })
            .collect(),
    }))
}

fn text_map(name: &str, args: &[Resolved], span: Span) -> Resolved {
    let [value] = args else {
        return arity(span, name);
    };
    match name {
        "lower" => map_text(value, span, &|s| s.to_lowercase()),
        "upper" => map_text(value, span, &|s| s.to_uppercase()),
        _ => match known_string(value) {
            Some(text) => string(match name {
                "trimspace" => text.trim().to_owned(),
                "chomp" => text.trim_end_matches(['\n', '\r']).to_owned(),
                _ => title(&text),
            }),
            None => not_known_or(
                value,
                span,
                "a string function of a value that is not a string",
            ),
        },
    }
}

fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

fn replace(args: &[Resolved], span: Span) -> Resolved {
    let [text, search, with] = args else {
        return arity(span, "replace");
    };
    let (Some(search), Some(with)) = (known_string(search), known_string(with)) else {
        return not_known_or(
            &Resolved::List(args.to_vec()),
            span,
            "replace() of values that are not strings",
        );
    };
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        return unknown(
            span,
            UnknownReason::Unsupported {
                function: "replace() with a regular expression".into(),
            },
        );
    }
    if search.is_empty() {
        return text.clone();
    }
    map_text(text, span, &|s| s.replace(search.as_str(), &with))
}

fn two_strings(name: &str, args: &[Resolved], span: Span) -> Resolved {
    let [text, other] = args else {
        return arity(span, name);
    };
    let (Some(text), Some(other)) = (known_string(text), known_string(other)) else {
        return not_known_or(
            &Resolved::List(args.to_vec()),
            span,
            "a string function of values that are not strings",
        );
    };
    match name {
        "trimprefix" => string(text.strip_prefix(other.as_str()).unwrap_or(&text)),
        "trimsuffix" => string(text.strip_suffix(other.as_str()).unwrap_or(&text)),
        "trim" => string(text.trim_matches(|c| other.contains(c))),
        "startswith" => Resolved::Bool(text.starts_with(other.as_str())),
        "endswith" => Resolved::Bool(text.ends_with(other.as_str())),
        _ => Resolved::Bool(text.contains(other.as_str())),
    }
}

fn substr(args: &[Resolved], span: Span) -> Resolved {
    let [text, offset, length] = args else {
        return arity(span, "substr");
    };
    let (Some(text), Some(offset), Some(length)) = (
        known_string(text),
        known_string(offset).and_then(|s| s.parse::<i64>().ok()),
        known_string(length).and_then(|s| s.parse::<i64>().ok()),
    ) else {
        return not_known_or(
            &Resolved::List(args.to_vec()),
            span,
            "substr() of values of the wrong types",
        );
    };
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len() as i64;
    let start = if offset < 0 {
        (n + offset).max(0)
    } else {
        offset.min(n)
    } as usize;
    let end = match length {
        -1 => chars.len(),
        l if l < 0 => return invalid(span, "substr() with a negative length"),
        l => (start + l as usize).min(chars.len()),
    };
    string(chars[start..end.max(start)].iter().collect::<String>())
}

fn tostring(args: &[Resolved], span: Span) -> Resolved {
    match args {
        [value @ (Resolved::Str(_) | Resolved::Null)] => value.clone(),
        [Resolved::Number(n)] => string(n.clone()),
        [Resolved::Bool(b)] => string(b.to_string()),
        [other] => not_known_or(other, span, "tostring() of a collection"),
        _ => arity(span, "tostring"),
    }
}

fn tonumber(args: &[Resolved], span: Span) -> Resolved {
    match args {
        [value] => match known_string(value).map(|s| s.parse::<f64>()) {
            Some(Ok(n)) => number_value(n),
            Some(Err(_)) => invalid(span, "tonumber() of a string that is not a number"),
            None if *value == Resolved::Null => Resolved::Null,
            None => not_known_or(value, span, "tonumber() of a collection"),
        },
        _ => arity(span, "tonumber"),
    }
}

fn tobool(args: &[Resolved], span: Span) -> Resolved {
    match args {
        [value] => match truth(value) {
            Truth::True => Resolved::Bool(true),
            Truth::False => Resolved::Bool(false),
            Truth::Unknown if *value == Resolved::Null => Resolved::Null,
            Truth::Unknown => not_known_or(value, span, "tobool() of a value that is not a bool"),
        },
        _ => arity(span, "tobool"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Resolved {
        string(text)
    }

    fn hole() -> Resolved {
        unknown(
            Span::default(),
            UnknownReason::Variable { name: "x".into() },
        )
    }

    #[test]
    fn string_functions_keep_known_text_around_holes() {
        let joined = call(
            "join",
            vec![s(":"), Resolved::List(vec![s("arn"), hole(), s("x")])],
            Span::default(),
        );
        let Resolved::Str(text) = joined else {
            panic!()
        };
        assert_eq!(text.to_string(), "arn:<var.x>:x");
        let formatted = call(
            "format",
            vec![
                s("arn:aws:ses:%s:%s:identity/%s"),
                s("us-east-1"),
                hole(),
                s("e.com"),
            ],
            Span::default(),
        );
        assert_eq!(format!("{formatted:?}").matches("Hole").count(), 1);
    }

    #[test]
    fn collections() {
        let merged = call(
            "merge",
            vec![
                Resolved::Map(vec![("a".into(), s("1")), ("b".into(), s("2"))]),
                Resolved::Map(vec![("b".into(), s("3"))]),
            ],
            Span::default(),
        );
        assert_eq!(
            call("lookup", vec![merged.clone(), s("b")], Span::default()),
            s("3")
        );
        assert_eq!(
            call("lookup", vec![merged, s("z"), s("d")], Span::default()),
            s("d")
        );
        let list = Resolved::List(vec![s("a"), s("b")]);
        assert_eq!(
            call(
                "element",
                vec![list.clone(), Resolved::Number("3".into())],
                Span::default()
            ),
            s("b")
        );
        assert_eq!(
            call("length", vec![list.clone()], Span::default()),
            Resolved::Number("2".into())
        );
        assert_eq!(
            call("contains", vec![list.clone(), s("b")], Span::default()),
            Resolved::Bool(true)
        );
        assert_eq!(
            call("one", vec![Resolved::List(vec![s("x")])], Span::default()),
            s("x")
        );
        assert_eq!(
            call(
                "coalesce",
                vec![Resolved::Null, s(""), s("c")],
                Span::default()
            ),
            s("c")
        );
        assert_eq!(
            call("split", vec![s(","), s("a,b")], Span::default()),
            Resolved::List(vec![s("a"), s("b")])
        );
        assert_eq!(
            call(
                "jsonencode",
                vec![Resolved::Map(vec![("k".into(), list)])],
                Span::default()
            ),
            s("{\"k\":[\"a\",\"b\"]}")
        );
    }

    #[test]
    fn unknown_functions_name_themselves() {
        let value = call("filebase64", vec![s("x")], Span::default());
        assert!(format!("{value:?}").contains("filebase64()"));
        assert!(is_error(&call(
            "lookup",
            vec![Resolved::Map(vec![]), s("k")],
            Span::default()
        )));
    }
}

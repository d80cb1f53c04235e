//! Functions over lists, maps, numbers and JSON.

use super::{arity, list_arg, not_known_or};
use crate::source::Span;
use crate::terraform::eval::{MAX_ITEMS, has_unknown, invalid, known_string, number_value, string};
use crate::value::{Part as TextPart, Resolved, Text};

pub(super) fn concat(args: &[Resolved], span: Span) -> Resolved {
    let mut out = Vec::new();
    for arg in args {
        match list_arg(arg, span, "concat") {
            Ok(items) => out.extend(items.iter().cloned()),
            Err(e) => return e,
        }
    }
    Resolved::List(out)
}

pub(super) fn lookup(args: &[Resolved], span: Span) -> Resolved {
    let (map, key, default) = match args {
        [map, key] => (map, key, None),
        [map, key, default] => (map, key, Some(default)),
        _ => return arity(span, "lookup"),
    };
    let Resolved::Map(entries) = map else {
        return not_known_or(map, span, "lookup() in a value that is not a map");
    };
    let Some(key) = known_string(key) else {
        return not_known_or(key, span, "lookup() with a key that is not a string");
    };
    match (entries.iter().rev().find(|(k, _)| *k == key), default) {
        (Some((_, value)), _) => value.clone(),
        (None, Some(default)) => default.clone(),
        (None, None) => invalid(span, format!("lookup() of a missing key `{key}`")),
    }
}

pub(super) fn merge(args: &[Resolved], span: Span) -> Resolved {
    let mut out: Vec<(String, Resolved)> = Vec::new();
    for arg in args {
        match arg {
            Resolved::Map(entries) => {
                for (key, value) in entries {
                    out.retain(|(k, _)| k != key);
                    out.push((key.clone(), value.clone()));
                }
            }
            Resolved::Null => {}
            other => return not_known_or(other, span, "merge() of a value that is not a map"),
        }
    }
    Resolved::Map(out)
}

pub(super) fn element(args: &[Resolved], span: Span) -> Resolved {
    let [list, index] = args else {
        return arity(span, "element");
    };
    let items = match list_arg(list, span, "element") {
        Ok(items) => items,
        Err(e) => return e,
    };
    let Some(i) = known_string(index).and_then(|s| s.parse::<usize>().ok()) else {
        return not_known_or(index, span, "element() with an index that is not a number");
    };
    match items.len() {
        0 => invalid(span, "element() of an empty list"),
        n => items[i % n].clone(),
    }
}

pub(super) fn coalesce(args: &[Resolved], span: Span) -> Resolved {
    for arg in args {
        match arg {
            Resolved::Null => continue,
            Resolved::Str(text) if text.known().is_some_and(|t| t.is_empty()) => continue,
            other if has_unknown(other) => return other.clone(),
            other => return other.clone(),
        }
    }
    invalid(span, "coalesce() with no value that is not null or empty")
}

pub(super) fn coalescelist(args: &[Resolved], span: Span) -> Resolved {
    for arg in args {
        match arg {
            Resolved::List(items) if items.is_empty() => continue,
            other => return other.clone(),
        }
    }
    invalid(span, "coalescelist() with no list that is not empty")
}

pub(super) fn tolist(name: &str, args: &[Resolved], span: Span) -> Resolved {
    match args {
        [Resolved::List(items)] if name == "toset" => {
            let mut out: Vec<Resolved> = Vec::new();
            for item in items {
                if !out.contains(item) {
                    out.push(item.clone());
                }
            }
            Resolved::List(out)
        }
        [value @ Resolved::List(_)] => value.clone(),
        [Resolved::Map(entries)] => {
            Resolved::List(entries.iter().map(|(_, v)| v.clone()).collect())
        }
        [other] => not_known_or(other, span, "tolist() of a value that is not a collection"),
        _ => arity(span, name),
    }
}

pub(super) fn length(args: &[Resolved], span: Span) -> Resolved {
    match args {
        [Resolved::List(items)] => number_value(items.len() as f64),
        [Resolved::Map(entries)] => number_value(entries.len() as f64),
        [value @ Resolved::Str(_)] => match known_string(value) {
            Some(text) => number_value(text.chars().count() as f64),
            None => not_known_or(value, span, "length() of an unknown string"),
        },
        [other] => not_known_or(other, span, "length() of a value that has none"),
        _ => arity(span, "length"),
    }
}

pub(super) fn contains(args: &[Resolved], span: Span) -> Resolved {
    let [list, value] = args else {
        return arity(span, "contains");
    };
    let items = match list_arg(list, span, "contains") {
        Ok(items) => items,
        Err(e) => return e,
    };
    if has_unknown(value) {
        return not_known_or(value, span, "");
    }
    if items.iter().any(|i| i == value) {
        return Resolved::Bool(true);
    }
    match items.iter().find(|i| has_unknown(i)) {
        Some(unknown) => not_known_or(unknown, span, ""),
        None => Resolved::Bool(false),
    }
}

pub(super) fn one(args: &[Resolved], span: Span) -> Resolved {
    match args {
        [Resolved::List(items)] => match items.as_slice() {
            [] => Resolved::Null,
            [item] => item.clone(),
            _ => invalid(span, "one() of a list of more than one element"),
        },
        [Resolved::Null] => Resolved::Null,
        [other] => not_known_or(other, span, "one() of a value that is not a list"),
        _ => arity(span, "one"),
    }
}

pub(super) fn keys_values(name: &str, args: &[Resolved], span: Span) -> Resolved {
    match args {
        [Resolved::Map(entries)] => {
            let mut sorted = entries.clone();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Resolved::List(
                sorted
                    .into_iter()
                    .map(|(k, v)| if name == "keys" { string(k) } else { v })
                    .collect(),
            )
        }
        [other] => not_known_or(
            other,
            span,
            "keys() or values() of a value that is not a map",
        ),
        _ => arity(span, name),
    }
}

pub(super) fn flatten(args: &[Resolved], span: Span) -> Resolved {
    fn walk(value: &Resolved, out: &mut Vec<Resolved>, depth: usize) {
        match value {
            Resolved::List(items) if depth < 32 => {
                for item in items {
                    walk(item, out, depth + 1);
                }
            }
            other => out.push(other.clone()),
        }
    }
    match args {
        [Resolved::List(items)] => {
            let mut out = Vec::new();
            for item in items {
                walk(item, &mut out, 0);
            }
            Resolved::List(out)
        }
        [other] => not_known_or(other, span, "flatten() of a value that is not a list"),
        _ => arity(span, "flatten"),
    }
}

pub(super) fn distinct(args: &[Resolved], span: Span) -> Resolved {
    tolist("toset", args, span)
}

pub(super) fn compact(args: &[Resolved], span: Span) -> Resolved {
    match args {
        [Resolved::List(items)] => Resolved::List(
            items
                .iter()
                .filter(|i| {
                    !matches!(i, Resolved::Null) && !known_string(i).is_some_and(|s| s.is_empty())
                })
                .cloned()
                .collect(),
        ),
        [other] => not_known_or(other, span, "compact() of a value that is not a list"),
        _ => arity(span, "compact"),
    }
}

pub(super) fn slice(args: &[Resolved], span: Span) -> Resolved {
    let [list, start, end] = args else {
        return arity(span, "slice");
    };
    let items = match list_arg(list, span, "slice") {
        Ok(items) => items,
        Err(e) => return e,
    };
    let index = |v: &Resolved| known_string(v).and_then(|s| s.parse::<usize>().ok());
    match (index(start), index(end)) {
        (Some(s), Some(e)) if s <= e && e <= items.len() => Resolved::List(items[s..e].to_vec()),
        _ => invalid(span, "slice() out of range"),
    }
}

pub(super) fn zipmap(args: &[Resolved], span: Span) -> Resolved {
    let [keys, values] = args else {
        return arity(span, "zipmap");
    };
    let (Resolved::List(keys), Resolved::List(values)) = (keys, values) else {
        return not_known_or(
            &Resolved::List(args.to_vec()),
            span,
            "zipmap() of values that are not lists",
        );
    };
    let mut out = Vec::new();
    for (key, value) in keys.iter().zip(values) {
        let Some(key) = known_string(key) else {
            return not_known_or(key, span, "zipmap() with a key that is not a string");
        };
        out.push((key, value.clone()));
    }
    Resolved::Map(out)
}

pub(super) fn range(args: &[Resolved], span: Span) -> Resolved {
    let numbers: Option<Vec<f64>> = args
        .iter()
        .map(|a| known_string(a).and_then(|s| s.parse::<f64>().ok()))
        .collect();
    let Some(numbers) = numbers else {
        return not_known_or(
            &Resolved::List(args.to_vec()),
            span,
            "range() of values that are not numbers",
        );
    };
    let (start, end, step) = match numbers.as_slice() {
        [end] => (0.0, *end, 1.0),
        [start, end] => (*start, *end, if start <= end { 1.0 } else { -1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => return arity(span, "range"),
    };
    if step == 0.0 {
        return invalid(span, "range() with a step of zero");
    }
    let mut out = Vec::new();
    let mut n = start;
    while (step > 0.0 && n < end) || (step < 0.0 && n > end) {
        if out.len() == MAX_ITEMS {
            return invalid(span, "range() longer than sandtrap follows");
        }
        out.push(number_value(n));
        n += step;
    }
    Resolved::List(out)
}

pub(super) fn index(args: &[Resolved], span: Span) -> Resolved {
    let [list, value] = args else {
        return arity(span, "index");
    };
    let items = match list_arg(list, span, "index") {
        Ok(items) => items,
        Err(e) => return e,
    };
    match items.iter().position(|i| i == value) {
        Some(i) => number_value(i as f64),
        None => invalid(span, "index() of a value not in the list"),
    }
}

pub(super) fn numeric(name: &str, args: &[Resolved], span: Span) -> Resolved {
    let numbers: Option<Vec<f64>> = args
        .iter()
        .map(|a| known_string(a).and_then(|s| s.parse::<f64>().ok()))
        .collect();
    let Some(numbers) = numbers.filter(|n| !n.is_empty()) else {
        return not_known_or(
            &Resolved::List(args.to_vec()),
            span,
            "a number function of values that are not numbers",
        );
    };
    number_value(match name {
        "max" => numbers.iter().copied().fold(f64::MIN, f64::max),
        "min" => numbers.iter().copied().fold(f64::MAX, f64::min),
        "abs" => numbers[0].abs(),
        "ceil" => numbers[0].ceil(),
        _ => numbers[0].floor(),
    })
}

/// JSON text of a value; unknown parts stay holes in the text.
pub(super) fn json(value: &Resolved) -> Text {
    let mut out = Text::default();
    let lit = |out: &mut Text, s: &str| out.parts.push(TextPart::Lit(s.to_owned()));
    match value {
        Resolved::Null => lit(&mut out, "null"),
        Resolved::Bool(b) => lit(&mut out, if *b { "true" } else { "false" }),
        Resolved::Number(n) => lit(&mut out, n),
        Resolved::Str(text) => {
            lit(&mut out, "\"");
            for part in &text.parts {
                match part {
                    TextPart::Lit(s) => lit(&mut out, &escape(s)),
                    TextPart::Secret(s) => out.parts.push(TextPart::Secret(escape(s))),
                    hole => out.parts.push(hole.clone()),
                }
            }
            lit(&mut out, "\"");
        }
        Resolved::List(items) => {
            lit(&mut out, "[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    lit(&mut out, ",");
                }
                out.parts.extend(json(item).parts);
            }
            lit(&mut out, "]");
        }
        Resolved::Map(entries) => {
            lit(&mut out, "{");
            let mut sorted: Vec<&(String, Resolved)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (i, (key, value)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    lit(&mut out, ",");
                }
                lit(&mut out, &format!("\"{}\":", escape(key)));
                out.parts.extend(json(value).parts);
            }
            lit(&mut out, "}");
        }
        Resolved::Unknown(u) => out.parts.push(TextPart::Hole(u.clone())),
    }
    out
}

pub(super) fn escape(text: &str) -> String {
    serde_json::to_string(text)
        .map(|quoted| quoted[1..quoted.len() - 1].to_owned())
        .unwrap_or_default()
}

//! A readable dump of everything the resolver makes of one stack, for `sandtrap debug resolve`
//! and fixture snapshots.

use std::fmt::Write;

use super::{Part, Resolved, Resolver, StackEnv, Text, Truth, Variant};
use crate::tree::{Document, Node};

/// The stack environment, each condition, each resource's top-level properties and each export,
/// in document order, one line per value (one more per variant when conditions are undecided).
pub fn debug_dump(document: &Document, env: &StackEnv) -> String {
    // What the resolver sees: the template with its `Fn::ForEach` loops expanded.
    let expanded = crate::cloudformation::foreach::expand(document, env);
    let document = expanded.document.as_ref().unwrap_or(document);
    let resolver = Resolver::new(document, env);
    let mut out = String::new();
    for problem in &expanded.problems {
        let _ = writeln!(
            out,
            "not expanded at {}..{}: {}",
            problem.span.start, problem.span.end, problem.message
        );
    }
    for (id, note) in sorted(&expanded.notes) {
        let _ = writeln!(out, "loop {id}: {note}");
    }
    let or_unknown = |v: Option<&str>| v.unwrap_or("?").to_owned();
    let _ = writeln!(
        out,
        "env: account={} region={} partition={} stack={}",
        or_unknown(env.account.as_deref()),
        or_unknown(env.region.as_deref()),
        or_unknown(resolver.partition()),
        or_unknown(env.stack_name.as_deref()),
    );
    for (name, value) in &env.parameters {
        let _ = writeln!(out, "parameter {name} = {value:?}");
    }
    for (name, _) in section(document, "Conditions") {
        let t = resolver.condition(name);
        let _ = write!(out, "condition {name} = {}", truth(t));
        let label = resolver.assumption(name, true);
        if t == Truth::Unknown && label.condition != name {
            let _ = write!(out, " (as {}={})", label.condition, label.value);
        }
        out.push('\n');
    }
    for (id, resource) in section(document, "Resources") {
        let ty = resource.get("Type").and_then(Node::as_str).unwrap_or("?");
        let _ = write!(out, "resource {id} ({ty})");
        if let Some(condition) = resource.get("Condition").and_then(Node::as_str) {
            let created = truth(resolver.resource_condition(id));
            let _ = write!(out, " if {condition} = {created}");
        }
        out.push('\n');
        if let Some(properties) = resource.get("Properties").and_then(Node::as_map) {
            for (property, node) in properties.iter() {
                let label = format!("{id}.{property}");
                write_variants(&mut out, &label, &resolver.resolve(node));
            }
        }
    }
    for (name, output) in section(document, "Outputs") {
        if let Some(value) = output.get("Value") {
            write_variants(
                &mut out,
                &format!("output {name}"),
                &resolver.resolve(value),
            );
        }
    }
    for export in resolver.exports() {
        let label = format!("export {}", quoted(&export.name));
        write_variants(&mut out, &label, &export.value);
    }
    out
}

fn section<'d>(document: &'d Document, name: &str) -> Vec<(&'d str, &'d Node)> {
    match document.root.get(name).and_then(Node::as_map) {
        Some(map) => map.iter().collect(),
        None => Vec::new(),
    }
}

fn truth(t: Truth) -> &'static str {
    match t {
        Truth::True => "true",
        Truth::False => "false",
        Truth::Unknown => "unknown",
    }
}

fn write_variants(out: &mut String, label: &str, variants: &[Variant]) {
    if let [only] = variants
        && only.assumptions.is_empty()
    {
        let _ = writeln!(out, "{label} = {}", value(only.value.as_ref()));
        return;
    }
    let _ = writeln!(out, "{label} =");
    for variant in variants {
        let when: Vec<String> = (variant.assumptions.iter())
            .map(|a| format!("{}={}", a.condition, a.value))
            .collect();
        let when = if when.is_empty() {
            "otherwise".to_owned()
        } else {
            format!("when {}", when.join(", "))
        };
        let _ = writeln!(out, "  {when}: {}", value(variant.value.as_ref()));
    }
}

fn value(v: Option<&Resolved>) -> String {
    let mut out = String::new();
    match v {
        Some(v) => render(&mut out, v),
        None => out.push_str("(no value)"),
    }
    out
}

fn render(out: &mut String, v: &Resolved) {
    match v {
        Resolved::Null => out.push_str("null"),
        Resolved::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Resolved::Number(n) => out.push_str(n),
        Resolved::Str(t) => out.push_str(&quoted(t)),
        Resolved::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(out, item);
            }
            out.push(']');
        }
        Resolved::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push_str(": ");
                render(out, item);
            }
            out.push('}');
        }
        Resolved::Unknown(u) => {
            let _ = write!(out, "<{}>", u.reason);
        }
    }
}

/// A string in double quotes with holes as `<reason>`; quotes, backslashes and control
/// characters in the literal parts are escaped so every value stays on one line.
fn quoted(t: &Text) -> String {
    let mut out = String::from("\"");
    for part in &t.parts {
        match part {
            Part::Lit(s) => {
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        c if c.is_control() => {
                            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                        }
                        c => out.push(c),
                    }
                }
            }
            Part::Secret(_) => out.push_str("<NoEcho ****>"),
            Part::Hole(u) => {
                let _ = write!(out, "<{}>", u.reason);
            }
        }
    }
    out.push('"');
    out
}

fn sorted(notes: &std::collections::HashMap<String, String>) -> Vec<(&String, &String)> {
    let mut out: Vec<_> = notes.iter().collect();
    out.sort();
    out
}

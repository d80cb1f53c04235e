//! The map as Graphviz DOT: accounts and regions as nested clusters filled by SES state,
//! senders as boxes, identities as cylinders, the same colours as the Mermaid picture.

use std::fmt::Write as _;

use super::Map;
use super::mermaid::{severity_color, state_colors};

/// A DOT double-quoted string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn render(map: &Map) -> String {
    let mut out = String::from(
        "digraph sandtrap {\n  rankdir=LR;\n  compound=true;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for note in &map.collapsed {
        let _ = writeln!(out, "  // collapsed: {}", note.replace('\n', " "));
    }
    for account in &map.accounts {
        let _ = writeln!(out, "  subgraph cluster_{} {{", account.id);
        let _ = writeln!(out, "    label={};", quoted(&account.title()));
        for region in &account.regions {
            let (fill, stroke) = state_colors(&region.ses_state);
            let _ = writeln!(out, "    subgraph cluster_{} {{", region.id);
            let _ = writeln!(
                out,
                "      label={}; style=filled; fillcolor=\"{fill}\"; color=\"{stroke}\";",
                quoted(&region.title())
            );
            for sender in &region.senders {
                let mut text = format!("{}\n{}", sender.resource, sender.stack);
                if !sender.findings.is_empty() {
                    text.push('\n');
                    text.push_str(&sender.findings.join(" "));
                }
                let color = sender.severity.map_or("#57606a", severity_color);
                let width = if sender.severity.is_some() { 2 } else { 1 };
                let _ = writeln!(
                    out,
                    "      {} [shape=box, style=\"rounded,filled\", fillcolor=white, color=\"{color}\", penwidth={width}, label={}];",
                    sender.id,
                    quoted(&text)
                );
            }
            if let Some(collapsed) = &region.collapsed {
                let _ = writeln!(
                    out,
                    "      {} [shape=box, style=\"rounded,dashed\", label={}];",
                    collapsed.id,
                    quoted(&format!(
                        "{} clean senders in {} stacks",
                        collapsed.senders, collapsed.stacks
                    ))
                );
            }
            for identity in &region.identities {
                let style = if identity.status == "declared" {
                    "filled"
                } else {
                    "filled,dashed"
                };
                let _ = writeln!(
                    out,
                    "      {} [shape=cylinder, style=\"{style}\", fillcolor=white, label={}];",
                    identity.id,
                    quoted(&identity.title())
                );
            }
            let _ = writeln!(out, "    }}");
        }
        let _ = writeln!(out, "  }}");
    }
    for edge in &map.edges {
        let style = if edge.status == "declared" {
            "solid"
        } else {
            "dashed"
        };
        let color = edge.severity.map_or("#57606a", severity_color);
        let _ = writeln!(
            out,
            "  {} -> {} [style={style}, color=\"{color}\", label={}];",
            edge.from,
            edge.to,
            quoted(&edge.label)
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quoted("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
    }
}

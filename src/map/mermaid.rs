//! The map as a Mermaid flowchart (renders in GitHub and GitLab Markdown): accounts and regions
//! as nested subgraphs filled by SES state, senders as boxes, identities as cylinders, edges
//! dashed where the identity is not declared in that account and region, red/amber/blue for
//! the most severe finding.

use std::fmt::Write as _;

use super::{Map, SenderNode};
use crate::diagnostic::Severity;

/// Fill and stroke of a region by SES state.
pub(crate) fn state_colors(state: &str) -> (&'static str, &'static str) {
    match state {
        "sandbox" => ("#ffebe9", "#cf222e"),
        "production" => ("#dafbe1", "#1a7f37"),
        _ => ("#f6f8fa", "#8c959f"),
    }
}

/// The stroke of a node or edge with findings.
pub(crate) fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "#cf222e",
        Severity::Warning => "#bf8700",
        Severity::Info => "#0969da",
    }
}

/// A label inside `["..."]`: Mermaid's entity codes for what would end or break it.
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn sender_label(node: &SenderNode) -> String {
    let mut text = format!("{}<br/>{}", label(&node.resource), label(&node.stack));
    if !node.findings.is_empty() {
        let _ = write!(text, "<br/>{}", label(&node.findings.join(" ")));
    }
    text
}

/// Writes the flowchart, without a Markdown fence.
pub fn render(map: &Map) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut styles = String::new();
    for (index, note) in map.collapsed.iter().enumerate() {
        let _ = writeln!(
            out,
            "  %% collapsed {}: {}",
            index + 1,
            note.replace('\n', " ")
        );
    }
    for account in &map.accounts {
        let _ = writeln!(
            out,
            "  subgraph {}[\"{}\"]",
            account.id,
            label(&account.title())
        );
        let _ = writeln!(out, "    direction LR");
        for region in &account.regions {
            let _ = writeln!(
                out,
                "    subgraph {}[\"{}\"]",
                region.id,
                label(&region.title())
            );
            for sender in &region.senders {
                let _ = writeln!(out, "      {}[\"{}\"]", sender.id, sender_label(sender));
                if let Some(severity) = sender.severity {
                    let _ = writeln!(
                        styles,
                        "  style {} stroke:{},stroke-width:3px",
                        sender.id,
                        severity_color(severity)
                    );
                }
            }
            if let Some(collapsed) = &region.collapsed {
                let _ = writeln!(
                    out,
                    "      {}[\"{} clean sender{} in {} stack{}\"]",
                    collapsed.id,
                    collapsed.senders,
                    if collapsed.senders == 1 { "" } else { "s" },
                    collapsed.stacks,
                    if collapsed.stacks == 1 { "" } else { "s" },
                );
                let _ = writeln!(styles, "  style {} stroke-dasharray:4 3", collapsed.id);
            }
            for identity in &region.identities {
                let _ = writeln!(
                    out,
                    "      {}[(\"{}\")]",
                    identity.id,
                    label(&identity.title())
                );
                if identity.status != "declared" {
                    let _ = writeln!(styles, "  style {} stroke-dasharray:4 3", identity.id);
                }
            }
            let _ = writeln!(out, "    end");
            let (fill, stroke) = state_colors(&region.ses_state);
            let _ = writeln!(styles, "  style {} fill:{fill},stroke:{stroke}", region.id);
        }
        let _ = writeln!(out, "  end");
    }
    for (index, edge) in map.edges.iter().enumerate() {
        let arrow = if edge.status == "declared" {
            "-->"
        } else {
            "-.->"
        };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            edge.from,
            label(&edge.label),
            edge.to
        );
        if let Some(severity) = edge.severity {
            let _ = writeln!(
                styles,
                "  linkStyle {index} stroke:{},stroke-width:2px",
                severity_color(severity)
            );
        }
    }
    out.push_str(&styles);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_end_the_label_or_inject_markup() {
        assert_eq!(label(r#"a"b<c>#d`"#), "a#quot;b#lt;c#gt;#35;d#96;");
        assert_eq!(label("x\ny\u{7}"), "x y");
    }
}

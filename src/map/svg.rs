//! The map drawn as SVG by sandtrap itself, for the HTML report (no layout engine, no script,
//! nothing fetched): accounts stacked top to bottom, an account's regions side by side, in each
//! region its senders in a left column and the identities mail goes through in a right one;
//! edges are curves from sender to identity, across regions when the SES region is another.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::mermaid::{severity_color, state_colors};
use super::{AccountGroup, CollapsedNode, Edge, IdentityNode, Map, RegionGroup, SenderNode};
use crate::site::markdown::escape;

const NODE_W: f64 = 230.0;
const NODE_H: f64 = 46.0;
const ROW_GAP: f64 = 12.0;
const COLUMN_GAP: f64 = 70.0;
const PAD: f64 = 14.0;
const HEADER: f64 = 30.0;
const GROUP_GAP: f64 = 24.0;
/// Characters of a node line before it is cut (the full text is the node's tooltip).
const LINE_CHARS: usize = 32;

fn cut(text: &str) -> String {
    if text.chars().count() <= LINE_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(LINE_CHARS - 1).collect();
    out.push('…');
    out
}

/// Where each node was placed: its box (x, y, width, height).
type Boxes = HashMap<String, (f64, f64)>;

pub fn render(map: &Map) -> String {
    let mut body = String::new();
    let mut anchors: Boxes = HashMap::new();
    let mut y = GROUP_GAP / 2.0;
    let mut width: f64 = 0.0;
    for account in &map.accounts {
        let (account_w, account_h) = draw_account(account, y, &mut body, &mut anchors);
        width = width.max(account_w + GROUP_GAP / 2.0);
        y += account_h + GROUP_GAP;
    }
    for edge in &map.edges {
        draw_edge(edge, &anchors, &mut body);
    }
    let height = y.max(60.0);
    let width = width.max(300.0);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Map of the senders, identities and SES regions of the run\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#57606a\"/></marker>\
         <style>text{{font:12px system-ui,sans-serif;fill:#1f2328}}.group-title{{font-weight:600}}.node-sub{{fill:#59636e;font-size:11px}}</style></defs>\n{body}</svg>"
    );
    out
}

/// Draws an account with its regions side by side from `top`; returns its width and height.
fn draw_account(
    account: &AccountGroup,
    top: f64,
    body: &mut String,
    anchors: &mut Boxes,
) -> (f64, f64) {
    let mut x = GROUP_GAP / 2.0 + PAD;
    let mut tallest: f64 = 0.0;
    let mut inner = String::new();
    for region in &account.regions {
        let (w, h) = draw_region(region, x, top + HEADER, &mut inner, anchors);
        x += w + GROUP_GAP;
        tallest = tallest.max(h);
    }
    let account_w = x - GROUP_GAP / 2.0;
    let account_h = HEADER + tallest + PAD;
    let _ = writeln!(
        body,
        "<g class=\"account\" data-id=\"{id}\"><rect x=\"{ax}\" y=\"{top}\" width=\"{aw}\" height=\"{account_h}\" rx=\"10\" fill=\"none\" stroke=\"#8c959f\"/><text class=\"group-title\" x=\"{tx}\" y=\"{ty}\">{title}</text></g>",
        id = account.id,
        ax = GROUP_GAP / 2.0,
        aw = account_w - GROUP_GAP / 2.0,
        tx = GROUP_GAP / 2.0 + PAD,
        ty = top + 20.0,
        title = escape(&account.title()),
    );
    body.push_str(&inner);
    (account_w, account_h)
}

/// Draws a region at (`x`, `ry`): senders in the left column, identities in the right one.
/// Returns its width and height.
fn draw_region(
    region: &RegionGroup,
    x: f64,
    ry: f64,
    out: &mut String,
    anchors: &mut Boxes,
) -> (f64, f64) {
    let senders = region.senders.len() + usize::from(region.collapsed.is_some());
    let rows = senders.max(region.identities.len()).max(1) as f64;
    let has_right = !region.identities.is_empty();
    let w = PAD * 2.0 + NODE_W + if has_right { COLUMN_GAP + NODE_W } else { 0.0 };
    let h = HEADER + rows * (NODE_H + ROW_GAP) - ROW_GAP + PAD;
    let (fill, stroke) = state_colors(&region.ses_state);
    let _ = writeln!(
        out,
        "<g class=\"region\" data-id=\"{id}\" data-state=\"{state}\"><rect x=\"{x}\" y=\"{ry}\" width=\"{w}\" height=\"{h}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\"/><text class=\"group-title\" x=\"{tx}\" y=\"{ty}\">{title}</text></g>",
        id = region.id,
        state = escape(&region.ses_state),
        tx = x + PAD,
        ty = ry + 20.0,
        title = escape(&region.title()),
    );
    let row_y = |row: usize| ry + HEADER + row as f64 * (NODE_H + ROW_GAP);
    for (row, sender) in region.senders.iter().enumerate() {
        draw_sender(sender, x + PAD, row_y(row), out);
        anchors.insert(sender.id.clone(), (x + PAD, row_y(row)));
    }
    if let Some(collapsed) = &region.collapsed {
        draw_collapsed(collapsed, x + PAD, row_y(region.senders.len()), out);
    }
    for (row, identity) in region.identities.iter().enumerate() {
        let nx = x + PAD + NODE_W + COLUMN_GAP;
        draw_identity(identity, nx, row_y(row), out);
        anchors.insert(identity.id.clone(), (nx, row_y(row)));
    }
    (w, h)
}

fn draw_sender(sender: &SenderNode, nx: f64, ny: f64, out: &mut String) {
    let color = sender.severity.map_or("#57606a", severity_color);
    let width = if sender.severity.is_some() { 2.5 } else { 1.0 };
    let severity = sender.severity.map_or("none", |s| s.as_str());
    let third = if sender.findings.is_empty() {
        String::new()
    } else {
        format!(" · {}", sender.findings.join(" "))
    };
    let _ = writeln!(
        out,
        "<g class=\"node sender\" data-id=\"{id}\" data-severity=\"{severity}\" data-stack=\"{stack}\"><title>{title}</title><rect x=\"{nx}\" y=\"{ny}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\" fill=\"#ffffff\" stroke=\"{color}\" stroke-width=\"{width}\"/><text x=\"{tx}\" y=\"{t1}\" class=\"node-title\">{line1}</text><text x=\"{tx}\" y=\"{t2}\" class=\"node-sub\">{line2}</text></g>",
        id = sender.id,
        stack = escape(&sender.stack),
        title = escape(&format!("{}{third}", sender.title())),
        tx = nx + 8.0,
        t1 = ny + 19.0,
        t2 = ny + 36.0,
        line1 = escape(&cut(&sender.resource)),
        line2 = escape(&cut(&format!("{}{third}", sender.stack))),
    );
}

fn draw_collapsed(collapsed: &CollapsedNode, nx: f64, ny: f64, out: &mut String) {
    let _ = writeln!(
        out,
        "<g class=\"node collapsed\" data-id=\"{id}\"><title>{n} senders without findings in {s} stacks</title><rect x=\"{nx}\" y=\"{ny}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\" fill=\"#ffffff\" stroke=\"#57606a\" stroke-dasharray=\"4 3\"/><text x=\"{tx}\" y=\"{t1}\" class=\"node-title\">{n} clean senders</text><text x=\"{tx}\" y=\"{t2}\" class=\"node-sub\">in {s} stacks</text></g>",
        id = collapsed.id,
        n = collapsed.senders,
        s = collapsed.stacks,
        tx = nx + 8.0,
        t1 = ny + 19.0,
        t2 = ny + 36.0,
    );
}

fn draw_identity(identity: &IdentityNode, nx: f64, ny: f64, out: &mut String) {
    let dash = if identity.status == "declared" {
        ""
    } else {
        " stroke-dasharray=\"4 3\""
    };
    let _ = writeln!(
        out,
        "<g class=\"node identity\" data-id=\"{id}\" data-status=\"{status}\"><title>{title}</title><rect x=\"{nx}\" y=\"{ny}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"18\" fill=\"#ffffff\" stroke=\"#57606a\"{dash}/><text x=\"{tx}\" y=\"{t1}\" class=\"node-title\">{line1}</text><text x=\"{tx}\" y=\"{t2}\" class=\"node-sub\">{line2}</text></g>",
        id = identity.id,
        status = escape(&identity.status),
        title = escape(&identity.title()),
        tx = nx + 12.0,
        t1 = ny + 19.0,
        t2 = ny + 36.0,
        line1 = escape(&cut(identity.name.as_deref().unwrap_or("identity unknown"))),
        line2 = escape(&cut(match identity.status.as_str() {
            "declared" => "declared in the run",
            "elsewhere" => "declared only elsewhere",
            "other-level" => "another level declared",
            "missing" => "not declared in the run",
            _ => "not resolved",
        })),
    );
}

/// A curve from a sender's side to its identity's, across regions when they differ.
fn draw_edge(edge: &Edge, anchors: &Boxes, out: &mut String) {
    let (Some(&(sx, sy)), Some(&(ix, iy))) = (anchors.get(&edge.from), anchors.get(&edge.to))
    else {
        return;
    };
    let (x1, x2) = if ix >= sx + NODE_W {
        (sx + NODE_W, ix)
    } else {
        (sx, ix + NODE_W)
    };
    let (y1, y2) = (sy + NODE_H / 2.0, iy + NODE_H / 2.0);
    let bend = ((x2 - x1).abs() / 2.0).max(40.0);
    let (c1, c2) = if x2 >= x1 {
        (x1 + bend, x2 - bend)
    } else {
        (x1 - bend, x2 + bend)
    };
    let color = edge.severity.map_or("#57606a", severity_color);
    let dash = if edge.status == "declared" {
        ""
    } else {
        " stroke-dasharray=\"5 4\""
    };
    let _ = writeln!(
        out,
        "<path class=\"edge\" data-from=\"{from}\" data-to=\"{to}\" d=\"M{x1},{y1} C{c1},{y1} {c2},{y2} {x2},{y2}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\"{dash} marker-end=\"url(#arrow)\"><title>{label}</title></path>",
        from = edge.from,
        to = edge.to,
        label = escape(&edge.label),
    );
}

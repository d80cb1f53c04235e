//! A self-contained HTML report (one file, no network: the CSS and the script are inline, the map
//! is SVG drawn by sandtrap): the headline, the SES accounts and regions that need production
//! access, the map, the findings grouped by region and stack with their source lines, filters by
//! severity and code, and each rule's documentation one click away (embedded, and linked to its
//! page on the documentation site).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use super::markdown::{count, request_command};
use crate::diagnostic::{Diagnostic, Severity};
use crate::site::markdown::{self, Link, escape};
use crate::source::{Snippet, SourceFile};

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Lines of context shown above and below a finding.
const CONTEXT: usize = 2;

/// A few lines around the finding, the primary span marked: the window of the human format
/// ([`Snippet`]), so a long line is cut around the finding (`…`) and what it shows costs the
/// same however long the line is; control characters shown, never written.
fn snippet(file: &SourceFile, d: &Diagnostic) -> String {
    let (window, spans) = Snippet::with_context(file, &[d.location.span], CONTEXT);
    let marked = spans.first().copied().unwrap_or_default();
    let text = window.text();
    let mut out = String::from("<pre class=\"snippet\"><code>");
    for (number, line) in window.lines() {
        // The part of the line under the finding's span, if any (an empty span marks nothing).
        let from = marked.start as usize;
        let to = marked.end as usize;
        let hit = (from < line.end && to > line.start)
            || (from == to && line.start <= from && from <= line.end);
        let piece = |range: std::ops::Range<usize>| escape(text.get(range).unwrap_or_default());
        let body = if from < to && hit {
            let (a, b) = (from.max(line.start), to.min(line.end));
            format!(
                "{}<mark>{}</mark>{}",
                piece(line.start..a),
                piece(a..b),
                piece(b..line.end)
            )
        } else {
            piece(line.clone())
        };
        // No newline between lines: each is a block already.
        let _ = write!(
            out,
            "<span class=\"line{}\"><span class=\"ln\">{number}</span>{body}</span>",
            if hit { " hit" } else { "" }
        );
    }
    out.push_str("</code></pre>");
    out
}

/// The stack region of each file, for grouping.
fn regions<'a>(report: &Report<'a>) -> BTreeMap<&'a str, (String, String)> {
    let mut out = BTreeMap::new();
    if let Some(map) = report.map {
        for stack in &map.stacks {
            let place = crate::map::place_words(&stack.account, &stack.region);
            out.insert(stack.file.as_str(), (place, stack.name.clone()));
        }
    }
    out
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let mut html = String::new();
    let headline = if s.errors + s.warnings + s.infos == 0 {
        format!("No problems in {}", count(s.templates, "template"))
    } else {
        format!(
            "{}, {}, {} in {}",
            count(s.errors, "error"),
            count(s.warnings, "warning"),
            count(s.infos, "info"),
            count(s.templates, "template")
        )
    };
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>sandtrap report: {headline}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><h1>sandtrap report</h1><p class=\"headline\">{headline}</p></header>\n<main>\n",
        headline = escape(&headline),
    );
    if let Some(map) = report.map {
        production_section(&mut html, map);
        // A run without senders has no map to draw (only broken or unrelated files).
        if !map.accounts.is_empty() {
            map_section(&mut html, map);
        }
    }
    let codes = findings_section(&mut html, report);
    // The documentation of every rule that has a finding, embedded so the report works offline.
    for code in codes {
        if let Some(rule) = report.catalog.get(code) {
            rule_dialog(&mut html, rule);
        }
    }
    let _ = write!(
        html,
        "</main>\n<footer>sandtrap {} · {}</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&count(s.files, "file")),
    );
    out.write_all(html.as_bytes())
}

/// The accounts and regions that need SES production access, with the commands.
fn production_section(html: &mut String, map: &crate::map::Map) {
    if map.totals.needs_production.is_empty() {
        return;
    }
    html.push_str("<section class=\"production\"><h2>SES production access needed</h2>\n<p>Until it is granted, SES mails only verified addresses there.</p>\n<table><thead><tr><th>account</th><th>region</th><th>SES state</th><th>senders</th><th>request it</th><th>then record it</th></tr></thead><tbody>\n");
    for place in &map.totals.needs_production {
        let record = place.production_flag();
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td><span class=\"state {state}\">{state}</span></td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            escape(place.account.as_deref().unwrap_or("unknown")),
            escape(&place.region),
            place.senders,
            escape(&request_command(&place.region)),
            escape(&record),
            state = escape(&place.state),
        );
    }
    html.push_str("</tbody></table></section>\n");
}

/// The map of senders, identities and SES regions, with its legend.
fn map_section(html: &mut String, map: &crate::map::Map) {
    let _ = write!(
        html,
        "<section class=\"map\"><h2>Who mails through which SES</h2>\n\
         <p class=\"legend\"><span class=\"state sandbox\">sandbox</span> <span class=\"state production\">production</span> \
         <span class=\"state unknown\">unknown</span> · dashed: the identity is not declared there · red, amber, blue: error, warning, info</p>\n\
         <div class=\"map-frame\">{}</div>\n",
        crate::map::svg::render(map)
    );
    for note in &map.collapsed {
        let _ = writeln!(html, "<p class=\"collapsed\">{}</p>", escape(note));
    }
    html.push_str("</section>\n");
}

/// The findings with their filters, grouped by region, then stack; files without a stack
/// (configuration, unreadable files) last. Returns the codes found.
fn findings_section<'a>(html: &mut String, report: &Report<'a>) -> Vec<&'a str> {
    let mut codes: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    for d in report.diagnostics {
        codes.entry(&d.code).or_insert((&d.name, 0)).1 += 1;
    }
    if report.diagnostics.is_empty() {
        return Vec::new();
    }
    filters(html, report, &codes);
    let places = regions(report);
    let mut groups: BTreeMap<(bool, String), BTreeMap<String, Vec<&Diagnostic>>> = BTreeMap::new();
    for d in report.diagnostics {
        let file = report.files.get(d.location.file);
        let name = file.map_or("", |f| f.name.as_str());
        let (place, stack) = match places.get(name) {
            Some((place, stack)) => (place.clone(), stack.clone()),
            None => ("files outside any stack".to_owned(), name.to_owned()),
        };
        groups
            .entry((!places.contains_key(name), place))
            .or_default()
            .entry(stack)
            .or_default()
            .push(d);
    }
    for ((_, place), stacks) in &groups {
        let _ = writeln!(
            html,
            "<section class=\"region-group\"><h3>{}</h3>",
            escape(place)
        );
        for (stack, findings) in stacks {
            let _ = writeln!(
                html,
                "<section class=\"stack-group\"><h4>{}</h4>",
                escape(stack)
            );
            for d in findings {
                finding(html, report, d);
            }
            html.push_str("</section>\n");
        }
        html.push_str("</section>\n");
    }
    html.push_str("</section>\n");
    codes.into_keys().collect()
}

/// One checkbox per severity, one per code present.
fn filters(html: &mut String, report: &Report<'_>, codes: &BTreeMap<&str, (&str, usize)>) {
    html.push_str("<section class=\"findings\"><h2>Findings</h2>\n<form class=\"filters\" aria-label=\"Filter findings\">\n<fieldset><legend>Severity</legend>");
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let n = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count();
        let _ = write!(
            html,
            "<label><input type=\"checkbox\" name=\"severity\" value=\"{severity}\" checked> {severity} ({n})</label> "
        );
    }
    html.push_str("</fieldset>\n<fieldset><legend>Rule</legend>");
    for (code, (name, n)) in codes {
        let _ = write!(
            html,
            "<label title=\"{name}\"><input type=\"checkbox\" name=\"code\" value=\"{code}\" checked> {code} ({n})</label> ",
            code = escape(code),
            name = escape(name),
        );
    }
    html.push_str("</fieldset>\n<p class=\"shown\" aria-live=\"polite\"></p></form>\n");
}

/// A rule's documentation in a dialog its findings' `docs` buttons open.
fn rule_dialog(html: &mut String, rule: &crate::rules::Rule) {
    let (body, _, _) = markdown::render(&rule.docs, &|dest| {
        if dest.starts_with("https://") || dest.starts_with('#') {
            Link::To(dest.to_owned())
        } else {
            Link::Text
        }
    });
    let link = rule.url().map_or_else(String::new, |url| {
        format!(
            " · <a href=\"{}\" target=\"_blank\" rel=\"noopener\">on the documentation site</a>",
            escape(&url)
        )
    });
    let _ = writeln!(
        html,
        "<dialog id=\"doc-{code}\" class=\"rule-doc\"><form method=\"dialog\"><button class=\"close\" aria-label=\"Close\">×</button></form>\
         <h2><code>{code}</code> {name}</h2><p class=\"summary\">{summary}{link}</p>{body}</dialog>",
        code = escape(&rule.code),
        name = escape(&rule.name),
        summary = escape(&rule.summary),
    );
}

fn finding(html: &mut String, report: &Report<'_>, d: &Diagnostic) {
    let file = report.files.get(d.location.file);
    let location = file.map_or_else(String::new, |f| {
        let pos = f.position(d.location.span.start);
        format!("{}:{}:{}", f.name, pos.line, pos.column)
    });
    let rule_link = match &d.url {
        Some(url) => format!(
            "<a class=\"rule\" href=\"{url}\" data-rule=\"{code}\">{code}</a>",
            url = escape(url),
            code = escape(&d.code)
        ),
        None => format!("<span class=\"rule\">{}</span>", escape(&d.code)),
    };
    let _ = write!(
        html,
        "<article class=\"finding\" data-severity=\"{severity}\" data-code=\"{code}\">\
         <header><span class=\"severity {severity}\">{severity}</span> {rule_link} <span class=\"name\">{name}</span> \
         <button type=\"button\" class=\"doc\" data-doc=\"doc-{code}\">docs</button> \
         <span class=\"location\">{location}</span></header>\n<p class=\"message\">{message}</p>\n",
        severity = d.severity,
        code = escape(&d.code),
        name = escape(&d.name),
        location = escape(&location),
        message = escape(&d.message),
    );
    if let Some(file) = file {
        html.push_str(&snippet(file, d));
    }
    if let Some(help) = &d.help {
        let _ = write!(html, "<p class=\"help\"><b>help:</b> {}</p>", escape(help));
    }
    if let Some(note) = &d.note {
        let _ = write!(html, "<p class=\"note\"><b>note:</b> {}</p>", escape(note));
    }
    if !d.related.is_empty() {
        html.push_str("<ul class=\"related\">");
        for related in &d.related {
            if let Some(other) = report.files.get(related.location.file) {
                let pos = other.position(related.location.span.start);
                let _ = write!(
                    html,
                    "<li>{}:{}:{}: {}</li>",
                    escape(&other.name),
                    pos.line,
                    pos.column,
                    escape(&related.message)
                );
            }
        }
        html.push_str("</ul>");
    }
    html.push_str("</article>\n");
}

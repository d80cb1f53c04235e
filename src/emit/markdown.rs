//! A Markdown report for people reading CI (GitHub job summaries, pull-request and merge-request
//! comments): a headline, the SES accounts and regions that still need production access with
//! the commands that request and record it, a table of findings linking to their lines, and the
//! map as a Mermaid diagram. GitHub-flavoured: tables, fenced `mermaid`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use crate::diagnostic::Severity;

/// Findings listed in the table; past it, a line says how many more (GitHub caps a job summary
/// at 1 MiB).
pub const MAX_ROWS: usize = 200;

/// Text inside a table cell: no line breaks, no cell separator, no markup. Inside the
/// message's own code spans `<` is already literal, so it is escaped only outside them.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '&' if !in_code => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `` `text` `` with a fence long enough for the backticks inside.
pub(crate) fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    let body: String = text
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(" ".to_owned()),
            '|' => Some("\\|".to_owned()),
            c if c.is_control() => None,
            c => Some(c.to_string()),
        })
        .collect();
    // Inside a table a code span still needs `\|`; the renderer shows `|`.
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// `1 error`, `2 errors`.
pub(crate) fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The command that requests SES production access in a region.
pub fn request_command(region: &str) -> String {
    format!(
        "aws sesv2 put-account-details --production-access-enabled --mail-type TRANSACTIONAL \
         --website-url https://YOUR-SITE --use-case-description \"...\" --region {region}"
    )
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut md = String::new();
    let s = &report.summary;
    let templates = count(s.templates, "template");
    if s.errors + s.warnings + s.infos == 0 {
        let _ = writeln!(md, "### sandtrap: no problems in {templates}\n");
    } else {
        let _ = writeln!(
            md,
            "### sandtrap: {}, {}, {} in {templates}\n",
            count(s.errors, "error"),
            count(s.warnings, "warning"),
            count(s.infos, "info"),
        );
    }
    if let Some(map) = report.map {
        production_table(&mut md, &map.totals.needs_production);
    }
    if !report.diagnostics.is_empty() {
        md.push_str("| severity | rule | location | finding |\n| --- | --- | --- | --- |\n");
        for d in report.diagnostics.iter().take(MAX_ROWS) {
            finding_row(&mut md, report, d);
        }
        if report.diagnostics.len() > MAX_ROWS {
            let _ = writeln!(
                md,
                "\n… and {} more; the SARIF or JSON report has them all.",
                report.diagnostics.len() - MAX_ROWS
            );
        }
        md.push('\n');
    }
    if let Some(map) = report.map
        && !map.accounts.is_empty()
    {
        md.push_str("#### Who mails through which SES\n\n```mermaid\n");
        md.push_str(&crate::map::mermaid::render(map));
        md.push_str("```\n");
        for note in &map.collapsed {
            let _ = writeln!(md, "\n_{}_", cell(note));
        }
    }
    out.write_all(md.as_bytes())
}

/// The accounts and regions that need SES production access, with the commands.
fn production_table(md: &mut String, places: &[crate::map::Place]) {
    if places.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "**SES production access needed** in {}: until it is granted, SES there mails only verified addresses.\n",
        if places.len() == 1 {
            "1 account and region".to_owned()
        } else {
            format!("{} accounts and regions", places.len())
        }
    );
    md.push_str("| account | region | SES state | senders | request it | then record it |\n");
    md.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for place in places {
        let account = place.account.as_deref().unwrap_or("unknown");
        let record = place.production_flag();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            cell(account),
            cell(&place.region),
            cell(&place.state),
            place.senders,
            code(&request_command(&place.region)),
            code(&record),
        );
    }
    md.push('\n');
}

/// One finding as a table row, its location linked to the commit's file when the run knows it.
fn finding_row(md: &mut String, report: &Report<'_>, d: &crate::diagnostic::Diagnostic) {
    let icon = match d.severity {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟠 warning",
        Severity::Info => "🔵 info",
    };
    let rule = match &d.url {
        Some(url) => format!("[{}]({url} \"{}\")", d.code, cell(&d.name)),
        None => format!("{} ({})", d.code, cell(&d.name)),
    };
    let location = match report.files.get(d.location.file) {
        Some(file) => {
            let pos = file.position(d.location.span.start);
            // Relative to the repository root, as the commit's file browser is.
            let path = report.repository_path(&file.name);
            let text = format!("{path}:{}:{}", pos.line, pos.column);
            match report.source_url {
                Some(base) if file.path.is_some() => format!(
                    "[{}]({base}{}#L{})",
                    cell(&text),
                    encode_path(&path),
                    pos.line
                ),
                _ => code(&text),
            }
        }
        None => String::new(),
    };
    let mut finding = cell(&d.message);
    if let Some(help) = &d.help {
        let _ = write!(finding, "<br>**help:** {}", cell(help));
    }
    let _ = writeln!(md, "| {icon} | {rule} | {location} | {finding} |");
}

/// A relative path as a URL path: each segment percent-encoded where URLs need it.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        assert_eq!(cell("a|b\nc<script>"), "a\\|b c&lt;script&gt;");
        assert_eq!(cell("`<unknown>` <b>"), "`<unknown>` &lt;b&gt;");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("a|b <c>"), "`a\\|b <c>`");
    }

    #[test]
    fn paths_are_url_encoded() {
        assert_eq!(
            encode_path("cdk.out/My Stack.json"),
            "cdk.out/My%20Stack.json"
        );
    }
}

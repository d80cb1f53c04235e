//! `sandtrap status`: every (account, region) the run touches as one table, the answer to
//! "which regions still need SES production access": the SES state and who said it (live, flag,
//! config, unknown), with `--aws` the account's sending state, enforcement, quota and rate, and
//! the identities mailed through there with their verification. Drawn from the [`Map`], in
//! human, JSON and Markdown (with the map).

use std::fmt::Write as _;

use serde::Serialize;

use super::{Map, RegionGroup};

/// One row of the table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub account: Option<String>,
    pub region: Option<String>,
    /// `sandbox`, `production` or `unknown`.
    pub ses_state: String,
    /// `live`, `flag`, `config` or `unknown`.
    pub source: String,
    pub production_access: Option<bool>,
    pub sending_enabled: Option<bool>,
    pub enforcement_status: Option<String>,
    pub max_24_hour_send: Option<f64>,
    pub sent_last_24_hours: Option<f64>,
    pub max_send_rate: Option<f64>,
    /// The production-access request's review status (`PENDING`, `GRANTED`, ...).
    pub review_status: Option<String>,
    /// Why the live state could not be read.
    pub live_error: Option<String>,
    /// Senders whose stack is here.
    pub senders: usize,
    pub identities: Vec<IdentityRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct IdentityRow {
    pub name: Option<String>,
    /// `declared`, `elsewhere`, `other-level`, `missing` or `unknown` (in the run).
    pub declared: String,
    /// With `--aws`: SES's verification status, or `NOT_FOUND`.
    pub verification_status: Option<String>,
}

/// The status table of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub version: u32,
    pub rows: Vec<Row>,
}

pub fn rows(map: &Map) -> Status {
    let mut rows = Vec::new();
    for account in &map.accounts {
        for region in &account.regions {
            rows.push(row(account.account.clone(), region));
        }
    }
    Status { version: 1, rows }
}

fn row(account: Option<String>, region: &RegionGroup) -> Row {
    let live = region.live.as_ref();
    Row {
        account,
        region: region.region.clone(),
        ses_state: region.ses_state.clone(),
        source: region
            .ses_state_source
            .clone()
            .unwrap_or_else(|| "unknown".to_owned()),
        production_access: live.map(|l| l.production_access),
        sending_enabled: live.map(|l| l.sending_enabled),
        enforcement_status: live.and_then(|l| l.enforcement_status.clone()),
        max_24_hour_send: live.and_then(|l| l.max_24_hour_send),
        sent_last_24_hours: live.and_then(|l| l.sent_last_24_hours),
        max_send_rate: live.and_then(|l| l.max_send_rate),
        review_status: live.and_then(|l| l.review_status.clone()),
        live_error: region.live_error.clone(),
        senders: region.senders.len() + region.collapsed.as_ref().map_or(0, |c| c.senders),
        identities: region
            .identities
            .iter()
            .map(|i| IdentityRow {
                name: i.name.clone(),
                declared: i.status.clone(),
                verification_status: i.verification_status.clone(),
            })
            .collect(),
    }
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v < 0.0 => "unlimited".to_owned(),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v}"),
        None => "-".to_owned(),
    }
}

/// The cells of a row, in table order.
fn cells(row: &Row) -> Vec<String> {
    let identities = row
        .identities
        .iter()
        .map(|i| {
            let name = i.name.as_deref().unwrap_or("?");
            match &i.verification_status {
                Some(status) => format!("{name} ({status})"),
                None => format!("{name} ({})", i.declared),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let quota = match (row.max_24_hour_send, row.sent_last_24_hours) {
        (None, _) => "-".to_owned(),
        (max, sent) => format!("{}/{}", number(sent), number(max)),
    };
    vec![
        row.account.clone().unwrap_or_else(|| "unknown".to_owned()),
        row.region.clone().unwrap_or_else(|| "unknown".to_owned()),
        row.ses_state.clone(),
        match &row.live_error {
            Some(_) => format!("{} (lookup failed)", row.source),
            None => row.source.clone(),
        },
        yes_no(row.sending_enabled).to_owned(),
        row.enforcement_status
            .clone()
            .unwrap_or_else(|| "-".to_owned()),
        quota,
        number(row.max_send_rate),
        if identities.is_empty() {
            "-".to_owned()
        } else {
            identities
        },
    ]
}

const HEADINGS: [&str; 9] = [
    "account",
    "region",
    "SES",
    "source",
    "sending",
    "enforcement",
    "sent/24h quota",
    "rate/s",
    "identities",
];

/// A plain text table, columns aligned, then the failed lookups and what to do.
pub fn human(status: &Status) -> String {
    let table: Vec<Vec<String>> = status.rows.iter().map(cells).collect();
    let mut widths: Vec<usize> = HEADINGS.iter().map(|h| h.chars().count()).collect();
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if index + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<width$}  ");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut out, &HEADINGS.map(str::to_owned));
    for row in &table {
        line(&mut out, row);
    }
    for row in &status.rows {
        if let Some(err) = &row.live_error {
            let _ = writeln!(
                out,
                "\n{} {}: {err}",
                row.account.as_deref().unwrap_or("unknown account"),
                row.region.as_deref().unwrap_or("unknown region")
            );
        }
    }
    let needing: Vec<&Row> = status
        .rows
        .iter()
        .filter(|r| r.ses_state != "production" && r.region.is_some() && !r.identities.is_empty())
        .collect();
    if needing.is_empty() {
        out.push_str("\nEvery account and region mailed through has SES production access.\n");
    } else {
        let _ = writeln!(
            out,
            "\nSES production access is needed (or unknown) in {} of the {} accounts and regions mailed through.",
            needing.len(),
            status
                .rows
                .iter()
                .filter(|r| !r.identities.is_empty())
                .count()
        );
    }
    out
}

/// A GitHub-flavoured Markdown table, then the map.
pub fn markdown(status: &Status, map: &Map) -> String {
    let mut out = String::from("### SES state of every account and region\n\n");
    let _ = writeln!(out, "| {} |", HEADINGS.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(HEADINGS.len()));
    for row in &status.rows {
        let cells: Vec<String> = cells(row).iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if !map.accounts.is_empty() {
        out.push_str("\n```mermaid\n");
        out.push_str(&super::mermaid::render(map));
        out.push_str("```\n");
    }
    out
}

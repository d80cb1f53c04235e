//! SARIF 2.1.0 (GitHub code scanning and other SARIF viewers): the subset sandtrap fills, as
//! hand-written serde structs, with rule metadata from the rule files.
//!
//! Choices a consumer may rely on:
//! - `tool.driver.rules` lists every rule of the run's catalog (plus a stub for a code the
//!   catalog lacks), so `ruleIndex` is stable for a given rule set whatever was found. A rule's
//!   `fullDescription` is its "What it does", cut to GitHub's 1,024 characters at a sentence
//!   when longer; its whole documentation is `help` (`markdown` and `text`).
//! - `message.text` is the diagnostic's message, exactly as in the JSON format, followed, when
//!   the diagnostic has related locations, by a link to each (` (see [sandbox declared here](1);
//!   [stack environment](2))`): GitHub code scanning shows a related location only when the
//!   message links its `id`. Brackets in the message and link texts are escaped (`\[`), as SARIF
//!   asks for text that is not a link. The concrete `help` and `note`, the stack and the resource
//!   go in the result's `properties`.
//! - Columns are UTF-16 code units (`run.columnKind`), `endColumn` is exclusive, and
//!   `byteOffset`/`byteLength` give the same span in bytes.
//! - `%SRCROOT%` is the repository root (found from `.git` upward, or `--repository-root`): paths
//!   under it are relative URIs against it, wherever the run started; other paths are absolute
//!   `file://` URIs.
//! - `partialFingerprints["sandtrap/v1"]` is the hash of `super::fingerprint`: stable across
//!   line moves and message rewording. `primaryLocationLineHash` is not written: GitHub's
//!   upload-sarif action computes it from the file with its own algorithm, and a different hash
//!   under that key would break its matching of alerts across commits.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::fingerprint::fingerprints;
use super::{Report, normalize};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::Rule;

pub const SCHEMA_URL: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
const FINGERPRINT_KEY: &str = "sandtrap/v1";
const INFORMATION_URI: &str = crate::site::DOCS_URL;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<MultiformatMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    /// Absent rather than pointing at another rule, should a code have no entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: Properties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    byte_offset: u32,
    byte_length: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fully_qualified_name: Option<String>,
    kind: &'static str,
}

#[derive(Serialize)]
struct Properties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stack: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a str>,
}

pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let (rules, index) = rules(report);
    let fingerprints = fingerprints(report);
    let results = report
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| SarifResult {
            rule_id: &d.code,
            rule_index: index.get(d.code.as_str()).copied(),
            level: level(d.severity),
            message: Message {
                text: linked_message(report, d),
            },
            locations: location(report, d.location, None, None)
                .map(|mut l| {
                    l.logical_locations = logical(d);
                    l
                })
                .into_iter()
                .collect(),
            related_locations: d
                .related
                .iter()
                .enumerate()
                .filter_map(|(i, r)| location(report, r.location, Some(i + 1), Some(&r.message)))
                .collect(),
            partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
            properties: Properties {
                help: d.help.as_deref(),
                note: d.note.as_deref(),
                stack: d.stack.as_deref(),
                resource: d.resource.as_deref(),
            },
        })
        .collect();
    let mut base_ids = BTreeMap::new();
    if let Some(uri) = directory_uri(report.root) {
        base_ids.insert(
            SRCROOT,
            ArtifactLocation {
                uri,
                uri_base_id: None,
            },
        );
    }
    let log = Log {
        schema: SCHEMA_URL,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            original_uri_base_ids: base_ids,
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    super::write_json(out, &log)?;
    writeln!(out)
}

/// Every rule of the catalog, then a stub for each reported code the catalog lacks, and the
/// index of each code.
fn rules<'r>(report: &'r Report<'_>) -> (Vec<ReportingDescriptor>, HashMap<&'r str, usize>) {
    let mut rules: Vec<ReportingDescriptor> = report.catalog.iter().map(descriptor).collect();
    let mut index: HashMap<&str, usize> = report
        .catalog
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code.as_str(), i))
        .collect();
    for d in report.diagnostics {
        if !index.contains_key(d.code.as_str()) {
            index.insert(&d.code, rules.len());
            rules.push(stub(d));
        }
    }
    (rules, index)
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let docs = rule.docs.trim();
    ReportingDescriptor {
        id: rule.code.clone(),
        name: rule.name.clone(),
        short_description: Message {
            text: rule.summary.clone(),
        },
        full_description: rule
            .section("What it does")
            .filter(|s| !s.is_empty())
            .map(|s| Message {
                text: bounded(s, MAX_DESCRIPTION_CHARS),
            }),
        help: (!docs.is_empty()).then(|| MultiformatMessage {
            text: docs.to_owned(),
            markdown: docs.to_owned(),
        }),
        help_uri: rule.url(),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
    }
}

/// GitHub code scanning's limit on a rule's `fullDescription` (longer ones are refused or cut).
pub const MAX_DESCRIPTION_CHARS: usize = 1024;

/// `text` in at most `max` characters: whole when it fits, else cut after the last sentence
/// that fits (or the last word), with `…` saying so.
fn bounded(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let room = text
        .char_indices()
        .nth(max - 1)
        .map_or(text.len(), |(at, _)| at);
    let head = &text[..room];
    let cut = head
        .rfind(". ")
        .map(|at| at + 1)
        .or_else(|| head.rfind(char::is_whitespace))
        .unwrap_or(room);
    format!("{}…", head[..cut].trim_end())
}

fn stub(d: &Diagnostic) -> ReportingDescriptor {
    ReportingDescriptor {
        id: d.code.clone(),
        name: d.name.clone(),
        short_description: Message {
            text: d.name.clone(),
        },
        full_description: None,
        help: None,
        help_uri: d.url.clone(),
        default_configuration: Configuration {
            level: level(d.severity),
        },
    }
}

fn logical(d: &Diagnostic) -> Vec<LogicalLocation<'_>> {
    d.resource
        .as_deref()
        .map(|resource| LogicalLocation {
            name: resource,
            fully_qualified_name: d.stack.as_deref().map(|s| format!("{s}/{resource}")),
            kind: "resource",
        })
        .into_iter()
        .collect()
}

/// The result message with a link to every related location that has one (the same
/// `filter_map` as `relatedLocations`, so link `i` names location `id` `i`).
fn linked_message(report: &Report<'_>, d: &Diagnostic) -> String {
    let links: Vec<String> = d
        .related
        .iter()
        .enumerate()
        .filter(|(_, r)| report.files.get(r.location.file).is_some())
        .map(|(i, r)| format!("[{}]({})", escape_brackets(&r.message), i + 1))
        .collect();
    let text = escape_brackets(&d.message);
    if links.is_empty() {
        text
    } else {
        format!("{text} (see {})", links.join("; "))
    }
}

/// Escapes the brackets SARIF would read as the start or end of a link.
fn escape_brackets(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}

fn location<'a>(
    report: &Report<'_>,
    location: Location,
    id: Option<usize>,
    message: Option<&str>,
) -> Option<SarifLocation<'a>> {
    let file = report.files.get(location.file)?;
    let start = file.position(location.span.start);
    let end = file.position(location.span.end);
    Some(SarifLocation {
        id,
        physical_location: PhysicalLocation {
            artifact_location: artifact(&file.name, report.cwd, report.root),
            region: Region {
                start_line: start.line,
                start_column: start.utf16_column,
                end_line: end.line,
                end_column: end.utf16_column,
                byte_offset: start.offset,
                byte_length: end.offset.saturating_sub(start.offset),
            },
        },
        logical_locations: Vec::new(),
        message: message.map(|m| Message { text: m.to_owned() }),
    })
}

/// The artifact location of a reported file name (relative to `cwd`, or absolute): relative to
/// `%SRCROOT%` when under `root`, an absolute `file://` URI otherwise.
fn artifact(name: &str, cwd: &Path, root: &Path) -> ArtifactLocation {
    let path = PathBuf::from(name.replace('\\', "/"));
    let absolute = if path.is_absolute() {
        normalize(&path)
    } else if cwd.as_os_str().is_empty() || root.as_os_str().is_empty() {
        // No directory to resolve against: keep the name relative.
        return ArtifactLocation {
            uri: relative_uri(&normalize(&path)),
            uri_base_id: Some(SRCROOT),
        };
    } else {
        normalize(&cwd.join(&path))
    };
    match absolute.strip_prefix(normalize(root)) {
        Ok(relative) if !root.as_os_str().is_empty() => ArtifactLocation {
            uri: relative_uri(relative),
            uri_base_id: Some(SRCROOT),
        },
        _ => ArtifactLocation {
            uri: file_uri(&absolute),
            uri_base_id: None,
        },
    }
}

fn relative_uri(path: &Path) -> String {
    path.components()
        .map(|c| encode(&c.as_os_str().to_string_lossy()))
        .collect::<Vec<_>>()
        .join("/")
}

/// `file:///abs/path` (and `file:///C:/abs/path` on Windows).
pub fn file_uri(path: &Path) -> String {
    let mut segments = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => {
                segments.push(prefix.as_os_str().to_string_lossy().replace('\\', "/"));
            }
            Component::RootDir | Component::CurDir => {}
            other => segments.push(encode(&other.as_os_str().to_string_lossy())),
        }
    }
    format!("file:///{}", segments.join("/"))
}

/// The `file://` URI of a directory, with the trailing slash SARIF requires of a base URI.
fn directory_uri(root: &Path) -> Option<String> {
    if !root.is_absolute() {
        return None;
    }
    let uri = file_uri(&normalize(root));
    Some(if uri.ends_with('/') {
        uri
    } else {
        format!("{uri}/")
    })
}

/// Percent-encodes one path segment (RFC 3986): everything but the unreserved characters, as
/// UTF-8 bytes. `:` is encoded too, so a first segment never reads as a scheme.
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(name: &str, root: &str) -> (String, Option<&'static str>) {
        let a = artifact(name, Path::new(root), Path::new(root));
        (a.uri, a.uri_base_id)
    }

    #[test]
    fn names_relative_to_a_subdirectory_are_relative_to_the_repository() {
        let a = artifact("auth.yaml", Path::new("/repo/infra"), Path::new("/repo"));
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("infra/auth.yaml", Some(SRCROOT))
        );
        let a = artifact(
            "../shared/x.yaml",
            Path::new("/repo/infra"),
            Path::new("/repo"),
        );
        assert_eq!(a.uri, "shared/x.yaml");
    }

    #[test]
    fn relative_names_are_relative_to_srcroot_and_encoded() {
        assert_eq!(
            uri("infra/my stack/日本.yaml", "/repo"),
            (
                "infra/my%20stack/%E6%97%A5%E6%9C%AC.yaml".to_owned(),
                Some(SRCROOT)
            )
        );
        assert_eq!(
            uri("./a/../b.yaml", "/repo"),
            ("b.yaml".to_owned(), Some(SRCROOT))
        );
        assert_eq!(
            uri("infra\\win.yaml", "/repo"),
            ("infra/win.yaml".to_owned(), Some(SRCROOT))
        );
    }

    #[test]
    fn paths_outside_the_root_are_absolute_file_uris() {
        assert_eq!(
            uri("/tmp/x y.yaml", "/repo"),
            ("file:///tmp/x%20y.yaml".to_owned(), None)
        );
        assert_eq!(
            uri("../other/t.yaml", "/repo/sub"),
            ("file:///repo/other/t.yaml".to_owned(), None)
        );
        assert_eq!(
            uri("/repo/in/t.yaml", "/repo"),
            ("in/t.yaml".to_owned(), Some(SRCROOT))
        );
    }

    #[test]
    fn descriptions_are_cut_at_a_sentence_within_the_limit() {
        assert_eq!(bounded("Short. Text.", 20), "Short. Text.");
        assert_eq!(bounded("One two. Three four five.", 20), "One two.…");
        assert_eq!(bounded("One two three four five", 12), "One two…");
        let long = "é".repeat(2000);
        let cut = bounded(&long, MAX_DESCRIPTION_CHARS);
        assert_eq!(cut.chars().count(), MAX_DESCRIPTION_CHARS);
    }

    #[test]
    fn a_colon_never_reads_as_a_scheme() {
        assert_eq!(uri("c:x.yaml", "/repo").0, "c%3Ax.yaml");
    }

    #[test]
    fn base_uri_ends_with_a_slash() {
        assert_eq!(
            directory_uri(Path::new("/a b/c")).as_deref(),
            Some("file:///a%20b/c/")
        );
        assert_eq!(directory_uri(Path::new("/")).as_deref(), Some("file:///"));
        assert_eq!(directory_uri(Path::new("rel")), None);
    }
}

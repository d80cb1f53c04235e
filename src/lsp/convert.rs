//! Between sandtrap's world (paths, byte spans, `Diagnostic`s) and the protocol's (URIs,
//! line/character positions in the negotiated encoding, `lsp_types::Diagnostic`s).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, Files, SourceFile, Span};

/// How `character` in a position counts: UTF-16 code units (the protocol's default) or bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (it saves the server nothing, but some clients prefer
    /// it), UTF-16 otherwise: the one encoding every client must support.
    pub fn negotiate(offered: Option<&[lsp_types::PositionEncodingKind]>) -> Self {
        let utf8 = offered
            .unwrap_or_default()
            .contains(&lsp_types::PositionEncodingKind::UTF8);
        if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> lsp_types::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp_types::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp_types::PositionEncodingKind::UTF16,
        }
    }
}

/// The protocol position of a byte offset.
pub fn position(file: &SourceFile, offset: u32, encoding: Encoding) -> Position {
    let p = file.position(offset);
    let character = match encoding {
        Encoding::Utf16 => p.utf16_column.saturating_sub(1),
        Encoding::Utf8 => p.offset - file.line_start(p.line).unwrap_or(0).min(p.offset),
    };
    Position {
        line: p.line.saturating_sub(1),
        character,
    }
}

pub fn range(file: &SourceFile, span: Span, encoding: Encoding) -> Range {
    Range {
        start: position(file, span.start, encoding),
        end: position(file, span.end, encoding),
    }
}

/// Whether `position` falls inside `range` (ends included, so an empty range can be hovered).
pub fn contains(range: &Range, position: Position) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(range.start) <= key(position) && key(position) <= key(range.end)
}

pub fn overlaps(a: &Range, b: &Range) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

/// A `file://` URI for an absolute path, percent-encoding everything but unreserved characters
/// and `/`.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        // A Windows drive path: `file:///C:/...`.
        uri.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&uri).ok()
}

/// The path of a `file:` URI; `None` for any other scheme (an unsaved buffer, a diff view).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let scheme_end = text.find(':')?;
    if !text[..scheme_end].eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = &text[scheme_end + 1..];
    // Skip the authority (`//host`), which is empty for local files.
    let path = match rest.strip_prefix("//") {
        Some(after) => &after[after.find('/')?..],
        None => rest,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let windows_drive = decoded.len() >= 3
        && decoded.starts_with('/')
        && decoded.as_bytes().get(2) == Some(&b':')
        && decoded.as_bytes()[1].is_ascii_alphabetic();
    if windows_drive && cfg!(windows) {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// One finding as the protocol shows it. `uri_of` names the URI a file of the run is published
/// under (an open buffer keeps the client's own spelling of its URI); `href_of` parses a rule's
/// documentation URL (both are asked again and again for the same file or rule).
pub fn diagnostic(
    d: &Diagnostic,
    files: &Files,
    encoding: Encoding,
    uri_of: &dyn Fn(FileId, &SourceFile) -> Option<Uri>,
    href_of: &dyn Fn(&str) -> Option<Uri>,
) -> Option<lsp_types::Diagnostic> {
    let file = files.get(d.location.file)?;
    let mut message = d.message.clone();
    for (prefix, extra) in [("help", &d.help), ("note", &d.note)] {
        if let Some(extra) = extra {
            message.extend(["\n", prefix, ": ", extra]);
        }
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let other = files.get(r.location.file)?;
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: uri_of(r.location.file, other)?,
                    range: range(other, r.location.span, encoding),
                },
                message: r.message.clone(),
            })
        })
        .collect();
    Some(lsp_types::Diagnostic {
        range: range(file, d.location.span, encoding),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.clone())),
        code_description: (d.url.as_deref())
            .and_then(href_of)
            .map(|href| CodeDescription { href }),
        source: Some("sandtrap".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_differ_after_wide_characters() {
        // "é" is 2 bytes / 1 UTF-16 unit, "🚀" 4 bytes / 2 units.
        let f = SourceFile::new("a.yaml", None, "x: é🚀y\n");
        let at_y = u32::try_from("x: é🚀".len()).unwrap();
        assert_eq!(position(&f, at_y, Encoding::Utf16).character, 6);
        assert_eq!(position(&f, at_y, Encoding::Utf8).character, 9);
        assert_eq!(position(&f, at_y, Encoding::Utf8).line, 0);
    }

    #[test]
    fn positions_on_later_lines_and_past_the_end() {
        let f = SourceFile::new("a.yaml", None, "ab\r\ncd");
        assert_eq!(
            position(&f, 5, Encoding::Utf8),
            Position {
                line: 1,
                character: 1
            }
        );
        assert_eq!(
            position(&f, 99, Encoding::Utf16),
            Position {
                line: 1,
                character: 2
            }
        );
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        // LSP breaks lines at `\n`, `\r\n` and `\r` alike.
        let f = SourceFile::new("a.yaml", None, "ab\rcé\r\nd");
        assert_eq!(
            position(&f, 6, Encoding::Utf8),
            Position {
                line: 1,
                character: 3
            }
        );
        assert_eq!(
            position(&f, 8, Encoding::Utf16),
            Position {
                line: 2,
                character: 0
            }
        );
    }

    #[test]
    fn uris_round_trip_with_spaces_and_unicode() {
        let path = Path::new("/tmp/my dir/café #1.yaml");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/my%20dir/caf%C3%A9%20%231.yaml");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
    }

    #[test]
    fn other_schemes_and_hosts() {
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&untitled), None);
        let host = Uri::from_str("file://localhost/etc/a.yaml").unwrap();
        assert_eq!(uri_to_path(&host).unwrap(), Path::new("/etc/a.yaml"));
        let bad = Uri::from_str("file:///a%zz").unwrap_or(host);
        let _ = uri_to_path(&bad);
    }
}

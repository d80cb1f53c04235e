//! What the editor asks about the published diagnostics: hover (the rule's documentation) and
//! code actions (an ignore comment, the rule's page); plus applying a ranged text edit.

use std::collections::{BTreeSet, HashMap};

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Hover, HoverContents, HoverParams,
    MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit, WorkspaceEdit,
};
use serde_json::json;

use super::convert::{self, Encoding, uri_to_path};
use super::worker::Results;
use super::{OPEN_DOCS_COMMAND, Workspace};
use crate::load::{self, Format};
use crate::rules::Catalog;
use crate::source::SourceFile;

fn code_of(d: &lsp_types::Diagnostic) -> Option<&str> {
    match &d.code {
        Some(NumberOrString::String(code)) => Some(code),
        _ => None,
    }
}

/// The documentation of every rule whose diagnostic covers the position.
pub fn hover(params: &HoverParams, results: &Results, catalog: &Catalog) -> Option<Hover> {
    let at = &params.text_document_position_params;
    let file = results.files.get(&uri_to_path(&at.text_document.uri)?)?;
    let mut seen = BTreeSet::new();
    let mut sections = Vec::new();
    let mut covered: Option<Range> = None;
    for d in file.diagnostics.iter() {
        if !convert::contains(&d.range, at.position) {
            continue;
        }
        let Some(rule) = code_of(d).and_then(|c| catalog.get(c)) else {
            continue;
        };
        if !seen.insert(rule.code.clone()) {
            continue;
        }
        covered.get_or_insert(d.range);
        let mut text = format!(
            "**{}** `{}` ({})\n\n{}\n\n{}",
            rule.code,
            rule.name,
            rule.severity,
            rule.summary,
            rule.docs.trim_end()
        );
        if let Some(url) = rule.url() {
            text.push_str(&format!("\n\n[Documentation]({url})"));
        }
        sections.push(text);
    }
    if sections.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: covered,
    })
}

/// The parts of `textDocument/codeAction` the server reads. The context's diagnostics are not
/// among them: the server knows its own, and clients differ in how they echo them back.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeActionRequest {
    pub text_document: lsp_types::TextDocumentIdentifier,
    pub range: Range,
}

/// For each sandtrap diagnostic in the range: a comment that suppresses it (YAML only) and a
/// command that opens its rule's page.
pub fn code_actions(
    params: &CodeActionRequest,
    results: &Results,
    workspace: &Workspace,
    catalog: &Catalog,
) -> Vec<CodeActionOrCommand> {
    let Some(path) = uri_to_path(&params.text_document.uri) else {
        return Vec::new();
    };
    let Some(file) = results.files.get(&path) else {
        return Vec::new();
    };
    let text = match workspace.documents.get(&path) {
        Some(doc) => doc.text.clone(),
        None => crate::input::read_regular_string(&path).unwrap_or_default(),
    };
    let source = SourceFile::new(path.to_string_lossy(), Some(path.clone()), text);
    let yaml = Format::guess(&source.name, &source.text) == Format::Yaml;
    let mut actions = Vec::new();
    let mut done = BTreeSet::new();
    for d in file.diagnostics.iter() {
        let Some(code) = code_of(d) else { continue };
        if !convert::overlaps(&d.range, &params.range)
            || !done.insert((code.to_owned(), d.range.start.line))
        {
            continue;
        }
        let rule = catalog.get(code);
        if yaml
            && rule.is_some_and(|r| r.code != "ST001")
            && let Some(edit) = ignore_comment(&source, d.range.start.line, code)
        {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Ignore {code} here (`# sandtrap: ignore[{code}]`)"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(
                        params.text_document.uri.clone(),
                        vec![edit],
                    )])),
                    ..WorkspaceEdit::default()
                }),
                ..CodeAction::default()
            }));
        }
        if let Some(url) = rule.and_then(|r| r.url()) {
            let title = format!("Open the documentation of {code}");
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                command: Some(Command {
                    title,
                    command: OPEN_DOCS_COMMAND.to_owned(),
                    arguments: Some(vec![json!(url)]),
                }),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

/// `# sandtrap: ignore[CODE]` on its own line above `line` (0-based), indented like it, when
/// the result still reads as YAML with that comment (never inside a block scalar).
fn ignore_comment(source: &SourceFile, line: u32, code: &str) -> Option<TextEdit> {
    let start = source.line_start(line + 1)? as usize;
    let rest = source.text.get(start..)?;
    let indent: String = rest
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    // The file's own line end; a lone CR (classic Mac) ends lines too.
    let newline = if source.text.contains("\r\n") {
        "\r\n"
    } else if source.text.contains('\r') && !source.text.contains('\n') {
        "\r"
    } else {
        "\n"
    };
    let comment = format!("{indent}# sandtrap: ignore[{code}]{newline}");
    let mut edited = String::with_capacity(source.text.len() + comment.len());
    edited.push_str(source.text.get(..start)?);
    edited.push_str(&comment);
    edited.push_str(rest);
    let comment_at = start + indent.len();
    let loaded = load::load(&edited, Format::Yaml);
    let is_comment = loaded.document.as_ref().is_some_and(|doc| {
        doc.comments
            .iter()
            .any(|c| c.span.start as usize == comment_at)
    });
    is_comment.then_some(TextEdit {
        range: Range {
            start: Position { line, character: 0 },
            end: Position { line, character: 0 },
        },
        new_text: comment,
    })
}

/// Applies one ranged change of `didChange` (for clients that send them despite full sync).
pub fn apply_edit(text: &mut String, range: Range, new_text: &str, encoding: Encoding) {
    let source = SourceFile::new("", None, text.as_str());
    let (Some(start), Some(end)) = (
        offset(&source, range.start, encoding),
        offset(&source, range.end, encoding),
    ) else {
        return;
    };
    if start <= end && text.is_char_boundary(start) && text.is_char_boundary(end) {
        text.replace_range(start..end, new_text);
    }
}

/// The byte offset of a protocol position, clamped to the end of its line.
fn offset(source: &SourceFile, position: Position, encoding: Encoding) -> Option<usize> {
    let line_start = source.line_start(position.line.checked_add(1)?)? as usize;
    let line_end = source
        .line_start(position.line.saturating_add(2))
        .map_or(source.text.len(), |o| o as usize);
    let line = source.text.get(line_start..line_end)?;
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        if units >= position.character || c == '\n' || c == '\r' {
            return Some(line_start + i);
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        };
    }
    Some(line_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranged_edits_count_in_the_negotiated_encoding() {
        let mut text = "a: é🚀x\nb: 2\n".to_owned();
        let at_x = |character| Range {
            start: Position { line: 0, character },
            end: Position { line: 0, character },
        };
        apply_edit(&mut text, at_x(6), "!", Encoding::Utf16);
        assert_eq!(text, "a: é🚀!x\nb: 2\n");
        apply_edit(&mut text, at_x(9), "?", Encoding::Utf8);
        assert_eq!(text, "a: é🚀?!x\nb: 2\n");
        // Past the end of a line clamps to the line's end, before its newline.
        apply_edit(&mut text, at_x(99), ";", Encoding::Utf8);
        assert_eq!(text, "a: é🚀?!x;\nb: 2\n");
        // A line that does not exist changes nothing.
        let before = text.clone();
        let far = Range {
            start: Position {
                line: 9,
                character: 0,
            },
            end: Position {
                line: 9,
                character: 0,
            },
        };
        apply_edit(&mut text, far, "x", Encoding::Utf8);
        assert_eq!(text, before);
    }

    #[test]
    fn ignore_comment_is_indented_and_refused_inside_block_scalars() {
        let source = SourceFile::new("t.yaml", None, "A:\n  B: 1\nC: |\n  text\n");
        let edit = ignore_comment(&source, 1, "ST101").unwrap();
        assert_eq!(edit.new_text, "  # sandtrap: ignore[ST101]\n");
        assert_eq!(edit.range.start, Position::new(1, 0));
        assert!(ignore_comment(&source, 3, "ST101").is_none());
    }

    #[test]
    fn lone_carriage_returns_end_lines_for_edits_and_comments() {
        let mut text = "A:\r  B: 1\r".to_owned();
        let at = Range {
            start: Position::new(1, 99),
            end: Position::new(1, 99),
        };
        apply_edit(&mut text, at, " # x", Encoding::Utf16);
        assert_eq!(text, "A:\r  B: 1 # x\r");
        let source = SourceFile::new("t.yaml", None, "A:\r  B: 1\r");
        let edit = ignore_comment(&source, 1, "ST101").unwrap();
        assert_eq!(edit.new_text, "  # sandtrap: ignore[ST101]\r");
    }
}

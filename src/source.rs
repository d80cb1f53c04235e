//! Source files and byte spans: the one place where text, paths and positions meet.
//!
//! Every stage speaks in [`Span`]s (byte ranges into a [`SourceFile`]); line and column are computed
//! only at the edge, through the file's [`LineIndex`].

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use line_index::{LineIndex, TextSize, WideEncoding};

pub mod snippet;

pub use snippet::Snippet;

/// Index of a file in the run's [`Files`]: with a [`Span`], it locates a position anywhere in a
/// run (a [`crate::diagnostic::Location`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range `start..end` into one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        Self { start, end }
    }

    pub fn empty(at: usize) -> Self {
        Self::new(at, at)
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and column plus the 0-based byte offset of one position.
///
/// `column` counts Unicode scalar values (what editors show); `utf16_column` counts UTF-16 code
/// units (what LSP and SARIF expect by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub utf16_column: u32,
    pub offset: u32,
}

/// One file's text and the name it is reported under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user should read it: as given on the command line, or relative to the
    /// current directory when found by walking; a control character in it is shown escaped
    /// ([`crate::printable`]), since a file name is chosen by whoever committed the file.
    pub name: String,
    /// Where the bytes came from on disk (`None` for standard input).
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    lines: Arc<OnceLock<LineIndex>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let mut name = name.into();
        crate::printable::escape_in_place(&mut name);
        Self {
            name,
            path,
            text: text.into(),
            lines: Arc::new(OnceLock::new()),
        }
    }

    /// The line table. Lines end at `\n`, `\r\n` or a lone `\r`: YAML 1.2 (section 5.4) and
    /// LSP both break lines at all three, and a classic-Mac file is otherwise one long line.
    pub fn line_index(&self) -> &LineIndex {
        self.lines.get_or_init(|| {
            // `line-index` breaks at `\n` only; a lone `\r` becomes `\n` in a copy of the same
            // length, so every offset and column it computes is the same as in the real text.
            if lone_carriage_return(&self.text) {
                LineIndex::new(&unify_line_ends(&self.text))
            } else {
                LineIndex::new(&self.text)
            }
        })
    }

    /// The text under `span`, or `""` when the span does not fall on character boundaries.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// Line and column of a byte offset; offsets past the end or inside a character are clamped
    /// to the nearest character boundary before it.
    pub fn position(&self, offset: u32) -> Position {
        let mut offset = (offset as usize).min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let index = self.line_index();
        let size = TextSize::new(offset as u32);
        let line_col = index.line_col(size);
        let column = index
            .to_wide(WideEncoding::Utf32, line_col)
            .map_or(line_col.col, |w| w.col);
        let utf16_column = index
            .to_wide(WideEncoding::Utf16, line_col)
            .map_or(line_col.col, |w| w.col);
        Position {
            line: line_col.line + 1,
            column: column + 1,
            utf16_column: utf16_column + 1,
            offset: offset as u32,
        }
    }

    /// The byte offset of a 1-based line's first character.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        let index = self.line_index();
        let lc = line_index::LineCol {
            line: line.checked_sub(1)?,
            col: 0,
        };
        index.offset(lc).map(u32::from)
    }
}

fn lone_carriage_return(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

fn unify_line_ends(text: &str) -> String {
    let bytes = text.as_bytes();
    let unified: Vec<u8> = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if *b == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
                b'\n'
            } else {
                *b
            }
        })
        .collect();
    // Only ASCII bytes changed into ASCII bytes.
    String::from_utf8(unified).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_carriage_returns_end_lines() {
        let f = SourceFile::new("a.yaml", None, "a: 1\rb: 2\r\nc: é\rd");
        let p = f.position(5);
        assert_eq!((p.line, p.column), (2, 1));
        let p = f.position(11);
        assert_eq!((p.line, p.column), (3, 1));
        let p = f.position(17);
        assert_eq!((p.line, p.column, p.offset), (4, 1, 17));
        assert_eq!(f.line_start(4), Some(17));
        // The `\r` of a CRLF pair still belongs to its line.
        assert_eq!(f.position(9).line, 2);
    }

    #[test]
    fn ascii_positions() {
        let f = SourceFile::new("a.yaml", None, "ab\ncd\n");
        assert_eq!(f.position(0).line, 1);
        assert_eq!(f.position(0).column, 1);
        let p = f.position(4);
        assert_eq!((p.line, p.column, p.offset), (2, 2, 4));
    }

    #[test]
    fn multibyte_columns_count_scalar_values_and_utf16_units() {
        // "é" is 2 bytes, "🚀" is 4 bytes and 2 UTF-16 units.
        let f = SourceFile::new("a.yaml", None, "é🚀x\n");
        let p = f.position(6);
        assert_eq!((p.line, p.column, p.utf16_column), (1, 3, 4));
    }

    #[test]
    fn crlf_line_endings() {
        let f = SourceFile::new("a.yaml", None, "a: 1\r\nb: 2\r\n");
        let p = f.position(6);
        assert_eq!((p.line, p.column), (2, 1));
    }

    #[test]
    fn no_trailing_newline_and_clamping() {
        let f = SourceFile::new("a.yaml", None, "a\nbc");
        let p = f.position(4);
        assert_eq!((p.line, p.column), (2, 3));
        let clamped = f.position(400);
        assert_eq!(clamped.offset, 4);
    }

    #[test]
    fn offset_inside_a_character_is_clamped_back() {
        let f = SourceFile::new("a.yaml", None, "é");
        assert_eq!(f.position(1).offset, 0);
    }

    #[test]
    fn line_start_offsets() {
        let f = SourceFile::new("a.yaml", None, "ab\ncd\n");
        assert_eq!(f.line_start(2), Some(3));
        assert_eq!(f.line_start(0), None);
    }
}

/// Every file of a run, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct Files {
    files: Vec<SourceFile>,
}

impl Files {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Puts `file` in the place of `id` (a text read again for rendering).
    pub fn replace(&mut self, id: FileId, file: SourceFile) {
        if let Some(slot) = self.files.get_mut(id.0 as usize) {
            *slot = file;
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Every file with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        (0u32..).map(FileId).zip(&self.files)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

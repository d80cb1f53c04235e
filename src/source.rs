//! Source files and byte spans: the one place where text, paths and positions meet.
//!
//! Every stage speaks in [`Span`]s (byte ranges into a [`SourceFile`]); line and column are computed
//! only at the edge, through the file's table of line starts.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

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

/// A span read back from the analysis cache is made through [`Span::new`], so it never ends
/// before it starts, whatever the bytes said.
impl<'de> serde::Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Raw {
            start: u32,
            end: u32,
        }
        let Raw { start, end } = Raw::deserialize(deserializer)?;
        Ok(Span::new(start as usize, end as usize))
    }
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
    lines: Arc<OnceLock<Lines>>,
}

/// A text's lines, made when a position in it is first asked for.
#[derive(Debug, Default)]
struct Lines {
    /// Where each line after the first begins.
    starts: Vec<u32>,
    /// In lines longer than [`MARK_EVERY`] bytes, a mark about every that many bytes: a
    /// position on such a line is counted from the mark before it, not from the line's start
    /// (16,000 findings on one minified line of 600 KB would each count 300 KB on average).
    marks: Vec<Mark>,
}

/// Bytes between two marks of a long line.
const MARK_EVERY: usize = 4096;

/// A character boundary on a long line, and its column there.
#[derive(Clone, Copy, Debug)]
struct Mark {
    offset: u32,
    /// Characters and UTF-16 units from the line's start.
    column: u32,
    utf16_column: u32,
}

/// The analysis cache keeps a file as its name, path and text; the line table is made again
/// when needed.
impl serde::Serialize for SourceFile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (&self.name, &self.path, &*self.text).serialize(serializer)
    }
}

/// Read back through [`SourceFile::new`]: a name from the cache is escaped like any other.
impl<'de> serde::Deserialize<'de> for SourceFile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (name, path, SharedText(text)) =
            <(String, Option<PathBuf>, SharedText)>::deserialize(deserializer)?;
        Ok(SourceFile::new(name, path, text))
    }
}

/// A text read straight into its shared allocation (a `String` read first would be copied into
/// an `Arc<str>` and dropped: a second allocation of every text kept in the cache).
struct SharedText(Arc<str>);

impl<'de> serde::Deserialize<'de> for SharedText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SharedText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SharedText, E> {
                Ok(SharedText(Arc::from(text)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
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

    /// Where each line after the first begins. Lines end at `\n`, `\r\n` or a lone `\r`:
    /// YAML 1.2 (section 5.4) and LSP both break lines at all three, and a classic-Mac file is
    /// otherwise one long line.
    fn line_starts(&self) -> &[u32] {
        &self.lines().starts
    }

    fn lines(&self) -> &Lines {
        self.lines.get_or_init(|| Lines::of(&self.text, MARK_EVERY))
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
        let Lines { starts, marks } = self.lines();
        // The lines that begin at or before `offset`, after the first: its 0-based line.
        let line = starts.partition_point(|&start| start as usize <= offset);
        let start = line.checked_sub(1).map_or(0, |i| starts[i] as usize);
        // Counted from the last mark of the line before `offset`, if any.
        let mark = (marks.partition_point(|m| m.offset as usize <= offset))
            .checked_sub(1)
            .map(|i| marks[i])
            .filter(|m| m.offset as usize >= start);
        let (from, column, utf16_column) = mark.map_or((start, 0, 0), |m| {
            (
                m.offset as usize,
                m.column as usize,
                m.utf16_column as usize,
            )
        });
        let (more, more_utf16) = columns(&self.text[from..offset]);
        let (column, utf16_column) = (column + more, utf16_column + more_utf16);
        let number = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).saturating_add(1);
        Position {
            line: number(line),
            column: number(column),
            utf16_column: number(utf16_column),
            offset: offset as u32,
        }
    }

    /// The byte offset of a 1-based line's first character.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        match line.checked_sub(1)? {
            0 => Some(0),
            after => self.line_starts().get(after as usize - 1).copied(),
        }
    }
}

impl Lines {
    /// The lines of `text`, with a mark about every `every` bytes of a longer line.
    fn of(text: &str, every: usize) -> Lines {
        let starts = line_starts(text);
        let mut marks = Vec::new();
        // No line of a text this short is long.
        let ends = (text.len() > every).then(|| {
            let ends = starts.iter().map(|&start| start as usize);
            ends.chain([text.len()])
        });
        let mut start = 0;
        for end in ends.into_iter().flatten() {
            let mut from = start;
            let (mut column, mut utf16_column) = (0, 0);
            while end - from > every {
                // The first character boundary `every` bytes on or after.
                let mut at = from + every;
                while !text.is_char_boundary(at) {
                    at += 1;
                }
                // A mark belongs to its line (a line ends with its line break, a boundary).
                if at >= end {
                    break;
                }
                let (more, more_utf16) = columns(&text[from..at]);
                (column, utf16_column) = (column + more, utf16_column + more_utf16);
                let number = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                marks.push(Mark {
                    offset: number(at),
                    column: number(column),
                    utf16_column: number(utf16_column),
                });
                from = at;
            }
            start = end;
        }
        Lines { starts, marks }
    }
}

/// The characters and UTF-16 units of `text`.
fn columns(text: &str) -> (usize, usize) {
    if text.is_ascii() {
        (text.len(), text.len())
    } else {
        let utf16 = text.chars().map(char::len_utf16).sum();
        (text.chars().count(), utf16)
    }
}

/// The offset after every line end of `text` (see [`SourceFile::line_starts`]).
fn line_starts(text: &str) -> Vec<u32> {
    let bytes = text.as_bytes();
    let offset = |at: usize| u32::try_from(at + 1).unwrap_or(u32::MAX);
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        // The `\r` of a `\r\n` pair ends no line: its `\n` does.
        .filter(|&at| bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n'))
        .map(offset)
        .collect()
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

    /// Line and columns counted one character at a time, as the positions must come out.
    fn counted(text: &str, offset: usize) -> (u32, u32, u32) {
        let (mut line, mut column, mut utf16) = (1, 1, 1);
        for (at, c) in text[..offset].char_indices() {
            // A `\r` ends its line unless a `\n` follows, even one past `offset`.
            let ends = c == '\n' || (c == '\r' && !text[at + 1..].starts_with('\n'));
            if ends {
                (line, column, utf16) = (line + 1, 1, 1);
            } else {
                column += 1;
                utf16 += c.len_utf16() as u32;
            }
        }
        (line, column, utf16)
    }

    #[test]
    fn every_position_is_the_one_counted_character_by_character() {
        let texts = [
            "",
            "\n",
            "\r",
            "\r\n",
            "\n\r\r\n\r",
            "a: 1\rb: 2\r\nc: é\rd",
            "é🚀x\n\r\n🚀\rz",
            "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n",
            "no end",
        ];
        for text in texts {
            let f = SourceFile::new("a.yaml", None, text);
            for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                let p = f.position(offset as u32);
                let want = counted(text, offset);
                assert_eq!(
                    (p.line, p.column, p.utf16_column),
                    want,
                    "{text:?} at {offset}"
                );
                assert_eq!(p.offset as usize, offset);
                let start = f.line_start(p.line).unwrap() as usize;
                assert_eq!(
                    counted(text, start),
                    (p.line, 1, 1),
                    "{text:?} line {}",
                    p.line
                );
            }
            let lines = counted(text, text.len()).0;
            assert_eq!(f.line_start(lines + 1), None, "{text:?}");
        }
    }

    /// Positions on lines longer than a mark's stride are those counted character by
    /// character, with marks every few bytes (fewer than a character's, too) and every 4 KB,
    /// as files get them.
    #[test]
    fn positions_on_long_lines_count_from_their_marks() {
        use proptest::prelude::*;
        let piece = prop::sample::select(vec!["a", "é", "🚀", "\n", "\r", "\r\n", "xyz", "中"]);
        let text = prop::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat());
        proptest!(|(text in text, every in 1usize..12)| {
            let mut f = SourceFile::new("a.yaml", None, text.clone());
            f.lines = Arc::new(OnceLock::from(Lines::of(&text, every)));
            for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                let p = f.position(offset as u32);
                prop_assert_eq!((p.line, p.column, p.utf16_column), counted(&text, offset));
            }
        });
        let line = "é".repeat(3_000) + "x" + &"a".repeat(9_000);
        let text = format!("a\n{line}\nb");
        let f = SourceFile::new("a.yaml", None, text.as_str());
        assert!(f.lines().marks.len() >= 3);
        for offset in (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .step_by(97)
        {
            let p = f.position(offset as u32);
            assert_eq!((p.line, p.column, p.utf16_column), counted(&text, offset));
        }
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
    /// Shared: a run's table holds the very files its analyses (and the cache) hold.
    files: Vec<Arc<SourceFile>>,
}

impl Files {
    /// An empty table with room for `files`.
    pub fn with_capacity(files: usize) -> Self {
        Self {
            files: Vec::with_capacity(files),
        }
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.add_shared(Arc::new(file))
    }

    /// Adds `file` without copying it.
    pub fn add_shared(&mut self, file: Arc<SourceFile>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize).map(|file| &**file)
    }

    /// Puts `file` in the place of `id` (a text read again for rendering).
    pub fn replace(&mut self, id: FileId, file: SourceFile) {
        if let Some(slot) = self.files.get_mut(id.0 as usize) {
            *slot = Arc::new(file);
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Every file with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        (0u32..)
            .map(FileId)
            .zip(self.files.iter().map(|file| &**file))
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

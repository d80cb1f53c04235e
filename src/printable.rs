//! Text from outside made safe to print: a template's values and logical ids, file names, rule
//! files, what a live endpoint answered. A line break, an escape sequence or a bidirectional
//! override inside such text would otherwise forge output lines (a `::error` workflow command in
//! a CI log, a `file:line:col:` line a problem matcher reads), retitle or clear a terminal, or
//! make the text read other than it is (Trojan Source). So, as rustc and annotate-snippets do,
//! every such character is shown instead of obeyed:
//!
//! - a line feed and a carriage return as `\n` and `\r`;
//! - every other C0 control but the tab, and DEL, as its control picture (`␛` for ESC, `␇` for
//!   BEL, `␡` for DEL);
//! - the C1 controls, the bidirectional formatting characters and the line and paragraph
//!   separators as `\u{202e}`;
//! - and, since the GitHub runner reads any line of a log that starts with `::` or holds `##[`
//!   as a workflow command, a `\` before a `::` that starts a line (and before a lone `:` that
//!   is all of one: a file name `:` starts the concise line `::1:1:`), and before a `[` that
//!   follows a `#`, also across the invisible characters a culture-sensitive comparison skips
//!   (the runner's is). Markdown drops such a backslash, so documentation reads the same.
//!
//! Text is escaped once, where it enters what sandtrap prints: a file's name
//! ([`crate::source::SourceFile::new`]), a diagnostic when its run is over
//! ([`crate::diagnostic::Diagnostic::escape`], after `NoEcho` masking, so a secret holding a line
//! break is still masked), the map of a run, a rule file's summary and documentation, the source
//! lines of a snippet ([`crate::source::Snippet`]) and the text of a tool error.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every character that must not reach a terminal or a CI log raw made visible;
/// borrowed when there is none (the usual case).
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, false)
}

/// [`escape`] for text of several lines (a rule's documentation): line feeds stay, and so does
/// the carriage return of a CRLF pair (dropped, so the line ends are all `\n`).
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_with(text, true)
}

/// Escapes `text` where it lies.
pub fn escape_in_place(text: &mut String) {
    if let Cow::Owned(escaped) = escape(text) {
        *text = escaped;
    }
}

/// Text already made of printable pieces but laid out anew (the human format wraps messages
/// and help at spaces, and cuts words longer than a line): the same backslash before a `::`
/// that now starts a line, or a `[` after a `#`.
pub fn guard_lines(text: &str) -> Cow<'_, str> {
    if !command_like(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    guard(text, true, &mut out, |c, out| {
        out.push('\\');
        out.push(c);
    });
    Cow::Owned(out)
}

/// Rendered HTML whose lines cannot start a workflow command either (a `::` line of Markdown
/// whose backslash the renderer dropped): the guarded `:` and `[` become `&#58;` and `&#91;`,
/// which read the same in a browser.
pub fn guard_html(html: String) -> String {
    if !command_like(&html) {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 16);
    guard(&html, true, &mut out, |c, out| {
        out.push_str(if c == ':' { "&#58;" } else { "&#91;" });
    });
    out
}

/// Escapes every string (keys included) of a JSON document; whether anything changed.
pub fn escape_json(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => match escape(text) {
            Cow::Owned(escaped) => {
                *text = escaped;
                true
            }
            Cow::Borrowed(_) => false,
        },
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| escape_json(item) | changed),
        serde_json::Value::Object(map) => {
            if map.keys().any(|key| matches!(escape(key), Cow::Owned(_))) {
                let entries: Vec<(String, serde_json::Value)> =
                    std::mem::take(map).into_iter().collect();
                for (key, mut item) in entries {
                    escape_json(&mut item);
                    map.insert(escape(&key).into_owned(), item);
                }
                true
            } else {
                map.values_mut()
                    .fold(false, |changed, item| escape_json(item) | changed)
            }
        }
        _ => false,
    }
}

/// Whether `text` holds a character [`escape`] would change.
pub fn needs_escape(text: &str) -> bool {
    // ASCII text is decided byte by byte; only a non-ASCII one needs its characters.
    text.bytes().any(|b| !(0x20..0x7f).contains(&b)) && text.chars().any(|c| shown(c).is_some())
}

fn escape_with(text: &str, keep_lines: bool) -> Cow<'_, str> {
    // Most text (a diagnostic's message, help and labels, thousands per run) is decided here.
    if !keep_lines && plainly_printable(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    // Printable ASCII, with the line feeds kept: only a command can need a change (a message,
    // help or note of many lines, decided byte by byte).
    let kept = |b: u8| (0x20..0x7f).contains(&b) || (keep_lines && b == b'\n');
    if text.bytes().all(kept) {
        if !command_like_ascii(text) {
            return Cow::Borrowed(text);
        }
    } else if !needs_escape(text) && !command_like(text) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' if keep_lines => escaped.push('\n'),
            '\r' if keep_lines && chars.peek() == Some(&'\n') => {}
            c => match shown(c) {
                Some(visible) => visible.write(&mut escaped),
                None => escaped.push(c),
            },
        }
    }
    if !command_like(&escaped) {
        return Cow::Owned(escaped);
    }
    let mut out = String::with_capacity(escaped.len() + 4);
    guard(&escaped, keep_lines, &mut out, |c, out| {
        out.push('\\');
        out.push(c);
    });
    Cow::Owned(out)
}

/// Whether one pass over `bytes` shows that they print as they are: printable ASCII without a
/// `#` (so no `#[`), whose first character after its spaces is not a `:` (so no line starts a
/// command: they are one line). `false` only says that [`escape_with`] must look closer. Eight
/// bytes are looked at a time, each test exact for the word (a bit of `HIGH` is set for a byte
/// below a space, for one at DEL or above, and for a `#`).
fn plainly_printable(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let unusual = |word: u64| {
        let below_space = word.wrapping_sub(ONES * 0x20) & !word;
        let delete_or_above = word.wrapping_add(ONES) | word;
        let hashes = word ^ (ONES * u64::from(b'#'));
        let hash = hashes.wrapping_sub(ONES) & !hashes;
        (below_space | delete_or_above | hash) & HIGH != 0
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word: [u8; 8] = chunk.try_into().unwrap_or_default();
        if unusual(u64::from_ne_bytes(word)) {
            return false;
        }
    }
    let printable = |b: &u8| (0x20..0x7f).contains(b) && *b != b'#';
    chunks.remainder().iter().all(printable) && bytes.iter().find(|&&b| b != b' ') != Some(&b':')
}

/// Copies `text` to `out`, writing with `guarded` the first `:` of a `::` that starts a line
/// and every `[` after a `#` (white space and invisible characters between them do not
/// count). With `lines`, a line feed starts a line.
fn guard(text: &str, lines: bool, out: &mut String, guarded: impl Fn(char, &mut String)) {
    // Only white space and invisible characters since the start of the line.
    let mut line_start = true;
    // The last visible character was a `#`.
    let mut after_hash = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        // A lone `:` too: a file name `:` starts the concise line `::1:1: ...`.
        let colon = line_start
            && c == ':'
            && match next_visible(chars.clone()) {
                Some(next) => next == ':' || (lines && next == '\n'),
                None => true,
            };
        if colon || (after_hash && c == '[') {
            guarded(c, out);
        } else {
            out.push(c);
        }
        if !invisible(c) {
            line_start = (lines && c == '\n') || (line_start && c.is_whitespace());
            after_hash = c == '#';
        }
    }
}

/// Whether a line of `text` starts with `::` or `text` holds `#[`, across white space and
/// invisible characters: what [`escape`] puts a backslash before.
fn command_like(text: &str) -> bool {
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\n')
    {
        return command_like_ascii(text);
    }
    command_like_chars(text)
}

/// [`command_like`] of printable ASCII and line feeds, byte by byte: they have no invisible
/// character, and a space is their only white space, so it is a line whose first characters
/// after its spaces are `::` or a lone `:`, or a `#[`.
fn command_like_ascii(text: &str) -> bool {
    let lines = text.split('\n').any(|line| {
        let rest = line.trim_start_matches(' ');
        rest.starts_with("::") || rest == ":"
    });
    lines || text.contains("#[")
}

/// [`command_like`] character by character, for any text.
fn command_like_chars(text: &str) -> bool {
    let lines = text.split('\n').any(|line| {
        let mut rest = line
            .chars()
            .filter(|&c| !invisible(c))
            .skip_while(|c| c.is_whitespace());
        rest.next() == Some(':') && matches!(rest.next(), Some(':') | None)
    });
    lines || {
        let mut visible = text.chars().filter(|&c| !invisible(c));
        let mut previous = None;
        visible.any(|c| {
            let found = previous == Some('#') && c == '[';
            previous = Some(c);
            found
        })
    }
}

fn next_visible(rest: impl Iterator<Item = char>) -> Option<char> {
    rest.into_iter().find(|&c| !invisible(c))
}

/// Characters a culture-sensitive comparison ignores (Unicode's default-ignorable code
/// points), and the controls [`shown`] turns into something visible anyway.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fff8}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// How a character that must not be printed raw is shown instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// `\n`, `\r`.
    Escape(&'static str),
    /// A control picture (`␛`), one column wide like the character it stands for.
    Picture(char),
    /// `\u{202e}`.
    Code(char),
}

impl Shown {
    pub fn write(self, out: &mut String) {
        match self {
            Shown::Escape(text) => out.push_str(text),
            Shown::Picture(picture) => out.push(picture),
            Shown::Code(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
}

/// How `c` is shown, or `None` when it prints as itself. The tab is left alone: it moves the
/// cursor, never anything else.
pub fn shown(c: char) -> Option<Shown> {
    match c {
        '\t' => None,
        '\n' => Some(Shown::Escape("\\n")),
        '\r' => Some(Shown::Escape("\\r")),
        // U+2400 CONTROL PICTURE FOR NULL onwards, in the order of the C0 controls.
        '\0'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).map(Shown::Picture),
        '\u{7f}' => Some(Shown::Picture('\u{2421}')),
        // C1 controls (U+0085 NEXT LINE among them), bidirectional formatting characters
        // (CVE-2021-42574), the line and paragraph separators.
        '\u{80}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{2028}'
        | '\u{2029}' => Some(Shown::Code(c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of up to `length` pieces of `alphabet` (some more than once).
    fn strings_of(alphabet: &[&str], length: usize) -> Vec<String> {
        let mut texts = vec![String::new()];
        for _ in 0..length {
            let longer: Vec<String> = (texts.iter())
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        texts
    }

    /// The byte-wise answer for printable ASCII and line feeds is the character-wise one, on
    /// every string of up to six of the characters that matter.
    #[test]
    fn ascii_command_detection_agrees_with_the_general_one() {
        for text in &strings_of(&[" ", ":", "#", "[", "a", "\n"], 6) {
            assert_eq!(command_like(text), command_like_chars(text), "{text:?}");
        }
    }

    /// The one-pass test of plain text never passes text the full one would change, and
    /// passes what a diagnostic mostly is.
    #[test]
    fn plainly_printable_text_is_what_escaping_leaves_alone() {
        let alphabet = [
            " ", ":", "#", "[", "a", "\n", "\t", "\u{7f}", "\u{1b}", "é", "\u{202e}", "~",
            "\u{1f}", "\u{80}",
        ];
        let mut texts = strings_of(&alphabet, 4);
        // Long enough for whole words of eight bytes, with the odd byte at every place.
        for odd in ["#", ":", "\n", "\u{7f}", "\u{1f}", "é", "\u{0}"] {
            for at in 0..=24 {
                let mut text = "abcdefghijklmnopqrstuvwx".to_owned();
                text.insert_str(at, odd);
                texts.push(text);
            }
        }
        for text in &texts {
            let plain = plainly_printable(text.as_bytes());
            let escaped = escape_with(text, false);
            if plain {
                assert!(matches!(escaped, Cow::Borrowed(_)), "{text:?}");
            }
            let slow = text.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'#')
                && !text.trim_start_matches(' ').starts_with(':');
            assert_eq!(plain, slow, "{text:?}");
        }
        assert!(plainly_printable(
            b"Cognito user pool `Pool0` sends through SES in ap-southeast-2 (account 123456789012), \
              which is in the sandbox: mail to unverified recipients fails"
        ));
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape("user pool `Pool` in é"), Cow::Borrowed(_)));
        assert!(matches!(escape("a\tb"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_of_plain_text_are_borrowed_and_a_command_among_them_is_guarded() {
        assert!(matches!(escape_lines("a: b\n  c # d\n"), Cow::Borrowed(_)));
        assert_eq!(escape_lines("a\n  ::error::x\n"), "a\n  \\::error::x\n");
        assert_eq!(escape_lines("a\n:\nb"), "a\n\\:\nb");
        assert_eq!(escape_lines("a #\n[b"), "a #\n[b");
        assert_eq!(escape_lines("a #[b"), "a #\\[b");
    }

    #[test]
    fn line_breaks_become_escapes() {
        assert_eq!(escape("a\n::error::x\r\n"), "a\\n::error::x\\r\\n");
        assert_eq!(escape_lines("a\r\nb\rc\n"), "a\nb\\rc\n");
    }

    #[test]
    fn controls_become_pictures() {
        assert_eq!(escape("\u{1b}]0;title\u{7}"), "␛]0;title␇");
        assert_eq!(escape("\u{1b}[2J\u{0}\u{7f}"), "␛[2J␀␡");
        assert_eq!(escape_lines("\u{1b}[31m\n"), "␛[31m\n");
    }

    #[test]
    fn c1_bidi_and_separators_become_code_points() {
        assert_eq!(escape("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(escape("a\u{202e}b\u{2066}c"), "a\\u{202e}b\\u{2066}c");
        assert_eq!(escape("\u{2028}\u{85}"), "\\u{2028}\\u{85}");
    }

    #[test]
    fn json_strings_and_keys_are_escaped() {
        let mut value = serde_json::json!({"::k": ["a\u{1b}b", "::add-mask::x", "ok"], "n": 1});
        assert!(escape_json(&mut value));
        assert_eq!(
            value,
            serde_json::json!({"\\::k": ["a␛b", "\\::add-mask::x", "ok"], "n": 1})
        );
        assert!(!escape_json(&mut serde_json::json!({"a": ["b"]})));
    }

    #[test]
    fn no_line_can_start_a_workflow_command() {
        assert_eq!(escape("::add-mask::x"), "\\::add-mask::x");
        assert_eq!(escape(" \u{ad}::x"), " \u{ad}\\::x");
        assert_eq!(
            escape("a ::b ##[add-mask]c #\u{200b}[d"),
            "a ::b ##\\[add-mask]c #\u{200b}\\[d"
        );
        assert_eq!(escape(":x: #x [y]"), ":x: #x [y]");
        // A name `:` is followed by `:1:1:` in the concise format.
        assert_eq!(escape(":"), "\\:");
        assert_eq!(escape(" :\u{200b}"), " \\:\u{200b}");
        assert_eq!(
            escape_lines("## What\n::error::x\n  ::y\nok ::z\n"),
            "## What\n\\::error::x\n  \\::y\nok ::z\n"
        );
        // One line: a `::` after an escaped line break does not start a line.
        assert_eq!(escape("a\n::b"), "a\\n::b");
    }

    #[test]
    fn nothing_escaped_is_left_to_escape() {
        for c in (0..0x3000).filter_map(char::from_u32) {
            let text = format!("x{c}y");
            let escaped = escape(&text);
            assert!(!needs_escape(&escaped), "{c:?} -> {escaped:?}");
            assert!(!command_like(&escaped), "{c:?} -> {escaped:?}");
            for text in [format!(":{c}"), format!(" :{c}\n::"), format!("#{c}[")] {
                let escaped = escape_lines(&text);
                assert!(!command_like(&escaped), "{text:?} -> {escaped:?}");
            }
            assert!(!escaped.contains(['\n', '\r', '\u{1b}']));
        }
    }
}

//! The protocol over standard input and output: framing read leniently on its own thread,
//! messages and log lines written by the calling thread through the handles it is given.
//!
//! `lsp-server`'s own stdio transport is not used: it stops at the first malformed message and
//! writes to the process's stdout from another thread, while `main` holds stdout's lock.

use std::io::{self, BufRead, Read, Write};
use std::sync::Arc;

use crossbeam_channel::{Sender, select};
use lsp_server::{Connection, Message};
use serde_json::{Value, json};

use super::{Log, ServerOptions, serve};

/// Messages larger than this are refused: no template a person edits comes close.
const MAX_MESSAGE: usize = 256 << 20;

/// Of a header line longer than this only the end is kept: the end is where a `Content-Length`
/// written right after a short body sits.
const MAX_HEADER_LINE: usize = 1 << 10;

/// JSON-RPC 2.0 error codes for what the reader itself answers.
const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

/// Serves the client on the process's standard input; writes the protocol to `stdout` and the
/// log to `stderr`. Returns whether the client shut the server down properly.
pub fn serve_stdio(
    options: ServerOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<bool> {
    serve_io(options, io::BufReader::new(io::stdin()), stdout, stderr)
}

/// [`serve_stdio`] over any input: the framing, the replies to malformed messages and the log.
pub fn serve_io(
    options: ServerOptions,
    mut input: impl BufRead + Send + 'static,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<bool> {
    let (to_server, from_client) = crossbeam_channel::unbounded();
    let (to_client, from_server) = crossbeam_channel::unbounded();
    let (log_sender, log_lines) = crossbeam_channel::unbounded::<String>();
    let (reply_sender, replies) = crossbeam_channel::unbounded::<Value>();

    let reader_log = log_sender.clone();
    std::thread::Builder::new()
        .name("sandtrap-lsp-reader".to_owned())
        .spawn(move || read_messages(&mut input, &to_server, &reply_sender, &reader_log))?;
    let server_log = log_sender.clone();
    let log: Log = Arc::new(move |line: &str| {
        let _ = server_log.send(line.to_owned());
    });
    drop(log_sender);
    let connection = Connection {
        sender: to_client,
        receiver: from_client,
    };
    let server = std::thread::Builder::new()
        .name("sandtrap-lsp".to_owned())
        .spawn(move || serve(connection, options, log))?;

    // Until the server thread is done and every sender (worker, log, reader) has been dropped.
    let mut messages_open = true;
    let mut log_open = true;
    let mut replies_open = true;
    while messages_open || log_open || replies_open {
        select! {
            recv(from_server) -> message => match message {
                Ok(message) => {
                    if let Err(err) = message.write(&mut &mut *stdout) {
                        let _ = writeln!(stderr, "sandtrap lsp: cannot write to the client: {err}");
                        break;
                    }
                }
                Err(_) => messages_open = false,
            },
            recv(replies) -> reply => match reply {
                Ok(reply) => {
                    if let Err(err) = write_raw(stdout, &reply) {
                        let _ = writeln!(stderr, "sandtrap lsp: cannot write to the client: {err}");
                        break;
                    }
                }
                Err(_) => replies_open = false,
            },
            recv(log_lines) -> line => match line {
                Ok(line) => {
                    let _ = writeln!(stderr, "[sandtrap lsp] {line}");
                }
                Err(_) => log_open = false,
            },
        }
    }
    Ok(server.join().unwrap_or(false))
}

/// One framed message that `lsp_server::Message` cannot express (an error reply with `id: null`).
fn write_raw(out: &mut dyn Write, message: &Value) -> io::Result<()> {
    let body = message.to_string();
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// A JSON-RPC error reply.
fn error_reply(id: Value, code: i32, message: String) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Reads framed messages until end of input or `exit`. A body that is not JSON gets a `-32700`
/// Parse error reply (`id: null`), JSON that is no message a `-32600` Invalid Request, as
/// JSON-RPC 2.0 asks; a malformed frame is logged. Either way reading goes on at the next
/// `Content-Length` header, even one inside a body read under a wrong length, so one bad frame
/// never costs the next good message (a body stops early where its JSON ends, see
/// [`read_body`]).
pub fn read_messages(
    input: &mut dyn BufRead,
    to_server: &Sender<Message>,
    replies: &Sender<Value>,
    log: &Sender<String>,
) {
    let mut input = Resync {
        pending: Vec::new(),
        at: 0,
        inner: input,
    };
    loop {
        match read_frame(&mut input) {
            Ok(None) => return,
            Ok(Some(body)) => match serde_json::from_slice::<Message>(&body) {
                Ok(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if to_server.send(message).is_err() || exit {
                        return;
                    }
                }
                Err(err) => {
                    let reply = match serde_json::from_slice::<Value>(&body) {
                        Err(_) => {
                            error_reply(Value::Null, PARSE_ERROR, format!("Parse error: {err}"))
                        }
                        Ok(value) => {
                            let id = value
                                .get("id")
                                .filter(|id| id.is_string() || id.is_number())
                                .cloned()
                                .unwrap_or(Value::Null);
                            error_reply(id, INVALID_REQUEST, format!("Invalid Request: {err}"))
                        }
                    };
                    let _ = log.send(format!("malformed message skipped: {err}"));
                    let _ = replies.send(reply);
                    // A wrong `Content-Length` read into the next frame: read that frame again.
                    if let Some(at) = find_content_length(&body).filter(|at| *at > 0) {
                        input.push_back(&body[at..]);
                    }
                }
            },
            Err(FrameError::Io(err)) => {
                let _ = log.send(format!("cannot read from the client: {err}"));
                return;
            }
            Err(FrameError::Malformed(message)) => {
                let _ = log.send(format!("malformed frame skipped: {message}"));
            }
        }
    }
}

/// The input with bytes pushed back in front of it.
struct Resync<'a> {
    pending: Vec<u8>,
    at: usize,
    inner: &'a mut dyn BufRead,
}

impl Resync<'_> {
    fn push_back(&mut self, bytes: &[u8]) {
        let mut pending = bytes.to_vec();
        pending.extend_from_slice(&self.pending[self.at..]);
        self.pending = pending;
        self.at = 0;
    }
}

impl Read for Resync<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Resync<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.at < self.pending.len() {
            return Ok(&self.pending[self.at..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if self.at < self.pending.len() {
            self.at = (self.at + amount).min(self.pending.len());
            if self.at == self.pending.len() {
                self.pending.clear();
                self.at = 0;
            }
        } else {
            self.inner.consume(amount);
        }
    }
}

enum FrameError {
    Io(io::Error),
    Malformed(String),
}

/// Where `content-length` (any case) starts in `bytes`.
fn find_content_length(bytes: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length";
    bytes
        .windows(NAME.len())
        .position(|w| w.eq_ignore_ascii_case(NAME))
}

/// One header line without its line end, keeping the last [`MAX_HEADER_LINE`] bytes; `None`
/// at end of input.
fn read_header_line(input: &mut dyn BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let mut any = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(any.then_some(line));
        }
        any = true;
        let (taken, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        line.extend_from_slice(&available[..taken]);
        input.consume(taken);
        if line.len() > MAX_HEADER_LINE {
            line.drain(..line.len() - MAX_HEADER_LINE);
        }
        if done {
            while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                line.pop();
            }
            return Ok(Some(line));
        }
    }
}

/// One `Content-Length`-framed body; `None` at end of input. A header line with other text
/// before `Content-Length` (the rest of a body sent under too short a length) still counts.
fn read_frame(input: &mut dyn BufRead) -> Result<Option<Vec<u8>>, FrameError> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let Some(line) = read_header_line(input).map_err(FrameError::Io)? else {
            return Ok(None);
        };
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some(at) = find_content_length(&line) {
            let header = String::from_utf8_lossy(&line[at..]).into_owned();
            let value = header
                .split_once(':')
                .and_then(|(_, value)| value.trim().parse::<usize>().ok());
            match value {
                Some(value) if value <= MAX_MESSAGE => length = Some(value),
                Some(value) => {
                    return Err(FrameError::Malformed(format!(
                        "a {value}-byte message is too large"
                    )));
                }
                None => return Err(FrameError::Malformed(format!("bad header `{header}`"))),
            }
        }
    }
    let Some(length) = length else {
        return Err(FrameError::Malformed("no Content-Length".to_owned()));
    };
    let (body, ended) = read_body(input, length).map_err(FrameError::Io)?;
    if ended && find_content_length(&body).is_none() {
        // The input ended inside the body.
        return Ok(None);
    }
    Ok(Some(body))
}

/// Up to `length` bytes of body, stopping early where a JSON object or array has ended and
/// something other than whitespace follows: a `Content-Length` too long would otherwise wait
/// for bytes the client never sends, or swallow its next message. Also says whether the input
/// ended first.
fn read_body(input: &mut dyn BufRead, length: usize) -> io::Result<(Vec<u8>, bool)> {
    let mut body = Vec::with_capacity(length.min(1 << 20));
    let mut end = JsonEnd::default();
    while body.len() < length {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok((body, true));
        }
        let wanted = &available[..available.len().min(length - body.len())];
        let taken = wanted
            .iter()
            .position(|b| {
                let past_end = end.done && !b.is_ascii_whitespace();
                end.feed(*b);
                past_end
            })
            .unwrap_or(wanted.len());
        body.extend_from_slice(&wanted[..taken]);
        let stop = taken < wanted.len();
        input.consume(taken);
        if stop {
            break;
        }
    }
    Ok((body, false))
}

/// Finds where a JSON object or array ends, byte by byte (strings and escapes skipped).
#[derive(Default)]
struct JsonEnd {
    depth: usize,
    started: bool,
    in_string: bool,
    escaped: bool,
    done: bool,
}

impl JsonEnd {
    fn feed(&mut self, byte: u8) {
        if self.done {
            return;
        }
        if self.in_string {
            match byte {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.in_string = false,
                _ => {}
            }
            return;
        }
        match byte {
            b'"' => self.in_string = true,
            b'{' | b'[' => {
                self.depth += 1;
                self.started = true;
            }
            b'}' | b']' => {
                self.depth = self.depth.saturating_sub(1);
                self.done = self.started && self.depth == 0;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    const EXIT: &str = r#"{"jsonrpc":"2.0","method":"exit"}"#;

    /// The methods that reached the server, the replies and the number of log lines.
    fn read(input: &str) -> (Vec<String>, Vec<Value>, usize) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let (reply_tx, reply_rx) = crossbeam_channel::unbounded();
        let (log_tx, log_rx) = crossbeam_channel::unbounded();
        read_messages(&mut input.as_bytes(), &tx, &reply_tx, &log_tx);
        let methods = rx
            .try_iter()
            .map(|m| match m {
                Message::Notification(n) => n.method,
                Message::Request(r) => r.method,
                other => format!("{other:?}"),
            })
            .collect();
        (
            methods,
            reply_rx.try_iter().collect(),
            log_rx.try_iter().count(),
        )
    }

    #[test]
    fn garbage_between_messages_is_skipped() {
        let input = format!(
            "{}{}Content-Type: x\r\n\r\n{}{}",
            frame(INITIALIZED),
            frame("{not json"),
            frame(INITIALIZED),
            frame(EXIT)
        );
        let (methods, replies, logged) = read(&input);
        assert_eq!(methods, ["initialized", "initialized", "exit"]);
        assert_eq!(logged, 2);
        assert_eq!(replies.len(), 1);
    }

    #[test]
    fn malformed_json_gets_a_parse_error_reply_with_a_null_id() {
        let input = format!(
            "{}{}",
            frame("{\"jsonrpc\": \"2.0\", \"id\": 1,"),
            frame(EXIT)
        );
        let (methods, replies, _) = read(&input);
        assert_eq!(methods, ["exit"]);
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0]["id"], Value::Null);
        assert_eq!(replies[0]["error"]["code"], PARSE_ERROR);
        assert_eq!(replies[0]["jsonrpc"], "2.0");
    }

    #[test]
    fn json_that_is_no_message_is_an_invalid_request() {
        let input = format!(
            "{}{}{}",
            frame(r#"{"id": 7, "method": 3, "error": 2}"#),
            frame(r#""text""#),
            frame(EXIT)
        );
        let (_, replies, _) = read(&input);
        assert_eq!(replies.len(), 2);
        assert_eq!(replies[0]["id"], 7);
        assert_eq!(replies[0]["error"]["code"], INVALID_REQUEST);
        assert_eq!(replies[1]["id"], Value::Null);
        assert_eq!(replies[1]["error"]["code"], INVALID_REQUEST);
    }

    #[test]
    fn a_too_long_content_length_costs_only_its_own_message() {
        // The body read runs into the next frame: reading starts again at its header.
        let short = r#"{"jsonrpc":"2.0","method":"a"}"#;
        let input = format!(
            "Content-Length: {}\r\n\r\n{short}{}{}",
            short.len() + 30,
            frame(INITIALIZED),
            frame(EXIT)
        );
        let (methods, replies, _) = read(&input);
        assert_eq!(methods, ["a", "initialized", "exit"]);
        assert!(replies.is_empty());
        // A length running past the end of a body that is no object still resynchronizes.
        let input = format!(
            "Content-Length: 30\r\n\r\n\"x\"{}{}",
            frame(INITIALIZED),
            frame(EXIT)
        );
        let (methods, replies, _) = read(&input);
        assert_eq!(methods, ["initialized", "exit"]);
        assert_eq!(replies.len(), 1);
    }

    #[test]
    fn the_end_of_json_skips_strings_and_escapes() {
        let mut end = JsonEnd::default();
        for b in br#"{"a": "}\"]", "b": [1, {"c": "\\"}]"# {
            end.feed(*b);
            assert!(!end.done);
        }
        end.feed(b'}');
        assert!(end.done);
    }

    #[test]
    fn a_too_short_content_length_costs_only_its_own_message() {
        // The rest of the body runs into the next header line, which still counts.
        let input = format!(
            "Content-Length: 12\r\n\r\n{INITIALIZED}{}{}",
            frame(INITIALIZED),
            frame(EXIT)
        );
        let (methods, replies, _) = read(&input);
        assert_eq!(methods, ["initialized", "exit"]);
        assert_eq!(replies[0]["error"]["code"], PARSE_ERROR);
    }

    #[test]
    fn a_bad_or_huge_content_length_is_skipped() {
        for header in ["Content-Length: twelve", "Content-Length: 99999999999"] {
            let input = format!(
                "{header}\r\n\r\n{INITIALIZED}{}{}",
                frame(INITIALIZED),
                frame(EXIT)
            );
            let (methods, _, logged) = read(&input);
            assert_eq!(methods, ["initialized", "exit"], "{header}");
            assert!(logged >= 1, "{header}");
        }
    }

    #[test]
    fn a_long_garbage_line_is_bounded_and_a_header_at_its_end_still_counts() {
        let input = format!(
            "{}Content-Length: {}\r\n\r\n{INITIALIZED}{}",
            "x".repeat(100_000),
            INITIALIZED.len(),
            frame(EXIT)
        );
        let (methods, _, _) = read(&input);
        assert_eq!(methods, ["initialized", "exit"]);
    }

    #[test]
    fn truncated_input_ends_quietly() {
        let (methods, replies, _) = read("Content-Length: 99\r\n\r\n{}");
        assert!(methods.is_empty());
        assert!(replies.is_empty());
    }
}

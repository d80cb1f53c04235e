//! The protocol over standard input and output: framing read leniently on its own thread,
//! messages and log lines written by the calling thread through the handles it is given.
//!
//! `lsp-server`'s own stdio transport is not used: it stops at the first malformed message and
//! writes to the process's stdout from another thread, while `main` holds stdout's lock.

use std::io::{self, BufRead, Read, Write};
use std::sync::Arc;

use crossbeam_channel::{Sender, select};
use lsp_server::{Connection, Message};

use super::{Log, ServerOptions, serve};

/// Messages larger than this are skipped unread: no template a person edits comes close.
const MAX_MESSAGE: usize = 256 << 20;

/// Serves the client on the process's standard input; writes the protocol to `stdout` and the
/// log to `stderr`. Returns whether the client shut the server down properly.
pub fn serve_stdio(
    options: ServerOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<bool> {
    let (to_server, from_client) = crossbeam_channel::unbounded();
    let (to_client, from_server) = crossbeam_channel::unbounded();
    let (log_sender, log_lines) = crossbeam_channel::unbounded::<String>();

    let reader_log = log_sender.clone();
    std::thread::Builder::new()
        .name("sandtrap-lsp-reader".to_owned())
        .spawn(move || read_messages(&mut io::stdin().lock(), &to_server, &reader_log))?;
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

    // Until the server thread is done and every sender (worker, log) has been dropped.
    let mut messages_open = true;
    let mut log_open = true;
    while messages_open || log_open {
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

/// Reads framed messages until end of input or `exit`. A malformed frame or payload is logged
/// and skipped; reading goes on with the next frame.
pub fn read_messages(input: &mut dyn BufRead, to_server: &Sender<Message>, log: &Sender<String>) {
    loop {
        match read_frame(input) {
            Ok(None) => return,
            Ok(Some(body)) => match serde_json::from_slice::<Message>(&body) {
                Ok(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if to_server.send(message).is_err() || exit {
                        return;
                    }
                }
                Err(err) => {
                    let _ = log.send(format!("malformed message skipped: {err}"));
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

enum FrameError {
    Io(io::Error),
    Malformed(String),
}

/// One `Content-Length`-framed body; `None` at end of input.
fn read_frame(input: &mut dyn BufRead) -> Result<Option<Vec<u8>>, FrameError> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    let mut line = String::new();
    loop {
        line.clear();
        let read = input.read_line(&mut line).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => FrameError::Malformed("header is not UTF-8".to_owned()),
            _ => FrameError::Io(e),
        })?;
        if read == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
            if length.is_none() {
                return Err(FrameError::Malformed(format!("bad header `{header}`")));
            }
        }
    }
    let Some(length) = length else {
        return Err(FrameError::Malformed("no Content-Length".to_owned()));
    };
    if length > MAX_MESSAGE {
        let skipped = io::copy(&mut input.take(length as u64), &mut io::sink());
        skipped.map_err(FrameError::Io)?;
        return Err(FrameError::Malformed(format!(
            "a {length}-byte message is too large"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).map_err(FrameError::Io)?;
    Ok(Some(body))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn garbage_between_messages_is_skipped() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "{}{}Content-Type: x\r\n\r\n{}{}",
            frame(good),
            frame("{not json"),
            frame(good),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#)
        );
        let (tx, rx) = crossbeam_channel::unbounded();
        let (log_tx, log_rx) = crossbeam_channel::unbounded();
        read_messages(&mut input.as_bytes(), &tx, &log_tx);
        let methods: Vec<String> = rx
            .try_iter()
            .map(|m| match m {
                Message::Notification(n) => n.method,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(methods, ["initialized", "initialized", "exit"]);
        let logged: Vec<String> = log_rx.try_iter().collect();
        assert_eq!(logged.len(), 2, "{logged:?}");
    }

    #[test]
    fn truncated_input_ends_quietly() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let (log_tx, _log_rx) = crossbeam_channel::unbounded();
        read_messages(&mut "Content-Length: 99\r\n\r\n{}".as_bytes(), &tx, &log_tx);
        assert!(rx.try_iter().next().is_none());
    }
}

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use sandtrap::cli::{self, Cli, Io};

/// The command line's allocator (the library leaves the choice to its users): see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    sandtrap::check::exit_after_run();
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut stdout = io::BufWriter::new(stdout.lock());
    let mut stderr = io::stderr();
    let io = Io {
        stdin: &mut io::stdin(),
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdout_is_terminal: cli::stdout_is_terminal(),
        stderr_is_terminal: cli::stderr_is_terminal(),
    };
    let result = cli::run(cli, io).and_then(|exit| stdout.flush().map(|()| exit));
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        // A closed pipe (`sandtrap check | head`) is the reader's choice, not a failure.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(stderr, "error: {err}");
            ExitCode::from(2)
        }
    }
}

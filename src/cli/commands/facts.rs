//! `sandtrap facts`: the facts document the rules read, or its schema.

use std::io;

use super::super::{Exit, FactsArgs, Io, run_analysis};
use crate::emit::progress::Progress;

pub(in crate::cli) fn facts(args: FactsArgs, mut io: Io<'_>) -> io::Result<Exit> {
    if args.schema {
        serde_json::to_writer_pretty(&mut *io.stdout, &crate::join::facts::schema())?;
        writeln!(io.stdout)?;
        return Ok(Exit::Clean);
    }
    let outcome = match run_analysis(&args.analysis, None, &Progress::new(false), &mut io)? {
        Ok(outcome) => outcome,
        Err(exit) => return Ok(exit),
    };
    serde_json::to_writer_pretty(&mut *io.stdout, &outcome.facts_json())?;
    writeln!(io.stdout)?;
    Ok(Exit::Clean)
}

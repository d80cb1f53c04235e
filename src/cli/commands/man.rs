//! `sandtrap man` and `sandtrap completions`: generated from the same command definition.

use std::io;
use std::path::PathBuf;

use clap::CommandFactory;

use super::super::{Cli, Exit, Io, write_output};

/// `sandtrap completions SHELL`.
pub(in crate::cli) fn completions(shell: clap_complete::Shell, io: Io<'_>) -> io::Result<Exit> {
    clap_complete::generate(shell, &mut public_command(), "sandtrap", io.stdout);
    Ok(Exit::Clean)
}

/// The command line as users see it: without the hidden commands (`debug`), which clap's
/// completion generators would otherwise offer, and without the `help` subcommand, which has no
/// page of its own.
fn public_command() -> clap::Command {
    let cli = Cli::command();
    let public: Vec<clap::Command> = cli
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .cloned()
        .collect();
    // clap cannot remove a subcommand: rebuild the top level with the public ones only.
    let mut top = clap::Command::new("sandtrap")
        .version(env!("CARGO_PKG_VERSION"))
        .max_term_width(100)
        .propagate_version(true)
        .disable_help_subcommand(true)
        .subcommands(public);
    if let Some(about) = cli.get_about() {
        top = top.about(about.clone());
    }
    top
}

/// `sandtrap man`: the top page on standard output, or every page into a directory.
pub(in crate::cli) fn man(output_dir: Option<PathBuf>, mut io: Io<'_>) -> io::Result<Exit> {
    let mut top = public_command();
    top.build();
    let Some(dir) = output_dir else {
        clap_mangen::Man::new(top).render(io.stdout)?;
        return Ok(Exit::Clean);
    };
    let mut pages = vec![top.clone()];
    pages.extend(top.get_subcommands().cloned());
    for page in pages {
        let man = clap_mangen::Man::new(page);
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        let path = dir.join(man.get_filename());
        if write_output(&path, &roff, &mut io)? == Exit::Usage {
            return Ok(Exit::Usage);
        }
    }
    Ok(Exit::Clean)
}

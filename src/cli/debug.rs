//! The hidden `sandtrap debug` commands: dumps of intermediate stages for fixtures and bug
//! reports, and the parse-only baseline the benchmarks compare against.

use std::io;
use std::path::{Path, PathBuf};

use super::{Exit, Io};
use crate::load::{self, Format, Loaded};
use crate::source::SourceFile;

/// Reads and loads one file, or says on stderr why it cannot.
fn read(path: &Path, io: &mut Io<'_>) -> io::Result<Option<(SourceFile, Loaded)>> {
    let bytes = match crate::discover::read_regular(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            writeln!(io.stderr, "error: {}: {err}", path.display())?;
            return Ok(None);
        }
    };
    let name = path.display().to_string();
    let (text, problem) = load::decode(&bytes);
    let file = SourceFile::new(name.clone(), Some(path.to_owned()), text);
    let mut loaded = load::load(&file.text, Format::guess(&name, &file.text));
    loaded.problems.extend(problem);
    Ok(Some((file, loaded)))
}

/// `debug load FILE`: the tree with the span of every node.
pub fn load(path: &Path, mut io: Io<'_>) -> io::Result<Exit> {
    let Some((file, loaded)) = read(path, &mut io)? else {
        return Ok(Exit::Usage);
    };
    io.stdout
        .write_all(load::dump::dump(&file, &loaded).as_bytes())?;
    Ok(Exit::Clean)
}

/// `debug parse PATHS [--tree]`: parse only, for the throughput baseline.
pub fn parse(paths: &[PathBuf], tree: bool, io: Io<'_>) -> io::Result<Exit> {
    use crate::check::baseline::{self, Depth};
    let depth = if tree { Depth::Tree } else { Depth::Parser };
    match baseline::run(paths, depth) {
        Ok(t) => {
            writeln!(
                io.stdout,
                "{} files, {} bytes, {} rejected",
                t.files, t.bytes, t.failed
            )?;
            Ok(Exit::Clean)
        }
        Err(err) => {
            writeln!(io.stderr, "error: {err}")?;
            Ok(Exit::Usage)
        }
    }
}

/// `debug resolve FILE`: every resource property resolved, with its assumptions.
pub fn resolve(
    path: &Path,
    region: Option<String>,
    account: Option<String>,
    params: &[String],
    mut io: Io<'_>,
) -> io::Result<Exit> {
    let Some((file, loaded)) = read(path, &mut io)? else {
        return Ok(Exit::Usage);
    };
    let Some(document) = loaded.document else {
        writeln!(
            io.stderr,
            "error: {}: does not load; see `sandtrap check {}`",
            file.name, file.name
        )?;
        return Ok(Exit::Usage);
    };
    let parameters = match crate::params::parse_params(params) {
        Ok(parameters) => parameters,
        Err(err) => {
            writeln!(io.stderr, "error: {err}")?;
            return Ok(Exit::Usage);
        }
    };
    let env = crate::cloudformation::resolve::StackEnv {
        account,
        region,
        stack_name: None,
        parameters,
    };
    io.stdout
        .write_all(crate::cloudformation::resolve::debug_dump(&document, &env).as_bytes())?;
    Ok(Exit::Clean)
}

/// `debug site OUT [--root DIR]`: the documentation site, from the built-in rules and the
/// checkout's Markdown.
pub fn site(out: &Path, root: &Path, io: Io<'_>) -> io::Result<Exit> {
    let catalog = match crate::rules::Catalog::builtin() {
        Ok(catalog) => catalog,
        Err(err) => {
            writeln!(io.stderr, "error: {err}")?;
            return Ok(Exit::Usage);
        }
    };
    let site = match crate::site::build(&catalog, root) {
        Ok(site) => site,
        Err(err) => {
            writeln!(io.stderr, "error: {err}")?;
            return Ok(Exit::Usage);
        }
    };
    site.write(out)?;
    writeln!(
        io.stderr,
        "wrote {} files of the documentation site to {}",
        site.files.len(),
        out.display()
    )?;
    Ok(Exit::Clean)
}

/// `debug terraform PATHS`: every pool instance as evaluated.
pub fn terraform(args: &super::AnalysisArgs, mut io: Io<'_>) -> io::Result<Exit> {
    let options = match super::options(args, &mut io) {
        Ok(options) => options,
        Err(err) => return super::report_error(&err, &mut io),
    };
    match crate::check::terraform_instances(&options) {
        Ok(instances) => {
            let rows: Vec<serde_json::Value> = instances
                .into_iter()
                .map(|(root, instance)| serde_json::json!({"root": root, "instance": instance}))
                .collect();
            serde_json::to_writer_pretty(&mut *io.stdout, &rows)?;
            writeln!(io.stdout)?;
            Ok(Exit::Clean)
        }
        Err(err) => super::report_error(&err, &mut io),
    }
}

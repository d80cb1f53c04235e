//! A Terraform module read from its directory: every `*.tf`, `*.tf.json`, `*.tofu` and
//! `*.tofu.json` file parsed into one list of declarations (variables, locals, providers,
//! resources and data sources, module calls, outputs), each remembering the file it came from.

use std::path::{Path, PathBuf};

use super::syntax::{self, Attribute, Block, Body, Expr};
use crate::load::{LoadProblem, ProblemKind};
use crate::source::Span;

/// The file extensions of a module's files.
const EXTENSIONS: [&str; 4] = [".tf", ".tf.json", ".tofu", ".tofu.json"];

/// Whether `name` is a Terraform or OpenTofu configuration file.
pub fn is_config_file(name: &str) -> bool {
    EXTENSIONS.iter().any(|e| name.ends_with(e)) && !name.starts_with('.')
}

/// Whether `name` is a variable definitions file (`terraform.tfvars`, `x.auto.tfvars.json`,
/// a `--var-file`): read with its module, not a module file itself.
pub fn is_variables_file(name: &str) -> bool {
    [".tfvars", ".tfvars.json"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// One file of a module.
#[derive(Clone, Debug)]
pub struct ModuleFile {
    /// As reported (relative to the working directory when walked).
    pub name: String,
    pub path: PathBuf,
    pub text: String,
    /// Why it could not be read or parsed.
    pub problem: Option<LoadProblem>,
    /// The `# sandtrap: ...` and `// sandtrap: ...` comments (native syntax only).
    pub comments: Vec<crate::tree::Comment>,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub span: Span,
    pub file: usize,
    pub default: Option<Expr>,
    pub sensitive: bool,
    /// Its `type` is a collection (`list(...)`, `map(...)`, `object(...)`...): a value from the
    /// command line is read as an expression, not as a string.
    pub complex: bool,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub file: usize,
    pub expr: Expr,
}

#[derive(Clone, Debug)]
pub struct Provider {
    /// The local name (`aws`).
    pub name: String,
    pub alias: Option<String>,
    pub file: usize,
    pub header_span: Span,
    pub body: Body,
}

impl Provider {
    /// `aws` or `aws.west`: how resources and module calls name it.
    pub fn key(&self) -> String {
        match &self.alias {
            Some(alias) => format!("{}.{alias}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Managed,
    Data,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub mode: Mode,
    /// `aws_cognito_user_pool`.
    pub kind: String,
    pub name: String,
    pub file: usize,
    pub header_span: Span,
    pub body: Body,
    /// CDK for Terraform's construct path.
    pub construct_path: Option<String>,
}

impl Resource {
    /// `aws_cognito_user_pool.pool`, `data.aws_region.current`.
    pub fn address(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.kind, self.name),
            Mode::Data => format!("data.{}.{}", self.kind, self.name),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Call {
    pub name: String,
    pub file: usize,
    pub header_span: Span,
    /// The literal `source`, and where it is written.
    pub source: Option<(String, Span)>,
    pub body: Body,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub file: usize,
    pub expr: Expr,
}

/// A module directory, read.
#[derive(Clone, Debug, Default)]
pub struct Module {
    pub dir: PathBuf,
    pub files: Vec<ModuleFile>,
    pub variables: Vec<Variable>,
    pub locals: Vec<Local>,
    pub providers: Vec<Provider>,
    pub resources: Vec<Resource>,
    pub calls: Vec<Call>,
    pub outputs: Vec<Output>,
    /// The variables files Terraform loads by itself from the directory, in precedence order
    /// (used when the module is a root).
    pub automatic_variables: Vec<PathBuf>,
}

impl Module {
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    pub fn local(&self, name: &str) -> Option<&Local> {
        self.locals.iter().rev().find(|l| l.name == name)
    }

    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.name == name)
    }

    pub fn call(&self, name: &str) -> Option<&Call> {
        self.calls.iter().find(|c| c.name == name)
    }

    pub fn resource(&self, mode: Mode, kind: &str, name: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.mode == mode && r.kind == kind && r.name == name)
    }
}

/// What a module directory holds, from one listing of it.
#[derive(Debug, Default)]
pub struct Listing {
    /// The configuration files, sorted by name (Terraform reads them in that order);
    /// `override.tf` and `*_override.tf` files are left out: Terraform merges them into the
    /// blocks they override, which sandtrap does not model.
    pub config: Vec<PathBuf>,
    /// The variables files Terraform loads by itself, in precedence order: `terraform.tfvars`,
    /// `terraform.tfvars.json`, then `*.auto.tfvars` and `*.auto.tfvars.json` by name.
    pub automatic_variables: Vec<PathBuf>,
}

/// Lists `dir` once for both its configuration files and its automatic variables files.
pub fn list(dir: &Path) -> std::io::Result<Listing> {
    let mut config = Vec::new();
    let mut plain_variables: [Option<PathBuf>; 2] = [None, None];
    let mut auto_variables = Vec::new();
    // An entry that cannot be read is skipped; the others are still found.
    for entry in std::fs::read_dir(dir)?.flatten() {
        let file_name = entry.file_name();
        let name = file_name.to_string_lossy();
        if is_config_file(&name) && !is_override(&name) {
            if entry
                .file_type()
                .is_ok_and(|t| t.is_file() || t.is_symlink())
            {
                config.push(entry.path());
            }
        } else if file_name.to_str().is_none() {
            // Variables files are known by ASCII names; a name that is not UTF-8 is none.
        } else if let Some(slot) = ["terraform.tfvars", "terraform.tfvars.json"]
            .iter()
            .position(|plain| name == *plain)
        {
            // Read only when it is a file (a link is followed to see).
            let is_file = match entry.file_type() {
                Ok(t) if t.is_symlink() => entry.path().is_file(),
                Ok(t) => t.is_file(),
                Err(_) => false,
            };
            if is_file {
                plain_variables[slot] = Some(entry.path());
            }
        } else if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") {
            auto_variables.push(entry.path());
        }
    }
    config.sort();
    auto_variables.sort();
    Ok(Listing {
        config,
        automatic_variables: plain_variables
            .into_iter()
            .flatten()
            .chain(auto_variables)
            .collect(),
    })
}

/// `override.tf`, `main_override.tf.json`: merged by Terraform, not read here.
pub fn is_override(name: &str) -> bool {
    EXTENSIONS.iter().any(|e| {
        name.strip_suffix(e)
            .is_some_and(|stem| stem == "override" || stem.ends_with("_override"))
    })
}

/// Reads a module from its files, each given as (display name, path, bytes or the error).
pub fn read(dir: &Path, files: Vec<(String, PathBuf, std::io::Result<Vec<u8>>)>) -> Module {
    let mut module = Module {
        dir: dir.to_path_buf(),
        ..Module::default()
    };
    for (name, path, bytes) in files {
        let index = module.files.len();
        let file = parse_file(&name, &path, bytes);
        let body = file.1;
        module.files.push(file.0);
        if let Some(body) = body {
            declare(&mut module, index, body);
        }
    }
    module
}

fn problem(kind: ProblemKind, span: Span, message: String) -> LoadProblem {
    LoadProblem {
        kind,
        span,
        message,
        related: None,
    }
}

fn parse_file(
    name: &str,
    path: &Path,
    bytes: std::io::Result<Vec<u8>>,
) -> (ModuleFile, Option<Body>) {
    let mut file = ModuleFile {
        name: name.to_owned(),
        path: path.to_path_buf(),
        text: String::new(),
        problem: None,
        comments: Vec::new(),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(err) => {
            let kind = match err.kind() {
                std::io::ErrorKind::FileTooLarge => ProblemKind::TooLarge,
                _ => ProblemKind::Unreadable,
            };
            file.problem = Some(problem(
                kind,
                Span::empty(0),
                format!("cannot read file: {err}"),
            ));
            return (file, None);
        }
    };
    let (text, decode_problem) = crate::load::decode(&bytes);
    file.text = text;
    if let Some(problem) = decode_problem {
        file.problem = Some(problem);
        return (file, None);
    }
    let json = name.ends_with(".json");
    let body = match json {
        true => {
            let loaded = crate::load::json::load(&file.text);
            // A duplicate key is kept as the last one, as JSON syntax reads it; anything else
            // is the file's problem.
            if let Some(p) = loaded
                .problems
                .into_iter()
                .find(|p| p.kind != ProblemKind::DuplicateKey)
            {
                file.problem = Some(p);
            }
            loaded
                .document
                .map(|doc| syntax::json_body(&doc.root, &file.text))
        }
        false => match syntax::parse_native(&file.text) {
            Ok(body) => Some(body),
            Err((message, offset)) => {
                file.problem = Some(problem(
                    ProblemKind::Syntax,
                    Span::empty(offset.min(file.text.len())),
                    message,
                ));
                None
            }
        },
    };
    if !json {
        file.comments = comments(&file.text);
    }
    (file, body)
}

/// The comments that mention `sandtrap:`, in native syntax (`#` and `//`; a `/* */` comment is
/// not a suppression). Strings are skipped, so a `#` inside a quoted value is not a comment.
pub fn comments(text: &str) -> Vec<crate::tree::Comment> {
    let mut out = Vec::new();
    if !text.contains("sandtrap") {
        return out;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut in_string = false;
        let mut escaped = false;
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else if c == b'"' {
                in_string = true;
            } else if c == b'#' || (c == b'/' && bytes.get(i + 1) == Some(&b'/')) {
                let marker = if c == b'#' { 1 } else { 2 };
                let body = line[i + marker..].trim_end_matches(['\n', '\r']);
                if body.contains("sandtrap") {
                    out.push(crate::tree::Comment {
                        span: Span::new(offset + i, offset + i + marker + body.len()),
                        text: body.to_owned(),
                    });
                }
                break;
            }
            i += 1;
        }
        offset += line.len();
    }
    out
}

fn label(block: &Block, index: usize) -> Option<&str> {
    block.labels.get(index).map(|(l, _)| l.as_str())
}

/// The declarations of one file's body.
fn declare(module: &mut Module, file: usize, body: Body) {
    for block in body.blocks {
        match block.kind.as_str() {
            "variable" => {
                let Some(name) = label(&block, 0) else {
                    continue;
                };
                module.variables.push(Variable {
                    name: name.to_owned(),
                    span: block.labels[0].1,
                    file,
                    default: block.body.attribute("default").map(|a| a.expr.clone()),
                    sensitive: block
                        .body
                        .attribute("sensitive")
                        .is_some_and(|a| matches!(a.expr, Expr::Bool(true, _))),
                    complex: block.body.attribute("type").is_some_and(|a| match &a.expr {
                        Expr::Call { name, .. } => {
                            matches!(name.as_str(), "list" | "map" | "set" | "object" | "tuple")
                        }
                        Expr::Variable(name, _) => matches!(name.as_str(), "list" | "map" | "set"),
                        _ => false,
                    }),
                });
            }
            "locals" => {
                for Attribute { name, expr, .. } in block.body.attributes {
                    module.locals.push(Local { name, file, expr });
                }
            }
            "provider" => {
                let Some(name) = label(&block, 0) else {
                    continue;
                };
                module.providers.push(Provider {
                    name: name.to_owned(),
                    alias: block
                        .body
                        .attribute("alias")
                        .and_then(|a| a.expr.as_literal()),
                    file,
                    header_span: block.header_span,
                    body: block.body.clone(),
                });
            }
            "resource" | "data" => {
                let (Some(kind), Some(name)) = (label(&block, 0), label(&block, 1)) else {
                    continue;
                };
                module.resources.push(Resource {
                    mode: match block.kind.as_str() {
                        "data" => Mode::Data,
                        _ => Mode::Managed,
                    },
                    kind: kind.to_owned(),
                    name: name.to_owned(),
                    file,
                    header_span: block.header_span,
                    construct_path: block.construct_path.clone(),
                    body: block.body,
                });
            }
            "module" => {
                let Some(name) = label(&block, 0) else {
                    continue;
                };
                let source = block
                    .body
                    .attribute("source")
                    .and_then(|a| Some((a.expr.as_literal()?, a.expr.span())));
                module.calls.push(Call {
                    name: name.to_owned(),
                    file,
                    header_span: block.header_span,
                    source,
                    body: block.body,
                });
            }
            "output" => {
                let Some(name) = label(&block, 0) else {
                    continue;
                };
                if let Some(value) = block.body.attribute("value") {
                    module.outputs.push(Output {
                        name: name.to_owned(),
                        file,
                        expr: value.expr.clone(),
                    });
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(files: &[(&str, &str)]) -> Module {
        read(
            Path::new("m"),
            files
                .iter()
                .map(|(name, text)| {
                    (
                        (*name).to_owned(),
                        PathBuf::from(name),
                        Ok(text.as_bytes().to_vec()),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn declarations_of_every_file_are_collected() {
        let m = module(&[
            (
                "main.tf",
                "provider \"aws\" {\n  alias = \"west\"\n  region = \"us-west-2\"\n}\nresource \"aws_cognito_user_pool\" \"pool\" {}\nmodule \"auth\" {\n  source = \"./auth\"\n}\n",
            ),
            (
                "variables.tf",
                "variable \"region\" {\n  default = \"us-east-1\"\n}\nlocals {\n  a = 1\n}\n",
            ),
            (
                "extra.tf.json",
                r#"{"data": {"aws_region": {"current": {}}}, "output": {"o": {"value": "${local.a}"}}}"#,
            ),
        ]);
        assert_eq!(m.providers[0].key(), "aws.west");
        assert_eq!(m.resources[0].address(), "aws_cognito_user_pool.pool");
        assert_eq!(m.resources[1].address(), "data.aws_region.current");
        assert_eq!(
            m.calls[0].source.as_ref().map(|s| s.0.as_str()),
            Some("./auth")
        );
        assert_eq!(m.variables[0].file, 1);
        assert!(m.local("a").is_some());
        assert!(m.output("o").is_some());
    }

    #[test]
    fn a_broken_file_is_a_located_problem_and_the_others_are_read() {
        let m = module(&[
            ("a.tf", "resource \"x\" \"y\" {\n  z = \n}\n"),
            ("b.tf", "locals {\n  ok = true\n}\n"),
        ]);
        assert!(matches!(
            m.files[0].problem.as_ref().map(|p| &p.kind),
            Some(ProblemKind::Syntax)
        ));
        assert!(m.local("ok").is_some());
    }

    #[test]
    fn suppression_comments_are_found_outside_strings() {
        let text = "a = \"# sandtrap: not me\" # sandtrap: ignore[ST101] reason\n// sandtrap: ignore[ST102]\n";
        let found = comments(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].text.trim(), "sandtrap: ignore[ST101] reason");
        assert_eq!(&text[found[1].span.range()], "// sandtrap: ignore[ST102]");
    }

    #[test]
    fn override_files_are_left_out() {
        assert!(is_override("override.tf"));
        assert!(is_override("main_override.tf.json"));
        assert!(!is_override("overrides.tf"));
        assert!(is_config_file("main.tofu.json"));
        assert!(!is_config_file(".hidden.tf"));
    }

    #[test]
    fn one_listing_finds_the_configuration_and_the_automatic_variables_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        for name in [
            "b.tf",
            "a.tf.json",
            "main.tofu",
            "override.tf",
            "main_override.tf",
            ".hidden.tf",
            "terraform.tfvars.json",
            "terraform.tfvars",
            "z.auto.tfvars",
            "a.auto.tfvars.json",
            "notes.tfvars",
            "README.md",
        ] {
            std::fs::write(path.join(name), "").unwrap();
        }
        // A directory is neither kind of file, whatever its name.
        std::fs::create_dir(path.join("c.tf")).unwrap();
        std::fs::create_dir(path.join("x.auto.tfvars")).unwrap();
        let listing = list(path).unwrap();
        let names = |paths: &[PathBuf]| -> Vec<String> {
            paths
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names(&listing.config), ["a.tf.json", "b.tf", "main.tofu"]);
        // Terraform's order: the two plain files, then the `.auto.` ones by name. A directory
        // named like an `.auto.` file is kept: reading it is reported, as before.
        assert_eq!(
            names(&listing.automatic_variables),
            [
                "terraform.tfvars",
                "terraform.tfvars.json",
                "a.auto.tfvars.json",
                "x.auto.tfvars",
                "z.auto.tfvars"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_variables_file_counts_and_a_broken_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        std::fs::write(path.join("real.tfvars"), "").unwrap();
        std::os::unix::fs::symlink("real.tfvars", path.join("terraform.tfvars")).unwrap();
        std::os::unix::fs::symlink("missing", path.join("terraform.tfvars.json")).unwrap();
        std::os::unix::fs::symlink("missing.tf", path.join("main.tf")).unwrap();
        let listing = list(path).unwrap();
        assert_eq!(listing.automatic_variables, [path.join("terraform.tfvars")]);
        // A configuration file that is a link is read, and a broken one reported, as before.
        assert_eq!(listing.config, [path.join("main.tf")]);
    }
}

//! A root module's input variables as Terraform sets them, lowest precedence first:
//! `TF_VAR_name` from the environment, `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars` and `*.auto.tfvars.json` in lexical order, `--var-file` files in order, then
//! `--var NAME=VALUE`. A declared `default` applies when none of them sets the variable
//! (the instance falls back to it); `validation` blocks are not evaluated.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::eval::{Choices, Context, Evaluator, Key, Reference, invalid, one, string};
use super::instance::{Input, Origin};
use super::module::Module;
use super::syntax::{self, Body, Expr};
use crate::load::{LoadProblem, ProblemKind};
use crate::source::Span;
use crate::value::Resolved;

/// What the command line and the environment give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VarOptions {
    /// `--var-file FILE`, in order.
    pub files: Vec<PathBuf>,
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<(String, String)>,
    /// `TF_VAR_name` values of the environment, by name.
    pub env: BTreeMap<String, String>,
}

/// A variables file read for the root: its text (for related locations) and what it sets.
#[derive(Clone, Debug)]
pub struct VarsFile {
    pub name: String,
    pub path: PathBuf,
    pub text: String,
    pub problem: Option<LoadProblem>,
}

/// Expressions in variables files name nothing: any name is an error, as in Terraform.
struct Literal<'a>(&'a str);

impl Context for Literal<'_> {
    fn source(&self, _: usize) -> &str {
        self.0
    }
    fn variable(&self, name: &str, span: Span, _: usize) -> Choices {
        one(invalid(span, format!("`var.{name}` in a variables file")))
    }
    fn local(&self, name: &str, span: Span, _: usize) -> Choices {
        one(invalid(span, format!("`local.{name}` in a variables file")))
    }
    fn resource(&self, reference: &Reference<'_>, span: Span, _: usize) -> Choices {
        let kind = reference.kind;
        one(invalid(
            span,
            format!("a reference to `{kind}` in a variables file"),
        ))
    }
    fn module_output(&self, call: &str, _: Key, _: &str, span: Span, _: usize) -> Choices {
        one(invalid(
            span,
            format!("`module.{call}` in a variables file"),
        ))
    }
    fn path(&self, _: &str) -> Option<String> {
        None
    }
}

fn literal(expr: &Expr, text: &str) -> Choices {
    Evaluator {
        context: &Literal(text),
        file: 0,
        iterators: Vec::new(),
        depth: 0,
    }
    .eval(expr)
}

/// The root module's inputs, and the variables files read (each with its problem, if any).
pub fn root_inputs(
    module: &Module,
    files: Vec<(String, PathBuf, std::io::Result<Vec<u8>>)>,
    options: &VarOptions,
) -> (HashMap<String, Input>, Vec<VarsFile>) {
    let mut inputs: HashMap<String, Input> = HashMap::new();
    for (name, value) in &options.env {
        if module.variable(name).is_some() {
            inputs.insert(
                name.clone(),
                Input {
                    choices: cli_value(module, name, value),
                    origin: None,
                },
            );
        }
    }
    let mut read = Vec::new();
    for (display, path, bytes) in files {
        let mut file = VarsFile {
            name: display.clone(),
            path,
            text: String::new(),
            problem: None,
        };
        match bytes {
            Ok(bytes) => {
                let (text, problem) = crate::load::decode(&bytes);
                file.text = text;
                file.problem = problem;
            }
            Err(err) => {
                file.problem = Some(LoadProblem {
                    kind: ProblemKind::Unreadable,
                    span: Span::empty(0),
                    message: format!("cannot read variables file: {err}"),
                    related: None,
                });
            }
        }
        if file.problem.is_none() {
            match parse(&file.name, &file.text) {
                Ok(body) => {
                    let label = format!("value from {}", short(&file.name));
                    for attr in &body.attributes {
                        inputs.insert(
                            attr.name.clone(),
                            Input {
                                choices: literal(&attr.expr, &file.text),
                                origin: Some(Origin {
                                    file: file.name.clone(),
                                    span: attr.expr.span(),
                                    label: label.clone(),
                                }),
                            },
                        );
                    }
                }
                Err(problem) => file.problem = Some(problem),
            }
        }
        read.push(file);
    }
    for (name, value) in &options.vars {
        inputs.insert(
            name.clone(),
            Input {
                choices: cli_value(module, name, value),
                origin: None,
            },
        );
    }
    (inputs, read)
}

fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn parse(name: &str, text: &str) -> Result<Body, LoadProblem> {
    if name.ends_with(".json") {
        let loaded = crate::load::json::load(text);
        if let Some(problem) = loaded
            .problems
            .into_iter()
            .find(|p| p.kind != ProblemKind::DuplicateKey)
        {
            return Err(problem);
        }
        // A variables file in JSON is one object of values, taken literally.
        let mut body = Body::default();
        if let Some(map) = loaded.document.as_ref().and_then(|d| d.root.as_map()) {
            for entry in &map.entries {
                body.attributes.push(syntax::Attribute {
                    name: entry.key.clone(),
                    name_span: entry.key_span,
                    expr: syntax::json_expr(&entry.value, text),
                });
            }
        }
        return Ok(body);
    }
    syntax::parse_native(text).map_err(|(message, offset)| LoadProblem {
        kind: ProblemKind::Syntax,
        span: Span::empty(offset.min(text.len())),
        message,
        related: None,
    })
}

/// A value from `--var` or `TF_VAR_`: a string, unless the variable's type is a collection,
/// whose value is then read as an expression (as Terraform does).
fn cli_value(module: &Module, name: &str, value: &str) -> Choices {
    let complex = module.variable(name).is_some_and(|v| v.complex);
    if complex
        && let Ok(body) = syntax::parse_native(&format!("v = {value}\n"))
        && let Some(attr) = body.attribute("v")
    {
        return literal(&attr.expr, value);
    }
    one(string(value))
}

/// `NAME=VALUE` of `--var`.
pub fn parse_var(text: &str) -> Option<(String, String)> {
    let (name, value) = text.split_once('=')?;
    let name = name.trim();
    (!name.is_empty()).then(|| (name.to_owned(), value.to_owned()))
}

/// A value of a variables file or the command line, for tests.
pub fn value(choices: &Choices) -> Option<&Resolved> {
    choices.first().map(|c| &c.value)
}

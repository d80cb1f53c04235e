//! Compiles the built-in rule catalog from `rules/*.yaml`, and sets where the documentation site
//! is published (`SANDTRAP_DOCS_URL`, else the Pages address of Cargo.toml's `repository`).
//!
//! Every built-in rule file is read and checked here, once, instead of in every process: a file
//! that does not read as a rule (YAML, keys, code, name, severity, summary, a query that does not
//! parse, a broken placeholder, an empty `at`, a code or name used twice) is a build error at its
//! line and column. Each query becomes a plan (`src/rules/plan.rs`), each template its parts,
//! the documentation is escaped as printed text, and `$OUT_DIR/builtin_rules.rs` makes the
//! catalog from those values (`src/rules/builtin.rs`). What needs the library itself (the facts
//! schema, `match()` patterns) its tests check, by loading every file as a user's rule is loaded
//! and comparing the two.
//!
//! The rule file format, plans, templates and escaping are the library's own files, compiled in
//! here as modules, so that both read a rule file the same way.

#![allow(clippy::print_stdout)] // cargo reads a build script's instructions from its stdout
#![allow(clippy::print_stderr, clippy::exit)] // and shows what it prints on stderr on failure

#[path = "build/link_order.rs"]
mod link_order;
#[allow(dead_code)]
#[path = "src/rules/plan.rs"]
mod plan;
#[allow(dead_code)]
#[path = "src/printable.rs"]
mod printable;
#[allow(dead_code)]
#[path = "src/rules/raw.rs"]
mod raw;
#[allow(dead_code)]
#[path = "src/rules/template.rs"]
mod template;

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plan::{Lit, Op, Operand, Plan, Pred, Step};
use serde_saphyr::Spanned;
use template::{Part, Template};

/// The library's files this script compiles in: a change to one of them changes the catalog.
const SHARED: [&str; 4] = [
    "src/rules/plan.rs",
    "src/printable.rs",
    "src/rules/raw.rs",
    "src/rules/template.rs",
];

fn main() {
    if let Err(error) = run() {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=rules");
    for file in SHARED {
        println!("cargo::rerun-if-changed={file}");
    }
    // The JSON schema of the rule file format is derived in the library only (`raw.rs`; the
    // name is declared in Cargo.toml's `[lints]`).
    println!("cargo::rustc-cfg=sandtrap_schema");
    docs_url()?;

    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    link_order::configure(&root);
    let dir = root.join("rules");
    let mut files = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "yaml") && path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();

    let mut problems = Vec::new();
    let mut rules = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| format!("rule file name is not UTF-8: {}", path.display()))?;
        let text = std::fs::read_to_string(path)?;
        let mut file = RuleFile {
            name: format!("rules/{name}"),
            problems: &mut problems,
        };
        if let Some(rule) = file.compile(&text) {
            rules.push((name.to_owned(), path.clone(), rule));
        }
    }
    for (index, (_, _, rule)) in rules.iter().enumerate() {
        for (_, _, earlier) in &rules[..index] {
            if earlier.code.value == rule.code.value {
                problems.push(format!(
                    "{}: rule code `{}` is already used by {}",
                    at(&rule.file, &rule.code),
                    rule.code.value,
                    earlier.file
                ));
            }
            if earlier.name.value == rule.name.value {
                problems.push(format!(
                    "{}: rule name `{}` is already used by {}",
                    at(&rule.file, &rule.name),
                    rule.name.value,
                    earlier.file
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "{} problem(s) in the built-in rules:\n{}",
            problems.len(),
            problems.join("\n")
        )
        .into());
    }

    let mut out = String::from(
        "/// Every built-in rule, by file name (and so by code).\n\
         pub(super) fn rules() -> Vec<Rule> {\n    vec![\n",
    );
    for (_, _, rule) in &rules {
        out.push_str(&rule.rust);
    }
    out.push_str("    ]\n}\n\n");
    out.push_str(
        "/// (file name, text) of every built-in rule, sorted by file name.\n\
         #[cfg(test)]\n\
         pub(super) static FILES: &[(&str, &str)] = &[\n",
    );
    for (name, path, _) in &rules {
        let full = path
            .to_str()
            .ok_or_else(|| format!("rule path is not UTF-8: {}", path.display()))?;
        writeln!(out, "    ({name:?}, include_str!({full:?})),")?;
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR")?).join("builtin_rules.rs");
    write_if_changed(&target, &out)?;
    Ok(())
}

/// Leaves the file alone when it would not change, so that nothing is recompiled for it.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text)
}

/// `rules/ST101.yaml:12:5`: where a value was written.
fn at<T>(file: &str, spanned: &Spanned<T>) -> String {
    let location = &spanned.referenced;
    format!("{file}:{}:{}", location.line(), location.column())
}

/// A compiled rule: its identity (for the duplicate check) and the Rust that makes it.
struct Compiled {
    file: String,
    code: Spanned<String>,
    name: Spanned<String>,
    rust: String,
}

/// One rule file being compiled, and where its problems go.
struct RuleFile<'a> {
    name: String,
    problems: &'a mut Vec<String>,
}

impl RuleFile<'_> {
    fn problem<T>(&mut self, spanned: &Spanned<T>, message: impl std::fmt::Display) {
        self.problems
            .push(format!("{}: {message}", at(&self.name, spanned)));
    }

    fn compile(&mut self, text: &str) -> Option<Compiled> {
        let raw: raw::RawRule = match serde_saphyr::from_str(text) {
            Ok(raw) => raw,
            Err(error) => {
                self.problems.push(format!("{}: {error}", self.name));
                return None;
            }
        };
        let before = self.problems.len();
        let checks = [
            ("code", &raw.code, raw::code_problem(&raw.code.value)),
            ("name", &raw.name, raw::name_problem(&raw.name.value)),
            (
                "summary",
                &raw.summary,
                raw::summary_problem(&raw.summary.value),
            ),
        ];
        for (key, value, problem) in checks {
            if let Some(problem) = problem {
                self.problem(value, format!("invalid `{key}`: {problem}"));
            }
        }
        let severity = self.severity(&raw.severity);
        if raw
            .docs
            .as_deref()
            .is_none_or(|docs| docs.trim().is_empty())
        {
            self.problem(&raw.code, "a built-in rule needs `docs`");
        }
        let filter = raw.filter.as_ref().map(|text| self.filter(text));
        let cases: Vec<String> = raw.cases.value.iter().map(|case| self.case(case)).collect();
        if self.problems.len() > before {
            return None;
        }

        let mut rust = String::new();
        let summary = printable::escape(raw.summary.value.trim());
        let docs = printable::escape_lines(raw.docs.as_deref().unwrap_or_default());
        writeln!(rust, "        Rule {{").ok()?;
        writeln!(rust, "            code: {:?}.to_owned(),", raw.code.value).ok()?;
        writeln!(rust, "            name: {:?}.to_owned(),", raw.name.value).ok()?;
        writeln!(rust, "            severity: {severity},").ok()?;
        writeln!(rust, "            summary: {summary:?}.to_owned(),").ok()?;
        writeln!(rust, "            docs: {docs:?}.to_owned(),").ok()?;
        writeln!(rust, "            filter: {},", option(filter.flatten())).ok()?;
        writeln!(rust, "            cases: vec![").ok()?;
        for case in cases {
            rust.push_str(&case);
        }
        writeln!(rust, "            ],").ok()?;
        writeln!(rust, "            source: RuleSource::Builtin,").ok()?;
        writeln!(rust, "            origin: None,").ok()?;
        writeln!(rust, "        }},").ok()?;
        Some(Compiled {
            file: self.name.clone(),
            code: raw.code,
            name: raw.name,
            rust,
        })
    }

    fn severity(&mut self, raw: &Spanned<String>) -> &'static str {
        match raw.value.as_str() {
            "info" => "Severity::Info",
            "warning" => "Severity::Warning",
            "error" => "Severity::Error",
            other => {
                let message =
                    format!("invalid severity `{other}`: use one of info, warning, error");
                self.problem(raw, message);
                "Severity::Error"
            }
        }
    }

    fn query(
        &mut self,
        raw: &Spanned<String>,
        text: &str,
    ) -> Option<jsonpath_rust::parser::model::JpQuery> {
        match jsonpath_rust::parser::parse_json_path(text) {
            Ok(query) => Some(query),
            Err(error) => {
                self.problem(raw, format!("invalid JSONPath query `{text}`:\n{error}"));
                None
            }
        }
    }

    /// `where:` as a `RuleFilter` expression.
    fn filter(&mut self, raw: &Spanned<String>) -> Option<String> {
        let text = raw.value.trim();
        let query = self.query(raw, &format!("$[?{text}]"))?;
        let plan = Plan::filter(&query)
            .map(|(paths, pred)| format!("({}, {})", strings(&paths), pred_rust(&pred)));
        Some(format!(
            "RuleFilter {{ text: {text:?}.to_owned(), plan: {}, engine: Engine::default() }}",
            option(plan)
        ))
    }

    /// One case as a `Case` expression (empty when it has problems).
    fn case(&mut self, raw: &raw::RawCase) -> String {
        let query = self.query(&raw.query, &raw.query.value);
        let severity = raw.severity.as_ref().map(|s| self.severity(s).to_owned());
        let at = self.keys(&raw.at);
        let message = self.template(&raw.message);
        let optional = |file: &mut Self, raw: &Option<Spanned<String>>| {
            option(raw.as_ref().map(|raw| file.template(raw)))
        };
        let label = optional(self, &raw.label);
        let help = optional(self, &raw.help);
        let note = optional(self, &raw.note);
        let related: Vec<String> = raw
            .related
            .iter()
            .map(|related| {
                format!(
                    "RelatedSpec {{ at: {}, message: {} }}",
                    self.keys(&related.at),
                    self.template(&related.message)
                )
            })
            .collect();
        let Some(query) = query else {
            return String::new();
        };
        let plan = Plan::of(&query);
        // Without a plan the query is parsed when the catalog is made, for the engine.
        let local = match plan {
            Some(_) => "None".to_owned(),
            None => format!("engine_local({:?})", raw.query.value),
        };
        format!(
            "                Case {{\n                    query: {:?}.to_owned(),\n                    \
             engine: Engine::default(),\n                    plan: {},\n                    \
             local: {local},\n                    severity: {},\n                    at: {at},\n                    \
             message: {message},\n                    label: {label},\n                    \
             help: {help},\n                    note: {note},\n                    related: vec![{}],\n                }},\n",
            raw.query.value,
            option(plan.as_ref().map(plan_rust)),
            option(severity),
            related.join(", "),
        )
    }

    fn keys(&mut self, raw: &Spanned<raw::Keys>) -> String {
        let keys = &raw.value.0;
        if keys.is_empty() || keys.iter().any(|key| key.trim().is_empty()) {
            self.problem(raw, "invalid `at`: name at least one span key");
        }
        format!("strings(&{keys:?})")
    }

    fn template(&mut self, raw: &Spanned<String>) -> String {
        match Template::parse(&raw.value) {
            Ok(template) => template_rust(&template),
            Err(error) => {
                self.problem(raw, format!("broken placeholder: {}", error.message));
                String::new()
            }
        }
    }
}

fn option(value: Option<String>) -> String {
    match value {
        Some(value) => format!("Some({value})"),
        None => "None".to_owned(),
    }
}

fn strings(paths: &[Vec<String>]) -> String {
    let paths: Vec<String> = paths
        .iter()
        .map(|path| format!("strings(&{path:?})"))
        .collect();
    format!("vec![{}]", paths.join(", "))
}

fn template_rust(template: &Template) -> String {
    let parts: Vec<String> = template
        .parts()
        .iter()
        .map(|part| match part {
            Part::Text(text) => format!("Part::Text({text:?}.to_owned())"),
            Part::Field(path) => format!("Part::Field(strings(&{path:?}))"),
        })
        .collect();
    format!(
        "template({:?}, vec![{}])",
        template.as_str(),
        parts.join(", ")
    )
}

fn plan_rust(plan: &Plan) -> String {
    let rest: Vec<String> = plan
        .rest
        .iter()
        .map(|step| match step {
            Step::Name(name) => format!("Step::Name({name:?}.to_owned())"),
            Step::Wildcard => "Step::Wildcard".to_owned(),
        })
        .collect();
    format!(
        "Plan {{ collection: {:?}.to_owned(), paths: {}, pred: {}, rest: vec![{}], guard: {:?} }}",
        plan.collection,
        strings(&plan.paths),
        option(plan.pred.as_ref().map(pred_rust)),
        rest.join(", "),
        plan.guard
    )
}

fn pred_rust(pred: &Pred) -> String {
    let list = |items: &[Pred]| {
        let items: Vec<String> = items.iter().map(pred_rust).collect();
        format!("vec![{}]", items.join(", "))
    };
    match pred {
        Pred::All(items) => format!("Pred::All({})", list(items)),
        Pred::Any(items) => format!("Pred::Any({})", list(items)),
        Pred::Not(inner) => format!("Pred::Not(Box::new({}))", pred_rust(inner)),
        Pred::Exists(path) => format!("Pred::Exists({path})"),
        Pred::Cmp(op, left, right) => {
            let op = match op {
                Op::Eq => "Op::Eq",
                Op::Ne => "Op::Ne",
                Op::Lt => "Op::Lt",
                Op::Le => "Op::Le",
                Op::Gt => "Op::Gt",
                Op::Ge => "Op::Ge",
            };
            format!("Pred::Cmp({op}, {}, {})", operand(left), operand(right))
        }
    }
}

fn operand(operand: &Operand) -> String {
    match operand {
        Operand::Path(path) => format!("Operand::Path({path})"),
        Operand::Lit(Lit::Null) => "Operand::Lit(Lit::Null)".to_owned(),
        Operand::Lit(Lit::Bool(flag)) => format!("Operand::Lit(Lit::Bool({flag}))"),
        // Finite (the plan makes other numbers null): `{:?}` is a float literal.
        Operand::Lit(Lit::Num(n)) => format!("Operand::Lit(Lit::Num({n:?}))"),
        Operand::Lit(Lit::Str(text)) => format!("Operand::Lit(Lit::Str({text:?}.to_owned()))"),
    }
}

/// `SANDTRAP_DOCS_URL` at build time, else the GitHub Pages address of Cargo.toml's
/// `repository` (`https://github.com/OWNER/REPO` is published at `https://OWNER.github.io/REPO/`,
/// where `.github/workflows/pages.yml` puts the site): every diagnostic's `url` starts with it.
/// It must be an `https://` (or, for a local build of the site, `http://` or `file://`) URL
/// ending in `/`.
fn docs_url() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-env-changed=SANDTRAP_DOCS_URL");
    // `repository` comes from the manifest.
    println!("cargo::rerun-if-changed=Cargo.toml");
    let url = match std::env::var("SANDTRAP_DOCS_URL") {
        Ok(url) => url,
        Err(_) => pages_url(&std::env::var("CARGO_PKG_REPOSITORY")?)?,
    };
    let scheme_ok = ["https://", "http://", "file://"]
        .iter()
        .any(|s| url.starts_with(s));
    if !scheme_ok || !url.ends_with('/') {
        return Err(format!(
            "SANDTRAP_DOCS_URL must be an https:// URL ending in `/`, got `{url}`"
        )
        .into());
    }
    println!("cargo::rustc-env=SANDTRAP_DOCS_URL={url}");
    Ok(())
}

/// The GitHub Pages address of a GitHub repository's project site.
fn pages_url(repository: &str) -> Result<String, Box<dyn Error>> {
    let path = repository
        .strip_prefix("https://github.com/")
        .ok_or_else(|| {
            format!("Cargo.toml `repository` is not a GitHub address: `{repository}`")
        })?;
    match path.trim_end_matches('/').split('/').collect::<Vec<_>>()[..] {
        [owner, repo] if !owner.is_empty() && !repo.is_empty() => Ok(format!(
            "https://{}.github.io/{repo}/",
            owner.to_ascii_lowercase()
        )),
        _ => Err(format!("Cargo.toml `repository` is not OWNER/REPO: `{repository}`").into()),
    }
}

//! `cargo xtask new-rule CODE NAME`: the files of a new built-in rule, like clippy's `cargo dev
//! new_lint`.
//!
//! Writes `rules/CODE.yaml` (the five documentation headings and one case), four fixture stubs in
//! `testdata/rules/CODE/`, and adds the rule's row to the README table, its line to the
//! unreleased section of CHANGELOG.md and its entry to `rule_tests!` in `tests/it/rules.rs`.
//! Everything is checked before anything is written, so a refusal leaves the checkout as it was.
//! What still needs writing is marked [`TODO`]; a test of the catalog fails while a mark is left.

use std::fmt;
use std::path::{Path, PathBuf};

/// The mark left where the author has to write; `tests/it/rules.rs` refuses it in the catalog.
pub const TODO: &str = "TODO(new-rule)";

/// What to scaffold.
#[derive(Debug)]
pub struct Spec {
    pub code: String,
    pub name: String,
    pub severity: String,
    /// The one-line summary; a [`TODO`] when not given.
    pub summary: Option<String>,
    /// Sender properties to declare for it (`--property`).
    pub properties: Vec<crate::property::Property>,
}

impl Spec {
    fn summary(&self) -> String {
        self.summary
            .clone()
            .unwrap_or_else(|| format!("{TODO}: what the rule flags, in one line"))
    }
}

/// Why nothing was written.
#[derive(Debug)]
pub enum Error {
    BadCode(String),
    BadName(String),
    BadSeverity(String),
    BadSummary(String),
    CodeTaken {
        code: String,
        by: PathBuf,
    },
    NameTaken {
        name: String,
        by: PathBuf,
    },
    /// A file the scaffolder edits lacks the place it edits (`what`).
    NoAnchor {
        file: PathBuf,
        what: &'static str,
    },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Property(crate::property::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadCode(code) => write!(
                f,
                "`{code}` is not a built-in rule code: expected ST and three digits, ST0xx for \
                 the framework, ST1xx for delivery, ST2xx for misconfiguration"
            ),
            Error::BadName(name) => write!(
                f,
                "`{name}` is not a rule name: expected kebab-case (lower-case words joined by \
                 `-`, such as `ses-sandbox-recipients`)"
            ),
            Error::BadSeverity(severity) => write!(
                f,
                "`{severity}` is not a severity: expected info, warning or error"
            ),
            Error::BadSummary(why) => write!(f, "the summary {why}"),
            Error::CodeTaken { code, by } => {
                write!(
                    f,
                    "{code} is already used ({}); codes are never reused",
                    by.display()
                )
            }
            Error::NameTaken { name, by } => {
                write!(f, "the name `{name}` is already used by {}", by.display())
            }
            Error::NoAnchor { file, what } => {
                write!(f, "{} has no {what} to add the rule to", file.display())
            }
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Property(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for Error {}

const README: &str = "README.md";
const CHANGELOG: &str = "CHANGELOG.md";
const RULE_TESTS: &str = "tests/it/rules.rs";

/// Checks `spec` against the checkout at `root`, then writes the rule's files; the paths written,
/// relative to `root`.
pub fn write(root: &Path, spec: &Spec) -> Result<Vec<PathBuf>, Error> {
    check(spec)?;
    let rule_file = PathBuf::from(format!("rules/{}.yaml", spec.code));
    let fixtures = PathBuf::from(format!("testdata/rules/{}", spec.code));
    for taken in [&rule_file, &fixtures] {
        if root.join(taken).exists() {
            return Err(Error::CodeTaken {
                code: spec.code.clone(),
                by: taken.clone(),
            });
        }
    }
    check_other_rules(root, spec)?;

    let edits = [
        (README, readme_row(&read(root, README)?, spec)?),
        (CHANGELOG, changelog_line(&read(root, CHANGELOG)?, spec)?),
        (RULE_TESTS, test_entry(&read(root, RULE_TESTS)?, spec)?),
    ];
    let properties = crate::property::edit(root, &spec.properties).map_err(Error::Property)?;
    let mut files: Vec<(PathBuf, String)> = vec![(rule_file, rule_yaml(spec))];
    for (name, text) in fixture_stubs(spec) {
        files.push((fixtures.join(name), text));
    }
    files.extend(edits.map(|(path, text)| (PathBuf::from(path), text)));
    files.extend(properties.map(|text| (PathBuf::from(crate::property::PROPERTIES), text)));

    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    let dir = root.join(&fixtures);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    for (path, text) in &files {
        let full = root.join(path);
        std::fs::write(&full, text).map_err(io(&full))?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// What was written and what to do next.
pub fn report(spec: &Spec, written: &[PathBuf]) -> String {
    let mut out = format!("{} `{}`:\n", spec.code, spec.name);
    for path in written {
        out.push_str(&format!("  {}\n", path.display()));
    }
    for property in &spec.properties {
        out.push_str(&format!(
            "Declared `{}`: give it its facts field (src/join/facts.rs), its verdict \
             (src/join/sender.rs, from `fields[Property::{}]`) and, when a rule points at it, \
             its span (`SenderSpans`), then refresh the references with \
             `SANDTRAP_UPDATE_DOCS=1 cargo test --lib reference`.\n",
            property.variant(),
            property.variant()
        ));
    }
    out.push_str(&format!(
        "Next: replace every {TODO} (CONTRIBUTING.md, \"Adding a rule\"), then `cargo xtask \
         check-rule {}` and review the new snapshots in testdata/rules/snapshots/.\n",
        spec.code
    ));
    out
}

fn read(root: &Path, path: &str) -> Result<String, Error> {
    let full = root.join(path);
    std::fs::read_to_string(&full).map_err(|source| Error::Io { path: full, source })
}

/// The shape of the code, name, severity and summary.
fn check(spec: &Spec) -> Result<(), Error> {
    let code = spec.code.as_bytes();
    let code_ok = code.len() == 5
        && code.starts_with(b"ST")
        && matches!(code[2], b'0'..=b'2')
        && code[3..].iter().all(u8::is_ascii_digit);
    if !code_ok {
        return Err(Error::BadCode(spec.code.clone()));
    }
    let name_ok = !spec.name.is_empty()
        && spec.name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && spec.name.starts_with(|c: char| c.is_ascii_lowercase());
    if !name_ok {
        return Err(Error::BadName(spec.name.clone()));
    }
    if !matches!(spec.severity.as_str(), "info" | "warning" | "error") {
        return Err(Error::BadSeverity(spec.severity.clone()));
    }
    if let Some(summary) = &spec.summary {
        if summary.trim().is_empty() {
            return Err(Error::BadSummary("is empty".to_owned()));
        }
        if summary.contains(['\n', '\r']) {
            return Err(Error::BadSummary("must be one line".to_owned()));
        }
        if summary.contains('|') {
            return Err(Error::BadSummary(
                "cannot hold `|` (it would split the README's table row)".to_owned(),
            ));
        }
    }
    Ok(())
}

/// No rule file already has the code or the name (read from the `code:`/`name:` lines, which is
/// all rule files carry at the top level).
fn check_other_rules(root: &Path, spec: &Spec) -> Result<(), Error> {
    let dir = root.join("rules");
    let entries = std::fs::read_dir(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let by = path.strip_prefix(root).unwrap_or(&path).to_owned();
        for line in text.lines() {
            let value = |key: &str| {
                line.strip_prefix(key)
                    .map(|v| v.trim().trim_matches(['"', '\'']).to_owned())
            };
            if value("code:").is_some_and(|c| c == spec.code) {
                return Err(Error::CodeTaken {
                    code: spec.code.clone(),
                    by,
                });
            }
            if value("name:").is_some_and(|n| n == spec.name) {
                return Err(Error::NameTaken {
                    name: spec.name.clone(),
                    by,
                });
            }
        }
    }
    Ok(())
}

/// A YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The README with the rule's row in the rule table, in code order.
fn readme_row(readme: &str, spec: &Spec) -> Result<String, Error> {
    let row = format!(
        "| {} | {} | {} | {} |\n",
        spec.code,
        spec.name,
        spec.severity,
        spec.summary()
    );
    let code_of = |line: &str| line.split('|').nth(1).map(|c| c.trim().to_owned());
    let mut last_row_end = None;
    let mut offset = 0;
    for line in readme.split_inclusive('\n') {
        if line.starts_with("| ST") {
            match code_of(line) {
                Some(code) if code == spec.code => {
                    return Err(Error::CodeTaken {
                        code: spec.code.clone(),
                        by: PathBuf::from(README),
                    });
                }
                Some(code) if code > spec.code => {
                    return Ok(format!("{}{row}{}", &readme[..offset], &readme[offset..]));
                }
                _ => last_row_end = Some(offset + line.len()),
            }
        }
        offset += line.len();
    }
    let at = last_row_end.ok_or(Error::NoAnchor {
        file: PathBuf::from(README),
        what: "rule table (rows starting `| ST`)",
    })?;
    Ok(format!("{}{row}{}", &readme[..at], &readme[at..]))
}

/// The changelog with the rule's line at the end of `### Added` under `## [Unreleased]` (the
/// heading is created when the section has none).
fn changelog_line(changelog: &str, spec: &Spec) -> Result<String, Error> {
    let entry = format!("- {} `{}`: {}.\n", spec.code, spec.name, spec.summary());
    let lines: Vec<&str> = changelog.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "## [Unreleased]")
        .ok_or(Error::NoAnchor {
            file: PathBuf::from(CHANGELOG),
            what: "`## [Unreleased]` section",
        })?;
    let heading_at = |from: usize, to: usize, prefix: &str| {
        lines[from..to]
            .iter()
            .position(|l| l.starts_with(prefix))
            .map(|i| from + i)
    };
    let end = heading_at(start + 1, lines.len(), "## ").unwrap_or(lines.len());
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    match lines[start + 1..end]
        .iter()
        .position(|l| l.trim_end() == "### Added")
    {
        Some(i) => {
            let added = start + 1 + i;
            // The end of the list: before the blank lines that precede the next heading.
            let mut at = heading_at(added + 1, end, "### ").unwrap_or(end);
            while at > added + 1 && lines[at - 1].trim().is_empty() {
                at -= 1;
            }
            if let Some(previous) = out.get_mut(at - 1)
                && !previous.ends_with('\n')
            {
                previous.push('\n');
            }
            out.insert(at, entry);
        }
        None => out.insert(start + 1, format!("\n### Added\n\n{entry}")),
    }
    Ok(out.concat())
}

/// `tests/it/rules.rs` with the rule's entry in `rule_tests!`, in code order.
fn test_entry(tests: &str, spec: &Spec) -> Result<String, Error> {
    let no_anchor = || Error::NoAnchor {
        file: PathBuf::from(RULE_TESTS),
        what: "`rule_tests! { ... }` list",
    };
    let open = "\nrule_tests! {\n";
    let start = tests.find(open).ok_or_else(no_anchor)? + open.len();
    let end = start + tests[start..].find("\n}\n").ok_or_else(no_anchor)? + 1;
    let name = spec.code.to_ascii_lowercase();
    let mut entries: Vec<&str> = tests[start..end].lines().collect();
    if entries
        .iter()
        .any(|l| l.trim().trim_end_matches(',') == name)
    {
        return Err(Error::CodeTaken {
            code: spec.code.clone(),
            by: PathBuf::from(RULE_TESTS),
        });
    }
    let line = format!("    {name},");
    entries.push(&line);
    entries.sort_unstable();
    let list: String = entries.iter().map(|l| format!("{l}\n")).collect();
    Ok(format!("{}{list}{}", &tests[..start], &tests[end..]))
}

/// The template the documentation's example and the `fail-` stubs start from: a pool that mails
/// through SES, in us-east-1, where SES is declared out of the sandbox.
const SENDER: &str = "\
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties:
      EmailConfiguration:
        EmailSendingAccount: DEVELOPER
        SourceArn: !Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com
        From: noreply@example.com
";

/// The alternative: the same pool on Cognito's own mailer.
const DEFAULT_MAILER: &str = "\
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties:
      EmailConfiguration:
        EmailSendingAccount: COGNITO_DEFAULT
";

/// The arguments of the examples and fixtures: the region and its SES state.
const ARGS: &str = "--region us-east-1 --ses-production us-east-1";

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

/// `rules/CODE.yaml`: the five headings, one case. No `note:` (the framework adds the note).
fn rule_yaml(spec: &Spec) -> String {
    let example = indent(SENDER, "  ");
    let fix = indent(DEFAULT_MAILER, "  ");
    format!(
        "code: {code}
name: {name}
severity: {severity}
summary: {summary}
docs: |
  ## What it does
  {TODO}: what the rule flags, in one or two sentences.

  ## Why is this bad?
  {TODO}: what breaks, and when (at deploy, or later when Cognito
  sends), and the AWS fact behind it (docs/domain.md).

  ## Example
  {TODO}: a template the rule flags. Its first line gives the `sandtrap check`
  arguments the test runs the block with.
  ```yaml
  # $ sandtrap check {ARGS} template.yaml
{example}  ```

  ## Use instead
  {TODO}: one or more templates it does not flag.
  ```yaml
  # $ sandtrap check {ARGS} template.yaml
{fix}  ```

  ## References
  - {TODO}: [the AWS documentation page of the fact](https://docs.aws.amazon.com/)
cases:
  # {TODO}: the query over the facts document (`sandtrap facts`,
  # docs/facts.md) that selects what the rule reports; `at` names the spans
  # to point at, the first one found wins.
  - query: \"$.senders[?@.sending_account == 'DEVELOPER']\"
    at: [source_arn, resource]
    message: \"{TODO}: user pool `{{resource}}` ...\"
    label: \"{TODO}: the text under the caret\"
    help: \"{TODO}: the exact thing to do\"
",
        code = spec.code,
        name = spec.name,
        severity = spec.severity,
        summary = quoted(&spec.summary()),
    )
}

/// `fail-` and `pass-` stubs in YAML and CDK-style JSON, with `.args` sidecars.
fn fixture_stubs(spec: &Spec) -> Vec<(String, String)> {
    let code = &spec.code;
    let yaml = |what: &str, body: &str| {
        format!(
            "# {TODO}: a template {code} {what}; name the file after what it shows.\n\
             AWSTemplateFormatVersion: \"2010-09-09\"\n{body}"
        )
    };
    let json = |what: &str, account: &str, extra: &str| {
        format!(
            r#"{{
  "Description": "{TODO}: a CDK-style template {code} {what}; name the file after what it shows.",
  "Resources": {{
    "UserPool6BA7E5F2": {{
      "Type": "AWS::Cognito::UserPool",
      "Properties": {{
        "EmailConfiguration": {{
          "EmailSendingAccount": "{account}"{extra}
        }}
      }},
      "Metadata": {{"aws:cdk:path": "Stack/UserPool/Resource"}}
    }}
  }}
}}
"#
        )
    };
    let source_arn = r#",
          "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
          "From": "noreply@example.com""#;
    let mut stubs = vec![
        ("fail-example.yaml".to_owned(), yaml("flags", SENDER)),
        (
            "fail-example.json".to_owned(),
            json("flags", "DEVELOPER", source_arn),
        ),
        (
            "pass-example.yaml".to_owned(),
            yaml("does not flag", DEFAULT_MAILER),
        ),
        (
            "pass-example.json".to_owned(),
            json("does not flag", "COGNITO_DEFAULT", ""),
        ),
    ];
    let sidecars: Vec<(String, String)> = stubs
        .iter()
        .map(|(name, _)| (format!("{name}.args"), format!("{ARGS}\n")))
        .collect();
    stubs.extend(sidecars);
    stubs.sort();
    stubs
}

#[cfg(test)]
mod tests;

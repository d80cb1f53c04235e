//! Parameter values from the command line: `--param KEY=VALUE` and `--param-file FILE`.
//!
//! A parameter file is one of the formats deploy tooling already keeps next to templates:
//!
//! - the CloudFormation CLI list, `[{"ParameterKey": "K", "ParameterValue": "V"}, ...]`
//!   (<https://docs.aws.amazon.com/cli/latest/reference/cloudformation/create-stack.html>);
//!   entries with `UsePreviousValue: true` carry no value and are skipped; a list of `"K=V"`
//!   strings (what `aws cloudformation deploy --parameter-overrides file://...` also takes) is
//!   accepted too;
//! - the CodePipeline template configuration, `{"Parameters": {"K": "V"}, "Tags": {...}}`
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-cfn-artifacts.html>);
//! - SAM's `samconfig.toml` / `samconfig.yaml`: `parameter_overrides` of the `default`
//!   environment, from the `deploy` command's parameters, else from `global`
//!   (<https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html>).
//!
//! `.toml` files are samconfig; `.yaml`/`.yml` files are samconfig; anything else is JSON.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Why a `--param` or `--param-file` could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ParamError {
    #[error("`--param {arg}` has no `=`: expected KEY=VALUE")]
    MissingEquals { arg: String },

    #[error("`--param {arg}` has an empty key: expected KEY=VALUE")]
    EmptyKey { arg: String },

    #[error("cannot read parameter file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("parameter file {} is not valid JSON", path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    /// The parser's message and location, never its rendering of the offending line: in a
    /// samconfig that line is `parameter_overrides`, where the secrets are.
    #[error("parameter file {}{at} is not valid TOML: {message}", path.display())]
    Toml {
        path: PathBuf,
        /// `:LINE:COLUMN`, when known.
        at: String,
        message: String,
    },

    #[error("parameter file {}{at} is not valid YAML: {message}", path.display())]
    Yaml {
        path: PathBuf,
        /// `:LINE:COLUMN`, when known.
        at: String,
        message: String,
    },

    #[error("parameter file {} is not a parameter file: found {found}", path.display())]
    #[diagnostic(help(
        "expected a CloudFormation CLI list [{{\"ParameterKey\": \"K\", \"ParameterValue\": \"V\"}}], \
             a CodePipeline template configuration {{\"Parameters\": {{\"K\": \"V\"}}}}, \
             or a samconfig.toml / samconfig.yaml"
    ))]
    Format { path: PathBuf, found: String },

    #[error("parameter file {}: {location}: {problem}", path.display())]
    Entry {
        path: PathBuf,
        /// Where in the file, e.g. `entry 3` or `default.deploy.parameters.parameter_overrides`.
        location: String,
        problem: String,
    },
}

/// Splits `KEY=VALUE` at the first `=`; the value may be empty and may contain `=`.
pub fn parse_param(arg: &str) -> Result<(String, String), ParamError> {
    let Some((key, value)) = arg.split_once('=') else {
        return Err(ParamError::MissingEquals { arg: arg.into() });
    };
    if key.is_empty() {
        return Err(ParamError::EmptyKey { arg: arg.into() });
    }
    Ok((key.into(), value.into()))
}

/// Every `--param KEY=VALUE` of a command line; a later value for the same key wins.
pub fn parse_params(args: &[String]) -> Result<BTreeMap<String, String>, ParamError> {
    args.iter().map(|arg| parse_param(arg)).collect()
}

/// Reads a parameter file in any of the formats in the module documentation. `project` is the
/// run's directory: a symbolic link is followed only into it or into the link's own directory ([`crate::input::read_settings`]).
pub fn load_param_file(
    path: &Path,
    project: &Path,
) -> Result<BTreeMap<String, String>, ParamError> {
    let text = crate::input::read_settings(path, project).map_err(|source| ParamError::Read {
        path: path.into(),
        source,
    })?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("toml") => {
            let value: toml::Value = toml::from_str(&text).map_err(|e| ParamError::Toml {
                path: path.into(),
                at: e
                    .span()
                    .map_or_else(String::new, |span| line_column(&text, span.start)),
                message: e.message().trim_end().to_owned(),
            })?;
            let value = serde_json::to_value(value)
                .map_err(|_| format_error(path, "TOML values that have no JSON form"))?;
            samconfig(path, &value)
        }
        Some("yaml" | "yml") => {
            let value: Option<Value> =
                serde_saphyr::from_str(&text).map_err(|e| ParamError::Yaml {
                    path: path.into(),
                    at: e.location().map_or_else(String::new, |loc| {
                        format!(":{}:{}", loc.line(), loc.column())
                    }),
                    message: crate::input::yaml_problem(&e),
                })?;
            samconfig(path, &value.unwrap_or(Value::Null))
        }
        _ => {
            let value: Value = serde_json::from_str(&text).map_err(|source| ParamError::Json {
                path: path.into(),
                source,
            })?;
            json_params(path, &value)
        }
    }
}

fn json_params(path: &Path, value: &Value) -> Result<BTreeMap<String, String>, ParamError> {
    let entry_error = |location: String, problem: &str| ParamError::Entry {
        path: path.into(),
        location,
        problem: problem.into(),
    };
    let mut params = BTreeMap::new();
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let location = format!("entry {}", i + 1);
                match item {
                    Value::String(pair) => {
                        let (k, v) = split_pair(pair)
                            .ok_or_else(|| entry_error(location, "expected \"KEY=VALUE\""))?;
                        params.insert(k, v);
                    }
                    Value::Object(entry) => {
                        let key = entry
                            .get("ParameterKey")
                            .and_then(Value::as_str)
                            .filter(|k| !k.is_empty())
                            .ok_or_else(|| {
                                entry_error(location.clone(), "no \"ParameterKey\" string")
                            })?;
                        if entry.get("UsePreviousValue") == Some(&Value::Bool(true)) {
                            continue;
                        }
                        let value = entry
                            .get("ParameterValue")
                            .and_then(scalar_text)
                            .ok_or_else(|| entry_error(location, "no \"ParameterValue\" string"))?;
                        params.insert(key.into(), value);
                    }
                    _ => {
                        return Err(entry_error(
                            location,
                            "expected {\"ParameterKey\": ..., \"ParameterValue\": ...}",
                        ));
                    }
                }
            }
        }
        Value::Object(object) => {
            let Some(parameters) = object.get("Parameters") else {
                return Err(format_error(path, "an object without \"Parameters\""));
            };
            let Value::Object(parameters) = parameters else {
                return Err(entry_error(
                    "Parameters".into(),
                    "expected an object of names to values",
                ));
            };
            for (key, value) in parameters {
                let value = scalar_text(value).ok_or_else(|| {
                    entry_error(format!("Parameters.{key}"), "expected a string value")
                })?;
                params.insert(key.clone(), value);
            }
        }
        other => return Err(format_error(path, kind(other))),
    }
    Ok(params)
}

fn samconfig(path: &Path, root: &Value) -> Result<BTreeMap<String, String>, ParamError> {
    if !root.is_object() {
        return Err(format_error(path, kind(root)));
    }
    let found = ["deploy", "global"].into_iter().find_map(|command| {
        let overrides = root
            .get("default")?
            .get(command)?
            .get("parameters")?
            .get("parameter_overrides")?;
        Some((command, overrides))
    });
    let Some((command, overrides)) = found else {
        return Ok(BTreeMap::new());
    };
    let location = format!("default.{command}.parameters.parameter_overrides");
    let entry_error = |problem: String| ParamError::Entry {
        path: path.into(),
        location: location.clone(),
        problem,
    };
    let tokens = match overrides {
        Value::String(text) => split_overrides(text).map_err(entry_error)?,
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| entry_error("expected a list of \"KEY=VALUE\" strings".into()))
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return Err(entry_error(
                "expected a string or a list of \"KEY=VALUE\" strings".into(),
            ));
        }
    };
    let mut params = BTreeMap::new();
    for (i, token) in tokens.iter().enumerate() {
        // The token is not quoted: it may be a secret with a typo in it.
        let (key, value) = override_pair(token)
            .ok_or_else(|| entry_error(format!("override {} is not KEY=VALUE", i + 1)))?;
        params.insert(key, value);
    }
    Ok(params)
}

/// SAM's `parameter_overrides` string: whitespace-separated tokens, double quotes group words,
/// a backslash escapes the next character.
fn split_overrides(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut in_token = false;
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.extend(chars.next());
                in_token = true;
            }
            '"' => {
                quoted = !quoted;
                in_token = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_token {
                    tokens.push(std::mem::take(&mut current));
                    in_token = false;
                }
            }
            c => {
                current.push(c);
                in_token = true;
            }
        }
    }
    if quoted {
        return Err("unbalanced double quote".into());
    }
    if in_token {
        tokens.push(current);
    }
    Ok(tokens)
}

/// `KEY=VALUE` or SAM's long form `ParameterKey=KEY,ParameterValue=VALUE`.
fn override_pair(token: &str) -> Option<(String, String)> {
    if let Some(rest) = token.strip_prefix("ParameterKey=") {
        let (key, value) = rest.split_once(",ParameterValue=")?;
        return (!key.is_empty()).then(|| (key.to_string(), value.to_string()));
    }
    split_pair(token)
}

/// `:LINE:COLUMN` of byte `offset` in `text` (both from 1, the column in characters).
fn line_column(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!(":{line}:{column}")
}

fn split_pair(pair: &str) -> Option<(String, String)> {
    let (key, value) = pair.split_once('=')?;
    (!key.is_empty()).then(|| (key.to_string(), value.to_string()))
}

/// CloudFormation takes every parameter value as a string; numbers and booleans written
/// without quotes mean their text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "an empty document",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn format_error(path: &Path, found: &str) -> ParamError {
    ParamError::Format {
        path: path.into(),
        found: found.into(),
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/params")
            .join(name)
    }

    fn load(name: &str) -> Vec<(String, String)> {
        load_param_file(&fixture(name), Path::new("."))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .into_iter()
            .collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn param_splits_at_the_first_equals() {
        assert_eq!(
            parse_param("Env=prod").unwrap(),
            ("Env".into(), "prod".into())
        );
        assert_eq!(
            parse_param("Expr=a=b").unwrap(),
            ("Expr".into(), "a=b".into())
        );
        assert_eq!(
            parse_param("Empty=").unwrap(),
            ("Empty".into(), String::new())
        );
        assert!(matches!(
            parse_param("Env"),
            Err(ParamError::MissingEquals { .. })
        ));
        assert!(matches!(
            parse_param("=prod"),
            Err(ParamError::EmptyKey { .. })
        ));
    }

    #[test]
    fn cloudformation_cli_list_skips_previous_values() {
        assert_eq!(
            load("cfn-cli.json"),
            pairs(&[
                ("Count", "3"),
                ("Empty", ""),
                ("Env", "prod"),
                (
                    "SesArn",
                    "arn:aws:ses:us-east-1:123456789012:identity/example.com"
                ),
            ])
        );
    }

    #[test]
    fn deploy_style_list_of_strings() {
        assert_eq!(
            load("cfn-deploy-strings.json"),
            pairs(&[("Env", "prod"), ("Expr", "a=b"), ("Spaced", "two words")])
        );
    }

    #[test]
    fn codepipeline_template_configuration() {
        assert_eq!(
            load("codepipeline.json"),
            pairs(&[("Env", "staging"), ("FromAddress", "no-reply@example.com")])
        );
    }

    #[test]
    fn samconfig_toml_default_deploy_overrides_with_quotes_and_long_form() {
        assert_eq!(
            load("samconfig.toml"),
            pairs(&[
                ("Env", "prod"),
                ("Escaped", "a b"),
                ("FromName", "Example Team"),
                (
                    "SesArn",
                    "arn:aws:ses:us-west-2:123456789012:identity/example.com"
                ),
            ])
        );
        assert_eq!(
            load("samconfig-list.toml"),
            pairs(&[("Env", "dev"), ("FromName", "Example Team")])
        );
        assert_eq!(load("samconfig-global.toml"), pairs(&[("Env", "global")]));
    }

    #[test]
    fn samconfig_yaml() {
        assert_eq!(
            load("samconfig.yaml"),
            pairs(&[("Env", "prod"), ("Region", "eu-west-1")])
        );
    }

    #[test]
    fn errors_name_the_file_and_what_was_expected() {
        let e = load_param_file(&fixture("not-params.json"), Path::new(".")).unwrap_err();
        assert!(matches!(e, ParamError::Format { .. }), "{e:?}");
        assert!(e.to_string().contains("not-params.json"));

        let e = load_param_file(&fixture("missing-value.json"), Path::new(".")).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "parameter file {}: entry 2: no \"ParameterValue\" string",
                fixture("missing-value.json").display()
            )
        );

        let e = load_param_file(&fixture("unbalanced.toml"), Path::new(".")).unwrap_err();
        assert!(
            e.to_string().ends_with(
                "default.deploy.parameters.parameter_overrides: unbalanced double quote"
            ),
            "{e}"
        );
        assert!(matches!(
            load_param_file(&fixture("broken.json"), Path::new(".")),
            Err(ParamError::Json { .. })
        ));
        assert!(matches!(
            load_param_file(&fixture("absent.json"), Path::new(".")),
            Err(ParamError::Read { .. })
        ));
    }

    #[test]
    fn override_tokenizer() {
        assert_eq!(
            split_overrides("  A=1\tB=\"x y\"  C=\\\"q\\\" ").unwrap(),
            ["A=1", "B=x y", "C=\"q\""]
        );
        assert_eq!(split_overrides("").unwrap(), Vec::<String>::new());
        assert_eq!(split_overrides("E=\"\"").unwrap(), ["E="]);
        assert_eq!(
            override_pair("ParameterKey=K,ParameterValue=a,b"),
            Some(("K".into(), "a,b".into()))
        );
        assert_eq!(override_pair("novalue"), None);
    }
}

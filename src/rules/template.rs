//! Message templates of rule cases: `{dotted.path}` placeholders filled from a matched fact.

use std::fmt;

use serde_json::Value;

/// What a placeholder renders as when its value is missing or `null`.
pub const UNKNOWN: &str = "<unknown>";

/// A parsed message template: literal text and `{a.b.0}` placeholders.
///
/// `{{` and `}}` stand for literal braces. A placeholder is a non-empty dotted path whose segments
/// are ASCII letters, digits, `_` or `-`; a numeric segment indexes an array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Field(Vec<String>),
}

/// A template whose placeholder syntax is broken, with the byte range of the culprit in the
/// template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Template {
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().is_some_and(|&(_, next)| next == '{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().is_some_and(|&(_, next)| next == '}') => {
                    chars.next();
                    text.push('}');
                }
                '}' => {
                    return Err(TemplateError {
                        message: "unmatched `}`; write `}}` for a literal brace".to_owned(),
                        start: at,
                        end: at + 1,
                    });
                }
                '{' => {
                    let body_start = at + 1;
                    let close = source
                        .get(body_start..)
                        .and_then(|rest| rest.find(['}', '{']))
                        .map(|offset| body_start + offset)
                        .filter(|&end| source.as_bytes().get(end) == Some(&b'}'));
                    let Some(close) = close else {
                        return Err(TemplateError {
                            message: "unclosed `{`; write `{{` for a literal brace".to_owned(),
                            start: at,
                            end: at + 1,
                        });
                    };
                    let body = source.get(body_start..close).unwrap_or_default();
                    let path = parse_path(body).map_err(|message| TemplateError {
                        message,
                        start: at,
                        end: close + 1,
                    })?;
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Field(path));
                    while chars.peek().is_some_and(|&(next_at, _)| next_at <= close) {
                        chars.next();
                    }
                }
                other => text.push(other),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self {
            source: source.to_owned(),
            parts,
        })
    }

    /// A template already parsed (the built-in rules', parsed when sandtrap was built).
    pub fn from_parts(source: String, parts: Vec<Part>) -> Self {
        Self { source, parts }
    }

    /// Literal text and placeholders, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The template as written in the rule file.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The placeholders, as dotted paths, in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = String> + '_ {
        self.parts.iter().filter_map(|part| match part {
            Part::Field(path) => Some(path.join(".")),
            Part::Text(_) => None,
        })
    }

    /// Fills the placeholders from `object`.
    pub fn render(&self, object: &Value) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Field(path) => render_value(lookup(object, path), &mut out),
            }
        }
        out
    }

    /// Like [`Template::render`], but `None` when the template has placeholders and every one of
    /// them is missing or `null`: an optional line such as `note: "{cdk_path}"` is then left out
    /// instead of reading `<unknown>`.
    pub fn render_optional(&self, object: &Value) -> Option<String> {
        let mut fields = self.parts.iter().filter_map(|part| match part {
            Part::Field(path) => Some(path),
            Part::Text(_) => None,
        });
        let has_fields = fields.clone().next().is_some();
        if has_fields && fields.all(|path| lookup(object, path).is_none_or(Value::is_null)) {
            return None;
        }
        Some(self.render(object))
    }
}

fn parse_path(body: &str) -> Result<Vec<String>, String> {
    if body.trim().is_empty() {
        return Err("empty placeholder `{}`; write `{{}}` for literal braces".to_owned());
    }
    body.split('.')
        .map(|segment| {
            let valid = !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if valid {
                Ok(segment.to_owned())
            } else {
                Err(format!(
                    "invalid placeholder `{{{body}}}`: a placeholder is a dotted path of \
                     letters, digits, `_` and `-`"
                ))
            }
        })
        .collect()
}

fn lookup<'a>(object: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(object, |value, segment| match value {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment
            .parse::<usize>()
            .ok()
            .and_then(|index| items.get(index)),
        _ => None,
    })
}

fn render_value(value: Option<&Value>, out: &mut String) {
    match value {
        None | Some(Value::Null) => out.push_str(UNKNOWN),
        Some(Value::String(text)) => out.push_str(text),
        Some(Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                match item {
                    Value::Array(_) | Value::Object(_) => out.push_str(&item.to_string()),
                    scalar => render_value(Some(scalar), out),
                }
            }
        }
        Some(other) => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn render(template: &str, object: &Value) -> String {
        Template::parse(template).unwrap().render(object)
    }

    #[test]
    fn fills_nested_paths_and_array_indexes() {
        let object = json!({
            "resource": "Users",
            "ses": {"region": "us-west-2", "regions": ["us-east-1", "eu-west-1"]},
        });
        assert_eq!(
            render(
                "pool `{resource}` uses SES in {ses.region} (not {ses.regions.1})",
                &object
            ),
            "pool `Users` uses SES in us-west-2 (not eu-west-1)"
        );
    }

    #[test]
    fn renders_scalars_as_json_and_arrays_joined() {
        let object = json!({
            "n": 50, "f": 1.5, "ok": true,
            "list": ["a", 2, false, null, {"k": 1}],
        });
        assert_eq!(
            render("{n} {f} {ok} [{list}]", &object),
            "50 1.5 true [a, 2, false, <unknown>, {\"k\":1}]"
        );
    }

    #[test]
    fn marks_missing_and_null_values() {
        let object = json!({"a": null, "b": {"c": 1}});
        assert_eq!(
            render("{a} {b.x} {b.c.d} {zzz} {b.0}", &object),
            "<unknown> <unknown> <unknown> <unknown> <unknown>"
        );
    }

    #[test]
    fn doubled_braces_are_literal() {
        let object = json!({"a": "x"});
        assert_eq!(render("{{a}} {{{a}}} }}{{", &object), "{a} {x} }{");
    }

    #[test]
    fn broken_placeholders_are_errors_with_their_range() {
        let cases = [
            ("text {a.b", 5, 6, "unclosed"),
            ("text } more", 5, 6, "unmatched"),
            ("x {} y", 2, 4, "empty"),
            ("x {a..b} y", 2, 8, "invalid placeholder"),
            ("x {a b} y", 2, 7, "invalid placeholder"),
            ("x {a{b}} y", 2, 3, "unclosed"),
        ];
        for (source, start, end, needle) in cases {
            let error = Template::parse(source).unwrap_err();
            assert!(
                error.message.contains(needle),
                "{source}: {}",
                error.message
            );
            assert_eq!((error.start, error.end), (start, end), "{source}");
        }
    }

    #[test]
    fn optional_rendering_drops_lines_whose_values_are_all_unknown() {
        let object = json!({"cdk_path": null, "resource": "Users"});
        let note = Template::parse("CDK path: {cdk_path}").unwrap();
        assert_eq!(note.render_optional(&object), None);
        let mixed = Template::parse("{resource} at {cdk_path}").unwrap();
        assert_eq!(
            mixed.render_optional(&object).as_deref(),
            Some("Users at <unknown>")
        );
        let constant = Template::parse("always").unwrap();
        assert_eq!(constant.render_optional(&object).as_deref(), Some("always"));
    }

    #[test]
    fn multibyte_text_survives() {
        let object = json!({"a": "é"});
        assert_eq!(render("ü {a} ß", &object), "ü é ß");
    }
}

//! `cargo xtask new-rule ... --property NAME=Path.In.CloudFormation`: a new sender property's
//! entry in the `properties!` list of `src/extract/property.rs`, the one declaration the
//! extractor, the resolver, `unresolved` and the join read.
//!
//! The CloudFormation path is given; the Terraform path is a guess from it (snake case, a block
//! per level) and the example is left to write, both marked [`TODO`] so that the catalog's test
//! fails until someone has checked them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::new_rule::TODO;

/// Where the list of properties is.
pub const PROPERTIES: &str = "src/extract/property.rs";

/// The opening of the list in that file.
const LIST: &str = "\nproperties! {\n";

/// A property to declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// `reply_to`.
    pub name: String,
    /// `["EmailConfiguration", "ReplyToEmailAddress"]`.
    pub path: Vec<String>,
}

/// Why the property cannot be declared.
#[derive(Debug)]
pub enum Error {
    Syntax(String),
    Taken(String),
    NoList(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax(text) => write!(
                f,
                "`--property {text}`: expected NAME=Path.In.CloudFormation, NAME in snake case \
                 (`reply_to=EmailConfiguration.ReplyToEmailAddress`)"
            ),
            Error::Taken(variant) => write!(f, "the property `{variant}` is already declared"),
            Error::NoList(file) => write!(f, "{} has no `properties!` list", file.display()),
            Error::Io(path, source) => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

impl Property {
    /// `NAME=Path.In.CloudFormation`.
    pub fn parse(text: &str) -> Result<Property, Error> {
        let syntax = || Error::Syntax(text.to_owned());
        let (name, path) = text.split_once('=').ok_or_else(syntax)?;
        let snake = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let path: Vec<String> = path.split('.').map(str::to_owned).collect();
        let keys = path
            .iter()
            .all(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()));
        match snake && keys {
            true => Ok(Property {
                name: name.to_owned(),
                path,
            }),
            false => Err(syntax()),
        }
    }

    /// `ReplyTo`.
    pub fn variant(&self) -> String {
        self.name
            .split('_')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The entry of the `properties!` list.
    fn entry(&self) -> String {
        let email = self.path.first().is_some_and(|k| k == "EmailConfiguration");
        let keys = if email {
            &self.path[1..]
        } else {
            &self.path[..]
        };
        let quote = |keys: &[String]| {
            keys.iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // A Terraform argument is the snake-case name, and every level above it a block.
        let mut terraform = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            terraform.push(snake(key));
            if i + 1 < keys.len() {
                terraform.push("0".to_owned());
            }
        }
        let base = match email {
            true => "        base: Base::Email,\n",
            false => "",
        };
        format!(
            "    {variant} as {snake} {{\n{base}        cloudformation: Path::At(&[{cfn}]),\n        \
             // {TODO}: check the Terraform argument against the provider's docs\n        \
             terraform: Path::At(&[{tf}]),\n        \
             // {TODO}: a value (JSON) whose presence changes the facts of a pool\n        \
             example: r#\"{TODO}\"#,\n    }}\n",
            variant = self.variant(),
            snake = self.name,
            cfn = quote(keys),
            tf = quote(&terraform),
        )
    }
}

/// `ReplyToEmailAddress` as `reply_to_email_address`.
fn snake(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of the properties file with `property` declared at the end of the list.
pub fn declared(text: &str, property: &Property) -> Result<String, Error> {
    let variant = property.variant();
    if text.contains(&format!("\n    {variant} as ")) {
        return Err(Error::Taken(variant));
    }
    let start = text
        .find(LIST)
        .ok_or_else(|| Error::NoList(PathBuf::from(PROPERTIES)))?;
    // The list ends at the first line that is only `}` after it.
    let end = text[start..]
        .find("\n}\n")
        .map(|at| start + at + 1)
        .ok_or_else(|| Error::NoList(PathBuf::from(PROPERTIES)))?;
    Ok(format!(
        "{}{}{}",
        &text[..end],
        property.entry(),
        &text[end..]
    ))
}

/// Reads the properties file of `root` and the new text with `properties` declared.
pub fn edit(root: &Path, properties: &[Property]) -> Result<Option<String>, Error> {
    if properties.is_empty() {
        return Ok(None);
    }
    let path = root.join(PROPERTIES);
    let mut text = std::fs::read_to_string(&path).map_err(|e| Error::Io(path.clone(), e))?;
    for property in properties {
        text = declared(&text, property)?;
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_are_checked() {
        let p = Property::parse("reply_to=EmailConfiguration.ReplyToEmailAddress").unwrap();
        assert_eq!(p.variant(), "ReplyTo");
        assert_eq!(p.path, ["EmailConfiguration", "ReplyToEmailAddress"]);
        for bad in [
            "ReplyTo=EmailConfiguration.ReplyToEmailAddress",
            "reply_to",
            "reply_to=",
            "reply_to=EmailConfiguration..X",
            "reply-to=X",
        ] {
            assert!(Property::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_entry_guesses_terraform_and_marks_what_to_check() {
        let p = Property::parse("reply_to=EmailConfiguration.ReplyToEmailAddress").unwrap();
        let entry = p.entry();
        assert!(entry.contains("base: Base::Email"), "{entry}");
        assert!(
            entry.contains("Path::At(&[\"ReplyToEmailAddress\"])"),
            "{entry}"
        );
        assert!(
            entry.contains("Path::At(&[\"reply_to_email_address\"])"),
            "{entry}"
        );
        assert_eq!(entry.matches(TODO).count(), 3, "{entry}");
        let p = Property::parse("device=DeviceConfiguration.ChallengeRequiredOnNewDevice").unwrap();
        assert!(
            p.entry().contains(
                "Path::At(&[\"device_configuration\", \"0\", \"challenge_required_on_new_device\"])"
            ),
            "{}",
            p.entry()
        );
    }
}

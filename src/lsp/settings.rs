//! Editor settings (`initializationOptions`, `workspace/didChangeConfiguration`) and how they
//! become a run's [`CheckOptions`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::check::CheckOptions;

/// Files and folders a walk of the workspace reads at most, unless `walkLimit` says otherwise:
/// far more than a repository of templates holds once `.gitignore` is honoured, far less than
/// `/` or a home directory.
pub const DEFAULT_WALK_LIMIT: usize = 100_000;

/// Why the settings a client sent cannot be used; shown to the user, the previous settings stay.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SettingsError {
    /// A known key with a value of the wrong shape (`sesSandbox: "us-east-1"` for a list).
    #[error("invalid sandtrap settings: {0}")]
    Invalid(#[from] serde_json::Error),
}

/// The settings a client may send, under a `sandtrap` key or flat. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub region: Option<String>,
    pub account: Option<String>,
    /// Template parameter values; numbers and booleans are taken as their text.
    pub params: BTreeMap<String, serde_json::Value>,
    /// `[ACCOUNT:]REGION` entries.
    #[serde(alias = "ses-sandbox", alias = "ses_sandbox")]
    pub ses_sandbox: Vec<String>,
    #[serde(alias = "ses-production", alias = "ses_production")]
    pub ses_production: Vec<String>,
    /// A configuration file used instead of finding `.sandtrap.yaml` upward; relative paths are
    /// taken from the first workspace folder.
    pub config: Option<String>,
    /// Files and folders a walk of the workspace reads at most ([`DEFAULT_WALK_LIMIT`]): a
    /// workspace folder of `/` or a home directory is never read to its end.
    pub walk_limit: Option<usize>,
    /// Who reports changes on disk; read at start (`initializationOptions`) only.
    pub file_watcher: FileWatcher,
    /// Keys this version does not know, reported to the user rather than refused: a client may
    /// send its whole settings section.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// Who tells the server about changes on disk made outside the editor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileWatcher {
    /// The client's watcher when it offers one, else the server's own.
    #[default]
    Auto,
    /// The server's own watcher, even when the client offers one.
    Server,
    /// No watcher: every run walks the workspace and looks at every file (network file
    /// systems, where change events do not arrive).
    Off,
}

impl Settings {
    /// Reads `{"sandtrap": {...}}` or the flat object; `null` means the defaults.
    pub fn parse(value: &serde_json::Value) -> Result<Settings, SettingsError> {
        let value = value.get("sandtrap").unwrap_or(value);
        if value.is_null() {
            return Ok(Settings::default());
        }
        Ok(Settings::deserialize(value)?)
    }

    /// The options of a run over `roots` (the first is the working directory) with these
    /// settings and the given open buffers.
    pub fn options(
        &self,
        roots: &[PathBuf],
        overrides: BTreeMap<PathBuf, String>,
        env_region: Option<String>,
    ) -> CheckOptions {
        let cwd = roots.first().cloned().unwrap_or_default();
        let mut paths: Vec<PathBuf> = Vec::new();
        for root in roots {
            paths.push(root.clone());
            // A walk skips a cloud assembly that `.gitignore` lists (it usually does); the
            // editor wants it joined with the templates, so it is named explicitly.
            let assembly = root.join("cdk.out");
            if assembly.join("manifest.json").is_file() {
                paths.push(assembly);
            }
        }
        if roots.is_empty() {
            // No workspace: the open buffers are the run.
            paths.extend(overrides.keys().filter(|p| p.is_file()).cloned());
        }
        CheckOptions {
            paths,
            cwd: cwd.clone(),
            region: self.region.clone().filter(|r| !r.is_empty()),
            account: self.account.clone().filter(|a| !a.is_empty()),
            env_region,
            params: self
                .params
                .iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect(),
            ses_sandbox: self.ses_sandbox.clone(),
            ses_production: self.ses_production.clone(),
            config: self.config.as_deref().map(|c| absolute(&cwd, c)),
            overrides,
            max_walk_entries: Some(self.walk_limit.unwrap_or(DEFAULT_WALK_LIMIT)),
            ..CheckOptions::default()
        }
    }
}

fn absolute(base: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_owned()
    } else {
        base.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_and_flat_forms_read_the_same() {
        let nested = Settings::parse(&json!({"sandtrap": {"region": "us-west-2",
            "sesSandbox": ["us-west-2"], "params": {"Env": "prod", "Count": 3}}}))
        .unwrap();
        let flat = Settings::parse(&json!({"region": "us-west-2", "ses-sandbox": ["us-west-2"],
            "params": {"Env": "prod", "Count": 3}}))
        .unwrap();
        assert_eq!(nested, flat);
        let options = nested.options(&[PathBuf::from("/w")], BTreeMap::new(), None);
        assert_eq!(options.params.get("Count").map(String::as_str), Some("3"));
        assert_eq!(options.ses_sandbox, ["us-west-2"]);
        assert_eq!(options.region.as_deref(), Some("us-west-2"));
    }

    #[test]
    fn the_file_watcher_is_one_of_three() {
        let read = |v: serde_json::Value| Settings::parse(&json!({"fileWatcher": v}));
        assert_eq!(Settings::default().file_watcher, FileWatcher::Auto);
        assert_eq!(
            read(json!("server")).unwrap().file_watcher,
            FileWatcher::Server
        );
        assert_eq!(read(json!("off")).unwrap().file_watcher, FileWatcher::Off);
        let wrong = read(json!("inotify")).unwrap_err().to_string();
        assert!(wrong.contains("auto"), "{wrong}");
    }

    #[test]
    fn null_is_default_and_typos_are_errors() {
        assert_eq!(Settings::parse(&json!(null)).unwrap(), Settings::default());
        let typo = Settings::parse(&json!({"regoin": "x"})).unwrap();
        assert!(typo.unknown.contains_key("regoin"));
        let wrong = Settings::parse(&json!({"sesSandbox": "us-east-1"}));
        assert!(matches!(wrong, Err(SettingsError::Invalid(_))), "{wrong:?}");
        let message = wrong.unwrap_err().to_string();
        assert!(
            message.starts_with("invalid sandtrap settings: "),
            "{message}"
        );
        assert!(message.contains("expected a sequence"), "{message}");
    }

    #[test]
    fn config_path_is_taken_from_the_first_root() {
        let s = Settings::parse(&json!({"config": "ci/sandtrap.yaml"})).unwrap();
        let options = s.options(&[PathBuf::from("/w")], BTreeMap::new(), None);
        assert_eq!(options.config, Some(PathBuf::from("/w/ci/sandtrap.yaml")));
    }
}

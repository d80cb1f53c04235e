//! Resolver fixtures: every `testdata/resolve/*.json` resolves in the environment its
//! `Metadata.sandtrap-test-env` describes, and its `debug_dump` is a reviewed snapshot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sandtrap::cloudformation::resolve::{StackEnv, debug_dump};
use sandtrap::load::{self, Format};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/resolve");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
    paths.sort();
    paths
}

fn stack_env(root: &serde_json::Value) -> StackEnv {
    let env = &root["Metadata"]["sandtrap-test-env"];
    let text = |key: &str| env[key].as_str().map(str::to_owned);
    let parameters: BTreeMap<String, String> = env["parameters"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    StackEnv {
        account: text("account"),
        region: text("region"),
        stack_name: text("stack_name"),
        parameters,
    }
}

#[test]
fn resolve_fixtures() -> Result<(), Box<dyn std::error::Error>> {
    let paths = fixtures();
    assert!(!paths.is_empty(), "no resolve fixtures");
    for path in paths {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path)?;
        let root: serde_json::Value = serde_json::from_str(&text)?;
        let document = load::load(&text, Format::Json)
            .document
            .ok_or_else(|| format!("{name}: does not load"))?;
        let dump = debug_dump(&document, &stack_env(&root));
        insta::with_settings!({snapshot_path => "../../testdata/resolve/snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, dump);
        });
    }
    Ok(())
}

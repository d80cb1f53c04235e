//! Parse fixtures: every `testdata/parse/ok-*` loads without problems, every `err-*` reports at
//! least one, and the dump of each (tree, spans, problems) is a reviewed snapshot.

use std::path::Path;

use sandtrap::load::{self, Format, dump::dump};
use sandtrap::source::SourceFile;

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parse");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.is_file() && p.extension().is_none_or(|e| e != "snap"));
    paths.sort();
    paths
}

#[test]
fn parse_fixtures() {
    let paths = fixtures();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        // Fixtures with invalid UTF-8 are loaded through the same lossless check the CLI uses.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let file = SourceFile::new(name.clone(), None, text.as_str());
        let loaded = load::load(&text, Format::guess(&name, &text));
        if name.starts_with("ok-") {
            assert!(loaded.problems.is_empty(), "{name}: {:?}", loaded.problems);
            assert!(loaded.document.is_some(), "{name}: no document");
        } else if name.starts_with("err-") {
            assert!(!loaded.problems.is_empty(), "{name}: expected a problem");
        } else {
            panic!("{name}: parse fixtures are named ok-* or err-*");
        }
        insta::with_settings!({snapshot_path => "../../testdata/parse/snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, dump(&file, &loaded));
        });
    }
}

//! Fuzzes a whole `sandtrap check` of one file on standard input, up to the facts document and
//! every output format.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sandtrap::check::{self, CheckOptions};
use sandtrap::emit::{self, OutputFormat, Report, Style};

/// An empty working directory, so no configuration file is found above it.
fn cwd() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::tempdir()
            .map(|d| d.keep())
            .unwrap_or_else(|_| std::env::temp_dir())
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let name = if selector & 1 == 0 {
        "template.yaml"
    } else {
        "template.json"
    };
    let options = CheckOptions {
        paths: vec![PathBuf::from("-")],
        stdin: Some(text),
        stdin_filename: Some(name.to_owned()),
        cwd: cwd().clone(),
        region: (selector & 2 != 0).then(|| "us-west-2".to_owned()),
        account: (selector & 2 != 0).then(|| "123456789012".to_owned()),
        ses_sandbox: if selector & 4 != 0 {
            vec!["us-east-1".to_owned()]
        } else {
            Vec::new()
        },
        // The map too: the Markdown and HTML reports draw it, `sandtrap map` writes it.
        map: Some(sandtrap::map::MapOptions {
            expand: selector & 16 != 0,
        }),
        ..CheckOptions::default()
    };
    let Ok(outcome) = check::run(&options) else {
        return;
    };
    let report = Report {
        files: &outcome.files,
        diagnostics: &outcome.diagnostics,
        summary: outcome.summary,
        catalog: &outcome.catalog,
        templates: &outcome.templates,
        cwd: cwd(),
        root: cwd(),
        map: outcome.map.as_ref(),
        source_url: (selector & 32 != 0).then_some("https://example.com/o/r/blob/abc/"),
        elapsed: None,
    };
    if let Some(map) = &outcome.map {
        let _ = sandtrap::map::mermaid::render(map);
        let _ = sandtrap::map::dot::render(map);
        let _ = sandtrap::map::status::human(&sandtrap::map::status::rows(map));
    }
    let style = Style {
        color: selector & 8 != 0,
        links: selector & 8 != 0,
        ..Style::default()
    };
    for format in [
        OutputFormat::Human,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::Sarif,
        OutputFormat::Junit,
        OutputFormat::Github,
        OutputFormat::Gitlab,
        OutputFormat::Markdown,
        OutputFormat::Html,
    ] {
        let mut out = Vec::new();
        let _ = emit::emit(&report, format, style, &mut out);
    }
});

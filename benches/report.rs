//! Rendering reports of many findings on one line (a minified template): the HTML report's
//! snippets are windows around each finding, so rendering stays linear in the findings. Numbers
//! go in docs/performance.md.

use criterion::{Criterion, criterion_group, criterion_main};
use sandtrap::check::{self, CheckOptions};
use sandtrap::emit::{self, OutputFormat, Report, Style};

/// One line of `n` duplicate keys: `n` `ST006` findings on it.
fn one_line(n: usize) -> String {
    let entries: Vec<String> = (0..n)
        .map(|i| format!("\"k{i:05}\":1,\"k{i:05}\":2"))
        .collect();
    format!(
        "{{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Metadata\":{{{}}},\"Resources\":{{}}}}",
        entries.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    for n in [2_000, 16_000] {
        let options = CheckOptions {
            paths: vec!["-".into()],
            stdin: Some(one_line(n)),
            stdin_filename: Some("min.json".to_owned()),
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
            root: std::path::Path::new(""),
            cwd: std::path::Path::new(""),
            map: outcome.map.as_ref(),
            source_url: None,
            elapsed: None,
        };
        for (name, format) in [("html", OutputFormat::Html), ("human", OutputFormat::Human)] {
            group.bench_function(format!("{name}_{n}_on_one_line"), |b| {
                b.iter(|| {
                    let mut out = Vec::new();
                    emit::emit(&report, format, Style::default(), &mut out)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! What a one-file run costs besides the file: the built-in rule catalog (YAML rule files parsed,
//! JSONPath queries compiled) and a whole in-process `check` of one small template. Numbers go
//! in docs/performance.md.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use sandtrap::check::{self, CheckOptions};
use sandtrap::rules::Catalog;

fn startup(c: &mut Criterion) {
    c.bench_function("Catalog::builtin", |b| {
        b.iter(|| Catalog::builtin().map(std::hint::black_box).is_ok())
    });
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let options = CheckOptions {
        paths: vec![root.join("bench/small.yaml")],
        cwd: root,
        ..CheckOptions::default()
    };
    c.bench_function("check one small template", |b| {
        b.iter(|| check::run(&options).map(|o| o.diagnostics.len()).ok())
    });
}

criterion_group!(benches, startup);
criterion_main!(benches);

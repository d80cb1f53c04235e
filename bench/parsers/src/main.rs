//! Parses every YAML file under the given directories with one parser, events only, and prints
//! the bytes read and the events seen. `none` reads the files without parsing them, so that
//! `bench/parsers.sh` can count what each parser costs beyond the reading.
//!
//! Usage: yaml-parsers PARSER DIR...
//! (PARSER: none, granit, granit-no-comments, saphyr, yaml-rust2)

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn granit(text: &str, comments: bool) -> usize {
    let options = granit_parser::options! { emit_comments: comments };
    let mut parser = granit_parser::Parser::new_from_str_with_options(text, options);
    let mut events = 0;
    while let Some(Ok(_)) = parser.next_event() {
        events += 1;
    }
    events
}

struct Count(usize);

impl saphyr_parser::SpannedEventReceiver<'_> for Count {
    fn on_event(&mut self, _: saphyr_parser::Event<'_>, _: saphyr_parser::Span) {
        self.0 += 1;
    }
}

impl yaml_rust2::parser::MarkedEventReceiver for Count {
    fn on_event(&mut self, _: yaml_rust2::Event, _: yaml_rust2::scanner::Marker) {
        self.0 += 1;
    }
}

fn saphyr(text: &str) -> usize {
    let mut count = Count(0);
    let _ = saphyr_parser::Parser::new_from_str(text).load(&mut count, false);
    count.0
}

fn yaml_rust2(text: &str) -> usize {
    let mut count = Count(0);
    let _ = yaml_rust2::parser::Parser::new_from_str(text).load(&mut count, false);
    count.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let parser = args.next().expect("usage: yaml-parsers PARSER DIR...");
    let mut paths = Vec::new();
    for dir in args {
        files(Path::new(&dir), &mut paths);
    }
    let (mut bytes, mut events) = (0, 0);
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        bytes += text.len();
        events += match parser.as_str() {
            "none" => 0,
            "granit" => granit(&text, true),
            "granit-no-comments" => granit(&text, false),
            "saphyr" => saphyr(&text),
            "yaml-rust2" => yaml_rust2(&text),
            other => panic!("unknown parser {other}"),
        };
    }
    println!("{} files, {bytes} bytes, {events} events", paths.len());
}

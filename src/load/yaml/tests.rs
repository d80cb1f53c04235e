//! Loader tests: tags, spans, scalars, problems and bounds.

use std::time::Instant;

use super::*;
use crate::tree::{Node, Value};

fn root(text: &str) -> Node {
    let loaded = load(text);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.document.map(|d| d.root).expect("a document")
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.range()).expect("span on char boundaries")
}

fn kinds(loaded: &Loaded) -> Vec<ProblemKind> {
    loaded.problems.iter().map(|p| p.kind.clone()).collect()
}

#[test]
fn every_short_form_becomes_its_long_form() {
    let names = [
        ("Ref", "Ref"),
        ("Condition", "Condition"),
        ("Sub", "Fn::Sub"),
        ("GetAtt", "Fn::GetAtt"),
        ("If", "Fn::If"),
        ("Join", "Fn::Join"),
        ("Select", "Fn::Select"),
        ("Split", "Fn::Split"),
        ("FindInMap", "Fn::FindInMap"),
        ("ImportValue", "Fn::ImportValue"),
        ("Equals", "Fn::Equals"),
        ("Not", "Fn::Not"),
        ("And", "Fn::And"),
        ("Or", "Fn::Or"),
        ("Base64", "Fn::Base64"),
        ("Cidr", "Fn::Cidr"),
        ("GetAZs", "Fn::GetAZs"),
        ("Transform", "Fn::Transform"),
        ("ToJsonString", "Fn::ToJsonString"),
        ("Length", "Fn::Length"),
    ];
    for (short, long) in names {
        let text = format!("Key: !{short} [a, b]\n");
        let node = root(&text);
        let value = node.get("Key").expect("Key");
        let (name, key_span, arg) = value.as_intrinsic().expect("intrinsic");
        assert_eq!(name, long);
        assert_eq!(slice(&text, key_span), format!("!{short}"));
        assert_eq!(slice(&text, value.span), format!("!{short} [a, b]"));
        assert_eq!(slice(&text, arg.span), "[a, b]");
    }
}

#[test]
fn tagged_scalar_spans() {
    let text = "A: !Ref Bucket\n";
    let node = root(text);
    let value = node.get("A").expect("A");
    assert_eq!(slice(text, value.span), "!Ref Bucket");
    let (name, key_span, arg) = value.as_intrinsic().expect("intrinsic");
    assert_eq!((name, slice(text, key_span)), ("Ref", "!Ref"));
    assert_eq!(arg.value, Value::String("Bucket".into()));
    assert_eq!(slice(text, arg.span), "Bucket");
    // The scalar under a short form is text, whatever it looks like.
    let numeric = root("A: !Ref 0755\nB: !Base64 yes\n");
    assert_eq!(
        numeric.get_path(&["A", "Ref"]).and_then(Node::as_str),
        Some("0755")
    );
    assert_eq!(
        numeric
            .get_path(&["B", "Fn::Base64"])
            .and_then(Node::as_str),
        Some("yes")
    );
}

#[test]
fn get_att_splits_at_the_first_dot() {
    let text = "A: !GetAtt Db.Endpoint.Address\nB: !GetAtt [Db, Arn]\nC: !GetAtt \"Q.R\"\n";
    let node = root(text);
    let a = node
        .get_path(&["A", "Fn::GetAtt"])
        .and_then(Node::as_seq)
        .expect("list");
    let parts: Vec<_> = a
        .iter()
        .map(|n| (n.as_str(), slice(text, n.span)))
        .collect();
    assert_eq!(
        parts,
        [
            (Some("Db"), "Db"),
            (Some("Endpoint.Address"), "Endpoint.Address")
        ]
    );
    let b = node
        .get_path(&["B", "Fn::GetAtt"])
        .and_then(Node::as_seq)
        .expect("list");
    assert_eq!(b.len(), 2);
    let c = node
        .get_path(&["C", "Fn::GetAtt"])
        .and_then(Node::as_seq)
        .expect("list");
    assert_eq!(slice(text, c[0].span), "Q");
    // A multi-line scalar cannot be cut into exact pieces: both items point at the whole.
    let folded = "A: !GetAtt\n  Db.\n  Arn\n";
    let node = root(folded);
    let parts = node
        .get_path(&["A", "Fn::GetAtt"])
        .and_then(Node::as_seq)
        .expect("list");
    assert_eq!(parts[0].as_str(), Some("Db"));
    assert_eq!(parts[1].as_str(), Some(" Arn"));
    assert_eq!(parts[0].span, parts[1].span);
}

#[test]
fn nested_short_forms() {
    let text = "A: !If [IsProd, !Ref Prod, !Ref Dev]\nB: !Sub\n  - '${X}-${Y}'\n  - X: !Ref Env\n    Y: !GetAtt R.Arn\n";
    let node = root(text);
    let branches = node
        .get_path(&["A", "Fn::If"])
        .and_then(Node::as_seq)
        .expect("list");
    assert_eq!(branches[1].get("Ref").and_then(Node::as_str), Some("Prod"));
    assert_eq!(slice(text, branches[2].span), "!Ref Dev");
    let vars = node
        .get_path(&["B", "Fn::Sub"])
        .and_then(Node::as_seq)
        .expect("list");
    assert_eq!(
        vars[1].get_path(&["X", "Ref"]).and_then(Node::as_str),
        Some("Env")
    );
    let b = node.get("B").expect("B");
    assert_eq!(
        slice(text, b.span),
        "!Sub\n  - '${X}-${Y}'\n  - X: !Ref Env\n    Y: !GetAtt R.Arn"
    );
}

#[test]
fn unknown_and_core_tags() {
    let text = "A: !Rain::Embed file.txt\nB: !!binary aGk=\nC: !!str 0755\nD: !!int 0x10\nE: ! yes\nF: !!bool maybe\n";
    let node = root(text);
    let a = node.get("A").expect("A");
    let Value::Tagged(tag, inner) = &a.value else {
        panic!("not tagged: {a:?}")
    };
    assert_eq!(tag, "Rain::Embed");
    assert_eq!(inner.as_str(), Some("file.txt"));
    assert_eq!(slice(text, a.span), "!Rain::Embed file.txt");
    assert!(matches!(&node.get("B").expect("B").value, Value::Tagged(t, _) if t == "!binary"));
    let c = node.get("C").expect("C");
    assert_eq!(c.value, Value::String("0755".into()));
    assert_eq!(slice(text, c.span), "!!str 0755");
    assert_eq!(
        node.get("D").map(|n| &n.value),
        Some(&Value::Number("16".into()))
    );
    assert_eq!(
        node.get("E").map(|n| &n.value),
        Some(&Value::String("yes".into()))
    );
    assert_eq!(
        node.get("F").map(|n| &n.value),
        Some(&Value::String("maybe".into()))
    );
}

#[test]
fn plain_quoted_and_block_scalars() {
    let text = "a: yes\nb: 'yes'\nc: \"0755\"\nd: 0755\ne: |\n  line1\n  line2\nf: >-\n  folded\n  text\ng:\nh: ~\n";
    let node = root(text);
    let value = |k: &str| node.get(k).map(|n| n.value.clone()).expect("key");
    assert_eq!(value("a"), Value::Bool(true));
    assert_eq!(value("b"), Value::String("yes".into()));
    assert_eq!(value("c"), Value::String("0755".into()));
    assert_eq!(value("d"), Value::Number("493".into()));
    assert_eq!(value("e"), Value::String("line1\nline2\n".into()));
    assert_eq!(value("f"), Value::String("folded text".into()));
    assert_eq!(value("g"), Value::Null);
    assert_eq!(value("h"), Value::Null);
    let b = node.get("b").expect("b");
    assert_eq!(slice(text, b.span), "'yes'");
}

#[test]
fn block_scalar_at_end_of_file_has_no_extra_line_feed() {
    let node = root("a: |\n  x");
    assert_eq!(node.get("a").and_then(Node::as_str), Some("x"));
}

#[test]
fn comments_in_source_order() {
    let text = "# head\nA: 1 # trailing\n  # indented\nB: [1, # in flow\n  2]\n";
    let loaded = load(text);
    assert!(loaded.problems.is_empty());
    let doc = loaded.document.expect("doc");
    let found: Vec<_> = doc
        .comments
        .iter()
        .map(|c| (c.text.as_str(), slice(text, c.span)))
        .collect();
    assert_eq!(
        found,
        [
            (" head", "# head"),
            (" trailing", "# trailing"),
            (" indented", "# indented"),
            (" in flow", "# in flow"),
        ]
    );
}

#[test]
fn non_ascii_before_a_tag() {
    let text = "Desc: é🚀日本語\nName: {Tag: \"日本\", V: !Ref Ünïcode}\n";
    let node = root(text);
    let value = node.get_path(&["Name", "V"]).expect("V");
    assert_eq!(slice(text, value.span), "!Ref Ünïcode");
    let file = crate::source::SourceFile::new("a.yaml", None, text);
    let pos = file.position(value.span.start);
    assert_eq!((pos.line, pos.column), (2, 22));
}

#[test]
fn crlf_bom_and_tabs() {
    let text = "\u{feff}A: !Ref X\r\nB:\r\n  - 1\r\n";
    let node = root(text);
    let a = node.get("A").expect("A");
    assert_eq!(slice(text, a.span), "!Ref X");
    let key = node.as_map().expect("map").entries[0].key_span;
    assert_eq!((key.start, slice(text, key)), (3, "A"));
    // Tabs are fine as separation, not as block indentation.
    let tabs = root("a:\t1\nb: [1,\t2]\n");
    assert_eq!(
        tabs.get("a").map(|n| &n.value),
        Some(&Value::Number("1".into()))
    );
    let bad = load("a:\n\t- 1\n");
    assert_eq!(kinds(&bad), [ProblemKind::Syntax]);
    // Reported on the indented line (at the tab or the entry after it).
    assert!((3..=4).contains(&bad.problems[0].span.start));
}

#[test]
fn duplicate_keys_keep_the_last_and_are_reported() {
    let text = "A: 1\nB: 2\nA: 3\n";
    let loaded = load(text);
    assert_eq!(kinds(&loaded), [ProblemKind::DuplicateKey]);
    let problem = &loaded.problems[0];
    assert_eq!(problem.span, Span::new(10, 11));
    assert_eq!(
        problem.related,
        Some((
            Span::new(0, 1),
            "ignored: CloudFormation keeps the last".into()
        ))
    );
    let node = loaded.document.expect("doc").root;
    assert_eq!(node.as_map().map(|m| m.len()), Some(2));
    assert_eq!(
        node.get("A").map(|n| &n.value),
        Some(&Value::Number("3".into()))
    );
}

#[test]
fn duplicate_keys_in_large_maps() {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!("k{i}: {i}\n"));
    }
    text.push_str("k3: again\nk39: again\nk40: new\n");
    let loaded = load(&text);
    let dups: Vec<_> = loaded
        .problems
        .iter()
        .map(|p| {
            (
                slice(&text, p.span),
                p.related.as_ref().map(|r| slice(&text, r.0)),
            )
        })
        .collect();
    assert_eq!(dups, [("k3", Some("k3")), ("k39", Some("k39"))]);
    let root = loaded.document.expect("doc").root;
    assert_eq!(root.as_map().map(Map::len), Some(41));
    assert_eq!(root.get("k3").and_then(Node::as_str), Some("again"));
}

#[test]
fn many_keys_load() {
    // How long it takes is measured in `benches/load.rs` (`many_keys`), not here: a test must
    // not fail because the machine is busy.
    let mut text = String::with_capacity(3_000_000);
    for i in 0..200_000 {
        text.push_str(&format!("Key{i}: {i}\n"));
    }
    let loaded = load(&text);
    assert!(loaded.problems.is_empty());
    assert_eq!(
        loaded.document.and_then(|d| d.root.as_map().map(Map::len)),
        Some(200_000)
    );
}

use crate::tree::Map;

#[test]
fn syntax_errors_are_located() {
    let bad_indent = "a:\n  b: 1\n c: 2\n";
    let loaded = load(bad_indent);
    assert_eq!(kinds(&loaded), [ProblemKind::Syntax]);
    assert!(loaded.document.is_none());
    let unclosed = "a: [1, 2\nb: 3\n";
    let loaded = load(unclosed);
    assert_eq!(kinds(&loaded), [ProblemKind::Syntax]);
    assert!(!loaded.problems[0].message.is_empty());
    assert!(loaded.problems[0].span.end as usize <= unclosed.len());
    // An error at the very end gets an empty span at the end.
    let eof = load("a: \"open");
    assert_eq!(kinds(&eof), [ProblemKind::Syntax]);
    assert!(eof.problems[0].span.end as usize <= "a: \"open".len());
}

#[test]
fn aliases_are_reported_and_expanded() {
    let text = "a: &x [1, 2]\nb: *x\nc:\n  <<: {k: v}\n";
    let loaded = load(text);
    assert_eq!(kinds(&loaded), [ProblemKind::Alias, ProblemKind::Alias]);
    assert_eq!(slice(text, loaded.problems[0].span), "*x");
    assert_eq!(slice(text, loaded.problems[1].span), "<<");
    let node = loaded.document.expect("doc").root;
    let b = node.get("b").expect("b");
    assert_eq!(b.as_seq().map(<[Node]>::len), Some(2));
    assert_eq!(slice(text, b.span), "*x");
    let missing = load("a: *nope\n");
    assert_eq!(kinds(&missing), [ProblemKind::Alias]);
    assert_eq!(
        missing
            .document
            .and_then(|d| d.root.get("a").map(|n| n.value.clone())),
        Some(Value::Null)
    );
}

#[test]
fn billion_laughs_ends_small() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for name in 'b'..='j' {
        text.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = name;
    }
    // The work is bounded by the node budget asserted below; the time is not a test's to judge.
    let loaded = load(&text);
    assert_eq!(loaded.problems.len(), 81);
    assert!(loaded.problems.iter().all(|p| p.kind == ProblemKind::Alias));
    let root = loaded.document.expect("doc").root;
    let total = build_measure(&root);
    assert!(total < 2 * ALIAS_NODE_BUDGET, "{total} nodes");
}

fn build_measure(node: &Node) -> usize {
    let mut count = 0;
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => pending.extend(items),
            Value::Map(map) => pending.extend(map.entries.iter().map(|e| &e.value)),
            Value::Tagged(_, inner) => pending.push(inner),
            _ => {}
        }
    }
    count
}

#[test]
fn deep_flow_nesting_stops_cleanly() {
    for depth in [MAX_DEPTH + 1, 100_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let loaded = load(&text);
        assert_eq!(kinds(&loaded), [ProblemKind::TooDeep], "{depth}");
        assert!(loaded.document.is_none());
        // The builder or the scanner (which looks one token ahead) stops at the limit.
        let at = loaded.problems[0].span.start as usize;
        assert!((MAX_DEPTH..=MAX_DEPTH + 1).contains(&at), "{at}");
    }
    let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(load(&fine).problems.is_empty());
}

#[test]
fn deep_block_nesting_stops_cleanly() {
    // `- - - … x` nests block sequences on one line, so 100,000 levels stay a small file.
    let compact = format!("{}x\n", "- ".repeat(100_000));
    let loaded = load(&compact);
    assert_eq!(kinds(&loaded), [ProblemKind::TooDeep]);
    assert!(loaded.document.is_none());
    // Indented mappings grow quadratically with depth; a few thousand levels are enough.
    let mut maps = String::new();
    for level in 0..3_000usize {
        maps.push_str(&" ".repeat(level));
        maps.push_str("k:\n");
    }
    let loaded = load(&maps);
    assert_eq!(kinds(&loaded), [ProblemKind::TooDeep]);
    let fine = format!("{}x\n", "- ".repeat(MAX_DEPTH));
    assert!(load(&fine).problems.is_empty());
}

#[test]
fn multi_document_keeps_the_first() {
    let text = "a: 1\n---\nkind: Service\n";
    let loaded = load(text);
    assert_eq!(kinds(&loaded), [ProblemKind::MultiDocument]);
    assert_eq!(slice(text, loaded.problems[0].span), "---");
    let root = loaded.document.expect("doc").root;
    assert!(root.get("a").is_some() && root.get("kind").is_none());
    // Explicit start and end markers around one document are one document.
    assert!(load("---\na: 1\n...\n").problems.is_empty());
}

#[test]
fn empty_and_comment_only_files() {
    for text in [
        "",
        "\n\n",
        "# just a comment\n",
        "\u{feff}",
        "\u{feff}# c\n",
    ] {
        let loaded = load(text);
        assert!(loaded.document.is_none(), "{text:?}");
        assert!(loaded.problems.is_empty(), "{text:?}");
    }
}

#[test]
fn scalar_root() {
    let text = "!Ref X";
    let node = root(text);
    assert_eq!(node.get("Ref").and_then(Node::as_str), Some("X"));
    assert_eq!(node.span, Span::new(0, 6));
    assert_eq!(root("hello").value, Value::String("hello".into()));
}

#[test]
fn collection_keys_are_reported() {
    let loaded = load("? [a, b]\n: c\n");
    assert_eq!(kinds(&loaded), [ProblemKind::Syntax]);
    assert!(loaded.document.is_some());
}

#[test]
fn block_collection_spans_end_at_their_last_child() {
    let text = "A:\n  B: 1\n  C: [x]\n\n# trailing\nD: 2\n";
    let node = root(text);
    let a = node.get("A").expect("A");
    assert_eq!(slice(text, a.span), "B: 1\n  C: [x]");
    assert_eq!(slice(text, node.span), &text[..text.len() - 1]);
}

mod props;

/// Every YAML file of the fixtures and examples loads for a check as it loads with every
/// comment, the comments aside: kept when the file names `sandtrap`, else none.
#[test]
fn a_check_load_differs_only_by_the_comments_it_leaves_out() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pending = vec![root.join("testdata"), root.join("examples")];
    let mut files = 0;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            let Some(text) = yaml.then(|| std::fs::read_to_string(&path).ok()).flatten() else {
                continue;
            };
            files += 1;
            let all = load(&text);
            let check = load_with(&text, Comments::Suppressions);
            assert_eq!(all.problems, check.problems, "{}", path.display());
            let (all, check) = (all.document, check.document);
            assert_eq!(all.is_some(), check.is_some(), "{}", path.display());
            let (Some(all), Some(check)) = (all, check) else {
                continue;
            };
            assert_eq!(all.root, check.root, "{}", path.display());
            let kept = if text.contains("sandtrap") {
                all.comments
            } else {
                Vec::new()
            };
            assert_eq!(check.comments, kept, "{}", path.display());
        }
    }
    assert!(files > 100, "{files} YAML files");
}

/// Loads every YAML file of the shared corpus (skipped when the corpus is absent): files that
/// parse elsewhere must have no syntax problem. Run with `--ignored --nocapture` for the list of
/// problems and the time taken.
#[test]
#[ignore = "walks the shared corpus"]
#[allow(clippy::print_stderr)]
fn corpus_yaml_files() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let dir = if here.is_dir() {
        here
    } else {
        std::path::PathBuf::from("/work/shared/corpus")
    };
    let Ok(index) = std::fs::read_to_string(dir.join("index.tsv")) else {
        return;
    };
    let mut files = Vec::new();
    for line in index.lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(path), Some(_kind), Some(_bytes), Some(parse)) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            continue;
        };
        let lower = path.to_ascii_lowercase();
        if !(lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".template")) {
            continue;
        }
        let Ok(bytes) = std::fs::read(dir.join(path)) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        files.push((path.to_owned(), parse.to_owned(), text));
    }
    let total: usize = files.iter().map(|f| f.2.len()).sum();
    let started = Instant::now();
    let results: Vec<_> = files.iter().map(|(_, _, text)| load(text)).collect();
    let elapsed = started.elapsed();
    eprintln!(
        "{} files, {} bytes in {elapsed:?} ({:.1} MB/s)",
        files.len(),
        total,
        total as f64 / 1e6 / elapsed.as_secs_f64()
    );
    let mut syntax_in_ok = Vec::new();
    for ((path, parse, text), loaded) in files.iter().zip(&results) {
        let file = crate::source::SourceFile::new(path.clone(), None, text.as_str());
        for p in &loaded.problems {
            let pos = file.position(p.span.start);
            eprintln!(
                "{parse}\t{path}:{}:{}\t{:?}\t{}",
                pos.line, pos.column, p.kind, p.message
            );
            if parse == "ok" && p.kind == ProblemKind::Syntax {
                syntax_in_ok.push(path.clone());
            }
        }
        if parse != "ok" && loaded.problems.is_empty() {
            eprintln!("{parse}\t{path}\tno problem found");
        }
    }
    assert!(syntax_in_ok.is_empty(), "{syntax_in_ok:?}");
}

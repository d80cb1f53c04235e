//! Property tests: arbitrary text never panics and yields in-bounds spans; generated

//! CloudFormation-like trees load back with exact key spans.

use proptest::prelude::*;

use super::super::load;
use crate::load::Loaded;
use crate::source::Span;
use crate::tree::{Node, Value};

fn check_span(text: &str, span: Span) {
    assert!(span.start <= span.end, "{span:?}");
    assert!(
        text.get(span.range()).is_some(),
        "{span:?} not within {text:?}"
    );
}

fn check_spans(text: &str, loaded: &Loaded) {
    for problem in &loaded.problems {
        check_span(text, problem.span);
        if let Some((span, _)) = &problem.related {
            check_span(text, *span);
        }
    }
    let Some(doc) = &loaded.document else {
        return;
    };
    for comment in &doc.comments {
        check_span(text, comment.span);
    }
    let mut pending = vec![&doc.root];
    while let Some(node) = pending.pop() {
        check_span(text, node.span);
        match &node.value {
            Value::Seq(items) => pending.extend(items),
            Value::Map(map) => {
                for entry in &map.entries {
                    check_span(text, entry.key_span);
                    pending.push(&entry.value);
                }
            }
            Value::Tagged(_, inner) => pending.push(inner),
            _ => {}
        }
    }
}

const FRAGMENTS: &[&str] = &[
    "!Ref ",
    "!GetAtt ",
    "!Sub ",
    "!If ",
    "!!str ",
    "!Rain::X ",
    "! ",
    "[",
    "]",
    "{",
    "}",
    ": ",
    ":",
    "- ",
    "-",
    "\n",
    "\r\n",
    "  ",
    "\t",
    "# c",
    "#",
    "# sandtrap: ignore[ST101]",
    " #sandtrap",
    "'",
    "\"",
    "\\",
    "&a ",
    "*a",
    "*b",
    "é",
    "🚀",
    "日本",
    "\u{feff}",
    "|",
    ">-",
    "---",
    "...",
    "? ",
    ", ",
    ",",
    "Key",
    "A.B.C",
    "0755",
    "yes",
    "~",
    "<<",
    "%YAML 1.1",
    "%TAG ! x:",
    "\0",
    "\u{85}",
    "\u{2028}",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|v| v.concat()),
        "\\PC{0,80}",
        any::<String>(),
    ]
}

/// A CloudFormation-like value, serialized by [`write`].
#[derive(Debug, Clone)]
enum Gen {
    Plain(String),
    Quoted(String),
    Ref(String),
    GetAtt(String, String),
    Seq(Vec<Gen>),
    Map(Vec<(String, Gen)>),
    /// `!If` over a block list.
    If(Vec<Gen>),
}

fn ident() -> impl Strategy<Value = String> {
    "[A-Z][A-Za-z0-9]{0,8}"
}

fn gen_tree() -> impl Strategy<Value = Gen> {
    let leaf = prop_oneof![
        // A plain scalar that YAML 1.1 reads as a boolean or null is not a string.
        ident()
            .prop_filter("not a YAML 1.1 keyword", |s| {
                super::super::scalar::bool_value(s).is_none() && !super::super::scalar::is_null(s)
            })
            .prop_map(Gen::Plain),
        "[a-z é🚀日本]{0,12}".prop_map(Gen::Quoted),
        ident().prop_map(Gen::Ref),
        (ident(), "[A-Z][a-z]{0,5}(\\.[A-Z][a-z]{0,5}){0,2}").prop_map(|(r, a)| Gen::GetAtt(r, a)),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Gen::Seq),
            prop::collection::vec((ident(), inner.clone()), 0..6).prop_map(|entries| {
                let mut seen = std::collections::HashSet::new();
                Gen::Map(
                    entries
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .collect(),
                )
            }),
            prop::collection::vec(inner, 1..4).prop_map(Gen::If),
        ]
    })
}

fn inline(g: &Gen) -> Option<String> {
    match g {
        Gen::Plain(s) => Some(s.clone()),
        Gen::Quoted(s) => Some(format!("'{s}'")),
        Gen::Ref(s) => Some(format!("!Ref {s}")),
        Gen::GetAtt(r, a) => Some(format!("!GetAtt {r}.{a}")),
        Gen::Seq(items) if items.is_empty() => Some("[]".into()),
        Gen::Map(entries) if entries.is_empty() => Some("{}".into()),
        _ => None,
    }
}

fn write(g: &Gen, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match g {
        Gen::Seq(items) | Gen::If(items) => {
            for item in items {
                match inline(item) {
                    Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                    None => {
                        out.push_str(&format!("{pad}-{}\n", tag_of(item)));
                        write(item, indent + 2, out);
                    }
                }
            }
        }
        Gen::Map(entries) => {
            for (key, value) in entries {
                match inline(value) {
                    Some(s) => out.push_str(&format!("{pad}{key}: {s}\n")),
                    None => {
                        out.push_str(&format!("{pad}{key}:{}\n", tag_of(value)));
                        write(value, indent + 2, out);
                    }
                }
            }
        }
        _ => {
            if let Some(s) = inline(g) {
                out.push_str(&format!("{pad}{s}\n"));
            }
        }
    }
}

fn tag_of(g: &Gen) -> &'static str {
    if matches!(g, Gen::If(_)) { " !If" } else { "" }
}

fn check_tree(g: &Gen, node: &Node, text: &str) {
    let slice = |span: Span| text.get(span.range()).unwrap_or("<bad span>");
    match g {
        Gen::Plain(s) => assert_eq!(node.as_str(), Some(s.as_str())),
        Gen::Quoted(s) => {
            assert_eq!(node.as_str(), Some(s.as_str()));
            assert_eq!(slice(node.span), format!("'{s}'"));
        }
        Gen::Ref(s) => {
            let (name, key_span, arg) = node.as_intrinsic().expect("Ref");
            assert_eq!((name, slice(key_span)), ("Ref", "!Ref"));
            assert_eq!(arg.as_str(), Some(s.as_str()));
            assert_eq!(slice(node.span), format!("!Ref {s}"));
        }
        Gen::GetAtt(r, a) => {
            let (name, _, arg) = node.as_intrinsic().expect("GetAtt");
            assert_eq!(name, "Fn::GetAtt");
            let parts = arg.as_seq().expect("list");
            assert_eq!(parts.len(), 2);
            assert_eq!(
                (parts[0].as_str(), slice(parts[0].span)),
                (Some(r.as_str()), r.as_str())
            );
            assert_eq!(
                (parts[1].as_str(), slice(parts[1].span)),
                (Some(a.as_str()), a.as_str())
            );
        }
        Gen::Seq(items) => {
            let got = node.as_seq().expect("seq");
            assert_eq!(got.len(), items.len());
            for (g, n) in items.iter().zip(got) {
                check_tree(g, n, text);
            }
        }
        Gen::If(items) => {
            let (name, key_span, arg) = node.as_intrinsic().expect("If");
            assert_eq!((name, slice(key_span)), ("Fn::If", "!If"));
            check_tree(&Gen::Seq(items.clone()), arg, text);
        }
        Gen::Map(entries) => {
            let map = node.as_map().expect("map");
            assert_eq!(map.len(), entries.len());
            for ((key, g), entry) in entries.iter().zip(&map.entries) {
                assert_eq!(&entry.key, key);
                assert_eq!(slice(entry.key_span), key);
                check_tree(g, &entry.value, text);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in yamlish()) {
        let loaded = load(&text);
        check_spans(&text, &loaded);
    }

    /// A load for a check leaves out the comments of a text that names no `sandtrap` and is
    /// otherwise the same load: tree, spans, problems.
    #[test]
    fn comments_left_out_change_nothing_else(text in yamlish()) {
        let all = load(&text);
        let check = super::super::load_with(&text, crate::load::Comments::Suppressions);
        prop_assert_eq!(&all.problems, &check.problems);
        prop_assert_eq!(all.document.is_some(), check.document.is_some());
        if let (Some(all), Some(check)) = (all.document, check.document) {
            prop_assert_eq!(all.root, check.root);
            if text.contains("sandtrap") {
                prop_assert_eq!(all.comments, check.comments);
            } else {
                prop_assert!(check.comments.is_empty());
            }
        }
    }

    #[test]
    fn generated_templates_load_back(
        entries in prop::collection::vec((ident(), gen_tree()), 1..6),
        crlf in any::<bool>(),
    ) {
        let mut seen = std::collections::HashSet::new();
        let entries: Vec<_> = entries.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect();
        let tree = Gen::Map(entries);
        let mut text = String::new();
        write(&tree, 0, &mut text);
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let loaded = load(&text);
        prop_assert!(loaded.problems.is_empty(), "{:?}\n{}", loaded.problems, text);
        check_spans(&text, &loaded);
        let root = loaded.document.expect("document").root;
        check_tree(&tree, &root, &text);
    }
}

/// A mapping tree whose keys repeat often, in maps both smaller and larger than the builders'
/// linear scan for duplicates.
#[derive(Debug, Clone)]
enum Dup {
    Leaf(String),
    Seq(Vec<Dup>),
    Map(Vec<(String, Dup)>),
}

fn dup_tree() -> impl Strategy<Value = Dup> {
    let leaf = "v[0-9]{1,3}".prop_map(Dup::Leaf);
    let key = prop_oneof!["K[0-3]", "K[0-9]{1,2}"];
    leaf.prop_recursive(3, 200, 40, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Dup::Seq),
            prop::collection::vec((key.clone(), inner), 0..40).prop_map(Dup::Map),
        ]
    })
}

/// Writes `d` as block YAML, pushing the span of every key in writing order.
fn write_dup_yaml(d: &Dup, indent: usize, out: &mut String, keys: &mut Vec<Span>) {
    let pad = " ".repeat(indent);
    match d {
        Dup::Leaf(s) => out.push_str(&format!("{pad}{s}\n")),
        Dup::Seq(items) if items.is_empty() => out.push_str(&format!("{pad}[]\n")),
        Dup::Map(entries) if entries.is_empty() => out.push_str(&format!("{pad}{{}}\n")),
        Dup::Seq(items) => {
            for item in items {
                out.push_str(&format!("{pad}-\n"));
                write_dup_yaml(item, indent + 2, out, keys);
            }
        }
        Dup::Map(entries) => {
            for (key, value) in entries {
                out.push_str(&pad);
                keys.push(Span::new(out.len(), out.len() + key.len()));
                out.push_str(&format!("{key}:\n"));
                write_dup_yaml(value, indent + 2, out, keys);
            }
        }
    }
}

/// Writes `d` as JSON, pushing the span of every key (with its quotes) in writing order.
fn write_dup_json(d: &Dup, out: &mut String, keys: &mut Vec<Span>) {
    match d {
        Dup::Leaf(s) => out.push_str(&format!("\"{s}\"")),
        Dup::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_dup_json(item, out, keys);
            }
            out.push(']');
        }
        Dup::Map(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                keys.push(Span::new(out.len(), out.len() + key.len() + 2));
                out.push_str(&format!("\"{key}\": "));
                write_dup_json(value, out, keys);
            }
            out.push('}');
        }
    }
}

/// Compares a loaded node with `d` as CloudFormation deploys it (of duplicate keys the last,
/// in source order), taking the key spans in writing order from `keys`, and collects the
/// duplicates to expect: (the repeated key's span, its first occurrence's span).
fn check_dup(
    d: &Dup,
    node: &Node,
    keys: &mut impl Iterator<Item = Span>,
    duplicates: &mut Vec<(Span, Span)>,
) {
    match d {
        Dup::Leaf(s) => assert_eq!(node.as_str(), Some(s.as_str())),
        Dup::Seq(items) => {
            let got = node.as_seq().expect("seq");
            assert_eq!(got.len(), items.len());
            for (item, n) in items.iter().zip(got) {
                check_dup(item, n, keys, duplicates);
            }
        }
        Dup::Map(entries) => {
            let map = node.as_map().expect("map");
            let mut first: std::collections::HashMap<&str, Span> = Default::default();
            let mut last: std::collections::HashMap<&str, usize> = Default::default();
            for (i, (key, _)) in entries.iter().enumerate() {
                last.insert(key, i);
            }
            let mut kept = map.entries.iter();
            for (i, (key, value)) in entries.iter().enumerate() {
                let span = keys.next().expect("a key span");
                match first.get(key.as_str()) {
                    Some(&earlier) => duplicates.push((span, earlier)),
                    None => {
                        first.insert(key, span);
                    }
                }
                if last.get(key.as_str()) == Some(&i) {
                    let entry = kept.next().expect("a kept entry");
                    assert_eq!((&entry.key, entry.key_span), (key, span));
                    check_dup(value, &entry.value, keys, duplicates);
                } else {
                    // An overridden value is not in the tree; its keys are in the text.
                    skip_dup(value, keys, duplicates);
                }
            }
            assert!(kept.next().is_none(), "more entries than kept");
        }
    }
}

/// Walks the keys of an overridden value, which the loaders still read (and whose own
/// duplicates they report).
fn skip_dup(d: &Dup, keys: &mut impl Iterator<Item = Span>, duplicates: &mut Vec<(Span, Span)>) {
    match d {
        Dup::Leaf(_) => {}
        Dup::Seq(items) => {
            for item in items {
                skip_dup(item, keys, duplicates);
            }
        }
        Dup::Map(entries) => {
            let mut first: std::collections::HashMap<&str, Span> = Default::default();
            for (key, value) in entries {
                let span = keys.next().expect("a key span");
                match first.get(key.as_str()) {
                    Some(&earlier) => duplicates.push((span, earlier)),
                    None => {
                        first.insert(key, span);
                    }
                }
                skip_dup(value, keys, duplicates);
            }
        }
    }
}

fn check_duplicates(loaded: &Loaded, tree: &Dup, keys: Vec<Span>, text: &str) {
    let root = &loaded.document.as_ref().expect("document").root;
    let mut expected = Vec::new();
    let mut keys = keys.into_iter();
    check_dup(tree, root, &mut keys, &mut expected);
    assert!(keys.next().is_none(), "keys left over");
    expected.sort_by_key(|(span, _)| span.start);
    let got: Vec<(Span, Span)> = (loaded.problems.iter())
        .map(|p| {
            assert_eq!(
                p.kind,
                crate::load::ProblemKind::DuplicateKey,
                "{p:?}\n{text}"
            );
            (p.span, p.related.as_ref().expect("the first occurrence").0)
        })
        .collect();
    let mut got_sorted = got.clone();
    got_sorted.sort_by_key(|(span, _)| span.start);
    assert_eq!(got_sorted, expected, "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Both loaders keep the last of duplicate keys in source order and report every repeat
    /// at its key with the first occurrence related, in small maps (a linear scan) and large
    /// ones (a hash index) alike.
    #[test]
    fn duplicate_keys_keep_the_last_and_name_the_first(
        entries in prop::collection::vec(("K[0-9]{1,2}", dup_tree()), 1..40),
    ) {
        let tree = Dup::Map(entries);
        let mut yaml = String::new();
        let mut keys = Vec::new();
        write_dup_yaml(&tree, 0, &mut yaml, &mut keys);
        check_duplicates(&load(&yaml), &tree, keys, &yaml);
        let mut json = String::new();
        let mut keys = Vec::new();
        write_dup_json(&tree, &mut json, &mut keys);
        check_duplicates(&crate::load::json::load(&json), &tree, keys, &json);
    }
}

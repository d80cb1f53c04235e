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

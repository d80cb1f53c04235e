//! A resource instance's arguments at the paths the property table wants: attributes
//! evaluated, nested blocks (static and `dynamic`) as lists, and where each was written.

use std::collections::HashMap;

use crate::extract::{Arguments, Language};
use crate::source::Span;
use crate::terraform::eval::{
    Choice, Choices, combine, first_unknown, invalid, iterate, merge, one,
};
use crate::terraform::instance::{Instance, Origin};
use crate::terraform::syntax::{Block, Body, Expr};
use crate::value::Resolved;

/// The wanted paths of a body, evaluated: choices of a map holding only them. A block is a
/// list of its instances (static blocks and `dynamic` ones, in source order); `0` picks the
/// first, `*` reads the rest of the path in each.
pub(super) fn evaluate(
    instance: &Instance<'_>,
    file: usize,
    body: &Body,
    iterators: &[(String, Resolved)],
    wanted: &[&[&str]],
    prefix: &mut Vec<String>,
    origins: &mut HashMap<String, Origin>,
) -> Choices {
    let mut keys: Vec<&str> = Vec::new();
    for path in wanted {
        if let Some(first) = path.first()
            && !keys.contains(first)
        {
            keys.push(first);
        }
    }
    let mut names = Vec::new();
    let mut parts: Vec<Choices> = Vec::new();
    for key in keys {
        let rest: Vec<&[&str]> = wanted
            .iter()
            .filter(|p| p.first() == Some(&key))
            .map(|p| &p[1..])
            .collect();
        if let Some(attr) = body.attribute(key) {
            let (choices, reads) = instance.eval_recorded(file, iterators.to_vec(), &attr.expr);
            if let Some(origin) = instance.origin_of(&reads) {
                prefix.push(key.to_owned());
                origins.insert(prefix.join("."), origin);
                prefix.pop();
            }
            names.push(key);
            parts.push(choices);
            continue;
        }
        let blocks = blocks_of(body, key);
        if blocks.is_empty() {
            continue;
        }
        // Under a block, `0` and `*` stand for its instances: what follows is read in each.
        let inner: Vec<&[&str]> = rest
            .iter()
            .filter_map(|p| match p.first() {
                Some(k) if *k == "*" || k.parse::<usize>().is_ok() => Some(&p[1..]),
                _ => None,
            })
            .filter(|p| !p.is_empty())
            .collect();
        prefix.push(key.to_owned());
        let list = block_list(instance, file, &blocks, iterators, &inner, prefix, origins);
        prefix.pop();
        names.push(key);
        parts.push(list);
    }
    combine(&parts, Span::default(), &mut |values| {
        Resolved::Map(
            names
                .iter()
                .zip(values)
                .map(|(k, v)| ((*k).to_owned(), (*v).clone()))
                .collect(),
        )
    })
}

/// A static or dynamic block of a kind.
pub(super) enum BlockRef<'a> {
    Static(&'a Block),
    Dynamic(&'a Block),
}

pub(super) fn blocks_of<'a>(body: &'a Body, kind: &str) -> Vec<BlockRef<'a>> {
    body.blocks
        .iter()
        .filter_map(|b| match b.kind.as_str() {
            k if k == kind => Some(BlockRef::Static(b)),
            "dynamic" if b.labels.first().is_some_and(|(l, _)| l == kind) => {
                Some(BlockRef::Dynamic(b))
            }
            _ => None,
        })
        .collect()
}

/// The instances of the blocks of one kind as a list of maps.
pub(super) fn block_list(
    instance: &Instance<'_>,
    file: usize,
    blocks: &[BlockRef<'_>],
    iterators: &[(String, Resolved)],
    wanted: &[&[&str]],
    prefix: &mut Vec<String>,
    origins: &mut HashMap<String, Origin>,
) -> Choices {
    // Each block gives choices of a list (a dynamic block may give several items, or none).
    let mut parts: Vec<Choices> = Vec::new();
    let mut index = 0;
    for block in blocks {
        match block {
            BlockRef::Static(block) => {
                prefix.push(index.to_string());
                let items = evaluate(
                    instance,
                    file,
                    &block.body,
                    iterators,
                    wanted,
                    prefix,
                    origins,
                );
                prefix.pop();
                index += 1;
                parts.push(
                    items
                        .into_iter()
                        .map(|c| Choice {
                            value: Resolved::List(vec![c.value]),
                            assumptions: c.assumptions,
                        })
                        .collect(),
                );
            }
            BlockRef::Dynamic(block) => {
                let choices = dynamic_items(
                    instance, file, block, iterators, wanted, prefix, origins, index,
                );
                index += 1;
                parts.push(choices);
            }
        }
    }
    combine(&parts, Span::default(), &mut |lists| {
        let mut all = Vec::new();
        for list in lists {
            if let Resolved::List(items) = list {
                all.extend(items.iter().cloned());
            }
        }
        Resolved::List(all)
    })
}

/// A `dynamic` block's items: its `content` evaluated for each element of `for_each`, with the
/// iterator (the block's label, or `iterator`) bound to `{key, value}`. An unknown `for_each`
/// gives one item whose iterator is unknown, so what depends on it says why.
#[allow(clippy::too_many_arguments)]
pub(super) fn dynamic_items(
    instance: &Instance<'_>,
    file: usize,
    block: &Block,
    iterators: &[(String, Resolved)],
    wanted: &[&[&str]],
    prefix: &mut Vec<String>,
    origins: &mut HashMap<String, Origin>,
    index: usize,
) -> Choices {
    let Some(content) = block.body.blocks("content").next() else {
        return one(Resolved::List(Vec::new()));
    };
    let name = block
        .body
        .attribute("iterator")
        .and_then(|a| {
            a.expr
                .as_path()
                .map(|p| p.join("."))
                .or_else(|| a.expr.as_literal())
        })
        .or_else(|| block.labels.first().map(|(l, _)| l.clone()))
        .unwrap_or_default();
    let Some(for_each) = block.body.attribute("for_each") else {
        return one(invalid(
            block.header_span,
            "a `dynamic` block without `for_each`",
        ));
    };
    let (collections, reads) = instance.eval_recorded(file, iterators.to_vec(), &for_each.expr);
    let origin = instance.origin_of(&reads);
    let mut out = Vec::new();
    for collection in collections {
        let elements: Vec<(Resolved, Resolved)> = match iterate(&collection.value) {
            Some(elements) => elements,
            None => {
                let why = first_unknown(&collection.value).unwrap_or_else(|| {
                    invalid(
                        for_each.expr.span(),
                        "a `for_each` that is not a collection",
                    )
                });
                vec![(why.clone(), why)]
            }
        };
        let mut items: Vec<Choices> = Vec::new();
        for (i, (key, value)) in elements.into_iter().enumerate() {
            let mut bound = iterators.to_vec();
            bound.push((
                name.clone(),
                Resolved::Map(vec![("key".to_owned(), key), ("value".to_owned(), value)]),
            ));
            prefix.push((index + i).to_string());
            let before = origins.len();
            let item = evaluate(
                instance,
                file,
                &content.body,
                &bound,
                wanted,
                prefix,
                origins,
            );
            // What the content reads through the iterator came from the `for_each` value.
            if origins.len() == before
                && let Some(origin) = &origin
            {
                for path in wanted {
                    let key = format!("{}.{}", prefix.join("."), path.join("."));
                    origins.entry(key).or_insert_with(|| origin.clone());
                }
            }
            prefix.pop();
            items.push(item);
        }
        for mut choice in combine(&items, block.header_span, &mut |values| {
            Resolved::List(values.iter().map(|v| (*v).clone()).collect())
        }) {
            if let Some(merged) = merge(&collection.assumptions, &choice.assumptions) {
                choice.assumptions = merged;
                out.push(choice);
            }
        }
    }
    out
}

/// A resource instance's values, with the spans of the body they were written in.
pub(super) struct Args<'a> {
    pub(super) value: &'a Resolved,
    pub(super) body: &'a Body,
    pub(super) header: Span,
    pub(super) text: &'a str,
    pub(super) origins: &'a HashMap<String, Origin>,
}

impl Arguments for Args<'_> {
    fn language(&self) -> Language {
        Language::Terraform
    }

    fn value(&self) -> &Resolved {
        self.value
    }

    fn span(&self, keys: &[&str]) -> Option<Span> {
        span_in(self.body, keys, self.text)
    }

    fn whole_span(&self) -> Span {
        self.header
    }

    fn origin(&self, keys: &[&str]) -> Option<Origin> {
        self.origins.get(&keys.join(".")).cloned()
    }
}

/// Where the value at `keys` is written: an attribute's value (its name when the value is an
/// expression over several lines), or the nearest block on the way.
pub(super) fn span_in(body: &Body, keys: &[&str], text: &str) -> Option<Span> {
    let (first, rest) = keys.split_first()?;
    if let Some(attr) = body.attribute(first) {
        let span = attr.expr.span();
        let multiline = !matches!(
            attr.expr,
            Expr::Template(..) | Expr::Number(..) | Expr::Bool(..)
        ) && text.get(span.range()).is_some_and(|t| t.contains('\n'));
        return Some(match multiline {
            true => attr.name_span,
            false => span,
        });
    }
    let blocks = blocks_of(body, first);
    let (index, rest) = match rest.first().and_then(|k| k.parse::<usize>().ok()) {
        Some(i) => (i, &rest[1..]),
        None => (0, rest),
    };
    let (inner, header) = match blocks.get(index).or_else(|| blocks.first())? {
        BlockRef::Static(block) => (&block.body, block.header_span),
        BlockRef::Dynamic(block) => (
            block
                .body
                .blocks("content")
                .next()
                .map_or(&block.body, |c| &c.body),
            block.header_span,
        ),
    };
    match rest.is_empty() {
        true => Some(header),
        false => span_in(inner, rest, text).or(Some(header)),
    }
}

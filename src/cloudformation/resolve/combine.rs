//! Resolving the parts of a resource's `Properties` that matter, each on its own, and combining
//! them: conditions that only vary one property no longer multiply with those that vary another
//! inside one bounded [`super::Resolver::resolve`] call, where the sixteenth combination would
//! silently cut off the rest.

use super::variants::merge;
use super::{Assumption, Resolved, Resolver, Variant};
use crate::tree::Node;

/// Most combinations of the parts' variants [`Resolver::resolve_parts`] builds for one resource.
/// Each part keeps its own [`super::MAX_VARIANTS`]; this bounds their product.
pub const MAX_COMBINATIONS: usize = 256;

/// The combinations of a resource's properties, and how many were left unchecked.
#[derive(Debug, Default)]
pub struct Combined {
    pub variants: Vec<Variant>,
    /// Combinations past [`MAX_COMBINATIONS`] that were not built (an upper bound: some of them
    /// may contradict themselves). Zero when every combination was built.
    pub unchecked: u64,
}

/// A combination being built: its assumptions and each part's value at its key path.
type Combination<'p> = (Vec<Assumption>, Vec<(&'p [String], Option<Resolved>)>);

impl Resolver<'_> {
    /// The variants of `properties` restricted to the `wanted` key paths, each resolved on its
    /// own (an intrinsic on the way resolves as a whole) and the values combined, contradictory
    /// assumptions dropped. A `properties` that is not a plain mapping is resolved whole.
    pub fn resolve_parts(&self, properties: &Node, wanted: &[&[&str]]) -> Combined {
        if properties.as_map().is_none() || properties.as_intrinsic().is_some() {
            return Combined {
                variants: self.resolve(properties),
                unchecked: 0,
            };
        }
        let mut leaves = Vec::new();
        collect(Vec::new(), properties, wanted, &mut leaves);
        let mut combos: Vec<Combination<'_>> = vec![(Vec::new(), Vec::new())];
        let mut total: u64 = 1;
        let mut capped = false;
        for (path, node) in &leaves {
            let variants = self.resolve(node);
            total = total.saturating_mul(variants.len().max(1) as u64);
            let mut next = Vec::with_capacity(combos.len() * variants.len());
            'combos: for (assumptions, values) in &combos {
                for variant in &variants {
                    let Some(merged) = merge(assumptions, &variant.assumptions) else {
                        continue;
                    };
                    if next.len() == MAX_COMBINATIONS {
                        capped = true;
                        break 'combos;
                    }
                    let mut values = values.clone();
                    values.push((path.as_slice(), variant.value.clone()));
                    next.push((merged, values));
                }
            }
            combos = next;
        }
        // Below the bound every consistent combination was built (the rest contradicted).
        let unchecked = match capped {
            true => total.saturating_sub(combos.len() as u64),
            false => 0,
        };
        let variants = combos
            .into_iter()
            .map(|(assumptions, values)| {
                let mut root = Vec::new();
                for (path, value) in values {
                    if let Some(value) = value {
                        insert(&mut root, path, value);
                    }
                }
                Variant {
                    value: Some(Resolved::Map(root)),
                    assumptions,
                }
            })
            .collect();
        Combined {
            variants,
            unchecked,
        }
    }
}

/// The nodes to resolve one by one: at a wanted path (or below one) the whole node; on the way
/// to one, each entry of a plain mapping that leads to a wanted path; an intrinsic on the way is
/// resolved whole.
fn collect<'n>(
    path: Vec<String>,
    node: &'n Node,
    wanted: &[&[&str]],
    out: &mut Vec<(Vec<String>, &'n Node)>,
) {
    let starts = |w: &[&str]| w.len() <= path.len() && w.iter().zip(&path).all(|(a, b)| a == b);
    if !path.is_empty() && wanted.iter().any(|w| starts(w)) {
        out.push((path, node));
        return;
    }
    let leads = |key: &str| {
        wanted.iter().any(|w| {
            w.len() > path.len()
                && w.iter().zip(&path).all(|(a, b)| a == b)
                && w.get(path.len()) == Some(&key)
        })
    };
    match node.as_map() {
        Some(map) if node.as_intrinsic().is_none() => {
            for entry in &map.entries {
                if leads(&entry.key) {
                    let mut child = path.clone();
                    child.push(entry.key.clone());
                    collect(child, &entry.value, wanted, out);
                }
            }
        }
        _ if !path.is_empty() => out.push((path, node)),
        _ => {}
    }
}

/// Puts `value` at `path` in a tree of maps, creating the maps on the way.
fn insert(map: &mut Vec<(String, Resolved)>, path: &[String], value: Resolved) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        map.push((first.clone(), value));
        return;
    }
    let slot = match map
        .iter()
        .rposition(|(k, v)| k == first && matches!(v, Resolved::Map(_)))
    {
        Some(i) => i,
        None => {
            map.push((first.clone(), Resolved::Map(Vec::new())));
            map.len() - 1
        }
    };
    if let Some((_, Resolved::Map(child))) = map.get_mut(slot) {
        insert(child, rest, value);
    }
}

//! The members of an element that the diagnostics of the cases keeping it read, and that part of
//! the element as JSON.
//!
//! A kept element becomes a diagnostic: its `id`, its `spans` at the case's keys, the members
//! its message, label, help and note name. A sender's JSON is some 40 members and 3 KB (every
//! span a file name), and a rule's message reads five of them, so building the whole value was
//! most of the cost of a finding. [`Keep`] is what a collection's cases read, decided once per
//! run from the rules themselves; [`to_value`] writes those members of a typed fact straight
//! through its `Serialize` impl, exactly as `serde_json` would write them, and skips the rest
//! without walking them. A case whose reads cannot be listed (a `where:` the JSONPath engine
//! runs) asks for the whole element.

use serde::ser::{self, Serialize};
use serde_json::{Map, Value};

use super::plan::Step;
use super::template::Part;
use super::{Case, Rule, Template};

/// Member names, each kept whole (`None`) or only in the members below it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Keep {
    members: Vec<(String, Option<Keep>)>,
}

impl Keep {
    /// Keeps the member at `path` whole (an empty path changes nothing).
    pub(super) fn add<S: AsRef<str>>(&mut self, path: &[S]) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let first = first.as_ref();
        let found = self.members.iter_mut().find(|(name, _)| name == first);
        match found {
            Some((_, None)) => {}
            Some((_, below @ Some(_))) if rest.is_empty() => *below = None,
            Some((_, Some(below))) => below.add(rest),
            None => {
                let below = (!rest.is_empty()).then(|| {
                    let mut below = Keep::default();
                    below.add(rest);
                    below
                });
                self.members.push((first.to_owned(), below));
            }
        }
    }

    /// How `name` is kept: `None` not at all, `Some(None)` whole.
    fn member(&self, name: &str) -> Option<Option<&Keep>> {
        (self.members.iter())
            .find(|(n, _)| n == name)
            .map(|(_, below)| below.as_ref())
    }
}

/// What the diagnostics of `rule`'s cases over `collection` with a plan read of an element they
/// keep; `None` when that cannot be said of parts (the whole element is read).
pub(super) fn of_rule(rule: &Rule, collection: &str) -> Option<Keep> {
    let mut keep = Keep::default();
    let cases = (rule.cases.iter())
        .filter(|case| (case.plan.as_ref()).is_some_and(|p| p.collection == collection));
    for case in cases {
        reads(&mut keep, rule, case)?;
    }
    Some(keep)
}

/// Adds to `keep` what the diagnostic of `case` reads of an element it keeps; `None` when that
/// cannot be said of parts (the whole element is read).
fn reads(keep: &mut Keep, rule: &Rule, case: &Case) -> Option<()> {
    let plan = case.plan.as_ref()?;
    // The objects found inside the element (`$.senders[*].unresolved[*]`) are read whole.
    match plan.rest.first() {
        Some(Step::Name(name)) => {
            keep.add(&[name]);
            return Some(());
        }
        Some(Step::Wildcard) => return None,
        None => {}
    }
    // What `evaluate::report` and `Progress::consider` read of every object they are given.
    for member in ["id", "note", "stack", "resource"] {
        keep.add(&[member]);
    }
    for at in case
        .at
        .iter()
        .chain(case.related.iter().flat_map(|r| &r.at))
    {
        keep.add(&["spans", at.as_str()]);
    }
    let templates = [case.label.as_ref(), case.help.as_ref(), case.note.as_ref()]
        .into_iter()
        .flatten()
        .chain([&case.message])
        .chain(case.related.iter().map(|r| &r.message));
    for template in templates {
        add_fields(keep, template);
    }
    if let Some(filter) = &rule.filter {
        let (paths, _) = filter.plan.as_ref()?;
        if paths.iter().any(Vec::is_empty) {
            return None;
        }
        for path in paths {
            keep.add(path);
        }
    }
    Some(())
}

fn add_fields(keep: &mut Keep, template: &Template) {
    for part in template.parts() {
        if let Part::Field(path) = part {
            keep.add(path);
        }
    }
}

/// The members of `value` that `keep` names, as `serde_json::to_value` would write them; `None`
/// when a member does not serialize (or a map's key is not a string), and the caller then reads
/// the whole element.
pub(super) fn to_value<T: Serialize + ?Sized>(value: &T, keep: &Keep) -> Option<Value> {
    value.serialize(Kept { keep }).ok()
}

use serde_json::value::Serializer as Whole;
type Error = serde_json::Error;

/// The serializer at a node of [`Keep`]: a struct or map keeps its named members; anything else
/// is written whole.
struct Kept<'k> {
    keep: &'k Keep,
}

/// An object being written with only its kept members.
struct Members<'k> {
    keep: &'k Keep,
    map: Map<String, Value>,
    /// A map's key, waiting for its value.
    key: Option<String>,
}

impl Members<'_> {
    fn member<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let written = match self.keep.member(name) {
            None => return Ok(()),
            Some(None) => value.serialize(Whole)?,
            Some(Some(keep)) => value.serialize(Kept { keep })?,
        };
        self.map.insert(name.to_owned(), written);
        Ok(())
    }
}

impl ser::SerializeStruct for Members<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.member(key, value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(Value::Object(self.map))
    }
}

impl ser::SerializeMap for Members<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        match key.serialize(Whole)? {
            Value::String(key) => {
                self.key = Some(key);
                Ok(())
            }
            _ => Err(ser::Error::custom("a map key that is not a string")),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = (self.key.take()).ok_or_else(|| ser::Error::custom("a value without a key"))?;
        self.member(&key, value)
    }

    fn end(self) -> Result<Value, Error> {
        Ok(Value::Object(self.map))
    }
}

/// Every method but those of structs and maps writes the value whole, as `serde_json` does.
macro_rules! whole {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<$ok, Error> {
            ser::Serializer::$method(Whole, $($arg),*)
        })*
    };
}

impl<'k> ser::Serializer for Kept<'k> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = <Whole as ser::Serializer>::SerializeSeq;
    type SerializeTuple = <Whole as ser::Serializer>::SerializeTuple;
    type SerializeTupleStruct = <Whole as ser::Serializer>::SerializeTupleStruct;
    type SerializeTupleVariant = <Whole as ser::Serializer>::SerializeTupleVariant;
    type SerializeMap = Members<'k>;
    type SerializeStruct = Members<'k>;
    type SerializeStructVariant = <Whole as ser::Serializer>::SerializeStructVariant;

    whole! {
        serialize_bool(v: bool) -> Value;
        serialize_i8(v: i8) -> Value;
        serialize_i16(v: i16) -> Value;
        serialize_i32(v: i32) -> Value;
        serialize_i64(v: i64) -> Value;
        serialize_i128(v: i128) -> Value;
        serialize_u8(v: u8) -> Value;
        serialize_u16(v: u16) -> Value;
        serialize_u32(v: u32) -> Value;
        serialize_u64(v: u64) -> Value;
        serialize_u128(v: u128) -> Value;
        serialize_f32(v: f32) -> Value;
        serialize_f64(v: f64) -> Value;
        serialize_char(v: char) -> Value;
        serialize_str(v: &str) -> Value;
        serialize_bytes(v: &[u8]) -> Value;
        serialize_none() -> Value;
        serialize_unit() -> Value;
        serialize_unit_struct(name: &'static str) -> Value;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> Value;
        serialize_seq(len: Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(len: usize) -> Self::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(
            name: &'static str,
            index: u32,
            variant: &'static str,
            len: usize
        ) -> Self::SerializeTupleVariant;
        serialize_struct_variant(
            name: &'static str,
            index: u32,
            variant: &'static str,
            len: usize
        ) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        ser::Serializer::serialize_newtype_variant(Whole, name, index, variant, value)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Members<'k>, Error> {
        Ok(Members {
            keep: self.keep,
            map: Map::new(),
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'k>, Error> {
        self.serialize_map(None)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[derive(serde::Serialize)]
    struct Span {
        file: String,
        start: u32,
    }

    #[derive(serde::Serialize)]
    enum Kind {
        Pool,
        #[allow(dead_code)]
        Other(u8),
    }

    #[derive(serde::Serialize)]
    struct Fact {
        id: String,
        kind: Kind,
        name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        absent: Option<u8>,
        count: u64,
        tags: Vec<String>,
        spans: BTreeMap<String, Span>,
        inner: Inner,
    }

    #[derive(serde::Serialize)]
    struct Inner {
        a: bool,
        b: Option<f64>,
    }

    fn fact() -> Fact {
        let span = |start| Span {
            file: "t.yaml".to_owned(),
            start,
        };
        Fact {
            id: "t.yaml#Pool".to_owned(),
            kind: Kind::Pool,
            name: None,
            absent: None,
            count: 3,
            tags: vec!["x".to_owned()],
            spans: BTreeMap::from([("from".to_owned(), span(1)), ("arn".to_owned(), span(2))]),
            inner: Inner {
                a: true,
                b: Some(1.5),
            },
        }
    }

    fn keep(paths: &[&[&str]]) -> Keep {
        let mut keep = Keep::default();
        for path in paths {
            keep.add(path);
        }
        keep
    }

    #[test]
    fn the_kept_members_are_what_serde_json_writes_of_them() {
        let whole = serde_json::to_value(fact()).unwrap();
        let kept = keep(&[
            &["id"],
            &["kind"],
            &["name"],
            &["spans", "arn"],
            &["inner", "b"],
        ]);
        let value = to_value(&fact(), &kept).unwrap();
        assert_eq!(
            value,
            json!({
                "id": "t.yaml#Pool",
                "kind": "Pool",
                "name": null,
                "spans": {"arn": whole["spans"]["arn"]},
                "inner": {"b": 1.5},
            })
        );
        // In the order of the whole value.
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "kind", "name", "spans", "inner"]);
    }

    #[test]
    fn a_member_kept_whole_and_in_part_is_kept_whole() {
        let whole = serde_json::to_value(fact()).unwrap();
        for paths in [
            &[&["spans", "arn"][..], &["spans"]][..],
            &[&["spans"], &["spans", "arn"]],
        ] {
            let value = to_value(&fact(), &keep(paths)).unwrap();
            assert_eq!(value, json!({"spans": whole["spans"]}));
        }
        let all = keep(&[
            &["spans", "arn"],
            &["count"],
            &["spans"],
            &["tags"],
            &["inner", "a"],
        ]);
        let value = to_value(&fact(), &all).unwrap();
        assert_eq!(
            value,
            json!({"count": 3, "tags": ["x"], "spans": whole["spans"], "inner": {"a": true}})
        );
    }

    #[test]
    fn members_that_are_missing_or_not_objects_are_read_as_in_the_whole_value() {
        // A path past a scalar or an array keeps the member whole; a skipped field stays missing.
        let value = to_value(
            &fact(),
            &keep(&[&["count", "x"], &["tags", "0"], &["absent"]]),
        );
        assert_eq!(value.unwrap(), json!({"count": 3, "tags": ["x"]}));
        // A JSON value is read the same way as a typed fact.
        let whole = serde_json::to_value(fact()).unwrap();
        let value = to_value(&whole, &keep(&[&["inner", "a"], &["id"]])).unwrap();
        assert_eq!(value, json!({"id": "t.yaml#Pool", "inner": {"a": true}}));
    }

    #[test]
    fn a_map_with_keys_that_are_not_strings_is_refused() {
        let map = BTreeMap::from([(1_u8, 2_u8)]);
        assert!(to_value(&map, &keep(&[&["1"]])).is_none());
    }
}

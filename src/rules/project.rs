//! The member paths plans read, taken straight from a typed fact through its `Serialize` impl:
//! only the members on a wanted path are walked, nothing is allocated but the scratch space of
//! the walk (reused from fact to fact), and every value reads as `serde_json` would have written
//! it (`None` is null, an enum variant its name, a skipped field missing).

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

use super::plan::Val;

/// The wanted member paths of one collection's elements, as a tree of names; each path ends at
/// a slot of the [`Projection`].
#[derive(Debug, Default)]
pub struct Paths {
    nodes: Vec<Node>,
    slots: usize,
}

#[derive(Debug, Default)]
struct Node {
    slot: Option<usize>,
    children: Vec<(String, usize)>,
}

impl Paths {
    pub fn new() -> Self {
        Paths {
            nodes: vec![Node::default()],
            slots: 0,
        }
    }

    /// The slot of `path` (a non-empty list of member names), added if new.
    pub fn slot(&mut self, path: &[String]) -> usize {
        let mut node = 0;
        for name in path {
            let found = self.nodes.get(node).and_then(|n| {
                (n.children.iter())
                    .find(|(child, _)| child == name)
                    .map(|&(_, index)| index)
            });
            node = match found {
                Some(index) => index,
                None => {
                    let index = self.nodes.len();
                    self.nodes.push(Node::default());
                    if let Some(parent) = self.nodes.get_mut(node) {
                        parent.children.push((name.clone(), index));
                    }
                    index
                }
            };
        }
        match self.nodes.get_mut(node) {
            Some(Node {
                slot: Some(slot), ..
            }) => *slot,
            Some(target) => {
                target.slot = Some(self.slots);
                self.slots += 1;
                self.slots - 1
            }
            None => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.slots == 0
    }

    fn child(&self, node: usize, name: &str) -> Option<usize> {
        let node = self.nodes.get(node)?;
        (node.children.iter())
            .find(|(child, _)| child == name)
            .map(|&(_, index)| index)
    }

    fn slot_of(&self, node: usize) -> Option<usize> {
        self.nodes.get(node)?.slot
    }
}

/// What one element holds at each wanted path; reused from element to element.
#[derive(Debug, Default)]
pub struct Projection {
    slots: Vec<Slot>,
    /// The text of every string slot, one after the other.
    text: String,
}

#[derive(Clone, Copy, Debug)]
enum Slot {
    Missing,
    Null,
    Bool(bool),
    Num(f64),
    Str(usize, usize),
    Composite(usize),
}

impl Projection {
    /// Reads the wanted paths of `value`; false when its `Serialize` impl refused (the caller
    /// then reads the element's JSON instead).
    pub fn fill<T: Serialize + ?Sized>(&mut self, paths: &Paths, value: &T) -> bool {
        self.slots.clear();
        self.slots.resize(paths.slots, Slot::Missing);
        self.text.clear();
        value
            .serialize(At {
                paths,
                node: 0,
                out: self,
            })
            .is_ok()
    }

    /// The value at `slot`.
    pub fn val(&self, slot: usize) -> Val<'_> {
        match self.slots.get(slot) {
            None | Some(Slot::Missing) => Val::Missing,
            Some(Slot::Null) => Val::Null,
            Some(Slot::Bool(flag)) => Val::Bool(*flag),
            Some(Slot::Num(n)) => Val::Num(*n),
            Some(Slot::Str(start, end)) => Val::Str(self.text.get(*start..*end).unwrap_or("")),
            Some(Slot::Composite(items)) => Val::Composite(*items),
        }
    }

    fn set(&mut self, paths: &Paths, node: usize, slot: Slot) {
        if let Some(index) = paths.slot_of(node)
            && let Some(place) = self.slots.get_mut(index)
        {
            *place = slot;
        }
    }

    fn set_str(&mut self, paths: &Paths, node: usize, text: &str) {
        if paths.slot_of(node).is_some() {
            let start = self.text.len();
            self.text.push_str(text);
            self.set(paths, node, Slot::Str(start, self.text.len()));
        }
    }
}

/// A value the projection does not read the way `serde_json` would (a map key that is not a
/// string, a number too large): the element is read as JSON instead.
#[derive(Debug)]
pub struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not projected")
    }
}

impl std::error::Error for Refused {}

impl ser::Error for Refused {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Refused
    }
}

/// The serializer at one node of the wanted paths.
struct At<'p> {
    paths: &'p Paths,
    node: usize,
    out: &'p mut Projection,
}

impl<'p> At<'p> {
    fn scalar(self, slot: Slot) -> Result<(), Refused> {
        self.out.set(self.paths, self.node, slot);
        Ok(())
    }

    fn compound(self) -> Compound<'p> {
        Compound {
            paths: self.paths,
            node: self.node,
            out: self.out,
            items: 0,
            key: None,
        }
    }

    /// `{variant: value}`, as `serde_json` writes a newtype variant.
    fn variant<T: Serialize + ?Sized>(self, variant: &str, value: &T) -> Result<(), Refused> {
        let mut compound = self.compound();
        compound.member(variant, value)?;
        compound.finish();
        Ok(())
    }
}

/// An array or an object being read: its items are counted, and only the wanted members walked.
struct Compound<'p> {
    paths: &'p Paths,
    node: usize,
    out: &'p mut Projection,
    items: usize,
    /// A map's key, waiting for its value.
    key: Option<String>,
}

impl Compound<'_> {
    fn member<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Refused> {
        self.items += 1;
        match self.paths.child(self.node, name) {
            Some(node) => value.serialize(At {
                paths: self.paths,
                node,
                out: self.out,
            }),
            None => Ok(()),
        }
    }

    fn finish(self) {
        self.out
            .set(self.paths, self.node, Slot::Composite(self.items));
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    // Plans name members, never indexes: the items of an array are only counted.
    fn serialize_element<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Refused> {
        self.items += 1;
        Ok(())
    }

    fn end(self) -> Result<(), Refused> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Refused> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Refused> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        self.member(key, value)
    }

    fn end(self) -> Result<(), Refused> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Refused> {
        self.key = Some(key.serialize(KeyText)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        let key = self.key.take().ok_or(Refused)?;
        self.member(&key, value)
    }

    fn end(self) -> Result<(), Refused> {
        self.finish();
        Ok(())
    }
}

/// A struct or tuple variant: `{variant: {...}}` or `{variant: [...]}`, as `serde_json` writes
/// it; the inner compound is read at the variant's member.
struct Variant<'p> {
    inner: Compound<'p>,
}

impl<'p> Variant<'p> {
    fn new(at: At<'p>, variant: &'static str) -> Self {
        let (paths, node) = (at.paths, at.node);
        // The outer object has one member, the variant.
        at.out.set(paths, node, Slot::Composite(1));
        Variant {
            inner: Compound {
                paths,
                // Past a member nobody wants, the walk goes on at a node that does not exist:
                // nothing is recorded.
                node: paths.child(node, variant).unwrap_or(usize::MAX),
                out: at.out,
                items: 0,
                key: None,
            },
        }
    }

    fn finish(self) {
        self.inner.finish();
    }
}

impl ser::SerializeTupleVariant for Variant<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Refused> {
        self.inner.items += 1;
        Ok(())
    }

    fn end(self) -> Result<(), Refused> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeStructVariant for Variant<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        self.inner.member(key, value)
    }

    fn end(self) -> Result<(), Refused> {
        self.finish();
        Ok(())
    }
}

impl<'p> ser::Serializer for At<'p> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Compound<'p>;
    type SerializeTuple = Compound<'p>;
    type SerializeTupleStruct = Compound<'p>;
    type SerializeTupleVariant = Variant<'p>;
    type SerializeMap = Compound<'p>;
    type SerializeStruct = Compound<'p>;
    type SerializeStructVariant = Variant<'p>;

    fn serialize_bool(self, v: bool) -> Result<(), Refused> {
        self.scalar(Slot::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> Result<(), Refused> {
        self.scalar(Slot::Num(f64::from(v)))
    }

    fn serialize_i16(self, v: i16) -> Result<(), Refused> {
        self.scalar(Slot::Num(f64::from(v)))
    }

    fn serialize_i32(self, v: i32) -> Result<(), Refused> {
        self.scalar(Slot::Num(f64::from(v)))
    }

    fn serialize_i64(self, v: i64) -> Result<(), Refused> {
        self.scalar(Slot::Num(v as f64))
    }

    fn serialize_i128(self, v: i128) -> Result<(), Refused> {
        // `serde_json` takes only what fits 64 bits.
        i64::try_from(v).map_err(|_| Refused)?;
        self.scalar(Slot::Num(v as f64))
    }

    fn serialize_u8(self, v: u8) -> Result<(), Refused> {
        self.scalar(Slot::Num(f64::from(v)))
    }

    fn serialize_u16(self, v: u16) -> Result<(), Refused> {
        self.scalar(Slot::Num(f64::from(v)))
    }

    fn serialize_u32(self, v: u32) -> Result<(), Refused> {
        self.scalar(Slot::Num(f64::from(v)))
    }

    fn serialize_u64(self, v: u64) -> Result<(), Refused> {
        self.scalar(Slot::Num(v as f64))
    }

    fn serialize_u128(self, v: u128) -> Result<(), Refused> {
        u64::try_from(v).map_err(|_| Refused)?;
        self.scalar(Slot::Num(v as f64))
    }

    fn serialize_f32(self, v: f32) -> Result<(), Refused> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Refused> {
        // `serde_json` writes a number that is not finite as null.
        self.scalar(if v.is_finite() {
            Slot::Num(v)
        } else {
            Slot::Null
        })
    }

    fn serialize_char(self, v: char) -> Result<(), Refused> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Refused> {
        self.out.set_str(self.paths, self.node, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Refused> {
        self.scalar(Slot::Composite(v.len()))
    }

    fn serialize_none(self) -> Result<(), Refused> {
        self.scalar(Slot::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Refused> {
        self.scalar(Slot::Null)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refused> {
        self.scalar(Slot::Null)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        self.variant(variant, value)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'p>, Refused> {
        Ok(self.compound())
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound<'p>, Refused> {
        Ok(self.compound())
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'p>, Refused> {
        Ok(self.compound())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<'p>, Refused> {
        Ok(Variant::new(self, variant))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'p>, Refused> {
        Ok(self.compound())
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'p>, Refused> {
        Ok(self.compound())
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<'p>, Refused> {
        Ok(Variant::new(self, variant))
    }
}

/// A map key as `serde_json` writes it: a string, or a number or boolean as its text.
struct KeyText;

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = Refused;
    type SerializeSeq = Impossible<String, Refused>;
    type SerializeTuple = Impossible<String, Refused>;
    type SerializeTupleStruct = Impossible<String, Refused>;
    type SerializeTupleVariant = Impossible<String, Refused>;
    type SerializeMap = Impossible<String, Refused>;
    type SerializeStruct = Impossible<String, Refused>;
    type SerializeStructVariant = Impossible<String, Refused>;

    fn serialize_bool(self, v: bool) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_i8(self, v: i8) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_i16(self, v: i16) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_i32(self, v: i32) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_i64(self, v: i64) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_u8(self, v: u8) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_u16(self, v: u16) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_u32(self, v: u32) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_u64(self, v: u64) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_f32(self, _: f32) -> Result<String, Refused> {
        Err(Refused)
    }

    fn serialize_f64(self, _: f64) -> Result<String, Refused> {
        Err(Refused)
    }

    fn serialize_char(self, v: char) -> Result<String, Refused> {
        Ok(v.to_string())
    }

    fn serialize_str(self, v: &str) -> Result<String, Refused> {
        Ok(v.to_owned())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<String, Refused> {
        Err(Refused)
    }

    fn serialize_none(self) -> Result<String, Refused> {
        Err(Refused)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Refused> {
        Err(Refused)
    }

    fn serialize_unit(self) -> Result<String, Refused> {
        Err(Refused)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Refused> {
        Err(Refused)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Refused> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Refused> {
        Err(Refused)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Refused> {
        Err(Refused)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Refused> {
        Err(Refused)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Refused> {
        Err(Refused)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refused> {
        Err(Refused)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Refused> {
        Err(Refused)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Refused> {
        Err(Refused)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refused> {
        Err(Refused)
    }
}

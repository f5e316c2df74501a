//! The fields a page is rendered with, gathered from typed parts (the common fields, the page's view, a form's errors) straight into tera's context.
//!
//! `tera::Context::from_serialize` builds a map of the whole part and then copies it into the
//! context, key by key; `#[serde(flatten)]` would go through a map too. A part that is a
//! struct is added here field by field instead, under the field's `&'static str` name, so a
//! request builds no map of its own. Anything else (a `serde_json` object in a test) goes
//! the long way.

use std::fmt;

use serde::ser::{self, Impossible, Serialize, SerializeStruct, Serializer};

use super::Error;

/// The fields of a page, added part by part; a later part's field replaces an earlier one of
/// the same name.
#[derive(Default)]
pub struct Fields(pub(super) tera::Context);

impl Fields {
    /// No fields yet.
    pub fn new() -> Fields {
        Fields::default()
    }

    /// Adds the fields of `part`: a struct (field by field) or a map.
    pub fn add<T: Serialize + ?Sized>(&mut self, part: &T) -> Result<(), Error> {
        match part.serialize(Direct(&mut self.0)) {
            Ok(()) => Ok(()),
            Err(Failure::NotAStruct) => {
                let context = tera::Context::from_serialize(part).map_err(|e| failed(&e))?;
                self.0.extend(context);
                Ok(())
            }
            Err(Failure::Value(message)) => Err(Error::Fields(message)),
        }
    }
}

fn failed(error: &tera::Error) -> Error {
    Error::Fields(super::chain(error))
}

/// Why a part could not be added field by field.
#[derive(Debug)]
enum Failure {
    /// Not a struct: add it the long way.
    NotAStruct,
    /// A field's value does not serialize.
    Value(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotAStruct => f.write_str("not a struct"),
            Failure::Value(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Failure {}

impl ser::Error for Failure {
    fn custom<T: fmt::Display>(message: T) -> Failure {
        Failure::Value(message.to_string())
    }
}

/// Serializes a struct into the context, one field at a time; refuses anything else.
struct Direct<'c>(&'c mut tera::Context);

impl SerializeStruct for Direct<'_> {
    type Ok = ();
    type Error = Failure;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Failure> {
        let value = tera::Value::try_from_serializable(value)
            .map_err(|e| Failure::Value(format!("{key}: {}", super::chain(&e))))?;
        self.0.insert_value(key, value);
        Ok(())
    }

    fn end(self) -> Result<(), Failure> {
        Ok(())
    }
}

/// The serializer methods of everything but a struct: each refuses.
macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ret, Failure> {
            Err(Failure::NotAStruct)
        })*
    };
}

impl<'c> Serializer for Direct<'c> {
    type Ok = ();
    type Error = Failure;
    type SerializeSeq = Impossible<(), Failure>;
    type SerializeTuple = Impossible<(), Failure>;
    type SerializeTupleStruct = Impossible<(), Failure>;
    type SerializeTupleVariant = Impossible<(), Failure>;
    type SerializeMap = Impossible<(), Failure>;
    type SerializeStruct = Direct<'c>;
    type SerializeStructVariant = Impossible<(), Failure>;

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Direct<'c>, Failure> {
        Ok(self)
    }

    not_a_struct! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), Failure> {
        Err(Failure::NotAStruct)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _value: &T,
    ) -> Result<(), Failure> {
        Err(Failure::NotAStruct)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _variant_index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Failure> {
        Err(Failure::NotAStruct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Part {
        a: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<&'static str>,
    }

    #[test]
    fn structs_go_field_by_field_and_later_parts_win() {
        let mut fields = Fields::new();
        fields.add(&Part { a: 1, b: Some("x") }).unwrap();
        fields.add(&Part { a: 2, b: None }).unwrap();
        assert_eq!(fields.0.get("a"), Some(&tera::Value::from(2)));
        assert_eq!(fields.0.get("b"), Some(&tera::Value::from("x")));
    }

    #[test]
    fn maps_go_the_long_way_and_other_values_are_refused() {
        let mut fields = Fields::new();
        fields.add(&serde_json::json!({ "c": [1, 2] })).unwrap();
        assert!(fields.0.contains_key("c"));
        assert!(fields.add(&3).is_err());
    }

    #[derive(serde::Serialize)]
    struct Wrapped(Part);

    #[derive(serde::Serialize)]
    enum Tagged {
        Inner(Part),
    }

    #[test]
    fn options_newtypes_and_variants_go_the_long_way_and_lose_nothing() {
        let mut fields = Fields::new();
        fields.add(&Some(Part { a: 7, b: None })).unwrap();
        assert_eq!(fields.0.get("a"), Some(&tera::Value::from(7)));
        let mut fields = Fields::new();
        fields.add(&Wrapped(Part { a: 8, b: None })).unwrap();
        assert_eq!(fields.0.get("a"), Some(&tera::Value::from(8)));
        let mut fields = Fields::new();
        fields.add(&Tagged::Inner(Part { a: 9, b: None })).unwrap();
        assert!(fields.0.contains_key("Inner"));
    }
}

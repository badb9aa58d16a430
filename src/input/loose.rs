//! A loosely typed value for one cell of a pasted or API row: whatever the user gave, kept so
//! that a wrong type becomes a row error instead of rejecting the whole request.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Loose {
    Missing,
    Bool(bool),
    Number(f64),
    Text(String),
    List,
    Object(Vec<(String, Loose)>),
}

impl Loose {
    /// What the value is, for messages.
    pub fn describe(&self) -> &'static str {
        self.cell().describe()
    }

    /// The value as a row's cell.
    pub fn cell(&self) -> Cell<'_> {
        match self {
            Loose::Missing => Cell::Missing,
            Loose::Bool(b) => Cell::Bool(*b),
            Loose::Number(n) => Cell::Number(*n),
            Loose::Text(t) => Cell::Text(t),
            Loose::List => Cell::List,
            Loose::Object(_) => Cell::Object,
        }
    }
}

/// One cell of a row as the row reader sees it, borrowed from the pasted text or from a
/// [`Loose`] value: reading a row copies none of its text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    Missing,
    Bool(bool),
    Number(f64),
    Text(&'a str),
    List,
    Object,
}

impl Cell<'_> {
    /// What the value is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Cell::Missing => "empty",
            Cell::Bool(_) => "a true/false value",
            Cell::Number(_) => "a number",
            Cell::Text(_) => "text",
            Cell::List => "a list",
            Cell::Object => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Text(v))
    }
    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::Missing)
    }
    fn visit_none<E>(self) -> Result<Loose, E> {
        Ok(Loose::Missing)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
        Loose::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Loose::List)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Loose>()? {
            fields.push((key, value));
        }
        Ok(Loose::Object(fields))
    }
}

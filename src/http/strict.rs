//! What serde_json accepts but a SOAP call must not: a JSON object with the same key twice
//! (serde_json keeps the last one silently, so `{"id":1,"id":2}` would call with 2), and
//! characters XML 1.0 cannot carry (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+FFFE,
//! U+FFFF), which would reach the envelope raw and make the backend fail to parse it.
//!
//! The body is scanned once more after serde_json has parsed it, by a visitor that keeps
//! nothing but the path to where it is: cheap next to the parse, and the parsed value stays
//! serde_json's (arbitrary-precision numbers included). Lone surrogates never get here:
//! serde_json refuses them as malformed JSON.
//!
//! May import nothing from soapbridge.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Why a request value is refused, with the RFC 6901 pointer of its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The object at `pointer` has `key` twice.
    DuplicateKey { pointer: String, key: String },
    /// The string (or key) at `pointer` holds `ch`.
    Forbidden { pointer: String, ch: char },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::DuplicateKey { pointer, key } => write!(
                f,
                "the key `{key}` appears more than once in the object at `{pointer}`; give each field once"
            ),
            Refusal::Forbidden { pointer, ch } => write!(
                f,
                "the value at `{pointer}` holds the character U+{:04X}, which XML 1.0 cannot carry; remove it",
                u32::from(*ch)
            ),
        }
    }
}

pub use crate::xmlutil::forbidden_char;

/// Checks a body serde_json has already parsed: `Ok` when no object repeats a key and no
/// string holds a forbidden character.
pub fn check(bytes: &[u8]) -> Result<(), Refusal> {
    let mut path = Vec::new();
    let mut found = None;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let _ = Scan {
        path: &mut path,
        found: &mut found,
    }
    .deserialize(&mut de);
    found.map_or(Ok(()), Err)
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

struct Scan<'p> {
    path: &'p mut Vec<String>,
    found: &'p mut Option<Refusal>,
}

impl Scan<'_> {
    fn refuse<E: de::Error>(&mut self, r: Refusal) -> E {
        *self.found = Some(r);
        E::custom("refused")
    }

    fn text<E: de::Error>(&mut self, s: &str) -> Result<(), E> {
        match forbidden_char(s) {
            Some(ch) => {
                let pointer = pointer(self.path);
                Err(self.refuse(Refusal::Forbidden { pointer, ch }))
            }
            None => Ok(()),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Scan<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(mut self, s: &str) -> Result<(), E> {
        self.text(s)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            self.path.push(i.to_string());
            let next = seq.next_element_seed(Scan {
                path: self.path,
                found: self.found,
            });
            self.path.pop();
            if next?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            self.path.push(key.clone());
            self.text::<A::Error>(&key)?;
            self.path.pop();
            if !seen.insert(key.clone()) {
                let pointer = pointer(self.path);
                return Err(self.refuse(Refusal::DuplicateKey { pointer, key }));
            }
            self.path.push(key);
            let r = map.next_value_seed(Scan {
                path: self.path,
                found: self.found,
            });
            self.path.pop();
            r?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(json: &str) -> Option<Refusal> {
        serde_json::from_str::<serde_json::Value>(json).expect("valid JSON");
        check(json.as_bytes()).err()
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth_with_their_object() {
        assert_eq!(
            refusal(r#"{"customerId":1,"customerId":2}"#),
            Some(Refusal::DuplicateKey {
                pointer: String::new(),
                key: "customerId".into()
            })
        );
        assert_eq!(
            refusal(r#"{"line":[{"sku":"A"},{"sku":"B","sku":"C"}]}"#),
            Some(Refusal::DuplicateKey {
                pointer: "/line/1".into(),
                key: "sku".into()
            })
        );
        // The same key in sibling objects is fine; so are numbers of any precision.
        assert_eq!(
            refusal(r#"{"a":{"x":1},"b":{"x":12345678901234567890.123456789}}"#),
            None
        );
    }

    #[test]
    fn characters_xml_forbids_are_found_in_values_and_keys() {
        assert_eq!(
            refusal(r#"{"name":"a\u0000b"}"#),
            Some(Refusal::Forbidden {
                pointer: "/name".into(),
                ch: '\0'
            })
        );
        assert_eq!(
            refusal(r#"{"a/b":["ok","\u000b"]}"#),
            Some(Refusal::Forbidden {
                pointer: "/a~1b/1".into(),
                ch: '\u{B}'
            })
        );
        assert_eq!(
            refusal(r#"{"k\u001f":1}"#),
            Some(Refusal::Forbidden {
                pointer: "/k\u{1f}".into(),
                ch: '\u{1F}'
            })
        );
        assert_eq!(
            refusal(r#"{"t":"tab\tnewline\ncr\r\u00e9\ud83d\ude00"}"#),
            None
        );
        assert_eq!(forbidden_char("x\u{FFFE}"), Some('\u{FFFE}'));
        assert_eq!(forbidden_char("\u{FFFD}\u{10FFFF}"), None);
    }
}

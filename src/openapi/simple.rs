//! Simple types as JSON Schema: each built-in's type and format, the facets (enumerations,
//! patterns as ECMA-262, lengths, bounds), lists as arrays and unions as `anyOf`.
//!
//! May import: `translate::scalar`, `wsdl`, and the sibling files of `openapi`; nothing above.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::translate::scalar;
use crate::wsdl::{Builtin, JsonKind, TypeId, Variety};

use super::components::Gen;

impl Gen<'_> {
    /// A simple type written out: built-in, facets, list or union.
    pub(super) fn simple_schema(&mut self, s: usize, ty: TypeId) -> Value {
        let schema = self.schemas[s];
        let Some(st) = schema.simple(ty) else {
            return json!({});
        };
        let f = &st.facets;
        let enumeration = |m: &mut Map<String, Value>| {
            if !f.enumeration.is_empty() {
                let values: Vec<Value> = f
                    .enumeration
                    .iter()
                    .map(|v| {
                        scalar::to_json(schema, ty, v)
                            .unwrap_or_else(|_| Value::String(v.to_string()))
                    })
                    .collect();
                m.insert("enum".into(), Value::Array(values));
            }
        };
        match &st.variety {
            Variety::List(item) => {
                let items = self.type_schema(s, *item, "item");
                let mut m = Map::new();
                m.insert("type".into(), json!("array"));
                m.insert("items".into(), items);
                if let Some(n) = f.length {
                    m.insert("minItems".into(), json!(n));
                    m.insert("maxItems".into(), json!(n));
                }
                if let Some(n) = f.min_length {
                    m.insert("minItems".into(), json!(n));
                }
                if let Some(n) = f.max_length {
                    m.insert("maxItems".into(), json!(n));
                }
                enumeration(&mut m);
                Value::Object(m)
            }
            Variety::Union(members) => {
                let alts: Vec<Value> = members
                    .iter()
                    .map(|t| self.type_schema(s, *t, "member"))
                    .collect();
                let mut m = Map::new();
                if !alts.is_empty() {
                    m.insert("anyOf".into(), Value::Array(alts));
                }
                enumeration(&mut m);
                Value::Object(m)
            }
            Variety::Atomic => {
                let b = st.builtin;
                let mut m = builtin_schema(b);
                if !f.enumeration.is_empty() {
                    enumeration(&mut m);
                    return Value::Object(m);
                }
                for p in &f.patterns {
                    if p.regex.is_some()
                        && let Some(ecma) = ecma_pattern(&p.source)
                    {
                        add_pattern(&mut m, ecma);
                    }
                }
                let text_length = matches!(b.json_kind(), JsonKind::String)
                    && !matches!(b, Builtin::Base64Binary);
                let scale = if b == Builtin::HexBinary { 2 } else { 1 };
                if text_length {
                    if let Some(n) = f.length {
                        m.insert("minLength".into(), json!(n.saturating_mul(scale)));
                        m.insert("maxLength".into(), json!(n.saturating_mul(scale)));
                    }
                    if let Some(n) = f.min_length {
                        m.insert("minLength".into(), json!(n.saturating_mul(scale)));
                    }
                    if let Some(n) = f.max_length {
                        m.insert("maxLength".into(), json!(n.saturating_mul(scale)));
                    }
                }
                if matches!(b.json_kind(), JsonKind::Integer | JsonKind::Number) {
                    let bound = |text: &Option<Arc<str>>| {
                        text.as_ref()
                            .and_then(|t| scalar::to_json(schema, ty, t).ok())
                            .filter(Value::is_number)
                    };
                    for (facet, key) in [
                        (&f.min_inclusive, "minimum"),
                        (&f.max_inclusive, "maximum"),
                        (&f.min_exclusive, "exclusiveMinimum"),
                        (&f.max_exclusive, "exclusiveMaximum"),
                    ] {
                        if let Some(v) = bound(facet) {
                            m.insert(key.into(), v);
                        }
                    }
                }
                Value::Object(m)
            }
        }
    }
}

fn builtin_schema(b: Builtin) -> Map<String, Value> {
    use Builtin::*;
    let mut m = Map::new();
    match b.json_kind() {
        JsonKind::Boolean => {
            m.insert("type".into(), json!("boolean"));
        }
        JsonKind::Integer => {
            m.insert("type".into(), json!("integer"));
            match b {
                Long => {
                    m.insert("format".into(), json!("int64"));
                }
                Int => {
                    m.insert("format".into(), json!("int32"));
                }
                _ => {}
            }
            let (lo, hi) = b.integer_bounds();
            if let Some(lo) = lo {
                m.insert("minimum".into(), int(lo));
            }
            if let Some(hi) = hi {
                m.insert("maximum".into(), int(hi));
            }
        }
        JsonKind::Number => {
            m.insert("type".into(), json!("number"));
            let format = match b {
                Float => "float",
                Double => "double",
                _ => "decimal",
            };
            m.insert("format".into(), json!(format));
        }
        JsonKind::String => {
            m.insert("type".into(), json!("string"));
            match b {
                DateTime => {
                    m.insert("format".into(), json!("date-time"));
                }
                Date => {
                    m.insert("format".into(), json!("date"));
                }
                Time => {
                    m.insert("format".into(), json!("time"));
                }
                Duration => {
                    m.insert("format".into(), json!("duration"));
                }
                AnyUri => {
                    m.insert("format".into(), json!("uri-reference"));
                }
                Base64Binary => {
                    m.insert("contentEncoding".into(), json!("base64"));
                }
                HexBinary => {
                    m.insert("pattern".into(), json!("^(?:[0-9a-fA-F]{2})*$"));
                }
                _ => {}
            }
        }
    }
    m
}

fn int(i: i128) -> Value {
    if let Ok(v) = i64::try_from(i) {
        Value::from(v)
    } else if let Ok(v) = u64::try_from(i) {
        Value::from(v)
    } else {
        serde_json::from_str(&i.to_string()).unwrap_or(Value::Null)
    }
}

fn add_pattern(m: &mut Map<String, Value>, pattern: String) {
    if !m.contains_key("pattern") {
        m.insert("pattern".into(), Value::String(pattern));
        return;
    }
    let all = m.entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = all {
        items.push(json!({ "pattern": pattern }));
    }
}

/// An XSD pattern as an anchored ECMA-262 regular expression (what JSON Schema uses), or
/// `None` for constructs ECMA-262 lacks (class subtraction, Unicode block names).
pub fn ecma_pattern(xsd: &str) -> Option<String> {
    crate::wsdl::xsd_regex(xsd, crate::wsdl::RegexDialect::Ecma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_become_anchored_ecma_regexes() {
        assert_eq!(
            ecma_pattern("[A-Z]{3}-[0-9]{4}").as_deref(),
            Some("^(?:[A-Z]{3}-[0-9]{4})$")
        );
        assert_eq!(ecma_pattern("a$b^").as_deref(), Some("^(?:a\\$b\\^)$"));
        assert_eq!(
            ecma_pattern("\\i\\c*").as_deref(),
            Some("^(?:[_:A-Za-z][\\-._:A-Za-z0-9]*)$")
        );
        assert_eq!(ecma_pattern("a\\-b").as_deref(), Some("^(?:a-b)$"));
        assert_eq!(ecma_pattern("[a\\-z]").as_deref(), Some("^(?:[a\\-z])$"));
        assert_eq!(ecma_pattern("\\p{Lu}+").as_deref(), Some("^(?:\\p{Lu}+)$"));
        assert_eq!(ecma_pattern("[a-z-[aeiou]]"), None);
        assert_eq!(ecma_pattern("\\p{IsBasicLatin}"), None);
        assert_eq!(ecma_pattern("a\\"), None);
    }
}

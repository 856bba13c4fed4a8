//! Small builders of JSON Schema values, shared by the files of `openapi`.
//!
//! May import: nothing of the crate.

use serde_json::{Value, json};

pub(super) fn array_of(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

/// `v` or `null` (for nillable elements).
pub(super) fn nullable(v: Value) -> Value {
    let Value::Object(mut m) = v else {
        return v;
    };
    if m.is_empty() {
        // `{}` already allows null.
        return Value::Object(m);
    }
    let combined = ["$ref", "oneOf", "anyOf", "allOf", "not", "const"]
        .iter()
        .any(|k| m.contains_key(*k));
    if !combined && let Some(Value::String(t)) = m.get("type").cloned() {
        m.insert("type".into(), json!([t, "null"]));
        if let Some(Value::Array(values)) = m.get_mut("enum") {
            values.push(Value::Null);
        }
        return Value::Object(m);
    }
    json!({ "oneOf": [Value::Object(m), { "type": "null" }] })
}

/// Adds a keyword to a schema object (beside a `$ref` too: 3.1 allows it).
pub(super) fn set(v: &mut Value, key: &str, value: Value) {
    if let Value::Object(m) = v {
        m.insert(key.to_owned(), value);
    }
}

pub(super) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_keeps_one_schema_when_it_can() {
        assert_eq!(
            nullable(json!({"type": "string", "format": "date-time"})),
            json!({"type": ["string", "null"], "format": "date-time"})
        );
        assert_eq!(
            nullable(json!({"type": "string", "enum": ["A"]})),
            json!({"type": ["string", "null"], "enum": ["A", null]})
        );
        assert_eq!(
            nullable(json!({"$ref": "#/components/schemas/X"})),
            json!({"oneOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})
        );
        assert_eq!(nullable(json!({})), json!({}));
    }
}

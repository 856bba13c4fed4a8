//! Scalars: the XSD built-ins as GraphQL's own scalars or as custom ones that keep the REST
//! face's JSON exact (docs/json-xml.md), and JSON ⇄ GraphQL values without losing digits.
//!
//! ```text
//! boolean                                        Boolean
//! int short byte unsignedShort unsignedByte      Int       (fits 32 bits)
//! long integer unsignedInt unsignedLong …        Long      exact JSON number
//! decimal                                        Decimal   exact JSON number
//! float double                                   Float     (INF, -INF, NaN stay strings)
//! dateTime date time                             DateTime Date Time   ISO text, as in XSD
//! base64Binary                                   Base64    text
//! xsd:anyType, unions, anything else unshaped    JSON      any JSON value
//! every other simple type                        String
//! ```
//!
//! May import `wsdl` (the built-ins); nothing above.

use async_graphql::dynamic::Scalar;
use async_graphql::{Name, Value};
use indexmap::IndexMap;

use crate::wsdl::Builtin;

pub const DECIMAL: &str = "Decimal";
pub const LONG: &str = "Long";
pub const DATE_TIME: &str = "DateTime";
pub const DATE: &str = "Date";
pub const TIME: &str = "Time";
pub const BASE64: &str = "Base64";
pub const JSON: &str = "JSON";

/// The names of every scalar, built-in or custom (no type may take them).
pub const ALL: &[&str] = &[
    "Int", "Float", "String", "Boolean", "ID", DECIMAL, LONG, DATE_TIME, DATE, TIME, BASE64, JSON,
];

/// The GraphQL scalar of an XSD built-in.
pub fn of_builtin(b: Builtin) -> &'static str {
    use Builtin::*;
    match b {
        Boolean => "Boolean",
        Int | Short | Byte | UnsignedShort | UnsignedByte => "Int",
        Long | Integer | NonPositiveInteger | NegativeInteger | NonNegativeInteger
        | PositiveInteger | UnsignedInt | UnsignedLong => LONG,
        Decimal => DECIMAL,
        Float | Double => "Float",
        DateTime => DATE_TIME,
        Date => DATE,
        Time => TIME,
        Base64Binary => BASE64,
        _ => "String",
    }
}

/// The custom scalars, with their descriptions and what they accept.
pub fn custom() -> Vec<Scalar> {
    vec![
        Scalar::new(DECIMAL)
            .description(
                "xsd:decimal: an exact JSON number (every digit kept, never a float). \
                 As an input, a number or a string holding one.",
            )
            .validator(|v| is_number(v, false)),
        Scalar::new(LONG)
            .description(
                "An XSD integer wider than 32 bits (xsd:long, xsd:integer, xsd:unsignedLong…): \
                 an exact JSON number. As an input, a number or a string holding one.",
            )
            .validator(|v| is_number(v, true)),
        Scalar::new(DATE_TIME)
            .description("xsd:dateTime, as XSD writes it (`2024-05-01T10:00:00Z`).")
            .specified_by_url("https://www.w3.org/TR/xmlschema11-2/#dateTime")
            .validator(is_string),
        Scalar::new(DATE)
            .description("xsd:date, as XSD writes it (`2024-05-01`).")
            .specified_by_url("https://www.w3.org/TR/xmlschema11-2/#date")
            .validator(is_string),
        Scalar::new(TIME)
            .description("xsd:time, as XSD writes it (`10:00:00`).")
            .specified_by_url("https://www.w3.org/TR/xmlschema11-2/#time")
            .validator(is_string),
        Scalar::new(BASE64)
            .description("xsd:base64Binary: the bytes as base64 text.")
            .validator(is_string),
        Scalar::new(JSON).description(
            "Any JSON value: xsd:anyType content, unions, and XML the contract leaves open \
             (kept as soapbridge's REST face writes it).",
        ),
    ]
}

fn is_string(v: &Value) -> bool {
    matches!(v, Value::String(_))
}

/// A number (an integer when `integer`), or text holding one.
fn is_number(v: &Value, integer: bool) -> bool {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return false,
    };
    let digits = text.strip_prefix(['-', '+']).unwrap_or(&text);
    if integer {
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    } else {
        serde_json::from_str::<serde_json::Number>(&text).is_ok()
            || (digits.contains('.')
                && digits.len() > 1
                && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && digits.bytes().filter(|b| *b == b'.').count() == 1)
    }
}

/// A JSON value as a GraphQL value, numbers kept exactly.
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => Value::Number(n.clone()),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::List(items.iter().map(from_json).collect()),
        serde_json::Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (Name::new(k), from_json(v)))
                .collect::<IndexMap<_, _>>(),
        ),
    }
}

/// A GraphQL value as JSON, numbers kept exactly (enum values become their names).
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Boolean(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::Value::Number(n.clone()),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Enum(e) => serde_json::Value::String(e.to_string()),
        Value::Binary(b) => serde_json::Value::Array(b.iter().map(|x| (*x).into()).collect()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Object(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect())
        }
    }
}

/// A `Decimal` or `Long` input as a JSON number: a string holding one becomes that number
/// (exactly), anything else stays as given (the encoder says what is wrong with it).
pub fn number_input(v: &Value) -> serde_json::Value {
    if let Value::String(s) = v {
        let t = s.trim();
        let t = t.strip_prefix('+').unwrap_or(t);
        let t = if t.starts_with('.') {
            format!("0{t}")
        } else if let Some(rest) = t.strip_prefix("-.") {
            format!("-0.{rest}")
        } else {
            t.to_owned()
        };
        if let Ok(n) = serde_json::from_str::<serde_json::Number>(&t) {
            return serde_json::Value::Number(n);
        }
    }
    to_json(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_every_digit_both_ways() {
        let j: serde_json::Value = serde_json::from_str(
            r#"{"d": 12345678901234567890.000000000001, "l": 9007199254740993}"#,
        )
        .expect("json");
        let g = from_json(&j);
        assert_eq!(to_json(&g).to_string(), j.to_string());
        assert_eq!(
            number_input(&Value::String("0.10000000000000000000001".into())).to_string(),
            "0.10000000000000000000001"
        );
        assert_eq!(number_input(&Value::String(".5".into())).to_string(), "0.5");
    }

    #[test]
    fn number_scalars_accept_numbers_and_numeric_text_only() {
        let n = |s: &str| Value::Number(serde_json::from_str(s).expect("number"));
        assert!(is_number(&n("1.50"), false));
        assert!(is_number(&Value::String("-0.5".into()), false));
        assert!(is_number(&Value::String("12".into()), true));
        assert!(!is_number(&Value::String("1.5".into()), true));
        assert!(!is_number(&Value::String("abc".into()), false));
        assert!(!is_number(&Value::Boolean(true), false));
    }
}

//! XSD simple values ⇄ JSON values.
//!
//! ```text
//! JSON value ──to_lexical──> XSD lexical text (validated: type, range, facets)
//! XSD text   ──to_json─────> JSON value (numbers exact, booleans, strings kept as written)
//! a string   ──coerce──────> JSON value (path, query and header values are text)
//! ```
//!
//! Numbers never pass through `f64`: serde_json keeps their digits (`arbitrary_precision`),
//! and decimal arithmetic here is on digit strings, so `xsd:decimal` and `xsd:long` are exact.
//!
//! This module dispatches on the type's variety (list, union, atomic) and JSON kind; the
//! pieces live beside it:
//!
//! ```text
//! decimal.rs  exact decimals on digit strings (Decimal, cmp_decimal)
//! facets.rs   integer bounds, lexical forms, declared facets
//! lexical.rs  lexical spaces of dates, times, durations, base64 and hex
//! ```
//!
//! May import: `wsdl` and its own submodules; nothing above.

mod decimal;
mod facets;
pub mod lexical;

use serde_json::{Number, Value};

pub use self::decimal::{Decimal, cmp_decimal};
use self::facets::{check_facets, check_integer_bounds, check_string_lexical};
use crate::wsdl::{Builtin, JsonKind, Schema, SimpleType, TypeId, Variety};

/// A value that does not fit its XSD type. `expected` names the type (`xsd:int`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalarError {
    pub expected: String,
    pub reason: String,
}

impl std::fmt::Display for ScalarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}: {}", self.expected, self.reason)
    }
}

fn err(schema: &Schema, ty: TypeId, reason: impl Into<String>) -> ScalarError {
    ScalarError {
        expected: schema.type_label(ty),
        reason: reason.into(),
    }
}

/// The JSON type name of a value, for messages.
pub fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn simple(schema: &Schema, ty: TypeId) -> Option<&SimpleType> {
    schema.simple(ty)
}

/// JSON → XSD lexical form of the simple type `ty`, checked against the type and its facets.
pub fn to_lexical(schema: &Schema, ty: TypeId, v: &Value) -> Result<String, ScalarError> {
    let Some(st) = simple(schema, ty) else {
        // A complex type reaching here has simple content handled by the caller; be lenient.
        return plain_text(v).ok_or_else(|| err(schema, ty, "a scalar value is required"));
    };
    match &st.variety {
        Variety::List(item) => {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                Value::String(s) if s.trim().is_empty() => Vec::new(),
                other => vec![other],
            };
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(to_lexical(schema, *item, i)?);
            }
            let text = out.join(" ");
            check_facets(schema, ty, st, &text, Some(out.len()))?;
            Ok(text)
        }
        Variety::Union(members) => {
            let mut last = None;
            for m in members {
                match to_lexical(schema, *m, v) {
                    Ok(text) => {
                        check_facets(schema, ty, st, &text, None)?;
                        return Ok(text);
                    }
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| err(schema, ty, "no member type accepts the value")))
        }
        Variety::Atomic => {
            let text = atomic_to_lexical(schema, ty, st.builtin, v)?;
            check_facets(schema, ty, st, &text, None)?;
            Ok(text)
        }
    }
}

fn plain_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn atomic_to_lexical(
    schema: &Schema,
    ty: TypeId,
    b: Builtin,
    v: &Value,
) -> Result<String, ScalarError> {
    let wrong = || err(schema, ty, format!("got {}", json_type_name(v)));
    match b.json_kind() {
        JsonKind::Boolean => match v {
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(wrong()),
        },
        JsonKind::Integer => match v {
            // A JSON integer that fits 64 bits, the usual case: checked and written as an
            // integer, with no decimal text in between.
            Value::Number(n)
                if let Some(i) = n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)) =>
            {
                facets::check_integer_value(schema, ty, b, i)?;
                // JSON's text of an integer is its canonical form, but for `-0`.
                Ok(if decimal::is_canonical(n.as_str(), false) {
                    n.as_str().to_owned()
                } else {
                    i.to_string()
                })
            }
            Value::Number(n) => {
                let mut d = Decimal::parse(&n.to_string())
                    .ok_or_else(|| err(schema, ty, format!("`{n}` is not a number")))?;
                // `1.0` and `1e3` are integers written the way some JSON encoders write them.
                if !d.frac.bytes().all(|c| c == b'0') {
                    return Err(err(schema, ty, format!("`{n}` is not an integer")));
                }
                d.frac.clear();
                check_integer_bounds(schema, ty, b, &d)?;
                Ok(d.to_string())
            }
            _ => Err(wrong()),
        },
        JsonKind::Number => match (b, v) {
            (Builtin::Float | Builtin::Double, Value::String(s))
                if matches!(s.as_str(), "INF" | "-INF" | "NaN" | "+INF") =>
            {
                Ok(s.trim_start_matches('+').to_owned())
            }
            (Builtin::Decimal, Value::Number(n)) if decimal::is_canonical(n.as_str(), true) => {
                Ok(n.as_str().to_owned())
            }
            (Builtin::Decimal, Value::Number(n)) => Decimal::parse(&n.to_string())
                .map(|d| d.to_string())
                .ok_or_else(|| err(schema, ty, format!("`{n}` is not a decimal"))),
            (_, Value::Number(n)) => {
                let text = n.to_string();
                match text.parse::<f64>() {
                    Ok(f) if f.is_finite() => Ok(text),
                    _ => Err(err(schema, ty, format!("`{n}` is out of range"))),
                }
            }
            _ => Err(wrong()),
        },
        JsonKind::String => match v {
            Value::String(s) => {
                check_string_lexical(schema, ty, b, s)?;
                Ok(s.clone())
            }
            // anySimpleType takes any scalar as text.
            Value::Number(_) | Value::Bool(_) if b == Builtin::AnySimpleType => {
                Ok(plain_text(v).unwrap_or_default())
            }
            _ => Err(wrong()),
        },
    }
}

/// XSD lexical text → JSON, for a value read from a backend.
pub fn to_json(schema: &Schema, ty: TypeId, text: &str) -> Result<Value, ScalarError> {
    let Some(st) = simple(schema, ty) else {
        return Ok(Value::String(text.to_owned()));
    };
    match &st.variety {
        Variety::List(item) => {
            let mut out = Vec::new();
            for part in text.split_whitespace() {
                out.push(to_json(schema, *item, part)?);
            }
            Ok(Value::Array(out))
        }
        Variety::Union(members) => {
            // The first member whose lexical space holds the text decides the JSON type.
            for m in members {
                if let Ok(v) = to_json(schema, *m, text)
                    && !matches!(v, Value::String(_))
                {
                    return Ok(v);
                }
            }
            Ok(Value::String(text.to_owned()))
        }
        Variety::Atomic => atomic_to_json(schema, ty, st.builtin, text),
    }
}

fn atomic_to_json(
    schema: &Schema,
    ty: TypeId,
    b: Builtin,
    text: &str,
) -> Result<Value, ScalarError> {
    match b.json_kind() {
        JsonKind::String => Ok(Value::String(text.to_owned())),
        JsonKind::Boolean => match text.trim() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            other => Err(err(schema, ty, format!("`{other}` is not a boolean"))),
        },
        JsonKind::Integer => {
            let t = text.trim();
            // The usual integer, one that fits 64 bits: no decimal text in between (the
            // same number: `+7`, `007` and `-0` print as 7, 7 and 0 either way).
            if let Ok(i) = t.parse::<i64>() {
                return Ok(Value::Number(i.into()));
            }
            let d = Decimal::parse(t)
                .filter(|d| d.frac.is_empty() && !t.contains(['.', 'e', 'E']))
                .ok_or_else(|| err(schema, ty, format!("`{t}` is not an integer")))?;
            number(&d.to_string())
                .ok_or_else(|| err(schema, ty, format!("`{t}` is not an integer")))
        }
        JsonKind::Number => {
            let t = text.trim();
            if b != Builtin::Decimal && matches!(t, "INF" | "-INF" | "NaN" | "+INF") {
                // JSON has no infinities: keep the XSD spelling.
                return Ok(Value::String(t.trim_start_matches('+').to_owned()));
            }
            if b == Builtin::Decimal && t.contains(['e', 'E']) {
                return Err(err(schema, ty, format!("`{t}` is not a decimal")));
            }
            let d = Decimal::parse(t)
                .ok_or_else(|| err(schema, ty, format!("`{t}` is not a number")))?;
            let json = if b == Builtin::Decimal {
                d.to_string()
            } else {
                json_float_text(t).unwrap_or_else(|| d.to_string())
            };
            number(&json).ok_or_else(|| err(schema, ty, format!("`{t}` is not a number")))
        }
    }
}

/// [`to_json`] written as JSON text into `out`: the same text `serde_json` writes for the
/// value, without building it for strings, booleans and plain integers and decimals.
pub fn write_json(
    schema: &Schema,
    ty: TypeId,
    text: &str,
    out: &mut Vec<u8>,
) -> Result<(), ScalarError> {
    let Some(st) = simple(schema, ty) else {
        crate::translate::decode::write_str(text, out);
        return Ok(());
    };
    if let Variety::Atomic = st.variety {
        match st.builtin.json_kind() {
            JsonKind::String => {
                crate::translate::decode::write_str(text, out);
                return Ok(());
            }
            JsonKind::Boolean => {
                match trim(text) {
                    "true" | "1" => out.extend_from_slice(b"true"),
                    "false" | "0" => out.extend_from_slice(b"false"),
                    other => return Err(err(schema, ty, format!("`{other}` is not a boolean"))),
                }
                return Ok(());
            }
            JsonKind::Integer => {
                if plain_decimal(trim(text), false, out) {
                    return Ok(());
                }
            }
            JsonKind::Number if st.builtin == Builtin::Decimal => {
                if plain_decimal(trim(text), true, out) {
                    return Ok(());
                }
            }
            JsonKind::Number => {}
        }
    }
    let v = to_json(schema, ty, text)?;
    crate::translate::decode::write_value(&v, out);
    Ok(())
}

/// `text.trim()`, without the Unicode white-space search when the text starts and ends with
/// a visible ASCII character (a value read from XML nearly always does).
#[inline]
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(&a), Some(&z)) if visible_ascii(a) && visible_ascii(z) => text,
        _ => text.trim(),
    }
}

/// Not white space in any sense `str::trim` knows (all of which is below `!` or not ASCII).
#[inline]
fn visible_ascii(b: u8) -> bool {
    b > b' ' && b < 0x80
}

/// `text.trim().is_empty()`, cheaply for the usual texts: a value that starts with a
/// visible character, and the ASCII white space between elements.
#[inline]
pub fn blank(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(&a) if visible_ascii(a) => false,
        _ => {
            text.bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                || text.trim().is_empty()
        }
    }
}

/// `[+-]digits` (and `.digits` when `fraction`) written as [`Decimal`] prints it; `false`,
/// with nothing written, for any other form (exponents, bad text: the general path).
fn plain_decimal(t: &str, fraction: bool, out: &mut Vec<u8>) -> bool {
    // Already written as it prints: copied in one piece.
    if decimal::is_canonical(t, fraction) {
        out.extend_from_slice(t.as_bytes());
        return true;
    }
    let bytes = t.as_bytes();
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    // One pass over the bytes: digits and at most one `.` (when `fraction`).
    let mut dot = None;
    for (i, &c) in rest.iter().enumerate() {
        if c == b'.' && fraction && dot.is_none() {
            dot = Some(i);
        } else if !c.is_ascii_digit() {
            return false;
        }
    }
    let (int, frac) = match dot {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    if int.is_empty() && frac.is_empty() {
        return false;
    }
    let lead = int.iter().take_while(|&&c| c == b'0').count();
    let int = &int[lead..];
    let zero = int.is_empty() && frac.iter().all(|&c| c == b'0');
    out.reserve(int.len() + frac.len() + 3);
    if negative && !zero {
        out.push(b'-');
    }
    out.extend_from_slice(if int.is_empty() { b"0" } else { int });
    if !frac.is_empty() {
        out.push(b'.');
        out.extend_from_slice(frac);
    }
    true
}

/// An XSD float/double spelling as JSON number text (`+1.` → `1`, `.5E3` → `0.5E3`).
fn json_float_text(t: &str) -> Option<String> {
    let t = t.strip_prefix('+').unwrap_or(t);
    let (sign, rest) = match t.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", t),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let int = if int.is_empty() { "0" } else { int };
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut out = format!("{sign}{int}");
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if let Some(e) = exp {
        let e = e.strip_prefix('+').unwrap_or(e);
        out.push('e');
        out.push_str(e);
    }
    out.parse::<f64>().ok().filter(|f| f.is_finite())?;
    Some(out)
}

fn number(text: &str) -> Option<Value> {
    text.parse::<Number>().ok().map(Value::Number)
}

/// A string from a path segment, query parameter or header → the JSON value the schema
/// type wants (`"42"` → `42` for `xsd:int`, `"true"` → `true`), validated.
pub fn coerce(schema: &Schema, ty: TypeId, text: &str) -> Result<Value, ScalarError> {
    let Some(st) = simple(schema, ty) else {
        return Ok(Value::String(text.to_owned()));
    };
    let v = match &st.variety {
        Variety::List(item) => {
            let mut items = Vec::new();
            for part in text.split([',', ' ']).filter(|p| !p.is_empty()) {
                items.push(coerce(schema, *item, part)?);
            }
            return to_lexical(schema, ty, &Value::Array(items.clone()))
                .map(|_| Value::Array(items));
        }
        Variety::Union(_) => to_json(schema, ty, text)?,
        Variety::Atomic => match st.builtin.json_kind() {
            JsonKind::String => Value::String(text.to_owned()),
            JsonKind::Boolean => match text.trim() {
                "true" | "1" => Value::Bool(true),
                "false" | "0" => Value::Bool(false),
                other => {
                    return Err(err(
                        schema,
                        ty,
                        format!("`{other}` is not a boolean (use true or false)"),
                    ));
                }
            },
            JsonKind::Integer | JsonKind::Number => {
                match atomic_to_json(schema, ty, st.builtin, text)? {
                    Value::String(s) => Value::String(s),
                    v => v,
                }
            }
        },
    };
    to_lexical(schema, ty, &v)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_spellings_become_json_numbers() {
        assert_eq!(json_float_text("+1.").as_deref(), Some("1"));
        assert_eq!(json_float_text(".5E3").as_deref(), Some("0.5e3"));
        assert_eq!(json_float_text("-0012.50").as_deref(), Some("-12.50"));
        assert_eq!(json_float_text("1e999"), None);
    }
}

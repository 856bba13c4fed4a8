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

use std::cmp::Ordering;

use serde_json::{Number, Value};

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

fn check_integer_bounds(
    schema: &Schema,
    ty: TypeId,
    b: Builtin,
    d: &Decimal,
) -> Result<(), ScalarError> {
    let (lo, hi) = b.integer_bounds();
    let value = d.to_string();
    // Integers of up to 38 digits compare as i128; longer ones (xsd:integer) by digits.
    let order = |bound: i128| -> Option<Ordering> {
        if d.int.len() <= 38 {
            value.parse::<i128>().ok().map(|v| v.cmp(&bound))
        } else {
            cmp_decimal(&value, &bound.to_string())
        }
    };
    if let Some(lo) = lo
        && order(lo) == Some(Ordering::Less)
    {
        return Err(err(
            schema,
            ty,
            format!("{value} is below the minimum {lo}"),
        ));
    }
    if let Some(hi) = hi
        && order(hi) == Some(Ordering::Greater)
    {
        return Err(err(
            schema,
            ty,
            format!("{value} is above the maximum {hi}"),
        ));
    }
    Ok(())
}

fn check_string_lexical(
    schema: &Schema,
    ty: TypeId,
    b: Builtin,
    s: &str,
) -> Result<(), ScalarError> {
    let ok = match b {
        Builtin::DateTime => lexical::date_time(s),
        Builtin::Date => lexical::date(s),
        Builtin::Time => lexical::time(s),
        Builtin::GYear => lexical::g_year(s),
        Builtin::GYearMonth => lexical::g_year_month(s),
        Builtin::GMonthDay => lexical::g_month_day(s),
        Builtin::GDay => lexical::g_day(s),
        Builtin::GMonth => lexical::g_month(s),
        Builtin::Duration => lexical::duration(s),
        Builtin::Base64Binary => lexical::base64(s),
        Builtin::HexBinary => lexical::hex(s),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(err(
            schema,
            ty,
            format!("`{s}` is not a valid {}", b.xsd_name()),
        ))
    }
}

/// A range facet, the orderings that violate it, and how to say so.
type Bound<'a> = (&'a Option<std::sync::Arc<str>>, &'a [Ordering], &'a str);

fn check_facets(
    schema: &Schema,
    ty: TypeId,
    st: &SimpleType,
    text: &str,
    list_len: Option<usize>,
) -> Result<(), ScalarError> {
    let f = &st.facets;
    if f.is_empty() {
        return Ok(());
    }
    if !f.enumeration.is_empty() && !f.enumeration.iter().any(|e| &**e == text) {
        let allowed: Vec<&str> = f.enumeration.iter().take(20).map(|e| &**e).collect();
        let more = if f.enumeration.len() > 20 {
            format!(" (and {} more)", f.enumeration.len() - 20)
        } else {
            String::new()
        };
        return Err(err(
            schema,
            ty,
            format!(
                "`{text}` is not one of the allowed values: {}{more}",
                allowed.join(", ")
            ),
        ));
    }
    for p in &f.patterns {
        if let Some(re) = &p.regex
            && !re.is_match(text)
        {
            return Err(err(
                schema,
                ty,
                format!("`{text}` does not match the pattern `{}`", p.source),
            ));
        }
    }
    let binary = matches!(st.builtin, Builtin::Base64Binary | Builtin::HexBinary);
    let len = list_len.unwrap_or_else(|| text.chars().count());
    if !binary {
        let len = len as u64;
        if let Some(l) = f.length
            && len != l
        {
            return Err(err(schema, ty, format!("length {len} is not {l}")));
        }
        if let Some(l) = f.min_length
            && len < l
        {
            return Err(err(
                schema,
                ty,
                format!("length {len} is shorter than the minimum {l}"),
            ));
        }
        if let Some(l) = f.max_length
            && len > l
        {
            return Err(err(
                schema,
                ty,
                format!("length {len} is longer than the maximum {l}"),
            ));
        }
    }
    let numeric = matches!(st.builtin.json_kind(), JsonKind::Integer | JsonKind::Number);
    if numeric && list_len.is_none() {
        let bounds: [Bound<'_>; 4] = [
            (&f.min_inclusive, &[Ordering::Less], "below the minimum"),
            (&f.max_inclusive, &[Ordering::Greater], "above the maximum"),
            (
                &f.min_exclusive,
                &[Ordering::Less, Ordering::Equal],
                "not above",
            ),
            (
                &f.max_exclusive,
                &[Ordering::Greater, Ordering::Equal],
                "not below",
            ),
        ];
        for (bound, bad, what) in bounds {
            if let Some(bound) = bound
                && let Some(ord) = cmp_decimal(text, bound)
                && bad.contains(&ord)
            {
                return Err(err(schema, ty, format!("{text} is {what} {bound}")));
            }
        }
        if let Some(d) = Decimal::parse(text) {
            if let Some(total) = f.total_digits {
                let digits = d.int.trim_start_matches('0').len() + d.frac.len();
                if digits > total as usize {
                    return Err(err(
                        schema,
                        ty,
                        format!("{text} has more than {total} digits"),
                    ));
                }
            }
            if let Some(fd) = f.fraction_digits
                && d.frac.trim_end_matches('0').len() > fd as usize
            {
                return Err(err(
                    schema,
                    ty,
                    format!("{text} has more than {fd} fraction digits"),
                ));
            }
        }
    }
    Ok(())
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

// ----- exact decimal arithmetic on digit strings ------------------------------------------

/// A decimal number as sign and digit strings, exponent applied. `int` has no leading zeros
/// (empty for zero), `frac` keeps trailing zeros as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    pub negative: bool,
    pub int: String,
    pub frac: String,
}

/// Exponents beyond this are refused rather than expanded into huge digit strings.
const MAX_EXPONENT: i64 = 400;

impl Decimal {
    /// Parses XSD decimal/integer/float lexical forms and JSON numbers (`-1.50`, `+7`, `.5`,
    /// `1e3`). Returns `None` for anything else, including infinities.
    pub fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        let (negative, rest) = match t.as_bytes().first()? {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => {
                let e: i64 = rest[i + 1..].parse().ok()?;
                if e.abs() > MAX_EXPONENT {
                    return None;
                }
                (&rest[..i], e)
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().all(|c| c.is_ascii_digit()) || !frac.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut digits = format!("{int}{frac}");
        let mut point = int.len() as i64 + exp;
        if point < 0 {
            digits.insert_str(0, &"0".repeat(point.unsigned_abs() as usize));
            point = 0;
        }
        let point = point as usize;
        if point > digits.len() {
            digits.push_str(&"0".repeat(point - digits.len()));
        }
        let (i, f) = digits.split_at(point);
        let int = i.trim_start_matches('0').to_owned();
        // With an exponent the fraction's trailing zeros carry no intent.
        let frac = if exp != 0 {
            f.trim_end_matches('0').to_owned()
        } else {
            f.to_owned()
        };
        let zero = int.is_empty() && frac.bytes().all(|c| c == b'0');
        Some(Decimal {
            negative: negative && !zero,
            int,
            frac,
        })
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

/// Compares two decimal texts exactly. `None` when either is not a number.
pub fn cmp_decimal(a: &str, b: &str) -> Option<Ordering> {
    let a = Decimal::parse(a)?;
    let b = Decimal::parse(b)?;
    let abs = |x: &Decimal, y: &Decimal| -> Ordering {
        x.int
            .len()
            .cmp(&y.int.len())
            .then_with(|| x.int.cmp(&y.int))
            .then_with(|| {
                let n = x.frac.len().max(y.frac.len());
                let xf = format!("{:0<n$}", x.frac);
                let yf = format!("{:0<n$}", y.frac);
                xf.cmp(&yf)
            })
    };
    Some(match (a.negative, b.negative) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (false, false) => abs(&a, &b),
        (true, true) => abs(&b, &a),
    })
}

/// Lexical checks of the XSD date, time, duration and binary types.
pub mod lexical {
    fn digits(s: &str, n: usize) -> Option<u32> {
        if s.len() == n && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    }

    /// Strips an optional timezone (`Z`, `+hh:mm`, `-hh:mm`); `None` if it is malformed.
    fn strip_tz(s: &str) -> Option<&str> {
        if let Some(rest) = s.strip_suffix('Z') {
            return Some(rest);
        }
        if s.len() >= 6 {
            let (head, tz) = s.split_at(s.len() - 6);
            let b = tz.as_bytes();
            if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
                let h = digits(&tz[1..3], 2)?;
                let m = digits(&tz[4..6], 2)?;
                return (h < 14 || (h == 14 && m == 0))
                    .then_some(head)
                    .filter(|_| m < 60);
            }
        }
        Some(s)
    }

    fn year(s: &str) -> Option<i64> {
        let (neg, y) = match s.strip_prefix('-') {
            Some(y) => (true, y),
            None => (false, s),
        };
        if y.len() < 4
            || !y.bytes().all(|b| b.is_ascii_digit())
            || (y.len() > 4 && y.starts_with('0'))
        {
            return None;
        }
        let v: i64 = y.parse().ok()?;
        Some(if neg { -v } else { v })
    }

    /// Days in `month` of `year` (29 for February when the year is not known).
    pub fn days_in(month: u32, year: Option<i64>) -> u32 {
        match month {
            2 => match year {
                Some(y) if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
                Some(_) => 28,
                None => 29,
            },
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    fn ymd(s: &str) -> bool {
        // -?YYYY-MM-DD, the year may have more digits.
        let Some(cut) = s.len().checked_sub(6) else {
            return false;
        };
        if !s.is_char_boundary(cut) {
            return false;
        }
        let (y, md) = s.split_at(cut);
        let Some(y) = year(y) else { return false };
        let b = md.as_bytes();
        if b[0] != b'-' || b[3] != b'-' {
            return false;
        }
        match (digits(&md[1..3], 2), digits(&md[4..6], 2)) {
            (Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in(m, Some(y)),
            _ => false,
        }
    }

    fn hms(s: &str) -> bool {
        if s.len() < 8 {
            return false;
        }
        let (head, frac) = s.split_at(8);
        let b = head.as_bytes();
        if b[2] != b':' || b[5] != b':' {
            return false;
        }
        let (Some(h), Some(m), Some(sec)) = (
            digits(&head[0..2], 2),
            digits(&head[3..5], 2),
            digits(&head[6..8], 2),
        ) else {
            return false;
        };
        if !frac.is_empty() {
            let Some(f) = frac.strip_prefix('.') else {
                return false;
            };
            if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
                return false;
            }
        }
        (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0)
    }

    pub fn date_time(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        let Some(s) = strip_tz(s) else { return false };
        match s.split_once('T') {
            Some((d, t)) => ymd(d) && hms(t),
            None => false,
        }
    }

    pub fn date(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        strip_tz(s).is_some_and(ymd)
    }

    pub fn time(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        strip_tz(s).is_some_and(hms)
    }

    pub fn g_year(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        strip_tz(s).and_then(year).is_some()
    }

    pub fn g_year_month(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        let Some(s) = strip_tz(s) else { return false };
        let Some(cut) = s.len().checked_sub(3) else {
            return false;
        };
        let (y, m) = s.split_at(cut);
        year(y).is_some()
            && m.starts_with('-')
            && digits(&m[1..], 2).is_some_and(|m| (1..=12).contains(&m))
    }

    pub fn g_month_day(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        let Some(s) = strip_tz(s) else { return false };
        let b = s.as_bytes();
        if s.len() != 7 || !s.starts_with("--") || b[4] != b'-' {
            return false;
        }
        match (digits(&s[2..4], 2), digits(&s[5..7], 2)) {
            (Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in(m, None),
            _ => false,
        }
    }

    pub fn g_day(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        strip_tz(s).is_some_and(|s| {
            s.len() == 5
                && s.starts_with("---")
                && digits(&s[3..], 2).is_some_and(|d| (1..=31).contains(&d))
        })
    }

    pub fn g_month(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        strip_tz(s).is_some_and(|s| {
            s.len() == 4
                && s.starts_with("--")
                && digits(&s[2..], 2).is_some_and(|m| (1..=12).contains(&m))
        })
    }

    pub fn duration(s: &str) -> bool {
        if !s.is_ascii() {
            return false;
        }
        let s = s.strip_prefix('-').unwrap_or(s);
        let Some(rest) = s.strip_prefix('P') else {
            return false;
        };
        let (date, time) = match rest.split_once('T') {
            Some((d, t)) => {
                if t.is_empty() {
                    return false;
                }
                (d, Some(t))
            }
            None => (rest, None),
        };
        let mut any = false;
        let parse = |part: &str, units: &[u8], seconds: bool, any: &mut bool| -> bool {
            let mut num = String::new();
            let mut last = 0usize;
            for c in part.chars() {
                if c.is_ascii_digit() || (seconds && c == '.') {
                    num.push(c);
                    continue;
                }
                let Some(pos) = units.iter().position(|u| *u as char == c) else {
                    return false;
                };
                if num.is_empty() || pos < last || (num.contains('.') && c != 'S') {
                    return false;
                }
                last = pos + 1;
                num.clear();
                *any = true;
            }
            num.is_empty()
        };
        if !parse(date, b"YMD", false, &mut any) {
            return false;
        }
        if let Some(t) = time
            && !parse(t, b"HMS", true, &mut any)
        {
            return false;
        }
        any
    }

    pub fn base64(s: &str) -> bool {
        let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if !clean.len().is_multiple_of(4) {
            return false;
        }
        let pad = clean.iter().rev().take_while(|b| **b == b'=').count();
        pad <= 2
            && clean[..clean.len() - pad]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
    }

    pub fn hex(s: &str) -> bool {
        s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(
            Decimal::parse("12345.6789").expect("d").to_string(),
            "12345.6789"
        );
        assert_eq!(Decimal::parse("+007").expect("d").to_string(), "7");
        assert_eq!(Decimal::parse(".5").expect("d").to_string(), "0.5");
        assert_eq!(Decimal::parse("1e3").expect("d").to_string(), "1000");
        assert_eq!(Decimal::parse("1.25e-3").expect("d").to_string(), "0.00125");
        assert_eq!(Decimal::parse("-0.00").expect("d").to_string(), "0.00");
        assert_eq!(Decimal::parse("10.50").expect("d").to_string(), "10.50");
        assert_eq!(
            Decimal::parse("123456789012345678901234567890.123456789")
                .expect("d")
                .to_string(),
            "123456789012345678901234567890.123456789"
        );
        assert!(Decimal::parse("1e999999").is_none());
        assert!(Decimal::parse("abc").is_none());
        assert!(Decimal::parse("1.2.3").is_none());
        assert!(Decimal::parse("").is_none());
    }

    #[test]
    fn decimal_comparison() {
        assert_eq!(cmp_decimal("10", "9.99"), Some(Ordering::Greater));
        assert_eq!(cmp_decimal("-10", "-9"), Some(Ordering::Less));
        assert_eq!(cmp_decimal("1.50", "1.5"), Some(Ordering::Equal));
        assert_eq!(
            cmp_decimal("9223372036854775808", "9223372036854775807"),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn dates_and_times() {
        assert!(lexical::date_time("2024-01-15T10:30:00Z"));
        assert!(lexical::date_time("2024-05-06T07:08:09.123+02:00"));
        assert!(lexical::date_time("2024-02-29T00:00:00"));
        assert!(!lexical::date_time("2023-02-29T00:00:00"));
        assert!(!lexical::date_time("2024-13-01T00:00:00Z"));
        assert!(!lexical::date_time("2024-01-15 10:30:00"));
        assert!(!lexical::date_time("yesterday"));
        assert!(lexical::date("2024-01-15"));
        assert!(lexical::date("2024-01-15Z"));
        assert!(!lexical::date("2024-1-15"));
        assert!(lexical::time("23:59:59.5"));
        assert!(!lexical::time("25:00:00"));
        assert!(lexical::g_year("2024"));
        assert!(lexical::g_year_month("2024-12"));
        assert!(lexical::g_month_day("--02-29"));
        assert!(lexical::g_day("---31"));
        assert!(lexical::g_month("--12"));
        assert!(lexical::duration("P1Y2M3DT4H5M6.7S"));
        assert!(lexical::duration("-PT5M"));
        assert!(!lexical::duration("P"));
        assert!(!lexical::duration("PT"));
        assert!(!lexical::duration("P1S"));
        assert!(lexical::base64("SGVsbG8="));
        assert!(!lexical::base64("SGVsbG8"));
        assert!(lexical::hex("0aFF"));
        // Byte offsets used to land inside multi-byte characters: no panic, just `false`.
        for tricky in [
            "10:30:0€",
            "2024-01-01T10:00:00€€",
            "--€-1",
            "2024-€",
            "€",
            "P1€D",
            "---€",
            "--€",
        ] {
            let checks: [fn(&str) -> bool; 9] = [
                lexical::date_time,
                lexical::date,
                lexical::time,
                lexical::g_year,
                lexical::g_year_month,
                lexical::g_month_day,
                lexical::g_day,
                lexical::g_month,
                lexical::duration,
            ];
            for check in checks {
                assert!(!check(tricky), "{tricky}");
            }
        }
        assert!(!lexical::hex("0aF"));
    }

    #[test]
    fn float_spellings_become_json_numbers() {
        assert_eq!(json_float_text("+1.").as_deref(), Some("1"));
        assert_eq!(json_float_text(".5E3").as_deref(), Some("0.5e3"));
        assert_eq!(json_float_text("-0012.50").as_deref(), Some("-12.50"));
        assert_eq!(json_float_text("1e999"), None);
    }
}

//! Deterministic sample values that fit a schema type: what the mock backend answers, and
//! what `generate` and the docs show as examples.
//!
//! Values respect enumerations (the first value), patterns (the shortest matching text),
//! lengths and ranges. Optional fields are included down to a depth, repeated ones get one
//! item, recursion stops at the depth limit.
//!
//! May import `wsdl`, `translate`, `generate` (the words of a name).

use serde_json::{Map, Number, Value};

use crate::translate::scalar::{self, Decimal};
use crate::translate::{TYPE_KEY, VALUE_KEY};
use crate::wsdl::{
    Builtin, Content, JsonKind, Particle, Schema, SlotKind, Term, Type, TypeId, Variety, well_known,
};

/// Nesting depth below which optional content is still filled in.
const OPTIONAL_DEPTH: usize = 4;
/// Hard stop for recursive types.
const MAX_DEPTH: usize = 12;

pub struct Sampler<'s> {
    schema: &'s Schema,
    /// Values to use for fields of the same name (the mock echoes request values).
    pub echo: Map<String, Value>,
}

impl<'s> Sampler<'s> {
    pub fn new(schema: &'s Schema) -> Self {
        Self {
            schema,
            echo: Map::new(),
        }
    }

    /// A sample JSON value of `ty` (`key` names the field, for echo and readable strings).
    pub fn value(&self, ty: TypeId, key: &str) -> Value {
        self.value_at(ty, key, 0)
    }

    fn value_at(&self, ty: TypeId, key: &str, depth: usize) -> Value {
        if let Some(v) = self.echo.get(key)
            && !v.is_object()
            && !v.is_array()
            && scalar_fits(self.schema, ty, v)
        {
            return v.clone();
        }
        let schema = self.schema;
        match schema.ty(ty) {
            Type::Simple(_) => self.simple(ty, key),
            Type::Complex(_) if ty == well_known::ANY_TYPE => {
                Value::String(format!("{key} sample"))
            }
            Type::Complex(c) => {
                if let Some(a) = &c.array {
                    if depth >= MAX_DEPTH {
                        return Value::Array(Vec::new());
                    }
                    return Value::Array(vec![self.value_at(a.item, "item", depth + 1)]);
                }
                // An abstract type is sampled as its first concrete derived type.
                if c.is_abstract
                    && let Some(d) = c
                        .derived
                        .iter()
                        .find(|d| schema.complex(**d).is_some_and(|x| !x.is_abstract))
                {
                    let mut v = self.value_at(*d, key, depth);
                    if let (Value::Object(m), Some(name)) = (&mut v, schema.ty(*d).name()) {
                        let mut with = Map::new();
                        with.insert(TYPE_KEY.into(), Value::String(name.local.to_string()));
                        with.extend(std::mem::take(m));
                        return Value::Object(with);
                    }
                    return v;
                }
                let mut m = Map::new();
                for s in &c.slots {
                    if let SlotKind::Attribute(i) = s.kind {
                        let a = &c.attributes[i];
                        if a.required || depth < OPTIONAL_DEPTH {
                            let v = match a.fixed.as_ref().or(a.default.as_ref()) {
                                Some(d) => scalar::to_json(schema, a.ty, d)
                                    .unwrap_or_else(|_| self.simple(a.ty, &s.key)),
                                None => self.simple(a.ty, &s.key),
                            };
                            m.insert(s.key.to_string(), v);
                        }
                    }
                }
                match &c.content {
                    Content::Simple(st) => {
                        let v = self.simple(*st, key);
                        if c.attributes.is_empty() {
                            return v;
                        }
                        m.insert(VALUE_KEY.into(), v);
                    }
                    Content::Elements(p) => {
                        if depth < MAX_DEPTH {
                            self.particle(p, &c.slots, &mut m, depth, true);
                        }
                    }
                    Content::Empty => {}
                }
                Value::Object(m)
            }
        }
    }

    fn particle(
        &self,
        p: &Particle,
        slots: &[crate::wsdl::Slot],
        out: &mut Map<String, Value>,
        depth: usize,
        required_context: bool,
    ) {
        let required = required_context && p.min > 0;
        if !required && depth >= OPTIONAL_DEPTH {
            return;
        }
        match &p.term {
            Term::Element(e) => {
                let schema = self.schema;
                let mut decl = schema.element(*e);
                if decl.is_abstract {
                    match decl
                        .substitutes
                        .iter()
                        .find(|s| !schema.element(**s).is_abstract)
                    {
                        Some(s) => decl = schema.element(*s),
                        None => return,
                    }
                }
                let key = decl.name.local.to_string();
                if out.contains_key(&key) {
                    return;
                }
                let v = match decl.fixed.as_ref().or(decl.default.as_ref()) {
                    Some(d) => scalar::to_json(schema, decl.ty, d)
                        .unwrap_or_else(|_| self.value_at(decl.ty, &key, depth + 1)),
                    None => self.value_at(decl.ty, &key, depth + 1),
                };
                let repeated = slots.iter().any(|s| *s.key == *key && s.repeated);
                let v = if repeated {
                    let n = p.min.clamp(1, 3) as usize;
                    Value::Array(vec![v; n])
                } else {
                    v
                };
                out.insert(key, v);
            }
            Term::Sequence(items) | Term::All(items) => {
                for i in items {
                    self.particle(i, slots, out, depth, required);
                }
            }
            Term::Choice(items) => {
                // The first branch that has an element.
                if let Some(first) = items.first() {
                    let forced = Particle {
                        min: first.min.max(1),
                        max: first.max,
                        term: first.term.clone(),
                    };
                    self.particle(&forced, slots, out, depth, required);
                }
            }
            Term::Any(_) => {}
        }
    }

    fn simple(&self, ty: TypeId, key: &str) -> Value {
        let schema = self.schema;
        let Some(st) = schema.simple(ty) else {
            return Value::String(key.to_owned());
        };
        match &st.variety {
            Variety::List(item) => return Value::Array(vec![self.simple(*item, key)]),
            Variety::Union(members) => {
                return members
                    .first()
                    .map_or(Value::String(key.to_owned()), |m| self.simple(*m, key));
            }
            Variety::Atomic => {}
        }
        let f = &st.facets;
        if let Some(e) = f.enumeration.first() {
            return scalar::to_json(schema, ty, e).unwrap_or(Value::String(e.to_string()));
        }
        if let Some(p) = f.patterns.iter().find_map(|p| pattern_sample(&p.source))
            && scalar::to_lexical(schema, ty, &Value::String(p.clone())).is_ok()
        {
            return Value::String(p);
        }
        match st.builtin.json_kind() {
            JsonKind::Boolean => Value::Bool(true),
            JsonKind::Integer => {
                let candidate = clamp_decimal(
                    "42",
                    f.min_inclusive.as_deref(),
                    f.max_inclusive.as_deref(),
                    f.min_exclusive.as_deref(),
                    f.max_exclusive.as_deref(),
                    true,
                );
                let (lo, hi) = st.builtin.integer_bounds();
                let candidate = match (lo, hi) {
                    (Some(lo), _)
                        if scalar::cmp_decimal(&candidate, &lo.to_string())
                            == Some(std::cmp::Ordering::Less) =>
                    {
                        lo.to_string()
                    }
                    (_, Some(hi))
                        if scalar::cmp_decimal(&candidate, &hi.to_string())
                            == Some(std::cmp::Ordering::Greater) =>
                    {
                        hi.to_string()
                    }
                    _ => candidate,
                };
                number(&candidate)
            }
            JsonKind::Number => {
                let base = if st.builtin == Builtin::Decimal {
                    "123.45"
                } else {
                    "1.5"
                };
                let candidate = clamp_decimal(
                    base,
                    f.min_inclusive.as_deref(),
                    f.max_inclusive.as_deref(),
                    f.min_exclusive.as_deref(),
                    f.max_exclusive.as_deref(),
                    false,
                );
                let candidate = match f.fraction_digits {
                    Some(0) => candidate.split('.').next().unwrap_or("0").to_owned(),
                    _ => candidate,
                };
                number(&candidate)
            }
            JsonKind::String => Value::String(self.text(st.builtin, key, f)),
        }
    }

    fn text(&self, b: Builtin, key: &str, f: &crate::wsdl::Facets) -> String {
        let base = match b {
            Builtin::DateTime => "2024-01-15T10:30:00Z".to_owned(),
            Builtin::Date => "2024-01-15".to_owned(),
            Builtin::Time => "10:30:00".to_owned(),
            Builtin::GYear => "2024".to_owned(),
            Builtin::GYearMonth => "2024-01".to_owned(),
            Builtin::GMonthDay => "--01-15".to_owned(),
            Builtin::GDay => "---15".to_owned(),
            Builtin::GMonth => "--01".to_owned(),
            Builtin::Duration => "P1D".to_owned(),
            Builtin::Base64Binary => "c29hcGJyaWRnZQ==".to_owned(),
            Builtin::HexBinary => "0A0B0C".to_owned(),
            Builtin::AnyUri => "http://example.com/".to_owned(),
            Builtin::Language => "en".to_owned(),
            Builtin::Boolean => "true".to_owned(),
            _ => sample_text(key),
        };
        let binary = matches!(b, Builtin::Base64Binary | Builtin::HexBinary);
        if binary || !matches!(b.json_kind(), JsonKind::String) {
            return base;
        }
        fit_length(base, f)
    }
}

/// A readable sample string for a field: `customerName` → "sample customer name", and
/// plausible values for fields whose name says what they hold (email, phone, currency...).
fn sample_text(key: &str) -> String {
    let lower = key.to_ascii_lowercase();
    let known = [
        ("email", "jane.doe@example.com"),
        ("phone", "+1 555 0100"),
        ("currency", "EUR"),
        ("country", "US"),
        ("url", "https://example.com/"),
        ("city", "Springfield"),
        ("street", "1 Main Street"),
        ("postalcode", "12345"),
        ("zip", "12345"),
    ];
    if let Some((_, v)) = known.iter().find(|(k, _)| lower.ends_with(k)) {
        return (*v).to_owned();
    }
    if lower == "name" || lower.ends_with("fullname") || lower.ends_with("customername") {
        return "Jane Doe".to_owned();
    }
    let words = crate::generate::words(key).join(" ").to_lowercase();
    if words.is_empty() {
        "sample".into()
    } else {
        format!("sample {words}")
    }
}

fn fit_length(mut s: String, f: &crate::wsdl::Facets) -> String {
    let want_min = f.length.or(f.min_length).unwrap_or(0) as usize;
    let want_max = f.length.or(f.max_length).map_or(usize::MAX, |m| m as usize);
    while s.chars().count() < want_min {
        s.push('x');
    }
    if s.chars().count() > want_max {
        s = s.chars().take(want_max).collect();
    }
    s
}

fn number(text: &str) -> Value {
    text.parse::<Number>()
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// `candidate` moved into the range the facets allow.
fn clamp_decimal(
    candidate: &str,
    min_inc: Option<&str>,
    max_inc: Option<&str>,
    min_exc: Option<&str>,
    max_exc: Option<&str>,
    integer: bool,
) -> String {
    use std::cmp::Ordering::*;
    let mut c = candidate.to_owned();
    if let Some(m) = min_inc
        && scalar::cmp_decimal(&c, m) == Some(Less)
    {
        c = m.to_owned();
    }
    if let Some(m) = max_inc
        && scalar::cmp_decimal(&c, m) == Some(Greater)
    {
        c = m.to_owned();
    }
    if let Some(m) = min_exc
        && scalar::cmp_decimal(&c, m) != Some(Greater)
        && let Some(d) = Decimal::parse(m)
    {
        c = step(&d, integer, true);
    }
    if let Some(m) = max_exc
        && scalar::cmp_decimal(&c, m) != Some(Less)
        && let Some(d) = Decimal::parse(m)
    {
        c = step(&d, integer, false);
    }
    if integer {
        c = c.split('.').next().unwrap_or("0").to_owned();
    }
    c
}

/// The next (or previous) representable value after an exclusive bound.
fn step(d: &Decimal, integer: bool, up: bool) -> String {
    let base: i128 = format!(
        "{}{}",
        if d.negative { "-" } else { "" },
        if d.int.is_empty() { "0" } else { &d.int }
    )
    .parse()
    .unwrap_or(0);
    if integer || d.frac.is_empty() {
        return (if up { base + 1 } else { base - 1 }).to_string();
    }
    // Between a fractional bound and the next integer.
    if up {
        (base + if d.negative { 0 } else { 1 }).to_string()
    } else {
        (base - if d.negative { 1 } else { 0 }).to_string()
    }
}

/// The shortest text an XSD pattern matches, when the pattern is simple enough to walk.
pub fn pattern_sample(pattern: &str) -> Option<String> {
    let re = crate::wsdl::translate_pattern(pattern)?;
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(re.as_str())
        .ok()?;
    let mut out = String::new();
    if walk(&hir, &mut out) && re.is_match(&out) {
        Some(out)
    } else {
        None
    }
}

fn walk(h: &regex_syntax::hir::Hir, out: &mut String) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(s) => {
                out.push_str(s);
                true
            }
            Err(_) => false,
        },
        HirKind::Class(Class::Unicode(c)) => {
            // Prefer a letter or digit from the class, else its first character.
            let mut pick = None;
            for r in c.ranges() {
                for ch in [r.start(), r.end()] {
                    if ch.is_ascii_alphanumeric() {
                        pick = Some(ch);
                        break;
                    }
                }
                if pick.is_some() {
                    break;
                }
            }
            match pick.or_else(|| c.ranges().first().map(|r| r.start())) {
                Some(ch) => {
                    out.push(ch);
                    true
                }
                None => false,
            }
        }
        HirKind::Class(Class::Bytes(c)) => match c.ranges().first() {
            Some(r) => {
                out.push(char::from(r.start()));
                true
            }
            None => false,
        },
        HirKind::Repetition(r) => {
            let n = r.min;
            for _ in 0..n {
                if !walk(&r.sub, out) {
                    return false;
                }
            }
            true
        }
        HirKind::Capture(c) => walk(&c.sub, out),
        HirKind::Concat(items) => items.iter().all(|i| walk(i, out)),
        HirKind::Alternation(items) => items.first().is_some_and(|i| walk(i, out)),
    }
}

/// Whether a scalar JSON value is valid for `ty` (for echoing request values).
fn scalar_fits(schema: &Schema, ty: TypeId, v: &Value) -> bool {
    match schema.ty(ty) {
        Type::Simple(_) => scalar::to_lexical(schema, ty, v).is_ok(),
        Type::Complex(c) => match c.content {
            Content::Simple(st) if c.attributes.is_empty() => {
                scalar::to_lexical(schema, st, v).is_ok()
            }
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_give_matching_text() {
        assert_eq!(
            pattern_sample("[A-Z]{3}-[0-9]{4}").as_deref(),
            Some("AAA-0000")
        );
        assert_eq!(pattern_sample("\\d{5}").as_deref(), Some("00000"));
        assert_eq!(pattern_sample("(abc|de)+").as_deref(), Some("abc"));
    }

    #[test]
    fn field_names_read_as_words() {
        assert_eq!(sample_text("orderNote"), "sample order note");
        assert_eq!(sample_text("customerName"), "Jane Doe");
        assert_eq!(sample_text("billingEmail"), "jane.doe@example.com");
        assert_eq!(sample_text("postal_code"), "sample postal code");
    }

    #[test]
    fn ranges_are_respected() {
        assert_eq!(
            clamp_decimal("42", Some("100"), None, None, None, true),
            "100"
        );
        assert_eq!(
            clamp_decimal("42", None, Some("10"), None, None, true),
            "10"
        );
        assert_eq!(
            clamp_decimal("42", None, None, Some("42"), None, true),
            "43"
        );
        assert_eq!(clamp_decimal("42", None, None, None, Some("0"), true), "-1");
    }
}

//! Round-trip properties: any JSON value valid for a schema type survives encode → decode
//! unchanged, alone and inside a whole envelope (so this test module sits above `translate`
//! and `soap`, and borrows the mock's pattern sampler).
//!
//! ```text
//! schema type ──Gen (walks the type)──> JSON value ──Encoder──> XML ──Decoder──> JSON == value
//! ```
//!
//! The generators write every value in the one form the decoder reads back, so equality is
//! exact. These are the normalizations that form builds in (docs/json-xml.md):
//!
//! - a repeated element is always an array; none is `[]` (absent reads back as `[]`);
//! - an attribute with a default or fixed value is always given (reading fills it in);
//! - simple content of a type with attributes is always an object with `$value`;
//! - `null` only where the element is nillable (elsewhere it would mean "leave out");
//! - `$type` only for a type other than the declared one (the declared type reads back
//!   without it);
//! - numbers are built from digit strings and parsed by serde_json, as the decoder builds
//!   them: decimals without exponent and without negative zero, integers without leading
//!   zeros, floats with at most a two-digit exponent;
//! - items of a list type hold no whitespace and are not empty (items are space-separated);
//! - no `$any`, `$attributes` or `$text` (content the schema does not describe is covered by
//!   the unit tests), and no union types (the fixtures have none).
//!
//! Strings draw from ASCII, the XML-special characters, whitespace including tab, CR and LF,
//! and non-ASCII characters up to the astral planes; never an XML-invalid control character.

use crate::translate::scalar::lexical::days_in;
use std::borrow::Cow;
use std::sync::LazyLock;

use base64::Engine as _;
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::Config;
use serde_json::{Map, Number, Value};

use crate::soap::{self, Response};
use crate::translate::events::{Ev, Limits, LiveSource, Source};
use crate::translate::scalar::{self, Decimal};
use crate::translate::*;
use crate::wsdl::{
    self, Builtin, ComplexType, Content, ElemId, JsonKind, Location, Particle, QName, Schema,
    SimpleType, SlotKind, SoapVersion, Sources, Term, Type, TypeId, Variety, Wsdl, well_known,
};

static CONV: LazyLock<Wsdl> = LazyLock::new(|| {
    load(
        "conventions.wsdl",
        include_str!("../tests/fixtures/conventions.wsdl"),
    )
});

static CUSTOMERS: LazyLock<Wsdl> =
    LazyLock::new(|| load("customers.wsdl", include_str!("../wsdl/customers.wsdl")));

const CONV_NS: &str = "urn:conv";
const CUSTOMERS_NS: &str = "http://example.com/soapbridge/customers";

fn load(name: &str, text: &'static str) -> Wsdl {
    let mut sources = Sources::default();
    sources.memory.insert(name.into(), text);
    wsdl::load(&Location::Memory(name.into()), &sources).expect("fixture loads")
}

fn global_element(wsdl: &Wsdl, ns: &str, name: &str) -> ElemId {
    *wsdl
        .schema
        .global_elements
        .get(&QName::new(ns, name))
        .unwrap_or_else(|| panic!("no element {name}"))
}

fn global_type(wsdl: &Wsdl, ns: &str, name: &str) -> TypeId {
    *wsdl
        .schema
        .global_types
        .get(&QName::new(ns, name))
        .unwrap_or_else(|| panic!("no type {name}"))
}

/// `cases` per property, or `PROPTEST_CASES` when set (for a longer search).
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        // Failures are pinned as named regression tests in tests.rs instead.
        failure_persistence: None,
        ..Config::default()
    }
}

// ----- generators ------------------------------------------------------------------------

/// Deeper than this, optional content is left out and arrays are as short as allowed.
const MAX_DEPTH: usize = 6;

type Fields = Vec<(String, Value)>;

/// Strategies for the JSON of the types of one schema.
#[derive(Clone, Copy)]
struct Gen {
    schema: &'static Schema,
}

fn object(fields: Fields) -> Value {
    Value::Object(fields.into_iter().collect::<Map<String, Value>>())
}

fn flatten(parts: Vec<Fields>) -> Fields {
    parts.into_iter().flatten().collect()
}

fn num(text: &str) -> Value {
    Value::Number(
        text.parse::<Number>()
            .unwrap_or_else(|e| panic!("`{text}`: {e}")),
    )
}

impl Gen {
    fn new(wsdl: &'static Wsdl) -> Self {
        Self {
            schema: &wsdl.schema,
        }
    }

    /// The value of an element declaration: `null` sometimes when nillable.
    fn element(self, e: ElemId, depth: usize) -> BoxedStrategy<Value> {
        let d = self.schema.element(e);
        let value = self.typed(d.ty, depth);
        if d.nillable {
            prop_oneof![1 => Just(Value::Null), 4 => value].boxed()
        } else {
            value
        }
    }

    /// A value of `declared` or (with `$type`) of a concrete type derived from it.
    fn typed(self, declared: TypeId, depth: usize) -> BoxedStrategy<Value> {
        let schema = self.schema;
        match schema.ty(declared) {
            Type::Simple(_) => self.simple(declared),
            Type::Complex(_) if declared == well_known::ANY_TYPE => {
                text(0..12).prop_map(Value::String).boxed()
            }
            Type::Complex(c) => {
                let mut options = Vec::new();
                if !c.is_abstract {
                    options.push(self.complex(declared, depth));
                }
                for &t in &c.derived {
                    let Some(dc) = schema.complex(t) else {
                        continue;
                    };
                    let (false, Some(name)) = (dc.is_abstract, &dc.name) else {
                        continue;
                    };
                    let name = name.local.to_string();
                    options.push(
                        self.complex(t, depth)
                            .prop_map(move |v| {
                                let mut with_type = Map::new();
                                with_type.insert(TYPE_KEY.into(), Value::String(name.clone()));
                                if let Value::Object(o) = v {
                                    with_type.extend(o);
                                }
                                Value::Object(with_type)
                            })
                            .boxed(),
                    );
                }
                assert!(
                    !options.is_empty(),
                    "{} has no concrete type",
                    schema.type_label(declared)
                );
                Union::new(options).boxed()
            }
        }
    }

    fn complex(self, ty: TypeId, depth: usize) -> BoxedStrategy<Value> {
        let schema = self.schema;
        let c = schema.complex(ty).expect("a complex type");
        if let Some(arr) = &c.array {
            // Items of a SOAP-encoded array are written nillable.
            let item = prop_oneof![1 => Just(Value::Null), 4 => self.typed(arr.item, depth + 1)];
            let hi = if depth >= MAX_DEPTH { 0 } else { 4 };
            return proptest::collection::vec(item, 0..=hi)
                .prop_map(Value::Array)
                .boxed();
        }
        let attrs = self.attributes(c);
        match &c.content {
            Content::Simple(st) => {
                let value = self.simple(*st);
                if c.attributes.is_empty() && !c.any_attribute {
                    return value;
                }
                (attrs, value)
                    .prop_map(|(mut fields, v)| {
                        fields.push((VALUE_KEY.into(), v));
                        object(fields)
                    })
                    .boxed()
            }
            Content::Empty => attrs.prop_map(object).boxed(),
            Content::Elements(p) => (attrs, self.particle(c, p, depth))
                .prop_map(|(mut fields, elements)| {
                    fields.extend(elements);
                    object(fields)
                })
                .boxed(),
        }
    }

    fn attributes(self, c: &ComplexType) -> BoxedStrategy<Fields> {
        let mut parts: Vec<BoxedStrategy<Fields>> = Vec::new();
        for s in &c.slots {
            let SlotKind::Attribute(i) = s.kind else {
                continue;
            };
            let a = &c.attributes[i];
            let key = s.key.to_string();
            if let Some(fixed) = &a.fixed {
                let v = scalar::to_json(self.schema, a.ty, fixed).expect("fixed value reads");
                parts.push(Just(vec![(key, v)]).boxed());
                continue;
            }
            let value = self.simple(a.ty);
            if a.required || a.default.is_some() {
                parts.push(value.prop_map(move |v| vec![(key.clone(), v)]).boxed());
            } else {
                parts.push(
                    proptest::option::of(value)
                        .prop_map(move |v| v.map(|v| (key.clone(), v)).into_iter().collect())
                        .boxed(),
                );
            }
        }
        parts.prop_map(flatten).boxed()
    }

    fn particle(
        self,
        c: &'static ComplexType,
        p: &Particle,
        depth: usize,
    ) -> BoxedStrategy<Fields> {
        match &p.term {
            Term::Element(e) => self.element_particle(c, p, *e, depth),
            Term::Sequence(items) | Term::All(items) => {
                assert!(p.max <= 1, "repeated groups are not generated");
                let parts: Vec<BoxedStrategy<Fields>> =
                    items.iter().map(|i| self.particle(c, i, depth)).collect();
                let all = parts.prop_map(flatten).boxed();
                if p.min == 0 {
                    prop_oneof![Just(Vec::new()), all].boxed()
                } else {
                    all
                }
            }
            Term::Choice(items) => {
                assert!(p.max <= 1, "repeated choices are not generated");
                let branches: Vec<BoxedStrategy<Fields>> =
                    items.iter().map(|i| self.particle(c, i, depth)).collect();
                let one = Union::new(branches).boxed();
                if p.min == 0 {
                    prop_oneof![Just(Vec::new()), one].boxed()
                } else {
                    one
                }
            }
            Term::Any(_) => Just(Vec::new()).boxed(),
        }
    }

    fn element_particle(
        self,
        c: &ComplexType,
        p: &Particle,
        e: ElemId,
        depth: usize,
    ) -> BoxedStrategy<Fields> {
        let d = self.schema.element(e);
        assert!(!d.is_abstract, "substitution groups are not generated");
        let slot = c
            .slots
            .iter()
            .find(|s| matches!(s.kind, SlotKind::Element(x) if x == e));
        let key = slot.map_or_else(|| d.name.local.to_string(), |s| s.key.to_string());
        let repeated = p.max > 1 || slot.is_some_and(|s| s.repeated);
        let deep = depth >= MAX_DEPTH;
        if repeated {
            let lo = p.min as usize;
            let hi = if deep {
                lo
            } else {
                (lo + 3).min(p.max as usize)
            };
            proptest::collection::vec(self.element(e, depth + 1), lo..=hi)
                .prop_map(move |items| vec![(key.clone(), Value::Array(items))])
                .boxed()
        } else if p.min == 0 {
            if deep {
                return Just(Vec::new()).boxed();
            }
            proptest::option::of(self.element(e, depth + 1))
                .prop_map(move |v| v.map(|v| (key.clone(), v)).into_iter().collect())
                .boxed()
        } else {
            self.element(e, depth + 1)
                .prop_map(move |v| vec![(key.clone(), v)])
                .boxed()
        }
    }

    /// A value of a simple type.
    fn simple(self, ty: TypeId) -> BoxedStrategy<Value> {
        let st = self.schema.simple(ty).expect("a simple type");
        match &st.variety {
            Variety::List(item) => {
                let f = &st.facets;
                assert!(
                    f.enumeration.is_empty() && f.patterns.is_empty(),
                    "facets on list types are not generated"
                );
                let lo = f.length.or(f.min_length).unwrap_or(0) as usize;
                let hi = f.length.or(f.max_length).map_or(lo + 4, |h| h as usize);
                proptest::collection::vec(self.atomic(*item, true), lo..=hi)
                    .prop_map(Value::Array)
                    .boxed()
            }
            Variety::Union(_) => panic!("union types are not generated"),
            Variety::Atomic => self.atomic(ty, false),
        }
    }

    /// A value of an atomic type; `token`: its text holds no whitespace and is not empty.
    fn atomic(self, ty: TypeId, token: bool) -> BoxedStrategy<Value> {
        let schema = self.schema;
        let st = schema.simple(ty).expect("a simple type");
        assert!(
            matches!(st.variety, Variety::Atomic),
            "list items are atomic here"
        );
        let f = &st.facets;
        if !f.enumeration.is_empty() {
            let values: Vec<Value> = f
                .enumeration
                .iter()
                .filter(|e| !token || (!e.is_empty() && !e.contains(char::is_whitespace)))
                .map(|e| scalar::to_json(schema, ty, e).expect("enumeration value reads"))
                .collect();
            return proptest::sample::select(values).boxed();
        }
        if !f.patterns.is_empty() {
            return self.patterned(ty, st, token);
        }
        let facet_checked = |s: BoxedStrategy<Value>| -> BoxedStrategy<Value> {
            if f.is_empty() {
                s
            } else {
                s.prop_filter("within the facets", move |v| {
                    scalar::to_lexical(schema, ty, v).is_ok()
                })
                .boxed()
            }
        };
        match st.builtin.json_kind() {
            JsonKind::Boolean => any::<bool>().prop_map(Value::Bool).boxed(),
            JsonKind::Integer => integer(st),
            JsonKind::Number if st.builtin == Builtin::Decimal => facet_checked(decimal()),
            JsonKind::Number => facet_checked(float()),
            JsonKind::String => {
                let (lo, hi) = match (f.length, f.min_length, f.max_length) {
                    (Some(l), _, _) => (l as usize, l as usize),
                    (None, lo, hi) => {
                        let lo = lo.unwrap_or(0) as usize;
                        (lo, hi.map_or(lo + 12, |h| h as usize))
                    }
                };
                let s = string_of(st.builtin, lo, hi, token);
                facet_checked(s.prop_map(Value::String).boxed())
            }
        }
    }

    /// Strings matching every pattern of a string type.
    fn patterned(self, ty: TypeId, st: &SimpleType, token: bool) -> BoxedStrategy<Value> {
        assert_eq!(
            st.builtin.json_kind(),
            JsonKind::String,
            "patterns are generated for string types only"
        );
        let schema = self.schema;
        let source = st.facets.patterns[0].source.to_string();
        let base = match proptest::string::string_regex(&source) {
            Ok(s) => s.boxed(),
            Err(_) => Just(
                crate::mock::sample::pattern_sample(&source)
                    .unwrap_or_else(|| panic!("no sample for pattern `{source}`")),
            )
            .boxed(),
        };
        base.prop_filter("matches the facets", move |s| {
            (!token || (!s.is_empty() && !s.contains(char::is_whitespace)))
                && scalar::to_lexical(schema, ty, &Value::String(s.clone())).is_ok()
        })
        .prop_map(Value::String)
        .boxed()
    }
}

/// Integers within the type's range and its range facets, edges included.
fn integer(st: &SimpleType) -> BoxedStrategy<Value> {
    const WIDE: i128 = 10i128.pow(30);
    let (lo, hi) = st.builtin.integer_bounds();
    let mut lo = lo.unwrap_or(-WIDE);
    let mut hi = hi.unwrap_or(WIDE);
    let f = &st.facets;
    let bound = |s: &Option<std::sync::Arc<str>>| s.as_deref().and_then(|s| s.parse::<i128>().ok());
    if let Some(v) = bound(&f.min_inclusive) {
        lo = lo.max(v);
    }
    if let Some(v) = bound(&f.min_exclusive) {
        lo = lo.max(v + 1);
    }
    if let Some(v) = bound(&f.max_inclusive) {
        hi = hi.min(v);
    }
    if let Some(v) = bound(&f.max_exclusive) {
        hi = hi.min(v - 1);
    }
    if let Some(d) = f.total_digits {
        let max = 10i128.pow(d.min(38)) - 1;
        lo = lo.max(-max);
        hi = hi.min(max);
    }
    assert!(lo <= hi, "empty integer range");
    prop_oneof![
        1 => Just(lo),
        1 => Just(hi),
        4 => lo..=hi,
        4 => (-1000i128..=1000).prop_map(move |n| n.clamp(lo, hi)),
    ]
    .prop_map(|n| num(&n.to_string()))
    .boxed()
}

/// Exact decimals: up to 24 integer digits, up to 8 fraction digits (trailing zeros kept).
fn decimal() -> BoxedStrategy<Value> {
    (
        any::<bool>(),
        "0|[1-9][0-9]{0,23}",
        proptest::option::of("[0-9]{1,8}"),
    )
        .prop_map(|(negative, int, frac)| {
            let mut text = String::new();
            let zero = int == "0" && frac.as_deref().is_none_or(|f| f.bytes().all(|b| b == b'0'));
            if negative && !zero {
                text.push('-');
            }
            text.push_str(&int);
            if let Some(f) = frac {
                text.push('.');
                text.push_str(&f);
            }
            debug_assert_eq!(
                Decimal::parse(&text).map(|d| d.to_string()),
                Some(text.clone())
            );
            num(&text)
        })
        .boxed()
}

/// Finite floats as JSON numbers, and the XSD infinities and NaN as strings.
fn float() -> BoxedStrategy<Value> {
    let finite = (
        any::<bool>(),
        "0|[1-9][0-9]{0,6}",
        proptest::option::of("[0-9]{1,6}"),
        proptest::option::of(-30i32..=30),
    )
        .prop_map(|(negative, int, frac, exp)| {
            let mut text = String::new();
            if negative {
                text.push('-');
            }
            text.push_str(&int);
            if let Some(f) = frac {
                text.push('.');
                text.push_str(&f);
            }
            if let Some(e) = exp {
                text.push_str(&format!("e{e}"));
            }
            num(&text)
        });
    prop_oneof![
        12 => finite,
        1 => proptest::sample::select(vec!["INF", "-INF", "NaN"]).prop_map(|s| Value::String(s.into())),
    ]
    .boxed()
}

/// Any character XML 1.0 allows, weighted towards the ones that need care.
fn xml_char(token: bool) -> BoxedStrategy<char> {
    static ALL: &[std::ops::RangeInclusive<char>] = &[
        '\u{20}'..='\u{D7FF}',
        '\u{E000}'..='\u{FFFD}',
        '\u{10000}'..='\u{10FFFF}',
    ];
    let special = proptest::sample::select(vec![
        '<', '>', '&', '"', '\'', ';', '#', '=', ']', '/', '\\', '{', '}', '$', '@',
    ]);
    let non_ascii = proptest::sample::select(vec![
        'é', 'ß', 'Ü', 'ø', '中', '文', '€', '😀', '𝄞', '\u{A0}', '\u{85}', '\u{2028}', '\u{FEFF}',
        '\u{E000}', '\u{FFFD}',
    ]);
    let any_char = proptest::char::ranges(Cow::Borrowed(ALL));
    let base = prop_oneof![
        8 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('0', '9'),
        3 => special,
        3 => non_ascii,
        2 => any_char,
    ];
    if token {
        base.prop_filter("no whitespace", |c| !c.is_whitespace())
            .boxed()
    } else {
        prop_oneof![
            16 => base,
            2 => Just(' '),
            1 => proptest::sample::select(vec!['\t', '\n', '\r']),
        ]
        .boxed()
    }
}

fn text(len: std::ops::Range<usize>) -> BoxedStrategy<String> {
    proptest::collection::vec(xml_char(false), len)
        .prop_map(|cs| cs.into_iter().collect())
        .boxed()
}

/// A string of the built-in string-like type `b`, `lo..=hi` characters long where the type
/// lets the length vary.
fn string_of(b: Builtin, lo: usize, hi: usize, token: bool) -> BoxedStrategy<String> {
    let lo = if token { lo.max(1) } else { lo };
    let hi = hi.max(lo);
    match b {
        Builtin::Date => (date(), tz()).prop_map(|(d, z)| d + &z).boxed(),
        Builtin::DateTime => (date(), time(), tz())
            .prop_map(|(d, t, z)| format!("{d}T{t}{z}"))
            .boxed(),
        Builtin::Time => (time(), tz()).prop_map(|(t, z)| t + &z).boxed(),
        Builtin::GYear => (year(), tz()).prop_map(|((y, _), z)| y + &z).boxed(),
        Builtin::GYearMonth => (year(), 1u32..=12, tz())
            .prop_map(|((y, _), m, z)| format!("{y}-{m:02}{z}"))
            .boxed(),
        Builtin::GMonthDay => (1u32..=12, tz())
            .prop_flat_map(|(m, z)| {
                (1..=days_in(m, None)).prop_map(move |d| format!("--{m:02}-{d:02}{z}"))
            })
            .boxed(),
        Builtin::GDay => (1u32..=31, tz())
            .prop_map(|(d, z)| format!("---{d:02}{z}"))
            .boxed(),
        Builtin::GMonth => (1u32..=12, tz())
            .prop_map(|(m, z)| format!("--{m:02}{z}"))
            .boxed(),
        Builtin::Duration => duration(),
        Builtin::Base64Binary => proptest::collection::vec(any::<u8>(), 0..24)
            .prop_map(|b| base64::engine::general_purpose::STANDARD.encode(b))
            .prop_filter("not empty in a list", move |s| !token || !s.is_empty())
            .boxed(),
        Builtin::HexBinary => proptest::collection::vec(any::<u8>(), usize::from(token)..16)
            .prop_map(|b| b.iter().map(|x| format!("{x:02X}")).collect())
            .boxed(),
        Builtin::Name
        | Builtin::NcName
        | Builtin::Id
        | Builtin::IdRef
        | Builtin::Entity
        | Builtin::QName
        | Builtin::Notation => "[A-Za-z_][A-Za-z0-9._-]{0,12}".boxed(),
        Builtin::NmToken => "[A-Za-z0-9._-]{1,12}".boxed(),
        Builtin::Language => proptest::sample::select(vec!["en", "de-CH", "fr", "zh-Hant-TW"])
            .prop_map(str::to_owned)
            .boxed(),
        _ => proptest::collection::vec(xml_char(token), lo..=hi)
            .prop_map(|cs| cs.into_iter().collect())
            .boxed(),
    }
}

/// A year as written (`2024`, `0001`, `12345`, `-0044`) and its value.
fn year() -> BoxedStrategy<(String, i64)> {
    prop_oneof![
        8 => (1i64..=9999).prop_map(|y| (format!("{y:04}"), y)),
        1 => (10_000i64..=99_999).prop_map(|y| (y.to_string(), y)),
        1 => (1i64..=9999).prop_map(|y| (format!("-{y:04}"), -y)),
    ]
    .boxed()
}

fn date() -> BoxedStrategy<String> {
    (year(), 1u32..=12)
        .prop_flat_map(|((y, yv), m)| {
            (1..=days_in(m, Some(yv))).prop_map(move |d| format!("{y}-{m:02}-{d:02}"))
        })
        .boxed()
}

fn time() -> BoxedStrategy<String> {
    prop_oneof![
        20 => (0u32..24, 0u32..60, 0u32..60, proptest::option::of("[0-9]{1,6}")).prop_map(
            |(h, m, s, frac)| match frac {
                Some(f) => format!("{h:02}:{m:02}:{s:02}.{f}"),
                None => format!("{h:02}:{m:02}:{s:02}"),
            }
        ),
        1 => Just("24:00:00".to_owned()),
    ]
    .boxed()
}

fn tz() -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just(String::new()),
        2 => Just("Z".to_owned()),
        3 => (prop_oneof![Just('+'), Just('-')], 0u32..14, proptest::sample::select(vec![0u32, 30, 45]))
            .prop_map(|(s, h, m)| format!("{s}{h:02}:{m:02}")),
        1 => prop_oneof![Just("+14:00".to_owned()), Just("-14:00".to_owned())],
    ]
    .boxed()
}

fn duration() -> BoxedStrategy<String> {
    let part =
        |unit: char| proptest::option::of((0u32..1000).prop_map(move |n| format!("{n}{unit}")));
    (
        any::<bool>(),
        (part('Y'), part('M'), part('D')),
        (
            part('H'),
            part('M'),
            proptest::option::of((0u32..100, proptest::option::of("[0-9]{1,3}"))),
        ),
    )
        .prop_map(|(negative, (y, mo, d), (h, mi, s))| {
            let mut out = String::from(if negative { "-P" } else { "P" });
            for p in [y, mo, d].into_iter().flatten() {
                out.push_str(&p);
            }
            let mut t = String::new();
            for p in [h, mi].into_iter().flatten() {
                t.push_str(&p);
            }
            if let Some((secs, frac)) = s {
                t.push_str(&secs.to_string());
                if let Some(f) = frac {
                    t.push('.');
                    t.push_str(&f);
                }
                t.push('S');
            }
            if !t.is_empty() {
                out.push('T');
                out.push_str(&t);
            }
            if out.ends_with('P') {
                out.push_str("0D");
            }
            out
        })
        .boxed()
}

// ----- round trips -----------------------------------------------------------------------

/// `<root>` of the global element `e`, written and read back.
fn element_round_trip(schema: &Schema, e: ElemId, v: &Value) -> Result<(), TestCaseError> {
    let mut w = XmlWriter::new();
    Encoder::new(schema, false)
        .element(&mut w, e, v)
        .map_err(|err| TestCaseError::fail(format!("encode refused {v}: {err}")))?;
    let xml = w.finish();
    let back = read_back(schema, schema.element(e).ty, &xml)?;
    prop_assert_eq!(&back, v, "XML: {}", xml);
    Ok(())
}

/// The content of type `ty` inside a `<root>` element, written and read back.
fn type_round_trip(schema: &Schema, ty: TypeId, v: &Value) -> Result<(), TestCaseError> {
    let mut w = XmlWriter::new();
    w.start("urn:test", "root");
    Encoder::new(schema, false)
        .content(&mut w, ty, v)
        .map_err(|err| TestCaseError::fail(format!("encode refused {v}: {err}")))?;
    w.end();
    let xml = w.finish();
    let back = read_back(schema, ty, &xml)?;
    prop_assert_eq!(&back, v, "XML: {}", xml);
    Ok(())
}

fn read_back(schema: &Schema, ty: TypeId, xml: &str) -> Result<Value, TestCaseError> {
    let mut src = LiveSource::new(xml, Limits::default());
    let start = match src.next() {
        Ok(Ev::Start(s)) => s,
        other => return Err(TestCaseError::fail(format!("no root in {xml}: {other:?}"))),
    };
    let tree = Decoder::new(schema)
        .element(&mut src, &start, ty)
        .map_err(|err| TestCaseError::fail(format!("decode failed: {err}\nXML: {xml}")))?;
    // The streaming decoder writes exactly the text the tree serialises to.
    let mut src = LiveSource::new(xml, Limits::default());
    let Ok(Ev::Start(start)) = src.next() else {
        return Err(TestCaseError::fail(format!("no root in {xml}")));
    };
    let mut out = Vec::new();
    match Decoder::new(schema).element_to_json(&mut src, &start, ty, &mut out) {
        Ok(true) => {
            let text = serde_json::to_string(&tree).expect("a Value serialises");
            prop_assert_eq!(String::from_utf8_lossy(&out), text, "XML: {}", xml);
        }
        // Left to the tree decoder (out of schema order, anyType content).
        Ok(false) => {}
        Err(err) => {
            return Err(TestCaseError::fail(format!(
                "streaming decode failed: {err}\nXML: {xml}"
            )));
        }
    }
    Ok(tree)
}

/// The input of `operation` as a whole request envelope, written and read back.
fn envelope_round_trip(
    wsdl: &Wsdl,
    binding: &str,
    operation: &str,
    version: SoapVersion,
    v: &Value,
) -> Result<(), TestCaseError> {
    let op = find_operation(wsdl, binding, operation);
    let xml = soap::build_request(&wsdl.schema, op, version, v, None, &[])
        .map_err(|err| TestCaseError::fail(format!("encode refused {v}: {err}")))?;
    match soap::parse_request(&wsdl.schema, op, &xml, Limits::default()) {
        Ok(Response::Ok { body, .. }) => {
            prop_assert_eq!(&body, v, "XML: {}", xml);
            Ok(())
        }
        other => Err(TestCaseError::fail(format!("{other:?}\nXML: {xml}"))),
    }
}

fn find_operation<'w>(
    wsdl: &'w Wsdl,
    binding: &str,
    operation: &str,
) -> &'w crate::wsdl::Operation {
    wsdl.binding_by_name(binding)
        .and_then(|(_, b)| b.operation(operation))
        .unwrap_or_else(|| panic!("no operation {binding}/{operation}"))
}

/// The JSON of an operation's input message.
fn input_of(wsdl: &'static Wsdl, binding: &str, operation: &str) -> BoxedStrategy<Value> {
    let content = find_operation(wsdl, binding, operation).input.body.content;
    Gen::new(wsdl).complex(content, 0)
}

fn conv_element(name: &str) -> (ElemId, BoxedStrategy<Value>) {
    let e = global_element(&CONV, CONV_NS, name);
    (e, Gen::new(&CONV).element(e, 0))
}

fn customers_element(name: &str) -> (ElemId, BoxedStrategy<Value>) {
    let e = global_element(&CUSTOMERS, CUSTOMERS_NS, name);
    (e, Gen::new(&CUSTOMERS).element(e, 0))
}

fn customers_type(name: &str) -> (TypeId, BoxedStrategy<Value>) {
    let t = global_type(&CUSTOMERS, CUSTOMERS_NS, name);
    (t, Gen::new(&CUSTOMERS).typed(t, 0))
}

fn soap_version(v12: bool) -> SoapVersion {
    if v12 {
        SoapVersion::V12
    } else {
        SoapVersion::V11
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn scalars_round_trip(v in conv_element("Scalars").1) {
        element_round_trip(&CONV.schema, conv_element("Scalars").0, &v)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn lists_round_trip(v in conv_element("Lists").1) {
        element_round_trip(&CONV.schema, conv_element("Lists").0, &v)?;
    }

    #[test]
    fn tagged_attributes_round_trip(v in conv_element("Tagged").1) {
        element_round_trip(&CONV.schema, conv_element("Tagged").0, &v)?;
    }

    #[test]
    fn contact_choice_round_trip(v in conv_element("Contact").1) {
        element_round_trip(&CONV.schema, conv_element("Contact").0, &v)?;
    }

    #[test]
    fn drawing_polymorphism_round_trip(v in conv_element("Drawing").1) {
        element_round_trip(&CONV.schema, conv_element("Drawing").0, &v)?;
    }

    #[test]
    fn echo_envelope_round_trip(v in input_of(&CONV, "ConvBinding", "Echo"), v12 in any::<bool>()) {
        envelope_round_trip(&CONV, "ConvBinding", "Echo", soap_version(v12), &v)?;
    }

    #[test]
    fn rpc_encoded_envelope_round_trip(v in input_of(&CONV, "RpcBinding", "Path")) {
        envelope_round_trip(&CONV, "RpcBinding", "Path", SoapVersion::V11, &v)?;
    }

    #[test]
    fn customer_round_trip(v in customers_type("Customer").1) {
        type_round_trip(&CUSTOMERS.schema, customers_type("Customer").0, &v)?;
    }

    #[test]
    fn order_round_trip(v in customers_type("Order").1) {
        type_round_trip(&CUSTOMERS.schema, customers_type("Order").0, &v)?;
    }

    #[test]
    fn place_order_envelope_round_trip(
        v in input_of(&CUSTOMERS, "CustomerServiceSoap11", "PlaceOrder"),
        v12 in any::<bool>(),
    ) {
        envelope_round_trip(&CUSTOMERS, "CustomerServiceSoap11", "PlaceOrder", soap_version(v12), &v)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn located_unqualified_round_trip(v in conv_element("Located").1) {
        element_round_trip(&CONV.schema, conv_element("Located").0, &v)?;
    }

    #[test]
    fn list_orders_response_round_trip(v in customers_element("ListOrdersResponse").1) {
        element_round_trip(&CUSTOMERS.schema, customers_element("ListOrdersResponse").0, &v)?;
    }
}

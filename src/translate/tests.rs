//! One test per JSON ⇄ XML convention (docs/json-xml.md), on `tests/fixtures/conventions.wsdl`.

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::events::{Ev, Limits, LiveSource, Source};
use super::*;
use crate::wsdl::{self, ElemId, Location, QName, Sources, Wsdl};

static WSDL: LazyLock<Wsdl> = LazyLock::new(|| {
    let mut sources = Sources::default();
    sources.memory.insert(
        "conventions.wsdl".into(),
        include_str!("../../tests/fixtures/conventions.wsdl").into(),
    );
    wsdl::load(&Location::Memory("conventions.wsdl".into()), &sources).expect("fixture loads")
});

fn el(name: &str) -> ElemId {
    *WSDL
        .schema
        .global_elements
        .get(&QName::new("urn:conv", name))
        .expect("element in fixture")
}

fn encode(name: &str, v: Value) -> Result<String, EncodeError> {
    let mut w = XmlWriter::new();
    Encoder::new(&WSDL.schema, false).element(&mut w, el(name), &v)?;
    Ok(w.finish())
}

fn decode(name: &str, xml: &str) -> Result<Value, DecodeError> {
    let mut src = LiveSource::new(xml, Limits::default());
    let Ev::Start(start) = src.next()? else {
        panic!("no root element in {xml}");
    };
    let ty = WSDL.schema.element(el(name)).ty;
    let tree = Decoder::new(&WSDL.schema).element(&mut src, &start, ty);
    // The streaming decoder gives the same JSON text, or the same error.
    let mut src = LiveSource::new(xml, Limits::default());
    let Ev::Start(start) = src.next()? else {
        panic!("no root element in {xml}");
    };
    let mut out = Vec::new();
    match (
        Decoder::new(&WSDL.schema).element_to_json(&mut src, &start, ty, &mut out),
        &tree,
    ) {
        (Ok(true), Ok(v)) => assert_eq!(
            String::from_utf8_lossy(&out),
            serde_json::to_string(v).expect("serialises"),
            "streaming and tree decoders differ on {xml}"
        ),
        (Ok(false), _) => {}
        (Err(s), Err(t)) => assert_eq!(s.to_string(), t.to_string(), "errors differ on {xml}"),
        (s, t) => panic!("streaming {s:?} but tree {t:?} on {xml}"),
    }
    tree
}

fn roundtrip(name: &str, v: Value) -> Value {
    let xml = encode(name, v).expect("encodes");
    decode(name, &xml).expect("decodes")
}

const C: &str = r#"xmlns:c="urn:conv" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;

// ----- encode --------------------------------------------------------------------------

#[test]
fn elements_follow_schema_order_whatever_the_json_order() {
    let xml = encode("Scalars", json!({"flag": true, "count": 3, "text": "t"})).expect("encodes");
    assert_eq!(
        xml,
        "<ns1:Scalars xmlns:ns1=\"urn:conv\"><ns1:text>t</ns1:text><ns1:count>3</ns1:count>\
         <ns1:flag>true</ns1:flag></ns1:Scalars>"
    );
}

#[test]
fn unqualified_schema_elements_get_no_namespace() {
    let xml = encode("Located", json!({"where": {"x": 1, "y": 2}})).expect("encodes");
    assert_eq!(
        xml,
        "<ns1:Located xmlns:ns1=\"urn:conv\"><ns1:where><x>1</x><y>2</y></ns1:where></ns1:Located>"
    );
}

#[test]
fn text_is_always_escaped() {
    let xml = encode("Scalars", json!({"text": "a<b & \"c\"", "count": 1})).expect("encodes");
    assert!(
        xml.contains("<ns1:text>a&lt;b &amp; &quot;c&quot;</ns1:text>"),
        "{xml}"
    );
    assert_eq!(
        roundtrip("Scalars", json!({"text": "a<b & \"c\"", "count": 1}))["text"],
        "a<b & \"c\""
    );
}

#[test]
fn carriage_returns_in_text_are_references() {
    let v = json!({"text": "a\rb\r\nc\nd\te", "count": 1});
    let xml = encode("Scalars", v.clone()).expect("encodes");
    assert!(
        xml.contains("<ns1:text>a&#13;b&#13;\nc\nd\te</ns1:text>"),
        "{xml}"
    );
    assert_eq!(roundtrip("Scalars", v.clone()), v);
}

#[test]
fn repeated_element_takes_one_value_or_an_array() {
    let one = encode("Lists", json!({"item": "a"})).expect("single value");
    let many = encode("Lists", json!({"item": ["a", "b"]})).expect("array");
    assert!(one.contains("<ns1:item>a</ns1:item>"), "{one}");
    assert!(
        many.contains("<ns1:item>a</ns1:item><ns1:item>b</ns1:item>"),
        "{many}"
    );
}

#[test]
fn array_for_a_single_element_is_refused() {
    let err = encode("Scalars", json!({"text": ["a"], "count": 1})).expect_err("not repeatable");
    assert_eq!(err.pointer, "/text");
    assert_eq!(err.kind, EncodeErrorKind::NotRepeatable);
}

#[test]
fn string_where_int_is_required_names_path_and_type() {
    let err = encode("Scalars", json!({"text": "t", "count": "3"})).expect_err("wrong type");
    assert_eq!(err.pointer, "/count");
    assert_eq!(err.to_string(), "/count: expected xsd:int: got a string");
}

#[test]
fn every_problem_is_reported_each_at_its_exact_pointer() {
    let err = encode(
        "Scalars",
        json!({"count": "3", "amuont": 2, "day": "yesterday"}),
    )
    .expect_err("three problems");
    let found: Vec<(&str, Option<&str>)> = err
        .all()
        .map(|e| (e.pointer.as_str(), e.kind.expected()))
        .collect();
    assert_eq!(
        found,
        [
            // Unknown keys first (a typo is often the real cause of a missing field), then
            // in schema order; a missing field points at itself, not at its parent.
            ("/amuont", None),
            ("/text", Some("xsd:string")),
            ("/count", Some("xsd:int")),
            ("/day", Some("xsd:date")),
        ]
    );
    // The message is the first problem's.
    assert!(
        err.to_string()
            .starts_with("/amuont: unknown field `amuont`"),
        "{err}"
    );
    assert_eq!(err.kind.reason(), "unknown field; did you mean `amount`?");
    assert_eq!(err.more[1].kind.reason(), "got a string");
}

#[test]
fn the_root_is_the_empty_pointer() {
    let err = encode("Scalars", json!(5)).expect_err("not an object");
    assert_eq!(err.pointer, "");
    assert!(err.more.is_empty(), "{:?}", err.more);
    // Messages still show the root as `/`.
    assert!(
        err.to_string().starts_with("/: expected an object"),
        "{err}"
    );
    assert_eq!(json_pointer(&[]), "");
    assert_eq!(pointer(&[]), "/");
    assert_eq!(
        json_pointer(&[Seg::Key("a/b~c".into()), Seg::Index(0)]),
        "/a~1b~0c/0"
    );
}

#[test]
fn integer_ranges_are_checked() {
    let err = encode("Scalars", json!({"text": "t", "count": 2147483648u64})).expect_err("range");
    assert!(
        err.to_string().contains("above the maximum 2147483647"),
        "{err}"
    );
    let err = encode("Scalars", json!({"text": "t", "count": 1.5})).expect_err("fraction");
    assert!(err.to_string().contains("not an integer"), "{err}");
    let xml = encode("Scalars", json!({"text": "t", "count": 1e3})).expect("1e3 is 1000");
    assert!(xml.contains("<ns1:count>1000</ns1:count>"), "{xml}");
}

#[test]
fn decimals_and_longs_are_written_exactly() {
    let v: Value = serde_json::from_str(
        r#"{"text":"t","count":1,"big":9223372036854775807,"amount":12345678901234567890.123456789}"#,
    )
    .expect("json");
    let xml = encode("Scalars", v).expect("encodes");
    assert!(
        xml.contains("<ns1:big>9223372036854775807</ns1:big>"),
        "{xml}"
    );
    assert!(
        xml.contains("<ns1:amount>12345678901234567890.123456789</ns1:amount>"),
        "{xml}"
    );
}

#[test]
fn null_becomes_xsi_nil_where_nillable() {
    let xml = encode("Scalars", json!({"text": "t", "count": 1, "note": null})).expect("encodes");
    assert!(
        xml.contains(
            "<ns1:note xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\"/>"
        ),
        "{xml}"
    );
    let err = encode("Scalars", json!({"text": null, "count": 1})).expect_err("not nillable");
    assert_eq!(err.pointer, "/text");
    assert_eq!(err.kind, EncodeErrorKind::NotNillable);
}

#[test]
fn null_for_an_optional_element_leaves_it_out() {
    let xml = encode("Scalars", json!({"text": "t", "count": 1, "flag": null})).expect("encodes");
    assert!(!xml.contains("flag"), "{xml}");
}

#[test]
fn unknown_field_is_refused_with_a_suggestion() {
    let err = encode("Scalars", json!({"text": "t", "count": 1, "amuont": 2})).expect_err("typo");
    match err.kind {
        EncodeErrorKind::UnknownField {
            field, suggestion, ..
        } => {
            assert_eq!(field, "amuont");
            assert_eq!(suggestion.as_deref(), Some("amount"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_required_field_is_named() {
    let err = encode("Scalars", json!({"text": "t"})).expect_err("missing");
    assert_eq!(
        err.to_string(),
        "/count: missing required field `count` (xsd:int)"
    );
    // The pointer names the field, where the caller must add it, not its parent.
    assert_eq!(err.pointer, "/count");
}

#[test]
fn choice_takes_exactly_one_branch() {
    let xml = encode("Contact", json!({"name": "n", "phone": "1"})).expect("one branch");
    assert!(
        xml.contains("<ns1:phone>1</ns1:phone>") && !xml.contains("email"),
        "{xml}"
    );
    let both =
        encode("Contact", json!({"name": "n", "phone": "1", "email": "e"})).expect_err("both");
    assert!(
        matches!(both.kind, EncodeErrorKind::ChoiceConflict { .. }),
        "{both}"
    );
    let none = encode("Contact", json!({"name": "n"})).expect_err("none");
    assert_eq!(
        none.to_string(),
        "/: one of `email`, `phone` is required (xsd:choice)"
    );
}

#[test]
fn enumeration_pattern_and_range_are_checked() {
    let e = encode("Scalars", json!({"text": "t", "count": 1, "color": "BLUE"})).expect_err("enum");
    assert!(
        e.to_string()
            .contains("not one of the allowed values: RED, GREEN"),
        "{e}"
    );
    let e =
        encode("Scalars", json!({"text": "t", "count": 1, "zip": "1234"})).expect_err("pattern");
    assert!(
        e.to_string()
            .contains("does not match the pattern `[0-9]{5}`"),
        "{e}"
    );
    let e = encode("Scalars", json!({"text": "t", "count": 1, "percent": 101})).expect_err("range");
    assert!(e.to_string().contains("above the maximum 100"), "{e}");
}

#[test]
fn non_ascii_dates_are_refused_not_a_panic() {
    let e = encode(
        "Scalars",
        json!({"text": "t", "count": 1, "when": "2024-01-01T10:00:0€"}),
    )
    .expect_err("not a dateTime");
    assert_eq!(e.pointer, "/when");
    assert!(e.to_string().contains("not a valid dateTime"), "{e}");
}

#[test]
fn dates_are_validated_strings() {
    let e = encode(
        "Scalars",
        json!({"text": "t", "count": 1, "day": "15/01/2024"}),
    )
    .expect_err("date");
    assert_eq!(e.pointer, "/day");
    assert!(e.to_string().contains("not a valid date"), "{e}");
    let v = roundtrip(
        "Scalars",
        json!({"text": "t", "count": 1, "when": "2024-01-15T10:30:00.5+02:00"}),
    );
    assert_eq!(v["when"], "2024-01-15T10:30:00.5+02:00");
}

#[test]
fn list_types_are_json_arrays() {
    let xml = encode(
        "Scalars",
        json!({"text": "t", "count": 1, "numbers": [1, 2, 3]}),
    )
    .expect("list");
    assert!(xml.contains("<ns1:numbers>1 2 3</ns1:numbers>"), "{xml}");
    assert_eq!(
        roundtrip(
            "Scalars",
            json!({"text": "t", "count": 1, "numbers": [4, 5]})
        )["numbers"],
        json!([4, 5])
    );
}

#[test]
fn polymorphic_value_names_its_type() {
    let xml = encode(
        "Drawing",
        json!({"shape": [{"$type": "Circle", "name": "c", "radius": 2}]}),
    )
    .expect("encodes");
    assert!(xml.contains("xsi:type=\"ns1:Circle\""), "{xml}");
    let e = encode("Drawing", json!({"shape": {"name": "s"}})).expect_err("abstract");
    assert!(
        matches!(e.kind, EncodeErrorKind::AbstractType { .. }),
        "{e}"
    );
    let e = encode(
        "Drawing",
        json!({"shape": {"$type": "Triangle", "name": "t"}}),
    )
    .expect_err("unknown");
    assert!(e.to_string().contains("allowed: Circle, Square"), "{e}");
}

#[test]
fn any_fragments_are_rewritten_not_pasted() {
    let xml = encode(
        "Open",
        json!({"known": "k", "$any": ["<x:ext xmlns:x=\"urn:x\" a=\"1\">v</x:ext>"]}),
    )
    .expect("encodes");
    assert!(
        xml.contains("<ns2:ext xmlns:ns2=\"urn:x\" a=\"1\">v</ns2:ext>"),
        "{xml}"
    );
    let e =
        encode("Open", json!({"known": "k", "$any": "</ns1:Open><evil/>"})).expect_err("broken");
    assert!(matches!(e.kind, EncodeErrorKind::BadFragment(_)), "{e}");
    let e = encode("Open", json!({"known": "k", "$any": "<p:x/>"})).expect_err("undeclared prefix");
    assert!(matches!(e.kind, EncodeErrorKind::BadFragment(_)), "{e}");
}

// ----- decode --------------------------------------------------------------------------

#[test]
fn repeated_elements_are_always_arrays() {
    assert_eq!(
        decode("Lists", &format!("<c:Lists {C}/>")).expect("0"),
        json!({"item": [], "point": []})
    );
    assert_eq!(
        decode(
            "Lists",
            &format!("<c:Lists {C}><c:item>a</c:item></c:Lists>")
        )
        .expect("1"),
        json!({"item": ["a"], "point": []})
    );
    assert_eq!(
        decode(
            "Lists",
            &format!(
                "<c:Lists {C}><c:item>a</c:item><c:item>b</c:item><c:item>c</c:item></c:Lists>"
            )
        )
        .expect("3"),
        json!({"item": ["a", "b", "c"], "point": []})
    );
}

#[test]
fn numbers_are_json_numbers_without_precision_loss() {
    let v = decode(
        "Scalars",
        &format!(
            "<c:Scalars {C}><c:text>t</c:text><c:count>-42</c:count><c:big>9223372036854775807</c:big>\
             <c:amount>12345678901234567890.123456789</c:amount><c:ratio>1.5E3</c:ratio></c:Scalars>"
        ),
    )
    .expect("decodes");
    assert_eq!(
        serde_json::to_string(&v).expect("json"),
        r#"{"text":"t","count":-42,"big":9223372036854775807,"amount":12345678901234567890.123456789,"ratio":1.5e+3}"#
    );
}

#[test]
fn integers_are_read_in_their_canonical_form() {
    // Signs and leading zeros go; a value past 64 bits keeps every digit. The tree decoder
    // (an integer parse, then decimal text past 64 bits) and the streaming one (digits
    // copied) must agree on each: `decode` checks that they do.
    for (text, json) in [
        ("+7", "7"),
        ("007", "7"),
        ("-0", "0"),
        ("-0012", "-12"),
        (" 42 ", "42"),
        ("99999999999999999999", "99999999999999999999"),
        ("-99999999999999999999", "-99999999999999999999"),
    ] {
        let v = decode(
            "Scalars",
            &format!(
                "<c:Scalars {C}><c:text>t</c:text><c:count>1</c:count><c:big>{text}</c:big></c:Scalars>"
            ),
        )
        .expect("decodes");
        assert_eq!(
            serde_json::to_string(&v["big"]).expect("json"),
            json,
            "{text}"
        );
    }
}

#[test]
fn decimals_keep_their_trailing_zeros() {
    let v = decode("Scalars", &format!("<c:Scalars {C}><c:text>t</c:text><c:count>1</c:count><c:amount>10.50</c:amount></c:Scalars>")).expect("decodes");
    assert_eq!(serde_json::to_string(&v["amount"]).expect("json"), "10.50");
}

#[test]
fn booleans_accept_one_and_zero() {
    let v = decode(
        "Scalars",
        &format!(
            "<c:Scalars {C}><c:text>t</c:text><c:count>1</c:count><c:flag>1</c:flag></c:Scalars>"
        ),
    )
    .expect("decodes");
    assert_eq!(v["flag"], json!(true));
    let v = decode(
        "Scalars",
        &format!(
            "<c:Scalars {C}><c:text>t</c:text><c:count>1</c:count><c:flag>0</c:flag></c:Scalars>"
        ),
    )
    .expect("decodes");
    assert_eq!(v["flag"], json!(false));
}

#[test]
fn nil_is_null() {
    let v = decode(
        "Scalars",
        &format!("<c:Scalars {C}><c:text>t</c:text><c:count>1</c:count><c:note xsi:nil=\"true\"/></c:Scalars>"),
    )
    .expect("decodes");
    assert_eq!(v["note"], Value::Null);
    let v = decode(
        "Lists",
        &format!("<c:Lists {C}><c:point xsi:nil=\"1\"/></c:Lists>"),
    )
    .expect("nil item");
    assert_eq!(v["point"], json!([null]));
}

#[test]
fn strings_stay_strings_with_leading_zeros() {
    let v = decode("Scalars", &format!("<c:Scalars {C}><c:text>007</c:text><c:count>7</c:count><c:zip>01234</c:zip></c:Scalars>")).expect("decodes");
    assert_eq!(v["text"], json!("007"));
    assert_eq!(v["zip"], json!("01234"));
    assert_eq!(v["count"], json!(7));
}

#[test]
fn attributes_become_keys_and_clashes_get_an_at_sign() {
    let v = decode(
        "Tagged",
        &format!("<c:Tagged {C} id=\"5\"><c:id>abc</c:id></c:Tagged>"),
    )
    .expect("decodes");
    assert_eq!(v, json!({"id": "abc", "@id": 5, "version": 1}));
    let xml = encode("Tagged", json!({"id": "abc", "@id": 5})).expect("encodes");
    assert!(
        xml.starts_with("<ns1:Tagged xmlns:ns1=\"urn:conv\" id=\"5\">"),
        "{xml}"
    );
}

#[test]
fn simple_content_with_attributes_is_an_object_with_a_value_key() {
    let v = decode(
        "Scalars",
        &format!("<c:Scalars {C}><c:text>t</c:text><c:count>1</c:count><c:price currency=\"EUR\">12.50</c:price></c:Scalars>"),
    )
    .expect("decodes");
    assert_eq!(
        serde_json::to_string(&v["price"]).expect("json"),
        r#"{"currency":"EUR","$value":12.50}"#
    );
    let back = roundtrip(
        "Scalars",
        json!({"text": "t", "count": 1, "price": {"currency": "USD", "$value": 3}}),
    );
    assert_eq!(back["price"], json!({"currency": "USD", "$value": 3}));
}

#[test]
fn unknown_content_is_kept_as_xml() {
    let v = decode(
        "Open",
        &format!("<c:Open {C}><c:known>k</c:known><x:ext xmlns:x=\"urn:x\" a=\"1\"><x:in>v</x:in></x:ext></c:Open>"),
    )
    .expect("decodes");
    assert_eq!(
        v,
        json!({"known": "k", "$any": ["<ns1:ext xmlns:ns1=\"urn:x\" a=\"1\"><ns1:in>v</ns1:in></ns1:ext>"]})
    );
    // Round trip: the kept fragment is written back.
    let xml = encode("Open", v).expect("re-encodes");
    assert!(xml.contains("<ns2:in>v</ns2:in>"), "{xml}");
    // An element the schema does not declare is kept even where no xsd:any allows it.
    let v = decode(
        "Tagged",
        &format!("<c:Tagged {C}><c:id>i</c:id><c:surprise>s</c:surprise></c:Tagged>"),
    )
    .expect("decodes");
    assert_eq!(
        v["$any"],
        json!(["<ns1:surprise xmlns:ns1=\"urn:conv\">s</ns1:surprise>"])
    );
}

#[test]
fn xsi_type_selects_the_derived_type() {
    let v = decode(
        "Drawing",
        &format!(
            "<c:Drawing {C}><c:shape xsi:type=\"c:Circle\"><c:name>c</c:name><c:radius>2.5</c:radius></c:shape>\
             <c:shape xsi:type=\"c:Square\"><c:name>s</c:name><c:side>1</c:side></c:shape></c:Drawing>"
        ),
    )
    .expect("decodes");
    assert_eq!(
        v,
        json!({"shape": [
            {"$type": "Circle", "name": "c", "radius": 2.5},
            {"$type": "Square", "name": "s", "side": 1}
        ]})
    );
    assert_eq!(roundtrip("Drawing", v.clone()), v);
}

#[test]
fn namespaces_are_matched_by_uri_not_prefix() {
    let v = decode(
        "Located",
        r#"<whatever:Located xmlns:whatever="urn:conv"><whatever:where><x>1</x><y>2</y></whatever:where></whatever:Located>"#,
    )
    .expect("decodes");
    assert_eq!(v, json!({"where": {"x": 1, "y": 2}}));
    let v = decode(
        "Located",
        r#"<Located xmlns="urn:conv"><where><x xmlns="">1</x><y xmlns="">2</y></where></Located>"#,
    )
    .expect("default namespace");
    assert_eq!(v, json!({"where": {"x": 1, "y": 2}}));
}

#[test]
fn any_type_content_becomes_plain_json() {
    let v = decode(
        "Anything",
        &format!("<c:Anything {C}><a>1</a><b k=\"v\">2</b><a>3</a><n xsi:type=\"xsd:int\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">4</n></c:Anything>"),
    )
    .expect("decodes");
    assert_eq!(
        v,
        json!({"a": ["1", "3"], "b": {"@k": "v", "$value": "2"}, "n": 4})
    );
}

#[test]
fn invalid_backend_values_name_their_path() {
    let e = decode(
        "Scalars",
        &format!("<c:Scalars {C}><c:text>t</c:text><c:count>many</c:count></c:Scalars>"),
    )
    .expect_err("bad int");
    assert_eq!(
        e.to_string(),
        "/count: expected xsd:int: `many` is not an integer"
    );
}

#[test]
fn hostile_xml_is_refused() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><c:Scalars xmlns:c="urn:conv"><c:text>&lol2;</c:text></c:Scalars>"#;
    assert!(matches!(
        decode("Scalars", bomb),
        Err(DecodeError::Forbidden(_))
    ));
    let deep = format!(
        "<c:Anything {C}>{}{}</c:Anything>",
        "<a>".repeat(500),
        "</a>".repeat(500)
    );
    assert!(matches!(
        decode("Anything", &deep),
        Err(DecodeError::TooLarge(_))
    ));
    let external = format!("<c:Scalars {C}><c:text>&xxe;</c:text><c:count>1</c:count></c:Scalars>");
    assert!(matches!(
        decode("Scalars", &external),
        Err(DecodeError::Malformed(_))
    ));
}

#[test]
fn scalar_roundtrip_keeps_every_value() {
    let v: Value = serde_json::from_str(
        r#"{"text":"Grüße & <hello>","count":-42,"big":-9223372036854775808,"amount":0.0001,"ratio":-2.5e-10,
            "flag":false,"day":"2024-02-29","when":"2024-05-06T07:08:09.123+02:00","blob":"SGVsbG8=",
            "color":"GREEN","zip":"00501","percent":0,"numbers":[],"price":{"currency":"JPY","$value":100},"note":null}"#,
    )
    .expect("json");
    let mut expected = v.clone();
    // An empty list writes nothing, which reads back as an empty list.
    expected["numbers"] = json!([]);
    assert_eq!(roundtrip("Scalars", v), expected);
}

// ----- regressions ---------------------------------------------------------------------

#[test]
fn whitespace_in_attribute_values_survives() {
    let v = json!({"text": "t", "count": 1, "price": {"currency": "a\tb\nc\r\nd", "$value": 1}});
    let xml = encode("Scalars", v.clone()).expect("encodes");
    assert!(
        xml.contains("currency=\"a&#9;b&#10;c&#13;&#10;d\""),
        "{xml}"
    );
    assert_eq!(roundtrip("Scalars", v.clone()), v);
}

#[test]
fn choice_of_repeated_elements_round_trips_with_the_empty_branch() {
    // The decoder writes `[]` for the branch not taken; that JSON must encode again.
    let v = decode(
        "Pick",
        &format!("<c:Pick {C}><c:a>x</c:a><c:a>y</c:a></c:Pick>"),
    )
    .expect("decodes");
    assert_eq!(v, json!({"a": ["x", "y"], "b": []}));
    let xml = encode("Pick", v).expect("re-encodes");
    assert!(
        xml.contains("<ns1:a>x</ns1:a><ns1:a>y</ns1:a>") && !xml.contains(":b>"),
        "{xml}"
    );
    let e = encode("Pick", json!({"a": ["x"], "b": [1]})).expect_err("two branches");
    assert!(
        matches!(e.kind, EncodeErrorKind::ChoiceConflict { .. }),
        "{e}"
    );
}

#[test]
fn integer_bounds_hold_at_the_edges_and_beyond_64_bits() {
    let xsd = |local: &str| WSDL.schema.global_types[&QName::new(crate::xmlutil::XSD_NS, local)];
    let num = |t: &str| -> Value { serde_json::from_str(t).expect("number") };
    let check = |local: &str, t: &str| scalar::to_lexical(&WSDL.schema, xsd(local), &num(t));
    assert_eq!(
        check("unsignedLong", "18446744073709551615").as_deref(),
        Ok("18446744073709551615")
    );
    assert!(check("unsignedLong", "18446744073709551616").is_err());
    assert!(check("long", "-9223372036854775809").is_err());
    assert!(check("byte", "-129").is_err());
    assert_eq!(check("byte", "-128").as_deref(), Ok("-128"));
    assert!(
        check(
            "nonNegativeInteger",
            "-100000000000000000000000000000000000000000000"
        )
        .is_err()
    );
    let huge = "123456789012345678901234567890123456789012345678901234567890";
    assert_eq!(check("integer", huge).as_deref(), Ok(huge));
    assert_eq!(check("positiveInteger", huge).as_deref(), Ok(huge));
    assert!(check("positiveInteger", "0").is_err());
}

#[test]
fn default_attributes_are_filled_when_the_element_has_no_attributes() {
    let v = decode(
        "Tagged",
        &format!("<c:Tagged {C}><c:id>abc</c:id></c:Tagged>"),
    )
    .expect("decodes");
    assert_eq!(v, json!({"id": "abc", "version": 1}));
}

#[test]
fn id_and_href_attributes_are_data_outside_encoded_messages() {
    // In document/literal free-form content `id` is an attribute like any other; only a
    // SOAP-encoded message uses it to name a multiRef target.
    let v = roundtrip("Anything", json!({"x": {"@id": "7", "$value": "x"}}));
    assert_eq!(v, json!({"x": {"@id": "7", "$value": "x"}}));
    // Nor is `href` a reference to follow there.
    let v = roundtrip(
        "Anything",
        json!({"y": {"@href": "#7", "$value": "y"}, "z": {"@id": "7", "$value": "z"}}),
    );
    assert_eq!(
        v,
        json!({"y": {"@href": "#7", "$value": "y"}, "z": {"@id": "7", "$value": "z"}})
    );
}

use super::*;
use crate::translate::events::replay::Recorded;

#[test]
fn declarations_are_found_among_other_attributes() {
    for (attrs, declares) in [
        (" a=\"1\"", false),
        (" x=\"1\" xml:lang=\"en\"", false),
        (" xmlns=\"urn:a\"", true),
        (" a=\"1\" xmlns:p=\"urn:p\"", true),
        (" a=\"xmlns\"", true),
        (" xmln=\"1\" x", false),
    ] {
        assert_eq!(mentions_xmlns(attrs.as_bytes()), declares, "{attrs}");
    }
    // A declaration after other attributes still takes effect.
    let events = all(r#"<a k="v" xmlns:p="urn:p"><p:b/></a>"#).expect("reads");
    assert!(events.contains(&"<{urn:p}b".to_string()), "{events:?}");
}

#[test]
fn a_tag_of_declarations_alone_has_no_attributes_and_others_keep_theirs() {
    let xml = r#"<a xmlns="urn:a" xmlns:p="urn:p"><p:b xmlns:q="urn:q" q:k="v"/></a>"#;
    let mut src = LiveSource::new(xml, Limits::default());
    let Ev::Start(a) = src.next().expect("reads") else {
        panic!("a start")
    };
    assert_eq!((&*a.ns, &*a.local, a.attrs.len()), ("urn:a", "a", 0));
    let Ev::Start(b) = src.next().expect("reads") else {
        panic!("a start")
    };
    assert_eq!((&*b.ns, &*b.local), ("urn:p", "b"));
    let kept: Vec<(String, String, String)> = b
        .attrs
        .iter()
        .map(|a| (a.ns.to_string(), a.local.to_string(), a.value.to_string()))
        .collect();
    assert_eq!(kept, [("urn:q".into(), "k".into(), "v".into())]);
    // A declaration written twice is still refused.
    let twice = r#"<a xmlns:p="urn:p" xmlns:p="urn:p"/>"#;
    assert!(all(twice).is_err(), "a duplicate declaration is an error");
}

#[test]
fn a_carriage_return_is_found_wherever_it_is() {
    for len in 0..48 {
        let plain = "a".repeat(len);
        assert!(!has_cr(&plain), "none in {len} bytes");
        for at in 0..len {
            let mut t = plain.clone().into_bytes();
            t[at] = b'\r';
            let t = String::from_utf8(t).expect("ascii");
            assert!(has_cr(&t), "at {at} of {len}");
        }
    }
    // Bytes next to `\r` in value (`\x0c`, `\x0e`) and above 0x80 are not taken for it.
    assert!(!has_cr("\x0c\x0e\x0c\x0eé\u{10d}\x0c\x0e"));
}

fn all(xml: &str) -> Result<Vec<String>, DecodeError> {
    let mut src = LiveSource::new(xml, Limits::default());
    let mut out = Vec::new();
    loop {
        match src.next()? {
            Ev::Start(s) => out.push(format!("<{{{}}}{}", s.ns, s.local)),
            Ev::Text(t) => out.push(format!("'{t}'")),
            Ev::End => out.push(">".into()),
            Ev::Eof => return Ok(out),
        }
    }
}

#[test]
fn resolves_names_and_joins_text() {
    let ev = all(
        r#"<?xml version="1.0"?><a:x xmlns:a="urn:a"><y>1 &amp; 2<![CDATA[<3>]]></y><z/></a:x>"#,
    )
    .expect("events");
    assert_eq!(
        ev,
        vec!["<{urn:a}x", "<{}y", "'1 & 2<3>'", ">", "<{}z", ">", ">"]
    );
}

#[test]
fn doctype_is_refused() {
    let err = all(r#"<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>"#).expect_err("doctype");
    assert!(matches!(err, DecodeError::Forbidden(_)), "{err:?}");
}

#[test]
fn unknown_entities_are_refused() {
    assert!(all("<x>&bomb;</x>").is_err());
}

#[test]
fn depth_is_limited() {
    let deep = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
    let err = all(&deep).expect_err("too deep");
    assert!(matches!(err, DecodeError::TooLarge(_)), "{err:?}");
}

#[test]
fn control_attributes_are_resolved() {
    let xml = r##"<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:t="urn:t"
        xmlns:enc="http://schemas.xmlsoap.org/soap/encoding/"
        xsi:type="t:Order" enc:arrayType="t:Item[2]" href="#id1" other="v"/>"##;
    let mut src = LiveSource::new(xml, Limits::default());
    let Ev::Start(s) = src.next().expect("start") else {
        panic!("not a start")
    };
    assert_eq!(s.xsi_type(), Some(&QName::new("urn:t", "Order")));
    assert_eq!(s.array_type(), Some(&QName::new("urn:t", "Item")));
    assert_eq!(s.href(), Some("id1"));
    // `href` stays an attribute too: outside encoded messages it is data.
    let names: Vec<&str> = s.attrs.iter().map(|a| &*a.local).collect();
    assert_eq!(names, ["href", "other"]);
}

#[test]
fn clark_notation_in_xsi_type_is_read() {
    let xml =
        r#"<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="{urn:t}Customer"/>"#;
    let mut src = LiveSource::new(xml, Limits::default());
    let Ev::Start(s) = src.next().expect("start") else {
        panic!("not a start")
    };
    assert_eq!(s.xsi_type(), Some(&QName::new("urn:t", "Customer")));
}

/// Names as quick-xml's `NsReader` resolves them (the rules the scope stack keeps):
/// `<{ns}local` per element, `@{ns}local` per attribute, or the error's text.
fn by_ns_reader(xml: &str) -> Result<Vec<String>, String> {
    use quick_xml::name::ResolveResult;
    fn show(res: ResolveResult<'_>) -> Result<String, String> {
        match res {
            ResolveResult::Bound(ns) => Ok(format!("{{{}}}", ns.0)),
            ResolveResult::Unbound => Ok("{}".into()),
            ResolveResult::Unknown(p) => Err(format!("undeclared namespace prefix `{p}`")),
        }
    }
    let mut r = quick_xml::reader::NsReader::from_str(xml);
    r.config_mut().check_end_names = true;
    let mut out = Vec::new();
    loop {
        match r.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) | Event::Empty(e) => {
                let (res, local) = r.resolver().resolve_element(e.name());
                out.push(format!("<{}{}", show(res)?, local.into_inner()));
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    if a.key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (res, local) = r.resolver().resolve_attribute(a.key);
                    out.push(format!("@{}{}", show(res)?, local.into_inner()));
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

fn by_live_source(xml: &str) -> Result<Vec<String>, String> {
    let mut src = LiveSource::new(xml, Limits::default());
    let mut out = Vec::new();
    loop {
        match src.next().map_err(|e| e.to_string())? {
            Ev::Start(s) => {
                out.push(format!("<{{{}}}{}", s.ns, s.local));
                for a in &s.attrs {
                    out.push(format!("@{{{}}}{}", a.ns, a.local));
                }
            }
            Ev::Eof => return Ok(out),
            Ev::Text(_) | Ev::End => {}
        }
    }
}

/// [`by_live_source`] read with `next_named`, whose plain start tags come by name.
fn by_live_source_named(xml: &str) -> Result<Vec<String>, String> {
    let mut src = LiveSource::new(xml, Limits::default());
    let mut out = Vec::new();
    loop {
        match src.next_named().map_err(|e| e.to_string())? {
            Named::Plain(ns, local) => out.push(format!("<{{{ns}}}{local}")),
            Named::Ev(Ev::Start(s)) => {
                assert!(!s.attrs.is_empty() || s.control.is_some() || s.nil, "{xml}");
                out.push(format!("<{{{}}}{}", s.ns, s.local));
                for a in &s.attrs {
                    out.push(format!("@{{{}}}{}", a.ns, a.local));
                }
            }
            Named::Ev(Ev::Eof) => return Ok(out),
            Named::Ev(Ev::Text(_) | Ev::End) => {}
        }
    }
}

#[test]
fn names_resolve_as_ns_reader_resolves_them() {
    let many: String = (0..130)
        .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
        .collect();
    let docs = [
        r#"<a xmlns="urn:d"><b/><c xmlns=""><d/></c><e/></a>"#.to_owned(),
        r#"<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"/><p:c/></p:a>"#.to_owned(),
        r#"<a><p:b xmlns:p="urn:p" p:x="1" y="2"/><p:c/></a>"#.to_owned(),
        r#"<a p:x="1" xmlns:p="urn:p" xmlns="urn:d" z="3"><b p:y="2"/></a>"#.to_owned(),
        r#"<a xml:lang="en"><xml:b/><xmlns:c/></a>"#.to_owned(),
        r#"<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>"#.to_owned(),
        r#"<a xmlns:xml="urn:x"/>"#.to_owned(),
        r#"<a xmlns:xmlns="urn:x"/>"#.to_owned(),
        r#"<a xmlns:p="http://www.w3.org/2000/xmlns/"/>"#.to_owned(),
        r#"<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>"#.to_owned(),
        r#"<a xmlns:p="urn:p"><p:b xmlns:p=""><p:c/></p:b></a>"#.to_owned(),
        r#"<a xmlns:p="urn:p">text<p:b/>more<p:c>x</p:c></a>"#.to_owned(),
        r#"<a xmlns:p="urn:p"><p:b xmlns:q="urn:q"><q:c/></p:b><q:d/></a>"#.to_owned(),
        r#"<a xmlns:="urn:e"><b/></a>"#.to_owned(),
        r#"<a><:b/></a>"#.to_owned(),
        format!("<a{many}/>"),
        format!("<a{}><b xmlns:q=\"urn:q\"/></a>", &many[..many.len() / 2]),
    ];
    for doc in &docs {
        for read in [by_live_source, by_live_source_named] {
            match (by_ns_reader(doc), read(doc)) {
                (Ok(want), Ok(got)) => assert_eq!(got, want, "{doc}"),
                (Err(want), Err(got)) => {
                    assert!(got.ends_with(&want), "{doc}: {got} / {want}");
                }
                (want, got) => panic!("{doc}: NsReader {want:?}, LiveSource {got:?}"),
            }
        }
    }
}

/// Every event of `src` read with `next_named` (`child` false) or `next_child`, with the
/// texts the decoders drop in element-only content left out.
fn kept_events<'i>(src: &mut impl Source<'i>, child: bool) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    loop {
        let ev = if child {
            src.next_child()
        } else {
            src.next_named()
        };
        match ev.map_err(|e| e.to_string())?.into_ev() {
            Ev::Start(s) => out.push(format!("<{{{}}}{} {:?}", s.ns, s.local, s.attrs)),
            Ev::Text(t) if crate::translate::scalar::blank(&t) => {}
            Ev::Text(t) => out.push(format!("text {t:?}")),
            Ev::End => out.push("end".into()),
            Ev::Eof => return Ok(out),
        }
    }
}

fn live_kept(xml: &str, child: bool) -> Result<Vec<String>, String> {
    kept_events(&mut LiveSource::new(xml, Limits::default()), child)
}

#[test]
fn indentation_is_passed_over_as_the_decoders_drop_it() {
    let docs = [
        "<a>\n  <b>x</b>\n  <c/>\n</a>",
        "<a>  &amp; <b/></a>",
        "<a>\t<![CDATA[ ]]>x<b/></a>",
        "<a> <!-- c --> x <b/> </a>",
        "<a>\r\n <?pi x?> <b xmlns='urn:b' b='1'/>\u{a0}</a>",
        "<a> <b>  </b>  </a>  ",
        "<a>   ",
        " <!DOCTYPE a> <a/>",
        "<a>  &bogus; <b/></a>",
    ];
    for doc in docs {
        let named = live_kept(doc, false);
        assert_eq!(live_kept(doc, true), named, "{doc}");
        // The recorded events (multiRef documents) take the trait's way.
        if let Ok(rec) = Recorded::record(&mut LiveSource::new(doc, Limits::default())) {
            assert_eq!(kept_events(&mut rec.cursor(0), true), named, "{doc}");
        }
    }
    // Text that goes on after white space is joined with it, not cut.
    let joined = live_kept("<a>  &amp;<b/></a>", true).expect("well formed");
    assert!(joined.contains(&"text \"  &\"".to_owned()), "{joined:?}");
}

#[test]
fn truncated_document_is_an_error() {
    assert!(all("<a><b>").is_err());
}

//! The live source: events read from a document held whole, as the decoder asks for them,
//! names resolved against the namespace declarations in scope ([`Scope`]).

use std::borrow::Cow;

use quick_xml::events::attributes::Attributes;
use quick_xml::events::{BytesCData, BytesRef, BytesStart, BytesText, Event};
use quick_xml::name::NamespaceError;
use quick_xml::reader::Reader;

use super::scope::{Scope, split_qname};
use super::{
    AttrVal, DecodeError, Ev, Limits, Named, Source, Start, TextOrChild, doctype_refused,
    end_of_document, simple_content_from,
};
use crate::wsdl::QName;
use crate::xmlutil::{self, SOAP11_ENC_NS, SOAP12_ENC_NS, XSI_NS};

/// Events read from the text as they are needed.
///
/// Names are resolved here, against a small stack of the namespace declarations in scope,
/// not by quick-xml's `NsReader`: a document declares a handful of prefixes, so comparing a
/// prefix with each of them is cheap, while `NsReader` parsed every start tag's attributes
/// a second time to find declarations and resolved into a string buffer we then interned
/// again (about 1.3 M of the 10.4 M instructions of one large answer, callgrind). The rules
/// are `NsReader`'s (see [`Scope`]), its errors included.
pub struct LiveSource<'i> {
    reader: Reader<&'i [u8]>,
    text: &'i str,
    limits: Limits,
    depth: usize,
    elements: usize,
    pending_end: bool,
    peeked: Option<Event<'i>>,
    scope: Scope<'i>,
    /// The last start tag read has attributes, and all of them are namespace declarations
    /// (already added by `declare`): its `Start` has nothing more to read from them.
    declarations_only: bool,
}

impl<'i> LiveSource<'i> {
    pub fn new(text: &'i str, limits: Limits) -> Self {
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        Self {
            reader,
            text,
            limits,
            depth: 0,
            elements: 0,
            pending_end: false,
            peeked: None,
            scope: Scope::default(),
            declarations_only: false,
        }
    }

    fn xml_error(&self, e: impl std::fmt::Display) -> DecodeError {
        let pos = usize::try_from(self.reader.error_position()).unwrap_or(0);
        DecodeError::malformed(format!("line {}: {e}", xmlutil::line_of(self.text, pos)))
    }

    /// The next event from the reader.
    #[inline(always)]
    fn read(&mut self) -> Result<Event<'i>, DecodeError> {
        let event = self.reader.read_event().map_err(|e| self.xml_error(e))?;
        if let Event::Start(e) | Event::Empty(e) = &event {
            // A tag's declarations take effect as it is read (a start tag read ahead while
            // joining text included), and a bad one fails the read, as with `NsReader`.
            self.declare(e)?;
        }
        Ok(event)
    }

    /// Adds the namespace declarations of a start tag at the level of its element. Most
    /// tags have no attributes, and most attributes declare nothing (every declaration's
    /// name starts with `xmlns`): that is answered here, in line, and only the others go on
    /// to [`LiveSource::declare_attributes`], which parses them. Always in line: as a call
    /// it cost as much as its test.
    #[inline(always)]
    fn declare(&mut self, e: &BytesStart<'i>) -> Result<(), DecodeError> {
        if self.depth >= usize::from(u16::MAX) {
            return Err(self.ns_error(NamespaceError::TooDeeplyNested(usize::from(u16::MAX))));
        }
        let name_len = e.name().0.len();
        let attrs = &e[name_len..];
        self.declarations_only = false;
        if blank(attrs) || !mentions_xmlns(attrs.as_bytes()) {
            return Ok(());
        }
        self.declare_attributes(e, name_len)
    }

    #[inline(never)]
    fn declare_attributes(
        &mut self,
        e: &BytesStart<'i>,
        name_len: usize,
    ) -> Result<(), DecodeError> {
        let tag = self.tag(e)?;
        let level = self.depth + 1;
        let mut only = true;
        for attr in Attributes::new(tag, name_len) {
            // Malformed attributes (duplicates included) are reported when the tag is read
            // as an element.
            let Ok(attr) = attr else {
                only = false;
                break;
            };
            match attr.key.as_namespace_binding() {
                Some(decl) => self
                    .scope
                    .add(decl, attr.value, level)
                    .map_err(|e| self.ns_error(e))?,
                None => only = false,
            }
        }
        // Every start tag read goes to `start` before the next one is read.
        self.declarations_only = only;
        Ok(())
    }

    fn ns_error(&self, e: NamespaceError) -> DecodeError {
        self.xml_error(quick_xml::Error::Namespace(e))
    }

    /// The text of a start tag (name and attributes) as a slice of the input.
    fn tag(&self, e: &BytesStart<'_>) -> Result<&'i str, DecodeError> {
        // A reader over a `&str` lends every tag from it.
        within(self.text, e).ok_or_else(|| self.xml_error("a start tag outside the document"))
    }

    /// The start of an element (`empty`: `<x/>`, whose `End` follows at once); without
    /// attributes, by its name alone.
    #[inline(always)]
    fn start(&mut self, e: BytesStart<'i>, empty: bool) -> Result<Named<'i>, DecodeError> {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(DecodeError::TooLarge(format!(
                "more than {} elements",
                self.limits.max_elements
            )));
        }
        if self.depth >= self.limits.max_depth {
            return Err(DecodeError::TooLarge(format!(
                "elements nested deeper than {} levels",
                self.limits.max_depth
            )));
        }
        let tag = self.tag(&e)?;
        let name_len = e.name().0.len();
        let (name, attrs) = tag.split_at_checked(name_len).unwrap_or((tag, ""));
        let (prefix, local) = split_qname(name);
        let ns = self
            .scope
            .resolve(prefix, true)
            .map_err(|p| self.xml_error(format!("undeclared namespace prefix `{p}`")))?;
        self.depth += 1;
        self.pending_end = empty;
        if blank(attrs) || self.declarations_only {
            return Ok(Named::Plain(ns, local));
        }
        let start = Start::new(ns, Cow::Borrowed(local));
        match self.attributes(tag, name_len, start) {
            Ok(start) => Ok(Named::Ev(Ev::Start(start))),
            Err(e) => {
                self.depth -= 1;
                self.pending_end = false;
                Err(e)
            }
        }
    }

    /// The attributes of a start tag: control attributes into their fields, the others into
    /// `attrs`.
    fn attributes(
        &mut self,
        tag: &'i str,
        name_len: usize,
        mut start: Start<'i>,
    ) -> Result<Start<'i>, DecodeError> {
        for attr in Attributes::new(tag, name_len) {
            let attr = attr.map_err(|err| self.xml_error(err))?;
            let key = attr.key;
            if key.0 == "xmlns" || key.0.starts_with("xmlns:") {
                continue;
            }
            let (prefix, alocal) = split_qname(key.0);
            let ans = self
                .scope
                .resolve(prefix, false)
                .map_err(|p| self.xml_error(format!("undeclared namespace prefix `{p}`")))?;
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| self.xml_error(err))?;
            match (&*ans, alocal) {
                (XSI_NS, "type") => start.control_mut().xsi_type = self.resolve_qname_value(&value),
                (XSI_NS, "nil") => start.nil = matches!(value.trim(), "true" | "1"),
                (XSI_NS, _) => {}
                (SOAP11_ENC_NS, "arrayType") | (SOAP12_ENC_NS, "itemType") => {
                    let type_part = value.split('[').next().unwrap_or("").to_owned();
                    start.control_mut().array_type = self.resolve_qname_value(&type_part);
                }
                (SOAP12_ENC_NS, "ref") => start.control_mut().href = Some(value.into_owned()),
                (SOAP11_ENC_NS | SOAP12_ENC_NS, _) => {}
                // A reference only in an encoded message, which the decoder knows; the
                // attribute stays for the others.
                ("", "href") if value.starts_with('#') => {
                    start.control_mut().href = Some(value[1..].to_owned());
                    start.attrs.push(AttrVal {
                        ns: ans,
                        local: Cow::Borrowed(alocal),
                        value,
                    });
                }
                ("", "id") => {
                    start.control_mut().id = Some(value.to_string());
                    start.attrs.push(AttrVal {
                        ns: ans,
                        local: Cow::Borrowed(alocal),
                        value,
                    });
                }
                _ => {
                    start.attrs.push(AttrVal {
                        ns: ans,
                        local: Cow::Borrowed(alocal),
                        value,
                    });
                }
            }
        }
        Ok(start)
    }

    fn resolve_qname_value(&mut self, value: &str) -> Option<QName> {
        let value = value.trim();
        // SOAP::Lite writes Clark notation (`{ns}Type`) into xsi:type.
        if let Some(rest) = value.strip_prefix('{')
            && let Some((ns, local)) = rest.split_once('}')
        {
            return Some(QName::new(ns, local));
        }
        let (prefix, local) = split_qname(value);
        match self.scope.resolve(prefix, true) {
            Ok(ns) => Some(QName::new(&ns, local)),
            Err(_) => None,
        }
    }

    /// A `Text` of `first` and the text, CDATA and entity pieces that follow it. The event
    /// after them is kept for the next call; an `End` (the usual one) as `pending_end`.
    fn text(&mut self, first: Cow<'i, str>) -> Result<Ev<'i>, DecodeError> {
        let next = self.read()?;
        self.text_then(first, next)
    }

    /// [`LiveSource::text`] with the event after `text` read already.
    fn text_then(
        &mut self,
        mut text: Cow<'i, str>,
        mut event: Event<'i>,
    ) -> Result<Ev<'i>, DecodeError> {
        loop {
            match event {
                // Borrowed from the input unless a `\r` is normalised.
                Event::Text(t) => append(&mut text, content(t)),
                Event::CData(t) => append(&mut text, cdata(t)),
                Event::GeneralRef(r) => {
                    let ch = self.entity(&r)?;
                    text.to_mut().push(ch);
                }
                Event::End(_) => {
                    self.pending_end = true;
                    return Ok(Ev::Text(text));
                }
                other => {
                    self.peeked = Some(other);
                    return Ok(Ev::Text(text));
                }
            }
            event = self.read()?;
        }
    }

    fn entity(&self, r: &BytesRef<'_>) -> Result<char, DecodeError> {
        xmlutil::resolve_entity(r).ok_or_else(|| {
            self.xml_error(format!(
                "unknown entity `&{};` (documents may not declare entities)",
                &**r
            ))
        })
    }

    /// The next event for [`Source::next`] and [`Source::next_named`]: an [`Ev`], or a
    /// start tag (`Err`, with whether it is empty) that the caller makes a start of its
    /// kind. Comments, declarations and processing instructions are passed over.
    #[inline(always)]
    fn event(&mut self) -> Result<Result<Ev<'i>, Tag<'i>>, DecodeError> {
        if self.pending_end {
            self.pending_end = false;
            self.close();
            return Ok(Ok(Ev::End));
        }
        loop {
            let event = match self.peeked.take() {
                Some(e) => e,
                None => self.read()?,
            };
            let ev = match event {
                Event::Start(e) => return Ok(Err((e, false))),
                Event::Empty(e) => return Ok(Err((e, true))),
                Event::End(_) => {
                    self.close();
                    Ev::End
                }
                Event::Text(t) => self.text(content(t))?,
                Event::CData(t) => self.text(cdata(t))?,
                Event::GeneralRef(r) => {
                    let ch = self.entity(&r)?;
                    self.text(Cow::Owned(ch.to_string()))?
                }
                Event::DocType(_) => return Err(doctype_refused()),
                Event::Eof => end_of_document(self.depth)?,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            };
            return Ok(Ok(ev));
        }
    }

    /// The end of the element at `self.depth`: its declarations go out of scope.
    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.scope.close(self.depth);
    }
}

/// A start tag as [`LiveSource::event`] hands it on: the tag, and whether it is empty.
type Tag<'i> = (BytesStart<'i>, bool);

/// Whether `s` is XML white space alone: the attribute part of a start tag that holds no
/// attribute, or the indentation between tags.
fn blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Whether `xmlns` occurs in the attribute part of a tag (in a name, or in a value: then
/// the attributes are parsed for nothing).
fn mentions_xmlns(attrs: &[u8]) -> bool {
    let mut from = 0;
    while let Some(at) = attrs
        .get(from..)
        .and_then(|rest| memchr::memchr(b'x', rest))
    {
        if attrs[from + at..].starts_with(b"xmlns") {
            return true;
        }
        from += at + 1;
    }
    false
}

/// `s` as the same slice of `text`, when it lies in it.
fn within<'i>(text: &'i str, s: &str) -> Option<&'i str> {
    let at = (s.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    text.get(at..at.checked_add(s.len())?)
}

impl<'i> Source<'i> for LiveSource<'i> {
    // In line in the decoders' loops: the work is in `start` and `text`, and the call
    // itself, with the large `Ev` it returns, was a good part of an `End`'s cost.
    #[inline]
    fn next(&mut self) -> Result<Ev<'i>, DecodeError> {
        self.next_named().map(Named::into_ev)
    }

    // Always in line: `next` is made of it, and as a call of its own it cost the object
    // loop a tenth of a decode.
    #[inline(always)]
    fn next_named(&mut self) -> Result<Named<'i>, DecodeError> {
        match self.event()? {
            Ok(ev) => Ok(Named::Ev(ev)),
            Err((tag, empty)) => self.start(tag, empty),
        }
    }

    // The indentation before a tag is passed over before it is made a `Text` event: read
    // as text, it made the tag after it wait as a peeked event. Text that goes on (more
    // pieces, a comment) goes the usual way, joined.
    #[inline(always)]
    fn next_child(&mut self) -> Result<Named<'i>, DecodeError> {
        if self.pending_end || self.peeked.is_some() {
            return self.next_named();
        }
        let event = match self.read()? {
            Event::Text(t) if blank(&t) => {
                let next = self.read()?;
                if matches!(
                    next,
                    Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                ) {
                    // The text goes on: joined as `next_named` joins it.
                    return Ok(Named::Ev(self.text_then(content(t), next)?));
                }
                next
            }
            event => event,
        };
        // One place that makes a start, like `event`: in line, each one costs code size.
        let (tag, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                self.close();
                return Ok(Named::Ev(Ev::End));
            }
            other => {
                self.peeked = Some(other);
                return self.next_named();
            }
        };
        self.start(tag, empty)
    }

    /// The usual simple content, one text and the `End`, read straight from the reader;
    /// anything else goes the general way from the events read so far.
    fn simple_content(&mut self) -> Result<TextOrChild<'i>, DecodeError> {
        if self.pending_end || self.peeked.is_some() {
            return simple_content_from(self, None);
        }
        match self.read()? {
            Event::Text(t) => {
                let text = content(t);
                match self.read()? {
                    Event::End(_) => {
                        self.close();
                        Ok(TextOrChild::Text(text))
                    }
                    // More pieces of text, a child, a comment...
                    after => {
                        let first = self.text_then(text, after)?;
                        simple_content_from(self, Some(first))
                    }
                }
            }
            Event::End(_) => {
                self.close();
                Ok(TextOrChild::Text(Cow::Borrowed("")))
            }
            other => {
                self.peeked = Some(other);
                simple_content_from(self, None)
            }
        }
    }

    /// `text` read up to its element's `End` leaves it pending: it is taken here, so a
    /// simple element's text and its end come in one call.
    fn take_end(&mut self) -> bool {
        if !self.pending_end {
            return false;
        }
        self.pending_end = false;
        self.close();
        true
    }
}

/// Text content, `\r` normalised (`xml10_content`); the check for a `\r` is done in line
/// for short text, where calling `memchr` cost more than the search.
#[inline]
fn content(t: BytesText<'_>) -> Cow<'_, str> {
    if has_cr(&t) {
        t.xml10_content()
    } else {
        t.into_inner()
    }
}

/// [`content`] for a CDATA section.
#[inline]
fn cdata(t: BytesCData<'_>) -> Cow<'_, str> {
    if has_cr(&t) {
        t.xml10_content()
    } else {
        t.into_inner()
    }
}

#[inline]
fn has_cr(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() > 32 {
        return memchr::memchr(b'\r', b).is_some();
    }
    // Eight bytes at a time: the usual "has a zero byte" word test on the word xor `\r`.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = b.chunks_exact(8);
    for chunk in &mut words {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b'\r'));
        if x.wrapping_sub(ONES) & !x & HIGH != 0 {
            return true;
        }
    }
    words.remainder().contains(&b'\r')
}

#[inline]
fn append<'i>(acc: &mut Cow<'i, str>, piece: Cow<'i, str>) {
    if acc.is_empty() {
        *acc = piece;
    } else {
        acc.to_mut().push_str(&piece);
    }
}

#[cfg(test)]
mod tests {
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
        let ev = all(r#"<?xml version="1.0"?><a:x xmlns:a="urn:a"><y>1 &amp; 2<![CDATA[<3>]]></y><z/></a:x>"#)
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
        let xml = r#"<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="{urn:t}Customer"/>"#;
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
}

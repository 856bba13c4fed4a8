//! Namespace-resolved XML events for the decoders, straight from quick-xml.
//!
//! ```text
//! &str ──quick_xml::NsReader──> Ev::Start / Ev::Text / Ev::End   (live, streaming)
//!      └─ or recorded once into a Vec<Ev> when the message uses multiRef/href
//! ```
//!
//! Both sources yield the same events, so one decoder serves both. Limits are enforced here:
//! a DOCTYPE is refused (no entity can ever be expanded), and depth and element count are
//! capped, so hostile XML costs a bounded amount of work.
//!
//! May import `wsdl`, `xmlutil`.

use std::borrow::Cow;
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::DecodeError;
use crate::wsdl::QName;
use crate::xmlutil::{self, SOAP11_ENC_NS, SOAP12_ENC_NS, XSI_NS};

/// Bounds on what a backend's XML may cost.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_elements: usize,
    /// Accept answers that break the contract (a required element missing, elements in
    /// another namespace than the schema's): a backend's `lenient` switch.
    pub lenient: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 128,
            max_elements: 2_000_000,
            lenient: false,
        }
    }
}

/// An attribute that is not a namespace declaration or an `xsi:`/SOAP-encoding control
/// attribute.
#[derive(Clone, Debug)]
pub struct AttrVal<'i> {
    pub ns: Arc<str>,
    pub local: Cow<'i, str>,
    pub value: Cow<'i, str>,
}

/// A start tag with what the decoders need already resolved.
#[derive(Clone, Debug)]
pub struct Start<'i> {
    pub ns: Arc<str>,
    pub local: Cow<'i, str>,
    pub attrs: Vec<AttrVal<'i>>,
    /// `xsi:type`, resolved against the namespaces in scope.
    pub xsi_type: Option<QName>,
    pub nil: bool,
    /// `href="#id"` (SOAP 1.1) or `enc:ref="id"` (SOAP 1.2), without the `#`.
    pub href: Option<String>,
    pub id: Option<String>,
    /// `soapenc:arrayType="ns:Item[n]"`: the item type.
    pub array_type: Option<QName>,
}

impl Start<'_> {
    pub fn is(&self, ns: &str, local: &str) -> bool {
        &*self.ns == ns && self.local == local
    }

    pub fn into_owned(self) -> Start<'static> {
        Start {
            ns: self.ns,
            local: Cow::Owned(self.local.into_owned()),
            attrs: self
                .attrs
                .into_iter()
                .map(|a| AttrVal {
                    ns: a.ns,
                    local: Cow::Owned(a.local.into_owned()),
                    value: Cow::Owned(a.value.into_owned()),
                })
                .collect(),
            xsi_type: self.xsi_type,
            nil: self.nil,
            href: self.href,
            id: self.id,
            array_type: self.array_type,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Ev<'i> {
    Start(Start<'i>),
    Text(Cow<'i, str>),
    End,
    Eof,
}

/// A pull source of events. Every `Start` is followed, eventually, by its `End` (empty
/// elements included); adjacent text pieces arrive as one `Text`.
pub trait Source<'i> {
    fn next(&mut self) -> Result<Ev<'i>, DecodeError>;

    /// Consumes events up to and including the `End` of the element whose `Start` was just
    /// read.
    fn skip(&mut self) -> Result<(), DecodeError> {
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Ev::Start(_) => depth += 1,
                Ev::End => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Ev::Text(_) => {}
                Ev::Eof => {
                    return Err(DecodeError::malformed(
                        "the document ends inside an element",
                    ));
                }
            }
        }
    }
}

/// Events read from the text as they are needed.
pub struct LiveSource<'i> {
    reader: NsReader<&'i [u8]>,
    text: &'i str,
    limits: Limits,
    depth: usize,
    elements: usize,
    pending_end: bool,
    peeked: Option<Event<'i>>,
    interned: Vec<Arc<str>>,
}

impl<'i> LiveSource<'i> {
    pub fn new(text: &'i str, limits: Limits) -> Self {
        let mut reader = NsReader::from_str(text);
        reader.config_mut().check_end_names = true;
        Self {
            reader,
            text,
            limits,
            depth: 0,
            elements: 0,
            pending_end: false,
            peeked: None,
            interned: Vec::new(),
        }
    }

    fn xml_error(&self, e: impl std::fmt::Display) -> DecodeError {
        let pos = usize::try_from(self.reader.error_position()).unwrap_or(0);
        DecodeError::malformed(format!("line {}: {e}", xmlutil::line_of(self.text, pos)))
    }

    fn raw(&mut self) -> Result<Event<'i>, DecodeError> {
        if let Some(e) = self.peeked.take() {
            return Ok(e);
        }
        self.reader.read_event().map_err(|e| self.xml_error(e))
    }

    fn start(&mut self, e: BytesStart<'i>) -> Result<Start<'i>, DecodeError> {
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
        let resolver = self.reader.resolver();
        let (res, local) = resolver.resolve_element(e.name());
        let ns = match res {
            ResolveResult::Bound(n) => intern(&mut self.interned, n.0),
            ResolveResult::Unbound => intern(&mut self.interned, ""),
            ResolveResult::Unknown(p) => {
                return Err(self.xml_error(format!("undeclared namespace prefix `{p}`")));
            }
        };
        let local_len = local.into_inner().len();
        let mut start = Start {
            ns,
            local: Cow::Borrowed(""),
            attrs: Vec::new(),
            xsi_type: None,
            nil: false,
            href: None,
            id: None,
            array_type: None,
        };
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.xml_error(err))?;
            let key = attr.key;
            if key.0 == "xmlns" || key.0.starts_with("xmlns:") {
                continue;
            }
            let (res, alocal) = self.reader.resolver().resolve_attribute(key);
            let ans = match res {
                ResolveResult::Bound(n) => intern(&mut self.interned, n.0),
                ResolveResult::Unbound => intern(&mut self.interned, ""),
                ResolveResult::Unknown(p) => {
                    return Err(self.xml_error(format!("undeclared namespace prefix `{p}`")));
                }
            };
            let value = match attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| self.xml_error(err))?
            {
                Cow::Borrowed(v) => rebase(self.text, v),
                Cow::Owned(v) => Cow::Owned(v),
            };
            let alocal = alocal.into_inner();
            match (&*ans, alocal) {
                (XSI_NS, "type") => start.xsi_type = self.resolve_qname_value(&value),
                (XSI_NS, "nil") => start.nil = matches!(value.trim(), "true" | "1"),
                (XSI_NS, _) => {}
                (SOAP11_ENC_NS, "arrayType") | (SOAP12_ENC_NS, "itemType") => {
                    let type_part = value.split('[').next().unwrap_or("").to_owned();
                    start.array_type = self.resolve_qname_value(&type_part);
                }
                (SOAP12_ENC_NS, "ref") => start.href = Some(value.into_owned()),
                (SOAP11_ENC_NS | SOAP12_ENC_NS, _) => {}
                ("", "href") if value.starts_with('#') => {
                    start.href = Some(value[1..].to_owned());
                }
                ("", "id") => {
                    start.id = Some(value.to_string());
                    start.attrs.push(AttrVal {
                        ns: ans,
                        local: rebase(self.text, alocal),
                        value,
                    });
                }
                _ => {
                    start.attrs.push(AttrVal {
                        ns: ans,
                        local: rebase(self.text, alocal),
                        value,
                    });
                }
            }
        }
        start.local = local_of(self.text, &e, local_len);
        Ok(start)
    }

    /// Text or CDATA content as a slice of the input when it has no `\r` to normalise
    /// (nearly always): the input is a `str` already, so no UTF-8 check and no copy.
    fn borrowed(&self, raw: &[u8]) -> Option<&'i str> {
        if memchr::memchr(b'\r', raw).is_some() {
            return None;
        }
        let base = self.text.as_ptr() as usize;
        let at = (raw.as_ptr() as usize).checked_sub(base)?;
        self.text.get(at..at.checked_add(raw.len())?)
    }

    fn resolve_qname_value(&self, value: &str) -> Option<QName> {
        let value = value.trim();
        // SOAP::Lite writes Clark notation (`{ns}Type`) into xsi:type.
        if let Some(rest) = value.strip_prefix('{')
            && let Some((ns, local)) = rest.split_once('}')
        {
            return Some(QName::new(ns, local));
        }
        let q = quick_xml::name::QName(value);
        let local = q.local_name().into_inner();
        let res = self.reader.resolver().resolve_prefix(q.prefix(), true);
        match res {
            ResolveResult::Bound(n) => Some(QName::new(n.0, local)),
            ResolveResult::Unbound => Some(QName::new("", local)),
            ResolveResult::Unknown(_) => None,
        }
    }
}

/// The shared copy of a namespace URI (a document uses a handful, on every element).
fn intern(cache: &mut Vec<Arc<str>>, ns: &str) -> Arc<str> {
    if let Some(a) = cache.iter().find(|a| &***a == ns) {
        return a.clone();
    }
    let a: Arc<str> = Arc::from(ns);
    if cache.len() < 64 {
        cache.push(a.clone());
    }
    a
}

/// `s` as a slice of `text` when it lies in it (always, for a reader over a string), so
/// names and values cost no allocation; a copy otherwise.
fn rebase<'i>(text: &'i str, s: &str) -> Cow<'i, str> {
    let base = text.as_ptr() as usize;
    let at = s.as_ptr() as usize;
    if at >= base && at + s.len() <= base + text.len() {
        let offset = at - base;
        if let Some(slice) = text.get(offset..offset + s.len()) {
            return Cow::Borrowed(slice);
        }
    }
    Cow::Owned(s.to_owned())
}

/// The local part of a start tag's name.
fn local_of<'i>(text: &'i str, e: &BytesStart<'_>, local_len: usize) -> Cow<'i, str> {
    let raw: &str = e;
    let name_len = e.name().0.len();
    let from = name_len.saturating_sub(local_len);
    rebase(text, &raw[from..name_len])
}

impl<'i> Source<'i> for LiveSource<'i> {
    fn next(&mut self) -> Result<Ev<'i>, DecodeError> {
        if self.pending_end {
            self.pending_end = false;
            self.reader_pop();
            return Ok(Ev::End);
        }
        loop {
            let event = self.raw()?;
            match event {
                Event::Start(e) => {
                    let s = self.start(e)?;
                    self.depth += 1;
                    return Ok(Ev::Start(s));
                }
                Event::Empty(e) => {
                    let s = self.start(e)?;
                    self.depth += 1;
                    self.pending_end = true;
                    return Ok(Ev::Start(s));
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Ev::End);
                }
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    let mut text: Cow<'i, str> = Cow::Borrowed("");
                    let mut ev = event;
                    loop {
                        match ev {
                            Event::Text(t) => match self.borrowed(t[..].as_bytes()) {
                                Some(b) => append(&mut text, Cow::Borrowed(b)),
                                None => append(&mut text, t.xml10_content()),
                            },
                            Event::CData(t) => match self.borrowed(t[..].as_bytes()) {
                                Some(b) => append(&mut text, Cow::Borrowed(b)),
                                None => append(&mut text, t.xml10_content()),
                            },
                            Event::GeneralRef(r) => {
                                let ch = xmlutil::resolve_entity(&r).ok_or_else(|| {
                                    self.xml_error(format!(
                                        "unknown entity `&{};` (documents may not declare entities)",
                                        &*r
                                    ))
                                })?;
                                let mut s = text.into_owned();
                                s.push(ch);
                                text = Cow::Owned(s);
                            }
                            other => {
                                self.peeked = Some(other);
                                break;
                            }
                        }
                        ev = self.raw()?;
                    }
                    return Ok(Ev::Text(text));
                }
                Event::DocType(_) => {
                    return Err(DecodeError::Forbidden(
                        "the document has a DOCTYPE declaration".into(),
                    ));
                }
                Event::Eof => {
                    if self.depth > 0 {
                        return Err(DecodeError::malformed(
                            "the document ends inside an element",
                        ));
                    }
                    return Ok(Ev::Eof);
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
    }
}

impl LiveSource<'_> {
    fn reader_pop(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

fn append<'i>(acc: &mut Cow<'i, str>, piece: Cow<'i, str>) {
    if acc.is_empty() {
        *acc = piece;
    } else {
        acc.to_mut().push_str(&piece);
    }
}

/// Events recorded once, replayed from any position (for multiRef documents).
///
/// Every reference replays its target, so a target referenced twice by an element that is
/// itself referenced twice, and so on, would expand a small message exponentially (the
/// billion laughs, made of `href`s instead of entities). All cursors share one budget of
/// replayed events, a fixed multiple of the recorded ones: the decoded answer stays
/// proportional to what the backend sent.
pub struct Recorded<'i> {
    pub events: Vec<Ev<'i>>,
    ids: std::collections::HashMap<String, usize>,
    replayed: std::cell::Cell<usize>,
}

/// How many times over, in all, the recorded events may be replayed.
pub const MAX_REPLAY_FACTOR: usize = 8;

impl<'i> Recorded<'i> {
    /// Reads everything from `src` until `Eof`.
    pub fn record(src: &mut impl Source<'i>) -> Result<Self, DecodeError> {
        let mut events = Vec::new();
        loop {
            let ev = src.next()?;
            let eof = matches!(ev, Ev::Eof);
            events.push(ev);
            if eof {
                let ids = events
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| match e {
                        Ev::Start(s) => s.id.clone().map(|id| (id, i)),
                        _ => None,
                    })
                    .collect();
                return Ok(Self {
                    events,
                    ids,
                    replayed: std::cell::Cell::new(0),
                });
            }
        }
    }

    /// Index of the `Start` of the element whose `id` is `id`.
    pub fn find_id(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    pub fn cursor(&self, at: usize) -> Replay<'_, 'i> {
        Replay { rec: self, at }
    }
}

/// A cursor over recorded events.
pub struct Replay<'r, 'i> {
    rec: &'r Recorded<'i>,
    at: usize,
}

impl<'i> Source<'i> for Replay<'_, 'i> {
    fn next(&mut self) -> Result<Ev<'i>, DecodeError> {
        match self.rec.events.get(self.at) {
            Some(ev) => {
                let replayed = self.rec.replayed.get() + 1;
                let budget = self.rec.events.len().saturating_mul(MAX_REPLAY_FACTOR);
                if replayed > budget {
                    return Err(DecodeError::TooLarge(format!(
                        "multiRef references expand the message to more than \
                         {MAX_REPLAY_FACTOR} times its {} elements and texts",
                        self.rec.events.len()
                    )));
                }
                self.rec.replayed.set(replayed);
                self.at += 1;
                Ok(ev.clone())
            }
            None => Ok(Ev::Eof),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(s.xsi_type, Some(QName::new("urn:t", "Order")));
        assert_eq!(s.array_type, Some(QName::new("urn:t", "Item")));
        assert_eq!(s.href.as_deref(), Some("id1"));
        assert_eq!(s.attrs.len(), 1);
        assert_eq!(s.attrs[0].local, "other");
    }

    #[test]
    fn clark_notation_in_xsi_type_is_read() {
        let xml = r#"<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="{urn:t}Customer"/>"#;
        let mut src = LiveSource::new(xml, Limits::default());
        let Ev::Start(s) = src.next().expect("start") else {
            panic!("not a start")
        };
        assert_eq!(s.xsi_type, Some(QName::new("urn:t", "Customer")));
    }

    #[test]
    fn truncated_document_is_an_error() {
        assert!(all("<a><b>").is_err());
    }
}

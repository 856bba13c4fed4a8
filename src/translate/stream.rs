//! Events read from a byte stream while it arrives: the source of answers too large to hold
//! whole.
//!
//! ```text
//! impl BufRead ──quick_xml::NsReader (read_event_into)──> Ev::Start / Ev::Text / Ev::End
//!                                                          (owned: the buffer is reused)
//! ```
//!
//! The same events, refusals and depth limit as [`LiveSource`](super::events::LiveSource), which
//! reads a whole answer held in memory and lends slices of it; here every name and text is
//! copied out of the reader's buffer, which is reused for the next event. That costs an
//! allocation per name and text, paid only by answers above the streaming threshold, in
//! exchange for memory that does not grow with the answer. Errors name the byte offset
//! (there is no text to count lines in).
//!
//! May import `wsdl`, `xmlutil`.

use std::borrow::Cow;
use std::io::BufRead;
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::DecodeError;
use super::events::{AttrVal, Ev, Limits, Ns, Source, Start, doctype_refused, end_of_document};
use crate::wsdl::QName;
use crate::xmlutil::{self, SOAP11_ENC_NS, SOAP12_ENC_NS, XSI_NS};

/// Events read from `R` as they are needed, each one owned.
pub struct StreamSource<R: BufRead> {
    reader: NsReader<R>,
    buf: Vec<u8>,
    limits: Limits,
    depth: usize,
    pending_end: bool,
    peeked: Option<Event<'static>>,
    interned: Vec<Arc<str>>,
}

impl<R: BufRead> StreamSource<R> {
    pub fn new(input: R, limits: Limits) -> Self {
        let mut reader = NsReader::from_reader(input);
        reader.config_mut().check_end_names = true;
        Self {
            reader,
            buf: Vec::with_capacity(8 * 1024),
            limits,
            depth: 0,
            pending_end: false,
            peeked: None,
            interned: Vec::new(),
        }
    }

    fn xml_error(&self, e: impl std::fmt::Display) -> DecodeError {
        DecodeError::malformed(format!("at byte {}: {e}", self.reader.error_position()))
    }

    fn raw(&mut self) -> Result<Event<'static>, DecodeError> {
        if let Some(e) = self.peeked.take() {
            return Ok(e);
        }
        self.buf.clear();
        match self.reader.read_event_into(&mut self.buf) {
            Ok(e) => Ok(e.into_owned()),
            Err(quick_xml::Error::Io(io)) => Err(DecodeError::malformed(format!(
                "the answer stopped at byte {}: {io}",
                self.reader.buffer_position()
            ))),
            Err(e) => Err(self.xml_error(e)),
        }
    }

    fn intern(&mut self, ns: &str) -> Arc<str> {
        if let Some(a) = self.interned.iter().find(|a| &***a == ns) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(ns);
        if self.interned.len() < 64 {
            self.interned.push(a.clone());
        }
        a
    }

    /// The namespace a name resolved to, or the error of an undeclared prefix.
    fn resolved(&mut self, r: Resolved) -> Result<Arc<str>, DecodeError> {
        match r {
            Resolved::Bound(n) => Ok(self.intern(&n)),
            Resolved::Unbound => Ok(self.intern("")),
            Resolved::Unknown(p) => {
                Err(self.xml_error(format!("undeclared namespace prefix `{p}`")))
            }
        }
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<Start<'static>, DecodeError> {
        // No element count here: it bounds the work on an answer held whole, while a
        // streamed answer's work is paid as its bytes arrive, in memory that does not grow
        // with it (`max_response_size` caps its size when a mapping wants a cap).
        if self.depth >= self.limits.max_depth {
            return Err(DecodeError::TooLarge(format!(
                "elements nested deeper than {} levels",
                self.limits.max_depth
            )));
        }
        let (res, local) = self.reader.resolver().resolve_element(e.name());
        let local = local.into_inner().to_owned();
        let res = Resolved::from(res);
        let ns = self.resolved(res)?;
        let mut start = Start::new(Ns::Shared(ns), Cow::Owned(local));
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.xml_error(err))?;
            let key = attr.key;
            if key.0 == "xmlns" || key.0.starts_with("xmlns:") {
                continue;
            }
            let (res, alocal) = self.reader.resolver().resolve_attribute(key);
            let alocal = alocal.into_inner().to_owned();
            let res = Resolved::from(res);
            let ans = self.resolved(res)?;
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| self.xml_error(err))?
                .into_owned();
            match (&*ans, alocal.as_str()) {
                (XSI_NS, "type") => start.control_mut().xsi_type = self.resolve_qname_value(&value),
                (XSI_NS, "nil") => start.nil = matches!(value.trim(), "true" | "1"),
                (XSI_NS, _) => {}
                (SOAP11_ENC_NS, "arrayType") | (SOAP12_ENC_NS, "itemType") => {
                    let type_part = value.split('[').next().unwrap_or("");
                    start.control_mut().array_type = self.resolve_qname_value(type_part);
                }
                (SOAP12_ENC_NS, "ref") => start.control_mut().href = Some(value),
                (SOAP11_ENC_NS | SOAP12_ENC_NS, _) => {}
                _ => {
                    // `href="#id"` is a reference only in an encoded message, which the
                    // decoder knows; the attribute stays for the others.
                    if ans.is_empty() && alocal == "href" && value.starts_with('#') {
                        start.control_mut().href = Some(value[1..].to_owned());
                    }
                    if ans.is_empty() && alocal == "id" {
                        start.control_mut().id = Some(value.clone());
                    }
                    start.attrs.push(AttrVal {
                        ns: Ns::Shared(ans),
                        local: Cow::Owned(alocal),
                        value: Cow::Owned(value),
                    });
                }
            }
        }
        Ok(start)
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
        match self.reader.resolver().resolve_prefix(q.prefix(), true) {
            ResolveResult::Bound(n) => Some(QName::new(n.0, local)),
            ResolveResult::Unbound => Some(QName::new("", local)),
            ResolveResult::Unknown(_) => None,
        }
    }
}

/// A resolution result that no longer borrows the reader.
enum Resolved {
    Bound(String),
    Unbound,
    Unknown(String),
}

impl From<ResolveResult<'_>> for Resolved {
    fn from(r: ResolveResult<'_>) -> Self {
        match r {
            ResolveResult::Bound(n) => Resolved::Bound(n.0.to_owned()),
            ResolveResult::Unbound => Resolved::Unbound,
            ResolveResult::Unknown(p) => Resolved::Unknown(p.to_string()),
        }
    }
}

impl<R: BufRead> Source<'static> for StreamSource<R> {
    fn next(&mut self) -> Result<Ev<'static>, DecodeError> {
        if self.pending_end {
            self.pending_end = false;
            self.depth = self.depth.saturating_sub(1);
            return Ok(Ev::End);
        }
        loop {
            let event = self.raw()?;
            match event {
                Event::Start(e) => {
                    let s = self.start(&e)?;
                    self.depth += 1;
                    return Ok(Ev::Start(s));
                }
                Event::Empty(e) => {
                    let s = self.start(&e)?;
                    self.depth += 1;
                    self.pending_end = true;
                    return Ok(Ev::Start(s));
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Ev::End);
                }
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    let mut text = String::new();
                    let mut ev = event;
                    loop {
                        match ev {
                            Event::Text(t) => text.push_str(&t.xml10_content()),
                            Event::CData(t) => text.push_str(&t.xml10_content()),
                            Event::GeneralRef(r) => {
                                let name: &str = &r;
                                let ch = xmlutil::resolve_entity(name).ok_or_else(|| {
                                    self.xml_error(format!(
                                        "unknown entity `&{name};` (documents may not declare entities)"
                                    ))
                                })?;
                                text.push(ch);
                            }
                            other => {
                                self.peeked = Some(other);
                                break;
                            }
                        }
                        ev = self.raw()?;
                    }
                    return Ok(Ev::Text(Cow::Owned(text)));
                }
                Event::DocType(_) => return Err(doctype_refused()),
                Event::Eof => return end_of_document(self.depth),
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::events::LiveSource;

    fn all<'i>(src: &mut impl Source<'i>) -> Result<Vec<String>, DecodeError> {
        let mut out = Vec::new();
        loop {
            match src.next()? {
                Ev::Start(s) => out.push(format!(
                    "<{{{}}}{} {:?} {:?} {} {:?} {:?} {:?}",
                    s.ns,
                    s.local,
                    s.attrs
                        .iter()
                        .map(|a| format!("{{{}}}{}={}", a.ns, a.local, a.value))
                        .collect::<Vec<_>>(),
                    s.xsi_type(),
                    s.nil,
                    s.href(),
                    s.id(),
                    s.array_type()
                )),
                Ev::Text(t) => out.push(format!("'{t}'")),
                Ev::End => out.push(">".into()),
                Ev::Eof => return Ok(out),
            }
        }
    }

    /// A reader that hands out a few bytes at a time, as a network stream does.
    struct Trickle<'a>(&'a [u8]);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn both(
        xml: &str,
    ) -> (
        Result<Vec<String>, DecodeError>,
        Result<Vec<String>, DecodeError>,
    ) {
        let live = all(&mut LiveSource::new(xml, Limits::default()));
        let reader = std::io::BufReader::with_capacity(5, Trickle(xml.as_bytes()));
        let stream = all(&mut StreamSource::new(reader, Limits::default()));
        (live, stream)
    }

    #[test]
    fn gives_the_events_of_the_in_memory_source() {
        let docs = [
            r#"<?xml version="1.0"?><a:x xmlns:a="urn:a"><y>1 &amp; 2<![CDATA[<3>]]></y><z/></a:x>"#,
            "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:t=\"urn:t\"\n\
             xmlns:enc=\"http://schemas.xmlsoap.org/soap/encoding/\" id=\"i1\"\n\
             xsi:type=\"t:Order\" enc:arrayType=\"t:Item[2]\" href=\"#id1\" other=\"v &lt; w\"><!-- c --><t:q>a\r\nb</t:q><n xsi:nil=\"1\"/><c xsi:type=\"{urn:t}Customer\"/></r>",
            "<a xmlns=\"urn:d\"><b xmlns=\"\">&#x41;&#66;</b><c/></a>",
        ];
        for xml in docs {
            let (live, stream) = both(xml);
            assert_eq!(live.expect("live"), stream.expect("stream"), "{xml}");
        }
    }

    #[test]
    fn refuses_what_the_in_memory_source_refuses() {
        let bad = [
            r#"<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>"#,
            "<x>&bomb;</x>",
            "<a><b></a>",
            "<a><b>",
            "<p:a/>",
        ];
        for xml in bad {
            let (live, stream) = both(xml);
            assert!(live.is_err(), "{xml}");
            let err = stream.expect_err(xml);
            assert_eq!(
                std::mem::discriminant(&err),
                std::mem::discriminant(&live.expect_err(xml)),
                "{xml}: {err}"
            );
        }
        let deep = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
        let (_, stream) = both(&deep);
        assert!(
            matches!(stream, Err(DecodeError::TooLarge(_))),
            "{stream:?}"
        );
    }
}

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

    /// The next event for [`Source::next`], [`Source::next_named`] and
    /// [`Source::next_child`]: an [`Ev`], or a start tag (`Err`, with whether it is empty)
    /// that the caller makes a start of its kind. Comments, declarations and processing
    /// instructions are passed over; with `skip_blank`, so is white space before a tag or
    /// an end, before it is made a `Text` (read as text, it held the tag after it back as a
    /// peeked event). White space that an entity or CDATA continues is joined as usual.
    #[inline(always)]
    fn event(&mut self, skip_blank: bool) -> Result<Result<Ev<'i>, Tag<'i>>, DecodeError> {
        if self.pending_end {
            self.pending_end = false;
            self.close();
            return Ok(Ok(Ev::End));
        }
        let mut event = match self.peeked.take() {
            Some(e) => e,
            None => self.read()?,
        };
        loop {
            let ev = match event {
                Event::Start(e) => return Ok(Err((e, false))),
                Event::Empty(e) => return Ok(Err((e, true))),
                Event::End(_) => {
                    self.close();
                    Ev::End
                }
                Event::Text(t) if skip_blank && blank(&t) => {
                    let next = self.read()?;
                    if !matches!(
                        next,
                        Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                    ) {
                        event = next;
                        continue;
                    }
                    self.text_then(content(t), next)?
                }
                Event::Text(t) => self.text(content(t))?,
                Event::CData(t) => self.text(cdata(t))?,
                Event::GeneralRef(r) => {
                    let ch = self.entity(&r)?;
                    self.text(Cow::Owned(ch.to_string()))?
                }
                Event::DocType(_) => return Err(doctype_refused()),
                Event::Eof => end_of_document(self.depth)?,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {
                    event = self.read()?;
                    continue;
                }
            };
            return Ok(Ok(ev));
        }
    }

    /// [`LiveSource::event`] with a start tag made a start.
    #[inline(always)]
    fn named(&mut self, skip_blank: bool) -> Result<Named<'i>, DecodeError> {
        match self.event(skip_blank)? {
            Ok(ev) => Ok(Named::Ev(ev)),
            Err((tag, empty)) => self.start(tag, empty),
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
        self.named(false)
    }

    #[inline(always)]
    fn next_child(&mut self) -> Result<Named<'i>, DecodeError> {
        self.named(true)
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
mod tests;

//! XML → JSON text, written into one buffer while the events are read.
//!
//! ```text
//! <Start> ── slot (the next one in schema order, else by name) ──> "key":value  into `out`
//!    │  the route's selection (`response.body`): only the selected slot is kept;
//!    │  the other children are still decoded (so their errors are the same), then dropped
//!    └─ out of schema order, a single element repeated, `xsd:anyType` content
//!         ──> the tree decoder (the caller decodes again, or the subtree as a `Value`)
//! ```
//!
//! The output is byte for byte what the tree decoder's `Value` serialises to (the tree
//! decoder stays as the reference and for the rare documents above). Keys are XML names and
//! need no escaping; strings are escaped as `serde_json` does. The selection's own reading
//! (the object on its path) is in `json/select.rs`.

mod select;

pub use select::{Select, select_value};

use std::borrow::Cow;

use super::super::events::{AttrVal, Ev, Named, Ns, Source, Start, TextOrChild};
use super::super::json_text::{sep, write_key, write_str, write_value};
use super::super::scalar;
use super::super::{ANY_KEY, ATTRS_KEY, DecodeError, Seg, TEXT_KEY, TYPE_KEY, VALUE_KEY};
use super::{Decoder, attr_matches, find_element_slot, skip_to_end};
use crate::wsdl::{Body, ComplexType, Content, ElemId, SlotKind, Type, TypeId, well_known};
use crate::xmlutil::same_name;

/// Why the streaming decoder stopped.
pub(super) enum Stop {
    Decode(DecodeError),
    /// The document needs the tree decoder (see the module header).
    Tree,
}

impl From<DecodeError> for Stop {
    fn from(e: DecodeError) -> Self {
        Stop::Decode(e)
    }
}

type R<T> = std::result::Result<T, Stop>;

/// Receives the finished JSON text of a streaming answer: it takes the bytes out of the
/// buffer it is given (leaving it empty) and sends them on, or says why it cannot.
pub type Flush<'a> = Box<dyn FnMut(&mut Vec<u8>) -> Result<(), DecodeError> + Send + 'a>;

/// A streaming decoder hands its text on once this much is finished (after a whole element).
pub const FLUSH_AT: usize = 32 * 1024;

impl<'s, 'r, 'i> Decoder<'s, 'r, 'i> {
    /// Decodes a message body as JSON text into `out`, keeping only what `sel` selects.
    /// Returns `false`, with `out` as it was, when the document needs the tree decoder
    /// (the caller decodes it again with [`Decoder::body`]).
    pub fn body_json<S: Source<'i>>(
        &mut self,
        src: &mut S,
        body: &Body,
        first: Option<Start<'i>>,
        sel: Select<'_>,
        out: &mut Vec<u8>,
    ) -> Result<bool, DecodeError> {
        let mark = out.len();
        let r = self.body_inner(src, body, first, sel, out);
        self.settle(r, mark, out)
    }

    /// [`Decoder::element`] as JSON text into `out`; `false`, with `out` as it was, when
    /// the element needs the tree decoder.
    pub fn element_to_json<S: Source<'i>>(
        &mut self,
        src: &mut S,
        start: &Start<'i>,
        declared: TypeId,
        out: &mut Vec<u8>,
    ) -> Result<bool, DecodeError> {
        let mark = out.len();
        let r = self.element_json(src, start, declared, Select::ALL, out);
        self.settle(r, mark, out)
    }

    fn settle(&mut self, r: R<()>, mark: usize, out: &mut Vec<u8>) -> Result<bool, DecodeError> {
        self.pins = 0;
        match r {
            Ok(()) => Ok(true),
            Err(Stop::Tree) if self.flushed => Err(DecodeError::Structure(
                "the answer's elements are out of schema order, which only an answer held \
                 whole can be read with (raise the backend's stream_threshold)"
                    .into(),
            )),
            Err(Stop::Tree) => {
                out.truncate(mark);
                self.path.clear();
                self.resolving.clear();
                Ok(false)
            }
            Err(Stop::Decode(e)) => Err(e),
        }
    }

    fn body_inner<S: Source<'i>>(
        &mut self,
        src: &mut S,
        body: &Body,
        first: Option<Start<'i>>,
        sel: Select<'_>,
        out: &mut Vec<u8>,
    ) -> R<()> {
        self.check_wrapper(body, first.as_ref())?;
        match &body.wrapper {
            Some(_) => match first {
                Some(start) => {
                    self.element_json(src, &start, body.content, sel, out)?;
                    skip_to_end(src)?;
                }
                None => self.empty_json(body.content, sel, out),
            },
            None => match self.schema.complex(body.content) {
                Some(c) => self.object_json(src, &[], c, first, sel, out)?,
                None => {
                    skip_to_end(src)?;
                    out.extend_from_slice(if sel.path.is_empty() {
                        b"{}"
                    } else {
                        sel.missing()
                    });
                }
            },
        }
        Ok(())
    }

    /// [`Decoder::empty`] as text, selection applied.
    fn empty_json(&self, ty: TypeId, sel: Select<'_>, out: &mut Vec<u8>) {
        let slots = self.schema.complex(ty).map_or(&[][..], |c| &c.slots[..]);
        let is_array =
            |s: &&crate::wsdl::Slot| s.repeated && matches!(s.kind, SlotKind::Element(_));
        match sel.path.first() {
            None => {
                out.push(b'{');
                let mut first = true;
                for s in slots.iter().filter(is_array) {
                    sep(&mut first, out);
                    write_key(&s.key, out);
                    out.extend_from_slice(b"[]");
                }
                out.push(b'}');
            }
            Some(key) => match slots.iter().filter(is_array).find(|s| *s.key == **key) {
                Some(_) if sel.path.len() == 1 => out.extend_from_slice(b"[]"),
                Some(_) => out.extend_from_slice(b"null"),
                None => out.extend_from_slice(sel.missing()),
            },
        }
    }

    /// [`Decoder::element`] as text. In line where it is called: a simple element without
    /// attributes, the bulk of most answers, has no reference, no nil, no `xsi:type` and
    /// nothing selected below it, so its text goes straight to its value without the call
    /// to [`Decoder::element_any`] and its checks.
    #[inline(always)]
    fn element_json<S: Source<'i>>(
        &mut self,
        src: &mut S,
        start: &Start<'i>,
        declared: TypeId,
        sel: Select<'_>,
        out: &mut Vec<u8>,
    ) -> R<()> {
        if is_plain(start)
            && sel.path.is_empty()
            && let Type::Simple(_) = self.schema.ty(declared)
        {
            return self.simple_json(src, declared, None, out);
        }
        self.element_any(src, start, declared, sel, out)
    }

    /// [`Decoder::element_json`] for any element.
    fn element_any<S: Source<'i>>(
        &mut self,
        src: &mut S,
        start: &Start<'i>,
        declared: TypeId,
        sel: Select<'_>,
        out: &mut Vec<u8>,
    ) -> R<()> {
        if self.encoded
            && let Some(id) = start.href()
        {
            src.skip()?;
            return self.resolve_ref_json(id, declared, sel, out);
        }
        if start.nil {
            src.skip()?;
            out.extend_from_slice(b"null");
            return Ok(());
        }
        let ty = self.actual_type(start, declared);
        let mark = out.len();
        // `$type` goes in front of what the element writes: keep it from being flushed.
        let typed = ty != declared && sel.path.is_empty();
        self.pins += u32::from(typed);
        self.typed_json(src, start, ty, sel, out)?;
        self.pins -= u32::from(typed);
        if ty != declared
            && sel.path.is_empty()
            && let Some(c) = self.schema.complex(ty)
            && let Some(name) = &c.name
            && out.get(mark) == Some(&b'{')
        {
            let mut entry = Vec::with_capacity(name.local.len() + 12);
            write_key(TYPE_KEY, &mut entry);
            write_str(&name.local, &mut entry);
            if out.get(mark + 1) != Some(&b'}') {
                entry.push(b',');
            }
            out.splice(mark + 1..mark + 1, entry);
        }
        Ok(())
    }

    fn resolve_ref_json(
        &mut self,
        id: &str,
        declared: TypeId,
        sel: Select<'_>,
        out: &mut Vec<u8>,
    ) -> R<()> {
        let refs = self.target_of_ref(id)?;
        let mut cur = refs.0.cursor(refs.1);
        let Ev::Start(start) = cur.next()? else {
            return Err(Stop::Decode(DecodeError::Structure(format!(
                "multiRef `#{id}` is not an element"
            ))));
        };
        self.resolving.push(id.to_owned());
        let r = self.element_json(&mut cur, &start, declared, sel, out);
        self.resolving.pop();
        r
    }

    /// The contract check of the slots `from..to`, which no child filled.
    fn none_missing(&self, c: &ComplexType, from: usize, to: usize) -> R<()> {
        if !self.checks {
            return Ok(());
        }
        match c
            .slots
            .get(from..to)
            .unwrap_or(&[])
            .iter()
            .find(|s| s.required)
        {
            Some(s) => Err(Stop::Decode(self.missing(s))),
            None => Ok(()),
        }
    }

    /// Hands the finished text on when the decoder streams, enough of it is finished, and no
    /// open place may still rewrite it.
    fn maybe_flush(&mut self, out: &mut Vec<u8>) -> R<()> {
        if self.pins == 0
            && out.len() >= self.flush_at
            && let Some(flush) = self.flush.as_mut()
        {
            flush(out)?;
            self.flushed = true;
        }
        Ok(())
    }

    /// A value written in full, then replaced by what a selection that goes on below it
    /// gives (`null`: only objects have keys).
    fn not_an_object(mark: usize, sel: Select<'_>, out: &mut Vec<u8>) {
        if !sel.path.is_empty() {
            out.truncate(mark);
            out.extend_from_slice(b"null");
        }
    }

    fn typed_json<S: Source<'i>>(
        &mut self,
        src: &mut S,
        start: &Start<'i>,
        ty: TypeId,
        sel: Select<'_>,
        out: &mut Vec<u8>,
    ) -> R<()> {
        let schema = self.schema;
        let mark = out.len();
        match schema.ty(ty) {
            Type::Simple(_) => match self.text(src)? {
                TextOrChild::Text(t) => {
                    self.scalar_json(ty, &t, out)?;
                    Self::not_an_object(mark, sel, out);
                }
                TextOrChild::Child(first) => {
                    let v = self.generic_with(src, &start.attrs, Some(first))?;
                    write_value(&select_value(v, sel), out);
                }
            },
            Type::Complex(_) if ty == well_known::ANY_TYPE => {
                let v = self.generic(src, start)?;
                write_value(&select_value(v, sel), out);
            }
            Type::Complex(c) => {
                if let Some(arr) = &c.array {
                    let item = self.array_item_type(start, arr.item);
                    let dropped = !sel.path.is_empty();
                    self.pins += u32::from(dropped);
                    self.array_json(src, item, out)?;
                    self.pins -= u32::from(dropped);
                    Self::not_an_object(mark, sel, out);
                    return Ok(());
                }
                match &c.content {
                    Content::Simple(st) => {
                        if !sel.path.is_empty() {
                            return Err(Stop::Tree);
                        }
                        let st = *st;
                        out.push(b'{');
                        let mut first = true;
                        let extra = self.attributes_json(&start.attrs, c, &mut first, out)?;
                        let bare = c.attributes.is_empty() && !c.any_attribute && extra.is_empty();
                        if bare {
                            out.truncate(mark);
                        } else {
                            sep(&mut first, out);
                            write_key(VALUE_KEY, out);
                        }
                        match self.text(src)? {
                            TextOrChild::Text(t) => self.scalar_json(st, &t, out)?,
                            TextOrChild::Child(first) => {
                                let v = self.generic_with(src, &start.attrs, Some(first))?;
                                write_value(&v, out);
                            }
                        }
                        if !bare {
                            write_extra(&extra, &mut first, out);
                            out.push(b'}');
                        }
                    }
                    Content::Empty | Content::Elements(_) => {
                        self.object_json(src, &start.attrs, c, None, sel, out)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The value of an element of simple type without attributes, with no selection below
    /// it. `key`: the element's place in `path` when the caller has not taken it (it is
    /// taken only for an error, the only use of it here).
    #[inline(always)]
    fn simple_json<S: Source<'i>>(
        &mut self,
        src: &mut S,
        ty: TypeId,
        key: Option<&'s str>,
        out: &mut Vec<u8>,
    ) -> R<()> {
        match self.text(src)? {
            TextOrChild::Text(t) => match self.scalar_text(ty, &t, out) {
                Ok(()) => Ok(()),
                Err(e) => {
                    self.path.extend(key.map(Seg::Name));
                    Err(Stop::Decode(self.value_error(e)))
                }
            },
            TextOrChild::Child(first) => {
                self.path.extend(key.map(Seg::Name));
                let v = self.generic_with(src, &[], Some(first))?;
                if key.is_some() {
                    self.path.pop();
                }
                write_value(&v, out);
                Ok(())
            }
        }
    }

    /// [`Decoder::scalar`] as text.
    #[inline]
    fn scalar_json(&self, ty: TypeId, text: &str, out: &mut Vec<u8>) -> R<()> {
        self.scalar_text(ty, text, out)
            .map_err(|e| Stop::Decode(self.value_error(e)))
    }

    /// [`Decoder::scalar_json`] without the error's place (the caller gives it).
    #[inline(always)]
    fn scalar_text(
        &self,
        ty: TypeId,
        text: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), scalar::ScalarError> {
        if scalar::blank(text)
            && self
                .schema
                .simple(ty)
                .is_some_and(|s| s.builtin.json_kind() != crate::wsdl::JsonKind::String)
        {
            out.extend_from_slice(b"null");
            return Ok(());
        }
        scalar::write_json(self.schema, ty, text, out)
    }

    /// [`Decoder::attributes`] as text: the known attributes written as entries, the
    /// unknown ones returned (key, value) for `$attributes`.
    fn attributes_json(
        &self,
        attrs: &[AttrVal<'_>],
        c: &ComplexType,
        first: &mut bool,
        out: &mut Vec<u8>,
    ) -> R<Vec<(String, String)>> {
        // Most objects: no attribute sent, none declared (so no default to add).
        if attrs.is_empty() && c.attributes.is_empty() {
            return Ok(Vec::new());
        }
        let mut extra: Vec<(String, String)> = Vec::new();
        // Slots written, so a fixed or default value is added only where none was sent.
        let mut written = Written::default();
        for a in attrs {
            let slot = c.slots.iter().enumerate().find_map(|(at, s)| match s.kind {
                SlotKind::Attribute(i) if attr_matches(&c.attributes[i], &a.ns, &a.local) => {
                    Some((at, s, i))
                }
                _ => None,
            });
            match slot {
                Some((at, s, i)) => {
                    if written.contains(at) {
                        // The same key twice: the tree keeps the last value in the first
                        // one's place.
                        return Err(Stop::Tree);
                    }
                    written.insert(at);
                    sep(first, out);
                    write_key(&s.key, out);
                    scalar::write_json(self.schema, c.attributes[i].ty, &a.value, out)
                        .map_err(|e| Stop::Decode(self.value_error(e)))?;
                }
                None => {
                    if self.is_control(a) {
                        continue;
                    }
                    let key = if a.ns.is_empty() {
                        a.local.to_string()
                    } else {
                        format!("{{{}}}{}", a.ns, a.local)
                    };
                    if extra.iter().any(|(k, _)| *k == key) {
                        return Err(Stop::Tree);
                    }
                    extra.push((key, a.value.to_string()));
                }
            }
        }
        for (at, s) in c.slots.iter().enumerate() {
            if let SlotKind::Attribute(i) = s.kind
                && !written.contains(at)
                && let Some(d) = c.attributes[i]
                    .fixed
                    .as_ref()
                    .or(c.attributes[i].default.as_ref())
            {
                sep(first, out);
                write_key(&s.key, out);
                scalar::write_json(self.schema, c.attributes[i].ty, d, out)
                    .map_err(|e| Stop::Decode(self.value_error(e)))?;
            }
        }
        Ok(extra)
    }

    /// [`Decoder::object`] as text. Children in schema order are written as they arrive;
    /// anything else hands the document to the tree decoder.
    fn object_json<S: Source<'i>>(
        &mut self,
        src: &mut S,
        attrs: &[AttrVal<'i>],
        c: &'s ComplexType,
        pending: Option<Start<'i>>,
        sel: Select<'_>,
        out: &mut Vec<u8>,
    ) -> R<()> {
        if let Some(key) = sel.path.first() {
            return self.object_selected(src, attrs, c, pending, key, sel, out);
        }
        let mut pending = pending;
        out.push(b'{');
        let mut first = true;
        let extra = self.attributes_json(attrs, c, &mut first, out)?;
        // The slot being written (its array still open when it repeats); slots before it
        // are done.
        let mut open: Option<usize> = None;
        let mut any: Vec<String> = Vec::new();
        let mut text = String::new();
        loop {
            let ev = match pending.take() {
                Some(s) => Named::Ev(Ev::Start(s)),
                None if c.mixed => src.next_named()?,
                None => src.next_child()?,
            };
            let child = match &ev {
                // The usual child: no attribute, so no reference, nil or `xsi:type`.
                Named::Plain(ns, local) => Child::Plain(ns, local),
                Named::Ev(Ev::Start(start)) => Child::Whole(start),
                Named::Ev(Ev::Text(t)) => {
                    if c.mixed || !scalar::blank(t) {
                        text.push_str(t);
                    }
                    continue;
                }
                Named::Ev(Ev::End | Ev::Eof) => break,
            };
            let (ns, local) = child.name();
            let Some((i, e)) = slot_from(c, local, open).filter(|&(_, e)| self.is_declared(e, ns))
            else {
                any.push(self.capture(src, &child.start())?);
                continue;
            };
            let slot = &c.slots[i];
            self.enter_slot(c, &mut open, i, &mut first, out)?;
            let ty = self.schema.element(e).ty;
            match child {
                // Its text straight to the JSON, without a `Start` or a place in `path`.
                Child::Plain(..) if matches!(self.schema.ty(ty), Type::Simple(_)) => {
                    self.simple_json(src, ty, Some(&slot.key), out)?;
                }
                _ => {
                    self.path.push(Seg::Name(&slot.key));
                    self.element_json(src, &child.start(), ty, Select::ALL, out)?;
                    self.path.pop();
                }
            }
            self.maybe_flush(out)?;
        }
        let from = close_slot(c, open, out);
        self.none_missing(c, from, c.slots.len())?;
        empty_arrays(c, from, c.slots.len(), &mut first, out);
        if !any.is_empty() {
            sep(&mut first, out);
            write_key(ANY_KEY, out);
            out.push(b'[');
            for (n, a) in any.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                write_str(a, out);
            }
            out.push(b']');
        }
        if !scalar::blank(&text) || (c.mixed && !text.is_empty()) {
            sep(&mut first, out);
            write_key(TEXT_KEY, out);
            write_str(&text, out);
        }
        write_extra(&extra, &mut first, out);
        out.push(b'}');
        Ok(())
    }

    /// Opens slot `i` for a child, in schema order: the same repeated slot goes on (`,`),
    /// a later one closes the open one, checks and writes what lies between, and its key.
    /// A child out of schema order, or a single element twice, needs the tree decoder.
    #[inline(always)]
    fn enter_slot(
        &self,
        c: &ComplexType,
        open: &mut Option<usize>,
        i: usize,
        first: &mut bool,
        out: &mut Vec<u8>,
    ) -> R<()> {
        let slot = &c.slots[i];
        match *open {
            Some(o) if o == i => {
                if !slot.repeated {
                    return Err(Stop::Tree);
                }
                out.push(b',');
            }
            Some(o) if i < o => return Err(Stop::Tree),
            _ => {
                let from = close_slot(c, *open, out);
                self.none_missing(c, from, i)?;
                empty_arrays(c, from, i, first, out);
                sep(first, out);
                out.extend_from_slice(&slot.json_key);
                if slot.repeated {
                    out.push(b'[');
                }
                *open = Some(i);
            }
        }
        Ok(())
    }

    /// [`Decoder::array`] as text.
    fn array_json<S: Source<'i>>(&mut self, src: &mut S, item: TypeId, out: &mut Vec<u8>) -> R<()> {
        out.push(b'[');
        let mut n = 0usize;
        loop {
            match src.next()? {
                Ev::Start(child) => {
                    if n > 0 {
                        out.push(b',');
                    }
                    self.path.push(Seg::Index(n));
                    self.element_json(src, &child, item, Select::ALL, out)?;
                    self.path.pop();
                    self.maybe_flush(out)?;
                    n += 1;
                }
                Ev::Text(_) => {}
                Ev::End | Ev::Eof => {
                    out.push(b']');
                    return Ok(());
                }
            }
        }
    }
}

/// A child's start tag as the object loop reads it: by its name alone (no attributes), or
/// whole. Borrowed from the event, which is not moved.
#[derive(Clone, Copy)]
enum Child<'a, 'i> {
    Plain(&'a Ns<'i>, &'i str),
    Whole(&'a Start<'i>),
}

impl<'a, 'i> Child<'a, 'i> {
    fn name(self) -> (&'a Ns<'i>, &'a str) {
        match self {
            Child::Plain(ns, local) => (ns, local),
            Child::Whole(start) => (&start.ns, &start.local),
        }
    }

    /// The tag as a [`Start`], made from its name on the rare paths that need one.
    fn start(self) -> Cow<'a, Start<'i>> {
        match self {
            Child::Plain(ns, local) => Cow::Owned(Start::new(ns.clone(), Cow::Borrowed(local))),
            Child::Whole(start) => Cow::Borrowed(start),
        }
    }
}

/// Closes the open slot's array; returns the first slot after it.
fn close_slot(c: &ComplexType, open: Option<usize>, out: &mut Vec<u8>) -> usize {
    match open {
        Some(o) => {
            if c.slots[o].repeated {
                out.push(b']');
            }
            o + 1
        }
        None => 0,
    }
}

/// The slots of an object written so far: a bit each for the first 64 (no allocation for
/// the usual object), a list for the others.
#[derive(Default)]
struct Written {
    bits: u64,
    more: Vec<usize>,
}

impl Written {
    fn contains(&self, at: usize) -> bool {
        match u32::try_from(at) {
            Ok(bit) if bit < u64::BITS => self.bits >> bit & 1 == 1,
            _ => self.more.contains(&at),
        }
    }

    fn insert(&mut self, at: usize) {
        match u32::try_from(at) {
            Ok(bit) if bit < u64::BITS => self.bits |= 1 << bit,
            _ => self.more.push(at),
        }
    }
}

/// Whether a start tag has no attribute at all (none kept, no control attribute, no nil).
fn is_plain(start: &Start<'_>) -> bool {
    start.attrs.is_empty() && start.control.is_none() && !start.nil
}

/// `"key":[]` for the repeated element slots in `from..to` (none of them was sent). In line:
/// between children in schema order the range is empty.
#[inline]
fn empty_arrays(c: &ComplexType, from: usize, to: usize, first: &mut bool, out: &mut Vec<u8>) {
    if from < to {
        empty_arrays_in(c, from, to, first, out);
    }
}

fn empty_arrays_in(c: &ComplexType, from: usize, to: usize, first: &mut bool, out: &mut Vec<u8>) {
    for s in c.slots.get(from..to).unwrap_or(&[]) {
        if s.repeated && matches!(s.kind, SlotKind::Element(_)) {
            sep(first, out);
            write_key(&s.key, out);
            out.extend_from_slice(b"[]");
        }
    }
}

/// `"$attributes":{...}` for the attributes the schema does not describe.
fn write_extra(extra: &[(String, String)], first: &mut bool, out: &mut Vec<u8>) {
    if extra.is_empty() {
        return;
    }
    sep(first, out);
    write_key(ATTRS_KEY, out);
    out.push(b'{');
    for (n, (k, v)) in extra.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_str(k, out);
        out.push(b':');
        write_str(v, out);
    }
    out.push(b'}');
}

/// The slot of a child element, trying the open slot and the next ones first: children
/// mostly arrive in schema order, and a name comparison is cheaper than a hash. In line in
/// the object loop (its call cost a fifth of its work); the lookup by name is not.
#[inline(always)]
fn slot_from(c: &ComplexType, local: &str, open: Option<usize>) -> Option<(usize, ElemId)> {
    let from = open.unwrap_or(0);
    for (i, s) in c.slots.iter().enumerate().skip(from).take(3) {
        // Lengths first: most keys tried differ in length, and then no bytes are compared.
        if same_name(&s.key, local) {
            return match s.kind {
                SlotKind::Element(e) => Some((i, e)),
                SlotKind::Attribute(_) => None,
            };
        }
    }
    find_element_slot(c, local)
}

#[cfg(test)]
mod tests {
    use super::Written;

    #[test]
    fn written_slots_are_remembered_below_and_beyond_64() {
        let mut w = Written::default();
        for at in [0, 5, 63, 64, 200] {
            assert!(!w.contains(at), "{at} before");
            w.insert(at);
            assert!(w.contains(at), "{at} after");
        }
        for at in [1, 62, 65, 199] {
            assert!(!w.contains(at), "{at} never written");
        }
    }
}

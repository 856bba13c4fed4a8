//! XML → JSON, guided by the schema, streaming.
//!
//! ```text
//! <Start> ── slot by (namespace, local name) ──> key: value     (arrays for maxOccurs > 1,
//!    │                                                            [] when absent)
//!    ├─ xsi:nil ─> null      xsi:type ─> the derived type (+ "$type")
//!    ├─ href="#id" ─> the multiRef element, decoded in place
//!    └─ not in the schema ─> "$any": ["<raw xml/>", ...]         (kept, never dropped)
//! ```
//!
//! Names are matched by namespace URI and local name; when a backend qualifies differently
//! from its schema (common with rpc stacks), the local name alone is accepted.
//!
//! May import `wsdl`, `xmlutil` and the codecs' own modules.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::events::{AttrVal, Ev, Ns, Recorded, Source, Start, TextOrChild};
use super::scalar;
use super::writer::XmlWriter;
use super::{ANY_KEY, ATTRS_KEY, DecodeError, Seg, TEXT_KEY, TYPE_KEY, VALUE_KEY, pointer};
use crate::wsdl::{
    AttributeDecl, Body, Builtin, ComplexType, Content, QName, Schema, SlotKind, Type, TypeId,
    well_known,
};
use crate::xmlutil::{SOAP11_ENC_NS, SOAP11_ENV_NS, SOAP12_ENC_NS, SOAP12_ENV_NS, XSD_NS, XSI_NS};

mod json;

pub use super::json_text::{write_str, write_value};
pub use json::{FLUSH_AT, Flush, Select, select_value};

type Result<T> = std::result::Result<T, DecodeError>;

pub struct Decoder<'s, 'r, 'i> {
    schema: &'s Schema,
    path: Vec<Seg<'s>>,
    refs: Option<&'r Recorded<'i>>,
    resolving: Vec<String>,
    /// Where finished JSON text goes while an answer streams (`decode/json.rs`).
    flush: Option<Flush<'s>>,
    /// Open places whose text may still be rewritten; nothing is flushed while one is.
    pins: u32,
    /// JSON text already left through `flush`: the tree decoder can no longer take over.
    flushed: bool,
    /// How much finished text is handed on at once.
    flush_at: usize,
    /// Checking the contract (while reading a message body): required elements present.
    checks: bool,
    /// Child elements match by namespace and local name; else by local name alone, as rpc
    /// stacks (SOAP::Lite) and lenient backends need.
    exact_names: bool,
    /// The message is SOAP-encoded: `href`/`id` are multiRef references and their
    /// targets, not data.
    encoded: bool,
    /// A document namespace (address, length) found equal to a schema namespace (address)
    /// by [`Decoder::is_declared`]: a document's elements share the text of their
    /// namespace declaration, so the next ones are recognised without comparing bytes.
    known_ns: std::cell::Cell<(usize, usize, usize)>,
}

impl<'s, 'r, 'i> Decoder<'s, 'r, 'i> {
    pub fn new(schema: &'s Schema) -> Self {
        Self {
            schema,
            path: Vec::new(),
            refs: None,
            resolving: Vec::new(),
            flush: None,
            pins: 0,
            flushed: false,
            flush_at: FLUSH_AT,
            checks: false,
            exact_names: false,
            encoded: false,
            known_ns: std::cell::Cell::new((0, 0, 0)),
        }
    }

    /// Reads `href`/`id` as SOAP-encoding references (rpc/encoded messages), or as the
    /// ordinary attributes they are everywhere else.
    pub fn set_encoded(&mut self, encoded: bool) {
        self.encoded = encoded;
    }

    /// An attribute that is SOAP's, not data: `xsi:`, the envelope's (encodingStyle,
    /// mustUnderstand, role), and in an encoded message the references' `id` and `href`.
    fn is_control(&self, a: &AttrVal<'_>) -> bool {
        &*a.ns == XSI_NS
            || &*a.ns == SOAP11_ENV_NS
            || &*a.ns == SOAP12_ENV_NS
            || (self.encoded && a.ns.is_empty() && (a.local == "id" || a.local == "href"))
    }

    /// Checks the contract from now on (`checks`): required elements are present and,
    /// with `exact_names`, child elements carry the namespace the schema gives them.
    pub fn check_contract(&mut self, checks: bool, exact_names: bool) {
        self.checks = checks;
        self.exact_names = checks && exact_names;
    }

    /// The contract error for a required element of `slot` that is missing.
    fn missing(&self, slot: &crate::wsdl::Slot) -> DecodeError {
        let mut path = self.path.clone();
        path.push(Seg::Name(&slot.key));
        DecodeError::Contract {
            pointer: pointer(&path),
            reason: format!("the required element `{}` is missing", slot.key),
        }
    }

    /// Whether a child found by its local name is the element the slot declares: with
    /// `exact_names`, its namespace must be the declaration's too.
    #[inline]
    fn is_declared(&self, e: crate::wsdl::ElemId, ns: &Ns<'i>) -> bool {
        if !self.exact_names {
            return true;
        }
        let want: &'s str = &self.schema.element(e).name.ns;
        // Only text borrowed for `'i` stays where it is (and unchanged) while this decoder
        // lives, so only its address may stand for its bytes.
        let Ns::Borrowed(got) = *ns else {
            return *want == **ns;
        };
        let key = (got.as_ptr() as usize, got.len(), want.as_ptr() as usize);
        if self.known_ns.get() == key {
            return true;
        }
        let same = want == got;
        if same {
            self.known_ns.set(key);
        }
        same
    }

    /// The wrapper element of a document/literal wrapped body must be the one declared.
    fn check_wrapper(&self, body: &Body, first: Option<&Start<'i>>) -> Result<()> {
        if !self.checks || body.shape != crate::wsdl::BodyShape::Wrapped {
            return Ok(());
        }
        let Some(w) = &body.wrapper else {
            return Ok(());
        };
        match first {
            Some(s) if *s.local == *w.local && *s.ns == *w.ns => Ok(()),
            Some(s) => Err(DecodeError::Contract {
                pointer: pointer(&self.path),
                reason: format!(
                    "the answer holds `{}`{}, not the `{}` the contract says",
                    s.local,
                    if s.ns.is_empty() {
                        String::new()
                    } else {
                        format!(" in namespace {}", s.ns)
                    },
                    w.local
                ),
            }),
            None => Err(DecodeError::Contract {
                pointer: pointer(&self.path),
                reason: format!(
                    "the answer's Body is empty, without the `{}` the contract says",
                    w.local
                ),
            }),
        }
    }

    /// A decoder for an answer that streams: the JSON text written into the output buffer
    /// is handed to `flush` whenever a finished part of `flush_at` bytes or more
    /// ([`FLUSH_AT`] on the answer path) can no longer be rewritten.
    pub fn streaming(schema: &'s Schema, flush: Flush<'s>, flush_at: usize) -> Self {
        let mut d = Self::new(schema);
        d.flush = Some(flush);
        d.flush_at = flush_at;
        d
    }

    /// Whether part of the JSON text already left through the streaming flush.
    pub fn has_flushed(&self) -> bool {
        self.flushed
    }

    /// A decoder that resolves `href="#id"` against recorded events.
    pub fn with_refs(schema: &'s Schema, refs: &'r Recorded<'i>) -> Self {
        Self {
            refs: Some(refs),
            encoded: true,
            ..Self::new(schema)
        }
    }

    fn value_error(&self, error: scalar::ScalarError) -> DecodeError {
        DecodeError::Value {
            pointer: pointer(&self.path),
            error,
        }
    }

    /// Decodes a message body. `first` is the Body's first child element (already read),
    /// `None` when the Body is empty; reads up to and including the Body's end.
    pub fn body<S: Source<'i>>(
        &mut self,
        src: &mut S,
        body: &Body,
        first: Option<Start<'i>>,
    ) -> Result<Value> {
        self.check_wrapper(body, first.as_ref())?;
        match &body.wrapper {
            Some(_) => {
                let v = match first {
                    Some(start) => {
                        let v = self.element(src, &start, body.content)?;
                        // Anything after the wrapper (multiRef targets) was read already
                        // or is not part of the answer.
                        skip_to_end(src)?;
                        v
                    }
                    None => self.empty(body.content),
                };
                Ok(v)
            }
            None => {
                let c = self.schema.complex(body.content);
                match c {
                    Some(c) => self.object(src, &[], c, first),
                    None => {
                        skip_to_end(src)?;
                        Ok(Value::Object(Map::new()))
                    }
                }
            }
        }
    }

    /// The JSON of an element with no content: `{}` with `[]` for each array.
    fn empty(&self, ty: TypeId) -> Value {
        let mut map = Map::new();
        if let Some(c) = self.schema.complex(ty) {
            for s in &c.slots {
                if s.repeated && matches!(s.kind, SlotKind::Element(_)) {
                    map.insert(s.key.to_string(), Value::Array(Vec::new()));
                }
            }
        }
        Value::Object(map)
    }

    /// Decodes the element whose `Start` was just read, as `declared` (or its `xsi:type`).
    pub fn element<S: Source<'i>>(
        &mut self,
        src: &mut S,
        start: &Start<'i>,
        declared: TypeId,
    ) -> Result<Value> {
        if self.encoded
            && let Some(id) = start.href()
        {
            src.skip()?;
            return self.resolve_ref(id, declared);
        }
        if start.nil {
            src.skip()?;
            return Ok(Value::Null);
        }
        let ty = self.actual_type(start, declared);
        let v = self.typed(src, start, ty)?;
        if ty != declared
            && let Some(c) = self.schema.complex(ty)
            && let Some(name) = &c.name
            && let Value::Object(obj) = v
        {
            let mut with_type = Map::with_capacity(obj.len() + 1);
            with_type.insert(TYPE_KEY.into(), Value::String(name.local.to_string()));
            with_type.extend(obj);
            return Ok(Value::Object(with_type));
        }
        Ok(v)
    }

    fn resolve_ref(&mut self, id: &str, declared: TypeId) -> Result<Value> {
        let (refs, at) = self.target_of_ref(id)?;
        let mut cur = refs.cursor(at);
        let Ev::Start(start) = cur.next()? else {
            return Err(DecodeError::Structure(format!(
                "multiRef `#{id}` is not an element"
            )));
        };
        self.resolving.push(id.to_owned());
        let v = self.element(&mut cur, &start, declared);
        self.resolving.pop();
        v
    }

    /// The recorded events and the position of the element `href="#id"` points to.
    fn target_of_ref(&self, id: &str) -> Result<(&'r Recorded<'i>, usize)> {
        let Some(refs) = self.refs else {
            return Err(DecodeError::Structure(format!(
                "{}: reference to `#{id}` in a message read without multiRef support",
                pointer(&self.path)
            )));
        };
        if self.resolving.iter().any(|r| r == id) || self.resolving.len() > 64 {
            return Err(DecodeError::Structure(format!(
                "{}: multiRef `#{id}` refers to itself",
                pointer(&self.path)
            )));
        }
        let Some(at) = refs.find_id(id) else {
            return Err(DecodeError::Structure(format!(
                "{}: href=\"#{id}\" points to no element",
                pointer(&self.path)
            )));
        };
        Ok((refs, at))
    }

    /// The type an element is decoded as: its `xsi:type` when that names a type derived
    /// from the declared one (or any type, for `xsd:anyType`), else the declared type.
    fn actual_type(&self, start: &Start<'_>, declared: TypeId) -> TypeId {
        let Some(q) = start.xsi_type() else {
            return declared;
        };
        let schema = self.schema;
        let named = if &*q.ns == SOAP11_ENC_NS || &*q.ns == SOAP12_ENC_NS {
            Builtin::by_name(&q.local)
                .and_then(|b| schema.global_types.get(&QName::new(XSD_NS, b.xsd_name())))
                .or_else(|| schema.global_types.get(q))
        } else {
            schema.global_types.get(q)
        };
        let Some(&found) = named else {
            return declared;
        };
        if declared == well_known::ANY_TYPE {
            return found;
        }
        match (schema.ty(declared), schema.ty(found)) {
            // A built-in in xsi:type never loses the declared type's facets or shape.
            (Type::Simple(_), _) | (Type::Complex(_), Type::Simple(_)) => declared,
            (Type::Complex(_), Type::Complex(_)) => {
                if schema.derives_from(found, declared) {
                    found
                } else {
                    declared
                }
            }
        }
    }

    fn typed<S: Source<'i>>(
        &mut self,
        src: &mut S,
        start: &Start<'i>,
        ty: TypeId,
    ) -> Result<Value> {
        let schema = self.schema;
        match schema.ty(ty) {
            Type::Simple(_) => match self.text(src)? {
                TextOrChild::Text(t) => self.scalar(ty, &t),
                TextOrChild::Child(first) => self.generic_with(src, &start.attrs, Some(first)),
            },
            Type::Complex(_) if ty == well_known::ANY_TYPE => self.generic(src, start),
            Type::Complex(c) => {
                if let Some(arr) = &c.array {
                    let item = self.array_item_type(start, arr.item);
                    return self.array(src, item);
                }
                match &c.content {
                    Content::Simple(st) => {
                        let st = *st;
                        let mut map = Map::new();
                        let extra = self.attributes(&start.attrs, c, &mut map)?;
                        let value = match self.text(src)? {
                            TextOrChild::Text(t) => self.scalar(st, &t)?,
                            TextOrChild::Child(first) => {
                                self.generic_with(src, &start.attrs, Some(first))?
                            }
                        };
                        if c.attributes.is_empty() && !c.any_attribute && extra.is_empty() {
                            return Ok(value);
                        }
                        map.insert(VALUE_KEY.into(), value);
                        if !extra.is_empty() {
                            map.insert(ATTRS_KEY.into(), Value::Object(extra));
                        }
                        Ok(Value::Object(map))
                    }
                    Content::Empty | Content::Elements(_) => {
                        self.object(src, &start.attrs, c, None)
                    }
                }
            }
        }
    }

    fn scalar(&self, ty: TypeId, text: &str) -> Result<Value> {
        // An empty element of a non-string type carries no value.
        if text.trim().is_empty()
            && self
                .schema
                .simple(ty)
                .is_some_and(|s| s.builtin.json_kind() != crate::wsdl::JsonKind::String)
        {
            return Ok(Value::Null);
        }
        scalar::to_json(self.schema, ty, text).map_err(|e| self.value_error(e))
    }

    /// Reads text up to the element's end. If a child element appears instead, returns it
    /// so the caller can keep the content as a tree.
    fn text<S: Source<'i>>(&mut self, src: &mut S) -> Result<TextOrChild<'i>> {
        // Text arrives in one piece (the source joins pieces), so it is borrowed as is.
        src.simple_content()
    }

    /// Known attributes into `map`; returns the unknown ones.
    fn attributes(
        &self,
        attrs: &[AttrVal<'_>],
        c: &ComplexType,
        map: &mut Map<String, Value>,
    ) -> Result<Map<String, Value>> {
        let mut extra = Map::new();
        for a in attrs {
            let slot = c.slots.iter().find_map(|s| match s.kind {
                SlotKind::Attribute(i) if attr_matches(&c.attributes[i], &a.ns, &a.local) => {
                    Some((s, i))
                }
                _ => None,
            });
            match slot {
                Some((s, i)) => {
                    let v = scalar::to_json(self.schema, c.attributes[i].ty, &a.value)
                        .map_err(|e| self.value_error(e))?;
                    map.insert(s.key.to_string(), v);
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
                    extra.insert(key, Value::String(a.value.to_string()));
                }
            }
        }
        // Fixed and default attribute values hold even when the backend leaves them out.
        for s in &c.slots {
            if let SlotKind::Attribute(i) = s.kind
                && !map.contains_key(&*s.key)
                && let Some(d) = c.attributes[i]
                    .fixed
                    .as_ref()
                    .or(c.attributes[i].default.as_ref())
            {
                let v = scalar::to_json(self.schema, c.attributes[i].ty, d)
                    .map_err(|e| self.value_error(e))?;
                map.insert(s.key.to_string(), v);
            }
        }
        Ok(extra)
    }

    /// Element content of a complex type, as an object in schema order.
    fn object<S: Source<'i>>(
        &mut self,
        src: &mut S,
        attrs: &[AttrVal<'i>],
        c: &'s ComplexType,
        mut pending: Option<Start<'i>>,
    ) -> Result<Value> {
        let mut head = Map::new();
        let extra = self.attributes(attrs, c, &mut head)?;
        let mut values: Vec<Option<Value>> = vec![None; c.slots.len()];
        let mut any: Vec<Value> = Vec::new();
        let mut text = String::new();
        loop {
            match next_or_pending(&mut pending, src)? {
                Ev::Start(child) => {
                    let Some((i, e)) = find_element_slot(c, &child.local)
                        .filter(|&(_, e)| self.is_declared(e, &child.ns))
                    else {
                        any.push(Value::String(self.capture(src, &child)?));
                        continue;
                    };
                    let slot = &c.slots[i];
                    // A substitution group member decodes as its own declaration.
                    let decl = self.schema.element(e);
                    self.path.push(Seg::Name(&slot.key));
                    let v = self.element(src, &child, decl.ty)?;
                    self.path.pop();
                    match (&mut values[i], slot.repeated) {
                        (Some(Value::Array(items)), _) => items.push(v),
                        (none @ None, true) => *none = Some(Value::Array(vec![v])),
                        (none @ None, false) => *none = Some(v),
                        // The schema says once, the backend sent more: keep them all.
                        (Some(prev), false) => {
                            let first = std::mem::take(prev);
                            *prev = Value::Array(vec![first, v]);
                        }
                        (Some(_), true) => {}
                    }
                }
                Ev::Text(t) => {
                    if c.mixed || !t.trim().is_empty() {
                        text.push_str(&t);
                    }
                }
                Ev::End | Ev::Eof => break,
            }
        }
        if self.checks
            && let Some(s) = c
                .slots
                .iter()
                .zip(&values)
                .find_map(|(s, v)| (s.required && v.is_none()).then_some(s))
        {
            return Err(self.missing(s));
        }
        let mut map = head;
        for (i, s) in c.slots.iter().enumerate() {
            if !matches!(s.kind, SlotKind::Element(_)) {
                continue;
            }
            match values[i].take() {
                Some(v) => {
                    map.insert(s.key.to_string(), v);
                }
                None if s.repeated => {
                    map.insert(s.key.to_string(), Value::Array(Vec::new()));
                }
                None => {}
            }
        }
        if !any.is_empty() {
            map.insert(ANY_KEY.into(), Value::Array(any));
        }
        if !text.trim().is_empty() || (c.mixed && !text.is_empty()) {
            map.insert(TEXT_KEY.into(), Value::String(text));
        }
        if !extra.is_empty() {
            map.insert(ATTRS_KEY.into(), Value::Object(extra));
        }
        Ok(Value::Object(map))
    }

    fn array_item_type(&self, start: &Start<'_>, declared_item: TypeId) -> TypeId {
        if declared_item != well_known::ANY_TYPE {
            return declared_item;
        }
        start
            .array_type()
            .and_then(|q| {
                if &*q.ns == SOAP11_ENC_NS {
                    Builtin::by_name(&q.local).and_then(|b| {
                        self.schema
                            .global_types
                            .get(&QName::new(XSD_NS, b.xsd_name()))
                    })
                } else {
                    self.schema.global_types.get(q)
                }
            })
            .copied()
            .unwrap_or(well_known::ANY_TYPE)
    }

    fn array<S: Source<'i>>(&mut self, src: &mut S, item: TypeId) -> Result<Value> {
        let mut items = Vec::new();
        loop {
            match src.next()? {
                Ev::Start(child) => {
                    self.path.push(Seg::Index(items.len()));
                    let v = self.element(src, &child, item)?;
                    self.path.pop();
                    items.push(v);
                }
                Ev::Text(_) => {}
                Ev::End | Ev::Eof => return Ok(Value::Array(items)),
            }
        }
    }

    /// Content with no schema (`xsd:anyType`): `xsi:type` if given, else text, or an object
    /// keyed by child local names (repeated names become arrays).
    fn generic<S: Source<'i>>(&mut self, src: &mut S, start: &Start<'i>) -> Result<Value> {
        if start.array_type().is_some()
            || start
                .xsi_type()
                .is_some_and(|t| &*t.ns == SOAP11_ENC_NS && &*t.local == "Array")
        {
            let item = self.array_item_type(start, well_known::ANY_TYPE);
            return self.array(src, item);
        }
        self.generic_with(src, &start.attrs, None)
    }

    /// The content of an element the schema does not describe (or mixed into a simple
    /// one), `attrs` being its start tag's attributes.
    fn generic_with<S: Source<'i>>(
        &mut self,
        src: &mut S,
        attrs: &[AttrVal<'i>],
        mut pending: Option<Start<'i>>,
    ) -> Result<Value> {
        let mut map = Map::new();
        for a in attrs {
            if self.encoded && a.ns.is_empty() && (a.local == "id" || a.local == "href") {
                continue;
            }
            map.insert(format!("@{}", a.local), Value::String(a.value.to_string()));
        }
        let has_attrs = !map.is_empty();
        let mut children = false;
        let mut repeated: Vec<String> = Vec::new();
        let mut text = String::new();
        loop {
            match next_or_pending(&mut pending, src)? {
                Ev::Start(child) => {
                    children = true;
                    let key = child.local.to_string();
                    self.path.push(Seg::Key(Arc::from(key.as_str())));
                    let v = self.element(src, &child, well_known::ANY_TYPE)?;
                    self.path.pop();
                    match map.get_mut(&key) {
                        Some(Value::Array(items)) if repeated.contains(&key) => items.push(v),
                        Some(prev) => {
                            let first = std::mem::take(prev);
                            *prev = Value::Array(vec![first, v]);
                            repeated.push(key);
                        }
                        None => {
                            map.insert(key, v);
                        }
                    }
                }
                Ev::Text(t) => text.push_str(&t),
                Ev::End | Ev::Eof => break,
            }
        }
        if !children && !has_attrs {
            return Ok(Value::String(text));
        }
        if !text.trim().is_empty() {
            map.insert(
                if children { TEXT_KEY } else { VALUE_KEY }.into(),
                Value::String(text),
            );
        }
        Ok(Value::Object(map))
    }

    /// Re-writes an element the schema does not describe as a self-contained XML string.
    fn capture<S: Source<'i>>(&mut self, src: &mut S, start: &Start<'i>) -> Result<String> {
        let mut w = XmlWriter::new();
        w.start_copy(start);
        let mut depth = 1usize;
        while depth > 0 {
            match src.next()? {
                Ev::Start(s) => {
                    w.start_copy(&s);
                    depth += 1;
                }
                Ev::Text(t) => w.text(&t),
                Ev::End => {
                    w.end();
                    depth -= 1;
                }
                Ev::Eof => {
                    return Err(DecodeError::malformed(
                        "the document ends inside an element",
                    ));
                }
            }
        }
        Ok(w.finish())
    }
}

fn attr_matches(a: &AttributeDecl, ns: &str, local: &str) -> bool {
    *a.name.local == *local && (*a.name.ns == *ns || ns.is_empty() || a.name.ns.is_empty())
}

/// The start tag already read ahead, if any, else the next event.
fn next_or_pending<'i, S: Source<'i>>(
    pending: &mut Option<Start<'i>>,
    src: &mut S,
) -> Result<Ev<'i>> {
    match pending.take() {
        Some(s) => Ok(Ev::Start(s)),
        None => src.next(),
    }
}

/// The slot of a child element. Element keys are local names, one slot per name, so the
/// local name finds it; a namespace that differs from the schema's is accepted (rpc stacks
/// qualify accessors the schema leaves unqualified).
fn find_element_slot(c: &ComplexType, local: &str) -> Option<(usize, crate::wsdl::ElemId)> {
    let i = c.slot_position(local)?;
    match c.slots[i].kind {
        SlotKind::Element(e) => Some((i, e)),
        SlotKind::Attribute(_) => None,
    }
}

/// Consumes events to the end of the element whose content is being read.
fn skip_to_end<'i, S: Source<'i>>(src: &mut S) -> Result<()> {
    loop {
        match src.next()? {
            Ev::Start(_) => src.skip()?,
            Ev::Text(_) => {}
            Ev::End | Ev::Eof => return Ok(()),
        }
    }
}

//! JSON → XML, guided by the schema.
//!
//! ```text
//! JSON object ──particles, in schema order──> <ns1:wrapper><ns1:a>..</ns1:a><ns1:b>..</ns1:b>
//!   key order is free          choice: exactly one branch       arrays: repeated elements
//!   unknown keys: 400          null: xsi:nil (nillable only)     $type: xsi:type
//! ```
//!
//! Every failure is an [`EncodeError`] with a JSON Pointer into the request, because it is the
//! caller's JSON that is wrong. A problem inside one field does not stop the others: the
//! encoder records it, leaves the field and goes on, so the caller learns every problem of
//! the request at once (up to [`MAX_ERRORS`]). A message with any problem is not sent; the
//! XML written around a problem is thrown away.
//!
//! This module holds the [`Encoder`] and its entry points, `$type` polymorphism and the
//! dispatch on a type's content; the rest lives beside it:
//!
//! ```text
//! particles.rs   sequence, choice, all; repeated, missing and substituted elements
//! attributes.rs  declared attributes and `$attributes`
//! soapenc.rs     xsi:type on every element, soapenc:Array (use="encoded")
//! fragment.rs    xsd:anyType values, `$any` fragments, XML name checks
//! ```
//!
//! May import: `wsdl`, `xmlutil`, `suggest`, `translate::{events, scalar, writer}` and the
//! error types of `translate`; nothing above.

mod attributes;
mod fragment;
mod particles;
mod soapenc;

use std::ops::Range;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use self::fragment::{copy_fragment, is_xml_name};
use super::scalar::{self, json_type_name};
use super::writer::XmlWriter;
use super::{
    ANY_KEY, ATTRS_KEY, EncodeError, EncodeErrorKind, Seg, TEXT_KEY, TYPE_KEY, VALUE_KEY,
    json_pointer,
};
use crate::wsdl::{
    Body, Builtin, ComplexType, Content, ElemId, QName, Schema, Type, TypeId, well_known,
};
use crate::xmlutil::XSI_NS;

/// Key lookups in the caller's JSON objects.
///
/// `serde_json`'s map hashes the key with SipHash for every lookup, and the encoder looks up
/// each of a type's keys in every object it writes (about a third of a large message's
/// encoding time, callgrind). A message's objects are small and mostly list their keys in
/// schema order, so comparing the key with each entry (lengths first) costs less; a large
/// object still uses the map's index.
trait Fields {
    fn field(&self, key: &str) -> Option<&Value>;
    fn has(&self, key: &str) -> bool {
        self.field(key).is_some()
    }
}

/// Objects with at most this many keys are searched entry by entry.
const SMALL_OBJECT: usize = 16;

impl Fields for Map<String, Value> {
    #[inline]
    fn field(&self, key: &str) -> Option<&Value> {
        if self.len() > SMALL_OBJECT {
            return self.get(key);
        }
        self.iter().find_map(|(k, v)| {
            (k.len() == key.len() && k.as_bytes() == key.as_bytes()).then_some(v)
        })
    }
}

/// JSON nested deeper than this is refused.
const MAX_DEPTH: usize = 100;

/// Problems reported for one value at most; a request with more is wrong enough.
pub const MAX_ERRORS: usize = 100;

pub struct Encoder<'s> {
    schema: &'s Schema,
    /// SOAP encoding (`use="encoded"`): `xsi:type` on every element, `soapenc:Array`s.
    encoded: bool,
    path: Vec<Seg<'static>>,
    /// Problems recorded so far, in document order.
    errors: Vec<EncodeError>,
    /// For MTOM: the smallest `xsd:base64Binary` text worth sending as a binary part, and
    /// where each such text was written in the output.
    binaries: Option<(usize, Vec<Range<usize>>)>,
}

type Result<T> = std::result::Result<T, EncodeError>;

impl<'s> Encoder<'s> {
    pub fn new(schema: &'s Schema, encoded: bool) -> Self {
        Self {
            schema,
            encoded,
            path: Vec::new(),
            errors: Vec::new(),
            binaries: None,
        }
    }

    /// Records where each `xsd:base64Binary` text of at least `threshold` bytes is written
    /// (the whole content of its element), for [`Encoder::take_binaries`].
    pub fn recording_binaries(mut self, threshold: usize) -> Self {
        self.binaries = Some((threshold, Vec::new()));
        self
    }

    /// The byte ranges of the output recorded so far, in document order.
    pub fn take_binaries(&mut self) -> Vec<Range<usize>> {
        self.binaries
            .as_mut()
            .map(|(_, b)| std::mem::take(b))
            .unwrap_or_default()
    }

    /// Writes a simple value's text, noting it when it is a binary to send apart.
    fn simple_text(&mut self, w: &mut XmlWriter, st: TypeId, text: &str) {
        let at = w.text_at(text);
        // Only a text written as it is (no character escaped) is sent apart: the range must
        // hold exactly the base64 the part's bytes give back.
        if let Some((threshold, found)) = &mut self.binaries
            && text.len() >= *threshold
            && at.len() == text.len()
            && let Type::Simple(s) = self.schema.ty(st)
            && s.builtin == Builtin::Base64Binary
        {
            found.push(at);
        }
    }

    fn fail(&self, kind: EncodeErrorKind) -> EncodeError {
        EncodeError::new(json_pointer(&self.path), kind)
    }

    /// Records a problem and goes on with the rest of the value.
    fn record(&mut self, e: EncodeError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        }
    }

    /// Records the problem at the current path.
    fn note(&mut self, kind: EncodeErrorKind) {
        let e = self.fail(kind);
        self.record(e);
    }

    /// Runs `f` for one field; a problem inside it is recorded and the writer and path are
    /// put back where they were, so the next field is read as if it had been fine.
    fn field(
        &mut self,
        w: &mut XmlWriter,
        f: impl FnOnce(&mut Self, &mut XmlWriter) -> Result<()>,
    ) {
        let (depth, len) = (w.depth(), self.path.len());
        if let Err(e) = f(self, w) {
            self.record(e);
            self.path.truncate(len);
            while w.depth() > depth {
                w.end();
            }
        }
    }

    /// The outcome of an entry point: every recorded problem, the first leading.
    fn finish(&mut self, r: Result<()>) -> Result<()> {
        if let Err(e) = r {
            self.record(e);
        }
        match EncodeError::from_all(std::mem::take(&mut self.errors)) {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// Writes a message body: the wrapper element with the content, or (bare) the parts
    /// as children of the element the writer has open. `encoding_style` is written on the
    /// wrapper for `use="encoded"`.
    pub fn body(
        &mut self,
        w: &mut XmlWriter,
        body: &Body,
        v: &Value,
        encoding_style: Option<(&str, &str)>,
    ) -> Result<()> {
        let r = match &body.wrapper {
            Some(q) => {
                w.start(&q.ns, &q.local);
                if let Some((env_ns, style)) = encoding_style {
                    w.attr(env_ns, "encodingStyle", style);
                }
                let r = self.content_of(w, body.content, v);
                w.end();
                r
            }
            None => self.children(w, body.content, v),
        };
        self.finish(r)
    }

    /// Writes `<name>` holding `v` for the element declaration `e`.
    pub fn element(&mut self, w: &mut XmlWriter, e: ElemId, v: &Value) -> Result<()> {
        let d = self.schema.element(e);
        let r = self.element_as(w, &d.name, d.ty, d.nillable, v);
        self.finish(r)
    }

    fn element_as(
        &mut self,
        w: &mut XmlWriter,
        name: &QName,
        declared: TypeId,
        nillable: bool,
        v: &Value,
    ) -> Result<()> {
        if self.path.len() > MAX_DEPTH {
            return Err(self.fail(EncodeErrorKind::TooDeep));
        }
        if v.is_null() {
            if !nillable {
                return Err(self.fail(EncodeErrorKind::NotNillable));
            }
            w.start(&name.ns, &name.local);
            w.attr(XSI_NS, "nil", "true");
            w.end();
            return Ok(());
        }
        let (ty, polymorphic) = self.concrete_type(declared, v)?;
        w.start(&name.ns, &name.local);
        if self.encoded {
            self.xsi_type(w, ty, v);
        } else if polymorphic && let Some(n) = self.schema.ty(ty).name() {
            w.attr_qname(XSI_NS, "type", &n.ns, &n.local, "");
        }
        self.content_of(w, ty, v)?;
        w.end();
        Ok(())
    }

    /// The type to write: the declared one, or the derived type named by `$type`.
    fn concrete_type(&self, declared: TypeId, v: &Value) -> Result<(TypeId, bool)> {
        let wanted = v
            .as_object()
            .and_then(|o| o.field(TYPE_KEY))
            .and_then(Value::as_str);
        let Some(c) = self.schema.complex(declared) else {
            return Ok((declared, false));
        };
        // The usual case, settled before the lists below are made.
        if wanted.is_none() && !c.is_abstract {
            return Ok((declared, false));
        }
        let candidates: Vec<TypeId> = if declared == well_known::ANY_TYPE {
            Vec::new()
        } else {
            c.derived.clone()
        };
        let label = |t: TypeId| {
            self.schema
                .ty(t)
                .name()
                .map(|n| n.local.to_string())
                .unwrap_or_default()
        };
        let concrete: Vec<String> = candidates
            .iter()
            .filter(|t| !self.schema.complex(**t).is_some_and(|c| c.is_abstract))
            .map(|t| label(*t))
            .collect();
        match wanted {
            Some(name) => {
                let matches = |t: TypeId| {
                    self.schema
                        .ty(t)
                        .name()
                        .is_some_and(|n| *n.local == *name || n.to_string() == name)
                };
                if matches(declared) && !c.is_abstract {
                    return Ok((declared, false));
                }
                let found = if declared == well_known::ANY_TYPE {
                    let mut hits = self
                        .schema
                        .global_types
                        .iter()
                        .filter(|(q, _)| *q.local == *name || q.to_string() == name)
                        .map(|(_, t)| *t);
                    match (hits.next(), hits.next()) {
                        (Some(t), None) => Some(t),
                        _ => None,
                    }
                } else {
                    candidates.iter().copied().find(|t| matches(*t))
                };
                match found {
                    Some(t) if self.schema.complex(t).is_some_and(|c| c.is_abstract) => Err(self
                        .fail(EncodeErrorKind::AbstractType {
                            name: name.to_owned(),
                            allowed: concrete,
                        })),
                    Some(t) => Ok((t, true)),
                    None => Err(self.fail(EncodeErrorKind::UnknownType {
                        name: name.to_owned(),
                        base: self.schema.type_label(declared),
                        allowed: concrete,
                    })),
                }
            }
            None if c.is_abstract => Err(self.fail(EncodeErrorKind::AbstractType {
                name: self.schema.type_label(declared),
                allowed: concrete,
            })),
            None => Ok((declared, false)),
        }
    }

    /// Writes the attributes and content of `ty` into the open element.
    pub fn content(&mut self, w: &mut XmlWriter, ty: TypeId, v: &Value) -> Result<()> {
        let r = self.content_of(w, ty, v);
        self.finish(r)
    }

    fn content_of(&mut self, w: &mut XmlWriter, ty: TypeId, v: &Value) -> Result<()> {
        let schema = self.schema;
        match schema.ty(ty) {
            Type::Simple(_) => {
                let text = scalar::to_lexical(schema, ty, v)
                    .map_err(|e| self.fail(EncodeErrorKind::Value(e)))?;
                self.simple_text(w, ty, &text);
                Ok(())
            }
            Type::Complex(_) if ty == well_known::ANY_TYPE => self.any_value(w, v),
            Type::Complex(c) => {
                if let Some(arr) = &c.array {
                    return self.array(w, arr.item, arr.item_name.as_ref(), v);
                }
                match &c.content {
                    Content::Simple(st) => {
                        let st = *st;
                        match v {
                            Value::Object(obj) => {
                                self.attributes(w, &c.slots, &c.attributes, obj)?;
                                self.reject_unknown(obj, &[VALUE_KEY, TYPE_KEY, ATTRS_KEY], c);
                                if let Some(val) = obj.field(VALUE_KEY) {
                                    self.path.push(Seg::Name(VALUE_KEY));
                                    let text = scalar::to_lexical(schema, st, val)
                                        .map_err(|e| self.fail(EncodeErrorKind::Value(e)))?;
                                    self.path.pop();
                                    self.simple_text(w, st, &text);
                                }
                                Ok(())
                            }
                            other => {
                                self.required_attributes_present(&c.slots, &c.attributes, None);
                                let text = scalar::to_lexical(schema, st, other)
                                    .map_err(|e| self.fail(EncodeErrorKind::Value(e)))?;
                                self.simple_text(w, st, &text);
                                Ok(())
                            }
                        }
                    }
                    Content::Empty | Content::Elements(_) => {
                        let Value::Object(obj) = v else {
                            return Err(self.fail(EncodeErrorKind::ExpectedObject {
                                expected: schema.type_label(ty),
                                found: json_type_name(v),
                            }));
                        };
                        self.attributes(w, &c.slots, &c.attributes, obj)?;
                        self.elements(w, ty, obj)?;
                        if c.mixed
                            && let Some(Value::String(t)) = obj.field(TEXT_KEY)
                        {
                            w.text(t);
                        }
                        Ok(())
                    }
                }
            }
        }
    }

    /// Writes the element content of `ty` from `obj` (attributes already written), then
    /// `$any` fragments, and refuses keys the type does not have.
    fn elements(&mut self, w: &mut XmlWriter, ty: TypeId, obj: &Map<String, Value>) -> Result<()> {
        let schema = self.schema;
        let Some(c) = schema.complex(ty) else {
            return Ok(());
        };
        // Unknown keys first: a misspelled key is the real cause of a "missing" field.
        let special: &[&str] = if c.mixed {
            &[TYPE_KEY, ANY_KEY, ATTRS_KEY, TEXT_KEY]
        } else {
            &[TYPE_KEY, ANY_KEY, ATTRS_KEY]
        };
        self.reject_unknown(obj, special, c);
        if let Content::Elements(p) = &c.content {
            self.particle(w, p, obj, c)?;
        }
        if let Some(any) = obj.field(ANY_KEY) {
            self.path.push(Seg::Name(ANY_KEY));
            self.fragments(w, any)?;
            self.path.pop();
        }
        Ok(())
    }

    /// Writes the parts of a bare body as children of the open element.
    fn children(&mut self, w: &mut XmlWriter, ty: TypeId, v: &Value) -> Result<()> {
        let obj = match v {
            Value::Object(o) => o,
            Value::Null => return self.children(w, ty, &Value::Object(Map::new())),
            other => {
                return Err(self.fail(EncodeErrorKind::ExpectedObject {
                    expected: "the message parts".into(),
                    found: json_type_name(other),
                }));
            }
        };
        self.elements(w, ty, obj)
    }

    /// Records each key that is neither one of `c`'s slots nor one of the `special` keys,
    /// at the key itself.
    fn reject_unknown(&mut self, obj: &Map<String, Value>, special: &[&str], c: &ComplexType) {
        for k in obj.keys() {
            if c.slot_position(k).is_some() || special.contains(&k.as_str()) {
                continue;
            }
            let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
            let kind = EncodeErrorKind::UnknownField {
                field: k.clone(),
                suggestion: crate::suggest::closest(k, &names).map(str::to_owned),
                known: names.iter().take(30).map(|s| (*s).to_owned()).collect(),
            };
            self.path.push(Seg::Key(Arc::from(k.as_str())));
            self.note(kind);
            self.path.pop();
        }
    }
}

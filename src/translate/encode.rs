//! JSON → XML, guided by the schema.
//!
//! ```text
//! JSON object ──particles, in schema order──> <ns1:wrapper><ns1:a>..</ns1:a><ns1:b>..</ns1:b>
//!   key order is free          choice: exactly one branch       arrays: repeated elements
//!   unknown keys: 400          null: xsi:nil (nillable only)     $type: xsi:type
//! ```
//!
//! Every failure is an [`EncodeError`] with a JSON Pointer into the request, because it is the
//! caller's JSON that is wrong.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::events::{Ev, Limits, LiveSource, Source};
use super::scalar::{self, json_type_name};
use super::writer::XmlWriter;
use super::{
    ANY_KEY, ATTRS_KEY, EncodeError, EncodeErrorKind, Seg, TEXT_KEY, TYPE_KEY, VALUE_KEY, pointer,
};
use crate::wsdl::{
    Body, ComplexType, Content, ElemId, Particle, QName, Schema, Slot, SlotKind, Term, Type,
    TypeId, UNBOUNDED, well_known,
};
use crate::xmlutil::{SOAP11_ENC_NS, XSD_NS, XSI_NS};

/// JSON nested deeper than this is refused.
const MAX_DEPTH: usize = 100;

pub struct Encoder<'s> {
    schema: &'s Schema,
    /// SOAP encoding (`use="encoded"`): `xsi:type` on every element, `soapenc:Array`s.
    encoded: bool,
    path: Vec<Seg>,
}

type Result<T> = std::result::Result<T, EncodeError>;

impl<'s> Encoder<'s> {
    pub fn new(schema: &'s Schema, encoded: bool) -> Self {
        Self {
            schema,
            encoded,
            path: Vec::new(),
        }
    }

    fn fail(&self, kind: EncodeErrorKind) -> EncodeError {
        EncodeError {
            pointer: pointer(&self.path),
            kind,
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
        match &body.wrapper {
            Some(q) => {
                w.start(&q.ns, &q.local);
                if let Some((env_ns, style)) = encoding_style {
                    w.attr(env_ns, "encodingStyle", style);
                }
                self.content(w, body.content, v)?;
                w.end();
                Ok(())
            }
            None => self.children(w, body.content, v),
        }
    }

    /// Writes `<name>` holding `v` for the element declaration `e`.
    pub fn element(&mut self, w: &mut XmlWriter, e: ElemId, v: &Value) -> Result<()> {
        let d = self.schema.element(e);
        self.element_as(w, &d.name, d.ty, d.nillable, v)
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
        self.content(w, ty, v)?;
        w.end();
        Ok(())
    }

    /// `xsi:type` for SOAP encoding: the type's name, the built-in of an anonymous simple
    /// type, `soapenc:Array` for arrays, the JSON kind for `xsd:anyType`.
    fn xsi_type(&self, w: &mut XmlWriter, ty: TypeId, v: &Value) {
        match self.schema.ty(ty) {
            Type::Complex(c) if c.array.is_some() => {
                w.attr_qname(XSI_NS, "type", SOAP11_ENC_NS, "Array", "");
            }
            _ if ty == well_known::ANY_TYPE => {
                let local = match v {
                    Value::Bool(_) => "boolean",
                    Value::Number(n) if n.to_string().contains(['.', 'e', 'E']) => "decimal",
                    Value::Number(_) => "long",
                    Value::String(_) => "string",
                    _ => return,
                };
                w.attr_qname(XSI_NS, "type", XSD_NS, local, "");
            }
            Type::Simple(s) => match &s.name {
                Some(n) => w.attr_qname(XSI_NS, "type", &n.ns, &n.local, ""),
                None => w.attr_qname(XSI_NS, "type", XSD_NS, s.builtin.xsd_name(), ""),
            },
            Type::Complex(c) => {
                if let Some(n) = &c.name {
                    w.attr_qname(XSI_NS, "type", &n.ns, &n.local, "");
                }
            }
        }
    }

    /// The type to write: the declared one, or the derived type named by `$type`.
    fn concrete_type(&self, declared: TypeId, v: &Value) -> Result<(TypeId, bool)> {
        let wanted = v
            .as_object()
            .and_then(|o| o.get(TYPE_KEY))
            .and_then(Value::as_str);
        let Some(c) = self.schema.complex(declared) else {
            return Ok((declared, false));
        };
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
        let schema = self.schema;
        match schema.ty(ty) {
            Type::Simple(_) => {
                let text = scalar::to_lexical(schema, ty, v)
                    .map_err(|e| self.fail(EncodeErrorKind::Value(e)))?;
                w.text(&text);
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
                                self.reject_unknown(obj, &[VALUE_KEY, TYPE_KEY, ATTRS_KEY], c)?;
                                if let Some(val) = obj.get(VALUE_KEY) {
                                    self.path.push(Seg::Key(Arc::from(VALUE_KEY)));
                                    let text = scalar::to_lexical(schema, st, val)
                                        .map_err(|e| self.fail(EncodeErrorKind::Value(e)))?;
                                    self.path.pop();
                                    w.text(&text);
                                }
                                Ok(())
                            }
                            other => {
                                self.required_attributes_present(&c.slots, &c.attributes, None)?;
                                let text = scalar::to_lexical(schema, st, other)
                                    .map_err(|e| self.fail(EncodeErrorKind::Value(e)))?;
                                w.text(&text);
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
                            && let Some(Value::String(t)) = obj.get(TEXT_KEY)
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
        self.reject_unknown(obj, special, c)?;
        if let Content::Elements(p) = &c.content {
            self.particle(w, p, obj, c)?;
        }
        if let Some(any) = obj.get(ANY_KEY) {
            self.path.push(Seg::Key(Arc::from(ANY_KEY)));
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

    /// Refuses a key that is neither one of `c`'s slots nor one of the `special` keys.
    fn reject_unknown(
        &self,
        obj: &Map<String, Value>,
        special: &[&str],
        c: &ComplexType,
    ) -> Result<()> {
        for k in obj.keys() {
            if c.slot_position(k).is_some() || special.contains(&k.as_str()) {
                continue;
            }
            let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
            return Err(self.fail(EncodeErrorKind::UnknownField {
                field: k.clone(),
                suggestion: crate::suggest::closest(k, &names).map(str::to_owned),
                known: names.iter().take(30).map(|s| (*s).to_owned()).collect(),
            }));
        }
        Ok(())
    }

    fn attributes(
        &mut self,
        w: &mut XmlWriter,
        slots: &[Slot],
        decls: &[crate::wsdl::AttributeDecl],
        obj: &Map<String, Value>,
    ) -> Result<()> {
        self.required_attributes_present(slots, decls, Some(obj))?;
        for s in slots {
            let SlotKind::Attribute(i) = s.kind else {
                continue;
            };
            let Some(val) = obj.get(&*s.key) else {
                continue;
            };
            if val.is_null() {
                continue;
            }
            let a = &decls[i];
            self.path.push(Seg::Key(s.key.clone()));
            let text = scalar::to_lexical(self.schema, a.ty, val)
                .map_err(|e| self.fail(EncodeErrorKind::Value(e)))?;
            self.path.pop();
            w.attr(&a.name.ns, &a.name.local, &text);
        }
        if let Some(extra) = obj.get(ATTRS_KEY) {
            self.path.push(Seg::Key(Arc::from(ATTRS_KEY)));
            let Value::Object(extra) = extra else {
                return Err(self.fail(EncodeErrorKind::ExpectedObject {
                    expected: "attribute names and values".into(),
                    found: json_type_name(extra),
                }));
            };
            for (k, val) in extra {
                let text = match val {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => {
                        return Err(self.fail(EncodeErrorKind::Value(scalar::ScalarError {
                            expected: "an attribute value".into(),
                            reason: format!("got {}", json_type_name(other)),
                        })));
                    }
                };
                let (ns, local) = split_clark(k);
                if !is_xml_name(local) {
                    return Err(self.fail(EncodeErrorKind::BadFragment(format!(
                        "`{k}` is not a valid attribute name"
                    ))));
                }
                w.attr(ns, local, &text);
            }
            self.path.pop();
        }
        Ok(())
    }

    fn required_attributes_present(
        &self,
        slots: &[Slot],
        decls: &[crate::wsdl::AttributeDecl],
        obj: Option<&Map<String, Value>>,
    ) -> Result<()> {
        for s in slots {
            if let SlotKind::Attribute(i) = s.kind
                && decls[i].required
                && decls[i].fixed.is_none()
                && obj.and_then(|o| o.get(&*s.key)).is_none_or(Value::is_null)
            {
                return Err(self.fail(EncodeErrorKind::MissingField {
                    field: s.key.to_string(),
                    expected: format!("attribute, {}", self.schema.type_label(decls[i].ty)),
                }));
            }
        }
        Ok(())
    }

    fn particle(
        &mut self,
        w: &mut XmlWriter,
        p: &Particle,
        obj: &Map<String, Value>,
        c: &ComplexType,
    ) -> Result<()> {
        match &p.term {
            Term::Element(e) => self.element_particle(w, p, *e, obj, c),
            Term::Sequence(items) | Term::All(items) => {
                if p.min == 0 && !self.present(p, obj) {
                    return Ok(());
                }
                for item in items {
                    self.particle(w, item, obj, c)?;
                }
                Ok(())
            }
            Term::Choice(items) => {
                let present: Vec<&Particle> =
                    items.iter().filter(|i| self.present(i, obj)).collect();
                match present.as_slice() {
                    [] => {
                        if p.min == 0 || items.iter().any(Particle::may_be_empty) {
                            Ok(())
                        } else {
                            Err(self.fail(EncodeErrorKind::ChoiceMissing {
                                options: items
                                    .iter()
                                    .flat_map(|i| self.schema.particle_keys(i))
                                    .map(|k| k.to_string())
                                    .collect(),
                            }))
                        }
                    }
                    [one] => self.particle(w, one, obj, c),
                    many if p.max > 1 => {
                        for item in many {
                            self.particle(w, item, obj, c)?;
                        }
                        Ok(())
                    }
                    many => Err(self.fail(EncodeErrorKind::ChoiceConflict {
                        keys: many
                            .iter()
                            .flat_map(|i| self.schema.particle_keys(i))
                            .filter(|k| obj.contains_key(&**k))
                            .map(|k| k.to_string())
                            .collect(),
                    })),
                }
            }
            // Wildcard content comes from `$any`, written after the declared elements.
            Term::Any(_) => Ok(()),
        }
    }

    /// Whether the JSON fills a particle. An empty array does not: the decoder writes `[]`
    /// for every repeated element, the unchosen branches of a choice included.
    fn present(&self, p: &Particle, obj: &Map<String, Value>) -> bool {
        let given = |e: ElemId| match obj.get(&*self.schema.element(e).name.local) {
            None => false,
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        };
        match &p.term {
            Term::Element(e) => {
                let d = self.schema.element(*e);
                (!d.is_abstract && given(*e)) || d.substitutes.iter().any(|s| given(*s))
            }
            Term::Sequence(items) | Term::Choice(items) | Term::All(items) => {
                items.iter().any(|i| self.present(i, obj))
            }
            Term::Any(_) => false,
        }
    }

    fn element_particle(
        &mut self,
        w: &mut XmlWriter,
        p: &Particle,
        e: ElemId,
        obj: &Map<String, Value>,
        owner: &ComplexType,
    ) -> Result<()> {
        let schema = self.schema;
        let decl = schema.element(e);
        let mut candidates: Vec<ElemId> = Vec::with_capacity(1 + decl.substitutes.len());
        if !decl.is_abstract {
            candidates.push(e);
        }
        candidates.extend(decl.substitutes.iter().copied());
        let mut written = 0usize;
        for c in candidates {
            let cd = schema.element(c);
            let key = &cd.name.local;
            let Some(val) = obj.get(&**key) else {
                continue;
            };
            let repeated = p.max > 1 || owner.slot(key).is_some_and(|s| s.repeated);
            self.path.push(Seg::Key(key.clone()));
            match val {
                // A list type or SOAP array is one element holding a JSON array.
                Value::Array(_) if !repeated && self.array_valued(cd.ty) => {
                    self.element_as(w, &cd.name, cd.ty, cd.nillable, val)?;
                    written += 1;
                }
                Value::Array(items) => {
                    if !repeated {
                        return Err(self.fail(EncodeErrorKind::NotRepeatable));
                    }
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i));
                        self.element_as(w, &cd.name, cd.ty, cd.nillable, item)?;
                        self.path.pop();
                    }
                    written += items.len();
                }
                Value::Null if !cd.nillable && p.min == 0 => {
                    // `null` for an optional, non-nillable element: leave it out.
                }
                single => {
                    self.element_as(w, &cd.name, cd.ty, cd.nillable, single)?;
                    written += 1;
                }
            }
            self.path.pop();
        }
        let key = &decl.name.local;
        let given_somehow = candidates_given(schema, decl, obj);
        if written == 0 && p.min > 0 && !given_somehow {
            if decl.nillable {
                // A required but nillable element the caller left out is sent as nil.
                w.start(&decl.name.ns, &decl.name.local);
                w.attr(XSI_NS, "nil", "true");
                w.end();
                return Ok(());
            }
            if let Some(fixed) = decl.fixed.as_ref().or(decl.default.as_ref()) {
                w.start(&decl.name.ns, &decl.name.local);
                w.text(fixed);
                w.end();
                return Ok(());
            }
            self.path.push(Seg::Key(key.clone()));
            let err = self.fail(EncodeErrorKind::MissingField {
                field: key.to_string(),
                expected: schema.type_label(decl.ty),
            });
            self.path.pop();
            // The pointer names the missing field's parent.
            return Err(EncodeError {
                pointer: pointer(&self.path),
                ..err
            });
        }
        if given_somehow && written < p.min as usize {
            self.path.push(Seg::Key(key.clone()));
            let err = self.fail(EncodeErrorKind::TooFew {
                min: p.min,
                got: written,
            });
            self.path.pop();
            return Err(err);
        }
        if p.max != UNBOUNDED && written > p.max as usize && p.max > 1 {
            self.path.push(Seg::Key(key.clone()));
            let err = self.fail(EncodeErrorKind::TooMany {
                max: p.max,
                got: written,
            });
            self.path.pop();
            return Err(err);
        }
        Ok(())
    }

    /// Whether the JSON form of `ty` is itself an array (list types, SOAP-encoded arrays).
    fn array_valued(&self, ty: TypeId) -> bool {
        match self.schema.ty(ty) {
            Type::Simple(s) => matches!(s.variety, crate::wsdl::Variety::List(_)),
            Type::Complex(c) => c.array.is_some(),
        }
    }

    fn array(
        &mut self,
        w: &mut XmlWriter,
        item: TypeId,
        item_name: Option<&QName>,
        v: &Value,
    ) -> Result<()> {
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => {
                return Err(self.fail(EncodeErrorKind::Value(scalar::ScalarError {
                    expected: "an array".into(),
                    reason: format!("got {}", json_type_name(other)),
                })));
            }
        };
        if self.encoded {
            let suffix = format!("[{}]", items.len());
            match item_name {
                Some(n) => w.attr_qname(SOAP11_ENC_NS, "arrayType", &n.ns, &n.local, &suffix),
                None => match self.schema.ty(item) {
                    Type::Simple(s) => w.attr_qname(
                        SOAP11_ENC_NS,
                        "arrayType",
                        XSD_NS,
                        s.builtin.xsd_name(),
                        &suffix,
                    ),
                    Type::Complex(_) => {
                        w.attr_qname(SOAP11_ENC_NS, "arrayType", XSD_NS, "anyType", &suffix)
                    }
                },
            }
        }
        let item_el = QName::new("", "item");
        for (i, it) in items.into_iter().enumerate() {
            self.path.push(Seg::Index(i));
            self.element_as(w, &item_el, item, true, it)?;
            self.path.pop();
        }
        Ok(())
    }

    /// Content of an `xsd:anyType` element, from any JSON.
    fn any_value(&mut self, w: &mut XmlWriter, v: &Value) -> Result<()> {
        match v {
            Value::Null => Ok(()),
            Value::String(s) => {
                w.text(s);
                Ok(())
            }
            Value::Number(n) => {
                w.text(&n.to_string());
                Ok(())
            }
            Value::Bool(b) => {
                w.text(&b.to_string());
                Ok(())
            }
            Value::Array(_) => Err(self.fail(EncodeErrorKind::NotRepeatable)),
            Value::Object(obj) => {
                // Attributes first: they belong to the open tag.
                for (k, val) in obj {
                    if let Some(name) = k.strip_prefix('@') {
                        if !is_xml_name(name) {
                            return Err(self.fail(EncodeErrorKind::BadFragment(format!(
                                "`{name}` is not a valid attribute name"
                            ))));
                        }
                        w.attr("", name, &plain(val));
                    }
                }
                for (k, val) in obj {
                    if k.starts_with('@') {
                        continue;
                    }
                    self.path.push(Seg::Key(Arc::from(k.as_str())));
                    match k.as_str() {
                        VALUE_KEY | TEXT_KEY => w.text(&plain(val)),
                        ANY_KEY => self.fragments(w, val)?,
                        TYPE_KEY => {}
                        name => {
                            if !is_xml_name(name) {
                                return Err(self.fail(EncodeErrorKind::BadFragment(format!(
                                    "`{name}` is not a valid XML element name"
                                ))));
                            }
                            let el = QName::new("", name);
                            let items: Vec<&Value> = match val {
                                Value::Array(a) => a.iter().collect(),
                                other => vec![other],
                            };
                            for it in items {
                                self.element_as(w, &el, well_known::ANY_TYPE, true, it)?;
                            }
                        }
                    }
                    self.path.pop();
                }
                Ok(())
            }
        }
    }

    /// Writes `$any` content: one XML fragment or an array of them. Each is parsed and
    /// re-written, so it cannot break out of its place or borrow the envelope's prefixes.
    fn fragments(&mut self, w: &mut XmlWriter, v: &Value) -> Result<()> {
        let list: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for (i, f) in list.into_iter().enumerate() {
            let Value::String(xml) = f else {
                self.path.push(Seg::Index(i));
                let err = self.fail(EncodeErrorKind::BadFragment(format!(
                    "expected an XML string, got {}",
                    json_type_name(f)
                )));
                self.path.pop();
                return Err(err);
            };
            copy_fragment(xml, w).map_err(|e| self.fail(EncodeErrorKind::BadFragment(e)))?;
        }
        Ok(())
    }
}

/// Whether the caller gave any key for this element or its substitutes (null included).
fn candidates_given(
    schema: &Schema,
    decl: &crate::wsdl::ElementDecl,
    obj: &Map<String, Value>,
) -> bool {
    obj.contains_key(&*decl.name.local)
        || decl
            .substitutes
            .iter()
            .any(|s| obj.contains_key(&*schema.element(*s).name.local))
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `{ns}local` → (ns, local); anything else is unqualified.
fn split_clark(k: &str) -> (&str, &str) {
    if let Some(rest) = k.strip_prefix('{')
        && let Some((ns, local)) = rest.split_once('}')
    {
        return (ns, local);
    }
    ("", k)
}

/// Whether `name` can be an XML element or attribute name (no prefix).
pub fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.to_ascii_lowercase().starts_with("xml")
}

/// Parses an XML fragment and writes it through `w` (with the writer's own prefixes).
pub fn copy_fragment(xml: &str, w: &mut XmlWriter) -> std::result::Result<(), String> {
    let mut src = LiveSource::new(
        xml,
        Limits {
            max_depth: 64,
            max_elements: 100_000,
        },
    );
    let base = w.depth();
    loop {
        match src.next().map_err(|e| e.to_string())? {
            Ev::Start(s) => w.start_copy(&s),
            Ev::Text(t) => {
                if w.depth() == base && !t.trim().is_empty() {
                    return Err("text outside of an element".into());
                }
                w.text(&t);
            }
            Ev::End => w.end(),
            Ev::Eof => {
                if w.depth() != base {
                    return Err("unbalanced elements".into());
                }
                return Ok(());
            }
        }
    }
}

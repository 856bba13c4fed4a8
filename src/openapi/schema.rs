//! Complex types as JSON Schema: the object of a type's slots (elements, attributes, the
//! simple content's value, wildcards, mixed text) with its required keys and choice rules,
//! SOAP-encoded arrays, and polymorphic types as a `oneOf` (`anyOf` when some are not
//! objects) of the concrete types, told apart by `$type`.
//!
//! May import: `mapping::compile::required_keys`, `translate` (the JSON keys and
//! `translate::scalar`), `wsdl`, and the sibling files of `openapi`; nothing above.

use serde_json::{Map, Value, json};

use crate::mapping::compile::required_keys;
use crate::translate::scalar;
use crate::translate::{ANY_KEY, ATTRS_KEY, TEXT_KEY, TYPE_KEY, VALUE_KEY};
use crate::wsdl::{Content, SlotKind, Type, TypeId, well_known};

use super::choices::choice_constraints;
use super::components::Gen;
use super::json_schema::{array_of, nullable, set};
use super::names::Form;

impl Gen<'_> {
    pub(super) fn is_polymorphic(&self, s: usize, ty: TypeId) -> bool {
        ty != well_known::ANY_TYPE
            && self.schemas[s]
                .complex(ty)
                .is_some_and(|c| c.array.is_none() && !c.derived.is_empty())
    }

    /// The type or any concrete type derived from it, told apart by `$type`.
    pub(super) fn polymorphic(&mut self, s: usize, ty: TypeId) -> Value {
        let schema = self.schemas[s];
        let Some(c) = schema.complex(ty) else {
            return json!({});
        };
        let mut members = Vec::new();
        if !c.is_abstract {
            members.push(ty);
        }
        for d in &c.derived {
            if schema.complex(*d).is_some_and(|dc| !dc.is_abstract) {
                members.push(*d);
            }
        }
        let local = c.name.as_ref().map_or("", |n| &*n.local).to_owned();
        if members.is_empty() {
            return self.complex_exact(s, ty, &local);
        }
        let mut variants = Vec::new();
        let mut all_objects = true;
        for t in members {
            let Some(name) = schema.ty(t).name().cloned() else {
                continue;
            };
            let form = if self.is_polymorphic(s, t) {
                Form::Exact
            } else {
                Form::Use
            };
            let mut v = self.component(s, t, form, &name.local, &name.ns);
            if self.is_object_form(s, t) {
                set(
                    &mut v,
                    "properties",
                    json!({ TYPE_KEY: { "const": &*name.local } }),
                );
                if t != ty {
                    set(&mut v, "required", json!([TYPE_KEY]));
                }
            } else {
                all_objects = false;
            }
            variants.push(v);
        }
        let combinator = if all_objects { "oneOf" } else { "anyOf" };
        json!({
            "description": format!(
                "`{local}` or a type derived from it; `{TYPE_KEY}` names the derived type."
            ),
            combinator: variants,
        })
    }

    /// Whether the JSON form of a complex type is an object.
    pub(super) fn is_object_form(&self, s: usize, ty: TypeId) -> bool {
        match self.schemas[s].ty(ty) {
            Type::Simple(_) => false,
            Type::Complex(c) => {
                c.array.is_none()
                    && !matches!(c.content, Content::Simple(_)
                        if c.attributes.is_empty() && !c.any_attribute)
            }
        }
    }

    /// The JSON form of a complex type itself (derived types aside).
    pub(super) fn complex_exact(&mut self, s: usize, ty: TypeId, hint: &str) -> Value {
        let schema = self.schemas[s];
        let Some(c) = schema.complex(ty) else {
            return self.simple_schema(s, ty);
        };
        if let Some(a) = &c.array {
            let items = self.type_schema(s, a.item, "item");
            return array_of(items);
        }
        if let Content::Simple(st) = c.content
            && c.attributes.is_empty()
            && !c.any_attribute
        {
            return self.type_schema(s, st, hint);
        }
        let mut props = Map::new();
        let mut required: Vec<String> = Vec::new();
        if let Content::Simple(st) = c.content {
            let v = self.type_schema(s, st, hint);
            props.insert(VALUE_KEY.into(), v);
        }
        for slot in &c.slots {
            let v = match slot.kind {
                SlotKind::Element(e) => {
                    let d = schema.element(e);
                    let local = d.name.local.clone();
                    let mut v = self.type_schema(s, d.ty, &local);
                    if d.nillable {
                        v = nullable(v);
                    }
                    if slot.repeated {
                        v = array_of(v);
                    }
                    if let Some(doc) = schema.element_doc(e) {
                        set(&mut v, "description", json!(doc));
                    }
                    v
                }
                SlotKind::Attribute(i) => {
                    let a = &c.attributes[i];
                    let local = a.name.local.clone();
                    let mut v = self.type_schema(s, a.ty, &local);
                    if let Some(f) = &a.fixed {
                        let fv = scalar::to_json(schema, a.ty, f)
                            .unwrap_or_else(|_| Value::String(f.to_string()));
                        set(&mut v, "const", fv);
                    } else if let Some(d) = &a.default {
                        let dv = scalar::to_json(schema, a.ty, d)
                            .unwrap_or_else(|_| Value::String(d.to_string()));
                        set(&mut v, "default", dv);
                    }
                    if a.required && a.fixed.is_none() {
                        required.push(slot.key.to_string());
                    }
                    v
                }
            };
            props.insert(slot.key.to_string(), v);
        }
        if c.open {
            props.insert(
                ANY_KEY.into(),
                json!({
                    "type": "array",
                    "items": { "type": "string" },
                    "description": "Elements the schema does not declare, each as a self-contained XML string.",
                }),
            );
        }
        if c.any_attribute {
            props.insert(
                ATTRS_KEY.into(),
                json!({
                    "type": "object",
                    "additionalProperties": { "type": "string" },
                    "description": "Attributes the schema does not declare, by name (`{namespace}name` when qualified).",
                }),
            );
        }
        if c.mixed {
            props.insert(TEXT_KEY.into(), json!({ "type": "string" }));
        }
        for k in required_keys(schema, ty) {
            let with_substitutes = c.slot(&k).is_some_and(|sl| match sl.kind {
                SlotKind::Element(e) => !schema.element(e).substitutes.is_empty(),
                SlotKind::Attribute(_) => false,
            });
            if !with_substitutes && props.contains_key(&*k) && !required.iter().any(|r| *r == *k) {
                required.push(k.to_string());
            }
        }
        let mut m = Map::new();
        m.insert("type".into(), json!("object"));
        if let Some(doc) = schema.type_doc(ty) {
            m.insert("description".into(), json!(doc));
        }
        m.insert("properties".into(), Value::Object(props));
        if !required.is_empty() {
            m.insert("required".into(), json!(required));
        }
        let mut choices = Vec::new();
        if let Content::Elements(p) = &c.content {
            choice_constraints(schema, c, p, false, false, &mut choices);
        }
        match choices.len() {
            0 => {}
            1 => {
                if let Some(Value::Object(only)) = choices.pop() {
                    m.extend(only);
                }
            }
            _ => {
                m.insert("allOf".into(), Value::Array(choices));
            }
        }
        Value::Object(m)
    }
}

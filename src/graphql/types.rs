//! XSD types as GraphQL types, output and input, from the same slots the codecs read.
//!
//! ```text
//! complex type with keys   output: type T { key: … }        input: input TInput { key: … }
//!   element slot           its type; repeated → [T!]! out, [T!] in; nillable → nullable
//!                          items; required (Slot::required out, required_keys in) → T!
//!   choice members         never required: nullable fields (the codec checks that one is
//!                          given, as for REST)
//!   attribute              its type; required → T!
//!   $value $type $any      _value, _type, _any: [String!], _attributes: JSON, _text
//!   $attributes $text
//!   derived types          one type: the base's keys, `_type`, and the keys the derived types
//!                          add (nullable)
//! simple content only      the simple type
//! soapenc array            [item]
//! simple type              enumeration of text → enum; list → [item]; union → JSON;
//!                          else the built-in's scalar (scalars.rs)
//! xsd:anyType, no keys     JSON
//! ```
//!
//! Objects resolve their fields from the JSON the pipeline answered (borrowed, never copied);
//! inputs carry an [`In`] plan that turns GraphQL arguments back into the REST JSON (keys and
//! enum values as the contract spells them). Types are made once per (contract, `TypeId`),
//! named when first met, written from a queue (recursion ends at a name).
//!
//! May import `mapping::compile::required_keys`, `translate` (the JSON keys), `wsdl`, and the
//! sibling files; nothing above.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, TypeRef,
};
use async_graphql::{Name, Value};

use super::names::{Taken, enum_value, sanitize, type_name};
use super::scalars;
use crate::mapping::compile::required_keys;
use crate::translate::{ANY_KEY, ATTRS_KEY, TEXT_KEY, TYPE_KEY, VALUE_KEY};
use crate::wsdl::{Content, JsonKind, Schema, SlotKind, Type, TypeId, Variety, Wsdl, well_known};

/// How a JSON answer value becomes a field's value.
#[derive(Clone, Debug)]
pub enum Out {
    Scalar,
    Enum(Arc<EnumMap>),
    Object,
    List(Box<Out>),
}

/// How an argument value becomes the JSON the REST face would have been sent.
#[derive(Clone, Debug)]
pub enum In {
    /// As it is (numbers exact).
    Scalar,
    /// `Decimal` and `Long`: numeric text becomes a JSON number.
    Number,
    Enum(Arc<EnumMap>),
    /// An input object: index into [`Types::plans`].
    Object(usize),
    List(Box<In>),
}

/// An input object's fields: GraphQL name → JSON key, with each value's plan.
#[derive(Clone, Debug, Default)]
pub struct InObject {
    pub fields: Vec<(String, Arc<str>, In)>,
}

/// An enumeration's values both ways.
#[derive(Debug, Default)]
pub struct EnumMap {
    pub to_graphql: HashMap<String, Name>,
    pub to_xsd: HashMap<String, String>,
}

/// A GraphQL type as a tree (before nullability is decided at the use site).
#[derive(Clone, Debug)]
pub enum G {
    Named(String),
    /// A list; the flag says whether its items are non-null.
    List(Box<G>, bool),
}

impl G {
    /// The type reference, non-null when `non_null`.
    pub fn type_ref(&self, non_null: bool) -> TypeRef {
        let t = match self {
            G::Named(n) => TypeRef::Named(n.clone().into()),
            G::List(item, item_nn) => TypeRef::List(Box::new(item.type_ref(*item_nn))),
        };
        if non_null {
            TypeRef::NonNull(Box::new(t))
        } else {
            t
        }
    }
}

/// Which form of a complex type an object holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Dir {
    Output,
    Input,
}

/// The generator's state: every contract met, every type named and written.
#[derive(Default)]
pub struct Types<'a> {
    schemas: Vec<&'a Schema>,
    index: HashMap<*const Wsdl, usize>,
    /// Every type name of the schema (scalars and root types reserved).
    pub taken: Taken,
    names: HashMap<(usize, TypeId, Dir), String>,
    enums: HashMap<(usize, TypeId), (String, Arc<EnumMap>)>,
    plan_of: HashMap<(usize, TypeId), usize>,
    queue: VecDeque<(usize, TypeId, Dir)>,
    pub objects: Vec<Object>,
    pub inputs: Vec<InputObject>,
    pub enum_types: Vec<Enum>,
    /// Input plans; [`In::Object`] points here.
    pub plans: Vec<InObject>,
}

impl<'a> Types<'a> {
    pub fn new(reserved: &[&str]) -> Self {
        Self {
            taken: Taken::with(reserved),
            ..Self::default()
        }
    }

    /// The index of `w`'s contract, met now or before.
    pub fn contract(&mut self, w: &'a Arc<Wsdl>) -> usize {
        let ptr = Arc::as_ptr(w);
        if let Some(i) = self.index.get(&ptr) {
            return *i;
        }
        let i = self.schemas.len();
        self.schemas.push(&w.schema);
        self.index.insert(ptr, i);
        i
    }

    pub fn schema(&self, s: usize) -> &'a Schema {
        self.schemas[s]
    }

    /// The output type of a value declared with `ty`; `hint` names an anonymous type.
    pub fn output(&mut self, s: usize, ty: TypeId, hint: &str) -> (G, Out) {
        let schema = self.schemas[s];
        if ty == well_known::ANY_TYPE {
            return (G::Named(scalars::JSON.into()), Out::Scalar);
        }
        match schema.ty(ty) {
            Type::Simple(_) => self.simple(s, ty, hint),
            Type::Complex(c) => {
                if let Some(a) = &c.array {
                    let (item, out) = self.output(s, a.item, "item");
                    return (G::List(Box::new(item), false), Out::List(Box::new(out)));
                }
                if let Content::Simple(st) = c.content
                    && c.attributes.is_empty()
                    && !c.any_attribute
                    && !self.is_polymorphic(s, ty)
                {
                    return self.output(s, st, hint);
                }
                if !self.has_keys(s, ty) {
                    return (G::Named(scalars::JSON.into()), Out::Scalar);
                }
                let name = self.object_name(s, ty, hint, Dir::Output);
                (G::Named(name), Out::Object)
            }
        }
    }

    /// The input type of a value declared with `ty`, and how its value becomes JSON.
    pub fn input(&mut self, s: usize, ty: TypeId, hint: &str) -> (G, In) {
        let schema = self.schemas[s];
        if ty == well_known::ANY_TYPE {
            return (G::Named(scalars::JSON.into()), In::Scalar);
        }
        match schema.ty(ty) {
            Type::Simple(_) => {
                let (g, out) = self.simple(s, ty, hint);
                (g.clone(), in_of(&g, &out))
            }
            Type::Complex(c) => {
                if let Some(a) = &c.array {
                    let (item, plan) = self.input(s, a.item, "item");
                    return (G::List(Box::new(item), false), In::List(Box::new(plan)));
                }
                if let Content::Simple(st) = c.content
                    && c.attributes.is_empty()
                    && !c.any_attribute
                    && !self.is_polymorphic(s, ty)
                {
                    return self.input(s, st, hint);
                }
                if !self.has_keys(s, ty) {
                    return (G::Named(scalars::JSON.into()), In::Scalar);
                }
                let name = self.object_name(s, ty, hint, Dir::Input);
                let plan = match self.plan_of.get(&(s, ty)) {
                    Some(p) => *p,
                    None => {
                        let p = self.plans.len();
                        self.plans.push(InObject::default());
                        self.plan_of.insert((s, ty), p);
                        p
                    }
                };
                (G::Named(name), In::Object(plan))
            }
        }
    }

    /// An input object of `ty`'s keys made for one use, named `name`, with `optional` keys
    /// not required (a route's body whose top-level fields parameters may fill).
    pub fn input_variant(
        &mut self,
        s: usize,
        ty: TypeId,
        name: &str,
        optional: &[&str],
    ) -> (G, In) {
        let name = self.taken.claim(&type_name(name));
        let plan = self.plans.len();
        self.plans.push(InObject::default());
        let obj = self.input_object(s, ty, &name, plan, optional);
        self.inputs.push(obj);
        (G::Named(name), In::Object(plan))
    }

    /// Whether the type has keys of its own (else its JSON is `{}` and it is `JSON` here).
    pub fn has_keys(&self, s: usize, ty: TypeId) -> bool {
        let Some(c) = self.schemas[s].complex(ty) else {
            return false;
        };
        !c.slots.is_empty()
            || matches!(c.content, Content::Simple(_))
            || c.open
            || c.any_attribute
            || c.mixed
            || self.is_polymorphic(s, ty)
    }

    fn is_polymorphic(&self, s: usize, ty: TypeId) -> bool {
        self.schemas[s]
            .complex(ty)
            .is_some_and(|c| c.array.is_none() && !c.derived.is_empty())
    }

    /// The name of `ty`'s object in `dir`, claimed and queued on first use.
    fn object_name(&mut self, s: usize, ty: TypeId, hint: &str, dir: Dir) -> String {
        if let Some(n) = self.names.get(&(s, ty, dir)) {
            return n.clone();
        }
        let schema = self.schemas[s];
        let (local, ns) = match schema.ty(ty).name() {
            Some(n) => (n.local.to_string(), n.ns.to_string()),
            None => (hint.to_owned(), String::new()),
        };
        let base = match dir {
            Dir::Output => type_name(&local),
            Dir::Input => format!("{}Input", type_name(&local)),
        };
        let name = self.taken.claim_in(&base, &ns);
        self.names.insert((s, ty, dir), name.clone());
        self.queue.push_back((s, ty, dir));
        name
    }

    /// A simple type: an enum, a list, `JSON` for unions, or a built-in's scalar.
    fn simple(&mut self, s: usize, ty: TypeId, hint: &str) -> (G, Out) {
        let schema = self.schemas[s];
        let Some(st) = schema.simple(ty) else {
            return (G::Named(scalars::JSON.into()), Out::Scalar);
        };
        match &st.variety {
            Variety::List(item) => {
                let (g, out) = self.simple(s, *item, hint);
                (G::List(Box::new(g), true), Out::List(Box::new(out)))
            }
            Variety::Union(_) => (G::Named(scalars::JSON.into()), Out::Scalar),
            Variety::Atomic => {
                if !st.facets.enumeration.is_empty()
                    && matches!(st.builtin.json_kind(), JsonKind::String)
                {
                    let (name, map) = self.enumeration(s, ty, hint);
                    return (G::Named(name), Out::Enum(map));
                }
                (
                    G::Named(scalars::of_builtin(st.builtin).into()),
                    Out::Scalar,
                )
            }
        }
    }

    /// The enum of a text enumeration (made once per type).
    fn enumeration(&mut self, s: usize, ty: TypeId, hint: &str) -> (String, Arc<EnumMap>) {
        if let Some((n, m)) = self.enums.get(&(s, ty)) {
            return (n.clone(), m.clone());
        }
        let schema = self.schemas[s];
        let (local, ns) = match schema.ty(ty).name() {
            Some(n) => (n.local.to_string(), n.ns.to_string()),
            None => (hint.to_owned(), String::new()),
        };
        let name = self.taken.claim_in(&type_name(&local), &ns);
        let mut map = EnumMap::default();
        let mut values = Taken::default();
        let mut e = Enum::new(name.clone()).description(format!(
            "The values of `{}`, each named as GraphQL allows (the XSD value is in its description).",
            schema.type_label(ty)
        ));
        if let Some(st) = schema.simple(ty) {
            for v in &st.facets.enumeration {
                if map.to_graphql.contains_key(&**v) {
                    continue;
                }
                let gname = values.claim(&enum_value(v));
                map.to_graphql.insert(v.to_string(), Name::new(&gname));
                map.to_xsd.insert(gname.clone(), v.to_string());
                e = e.item(EnumItem::new(gname).description(format!("`{v}`")));
            }
        }
        let map = Arc::new(map);
        self.enum_types.push(e);
        self.enums.insert((s, ty), (name.clone(), map.clone()));
        (name, map)
    }

    /// Writes the queued objects (which may queue more).
    pub fn drain(&mut self) {
        while let Some((s, ty, dir)) = self.queue.pop_front() {
            let name = self.names.get(&(s, ty, dir)).cloned().unwrap_or_default();
            match dir {
                Dir::Output => {
                    let o = self.output_object(s, ty, &name);
                    self.objects.push(o);
                }
                Dir::Input => {
                    let plan = self.plan_of.get(&(s, ty)).copied().unwrap_or_else(|| {
                        self.plans.push(InObject::default());
                        self.plans.len() - 1
                    });
                    let o = self.input_object(s, ty, &name, plan, &[]);
                    self.inputs.push(o);
                }
            }
        }
    }

    /// The keys of a type's JSON, each with its declared type: its own, then those its
    /// derived types add.
    fn keys(&self, s: usize, ty: TypeId) -> Vec<Key> {
        let schema = self.schemas[s];
        let mut out: Vec<Key> = Vec::new();
        let mut types = vec![ty];
        if let Some(c) = schema.complex(ty) {
            types.extend(c.derived.iter().copied());
        }
        let required = required_keys(schema, ty);
        for (n, t) in types.iter().enumerate() {
            let Some(c) = schema.complex(*t) else {
                continue;
            };
            let own = n == 0;
            let mut add = |k: Key| {
                if !out.iter().any(|o| o.key == k.key) {
                    out.push(k);
                }
            };
            if let Content::Simple(st) = c.content {
                add(Key::new(VALUE_KEY, st, "value", false, false, false, false));
            }
            for slot in &c.slots {
                match slot.kind {
                    SlotKind::Element(e) => {
                        let d = schema.element(e);
                        add(Key {
                            key: slot.key.clone(),
                            ty: d.ty,
                            hint: d.name.local.to_string(),
                            repeated: slot.repeated,
                            nillable: d.nillable,
                            out_required: own && slot.required && !d.nillable,
                            in_required: own && required.contains(&slot.key),
                            doc: schema.docs.elements.get(&e).cloned(),
                        });
                    }
                    SlotKind::Attribute(i) => {
                        let a = &c.attributes[i];
                        let req = own && a.required;
                        add(Key {
                            key: slot.key.clone(),
                            ty: a.ty,
                            hint: a.name.local.to_string(),
                            repeated: false,
                            nillable: false,
                            out_required: req,
                            in_required: req && a.fixed.is_none() && a.default.is_none(),
                            doc: None,
                        });
                    }
                }
            }
        }
        out
    }

    fn output_object(&mut self, s: usize, ty: TypeId, name: &str) -> Object {
        let schema = self.schemas[s];
        let mut o = Object::new(name).description(describe(schema, ty));
        let mut fields = Taken::default();
        let polymorphic = self.is_polymorphic(s, ty);
        for k in self.keys(s, ty) {
            let (g, out) = self.output(s, k.ty, &k.hint);
            let (tr, out) = if k.repeated {
                (
                    G::List(Box::new(g), !k.nillable).type_ref(true),
                    Out::List(Box::new(out)),
                )
            } else {
                (g.type_ref(k.out_required), out)
            };
            o = o.field(json_field(&mut fields, k.key, tr, out, k.doc.as_deref()));
        }
        let Some(c) = schema.complex(ty) else {
            return o;
        };
        let extra: [(bool, &str, TypeRef, Out, &str); 4] = [
            (
                polymorphic,
                TYPE_KEY,
                TypeRef::named(TypeRef::STRING),
                Out::Scalar,
                "The derived type's name when the value is of one (`$type` in REST).",
            ),
            (
                c.open,
                ANY_KEY,
                TypeRef::named_nn_list(TypeRef::STRING),
                Out::List(Box::new(Out::Scalar)),
                "Elements the schema does not declare, each as an XML string (`$any` in REST).",
            ),
            (
                c.any_attribute,
                ATTRS_KEY,
                TypeRef::named(scalars::JSON),
                Out::Scalar,
                "Attributes the schema does not declare, by name (`$attributes` in REST).",
            ),
            (
                c.mixed,
                TEXT_KEY,
                TypeRef::named(TypeRef::STRING),
                Out::Scalar,
                "The text between elements (`$text` in REST).",
            ),
        ];
        for (on, key, tr, out, doc) in extra {
            if on {
                // The extras' words already give their REST key.
                let f = json_field(&mut fields, Arc::from(key), tr, out, None);
                o = o.field(f.description(doc));
            }
        }
        o
    }

    fn input_object(
        &mut self,
        s: usize,
        ty: TypeId,
        name: &str,
        plan: usize,
        optional: &[&str],
    ) -> InputObject {
        let schema = self.schemas[s];
        let mut o = InputObject::new(name).description(describe(schema, ty));
        let mut fields = Taken::default();
        let mut plan_fields = Vec::new();
        // `doc`: the schema's words on an element, or (`Ok`) an extra's own, which say its
        // REST key already.
        let mut add =
            |o: InputObject, key: Arc<str>, tr: TypeRef, p: In, doc: Result<&str, Option<&str>>| {
                let gname = fields.claim(&sanitize(&key));
                let mut v = InputValue::new(gname.clone(), tr);
                let doc = match doc {
                    Ok(own) => Some(own.to_owned()),
                    Err(schema_doc) => field_doc(&key, &gname, schema_doc),
                };
                if let Some(d) = doc {
                    v = v.description(d);
                }
                plan_fields.push((gname, key, p));
                o.field(v)
            };
        for k in self.keys(s, ty) {
            let (g, p) = self.input(s, k.ty, &k.hint);
            let required = k.in_required && !optional.contains(&&*k.key);
            let (tr, p) = if k.repeated {
                (
                    G::List(Box::new(g), !k.nillable).type_ref(false),
                    In::List(Box::new(p)),
                )
            } else {
                (g.type_ref(required), p)
            };
            o = add(o, k.key, tr, p, Err(k.doc.as_deref()));
        }
        if let Some(c) = schema.complex(ty) {
            if self.is_polymorphic(s, ty) {
                o = add(
                    o,
                    Arc::from(TYPE_KEY),
                    TypeRef::named(TypeRef::STRING),
                    In::Scalar,
                    Ok("The derived type to send (`$type` in REST)."),
                );
            }
            if c.open {
                o = add(
                    o,
                    Arc::from(ANY_KEY),
                    TypeRef::named_nn_list(TypeRef::STRING),
                    In::List(Box::new(In::Scalar)),
                    Ok("Elements the schema does not declare, each as an XML string."),
                );
            }
            if c.any_attribute {
                o = add(
                    o,
                    Arc::from(ATTRS_KEY),
                    TypeRef::named(scalars::JSON),
                    In::Scalar,
                    Ok("Attributes the schema does not declare, by name."),
                );
            }
            if c.mixed {
                o = add(
                    o,
                    Arc::from(TEXT_KEY),
                    TypeRef::named(TypeRef::STRING),
                    In::Scalar,
                    Ok("The text between elements."),
                );
            }
        }
        self.plans[plan] = InObject {
            fields: plan_fields,
        };
        o
    }
}

/// One JSON key of a type, as both directions need it.
struct Key {
    key: Arc<str>,
    ty: TypeId,
    hint: String,
    repeated: bool,
    nillable: bool,
    out_required: bool,
    in_required: bool,
    /// The element's `xsd:documentation`.
    doc: Option<Arc<str>>,
}

impl Key {
    fn new(
        key: &str,
        ty: TypeId,
        hint: &str,
        repeated: bool,
        nillable: bool,
        out_required: bool,
        in_required: bool,
    ) -> Self {
        Self {
            key: Arc::from(key),
            ty,
            hint: hint.to_owned(),
            repeated,
            nillable,
            out_required,
            in_required,
            doc: None,
        }
    }
}

/// What a type is, for its description: the schema's words on it, if any, then its name.
fn describe(schema: &Schema, ty: TypeId) -> String {
    let what = match schema.ty(ty).name() {
        Some(n) => format!("XSD type `{}` of `{}`.", n.local, n.ns),
        None => "An anonymous XSD type.".to_owned(),
    };
    match schema.type_doc(ty) {
        Some(doc) => format!("{doc}\n\n{what}"),
        None => what,
    }
}

/// A field's description: the schema's words on it, and its REST key when GraphQL had to
/// spell it otherwise.
fn field_doc(key: &str, gname: &str, doc: Option<&str>) -> Option<String> {
    match (doc, gname != key) {
        (Some(d), true) => Some(format!("{d} (`{key}` in REST.)")),
        (Some(d), false) => Some(d.to_owned()),
        (None, true) => Some(format!("`{key}` in REST.")),
        (None, false) => None,
    }
}

/// The input plan of a simple type's GraphQL type.
fn in_of(g: &G, out: &Out) -> In {
    match (g, out) {
        (G::List(item, _), Out::List(o)) => In::List(Box::new(in_of(item, o))),
        (_, Out::Enum(m)) => In::Enum(m.clone()),
        (G::Named(n), _) if n == scalars::DECIMAL || n == scalars::LONG => In::Number,
        _ => In::Scalar,
    }
}

/// An object field that reads `key` of its parent's JSON.
fn json_field(
    fields: &mut Taken,
    key: Arc<str>,
    ty: TypeRef,
    out: Out,
    doc: Option<&str>,
) -> Field {
    let gname = fields.claim(&sanitize(&key));
    let doc = field_doc(&key, &gname, doc);
    let f = Field::new(gname, ty, move |ctx| {
        let value = ctx
            .parent_value
            .downcast_ref::<serde_json::Value>()
            .and_then(|v| v.get(&*key));
        FieldFuture::Value(value.and_then(|v| field_value(v, &out)))
    });
    match doc {
        Some(d) => f.description(d),
        None => f,
    }
}

/// A JSON value as a field's value (`None` for null).
pub fn field_value<'a>(v: &'a serde_json::Value, out: &Out) -> Option<FieldValue<'a>> {
    if v.is_null() {
        return None;
    }
    Some(match out {
        Out::Scalar => FieldValue::value(scalars::from_json(v)),
        Out::Enum(map) => match v.as_str().and_then(|s| map.to_graphql.get(s)) {
            Some(n) => FieldValue::value(Value::Enum(n.clone())),
            None => FieldValue::value(scalars::from_json(v)),
        },
        Out::Object => FieldValue::borrowed_any(v),
        Out::List(item) => match v.as_array() {
            Some(items) => FieldValue::list(
                items
                    .iter()
                    .map(|i| field_value(i, item).unwrap_or(FieldValue::NULL)),
            ),
            None => FieldValue::value(scalars::from_json(v)),
        },
    })
}

/// An argument value as the REST JSON, following `plan`.
pub fn input_json(v: &Value, plan: &In, plans: &[InObject]) -> serde_json::Value {
    match (plan, v) {
        (_, Value::Null) => serde_json::Value::Null,
        (In::Number, v) => scalars::number_input(v),
        (In::Enum(map), Value::Enum(n)) => serde_json::Value::String(
            map.to_xsd
                .get(n.as_str())
                .cloned()
                .unwrap_or_else(|| n.to_string()),
        ),
        (In::List(item), Value::List(items)) => {
            serde_json::Value::Array(items.iter().map(|i| input_json(i, item, plans)).collect())
        }
        // A single value where a list is expected (GraphQL's input coercion).
        (In::List(item), v) => serde_json::Value::Array(vec![input_json(v, item, plans)]),
        (In::Object(p), Value::Object(m)) => {
            let Some(obj) = plans.get(*p) else {
                return scalars::to_json(v);
            };
            let mut out = serde_json::Map::new();
            for (gname, key, fp) in &obj.fields {
                if let Some(fv) = m.get(gname.as_str()) {
                    out.insert(key.to_string(), input_json(fv, fp, plans));
                }
            }
            serde_json::Value::Object(out)
        }
        _ => scalars::to_json(v),
    }
}

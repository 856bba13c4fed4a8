//! The schema arena: every type and element declaration a WSDL's schemas reach, addressed
//! by [`TypeId`] and [`ElemId`], with the content-model rules the codecs and generators
//! share (keys a particle may fill, keys it requires, derivation).
//!
//! May import: `wsdl::model` (names, built-ins), `xmlutil`, the `regex` crate; nothing above.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Builtin, QName};

/// Index of a type in [`Schema::types`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct TypeId(pub u32);

/// Index of an element declaration in [`Schema::elements`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct ElemId(pub u32);

/// `maxOccurs="unbounded"`.
pub const UNBOUNDED: u32 = u32::MAX;

/// A constraint of a simple type's value space.
#[derive(Clone, Debug, Default)]
pub struct Facets {
    pub enumeration: Vec<Arc<str>>,
    /// Patterns that all must match (one per derivation step), with the compiled regex when
    /// the XSD pattern could be translated.
    pub patterns: Vec<Pattern>,
    pub length: Option<u64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_inclusive: Option<Arc<str>>,
    pub max_inclusive: Option<Arc<str>>,
    pub min_exclusive: Option<Arc<str>>,
    pub max_exclusive: Option<Arc<str>>,
    pub total_digits: Option<u32>,
    pub fraction_digits: Option<u32>,
}

impl Facets {
    pub fn is_empty(&self) -> bool {
        self.enumeration.is_empty()
            && self.patterns.is_empty()
            && self.length.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.min_inclusive.is_none()
            && self.max_inclusive.is_none()
            && self.min_exclusive.is_none()
            && self.max_exclusive.is_none()
            && self.total_digits.is_none()
            && self.fraction_digits.is_none()
    }
}

/// An XSD `pattern` facet.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub source: Arc<str>,
    pub regex: Option<regex::Regex>,
}

/// Atomic, list or union.
#[derive(Clone, Debug)]
pub enum Variety {
    Atomic,
    List(TypeId),
    Union(Vec<TypeId>),
}

#[derive(Clone, Debug)]
pub struct SimpleType {
    pub name: Option<QName>,
    /// The built-in at the root of the restriction chain (the item/member types carry their
    /// own for lists and unions).
    pub builtin: Builtin,
    pub variety: Variety,
    pub facets: Facets,
}

/// What a complex type's element content allows.
#[derive(Clone, Debug)]
pub enum Content {
    Empty,
    /// Simple content: text of the given simple type (attributes live beside it).
    Simple(TypeId),
    Elements(Particle),
}

/// A term with its occurrence bounds.
#[derive(Clone, Debug)]
pub struct Particle {
    pub min: u32,
    pub max: u32,
    pub term: Term,
}

#[derive(Clone, Debug)]
pub enum Term {
    Element(ElemId),
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
    All(Vec<Particle>),
    Any(Wildcard),
}

impl Particle {
    /// Whether the particle may be left out entirely.
    pub fn may_be_empty(&self) -> bool {
        if self.min == 0 {
            return true;
        }
        match &self.term {
            Term::Element(_) => false,
            Term::Sequence(items) | Term::All(items) => items.iter().all(Particle::may_be_empty),
            Term::Choice(items) => items.iter().any(Particle::may_be_empty),
            Term::Any(_) => true,
        }
    }
}

/// An `xsd:any` wildcard.
#[derive(Clone, Debug)]
pub struct Wildcard {
    /// The `namespace` constraint as written (`##any`, `##other`, a list...).
    pub namespace: Arc<str>,
}

#[derive(Clone, Debug)]
pub struct AttributeDecl {
    pub name: QName,
    pub ty: TypeId,
    pub required: bool,
    pub default: Option<Arc<str>>,
    pub fixed: Option<Arc<str>>,
}

/// For SOAP-encoded arrays (`soapenc:Array` restrictions): the item type.
#[derive(Clone, Debug)]
pub struct ArrayInfo {
    pub item: TypeId,
    /// The item type's name as written in `wsdl:arrayType` (for `soapenc:arrayType`).
    pub item_name: Option<QName>,
}

/// A JSON key of a complex type, bound to an element or attribute.
#[derive(Clone, Debug)]
pub struct Slot {
    pub key: Arc<str>,
    /// `"key":`, the key as the JSON decoders write it (names need no escaping), made once
    /// so an answer's every entry is one copy.
    pub json_key: Box<[u8]>,
    pub kind: SlotKind,
    /// Whether the key holds a JSON array (maxOccurs > 1 here or on an enclosing group).
    pub repeated: bool,
    /// An element every valid instance holds ([`Schema::required_keys`]): an answer without
    /// it breaks the contract.
    pub required: bool,
}

impl Slot {
    pub fn new(key: Arc<str>, kind: SlotKind, repeated: bool) -> Self {
        let json_key = format!("\"{key}\":").into_bytes().into_boxed_slice();
        Self {
            key,
            json_key,
            kind,
            repeated,
            required: false,
        }
    }
}

#[derive(Clone, Debug)]
pub enum SlotKind {
    Element(ElemId),
    Attribute(usize),
}

#[derive(Clone, Debug)]
pub struct ComplexType {
    pub name: Option<QName>,
    pub is_abstract: bool,
    /// The type this one extends or restricts (for `xsi:type` polymorphism).
    pub base: Option<TypeId>,
    pub content: Content,
    /// Effective attributes: inherited, from groups and local.
    pub attributes: Vec<AttributeDecl>,
    pub any_attribute: bool,
    pub mixed: bool,
    pub array: Option<ArrayInfo>,
    /// Named types derived from this one, at any depth.
    pub derived: Vec<TypeId>,
    /// JSON keys of the element and attribute content, in schema order.
    pub slots: Vec<Slot>,
    /// Position of each key in `slots`, for types with many keys (see
    /// [`ComplexType::slot_position`]).
    pub slot_index: SlotIndex,
    /// Whether element content allows elements not declared here (`xsd:any`).
    pub open: bool,
}

/// Types with at most this many slots find a key without their index.
const FEW_SLOTS: usize = 16;

/// JSON key → position in [`ComplexType::slots`].
#[derive(Clone, Debug, Default)]
pub struct SlotIndex(HashMap<Arc<str>, usize>);

impl SlotIndex {
    pub fn of(slots: &[Slot]) -> Self {
        Self(
            slots
                .iter()
                .enumerate()
                .map(|(i, s)| (s.key.clone(), i))
                .collect(),
        )
    }
}

impl ComplexType {
    pub fn slot(&self, key: &str) -> Option<&Slot> {
        self.slot_position(key).map(|i| &self.slots[i])
    }

    /// The position of `key` in `slots`. A type with few keys compares them one by one,
    /// lengths first, which costs less than hashing the key (SipHash); from the last, so a
    /// key written twice gives the position the index keeps.
    pub fn slot_position(&self, key: &str) -> Option<usize> {
        if self.slots.len() <= FEW_SLOTS {
            return self
                .slots
                .iter()
                .rposition(|s| s.key.len() == key.len() && s.key.as_bytes() == key.as_bytes());
        }
        self.slot_index.0.get(key).copied()
    }
}

#[derive(Clone, Debug)]
pub enum Type {
    Simple(SimpleType),
    Complex(ComplexType),
}

impl Type {
    pub fn name(&self) -> Option<&QName> {
        match self {
            Type::Simple(s) => s.name.as_ref(),
            Type::Complex(c) => c.name.as_ref(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ElementDecl {
    pub name: QName,
    pub ty: TypeId,
    pub nillable: bool,
    pub is_abstract: bool,
    pub default: Option<Arc<str>>,
    pub fixed: Option<Arc<str>>,
    /// Elements that may appear in place of this one (substitution group members).
    pub substitutes: Vec<ElemId>,
    pub global: bool,
}

/// The type graph of every schema a WSDL reaches.
#[derive(Debug, Default)]
pub struct Schema {
    pub types: Vec<Type>,
    pub elements: Vec<ElementDecl>,
    pub global_types: HashMap<QName, TypeId>,
    pub global_elements: HashMap<QName, ElemId>,
    /// `xsd:annotation/xsd:documentation` of the declarations that have one.
    pub docs: Docs,
}

/// The documentation a schema writes for its declarations (kept beside them: most have none).
#[derive(Debug, Default)]
pub struct Docs {
    pub elements: HashMap<ElemId, Arc<str>>,
    pub types: HashMap<TypeId, Arc<str>>,
}

/// Ids of types every schema has.
pub mod well_known {
    use super::TypeId;
    /// `xsd:anyType`: any content, kept as it comes.
    pub const ANY_TYPE: TypeId = TypeId(0);
    /// `xsd:string`.
    pub const STRING: TypeId = TypeId(1);
    /// `xsd:anySimpleType`.
    pub const ANY_SIMPLE: TypeId = TypeId(2);
}

impl Schema {
    pub fn ty(&self, id: TypeId) -> &Type {
        &self.types[id.0 as usize]
    }

    /// The schema's words on an element declaration, if it has any.
    pub fn element_doc(&self, id: ElemId) -> Option<&str> {
        self.docs.elements.get(&id).map(|d| &**d)
    }

    /// The schema's words on a type, if it has any.
    pub fn type_doc(&self, id: TypeId) -> Option<&str> {
        self.docs.types.get(&id).map(|d| &**d)
    }

    pub fn element(&self, id: ElemId) -> &ElementDecl {
        &self.elements[id.0 as usize]
    }

    pub fn complex(&self, id: TypeId) -> Option<&ComplexType> {
        match self.ty(id) {
            Type::Complex(c) => Some(c),
            Type::Simple(_) => None,
        }
    }

    pub fn simple(&self, id: TypeId) -> Option<&SimpleType> {
        match self.ty(id) {
            Type::Simple(s) => Some(s),
            Type::Complex(_) => None,
        }
    }

    /// Whether the type is `xsd:anyType` (content kept as it comes).
    pub fn is_any_type(&self, id: TypeId) -> bool {
        id == well_known::ANY_TYPE
    }

    /// A readable name for messages: `xsd:int`, `tns:Customer` (local part only), or
    /// `anonymous type`.
    pub fn type_label(&self, id: TypeId) -> String {
        match self.ty(id) {
            Type::Simple(s) => match &s.name {
                Some(n) if &*n.ns == crate::xmlutil::XSD_NS => format!("xsd:{}", n.local),
                Some(n) => format!("{} (xsd:{})", n.local, s.builtin.xsd_name()),
                None => match &s.variety {
                    Variety::List(_) => "list".into(),
                    Variety::Union(_) => "union".into(),
                    Variety::Atomic => format!("xsd:{}", s.builtin.xsd_name()),
                },
            },
            Type::Complex(c) => match &c.name {
                Some(n) if id == well_known::ANY_TYPE => format!("xsd:{}", n.local),
                Some(n) => n.local.to_string(),
                None => "anonymous complex type".into(),
            },
        }
    }

    /// The JSON keys a particle may fill: its elements and their substitution group
    /// members (abstract ones excepted), each once, in schema order.
    pub fn particle_keys(&self, p: &Particle) -> Vec<Arc<str>> {
        fn walk(schema: &Schema, p: &Particle, out: &mut Vec<Arc<str>>) {
            match &p.term {
                Term::Element(e) => {
                    let d = schema.element(*e);
                    let own = (!d.is_abstract).then_some(*e);
                    for k in own.into_iter().chain(d.substitutes.iter().copied()) {
                        let key = &schema.element(k).name.local;
                        if !out.contains(key) {
                            out.push(key.clone());
                        }
                    }
                }
                Term::Sequence(items) | Term::Choice(items) | Term::All(items) => {
                    for i in items {
                        walk(schema, i, out);
                    }
                }
                Term::Any(_) => {}
            }
        }
        let mut out = Vec::new();
        walk(self, p, &mut out);
        out
    }

    /// The keys a value must have once `p` is present: elements with minOccurs ≥ 1 on
    /// themselves and on every enclosing group, outside any choice, not nillable, without a
    /// default or fixed value, and not the head of a substitution group (a member may stand
    /// in its place). Each once.
    pub fn required_keys(&self, p: &Particle) -> Vec<Arc<str>> {
        fn walk(schema: &Schema, p: &Particle, out: &mut Vec<Arc<str>>) {
            if p.min == 0 {
                return;
            }
            match &p.term {
                Term::Element(e) => {
                    let d = schema.element(*e);
                    if !d.nillable
                        && d.default.is_none()
                        && d.fixed.is_none()
                        && !d.is_abstract
                        && d.substitutes.is_empty()
                        && !out.contains(&d.name.local)
                    {
                        out.push(d.name.local.clone());
                    }
                }
                Term::Sequence(items) | Term::All(items) => {
                    for i in items {
                        walk(schema, i, out);
                    }
                }
                Term::Choice(_) | Term::Any(_) => {}
            }
        }
        let mut out = Vec::new();
        walk(self, p, &mut out);
        out
    }

    /// Whether `derived` is `base` or derives from it.
    pub fn derives_from(&self, derived: TypeId, base: TypeId) -> bool {
        let mut cur = Some(derived);
        let mut guard = 0;
        while let Some(t) = cur {
            if t == base {
                return true;
            }
            guard += 1;
            if guard > 256 {
                return false;
            }
            cur = match self.ty(t) {
                Type::Complex(c) => c.base,
                Type::Simple(_) => None,
            };
        }
        false
    }
}

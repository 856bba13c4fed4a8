//! The resolved schema model: what a WSDL and its XSDs mean once every import is followed and
//! every name is bound.
//!
//! ```text
//! Wsdl
//!  ├─ services ─ ports ─────────────┐ (address)
//!  ├─ bindings ─ operations ─ input/output/faults ─ Body { wrapper, content: TypeId }
//!  └─ schema: Schema (arena)        │                         headers: [ElemId]
//!        types:    [Type]  <────────┘  Simple(builtin, facets, list/union)
//!                                      Complex(content particles, attributes, base, derived)
//!        elements: [ElementDecl]       name (QName), type, nillable, substitutes
//! ```
//!
//! Everything is addressed by index (`TypeId`, `ElemId`), so recursive types are plain data.
//! Names are compared by namespace URI and local name, never by prefix. The model is built
//! once and shared read-only by every request.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A namespace-qualified name. An empty `ns` means "no namespace" (unqualified).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub ns: Arc<str>,
    pub local: Arc<str>,
}

impl QName {
    pub fn new(ns: &str, local: &str) -> Self {
        Self {
            ns: Arc::from(ns),
            local: Arc::from(local),
        }
    }
}

impl fmt::Debug for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ns.is_empty() {
            write!(f, "{}", self.local)
        } else {
            write!(f, "{{{}}}{}", self.ns, self.local)
        }
    }
}

/// Index of a type in [`Schema::types`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct TypeId(pub u32);

/// Index of an element declaration in [`Schema::elements`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct ElemId(pub u32);

/// `maxOccurs="unbounded"`.
pub const UNBOUNDED: u32 = u32::MAX;

/// The built-in XSD simple types soapbridge knows the lexical rules of.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Builtin {
    AnySimpleType,
    String,
    NormalizedString,
    Token,
    Language,
    Name,
    NcName,
    NmToken,
    Id,
    IdRef,
    Entity,
    Boolean,
    Decimal,
    Integer,
    NonPositiveInteger,
    NegativeInteger,
    Long,
    Int,
    Short,
    Byte,
    NonNegativeInteger,
    UnsignedLong,
    UnsignedInt,
    UnsignedShort,
    UnsignedByte,
    PositiveInteger,
    Float,
    Double,
    Duration,
    DateTime,
    Time,
    Date,
    GYearMonth,
    GYear,
    GMonthDay,
    GDay,
    GMonth,
    HexBinary,
    Base64Binary,
    AnyUri,
    QName,
    Notation,
}

/// How a built-in type is written in JSON.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum JsonKind {
    String,
    /// A JSON number with no fraction (any of the XSD integer types).
    Integer,
    /// A JSON number, exact (decimal) or binary floating point (float, double).
    Number,
    Boolean,
}

impl Builtin {
    /// Every built-in with its XSD local name, for lookup by name.
    pub const ALL: &'static [(&'static str, Builtin)] = &[
        ("anySimpleType", Builtin::AnySimpleType),
        ("string", Builtin::String),
        ("normalizedString", Builtin::NormalizedString),
        ("token", Builtin::Token),
        ("language", Builtin::Language),
        ("Name", Builtin::Name),
        ("NCName", Builtin::NcName),
        ("NMTOKEN", Builtin::NmToken),
        ("NMTOKENS", Builtin::NmToken),
        ("ID", Builtin::Id),
        ("IDREF", Builtin::IdRef),
        ("IDREFS", Builtin::IdRef),
        ("ENTITY", Builtin::Entity),
        ("ENTITIES", Builtin::Entity),
        ("boolean", Builtin::Boolean),
        ("decimal", Builtin::Decimal),
        ("integer", Builtin::Integer),
        ("nonPositiveInteger", Builtin::NonPositiveInteger),
        ("negativeInteger", Builtin::NegativeInteger),
        ("long", Builtin::Long),
        ("int", Builtin::Int),
        ("short", Builtin::Short),
        ("byte", Builtin::Byte),
        ("nonNegativeInteger", Builtin::NonNegativeInteger),
        ("unsignedLong", Builtin::UnsignedLong),
        ("unsignedInt", Builtin::UnsignedInt),
        ("unsignedShort", Builtin::UnsignedShort),
        ("unsignedByte", Builtin::UnsignedByte),
        ("positiveInteger", Builtin::PositiveInteger),
        ("float", Builtin::Float),
        ("double", Builtin::Double),
        ("duration", Builtin::Duration),
        ("dateTime", Builtin::DateTime),
        ("dateTimeStamp", Builtin::DateTime),
        ("time", Builtin::Time),
        ("date", Builtin::Date),
        ("gYearMonth", Builtin::GYearMonth),
        ("gYear", Builtin::GYear),
        ("gMonthDay", Builtin::GMonthDay),
        ("gDay", Builtin::GDay),
        ("gMonth", Builtin::GMonth),
        ("hexBinary", Builtin::HexBinary),
        ("base64Binary", Builtin::Base64Binary),
        ("anyURI", Builtin::AnyUri),
        ("QName", Builtin::QName),
        ("NOTATION", Builtin::Notation),
        // XSD 1.1 duration subtypes read as durations.
        ("dayTimeDuration", Builtin::Duration),
        ("yearMonthDuration", Builtin::Duration),
    ];

    pub fn by_name(local: &str) -> Option<Builtin> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == local)
            .map(|(_, b)| *b)
    }

    /// The XSD name, as used in messages (`xsd:int`).
    pub fn xsd_name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("anySimpleType", |(name, _)| name)
    }

    pub fn json_kind(self) -> JsonKind {
        use Builtin::*;
        match self {
            Boolean => JsonKind::Boolean,
            Integer | NonPositiveInteger | NegativeInteger | Long | Int | Short | Byte
            | NonNegativeInteger | UnsignedLong | UnsignedInt | UnsignedShort | UnsignedByte
            | PositiveInteger => JsonKind::Integer,
            Decimal | Float | Double => JsonKind::Number,
            _ => JsonKind::String,
        }
    }

    /// Inclusive bounds of an integer type (`None` for unbounded ends).
    pub fn integer_bounds(self) -> (Option<i128>, Option<i128>) {
        use Builtin::*;
        match self {
            Long => (Some(i64::MIN.into()), Some(i64::MAX.into())),
            Int => (Some(i32::MIN.into()), Some(i32::MAX.into())),
            Short => (Some(i16::MIN.into()), Some(i16::MAX.into())),
            Byte => (Some(i8::MIN.into()), Some(i8::MAX.into())),
            UnsignedLong => (Some(0), Some(u64::MAX.into())),
            UnsignedInt => (Some(0), Some(u32::MAX.into())),
            UnsignedShort => (Some(0), Some(u16::MAX.into())),
            UnsignedByte => (Some(0), Some(u8::MAX.into())),
            NonNegativeInteger => (Some(0), None),
            PositiveInteger => (Some(1), None),
            NonPositiveInteger => (None, Some(0)),
            NegativeInteger => (None, Some(-1)),
            _ => (None, None),
        }
    }
}

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
    pub kind: SlotKind,
    /// Whether the key holds a JSON array (maxOccurs > 1 here or on an enclosing group).
    pub repeated: bool,
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
    /// Position of each key in `slots` (the request path looks keys up, never scans).
    pub slot_index: SlotIndex,
    /// Whether element content allows elements not declared here (`xsd:any`).
    pub open: bool,
}

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

    pub fn slot_position(&self, key: &str) -> Option<usize> {
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

/// SOAP protocol version of a binding.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub enum SoapVersion {
    #[default]
    V11,
    V12,
}

impl SoapVersion {
    pub fn label(self) -> &'static str {
        match self {
            SoapVersion::V11 => "1.1",
            SoapVersion::V12 => "1.2",
        }
    }

    pub fn envelope_ns(self) -> &'static str {
        match self {
            SoapVersion::V11 => crate::xmlutil::SOAP11_ENV_NS,
            SoapVersion::V12 => crate::xmlutil::SOAP12_ENV_NS,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    Document,
    Rpc,
}

impl Style {
    pub fn label(self) -> &'static str {
        match self {
            Style::Document => "document",
            Style::Rpc => "rpc",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Use {
    Literal,
    Encoded,
}

impl Use {
    pub fn label(self) -> &'static str {
        match self {
            Use::Literal => "literal",
            Use::Encoded => "encoded",
        }
    }
}

/// A WSDL message part as bound in a body.
#[derive(Clone, Debug)]
pub struct Part {
    pub name: String,
    pub kind: PartKind,
}

#[derive(Clone, Debug)]
pub enum PartKind {
    Element(ElemId),
    Type(TypeId),
}

/// The SOAP Body of one direction of an operation, as soapbridge reads and writes it.
///
/// `content` is a complex type whose JSON form is the message's JSON form: the wrapper
/// element's type for document/literal wrapped, or a type made of one element per part
/// (bare document style, rpc style).
#[derive(Clone, Debug)]
pub struct Body {
    /// The single Body child that wraps the content (document wrapped: the part's element;
    /// rpc: `{namespace}Operation[Response]`). `None`: the parts are direct Body children.
    pub wrapper: Option<QName>,
    pub content: TypeId,
    pub parts: Vec<Part>,
    /// How the JSON relates to the parts, for docs and `inspect`.
    pub shape: BodyShape,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BodyShape {
    /// document/literal wrapped: JSON = the wrapper element's children.
    Wrapped,
    /// document bare: JSON = one key per part element.
    Bare,
    /// rpc: JSON = one key per part.
    Rpc,
}

impl BodyShape {
    pub fn label(self) -> &'static str {
        match self {
            BodyShape::Wrapped => "wrapped",
            BodyShape::Bare => "bare",
            BodyShape::Rpc => "rpc",
        }
    }
}

/// A SOAP header block declared by the binding.
#[derive(Clone, Debug)]
pub struct HeaderDecl {
    /// The JSON key (the header element's local name).
    pub key: Arc<str>,
    pub element: ElemId,
    pub use_: Use,
}

#[derive(Clone, Debug)]
pub struct MessageBinding {
    pub use_: Use,
    pub body: Body,
    pub headers: Vec<HeaderDecl>,
    /// For `use="encoded"`: the `encodingStyle` to declare.
    pub encoding_style: Option<String>,
}

/// A fault an operation declares, with the element its `<detail>` carries.
#[derive(Clone, Debug)]
pub struct FaultDecl {
    pub name: String,
    pub element: Option<ElemId>,
    /// For type-based (encoded) fault parts: the part's type name, which some stacks use
    /// as the detail element's name or `xsi:type`.
    pub type_name: Option<QName>,
}

impl FaultDecl {
    /// The type the detail is read as: the element's declared type, or `xsd:anyType` when
    /// there is no element or its type says nothing of its content (an empty complexType,
    /// as Spyne generates), so the detail's fields still become JSON.
    pub fn detail_type(&self, schema: &Schema) -> TypeId {
        self.element
            .map(|e| schema.element(e).ty)
            .filter(|ty| {
                !schema.complex(*ty).is_some_and(|c| {
                    matches!(c.content, Content::Empty)
                        && c.slots.is_empty()
                        && c.array.is_none()
                        && !c.any_attribute
                })
            })
            .unwrap_or(well_known::ANY_TYPE)
    }
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub name: String,
    pub soap_action: String,
    pub style: Style,
    pub input: MessageBinding,
    /// `None` for one-way operations.
    pub output: Option<MessageBinding>,
    pub faults: Vec<FaultDecl>,
    pub documentation: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub name: QName,
    pub port_type: QName,
    pub soap_version: SoapVersion,
    pub style: Style,
    pub operations: Vec<Operation>,
}

impl Binding {
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.name == name)
    }
}

#[derive(Clone, Debug)]
pub struct Port {
    pub name: String,
    /// Index into [`Wsdl::bindings`].
    pub binding: usize,
    pub address: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: QName,
    pub ports: Vec<Port>,
}

/// A loaded and resolved WSDL.
#[derive(Debug)]
pub struct Wsdl {
    /// Where the entry document came from (path or URL), for messages.
    pub location: String,
    pub target_namespace: String,
    pub schema: Schema,
    pub bindings: Vec<Binding>,
    pub services: Vec<Service>,
    /// Things worth knowing that are not problems (skipped HTTP bindings, no services...).
    pub notes: Vec<String>,
    /// Things that may make some operations unusable (unresolved imports, unknown types).
    pub warnings: Vec<String>,
    /// Number of documents read (the entry and its imports).
    pub documents: usize,
}

impl Wsdl {
    pub fn binding_by_name(&self, local: &str) -> Option<(usize, &Binding)> {
        self.bindings
            .iter()
            .enumerate()
            .find(|(_, b)| &*b.name.local == local)
    }

    /// The services' ports that expose binding `binding` (an index into `bindings`).
    pub fn ports_of(&self, binding: usize) -> impl Iterator<Item = (&Service, &Port)> {
        self.services
            .iter()
            .flat_map(|s| s.ports.iter().map(move |p| (s, p)))
            .filter(move |(_, p)| p.binding == binding)
    }

    /// The address of the first port that exposes binding `binding`.
    pub fn address_of(&self, binding: usize) -> Option<String> {
        self.ports_of(binding).find_map(|(_, p)| p.address.clone())
    }

    pub fn service_by_name(&self, local: &str) -> Option<&Service> {
        self.services.iter().find(|s| &*s.name.local == local)
    }
}

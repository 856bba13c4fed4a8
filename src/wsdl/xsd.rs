//! XSD components → the resolved type graph.
//!
//! ```text
//! SchemaDoc* ──index──> Index (QName → component, per kind; redefinitions applied)
//!            ──resolve every global type and element──> Schema arena
//!            ──finish──> derived types, substitution groups, JSON slots
//! ```
//!
//! Types get their id before their content is read, so recursive types resolve to plain ids.
//! A name that no document defines is a warning and reads as `xsd:anyType`: one unknown type
//! must not stop a thousand-operation contract from serving the other operations.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::dom::Element;
use super::loader::{SchemaCtx, SchemaDoc};
use super::model::*;
use crate::xmlutil::{SOAP11_ENC_NS, SOAP12_ENC_NS, WSDL_NS, XSD_NS};

#[derive(Clone, Copy)]
pub(super) struct Comp<'a> {
    pub el: &'a Element,
    pub ctx: &'a SchemaCtx,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    Type,
    Element,
    Attribute,
    Group,
    AttributeGroup,
}

impl Kind {
    fn of(local: &str) -> Option<Kind> {
        Some(match local {
            "complexType" | "simpleType" => Kind::Type,
            "element" => Kind::Element,
            "attribute" => Kind::Attribute,
            "group" => Kind::Group,
            "attributeGroup" => Kind::AttributeGroup,
            _ => return None,
        })
    }
}

/// Suffix of the name under which a redefined component's original stays reachable.
const REDEFINED: &str = "\u{0}redefined";

#[derive(Default)]
pub(super) struct Index<'a> {
    comps: HashMap<(Kind, QName), Comp<'a>>,
}

impl<'a> Index<'a> {
    pub fn build(schemas: &'a [SchemaDoc]) -> Index<'a> {
        let mut idx = Index::default();
        for doc in schemas {
            for child in doc.root.children_in(XSD_NS) {
                if let (Some(kind), Some(name)) = (Kind::of(&child.local), child.attr("name")) {
                    let key = (kind, QName::new(&doc.ctx.tns, name));
                    idx.comps.entry(key).or_insert(Comp {
                        el: child,
                        ctx: &doc.ctx,
                    });
                }
            }
        }
        // Redefinitions replace the component they name; the original stays reachable for
        // the redefinition's own self-reference.
        for doc in schemas {
            for redefine in doc.root.children_named(XSD_NS, "redefine") {
                for child in redefine.children_in(XSD_NS) {
                    if let (Some(kind), Some(name)) = (Kind::of(&child.local), child.attr("name")) {
                        let key = (kind, QName::new(&doc.ctx.tns, name));
                        if let Some(original) = idx.comps.remove(&key) {
                            let hidden = QName::new(&doc.ctx.tns, &format!("{name}{REDEFINED}"));
                            idx.comps.insert((kind, hidden), original);
                        }
                        idx.comps.insert(
                            key,
                            Comp {
                                el: child,
                                ctx: &doc.ctx,
                            },
                        );
                    }
                }
            }
        }
        idx
    }

    fn get(&self, kind: Kind, name: &QName) -> Option<Comp<'a>> {
        self.comps.get(&(kind, name.clone())).copied()
    }

    fn names(&self, kind: Kind) -> Vec<QName> {
        let mut v: Vec<QName> = self
            .comps
            .keys()
            .filter(|(k, n)| *k == kind && !n.local.ends_with(REDEFINED))
            .map(|(_, n)| n.clone())
            .collect();
        v.sort();
        v
    }
}

pub(super) struct Resolver<'a> {
    idx: Index<'a>,
    pub schema: Schema,
    type_memo: HashMap<QName, TypeId>,
    elem_memo: HashMap<QName, ElemId>,
    building: HashSet<TypeId>,
    group_stack: Vec<QName>,
    substitution_heads: Vec<(ElemId, QName)>,
    pub warnings: Vec<String>,
    warned: HashSet<String>,
    interned: HashMap<String, Arc<str>>,
}

fn occurs(el: &Element) -> (u32, u32) {
    let min = el
        .attr("minOccurs")
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(1);
    let max = match el.attr("maxOccurs").map(str::trim) {
        Some("unbounded") => UNBOUNDED,
        Some(v) => v.parse::<u32>().unwrap_or(1),
        None => 1,
    };
    (min, max)
}

fn truthy(v: Option<&str>) -> bool {
    matches!(v.map(str::trim), Some("true" | "1"))
}

impl<'a> Resolver<'a> {
    pub fn new(idx: Index<'a>) -> Self {
        let mut r = Resolver {
            idx,
            schema: Schema::default(),
            type_memo: HashMap::new(),
            elem_memo: HashMap::new(),
            building: HashSet::new(),
            group_stack: Vec::new(),
            substitution_heads: Vec::new(),
            warnings: Vec::new(),
            warned: HashSet::new(),
            interned: HashMap::new(),
        };
        r.install_builtins();
        r
    }

    fn install_builtins(&mut self) {
        let any = QName::new(XSD_NS, "anyType");
        self.schema.types.push(Type::Complex(ComplexType {
            name: Some(any.clone()),
            is_abstract: false,
            base: None,
            content: Content::Elements(Particle {
                min: 0,
                max: UNBOUNDED,
                term: Term::Any(Wildcard {
                    namespace: Arc::from("##any"),
                }),
            }),
            attributes: Vec::new(),
            any_attribute: true,
            mixed: true,
            array: None,
            derived: Vec::new(),
            slots: Vec::new(),
            slot_index: SlotIndex::default(),
            open: true,
        }));
        self.type_memo.insert(any, well_known::ANY_TYPE);
        let string = self.push_builtin("string", Builtin::String);
        debug_assert_eq!(string, well_known::STRING);
        let any_simple = self.push_builtin("anySimpleType", Builtin::AnySimpleType);
        debug_assert_eq!(any_simple, well_known::ANY_SIMPLE);
        for (name, b) in Builtin::ALL {
            let q = QName::new(XSD_NS, name);
            if !self.type_memo.contains_key(&q) {
                self.push_builtin(name, *b);
            }
        }
    }

    fn push_builtin(&mut self, name: &str, b: Builtin) -> TypeId {
        let q = QName::new(XSD_NS, name);
        let id = TypeId(self.schema.types.len() as u32);
        let variety = if matches!(name, "NMTOKENS" | "IDREFS" | "ENTITIES") {
            // A list of the atomic type registered just before (NMTOKEN, IDREF, ENTITY).
            Variety::List(well_known::STRING)
        } else {
            Variety::Atomic
        };
        self.schema.types.push(Type::Simple(SimpleType {
            name: Some(q.clone()),
            builtin: b,
            variety,
            facets: Facets::default(),
        }));
        self.type_memo.insert(q.clone(), id);
        self.schema.global_types.insert(q, id);
        id
    }

    fn ns(&mut self, ns: &str) -> Arc<str> {
        if let Some(a) = self.interned.get(ns) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(ns);
        self.interned.insert(ns.to_owned(), a.clone());
        a
    }

    fn qname(&mut self, ns: &str, local: &str) -> QName {
        QName {
            ns: self.ns(ns),
            local: Arc::from(local),
        }
    }

    fn warn(&mut self, msg: String) {
        if self.warned.insert(msg.clone()) {
            self.warnings.push(msg);
        }
    }

    /// Resolves a QName-valued attribute in the context of `el` (chameleon-aware).
    fn ref_name(&mut self, el: &Element, ctx: &SchemaCtx, value: &str) -> Option<QName> {
        match el.resolve_qname(value) {
            Some((ns, local)) => {
                let ns = if ns.is_empty() && ctx.chameleon {
                    ctx.tns.clone()
                } else {
                    ns
                };
                Some(self.qname(&ns, &local))
            }
            None => {
                self.warn(format!(
                    "{}:{}: `{value}` uses an undeclared prefix; read as xsd:anyType",
                    ctx.location, el.line
                ));
                None
            }
        }
    }

    pub fn new_type(&mut self, t: Type) -> TypeId {
        let id = TypeId(self.schema.types.len() as u32);
        self.schema.types.push(t);
        id
    }

    pub fn new_element(&mut self, e: ElementDecl) -> ElemId {
        let id = ElemId(self.schema.elements.len() as u32);
        self.schema.elements.push(e);
        id
    }

    /// Resolves every global component, so that derived types and substitution groups are
    /// all known.
    pub fn resolve_all(&mut self) {
        for name in self.idx.names(Kind::Type) {
            self.type_by_name(&name, None);
        }
        for name in self.idx.names(Kind::Element) {
            self.element_by_name(&name, None);
        }
    }

    /// The type named `name`, resolving it on first use.
    pub fn type_by_name(&mut self, name: &QName, site: Option<(&SchemaCtx, u32)>) -> TypeId {
        if let Some(id) = self.type_memo.get(name) {
            return *id;
        }
        // SOAP encoding's simple types are the XSD built-ins with id/href attributes.
        if (&*name.ns == SOAP11_ENC_NS || &*name.ns == SOAP12_ENC_NS)
            && let Some(b) = Builtin::by_name(&name.local)
            && let Some(id) = self
                .type_memo
                .get(&QName::new(XSD_NS, b.xsd_name()))
                .copied()
        {
            self.type_memo.insert(name.clone(), id);
            return id;
        }
        if &*name.ns == SOAP11_ENC_NS && matches!(&*name.local, "Array" | "Struct") {
            let id = self.soapenc_container(&name.local);
            self.type_memo.insert(name.clone(), id);
            return id;
        }
        let Some(comp) = self.idx.get(Kind::Type, name) else {
            let where_ = site
                .map(|(ctx, line)| format!("{}:{}: ", ctx.location, line))
                .unwrap_or_default();
            self.warn(format!(
                "{where_}type {name} is not defined by any loaded schema; read as xsd:anyType"
            ));
            self.type_memo.insert(name.clone(), well_known::ANY_TYPE);
            return well_known::ANY_TYPE;
        };
        let id = self.new_type(Type::Simple(SimpleType {
            name: Some(name.clone()),
            builtin: Builtin::String,
            variety: Variety::Atomic,
            facets: Facets::default(),
        }));
        self.type_memo.insert(name.clone(), id);
        if !name.local.ends_with(REDEFINED) {
            self.schema.global_types.insert(name.clone(), id);
        }
        self.building.insert(id);
        let t = if comp.el.local == "complexType" {
            Type::Complex(self.complex_type(comp.el, comp.ctx, Some(name.clone())))
        } else {
            Type::Simple(self.simple_type(comp.el, comp.ctx, Some(name.clone())))
        };
        self.schema.types[id.0 as usize] = t;
        self.building.remove(&id);
        id
    }

    fn soapenc_container(&mut self, local: &str) -> TypeId {
        let array = (local == "Array").then_some(ArrayInfo {
            item: well_known::ANY_TYPE,
            item_name: None,
        });
        self.new_type(Type::Complex(ComplexType {
            name: Some(QName::new(SOAP11_ENC_NS, local)),
            is_abstract: false,
            base: None,
            content: Content::Elements(Particle {
                min: 0,
                max: UNBOUNDED,
                term: Term::Any(Wildcard {
                    namespace: Arc::from("##any"),
                }),
            }),
            attributes: Vec::new(),
            any_attribute: true,
            mixed: false,
            array,
            derived: Vec::new(),
            slots: Vec::new(),
            slot_index: SlotIndex::default(),
            open: true,
        }))
    }

    /// The global element named `name`.
    pub fn element_by_name(
        &mut self,
        name: &QName,
        site: Option<(&SchemaCtx, u32)>,
    ) -> Option<ElemId> {
        if let Some(id) = self.elem_memo.get(name) {
            return Some(*id);
        }
        let Some(comp) = self.idx.get(Kind::Element, name) else {
            let where_ = site
                .map(|(ctx, line)| format!("{}:{}: ", ctx.location, line))
                .unwrap_or_default();
            self.warn(format!(
                "{where_}element {name} is not defined by any loaded schema; read as xsd:anyType"
            ));
            return None;
        };
        let id = self.new_element(ElementDecl {
            name: name.clone(),
            ty: well_known::ANY_TYPE,
            nillable: false,
            is_abstract: false,
            default: None,
            fixed: None,
            substitutes: Vec::new(),
            global: true,
        });
        self.elem_memo.insert(name.clone(), id);
        self.schema.global_elements.insert(name.clone(), id);
        let el = comp.el;
        let ctx = comp.ctx;
        if let Some(head) = el.attr("substitutionGroup")
            && let Some(head) = self.ref_name(el, ctx, head)
        {
            self.substitution_heads.push((id, head));
        }
        let ty = self.element_type(el, ctx);
        let decl = &mut self.schema.elements[id.0 as usize];
        decl.ty = ty;
        decl.nillable = truthy(el.attr("nillable"));
        decl.is_abstract = truthy(el.attr("abstract"));
        decl.default = el.attr("default").map(Arc::from);
        decl.fixed = el.attr("fixed").map(Arc::from);
        Some(id)
    }

    /// An element declaration's type: `type=`, an inline type, the substitution group
    /// head's type, or anyType.
    fn element_type(&mut self, el: &Element, ctx: &SchemaCtx) -> TypeId {
        if let Some(t) = el.attr("type") {
            return match self.ref_name(el, ctx, t) {
                Some(q) => self.type_by_name(&q, Some((ctx, el.line))),
                None => well_known::ANY_TYPE,
            };
        }
        for child in el.children_in(XSD_NS) {
            match child.local.as_str() {
                "complexType" => {
                    let ct = self.complex_type(child, ctx, None);
                    return self.new_type(Type::Complex(ct));
                }
                "simpleType" => {
                    let st = self.simple_type(child, ctx, None);
                    return self.new_type(Type::Simple(st));
                }
                _ => {}
            }
        }
        if let Some(head) = el.attr("substitutionGroup")
            && let Some(q) = self.ref_name(el, ctx, head)
            && let Some(h) = self.element_by_name(&q, Some((ctx, el.line)))
        {
            return self.schema.element(h).ty;
        }
        well_known::ANY_TYPE
    }

    fn local_element(&mut self, el: &Element, ctx: &SchemaCtx) -> Option<ElemId> {
        if let Some(r) = el.attr("ref") {
            let q = self.ref_name(el, ctx, r)?;
            return self.element_by_name(&q, Some((ctx, el.line)));
        }
        let name = el.attr("name")?;
        let qualified = match el.attr("form") {
            Some("qualified") => true,
            Some("unqualified") => false,
            _ => ctx.element_qualified,
        };
        let ns = if qualified { ctx.tns.as_str() } else { "" };
        let qname = self.qname(ns, name);
        let ty = self.element_type(el, ctx);
        Some(self.new_element(ElementDecl {
            name: qname,
            ty,
            nillable: truthy(el.attr("nillable")),
            is_abstract: false,
            default: el.attr("default").map(Arc::from),
            fixed: el.attr("fixed").map(Arc::from),
            substitutes: Vec::new(),
            global: false,
        }))
    }

    // ----- simple types -------------------------------------------------------------------

    fn simple_type(&mut self, el: &Element, ctx: &SchemaCtx, name: Option<QName>) -> SimpleType {
        for child in el.children_in(XSD_NS) {
            match child.local.as_str() {
                "restriction" => {
                    let base = self.restriction_base(child, ctx, name.as_ref());
                    return self.restrict_simple(base, child, ctx, name);
                }
                "list" => {
                    let item = match child.attr("itemType") {
                        Some(t) => match self.ref_name(child, ctx, t) {
                            Some(q) => self.type_by_name(&q, Some((ctx, child.line))),
                            None => well_known::STRING,
                        },
                        None => self.inline_simple(child, ctx),
                    };
                    return SimpleType {
                        name,
                        builtin: Builtin::String,
                        variety: Variety::List(item),
                        facets: Facets::default(),
                    };
                }
                "union" => {
                    let mut members = Vec::new();
                    if let Some(list) = child.attr("memberTypes") {
                        for m in list.split_whitespace() {
                            if let Some(q) = self.ref_name(child, ctx, m) {
                                members.push(self.type_by_name(&q, Some((ctx, child.line))));
                            }
                        }
                    }
                    for inline in child.children_named(XSD_NS, "simpleType") {
                        let st = self.simple_type(inline, ctx, None);
                        members.push(self.new_type(Type::Simple(st)));
                    }
                    return SimpleType {
                        name,
                        builtin: Builtin::String,
                        variety: Variety::Union(members),
                        facets: Facets::default(),
                    };
                }
                _ => {}
            }
        }
        SimpleType {
            name,
            builtin: Builtin::String,
            variety: Variety::Atomic,
            facets: Facets::default(),
        }
    }

    fn inline_simple(&mut self, parent: &Element, ctx: &SchemaCtx) -> TypeId {
        match parent.child(XSD_NS, "simpleType") {
            Some(inline) => {
                let st = self.simple_type(inline, ctx, None);
                self.new_type(Type::Simple(st))
            }
            None => well_known::STRING,
        }
    }

    /// The base of a `restriction`/`extension`: `base=` (a self-reference in a redefinition
    /// means the original) or an inline simple type.
    fn restriction_base(&mut self, el: &Element, ctx: &SchemaCtx, own: Option<&QName>) -> TypeId {
        match el.attr("base") {
            Some(b) => match self.ref_name(el, ctx, b) {
                Some(q) => {
                    let q = match own {
                        Some(own) if *own == q => {
                            QName::new(&q.ns, &format!("{}{REDEFINED}", q.local))
                        }
                        _ => q,
                    };
                    self.type_by_name(&q, Some((ctx, el.line)))
                }
                None => well_known::ANY_TYPE,
            },
            None => self.inline_simple(el, ctx),
        }
    }

    fn restrict_simple(
        &mut self,
        base: TypeId,
        restriction: &Element,
        ctx: &SchemaCtx,
        name: Option<QName>,
    ) -> SimpleType {
        let (builtin, variety, mut facets) = match self.schema.ty(base) {
            Type::Simple(s) => (s.builtin, s.variety.clone(), s.facets.clone()),
            // A simple type restricting a complex type is invalid; read it as a string.
            Type::Complex(c) => match c.content {
                Content::Simple(t) => match self.schema.ty(t) {
                    Type::Simple(s) => (s.builtin, s.variety.clone(), s.facets.clone()),
                    Type::Complex(_) => (Builtin::String, Variety::Atomic, Facets::default()),
                },
                _ => (Builtin::String, Variety::Atomic, Facets::default()),
            },
        };
        self.apply_facets(&mut facets, restriction, ctx);
        SimpleType {
            name,
            builtin,
            variety,
            facets,
        }
    }

    fn apply_facets(&mut self, facets: &mut Facets, restriction: &Element, ctx: &SchemaCtx) {
        let mut enums: Vec<Arc<str>> = Vec::new();
        for f in restriction.children_in(XSD_NS) {
            let Some(v) = f.attr("value") else { continue };
            match f.local.as_str() {
                "enumeration" => enums.push(Arc::from(v)),
                "pattern" => {
                    let regex = translate_pattern(v);
                    if regex.is_none() {
                        self.warn(format!(
                            "{}:{}: pattern `{v}` uses XSD regex features soapbridge cannot check; it is not enforced",
                            ctx.location, f.line
                        ));
                    }
                    facets.patterns.push(Pattern {
                        source: Arc::from(v),
                        regex,
                    });
                }
                "length" => facets.length = v.trim().parse().ok(),
                "minLength" => facets.min_length = v.trim().parse().ok(),
                "maxLength" => facets.max_length = v.trim().parse().ok(),
                "minInclusive" => facets.min_inclusive = Some(Arc::from(v.trim())),
                "maxInclusive" => facets.max_inclusive = Some(Arc::from(v.trim())),
                "minExclusive" => facets.min_exclusive = Some(Arc::from(v.trim())),
                "maxExclusive" => facets.max_exclusive = Some(Arc::from(v.trim())),
                "totalDigits" => facets.total_digits = v.trim().parse().ok(),
                "fractionDigits" => facets.fraction_digits = v.trim().parse().ok(),
                _ => {}
            }
        }
        if !enums.is_empty() {
            facets.enumeration = enums;
        }
    }

    // ----- complex types ------------------------------------------------------------------

    fn complex_type(&mut self, el: &Element, ctx: &SchemaCtx, name: Option<QName>) -> ComplexType {
        let mut ct = ComplexType {
            name: name.clone(),
            is_abstract: truthy(el.attr("abstract")),
            base: None,
            content: Content::Empty,
            attributes: Vec::new(),
            any_attribute: false,
            mixed: truthy(el.attr("mixed")),
            array: None,
            derived: Vec::new(),
            slots: Vec::new(),
            slot_index: SlotIndex::default(),
            open: false,
        };
        let mut own_particle: Option<Particle> = None;
        for child in el.children_in(XSD_NS) {
            match child.local.as_str() {
                "simpleContent" => {
                    self.simple_content(&mut ct, child, ctx, name.as_ref());
                    return ct;
                }
                "complexContent" => {
                    if truthy(child.attr("mixed")) {
                        ct.mixed = true;
                    }
                    self.complex_content(&mut ct, child, ctx, name.as_ref());
                    return ct;
                }
                "sequence" | "choice" | "all" | "group" => {
                    own_particle = self.particle(child, ctx);
                }
                _ => {}
            }
        }
        self.attributes_of(&mut ct, el, ctx);
        if let Some(p) = own_particle {
            ct.content = Content::Elements(p);
        }
        ct
    }

    fn simple_content(
        &mut self,
        ct: &mut ComplexType,
        sc: &Element,
        ctx: &SchemaCtx,
        own: Option<&QName>,
    ) {
        let Some(deriv) = sc
            .children_in(XSD_NS)
            .find(|c| c.local == "extension" || c.local == "restriction")
        else {
            ct.content = Content::Simple(well_known::STRING);
            return;
        };
        let base = self.restriction_base(deriv, ctx, own);
        let base_value = match self.schema.ty(base) {
            Type::Simple(_) => base,
            Type::Complex(c) => {
                ct.base = Some(base);
                ct.attributes = c.attributes.clone();
                ct.any_attribute = c.any_attribute;
                match c.content {
                    Content::Simple(t) => t,
                    _ => well_known::STRING,
                }
            }
        };
        let value = if deriv.local == "restriction"
            && deriv.children_in(XSD_NS).any(|f| f.attr("value").is_some())
        {
            let st = self.restrict_simple(base_value, deriv, ctx, None);
            self.new_type(Type::Simple(st))
        } else {
            base_value
        };
        ct.content = Content::Simple(value);
        self.attributes_of(ct, deriv, ctx);
    }

    fn complex_content(
        &mut self,
        ct: &mut ComplexType,
        cc: &Element,
        ctx: &SchemaCtx,
        own: Option<&QName>,
    ) {
        let Some(deriv) = cc
            .children_in(XSD_NS)
            .find(|c| c.local == "extension" || c.local == "restriction")
        else {
            return;
        };
        let base = self.restriction_base(deriv, ctx, own);
        let base_name = self.schema.ty(base).name().cloned();
        if self.building.contains(&base) {
            self.warn(format!(
                "{}:{}: type derives from itself; its base content is ignored",
                ctx.location, deriv.line
            ));
        }
        let is_soapenc_array = base_name
            .as_ref()
            .is_some_and(|n| &*n.ns == SOAP11_ENC_NS && &*n.local == "Array")
            || self.schema.complex(base).is_some_and(|c| c.array.is_some());
        let own_particle = deriv
            .children_in(XSD_NS)
            .find(|c| matches!(c.local.as_str(), "sequence" | "choice" | "all" | "group"))
            .and_then(|p| self.particle(p, ctx));
        ct.base = Some(base);
        if let Some(b) = self.schema.complex(base) {
            ct.attributes = b.attributes.clone();
            ct.any_attribute = b.any_attribute;
            if b.mixed && deriv.local == "extension" {
                ct.mixed = true;
            }
        }
        if is_soapenc_array {
            ct.array = Some(self.array_info(deriv, ctx, own_particle.as_ref(), base));
            ct.content = Content::Elements(Particle {
                min: 0,
                max: UNBOUNDED,
                term: Term::Any(Wildcard {
                    namespace: Arc::from("##any"),
                }),
            });
            self.attributes_of(ct, deriv, ctx);
            return;
        }
        let base_content = if self.building.contains(&base) {
            Content::Empty
        } else {
            match self.schema.ty(base) {
                Type::Complex(b) => b.content.clone(),
                Type::Simple(_) => Content::Simple(base),
            }
        };
        ct.content = if deriv.local == "extension" {
            match (base_content, own_particle) {
                (Content::Elements(b), Some(o)) => Content::Elements(Particle {
                    min: 1,
                    max: 1,
                    term: Term::Sequence(vec![b, o]),
                }),
                (Content::Elements(b), None) => Content::Elements(b),
                (Content::Empty, Some(o)) => Content::Elements(o),
                (other, None) => other,
                (Content::Simple(_), Some(o)) => Content::Elements(o),
            }
        } else {
            match own_particle {
                Some(o) => Content::Elements(o),
                None => Content::Empty,
            }
        };
        self.attributes_of(ct, deriv, ctx);
    }

    /// The item type of a SOAP-encoded array: `wsdl:arrayType="tns:Order[]"` on the
    /// `soapenc:arrayType` attribute, or the single repeated element of the restriction.
    fn array_info(
        &mut self,
        deriv: &Element,
        ctx: &SchemaCtx,
        particle: Option<&Particle>,
        base: TypeId,
    ) -> ArrayInfo {
        for attr in deriv.children_named(XSD_NS, "attribute") {
            if let Some(at) = attr.attr_ns(WSDL_NS, "arrayType") {
                let type_part = at.trim().split('[').next().unwrap_or("").to_owned();
                if let Some(q) = self.ref_name(attr, ctx, &type_part) {
                    let item = self.type_by_name(&q, Some((ctx, attr.line)));
                    return ArrayInfo {
                        item,
                        item_name: Some(q),
                    };
                }
            }
        }
        if let Some(p) = particle {
            let mut elems = Vec::new();
            collect_elements(p, &mut elems);
            if let [e] = elems.as_slice() {
                let item = self.schema.element(*e).ty;
                return ArrayInfo {
                    item,
                    item_name: self.schema.ty(item).name().cloned(),
                };
            }
        }
        if let Some(info) = self.schema.complex(base).and_then(|c| c.array.clone()) {
            return info;
        }
        ArrayInfo {
            item: well_known::ANY_TYPE,
            item_name: None,
        }
    }

    fn attributes_of(&mut self, ct: &mut ComplexType, el: &Element, ctx: &SchemaCtx) {
        for child in el.children_in(XSD_NS) {
            match child.local.as_str() {
                "attribute" => {
                    if child.attr("use") == Some("prohibited") {
                        if let Some(name) = child.attr("name").or(child.attr("ref")) {
                            let local = name.rsplit(':').next().unwrap_or(name).to_owned();
                            ct.attributes.retain(|a| *a.name.local != *local);
                        }
                        continue;
                    }
                    if let Some(a) = self.attribute(child, ctx) {
                        ct.attributes.retain(|x| x.name != a.name);
                        ct.attributes.push(a);
                    }
                }
                "attributeGroup" => {
                    let mut seen = Vec::new();
                    self.attribute_group(ct, child, ctx, &mut seen);
                }
                "anyAttribute" => ct.any_attribute = true,
                _ => {}
            }
        }
    }

    fn attribute_group(
        &mut self,
        ct: &mut ComplexType,
        el: &Element,
        ctx: &SchemaCtx,
        seen: &mut Vec<QName>,
    ) {
        let Some(r) = el.attr("ref") else {
            self.attributes_of(ct, el, ctx);
            return;
        };
        let Some(q) = self.ref_name(el, ctx, r) else {
            return;
        };
        if seen.contains(&q) {
            return;
        }
        seen.push(q.clone());
        let Some(def) = self.idx.get(Kind::AttributeGroup, &q) else {
            self.warn(format!(
                "{}:{}: attribute group {q} is not defined; its attributes are not known",
                ctx.location, el.line
            ));
            ct.any_attribute = true;
            return;
        };
        for child in def.el.children_in(XSD_NS) {
            match child.local.as_str() {
                "attribute" => {
                    if let Some(a) = self.attribute(child, def.ctx) {
                        ct.attributes.retain(|x| x.name != a.name);
                        ct.attributes.push(a);
                    }
                }
                "attributeGroup" => self.attribute_group(ct, child, def.ctx, seen),
                "anyAttribute" => ct.any_attribute = true,
                _ => {}
            }
        }
    }

    fn attribute(&mut self, el: &Element, ctx: &SchemaCtx) -> Option<AttributeDecl> {
        let required = el.attr("use") == Some("required");
        if let Some(r) = el.attr("ref") {
            let q = self.ref_name(el, ctx, r)?;
            let (ty, default, fixed) = match self.idx.get(Kind::Attribute, &q) {
                Some(def) => (
                    self.attribute_type(def.el, def.ctx),
                    def.el.attr("default").map(Arc::from),
                    def.el.attr("fixed").map(Arc::from),
                ),
                None => (well_known::STRING, None, None),
            };
            return Some(AttributeDecl {
                name: q,
                ty,
                required,
                default: el.attr("default").map(Arc::from).or(default),
                fixed: el.attr("fixed").map(Arc::from).or(fixed),
            });
        }
        let name = el.attr("name")?;
        let qualified = match el.attr("form") {
            Some("qualified") => true,
            Some("unqualified") => false,
            _ => ctx.attribute_qualified,
        };
        let ns = if qualified {
            ctx.tns.clone()
        } else {
            String::new()
        };
        let qname = self.qname(&ns, name);
        let ty = self.attribute_type(el, ctx);
        Some(AttributeDecl {
            name: qname,
            ty,
            required,
            default: el.attr("default").map(Arc::from),
            fixed: el.attr("fixed").map(Arc::from),
        })
    }

    fn attribute_type(&mut self, el: &Element, ctx: &SchemaCtx) -> TypeId {
        if let Some(t) = el.attr("type") {
            let id = match self.ref_name(el, ctx, t) {
                Some(q) => self.type_by_name(&q, Some((ctx, el.line))),
                None => well_known::STRING,
            };
            // Attributes hold text: a complex or unknown type reads as a string.
            return match self.schema.ty(id) {
                Type::Simple(_) => id,
                Type::Complex(_) => well_known::STRING,
            };
        }
        self.inline_simple(el, ctx)
    }

    // ----- particles ----------------------------------------------------------------------

    fn particle(&mut self, el: &Element, ctx: &SchemaCtx) -> Option<Particle> {
        let (min, max) = occurs(el);
        let term = match el.local.as_str() {
            "element" => Term::Element(self.local_element(el, ctx).or_else(|| {
                // An unresolvable element ref still takes its place, as anyType.
                let local = el
                    .attr("ref")
                    .map(|r| r.rsplit(':').next().unwrap_or(r).to_owned())?;
                let name = self.qname(&ctx.tns, &local);
                Some(self.new_element(ElementDecl {
                    name,
                    ty: well_known::ANY_TYPE,
                    nillable: true,
                    is_abstract: false,
                    default: None,
                    fixed: None,
                    substitutes: Vec::new(),
                    global: false,
                }))
            })?),
            "sequence" | "choice" | "all" => {
                let items: Vec<Particle> = el
                    .children_in(XSD_NS)
                    .filter_map(|c| match c.local.as_str() {
                        "element" | "sequence" | "choice" | "group" | "any" | "all" => {
                            self.particle(c, ctx)
                        }
                        _ => None,
                    })
                    .collect();
                match el.local.as_str() {
                    "sequence" => Term::Sequence(items),
                    "choice" => Term::Choice(items),
                    _ => Term::All(items),
                }
            }
            "group" => {
                let r = el.attr("ref")?;
                let q = self.ref_name(el, ctx, r)?;
                // A group may only refer to itself from inside a redefinition.
                let q = if self.group_stack.contains(&q) {
                    QName::new(&q.ns, &format!("{}{REDEFINED}", q.local))
                } else {
                    q
                };
                let Some(def) = self.idx.get(Kind::Group, &q) else {
                    self.warn(format!(
                        "{}:{}: model group {q} is not defined; its content is read as xsd:any",
                        ctx.location, el.line
                    ));
                    return Some(Particle {
                        min,
                        max,
                        term: Term::Any(Wildcard {
                            namespace: Arc::from("##any"),
                        }),
                    });
                };
                if self.group_stack.len() > 64 {
                    return None;
                }
                self.group_stack.push(q);
                let inner = def
                    .el
                    .children_in(XSD_NS)
                    .find(|c| matches!(c.local.as_str(), "sequence" | "choice" | "all"))
                    .and_then(|c| self.particle(c, def.ctx));
                self.group_stack.pop();
                let inner = inner?;
                if inner.min == 1 && inner.max == 1 {
                    return Some(Particle {
                        min,
                        max,
                        term: inner.term,
                    });
                }
                return Some(Particle {
                    min,
                    max,
                    term: Term::Sequence(vec![inner]),
                });
            }
            "any" => Term::Any(Wildcard {
                namespace: Arc::from(el.attr("namespace").unwrap_or("##any")),
            }),
            _ => return None,
        };
        Some(Particle { min, max, term })
    }

    // ----- finishing ----------------------------------------------------------------------

    /// Fills in derived types, substitution groups and JSON slots. Call once, after the
    /// binding pass has added its synthetic types.
    pub fn finish(&mut self) {
        // Derived types, transitively, for xsi:type.
        let n = self.schema.types.len();
        for i in 0..n {
            let id = TypeId(i as u32);
            let named = self.schema.ty(id).name().is_some();
            if !named {
                continue;
            }
            let mut cur = self.schema.complex(id).and_then(|c| c.base);
            let mut guard = 0;
            while let Some(b) = cur {
                if b == id || guard > 64 {
                    break;
                }
                guard += 1;
                if let Type::Complex(c) = &mut self.schema.types[b.0 as usize] {
                    if !c.derived.contains(&id) {
                        c.derived.push(id);
                    }
                    cur = c.base;
                } else {
                    break;
                }
            }
        }
        // Substitution groups, transitively.
        let heads = std::mem::take(&mut self.substitution_heads);
        let mut direct: HashMap<ElemId, Vec<ElemId>> = HashMap::new();
        for (member, head) in &heads {
            if let Some(h) = self.elem_memo.get(head).copied() {
                direct.entry(h).or_default().push(*member);
            }
        }
        for head in direct.keys().copied().collect::<Vec<_>>() {
            let mut all = Vec::new();
            let mut stack = direct.get(&head).cloned().unwrap_or_default();
            while let Some(m) = stack.pop() {
                if all.contains(&m) || m == head || all.len() > 1000 {
                    continue;
                }
                all.push(m);
                if let Some(more) = direct.get(&m) {
                    stack.extend(more.iter().copied());
                }
            }
            all.sort();
            self.schema.elements[head.0 as usize].substitutes = all;
        }
        // JSON slots.
        for i in 0..self.schema.types.len() {
            if let Type::Complex(c) = &self.schema.types[i] {
                let (slots, open) = compute_slots(&self.schema, c);
                if let Type::Complex(c) = &mut self.schema.types[i] {
                    c.slot_index = SlotIndex::of(&slots);
                    c.slots = slots;
                    c.open = open;
                }
            }
        }
    }
}

fn collect_elements(p: &Particle, out: &mut Vec<ElemId>) {
    match &p.term {
        Term::Element(e) => out.push(*e),
        Term::Sequence(v) | Term::Choice(v) | Term::All(v) => {
            for c in v {
                collect_elements(c, out);
            }
        }
        Term::Any(_) => {}
    }
}

/// The JSON keys of a complex type: one per distinct element name (array when it may
/// repeat), substitution group members under their own names, then attributes (prefixed
/// with `@` only when an element has the same name).
fn compute_slots(schema: &Schema, ct: &ComplexType) -> (Vec<Slot>, bool) {
    let mut slots: Vec<Slot> = Vec::new();
    let mut open = false;
    if let Content::Elements(p) = &ct.content {
        walk_slots(schema, p, false, &mut slots, &mut open);
    }
    if ct.array.is_some() {
        open = false;
    }
    for (i, a) in ct.attributes.iter().enumerate() {
        let key: Arc<str> = if slots.iter().any(|s| *s.key == *a.name.local) {
            Arc::from(format!("@{}", a.name.local))
        } else {
            a.name.local.clone()
        };
        slots.push(Slot {
            key,
            kind: SlotKind::Attribute(i),
            repeated: false,
        });
    }
    (slots, open)
}

fn walk_slots(
    schema: &Schema,
    p: &Particle,
    repeated: bool,
    slots: &mut Vec<Slot>,
    open: &mut bool,
) {
    let rep = repeated || p.max > 1;
    match &p.term {
        Term::Element(e) => {
            let decl = schema.element(*e);
            let mut candidates = Vec::with_capacity(1 + decl.substitutes.len());
            if !decl.is_abstract {
                candidates.push(*e);
            }
            candidates.extend(decl.substitutes.iter().copied());
            for c in candidates {
                let cd = schema.element(c);
                if cd.is_abstract {
                    continue;
                }
                let key = cd.name.local.clone();
                match slots.iter_mut().find(|s| s.key == key) {
                    // The same name twice in the content model: one JSON array.
                    Some(existing) => existing.repeated = true,
                    None => slots.push(Slot {
                        key,
                        kind: SlotKind::Element(c),
                        repeated: rep,
                    }),
                }
            }
        }
        Term::Sequence(items) | Term::Choice(items) | Term::All(items) => {
            for item in items {
                walk_slots(schema, item, rep, slots, open);
            }
        }
        Term::Any(_) => *open = true,
    }
}

/// The regular expression language an XSD pattern is translated to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RegexDialect {
    /// Rust's `regex` crate (checking values).
    Rust,
    /// ECMA-262, what JSON Schema's `pattern` uses (OpenAPI).
    Ecma,
}

/// Translates an XSD regular expression to an anchored one in `dialect`. `None` when it
/// uses constructs with no equivalent there (Unicode block names; class subtraction and
/// unknown escapes in ECMA-262).
pub fn xsd_regex(xsd: &str, dialect: RegexDialect) -> Option<String> {
    let ecma = dialect == RegexDialect::Ecma;
    if xsd.contains("\\p{Is") || xsd.contains("\\P{Is") {
        return None;
    }
    let mut out = String::with_capacity(xsd.len() + 8);
    let mut chars = xsd.chars().peekable();
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        let in_class = depth > 0;
        match c {
            '\\' => match chars.next() {
                Some('i') => out.push_str(if in_class { "_:A-Za-z" } else { "[_:A-Za-z]" }),
                Some('I') if !in_class => out.push_str("[^_:A-Za-z]"),
                Some('c') => out.push_str(if in_class {
                    "\\-._:A-Za-z0-9"
                } else {
                    "[\\-._:A-Za-z0-9]"
                }),
                Some('C') if !in_class => out.push_str("[^\\-._:A-Za-z0-9]"),
                Some('I' | 'C') => return None,
                // ECMA-262 (with the `u` flag) allows `\-` only inside classes.
                Some('-') if ecma && !in_class => out.push('-'),
                Some(
                    e @ ('n' | 'r' | 't' | '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{'
                    | '}' | '-' | '[' | ']' | '^' | '$' | 'd' | 'D' | 's' | 'S' | 'w' | 'W'
                    | 'p' | 'P'),
                ) => {
                    out.push('\\');
                    out.push(e);
                }
                Some(other) if !ecma => {
                    out.push('\\');
                    out.push(other);
                }
                Some(_) => return None,
                None if ecma => return None,
                None => out.push_str("\\\\"),
            },
            '[' => {
                // ECMA-262 has no nested classes.
                if ecma && in_class {
                    return None;
                }
                depth += 1;
                out.push('[');
            }
            ']' => {
                depth = depth.saturating_sub(1);
                out.push(']');
            }
            // Class subtraction `[a-z-[aeiou]]` is Rust's `[a-z--[aeiou]]`; ECMA-262 lacks it.
            '-' if in_class && chars.peek() == Some(&'[') => {
                if ecma {
                    return None;
                }
                out.push_str("--");
            }
            // Rust would read `[:` as the start of an ASCII class name.
            ':' if !ecma && in_class && out.ends_with('[') => out.push_str("\\:"),
            // XSD has no anchors: `^` and `$` outside classes are literal characters.
            '^' if !in_class => out.push_str("\\^"),
            '$' => out.push_str("\\$"),
            '/' if ecma => out.push_str("\\/"),
            _ => out.push(c),
        }
    }
    Some(format!("^(?:{out})$"))
}

/// Translates an XSD regular expression to an anchored Rust regex. `None` when it uses
/// constructs with no equivalent here (Unicode block names).
pub fn translate_pattern(xsd: &str) -> Option<regex::Regex> {
    let re = xsd_regex(xsd, RegexDialect::Rust)?;
    regex::RegexBuilder::new(&re)
        .size_limit(1 << 20)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_anchored_and_translated() {
        let r = translate_pattern("[0-9]{5}").expect("pattern");
        assert!(r.is_match("12345"));
        assert!(!r.is_match("123456"));
        assert!(!r.is_match("a12345"));
        let r = translate_pattern("\\i\\c*").expect("name pattern");
        assert!(r.is_match("abc-1"));
        assert!(!r.is_match("1abc"));
        let r = translate_pattern("a$b").expect("literal dollar");
        assert!(r.is_match("a$b"));
        let r = translate_pattern("[a-z-[aeiou]]+").expect("subtraction");
        assert!(r.is_match("xyz"));
        assert!(!r.is_match("xaz"));
        let r = translate_pattern("[\\i-[:]][\\c-[:]]*").expect("NCName");
        assert!(r.is_match("tns1"));
        assert!(!r.is_match("a:b"));
        assert!(translate_pattern("\\p{IsBasicLatin}+").is_none());
    }
}

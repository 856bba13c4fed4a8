//! Named types: the XSD built-ins every schema has, the SOAP-encoding types, and global
//! types resolved on first use (their id is taken before their content is read).
//!
//! May import: `wsdl::{model, loader}`, `xmlutil`, the resolver core (`super`); nothing above.

use std::sync::Arc;

use super::Resolver;
use super::index::{Kind, REDEFINED};
use crate::wsdl::loader::SchemaCtx;
use crate::wsdl::model::*;
use crate::xmlutil::{SOAP11_ENC_NS, SOAP12_ENC_NS, XSD_NS};

impl Resolver<'_> {
    pub(super) fn install_builtins(&mut self) {
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
        self.note_type_doc(id, comp.el);
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
}

//! Element declarations: global elements (memoised, with their substitution group head
//! noted for `finish`) and local ones (`ref`, or a name qualified by `form`).
//!
//! May import: `wsdl::{model, dom, loader}`, `xmlutil`, the resolver core (`super`); nothing
//! above.

use std::sync::Arc;

use super::index::Kind;
use super::{Resolver, documentation, truthy};
use crate::wsdl::dom::Element;
use crate::wsdl::loader::SchemaCtx;
use crate::wsdl::model::*;
use crate::xmlutil::XSD_NS;

impl Resolver<'_> {
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
        self.note_element_doc(id, el);
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
                    let id = self.new_type(Type::Complex(ct));
                    self.note_type_doc(id, child);
                    return id;
                }
                "simpleType" => {
                    let st = self.simple_type(child, ctx, None);
                    let id = self.new_type(Type::Simple(st));
                    self.note_type_doc(id, child);
                    return id;
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

    pub(super) fn local_element(&mut self, el: &Element, ctx: &SchemaCtx) -> Option<ElemId> {
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
        let id = self.new_element(ElementDecl {
            name: qname,
            ty,
            nillable: truthy(el.attr("nillable")),
            is_abstract: false,
            default: el.attr("default").map(Arc::from),
            fixed: el.attr("fixed").map(Arc::from),
            substitutes: Vec::new(),
            global: false,
        });
        self.note_element_doc(id, el);
        Some(id)
    }

    /// Keeps `el`'s documentation as element `id`'s.
    fn note_element_doc(&mut self, id: ElemId, el: &Element) {
        if let Some(d) = documentation(el) {
            self.schema.docs.elements.insert(id, d);
        }
    }

    /// Keeps `el`'s documentation as type `id`'s.
    pub(super) fn note_type_doc(&mut self, id: TypeId, el: &Element) {
        if let Some(d) = documentation(el) {
            self.schema.docs.types.insert(id, d);
        }
    }
}

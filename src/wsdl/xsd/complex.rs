//! Complex types: own content, simple content, complex content by extension or restriction,
//! and SOAP-encoded arrays (`soapenc:Array` restrictions and their item type).
//!
//! May import: `wsdl::{model, dom, loader}`, `xmlutil`, the resolver core (`super`); nothing
//! above.

use std::sync::Arc;

use super::{Resolver, truthy};
use crate::wsdl::dom::Element;
use crate::wsdl::loader::SchemaCtx;
use crate::wsdl::model::*;
use crate::xmlutil::{SOAP11_ENC_NS, WSDL_NS, XSD_NS};

impl Resolver<'_> {
    pub(super) fn complex_type(
        &mut self,
        el: &Element,
        ctx: &SchemaCtx,
        name: Option<QName>,
    ) -> ComplexType {
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

//! Attributes of a complex type: local and referenced declarations, prohibitions, attribute
//! groups (followed once each) and `anyAttribute`.
//!
//! May import: `wsdl::{model, dom, loader}`, `xmlutil`, the resolver core (`super`); nothing
//! above.

use std::sync::Arc;

use super::Resolver;
use super::index::Kind;
use crate::wsdl::dom::Element;
use crate::wsdl::loader::SchemaCtx;
use crate::wsdl::model::*;
use crate::xmlutil::XSD_NS;

impl Resolver<'_> {
    pub(super) fn attributes_of(&mut self, ct: &mut ComplexType, el: &Element, ctx: &SchemaCtx) {
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
}

//! Simple types: restriction (inheriting the base's facets and adding its own), list and
//! union, and the facets a restriction declares.
//!
//! May import: `wsdl::{model, dom, loader}`, `xmlutil`, the resolver core (`super`) and
//! `pattern`; nothing above.

use std::sync::Arc;

use super::Resolver;
use super::index::REDEFINED;
use super::pattern::translate_pattern;
use crate::wsdl::dom::Element;
use crate::wsdl::loader::SchemaCtx;
use crate::wsdl::model::*;
use crate::xmlutil::XSD_NS;

impl Resolver<'_> {
    pub(super) fn simple_type(
        &mut self,
        el: &Element,
        ctx: &SchemaCtx,
        name: Option<QName>,
    ) -> SimpleType {
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

    pub(super) fn inline_simple(&mut self, parent: &Element, ctx: &SchemaCtx) -> TypeId {
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
    pub(super) fn restriction_base(
        &mut self,
        el: &Element,
        ctx: &SchemaCtx,
        own: Option<&QName>,
    ) -> TypeId {
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

    pub(super) fn restrict_simple(
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
}

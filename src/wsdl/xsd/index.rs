//! The component index: every global type, element, attribute, model group and attribute
//! group of every schema document, by kind and QName, with `xsd:redefine` applied.
//!
//! May import: `wsdl::{model, dom, loader}`, `xmlutil`; nothing above.

use std::collections::HashMap;

use crate::wsdl::dom::Element;
use crate::wsdl::loader::{SchemaCtx, SchemaDoc};
use crate::wsdl::model::QName;
use crate::xmlutil::XSD_NS;

#[derive(Clone, Copy)]
pub(super) struct Comp<'a> {
    pub el: &'a Element,
    pub ctx: &'a SchemaCtx,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum Kind {
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
pub(super) const REDEFINED: &str = "\u{0}redefined";

#[derive(Default)]
pub(in crate::wsdl) struct Index<'a> {
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

    pub(super) fn get(&self, kind: Kind, name: &QName) -> Option<Comp<'a>> {
        self.comps.get(&(kind, name.clone())).copied()
    }

    pub(super) fn names(&self, kind: Kind) -> Vec<QName> {
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

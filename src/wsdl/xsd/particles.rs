//! Content-model particles: elements, sequence/choice/all, `xsd:any`, and model group
//! references (a self-reference inside a redefinition means the original group).
//!
//! May import: `wsdl::{model, dom, loader}`, `xmlutil`, the resolver core (`super`); nothing
//! above.

use std::sync::Arc;

use super::Resolver;
use super::index::{Kind, REDEFINED};
use crate::wsdl::dom::Element;
use crate::wsdl::loader::SchemaCtx;
use crate::wsdl::model::*;
use crate::xmlutil::XSD_NS;

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

impl Resolver<'_> {
    pub(super) fn particle(&mut self, el: &Element, ctx: &SchemaCtx) -> Option<Particle> {
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
}

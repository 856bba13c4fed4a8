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
//!
//! This file owns the [`Resolver`] and its shared helpers (interned names, QName references,
//! warnings, arena pushes); each sibling adds the methods for one kind of component:
//!
//! - `index`: the per-kind component index, with redefinitions applied;
//! - `types`: named types, the built-ins and the SOAP-encoding types;
//! - `elements`: global and local element declarations;
//! - `simple`: simple types (restriction with facets, list, union);
//! - `complex`: complex types (simple and complex content, SOAP-encoded arrays);
//! - `attributes`: attributes, attribute groups and wildcards;
//! - `particles`: content-model particles and model groups;
//! - `finish`: derived types, substitution groups and JSON slots, once everything is read;
//! - `pattern`: the XSD regular expression language, translated for Rust and ECMA-262.
//!
//! May import: `wsdl::{model, dom, loader}`, `xmlutil`; nothing above.

mod attributes;
mod complex;
mod elements;
mod finish;
mod index;
mod particles;
mod pattern;
mod simple;
mod types;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::wsdl::dom::Element;
use crate::wsdl::loader::SchemaCtx;
use crate::wsdl::model::*;
use crate::xmlutil::XSD_NS;

use index::Kind;

pub(super) use index::Index;
pub use pattern::{RegexDialect, translate_pattern, xsd_regex};

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

/// The text of a declaration's `xsd:annotation/xsd:documentation` children, white space
/// collapsed (schemas indent it with the markup); `None` when there is none.
fn documentation(el: &Element) -> Option<Arc<str>> {
    let mut out = String::new();
    for a in el.children_named(XSD_NS, "annotation") {
        for d in a.children_named(XSD_NS, "documentation") {
            for word in d.text.split_whitespace() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
    }
    (!out.is_empty()).then(|| Arc::from(out))
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
}

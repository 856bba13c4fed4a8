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
//!
//! - `builtin`: the XSD built-in simple types, their names and JSON kinds;
//! - `schema`: the schema arena: ids, simple and complex types, particles, element and
//!   attribute declarations, JSON slots;
//! - `binding`: the WSDL side: services, ports, bindings, operations and their SOAP bodies.
//!
//! Names ([`QName`]) live here, shared by both sides.
//!
//! May import: `xmlutil` (namespace URIs), the `regex` crate; nothing above.

mod binding;
mod builtin;
mod schema;

use std::fmt;
use std::sync::Arc;

pub use binding::*;
pub use builtin::*;
pub use schema::*;

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

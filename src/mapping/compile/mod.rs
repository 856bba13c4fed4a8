//! Mapping files → checked [`Mappings`].
//!
//! ```text
//! mappings/*.yaml ──serde-saphyr──> RawMapping (positions kept)
//!                 ──backend──> WSDL loaded (cached), binding chosen, endpoint expanded
//!                 ──routes───> operation found, request template checked against the input
//!                              type, response path and fault rules against the output/faults
//!                 ──> Mappings, or every Diagnostic at once
//! ```
//!
//! Nothing here runs per request: a route that compiles cannot fail for a configuration
//! reason later.
//!
//! The compiler is split by the part of a mapping file it checks: `backend` (the
//! `backend:` block), `binding` (which binding to call), `route` (route paths and the
//! per-route context), `request` (request templates against the input type), `params`
//! (parameters and the body), `response` and `faults`. This module holds the entry
//! points, the options, the reserved paths and the schema helpers the others share.
//!
//! May import: `mapping::{diag, model, raw}`, `wsdl`; nothing above.

mod backend;
mod binding;
mod faults;
mod params;
mod policy;
mod request;
mod resilience;
mod response;
mod route;
mod transport;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use actix_web::http::Method;

use super::diag::Diagnostic;
use super::model::*;
use super::raw::RawMapping;
use crate::wsdl::{self, Content, Schema, Type, TypeId, Wsdl};

pub use route::path_params;

/// Paths soapbridge serves itself; mappings may not declare them.
pub const RESERVED: &[&str] = &["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"];

/// Whether soapbridge serves `path` itself (the reserved paths, and the docs page's assets
/// under `/docs/`).
pub fn is_reserved(path: &str) -> bool {
    RESERVED.contains(&path) || path.starts_with("/docs/")
}

/// Options that apply to every mapping loaded.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Replaces every backend's endpoint (the embedded demo points at its own mock).
    pub endpoint_override: Option<url::Url>,
    pub sources: wsdl::Sources,
    /// The policies the gateway configuration declares, and its default; `None`: there is
    /// no gateway configuration, so no mapping may name a policy.
    pub policies: Option<Policies>,
}

/// What the mapping compiler needs to know of the gateway configuration's policies.
#[derive(Clone, Debug, Default)]
pub struct Policies {
    pub names: std::collections::BTreeSet<String>,
    /// Those that admit anyone (no caller values for `{auth.*}`).
    pub public: std::collections::BTreeSet<String>,
    pub default: Option<String>,
    /// The CORS policies.
    pub cors: std::collections::BTreeSet<String>,
}

pub struct Compiler<'e> {
    opts: Options,
    env: &'e dyn Fn(&str) -> Option<String>,
    wsdls: HashMap<String, Result<Arc<Wsdl>, String>>,
    diags: Vec<Diagnostic>,
    routes_seen: HashMap<Method, (matchit::Router<String>, Vec<String>)>,
    out: Mappings,
}

pub(super) use super::diag::{loc, strip_location_prefix};

impl<'e> Compiler<'e> {
    pub fn new(opts: Options, env: &'e dyn Fn(&str) -> Option<String>) -> Self {
        Self {
            opts,
            env,
            wsdls: HashMap::new(),
            diags: Vec::new(),
            routes_seen: HashMap::new(),
            out: Mappings::default(),
        }
    }

    /// Takes `wsdl` as the contract at `location`, so that compiling many mappings against
    /// one contract loads it once.
    pub fn preload(&mut self, location: &wsdl::Location, wsdl: Arc<Wsdl>) {
        self.wsdls.insert(location.to_string(), Ok(wsdl));
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    /// The compiled mappings, or every problem found.
    pub fn finish(self) -> Result<Mappings, Vec<Diagnostic>> {
        if self.diags.is_empty() {
            Ok(self.out)
        } else {
            Err(self.diags)
        }
    }

    /// Reads and compiles one mapping file.
    pub fn add_file(&mut self, path: &Path) {
        match std::fs::read_to_string(path) {
            Ok(text) => self.add_text(path, &text),
            Err(e) => self.diags.push(Diagnostic::new(
                path,
                None,
                format!("cannot read the mapping file: {e}"),
            )),
        }
    }

    /// Compiles one mapping given as text; `path` names it in messages and anchors its
    /// relative WSDL path.
    pub fn add_text(&mut self, path: &Path, text: &str) {
        let raw: RawMapping = match serde_saphyr::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let msg = e.without_snippet().to_string();
                let msg = strip_location_prefix(&msg);
                self.diags.push(Diagnostic::new(path, e.location(), msg));
                return;
            }
        };
        if raw.version.value != 1 {
            self.diags.push(
                Diagnostic::new(
                    path,
                    loc(&raw.version),
                    format!("mapping version {} is not supported", raw.version.value),
                )
                .hint("this soapbridge reads `version: 1`"),
            );
            return;
        }
        let Some(backend) = self.backend(path, &raw.backend) else {
            return;
        };
        let backend = Arc::new(backend);
        self.out.backends.push(backend.clone());
        let base = match &raw.base_path {
            Some(b) => {
                let v = b.value.trim_end_matches('/');
                if !v.is_empty() && !v.starts_with('/') {
                    self.diags.push(
                        Diagnostic::new(
                            path,
                            loc(b),
                            format!("base_path `{}` must start with `/`", b.value),
                        )
                        .hint(format!("write `/{}`", b.value)),
                    );
                }
                v.to_owned()
            }
            None => String::new(),
        };
        match &raw.routes {
            Some(routes) => {
                for r in routes {
                    if let Some(route) = self.route(path, &backend, &base, r) {
                        self.out.routes.push(Arc::new(route));
                    }
                }
            }
            None => self.auto_routes(path, &backend, &base),
        }
    }
}

/// The simple type a text value converts to for `ty`: itself, or the content of a complex
/// type with simple content and no required attribute.
pub fn scalar_target(schema: &Schema, ty: TypeId) -> Option<TypeId> {
    match schema.ty(ty) {
        Type::Simple(_) => Some(ty),
        Type::Complex(c) => match c.content {
            Content::Simple(st) if !c.attributes.iter().any(|a| a.required) => Some(st),
            _ => None,
        },
    }
}

/// Keys a value of `ty` must have (see [`Schema::required_keys`]).
pub fn required_keys(schema: &Schema, ty: TypeId) -> Vec<Arc<str>> {
    match schema.complex(ty).map(|c| &c.content) {
        Some(Content::Elements(p)) => schema.required_keys(p),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saphyr_prefix_is_stripped() {
        assert_eq!(
            strip_location_prefix(
                "error: line 2 column 1: unknown field `nmae`, expected one of a, b\n --> x"
            ),
            "unknown field `nmae`, expected one of a, b"
        );
    }
}

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

pub use backend::parse_size;
mod binding;
mod faults;
mod params;
mod policy;
mod request;
mod resilience;
mod response;
mod route;
mod transport;
mod wssec;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use actix_web::http::Method;

use super::diag::Diagnostic;
use super::model::*;
use super::raw::RawMapping;
use crate::wsdl::{self, Content, Schema, Type, TypeId, Wsdl};

pub use route::{is_graphql_name, path_params};

/// Paths soapbridge serves itself; mappings may not declare them.
pub const RESERVED: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/graphql",
    "/graphiql",
];

/// Whether soapbridge serves `path` itself (the reserved paths, and the pages' assets under
/// `/docs/` and `/graphiql/`).
pub fn is_reserved(path: &str) -> bool {
    RESERVED.contains(&path) || path.starts_with("/docs/") || path.starts_with("/graphiql/")
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

pub(super) use super::diag::loc;

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

    /// `${VAR}` / `${VAR:-default}` in the keys that are parsed as more than text
    /// (durations, sizes, names of a port or service, the base path), before they are
    /// parsed; an unset variable is reported once, at its place, and the key's default used.
    fn expand_typed_keys(&mut self, path: &Path, raw: &mut RawMapping) {
        let b = &mut raw.backend;
        let mut keys: Vec<&mut Option<serde_saphyr::Spanned<String>>> = vec![
            &mut raw.base_path,
            &mut b.service,
            &mut b.port,
            &mut b.binding,
            &mut b.soap_version,
            &mut b.timeout,
            &mut b.attempt_timeout,
            &mut b.queue_timeout,
            &mut b.connect_timeout,
            &mut b.max_response_size,
            &mut b.stream_threshold,
        ];
        if let Some(r) = &mut b.retry {
            keys.extend([&mut r.backoff, &mut r.max_backoff, &mut r.budget_window]);
        }
        if let Some(c) = &mut b.circuit_breaker {
            keys.extend([&mut c.window, &mut c.open_for]);
        }
        keys.push(&mut b.mtom_threshold);
        if let Some(w) = &mut b.ws_security {
            if let Some(s) = &mut w.signature {
                keys.push(&mut s.value.timestamp_ttl);
            }
            if let Some(v) = &mut w.verify {
                keys.push(&mut v.value.clock_skew);
            }
        }
        for key in keys {
            if let Some(s) = key.as_mut()
                && s.value.contains("${")
            {
                match self.expand_text(path, s) {
                    Some(v) => s.value = v,
                    None => *key = None,
                }
            }
        }
    }

    /// Compiles one mapping given as text; `path` names it in messages and anchors its
    /// relative WSDL path.
    pub fn add_text(&mut self, path: &Path, text: &str) {
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            let stem = path
                .file_stem()
                .map_or("NAME".into(), |s| s.to_string_lossy());
            self.diags.push(
                Diagnostic::new(path, None, "this is an XML file (a WSDL?), not a mapping file")
                    .hint(format!(
                        "mapping files are YAML and point at the WSDL; write one with `soapbridge generate {} --out mappings/{stem}.yaml`, then serve mappings/",
                        path.display()
                    )),
            );
            return;
        }
        // Unknown keys are reported and skipped, so the mistakes after them are found too.
        let Some(mut raw) =
            crate::mapping::diag::parse_yaml::<RawMapping>(path, text, &mut self.diags)
        else {
            return;
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
        self.expand_typed_keys(path, &mut raw);
        let Some(backend) = self.backend(path, &raw.backend) else {
            return;
        };
        let backend = Arc::new(Backend {
            graphql: raw.graphql,
            ..backend
        });
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
    use crate::mapping::diag::strip_location_prefix;

    #[test]
    fn saphyr_prefix_is_stripped() {
        assert_eq!(
            strip_location_prefix(
                "error: line 2 column 1: unknown field `nmae`, expected one of a, b\n --> x"
            ),
            "unknown field `nmae`, expected one of a, b"
        );
    }

    fn compile_with(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Mappings, Vec<Diagnostic>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut c = Compiler::new(Options::default(), env);
        c.add_text(&root.join("mappings/m.yaml"), text);
        c.finish()
    }

    const TYPED: &str = "version: 1\nbase_path: ${BASE:-/api}\nbackend:\n  wsdl: ../wsdl/customers.wsdl\n  port: ${PORT:-CustomerServiceSoap12}\n  timeout: ${TIMEOUT:-7s}\n  max_response_size: ${MAX:-1MiB}\n  retry: { backoff: \"${BACKOFF:-20ms}\" }\nroutes:\n  - route: GET /ping\n    operation: Ping\n";

    #[test]
    fn variables_work_in_typed_keys_with_defaults_and_values() {
        let m = compile_with(TYPED, &|_| None).expect("defaults compile");
        let b = &m.backends[0];
        assert_eq!(b.client.timeout, std::time::Duration::from_secs(7));
        assert_eq!(b.client.max_response_bytes, Some(1 << 20));
        assert_eq!(b.soap_version, crate::wsdl::SoapVersion::V12);
        assert_eq!(m.routes[0].path, "/api/ping");
        let env = |name: &str| match name {
            "TIMEOUT" => Some("2s".to_owned()),
            "BASE" => Some("/v2".to_owned()),
            "PORT" => Some("CustomerServiceSoap11".to_owned()),
            _ => None,
        };
        let m = compile_with(TYPED, &env).expect("values compile");
        assert_eq!(
            m.backends[0].client.timeout,
            std::time::Duration::from_secs(2)
        );
        assert_eq!(m.backends[0].soap_version, crate::wsdl::SoapVersion::V11);
        assert_eq!(m.routes[0].path, "/v2/ping");
    }

    #[test]
    fn an_unset_variable_in_a_typed_key_is_one_located_error() {
        let text = TYPED.replace("${TIMEOUT:-7s}", "${TIMEOUT}");
        let diags = compile_with(&text, &|_| None).expect_err("unset");
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = diags[0].to_string();
        assert!(
            d.contains("m.yaml:6:12: environment variable `TIMEOUT` is not set"),
            "{d}"
        );
    }
}

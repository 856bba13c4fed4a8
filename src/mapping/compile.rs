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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::diag::{Diagnostic, hint_for};
use super::env;
use super::model::*;
use super::raw::{RawBackend, RawFaultRule, RawMapping, RawRoute, Template};
use super::template::{self, Piece, Source};
use crate::soap::client::{BreakerSettings, ClientSettings, RetrySettings};
use crate::translate::scalar;
use crate::wsdl::{
    self, Content, Operation, Schema, SlotKind, SoapVersion, Type, TypeId, Variety, Wsdl,
    well_known,
};

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
}

pub struct Compiler<'e> {
    opts: Options,
    env: &'e dyn Fn(&str) -> Option<String>,
    wsdls: HashMap<String, Result<Arc<Wsdl>, String>>,
    diags: Vec<Diagnostic>,
    routes_seen: HashMap<Method, (matchit::Router<String>, Vec<String>)>,
    out: Mappings,
}

fn loc<T>(s: &Spanned<T>) -> Option<Location> {
    Some(s.referenced)
}

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

    // ----- backend --------------------------------------------------------------------

    fn expand(&mut self, file: &Path, s: &Spanned<String>) -> Option<String> {
        match env::expand(&s.value, self.env) {
            Ok(v) => Some(v),
            Err(var) => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(s),
                        format!("environment variable `{var}` is not set"),
                    )
                    .hint(format!("set it, or give a default: `${{{var}:-value}}`")),
                );
                None
            }
        }
    }

    fn load_wsdl(&mut self, file: &Path, spec: &Spanned<String>) -> Option<Arc<Wsdl>> {
        let text = self.expand(file, spec)?;
        let location = match wsdl::Location::parse(&text) {
            wsdl::Location::File(p) if p.is_relative() => {
                let dir = file.parent().unwrap_or(Path::new(""));
                wsdl::Location::File(dir.join(p))
            }
            other => other,
        };
        let key = location.to_string();
        if !self.wsdls.contains_key(&key) {
            let loaded = wsdl::load(&location, &self.opts.sources)
                .map(Arc::new)
                .map_err(|e| e.to_string());
            if let Ok(w) = &loaded {
                let stem = file.display();
                for n in &w.notes {
                    self.out.notes.push(format!("{stem}: {}: {n}", w.location));
                }
                for n in &w.warnings {
                    self.out.notes.push(format!("{stem}: warning: {n}"));
                }
            }
            self.wsdls.insert(key.clone(), loaded);
        }
        match &self.wsdls[&key] {
            Ok(w) => Some(w.clone()),
            Err(e) => {
                let e = e.clone();
                self.diags.push(
                    Diagnostic::new(file, loc(spec), format!("cannot load the WSDL: {e}"))
                        .hint("the path is relative to the mapping file; a URL is fetched once at start-up"),
                );
                None
            }
        }
    }

    fn duration(
        &mut self,
        file: &Path,
        s: &Option<Spanned<String>>,
        default: Duration,
    ) -> Duration {
        let Some(s) = s else { return default };
        match humantime::parse_duration(s.value.trim()) {
            Ok(d) if !d.is_zero() => d,
            _ => {
                self.diags.push(
                    Diagnostic::new(file, loc(s), format!("`{}` is not a duration", s.value))
                        .hint("write a number with a unit: `500ms`, `10s`, `2m`"),
                );
                default
            }
        }
    }

    fn backend(&mut self, file: &Path, raw: &RawBackend) -> Option<Backend> {
        let wsdl = self.load_wsdl(file, &raw.wsdl)?;
        let (binding, address) = self.choose_binding(file, raw, &wsdl)?;
        let endpoint_text = match (&self.opts.endpoint_override, &raw.endpoint) {
            (Some(u), _) => Some(u.to_string()),
            (None, Some(e)) => self.expand(file, e),
            (None, None) => address.clone(),
        };
        let endpoint_loc = raw
            .endpoint
            .as_ref()
            .map(|e| e.referenced)
            .or(Some(raw.wsdl.referenced));
        let Some(endpoint_text) = endpoint_text else {
            if raw.endpoint.is_none() {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        Some(raw.wsdl.referenced),
                        format!(
                            "binding {} has no service address in the WSDL, so there is no endpoint to call",
                            wsdl.bindings[binding].name.local
                        ),
                    )
                    .hint("give `endpoint: http://host:port/path` under `backend`"),
                );
            }
            return None;
        };
        let endpoint = match url::Url::parse(&endpoint_text) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => u,
            _ => {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        endpoint_loc,
                        format!("endpoint `{endpoint_text}` is not an http(s) URL"),
                    )
                    .hint("write a full URL, such as `http://127.0.0.1:8081/customers`"),
                );
                return None;
            }
        };
        let timeout = self.duration(file, &raw.timeout, Duration::from_secs(30));
        let connect_timeout = self.duration(file, &raw.connect_timeout, Duration::from_secs(5));
        let max_response_bytes = match &raw.max_response_size {
            Some(s) => match parse_size(&s.value) {
                Some(n) => n,
                None => {
                    self.diags.push(
                        Diagnostic::new(file, loc(s), format!("`{}` is not a size", s.value))
                            .hint("write bytes with a unit: `512KiB`, `10MiB`"),
                    );
                    16 << 20
                }
            },
            None => 16 << 20,
        };
        let mut headers = Vec::new();
        for (k, v) in raw.headers.iter().flatten() {
            if actix_web::http::header::HeaderName::from_bytes(k.as_bytes()).is_err() {
                self.diags.push(Diagnostic::new(
                    file,
                    loc(v),
                    format!("`{k}` is not a valid HTTP header name"),
                ));
                continue;
            }
            let Some(val) = self.expand(file, v) else {
                continue;
            };
            if actix_web::http::header::HeaderValue::from_str(&val).is_err() {
                self.diags.push(
                    Diagnostic::new(
                        file,
                        loc(v),
                        format!("the value of header `{k}` is not a valid HTTP header value"),
                    )
                    .hint("header values are visible ASCII text, without line breaks"),
                );
                continue;
            }
            headers.push((k.clone(), val));
        }
        let basic_auth = match &raw.basic_auth {
            Some(b) => {
                let u = self.expand(file, &b.username);
                let p = self.expand(file, &b.password);
                u.zip(p)
            }
            None => None,
        };
        let ws_security = match &raw.ws_security {
            Some(s) => {
                let digest = match s.password_type.as_ref().map(|p| (p, p.value.as_str())) {
                    None | Some((_, "text")) => false,
                    Some((_, "digest")) => true,
                    Some((p, other)) => {
                        self.diags.push(
                            Diagnostic::new(
                                file,
                                loc(p),
                                format!("password_type `{other}` is not known"),
                            )
                            .hint("use `text` or `digest`"),
                        );
                        false
                    }
                };
                let u = self.expand(file, &s.username);
                let p = self.expand(file, &s.password);
                u.zip(p).map(|(username, password)| WsSecurity {
                    username,
                    password,
                    digest,
                    timestamp: s.timestamp.unwrap_or(true),
                })
            }
            None => None,
        };
        let soap_version = wsdl.bindings[binding].soap_version;
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let client = ClientSettings {
            name: name.clone(),
            endpoint: endpoint.clone(),
            soap_version,
            timeout,
            attempt_timeout: None,
            connect_timeout,
            max_concurrency: raw
                .max_concurrency
                .as_ref()
                .map_or(64, |m| m.value.max(1) as usize),
            retries: raw.retries.as_ref().map_or(1, |r| r.value),
            max_response_bytes,
            headers,
            basic_auth,
            breaker: BreakerSettings::default(),
            retry: RetrySettings::default(),
        };
        Some(Backend {
            name,
            wsdl,
            binding,
            endpoint,
            soap_version,
            client,
            ws_security,
        })
    }

    /// The binding to call and the address the WSDL gives for it.
    fn choose_binding(
        &mut self,
        file: &Path,
        raw: &RawBackend,
        w: &Wsdl,
    ) -> Option<(usize, Option<String>)> {
        let want_version = match &raw.soap_version {
            None => None,
            Some(v) => match v.value.as_str() {
                "1.1" => Some(SoapVersion::V11),
                "1.2" => Some(SoapVersion::V12),
                other => {
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(v),
                            format!("soap_version `{other}` is not known"),
                        )
                        .hint("use \"1.1\" or \"1.2\""),
                    );
                    return None;
                }
            },
        };
        let binding_names: Vec<&str> = w.bindings.iter().map(|b| &*b.name.local).collect();
        if w.bindings.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    file,
                    loc(&raw.wsdl),
                    format!(
                        "{} defines no SOAP binding, so it has nothing to call",
                        w.location
                    ),
                )
                .hint(
                    w.notes
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "check that this is the service's WSDL".into()),
                ),
            );
            return None;
        }
        // An explicit port.
        if let Some(port) = &raw.port {
            let ports: Vec<(&wsdl::Service, &wsdl::Port)> = w
                .services
                .iter()
                .filter(|s| {
                    raw.service
                        .as_ref()
                        .is_none_or(|n| *s.name.local == n.value)
                })
                .flat_map(|s| s.ports.iter().map(move |p| (s, p)))
                .collect();
            return match ports.iter().find(|(_, p)| p.name == port.value) {
                Some((_, p)) => Some((p.binding, p.address.clone())),
                None => {
                    let names: Vec<&str> = ports.iter().map(|(_, p)| p.name.as_str()).collect();
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(port),
                            format!("port `{}` is not in {}", port.value, w.location),
                        )
                        .hint(hint_for(&port.value, &names, "ports")),
                    );
                    None
                }
            };
        }
        if let Some(b) = &raw.binding {
            return match w.binding_by_name(&b.value) {
                Some((i, _)) => Some((i, w.address_of(i))),
                None => {
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(b),
                            format!("binding `{}` is not in {}", b.value, w.location),
                        )
                        .hint(hint_for(
                            &b.value,
                            &binding_names,
                            "SOAP bindings",
                        )),
                    );
                    None
                }
            };
        }
        // Candidates: the service's ports, or every binding.
        let candidates: Vec<(usize, Option<String>)> = match &raw.service {
            Some(svc) => match w.service_by_name(&svc.value) {
                Some(s) => s
                    .ports
                    .iter()
                    .map(|p| (p.binding, p.address.clone()))
                    .collect(),
                None => {
                    let names: Vec<&str> = w.services.iter().map(|s| &*s.name.local).collect();
                    self.diags.push(
                        Diagnostic::new(
                            file,
                            loc(svc),
                            format!("service `{}` is not in {}", svc.value, w.location),
                        )
                        .hint(hint_for(&svc.value, &names, "services")),
                    );
                    return None;
                }
            },
            None => (0..w.bindings.len())
                .map(|i| (i, w.address_of(i)))
                .collect(),
        };
        let port_types: Vec<&wsdl::QName> = {
            let mut v: Vec<&wsdl::QName> = candidates
                .iter()
                .map(|(i, _)| &w.bindings[*i].port_type)
                .collect();
            v.sort();
            v.dedup();
            v
        };
        if port_types.len() > 1 {
            let names: Vec<String> = candidates
                .iter()
                .map(|(i, _)| w.bindings[*i].name.local.to_string())
                .collect();
            self.diags.push(
                Diagnostic::new(
                    file,
                    loc(&raw.wsdl),
                    format!("{} has {} bindings of different port types; soapbridge cannot guess which one to call", w.location, names.len()),
                )
                .hint(format!("name one with `binding:` (one of {}) or `port:`", names.join(", "))),
            );
            return None;
        }
        let wanted = want_version.unwrap_or(SoapVersion::V11);
        let pick = candidates
            .iter()
            .find(|(i, _)| w.bindings[*i].soap_version == wanted)
            .or_else(|| {
                if want_version.is_none() {
                    candidates.first()
                } else {
                    None
                }
            });
        match pick {
            Some(p) => Some(p.clone()),
            None => {
                let v = raw.soap_version.as_ref();
                self.diags.push(
                    Diagnostic::new(
                        file,
                        v.map(|v| v.referenced),
                        format!("{} has no SOAP {} binding here", w.location, wanted.label()),
                    )
                    .hint(format!(
                        "available: {}",
                        candidates
                            .iter()
                            .map(|(i, _)| format!(
                                "{} (SOAP {})",
                                w.bindings[*i].name.local,
                                w.bindings[*i].soap_version.label()
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                None
            }
        }
    }

    // ----- routes ---------------------------------------------------------------------

    fn register_route(
        &mut self,
        file: &Path,
        at: Option<Location>,
        method: &Method,
        path: &str,
        origin: &str,
    ) -> bool {
        if is_reserved(path) {
            self.diags.push(
                Diagnostic::new(file, at, format!("`{path}` is served by soapbridge itself"))
                    .hint("choose another path, or set a `base_path`"),
            );
            return false;
        }
        let entry = self
            .routes_seen
            .entry(method.clone())
            .or_insert_with(|| (matchit::Router::new(), Vec::new()));
        match entry.0.insert(path, origin.to_owned()) {
            Ok(()) => {
                entry.1.push(path.to_owned());
                true
            }
            Err(e) => {
                let other = match &e {
                    matchit::InsertError::Conflict { with } => entry
                        .0
                        .at(with)
                        .map(|m| format!(" (declared at {})", m.value))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                self.diags.push(
                    Diagnostic::new(
                        file,
                        at,
                        format!("route `{method} {path}` cannot be added: {e}{other}"),
                    )
                    .hint("each method and path may be declared once, across all mapping files"),
                );
                false
            }
        }
    }

    fn auto_routes(&mut self, file: &Path, backend: &Arc<Backend>, base: &str) {
        let b = backend.binding();
        let service = backend.wsdl.ports_of(backend.binding).next().map_or_else(
            || b.name.local.to_string(),
            |(s, _)| s.name.local.to_string(),
        );
        for (i, op) in b.operations.iter().enumerate() {
            let path = format!("{base}/{service}/{}", op.name);
            let origin = format!("{}: operation {}", file.display(), op.name);
            if !self.register_route(file, None, &Method::POST, &path, &origin) {
                continue;
            }
            let content = op.input.body.content;
            let response = ResponseShape {
                path: Vec::new(),
                status: if op.output.is_some() { 200 } else { 202 },
                ty: op.output.as_ref().map(|o| o.body.content),
                repeated: false,
            };
            self.out.routes.push(Arc::new(Route {
                method: Method::POST,
                path,
                backend: backend.clone(),
                operation: i,
                input: Input::Auto { fields: Vec::new() },
                soap_headers: None,
                path_params: Vec::new(),
                query_params: Vec::new(),
                header_params: Vec::new(),
                body: Some(BodySpec {
                    ty: content,
                    repeated: false,
                    fields: Vec::new(),
                    required: false,
                }),
                response,
                faults: Vec::new(),
                summary: op.documentation.clone(),
                description: None,
                origin,
            }));
        }
    }

    fn route(
        &mut self,
        file: &Path,
        backend: &Arc<Backend>,
        base: &str,
        r: &RawRoute,
    ) -> Option<Route> {
        let origin = format!("{}:{}", file.display(), r.route.referenced.line());
        let (method, rel_path) = match parse_route(&r.route.value) {
            Ok(x) => x,
            Err((msg, hint)) => {
                self.diags
                    .push(Diagnostic::new(file, loc(&r.route), msg).hint(hint));
                return None;
            }
        };
        let path = format!("{base}{rel_path}");
        let path_names = path_params(&path);
        let registered = self.register_route(file, loc(&r.route), &method, &path, &origin);
        let b = backend.binding();
        let Some(op_index) = b
            .operations
            .iter()
            .position(|o| o.name == r.operation.value)
        else {
            let names: Vec<&str> = b.operations.iter().map(|o| o.name.as_str()).collect();
            self.diags.push(
                Diagnostic::new(
                    file,
                    loc(&r.operation),
                    format!(
                        "operation `{}` is not in {} (binding {})",
                        r.operation.value, backend.wsdl.location, b.name.local
                    ),
                )
                .hint(hint_for(&r.operation.value, &names, "operations")),
            );
            return None;
        };
        let op = &b.operations[op_index];
        let schema = &backend.wsdl.schema;
        let mut ctx = RouteCtx {
            file: file.to_owned(),
            schema,
            path_names: path_names.clone(),
            method: method.clone(),
            path_params: Vec::new(),
            query_params: Vec::new(),
            header_params: Vec::new(),
            body_fields: Vec::new(),
            body_whole: None,
            diags: Vec::new(),
        };
        let input = match &r.request {
            Some(t) => ctx.request_template(t, op).map(Input::Template),
            None => ctx.auto_input(&r.route, op),
        };
        let soap_headers = match &r.soap_headers {
            Some(t) => ctx.soap_headers(t, op),
            None => None,
        };
        // Every path parameter must feed the request.
        for name in &path_names {
            let used = ctx.path_params.iter().any(|p| &p.name == name);
            if !used {
                ctx.diags.push(
                    Diagnostic::new(file, loc(&r.route), format!("path parameter `{{{name}}}` is not used by the request"))
                        .hint(format!("map it to an input field, e.g. `request: {{ someField: \"{{path.{name}}}\" }}`")),
                );
            }
        }
        let response = ctx.response(r, op);
        let faults = ctx.fault_rules(r, op);
        let body = ctx.body_spec(op);
        let RouteCtx {
            diags,
            path_params,
            query_params,
            header_params,
            ..
        } = ctx;
        let ok = diags.is_empty();
        self.diags.extend(diags);
        if !ok || !registered {
            return None;
        }
        Some(Route {
            method,
            path,
            backend: backend.clone(),
            operation: op_index,
            input: input?,
            soap_headers,
            path_params,
            query_params,
            header_params,
            body,
            response: response?,
            faults,
            summary: r.summary.clone().or_else(|| op.documentation.clone()),
            description: r.description.clone(),
            origin,
        })
    }
}

/// `GET /customers/{id}` → (GET, `/customers/{id}`).
fn parse_route(text: &str) -> Result<(Method, String), (String, String)> {
    let mut parts = text.split_whitespace();
    let (Some(m), Some(p), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err((
            format!("route `{text}` is not `METHOD /path`"),
            "write it as `GET /customers/{id}`".into(),
        ));
    };
    let method = match m.to_ascii_uppercase().as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        other => {
            return Err((
                format!("method `{other}` is not supported"),
                "use GET, POST, PUT, PATCH or DELETE".into(),
            ));
        }
    };
    if !p.starts_with('/') {
        return Err((
            format!("path `{p}` must start with `/`"),
            format!("write `/{p}`"),
        ));
    }
    for name in path_params(p) {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err((
                format!("path parameter `{{{name}}}` is not a valid name"),
                "use letters, digits and `_`, as in `{customer_id}`".into(),
            ));
        }
    }
    Ok((method, p.to_owned()))
}

/// Names of `{param}` segments.
pub fn path_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + end].to_owned());
        rest = &rest[start + end + 1..];
    }
    out
}

fn strip_location_prefix(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // "line 2 column 1: unknown field ..." → "unknown field ..."
    if first.starts_with("line ")
        && let Some((_, rest)) = first.split_once(": ")
    {
        return rest.to_owned();
    }
    first.to_owned()
}

/// `512KiB`, `10MiB`, `1048576`.
fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: usize = n.parse().ok()?;
    let mult = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "KB" | "k" | "K" => 1 << 10,
        "MiB" | "MB" | "M" => 1 << 20,
        "GiB" | "GB" | "G" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Per-route state while a route compiles.
struct RouteCtx<'a> {
    file: PathBuf,
    schema: &'a Schema,
    path_names: Vec<String>,
    method: Method,
    path_params: Vec<Param>,
    query_params: Vec<Param>,
    header_params: Vec<Param>,
    /// `{body.x}` placeholders: (field path, target type, required).
    body_fields: Vec<BodyField>,
    /// `{body}` placed whole: the target type.
    body_whole: Option<(TypeId, bool)>,
    diags: Vec<Diagnostic>,
}

/// What a template value fills.
#[derive(Clone, Copy)]
struct Target {
    ty: TypeId,
    repeated: bool,
    required: bool,
    nillable: bool,
}

impl RouteCtx<'_> {
    fn diag(&mut self, at: Option<Location>, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::new(&self.file, at, msg));
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    fn has_body(&self) -> bool {
        matches!(self.method, Method::POST | Method::PUT | Method::PATCH)
    }

    fn request_template(&mut self, t: &Spanned<Template>, op: &Operation) -> Option<Node> {
        let content = op.input.body.content;
        self.value(
            t,
            Target {
                ty: content,
                repeated: false,
                required: true,
                nillable: false,
            },
            "the request",
        )
    }

    fn soap_headers(&mut self, t: &Spanned<Template>, op: &Operation) -> Option<Node> {
        let Template::Map(entries) = &t.value else {
            self.diag(
                loc(t),
                "`soap_headers` must be a mapping of header element names",
            )
            .hint =
                Some("e.g. `soap_headers: { AuthHeader: { token: \"{header.x-token}\" } }`".into());
            return None;
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            match op.input.headers.iter().find(|h| *h.key == k.value) {
                Some(h) => {
                    let d = self.schema.element(h.element);
                    let target = Target {
                        ty: d.ty,
                        repeated: false,
                        required: true,
                        nillable: d.nillable,
                    };
                    if let Some(n) = self.value(v, target, &k.value) {
                        out.push((h.key.clone(), n));
                    }
                }
                None => {
                    let names: Vec<&str> = op.input.headers.iter().map(|h| &*h.key).collect();
                    let hint = hint_for(&k.value, &names, "SOAP headers of this operation");
                    self.diag(
                        loc(k),
                        format!("`{}` is not a SOAP header of {}", k.value, op.name),
                    )
                    .hint = Some(hint);
                }
            }
        }
        Some(Node::Object(out))
    }

    /// A template value for `target`; `name` is the field it fills, for messages.
    fn value(&mut self, t: &Spanned<Template>, target: Target, name: &str) -> Option<Node> {
        let schema = self.schema;
        match &t.value {
            Template::Map(entries) => {
                if target.repeated {
                    // One item given as a mapping: fine, it is a single element.
                }
                match schema.ty(target.ty) {
                    Type::Simple(_) => {
                        let label = schema.type_label(target.ty);
                        self.diag(
                            loc(t),
                            format!(
                                "`{name}` is a simple value ({label}); a mapping cannot fill it"
                            ),
                        )
                        .hint = Some(format!(
                            "give a constant or a placeholder, e.g. `{name}: \"{{query.{name}}}\"`"
                        ));
                        None
                    }
                    Type::Complex(_) => self.object(t, entries, target.ty),
                }
            }
            Template::List(items) => {
                let array_valued = match schema.ty(target.ty) {
                    Type::Simple(s) => matches!(s.variety, Variety::List(_)),
                    Type::Complex(c) => c.array.is_some(),
                };
                if !target.repeated && !array_valued && target.ty != well_known::ANY_TYPE {
                    self.diag(
                        loc(t),
                        format!("`{name}` does not repeat; a list cannot fill it"),
                    )
                    .hint = Some("give a single value".into());
                    return None;
                }
                let item_target = if target.repeated {
                    Target {
                        repeated: false,
                        required: true,
                        ..target
                    }
                } else {
                    let item = match schema.ty(target.ty) {
                        Type::Simple(s) => match s.variety {
                            Variety::List(i) => i,
                            _ => target.ty,
                        },
                        Type::Complex(c) => c.array.as_ref().map_or(target.ty, |a| a.item),
                    };
                    Target {
                        ty: item,
                        repeated: false,
                        required: true,
                        nillable: true,
                    }
                };
                let mut out = Vec::new();
                for it in items {
                    if let Some(n) = self.value(it, item_target, name) {
                        out.push(n);
                    }
                }
                Some(Node::Array(out))
            }
            Template::String(s) => self.string(t, s, target, name),
            Template::Number(n) => self.constant(t, n, target, name),
            Template::Bool(b) => self.constant(t, if *b { "true" } else { "false" }, target, name),
            Template::Null => {
                if target.nillable || !target.required {
                    Some(Node::Const(Value::Null))
                } else {
                    self.diag(
                        loc(t),
                        format!("`{name}` is not nillable; null cannot fill it"),
                    )
                    .hint = Some("give a value, or leave the field out if it is optional".into());
                    None
                }
            }
        }
    }

    fn object(
        &mut self,
        t: &Spanned<Template>,
        entries: &[(Spanned<String>, Spanned<Template>)],
        ty: TypeId,
    ) -> Option<Node> {
        let schema = self.schema;
        let c = schema.complex(ty)?;
        if ty == well_known::ANY_TYPE {
            let mut out = Vec::new();
            for (k, v) in entries {
                let target = Target {
                    ty: well_known::ANY_TYPE,
                    repeated: true,
                    required: false,
                    nillable: true,
                };
                if let Some(n) = self.value(v, target, &k.value) {
                    out.push((Arc::from(k.value.as_str()), n));
                }
            }
            return Some(Node::Object(out));
        }
        let mut out = Vec::new();
        let required = required_keys(schema, ty);
        for (k, v) in entries {
            let key = k.value.as_str();
            let target = match key {
                crate::translate::TYPE_KEY => Target {
                    ty: well_known::STRING,
                    repeated: false,
                    required: true,
                    nillable: false,
                },
                crate::translate::ANY_KEY => Target {
                    ty: well_known::ANY_TYPE,
                    repeated: true,
                    required: false,
                    nillable: false,
                },
                crate::translate::VALUE_KEY if matches!(c.content, Content::Simple(_)) => {
                    let Content::Simple(st) = c.content else {
                        unreachable!()
                    };
                    Target {
                        ty: st,
                        repeated: false,
                        required: true,
                        nillable: false,
                    }
                }
                _ => match c.slot(key) {
                    Some(slot) => match slot.kind {
                        SlotKind::Element(e) => {
                            let d = schema.element(e);
                            Target {
                                ty: d.ty,
                                repeated: slot.repeated,
                                required: required.iter().any(|r| **r == *key),
                                nillable: d.nillable,
                            }
                        }
                        SlotKind::Attribute(i) => Target {
                            ty: c.attributes[i].ty,
                            repeated: false,
                            required: c.attributes[i].required,
                            nillable: false,
                        },
                    },
                    None => {
                        let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
                        let hint =
                            hint_for(key, &names, &format!("fields of {}", schema.type_label(ty)));
                        self.diag(
                            loc(k),
                            format!("`{key}` is not a field of {}", schema.type_label(ty)),
                        )
                        .hint = Some(hint);
                        continue;
                    }
                },
            };
            if let Some(n) = self.value(v, target, key) {
                out.push((Arc::from(key), n));
            }
        }
        for r in &required {
            if !entries.iter().any(|(k, _)| k.value == **r) {
                let r = r.to_string();
                self.diag(loc(t), format!("required input `{r}` has no source"))
                    .hint = Some(format!(
                    "map it from the request, e.g. `{r}: \"{{body.{r}}}\"` or `{r}: \"{{query.{r}}}\"`, or give a constant"
                ));
            }
        }
        Some(Node::Object(out))
    }

    fn constant(
        &mut self,
        t: &Spanned<Template>,
        text: &str,
        target: Target,
        name: &str,
    ) -> Option<Node> {
        let schema = self.schema;
        let scalar_ty = scalar_target(schema, target.ty);
        match scalar_ty {
            Some(st) => match scalar::coerce(schema, st, text) {
                Ok(v) => Some(Node::Const(v)),
                Err(e) => {
                    self.diag(loc(t), format!("`{text}` cannot fill `{name}`: {e}"));
                    None
                }
            },
            None if target.ty == well_known::ANY_TYPE => {
                Some(Node::Const(Value::String(text.to_owned())))
            }
            None => {
                let label = schema.type_label(target.ty);
                self.diag(
                    loc(t),
                    format!("`{name}` is {label}, a complex type; a constant cannot fill it"),
                )
                .hint = Some(
                    "map its fields one by one, or take it from the body: `\"{body.…}\"`".into(),
                );
                None
            }
        }
    }

    fn string(
        &mut self,
        t: &Spanned<Template>,
        s: &str,
        target: Target,
        name: &str,
    ) -> Option<Node> {
        let pieces = match template::parse(s) {
            Ok(p) => p,
            Err(e) => {
                self.diag(loc(t), format!("placeholder in `{s}`: {e}"));
                return None;
            }
        };
        let refs = pieces.iter().filter(|p| matches!(p, Piece::Ref(_))).count();
        if refs == 0 {
            return self.constant(t, s, target, name);
        }
        let schema = self.schema;
        if let [Piece::Ref(r)] = pieces.as_slice() {
            let scalar_ty = scalar_target(schema, target.ty);
            if r.source.is_text() && scalar_ty.is_none() && target.ty != well_known::ANY_TYPE {
                let label = schema.type_label(target.ty);
                self.diag(
                    loc(t),
                    format!(
                        "{} is text, but `{name}` is {label}, a complex type",
                        r.source.describe()
                    ),
                )
                .hint = Some(
                    "map its fields one by one, or take it from the body: `\"{body.…}\"`".into(),
                );
                return None;
            }
            let default = match (&r.default, scalar_ty) {
                (Some(d), Some(st)) => match scalar::coerce(schema, st, d) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        self.diag(
                            loc(t),
                            format!(
                                "default `{d}` of {} cannot fill `{name}`: {e}",
                                r.source.describe()
                            ),
                        );
                        return None;
                    }
                },
                (Some(d), None) => Some(Value::String(d.clone())),
                (None, _) => None,
            };
            self.note_source(t, &r.source, scalar_ty, target, r.default.clone())?;
            return Some(Node::Source(SourceNode {
                source: r.source.clone(),
                scalar: scalar_ty,
                repeated: target.repeated,
                default,
                required: target.required && !target.nillable,
            }));
        }
        // Interpolation makes text.
        let is_text = scalar_target(schema, target.ty)
            .and_then(|st| schema.simple(st))
            .is_some_and(|s| s.builtin.json_kind() == wsdl::JsonKind::String);
        if !is_text && target.ty != well_known::ANY_TYPE {
            let label = schema.type_label(target.ty);
            self.diag(
                loc(t),
                format!("`{s}` builds text, but `{name}` is {label}"),
            )
            .hint = Some("use a single placeholder for a non-text field".into());
            return None;
        }
        let mut out = Vec::new();
        for p in pieces {
            match p {
                Piece::Literal(l) => out.push(InterpPiece::Literal(l)),
                Piece::Ref(r) => {
                    self.note_source(
                        t,
                        &r.source,
                        None,
                        Target {
                            repeated: false,
                            required: true,
                            ..target
                        },
                        r.default.clone(),
                    )?;
                    out.push(InterpPiece::Source(r.source));
                }
            }
        }
        Some(Node::Interpolate(out))
    }

    /// Checks a placeholder's source exists here and records it as a parameter.
    fn note_source(
        &mut self,
        t: &Spanned<Template>,
        source: &Source,
        scalar_ty: Option<TypeId>,
        target: Target,
        default: Option<String>,
    ) -> Option<()> {
        let param = |name: &str| Param {
            name: name.to_owned(),
            ty: scalar_ty,
            required: target.required && default.is_none(),
            repeated: target.repeated,
            default: default.clone(),
        };
        match source {
            Source::Path(n) => {
                if !self.path_names.contains(n) {
                    let names: Vec<&str> = self.path_names.iter().map(String::as_str).collect();
                    let hint = hint_for(n, &names, "path parameters of this route");
                    self.diag(
                        loc(t),
                        format!("path parameter `{n}` is not in the route path"),
                    )
                    .hint = Some(hint);
                    return None;
                }
                if !self.path_params.iter().any(|p| &p.name == n) {
                    let mut p = param(n);
                    p.required = true;
                    self.path_params.push(p);
                }
            }
            Source::Query(n) => {
                if !self.query_params.iter().any(|p| &p.name == n) {
                    self.query_params.push(param(n));
                }
            }
            Source::Header(n) => {
                if !self.header_params.iter().any(|p| &p.name == n) {
                    self.header_params.push(param(n));
                }
            }
            Source::Body(path) => {
                if !self.has_body() {
                    self.diag(
                        loc(t),
                        format!("{} routes have no request body", self.method),
                    )
                    .hint = Some("take the value from the path or the query instead".into());
                    return None;
                }
                if path.is_empty() {
                    self.body_whole = Some((target.ty, target.repeated));
                } else {
                    self.body_fields.push(BodyField {
                        path: path.join("."),
                        ty: target.ty,
                        required: target.required,
                        repeated: target.repeated,
                    });
                }
            }
        }
        Some(())
    }

    fn auto_input(&mut self, route: &Spanned<String>, op: &Operation) -> Option<Input> {
        let schema = self.schema;
        let content = op.input.body.content;
        let Some(c) = schema.complex(content) else {
            self.diag(
                loc(route),
                format!(
                    "the input of {} is {}, not a set of fields",
                    op.name,
                    schema.type_label(content)
                ),
            )
            .hint = Some("write a `request:` template for this route".into());
            return None;
        };
        let mut fields = Vec::new();
        for name in self.path_names.clone() {
            let slot = c
                .slot(&name)
                .or_else(|| c.slots.iter().find(|s| s.key.eq_ignore_ascii_case(&name)));
            match slot.map(|s| (s, s.kind.clone())) {
                Some((s, SlotKind::Element(e))) => {
                    let ty = schema.element(e).ty;
                    match scalar_target(schema, ty) {
                        Some(st) => {
                            let p = Param {
                                name: name.clone(),
                                ty: Some(st),
                                required: true,
                                repeated: false,
                                default: None,
                            };
                            self.path_params.push(p.clone());
                            fields.push((
                                Source::Path(name.clone()),
                                Param {
                                    name: s.key.to_string(),
                                    ..p
                                },
                            ));
                        }
                        None => {
                            let label = schema.type_label(ty);
                            self.diag(loc(route), format!("path parameter `{{{name}}}` matches `{}`, which is {label}, not a simple value", s.key));
                        }
                    }
                }
                _ => {
                    let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
                    let hint = format!(
                        "name the parameter after an input field, or write a `request:` template. {}",
                        hint_for(&name, &names, &format!("input fields of {}", op.name))
                    );
                    self.diag(
                        loc(route),
                        format!(
                            "path parameter `{{{name}}}` matches no input field of {}",
                            op.name
                        ),
                    )
                    .hint = Some(hint);
                }
            }
        }
        // Top-level simple fields may come from the query.
        let required = required_keys(schema, content);
        for s in &c.slots {
            let SlotKind::Element(e) = s.kind else {
                continue;
            };
            if fields.iter().any(|(_, p)| *p.name == *s.key) {
                continue;
            }
            let ty = schema.element(e).ty;
            if let Some(st) = scalar_target(schema, ty) {
                let p = Param {
                    name: s.key.to_string(),
                    ty: Some(st),
                    required: !self.has_body() && required.contains(&s.key),
                    repeated: s.repeated,
                    default: None,
                };
                self.query_params.push(p.clone());
                fields.push((Source::Query(s.key.to_string()), p));
            }
        }
        if self.has_body() {
            self.body_whole = Some((content, false));
        }
        Some(Input::Auto { fields })
    }

    fn body_spec(&self, op: &Operation) -> Option<BodySpec> {
        if let Some((ty, repeated)) = self.body_whole {
            return Some(BodySpec {
                ty,
                repeated,
                fields: Vec::new(),
                required: ty != op.input.body.content || !self.body_fields.is_empty(),
            });
        }
        if self.body_fields.is_empty() {
            return None;
        }
        Some(BodySpec {
            ty: well_known::ANY_TYPE,
            repeated: false,
            fields: self.body_fields.clone(),
            required: self.body_fields.iter().any(|f| f.required),
        })
    }

    fn response(&mut self, r: &RawRoute, op: &Operation) -> Option<ResponseShape> {
        let schema = self.schema;
        let raw = r.response.as_ref();
        let status = match raw.and_then(|x| x.status.as_ref()) {
            Some(s) if (200..=299).contains(&s.value) => s.value,
            Some(s) => {
                self.diag(
                    loc(s),
                    format!("response status {} is not a success status", s.value),
                )
                .hint = Some("use 200..299; faults get their status under `faults:`".into());
                return None;
            }
            None => {
                if op.output.is_some() {
                    200
                } else {
                    202
                }
            }
        };
        let Some(out) = &op.output else {
            if let Some(b) = raw.and_then(|x| x.body.as_ref()) {
                self.diag(
                    loc(b),
                    format!("{} is one-way: it has no output to select from", op.name),
                );
                return None;
            }
            return Some(ResponseShape {
                path: Vec::new(),
                status,
                ty: None,
                repeated: false,
            });
        };
        let mut ty = out.body.content;
        let mut path = Vec::new();
        let mut repeated = false;
        if let Some(b) = raw.and_then(|x| x.body.as_ref()) {
            for seg in b.value.split('.').filter(|s| !s.is_empty()) {
                if repeated {
                    self.diag(
                        loc(b),
                        format!(
                            "`{}` goes into a list; the path must end at the list",
                            b.value
                        ),
                    );
                    return None;
                }
                let Some(c) = schema.complex(ty) else {
                    self.diag(
                        loc(b),
                        format!(
                            "`{seg}` in `{}`: {} has no fields",
                            b.value,
                            schema.type_label(ty)
                        ),
                    );
                    return None;
                };
                match c.slot(seg) {
                    Some(slot) => {
                        ty = match slot.kind {
                            SlotKind::Element(e) => schema.element(e).ty,
                            SlotKind::Attribute(i) => c.attributes[i].ty,
                        };
                        repeated = slot.repeated;
                        path.push(slot.key.clone());
                    }
                    None => {
                        let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
                        let hint =
                            hint_for(seg, &names, &format!("fields of the {} output", op.name));
                        self.diag(
                            loc(b),
                            format!(
                                "response body `{}`: `{seg}` is not in the output of {}",
                                b.value, op.name
                            ),
                        )
                        .hint = Some(hint);
                        return None;
                    }
                }
            }
        }
        Some(ResponseShape {
            path,
            status,
            ty: Some(ty),
            repeated,
        })
    }

    fn fault_rules(&mut self, r: &RawRoute, op: &Operation) -> Vec<FaultRule> {
        let mut out = Vec::new();
        for f in r.faults.iter().flatten() {
            if let Some(rule) = self.fault_rule(f, op) {
                out.push(rule);
            }
        }
        out
    }

    fn fault_rule(&mut self, f: &RawFaultRule, op: &Operation) -> Option<FaultRule> {
        let schema = self.schema;
        if !(100..=599).contains(&f.status.value) {
            self.diag(
                loc(&f.status),
                format!("status {} is not an HTTP status", f.status.value),
            );
            return None;
        }
        let m = f.match_.value.as_str();
        let declared = op.faults.iter().find(|d| {
            d.name == m
                || d.element
                    .is_some_and(|e| *schema.element(e).name.local == *m)
        });
        const CODES: &[&str] = &[
            "Client",
            "Server",
            "Sender",
            "Receiver",
            "VersionMismatch",
            "MustUnderstand",
            "DataEncodingUnknown",
        ];
        let head = m.split('.').next().unwrap_or(m);
        let (matches, detail_ty) = match declared {
            Some(d) => (
                FaultMatch::Declared(d.name.clone()),
                Some(d.detail_type(schema)),
            ),
            None if m == "*" => (FaultMatch::Any, None),
            None if CODES.contains(&head) => (FaultMatch::Code(m.to_owned()), None),
            None => {
                let mut names: Vec<&str> = op.faults.iter().map(|d| d.name.as_str()).collect();
                names.extend(CODES);
                names.push("*");
                let hint = hint_for(m, &names, "faults and fault codes");
                self.diag(
                    loc(&f.match_),
                    format!("`{m}` is neither a fault of {} nor a fault code", op.name),
                )
                .hint = Some(hint);
                return None;
            }
        };
        let mut when = Vec::new();
        if let Some(w) = &f.when {
            let Template::Map(entries) = &w.value else {
                self.diag(
                    loc(w),
                    "`when` must be a mapping of detail fields to values",
                )
                .hint = Some("e.g. `when: { code: UNKNOWN_CUSTOMER }`".into());
                return None;
            };
            for (k, v) in entries {
                let path: Vec<String> = k.value.split('.').map(str::to_owned).collect();
                if let Some(mut ty) = detail_ty {
                    for seg in &path {
                        let Some(c) = schema.complex(ty) else { break };
                        if ty == well_known::ANY_TYPE {
                            break;
                        }
                        match c.slot(seg) {
                            Some(s) => {
                                ty = match s.kind {
                                    SlotKind::Element(e) => schema.element(e).ty,
                                    SlotKind::Attribute(i) => c.attributes[i].ty,
                                };
                            }
                            None => {
                                let names: Vec<&str> = c.slots.iter().map(|s| &*s.key).collect();
                                let hint = hint_for(seg, &names, "fields of the fault detail");
                                self.diag(
                                    loc(k),
                                    format!("`{}` is not in the detail of fault {m}", k.value),
                                )
                                .hint = Some(hint);
                                return None;
                            }
                        }
                    }
                }
                let value = match &v.value {
                    Template::String(s) | Template::Number(s) => s.clone(),
                    Template::Bool(b) => b.to_string(),
                    other => {
                        self.diag(
                            loc(v),
                            format!("`when` values are scalars, not {}", other.kind()),
                        );
                        return None;
                    }
                };
                when.push((path, value));
            }
        }
        Some(FaultRule {
            matches,
            when,
            status: f.status.value,
            title: f.title.clone(),
        })
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
    fn routes_parse() {
        let (m, p) = parse_route("get /customers/{id}").expect("parses");
        assert_eq!(m, Method::GET);
        assert_eq!(p, "/customers/{id}");
        assert!(parse_route("GET customers").is_err());
        assert!(parse_route("FETCH /x").is_err());
        assert!(parse_route("GET /x/{a-b}").is_err());
        assert!(parse_route("GET").is_err());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512KiB"), Some(512 * 1024));
        assert_eq!(parse_size("10MiB"), Some(10 << 20));
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("ten"), None);
    }

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

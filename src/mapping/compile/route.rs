//! Routes: `METHOD /path` parsed and registered (reserved paths and clashes across all
//! mapping files refused), the automatic routes of a mapping without `routes:`, and one
//! declared route compiled through its [`RouteCtx`].
//!
//! May import: `mapping::{diag, model, raw}`, `wsdl`; the per-route checks come from
//! [`super::request`], [`super::params`], [`super::response`] and [`super::faults`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::http::Method;
use serde_saphyr::Location;

use super::{Compiler, is_reserved, loc};
use crate::mapping::diag::{Diagnostic, hint_for};
use crate::mapping::model::*;
use crate::mapping::raw::{RawRoute, RawRouteGraphql};
use crate::wsdl::{Schema, TypeId};

impl Compiler<'_> {
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
                // matchit's own words name its internals; say it in the mapping's terms.
                let (message, hint) = match &e {
                    matchit::InsertError::Conflict { with } => {
                        let other = entry
                            .0
                            .at(with)
                            .map(|m| format!(" (declared at {})", m.value))
                            .unwrap_or_default();
                        let what = if with == path {
                            "is declared twice".to_owned()
                        } else {
                            format!("overlaps `{method} {with}`")
                        };
                        (
                            format!(
                                "route `{method} {path}` {what}{other}: both would match the same requests"
                            ),
                            "each method and path may be declared once, across all mapping files; routes that differ only in a parameter's name are the same route",
                        )
                    }
                    _ => (
                        format!("route `{method} {path}` is not a path the router can match"),
                        "use at most one `{name}` per path segment, with matching braces",
                    ),
                };
                self.diags
                    .push(Diagnostic::new(file, at, message).hint(hint));
                false
            }
        }
    }

    pub(super) fn auto_routes(&mut self, file: &Path, backend: &Arc<Backend>, base: &str) {
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
                soap_headers: None,
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
                auth: backend.auth.clone().or_else(|| self.default_policy()),
                cors: backend.cors.clone(),
                reads_auth: false,
                idempotent: false,
                graphql: GraphqlRoute::default(),
                origin,
            }));
        }
    }

    pub(super) fn route(
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
            reads_auth: None,
            diags: Vec::new(),
        };
        let input = match &r.request {
            Some(t) => ctx.request_template(t, op).map(Input::Template),
            None => ctx.auto_input(&r.route, op),
        };
        let before = ctx.body_fields.len();
        let soap_headers = match &r.soap_headers {
            Some(t) => ctx.soap_headers(t, op),
            None => None,
        };
        // Without `request:`, the whole body is the input: a header value taken from the
        // body would be sent as an input field too, and refused on every call.
        if let (None, Some(_), Some(t)) = (&r.request, ctx.body_whole, &r.soap_headers) {
            let schema = ctx.schema;
            let fields = schema.complex(op.input.body.content);
            for f in &ctx.body_fields[before..] {
                let top = f.path.split('.').next().unwrap_or(&f.path).to_owned();
                if fields.is_some_and(|c| c.slot(&top).is_some()) {
                    continue;
                }
                ctx.diags.push(
                    Diagnostic::new(
                        file,
                        loc(t),
                        format!(
                            "`soap_headers` reads `{{body.{}}}`, but without `request:` the whole body is the input of `{}`, which has no field `{top}`",
                            f.path, op.name
                        ),
                    )
                    .hint("write a `request:` template that takes the input fields from the body, or take the header's value from `{header.NAME}`"),
                );
            }
        }
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
            reads_auth,
            ..
        } = ctx;
        let ok = diags.is_empty();
        self.diags.extend(diags);
        let idempotent =
            method == Method::GET || method == Method::HEAD || r.idempotent == Some(true);
        let auth = match &r.auth {
            Some(a) => self.policy(file, Some(a)),
            None => backend.auth.clone().or_else(|| self.default_policy()),
        };
        if let Some(at) = reads_auth {
            self.check_auth_reader(file, at, &r.route.value, auth.as_deref());
        }
        let cors = match &r.cors {
            Some(c) => self.cors(file, Some(c)),
            None => backend.cors.clone(),
        };
        let graphql = self.graphql(file, r.graphql.as_ref());
        if !ok || !registered {
            return None;
        }
        Some(Route {
            graphql: graphql?,
            auth,
            cors,
            reads_auth: reads_auth.is_some(),
            idempotent,
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

impl Compiler<'_> {
    /// A route's `graphql:` settings: the kind is `query` or `mutation`, the name a valid
    /// GraphQL name.
    fn graphql(&mut self, file: &Path, g: Option<&RawRouteGraphql>) -> Option<GraphqlRoute> {
        let Some(g) = g else {
            return Some(GraphqlRoute::default());
        };
        let mut ok = true;
        let kind = match g.kind.as_ref().map(|k| (k, k.value.as_str())) {
            None => None,
            Some((_, "query")) => Some(GraphqlKind::Query),
            Some((_, "mutation")) => Some(GraphqlKind::Mutation),
            Some((k, other)) => {
                self.diags.push(
                    Diagnostic::new(file, loc(k), format!("graphql kind `{other}` is not known"))
                        .hint("write `query` or `mutation`"),
                );
                ok = false;
                None
            }
        };
        if let Some(n) = &g.name
            && !is_graphql_name(&n.value)
        {
            self.diags.push(
                Diagnostic::new(
                    file,
                    loc(n),
                    format!("graphql name `{}` is not a GraphQL name", n.value),
                )
                .hint("use letters, digits and `_`, not starting with a digit or `__`"),
            );
            ok = false;
        }
        ok.then(|| GraphqlRoute {
            enabled: g.enabled,
            kind,
            name: g.name.as_ref().map(|n| n.value.clone()),
        })
    }
}

/// Whether `s` is a GraphQL name (`/[_A-Za-z][_0-9A-Za-z]*/`) not reserved for
/// introspection (`__`).
pub fn is_graphql_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !s.starts_with("__")
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

/// Per-route state while a route compiles.
pub(super) struct RouteCtx<'a> {
    pub(super) file: PathBuf,
    pub(super) schema: &'a Schema,
    pub(super) path_names: Vec<String>,
    pub(super) method: Method,
    pub(super) path_params: Vec<Param>,
    pub(super) query_params: Vec<Param>,
    pub(super) header_params: Vec<Param>,
    /// `{body.x}` placeholders: (field path, target type, required).
    pub(super) body_fields: Vec<BodyField>,
    /// `{body}` placed whole: the target type.
    pub(super) body_whole: Option<(TypeId, bool)>,
    /// Where the first `{auth.*}` placeholder is, if any.
    pub(super) reads_auth: Option<Option<Location>>,
    pub(super) diags: Vec<Diagnostic>,
}

impl RouteCtx<'_> {
    pub(super) fn diag(&mut self, at: Option<Location>, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::new(&self.file, at, msg));
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    pub(super) fn has_body(&self) -> bool {
        matches!(self.method, Method::POST | Method::PUT | Method::PATCH)
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
}

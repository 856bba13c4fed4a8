//! The route table: method + path → route, built once from the mappings and swapped whole
//! on reload.
//!
//! May import `gateway` (clients, guards), `mapping` (routes), `openapi` (the document),
//! `graphql` (the schema, built with the table).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::Method;

use crate::config::Gateway;
use crate::edge::Policy;
use crate::edge::cors::CorsPolicy;
use crate::gateway::{Backends, Target};
use crate::mapping::{Mappings, Route};
use crate::metrics::RouteSeries;

pub use crate::mapping::compile::{RESERVED, is_reserved};

pub struct RouteTable {
    routers: HashMap<Method, matchit::Router<usize>>,
    pub routes: Vec<Arc<Route>>,
    /// Each route's policy (same index), resolved from the gateway configuration.
    policies: Vec<Option<Arc<Policy>>>,
    /// Each route's CORS policy (same index).
    cors: Vec<Option<Arc<CorsPolicy>>>,
    /// Each route's metric labels (same index), made once so a request only clones them.
    labels: Vec<RouteLabelValues>,
    backends: Backends,
    pub notes: Vec<String>,
    /// Who may call what, for the OpenAPI document (with a gateway configuration).
    security: Option<crate::openapi::Security>,
    /// The OpenAPI document of these routes, built on first request.
    openapi: std::sync::OnceLock<bytes::Bytes>,
    /// The GraphQL schema of the routes served on `/graphql` (`None`: none is).
    graphql: Option<Arc<crate::graphql::Face>>,
}

impl std::fmt::Debug for RouteTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteTable")
            .field("routes", &self.routes.len())
            .finish()
    }
}

/// The `method` and `route` label values of a route's request metrics, and its series once
/// it has served a request.
#[derive(Debug)]
pub struct RouteLabelValues {
    pub method: Arc<str>,
    pub route: Arc<str>,
    /// The status the route answers with when the call succeeds: its counter is kept.
    pub usual_status: u16,
    pub series: std::sync::OnceLock<RouteSeries>,
}

pub enum Found<'t> {
    Route {
        target: Target<'t>,
        labels: &'t RouteLabelValues,
        policy: Option<&'t Arc<Policy>>,
        cors: Option<&'t Arc<CorsPolicy>>,
        params: Vec<(String, String)>,
    },
    MethodNotAllowed(Vec<String>),
    NotFound,
}

impl RouteTable {
    pub fn empty() -> Self {
        Self {
            routers: HashMap::new(),
            routes: Vec::new(),
            policies: Vec::new(),
            cors: Vec::new(),
            labels: Vec::new(),
            backends: Backends::default(),
            notes: Vec::new(),
            security: None,
            openapi: std::sync::OnceLock::new(),
            graphql: None,
        }
    }

    /// The table of mappings that name no policy (no gateway configuration).
    pub fn build(m: Mappings) -> Result<Self, String> {
        Self::build_with(m, &Gateway::default())
    }

    /// The table, with each route's policy taken from `gateway`.
    pub fn build_with(m: Mappings, gateway: &Gateway) -> Result<Self, String> {
        let mut policies = Vec::with_capacity(m.routes.len());
        for r in &m.routes {
            policies.push(match &r.auth {
                None => None,
                Some(name) => Some(gateway.policies.get(name).cloned().ok_or_else(|| {
                    format!(
                        "{}: policy `{name}` is not in the gateway configuration",
                        r.origin
                    )
                })?),
            });
        }
        let mut cors = Vec::with_capacity(m.routes.len());
        for r in &m.routes {
            cors.push(match &r.cors {
                None => None,
                Some(name) => Some(gateway.cors.get(name).cloned().ok_or_else(|| {
                    format!(
                        "{}: CORS policy `{name}` is not in the gateway configuration",
                        r.origin
                    )
                })?),
            });
        }
        let backends = Backends::build(&m.backends)?;
        let mut routers: HashMap<Method, matchit::Router<usize>> = HashMap::new();
        for (i, r) in m.routes.iter().enumerate() {
            if is_reserved(&r.path) {
                return Err(format!(
                    "{}: `{}` is served by soapbridge itself; choose another path",
                    r.origin, r.path
                ));
            }
            routers
                .entry(r.method.clone())
                .or_default()
                .insert(r.path.clone(), i)
                .map_err(|e| format!("{}: route {} {}: {e}", r.origin, r.method, r.path))?;
        }
        let graphql = crate::graphql::build(&m.routes, &gateway.graphql)?.map(Arc::new);
        let labels = m
            .routes
            .iter()
            .map(|r| RouteLabelValues {
                method: Arc::from(r.method.as_str()),
                route: Arc::from(r.path.as_str()),
                usual_status: r.response.status,
                series: std::sync::OnceLock::new(),
            })
            .collect();
        Ok(Self {
            routers,
            routes: m.routes,
            policies,
            cors,
            labels,
            backends,
            notes: m.notes,
            security: (!gateway.policies.is_empty()).then(|| gateway.openapi_security()),
            openapi: std::sync::OnceLock::new(),
            graphql,
        })
    }

    /// The OpenAPI 3.1 document of these routes (built once per table: a reload makes a new
    /// table, and so a new document).
    pub fn openapi_document(&self) -> bytes::Bytes {
        self.openapi
            .get_or_init(|| {
                bytes::Bytes::from(
                    crate::openapi::spec_for_routes(&self.routes, None, self.security.as_ref())
                        .to_string(),
                )
            })
            .clone()
    }

    /// The GraphQL schema of these routes, when any route is served on `/graphql`.
    pub fn graphql(&self) -> Option<&Arc<crate::graphql::Face>> {
        self.graphql.as_ref()
    }

    /// The policy of the route at `index`.
    pub fn policy(&self, index: usize) -> Option<&Arc<Policy>> {
        self.policies.get(index)?.as_ref()
    }

    /// Per backend: breaker state and calls in flight.
    pub fn backends(&self) -> &Backends {
        &self.backends
    }

    /// The route a CORS preflight for `method` on `path` asks about, with its CORS policy
    /// (`None` inside: the route allows no cross-origin calls).
    pub fn preflight_target(
        &self,
        method: &Method,
        path: &str,
    ) -> Option<(&Arc<Route>, Option<&Arc<CorsPolicy>>)> {
        let m = self.routers.get(method)?.at(path).ok()?;
        Some((&self.routes[*m.value], self.cors[*m.value].as_ref()))
    }

    /// The route for `method` and `path`; HEAD finds a GET route (the face answers it
    /// without a body).
    pub fn find(&self, method: &Method, path: &str) -> Found<'_> {
        let router = self.routers.get(method).or_else(|| {
            (method == Method::HEAD)
                .then(|| self.routers.get(&Method::GET))
                .flatten()
        });
        if let Some(router) = router
            && let Ok(m) = router.at(path)
        {
            let route = &self.routes[*m.value];
            let params = m
                .params
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            if let Some(target) = self.backends.target(route) {
                return Found::Route {
                    target,
                    labels: &self.labels[*m.value],
                    policy: self.policies[*m.value].as_ref(),
                    cors: self.cors[*m.value].as_ref(),
                    params,
                };
            }
        }
        let mut allowed: Vec<String> = self
            .routers
            .iter()
            .filter(|(m, r)| *m != method && r.at(path).is_ok())
            .map(|(m, _)| m.to_string())
            .collect();
        if allowed.iter().any(|m| m == "GET") && method != Method::HEAD {
            allowed.push("HEAD".to_owned());
        }
        if allowed.is_empty() {
            Found::NotFound
        } else {
            allowed.sort();
            Found::MethodNotAllowed(allowed)
        }
    }
}

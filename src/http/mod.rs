//! The REST face: actix-web app, route table, problem+json, health and metrics endpoints.
//!
//! ```text
//! /healthz /readyz /metrics /openapi.json /docs      built in
//! /graphql /graphiql                                the GraphQL face (graphql.rs)
//! anything else ──> handler::dispatch ──> RouteTable (ArcSwap: reload swaps it whole)
//!                        └──> gateway::Core::invoke (the pipeline every face shares)
//! ```
//!
//! May import `gateway`, `mapping`, `metrics`, `openapi`, `graphql`; nothing below may
//! import it.

mod bundled;
pub mod compress;
pub mod docs;
pub mod graphql;
pub mod handler;
pub mod problem;
pub mod router;
pub mod server;
pub mod strict;
pub mod tls;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::{HttpRequest, HttpResponse, web};
use arc_swap::ArcSwap;
use serde_json::json;

use crate::gateway::Core;
use crate::translate::Limits;
pub use problem::Problem;
pub use router::RouteTable;

/// Server-wide settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Bounds on backend XML.
    pub xml_limits: Limits,
    /// Bytes of backend answers held in memory at once, all calls together.
    pub answer_memory: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1 << 20,
            xml_limits: Limits::default(),
            answer_memory: crate::soap::budget::DEFAULT_BYTES,
        }
    }
}

/// Shared by every worker.
pub struct AppState {
    pub table: ArcSwap<RouteTable>,
    /// The call pipeline every face uses, with the process's metrics.
    pub core: Core,
    pub config: ServerConfig,
    /// Set on SIGTERM: `/readyz` answers 503 while requests in flight finish.
    pub draining: AtomicBool,
}

impl AppState {
    pub fn new(table: RouteTable, config: ServerConfig) -> Self {
        let budget = crate::soap::budget::MemoryBudget::new(
            config.answer_memory,
            crate::soap::budget::DEFAULT_WAIT,
        );
        let core = Core::new(config.xml_limits, budget);
        core.metrics.routes.set(table.routes.len() as i64);
        Self {
            table: ArcSwap::from_pointee(table),
            core,
            config,
            draining: AtomicBool::new(false),
        }
    }

    /// Replaces the route table (requests in flight finish on the old one).
    pub fn swap(&self, table: RouteTable) {
        self.core.metrics.routes.set(table.routes.len() as i64);
        self.table.store(Arc::new(table));
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Each backend's circuit and load, for `/readyz`.
fn backend_status(table: &RouteTable) -> serde_json::Map<String, serde_json::Value> {
    table
        .backends()
        .status()
        .into_iter()
        .map(|b| {
            (
                b.name,
                json!({
                    "circuit": b.circuit.label(),
                    "in_flight": b.in_flight,
                    "queued": b.queued,
                }),
            )
        })
        .collect()
}

/// Readiness: routes are loaded. A backend that is down (its circuit open) is not a reason to
/// pull this replica, so it stays ready; the body shows each backend's circuit.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let routes = state.table.load().routes.len();
    if state.draining.load(Ordering::SeqCst) {
        HttpResponse::ServiceUnavailable()
            .content_type("application/problem+json")
            .body(
                Problem::new(503, "shutting-down", "soapbridge is shutting down")
                    .detail("requests in flight finish; send new ones to another replica")
                    .body("/readyz", "-")
                    .to_string(),
            )
    } else if routes == 0 {
        HttpResponse::ServiceUnavailable()
            .content_type("application/problem+json")
            .body(
                Problem::new(503, "not-ready", "No routes are loaded")
                    .body("/readyz", "-")
                    .to_string(),
            )
    } else {
        HttpResponse::Ok().json(json!({
            "status": "ready",
            "routes": routes,
            "backends": backend_status(&state.table.load()),
        }))
    }
}

async fn metrics_endpoint(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.core.metrics.render())
}

async fn not_allowed(req: HttpRequest) -> HttpResponse {
    let rid = handler::request_id(&req);
    Problem::method_not_allowed(
        req.method().as_str(),
        &["GET".to_owned(), "HEAD".to_owned()],
    )
    .response(req.path(), &rid)
}

/// GET, and HEAD answered the same way (actix sends no body for HEAD).
pub(crate) fn get_or_head() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

/// Registers soapbridge's endpoints on an actix app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/healthz")
            .route(get_or_head().to(healthz))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/readyz")
            .route(get_or_head().to(readyz))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/metrics")
            .route(get_or_head().to(metrics_endpoint))
            .default_service(web::to(not_allowed)),
    )
    .configure(docs::configure)
    .configure(graphql::configure)
    .default_service(web::to(handler::dispatch));
}

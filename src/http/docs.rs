//! The API description: `GET /openapi.json` (OpenAPI 3.1 of the loaded route table) and
//! `GET /docs` (Swagger UI, compiled into the binary; see assets/docs/README.md).
//!
//! ```text
//! /openapi.json ──> cache hit for this RouteTable? ──no──> openapi::spec_for_routes ──> cache
//! /docs         ──> index.html ──> /docs/swagger-ui-bundle.js, /docs/swagger-ui.css
//! ```
//!
//! A reload swaps the route table, so the document is cached against the table it was
//! built from and rebuilt on the first request after a swap.

use std::sync::{Arc, Mutex, Weak};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;

use super::{AppState, Problem, RouteTable, handler, not_allowed};

const INDEX_HTML: &[u8] = include_bytes!("../../assets/docs/index.html");
const SWAGGER_UI_JS: &[u8] = include_bytes!("../../assets/docs/swagger-ui-bundle.js");
const SWAGGER_UI_CSS: &[u8] = include_bytes!("../../assets/docs/swagger-ui.css");

/// The page's assets: path, content type, bytes (the page refers to them as `docs/...`).
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/docs/swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        SWAGGER_UI_JS,
    ),
    (
        "/docs/swagger-ui.css",
        "text/css; charset=utf-8",
        SWAGGER_UI_CSS,
    ),
];

/// The last document built, with the table it describes (held weakly: a dropped table
/// cannot match, and its address cannot be reused while the `Weak` lives).
static CACHE: Mutex<Option<(Weak<RouteTable>, Bytes)>> = Mutex::new(None);

/// Registers `/openapi.json`, `/docs` and the page's assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/openapi.json")
            .route(web::get().to(openapi_json))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/docs")
            .route(web::get().to(page))
            .default_service(web::to(not_allowed)),
    );
    for (path, _, _) in ASSETS {
        cfg.service(
            web::resource(*path)
                .route(web::get().to(asset))
                .default_service(web::to(not_allowed)),
        );
    }
}

/// The document for `table`, built once per table.
pub fn document(table: &Arc<RouteTable>) -> Bytes {
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((weak, body)) = cache.as_ref()
        && std::ptr::eq(weak.as_ptr(), Arc::as_ptr(table))
    {
        return body.clone();
    }
    let spec = crate::openapi::spec_for_routes(&table.routes, None);
    let body = Bytes::from(spec.to_string());
    *cache = Some((Arc::downgrade(table), body.clone()));
    body
}

async fn openapi_json(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let table = state.table.load_full();
    let body = match web::block(move || document(&table)).await {
        Ok(b) => b,
        Err(e) => {
            return Problem::internal(format!("the document was not built: {e}"))
                .response(req.path(), &handler::request_id(&req));
        }
    };
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(INDEX_HTML)
}

async fn asset(req: HttpRequest) -> HttpResponse {
    let Some((_, content_type, body)) = ASSETS.iter().find(|(p, _, _)| *p == req.path()) else {
        return Problem::route_not_found("GET", req.path())
            .response(req.path(), &handler::request_id(&req));
    };
    HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(*body)
}

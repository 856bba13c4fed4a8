//! The API description: `GET /openapi.json` (OpenAPI 3.1 of the loaded route table) and
//! `GET /docs` (Swagger UI, compiled into the binary; see assets/docs/README.md).
//!
//! ```text
//! /openapi.json ──> RouteTable::openapi_document (built once per table)
//! /docs         ──> index.html ──> /docs/swagger-ui-bundle.js, /docs/swagger-ui.css
//! ```
//!
//! The document belongs to the route table (`RouteTable::openapi_document`): a reload swaps
//! the table, and the new table builds its document on the first request.
//!
//! May import the REST face's own modules and `openapi` (through the route table).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{AppState, Problem, handler, not_allowed};

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

/// Registers `/openapi.json`, `/docs` and the page's assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/openapi.json")
            .route(super::get_or_head().to(openapi_json))
            .default_service(web::to(not_allowed)),
    );
    super::bundled::register(cfg, &PAGE);
}

/// Swagger UI and its assets.
static PAGE: super::bundled::Bundle = super::bundled::Bundle {
    path: "/docs",
    html: INDEX_HTML,
    assets: ASSETS,
};

async fn openapi_json(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let table = state.table.load_full();
    let body = match web::block(move || table.openapi_document()).await {
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

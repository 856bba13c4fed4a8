//! Pages compiled into the binary (Swagger UI at `/docs`, GraphiQL at `/graphiql`): the page,
//! `page/` sent to it, and the page's assets; GET and HEAD only, anything else 405.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::handler;
use super::problem::Problem;

/// A page and what it loads: path, content type, bytes (the page names them relative to
/// itself, as `docs/...`).
pub struct Bundle {
    pub path: &'static str,
    pub html: &'static [u8],
    pub assets: &'static [(&'static str, &'static str, &'static [u8])],
}

/// Registers `bundle`'s page, its trailing-slash redirect and its assets.
pub fn register(cfg: &mut web::ServiceConfig, bundle: &'static Bundle) {
    // The assets are relative to the page, so `page/` is sent to it (a relative Location,
    // so a path prefix added by a proxy is kept).
    let name = bundle.path.rsplit('/').next().unwrap_or_default();
    let location = format!("../{name}");
    cfg.service(
        web::resource(bundle.path)
            .route(super::get_or_head().to(move || async move {
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .insert_header((header::CACHE_CONTROL, "no-cache"))
                    .body(bundle.html)
            }))
            .default_service(web::to(super::not_allowed)),
    )
    .service(
        web::resource(format!("{}/", bundle.path))
            .route(super::get_or_head().to(move || {
                let location = location.clone();
                async move {
                    HttpResponse::PermanentRedirect()
                        .insert_header((header::LOCATION, location))
                        .finish()
                }
            }))
            .default_service(web::to(super::not_allowed)),
    );
    for (path, _, _) in bundle.assets {
        cfg.service(
            web::resource(*path)
                .route(
                    super::get_or_head()
                        .to(move |req: HttpRequest| async move { asset(bundle, &req) }),
                )
                .default_service(web::to(super::not_allowed)),
        );
    }
}

fn asset(bundle: &Bundle, req: &HttpRequest) -> HttpResponse {
    let Some((_, content_type, body)) = bundle.assets.iter().find(|(p, _, _)| *p == req.path())
    else {
        return Problem::route_not_found("GET", req.path())
            .response(req.path(), &handler::request_id(req));
    };
    HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(*body)
}

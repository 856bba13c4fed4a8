//! Problems as HTTP answers: `application/problem+json` with the problem's status.
//!
//! The catalogue itself is face-independent (`gateway::problem`); this adds only the HTTP
//! rendering (an inherent impl, so every call site reads `problem.response(path, rid)`).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

pub use crate::gateway::problem::{Problem, TYPE_PREFIX};

impl Problem {
    /// The problem as an HTTP response, `instance` being the request path.
    pub fn response(&self, instance: &str, request_id: &str) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut b = HttpResponse::build(status);
        b.content_type("application/problem+json");
        b.body(self.body(instance, request_id).to_string())
    }
}

//! Problems as HTTP answers: `application/problem+json` with the problem's status.
//!
//! The catalogue itself is face-independent (`gateway::problem`); this adds only the HTTP
//! rendering (an inherent impl, so every call site reads `problem.response(path, rid)`).
//!
//! May import `gateway::problem`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

pub use crate::gateway::problem::{Problem, TYPE_PREFIX};

impl Problem {
    /// The problem as an HTTP response, `instance` being the request path.
    pub fn response(&self, instance: &str, request_id: &str) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut b = HttpResponse::build(status);
        b.content_type("application/problem+json");
        if let Some(wait) = self.hints.as_ref().and_then(|h| h.retry_after) {
            // Whole seconds, rounded up: a client never retries before the circuit lets it.
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            b.insert_header((
                actix_web::http::header::RETRY_AFTER,
                secs.max(1).to_string(),
            ));
        }
        if let Some(c) = self.hints.as_ref().and_then(|h| h.challenge.as_deref()) {
            b.insert_header((actix_web::http::header::WWW_AUTHENTICATE, c));
        }
        for (name, value) in self.hints.iter().flat_map(|h| h.headers.iter()) {
            b.insert_header((*name, value.as_str()));
        }
        b.body(self.body(instance, request_id).to_string())
    }
}

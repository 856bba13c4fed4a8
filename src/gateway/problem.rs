//! Why a call failed, as a problem (RFC 9457), whatever face the call came through.
//!
//! Every problem has a stable `code` (also the last part of its `type` URI), a `title`, the
//! HTTP `status`, a `detail` for humans, and extra members; `body` adds the `instance` and
//! the request id. Who caused it decides the status: the caller (4xx), the backend (502, 504,
//! or the status a mapping gives a fault), or soapbridge itself (500). Backend XML and stack
//! traces are logged, never sent. The REST face renders it as `application/problem+json`
//! (`http::problem`); other faces map the same code and status into their own protocol.
//!
//! May import nothing from soapbridge.

use serde_json::{Map, Value, json};

/// The `type` URI prefix of soapbridge's problems.
pub const TYPE_PREFIX: &str = "urn:soapbridge:problem:";

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub status: u16,
    /// Stable identifier (`backend-timeout`); see docs/errors.md.
    pub code: &'static str,
    pub title: String,
    pub detail: Option<String>,
    /// Extra members (`errors`, `fault`, `backend_status`...).
    pub extra: Vec<(&'static str, Value)>,
    /// What the face adds to its answer beyond the body, and the log's cause (rare, so
    /// boxed).
    pub hints: Option<Box<Hints>>,
}

/// Protocol hints a face renders in its own way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hints {
    /// When trying again makes sense (`Retry-After` in HTTP).
    pub retry_after: Option<std::time::Duration>,
    /// How to authenticate (`WWW-Authenticate` in HTTP).
    pub challenge: Option<String>,
    /// Other protocol headers (`RateLimit-*`), lower-case names.
    pub headers: Vec<(&'static str, String)>,
    /// The whole story for the log (a transport's cause chain), never sent to the caller.
    pub cause: Option<String>,
    /// A well-formed answer that breaks its contract (a lenient backend's is accepted).
    pub contract: bool,
}

/// One problem of a request, as an entry of an `invalid-request`'s `errors`.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// An exact JSON Pointer (RFC 6901) into the body (`""` is the body itself); `None`
    /// when the problem is in a path or query parameter or a header.
    pub pointer: Option<String>,
    /// The XSD type the value should have (`xsd:int`), when the problem is about one.
    pub expected: Option<String>,
    /// What is wrong, in a few words.
    pub reason: String,
    /// The whole sentence, pointer included (what `detail` said before `errors` listed
    /// every problem).
    pub detail: String,
}

impl Invalid {
    fn into_json(self) -> Value {
        let mut m = Map::new();
        if let Some(p) = self.pointer {
            m.insert("pointer".into(), json!(p));
        }
        if let Some(e) = self.expected {
            m.insert("expected".into(), json!(e));
        }
        m.insert("reason".into(), json!(self.reason));
        m.insert("detail".into(), json!(self.detail));
        Value::Object(m)
    }
}

impl Problem {
    pub fn new(status: u16, code: &'static str, title: impl Into<String>) -> Self {
        Self {
            status,
            code,
            title: title.into(),
            detail: None,
            extra: Vec::new(),
            hints: None,
        }
    }

    /// Adds what only the log gets.
    pub fn cause(mut self, c: impl Into<String>) -> Self {
        self.hints_mut().cause = Some(c.into());
        self
    }

    /// Whether this is an answer that breaks its contract.
    pub fn is_contract_violation(&self) -> bool {
        self.hints.as_ref().is_some_and(|h| h.contract)
    }

    /// What only the log gets, if anything.
    pub fn cause_text(&self) -> Option<&str> {
        self.hints.as_ref()?.cause.as_deref()
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    pub fn with(mut self, key: &'static str, v: Value) -> Self {
        self.extra.retain(|(k, _)| *k != key);
        self.extra.push((key, v));
        self
    }

    pub fn hints_mut(&mut self) -> &mut Hints {
        self.hints.get_or_insert_with(Box::default)
    }

    /// An extra member's value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.extra.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The JSON body.
    pub fn body(&self, instance: &str, request_id: &str) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(format!("{TYPE_PREFIX}{}", self.code)));
        m.insert("title".into(), json!(self.title));
        m.insert("status".into(), json!(self.status));
        if let Some(d) = &self.detail {
            m.insert("detail".into(), json!(d));
        }
        m.insert("instance".into(), json!(instance));
        m.insert("code".into(), json!(self.code));
        m.insert("request_id".into(), json!(request_id));
        for (k, v) in &self.extra {
            m.insert((*k).to_owned(), v.clone());
        }
        Value::Object(m)
    }

    // ----- the catalogue ----------------------------------------------------------------

    pub fn route_not_found(method: &str, path: &str) -> Self {
        Problem::new(404, "route-not-found", "No such route")
            .detail(format!("no route matches {method} {path}"))
    }

    pub fn method_not_allowed(method: &str, allowed: &[String]) -> Self {
        Problem::new(405, "method-not-allowed", "Method not allowed").detail(format!(
            "{method} is not allowed here; allowed: {}",
            allowed.join(", ")
        ))
    }

    pub fn not_acceptable(accept_encoding: &str, offered: &[String]) -> Self {
        Problem::new(406, "not-acceptable", "No acceptable content coding")
            .detail(format!(
                "Accept-Encoding `{accept_encoding}` refuses every coding this server sends: {}",
                offered.join(", ")
            ))
            .with("offered", json!(offered))
    }

    pub fn unsupported_media_type(found: &str) -> Self {
        Problem::new(415, "unsupported-media-type", "The body must be JSON").detail(format!(
            "Content-Type `{found}` is not JSON; send `application/json`"
        ))
    }

    pub fn body_too_large(limit: usize) -> Self {
        Problem::new(413, "body-too-large", "Request body too large")
            .detail(format!("the body is larger than {limit} bytes"))
            .with("limit", json!(limit))
    }

    pub fn malformed_json(e: &serde_json::Error) -> Self {
        Problem::new(400, "malformed-json", "The body is not valid JSON")
            .detail(format!("{e}"))
            .with("line", json!(e.line()))
            .with("column", json!(e.column()))
    }

    /// One problem of the request; `pointer` names the body's value at fault, if any.
    pub fn invalid_request(detail: impl Into<String>, pointer: Option<&str>) -> Self {
        let detail = detail.into();
        match pointer {
            Some(ptr) => Problem::invalid_fields(vec![Invalid {
                pointer: Some(ptr.to_owned()),
                expected: None,
                reason: detail.clone(),
                detail,
            }]),
            None => Problem::new(
                400,
                "invalid-request",
                "The request does not fit the operation",
            )
            .detail(detail),
        }
    }

    /// Every problem of the request, in document order: `detail` is the first one's, and
    /// `errors` lists them all.
    pub fn invalid_fields(problems: Vec<Invalid>) -> Self {
        let mut p = Problem::new(
            400,
            "invalid-request",
            "The request does not fit the operation",
        );
        if let Some(first) = problems.first() {
            p = p.detail(first.detail.clone());
        }
        let errors: Vec<Value> = problems.into_iter().map(Invalid::into_json).collect();
        p.with("errors", Value::Array(errors))
    }

    pub fn backend_unavailable(detail: impl Into<String>) -> Self {
        Problem::new(
            502,
            "backend-unavailable",
            "The SOAP backend cannot be reached",
        )
        .detail(detail)
    }

    pub fn backend_timeout(detail: impl Into<String>) -> Self {
        Problem::new(
            504,
            "backend-timeout",
            "The SOAP backend did not answer in time",
        )
        .detail(detail)
    }

    pub fn backend_response_too_large(detail: impl Into<String>) -> Self {
        Problem::new(
            502,
            "backend-response-too-large",
            "The SOAP backend's answer is too large",
        )
        .detail(detail)
    }

    pub fn backend_not_soap(status: u16, what: &str) -> Self {
        Problem::new(
            502,
            "backend-not-soap",
            "The SOAP backend did not answer with SOAP",
        )
        .detail(format!("the backend answered HTTP {status} with {what}"))
        .with("backend_status", json!(status))
    }

    pub fn backend_empty(status: u16) -> Self {
        Problem::new(
            502,
            "backend-empty-response",
            "The SOAP backend's answer is empty",
        )
        .detail(format!("the backend answered HTTP {status} with no body"))
        .with("backend_status", json!(status))
    }

    pub fn backend_not_xml(status: u16, detail: impl Into<String>) -> Self {
        Problem::new(
            502,
            "backend-not-xml",
            "The SOAP backend's answer is not XML",
        )
        .detail(detail)
        .with("backend_status", json!(status))
    }

    pub fn backend_invalid_xml(status: u16, detail: impl Into<String>) -> Self {
        Problem::new(
            502,
            "backend-invalid-xml",
            "The SOAP backend's answer is not a valid SOAP message",
        )
        .detail(detail)
        .with("backend_status", json!(status))
    }

    pub fn backend_forbidden_xml(status: u16, detail: impl Into<String>) -> Self {
        Problem::new(
            502,
            "backend-forbidden-xml",
            "The SOAP backend's answer uses refused XML features",
        )
        .detail(detail)
        .with("backend_status", json!(status))
    }

    pub fn backend_invalid_value(status: u16, detail: impl Into<String>) -> Self {
        Problem::new(
            502,
            "backend-invalid-response",
            "The SOAP backend's answer does not fit its contract",
        )
        .detail(detail)
        .with("backend_status", json!(status))
    }

    pub fn backend_signature_invalid(status: u16, detail: impl Into<String>) -> Self {
        Problem::new(
            502,
            "backend-signature-invalid",
            "The SOAP backend's answer is not signed as required",
        )
        .detail(detail)
        .with("backend_status", json!(status))
    }

    pub fn backend_circuit_open(backend: &str, wait: std::time::Duration) -> Self {
        let mut p = Problem::new(
            503,
            "backend-circuit-open",
            "The SOAP backend is failing; calls are paused",
        )
        .detail(format!(
            "backend `{backend}` failed repeatedly; soapbridge tries it again in {}",
            humantime::format_duration(std::time::Duration::from_secs(wait.as_secs().max(1)))
        ));
        p.hints_mut().retry_after = Some(wait);
        p
    }

    pub fn backend_busy(backend: &str, slots: usize) -> Self {
        let mut p = Problem::new(503, "backend-busy", "The SOAP backend is busy")
            .detail(format!(
                "all {slots} connection slots of backend `{backend}` stayed taken until the request's deadline"
            ));
        p.hints_mut().retry_after = Some(std::time::Duration::from_secs(1));
        p
    }

    /// The answer memory budget is spent: the bridge, not the backend, is full.
    pub fn over_capacity(detail: impl Into<String>) -> Self {
        let mut p =
            Problem::new(503, "over-capacity", "soapbridge is at its memory budget").detail(detail);
        p.hints_mut().retry_after = Some(std::time::Duration::from_secs(1));
        p
    }

    pub fn unauthenticated(detail: impl Into<String>, challenge: Option<String>) -> Self {
        let mut p =
            Problem::new(401, "unauthenticated", "Authentication is required").detail(detail);
        p.hints_mut().challenge = challenge;
        p
    }

    pub fn forbidden(detail: impl Into<String>, challenge: Option<String>) -> Self {
        let mut p =
            Problem::new(403, "forbidden", "The caller may not call this route").detail(detail);
        p.hints_mut().challenge = challenge;
        p
    }

    pub fn rate_limited(policy: &str, retry_after: std::time::Duration) -> Self {
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        let mut p = Problem::new(429, "rate-limited", "Too many requests").detail(format!(
            "the rate limit of policy `{policy}` is used up; try again in {}s",
            secs.max(1)
        ));
        p.hints_mut().retry_after = Some(retry_after);
        p
    }

    pub fn cors_refused(detail: impl Into<String>) -> Self {
        Problem::new(
            403,
            "cors-refused",
            "The cross-origin request is not allowed",
        )
        .detail(detail)
    }

    pub fn backend_http_error(status: u16) -> Self {
        Problem::new(502, "backend-http-error", "The SOAP backend failed")
            .detail(format!(
                "the backend answered HTTP {status} without a SOAP fault"
            ))
            .with("backend_status", json!(status))
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Problem::new(500, "internal-error", "soapbridge failed").detail(detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_rfc_9457_members_and_ours() {
        let p = Problem::backend_timeout("no answer within 1s");
        let b = p.body("/customers/1", "rid-1");
        assert_eq!(b["type"], "urn:soapbridge:problem:backend-timeout");
        assert_eq!(b["status"], 504);
        assert_eq!(b["title"], "The SOAP backend did not answer in time");
        assert_eq!(b["detail"], "no answer within 1s");
        assert_eq!(b["instance"], "/customers/1");
        assert_eq!(b["code"], "backend-timeout");
        assert_eq!(b["request_id"], "rid-1");
    }
}

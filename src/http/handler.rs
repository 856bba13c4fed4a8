//! One REST request, end to end.
//!
//! ```text
//! route table ─> read body (limit, JSON) ─> bind ─> build envelope (encode) ─> call
//!      ─> classify the answer (HTML? empty? not XML? fault? invalid?) ─> decode ─> shape
//! ```
//!
//! Every failure becomes a [`Problem`] and a log line; nothing here panics on input.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use tracing::Instrument as _;

use super::AppState;
use super::metrics::{CallLabels, CallTimeLabels, RouteLabels, RouteTimeLabels};
use super::problem::Problem;
use super::router::Found;
use crate::mapping::Route;
use crate::mapping::bind::{self, RequestParts};
use crate::net::charset_of;
use crate::soap::client::{CallError, RawResponse, SoapClient};
use crate::soap::envelope::HeaderWriter;
use crate::soap::security::SecurityHeader;
use crate::soap::{self, Fault, Response};
use crate::translate::DecodeError;
use crate::xmlutil;

/// The request id: the caller's `X-Request-Id` when it is sane, else a new UUID.
pub fn request_id(req: &HttpRequest) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

fn with_request_id(mut resp: HttpResponse, rid: &str) -> HttpResponse {
    if let Ok(v) = HeaderValue::from_str(rid) {
        resp.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    resp
}

/// The default service: every request that is not a built-in endpoint.
pub async fn dispatch(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let rid = request_id(&req);
    let started = Instant::now();
    let table = state.table.load_full();
    let path = req.path().to_owned();
    let method = req.method().clone();
    let (resp, route_label) = match table.find(&method, &path) {
        Found::NotFound => (
            Problem::route_not_found(method.as_str(), &path).response(&path, &rid),
            "(none)".to_owned(),
        ),
        Found::MethodNotAllowed(allowed) => {
            let mut r =
                Problem::method_not_allowed(method.as_str(), &allowed).response(&path, &rid);
            if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
                r.headers_mut().insert(header::ALLOW, v);
            }
            (r, "(none)".to_owned())
        }
        Found::Route {
            route,
            client,
            params,
        } => {
            let span = tracing::info_span!(
                "request",
                request_id = %rid,
                method = %method,
                route = %route.path,
                operation = %route.operation().name,
                backend = %route.backend.name,
            );
            let resp = match run(&req, payload, &state, route, client, params, &rid)
                .instrument(span.clone())
                .await
            {
                Ok(resp) => resp,
                Err(p) => {
                    span.in_scope(|| log_problem(&p));
                    p.response(&path, &rid)
                }
            };
            let label = route.path.clone();
            (resp, label)
        }
    };
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    state
        .metrics
        .requests
        .get_or_create(&RouteLabels {
            method: method.to_string(),
            route: route_label.clone(),
            status,
        })
        .inc();
    state
        .metrics
        .request_seconds
        .get_or_create(&RouteTimeLabels {
            method: method.to_string(),
            route: route_label,
        })
        .observe(elapsed.as_secs_f64());
    tracing::info!(
        request_id = %rid,
        method = %method,
        path = %path,
        status,
        millis = elapsed.as_millis() as u64,
        "Request handled."
    );
    with_request_id(resp, &rid)
}

/// Reads the body up to `limit` bytes.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, Problem> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            Problem::new(400, "unreadable-body", "The request body could not be read")
                .detail(e.to_string())
        })?;
        if body.len() + chunk.len() > limit {
            return Err(Problem::body_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse_json_body(req: &HttpRequest, bytes: &[u8]) -> Result<Option<Value>, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if let Some(ct) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !(mime == "application/json" || mime.ends_with("+json") || mime.is_empty()) {
            return Err(Problem::unsupported_media_type(ct));
        }
    }
    serde_json::from_slice::<Value>(bytes)
        .map(Some)
        .map_err(|e| Problem::malformed_json(&e))
}

/// A refused or failed request's log line: a warning when soapbridge or the backend failed.
fn log_problem(p: &Problem) {
    let detail = p.detail.as_deref().unwrap_or("");
    if p.status >= 500 {
        tracing::warn!(code = p.code, detail, "Request failed.");
    } else {
        tracing::info!(code = p.code, detail, "Request refused.");
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    route: &Arc<Route>,
    client: &Arc<SoapClient>,
    params: Vec<(String, String)>,
    rid: &str,
) -> Result<HttpResponse, Problem> {
    let backend = &route.backend;
    let schema = &backend.wsdl.schema;
    let op = route.operation();
    // 1. Read the request.
    let bytes = read_body(payload, state.config.max_body_bytes).await?;
    let body = parse_json_body(req, &bytes)?;
    let query: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    // Only the headers the route reads.
    let headers: Vec<(String, String)> = route
        .header_params
        .iter()
        .flat_map(|p| {
            req.headers()
                .get_all(p.name.as_str())
                .filter_map(|v| v.to_str().ok())
                .map(|v| (p.name.clone(), v.to_owned()))
        })
        .collect();
    let parts = RequestParts {
        path: &params,
        query: &query,
        headers: &headers,
        body,
    };
    // 2. Bind (headers first: the input takes the body).
    let soap_headers = bind::bind_headers(schema, route, &parts)
        .map_err(|e| Problem::invalid_request(e.to_string(), None))?;
    let input = bind::bind_input(schema, route, parts)
        .map_err(|e| Problem::invalid_request(e.to_string(), None))?;
    // 3. Encode.
    let security = backend
        .ws_security
        .as_ref()
        .map(|s| SecurityHeader::fresh(s, backend.soap_version.envelope_ns()));
    let extra: Vec<&dyn HeaderWriter> = security.iter().map(|s| s as &dyn HeaderWriter).collect();
    let envelope = soap::build_request(
        schema,
        op,
        backend.soap_version,
        &input,
        soap_headers.as_ref(),
        &extra,
    )
    .map_err(|e| Problem::invalid_request(e.to_string(), Some(&e.pointer)))?;
    tracing::debug!(bytes = envelope.len(), "Calling the backend.");
    // 4. Call.
    let labels = |outcome: &'static str| CallLabels {
        backend: backend.name.clone(),
        operation: op.name.clone(),
        outcome,
    };
    let raw = match client.call(&op.soap_action, envelope, rid).await {
        Ok(r) => r,
        Err(e) => {
            let (outcome, problem) = match &e {
                CallError::Connect { .. } | CallError::Transport { .. } => {
                    ("unavailable", Problem::backend_unavailable(e.to_string()))
                }
                CallError::Timeout { .. } => ("timeout", Problem::backend_timeout(e.to_string())),
                CallError::TooLarge { .. } => (
                    "invalid_response",
                    Problem::backend_response_too_large(e.to_string()),
                ),
            };
            state.metrics.calls.get_or_create(&labels(outcome)).inc();
            return Err(problem);
        }
    };
    state
        .metrics
        .call_seconds
        .get_or_create(&CallTimeLabels {
            backend: backend.name.clone(),
            operation: op.name.clone(),
        })
        .observe(raw.elapsed.as_secs_f64());
    // 5. Read the answer.
    let outcome = read_answer(state, route, &raw);
    let name = match &outcome {
        Ok(_) => "ok",
        Err(p) if p.code == "soap-fault" => "fault",
        Err(_) => "invalid_response",
    };
    state.metrics.calls.get_or_create(&labels(name)).inc();
    let output = outcome?;
    // 6. Shape.
    let status = actix_web::http::StatusCode::from_u16(route.response.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    if op.output.is_none() {
        return Ok(HttpResponse::build(status).finish());
    }
    let value = bind::shape(route, output);
    Ok(HttpResponse::build(status)
        .content_type("application/json")
        .body(value.to_string()))
}

fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]);
    text.replace(['\n', '\r'], " ")
}

/// Turns the backend's answer into the output JSON, or the precise problem.
fn read_answer(state: &AppState, route: &Route, raw: &RawResponse) -> Result<Value, Problem> {
    let backend = &route.backend;
    let op = route.operation();
    let status = raw.status;
    let bytes = &raw.body[..];
    let trimmed = trim_start(bytes);
    if trimmed.is_empty() {
        if op.output.is_none() && (200..300).contains(&status) {
            return Ok(Value::Null);
        }
        if !(200..300).contains(&status) {
            return Err(Problem::backend_http_error(status));
        }
        tracing::warn!(status, "The backend answered with an empty body.");
        return Err(Problem::backend_empty(status));
    }
    let content_type = raw.content_type.as_deref().unwrap_or("");
    let looks_html = content_type.to_ascii_lowercase().starts_with("text/html")
        || starts_with_ci(trimmed, b"<!doctype html")
        || starts_with_ci(trimmed, b"<html");
    if looks_html {
        tracing::warn!(status, content_type, body = %snippet(bytes), "The backend answered with HTML.");
        return Err(Problem::backend_not_soap(status, "an HTML page"));
    }
    let text = match xmlutil::decode_xml_bytes(bytes, charset_of(content_type)) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(status, error = %e, "The backend's answer cannot be decoded.");
            return Err(Problem::backend_not_xml(
                status,
                format!("the answer cannot be read as text: {e}"),
            ));
        }
    };
    if !text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
    {
        tracing::warn!(status, content_type, body = %snippet(bytes), "The backend's answer is not XML.");
        let what = if content_type.is_empty() {
            "text that is not XML".to_owned()
        } else {
            format!("`{content_type}` content that is not XML")
        };
        return Err(Problem::backend_not_xml(
            status,
            format!("the backend answered HTTP {status} with {what}"),
        ));
    }
    match soap::parse_response(&backend.wsdl.schema, op, &text, state.config.xml_limits) {
        Ok(Response::Ok { body, .. }) => {
            if (200..300).contains(&status) {
                Ok(body)
            } else {
                tracing::warn!(
                    status,
                    "The backend answered a non-2xx status with a normal message."
                );
                Err(Problem::backend_http_error(status))
            }
        }
        Ok(Response::Fault(f)) => Err(fault_problem(route, &f, status)),
        Err(e) => {
            tracing::warn!(status, error = %e, body = %snippet(bytes), "The backend's answer cannot be read.");
            Err(match e {
                DecodeError::Forbidden(d) => Problem::backend_forbidden_xml(status, d),
                DecodeError::TooLarge(d) => Problem::backend_response_too_large(d),
                DecodeError::Value { .. } => Problem::backend_invalid_value(status, e.to_string()),
                DecodeError::Malformed(_) | DecodeError::Structure(_) => {
                    if (200..300).contains(&status) || status == 500 {
                        Problem::backend_invalid_xml(status, e.to_string())
                    } else {
                        Problem::backend_http_error(status)
                    }
                }
            })
        }
    }
}

fn trim_start(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

fn starts_with_ci(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A SOAP fault as a problem, with the status the route's rules give it.
pub fn fault_problem(route: &Route, f: &Fault, backend_status: u16) -> Problem {
    let (status, rule) = bind::fault_status(route, f);
    let title = rule
        .and_then(|r| r.title.clone())
        .unwrap_or_else(|| match f.reason.trim() {
            "" => "SOAP fault".to_owned(),
            reason => reason.to_owned(),
        });
    let mut fault = serde_json::Map::new();
    fault.insert("code".into(), json!(f.code_local()));
    fault.insert("string".into(), json!(f.reason));
    if !f.subcodes.is_empty() {
        fault.insert("subcodes".into(), json!(f.subcodes));
    }
    if let Some(a) = &f.actor {
        fault.insert("actor".into(), json!(a));
    }
    if let Some(n) = &f.name {
        fault.insert("name".into(), json!(n));
    }
    if let Some(d) = &f.detail {
        fault.insert("detail".into(), d.clone());
    }
    let p = Problem::new(status, "soap-fault", title)
        .detail(if backend_status == 200 {
            format!("{} (the backend sent this fault with HTTP 200)", f.reason)
        } else {
            f.reason.clone()
        })
        .with("fault", Value::Object(fault))
        .with("backend_status", json!(backend_status));
    if backend_status == 200 {
        tracing::warn!("The backend sent a SOAP fault with HTTP 200.");
    }
    p
}

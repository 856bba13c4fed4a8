//! The REST face: one HTTP request turned into one call of the shared pipeline, and its
//! result back into HTTP.
//!
//! ```text
//! CORS preflight? ─> the route's CORS policy: 204 | 403
//! route table (404 / 405) ─> edge: policy (401 / 403), rate limit (429)
//!     ─> read body (limit 413, JSON 415 / 400) ─> gateway::Input
//!     ─> Core::invoke ─> Output: status + JSON body | Problem: application/problem+json
//!     (+ CORS and RateLimit-* headers)
//! ```
//!
//! Everything between (bind, encode, call, read, shape) is `gateway`'s. This module adds
//! what is HTTP's own: the request id header, the body limit, the route's metrics and the
//! access log line, and the server span that continues the caller's trace. May import
//! `gateway`, `mapping` (the route model), `metrics`, `telemetry`.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt as _;
use serde_json::Value;
use tracing::Instrument as _;

use super::AppState;
use super::problem::Problem;
use super::router::{Found, RouteLabelValues};
use crate::edge::cors::CorsPolicy;
use crate::edge::limit::{Allowed, ceil_secs};
use crate::edge::{Credentials, Policy};
use crate::gateway::{Body, Caller, Input, Invalid, Output, Target, log_problem};
use crate::mapping::Route;
use crate::metrics::{ConsumerLabels, EdgeLabels, RouteSeries};
use crate::telemetry;

/// `X-Request-Id` as a header name made once: a `&str` name is parsed at every lookup.
const X_REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// The request id: the caller's `X-Request-Id` when it is sane, else a new UUID.
pub fn request_id(req: &HttpRequest) -> String {
    req.headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(new_request_id, str::to_owned)
}

/// A new request id: a random (version 4) UUID. Its bits come from the thread's fast
/// generator, not from the OS: an id must be unique, not secret, and a system call for every
/// request shows on small answers.
fn new_request_id() -> String {
    let uuid = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid.hyphenated().encode_lower(&mut buf).to_owned()
}

fn with_request_id(mut resp: HttpResponse, rid: String) -> HttpResponse {
    // The id's own bytes become the header value: no copy.
    if let Ok(v) = HeaderValue::try_from(rid) {
        resp.headers_mut().insert(X_REQUEST_ID, v);
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
    // The authenticated consumer, for the access log line.
    let mut consumer = String::from("-");
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let preflight = (method == actix_web::http::Method::OPTIONS)
        .then(|| {
            req.headers()
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .and_then(|v| v.to_str().ok())
        })
        .flatten()
        .zip(origin.as_deref());
    let mut cors_of_route: Option<Arc<CorsPolicy>> = None;
    let found = match preflight {
        Some((asked, origin)) => Err(answer_preflight(&req, &table, asked, origin, &path, &rid)),
        None => Ok(table.find(&method, &path)),
    };
    let (resp, counted): (HttpResponse, Counted<'_>) = match found {
        Err((resp, label)) => (resp, Counted::Other(Arc::from(label))),
        Ok(Found::NotFound) => (
            Problem::route_not_found(method.as_str(), &path).response(&path, &rid),
            Counted::Other(Arc::from("(none)")),
        ),
        Ok(Found::MethodNotAllowed(allowed)) => {
            let mut r =
                Problem::method_not_allowed(method.as_str(), &allowed).response(&path, &rid);
            if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
                r.headers_mut().insert(header::ALLOW, v);
            }
            (r, Counted::Other(Arc::from("(none)")))
        }
        Ok(Found::Route {
            target,
            labels,
            policy,
            cors,
            params,
        }) => {
            cors_of_route = cors.cloned();
            let span = tracing::info_span!(
                "request",
                otel.name = format!("{method} {}", target.route.path),
                otel.kind = "server",
                http.request.method = %method,
                http.route = %target.route.path,
                url.path = %path,
                soapbridge.request_id = %rid,
                http.response.status_code = tracing::field::Empty,
                otel.status_code = tracing::field::Empty,
            );
            telemetry::continue_trace(&span, |name| {
                req.headers().get(name).and_then(|v| v.to_str().ok())
            });
            let resp = match serve(
                &req,
                payload,
                &state,
                target,
                policy,
                params,
                &rid,
                &mut consumer,
            )
            .instrument(span.clone())
            .await
            {
                Ok(resp) => resp,
                Err(p) => p.response(&path, &rid),
            };
            let status = resp.status().as_u16();
            span.record("http.response.status_code", status);
            if status >= 500 {
                span.record("otel.status_code", "ERROR");
            }
            (resp, Counted::Route(labels))
        }
    };
    let mut resp = resp;
    if let (Some(cors), Some(origin), None) = (&cors_of_route, &origin, preflight) {
        add_headers(&mut resp, cors.simple(origin));
    }
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    let metrics = &state.core.metrics;
    if consumer != "-" {
        let route = match &counted {
            Counted::Route(m) => m.route.clone(),
            Counted::Other(label) => label.clone(),
        };
        metrics
            .consumer_requests
            .get_or_create(&ConsumerLabels {
                consumer: consumer.clone(),
                route,
                status,
            })
            .inc();
    }
    match counted {
        Counted::Route(m) => m
            .series
            .get_or_init(|| RouteSeries::new(metrics, &m.method, &m.route, m.usual_status))
            .observe(metrics, status, elapsed.as_secs_f64()),
        Counted::Other(route) => metrics.count_request(
            Arc::from(method.as_str()),
            route,
            status,
            elapsed.as_secs_f64(),
        ),
    }
    tracing::info!(
        request_id = %rid,
        method = %method,
        path = %path,
        status,
        consumer = %consumer,
        millis = elapsed.as_millis() as u64,
        "Request handled."
    );
    with_request_id(resp, rid)
}

/// Where a request is counted: its route's series (made once per route), or, for anything
/// that matched no route, the route label made for it.
enum Counted<'t> {
    Route(&'t RouteLabelValues),
    Other(Arc<str>),
}

/// A matched route: the HTTP request as the pipeline's input, the output as HTTP.
#[allow(clippy::too_many_arguments)]
async fn serve(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    target: Target<'_>,
    policy: Option<&Arc<Policy>>,
    params: Vec<(String, String)>,
    rid: &str,
    consumer: &mut String,
) -> Result<HttpResponse, Problem> {
    let query = parse_query(req.query_string());
    let mut caller = Caller::new(rid);
    let mut limit_headers: Option<Allowed> = None;
    if let Some(policy) = policy {
        let headers = req.headers();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let cert = super::tls::client_cert(req);
        let creds = Credentials {
            header: &header,
            query: &query,
            client_cert: cert.map(|c| (c.subject.as_str(), c.sans.as_slice())),
        };
        // On the heap: held in line, its state (JWKS fetching included) made every
        // request's future larger, policy or not, and that future is copied as it is made.
        match Box::pin(policy.admit(&creds)).await {
            Ok(identity) => {
                identity.consumer().clone_into(consumer);
                caller.identity = identity;
            }
            Err(denied) => {
                let p = Problem::from(denied);
                return Err(refused(state, rid, target, policy, p));
            }
        }
        if let Some(limit) = &policy.rate_limit {
            let peer = req
                .peer_addr()
                .map_or_else(|| "-".to_owned(), |a| a.ip().to_string());
            let named = caller.identity.named_consumer();
            let route = format_args!("{} {}", target.route.method, target.route.path);
            match limit.check(route, named, &peer) {
                Ok(allowed) => limit_headers = Some(allowed),
                Err(over) => {
                    let mut p = Problem::rate_limited(&policy.name, over.retry_after);
                    let reset = ceil_secs(over.retry_after).max(1);
                    p.hints_mut().headers = rate_limit_headers(&Allowed {
                        limit: over.limit,
                        quota: over.quota,
                        remaining: 0,
                        reset,
                        window: over.window,
                    });
                    return Err(refused(state, rid, target, policy, p));
                }
            }
        }
    }
    let input = match read_input(req, payload, state, target.route, params, query).await {
        Ok(input) => input,
        Err(p) => {
            let span =
                tracing::info_span!("request", request_id = %rid, route = %target.route.path);
            span.in_scope(|| log_problem(&p));
            return Err(p);
        }
    };
    let with_limits = |mut resp: HttpResponse| {
        if let Some(a) = &limit_headers {
            add_headers(&mut resp, rate_limit_headers(a));
        }
        resp
    };
    let Output { status, body } = match state.core.invoke(target, input, &caller).await {
        Ok(out) => out,
        Err(mut p) => {
            if let Some(a) = &limit_headers {
                p.hints_mut().headers.extend(rate_limit_headers(a));
            }
            return Err(p);
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    // A static value: a `&str` content type is copied into a new header value every time.
    let json = (
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(with_limits(match body {
        None => HttpResponse::build(status).finish(),
        Some(Body::Json(body)) => HttpResponse::build(status).insert_header(json).body(body),
        // Chunked while it arrives; an error ends the body early, which breaks the
        // connection off rather than ending a truncated JSON cleanly.
        Some(Body::Stream(stream)) => HttpResponse::build(status)
            .insert_header(json)
            .streaming(stream),
    }))
}

/// A call refused at the edge: logged with its reason (never a credential) and counted.
fn refused(
    state: &AppState,
    rid: &str,
    target: Target<'_>,
    policy: &Policy,
    p: Problem,
) -> Problem {
    tracing::info!(
        request_id = %rid,
        route = %target.route.path,
        policy = %policy.name,
        code = p.code,
        reason = p.detail.as_deref().unwrap_or(""),
        "Request refused at the edge."
    );
    let reason = match p.code {
        "rate-limited" => "rate_limited",
        "forbidden" => "forbidden",
        _ => "unauthenticated",
    };
    state
        .core
        .metrics
        .edge_refused
        .get_or_create(&EdgeLabels {
            policy: policy.name.clone(),
            reason,
        })
        .inc();
    p
}

/// The `RateLimit-*` headers (draft-ietf-httpapi-ratelimit-headers): the bucket's size,
/// what is left of it, seconds until it is full, and the policy (quota per window, and the
/// burst when it is larger than the quota).
fn rate_limit_headers(a: &Allowed) -> Vec<(&'static str, String)> {
    let policy = if a.limit > a.quota {
        format!("{};w={};burst={}", a.quota, a.window, a.limit)
    } else {
        format!("{};w={}", a.quota, a.window)
    };
    vec![
        ("ratelimit-limit", a.limit.to_string()),
        ("ratelimit-remaining", a.remaining.to_string()),
        ("ratelimit-reset", a.reset.to_string()),
        ("ratelimit-policy", policy),
    ]
}

fn add_headers(resp: &mut HttpResponse, headers: Vec<(&'static str, String)>) {
    for (name, value) in headers {
        let Ok(v) = HeaderValue::from_str(&value) else {
            continue;
        };
        let name = header::HeaderName::from_static(name);
        if name == header::VARY {
            resp.headers_mut().append(name, v);
        } else {
            resp.headers_mut().insert(name, v);
        }
    }
}

/// A CORS preflight: the route the browser asks about, and its CORS policy's answer.
fn answer_preflight(
    req: &HttpRequest,
    table: &super::router::RouteTable,
    asked: &str,
    origin: &str,
    path: &str,
    rid: &str,
) -> (HttpResponse, String) {
    let method = actix_web::http::Method::from_bytes(asked.as_bytes()).ok();
    let target = method
        .as_ref()
        .and_then(|m| table.preflight_target(m, path));
    let Some((route, cors)) = target else {
        return (
            Problem::route_not_found(asked, path).response(path, rid),
            "(none)".to_owned(),
        );
    };
    let label = route.path.clone();
    let refused = |why: String| {
        tracing::info!(request_id = %rid, route = %route.path, origin, reason = %why, "CORS preflight refused.");
        Problem::cors_refused(why).response(path, rid)
    };
    let Some(cors) = cors else {
        return (
            refused(format!(
                "route {} {} allows no cross-origin calls",
                route.method, route.path
            )),
            label,
        );
    };
    let asked_headers = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok());
    match cors.preflight(origin, asked, asked_headers, route.method.as_str()) {
        Ok(headers) => {
            let mut resp = HttpResponse::NoContent().finish();
            add_headers(&mut resp, headers);
            (resp, label)
        }
        Err(e) => (refused(e.0), label),
    }
}

/// The route's inputs: path parameters, the query, the headers it reads and the JSON body.
async fn read_input(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    route: &Arc<Route>,
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
) -> Result<Input, Problem> {
    let bytes = read_body(payload, state.config.max_body_bytes).await?;
    let body = parse_json_body(req, &bytes)?;
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
    for (what, pairs) in [
        ("path parameter", &path),
        ("query parameter", &query),
        ("header", &headers),
    ] {
        for (name, value) in pairs {
            if let Some(ch) =
                super::strict::forbidden_char(name).or_else(|| super::strict::forbidden_char(value))
            {
                return Err(Problem::invalid_request(
                    format!(
                        "the {what} `{}` holds the character U+{:04X}, which XML 1.0 cannot carry; remove it",
                        name.escape_debug(),
                        u32::from(ch)
                    ),
                    None,
                ));
            }
        }
    }
    Ok(Input {
        path,
        query,
        headers,
        body,
    })
}

/// Reads the body up to `limit` bytes.
pub(super) async fn read_body(
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, Problem> {
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
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    parse_json(content_type, bytes)
}

/// The query string as (name, value) pairs, percent- and plus-decoded, in order.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// A request body as JSON (`None` when it is empty or blank), given its `Content-Type`.
pub fn parse_json(content_type: Option<&str>, bytes: &[u8]) -> Result<Option<Value>, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if let Some(ct) = content_type {
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
    let value = serde_json::from_slice::<Value>(bytes).map_err(|e| Problem::malformed_json(&e))?;
    match super::strict::check(bytes) {
        Ok(()) => Ok(Some(value)),
        Err(r) => {
            let (pointer, reason) = match &r {
                super::strict::Refusal::DuplicateKey { pointer, key } => (
                    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                    "given more than once".to_owned(),
                ),
                super::strict::Refusal::Forbidden { pointer, ch } => (
                    pointer.clone(),
                    format!("holds U+{:04X}, which XML 1.0 cannot carry", u32::from(*ch)),
                ),
            };
            Err(Problem::invalid_fields(vec![Invalid {
                pointer: Some(pointer),
                expected: None,
                reason,
                detail: r.to_string(),
            }]))
        }
    }
}

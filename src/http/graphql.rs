//! GraphQL over HTTP: `POST /graphql` (JSON `{query, variables, operationName}`),
//! `GET /graphql?query=…` (queries only), and the GraphiQL page (`/graphiql`, compiled into
//! the binary; see assets/graphiql/README.md).
//!
//! ```text
//! /graphql ──body limit (413), JSON (400/415)──> async_graphql::Request
//!     + Host (the pipeline and this route table) + Call (request id, credentials, deadline)
//!     ──> RouteTable::graphql().schema.execute ──> 200 application/json {data, errors}
//! /graphiql ──> index.html ──> /graphiql/*.js, *.css
//! ```
//!
//! Each root field checks its own route's policy (graphql::execute), so the endpoint itself
//! is open: a caller sees the fields it may not use fail with `unauthenticated`/`forbidden`.
//! The schema belongs to the route table: a reload swaps both. May import the REST face's
//! own modules, `gateway`, `edge` and `graphql`.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::router::RouteTable;
use super::{AppState, Problem, handler};
use crate::edge::Policy;
use crate::gateway::{Core, Target};
use crate::graphql::{Call, Host};

const INDEX_HTML: &[u8] = include_bytes!("../../assets/graphiql/index.html");
const GRAPHIQL_JS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.js");
const GRAPHIQL_CSS: &[u8] = include_bytes!("../../assets/graphiql/graphiql.min.css");
const REACT_JS: &[u8] = include_bytes!("../../assets/graphiql/react.production.min.js");
const REACT_DOM_JS: &[u8] = include_bytes!("../../assets/graphiql/react-dom.production.min.js");

/// The page's assets: path, content type, bytes.
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/graphiql/graphiql.min.js",
        "text/javascript; charset=utf-8",
        GRAPHIQL_JS,
    ),
    (
        "/graphiql/graphiql.min.css",
        "text/css; charset=utf-8",
        GRAPHIQL_CSS,
    ),
    (
        "/graphiql/react.production.min.js",
        "text/javascript; charset=utf-8",
        REACT_JS,
    ),
    (
        "/graphiql/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        REACT_DOM_JS,
    ),
];

/// GraphiQL and its assets.
static PAGE: super::bundled::Bundle = super::bundled::Bundle {
    path: "/graphiql",
    html: INDEX_HTML,
    assets: ASSETS,
};

/// Registers `/graphql`, `/graphiql` and the page's assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(endpoint))
            .route(super::get_or_head().to(endpoint))
            .default_service(web::to(not_allowed_graphql)),
    );
    super::bundled::register(cfg, &PAGE);
}

/// The pipeline and the route table a request's schema was built with.
struct TableHost {
    state: web::Data<AppState>,
    table: Arc<RouteTable>,
}

impl Host for TableHost {
    fn core(&self) -> &Core {
        &self.state.core
    }

    fn target(&self, route: usize) -> Option<Target<'_>> {
        let r = self.table.routes.get(route)?;
        self.table.backends().target(r)
    }

    fn policy(&self, route: usize) -> Option<&Arc<Policy>> {
        self.table.policy(route)
    }
}

async fn not_allowed_graphql(req: HttpRequest) -> HttpResponse {
    let rid = handler::request_id(&req);
    let mut r = Problem::method_not_allowed(
        req.method().as_str(),
        &["GET".to_owned(), "HEAD".to_owned(), "POST".to_owned()],
    )
    .response(req.path(), &rid);
    r.headers_mut().insert(
        header::ALLOW,
        header::HeaderValue::from_static("GET, HEAD, POST"),
    );
    r
}

/// What a GraphQL request asks, read from the query string or the JSON body.
struct Asked {
    query: String,
    variables: Option<serde_json::Value>,
    operation_name: Option<String>,
}

async fn endpoint(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let rid = handler::request_id(&req);
    let started = Instant::now();
    let table = state.table.load_full();
    let call = Arc::new(call_of(&req, &rid));
    let resp = match serve(&req, payload, &state, &table, call.clone()).await {
        Ok(r) => r,
        Err(p) => {
            crate::gateway::log_problem(&p);
            p.response(req.path(), &rid)
        }
    };
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    state.core.metrics.count_request(
        Arc::from(req.method().as_str()),
        Arc::from("/graphql"),
        status,
        elapsed.as_secs_f64(),
    );
    let consumers = call.consumers();
    tracing::info!(
        request_id = %rid,
        method = %req.method(),
        path = %req.path(),
        status,
        consumer = %if consumers.is_empty() { "-".to_owned() } else { consumers.join(",") },
        millis = elapsed.as_millis() as u64,
        "Request handled."
    );
    let mut resp = resp;
    if let Ok(v) = header::HeaderValue::from_str(&rid) {
        resp.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    resp
}

/// The request's id and credentials, for the root fields' edge checks.
fn call_of(req: &HttpRequest, rid: &str) -> Call {
    let mut call = Call::new(rid);
    call.headers = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned())))
        .collect();
    call.query = handler::parse_query(req.query_string());
    call.client_cert = super::tls::client_cert(req).map(|c| (c.subject.clone(), c.sans.clone()));
    call.peer = req
        .peer_addr()
        .map_or_else(|| "-".to_owned(), |a| a.ip().to_string());
    call
}

async fn serve(
    req: &HttpRequest,
    payload: web::Payload,
    state: &web::Data<AppState>,
    table: &Arc<RouteTable>,
    call: Arc<Call>,
) -> Result<HttpResponse, Problem> {
    let Some(face) = table.graphql() else {
        return Err(Problem::route_not_found(req.method().as_str(), req.path())
            .detail("no mapping is served on /graphql: set `graphql: true` in a mapping file, or `graphql.enabled` in the gateway configuration"));
    };
    let limit = face.settings.max_body_bytes;
    let is_post = req.method() == actix_web::http::Method::POST;
    let asked = if is_post {
        let bytes = handler::read_body(payload, limit).await?;
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        asked_from_body(ct, &bytes)?
    } else {
        if req.query_string().len() > limit {
            return Err(Problem::body_too_large(limit));
        }
        asked_from_query(&call.query)?
    };
    let mut request = async_graphql::Request::new(asked.query);
    if let Some(name) = asked.operation_name {
        request = request.operation_name(name);
    }
    if let Some(v) = &asked.variables {
        request = request.variables(async_graphql::Variables::from_value(
            crate::graphql::value_from_json(v),
        ));
    }
    let parsed = face.parse(&mut request);
    if !is_post && asks_for_mutation(&mut request) {
        let mut p = Problem::method_not_allowed("GET", &["POST".to_owned()])
            .detail("a mutation changes data: send it with POST");
        p.hints_mut().headers.push(("allow", "POST".to_owned()));
        return Err(p);
    }
    let host: Arc<dyn Host> = Arc::new(TableHost {
        state: state.clone(),
        table: table.clone(),
    });
    let request = request.data(host).data(call);
    let response = face.execute(request, parsed).await;
    let body = serde_json::to_vec(&response)
        .map_err(|e| Problem::internal(format!("the GraphQL response does not serialize: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// Whether the operation the request selects is a mutation (parse errors are left for
/// execution to report).
fn asks_for_mutation(request: &mut async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    let name = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else {
        return false;
    };
    doc.operations.iter().any(|(n, op)| {
        op.node.ty == OperationType::Mutation
            && (name.is_none() || n.map(|n| n.as_str()) == name.as_deref())
    })
}

fn asked_from_query(query: &[(String, String)]) -> Result<Asked, Problem> {
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let Some(q) = get("query") else {
        return Err(Problem::invalid_request(
            "a GraphQL GET request needs the query parameter `query`",
            None,
        ));
    };
    let variables = match get("variables").filter(|v| !v.trim().is_empty()) {
        None => None,
        Some(v) => Some(serde_json::from_str(&v).map_err(|e| {
            Problem::invalid_request(format!("the `variables` parameter is not JSON: {e}"), None)
        })?),
    };
    Ok(Asked {
        query: q,
        variables,
        operation_name: get("operationName").filter(|n| !n.is_empty()),
    })
}

fn asked_from_body(content_type: Option<&str>, bytes: &[u8]) -> Result<Asked, Problem> {
    let Some(v) = handler::parse_json(content_type, bytes)? else {
        return Err(Problem::invalid_request(
            "the body is empty: send {\"query\": \"…\"}",
            None,
        ));
    };
    let serde_json::Value::Object(mut m) = v else {
        return Err(Problem::invalid_request(
            "the body must be an object: {\"query\": \"…\", \"variables\": {…}}",
            Some(""),
        ));
    };
    let query = match m.remove("query") {
        Some(serde_json::Value::String(q)) => q,
        _ => {
            return Err(Problem::invalid_request(
                "`query` must be the GraphQL document, as a string",
                Some("/query"),
            ));
        }
    };
    let variables = match m.remove("variables") {
        None | Some(serde_json::Value::Null) => None,
        Some(v @ serde_json::Value::Object(_)) => Some(v),
        Some(_) => {
            return Err(Problem::invalid_request(
                "`variables` must be an object",
                Some("/variables"),
            ));
        }
    };
    let operation_name = match m.remove("operationName") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(n)) => Some(n),
        Some(_) => {
            return Err(Problem::invalid_request(
                "`operationName` must be a string",
                Some("/operationName"),
            ));
        }
    };
    Ok(Asked {
        query,
        variables,
        operation_name,
    })
}

//! A SOAP backend made from a WSDL: answers every operation with a schema-valid response.
//!
//! ```text
//! POST (any path) ─> envelope version + Body's first child ─> operation (by element, or
//!   SOAPAction) ─> decode the request ─> canned response file | fault on request | sample
//!   values (request values echoed into same-named fields) ─> encode ─> envelope
//! ```
//!
//! It answers on the paths of the contract's `soap:address`es (`/customers`), like the
//! backend it stands in for; a contract without addresses is answered on every path.
//!
//! Ask for a fault by putting `fault:<FaultName>` (a declared fault), `fault:client` or
//! `fault:server` in any text field of the request, or in an `X-Mock-Fault` header.
//! With a responses folder, `<Operation>.xml` (a Body child or a whole envelope) or
//! `<Operation>.json` (the output as JSON) is answered instead of samples.
//!
//! May import `wsdl`, `translate`, `soap`; never the bridge's faces.

pub mod sample;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Map, Value};

use crate::soap::{self, Response};
use crate::translate::Limits;
use crate::wsdl::{Binding, Operation, QName, SoapVersion, Wsdl};

#[derive(Clone, Debug, Default)]
pub struct MockOptions {
    /// Folder of canned responses (`<Operation>.xml` or `<Operation>.json`).
    pub responses: Option<PathBuf>,
}

pub struct MockState {
    pub wsdl: Arc<Wsdl>,
    pub opts: MockOptions,
    /// The paths of the contract's port addresses; empty: every path.
    pub paths: Vec<String>,
}

/// The paths of the contract's port addresses (`http://host:8081/customers` → `/customers`),
/// sorted, without repeats.
pub fn endpoint_paths(wsdl: &Wsdl) -> Vec<String> {
    let mut paths: Vec<String> = wsdl
        .services
        .iter()
        .flat_map(|s| &s.ports)
        .filter_map(|p| p.address.as_deref())
        .filter_map(|a| url::Url::parse(a).ok())
        .map(|u| u.path().to_owned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Starts the mock on `listen` (port 0 picks a free port); returns the bound address and
/// the server, which runs when awaited or spawned.
pub fn start(
    wsdl: Arc<Wsdl>,
    listen: SocketAddr,
    opts: MockOptions,
) -> std::io::Result<(SocketAddr, actix_web::dev::Server)> {
    let paths = endpoint_paths(&wsdl);
    let state = web::Data::new(MockState { wsdl, opts, paths });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(16 << 20))
            .default_service(web::to(handle))
    })
    .workers(2)
    .disable_signals()
    .bind(listen)?;
    let addr = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| std::io::Error::other("the mock is not bound"))?;
    Ok((addr, server.run()))
}

fn content_type(v: SoapVersion) -> &'static str {
    match v {
        SoapVersion::V11 => "text/xml; charset=utf-8",
        SoapVersion::V12 => "application/soap+xml; charset=utf-8",
    }
}

fn fault_response(
    state: &MockState,
    version: SoapVersion,
    client: bool,
    reason: &str,
    detail: Option<(crate::wsdl::ElemId, &Value)>,
) -> HttpResponse {
    match soap::build_fault(&state.wsdl.schema, version, client, reason, detail) {
        Ok(xml) => HttpResponse::InternalServerError()
            .content_type(content_type(version))
            .body(xml),
        Err(e) => HttpResponse::InternalServerError()
            .content_type("text/plain")
            .body(format!("the mock cannot write its fault: {e}")),
    }
}

/// SOAPAction (1.1) or the `action` parameter of the Content-Type (1.2).
fn action_of(req: &HttpRequest) -> Option<String> {
    if let Some(a) = req
        .headers()
        .get("soapaction")
        .and_then(|v| v.to_str().ok())
    {
        return Some(a.trim().trim_matches('"').to_owned());
    }
    let ct = req.headers().get("content-type")?.to_str().ok()?;
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim() == "action").then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The operation a request is for: by the Body's first child, then by SOAPAction.
fn find_operation<'w>(
    w: &'w Wsdl,
    version: SoapVersion,
    first: Option<&QName>,
    action: Option<&str>,
) -> Option<(&'w Binding, &'w Operation)> {
    let bindings = || {
        w.bindings
            .iter()
            .filter(|b| b.soap_version == version)
            .chain(w.bindings.iter().filter(|b| b.soap_version != version))
    };
    if let Some(first) = first {
        for b in bindings() {
            for op in &b.operations {
                let body = &op.input.body;
                let by_wrapper = body.wrapper.as_ref().is_some_and(|q| q == first);
                let by_part = body.wrapper.is_none()
                    && body.parts.first().is_some_and(|p| match p.kind {
                        crate::wsdl::PartKind::Element(e) => w.schema.element(e).name == *first,
                        crate::wsdl::PartKind::Type(_) => false,
                    });
                if by_wrapper || by_part {
                    return Some((b, op));
                }
            }
        }
        // rpc wrappers named after the operation, in any namespace.
        for b in bindings() {
            if let Some(op) = b
                .operations
                .iter()
                .find(|o| o.name == *first.local && o.style == crate::wsdl::Style::Rpc)
            {
                return Some((b, op));
            }
        }
    }
    let action = action.filter(|a| !a.is_empty())?;
    bindings().find_map(|b| {
        b.operations
            .iter()
            .find(|o| o.soap_action == action)
            .map(|o| (b, o))
    })
}

/// The fault asked for by `fault:<name>` in any text of the request.
fn fault_request(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => s.strip_prefix("fault:").map(str::to_owned),
        Value::Array(a) => a.iter().find_map(fault_request),
        Value::Object(m) => m.values().find_map(fault_request),
        _ => None,
    }
}

/// Scalar leaves of the request by key (first occurrence), to echo into the response.
fn leaves(v: &Value, out: &mut Map<String, Value>) {
    if let Value::Object(m) = v {
        for (k, x) in m {
            match x {
                Value::Object(_) => leaves(x, out),
                Value::Array(a) => a.iter().for_each(|i| leaves(i, out)),
                Value::Null => {}
                scalar => {
                    out.entry(k.clone()).or_insert_with(|| scalar.clone());
                }
            }
        }
    }
}

async fn handle(req: HttpRequest, body: web::Bytes, state: web::Data<MockState>) -> HttpResponse {
    if !state.paths.is_empty() && !state.paths.iter().any(|p| p == req.path()) {
        return HttpResponse::NotFound()
            .content_type("text/plain")
            .body(format!(
                "the mock SOAP backend answers on {}, as the contract's soap:address says\n",
                state.paths.join(", ")
            ));
    }
    if req.method() != actix_web::http::Method::POST {
        return HttpResponse::MethodNotAllowed()
            .content_type("text/plain")
            .body("the mock SOAP backend answers POST requests\n");
    }
    let text = match std::str::from_utf8(&body) {
        Ok(t) => t,
        Err(_) => {
            return fault_response(
                &state,
                SoapVersion::V11,
                true,
                "the request is not UTF-8",
                None,
            );
        }
    };
    let (version, first) = match soap::peek_body(text, Limits::default()) {
        Ok(x) => x,
        Err(e) => {
            return fault_response(
                &state,
                SoapVersion::V11,
                true,
                &format!("not a SOAP request: {e}"),
                None,
            );
        }
    };
    let action = action_of(&req);
    let w = &state.wsdl;
    let Some((_binding, op)) = find_operation(w, version, first.as_ref(), action.as_deref()) else {
        let what = first
            .map(|q| q.to_string())
            .unwrap_or_else(|| "an empty Body".into());
        return fault_response(
            &state,
            version,
            true,
            &format!("no operation of this contract takes {what}"),
            None,
        );
    };
    let input = match soap::parse_request(&w.schema, op, text, Limits::default()) {
        Ok(Response::Ok { body, .. }) => body,
        Ok(Response::Fault(_)) => {
            return fault_response(&state, version, true, "a fault is not a request", None);
        }
        Err(e) => {
            return fault_response(
                &state,
                version,
                true,
                &format!("cannot read the request: {e}"),
                None,
            );
        }
    };
    tracing::debug!(operation = %op.name, "Mock request.");
    let asked = req
        .headers()
        .get("x-mock-fault")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| fault_request(&input));
    if let Some(name) = asked {
        return match name.to_ascii_lowercase().as_str() {
            "client" | "sender" => fault_response(
                &state,
                version,
                true,
                "The request was refused (mock client fault)",
                None,
            ),
            "server" | "receiver" => fault_response(
                &state,
                version,
                false,
                "The backend failed (mock server fault)",
                None,
            ),
            _ => match op.faults.iter().find(|f| f.name == name) {
                Some(f) => {
                    let detail = f.element.map(|e| {
                        let mut s = sample::Sampler::new(&w.schema);
                        leaves(&input, &mut s.echo);
                        (e, s.value(w.schema.element(e).ty, &f.name))
                    });
                    fault_response(
                        &state,
                        version,
                        true,
                        &format!("{} (mock fault)", f.name),
                        detail.as_ref().map(|(e, v)| (*e, v)),
                    )
                }
                None => {
                    let names: Vec<&str> = op.faults.iter().map(|f| f.name.as_str()).collect();
                    fault_response(
                        &state,
                        version,
                        true,
                        &format!(
                            "unknown mock fault `{name}`; {} declares: {}",
                            op.name,
                            names.join(", ")
                        ),
                        None,
                    )
                }
            },
        };
    }
    let Some(output) = &op.output else {
        return HttpResponse::Accepted().finish();
    };
    if let Some(dir) = &state.opts.responses {
        let xml = dir.join(format!("{}.xml", op.name));
        if let Ok(canned) = std::fs::read_to_string(&xml) {
            let full = if canned.contains("Envelope") {
                canned
            } else {
                let body_xml = canned.trim_start();
                let body_xml = match body_xml.strip_prefix("<?xml") {
                    Some(rest) => rest.split_once("?>").map_or(rest, |(_, r)| r),
                    None => body_xml,
                };
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{}\"><soapenv:Body>{body_xml}</soapenv:Body></soapenv:Envelope>",
                    version.envelope_ns()
                )
            };
            return HttpResponse::Ok()
                .content_type(content_type(version))
                .body(full);
        }
        let json_file = dir.join(format!("{}.json", op.name));
        if let Ok(text) = std::fs::read_to_string(&json_file) {
            let value: Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => {
                    return fault_response(
                        &state,
                        version,
                        false,
                        &format!("{}: {e}", json_file.display()),
                        None,
                    );
                }
            };
            return answer(
                &state,
                output,
                version,
                &value,
                &json_file.display().to_string(),
            );
        }
    }
    let mut sampler = sample::Sampler::new(&w.schema);
    leaves(&input, &mut sampler.echo);
    let value = sampler.value(output.body.content, &op.name);
    answer(
        &state,
        output,
        version,
        &value,
        "the mock's sample response",
    )
}

/// The output message `value` as a response envelope; a server fault naming `what` when it
/// does not fit the schema.
fn answer(
    state: &MockState,
    output: &crate::wsdl::MessageBinding,
    version: SoapVersion,
    value: &Value,
    what: &str,
) -> HttpResponse {
    match soap::build_message(&state.wsdl.schema, output, version, value, None, &[]) {
        Ok(xml) => HttpResponse::Ok()
            .content_type(content_type(version))
            .body(xml),
        Err(e) => fault_response(state, version, false, &format!("{what}: {e}"), None),
    }
}

//! A caller's request to the demo routes through what the REST face does with it: route
//! lookup, the query string, the body's media type and JSON, then bind and encode into the
//! request envelope.
//!
//! The path is either a route's template with fuzzed parameter values (so most inputs reach
//! bind) or fuzzed text as a whole.
//!
//! Invariants: no panic; the envelope stays within a fixed multiple of the request; every
//! refusal carries a documented code.

#![no_main]

use actix_web::http::Method;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use soapbridge::fuzzing;
use soapbridge::gateway::{Input, Problem};
use soapbridge::http::handler::parse_json;
use soapbridge::http::router::Found;
use soapbridge_fuzz::{DEMO, check_bounded, check_problem};

#[derive(Arbitrary, Debug)]
enum Path<'a> {
    Route { route: u8, params: Vec<&'a str> },
    Raw(&'a str),
}

#[derive(Arbitrary, Debug)]
struct Request<'a> {
    method: u8,
    path: Path<'a>,
    query: &'a str,
    content_type: Option<&'a str>,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
];

fuzz_target!(|req: Request<'_>| {
    let input_len = req.query.len()
        + req.body.len()
        + req.content_type.map_or(0, str::len)
        + req
            .headers
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
        + match &req.path {
            Path::Route { params, .. } => params.iter().map(|p| p.len()).sum(),
            Path::Raw(p) => p.len(),
        };
    let (method, path) = match &req.path {
        Path::Route { route, params } => {
            let r = &DEMO.routes[usize::from(*route) % DEMO.routes.len()];
            (r.method.clone(), fill(&r.path, params))
        }
        Path::Raw(p) => (
            METHODS[usize::from(req.method) % METHODS.len()].clone(),
            (*p).to_owned(),
        ),
    };
    let Found::Route { target, params, .. } = DEMO.table.find(&method, &path) else {
        return;
    };
    let route = target.route;
    let query = soapbridge::http::handler::parse_query(req.query);
    let result = parse_json(req.content_type, req.body).and_then(|body| {
        let headers = route
            .header_params
            .iter()
            .flat_map(|p| {
                req.headers
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(&p.name))
                    .map(|(_, v)| (p.name.clone(), (*v).to_owned()))
            })
            .collect();
        let input = Input {
            path: params,
            query,
            headers,
            body,
        };
        fuzzing::encode_request(route, input, &[])
    });
    match result {
        Ok(encoded) => check_bounded("envelope", encoded.body.bytes.len(), input_len),
        Err(p) => check(&p, input_len),
    }
});

fn check(p: &Problem, input_len: usize) {
    check_problem(p, input_len);
    assert!(
        p.status == 400 || p.status == 415,
        "a request problem is the caller's: {p:?}"
    );
}

/// The template with each `{name}` replaced by the next parameter (empty when they run out).
fn fill(template: &str, params: &[&str]) -> String {
    let mut out = String::new();
    let mut params = params.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(params.next().copied().unwrap_or(""));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

//! Bytes as a backend's answer, through the whole answer path (charset, HTML and not-XML
//! checks, envelope, fault, schema-guided decoding with multiRef) of one operation of one of
//! the fixture contracts; for the demo, through its route's fault rules too.
//!
//! Input: contract selector, operation selector, HTTP status selector, then the body. The
//! operation is one whose output wrapper the body names when there is one, so recorded
//! answers make good seeds whatever the operation order.
//!
//! Invariants: no panic; the JSON (or the problem) stays within a fixed multiple of the
//! body; every problem carries a documented code.

#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use soapbridge::fuzzing::{self, Answer};
use soapbridge::soap::client::RawResponse;
use soapbridge::translate::Limits;
use soapbridge_fuzz::{CONTRACTS, DEMO, check_bounded, check_problem};

const STATUSES: [u16; 6] = [200, 200, 500, 202, 404, 503];
const CONTENT_TYPES: [Option<&str>; 5] = [
    None,
    Some("text/xml; charset=utf-8"),
    Some("application/soap+xml; charset=iso-8859-1"),
    Some("text/xml; charset=utf-16"),
    // MTOM: the body is a multipart/related one with this boundary and root part.
    Some(
        "multipart/related; type=\"application/xop+xml\"; boundary=\"uuid:b\"; start=\"<root>\"; start-info=\"text/xml\"",
    ),
];

fuzz_target!(|data: &[u8]| {
    let [c, o, s, body @ ..] = data else {
        return;
    };
    let contract = &CONTRACTS[usize::from(*c) % CONTRACTS.len()];
    let ops: Vec<_> = contract.operations().collect();
    if ops.is_empty() {
        return;
    }
    let named: Vec<_> = ops
        .iter()
        .copied()
        .filter(|op| {
            op.output
                .as_ref()
                .and_then(|m| m.body.wrapper.as_ref())
                .is_some_and(|w| contains(body, w.local.as_bytes()))
        })
        .collect();
    let op = if named.is_empty() {
        ops[usize::from(*o) % ops.len()]
    } else {
        named[usize::from(*o) % named.len()]
    };
    let raw = RawResponse::whole(
        STATUSES[usize::from(*s) % STATUSES.len()],
        CONTENT_TYPES[usize::from(*s >> 3) % CONTENT_TYPES.len()].map(str::to_owned),
        Bytes::copy_from_slice(body),
    );
    let limits = Limits::default();
    let whole = fuzzing::Select {
        path: &[],
        repeated: false,
    };
    match fuzzing::read_message(&contract.wsdl.schema, op, &raw, limits, whole) {
        Ok(Answer::Body(v)) => check_json("output JSON", &v, body.len()),
        Ok(Answer::Fault(f)) => {
            check_bounded("fault", format!("{f:?}").len(), body.len());
        }
        Err(p) => check_problem(&p, body.len()),
    }
    if contract.name == "customers"
        && let Some(route) = DEMO.routes.iter().find(|r| r.operation().name == op.name)
    {
        match fuzzing::read_answer(route, &raw, limits, None) {
            Ok(v) => check_json("route JSON", &v, body.len()),
            Err(p) => check_problem(&p, body.len()),
        }
    }
});

/// The decoder writes JSON text itself: it must parse (empty only for a one-way answer)
/// and stay bounded.
fn check_json(what: &str, json: &[u8], input: usize) {
    check_bounded(what, json.len(), input);
    if !json.is_empty() {
        serde_json::from_slice::<serde_json::Value>(json).unwrap_or_else(|e| {
            panic!(
                "{what} is not JSON ({e}): {}",
                String::from_utf8_lossy(json)
            )
        });
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

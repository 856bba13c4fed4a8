//! One decoder run over a recorded answer, for instruction-count profiles
//! (`valgrind --tool=callgrind`): no timing, no warm-up, nothing but the decode.
//!
//! ```text
//! SOAPBRIDGE_PROFILE_WSDL=contract.wsdl SOAPBRIDGE_PROFILE_XML=answer.xml \
//!   SOAPBRIDGE_PROFILE_OP=ListOrders [SOAPBRIDGE_PROFILE_MODE=json|tree|scan|encode] \
//!   [SOAPBRIDGE_PROFILE_RUNS=20] target/release/deps/decode_once-*
//! ```
//!
//! `json` is the answer path (envelope → JSON text), `tree` the tree decoder and its
//! serialisation, `scan` a raw quick-xml scan of the same bytes (the floor), `encode` the
//! tree decoder's value written back as an envelope of the output message (what
//! `benches/translate.rs` times as `encode`). Prints the output size so the optimiser keeps
//! the work.

use std::hint::black_box;

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use soapbridge::soap::{self, Response};
use soapbridge::translate::{Limits, Select};
use soapbridge::wsdl::{self, Location, SoapVersion, Sources};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn main() {
    let (Some(wsdl_path), Some(xml_path), Some(op_name)) = (
        env("SOAPBRIDGE_PROFILE_WSDL"),
        env("SOAPBRIDGE_PROFILE_XML"),
        env("SOAPBRIDGE_PROFILE_OP"),
    ) else {
        println!("set SOAPBRIDGE_PROFILE_WSDL, SOAPBRIDGE_PROFILE_XML, SOAPBRIDGE_PROFILE_OP");
        return;
    };
    let mode = env("SOAPBRIDGE_PROFILE_MODE").unwrap_or_else(|| "json".into());
    let runs: usize = env("SOAPBRIDGE_PROFILE_RUNS")
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let wsdl = wsdl::load(
        &Location::File(std::path::PathBuf::from(&wsdl_path)),
        &Sources::default(),
    )
    .expect("the contract loads");
    let op = wsdl
        .bindings
        .iter()
        .find_map(|b| b.operation(&op_name))
        .expect("the operation is in the contract");
    let xml = std::fs::read_to_string(&xml_path).expect("the answer reads");
    let mut out = Vec::with_capacity(xml.len());
    let mut total = 0usize;
    let value = (mode == "encode").then(|| {
        match soap::parse_response(&wsdl.schema, op, &xml, Limits::default()).expect("decodes") {
            Response::Ok { body, .. } => body,
            Response::Fault(_) => panic!("a fault"),
        }
    });
    for _ in 0..runs {
        match mode.as_str() {
            "tree" => {
                let Response::Ok { body, .. } =
                    soap::parse_response(&wsdl.schema, op, &xml, Limits::default())
                        .expect("decodes")
                else {
                    panic!("a fault")
                };
                total += serde_json::to_vec(&body).expect("serializes").len();
            }
            "encode" => {
                let msg = op.output.as_ref().expect("the operation has an output");
                let body = value.as_ref().expect("decoded above");
                total += soap::build_message(&wsdl.schema, msg, SoapVersion::V11, body, None, &[])
                    .expect("encodes")
                    .len();
            }
            "scan" => {
                let mut r = Reader::from_str(&xml);
                loop {
                    match r.read_event().expect("scans") {
                        Event::Eof => break,
                        e => total += black_box(&e).len(),
                    }
                }
            }
            _ => {
                out.clear();
                soap::parse_response_json(
                    &wsdl.schema,
                    op,
                    &xml,
                    Limits::default(),
                    Select::default(),
                    &mut out,
                )
                .expect("decodes");
                total += black_box(&out).len();
            }
        }
    }
    println!("{mode}: {runs} runs, {total} bytes");
}

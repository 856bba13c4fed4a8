//! A schema-valid value, generated from the input by the round-trip properties' generators
//! (the input is their only randomness, so coverage steers them), encoded and decoded: it
//! must come back equal. The cases are the properties' own: the conventions' elements, the
//! demo's types, and whole envelopes (document/literal over SOAP 1.1 and 1.2, rpc/encoded).
//!
//! Input: case selector, then the generator's bytes.
//!
//! Invariants: no panic; the value comes back equal.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proptest::strategy::BoxedStrategy;
use serde_json::Value;
use soapbridge::fuzzing::{self, values::Gen};
use soapbridge::wsdl::{ElemId, Operation, QName, SoapVersion, TypeId, Wsdl};
use soapbridge_fuzz::CONTRACTS;

const CONV_NS: &str = "urn:conv";
const CUSTOMERS_NS: &str = "http://example.com/soapbridge/customers";

enum Check {
    Element(&'static Wsdl, ElemId),
    Type(&'static Wsdl, TypeId),
    Envelope(&'static Wsdl, &'static Operation, SoapVersion),
}

fn contract(name: &str) -> &'static Wsdl {
    &CONTRACTS
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no contract {name}"))
        .wsdl
}

fn element(w: &'static Wsdl, ns: &str, name: &str) -> (Check, BoxedStrategy<Value>) {
    let e = w.schema.global_elements[&QName::new(ns, name)];
    (Check::Element(w, e), Gen::new(w).element(e, 0))
}

fn typed(w: &'static Wsdl, ns: &str, name: &str) -> (Check, BoxedStrategy<Value>) {
    let t = w.schema.global_types[&QName::new(ns, name)];
    (Check::Type(w, t), Gen::new(w).typed(t, 0))
}

fn envelope(
    w: &'static Wsdl,
    binding: &str,
    op: &str,
    v: SoapVersion,
) -> (Check, BoxedStrategy<Value>) {
    let op = w
        .binding_by_name(binding)
        .and_then(|(_, b)| b.operation(op))
        .unwrap_or_else(|| panic!("no operation {binding}/{op}"));
    (
        Check::Envelope(w, op, v),
        Gen::new(w).complex(op.input.body.content, 0),
    )
}

fn cases() -> Vec<(Check, BoxedStrategy<Value>)> {
    let conv = contract("conventions");
    let customers = contract("customers");
    let mut out: Vec<_> = [
        "Scalars", "Lists", "Tagged", "Contact", "Drawing", "Located",
    ]
    .into_iter()
    .map(|n| element(conv, CONV_NS, n))
    .collect();
    out.push(element(customers, CUSTOMERS_NS, "ListOrdersResponse"));
    out.push(typed(customers, CUSTOMERS_NS, "Customer"));
    out.push(typed(customers, CUSTOMERS_NS, "Order"));
    for v in [SoapVersion::V11, SoapVersion::V12] {
        out.push(envelope(conv, "ConvBinding", "Echo", v));
        out.push(envelope(
            customers,
            "CustomerServiceSoap11",
            "PlaceOrder",
            v,
        ));
    }
    out.push(envelope(conv, "RpcBinding", "Path", SoapVersion::V11));
    out
}

thread_local! {
    // Strategies are not `Sync`; libFuzzer runs the target on one thread.
    static CASES: Vec<(Check, BoxedStrategy<Value>)> = cases();
}

fuzz_target!(|data: &[u8]| {
    let [which, seed @ ..] = data else {
        return;
    };
    CASES.with(|cases| {
        let (check, strategy) = &cases[usize::from(*which) % cases.len()];
        let Some(v) = fuzzing::draw(strategy, seed) else {
            return;
        };
        let result = match check {
            Check::Element(w, e) => fuzzing::element_round_trip(&w.schema, *e, &v),
            Check::Type(w, t) => fuzzing::type_round_trip(&w.schema, *t, &v),
            Check::Envelope(w, op, version) => {
                fuzzing::envelope_round_trip(&w.schema, op, *version, &v)
            }
        };
        if let Err(why) = result {
            panic!("the value did not come back equal: {why}");
        }
    });
});

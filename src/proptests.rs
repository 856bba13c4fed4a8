//! Round-trip properties: any JSON value valid for a schema type survives encode → decode
//! unchanged, alone and inside a whole envelope (so this test module sits above `translate`
//! and `soap`). The values come from `fuzzing::values`, whose header lists the normalizations
//! the generators build in; the `roundtrip` fuzz target checks the same properties.
//!
//! ```text
//! schema type ──Gen (walks the type)──> JSON value ──Encoder──> XML ──Decoder──> JSON == value
//! ```

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;

use crate::fuzzing::{self, values::Gen};
use crate::wsdl::{self, ElemId, Location, QName, SoapVersion, Sources, TypeId, Wsdl};

static CONV: LazyLock<Wsdl> = LazyLock::new(|| {
    load(
        "conventions.wsdl",
        include_str!("../tests/fixtures/conventions.wsdl"),
    )
});

static CUSTOMERS: LazyLock<Wsdl> =
    LazyLock::new(|| load("customers.wsdl", include_str!("../wsdl/customers.wsdl")));

const CONV_NS: &str = "urn:conv";
const CUSTOMERS_NS: &str = "http://example.com/soapbridge/customers";

fn load(name: &str, text: &'static str) -> Wsdl {
    let mut sources = Sources::default();
    sources.memory.insert(name.into(), text.into());
    wsdl::load(&Location::Memory(name.into()), &sources).expect("fixture loads")
}

fn global_element(wsdl: &Wsdl, ns: &str, name: &str) -> ElemId {
    *wsdl
        .schema
        .global_elements
        .get(&QName::new(ns, name))
        .unwrap_or_else(|| panic!("no element {name}"))
}

fn global_type(wsdl: &Wsdl, ns: &str, name: &str) -> TypeId {
    *wsdl
        .schema
        .global_types
        .get(&QName::new(ns, name))
        .unwrap_or_else(|| panic!("no type {name}"))
}

/// `cases` per property, or `PROPTEST_CASES` when set (for a longer search).
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        // Failures are pinned as named regression tests in tests.rs instead.
        failure_persistence: None,
        ..Config::default()
    }
}

// ----- round trips -----------------------------------------------------------------------

fn element_round_trip(schema: &wsdl::Schema, e: ElemId, v: &Value) -> Result<(), TestCaseError> {
    fuzzing::element_round_trip(schema, e, v).map_err(TestCaseError::fail)
}

fn type_round_trip(schema: &wsdl::Schema, ty: TypeId, v: &Value) -> Result<(), TestCaseError> {
    fuzzing::type_round_trip(schema, ty, v).map_err(TestCaseError::fail)
}

/// The input of `operation` as a whole request envelope, written and read back.
fn envelope_round_trip(
    wsdl: &Wsdl,
    binding: &str,
    operation: &str,
    version: SoapVersion,
    v: &Value,
) -> Result<(), TestCaseError> {
    let op = find_operation(wsdl, binding, operation);
    fuzzing::envelope_round_trip(&wsdl.schema, op, version, v).map_err(TestCaseError::fail)
}

fn find_operation<'w>(
    wsdl: &'w Wsdl,
    binding: &str,
    operation: &str,
) -> &'w crate::wsdl::Operation {
    wsdl.binding_by_name(binding)
        .and_then(|(_, b)| b.operation(operation))
        .unwrap_or_else(|| panic!("no operation {binding}/{operation}"))
}

/// The JSON of an operation's input message.
fn input_of(wsdl: &'static Wsdl, binding: &str, operation: &str) -> BoxedStrategy<Value> {
    let content = find_operation(wsdl, binding, operation).input.body.content;
    Gen::new(wsdl).complex(content, 0)
}

fn conv_element(name: &str) -> (ElemId, BoxedStrategy<Value>) {
    let e = global_element(&CONV, CONV_NS, name);
    (e, Gen::new(&CONV).element(e, 0))
}

fn customers_element(name: &str) -> (ElemId, BoxedStrategy<Value>) {
    let e = global_element(&CUSTOMERS, CUSTOMERS_NS, name);
    (e, Gen::new(&CUSTOMERS).element(e, 0))
}

fn customers_type(name: &str) -> (TypeId, BoxedStrategy<Value>) {
    let t = global_type(&CUSTOMERS, CUSTOMERS_NS, name);
    (t, Gen::new(&CUSTOMERS).typed(t, 0))
}

fn soap_version(v12: bool) -> SoapVersion {
    if v12 {
        SoapVersion::V12
    } else {
        SoapVersion::V11
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn scalars_round_trip(v in conv_element("Scalars").1) {
        element_round_trip(&CONV.schema, conv_element("Scalars").0, &v)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn lists_round_trip(v in conv_element("Lists").1) {
        element_round_trip(&CONV.schema, conv_element("Lists").0, &v)?;
    }

    #[test]
    fn tagged_attributes_round_trip(v in conv_element("Tagged").1) {
        element_round_trip(&CONV.schema, conv_element("Tagged").0, &v)?;
    }

    #[test]
    fn contact_choice_round_trip(v in conv_element("Contact").1) {
        element_round_trip(&CONV.schema, conv_element("Contact").0, &v)?;
    }

    #[test]
    fn drawing_polymorphism_round_trip(v in conv_element("Drawing").1) {
        element_round_trip(&CONV.schema, conv_element("Drawing").0, &v)?;
    }

    #[test]
    fn echo_envelope_round_trip(v in input_of(&CONV, "ConvBinding", "Echo"), v12 in any::<bool>()) {
        envelope_round_trip(&CONV, "ConvBinding", "Echo", soap_version(v12), &v)?;
    }

    #[test]
    fn rpc_encoded_envelope_round_trip(v in input_of(&CONV, "RpcBinding", "Path")) {
        envelope_round_trip(&CONV, "RpcBinding", "Path", SoapVersion::V11, &v)?;
    }

    #[test]
    fn customer_round_trip(v in customers_type("Customer").1) {
        type_round_trip(&CUSTOMERS.schema, customers_type("Customer").0, &v)?;
    }

    #[test]
    fn order_round_trip(v in customers_type("Order").1) {
        type_round_trip(&CUSTOMERS.schema, customers_type("Order").0, &v)?;
    }

    #[test]
    fn place_order_envelope_round_trip(
        v in input_of(&CUSTOMERS, "CustomerServiceSoap11", "PlaceOrder"),
        v12 in any::<bool>(),
    ) {
        envelope_round_trip(&CUSTOMERS, "CustomerServiceSoap11", "PlaceOrder", soap_version(v12), &v)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn located_unqualified_round_trip(v in conv_element("Located").1) {
        element_round_trip(&CONV.schema, conv_element("Located").0, &v)?;
    }

    #[test]
    fn list_orders_response_round_trip(v in customers_element("ListOrdersResponse").1) {
        element_round_trip(&CUSTOMERS.schema, customers_element("ListOrdersResponse").0, &v)?;
    }
}

//! Envelopes of real SOAP stacks (PHP SoapServer, Spyne, SOAP::Lite), recorded in
//! `tests/fixtures/interop/`: each test pins one way a stack differs from the textbook and
//! how the bridge reads or writes it. The same stacks run live in `tests/it/interop.rs`.

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::envelope::{build_request, parse_response};
use super::{Fault, FaultClass, Response};
use crate::translate::Limits;
use crate::translate::events::{Ev, LiveSource, Source};
use crate::wsdl::{self, Location, Operation, SoapVersion, Sources, Wsdl};

fn load(name: &'static str, text: &'static str) -> Wsdl {
    let mut sources = Sources::default();
    sources.memory.insert(name.into(), text.into());
    wsdl::load(&Location::Memory(name.into()), &sources).expect("recorded WSDL loads")
}

static PHP: LazyLock<Wsdl> = LazyLock::new(|| {
    load(
        "php-soap.wsdl",
        include_str!("../../tests/fixtures/interop/php-soap/service.wsdl"),
    )
});
static SPYNE11: LazyLock<Wsdl> = LazyLock::new(|| {
    load(
        "spyne.wsdl",
        include_str!("../../tests/fixtures/interop/spyne/service.wsdl"),
    )
});
static SPYNE12: LazyLock<Wsdl> = LazyLock::new(|| {
    load(
        "spyne12.wsdl",
        include_str!("../../tests/fixtures/interop/spyne/service12.wsdl"),
    )
});
static SOAPLITE: LazyLock<Wsdl> = LazyLock::new(|| {
    load(
        "soaplite.wsdl",
        include_str!("../../tests/fixtures/interop/soaplite/service.wsdl"),
    )
});

/// The operation `name` of the WSDL's binding for `version`.
fn op<'w>(w: &'w Wsdl, version: SoapVersion, name: &str) -> &'w Operation {
    w.bindings
        .iter()
        .find(|b| b.soap_version == version)
        .expect("a binding of that SOAP version")
        .operations
        .iter()
        .find(|o| o.name == name)
        .expect("operation in binding")
}

fn ok_body(w: &Wsdl, version: SoapVersion, name: &str, xml: &str) -> Value {
    match parse_response(&w.schema, op(w, version, name), xml, Limits::default()) {
        Ok(Response::Ok { body, .. }) => body,
        other => panic!("expected a normal answer, got {other:?}"),
    }
}

fn fault(w: &Wsdl, version: SoapVersion, name: &str, xml: &str) -> Fault {
    match parse_response(&w.schema, op(w, version, name), xml, Limits::default()) {
        Ok(Response::Fault(f)) => f,
        other => panic!("expected a fault, got {other:?}"),
    }
}

/// The JSON text of `v` (numbers keep their spelling).
fn text(v: &Value) -> String {
    serde_json::to_string(v).expect("serialises")
}

fn invalid_quantity() -> Value {
    json!({"code": "INVALID_QUANTITY", "message": "quantity must be positive"})
}

// ----- PHP SoapServer ------------------------------------------------------------------

#[test]
fn php_empty_wrapper_is_an_empty_list() {
    let body = ok_body(
        &PHP,
        SoapVersion::V11,
        "ListOrders",
        include_str!("../../tests/fixtures/interop/php-soap/ListOrders_0.soap11.response.xml"),
    );
    assert_eq!(body, json!({"order": []}));
}

#[test]
fn php_single_element_array_is_a_one_item_list() {
    let body = ok_body(
        &PHP,
        SoapVersion::V11,
        "ListOrders",
        include_str!("../../tests/fixtures/interop/php-soap/ListOrders_1.soap11.response.xml"),
    );
    assert_eq!(
        text(&body),
        r#"{"order":[{"orderId":"ORD-42-1","customerId":42,"amount":10.50,"status":"OPEN","placedAt":"2024-02-01T12:00:00Z"}]}"#
    );
}

#[test]
fn php_faults_read_in_both_versions() {
    let f11 = fault(
        &PHP,
        SoapVersion::V11,
        "PlaceOrder",
        include_str!("../../tests/fixtures/interop/php-soap/PlaceOrder_fault.soap11.response.xml"),
    );
    let f12 = fault(
        &PHP,
        SoapVersion::V12,
        "PlaceOrder",
        include_str!("../../tests/fixtures/interop/php-soap/PlaceOrder_fault.soap12.response.xml"),
    );
    assert_eq!(
        (f11.code_local(), f11.class()),
        ("Client", FaultClass::Client)
    );
    assert_eq!(
        (f12.code_local(), f12.class()),
        ("Sender", FaultClass::Client)
    );
    for f in [&f11, &f12] {
        assert_eq!(f.reason, "Invalid quantity");
        assert_eq!(f.name.as_deref(), Some("OrderFault"));
        assert_eq!(f.detail, Some(invalid_quantity()));
    }
}

// ----- Spyne -----------------------------------------------------------------------------

#[test]
fn spyne_fault_detail_of_an_empty_declared_type_is_read_as_json() {
    // Spyne's WSDL says `<xs:complexType name="OrderFault"/>`: the detail's fields are
    // undocumented, yet `when: { code: ... }` rules and clients need them as JSON.
    let f11 = fault(
        &SPYNE11,
        SoapVersion::V11,
        "PlaceOrder",
        include_str!("../../tests/fixtures/interop/spyne/PlaceOrder_fault.soap11.response.xml"),
    );
    let f12 = fault(
        &SPYNE12,
        SoapVersion::V12,
        "PlaceOrder",
        include_str!("../../tests/fixtures/interop/spyne/PlaceOrder_fault.soap12.response.xml"),
    );
    for f in [&f11, &f12] {
        assert_eq!(f.class(), FaultClass::Client);
        assert_eq!(f.name.as_deref(), Some("OrderFault"));
        assert_eq!(f.detail, Some(invalid_quantity()), "{f:?}");
    }
    assert_eq!(f12.code_local(), "Sender");
}

#[test]
fn spyne_fault_members_straight_inside_fault_are_the_detail() {
    for (wsdl, version, xml) in [
        (
            &*SPYNE11,
            SoapVersion::V11,
            include_str!(
                "../../tests/fixtures/interop/spyne/PlaceOrder_fault_members.soap11.response.xml"
            ),
        ),
        (
            &*SPYNE12,
            SoapVersion::V12,
            include_str!(
                "../../tests/fixtures/interop/spyne/PlaceOrder_fault_members.soap12.response.xml"
            ),
        ),
    ] {
        let f = fault(wsdl, version, "PlaceOrder", xml);
        assert_eq!(f.class(), FaultClass::Client);
        assert_eq!(f.reason, "Invalid quantity");
        // An empty <faultactor/> or <Role/> is no actor.
        assert_eq!(f.actor, None);
        assert_eq!(f.detail, Some(invalid_quantity()), "{f:?}");
    }
}

#[test]
fn spyne_microsecond_datetime_is_kept_as_sent() {
    let body = ok_body(
        &SPYNE11,
        SoapVersion::V11,
        "EchoScalars",
        include_str!("../../tests/fixtures/interop/spyne/EchoScalars.soap11.response.xml"),
    );
    assert_eq!(
        text(&body),
        r#"{"text":"Grüße & <hello>","number":-42,"flag":true,"amount":12345.6789,"when":"2024-05-06T07:08:09.123000+02:00"}"#
    );
}

// ----- SOAP::Lite ------------------------------------------------------------------------

#[test]
fn soaplite_accessors_in_the_default_namespace_match_unqualified_parts() {
    let body = ok_body(
        &SOAPLITE,
        SoapVersion::V11,
        "EchoScalars",
        include_str!("../../tests/fixtures/interop/soaplite/EchoScalars.soap11.response.xml"),
    );
    assert_eq!(
        text(&body),
        r#"{"text":"Grüße & <hello>","number":-42,"flag":true,"amount":12345.6789,"when":"2024-05-06T07:08:09.123+02:00"}"#
    );
}

#[test]
fn soaplite_clark_notation_in_xsi_type_is_the_declared_type() {
    let body = ok_body(
        &SOAPLITE,
        SoapVersion::V11,
        "GetCustomer",
        include_str!("../../tests/fixtures/interop/soaplite/GetCustomer_clark.soap11.response.xml"),
    );
    // The same JSON as a document/literal stack gives: no `$type`, since the type is the
    // declared one.
    assert_eq!(
        text(&body),
        r#"{"customer":{"id":42,"name":"Customer 42","email":"customer42@example.com","vip":true,"balance":1234.56,"createdAt":"2024-01-15T10:30:00Z","address":{"street":"1 Main Street","city":"Springfield","postalCode":"12345","country":"US"}}}"#
    );
}

#[test]
fn soaplite_empty_array_of_any_type_is_an_empty_list() {
    let body = ok_body(
        &SOAPLITE,
        SoapVersion::V11,
        "ListOrders",
        include_str!("../../tests/fixtures/interop/soaplite/ListOrders_0.soap11.response.xml"),
    );
    assert_eq!(body, json!({"orders": []}));
}

#[test]
fn soaplite_soapenc_array_of_orders_is_a_list() {
    let body = ok_body(
        &SOAPLITE,
        SoapVersion::V11,
        "ListOrders",
        include_str!("../../tests/fixtures/interop/soaplite/ListOrders_3.soap11.response.xml"),
    );
    let orders = body["orders"].as_array().expect("orders is an array");
    assert_eq!(orders.len(), 3);
    assert_eq!(
        text(&orders[1]),
        r#"{"orderId":"ORD-42-2","customerId":42,"amount":20.50,"status":"SHIPPED","placedAt":"2024-02-01T12:00:00Z"}"#
    );
}

#[test]
fn soaplite_soap12_fault_with_soap11_children() {
    let xml =
        include_str!("../../tests/fixtures/interop/soaplite/PlaceOrder_fault.soap12.response.xml");
    // Read with the SOAP 1.1 binding (the only one): the envelope's version is reported.
    let f = fault(&SOAPLITE, SoapVersion::V11, "PlaceOrder", xml);
    assert_eq!(f.version, SoapVersion::V12);
    assert_eq!((f.code_local(), f.class()), ("Client", FaultClass::Client));
    assert_eq!(f.reason, "Invalid quantity");
    assert_eq!(f.actor.as_deref(), Some("http://127.0.0.1:18083/"));
    assert_eq!(f.name.as_deref(), Some("OrderFault"));
    assert_eq!(f.detail, Some(invalid_quantity()));
}

#[test]
fn soaplite_soap11_fault_detail_named_by_type() {
    let f = fault(
        &SOAPLITE,
        SoapVersion::V11,
        "PlaceOrder",
        include_str!("../../tests/fixtures/interop/soaplite/PlaceOrder_fault.soap11.response.xml"),
    );
    assert_eq!(f.version, SoapVersion::V11);
    assert_eq!(f.name.as_deref(), Some("OrderFault"));
    assert_eq!(f.detail, Some(invalid_quantity()));
}

/// (namespace, local name, xsi:type, text) of every element, in document order.
fn shape(xml: &str) -> Vec<(String, String, Option<String>, String)> {
    let mut src = LiveSource::new(xml, Limits::default());
    let mut out: Vec<(String, String, Option<String>, String)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        match src.next().expect("well-formed") {
            Ev::Start(s) => {
                open.push(out.len());
                out.push((
                    s.ns.to_string(),
                    s.local.to_string(),
                    s.xsi_type().map(|t| t.to_string()),
                    String::new(),
                ));
            }
            Ev::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i].3.push_str(t.trim());
                }
            }
            Ev::End => {
                open.pop();
            }
            Ev::Eof => return out,
        }
    }
}

#[test]
fn soaplite_rpc_encoded_request_has_the_shape_soaplite_accepts() {
    let op = op(&SOAPLITE, SoapVersion::V11, "EchoScalars");
    // SOAP::Lite dispatches on `uri#method`; the WSDL's soapAction already says so.
    assert_eq!(
        op.soap_action,
        "http://example.com/interop/customer#EchoScalars"
    );
    let input = json!({
        "text": "Grüße & <hello>", "number": -42, "flag": true,
        "amount": serde_json::from_str::<Value>("12345.6789").expect("number"),
        "when": "2024-05-06T07:08:09.123+02:00"
    });
    let ours =
        build_request(&SOAPLITE.schema, op, SoapVersion::V11, &input, None, &[]).expect("encodes");
    let accepted =
        include_str!("../../tests/fixtures/interop/soaplite/EchoScalars.soap11.request.xml");
    // Same elements, namespaces, xsi:types and text (prefixes and an empty Header aside).
    let without_header = |v: Vec<(String, String, Option<String>, String)>| {
        v.into_iter()
            .filter(|(_, local, _, _)| local != "Header")
            .collect::<Vec<_>>()
    };
    assert_eq!(
        without_header(shape(&ours)),
        without_header(shape(accepted))
    );
    // And the encodingStyle on the wrapper, as SOAP::Lite's own clients write it.
    assert!(
        ours.contains("soapenv:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\""),
        "{ours}"
    );
}

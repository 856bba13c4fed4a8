//! `soapbridge mock`: sample answers that fit the schema, canned answers from a folder, and
//! faults on request.

use std::sync::Arc;

use serde_json::json;
use soapbridge::soap::{self, Response};
use soapbridge::wsdl::{SoapVersion, Wsdl};

use crate::support;

fn contract() -> Arc<Wsdl> {
    Arc::new(
        soapbridge::wsdl::load_path(
            &support::root()
                .join("wsdl/customers.wsdl")
                .to_string_lossy(),
        )
        .expect("wsdl"),
    )
}

async fn call(
    addr: std::net::SocketAddr,
    w: &Wsdl,
    version: SoapVersion,
    op: &str,
    input: serde_json::Value,
    fault_header: Option<&str>,
) -> (u16, Response) {
    let binding = w
        .bindings
        .iter()
        .find(|b| b.soap_version == version)
        .expect("binding");
    let op = binding.operation(op).expect("operation");
    let envelope =
        soap::build_request(&w.schema, op, version, &input, None, &[]).expect("envelope");
    let ct = match version {
        SoapVersion::V11 => "text/xml; charset=utf-8",
        SoapVersion::V12 => "application/soap+xml; charset=utf-8",
    };
    let mut req = support::client()
        .post(format!("http://{addr}/customers"))
        .header("content-type", ct)
        .body(envelope);
    if let Some(f) = fault_header {
        req = req.header("x-mock-fault", f);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("text");
    let parsed = soap::parse_response(&w.schema, op, &text, Default::default())
        .unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, parsed)
}

#[actix_web::test]
async fn samples_fit_the_schema_and_echo_the_request() {
    let w = contract();
    let (addr, server) = soapbridge::mock::start(
        w.clone(),
        "127.0.0.1:0".parse().expect("addr"),
        Default::default(),
    )
    .expect("mock");
    actix_web::rt::spawn(server);
    for version in [SoapVersion::V11, SoapVersion::V12] {
        let (status, r) = call(
            addr,
            &w,
            version,
            "GetCustomer",
            json!({"customerId": 77}),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let Response::Ok {
            body, version: got, ..
        } = r
        else {
            panic!("fault")
        };
        assert_eq!(got, version, "answers in the request's SOAP version");
        assert_eq!(body["customer"]["customerId"], 77);
        assert_eq!(
            body["customer"]["status"], "ACTIVE",
            "the first enumeration value"
        );
        assert!(body["customer"]["phone"].is_array());
        let (_, r) = call(
            addr,
            &w,
            version,
            "PlaceOrder",
            json!({"customerId": 1, "line": [{"sku": "XYZ-0001", "quantity": 3, "unitPrice": 2}]}),
            None,
        )
        .await;
        let Response::Ok { body, .. } = r else {
            panic!("fault")
        };
        let sku = body["order"]["line"][0]["sku"].as_str().expect("sku");
        assert!(
            sku.len() == 8 && sku.as_bytes()[3] == b'-',
            "pattern [A-Z]{{3}}-[0-9]{{4}}: {sku}"
        );
    }
}

#[actix_web::test]
async fn faults_on_request_carry_the_declared_detail() {
    let w = contract();
    let (addr, server) = soapbridge::mock::start(
        w.clone(),
        "127.0.0.1:0".parse().expect("addr"),
        Default::default(),
    )
    .expect("mock");
    actix_web::rt::spawn(server);
    let (status, r) = call(
        addr,
        &w,
        SoapVersion::V12,
        "GetCustomer",
        json!({"customerId": 5}),
        Some("CustomerNotFound"),
    )
    .await;
    assert_eq!(status, 500);
    let Response::Fault(f) = r else {
        panic!("not a fault")
    };
    assert_eq!(f.code_local(), "Sender");
    assert_eq!(f.name.as_deref(), Some("CustomerNotFound"));
    assert_eq!(
        f.detail.as_ref().map(|d| d["customerId"].clone()),
        Some(json!(5))
    );
    let (_, r) = call(
        addr,
        &w,
        SoapVersion::V11,
        "Ping",
        json!({}),
        Some("server"),
    )
    .await;
    let Response::Fault(f) = r else {
        panic!("not a fault")
    };
    assert_eq!(f.code_local(), "Server");
    // In a text field of the request.
    let (_, r) = call(
        addr,
        &w,
        SoapVersion::V11,
        "UpdateCustomerEmail",
        json!({"customerId": 1, "email": "fault:client"}),
        None,
    )
    .await;
    let Response::Fault(f) = r else {
        panic!("not a fault")
    };
    assert_eq!(f.code_local(), "Client");
}

#[actix_web::test]
async fn canned_responses_come_from_a_folder() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("Ping.xml"),
        "<?xml version=\"1.0\"?><c:PingResponse xmlns:c=\"http://example.com/soapbridge/customers\"><c:serverTime>1999-12-31T23:59:59Z</c:serverTime><c:version>canned</c:version></c:PingResponse>",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("FindCustomers.json"),
        r#"{"customer": [{"customerId": 1, "name": "One", "status": "CLOSED"}]}"#,
    )
    .expect("write");
    let w = contract();
    let opts = soapbridge::mock::MockOptions {
        responses: Some(dir.path().to_owned()),
    };
    let (addr, server) =
        soapbridge::mock::start(w.clone(), "127.0.0.1:0".parse().expect("addr"), opts)
            .expect("mock");
    actix_web::rt::spawn(server);
    let (_, r) = call(addr, &w, SoapVersion::V11, "Ping", json!({}), None).await;
    let Response::Ok { body, .. } = r else {
        panic!("fault")
    };
    assert_eq!(
        body,
        json!({"serverTime": "1999-12-31T23:59:59Z", "version": "canned"})
    );
    let (_, r) = call(addr, &w, SoapVersion::V12, "FindCustomers", json!({}), None).await;
    let Response::Ok { body, .. } = r else {
        panic!("fault")
    };
    assert_eq!(
        body,
        json!({"customer": [{"customerId": 1, "name": "One", "status": "CLOSED"}]})
    );
}

#[actix_web::test]
async fn a_request_for_no_operation_gets_a_client_fault() {
    let w = contract();
    let (addr, server) = soapbridge::mock::start(
        w.clone(),
        "127.0.0.1:0".parse().expect("addr"),
        Default::default(),
    )
    .expect("mock");
    actix_web::rt::spawn(server);
    // Only the contract's address path is answered.
    let r = support::client()
        .post(format!("http://{addr}/"))
        .header("content-type", "text/xml")
        .body("<s:Envelope/>")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 404);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("answers on /customers"),
        "names its path"
    );
    let r = support::client()
        .post(format!("http://{addr}/customers"))
        .header("content-type", "text/xml")
        .body("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><x:Nope xmlns:x=\"urn:x\"/></s:Body></s:Envelope>")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 500);
    let text = r.text().await.expect("text");
    assert!(
        text.contains("<faultcode>soapenv:Client</faultcode>")
            && text.contains("no operation of this contract takes {urn:x}Nope"),
        "{text}"
    );
}

#[test]
fn mock_help_says_how_to_ask_for_a_fault_and_where_it_answers() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["mock", "--help"])
        .output()
        .expect("run mock --help");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{help}");
    for part in ["fault:NAME", "fault:client", "X-Mock-Fault", "soap:address"] {
        assert!(help.contains(part), "`{part}` missing from:\n{help}");
    }
}

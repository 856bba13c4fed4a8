//! The bridge end to end: REST in, the exact SOAP envelope out, the answer (or every kind of
//! backend failure) back as JSON or problem+json. Real servers on 127.0.0.1 on both sides.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::backend::{self, Reply};
use crate::support::{self, Bridge};

const CUSTOMERS_NS: &str = "http://example.com/soapbridge/customers";

fn demo_mapping() -> String {
    std::fs::read_to_string(support::root().join("mappings/customers.yaml")).expect("demo mapping")
}

/// The demo mapping pointed at `endpoint`, with `edit` applied to its text.
async fn bridge_to(endpoint: &str, edit: impl Fn(String) -> String) -> Bridge {
    let path = support::root().join("mappings/customers.yaml");
    let text = edit(demo_mapping());
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        ..Default::default()
    };
    let m = support::compile(&[(path.as_path(), &text)], opts);
    support::start_bridge(m, soapbridge::http::ServerConfig::default()).await
}

fn soap12(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body>{body}</env:Body></env:Envelope>"
    )
}

fn soap11(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>{body}</s:Body></s:Envelope>"
    )
}

pub(crate) const CUSTOMER_RESPONSE: &str = r#"<c:GetCustomerResponse xmlns:c="http://example.com/soapbridge/customers"><c:customer>
<c:customerId>42</c:customerId><c:name>Ada &amp; Co</c:name><c:status>ACTIVE</c:status><c:vip>1</c:vip>
<c:balance currency="EUR">1234.50</c:balance><c:creditLimit>9223372036854775807</c:creditLimit>
<c:since>2020-02-29</c:since><c:lastLogin xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>
<c:address><c:street>1 Main St</c:street><c:city>Springfield</c:city><c:postalCode>01234</c:postalCode><c:country>US</c:country></c:address>
<c:phone kind="mobile">+1 555</c:phone></c:customer></c:GetCustomerResponse>"#;

async fn get(b: &Bridge, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = support::client()
        .get(b.url(path))
        .send()
        .await
        .expect("request");
    read(r).await
}

async fn read(r: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, headers, v)
}

fn content_type(h: &reqwest::header::HeaderMap) -> &str {
    h.get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[actix_web::test]
async fn get_customer_sends_the_exact_envelope_and_returns_typed_json() {
    let be = backend::start(Reply::soap12(200, &soap12(CUSTOMER_RESPONSE))).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let r = support::client()
        .get(b.url("/customers/42"))
        .header("X-Request-Id", "test-rid-1")
        .send()
        .await
        .expect("request");
    let (status, headers, body) = read(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type(&headers), "application/json");
    assert_eq!(
        headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("test-rid-1")
    );
    // The envelope, byte for byte.
    let got = be.last();
    assert_eq!(got.request_line, "POST /customers HTTP/1.1");
    assert_eq!(
        got.header("content-type"),
        Some(
            "application/soap+xml; charset=utf-8; action=\"http://example.com/soapbridge/customers/GetCustomer\""
        )
    );
    assert_eq!(
        got.header("soapaction"),
        None,
        "SOAP 1.2 carries the action in the content type"
    );
    assert_eq!(got.header("x-request-id"), Some("test-rid-1"));
    insta::assert_snapshot!("get_customer_envelope_soap12", got.body);
    assert_eq!(
        got.body,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://www.w3.org/2003/05/soap-envelope\"><soapenv:Body><ns1:GetCustomer xmlns:ns1=\"{CUSTOMERS_NS}\"><ns1:customerId>42</ns1:customerId></ns1:GetCustomer></soapenv:Body></soapenv:Envelope>"
        )
    );
    // The JSON: typed, exact, arrays stay arrays, nil is null.
    assert_eq!(
        serde_json::to_string(&body).expect("json"),
        r#"{"customerId":42,"name":"Ada & Co","status":"ACTIVE","vip":true,"balance":{"currency":"EUR","$value":1234.50},"creditLimit":9223372036854775807,"since":"2020-02-29","lastLogin":null,"address":{"street":"1 Main St","city":"Springfield","postalCode":"01234","country":"US"},"phone":[{"kind":"mobile","$value":"+1 555"}]}"#
    );
    insta::assert_json_snapshot!("get_customer_json", body);
}

#[actix_web::test]
async fn soap11_port_sends_a_quoted_soapaction_and_text_xml() {
    let be = backend::start(Reply::soap11(200, &soap11(CUSTOMER_RESPONSE))).await;
    let b = bridge_to(&be.url("/customers"), |t| {
        t.replace("CustomerServiceSoap12", "CustomerServiceSoap11")
    })
    .await;
    let (status, _, body) = get(&b, "/customers/7").await;
    assert_eq!(status, 200, "{body}");
    let got = be.last();
    assert_eq!(got.header("content-type"), Some("text/xml; charset=utf-8"));
    assert_eq!(
        got.header("soapaction"),
        Some("\"http://example.com/soapbridge/customers/GetCustomer\"")
    );
    assert!(
        got.body.contains(
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
        ),
        "{}",
        got.body
    );
    insta::assert_snapshot!("get_customer_envelope_soap11", got.body);
}

#[actix_web::test]
async fn request_id_is_generated_when_absent_and_sent_to_the_backend() {
    let be = backend::start(Reply::soap12(200, &soap12(CUSTOMER_RESPONSE))).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, headers, _) = get(&b, "/customers/1").await;
    assert_eq!(status, 200);
    let rid = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request id")
        .to_owned();
    assert_eq!(rid.len(), 36, "a UUID: {rid}");
    assert_eq!(be.last().header("x-request-id"), Some(rid.as_str()));
}

#[actix_web::test]
async fn post_body_is_encoded_in_schema_order_with_defaults_and_query_parameters() {
    let order = r#"<c:PlaceOrderResponse xmlns:c="http://example.com/soapbridge/customers"><c:order><c:orderId>O-1</c:orderId>
<c:customerId>42</c:customerId><c:placedAt>2024-01-01T00:00:00Z</c:placedAt><c:status>OPEN</c:status><c:total currency="USD">19.98</c:total>
<c:line><c:sku>ABC-1234</c:sku><c:quantity>2</c:quantity><c:unitPrice>9.99</c:unitPrice></c:line></c:order></c:PlaceOrderResponse>"#;
    let be = backend::start(Reply::soap12(200, &soap12(order))).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let r = support::client()
        .post(b.url("/orders"))
        .header("content-type", "application/json")
        .body(json!({"line": {"unitPrice": 9.99, "quantity": 2, "sku": "ABC-1234"}, "note": "gift & wrap", "customerId": 42}).to_string())
        .send()
        .await
        .expect("request");
    let (status, _, body) = read(r).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["line"],
        json!([{"sku": "ABC-1234", "quantity": 2, "unitPrice": 9.99}])
    );
    let sent = be.last().body;
    assert!(
        sent.contains("<ns1:PlaceOrder xmlns:ns1=\"http://example.com/soapbridge/customers\"><ns1:customerId>42</ns1:customerId><ns1:line><ns1:sku>ABC-1234</ns1:sku><ns1:quantity>2</ns1:quantity><ns1:unitPrice>9.99</ns1:unitPrice></ns1:line><ns1:note>gift &amp; wrap</ns1:note></ns1:PlaceOrder>"),
        "{sent}"
    );
    // A query default and query values converted to their types.
    let be2 = backend::start(Reply::soap12(
        200,
        &soap12("<c:FindCustomersResponse xmlns:c=\"http://example.com/soapbridge/customers\"/>"),
    ))
    .await;
    let b2 = bridge_to(&be2.url("/customers"), |t| t).await;
    let (status, _, body) = get(&b2, "/customers?status=SUSPENDED").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!([]), "no customers is an empty array");
    assert!(
        be2.last()
            .body
            .contains("<ns1:status>SUSPENDED</ns1:status><ns1:maxResults>20</ns1:maxResults>"),
        "{}",
        be2.last().body
    );
}

#[actix_web::test]
async fn declared_fault_gets_the_mapped_status_and_its_detail_as_json() {
    let fault = soap12(
        r#"<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">No such customer</env:Text></env:Reason>
<env:Detail><c:CustomerNotFound xmlns:c="http://example.com/soapbridge/customers"><c:customerId>9</c:customerId><c:message>customer 9 does not exist</c:message></c:CustomerNotFound></env:Detail></env:Fault>"#,
    );
    let be = backend::start(Reply::soap12(500, &fault)).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, headers, body) = get(&b, "/customers/9").await;
    assert_eq!(status, 404);
    assert_eq!(content_type(&headers), "application/problem+json");
    assert_eq!(body["type"], "urn:soapbridge:problem:soap-fault");
    assert_eq!(body["code"], "soap-fault");
    assert_eq!(body["title"], "No such customer");
    assert_eq!(body["instance"], "/customers/9");
    assert_eq!(body["backend_status"], 500);
    assert_eq!(
        body["fault"],
        json!({"code": "Sender", "string": "No such customer", "name": "CustomerNotFound",
               "detail": {"customerId": 9, "message": "customer 9 does not exist"}})
    );
}

#[actix_web::test]
async fn fault_rules_match_on_detail_values() {
    let rejected = |code: &str| {
        soap12(&format!(
            r#"<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">Rejected</env:Text></env:Reason>
<env:Detail><c:OrderRejected xmlns:c="http://example.com/soapbridge/customers"><c:code>{code}</c:code><c:message>m</c:message></c:OrderRejected></env:Detail></env:Fault>"#
        ))
    };
    let be = backend::start(Reply::soap12(500, &rejected("OUT_OF_STOCK"))).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let order =
        json!({"customerId": 1, "line": [{"sku": "ABC-1234", "quantity": 1, "unitPrice": 1}]});
    let post = || {
        support::client()
            .post(b.url("/orders"))
            .header("content-type", "application/json")
            .body(order.to_string())
            .send()
    };
    let (status, _, body) = read(post().await.expect("request")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["fault"]["detail"]["code"], "OUT_OF_STOCK");
    be.set_reply(Reply::soap12(500, &rejected("BAD_SKU")));
    let (status, _, body) = read(post().await.expect("request")).await;
    assert_eq!(status, 422, "{body}");
}

#[actix_web::test]
async fn unmapped_faults_are_400_for_client_and_502_for_server() {
    let f11 = |code: &str| {
        soap11(&format!(
            "<s:Fault><faultcode>s:{code}</faultcode><faultstring>it failed</faultstring></s:Fault>"
        ))
    };
    let be = backend::start(Reply::soap11(500, &f11("Server"))).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, _, body) = get(&b, "/ping").await;
    assert_eq!(status, 502);
    assert_eq!(body["fault"]["code"], "Server");
    be.set_reply(Reply::soap11(500, &f11("Client")));
    let (status, _, body) = get(&b, "/ping").await;
    assert_eq!(status, 400);
    assert_eq!(body["fault"]["string"], "it failed");
}

#[actix_web::test]
async fn a_400_lists_every_problem_of_the_request() {
    let be = backend::start(Reply::Hang).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, _, body) = read(
        support::client()
            .post(b.url("/orders"))
            .header("content-type", "application/json")
            .body(
                json!({
                    "customerId": "42",
                    "line": [
                        {"sku": "ABC-1234", "quantity": 1, "unitPrice": 1, "bogus": true},
                        {"quantity": 2, "unitPrice": 1}
                    ]
                })
                .to_string(),
            )
            .send()
            .await
            .expect("r"),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid-request")),
        "{body}"
    );
    let errors = body["errors"].as_array().expect("errors");
    let pointers: Vec<&str> = errors
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        ["/customerId", "/line/0/bogus", "/line/1/sku"],
        "{body}"
    );
    assert_eq!(errors[0]["expected"], "xsd:int", "{body}");
    assert_eq!(errors[0]["reason"], "got a string", "{body}");
    assert_eq!(errors[1]["reason"], "unknown field", "{body}");
    assert!(errors[1].get("expected").is_none(), "{body}");
    assert_eq!(errors[2]["reason"], "missing required field", "{body}");
    assert!(errors[2]["expected"].is_string(), "{body}");
    // The first problem stays the problem's `detail`, as before.
    assert_eq!(
        body["detail"],
        "/customerId: expected xsd:int: got a string"
    );
    assert_eq!(be.count(), 0, "nothing reached the backend");
}

#[actix_web::test]
async fn soap12_subcodes_are_named_by_namespace_not_by_the_backends_prefix() {
    // `a` is declared on the Envelope, far above the Subcode's Value that uses it.
    let fault = "<?xml version=\"1.0\"?><env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"urn:example:errors\"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>a:BadId</env:Value><env:Subcode><env:Value xmlns:b=\"urn:example:more\">b:TooShort</env:Value></env:Subcode></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">bad id</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>";
    let be = backend::start(Reply::soap12(500, fault)).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, _, body) = get(&b, "/ping").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["fault"]["code"], "Sender");
    assert_eq!(
        body["fault"]["subcodes"],
        json!(["{urn:example:errors}BadId", "{urn:example:more}TooShort"])
    );
}

#[actix_web::test]
async fn fault_inside_http_200_is_still_a_fault_and_says_so() {
    let be = backend::start(Reply::soap11(
        200,
        &soap11(
            "<s:Fault><faultcode>s:Server</faultcode><faultstring>boom</faultstring></s:Fault>",
        ),
    ))
    .await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, _, body) = get(&b, "/ping").await;
    assert_eq!(status, 502);
    assert_eq!(body["code"], "soap-fault");
    assert_eq!(body["backend_status"], 200);
    assert_eq!(
        body["detail"],
        "boom (the backend sent this fault with HTTP 200)"
    );
}

async fn problem_for(reply: Reply) -> (u16, Value) {
    let be = backend::start(reply).await;
    let b = bridge_to(&be.url("/customers"), |t| {
        t.replace("timeout: 10s", "timeout: 400ms")
    })
    .await;
    let (status, headers, body) = get(&b, "/ping").await;
    assert_eq!(content_type(&headers), "application/problem+json", "{body}");
    assert!(body["request_id"].is_string());
    (status, body)
}

#[actix_web::test]
async fn html_answer_is_backend_not_soap() {
    let (status, body) = problem_for(Reply::raw(
        503,
        "text/html",
        "<!DOCTYPE html><html><body>Service Unavailable</body></html>",
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-not-soap"))
    );
    assert_eq!(body["backend_status"], 503);
    assert_eq!(
        body["detail"],
        "the backend answered HTTP 503 with an HTML page"
    );
}

#[actix_web::test]
async fn empty_answer_is_backend_empty_response() {
    let (status, body) = problem_for(Reply::raw(200, "text/xml", "")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-empty-response"))
    );
}

#[actix_web::test]
async fn non_xml_answer_is_backend_not_xml() {
    let (status, body) = problem_for(Reply::raw(200, "application/json", "{\"ok\": true}")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-not-xml"))
    );
}

#[actix_web::test]
async fn broken_xml_is_backend_invalid_xml() {
    let (status, body) = problem_for(Reply::soap11(
        200,
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>",
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-invalid-xml"))
    );
    let (status, body) = problem_for(Reply::soap11(200, "<notsoap/>")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-invalid-xml"))
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not a SOAP envelope"),
        "{body}"
    );
}

#[actix_web::test]
async fn doctype_and_entity_bombs_from_the_backend_are_refused() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&lol1;</s:Body></s:Envelope>"#;
    let (status, body) = problem_for(Reply::soap11(200, bomb)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-forbidden-xml"))
    );
    // Nested inside the wrapper the contract says (a wrong wrapper is refused before its
    // content is read), so the depth limit is what refuses it.
    let deep = soap11(&format!(
        r#"<c:PingResponse xmlns:c="http://example.com/soapbridge/customers">{}{}</c:PingResponse>"#,
        "<a>".repeat(1000),
        "</a>".repeat(1000)
    ));
    let (status, body) = problem_for(Reply::soap11(200, &deep)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-response-too-large"))
    );
}

#[actix_web::test]
async fn invalid_value_from_the_backend_names_the_field() {
    let bad = soap12(&CUSTOMER_RESPONSE.replace(
        "<c:customerId>42</c:customerId>",
        "<c:customerId>many</c:customerId>",
    ));
    let be = backend::start(Reply::soap12(200, &bad)).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, _, body) = get(&b, "/customers/42").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-invalid-response"))
    );
    assert_eq!(
        body["detail"],
        "/customer/customerId: expected xsd:int: `many` is not an integer"
    );
}

#[actix_web::test]
async fn connection_refused_is_502_backend_unavailable() {
    let addr = backend::refused_addr().await;
    let b = bridge_to(&format!("http://{addr}/customers"), |t| t).await;
    let (status, _, body) = get(&b, "/ping").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-unavailable"))
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("cannot connect"),
        "{body}"
    );
}

#[actix_web::test]
async fn dropped_connection_is_502_backend_unavailable() {
    let (status, body) = problem_for(Reply::Drop).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend-unavailable"))
    );
}

#[actix_web::test]
async fn hanging_backend_is_504_backend_timeout_and_the_bridge_recovers() {
    let be = backend::start(Reply::Hang).await;
    let b = bridge_to(&be.url("/customers"), |t| {
        t.replace("timeout: 10s", "timeout: 300ms")
    })
    .await;
    let started = std::time::Instant::now();
    let (status, _, body) = get(&b, "/ping").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (504, Some("backend-timeout"))
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the timeout ended the call"
    );
    be.set_reply(Reply::soap12(200, &soap12("<c:PingResponse xmlns:c=\"http://example.com/soapbridge/customers\"><c:serverTime>2024-01-01T00:00:00Z</c:serverTime><c:version>1</c:version></c:PingResponse>")));
    let (status, _, body) = get(&b, "/ping").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], "1");
}

#[actix_web::test]
async fn malformed_json_is_400_with_its_position() {
    let be = backend::start(Reply::Hang).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let r = support::client()
        .post(b.url("/orders"))
        .header("content-type", "application/json")
        .body("{\"customerId\": 42,\n \"line\": [}")
        .send()
        .await
        .expect("request");
    let (status, _, body) = read(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("malformed-json"))
    );
    assert_eq!(
        (body["line"].as_u64(), body["column"].as_u64()),
        (Some(2), Some(11))
    );
    assert_eq!(be.count(), 0, "nothing reached the backend");
}

#[actix_web::test]
async fn wrong_types_and_unknown_fields_are_400_with_a_pointer() {
    let be = backend::start(Reply::Hang).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let post = |v: Value| {
        support::client()
            .post(b.url("/orders"))
            .header("content-type", "application/json")
            .body(v.to_string())
            .send()
    };
    let (status, _, body) = read(
        post(json!({"customerId": "42", "line": []}))
            .await
            .expect("r"),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid-request"))
    );
    assert_eq!(body["errors"][0]["pointer"], "/customerId");
    assert_eq!(
        body["detail"],
        "/customerId: expected xsd:int: got a string"
    );
    let (status, _, body) = read(post(json!({"customerId": 1, "line": [{"sku": "ABC-1234", "quantity": 1, "unitPrice": 1, "colour": "red"}]})).await.expect("r")).await;
    assert_eq!(status, 400);
    // An unknown field points at itself.
    assert_eq!(body["errors"][0]["pointer"], "/line/0/colour");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("unknown field `colour`"),
        "{body}"
    );
    let (status, _, body) = read(
        post(json!({"customerId": 1, "line": [{"sku": "abc", "quantity": 1, "unitPrice": 1}]}))
            .await
            .expect("r"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("does not match the pattern"),
        "{body}"
    );
    let (status, _, body) = read(post(json!([1, 2])).await.expect("r")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid-request")),
        "{body}"
    );
    let (status, _, body) = get(&b, "/customers/abc").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["detail"],
        "path parameter `id`: expected xsd:int: `abc` is not an integer"
    );
    let (status, _, body) = get(&b, "/customers?stauts=ACTIVE").await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .starts_with("unknown query parameter `stauts`"),
        "{body}"
    );
    assert_eq!(be.count(), 0, "nothing reached the backend");
}

#[actix_web::test]
async fn oversized_and_non_json_bodies_are_refused() {
    let be = backend::start(Reply::Hang).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let big = format!("{{\"note\": \"{}\"}}", "x".repeat(2 << 20));
    let r = support::client()
        .post(b.url("/orders"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("request");
    let (status, _, body) = read(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("body-too-large"))
    );
    let r = support::client()
        .post(b.url("/orders"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("request");
    let (status, _, body) = read(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (415, Some("unsupported-media-type"))
    );
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let r = support::client()
        .post(b.url("/orders"))
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .expect("request");
    let (status, _, body) = read(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("malformed-json")),
        "{body}"
    );
    assert_eq!(be.count(), 0);
}

#[actix_web::test]
async fn unknown_routes_and_methods_get_404_and_405() {
    let be = backend::start(Reply::Hang).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, _, body) = get(&b, "/nowhere").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("route-not-found"))
    );
    let r = support::client()
        .delete(b.url("/customers/1"))
        .send()
        .await
        .expect("r");
    let allow = r
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, _, body) = read(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (405, Some("method-not-allowed"))
    );
    assert_eq!(allow.as_deref(), Some("GET, HEAD"));
}

#[actix_web::test]
async fn health_readiness_and_metrics() {
    let be = backend::start(Reply::soap12(200, &soap12(CUSTOMER_RESPONSE))).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    let (status, _, body) = get(&b, "/healthz").await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    let (status, _, body) = get(&b, "/readyz").await;
    assert_eq!((status, body["routes"].as_u64()), (200, Some(6)));
    let _ = get(&b, "/customers/5").await;
    let text = b.metrics().await;
    assert!(
        text.contains("soapbridge_http_requests_total{method=\"GET\",route=\"/customers/{id}\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("soapbridge_backend_calls_total{backend=\"customers\",operation=\"GetCustomer\",outcome=\"ok\"} 1"),
        "{text}"
    );
}

#[actix_web::test]
async fn demo_mapping_answers_every_route_against_the_mock() {
    let wsdl = std::sync::Arc::new(
        soapbridge::wsdl::load_path(
            &support::root()
                .join("wsdl/customers.wsdl")
                .to_string_lossy(),
        )
        .expect("wsdl"),
    );
    let (addr, server) = soapbridge::mock::start(
        wsdl,
        "127.0.0.1:0".parse().expect("addr"),
        Default::default(),
    )
    .expect("mock");
    actix_web::rt::spawn(server);
    let b = bridge_to(&format!("http://{addr}/customers"), |t| t).await;
    // The same requests as the README and the demo banner.
    for line in soapbridge::cli::demo_curls(b.addr) {
        let url = line
            .split_whitespace()
            .find(|w| w.trim_matches('\'').starts_with("http://"))
            .expect("a URL")
            .trim_matches('\'')
            .to_owned();
        let c = support::client();
        let r = if line.contains("-X POST") {
            let data = line
                .split("-d '")
                .nth(1)
                .expect("data")
                .trim_end_matches('\'');
            c.post(&url)
                .header("content-type", "application/json")
                .body(data.to_owned())
                .send()
                .await
        } else {
            c.get(&url).send().await
        }
        .expect("request");
        let (status, headers, body) = read(r).await;
        assert!((200..300).contains(&status), "{line} -> {status} {body}");
        assert_eq!(content_type(&headers), "application/json", "{line}");
    }
    let (_, _, customer) = get(&b, "/customers/42").await;
    assert_eq!(
        customer["customerId"], 42,
        "the mock echoes the id it was asked for"
    );
    assert!(customer["phone"].is_array());
    let (_, _, orders) = get(&b, "/customers/42/orders").await;
    assert!(orders.as_array().is_some_and(|a| !a.is_empty()), "{orders}");
    // The mock faults on request, and the mapping gives the fault its status.
    let r = support::client()
        .post(b.url("/orders"))
        .header("content-type", "application/json")
        .body(json!({"customerId": 42, "line": [{"sku": "ABC-1234", "quantity": 1, "unitPrice": 1}], "note": "fault:OrderRejected"}).to_string())
        .send()
        .await
        .expect("request");
    let (status, _, body) = read(r).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fault"]["name"], "OrderRejected");
}

#[test]
fn check_reports_every_mistake_with_its_location() {
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let file = dir.path().join("bad.yaml");
    std::fs::write(
        &file,
        format!(
            "version: 1\nbackend:\n  wsdl: {}\n  port: CustomerServiceSoap12\nroutes:\n  - route: GET /customers/{{id}}\n    operation: GetCustomr\n  - route: GET /c2/{{id}}\n    operation: GetCustomer\n    request:\n      customerId: \"{{path.id}}\"\n      custId: \"x\"\n  - route: GET /c3/{{id}}\n    operation: GetCustomer\n    request:\n      customerId: \"{{path.id}}\"\n    response:\n      body: custmer\n",
            wsdl.display()
        ),
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .arg("check")
        .arg(&file)
        .output()
        .expect("run soapbridge check");
    // Errors go to stderr.
    let stdout = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 3, "{stdout}");
    let f = file.display().to_string();
    assert_eq!(
        errors[0],
        format!(
            "error: {f}:7:16: operation `GetCustomr` is not in {} (binding CustomerServiceSoap12)",
            wsdl.display()
        )
    );
    assert!(
        errors[1].starts_with(&format!("error: {f}:12:7: `custId` is not a field of")),
        "{}",
        errors[1]
    );
    assert_eq!(
        errors[2],
        format!(
            "error: {f}:18:13: response body `custmer`: `custmer` is not in the output of GetCustomer"
        )
    );
    assert!(
        stdout.contains("hint: did you mean `GetCustomer`?"),
        "{stdout}"
    );
    assert!(
        stdout.contains("hint: did you mean `customer`?"),
        "{stdout}"
    );
    assert!(stdout.contains("3 errors"), "{stdout}");
}

#[test]
fn check_accepts_the_shipped_mappings() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .arg("check")
        .arg(support::root().join("mappings"))
        .output()
        .expect("run soapbridge check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ok: 6 routes from 1 backend"), "{stdout}");
}

#[test]
fn inspect_json_lists_services_ports_and_bindings() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["inspect", "--json"])
        .arg(support::root().join("wsdl/customers.wsdl"))
        .output()
        .expect("run soapbridge inspect");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["services"][0]["name"], "CustomerService");
    assert_eq!(
        v["services"][0]["ports"][1]["name"],
        "CustomerServiceSoap12"
    );
    assert_eq!(
        v["services"][0]["ports"][1]["binding"],
        "CustomerServiceSoap12"
    );
    assert_eq!(
        v["services"][0]["ports"][1]["address"],
        "http://127.0.0.1:8081/customers"
    );
    let bindings = v["bindings"].as_array().expect("bindings");
    assert_eq!(bindings.len(), 2);
    assert_eq!(bindings[1]["soap_version"], "1.2");
    assert_eq!(bindings[1]["style"], "document");
    let ops: Vec<&str> = bindings[0]["operations"]
        .as_array()
        .expect("ops")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(
        ops,
        [
            "GetCustomer",
            "FindCustomers",
            "UpdateCustomerEmail",
            "ListOrders",
            "PlaceOrder",
            "Ping"
        ]
    );
    assert_eq!(
        bindings[0]["operations"][0]["input"]["fields"],
        json!({"customerId": "xsd:int"})
    );
}

#[test]
fn inspect_lists_bindings_that_no_service_uses() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = std::fs::read_to_string(support::root().join("wsdl/customers.wsdl")).expect("wsdl");
    // Remove the service: ONVIF-style WSDLs define bindings only.
    let start = text.find("<wsdl:service").expect("service");
    let end = text.find("</wsdl:service>").expect("service end") + "</wsdl:service>".len();
    let stripped = format!("{}{}", &text[..start], &text[end..]);
    let path = dir.path().join("noservice.wsdl");
    std::fs::write(&path, stripped).expect("write");
    let w = soapbridge::wsdl::load_path(&path.to_string_lossy()).expect("loads");
    let v = soapbridge::inspect::to_json(&w);
    assert_eq!(v["services"], json!([]));
    assert_eq!(v["bindings"].as_array().map(Vec::len), Some(2));
    // A mapping then names the binding and gives the endpoint.
    let mapping = "version: 1\nbackend:\n  wsdl: noservice.wsdl\n  binding: CustomerServiceSoap11\n  endpoint: http://127.0.0.1:9/x\n";
    let m = support::compile(
        &[(dir.path().join("m.yaml").as_path(), mapping)],
        Default::default(),
    );
    assert_eq!(m.routes.len(), 6);
    assert_eq!(m.routes[0].path, "/CustomerServiceSoap11/GetCustomer");
    let without_endpoint =
        "version: 1\nbackend:\n  wsdl: noservice.wsdl\n  binding: CustomerServiceSoap11\n";
    let err = soapbridge::mapping::load_texts(
        &[(Path::new(&dir.path().join("m.yaml")), without_endpoint)],
        Default::default(),
    )
    .expect_err("no endpoint");
    assert!(
        err[0].message.contains("has no service address"),
        "{}",
        err[0]
    );
}

#[test]
fn reserved_paths_are_refused_when_mappings_are_checked() {
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  port: CustomerServiceSoap12\nroutes:\n  - route: GET /metrics\n    operation: Ping\n",
        wsdl.display()
    );
    let err = soapbridge::mapping::load_texts(&[(Path::new("m.yaml"), &text)], Default::default())
        .expect_err("reserved");
    assert_eq!(err.len(), 1);
    assert_eq!((err[0].line, err[0].column), (6, 12));
    assert_eq!(err[0].message, "`/metrics` is served by soapbridge itself");
    let assets = text.replace("GET /metrics", "GET /docs/swagger-ui.css");
    let err =
        soapbridge::mapping::load_texts(&[(Path::new("m.yaml"), &assets)], Default::default())
            .expect_err("the docs page's assets are reserved too");
    assert_eq!(
        err[0].message,
        "`/docs/swagger-ui.css` is served by soapbridge itself"
    );
}

#[test]
fn readme_shows_the_demo_curl_lines() {
    let readme = std::fs::read_to_string(support::root().join("README.md")).expect("README");
    let shown: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("curl -s "))
        .collect();
    let expected = soapbridge::cli::demo_curls("127.0.0.1:8080".parse().expect("addr"));
    assert_eq!(
        shown, expected,
        "README's curl lines are the ones the demo prints (and the demo test runs)"
    );
}

#[actix_web::test]
async fn backend_credentials_and_headers_reach_the_backend() {
    let be = backend::start(Reply::soap12(200, &soap12(CUSTOMER_RESPONSE))).await;
    let b = bridge_to(&be.url("/customers"), |t| {
        t.replace(
            "  timeout: 10s\n",
            "  timeout: 10s\n  headers:\n    X-Client: soapbridge-test\n  basic_auth: { username: svc, password: \"p:w\" }\n  ws_security: { username: wss-user, password: wss-pass, password_type: digest }\n",
        )
    })
    .await;
    let (status, _, body) = get(&b, "/customers/3").await;
    assert_eq!(status, 200, "{body}");
    let got = be.last();
    assert_eq!(got.header("x-client"), Some("soapbridge-test"));
    // "svc:p:w" in base64.
    assert_eq!(got.header("authorization"), Some("Basic c3ZjOnA6dw=="));
    let env = &got.body;
    assert!(env.contains("<soapenv:Header><ns1:Security xmlns:ns1=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" soapenv:mustUnderstand=\"1\">"), "{env}");
    assert!(env.contains(">wss-user</ns1:Username>"), "{env}");
    assert!(env.contains("#PasswordDigest\">"), "{env}");
    assert!(
        !env.contains("wss-pass"),
        "a digest never carries the password: {env}"
    );
    assert!(env.contains(":Nonce EncodingType="), "{env}");
}

#[test]
fn backend_headers_are_checked_when_mappings_are_loaded() {
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  port: CustomerServiceSoap12\n  headers:\n    X-Bad Name: v\n    X-Ok: \"line\\nbreak\"\n",
        wsdl.display()
    );
    let err = soapbridge::mapping::load_texts(&[(Path::new("m.yaml"), &text)], Default::default())
        .expect_err("bad headers");
    let messages: Vec<&str> = err.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`X-Bad Name` is not a valid HTTP header name",
            "the value of header `X-Ok` is not a valid HTTP header value"
        ]
    );
}

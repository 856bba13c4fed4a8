//! Answers are checked against the contract: a required element missing, the wrong wrapper,
//! or document/literal elements in another namespace are a 502 `backend-invalid-response`
//! naming the element, unless the backend is `lenient` (then the answer is read, with a
//! warning and a metric). Real loopback backends; and a run of randomly mutated answers in
//! which no 2xx answer may lack a field the contract requires.

use serde_json::Value;

use crate::backend::{self, Reply};
use crate::support::{self, Bridge};

const NS: &str = "http://example.com/soapbridge/customers";

/// A GetCustomer answer with `name` as given (the whole element, or nothing).
fn customer(name: &str) -> String {
    format!(
        r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><c:GetCustomerResponse xmlns:c="{NS}"><c:customer><c:customerId>42</c:customerId>{name}<c:status>ACTIVE</c:status><c:vip>1</c:vip><c:balance currency="EUR">1.50</c:balance><c:creditLimit>10</c:creditLimit><c:since>2020-02-29</c:since><c:lastLogin xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/><c:address><c:street>1 Main St</c:street><c:city>Springfield</c:city><c:postalCode>01234</c:postalCode><c:country>US</c:country></c:address></c:customer></c:GetCustomerResponse></env:Body></env:Envelope>"#
    )
}

async fn bridge_to(endpoint: &str, lenient: bool) -> Bridge {
    let path = support::root().join("mappings/customers.yaml");
    let mut text = std::fs::read_to_string(&path).expect("demo mapping");
    if lenient {
        text = text.replace("  timeout: 10s\n", "  timeout: 10s\n  lenient: true\n");
    }
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        ..Default::default()
    };
    let m = support::compile(&[(path.as_path(), &text)], opts);
    support::start_bridge(m, soapbridge::http::ServerConfig::default()).await
}

async fn get(b: &Bridge, path: &str) -> (u16, Value) {
    let r = support::client()
        .get(b.url(path))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let bytes = r.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn lenient_count(b: &Bridge) -> String {
    let m = b.metrics().await;
    m.lines()
        .find_map(|l| {
            l.strip_prefix(r#"soapbridge_backend_answers_lenient_total{backend="customers"} "#)
        })
        .unwrap_or("absent")
        .to_owned()
}

/// Each broken answer: the route it is sent to, and what the 502 must name.
fn broken() -> Vec<(&'static str, String, &'static str)> {
    vec![
        // A required element missing (the OpenAPI document lists `name` as required).
        ("/customers/42", customer(""), "/customer/name"),
        // Another wrapper than the contract's.
        (
            "/customers/42",
            customer(r#"<c:name>Ada</c:name>"#)
                .replace("GetCustomerResponse", "SomethingElseResponse"),
            "SomethingElseResponse",
        ),
        // A GetCustomer answer to the Ping route.
        (
            "/ping",
            customer(r#"<c:name>Ada</c:name>"#),
            "GetCustomerResponse",
        ),
        // document/literal children in another namespace than the schema's.
        (
            "/customers/42",
            customer(r#"<w:name xmlns:w="urn:wrong">Ada</w:name>"#),
            "/customer/name",
        ),
    ]
}

#[actix_web::test]
async fn answers_that_break_the_contract_are_a_502_naming_the_element() {
    let be = backend::start(Reply::soap12(200, &customer("<c:name>Ada</c:name>"))).await;
    let b = bridge_to(&be.url("/customers"), false).await;
    let (status, good) = get(&b, "/customers/42").await;
    assert_eq!(
        (status, &good["name"]),
        (200, &Value::from("Ada")),
        "{good}"
    );
    for (path, answer, named) in broken() {
        be.set_reply(Reply::soap12(200, &answer));
        let (status, p) = get(&b, path).await;
        assert_eq!(status, 502, "{path} {answer}: {p}");
        assert_eq!(p["code"], "backend-invalid-response", "{p}");
        let detail = p["detail"].as_str().unwrap_or("");
        assert!(detail.contains(named), "{named} not in {p}");
    }
    let (_, p) = {
        be.set_reply(Reply::soap12(200, &customer("")));
        get(&b, "/customers/42").await
    };
    assert_eq!(p["pointer"], "/customer/name", "{p}");
    assert_eq!(lenient_count(&b).await, "0");
}

#[actix_web::test]
async fn a_lenient_backend_answers_anyway_with_a_warning_and_a_metric() {
    let be = backend::start(Reply::soap12(200, &customer(""))).await;
    let b = bridge_to(&be.url("/customers"), true).await;
    let (status, v) = get(&b, "/customers/42").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["customerId"], 42);
    assert!(v.get("name").is_none(), "{v}");
    // Elements in another namespace are matched by their local name, as before.
    be.set_reply(Reply::soap12(
        200,
        &customer(r#"<w:name xmlns:w="urn:wrong">Ada</w:name>"#),
    ));
    let (status, v) = get(&b, "/customers/42").await;
    assert_eq!((status, &v["name"]), (200, &Value::from("Ada")), "{v}");
    assert_eq!(lenient_count(&b).await, "2");
    // An answer that keeps to the contract is not counted.
    be.set_reply(Reply::soap12(200, &customer("<c:name>Ada</c:name>")));
    let (status, _) = get(&b, "/customers/42").await;
    assert_eq!(status, 200);
    assert_eq!(lenient_count(&b).await, "2");
}

/// The first required field the JSON lacks, as a pointer: what the contract promises
/// callers (the OpenAPI document's `required`).
fn lacks_required(
    schema: &soapbridge::wsdl::Schema,
    ty: soapbridge::wsdl::TypeId,
    v: &Value,
    at: &str,
) -> Option<String> {
    use soapbridge::wsdl::SlotKind;
    let c = schema.complex(ty)?;
    let obj = v.as_object()?;
    for s in &c.slots {
        let SlotKind::Element(e) = s.kind else {
            continue;
        };
        let here = format!("{at}/{}", s.key);
        match obj.get(&*s.key) {
            None if s.required => return Some(here),
            None => {}
            Some(Value::Array(items)) if s.repeated => {
                for (i, item) in items.iter().enumerate() {
                    let t = schema.element(e).ty;
                    if let Some(p) = lacks_required(schema, t, item, &format!("{here}/{i}")) {
                        return Some(p);
                    }
                }
            }
            Some(item) => {
                if let Some(p) = lacks_required(schema, schema.element(e).ty, item, &here) {
                    return Some(p);
                }
            }
        }
    }
    None
}

#[test]
fn no_mutated_answer_that_passes_lacks_a_required_field() {
    // 20,000 answers made from a valid one by dropping elements, moving them to another
    // namespace and renaming the wrapper: each is refused, or its JSON has every field the
    // contract requires.
    let path = support::root().join("wsdl/customers.wsdl");
    let wsdl = soapbridge::wsdl::load(
        &soapbridge::wsdl::Location::File(path),
        &soapbridge::wsdl::Sources::default(),
    )
    .expect("the demo contract loads");
    let op = wsdl
        .bindings
        .iter()
        .find_map(|b| b.operation("GetCustomer"))
        .expect("GetCustomer");
    let output_type = op.output.as_ref().expect("an output").body.content;
    let elements = [
        "customerId",
        "name",
        "status",
        "vip",
        "balance",
        "creditLimit",
        "since",
        "lastLogin",
        "street",
        "city",
        "postalCode",
        "country",
        "address",
        "customer",
    ];
    let valid = customer("<c:name>Ada</c:name>");
    let mut rng = fastrand::Rng::with_seed(7);
    let (mut passed, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let mut xml = valid.clone();
        for name in elements {
            match rng.u8(..16) {
                // Drop the element (its first occurrence, start to end).
                0 => {
                    let open = format!("<c:{name}");
                    let close = format!("</c:{name}>");
                    if let (Some(a), Some(b)) = (xml.find(&open), xml.find(&close)) {
                        if a < b {
                            xml.replace_range(a..b + close.len(), "");
                        }
                    } else if let Some(a) = xml.find(&open) {
                        // An empty element: up to its `/>`.
                        if let Some(end) = xml[a..].find("/>") {
                            xml.replace_range(a..a + end + 2, "");
                        }
                    }
                }
                // Move it to another namespace.
                1 => {
                    xml = xml
                        .replacen(
                            &format!("<c:{name}"),
                            &format!("<w:{name} xmlns:w=\"urn:wrong\""),
                            1,
                        )
                        .replacen(&format!("</c:{name}>"), &format!("</w:{name}>"), 1);
                }
                _ => {}
            }
        }
        if rng.u8(..32) == 0 {
            xml = xml.replace("GetCustomerResponse", "GetCustomerReply");
        }
        let raw = soapbridge::soap::client::RawResponse::whole(
            200,
            Some("application/soap+xml; charset=utf-8".into()),
            bytes::Bytes::from(xml.clone()),
        );
        match soapbridge::gateway::answer::read_message(
            &wsdl.schema,
            op,
            &raw,
            soapbridge::translate::Limits::default(),
            soapbridge::translate::Select::default(),
        ) {
            Ok(soapbridge::gateway::answer::Answer::Body(json)) => {
                passed += 1;
                let v: Value = serde_json::from_slice(&json).expect("JSON");
                if let Some(p) = lacks_required(&wsdl.schema, output_type, &v, "") {
                    panic!("a 2xx answer lacks {p}:\n{xml}\n{v}");
                }
            }
            _ => refused += 1,
        }
    }
    assert!(
        passed > 1_000 && refused > 1_000,
        "passed {passed}, refused {refused}"
    );
}

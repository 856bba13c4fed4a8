//! A backend that fails must not take the gateway with it: the circuit breaker, retries only
//! where they are safe, the bulkhead and the status shown on `/readyz`. Real servers on
//! 127.0.0.1 on both sides; the backend refuses, hangs, answers 503 and comes back.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::backend::{self, Reply};
use crate::support::{self, Bridge};

const GOOD: &str = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><c:GetCustomerResponse xmlns:c="http://example.com/soapbridge/customers"><c:customer>
<c:customerId>42</c:customerId><c:name>Ada</c:name><c:status>ACTIVE</c:status><c:vip>1</c:vip>
<c:balance currency="EUR">1.50</c:balance><c:creditLimit>1</c:creditLimit>
<c:since>2020-02-29</c:since>
<c:address><c:street>1 Main St</c:street><c:city>Springfield</c:city><c:postalCode>01234</c:postalCode><c:country>US</c:country></c:address>
</c:customer></c:GetCustomerResponse></env:Body></env:Envelope>"#;

const FAULT: &str = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="en">Database down</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#;

fn outage() -> Reply {
    Reply::raw(
        503,
        "text/html",
        "<html><body>Service Unavailable</body></html>",
    )
}

async fn bridge_to(endpoint: &str, edit: impl Fn(String) -> String) -> Bridge {
    let path = support::root().join("mappings/customers.yaml");
    let text = edit(std::fs::read_to_string(&path).expect("demo mapping"));
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        ..Default::default()
    };
    let m = support::compile(&[(path.as_path(), &text)], opts);
    support::start_bridge(m, soapbridge::http::ServerConfig::default()).await
}

async fn get(b: &Bridge, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = support::client()
        .get(b.url(path))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn place_order(b: &Bridge) -> (u16, Value) {
    let r = support::client()
        .post(b.url("/orders"))
        .header("Content-Type", "application/json")
        .body(r#"{"customerId": 42, "line": [{"sku": "ABC-1234", "quantity": 2, "unitPrice": 9.99}]}"#)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn circuit(b: &Bridge) -> String {
    let (status, _, v) = get(b, "/readyz").await;
    assert_eq!(
        status, 200,
        "one backend down never makes the replica unready: {v}"
    );
    v["backends"]["customers"]["circuit"]
        .as_str()
        .unwrap_or("?")
        .to_owned()
}

#[actix_web::test]
async fn a_failing_backend_opens_the_circuit_and_sees_no_more_attempts_while_open() {
    let be = backend::start(outage()).await;
    // A long pause, so that no probe falls inside the 100 calls however slow the machine;
    // `breaker_settings_come_from_the_mapping` covers the probe that closes it again.
    let b = bridge_to(&be.url("/customers"), |t| {
        t.replace(
            "timeout: 10s",
            "timeout: 10s\n  circuit_breaker:\n    open_for: 60s",
        )
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..100 {
        let (status, headers, v) = get(&b, "/customers/42").await;
        let code = v["code"].as_str().unwrap_or("").to_owned();
        if code == "backend-circuit-open" {
            assert_eq!(status, 503);
            let retry: u64 = headers
                .get("retry-after")
                .and_then(|h| h.to_str().ok())
                .and_then(|s| s.parse().ok())
                .expect("Retry-After in whole seconds");
            assert!((1..=60).contains(&retry), "Retry-After {retry}");
        }
        codes.push(code);
    }
    let attempts = be.count();
    assert_eq!(codes[0], "backend-not-soap", "{codes:?}");
    let open = codes
        .iter()
        .filter(|c| *c == "backend-circuit-open")
        .count();
    assert!(open >= 95, "the circuit opened early: {codes:?}");
    // 5 failed attempts open it; a GET may also have been retried once within the budget.
    assert!(
        (5..=6).contains(&attempts),
        "a dead backend saw {attempts} attempts over 100 calls"
    );
    assert_eq!(circuit(&b).await, "open");
    let text = b.metrics().await;
    assert!(
        text.contains("soapbridge_backend_circuit_state{backend=\"customers\"} 2"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "soapbridge_backend_circuit_rejected_total{{backend=\"customers\"}} {open}"
        )),
        "{text}"
    );
}

#[actix_web::test]
async fn soap_faults_never_open_the_circuit() {
    let be = backend::start(Reply::soap12(500, FAULT)).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    for _ in 0..25 {
        let (status, _, v) = get(&b, "/customers/42").await;
        assert_eq!(
            (status, v["code"].as_str()),
            (502, Some("soap-fault")),
            "{v}"
        );
    }
    assert_eq!(be.count(), 25, "a fault is an answer: never retried");
    assert_eq!(circuit(&b).await, "closed");
}

#[actix_web::test]
async fn idempotent_routes_are_retried_and_others_only_when_nothing_was_sent() {
    let be = backend::start(outage()).await;
    let b = bridge_to(&be.url("/customers"), |t| t).await;
    // GET: retried once (the default) after a 503.
    let (status, _, v) = get(&b, "/customers/42").await;
    assert_eq!(
        (status, v["code"].as_str()),
        (502, Some("backend-not-soap"))
    );
    assert_eq!(be.count(), 2, "a GET route is retried after a 503");
    // POST: the request reached the backend, so it is not sent again.
    let (status, v) = place_order(&b).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (502, Some("backend-not-soap")),
        "{v}"
    );
    assert_eq!(be.count(), 3, "a POST route is not retried after a 503");
    let text = b.metrics().await;
    assert!(
        text.contains(
            "soapbridge_backend_retries_total{backend=\"customers\",reason=\"invalid_response\"} 1"
        ),
        "{text}"
    );
}

#[actix_web::test]
async fn a_refused_connection_is_retried_even_for_post_routes() {
    // Nothing was sent, so a retry is safe whatever the route; the port refuses.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let b = bridge_to(&format!("http://127.0.0.1:{port}/customers"), |t| t).await;
    let (status, v) = place_order(&b).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (502, Some("backend-unavailable")),
        "{v}"
    );
    let text = b.metrics().await;
    assert!(
        text.contains(
            "soapbridge_backend_retries_total{backend=\"customers\",reason=\"unavailable\"} 1"
        ),
        "{text}"
    );
}

#[actix_web::test]
async fn a_full_bulkhead_answers_503_within_the_deadline_instead_of_piling_up() {
    let be = backend::start(Reply::Hang).await;
    let b = bridge_to(&be.url("/customers"), |t| {
        t.replace(
            "timeout: 10s",
            "timeout: 600ms\n  queue_timeout: 100ms\n  max_concurrency: 1\n  retries: 0",
        )
    })
    .await;
    let first = tokio::spawn({
        let url = b.url("/customers/1");
        async move {
            let r = support::client().get(url).send().await.expect("first");
            let status = r.status().as_u16();
            let v: Value = serde_json::from_str(&r.text().await.expect("t")).expect("json");
            (status, v["code"].as_str().map(str::to_owned))
        }
    });
    // The first call holds the only slot once the backend has it (waiting for that, not
    // for a fixed time, keeps a loaded machine from handing the slot to the second call).
    let until = Instant::now() + Duration::from_secs(10);
    while be.count() == 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let t = Instant::now();
    let (status, headers, v) = get(&b, "/customers/2").await;
    assert_eq!(
        (status, v["code"].as_str()),
        (503, Some("backend-busy")),
        "{v}"
    );
    assert!(headers.contains_key("retry-after"));
    // Refused at the queue timeout (100 ms), well before the request's deadline (600 ms).
    assert!(
        t.elapsed() < Duration::from_millis(550),
        "{:?}",
        t.elapsed()
    );
    let (status, code) = first.await.expect("join");
    assert_eq!((status, code.as_deref()), (504, Some("backend-timeout")));
    assert_eq!(be.count(), 1, "the queued call never reached the backend");
}

#[actix_web::test]
async fn a_post_route_marked_idempotent_is_retried_after_a_503() {
    let be = backend::start(outage()).await;
    let b = bridge_to(&be.url("/customers"), |t| {
        t.replace(
            "    operation: PlaceOrder\n",
            "    operation: PlaceOrder\n    idempotent: true\n",
        )
    })
    .await;
    let (status, v) = place_order(&b).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (502, Some("backend-not-soap")),
        "{v}"
    );
    assert_eq!(be.count(), 2, "retried once");
}

#[actix_web::test]
async fn breaker_settings_come_from_the_mapping() {
    // Open after 2 failures, probe again after 1 s.
    let be = backend::start(outage()).await;
    let b = bridge_to(&be.url("/customers"), |t| {
        t.replace(
            "timeout: 10s",
            "timeout: 10s\n  retries: 0\n  circuit_breaker:\n    consecutive_failures: 2\n    open_for: 1s\n    probes: 1",
        )
    })
    .await;
    for _ in 0..2 {
        let (_, _, v) = get(&b, "/customers/42").await;
        assert_eq!(v["code"], "backend-not-soap");
    }
    let (status, headers, v) = get(&b, "/customers/42").await;
    assert_eq!(
        (status, v["code"].as_str()),
        (503, Some("backend-circuit-open"))
    );
    assert_eq!(
        headers.get("retry-after").map(|h| h.as_bytes()),
        Some(&b"1"[..])
    );
    be.set_reply(Reply::soap12(200, GOOD));
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (status, _, _) = get(&b, "/customers/42").await;
    assert_eq!(status, 200);
    assert_eq!(circuit(&b).await, "closed", "one probe closes it");
}

#[test]
fn bad_breaker_and_retry_settings_are_refused_with_their_place() {
    let path = support::root().join("mappings/customers.yaml");
    let text = std::fs::read_to_string(&path).expect("demo mapping").replace(
        "timeout: 10s",
        "timeout: 10s\n  circuit_breaker:\n    failure_rate: 2\n    probes: 0\n  retry:\n    budget_window: 2m",
    );
    let err = soapbridge::mapping::load_texts(&[(path.as_path(), &text)], Default::default())
        .expect_err("refused");
    let all: Vec<String> = err.iter().map(ToString::to_string).collect();
    let text = all.join("\n");
    assert!(
        text.contains("customers.yaml:13:19: failure_rate `2` is not a share of calls"),
        "{text}"
    );
    assert!(text.contains("`probes` must be at least 1"), "{text}");
    assert!(
        text.contains("`budget_window` must be between 1s and 60s"),
        "{text}"
    );
}

//! Answers larger than the streaming threshold: sent on while they arrive, byte for byte what
//! a whole read gives, broken off (never truncated into valid JSON) when they go wrong after
//! the first byte, and a memory budget that refuses new calls when it is spent. A loopback
//! backend sends the answers in HTTP chunks as it makes them.

use std::time::Duration;

use serde_json::Value;

use crate::backend::{self, Reply};
use crate::support::{self, Bridge};

const HEAD: &str = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><c:ListOrdersResponse xmlns:c="http://example.com/soapbridge/customers">"#;
const ORDER: &str = r#"<c:order><c:orderId>A-1</c:orderId><c:customerId>42</c:customerId><c:placedAt>2026-01-02T03:04:05Z</c:placedAt><c:status>OPEN</c:status><c:total currency="EUR">19.98</c:total><c:line><c:sku>ABC-1234</c:sku><c:quantity>2</c:quantity><c:unitPrice>9.99</c:unitPrice></c:line><c:note>fragile &amp; "heavy"</c:note></c:order>"#;
const BAD_ORDER: &str = r#"<c:order><c:orderId>A-2</c:orderId><c:customerId>not-a-number</c:customerId><c:placedAt>2026-01-02T03:04:05Z</c:placedAt><c:status>OPEN</c:status><c:total currency="EUR">1</c:total><c:line><c:sku>ABC-1234</c:sku><c:quantity>2</c:quantity><c:unitPrice>9.99</c:unitPrice></c:line></c:order>"#;
const TAIL: &str = "</c:ListOrdersResponse></env:Body></env:Envelope>";

/// About 2.4 MB of orders: past the default 1 MiB threshold.
const ORDERS: usize = 8_000;

fn orders(count: usize) -> Reply {
    orders_with(count, None, None)
}

/// `count` orders, `bad` replacing the one at its index, the connection cut after
/// `cut_after` of them.
fn orders_with(count: usize, bad: Option<usize>, cut_after: Option<usize>) -> Reply {
    Reply::Stream {
        head: HEAD.into(),
        item: ORDER.into(),
        count,
        tail: TAIL.into(),
        bad: bad.map(|at| (at, BAD_ORDER.to_owned())),
        cut_after,
    }
}

/// Status, content type and problem of `GET /customers/42/orders`.
async fn orders_problem(b: &Bridge) -> (u16, String, Value) {
    let r = support::client()
        .get(b.url("/customers/42/orders"))
        .send()
        .await
        .expect("answer");
    let status = r.status().as_u16();
    let ct = r.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    let p = serde_json::from_slice(&r.bytes().await.expect("body")).expect("problem JSON");
    (status, ct, p)
}

/// A SOAP 1.2 answer of `head`, `count` times `item`, `tail`, sent as it is made.
fn stream_of(head: String, item: &str, count: usize, tail: &str) -> Reply {
    Reply::Stream {
        head,
        item: item.into(),
        count,
        tail: tail.into(),
        bad: None,
        cut_after: None,
    }
}

async fn bridge_to(endpoint: &str, backend_keys: &str, answer_memory: Option<usize>) -> Bridge {
    let path = support::root().join("mappings/customers.yaml");
    let text = std::fs::read_to_string(&path)
        .expect("demo mapping")
        .replace(
            "  timeout: 10s\n",
            &format!("  timeout: 10s\n{backend_keys}"),
        );
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        ..Default::default()
    };
    let m = support::compile(&[(path.as_path(), &text)], opts);
    let mut config = soapbridge::http::ServerConfig::default();
    if let Some(bytes) = answer_memory {
        config.answer_memory = bytes;
    }
    support::start_bridge(m, config).await
}

/// A counter's value; a counter never incremented is not exported yet.
fn metric(text: &str, name_and_labels: &str) -> f64 {
    support::metric(text, name_and_labels).unwrap_or(0.0)
}

#[actix_web::test]
async fn a_large_answer_streams_and_equals_the_answer_read_whole() {
    let be = backend::start(orders(ORDERS)).await;
    let streaming = bridge_to(&be.url("/customers"), "", None).await;
    let whole = bridge_to(&be.url("/customers"), "  stream_threshold: 64MiB\n", None).await;
    let get = |b: &Bridge| support::client().get(b.url("/customers/42/orders")).send();
    let streamed = get(&streaming).await.expect("streamed");
    assert_eq!(streamed.status().as_u16(), 200);
    assert!(
        streamed.content_length().is_none(),
        "a streamed answer has no length: {:?}",
        streamed.headers()
    );
    assert_eq!(
        streamed.headers()["content-type"].to_str().ok(),
        Some("application/json")
    );
    let streamed = streamed.bytes().await.expect("the whole streamed body");
    let read_whole = get(&whole).await.expect("whole");
    assert_eq!(read_whole.status().as_u16(), 200);
    let read_whole = read_whole.bytes().await.expect("the whole body");
    assert!(
        streamed == read_whole,
        "streamed {} bytes, whole {} bytes",
        streamed.len(),
        read_whole.len()
    );
    let v: Value = serde_json::from_slice(&streamed).expect("JSON");
    let list = v.as_array().expect("the orders, as a list");
    assert_eq!(list.len(), ORDERS);
    assert_eq!(list[ORDERS - 1]["note"], "fragile & \"heavy\"");
    assert_eq!(list[0]["line"][0]["unitPrice"].to_string(), "9.99");
    let label = r#"soapbridge_backend_answers_streamed_total{backend="customers"}"#;
    assert_eq!(metric(&streaming.metrics().await, label), 1.0);
    assert_eq!(metric(&whole.metrics().await, label), 0.0);
    // The budget is given back once the answers are sent.
    for b in [&streaming, &whole] {
        assert_eq!(
            metric(&b.metrics().await, "soapbridge_answer_memory_bytes "),
            0.0
        );
    }
}

#[actix_web::test]
async fn a_streamed_answer_is_gzipped_for_callers_that_accept_it() {
    let be = backend::start(orders(ORDERS)).await;
    let b = bridge_to(&be.url("/customers"), "", None).await;
    let plain = support::client()
        .get(b.url("/customers/42/orders"))
        .send()
        .await
        .expect("plain")
        .bytes()
        .await
        .expect("plain body");
    // A client that leaves the body as it came.
    let raw = reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_deflate()
        .build()
        .expect("client");
    let r = raw
        .get(b.url("/customers/42/orders"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .expect("gzipped");
    assert_eq!(
        r.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip"),
        "{:?}",
        r.headers()
    );
    let zipped = r.bytes().await.expect("gzipped body");
    assert!(
        zipped.len() * 5 < plain.len(),
        "{} vs {}",
        zipped.len(),
        plain.len()
    );
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&zipped[..]),
        &mut unzipped,
    )
    .expect("gunzip");
    assert!(unzipped == plain[..], "the same JSON once unzipped");
}

/// The body as the caller reads it: `Err` when the transfer broke off.
async fn read_orders(b: &Bridge) -> (u16, Result<bytes::Bytes, reqwest::Error>) {
    let r = support::client()
        .get(b.url("/customers/42/orders"))
        .send()
        .await
        .expect("the head arrives");
    (r.status().as_u16(), r.bytes().await)
}

#[actix_web::test]
async fn an_invalid_value_after_the_first_byte_breaks_the_transfer_off() {
    let be = backend::start(orders_with(ORDERS, Some(ORDERS - 10), None)).await;
    let b = bridge_to(&be.url("/customers"), "", None).await;
    let (status, body) = read_orders(&b).await;
    assert_eq!(
        status, 200,
        "the head was sent before the bad value arrived"
    );
    let err = body.expect_err("the transfer must break off, not end in truncated JSON");
    assert!(err.is_body() || err.is_decode(), "{err:?}");
    let m = b.metrics().await;
    assert_eq!(
        metric(
            &m,
            r#"soapbridge_backend_answers_aborted_total{backend="customers",reason="invalid"}"#
        ),
        1.0,
        "{m}"
    );
    // The process is still up and serves the next call.
    be.set_reply(orders(10));
    let (status, body) = read_orders(&b).await;
    assert_eq!(status, 200);
    assert!(body.is_ok());
}

#[actix_web::test]
async fn a_backend_that_dies_mid_answer_breaks_the_transfer_off() {
    let be = backend::start(orders_with(ORDERS, None, Some(ORDERS / 2))).await;
    let b = bridge_to(&be.url("/customers"), "", None).await;
    let (status, body) = read_orders(&b).await;
    assert_eq!(status, 200);
    assert!(body.is_err(), "a cut answer must not end as valid JSON");
    let m = b.metrics().await;
    assert_eq!(
        metric(
            &m,
            r#"soapbridge_backend_answers_aborted_total{backend="customers",reason="cut"}"#
        ),
        1.0,
        "{m}"
    );
}

#[actix_web::test]
async fn what_is_wrong_before_the_first_byte_is_still_a_problem() {
    // An invalid value in the first order: known before any JSON is sent.
    let be = backend::start(orders_with(ORDERS, Some(0), None)).await;
    let b = bridge_to(&be.url("/customers"), "", None).await;
    let (status, ct, p) = orders_problem(&b).await;
    assert_eq!((status, ct.as_str()), (502, "application/problem+json"));
    assert_eq!(p["code"], "backend-invalid-response", "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or("")
            .contains("customerId: expected xsd:int"),
        "{p}"
    );
    // A large fault: its detail is read before anything is sent, and mapped as usual.
    let big = "x".repeat(1_500_000);
    be.set_reply(stream_of(
        format!(
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">{big}</env:Text></env:Reason><env:Detail><c:CustomerNotFound xmlns:c="http://example.com/soapbridge/customers"><c:customerId>42</c:customerId></c:CustomerNotFound></env:Detail></env:Fault>"#
        ),
        "",
        0,
        "</env:Body></env:Envelope>",
    ));
    let (status, _, p) = orders_problem(&b).await;
    assert_eq!(
        (status, &p["code"]),
        (404, &Value::from("soap-fault")),
        "{p}"
    );
    // HTML as large as that is refused from its first bytes.
    be.set_reply(stream_of(
        "<html><body>".into(),
        "<p>Service Unavailable</p>",
        60_000,
        "</body></html>",
    ));
    let (status, _, p) = orders_problem(&b).await;
    assert_eq!(
        (status, &p["code"]),
        (502, &Value::from("backend-not-soap")),
        "{p}"
    );
}

#[actix_web::test]
async fn max_response_size_stays_a_hard_cap_for_streamed_answers() {
    let be = backend::start(orders(ORDERS)).await;
    let b = bridge_to(&be.url("/customers"), "  max_response_size: 2MiB\n", None).await;
    let (status, body) = read_orders(&b).await;
    // Past the threshold the answer streams; past the cap it is broken off.
    assert_eq!(status, 200);
    assert!(body.is_err());
    let m = b.metrics().await;
    assert_eq!(
        metric(
            &m,
            r#"soapbridge_backend_answers_aborted_total{backend="customers",reason="cut"}"#
        ),
        1.0,
        "{m}"
    );
}

#[actix_web::test]
async fn a_spent_memory_budget_refuses_new_calls_with_retry_after() {
    // The smallest budget holds one call's first part: while a call waits for its backend,
    // the next one is refused after a short wait.
    let be = backend::start(Reply::Hang).await;
    let b = bridge_to(&be.url("/customers"), "", Some(64 * 1024)).await;
    let first = {
        let url = b.url("/customers/42/orders");
        tokio::spawn(async move { support::client().get(url).send().await })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while be.count() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(be.count(), 1, "the first call reached the backend");
    let r = support::client()
        .get(b.url("/customers/42/orders"))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["retry-after"].to_str().ok(), Some("1"));
    let p: Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("problem");
    assert_eq!(p["code"], "over-capacity", "{p}");
    assert_eq!(be.count(), 1, "the refused call never reached the backend");
    let m = b.metrics().await;
    assert_eq!(
        metric(&m, "soapbridge_answer_memory_refused_total "),
        1.0,
        "{m}"
    );
    assert_eq!(
        metric(&m, "soapbridge_answer_memory_budget_bytes "),
        65536.0,
        "{m}"
    );
    first.abort();
}

/// A figure of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
fn proc_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[actix_web::test]
async fn hundreds_of_megabytes_stream_through_the_binary_in_flat_memory() {
    // About 210 MB of SOAP through the real binary, read by the caller as it comes: the
    // server's peak memory must stay far below the answer's size.
    const COUNT: usize = 550_000;
    let be = backend::start(orders(COUNT)).await;
    let mapping = support::root().join("mappings/customers.yaml");
    let endpoint = be.url("/customers");
    let serve = support::TracedServe::start(
        &[mapping.as_os_str()],
        &[
            ("SOAPBRIDGE_LOG", "warn"),
            ("CUSTOMERS_SOAP_URL", endpoint.as_str()),
        ],
    )
    .await;
    let pid = serve.pid();
    let before = proc_kib(pid, "VmRSS:");
    let started = std::time::Instant::now();
    let mut r = support::client()
        .get(format!("{}/customers/42/orders", serve.base))
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .expect("the head arrives");
    assert_eq!(r.status().as_u16(), 200);
    let (mut bytes, mut orders_seen, mut first, mut last) = (0usize, 0usize, None, 0u8);
    let needle = b"\"orderId\"";
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let chunk = match r.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => panic!(
                "the body broke off after {bytes} bytes: {e}\n{}",
                serve.stop()
            ),
        };
        bytes += chunk.len();
        first = first.or(chunk.first().copied());
        last = chunk.last().copied().unwrap_or(last);
        carry.extend_from_slice(&chunk);
        orders_seen += carry.windows(needle.len()).filter(|w| w == needle).count();
        let keep = carry.len().min(needle.len() - 1);
        carry.drain(..carry.len() - keep);
    }
    let peak = proc_kib(pid, "VmHWM:");
    let log = serve.stop();
    assert_eq!((first, last), (Some(b'['), b']'), "one JSON array, whole");
    assert_eq!(orders_seen, COUNT, "every order arrived");
    assert!(bytes > 100_000_000, "{bytes} bytes of JSON");
    eprintln!(
        "streamed {} MB of JSON in {:.1} s; server RSS before {} MiB, peak {} MiB",
        bytes / 1_000_000,
        started.elapsed().as_secs_f64(),
        before / 1024,
        peak / 1024
    );
    assert!(
        peak < 64 * 1024 && peak.saturating_sub(before) < 32 * 1024,
        "the server's RSS went from {} MiB to a peak of {} MiB for a {} MB answer\n{log}",
        before / 1024,
        peak / 1024,
        bytes / 1_000_000
    );
}

//! Traces cross the bridge: the real binary exports OTLP/HTTP to a real receiver on
//! 127.0.0.1 (the protobuf decoded with `opentelemetry-proto`), continues the caller's W3C
//! `traceparent`, and sends its own client span's context on to the backend.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::backend::{self, PING, Reply};
use crate::support;

/// Reads one HTTP request (head and `Content-Length` body).
async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = sock.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some((head, buf[end + 4..end + 4 + len].to_vec()));
        }
    }
}

/// An OTLP/HTTP trace receiver: every span of every `POST /v1/traces`, decoded, and the
/// `service.name` of the resources they came with.
async fn otlp_receiver() -> (String, Arc<Mutex<Vec<Span>>>) {
    let (url, spans, _) = otlp_receiver_with_services().await;
    (url, spans)
}

type Services = Arc<Mutex<Vec<String>>>;

async fn otlp_receiver_with_services() -> (String, Arc<Mutex<Vec<Span>>>, Services) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let spans = Arc::new(Mutex::new(Vec::new()));
    let services: Services = Arc::new(Mutex::new(Vec::new()));
    let sink = spans.clone();
    let names = services.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let sink = sink.clone();
            let names = names.clone();
            tokio::spawn(async move {
                while let Some((head, body)) = read_request(&mut sock).await {
                    if head.starts_with("post /v1/traces") {
                        let req = ExportTraceServiceRequest::decode(&body[..])
                            .expect("an OTLP protobuf export request");
                        let mut sink = sink.lock().expect("lock");
                        for rs in &req.resource_spans {
                            for kv in rs.resource.iter().flat_map(|r| &r.attributes) {
                                if kv.key == "service.name"
                                    && let Some(AnyValue::StringValue(v)) =
                                        kv.value.as_ref().and_then(|v| v.value.as_ref())
                                {
                                    names.lock().expect("lock").push(v.clone());
                                }
                            }
                        }
                        for rs in req.resource_spans {
                            for ss in rs.scope_spans {
                                sink.extend(ss.spans);
                            }
                        }
                    }
                    let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n";
                    if sock.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, spans, services)
}

fn attr(s: &Span, key: &str) -> Option<String> {
    s.attributes.iter().find(|kv| kv.key == key).and_then(|kv| {
        match kv.value.as_ref()?.value.as_ref()? {
            AnyValue::StringValue(v) => Some(v.clone()),
            AnyValue::IntValue(v) => Some(v.to_string()),
            other => Some(format!("{other:?}")),
        }
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[actix_web::test]
async fn a_trace_crosses_the_bridge_from_caller_to_backend() {
    let (otlp, spans) = otlp_receiver().await;
    let be = backend::start(Reply::soap12(200, PING)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let text = std::fs::read_to_string(support::root().join("mappings/customers.yaml"))
        .expect("mapping")
        .replace("../wsdl/customers.wsdl", &wsdl.display().to_string());
    std::fs::write(dir.path().join("customers.yaml"), text).expect("write");
    let port = support::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--shutdown-grace", "0s"])
        .arg(dir.path())
        .env("CUSTOMERS_SOAP_URL", be.url("/customers"))
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp)
        .env("OTEL_SERVICE_NAME", "soapbridge-test")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("SOAPBRIDGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start soapbridge serve");
    let mut child = crate::support::KillOnDrop(child);
    let base = format!("http://127.0.0.1:{port}");
    support::wait_ready(&base, None).await;
    // The caller's trace: a known trace id and parent span id.
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let r = support::client()
        .get(format!("{base}/ping"))
        .header("traceparent", format!("00-{trace_id}-{caller_span}-01"))
        .header("x-request-id", "trace-test-1")
        .send()
        .await
        .expect("GET /ping");
    assert_eq!(r.status(), 200);
    // The backend was told which span called it, in the caller's trace.
    let sent = be.last();
    let tp = sent
        .header("traceparent")
        .expect("traceparent sent to the backend")
        .to_owned();
    let parts: Vec<&str> = tp.split('-').collect();
    assert_eq!(parts.len(), 4, "{tp}");
    assert_eq!(parts[1], trace_id, "{tp}");
    assert_ne!(
        parts[2], caller_span,
        "the backend's parent is the bridge's span"
    );
    // The spans arrive at the receiver.
    let deadline = Instant::now() + Duration::from_secs(15);
    let spans = loop {
        let got = spans.lock().expect("lock").clone();
        if got.iter().filter(|s| hex(&s.trace_id) == trace_id).count() >= 3 {
            break got;
        }
        assert!(Instant::now() < deadline, "spans did not arrive: {got:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    let ours: Vec<&Span> = spans
        .iter()
        .filter(|s| hex(&s.trace_id) == trace_id)
        .collect();
    let by_id: HashMap<String, &Span> = ours.iter().map(|s| (hex(&s.span_id), *s)).collect();
    let server = ours
        .iter()
        .find(|s| s.name == "GET /ping")
        .unwrap_or_else(|| panic!("no server span: {ours:?}"));
    assert_eq!(server.kind, 2, "SPAN_KIND_SERVER");
    assert_eq!(
        hex(&server.parent_span_id),
        caller_span,
        "continues the caller's span"
    );
    assert_eq!(attr(server, "http.route").as_deref(), Some("/ping"));
    assert_eq!(attr(server, "http.request.method").as_deref(), Some("GET"));
    assert_eq!(
        attr(server, "http.response.status_code").as_deref(),
        Some("200")
    );
    assert_eq!(
        attr(server, "soapbridge.request_id").as_deref(),
        Some("trace-test-1")
    );
    let client = by_id
        .get(parts[2])
        .unwrap_or_else(|| panic!("the span the backend saw was exported: {ours:?}"));
    assert_eq!(client.kind, 3, "SPAN_KIND_CLIENT");
    assert_eq!(client.name, "SOAP Ping");
    assert_eq!(
        attr(client, "http.response.status_code").as_deref(),
        Some("200")
    );
    // The client span descends from the server span, through the pipeline's call span.
    let mut at = *client;
    let mut chain = Vec::new();
    while let Some(parent) = by_id.get(&hex(&at.parent_span_id)) {
        chain.push(parent.name.clone());
        at = parent;
    }
    assert_eq!(hex(&at.span_id), hex(&server.span_id), "chain: {chain:?}");
    let call = ours
        .iter()
        .find(|s| s.name == "call")
        .unwrap_or_else(|| panic!("no call span: {ours:?}"));
    assert_eq!(attr(call, "operation").as_deref(), Some("Ping"));
    assert_eq!(attr(call, "backend").as_deref(), Some("customers"));
}

#[actix_web::test]
async fn traces_can_be_switched_on_by_the_gateway_configuration() {
    let (otlp, spans, services) = otlp_receiver_with_services().await;
    let be = backend::start(Reply::soap12(200, PING)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let text = std::fs::read_to_string(support::root().join("mappings/customers.yaml"))
        .expect("mapping")
        .replace("../wsdl/customers.wsdl", &wsdl.display().to_string());
    std::fs::write(dir.path().join("customers.yaml"), text).expect("write");
    let config = dir.path().join("gateway.yaml");
    std::fs::write(
        &config,
        format!(
            "version: 1\ntelemetry:\n  otlp_endpoint: {otlp}\n  service_name: bridge-from-config\n  sampler: always_on\n"
        ),
    )
    .expect("config");
    let port = support::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--shutdown-grace", "0s", "--config"])
        .arg(&config)
        .arg(dir.path().join("customers.yaml"))
        .env("CUSTOMERS_SOAP_URL", be.url("/customers"))
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("OTEL_SERVICE_NAME")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("SOAPBRIDGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start soapbridge serve");
    let mut child = crate::support::KillOnDrop(child);
    let base = format!("http://127.0.0.1:{port}");
    support::wait_ready(&base, None).await;
    let r = support::client()
        .get(format!("{base}/ping"))
        .send()
        .await
        .expect("GET /ping");
    assert_eq!(r.status(), 200);
    assert!(
        be.last().header("traceparent").is_some(),
        "the backend gets a traceparent"
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while !spans
        .lock()
        .expect("lock")
        .iter()
        .any(|s| s.name == "GET /ping")
    {
        assert!(Instant::now() < deadline, "no server span arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        services
            .lock()
            .expect("lock")
            .iter()
            .all(|n| n == "bridge-from-config"),
        "{:?}",
        services.lock().expect("lock")
    );
}

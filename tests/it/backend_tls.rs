//! TLS to backends: a backend on 127.0.0.1 behind a private CA that demands a client
//! certificate (soapbridge's own rustls listener with `client_auth: require`), called with the
//! CA and the client certificate a mapping's `backend.tls` names; without them the call is a
//! precise 502, never a hang.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;
use soapbridge::http::tls::{self, ClientAuth, TlsListener, TlsSettings};

use crate::backend::PING;
use crate::listener_tls::{ca, client_leaf, server_leaf};
use crate::support;

/// The HTTPS backend: answers Ping and records the subject of each client certificate.
struct TlsBackend {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
    handle: actix_web::dev::ServerHandle,
    _listener: TlsListener,
}

impl Drop for TlsBackend {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn start_backend(dir: &Path) -> TlsBackend {
    let mut s = TlsSettings::new(dir.join("backend.crt"), dir.join("backend.key"));
    s.client_ca = Some(dir.join("clients-ca.pem"));
    s.client_auth = ClientAuth::Require;
    let listener = TlsListener::new(&s).expect("backend TLS listener");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let server = HttpServer::new(move || {
        let seen = s2.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let seen = seen.clone();
            async move {
                let subject = tls::client_cert(&req).map(|c| c.subject.clone());
                seen.lock().expect("lock").push(subject.unwrap_or_default());
                HttpResponse::Ok()
                    .content_type("application/soap+xml; charset=utf-8")
                    .body(PING)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .on_connect(tls::store_client_cert)
    .bind_rustls_0_23(("127.0.0.1", 0), listener.server_config())
    .expect("bind");
    let url = format!("https://127.0.0.1:{}/customers", server.addrs()[0].port());
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    TlsBackend {
        url,
        seen,
        handle,
        _listener: listener,
    }
}

/// The demo mapping's Ping route against `url`, with `tls` under `backend:`.
fn mapping(dir: &Path, url: &str, tls: &str) -> soapbridge::mapping::Mappings {
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  endpoint: {url}\n  service: CustomerService\n  port: CustomerServiceSoap12\n  timeout: 5s\n{tls}routes:\n  - route: GET /ping\n    operation: Ping\n",
        wsdl.display()
    );
    let path = dir.join("customers.yaml");
    support::compile(&[(path.as_path(), &text)], Default::default())
}

async fn ping(b: &support::Bridge) -> (u16, Value) {
    let r = support::client()
        .get(b.url("/ping"))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[actix_web::test]
async fn a_mutual_tls_backend_behind_a_private_ca_is_called_with_the_mappings_certificate() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let (server_ca, clients_ca, stranger_ca) = (ca("Backend CA"), ca("Clients CA"), ca("Other CA"));
    let leaf = server_leaf(&server_ca, 1);
    std::fs::write(d.join("backend.crt"), &leaf.cert).expect("write");
    std::fs::write(d.join("backend.key"), &leaf.key).expect("write");
    std::fs::write(d.join("clients-ca.pem"), clients_ca.pem()).expect("write");
    std::fs::write(d.join("backend-ca.pem"), server_ca.pem()).expect("write");
    let client = client_leaf(&clients_ca);
    std::fs::write(d.join("client.crt"), &client.cert).expect("write");
    std::fs::write(d.join("client.key"), &client.key).expect("write");
    let stranger = client_leaf(&stranger_ca);
    std::fs::write(d.join("stranger.crt"), &stranger.cert).expect("write");
    std::fs::write(d.join("stranger.key"), &stranger.key).expect("write");
    let be = start_backend(d).await;

    // The private CA and a client certificate the backend trusts: the call goes through,
    // and the backend saw who called.
    let good =
        "  tls:\n    ca: backend-ca.pem\n    client_cert: client.crt\n    client_key: client.key\n";
    let b = support::start_bridge(mapping(d, &be.url, good), Default::default()).await;
    let (status, v) = ping(&b).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["version"], "1", "{v}");
    let seen = be.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("CN=billing"), "{seen:?}");

    // Each broken setup is a 502 that says what failed, the backend never answering.
    let cases = [
        // TLS 1.3: the backend refuses the client after the handshake, so what the client
        // reads first (the alert, a closed connection, a broken pipe) is a race; only the
        // refusal is asserted for those two.
        (
            "no client certificate",
            "  tls:\n    ca: backend-ca.pem\n",
            None,
        ),
        (
            "a client certificate the backend does not trust",
            "  tls:\n    ca: backend-ca.pem\n    client_cert: stranger.crt\n    client_key: stranger.key\n",
            None,
        ),
        (
            "the system roots only: the backend's CA is unknown",
            "  tls:\n    client_cert: client.crt\n    client_key: client.key\n",
            Some(
                "cannot connect to the backend `customers`: the backend's TLS certificate is not signed by a trusted CA",
            ),
        ),
    ];
    for (what, tls, says) in cases {
        let b = support::start_bridge(mapping(d, &be.url, tls), Default::default()).await;
        let started = std::time::Instant::now();
        let (status, v) = ping(&b).await;
        assert_eq!(status, 502, "{what}: {v}");
        assert_eq!(v["code"], "backend-unavailable", "{what}: {v}");
        assert!(
            says.is_none_or(|s| v["detail"].as_str().unwrap_or("").contains(s)),
            "{what}: {v}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{what}: the refusal is immediate"
        );
        assert!(
            !v.to_string().contains("PRIVATE KEY"),
            "{what}: no key material in the problem"
        );
        let detail = v["detail"].as_str().unwrap_or("");
        for internal in ["client error", "hyper", "reqwest", "https://", "127.0.0.1"] {
            assert!(
                !detail.contains(internal),
                "{what}: `{internal}` in the detail: {detail}"
            );
        }
    }
    assert_eq!(
        be.seen.lock().expect("lock").len(),
        1,
        "only the good call was served"
    );
}

#[test]
fn a_missing_or_broken_tls_file_is_reported_by_check_with_its_place() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(d.join("not-pem.crt"), "hello").expect("write");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  endpoint: https://127.0.0.1:9/customers\n  tls:\n    ca: missing-ca.pem\n    client_cert: not-pem.crt\n    client_key: missing.key\nroutes:\n  - route: GET /ping\n    operation: Ping\n",
        wsdl.display()
    );
    let path = d.join("customers.yaml");
    let diags = soapbridge::mapping::load_texts(&[(path.as_path(), &text)], Default::default())
        .expect_err("refused");
    let all = diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("customers.yaml:6:9: cannot read the CA bundle"),
        "{all}"
    );
    assert!(
        all.contains("customers.yaml:7:18: the client certificate"),
        "{all}"
    );
    assert!(all.contains("holds no PEM block"), "{all}");
    assert!(
        all.contains("customers.yaml:8:17: cannot read the client key"),
        "{all}"
    );
}

#[actix_web::test]
async fn the_backends_name_is_verified_unless_verification_is_explicitly_off() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let (server_ca, clients_ca) = (ca("Backend CA"), ca("Clients CA"));
    // A certificate from the trusted CA, for another host than the one called.
    let mut p =
        rcgen::CertificateParams::new(vec!["erp.other.example".to_owned()]).expect("params");
    p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = p.signed_by(&key, &server_ca).expect("cert");
    std::fs::write(d.join("backend.crt"), cert.pem()).expect("write");
    std::fs::write(d.join("backend.key"), key.serialize_pem()).expect("write");
    std::fs::write(d.join("clients-ca.pem"), clients_ca.pem()).expect("write");
    std::fs::write(d.join("backend-ca.pem"), server_ca.pem()).expect("write");
    let client = client_leaf(&clients_ca);
    std::fs::write(d.join("client.crt"), &client.cert).expect("write");
    std::fs::write(d.join("client.key"), &client.key).expect("write");
    let be = start_backend(d).await;

    let checked =
        "  tls:\n    ca: backend-ca.pem\n    client_cert: client.crt\n    client_key: client.key\n";
    let b = support::start_bridge(mapping(d, &be.url, checked), Default::default()).await;
    let (status, v) = ping(&b).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (502, Some("backend-unavailable")),
        "{v}"
    );
    assert!(
        v["detail"]
            .as_str()
            .unwrap_or("")
            .contains("the backend's TLS certificate is not valid for its host name"),
        "{v}"
    );
    assert!(be.seen.lock().expect("lock").is_empty());

    // Test systems only: verification off, the call goes through (a warning is logged).
    let off = "  tls:\n    insecure_skip_verify: true\n    client_cert: client.crt\n    client_key: client.key\n";
    let b = support::start_bridge(mapping(d, &be.url, off), Default::default()).await;
    let (status, v) = ping(&b).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(be.seen.lock().expect("lock").len(), 1);
}

/// The backend's credentials (basic auth, WS-Security password, the client key) never reach
/// the log, at any level.
#[actix_web::test]
async fn backend_credentials_never_reach_the_log_even_at_trace_level() {
    let be = crate::backend::start(crate::backend::Reply::soap12(200, PING)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let clients_ca = ca("Clients CA");
    let client = client_leaf(&clients_ca);
    std::fs::write(d.join("client.crt"), &client.cert).expect("write");
    std::fs::write(d.join("client.key"), &client.key).expect("write");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    std::fs::write(
        d.join("customers.yaml"),
        format!(
            "version: 1\nbackend:\n  wsdl: {}\n  endpoint: {}\n  service: CustomerService\n  port: CustomerServiceSoap12\n  basic_auth: {{ username: svc, password: \"${{BACKEND_PASSWORD}}\" }}\n  ws_security: {{ username: wss-user, password: \"${{WSS_PASSWORD}}\", password_type: text }}\n  tls:\n    client_cert: client.crt\n    client_key: client.key\nroutes:\n  - route: GET /ping\n    operation: Ping\n",
            wsdl.display(),
            be.url("/customers")
        ),
    )
    .expect("write");
    let mapping = d.join("customers.yaml");
    let served = support::TracedServe::start(
        &[mapping.as_os_str()],
        &[
            ("BACKEND_PASSWORD", "basic-s3cret-pw"),
            ("WSS_PASSWORD", "wss-s3cret-pw"),
        ],
    )
    .await;
    let base = served.base.clone();
    let r = support::client()
        .get(format!("{base}/ping"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    // The backend did get them.
    let got = be.last();
    assert!(got.body.contains("wss-s3cret-pw"), "{}", got.body);
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        "svc:basic-s3cret-pw",
    );
    assert_eq!(
        got.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    let text = served.stop();
    assert!(text.len() > 1000, "trace logging is on: {text}");
    let key_line = client
        .key
        .lines()
        .nth(1)
        .expect("a base64 line of the key")
        .to_owned();
    for secret in [
        "basic-s3cret-pw",
        "wss-s3cret-pw",
        basic.as_str(),
        &key_line,
    ] {
        assert!(!text.contains(secret), "`{secret}` appears in the log");
    }
}

/// `http://user:secret@host/...` endpoints: the secret reaches neither the caller (problem
/// details say what failed in a stable sentence, without the endpoint) nor the log.
#[actix_web::test]
async fn credentials_in_an_endpoint_url_reach_neither_callers_nor_the_log() {
    let refused = crate::backend::refused_addr().await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let wsdl = support::root().join("wsdl/customers.wsdl");
    std::fs::write(
        d.join("customers.yaml"),
        format!(
            "version: 1\nbackend:\n  wsdl: {}\n  endpoint: http://svc:endpoint-s3cret@{refused}/customers\n  service: CustomerService\n  port: CustomerServiceSoap12\nroutes:\n  - route: GET /ping\n    operation: Ping\n",
            wsdl.display()
        ),
    )
    .expect("write");
    let mapping = d.join("customers.yaml");
    let served = support::TracedServe::start(&[mapping.as_os_str()], &[]).await;
    let base = served.base.clone();
    let r = support::client()
        .get(format!("{base}/ping"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 502);
    let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("problem");
    assert_eq!(
        v["detail"], "cannot connect to the backend `customers`: the connection was refused",
        "{v}"
    );
    let text = served.stop();
    assert!(
        text.contains(&format!("http://{refused}/customers")),
        "the log names the endpoint, without its userinfo: {text}"
    );
    assert!(text.contains("cause="), "the log has the cause chain");
    assert!(
        !text.contains("endpoint-s3cret"),
        "the password is in the log"
    );
}

#[test]
fn inspect_does_not_show_userinfo_of_a_port_address() {
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = std::fs::read_to_string(support::root().join("wsdl/customers.wsdl"))
        .expect("wsdl")
        .replace(
            "http://127.0.0.1:8081/customers",
            "http://svc:wsdl-s3cret@127.0.0.1:8081/customers",
        );
    let path = dir.path().join("c.wsdl");
    std::fs::write(&path, wsdl).expect("write");
    for args in [vec!["inspect"], vec!["inspect", "--json"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
            .args(&args)
            .arg(&path)
            .output()
            .expect("inspect");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        assert!(text.contains("127.0.0.1:8081/customers"), "{text}");
        assert!(!text.contains("wsdl-s3cret"), "{args:?}: {text}");
    }
}

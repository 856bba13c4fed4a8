//! HTTPS on the listener: a real actix server bound with `TlsListener::server_config`, called
//! with reqwest over rustls, with a CA, server and client certificates made by rcgen in a temp
//! dir. TLS versions, ALPN, mutual TLS (required, optional, untrusted), rotation on disk and
//! the start-up errors.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use actix_tls::accept::rustls_0_23::TlsStream;
use actix_web::rt::net::TcpStream;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use serde_json::{Value, json};
use soapbridge::http::tls::{self, ClientAuth, TlsListener, TlsSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub type Ca = CertifiedIssuer<'static, KeyPair>;

pub fn ca(name: &str) -> Ca {
    let mut p = CertificateParams::default();
    p.distinguished_name.push(DnType::CommonName, name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(p, KeyPair::generate().expect("key")).expect("CA")
}

/// A certificate and its key, PEM.
pub struct Leaf {
    pub cert: String,
    pub key: String,
}

impl Leaf {
    /// Certificate and key in one PEM, as `reqwest::Identity::from_pem` reads it.
    fn identity(&self) -> reqwest::Identity {
        reqwest::Identity::from_pem(format!("{}{}", self.cert, self.key).as_bytes())
            .expect("identity")
    }
}

pub fn server_leaf(ca: &Ca, serial: u8) -> Leaf {
    let mut p = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    p.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().expect("ip")));
    p.distinguished_name.push(DnType::CommonName, "localhost");
    p.serial_number = Some(SerialNumber::from_slice(&[0x5b, serial]));
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().expect("key");
    let cert = p.signed_by(&key, ca).expect("server cert");
    Leaf {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

pub fn client_leaf(ca: &Ca) -> Leaf {
    let mut p = CertificateParams::new(vec!["billing.internal".to_owned()]).expect("params");
    p.subject_alt_names.push(SanType::URI(
        "spiffe://acme.example/billing".try_into().expect("uri"),
    ));
    p.subject_alt_names.push(SanType::Rfc822Name(
        "billing@acme.example".try_into().expect("email"),
    ));
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name
        .push(DnType::OrganizationName, "Acme, Inc.");
    p.distinguished_name
        .push(DnType::OrganizationalUnitName, "payments");
    p.distinguished_name.push(DnType::CommonName, "billing");
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let key = KeyPair::generate().expect("key");
    let cert = p.signed_by(&key, ca).expect("client cert");
    Leaf {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

/// A temp dir with the server's files, its CA and the client CA.
struct Files {
    dir: tempfile::TempDir,
    server_ca: Ca,
    client_ca: Ca,
}

impl Files {
    fn new() -> Self {
        let files = Self {
            dir: tempfile::tempdir().expect("tempdir"),
            server_ca: ca("Server CA"),
            client_ca: ca("Client CA"),
        };
        files.put_server(&server_leaf(&files.server_ca, 1));
        std::fs::write(files.path("client-ca.pem"), files.client_ca.pem()).expect("write");
        files
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn put_server(&self, leaf: &Leaf) {
        std::fs::write(self.path("tls.crt"), &leaf.cert).expect("write cert");
        std::fs::write(self.path("tls.key"), &leaf.key).expect("write key");
    }

    fn settings(&self, auth: ClientAuth) -> TlsSettings {
        let mut s = TlsSettings::new(self.path("tls.crt"), self.path("tls.key"));
        if auth != ClientAuth::None {
            s.client_ca = Some(self.path("client-ca.pem"));
        }
        s.client_auth = auth;
        s.reload_every = Duration::from_millis(200);
        s
    }
}

/// What the server saw of the connection, next to the identity.
struct Negotiated(&'static str);

async fn whoami(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "identity": tls::client_cert(&req),
        "tls": req.conn_data::<Negotiated>().map(|n| n.0),
        "http": format!("{:?}", req.version()),
    }))
}

/// An actix server on 127.0.0.1:0 with the listener's config; stops when dropped.
struct Server {
    addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Server {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::spawn(async move { handle.stop(false).await });
    }
}

fn serve(listener: &TlsListener) -> Server {
    let server = HttpServer::new(|| App::new().route("/whoami", web::get().to(whoami)))
        .workers(1)
        .disable_signals()
        .on_connect(|conn, data| {
            tls::store_client_cert(conn, data);
            if let Some(stream) = conn.downcast_ref::<TlsStream<TcpStream>>() {
                let version = match stream.get_ref().1.protocol_version() {
                    Some(rustls::ProtocolVersion::TLSv1_3) => "1.3",
                    Some(rustls::ProtocolVersion::TLSv1_2) => "1.2",
                    _ => "other",
                };
                data.insert(Negotiated(version));
            }
        })
        .bind_rustls_0_23(("127.0.0.1", 0), listener.server_config())
        .expect("bind");
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Server { addr, handle }
}

fn client(trust: &Ca) -> reqwest::ClientBuilder {
    soapbridge::tls::install_crypto_provider();
    reqwest::Client::builder()
        .tls_backend_rustls()
        .tls_certs_only([reqwest::Certificate::from_pem(trust.pem().as_bytes()).expect("ca")])
        .tls_info(true)
        .timeout(Duration::from_secs(10))
}

async fn get(
    client: reqwest::ClientBuilder,
    addr: SocketAddr,
) -> reqwest::Result<reqwest::Response> {
    let client = client.build()?;
    client
        .get(format!("https://localhost:{}/whoami", addr.port()))
        .send()
        .await
}

async fn json_body(resp: reqwest::Response) -> Value {
    serde_json::from_slice(&resp.bytes().await.expect("body")).expect("json")
}

/// The serial of the certificate the server presented, as x509-parser prints it.
fn served_serial(resp: &reqwest::Response) -> String {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let info = resp
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .expect("tls info");
    let der = info.peer_certificate().expect("peer certificate");
    X509Certificate::from_der(der)
        .expect("x509")
        .1
        .raw_serial_as_string()
}

#[actix_web::test]
async fn https_works_with_tls_1_3_and_1_2_and_negotiates_http2_by_alpn() {
    let files = Files::new();
    let listener = TlsListener::new(&files.settings(ClientAuth::None)).expect("listener");
    let server = serve(&listener);

    for (version, label) in [
        (reqwest::tls::Version::TLS_1_3, "1.3"),
        (reqwest::tls::Version::TLS_1_2, "1.2"),
    ] {
        let only = client(&files.server_ca)
            .tls_version_min(version)
            .tls_version_max(version);
        let resp = get(only, server.addr).await.expect("https");
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.version(), reqwest::Version::HTTP_2, "ALPN picks h2");
        let info = resp
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .expect("tls info");
        assert_eq!(info.version(), Some(version));
        let body = json_body(resp).await;
        assert_eq!(body["tls"], label, "{body}");
        assert_eq!(body["http"], "HTTP/2.0", "{body}");
        assert_eq!(
            body["identity"],
            Value::Null,
            "no client certificate asked for"
        );
    }

    // A client that offers only HTTP/1.1 by ALPN still gets it.
    let resp = get(client(&files.server_ca).http1_only(), server.addr)
        .await
        .expect("https/1.1");
    assert_eq!(resp.version(), reqwest::Version::HTTP_11);
}

/// A ClientHello that offers only `version` (no supported_versions extension), as a TLS 1.0
/// or 1.1 client sends it; with signature_algorithms so that the version is the only fault.
fn legacy_client_hello(version: [u8; 2]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(version);
    body.extend([0x5a; 32]); // random
    body.push(0); // no session id
    let suites: [u8; 10] = [0xc0, 0x13, 0xc0, 0x14, 0x00, 0x2f, 0x00, 0x35, 0x00, 0xff];
    body.extend((suites.len() as u16).to_be_bytes());
    body.extend(suites);
    body.extend([1, 0]); // compression: null only
    let extensions: &[u8] = &[
        0x00, 0x0d, 0x00, 0x08, 0x00, 0x06, 0x04, 0x03, 0x04, 0x01, 0x02, 0x01, // sig algs
        0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, // groups: P-256
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, // point formats: uncompressed
    ];
    body.extend((extensions.len() as u16).to_be_bytes());
    body.extend(extensions);
    let mut handshake = vec![1]; // ClientHello
    handshake.extend(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend((handshake.len() as u16).to_be_bytes());
    record.extend(handshake);
    record
}

#[actix_web::test]
async fn tls_1_1_and_1_0_are_refused_with_a_protocol_version_alert() {
    let files = Files::new();
    let listener = TlsListener::new(&files.settings(ClientAuth::None)).expect("listener");
    let server = serve(&listener);
    for version in [[3, 2], [3, 1]] {
        let mut tcp = tokio::net::TcpStream::connect(server.addr)
            .await
            .expect("connect");
        tcp.write_all(&legacy_client_hello(version))
            .await
            .expect("send hello");
        let mut answer = [0u8; 7];
        tokio::time::timeout(Duration::from_secs(10), tcp.read_exact(&mut answer))
            .await
            .expect("an answer in time")
            .expect("an alert record");
        assert_eq!(
            answer[0], 0x15,
            "an alert record, not a ServerHello: {answer:?}"
        );
        assert_eq!(
            &answer[5..],
            &[2, 70],
            "fatal protocol_version for {version:?}"
        );
    }
}

#[actix_web::test]
async fn mtls_require_serves_the_good_certificate_and_echoes_its_identity() {
    let files = Files::new();
    let listener = TlsListener::new(&files.settings(ClientAuth::Require)).expect("listener");
    let server = serve(&listener);
    let good = client_leaf(&files.client_ca);

    let resp = get(
        client(&files.server_ca).identity(good.identity()),
        server.addr,
    )
    .await
    .expect("mTLS with a good certificate");
    assert_eq!(resp.status(), 200);
    let body = json_body(resp).await;
    let id = &body["identity"];
    assert_eq!(
        id["subject"], "CN=billing,OU=payments,O=Acme\\, Inc.",
        "{body}"
    );
    assert_eq!(
        id["sans"],
        json!([
            "DNS:billing.internal",
            "URI:spiffe://acme.example/billing",
            "email:billing@acme.example"
        ])
    );
    let fingerprint = id["fingerprint_sha256"].as_str().expect("fingerprint");
    assert_eq!(fingerprint.len(), 64);
    assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));

    let untrusted = client_leaf(&ca("Someone else's CA"));
    let err = get(
        client(&files.server_ca).identity(untrusted.identity()),
        server.addr,
    )
    .await
    .expect_err("a certificate from another CA fails the handshake");
    assert!(err.is_connect() || err.is_request(), "{err:?}");

    get(client(&files.server_ca), server.addr)
        .await
        .expect_err("no certificate fails the handshake");
}

#[actix_web::test]
async fn mtls_optional_serves_clients_without_a_certificate_and_without_identity() {
    let files = Files::new();
    let listener = TlsListener::new(&files.settings(ClientAuth::Optional)).expect("listener");
    let server = serve(&listener);

    let resp = get(client(&files.server_ca), server.addr)
        .await
        .expect("served without a certificate");
    let body = json_body(resp).await;
    assert_eq!(body["identity"], Value::Null, "{body}");

    let good = client_leaf(&files.client_ca);
    let resp = get(
        client(&files.server_ca).identity(good.identity()),
        server.addr,
    )
    .await
    .expect("served with a certificate");
    let body = json_body(resp).await;
    assert_eq!(
        body["identity"]["subject"],
        "CN=billing,OU=payments,O=Acme\\, Inc."
    );

    let untrusted = client_leaf(&ca("Someone else's CA"));
    get(
        client(&files.server_ca).identity(untrusted.identity()),
        server.addr,
    )
    .await
    .expect_err("a certificate that is presented must still chain to the client CA");
}

/// Waits (up to 10 s) until `done` holds, checking every 50 ms.
async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn rotated_files_are_served_to_new_connections_and_a_broken_pair_keeps_the_old_one() {
    let files = Files::new();
    let listener = TlsListener::new(&files.settings(ClientAuth::None)).expect("listener");
    listener.watch().expect("watch");
    let server = serve(&listener);
    let resp = get(client(&files.server_ca), server.addr)
        .await
        .expect("https");
    assert_eq!(served_serial(&resp), "5b:01");

    // A new pair from another CA: once it serves, only that CA's clients get through.
    let new_ca = ca("Rotated CA");
    files.put_server(&server_leaf(&new_ca, 2));
    eventually("the new certificate serves", async || {
        match get(client(&new_ca), server.addr).await {
            Ok(resp) => served_serial(&resp) == "5b:02",
            Err(_) => false,
        }
    })
    .await;
    assert_eq!(listener.status().serial, "5b:02");
    assert!(listener.status().reloads >= 1);
    get(client(&files.server_ca), server.addr)
        .await
        .expect_err("the old CA no longer matches");

    // A certificate whose key is another one's: logged, counted, and the old pair serves on.
    // (The rotation itself may have counted a failure: key read before it was rewritten.)
    let failed = listener.status().failed_reloads;
    let other = server_leaf(&new_ca, 3);
    std::fs::write(files.path("tls.crt"), &other.cert).expect("write");
    eventually("the broken pair is noticed", async || {
        listener.status().failed_reloads > failed
    })
    .await;
    let status = listener.status();
    assert!(
        status
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("does not match"),
        "{status:?}"
    );
    let resp = get(client(&new_ca), server.addr)
        .await
        .expect("old pair serves");
    assert_eq!(served_serial(&resp), "5b:02");

    // Garbage in the certificate file: the same.
    std::fs::write(files.path("tls.crt"), "not a certificate\n").expect("write");
    eventually("the garbage is noticed", async || {
        listener.status().failed_reloads > failed + 1
    })
    .await;
    let resp = get(client(&new_ca), server.addr)
        .await
        .expect("old pair serves");
    assert_eq!(served_serial(&resp), "5b:02");
}

/// Fails to start with `files`' settings changed by `change`; the error holds every `part`.
fn start_error(files: &Files, change: impl FnOnce(&mut TlsSettings), parts: &[&str]) -> String {
    let mut settings = files.settings(ClientAuth::None);
    change(&mut settings);
    let err = TlsListener::new(&settings).expect_err("must fail");
    for part in parts {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    err
}

#[test]
fn start_up_errors_name_the_file_and_the_fault() {
    let files = Files::new();
    let nope = |s: &mut TlsSettings| s.cert_chain = files.path("nope.crt");
    start_error(
        &files,
        nope,
        &["cannot read the TLS certificate chain", "nope.crt"],
    );
    let nope = |s: &mut TlsSettings| s.key = files.path("nope.key");
    start_error(
        &files,
        nope,
        &["cannot read the TLS private key", "nope.key"],
    );

    // The key of another certificate: both files named, no key material.
    let other = server_leaf(&files.server_ca, 9);
    std::fs::write(files.path("other.key"), &other.key).expect("write");
    let other_key = |s: &mut TlsSettings| s.key = files.path("other.key");
    let parts = ["does not match the certificate", "other.key", "tls.crt"];
    let err = start_error(&files, other_key, &parts);
    assert!(
        !err.contains("PRIVATE KEY"),
        "no key material in errors: {err}"
    );

    let swapped = |s: &mut TlsSettings| std::mem::swap(&mut s.cert_chain, &mut s.key);
    start_error(&files, swapped, &["holds no certificate", "swapped"]);
    let require = |s: &mut TlsSettings| s.client_auth = ClientAuth::Require;
    start_error(&files, require, &["needs a client CA bundle"]);
}

/// Kubernetes secret volumes: `tls.crt` -> `..data/tls.crt`, `..data` -> a timestamped dir,
/// and a rotation swaps the `..data` symlink in one rename.
#[cfg(unix)]
#[actix_web::test]
async fn a_swapped_secret_volume_symlink_is_a_rotation() {
    use std::os::unix::fs::symlink;
    let files = Files::new();
    let write_version = |name: &str, leaf: &Leaf| {
        let dir = files.path(name);
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::write(dir.join("tls.crt"), &leaf.cert).expect("write");
        std::fs::write(dir.join("tls.key"), &leaf.key).expect("write");
    };
    write_version("v1", &server_leaf(&files.server_ca, 1));
    symlink("v1", files.path("..data")).expect("symlink");
    for name in ["tls.crt", "tls.key"] {
        std::fs::remove_file(files.path(name)).expect("rm");
        symlink(format!("..data/{name}"), files.path(name)).expect("symlink");
    }
    let listener = TlsListener::new(&files.settings(ClientAuth::None)).expect("listener");
    listener.watch().expect("watch");
    let server = serve(&listener);

    write_version("v2", &server_leaf(&files.server_ca, 2));
    symlink("v2", files.path("..data_tmp")).expect("symlink");
    std::fs::rename(files.path("..data_tmp"), files.path("..data")).expect("swap");
    eventually("the swapped volume serves", async || {
        match get(client(&files.server_ca), server.addr).await {
            Ok(resp) => served_serial(&resp) == "5b:02",
            Err(_) => false,
        }
    })
    .await;
}

/// `soapbridge serve --config` with `listener.tls`: HTTPS, and the verified client
/// certificate as a policy's identity next to API keys.
#[actix_web::test]
async fn serve_with_a_tls_listener_admits_by_client_certificate_or_api_key() {
    let files = Files::new();
    let good = client_leaf(&files.client_ca);
    let config = files.path("gateway.yaml");
    let key_hash: String = soapbridge::edge::apikey::hash("k-1")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(
        &config,
        format!(
            "version: 1\nlistener:\n  tls:\n    cert: tls.crt\n    key: tls.key\n    client_ca: client-ca.pem\n    client_auth: optional\nauth:\n  providers:\n    mesh:\n      client_certificate: {{}}\n    partners:\n      api_key:\n        header: X-Api-Key\n        keys:\n          - {{ consumer: crm, sha256: {key_hash} }}\n  policies:\n    billing-service:\n      providers: [mesh, partners]\n      consumers: [\"spiffe://acme.example/billing\", crm]\n    open:\n      public: true\n  default: billing-service\n"
        ),
    )
    .expect("config");
    let wsdl = crate::support::root().join("wsdl/customers.wsdl");
    let mapping = std::fs::read_to_string(crate::support::root().join("mappings/customers.yaml"))
        .expect("mapping")
        .replace("../wsdl/customers.wsdl", &wsdl.display().to_string())
        .replace(
            "  - route: GET /ping\n    operation: Ping\n",
            "  - route: GET /ping\n    operation: Ping\n    auth: open\n",
        );
    std::fs::write(files.path("customers.yaml"), mapping).expect("mapping");
    let port = crate::support::free_port();
    let log = files.path("stderr");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--shutdown-grace",
            "0s",
        ])
        .arg("--config")
        .arg(&config)
        .arg(files.path("customers.yaml"))
        // Nothing listens there: admitted calls end in 502, refused ones never get that far.
        .env("CUSTOMERS_SOAP_URL", "http://127.0.0.1:9/customers")
        .env("SOAPBRIDGE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("start soapbridge serve");
    let mut child = crate::support::KillOnDrop(child);
    let base = format!("https://localhost:{port}");
    let status = |c: reqwest::ClientBuilder, path: &'static str, key: Option<&'static str>| {
        let url = format!("{base}{path}");
        async move {
            let mut r = c.build().expect("client").get(url);
            if let Some(k) = key {
                r = r.header("X-Api-Key", k);
            }
            r.send().await.map(|r| r.status().as_u16())
        }
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while status(client(&files.server_ca), "/readyz", None).await.ok() != Some(200) {
        if Instant::now() > deadline {
            panic!(
                "not ready: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let anonymous = || client(&files.server_ca);
    let with_cert = || client(&files.server_ca).identity(good.identity());
    assert_eq!(
        status(anonymous(), "/ping", None).await.ok(),
        Some(502),
        "public, admitted"
    );
    assert_eq!(
        status(anonymous(), "/customers/42", None).await.ok(),
        Some(401)
    );
    assert_eq!(
        status(with_cert(), "/customers/42", None).await.ok(),
        Some(502),
        "admitted by its SAN"
    );
    assert_eq!(
        status(anonymous(), "/customers/42", Some("k-1")).await.ok(),
        Some(502),
        "admitted by key"
    );
    assert_eq!(
        status(anonymous(), "/customers/42", Some("k-2")).await.ok(),
        Some(401)
    );
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

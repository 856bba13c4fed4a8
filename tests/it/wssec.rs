//! WS-Security X.509 through the gateway, against independent implementations:
//! - requests a mapping signs (`ws_security.signature`) are verified by `xmlsec1` as the
//!   backend received them, with the CA of `examples/ws-security/keys/` trusted;
//! - answers signed by `xmlsec1` and by zeep's `wsse.signature` (Python, libxmlsec1) are
//!   accepted by `ws_security.verify`; a changed Body, an untrusted signer, an expired
//!   Timestamp and an unsigned answer are `502 backend-signature-invalid`;
//! - MTOM requests (`mtom: true`): large `xsd:base64Binary` values leave as binary parts.
//!
//! The live JAX-WS service that verifies signatures is in interop/jaxws.rs.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::addressing::contract_of;
use crate::backend::{self, Reply};
use crate::signature::{run, tools_present};
use crate::support;

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const WSA: &str = "http://www.w3.org/2005/08/addressing";

fn keys() -> PathBuf {
    support::root().join("examples/ws-security/keys")
}

fn key(name: &str) -> String {
    keys().join(name).to_string_lossy().into_owned()
}

/// A mapping over the JAX-WS contract (addressing on), `/echo` and `/upload`, calling
/// `endpoint`, with `extra` added to its backend block.
async fn bridge(dir: &Path, endpoint: &str, extra: &str) -> support::Bridge {
    let wsdl = contract_of(dir, "service");
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  endpoint: {endpoint}\n  retries: 0\n{extra}routes:\n  - route: POST /echo\n    operation: echo\n    response: {{ body: text }}\n  - route: POST /upload\n    operation: upload\n",
        wsdl.display()
    );
    let path = dir.join("files.yaml");
    let m = support::compile(&[(path.as_path(), text.as_str())], Default::default());
    let config = soapbridge::http::ServerConfig {
        max_body_bytes: 8 << 20,
        ..Default::default()
    };
    support::start_bridge(m, config).await
}

fn signing_block() -> String {
    format!(
        "  ws_security:\n    signature:\n      key: {}\n      certificate: {}\n      sign_headers: [wsa:To, wsa:Action, wsa:MessageID]\n",
        key("key.pem"),
        key("cert.pem")
    )
}

fn verifying_block() -> String {
    format!(
        "  ws_security:\n    verify:\n      trust: {}\n",
        key("ca.pem")
    )
}

async fn post(b: &support::Bridge, path: &str, body: &Value) -> (u16, Value) {
    let r = support::client()
        .post(b.url(path))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).expect("JSON"))
        .send()
        .await
        .expect("call");
    let status = r.status().as_u16();
    let bytes = r.bytes().await.expect("body");
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, v)
}

/// Verifies `xml` as a WS-Security receiver does, with independent tools: the certificate
/// in its BinarySecurityToken must be issued by the CA of `trusted` (`openssl verify`), and
/// the signature must verify with that certificate's key (`xmlsec1 --verify`, the
/// wsu:Id-carrying elements named; xmlsec1 does not follow WS-Security token references
/// itself). Whether both passed, and their output.
fn xmlsec_verify(dir: &Path, xml: &str, trusted: &str) -> (bool, String) {
    let start = xml
        .find("BinarySecurityToken ")
        .expect("a BinarySecurityToken");
    let text_start = start + xml[start..].find('>').expect("its start tag") + 1;
    let text_end = text_start + xml[text_start..].find('<').expect("its end");
    let b64: String = xml[text_start..text_end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let pem_lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        pem_lines.join("\n")
    );
    std::fs::write(dir.join("signer.pem"), pem).expect("write");
    let chain = run(
        dir,
        "openssl",
        &["verify", "-CAfile", trusted, "signer.pem"],
    );
    if !chain.status.success() {
        return (
            false,
            format!("openssl verify: {}", String::from_utf8_lossy(&chain.stdout)),
        );
    }
    std::fs::write(dir.join("in.xml"), xml).expect("write");
    let mut args: Vec<String> = vec![
        "--verify".into(),
        "--pubkey-cert-pem".into(),
        "signer.pem".into(),
    ];
    for id in [
        format!("{SOAP11}:Body"),
        format!("{WSU}:Timestamp"),
        format!("{WSA}:To"),
        format!("{WSA}:Action"),
        format!("{WSA}:MessageID"),
    ] {
        args.extend(["--id-attr:Id".into(), id]);
    }
    args.push("in.xml".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(dir, "xmlsec1", &args);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

const ECHO_ANSWER_BODY: &str = r#"<ns2:echoResponse xmlns:ns2="urn:soapbridge:interop:files"><text>signed hello</text></ns2:echoResponse>"#;

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// An echo answer with a Security header ready for signing: Timestamp from `created` for
/// five minutes, the certificate as a BinarySecurityToken, and (`template`) a Signature
/// template over Body and Timestamp for xmlsec1 to fill.
fn answer_template(cert_pem: &str, created: SystemTime, template: bool) -> String {
    use rustls_pki_types::pem::PemObject as _;
    let der =
        rustls_pki_types::CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("certificate");
    let bst = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let exc = "http://www.w3.org/2001/10/xml-exc-c14n#";
    let sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
    let reference = |uri: &str| {
        format!(
            r#"<ds:Reference URI="{uri}"><ds:Transforms><ds:Transform Algorithm="{exc}"/></ds:Transforms><ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue/></ds:Reference>"#
        )
    };
    let signature = if template {
        format!(
            r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="{exc}"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>{}{}</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#X509-1" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>"##,
            reference("#Body-1"),
            reference("#TS-1")
        )
    } else {
        String::new()
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<S:Envelope xmlns:S="{SOAP11}" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="{WSU}"><S:Header><wsse:Security S:mustUnderstand="1"><wsu:Timestamp wsu:Id="TS-1"><wsu:Created>{}</wsu:Created><wsu:Expires>{}</wsu:Expires></wsu:Timestamp><wsse:BinarySecurityToken wsu:Id="X509-1" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3">{bst}</wsse:BinarySecurityToken>{signature}</wsse:Security></S:Header><S:Body wsu:Id="Body-1">{ECHO_ANSWER_BODY}</S:Body></S:Envelope>"#,
        rfc3339(created),
        rfc3339(created + Duration::from_secs(300)),
    )
}

/// The echo answer signed by `xmlsec1` with `key`, its certificate `cert`, created at
/// `created`.
fn xmlsec_signed_answer(dir: &Path, key: &str, cert: &str, created: SystemTime) -> String {
    let cert_pem = std::fs::read_to_string(cert).expect("certificate");
    std::fs::write(
        dir.join("tmpl.xml"),
        answer_template(&cert_pem, created, true),
    )
    .expect("write");
    let body_id = format!("{SOAP11}:Body");
    let ts_id = format!("{WSU}:Timestamp");
    let out = run(
        dir,
        "xmlsec1",
        &[
            "--sign",
            "--privkey-pem",
            key,
            "--id-attr:Id",
            &body_id,
            "--id-attr:Id",
            &ts_id,
            "--output",
            "signed.xml",
            "tmpl.xml",
        ],
    );
    assert!(
        out.status.success(),
        "xmlsec1 --sign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join("signed.xml")).expect("signed")
}

/// A self-signed EC key and certificate no trust store here holds.
fn stranger(dir: &Path) -> (String, String) {
    let out = run(
        dir,
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "stranger.key",
            "-out",
            "stranger.pem",
            "-days",
            "2",
            "-subj",
            "/CN=stranger",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        dir.join("stranger.key").to_string_lossy().into_owned(),
        dir.join("stranger.pem").to_string_lossy().into_owned(),
    )
}

#[actix_web::test]
async fn signed_requests_verify_with_xmlsec1_as_the_backend_received_them() {
    if !tools_present() {
        return;
    }
    let be = backend::start(Reply::soap11(
        200,
        &format!(
            r#"<S:Envelope xmlns:S="{SOAP11}"><S:Body>{ECHO_ANSWER_BODY}</S:Body></S:Envelope>"#
        ),
    ))
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let b = bridge(dir.path(), &be.url("/files"), &signing_block()).await;
    let (status, v) = post(&b, "/echo", &json!({ "text": "pay 42" })).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, json!("signed hello"));

    let sent = be.last().body;
    // Body, Timestamp and the three WS-Addressing headers asked for.
    assert_eq!(sent.matches("<ds:Reference ").count(), 5, "{sent}");
    assert!(sent.contains("BinarySecurityToken"), "{sent}");
    let (ok, out) = xmlsec_verify(dir.path(), &sent, &key("ca.pem"));
    assert!(ok && out.contains("OK"), "xmlsec1 refused:\n{out}\n{sent}");
    // The same message with the Body's text changed is refused: the check can fail.
    let tampered = sent.replacen("pay 42", "pay 43", 1);
    assert_ne!(tampered, sent);
    let (ok, out) = xmlsec_verify(dir.path(), &tampered, &key("ca.pem"));
    assert!(!ok, "xmlsec1 accepted a changed Body:\n{out}");
    // A signed header changed after signing is refused too.
    let moved = sent.replacen("/files</", "/other</", 1);
    assert_ne!(moved, sent, "To names the endpoint");
    let (ok, _) = xmlsec_verify(dir.path(), &moved, &key("ca.pem"));
    assert!(!ok, "xmlsec1 accepted a changed wsa:To");
    // And the signer is only trusted through the CA that issued it.
    let (_, other_ca) = stranger(dir.path());
    let (ok, out) = xmlsec_verify(dir.path(), &sent, &other_ca);
    assert!(!ok, "trusted by a CA that did not issue it:\n{out}");
}

#[actix_web::test]
async fn answers_signed_by_xmlsec1_are_checked() {
    if !tools_present() {
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let now = SystemTime::now();
    let good = xmlsec_signed_answer(w, &key("backend-key.pem"), &key("backend-cert.pem"), now);
    let be = backend::start(Reply::soap11(200, &good)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let b = bridge(dir.path(), &be.url("/files"), &verifying_block()).await;

    let (status, v) = post(&b, "/echo", &json!({ "text": "x" })).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, json!("signed hello"));

    let (skey, scert) = stranger(w);
    let cases = [
        (
            "a changed Body",
            good.replacen("signed hello", "signed bye", 1),
            "does not match",
        ),
        (
            "no signature",
            answer_template(
                &std::fs::read_to_string(key("backend-cert.pem")).expect("cert"),
                now,
                false,
            ),
            "no complete ds:Signature",
        ),
        (
            "an untrusted signer",
            xmlsec_signed_answer(w, &skey, &scert, now),
            "not issued by a trusted CA",
        ),
        (
            "an expired Timestamp",
            xmlsec_signed_answer(
                w,
                &key("backend-key.pem"),
                &key("backend-cert.pem"),
                now - Duration::from_secs(3600),
            ),
            "expired",
        ),
    ];
    for (what, body, says) in cases {
        be.set_reply(Reply::soap11(200, &body));
        let (status, v) = post(&b, "/echo", &json!({ "text": "x" })).await;
        assert_eq!(status, 502, "{what}: {v}");
        assert_eq!(v["code"], json!("backend-signature-invalid"), "{what}: {v}");
        let detail = v["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(says), "{what}: {detail}");
    }

    // A fault need not be signed: it is the backend's fault, as for any backend.
    be.set_reply(Reply::soap11(
        500,
        &format!(r#"<S:Envelope xmlns:S="{SOAP11}"><S:Body><S:Fault><faultcode>S:Server</faultcode><faultstring>out of paper</faultstring></S:Fault></S:Body></S:Envelope>"#),
    ));
    let (status, v) = post(&b, "/echo", &json!({ "text": "x" })).await;
    assert_eq!(status, 502, "{v}");
    assert_ne!(v["code"], json!("backend-signature-invalid"), "{v}");
    assert!(v.to_string().contains("out of paper"), "{v}");
}

/// A Python with zeep and xmlsec (Debian's python3-zeep, python3-xmlsec), or `None` after
/// saying so (a failure in CI).
fn zeep_python() -> Option<&'static str> {
    for py in ["python3", "/usr/bin/python3"] {
        let ok = std::process::Command::new(py)
            .args(["-c", "import zeep.wsse.signature, xmlsec"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py);
        }
    }
    support::not_run(
        "WS-Security answers signed by zeep",
        "no python3 imports zeep and xmlsec",
        "apt-get install -y --no-install-recommends python3-zeep python3-xmlsec",
    );
    None
}

#[actix_web::test]
async fn answers_signed_by_zeep_are_accepted_and_checked() {
    let Some(py) = zeep_python() else {
        return;
    };
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let cert_pem = std::fs::read_to_string(key("backend-cert.pem")).expect("cert");
    let sign = |created: SystemTime, algorithm: &str| -> String {
        std::fs::write(
            w.join("plain.xml"),
            answer_template(&cert_pem, created, false),
        )
        .expect("write");
        let script = support::root().join("tests/wssec/zeep_sign.py");
        let out = run(
            w,
            py,
            &[
                &script.to_string_lossy(),
                &key("backend-key.pem"),
                &key("backend-cert.pem"),
                algorithm,
                "plain.xml",
            ],
        );
        assert!(
            out.status.success(),
            "zeep_sign.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let signed = sign(SystemTime::now(), "ecdsa-sha256");
    assert!(signed.contains("ecdsa-sha256"), "{signed}");
    let be = backend::start(Reply::soap11(200, &signed)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let b = bridge(dir.path(), &be.url("/files"), &verifying_block()).await;
    let (status, v) = post(&b, "/echo", &json!({ "text": "x" })).await;
    assert_eq!(status, 200, "{v}\n{signed}");
    assert_eq!(v, json!("signed hello"));

    be.set_reply(Reply::soap11(
        200,
        &signed.replacen("signed hello", "signed bye", 1),
    ));
    let (status, v) = post(&b, "/echo", &json!({ "text": "x" })).await;
    assert_eq!(
        (status, &v["code"]),
        (502, &json!("backend-signature-invalid")),
        "{v}"
    );

    let stale = sign(
        SystemTime::now() - Duration::from_secs(3600),
        "ecdsa-sha256",
    );
    be.set_reply(Reply::soap11(200, &stale));
    let (status, v) = post(&b, "/echo", &json!({ "text": "x" })).await;
    assert_eq!(
        (status, &v["code"]),
        (502, &json!("backend-signature-invalid")),
        "{v}"
    );
    assert!(
        v["detail"].as_str().unwrap_or_default().contains("expired"),
        "{v}"
    );
}

/// A backend that answers every upload alike.
async fn upload_backend() -> backend::Backend {
    backend::start(Reply::soap11(
        200,
        &format!(
            r#"<S:Envelope xmlns:S="{SOAP11}"><S:Body><ns2:uploadResponse xmlns:ns2="urn:soapbridge:interop:files"><return><name>b.bin</name><size>1</size><sha256>00</sha256></return></ns2:uploadResponse></S:Body></S:Envelope>"#
        ),
    ))
    .await
}

/// Uploads `data` through the bridge; what the backend received and its multipart
/// Content-Type.
async fn upload_as_mtom(
    b: &support::Bridge,
    be: &backend::Backend,
    data: &[u8],
) -> (backend::Received, String) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let (status, v) = post(
        b,
        "/upload",
        &json!({ "name": "b.bin", "data": b64.encode(data) }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let got = be.last();
    let ct = got.header("content-type").expect("Content-Type").to_owned();
    assert!(ct.starts_with("multipart/related;"), "{ct}");
    (got, ct)
}

#[actix_web::test]
async fn mtom_requests_send_large_binaries_as_parts() {
    let be = upload_backend().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let b = bridge(
        dir.path(),
        &be.url("/files"),
        "  mtom: true\n  mtom_threshold: 4KiB\n",
    )
    .await;
    let b64 = base64::engine::general_purpose::STANDARD;
    // Every byte value, so a part sent as text (or re-encoded) would show.
    let data: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let (got, ct) = upload_as_mtom(&b, &be, &data).await;
    assert!(ct.contains("type=\"application/xop+xml\""), "{ct}");
    assert!(ct.contains("start-info=\"text/xml\""), "{ct}");
    assert!(
        got.header("soapaction").is_some(),
        "SOAP 1.1 keeps its SOAPAction header"
    );
    assert!(
        memchr::memmem::find(&got.raw, &data).is_some(),
        "the bytes travel raw in a part"
    );
    assert!(!got.body.contains(&b64.encode(&data)), "not inline as well");
    // Read back the way a receiver does (the answer path's XOP reader): the inline message.
    let inline = soapbridge::soap::mtom::inline(&ct, &got.raw).expect("a valid MTOM package");
    assert!(
        inline.contains(&format!("<data>{}</data>", b64.encode(&data))),
        "{inline}"
    );

    // Below the threshold the message stays plain SOAP.
    let small = b64.encode(&data[..100]);
    let (status, _) = post(&b, "/upload", &json!({ "name": "s.bin", "data": small })).await;
    assert_eq!(status, 200);
    let got = be.last();
    assert!(
        got.header("content-type")
            .is_some_and(|c| c.starts_with("text/xml")),
        "{:?}",
        got.header("content-type")
    );
    assert!(got.body.contains(&small));
}

#[actix_web::test]
async fn a_signed_mtom_request_is_signed_over_the_inline_binary() {
    if !tools_present() {
        return;
    }
    let be = upload_backend().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let extra = format!("  mtom: true\n{}", signing_block());
    let b = bridge(dir.path(), &be.url("/files"), &extra).await;
    let data: Vec<u8> = (0..50_000u32).map(|i| (i * 13 % 256) as u8).collect();
    let (got, ct) = upload_as_mtom(&b, &be, &data).await;
    let inline = soapbridge::soap::mtom::inline(&ct, &got.raw).expect("a valid MTOM package");
    let (ok, out) = xmlsec_verify(dir.path(), &inline, &key("ca.pem"));
    assert!(ok, "xmlsec1 refused the rebuilt message:\n{out}");
}

#[test]
fn signature_settings_are_checked_at_start_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wsdl = contract_of(dir.path(), "service");
    let cases = [
        (
            format!(
                "    signature: {{ key: {}, certificate: {} }}\n",
                key("backend-key.pem"),
                key("cert.pem")
            ),
            "the signing key cannot be used",
        ),
        (
            format!(
                "    signature: {{ key: {}, certificate: {}, algorithm: ecdsa-sha256 }}\n",
                key("key.pem"),
                key("cert.pem")
            ),
            "the algorithm does not fit the key",
        ),
        (
            format!(
                "    signature: {{ key: {}, certificate: {}, sign_headers: [TxId] }}\n",
                key("key.pem"),
                key("cert.pem")
            ),
            "does not name a header block",
        ),
        (
            format!("    signature: {{ pkcs12: {} }}\n", key("nothing.p12")),
            "the signing key cannot be used",
        ),
        (
            format!("    signature: {{ key: {} }}\n", key("key.pem")),
            "not given the way it can be read",
        ),
        (
            format!("    verify: {{ trust: {} }}\n", key("make.sh")),
            "the trust store",
        ),
        (
            "    username: alice\n".to_owned(),
            "needs both `username` and `password`",
        ),
    ];
    for (block, says) in cases {
        let text = format!(
            "version: 1\nbackend:\n  wsdl: {}\n  endpoint: http://127.0.0.1:9/files\n  ws_security:\n{block}routes:\n  - route: POST /echo\n    operation: echo\n",
            wsdl.display()
        );
        let path = dir.path().join("files.yaml");
        let err =
            soapbridge::mapping::load_texts(&[(path.as_path(), text.as_str())], Default::default())
                .err()
                .unwrap_or_else(|| panic!("{says}: compiled:\n{text}"));
        let shown = err
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(shown.contains(says), "{says}:\n{shown}");
        assert!(shown.contains("files.yaml:"), "located: {shown}");
    }
    // `wsa:` headers need addressing, which this contract requires anyway: accepted.
    let ok = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  endpoint: http://127.0.0.1:9/files\n  ws_security:\n    signature: {{ key: {}, certificate: {}, key_reference: subject-key-identifier, sign_headers: [wsa:To, \"{{urn:example:tx}}TxId\"], timestamp_ttl: 2m, inclusive_namespaces: [\"#default\"] }}\n    verify: {{ trust: {}, clock_skew: 30s }}\nroutes:\n  - route: POST /echo\n    operation: echo\n",
        wsdl.display(),
        key("key.pem"),
        key("cert.pem"),
        key("ca.pem")
    );
    let path = dir.path().join("files.yaml");
    // `check` reports what each request carries and what answers must be.
    std::fs::write(&path, &ok).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_soapbridge"))
        .args(["check".as_ref(), path.as_os_str()])
        .output()
        .expect("check runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for want in [
        "requests carry an X.509 signature (rsa-sha256, certificate issued by CN=soapbridge test CA,O=soapbridge TEST ONLY, serial",
        "answers (not faults) must be signed by a certificate of the trust store (clock skew 30s)",
    ] {
        assert!(said.contains(want), "{want}:\n{said}");
    }
    assert!(!said.contains("PRIVATE"), "no key material: {said}");
    if let Err(e) =
        soapbridge::mapping::load_texts(&[(path.as_path(), ok.as_str())], Default::default())
    {
        panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// `examples/ws-security/serve.sh ADDR BACKEND_URL`: its README's calls succeed, what the
/// backend receives is signed with the example's test key (xmlsec1 and openssl verify it),
/// and SIGTERM stops it with a clean exit.
#[actix_web::test]
async fn the_ws_security_example_signs_its_requests_and_stops_on_sigterm() {
    use std::process::{Command, Stdio};
    if !tools_present() {
        return;
    }
    const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
    let be = backend::start(Reply::soap12(
        200,
        &format!(
            r#"<env:Envelope xmlns:env="{SOAP12}"><env:Body>{}</env:Body></env:Envelope>"#,
            crate::bridge::CUSTOMER_RESPONSE
        ),
    ))
    .await;
    let example = support::root().join("examples/ws-security");
    let log_dir = tempfile::tempdir().expect("tmp");
    let log = log_dir.path().join("stderr");
    let port = support::free_port();
    let child = Command::new("bash")
        .arg(example.join("serve.sh"))
        .arg(format!("127.0.0.1:{port}"))
        .arg(be.url("/customers"))
        .env("SOAPBRIDGE", env!("CARGO_BIN_EXE_soapbridge"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("start serve.sh");
    let mut child = support::KillOnDrop(child);
    let base = format!("http://127.0.0.1:{port}");
    support::wait_ready(&base, Some(&log)).await;

    let r = support::client()
        .get(format!("{base}/customers/42"))
        .send()
        .await
        .expect("call");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    assert_eq!(status, 200, "{text}");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["customerId"], json!(42), "{v}");

    let sent = be.last().body;
    assert!(sent.contains("<ds:Signature"), "{sent}");
    let work = tempfile::tempdir().expect("tmp");
    // The README's xmlsec1 line, on what the backend received.
    let verifies = |xml: &str| {
        std::fs::write(work.path().join("signed.xml"), xml).expect("write");
        let body_id = format!("{SOAP12}:Body");
        let ts_id = format!("{WSU}:Timestamp");
        let cert = key("cert.pem");
        let out = run(
            work.path(),
            "xmlsec1",
            &[
                "--verify",
                "--pubkey-cert-pem",
                &cert,
                "--id-attr:Id",
                &body_id,
                "--id-attr:Id",
                &ts_id,
                "signed.xml",
            ],
        );
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out) = verifies(&sent);
    assert!(ok, "xmlsec1 refused what the example sent: {out}\n{sent}");
    let changed = sent.replacen(">42<", ">43<", 1);
    assert_ne!(changed, sent, "the Body names customer 42");
    assert!(!verifies(&changed).0, "xmlsec1 accepted a changed Body");

    // SIGTERM: soapbridge (serve.sh execs it) drains and exits 0.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let mut exit = None;
    for _ in 0..100 {
        if let Ok(Some(s)) = child.try_wait() {
            exit = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let exit = exit.expect("serve.sh stopped within 10 s of SIGTERM");
    assert!(
        exit.success(),
        "{exit:?}: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

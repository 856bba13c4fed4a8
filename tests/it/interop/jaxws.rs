//! WS-Addressing against JAX-WS RI 2.3 (tests/interop/stacks/jaxws/): a service whose
//! contract requires the headers (`wsaw:UsingAddressing` and a `wsam:Addressing` policy)
//! and refuses a message without them. Its `whoAmI` answers the headers it received, so the
//! test sees what the bridge sent as the service read it.
//!
//! Binaries: `download` answers MTOM (the mapping's `mtom: true` asks for it), several MB
//! read back as base64; `upload` gets several MB sent as an MTOM part (`mtom: true` again)
//! and answers their size and SHA-256, as the service's JAXB read them.
//!
//! The contract's own reading (no stack needed) is tested on the captured WSDL in
//! `tests/fixtures/jaxws/`.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{HOW, SERIAL, get, interop_dir, post, read};
use crate::support;

/// The JAX-WS endpoints (SOAP 1.1 and 1.2), or `None` after saying loudly that they are
/// not running (a failure under CI=true).
fn jaxws_running(test: &str) -> Option<[(String, String); 2]> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (
        var("JAXWS_WSDL_URL"),
        var("JAXWS_URL"),
        var("JAXWS12_WSDL_URL"),
        var("JAXWS12_URL"),
    ) {
        (Some(w11), Some(u11), Some(w12), Some(u12)) => Some([(w11, u11), (w12, u12)]),
        _ => {
            support::not_run(
                test,
                "the JAX-WS stack's URLs (JAXWS_WSDL_URL, JAXWS_URL, JAXWS12_WSDL_URL, JAXWS12_URL) are not set",
                HOW,
            );
            None
        }
    }
}

async fn bridge() -> support::Bridge {
    let files: Vec<(PathBuf, String)> = ["jaxws.yaml", "jaxws-soap12.yaml"]
        .iter()
        .map(|f| {
            let p = interop_dir().join("mappings").join(f);
            let t = read(&p);
            (p, t)
        })
        .collect();
    let refs: Vec<(&Path, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_str()))
        .collect();
    let mappings = support::compile(&refs, soapbridge::mapping::Options::default());
    // Room for uploads of several MB as base64 JSON.
    let config = soapbridge::http::ServerConfig {
        max_body_bytes: 16 << 20,
        ..Default::default()
    };
    support::start_bridge(mappings, config).await
}

#[actix_web::test]
async fn addressing_headers_reach_a_service_that_requires_them() {
    let Some(stacks) = jaxws_running("interop::jaxws (WS-Addressing)") else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let b = bridge().await;
    let c = support::client();
    for ((_, url), base) in stacks.iter().zip(["/jaxws11", "/jaxws12"]) {
        // The service reads the headers of what the bridge sent and answers them.
        let mut ids = Vec::new();
        for _ in 0..2 {
            let r = get(&c, &b.url(&format!("{base}/whoami"))).await;
            let v = r.json();
            assert_eq!(r.status, 200, "{base}: {v}");
            assert_eq!(
                v["action"],
                json!("urn:soapbridge:interop:files:FilePortType:whoAmIRequest"),
                "{base}: the action the contract gives (wsam:Action): {v}"
            );
            assert_eq!(v["to"], json!(url), "{base}: {v}");
            assert_eq!(
                v["replyTo"],
                json!("http://www.w3.org/2005/08/addressing/anonymous"),
                "{base}: {v}"
            );
            let id = v["messageId"].as_str().unwrap_or_default().to_owned();
            assert!(id.starts_with("urn:uuid:") && id.len() == 45, "{base}: {v}");
            ids.push(id);
        }
        assert_ne!(ids[0], ids[1], "{base}: every call has its own MessageID");
        // An operation with an explicit action in the contract, and a body.
        let r = post(
            &c,
            &b.url(&format!("{base}/echo")),
            &json!({ "text": "grüße <&> 🚀" }),
        )
        .await;
        let v = r.json();
        assert_eq!(r.status, 200, "{base}: {v}");
        assert_eq!(v, json!("grüße <&> 🚀"), "{base}");
    }
}

/// The bytes the service's `download(size)` sends: byte i is (i * 31 + 7) mod 256.
fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| ((i * 31 + 7) & 0xff) as u8).collect()
}

#[actix_web::test]
async fn megabytes_of_binary_cross_both_ways() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let Some(_stacks) = jaxws_running("interop::jaxws (MTOM)") else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let b = bridge().await;
    let c = support::client();
    let b64 = base64::engine::general_purpose::STANDARD;
    for base in ["/jaxws11", "/jaxws12"] {
        let size = 5_000_000;
        let r = get(&c, &b.url(&format!("{base}/download/{size}"))).await;
        assert_eq!(
            r.status,
            200,
            "{base}: {}",
            &r.text[..r.text.len().min(300)]
        );
        let data = b64
            .decode(r.json().as_str().expect("a base64 string"))
            .expect("base64");
        assert_eq!(data.len(), size, "{base}");
        assert!(data == pattern(size), "{base}: the bytes differ");

        let up: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let r = post(
            &c,
            &b.url(&format!("{base}/upload")),
            &json!({ "name": "blob.bin", "data": b64.encode(&up) }),
        )
        .await;
        let v = r.json();
        assert_eq!(r.status, 200, "{base}: {v}");
        assert_eq!(v["name"], json!("blob.bin"), "{base}: {v}");
        assert_eq!(v["size"], json!(3_000_000), "{base}: {v}");
        let sha: String = sha2::Sha256::digest(&up)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(v["sha256"], json!(sha), "{base}: {v}");
    }
}

/// The JAX-WS endpoint that requires WS-Security (`/signed`: requests must be signed by a
/// certificate of the test CA, checked with the JDK's XML Digital Signature API; answers
/// signed with the backend's EC key), its WSDL URL and its endpoint.
fn signed_endpoint(stacks: &[(String, String); 2]) -> (String, String) {
    let (wsdl, url) = &stacks[0];
    let signed = url
        .strip_suffix("/files")
        .map(|base| format!("{base}/signed"))
        .expect("JAXWS_URL ends in /files");
    (wsdl.clone(), signed)
}

/// A bridge over `/signed`, its backend block's `ws_security` given.
async fn signed_bridge(wsdl: &str, endpoint: &str, ws_security: &str) -> support::Bridge {
    let dir = tempfile::tempdir().expect("tmp");
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {wsdl}\n  endpoint: {endpoint}\n  timeout: 30s\n  retries: 0\n  mtom: true\n{ws_security}base_path: /signed\nroutes:\n  - route: GET /whoami\n    operation: whoAmI\n    response: {{ body: seen }}\n  - route: POST /echo\n    operation: echo\n    response: {{ body: text }}\n  - route: GET /download/{{size}}\n    operation: download\n    request: {{ size: \"{{path.size}}\" }}\n    response: {{ body: data }}\n  - route: POST /upload\n    operation: upload\n"
    );
    let path = dir.path().join("signed.yaml");
    let m = support::compile(
        &[(path.as_path(), text.as_str())],
        soapbridge::mapping::Options::default(),
    );
    let config = soapbridge::http::ServerConfig {
        max_body_bytes: 16 << 20,
        ..Default::default()
    };
    support::start_bridge(m, config).await
}

fn example_key(name: &str) -> String {
    support::root()
        .join("examples/ws-security/keys")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Signed, addressed, MTOM: every call through a mapping that signs its requests with the
/// example's key and checks the service's signed answers, against JAX-WS verifying with
/// the JDK's XML-DSig. Then what the service refuses: no signature, a signer outside its CA.
#[actix_web::test]
async fn a_service_that_requires_signed_messages_accepts_what_the_bridge_signs() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let Some(stacks) = jaxws_running("interop::jaxws (WS-Security)") else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let (wsdl, endpoint) = signed_endpoint(&stacks);
    let c = support::client();
    let b64 = base64::engine::general_purpose::STANDARD;
    for reference in [
        "binary-security-token",
        "issuer-serial",
        "subject-key-identifier",
    ] {
        let ws = format!(
            "  ws_security:\n    signature: {{ key: {}, certificate: {}, key_reference: {reference}, sign_headers: [wsa:To, wsa:Action, wsa:MessageID] }}\n    verify: {{ trust: {} }}\n",
            example_key("key.pem"),
            example_key("cert.pem"),
            example_key("ca.pem")
        );
        let b = signed_bridge(&wsdl, &endpoint, &ws).await;
        let r = post(
            &c,
            &b.url("/signed/echo"),
            &json!({ "text": "signed: grüße\nzwei Zeilen" }),
        )
        .await;
        assert_eq!(r.status, 200, "{reference}: {}", r.text);
        assert_eq!(r.json(), json!("signed: grüße\nzwei Zeilen"), "{reference}");
        let r = get(&c, &b.url("/signed/whoami")).await;
        let v = r.json();
        assert_eq!(r.status, 200, "{reference}: {v}");
        assert_eq!(v["to"], json!(endpoint), "{reference}: {v}");
        if reference != "binary-security-token" {
            continue;
        }
        // Binaries both ways, signed: up as an MTOM part (signed over the inline base64),
        // down as the service sends a signed answer (inline), checked by the bridge.
        let up: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let r = post(
            &c,
            &b.url("/signed/upload"),
            &json!({ "name": "signed.bin", "data": b64.encode(&up) }),
        )
        .await;
        let v = r.json();
        assert_eq!(r.status, 200, "{v}");
        let sha: String = sha2::Sha256::digest(&up)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let result = &v["result"];
        assert_eq!(
            (&result["size"], &result["sha256"]),
            (&json!(3_000_000), &json!(sha)),
            "{v}"
        );
        let size = 2_000_000;
        let r = get(&c, &b.url(&format!("/signed/download/{size}"))).await;
        assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(300)]);
        let data = b64
            .decode(r.json().as_str().expect("a base64 string"))
            .expect("base64");
        assert!(data == pattern(size), "the signed download's bytes differ");
    }

    // Unsigned: the service refuses, and the bridge says it was the backend's fault.
    let b = signed_bridge(&wsdl, &endpoint, "").await;
    let r = post(&c, &b.url("/signed/echo"), &json!({ "text": "x" })).await;
    assert_eq!(r.status, 502, "{}", r.text);
    assert!(r.text.contains("no wsse:Security header"), "{}", r.text);

    // Signed by a key the service's CA did not issue.
    let dir = tempfile::tempdir().expect("tmp");
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=stranger", "-keyout", "k.pem", "-out", "c.pem"])
        .current_dir(dir.path())
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ws = format!(
        "  ws_security:\n    signature: {{ key: {}, certificate: {} }}\n",
        dir.path().join("k.pem").display(),
        dir.path().join("c.pem").display()
    );
    let b = signed_bridge(&wsdl, &endpoint, &ws).await;
    let r = post(&c, &b.url("/signed/echo"), &json!({ "text": "x" })).await;
    assert_eq!(r.status, 502, "{}", r.text);
    assert!(
        r.text.contains("not issued by the trusted CA"),
        "{}",
        r.text
    );

    // The service's answers checked against another CA: refused by the bridge.
    let ws = format!(
        "  ws_security:\n    signature: {{ key: {}, certificate: {} }}\n    verify: {{ trust: {} }}\n",
        example_key("key.pem"),
        example_key("cert.pem"),
        dir.path().join("c.pem").display()
    );
    let b = signed_bridge(&wsdl, &endpoint, &ws).await;
    let r = post(&c, &b.url("/signed/echo"), &json!({ "text": "x" })).await;
    assert_eq!(r.status, 502, "{}", r.text);
    assert_eq!(
        r.json()["code"],
        json!("backend-signature-invalid"),
        "{}",
        r.text
    );
}

/// Apache WSS4J 1.6 (Debian's libwss4j-java) as the verifier: `/wss4j` runs WSS4J's own
/// security engine on each request (signature, certificate trust through the test CA,
/// Timestamp) and requires the Body and Timestamp signed. It does not sign its answers.
#[actix_web::test]
async fn wss4j_accepts_what_the_bridge_signs() {
    use base64::Engine as _;
    let Some(stacks) = jaxws_running("interop::jaxws (WSS4J)") else {
        return;
    };
    let _turn = SERIAL.lock().await;
    let (wsdl, signed) = signed_endpoint(&stacks);
    let endpoint = signed.replace("/signed", "/wss4j");
    let c = support::client();
    let b64 = base64::engine::general_purpose::STANDARD;
    for (reference, algorithm) in [
        ("binary-security-token", "rsa-sha256"),
        ("issuer-serial", "rsa-sha256"),
        ("subject-key-identifier", "rsa-sha256"),
        ("binary-security-token", "rsa-sha1"),
    ] {
        let ws = format!(
            "  ws_security:\n    signature: {{ key: {}, certificate: {}, key_reference: {reference}, algorithm: {algorithm}, inclusive_namespaces: [\"#default\"] }}\n",
            example_key("key.pem"),
            example_key("cert.pem"),
        );
        let b = signed_bridge(&wsdl, &endpoint, &ws).await;
        let r = post(
            &c,
            &b.url("/signed/echo"),
            &json!({ "text": "WSS4J <&> ü" }),
        )
        .await;
        assert_eq!(r.status, 200, "{reference} {algorithm}: {}", r.text);
        assert_eq!(r.json(), json!("WSS4J <&> ü"), "{reference} {algorithm}");
    }
    // An MTOM upload signed over its inline base64.
    let ws = format!(
        "  ws_security:\n    signature: {{ key: {}, certificate: {} }}\n",
        example_key("key.pem"),
        example_key("cert.pem"),
    );
    let b = signed_bridge(&wsdl, &endpoint, &ws).await;
    let up: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    let r = post(
        &c,
        &b.url("/signed/upload"),
        &json!({ "name": "w.bin", "data": b64.encode(&up) }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["result"]["size"], json!(1_000_000), "{}", r.text);
    // Unsigned: WSS4J's endpoint refuses.
    let b = signed_bridge(&wsdl, &endpoint, "").await;
    let r = post(&c, &b.url("/signed/echo"), &json!({ "text": "x" })).await;
    assert_eq!(r.status, 502, "{}", r.text);
    assert!(r.text.contains("wsse:Security"), "{}", r.text);
}

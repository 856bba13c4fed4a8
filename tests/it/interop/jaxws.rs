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

//! MTOM/XOP answers: the multipart answers JAX-WS RI sent (tests/fixtures/jaxws/, SOAP 1.1
//! and 1.2), replayed by a loopback backend, read through the bridge as the base64 string
//! an inline `xsd:base64Binary` gives. The live service is in interop/jaxws.rs.

use base64::Engine as _;
use serde_json::Value;

use crate::addressing::contract_of;
use crate::backend::{self, Reply};
use crate::support;

/// The bytes JAX-WS's `download(size)` sends: byte i is (i * 31 + 7) mod 256.
fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| ((i * 31 + 7) & 0xff) as u8).collect()
}

/// A captured answer: its Content-Type and body.
fn captured(name: &str) -> (String, Vec<u8>) {
    let dir = support::root().join("tests/fixtures/jaxws");
    let headers =
        std::fs::read_to_string(dir.join(format!("{name}.response.headers"))).expect("headers");
    let ct = headers
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        })
        .map(|(_, v)| v.trim().to_owned())
        .expect("a Content-Type");
    let body = std::fs::read(dir.join(format!("{name}.response.mime"))).expect("body");
    // It relates to the request that was captured, which the bridge would refuse as an
    // answer to another (addressing.rs tests that); without RelatesTo it relates to none.
    let start = memchr::memmem::find(&body, b"<RelatesTo").expect("RelatesTo");
    let end = memchr::memmem::find(&body[start..], b"</RelatesTo>").expect("its end")
        + start
        + b"</RelatesTo>".len();
    let body = [&body[..start], &body[end..]].concat();
    (ct, body)
}

/// `GET /download/64` through the bridge: status and JSON.
async fn download(b: &support::Bridge) -> (u16, Value) {
    let r = support::client()
        .get(b.url("/download/64"))
        .send()
        .await
        .expect("call");
    let status = r.status().as_u16();
    let v = serde_json::from_slice(&r.bytes().await.expect("body")).expect("JSON");
    (status, v)
}

async fn bridge_on(dir: &std::path::Path, wsdl: &str, endpoint: &str) -> support::Bridge {
    let wsdl = contract_of(dir, wsdl);
    let text = format!(
        "version: 1\nbackend:\n  wsdl: {}\n  endpoint: {endpoint}\n  mtom: true\n  retries: 0\nroutes:\n  - route: GET /download/{{size}}\n    operation: download\n    request: {{ size: \"{{path.size}}\" }}\n    response: {{ body: data }}\n",
        wsdl.display()
    );
    let path = dir.join("files.yaml");
    let m = support::compile(&[(path.as_path(), text.as_str())], Default::default());
    support::start_bridge(m, soapbridge::http::ServerConfig::default()).await
}

#[actix_web::test]
async fn a_captured_mtom_answer_reads_as_base64() {
    for (wsdl, name) in [
        ("service", "download_64_mtom.soap11"),
        ("service12", "download_64_mtom.soap12"),
    ] {
        let (ct, body) = captured(name);
        assert!(ct.starts_with("multipart/related"), "{name}: {ct}");
        let be = backend::start(Reply::Http {
            status: 200,
            content_type: Some(ct.clone()),
            body: body.clone(),
        })
        .await;
        let dir = tempfile::tempdir().expect("tempdir");
        let b = bridge_on(dir.path(), wsdl, &be.url("/files")).await;
        let (status, v) = download(&b).await;
        assert_eq!(status, 200, "{name}: {v}");
        let data = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("a base64 string"))
            .expect("base64");
        assert_eq!(data, pattern(64), "{name}");
        // `mtom: true` names MTOM among the answers the bridge accepts.
        let accept = be.last().header("accept").unwrap_or_default().to_owned();
        assert!(accept.contains("application/xop+xml"), "{name}: {accept}");

        // Cut before its closing boundary: a precise 502, not a truncated value.
        let cut = body.len() - 60;
        be.set_reply(Reply::Http {
            status: 200,
            content_type: Some(ct),
            body: body[..cut].to_vec(),
        });
        let (status, v) = download(&b).await;
        assert_eq!(status, 502, "{name}: {v}");
        assert_eq!(v["code"], "backend-invalid-response", "{name}: {v}");
        assert!(
            v["detail"].as_str().is_some_and(|d| d.contains("MTOM")),
            "{name}: {v}"
        );
    }
}

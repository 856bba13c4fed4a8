//! Compression both ways: backends that answer gzip or deflate (IIS and Tomcat do when
//! asked) are read, a compressed bomb is stopped at `max_response_size` of decoded bytes, and
//! REST answers above the threshold are gzip-compressed for callers that accept it.

use std::io::{Read as _, Write as _};
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

use crate::support::{self, Bridge};

const NS: &str = "http://example.com/soapbridge/customers";

/// A FindCustomers answer with `n` customers.
fn find_answer(n: usize) -> String {
    let customers: String = (0..n)
        .map(|i| format!("<c:customer><c:customerId>{i}</c:customerId><c:name>Customer number {i}</c:name><c:status>ACTIVE</c:status></c:customer>"))
        .collect();
    format!(
        r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><c:FindCustomersResponse xmlns:c="{NS}">{customers}</c:FindCustomersResponse></env:Body></env:Envelope>"#
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// A backend answering with `body` sent as `encoding`, recording the Accept-Encoding it was
/// offered.
struct Encoded {
    url: String,
    offered: Arc<Mutex<Vec<String>>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Encoded {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn encoded_backend(body: Vec<u8>, encoding: &'static str) -> Encoded {
    let offered = Arc::new(Mutex::new(Vec::new()));
    let (o, body) = (offered.clone(), Arc::new(body));
    let server = HttpServer::new(move || {
        let (o, body) = (o.clone(), body.clone());
        App::new().default_service(web::to(move |req: HttpRequest| {
            let (o, body) = (o.clone(), body.clone());
            async move {
                let ae = req
                    .headers()
                    .get("accept-encoding")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                o.lock().expect("lock").push(ae);
                HttpResponse::Ok()
                    .content_type("application/soap+xml; charset=utf-8")
                    .insert_header(("content-encoding", encoding))
                    .body(body.as_ref().clone())
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .expect("bind");
    let url = format!("http://{}/customers", server.addrs()[0]);
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Encoded {
        url,
        offered,
        handle,
    }
}

async fn demo(endpoint: &str, edit: &dyn Fn(String) -> String) -> Bridge {
    let path = support::root().join("mappings/customers.yaml");
    let text = edit(std::fs::read_to_string(&path).expect("demo mapping"));
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        ..Default::default()
    };
    support::start_bridge(
        support::compile(&[(path.as_path(), &text)], opts),
        Default::default(),
    )
    .await
}

/// A client that neither asks for nor decodes compression: the bytes as sent.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_deflate()
        .build()
        .expect("client")
}

#[actix_web::test]
async fn gzip_and_deflate_answers_from_backends_are_read() {
    let xml = find_answer(3);
    let mut deflated = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    deflated.write_all(xml.as_bytes()).expect("deflate");
    for (encoding, body) in [
        ("gzip", gzip(xml.as_bytes())),
        ("deflate", deflated.finish().expect("deflate")),
    ] {
        let be = encoded_backend(body, encoding).await;
        let b = demo(&be.url, &|t| t).await;
        let r = raw_client()
            .get(b.url("/customers?name=x"))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 200, "{encoding}");
        let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
        assert_eq!(v[2]["name"], "Customer number 2", "{encoding}: {v}");
        let offered = be.offered.lock().expect("lock").clone();
        assert!(
            offered[0].contains("gzip") && offered[0].contains("deflate"),
            "{offered:?}"
        );
    }
}

#[actix_web::test]
async fn a_compressed_bomb_stops_at_max_response_size_of_decoded_bytes() {
    // 64 MiB of spaces inside the answer: about 64 KiB gzipped.
    let mut xml = find_answer(1).into_bytes();
    let at = xml.len() - "</env:Body></env:Envelope>".len();
    xml.splice(at..at, std::iter::repeat_n(b' ', 64 << 20));
    let bomb = gzip(&xml);
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let be = encoded_backend(bomb, "gzip").await;
    let b = demo(&be.url, &|t| {
        t.replace(
            "  timeout: 10s",
            "  timeout: 10s\n  max_response_size: 1MiB",
        )
    })
    .await;
    let r = raw_client()
        .get(b.url("/customers?name=x"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 502);
    let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
    assert_eq!(v["code"], "backend-response-too-large", "{v}");
}

#[actix_web::test]
async fn large_rest_answers_are_gzipped_for_callers_that_accept_it_small_ones_never() {
    let be = encoded_backend(find_answer(40).into_bytes(), "identity").await;
    let b = demo(&be.url, &|t| t).await;
    let plain = raw_client()
        .get(b.url("/customers?name=x"))
        .send()
        .await
        .expect("request");
    assert!(plain.headers().get("content-encoding").is_none());
    let plain: Value = serde_json::from_str(&plain.text().await.expect("body")).expect("json");
    assert!(
        plain.to_string().len() > 1024,
        "the answer is above the threshold"
    );

    let r = raw_client()
        .get(b.url("/customers?name=x"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("request");
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let bytes = r.bytes().await.expect("body");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("gunzip");
    assert_eq!(serde_json::from_str::<Value>(&text).expect("json"), plain);
    assert!(
        bytes.len() < text.len() / 2,
        "compressed: {} of {}",
        bytes.len(),
        text.len()
    );

    // Below the threshold (a problem, /healthz): sent as is, with no Content-Encoding.
    for path in ["/customers/not-a-number", "/healthz"] {
        let r = raw_client()
            .get(b.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("request");
        assert!(
            r.headers().get("content-encoding").is_none(),
            "{path}: {:?}",
            r.headers().get("content-encoding")
        );
        let body = r.text().await.expect("body");
        assert!(
            body.starts_with('{') || body.starts_with("ok"),
            "{path}: {body}"
        );
    }
}

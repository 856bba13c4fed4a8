//! What callers may send, at the edge of the REST face: HEAD on GET routes, `/docs/`,
//! duplicate JSON keys, and characters XML 1.0 cannot carry (refused with the place named,
//! before any backend call).

use serde_json::Value;

use crate::backend::{self, Reply};
use crate::support::{self, Bridge};

const FIND: &str = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><c:FindCustomersResponse xmlns:c="http://example.com/soapbridge/customers"><c:customer><c:customerId>7</c:customerId><c:name>Ada</c:name><c:status>ACTIVE</c:status></c:customer></c:FindCustomersResponse></env:Body></env:Envelope>"#;

async fn demo(endpoint: &str) -> Bridge {
    let path = support::root().join("mappings/customers.yaml");
    let text = std::fs::read_to_string(&path).expect("demo mapping");
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        ..Default::default()
    };
    let m = support::compile(&[(path.as_path(), &text)], opts);
    support::start_bridge(m, Default::default()).await
}

async fn answer(r: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, String) {
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.expect("body"))
}

#[actix_web::test]
async fn head_on_a_get_route_answers_like_get_without_a_body() {
    let be = backend::start(Reply::soap12(200, FIND)).await;
    let b = demo(&be.url("/customers")).await;
    let c = support::client();
    let (get_status, get_headers, get_body) = answer(c.get(b.url("/customers?name=Ada"))).await;
    assert_eq!(get_status, 200, "{get_body}");
    let (status, headers, body) = answer(c.head(b.url("/customers?name=Ada"))).await;
    assert_eq!(status, 200);
    assert_eq!(body, "", "no body for HEAD");
    assert_eq!(headers["content-type"], get_headers["content-type"]);
    assert_eq!(
        headers
            .get("content-length")
            .map(|v| v.to_str().unwrap_or("")),
        Some(get_body.len().to_string().as_str()),
        "the length GET would send"
    );
    assert_eq!(be.count(), 2, "HEAD calls the backend as GET does");
    // A path with only POST routes does not answer HEAD; GET paths list HEAD in Allow.
    let (status, headers, _) = answer(c.head(b.url("/orders"))).await;
    assert_eq!(status, 405);
    assert!(!headers["allow"].to_str().unwrap_or("").contains("HEAD"));
    let (status, headers, _) = answer(c.delete(b.url("/customers"))).await;
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], "GET, HEAD");
    // The built-in endpoints too.
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"] {
        let (status, _, body) = answer(c.head(b.url(path))).await;
        assert_eq!((status, body.as_str()), (200, ""), "HEAD {path}");
    }
}

#[actix_web::test]
async fn docs_with_a_trailing_slash_leads_to_the_docs_page() {
    let b = demo("http://127.0.0.1:9/customers").await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client");
    let (status, headers, _) = answer(no_redirects.get(b.url("/docs/"))).await;
    assert_eq!(status, 308);
    assert_eq!(headers["location"], "../docs");
    let r = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(b.url("/docs/"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.url().path(), "/docs");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("page").contains("swagger-ui"));
}

async fn problem(r: reqwest::RequestBuilder) -> (u16, Value) {
    let (status, _, body) = answer(r).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[actix_web::test]
async fn a_duplicate_json_key_is_a_400_naming_it() {
    let be = backend::start(Reply::soap12(200, FIND)).await;
    let b = demo(&be.url("/customers")).await;
    let c = support::client();
    for (body, pointer) in [
        (
            r#"{"customerId": 1, "customerId": 2, "line": [{"sku": "ABC-1234", "quantity": 1, "unitPrice": 1}]}"#,
            "/customerId",
        ),
        (
            r#"{"customerId": 1, "line": [{"sku": "ABC-1234", "quantity": 1, "quantity": 5, "unitPrice": 1}]}"#,
            "/line/0/quantity",
        ),
    ] {
        let (status, v) = problem(
            c.post(b.url("/orders"))
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("invalid-request")),
            "{v}"
        );
        assert_eq!(v["errors"][0]["pointer"], pointer, "{v}");
        assert_eq!(v["errors"][0]["reason"], "given more than once", "{v}");
        assert!(
            v["detail"]
                .as_str()
                .unwrap_or("")
                .contains("more than once"),
            "{v}"
        );
    }
    assert_eq!(be.count(), 0, "never sent");
}

#[actix_web::test]
async fn characters_xml_cannot_carry_are_a_400_naming_the_field() {
    let be = backend::start(Reply::soap12(200, FIND)).await;
    let b = demo(&be.url("/customers")).await;
    let c = support::client();
    // In the query string.
    for q in ["a%00b", "x%0By", "%EF%BF%BE"] {
        let (status, v) = problem(c.get(b.url(&format!("/customers?name={q}")))).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some("invalid-request")),
            "{q}: {v}"
        );
        assert!(
            v["detail"]
                .as_str()
                .unwrap_or("")
                .contains("query parameter `name`"),
            "{v}"
        );
    }
    // In the body.
    let (status, v) = problem(
        c.put(b.url("/customers/42/email"))
            .header("content-type", "application/json")
            .body(r#"{"email": "ada\u0000@example.com"}"#),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("invalid-request")),
        "{v}"
    );
    assert_eq!(v["errors"][0]["pointer"], "/email", "{v}");
    assert_eq!(
        v["errors"][0]["reason"], "holds U+0000, which XML 1.0 cannot carry",
        "{v}"
    );
    assert!(v["detail"].as_str().unwrap_or("").contains("U+0000"), "{v}");
    assert_eq!(be.count(), 0, "never sent");
    // Tabs, newlines and any other Unicode are fine.
    let (status, _, body) =
        answer(c.get(b.url("/customers?name=Ad%09a%0A%C3%A9%F0%9F%98%80"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(be.count(), 1);
}

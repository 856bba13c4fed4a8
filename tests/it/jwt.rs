//! Bearer tokens at the edge, end to end: a JWT provider whose keys come from a real JWKS
//! endpoint on 127.0.0.1 (rotated while the bridge serves), RS256 and ES256 tokens signed
//! with jsonwebtoken, RFC 6750 challenges, scopes, `{auth.sub}` reaching the backend, rate
//! limits and CORS on the same routes, and no token in the log.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::backend::{self, Reply};
use crate::support::{self, Bridge};

pub const ISSUER: &str = "https://issuer.example.test";
pub const AUDIENCE: &str = "soapbridge-example";

const FIND: &str = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><c:FindCustomersResponse xmlns:c="http://example.com/soapbridge/customers"><c:customer><c:customerId>7</c:customerId><c:name>alice</c:name><c:status>ACTIVE</c:status></c:customer></c:FindCustomersResponse></env:Body></env:Envelope>"#;

/// The RSA key of the secured example (test-only) and its JWK.
pub struct RsaSigner {
    pub kid: String,
    key: EncodingKey,
    pub jwk: Value,
}

impl RsaSigner {
    pub fn example() -> Self {
        let dir = support::root().join("examples/secured");
        let pem = std::fs::read(dir.join("keys/test-signing-key.pem")).expect("example key");
        let jwks: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("jwks.json")).expect("example jwks"),
        )
        .expect("jwks json");
        let jwk = jwks["keys"][0].clone();
        Self {
            kid: jwk["kid"].as_str().expect("kid").to_owned(),
            key: EncodingKey::from_rsa_pem(&pem).expect("RSA PEM"),
            jwk,
        }
    }

    pub fn sign(&self, claims: &Value) -> String {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&h, claims, &self.key).expect("sign RS256")
    }
}

/// A P-256 key made at test time, for ES256.
struct EcSigner {
    kid: String,
    key: EncodingKey,
    jwk: Value,
}

impl EcSigner {
    fn generate(kid: &str) -> Self {
        let pair = rcgen::KeyPair::generate().expect("P-256 key");
        let raw = pair.public_key_raw();
        assert_eq!((raw.len(), raw[0]), (65, 4), "an uncompressed P-256 point");
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&raw[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&raw[33..]),
        });
        Self {
            kid: kid.to_owned(),
            key: EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).expect("EC PEM"),
            jwk,
        }
    }

    fn sign(&self, claims: &Value) -> String {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&h, claims, &self.key).expect("sign ES256")
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

fn claims(sub: &str, scope: &str) -> Value {
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": sub, "scope": scope,
        "iat": now(), "exp": now() + 600,
    })
}

/// A JWKS endpoint: actix-web on 127.0.0.1, serving whatever set it is given, counting hits.
struct Jwks {
    url: String,
    body: Arc<Mutex<String>>,
    hits: Arc<AtomicUsize>,
    handle: actix_web::dev::ServerHandle,
}

impl Jwks {
    async fn start(keys: &[&Value]) -> Self {
        let body = Arc::new(Mutex::new(json!({ "keys": keys }).to_string()));
        let hits = Arc::new(AtomicUsize::new(0));
        let (b, h) = (body.clone(), hits.clone());
        let server = actix_web::HttpServer::new(move || {
            let (b, h) = (b.clone(), h.clone());
            actix_web::App::new().route(
                "/.well-known/jwks.json",
                actix_web::web::get().to(move || {
                    let (b, h) = (b.clone(), h.clone());
                    async move {
                        h.fetch_add(1, Ordering::SeqCst);
                        actix_web::HttpResponse::Ok()
                            .content_type("application/json")
                            .insert_header(("Cache-Control", "public, max-age=3600"))
                            .body(b.lock().expect("jwks lock").clone())
                    }
                }),
            )
        })
        .workers(1)
        .disable_signals()
        .bind("127.0.0.1:0")
        .expect("bind the JWKS server");
        let url = format!("http://{}/.well-known/jwks.json", server.addrs()[0]);
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            url,
            body,
            hits,
            handle,
        }
    }

    fn serve(&self, keys: &[&Value]) {
        *self.body.lock().expect("jwks lock") = json!({ "keys": keys }).to_string();
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Jwks {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

fn config_text(jwks_url: &str) -> String {
    format!(
        r#"version: 1
auth:
  providers:
    staff:
      jwt:
        issuer: {ISSUER}
        audiences: [{AUDIENCE}]
        algorithms: [RS256, ES256]
        jwks: {jwks_url}
        leeway: 5s
        min_refetch_interval: 1s
        refresh: 1h
  policies:
    readers:
      providers: [staff]
      scopes: ["customers:read"]
    staff:
      providers: [staff]
    limited:
      providers: [staff]
      rate_limit: {{ requests: 1, per: 1m, burst: 3 }}
  default: staff
cors:
  web:
    origins: [https://app.example.test]
    headers: [Authorization]
    max_age: 5m
"#
    )
}

const MAPPING: &str = r#"version: 1
backend:
  wsdl: ../wsdl/customers.wsdl
  endpoint: ${CUSTOMERS_SOAP_URL:-http://127.0.0.1:8081/customers}
  service: CustomerService
  port: CustomerServiceSoap12
  cors: web
routes:
  - route: GET /me
    operation: FindCustomers
    request:
      name: "{auth.sub}"
      maxResults: "{query.limit:20}"
    response:
      body: customer
  - route: GET /search
    operation: FindCustomers
    auth: readers
    request:
      name: "{query.name}"
    response:
      body: customer
  - route: GET /limited
    operation: FindCustomers
    auth: limited
    response:
      body: customer
"#;

async fn bridge(jwks: &Jwks, endpoint: &str) -> Bridge {
    let gw = soapbridge::config::load_text(
        Path::new("soapbridge.yaml"),
        &config_text(&jwks.url),
        &|_| None,
    )
    .expect("the configuration compiles");
    gw.start().await.expect("the JWKS is fetched at start-up");
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        policies: Some(gw.mapping_policies()),
        ..Default::default()
    };
    let path = support::root().join("mappings/secured.yaml");
    let m = support::compile(&[(path.as_path(), MAPPING)], opts);
    let table = soapbridge::http::RouteTable::build_with(m, &gw).expect("table");
    support::start_table(table, soapbridge::http::ServerConfig::default()).await
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

async fn get(b: &Bridge, path: &str, token: Option<&str>) -> Answer {
    let mut r = support::client().get(b.url(path));
    if let Some(t) = token {
        r = r.header("Authorization", format!("Bearer {t}"));
    }
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

#[actix_web::test]
async fn tokens_are_verified_against_a_live_jwks_with_rfc6750_answers() {
    let rsa = RsaSigner::example();
    let jwks = Jwks::start(&[&rsa.jwk]).await;
    let be = backend::start(Reply::soap12(200, FIND)).await;
    let b = bridge(&jwks, &be.url("/customers")).await;
    assert_eq!(jwks.hits(), 1, "fetched once at start-up");

    // A good RS256 token: admitted, and its subject reaches the backend.
    let good = rsa.sign(&claims("alice", "customers:read profile"));
    let a = get(&b, "/me", Some(&good)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body[0]["name"], "alice", "{}", a.body);
    assert!(
        be.last().body.contains(">alice</"),
        "{{auth.sub}} is sent to the backend: {}",
        be.last().body
    );

    // No token: a bare challenge, no error code (RFC 6750 section 3.1).
    let a = get(&b, "/me", None).await;
    assert_eq!((a.status, a.code()), (401, "unauthenticated"), "{}", a.body);
    let challenge = a.header("www-authenticate");
    assert!(challenge.starts_with("Bearer realm="), "{challenge}");
    assert!(!challenge.contains("error="), "{challenge}");

    // Each bad token: 401 invalid_token, the backend never called, the token never echoed.
    let mut expired = claims("alice", "customers:read");
    expired["exp"] = json!(now() - 120);
    let mut early = claims("alice", "customers:read");
    early["nbf"] = json!(now() + 120);
    let mut wrong_iss = claims("alice", "customers:read");
    wrong_iss["iss"] = json!("https://evil.example.test");
    let mut wrong_aud = claims("alice", "customers:read");
    wrong_aud["aud"] = json!("another-api");
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims("alice", "customers:read").to_string());
    let alg_none = format!("{none_header}.{body}.");
    // The RSA public key used as an HMAC secret: the classic algorithm confusion.
    let hs_key =
        EncodingKey::from_secret(rsa.jwk["n"].as_str().expect("n").as_bytes()).expect("key");
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some(rsa.kid.clone());
    let confused = jsonwebtoken::encode(&hs_header, &claims("alice", "x"), &hs_key).expect("HS256");
    let mut unknown_kid_header = Header::new(Algorithm::RS256);
    unknown_kid_header.kid = Some("never-published".into());
    let rsa_pem = std::fs::read(support::root().join("examples/secured/keys/test-signing-key.pem"))
        .expect("key");
    let unknown_kid = jsonwebtoken::encode(
        &unknown_kid_header,
        &claims("alice", "x"),
        &EncodingKey::from_rsa_pem(&rsa_pem).expect("pem"),
    )
    .expect("sign");
    let tampered = {
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(claims("mallory", "customers:read").to_string());
        parts.join(".")
    };
    let calls = be.count();
    let cases: [(&str, &str); 9] = [
        ("malformed", "not-a-jwt"),
        ("expired", &rsa.sign(&expired)),
        ("not yet valid", &rsa.sign(&early)),
        ("wrong issuer", &rsa.sign(&wrong_iss)),
        ("wrong audience", &rsa.sign(&wrong_aud)),
        ("alg none", &alg_none),
        ("HS256 with the RSA key", &confused),
        ("unknown kid", &unknown_kid),
        ("tampered claims", &tampered),
    ];
    for (what, token) in cases {
        let a = get(&b, "/me", Some(token)).await;
        assert_eq!(
            (a.status, a.code()),
            (401, "unauthenticated"),
            "{what}: {}",
            a.body
        );
        let challenge = a.header("www-authenticate");
        assert!(
            challenge.starts_with("Bearer ") && challenge.contains(r#"error="invalid_token""#),
            "{what}: {challenge}"
        );
        assert!(
            !a.body.to_string().contains(token) && !challenge.contains(token),
            "{what}: the token is echoed"
        );
    }
    assert_eq!(be.count(), calls, "refused calls never reach the backend");

    // Authenticated without the scope: 403 insufficient_scope naming the scope.
    let a = get(
        &b,
        "/search?name=x",
        Some(&rsa.sign(&claims("bob", "profile"))),
    )
    .await;
    assert_eq!((a.status, a.code()), (403, "forbidden"), "{}", a.body);
    let challenge = a.header("www-authenticate");
    assert!(
        challenge.contains(r#"error="insufficient_scope""#)
            && challenge.contains(r#"scope="customers:read""#),
        "{challenge}"
    );
    assert_eq!(get(&b, "/search?name=x", Some(&good)).await.status, 200);
}

#[actix_web::test]
async fn a_key_published_while_serving_is_used_after_one_refetch() {
    let rsa = RsaSigner::example();
    let jwks = Jwks::start(&[&rsa.jwk]).await;
    let be = backend::start(Reply::soap12(200, FIND)).await;
    let b = bridge(&jwks, &be.url("/customers")).await;
    let ec = EcSigner::generate("rotated-ec-1");
    let token = ec.sign(&claims("carol", "customers:read"));

    // Not published yet: refused after one re-fetch for the unknown kid.
    let a = get(&b, "/me", Some(&token)).await;
    assert_eq!(a.status, 401, "{}", a.body);
    let fetched = jwks.hits();
    assert_eq!(fetched, 2, "start-up plus one re-fetch for the unknown kid");

    // The issuer rotates: both keys published. After min_refetch_interval the new kid is
    // fetched and the ES256 token verifies; the RS256 one still does.
    jwks.serve(&[&rsa.jwk, &ec.jwk]);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let a = get(&b, "/me", Some(&token)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(be.last().body.contains(">carol</"), "{}", be.last().body);
    assert_eq!(jwks.hits(), fetched + 1, "one more fetch for the new kid");
    let old = rsa.sign(&claims("alice", "customers:read"));
    assert_eq!(get(&b, "/me", Some(&old)).await.status, 200);

    // Known kids never fetch again, however many calls come.
    for _ in 0..5 {
        assert_eq!(get(&b, "/me", Some(&token)).await.status, 200);
    }
    assert_eq!(jwks.hits(), fetched + 1);
}

#[actix_web::test]
async fn a_burst_beyond_the_rate_limit_is_429_with_ratelimit_headers() {
    let rsa = RsaSigner::example();
    let jwks = Jwks::start(&[&rsa.jwk]).await;
    let be = backend::start(Reply::soap12(200, FIND)).await;
    let b = bridge(&jwks, &be.url("/customers")).await;
    let alice = rsa.sign(&claims("alice", ""));
    let bob = rsa.sign(&claims("bob", ""));

    // burst 3: three calls pass, each told what is left.
    for left in ["2", "1", "0"] {
        let a = get(&b, "/limited", Some(&alice)).await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.header("ratelimit-limit"), "3");
        assert_eq!(a.header("ratelimit-remaining"), left);
        assert_eq!(a.header("ratelimit-policy"), "1;w=60;burst=3");
    }
    let calls = be.count();
    let a = get(&b, "/limited", Some(&alice)).await;
    assert_eq!((a.status, a.code()), (429, "rate-limited"), "{}", a.body);
    let retry: u64 = a
        .header("retry-after")
        .parse()
        .expect("Retry-After seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(a.header("ratelimit-remaining"), "0");
    assert_eq!(
        be.count(),
        calls,
        "a limited call never reaches the backend"
    );
    // Buckets are per consumer: bob still has his.
    assert_eq!(get(&b, "/limited", Some(&bob)).await.status, 200);
    // Routes without a limit are not limited.
    assert_eq!(get(&b, "/me", Some(&alice)).await.status, 200);
    // The refusal is counted.
    let metrics = b.metrics().await;
    assert!(
        metrics
            .contains(r#"soapbridge_edge_refused_total{policy="limited",reason="rate_limited"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"soapbridge_consumer_requests_total{consumer="alice",route="/limited",status="200"} 3"#),
        "{metrics}"
    );
}

#[actix_web::test]
async fn cors_preflights_are_answered_for_allowed_origins_only() {
    let rsa = RsaSigner::example();
    let jwks = Jwks::start(&[&rsa.jwk]).await;
    let be = backend::start(Reply::soap12(200, FIND)).await;
    let b = bridge(&jwks, &be.url("/customers")).await;
    let preflight = |origin: &'static str, headers: &'static str| {
        support::client()
            .request(reqwest::Method::OPTIONS, b.url("/me"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", headers)
            .send()
    };
    let r = preflight("https://app.example.test", "authorization")
        .await
        .expect("preflight");
    assert_eq!(r.status(), 204);
    let h = |r: &reqwest::Response, n: &str| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(
        h(&r, "access-control-allow-origin"),
        "https://app.example.test"
    );
    assert!(h(&r, "access-control-allow-methods").contains("GET"));
    assert!(
        h(&r, "access-control-allow-headers")
            .to_ascii_lowercase()
            .contains("authorization")
    );
    assert_eq!(h(&r, "access-control-max-age"), "300");
    assert!(h(&r, "vary").to_ascii_lowercase().contains("origin"));

    for (origin, headers) in [
        ("https://evil.example.test", "authorization"),
        ("https://app.example.test", "x-secret-header"),
    ] {
        let r = preflight(origin, headers).await.expect("preflight");
        assert_eq!(r.status(), 403, "{origin} {headers}");
        assert_eq!(h(&r, "access-control-allow-origin"), "");
        let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("problem");
        assert_eq!(v["code"], "cors-refused", "{v}");
    }
    assert_eq!(be.count(), 0, "preflights never reach the backend");

    // The actual request from the allowed origin carries the CORS answer headers.
    let r = support::client()
        .get(b.url("/me"))
        .header("Origin", "https://app.example.test")
        .header(
            "Authorization",
            format!("Bearer {}", rsa.sign(&claims("alice", ""))),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    assert_eq!(
        h(&r, "access-control-allow-origin"),
        "https://app.example.test"
    );
    assert!(
        h(&r, "access-control-expose-headers")
            .to_ascii_lowercase()
            .contains("x-request-id")
    );
}

#[actix_web::test]
async fn tokens_never_reach_the_log_even_at_trace_level() {
    let rsa = RsaSigner::example();
    let jwks = Jwks::start(&[&rsa.jwk]).await;
    let be = backend::start(Reply::soap12(200, FIND)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    std::fs::write(
        dir.path().join("secured.yaml"),
        MAPPING.replace("../wsdl/customers.wsdl", &wsdl.display().to_string()),
    )
    .expect("write");
    let config = dir.path().join("gateway.yaml");
    std::fs::write(&config, config_text(&jwks.url)).expect("write");
    let mapping = dir.path().join("secured.yaml");
    let served = support::TracedServe::start(
        &["--config".as_ref(), config.as_os_str(), mapping.as_os_str()],
        &[("CUSTOMERS_SOAP_URL", &be.url("/customers"))],
    )
    .await;
    let base = served.base.clone();
    let good = rsa.sign(&claims("alice", "customers:read"));
    let mut expired = claims("alice", "customers:read");
    expired["exp"] = json!(now() - 3600);
    let expired = rsa.sign(&expired);
    let forged = format!("{}x", &good[..good.len() - 1]);
    for token in [&good, &expired, &forged] {
        for path in ["/me", "/search?name=x", "/limited"] {
            let _ = support::client()
                .get(format!("{base}{path}"))
                .header("Authorization", format!("Bearer {token}"))
                .send()
                .await
                .expect("request");
        }
    }
    let text = served.stop();
    assert!(
        text.contains("Request refused at the edge."),
        "the refusals are logged"
    );
    for token in [&good, &expired, &forged] {
        // The claims and the signature: either would help to replay or forge.
        for part in token.split('.').skip(1) {
            assert!(!text.contains(part), "a token part appears in the log");
        }
    }
}

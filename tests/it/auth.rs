//! Who may call what: a gateway configuration's API-key providers and policies, named by
//! the mappings, enforced before the call (401 / 403 problem+json), checked at start-up, and
//! keys that never reach a log line. Real servers on 127.0.0.1 on both sides.

use std::path::Path;

use serde_json::Value;

use crate::backend::{self, PING, Reply};
use crate::support::{self, Bridge};

/// Keys used below: `billing-key-1` (SHA-256 stored), `crm-key-7` (from the environment).
const CONFIG: &str = r#"version: 1
auth:
  providers:
    partners:
      api_key:
        header: X-Api-Key
        keys:
          - consumer: billing
            sha256: 0c6f02d2e6b7cbe3eed5b7b2f8f5b65cfee3e0e0fe6b4f4a0c5ab7a0d5a7b3f1
          - consumer: crm
            env: SOAPBRIDGE_TEST_CRM_KEY
  policies:
    billing-only:
      providers: [partners]
      consumers: [billing]
    partners:
      providers: [partners]
    open:
      public: true
  default: partners
"#;

fn sha256_hex(text: &str) -> String {
    soapbridge::edge::apikey::hash(text)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn config_text() -> String {
    CONFIG.replace(
        "0c6f02d2e6b7cbe3eed5b7b2f8f5b65cfee3e0e0fe6b4f4a0c5ab7a0d5a7b3f1",
        &sha256_hex("billing-key-1"),
    )
}

/// The demo mapping with `GET /ping` public, `GET /customers/{id}` for billing only, and
/// every other route under the default policy.
fn mapping_text() -> String {
    std::fs::read_to_string(support::root().join("mappings/customers.yaml"))
        .expect("demo mapping")
        .replace(
            "  - route: GET /ping\n    operation: Ping\n",
            "  - route: GET /ping\n    operation: Ping\n    auth: open\n",
        )
        .replace(
            "    operation: GetCustomer\n",
            "    operation: GetCustomer\n    auth: billing-only\n",
        )
}

fn env(name: &str) -> Option<String> {
    (name == "SOAPBRIDGE_TEST_CRM_KEY").then(|| "crm-key-7".to_owned())
}

async fn bridge(endpoint: &str) -> Bridge {
    let gw = soapbridge::config::load_text(Path::new("soapbridge.yaml"), &config_text(), &env)
        .expect("the configuration compiles");
    let opts = soapbridge::mapping::Options {
        endpoint_override: Some(endpoint.parse().expect("url")),
        policies: Some(gw.mapping_policies()),
        ..Default::default()
    };
    let path = support::root().join("mappings/customers.yaml");
    let m = support::compile(&[(path.as_path(), &mapping_text())], opts);
    let table = soapbridge::http::RouteTable::build_with(m, &gw).expect("table");
    support::start_table(table, soapbridge::http::ServerConfig::default()).await
}

async fn get(b: &Bridge, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut r = support::client().get(b.url(path));
    if let Some(k) = key {
        r = r.header("X-Api-Key", k);
    }
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[actix_web::test]
async fn api_keys_admit_refuse_and_forbid_as_the_policies_say() {
    let be = backend::start(Reply::soap12(200, PING)).await;
    let b = bridge(&be.url("/customers")).await;
    // Public.
    assert_eq!(get(&b, "/ping", None).await.0, 200);
    // The default policy: any partner. Admitted means the backend is called.
    let before = be.count();
    let (status, _) = get(&b, "/customers/42/orders", Some("crm-key-7")).await;
    assert!(status != 401 && status != 403, "admitted: {status}");
    assert_eq!(
        be.count(),
        before + 1,
        "an admitted call reaches the backend"
    );
    let (status, v) = get(&b, "/customers/42/orders", None).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (401, Some("unauthenticated")),
        "{v}"
    );
    assert!(
        v["detail"]
            .as_str()
            .unwrap_or("")
            .contains("`x-api-key` header"),
        "{v}"
    );
    let (status, v) = get(&b, "/customers/42/orders", Some("guessed-key")).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (401, Some("unauthenticated")),
        "{v}"
    );
    assert!(
        !v.to_string().contains("guessed-key"),
        "the key is never echoed: {v}"
    );
    // billing only.
    let (status, v) = get(&b, "/customers/42", Some("crm-key-7")).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (403, Some("forbidden")),
        "{v}"
    );
    assert_ne!(get(&b, "/customers/42", Some("billing-key-1")).await.0, 403);
    assert_ne!(get(&b, "/customers/42", Some("billing-key-1")).await.0, 401);
    let calls = be.count();
    let _ = get(&b, "/customers/42", None).await;
    let _ = get(&b, "/customers/42", Some("crm-key-7")).await;
    assert_eq!(be.count(), calls, "refused calls never reach the backend");
}

#[test]
fn a_mapping_naming_an_unknown_policy_is_refused_with_its_place_and_a_hint() {
    let path = support::root().join("mappings/customers.yaml");
    let text = mapping_text().replace("auth: billing-only", "auth: biling-only");
    let opts = soapbridge::mapping::Options {
        policies: Some(soapbridge::mapping::Policies {
            names: ["billing-only".to_owned(), "open".to_owned()].into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let diags = soapbridge::mapping::load_texts(&[(path.as_path(), &text)], opts).expect_err("x");
    let all = diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("customers.yaml:16:11: policy `biling-only` is not declared"),
        "{all}"
    );
    assert!(all.contains("did you mean `billing-only`?"), "{all}");
    // Without a gateway configuration, naming a policy is an error too.
    let diags =
        soapbridge::mapping::load_texts(&[(path.as_path(), &mapping_text())], Default::default())
            .expect_err("x");
    assert!(
        diags[0]
            .to_string()
            .contains("there is no gateway configuration"),
        "{}",
        diags[0]
    );
}

#[actix_web::test]
async fn keys_never_reach_the_log_even_at_debug_level() {
    let be = backend::start(Reply::soap12(200, PING)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let wsdl = support::root().join("wsdl/customers.wsdl");
    std::fs::write(
        dir.path().join("customers.yaml"),
        mapping_text().replace("../wsdl/customers.wsdl", &wsdl.display().to_string()),
    )
    .expect("write");
    let config = dir.path().join("gateway.yaml");
    std::fs::write(&config, config_text()).expect("write");
    let mapping = dir.path().join("customers.yaml");
    let served = support::TracedServe::start(
        &["--config".as_ref(), config.as_os_str(), mapping.as_os_str()],
        &[
            ("CUSTOMERS_SOAP_URL", &be.url("/customers")),
            ("SOAPBRIDGE_TEST_CRM_KEY", "crm-key-7"),
        ],
    )
    .await;
    let base = served.base.clone();
    for key in ["billing-key-1", "crm-key-7", "guessed-key"] {
        for path in ["/customers/42", "/customers/42/orders", "/ping"] {
            let _ = support::client()
                .get(format!("{base}{path}"))
                .header("X-Api-Key", key)
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
    for secret in ["billing-key-1", "crm-key-7", "guessed-key"] {
        assert!(!text.contains(secret), "`{secret}` appears in the log");
    }
}

/// docs/configuration.md's complete example compiles, with its files in place (TLS
/// certificates, the ops key's secret file) and its environment variable set.
#[test]
fn the_documented_configuration_example_compiles() {
    let doc = std::fs::read_to_string(support::root().join("docs/configuration.md")).expect("docs");
    let start = doc
        .find("```yaml\n# soapbridge.yaml\n")
        .expect("the example")
        + 8;
    let text = &doc[start..start + doc[start..].find("```").expect("its end")];
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("tls")).expect("mkdir");
    for f in ["tls.crt", "tls.key", "clients-ca.crt"] {
        std::fs::write(dir.path().join("tls").join(f), "-----BEGIN X-----\n").expect("write");
    }
    let secret = dir.path().join("ops-api-key");
    std::fs::write(&secret, "ops-key\n").expect("write");
    let text = text.replace("/run/secrets/ops-api-key", &secret.display().to_string());
    let env = |name: &str| (name == "CRM_API_KEY").then(|| "crm-key".to_owned());
    let g = soapbridge::config::load_text(&dir.path().join("soapbridge.yaml"), &text, &env)
        .unwrap_or_else(|d| {
            panic!(
                "{}",
                d.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
    assert_eq!(
        g.policy_names().into_iter().collect::<Vec<_>>(),
        ["anyone", "billing-only", "partners", "readers"]
    );
    assert!(g.policies["readers"].rate_limit.is_some());
    assert_eq!(g.cors.keys().collect::<Vec<_>>(), ["web-app"]);
    assert!(g.tls.is_some());
}

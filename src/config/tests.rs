use std::path::Path;

use super::*;
use crate::edge::Credentials;
use crate::gateway::Identity;

const GOOD: &str = r#"version: 1
auth:
  providers:
    partners:
      api_key:
        header: X-Api-Key
        keys:
          - consumer: billing
            sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
          - consumer: crm
            env: CRM_KEY
  policies:
    orders:
      providers: [partners]
      consumers: [billing]
    open:
      public: true
  default: orders
"#;

fn env(name: &str) -> Option<String> {
    (name == "CRM_KEY").then(|| "crm-secret\n".to_owned())
}

fn admit(g: &Gateway, policy: &str, key: Option<&'static str>) -> Result<Identity, u16> {
    let header = move |name: &str| if name == "x-api-key" { key } else { None };
    let creds = Credentials {
        header: &header,
        query: &[],
        client_cert: None,
    };
    futures_util::FutureExt::now_or_never(g.policies[policy].admit(&creds))
        .expect("API keys need no waiting")
        .map_err(|d| d.status)
}

#[test]
fn a_good_configuration_compiles_into_policies() {
    let g = load_text(Path::new("soapbridge.yaml"), GOOD, &env).expect("compiles");
    assert_eq!(
        g.policy_names().into_iter().collect::<Vec<_>>(),
        ["open", "orders"]
    );
    assert_eq!(g.default_policy.as_deref(), Some("orders"));
    assert!(matches!(
        admit(&g, "orders", Some("test")),
        Ok(Identity::Authenticated(_))
    ));
    // The key from the environment (its trailing newline dropped) is crm's: known, not allowed.
    assert_eq!(admit(&g, "orders", Some("crm-secret")), Err(403));
    assert_eq!(admit(&g, "orders", None), Err(401));
    assert_eq!(admit(&g, "open", None), Ok(Identity::Anonymous));
}

#[test]
fn a_misspelled_provider_is_located_with_a_hint() {
    let text = GOOD.replace("providers: [partners]", "providers: [partner]");
    let diags = load_text(Path::new("soapbridge.yaml"), &text, &env).expect_err("refused");
    let all: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(
        all[0].starts_with(
            "soapbridge.yaml:14:19: policy `orders` names provider `partner`, which is not declared"
        ),
        "{all:?}"
    );
    assert!(all[0].contains("did you mean `partners`?"), "{all:?}");
}

#[test]
fn every_mistake_is_reported_at_once_and_no_secret_is_echoed() {
    let text = GOOD
        .replace("env: CRM_KEY", "env: MISSING_KEY")
        .replace("sha256: 9f86", "sha256: zz86")
        .replace("default: orders", "default: order")
        .replace(
            "    open:\n      public: true\n",
            "    open:\n      public: true\n      scopes: [x]\n",
        );
    let diags = load_text(Path::new("gw.yaml"), &text, &env).expect_err("refused");
    let all = diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("`sha256` is not 64 hexadecimal digits"),
        "{all}"
    );
    assert!(
        all.contains("environment variable `MISSING_KEY` is not set"),
        "{all}"
    );
    assert!(
        all.contains("the default policy `order` is not declared"),
        "{all}"
    );
    assert!(
        all.contains("policy `open` is public and also names"),
        "{all}"
    );
    assert!(!all.contains("zz86"), "{all}");
}

#[test]
fn unknown_keys_and_bad_versions_are_refused() {
    let diags = load_text(Path::new("gw.yaml"), "version: 1\nauht: {}\n", &env).expect_err("x");
    assert!(
        diags[0]
            .to_string()
            .starts_with("gw.yaml:2:1: unknown key `auht`\n  hint: did you mean `auth`?"),
        "{}",
        diags[0]
    );
    let diags = load_text(Path::new("gw.yaml"), "version: 2\n", &env).expect_err("x");
    assert!(diags[0].to_string().contains("version 2 is not supported"));
}

#[test]
fn telemetry_keys_are_checked() {
    let good = "version: 1\ntelemetry:\n  otlp_endpoint: http://collector:4318\n  service_name: edge\n  sampler: parentbased_traceidratio\n  sampler_arg: 0.25\n";
    let g = load_text(Path::new("gw.yaml"), good, &env).expect("compiles");
    assert_eq!(
        g.telemetry.otlp_endpoint.as_deref(),
        Some("http://collector:4318")
    );
    assert_eq!(g.telemetry.sampler_arg, Some(0.25));
    let bad = "version: 1\ntelemetry:\n  otlp_endpoint: collector\n  sampler: parentbased_traceidratoi\n  sampler_arg: 2\n";
    let all = load_text(Path::new("gw.yaml"), bad, &env)
        .expect_err("refused")
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("gw.yaml:3:18: `collector` is not an http(s) URL"),
        "{all}"
    );
    assert!(
        all.contains("did you mean `parentbased_traceidratio`?"),
        "{all}"
    );
    assert!(
        all.contains("sampler_arg `2` is not between 0 and 1"),
        "{all}"
    );
}

//! The mapping file as written: serde structs with source positions, nothing checked yet.
//!
//! Every struct denies unknown keys, so a misspelled key is an error, not a silently ignored
//! line. Values that are checked later against the contract keep their location
//! ([`Spanned`]), so that check can point back at them.
//!
//! May import nothing from soapbridge.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMapping {
    pub version: Spanned<u32>,
    pub backend: RawBackend,
    /// Prefix of every route path (`/api/v1`).
    #[serde(default)]
    pub base_path: Option<Spanned<String>>,
    /// Absent: every operation is served as `POST /{service}/{operation}`.
    #[serde(default)]
    pub routes: Option<Vec<RawRoute>>,
    /// Serve this file's routes on `/graphql` too (absent: the gateway configuration's
    /// `graphql.enabled`, off by default).
    #[serde(default)]
    pub graphql: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackend {
    pub wsdl: Spanned<String>,
    #[serde(default)]
    pub endpoint: Option<Spanned<String>>,
    #[serde(default)]
    pub service: Option<Spanned<String>>,
    #[serde(default)]
    pub port: Option<Spanned<String>>,
    #[serde(default)]
    pub binding: Option<Spanned<String>>,
    #[serde(default)]
    pub soap_version: Option<Spanned<String>>,
    #[serde(default)]
    pub timeout: Option<Spanned<String>>,
    /// Each attempt's own limit, within `timeout`.
    #[serde(default)]
    pub attempt_timeout: Option<Spanned<String>>,
    /// The longest a call waits for a free connection slot, within `timeout`.
    #[serde(default)]
    pub queue_timeout: Option<Spanned<String>>,
    #[serde(default)]
    pub connect_timeout: Option<Spanned<String>>,
    #[serde(default)]
    pub max_concurrency: Option<Spanned<u32>>,
    #[serde(default)]
    pub retries: Option<Spanned<u32>>,
    /// Accept answers that break the contract, with a warning and a metric.
    #[serde(default)]
    pub lenient: Option<Spanned<bool>>,
    #[serde(default)]
    pub max_response_size: Option<Spanned<String>>,
    /// Answers larger than this stream to the caller while they arrive.
    #[serde(default)]
    pub stream_threshold: Option<Spanned<String>>,
    #[serde(default)]
    pub headers: Option<BTreeMap<String, Spanned<String>>>,
    #[serde(default)]
    pub basic_auth: Option<RawBasicAuth>,
    #[serde(default)]
    pub ws_security: Option<RawWsSecurity>,
    /// WS-Addressing headers: `auto` (when the contract asks), `on`, `off`, `2005/08`,
    /// `2004/08`.
    #[serde(default)]
    pub addressing: Option<Spanned<String>>,
    /// The backend speaks MTOM: ask for MTOM answers, send large binaries as MTOM parts.
    #[serde(default)]
    pub mtom: Option<Spanned<bool>>,
    /// The smallest `xsd:base64Binary` value (its base64 text) sent as an MTOM part.
    #[serde(default)]
    pub mtom_threshold: Option<Spanned<String>>,
    /// The gateway configuration's policy for this backend's routes.
    #[serde(default)]
    pub auth: Option<Spanned<String>>,
    /// The gateway configuration's CORS policy for this backend's routes.
    #[serde(default)]
    pub cors: Option<Spanned<String>>,
    /// TLS to the backend: private CA, client certificate, verification.
    #[serde(default)]
    pub tls: Option<RawBackendTls>,
    /// An HTTP(S) proxy on the way to the backend.
    #[serde(default)]
    pub proxy: Option<RawProxy>,
    #[serde(default)]
    pub circuit_breaker: Option<RawCircuitBreaker>,
    #[serde(default)]
    pub retry: Option<RawRetry>,
}

/// `circuit_breaker:` under `backend`; every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCircuitBreaker {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub consecutive_failures: Option<Spanned<u32>>,
    /// A share of calls, 0 < rate ≤ 1.
    #[serde(default)]
    pub failure_rate: Option<Spanned<f64>>,
    #[serde(default)]
    pub min_calls: Option<Spanned<u32>>,
    #[serde(default)]
    pub window: Option<Spanned<String>>,
    #[serde(default)]
    pub open_for: Option<Spanned<String>>,
    #[serde(default)]
    pub probes: Option<Spanned<u32>>,
}

/// `retry:` under `backend`; every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    #[serde(default)]
    pub backoff: Option<Spanned<String>>,
    #[serde(default)]
    pub max_backoff: Option<Spanned<String>>,
    /// Retries as a share of calls, 0 ≤ ratio ≤ 10.
    #[serde(default)]
    pub budget_ratio: Option<Spanned<f32>>,
    #[serde(default)]
    pub budget_min_per_second: Option<Spanned<u32>>,
    #[serde(default)]
    pub budget_window: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBasicAuth {
    pub username: Spanned<String>,
    pub password: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWsSecurity {
    /// A UsernameToken: `username` and `password` together.
    #[serde(default)]
    pub username: Option<Spanned<String>>,
    #[serde(default)]
    pub password: Option<Spanned<String>>,
    /// `text` (default) or `digest`.
    #[serde(default)]
    pub password_type: Option<Spanned<String>>,
    /// Add a `wsu:Timestamp` (default true).
    #[serde(default)]
    pub timestamp: Option<bool>,
    /// Sign every request with an X.509 key.
    #[serde(default)]
    pub signature: Option<Spanned<RawSignature>>,
    /// Check the signature of every answer that is not a fault.
    #[serde(default)]
    pub verify: Option<Spanned<RawVerify>>,
}

/// `ws_security.signature`: the key, the certificate and the choices of the signature.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignature {
    /// PEM private key (PKCS#8, PKCS#1 or SEC1), with `certificate`.
    #[serde(default)]
    pub key: Option<Spanned<String>>,
    #[serde(default)]
    pub certificate: Option<Spanned<String>>,
    /// A PKCS#12 file with the key and certificate, instead of `key` + `certificate`.
    #[serde(default)]
    pub pkcs12: Option<Spanned<String>>,
    /// The PKCS#12 password (`${VAR}`), or a file holding it.
    #[serde(default)]
    pub password: Option<Spanned<String>>,
    #[serde(default)]
    pub password_file: Option<Spanned<String>>,
    /// `rsa-sha256`, `ecdsa-sha256`, `rsa-sha1` (legacy); default: the key's.
    #[serde(default)]
    pub algorithm: Option<Spanned<String>>,
    /// `binary-security-token` (default), `issuer-serial`, `subject-key-identifier`.
    #[serde(default)]
    pub key_reference: Option<Spanned<String>>,
    /// More header blocks to sign: `{namespace}local`, or `wsa:Action` and the other
    /// WS-Addressing headers.
    #[serde(default)]
    pub sign_headers: Option<Vec<Spanned<String>>>,
    /// How long the Timestamp is valid (default 5m).
    #[serde(default)]
    pub timestamp_ttl: Option<Spanned<String>>,
    /// The exclusive C14N `InclusiveNamespaces PrefixList` (`#default` for the default
    /// namespace).
    #[serde(default)]
    pub inclusive_namespaces: Option<Vec<Spanned<String>>>,
}

/// `ws_security.verify`: who may sign the backend's answers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVerify {
    /// PEM file of the CA certificates that issue the backend's signing certificate.
    pub trust: Spanned<String>,
    /// How far the backend's clock may be off (default 60s).
    #[serde(default)]
    pub clock_skew: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    /// `GET /customers/{id}`.
    pub route: Spanned<String>,
    pub operation: Spanned<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Where each input comes from; absent: the JSON body plus path and query parameters
    /// named like top-level input fields.
    #[serde(default)]
    pub request: Option<Spanned<Template>>,
    /// SOAP header blocks declared by the binding, by element name.
    #[serde(default)]
    pub soap_headers: Option<Spanned<Template>>,
    #[serde(default)]
    pub response: Option<RawResponse>,
    #[serde(default)]
    pub faults: Option<Vec<RawFaultRule>>,
    /// The operation may be repeated safely, so a retry after the request reached the
    /// backend is allowed (GET and HEAD routes are idempotent anyway).
    #[serde(default)]
    pub idempotent: Option<bool>,
    /// The gateway configuration's policy for this route (overrides the backend's).
    #[serde(default)]
    pub auth: Option<Spanned<String>>,
    /// The gateway configuration's CORS policy for this route (overrides the backend's).
    #[serde(default)]
    pub cors: Option<Spanned<String>>,
    /// How the route appears on `/graphql`: its root field's kind and name, or left out.
    #[serde(default)]
    pub graphql: Option<RawRouteGraphql>,
}

/// `graphql:` under a route; every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRouteGraphql {
    /// `query` or `mutation` (default: `query` for GET routes, else `mutation`).
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    /// The root field's name (default: the operation's name, first letter lower-cased).
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    /// `false` leaves the route out of the GraphQL schema.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// TLS to a backend; paths are relative to the mapping file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackendTls {
    /// PEM bundle of the CAs the backend's certificate must chain to (instead of the
    /// system's roots; `add_system_roots: true` keeps both).
    #[serde(default)]
    pub ca: Option<Spanned<String>>,
    #[serde(default)]
    pub add_system_roots: Option<bool>,
    /// PEM certificate chain presented to a backend that demands mutual TLS.
    #[serde(default)]
    pub client_cert: Option<Spanned<String>>,
    /// Its PEM private key.
    #[serde(default)]
    pub client_key: Option<Spanned<String>>,
    /// Accept any certificate (test systems only; logged loudly at every start).
    #[serde(default)]
    pub insecure_skip_verify: Option<Spanned<bool>>,
}

/// A proxy for a backend: `url` (`http://proxy:3128`, credentials may come from `${VAR}`)
/// and hosts reached directly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProxy {
    pub url: Spanned<String>,
    #[serde(default)]
    pub no_proxy: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResponse {
    /// A dotted path into the output JSON (`customer`, `order.lines`); absent: all of it.
    #[serde(default)]
    pub body: Option<Spanned<String>>,
    #[serde(default)]
    pub status: Option<Spanned<u16>>,
    /// A key of the body under which the answer's SOAP header blocks (those the binding
    /// declares for the output) are returned, by element name (`$headers`).
    #[serde(default)]
    pub soap_headers: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaultRule {
    /// A declared fault name, its detail element, a fault code (`Client`, `Server`,
    /// `Sender`, `Receiver`, `Client.Auth`...) or `*`.
    #[serde(rename = "match")]
    pub match_: Spanned<String>,
    /// Values the fault detail must have (`code: UNKNOWN_CUSTOMER`), by dotted path.
    #[serde(default)]
    pub when: Option<Spanned<Template>>,
    pub status: Spanned<u16>,
    /// Overrides the problem's title.
    #[serde(default)]
    pub title: Option<String>,
}

/// A YAML value with the position of every node: the `request` template.
#[derive(Debug, Clone)]
pub enum Template {
    Map(Vec<(Spanned<String>, Spanned<Template>)>),
    List(Vec<Spanned<Template>>),
    String(String),
    /// Numbers keep their YAML spelling, so a decimal constant stays exact.
    Number(String),
    Bool(bool),
    Null,
}

impl Template {
    pub fn kind(&self) -> &'static str {
        match self {
            Template::Map(_) => "a mapping",
            Template::List(_) => "a list",
            Template::String(_) => "a string",
            Template::Number(_) => "a number",
            Template::Bool(_) => "a boolean",
            Template::Null => "null",
        }
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Template;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Template, E> {
                Ok(Template::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Template, E> {
                Ok(Template::String(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Template, E> {
                Ok(Template::Number(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Template, E> {
                Ok(Template::Number(v.to_string()))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Template, E> {
                Ok(Template::Number(v.to_string()))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Template, E> {
                Ok(Template::Number(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Template, E> {
                Ok(Template::Number(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Template, E> {
                Ok(Template::Bool(v))
            }
            fn visit_unit<E>(self) -> Result<Template, E> {
                Ok(Template::Null)
            }
            fn visit_none<E>(self) -> Result<Template, E> {
                Ok(Template::Null)
            }
            fn visit_some<D2: serde::Deserializer<'de>>(
                self,
                d: D2,
            ) -> Result<Template, D2::Error> {
                Template::deserialize(d)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Template, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = m.next_key::<Spanned<String>>()? {
                    let val = m.next_value::<Spanned<Template>>()?;
                    v.push((k, val));
                }
                Ok(Template::Map(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<Template, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = s.next_element::<Spanned<Template>>()? {
                    v.push(x);
                }
                Ok(Template::List(v))
            }
        }
        d.deserialize_any(V)
    }
}

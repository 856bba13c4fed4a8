//! The gateway configuration file as written: serde structs with source positions.
//!
//! Every struct denies unknown keys, so a misspelled key is an error. May import nothing
//! from soapbridge.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub version: Spanned<u32>,
    #[serde(default)]
    pub listener: Option<RawListener>,
    #[serde(default)]
    pub auth: Option<RawAuth>,
    #[serde(default)]
    pub telemetry: Option<RawTelemetry>,
}

/// Traces; each key applies only when its standard `OTEL_*` variable is not set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTelemetry {
    /// The OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    #[serde(default)]
    pub otlp_endpoint: Option<Spanned<String>>,
    /// `OTEL_SERVICE_NAME`.
    #[serde(default)]
    pub service_name: Option<String>,
    /// `OTEL_TRACES_SAMPLER`.
    #[serde(default)]
    pub sampler: Option<Spanned<String>>,
    /// `OTEL_TRACES_SAMPLER_ARG`.
    #[serde(default)]
    pub sampler_arg: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawListener {
    #[serde(default)]
    pub tls: Option<RawTls>,
}

/// TLS on the listener; paths are relative to the configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    /// PEM certificate chain, the server's certificate first.
    pub cert: Spanned<String>,
    /// PEM private key.
    pub key: Spanned<String>,
    /// PEM bundle of the CAs client certificates must chain to (mutual TLS).
    #[serde(default)]
    pub client_ca: Option<Spanned<String>>,
    /// `optional` or `require` (with `client_ca`).
    #[serde(default)]
    pub client_auth: Option<Spanned<String>>,
    /// How often the files are checked for a new certificate (default 10s).
    #[serde(default)]
    pub reload_every: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    /// Authentication providers by name.
    #[serde(default)]
    pub providers: BTreeMap<String, RawProvider>,
    /// Policies by name: which providers, and what the caller must hold.
    #[serde(default)]
    pub policies: BTreeMap<String, RawPolicy>,
    /// The policy of routes whose mapping names none; absent: such routes are public.
    #[serde(default)]
    pub default: Option<Spanned<String>>,
}

/// One provider: exactly one of the kinds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvider {
    #[serde(default)]
    pub api_key: Option<RawApiKey>,
    /// The verified client certificate of a mutual-TLS connection (`{}`).
    #[serde(default)]
    pub client_certificate: Option<RawClientCertificate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClientCertificate {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApiKey {
    /// The header that carries the key (`X-Api-Key`).
    #[serde(default)]
    pub header: Option<Spanned<String>>,
    /// Or the query parameter.
    #[serde(default)]
    pub query: Option<Spanned<String>>,
    pub keys: Vec<RawKey>,
}

/// A key: its consumer and one of `sha256`, `env`, `file`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    pub consumer: Spanned<String>,
    /// The key's SHA-256, 64 hexadecimal digits.
    #[serde(default)]
    pub sha256: Option<Spanned<String>>,
    /// An environment variable holding the key.
    #[serde(default)]
    pub env: Option<Spanned<String>>,
    /// A file holding the key (a Kubernetes secret mounted at `/run/secrets/...`).
    #[serde(default)]
    pub file: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Anyone may call; no other key may be given.
    #[serde(default)]
    pub public: Option<bool>,
    #[serde(default)]
    pub providers: Vec<Spanned<String>>,
    #[serde(default)]
    pub consumers: Vec<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
}

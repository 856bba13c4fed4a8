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
    /// Cross-origin (browser) access, as named policies that mappings refer to.
    #[serde(default)]
    pub cors: BTreeMap<String, RawCors>,
    /// The GraphQL face (`/graphql`): on for every mapping file, and its limits.
    #[serde(default)]
    pub graphql: Option<RawGraphql>,
}

/// `graphql:`; every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGraphql {
    /// Serve every mapping file's routes on `/graphql` (a file's own `graphql:` wins).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Answer introspection queries (default true).
    #[serde(default)]
    pub introspection: Option<bool>,
    #[serde(default)]
    pub max_depth: Option<Spanned<usize>>,
    #[serde(default)]
    pub max_complexity: Option<Spanned<usize>>,
    /// Root fields (backend calls) one request may hold.
    #[serde(default)]
    pub max_root_fields: Option<Spanned<usize>>,
    /// The largest request body (`64KiB`).
    #[serde(default)]
    pub max_body: Option<Spanned<String>>,
}

/// One CORS policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCors {
    /// Exact origins (`https://app.example.com`), or `*` for any (not with credentials).
    pub origins: Vec<Spanned<String>>,
    /// Methods a preflight may ask for; default: each route's own method.
    #[serde(default)]
    pub methods: Vec<Spanned<String>>,
    /// Request headers a preflight may ask for (`Authorization`, `X-Api-Key`, ...);
    /// `Content-Type` is always allowed.
    #[serde(default)]
    pub headers: Vec<Spanned<String>>,
    /// Response headers scripts may read (`X-Request-Id` and the `RateLimit-*` headers are
    /// always exposed).
    #[serde(default)]
    pub expose_headers: Vec<Spanned<String>>,
    /// Browsers send cookies and credentials (`Access-Control-Allow-Credentials`).
    #[serde(default)]
    pub credentials: Option<bool>,
    /// How long a browser may cache a preflight answer (default 10m).
    #[serde(default)]
    pub max_age: Option<Spanned<String>>,
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
    /// Bearer tokens (JWT) of one issuer.
    #[serde(default)]
    pub jwt: Option<RawJwt>,
}

/// A token issuer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJwt {
    /// The exact `iss` of its tokens.
    pub issuer: Spanned<String>,
    /// The accepted `aud` values (at least one).
    pub audiences: Vec<Spanned<String>>,
    /// The accepted algorithms (`RS256`, `ES256`, `PS256`, `EdDSA`, ... or `HS256` with a
    /// secret JWKS); `none` is never accepted.
    pub algorithms: Vec<Spanned<String>>,
    /// A JWKS file (relative to the configuration) or the issuer's `jwks_uri`.
    pub jwks: Spanned<String>,
    /// Clock skew on `exp` and `nbf` (default 60s).
    #[serde(default)]
    pub leeway: Option<Spanned<String>>,
    /// Claims every token must carry (default `[exp]`).
    #[serde(default)]
    pub required_claims: Option<Vec<String>>,
    /// The claim holding scopes or roles (default `scope`).
    #[serde(default)]
    pub scope_claim: Option<String>,
    /// The claim naming the consumer (default `sub`).
    #[serde(default)]
    pub consumer_claim: Option<String>,
    /// Refresh period of a JWKS URL without `Cache-Control: max-age` (default 5m).
    #[serde(default)]
    pub refresh: Option<Spanned<String>>,
    /// Least time between two fetches for an unknown `kid` (default 30s).
    #[serde(default)]
    pub min_refetch_interval: Option<Spanned<String>>,
    /// The realm of the `WWW-Authenticate` challenge (default `soapbridge`).
    #[serde(default)]
    pub realm: Option<String>,
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
    /// How often one consumer may call one route.
    #[serde(default)]
    pub rate_limit: Option<RawRateLimit>,
}

/// A token bucket: `requests` per `per`, bursts up to `burst` (default `requests`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRateLimit {
    pub requests: Spanned<u32>,
    pub per: Spanned<String>,
    #[serde(default)]
    pub burst: Option<Spanned<u32>>,
    /// `consumer` (default: a bucket per consumer and route) or `route` (one per route).
    #[serde(default)]
    pub by: Option<Spanned<String>>,
}

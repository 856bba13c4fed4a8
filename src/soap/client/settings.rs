//! How to reach one backend: the client's settings (timeouts, sizes, TLS, proxy, breaker and
//! retry thresholds), built by the mapping compiler so this floor does not depend on the
//! mapping model. `Debug` leaves secrets out.
//!
//! May import `net`, `wsdl` (the SOAP version).

use std::time::Duration;

use crate::wsdl::SoapVersion;

/// The largest answer read whole when the mapping sets no `max_response_size` and the
/// answer cannot be streamed.
pub const BUFFERED_MAX: usize = 16 << 20;

/// The default streaming threshold.
pub const STREAM_THRESHOLD: usize = 1 << 20;

/// How to reach one backend: the client's own settings, built by the mapping compiler (so
/// this floor does not depend on the mapping model). `Debug` leaves secrets out.
#[derive(Clone)]
pub struct ClientSettings {
    /// The backend's name, for logs.
    pub name: String,
    pub endpoint: url::Url,
    pub soap_version: SoapVersion,
    /// One deadline for the whole request: waiting for a free slot, every attempt and every
    /// backoff included.
    pub timeout: Duration,
    /// Each attempt's own limit (within what is left of `timeout`); `None`: what is left.
    pub attempt_timeout: Option<Duration>,
    /// The longest a call waits for a free slot (within `timeout`); `None`: until the
    /// deadline.
    pub queue_timeout: Option<Duration>,
    pub connect_timeout: Duration,
    /// Requests in flight to this backend at most; more wait their turn.
    pub max_concurrency: usize,
    /// Retries after a failed attempt, at most (see `gateway::call` for which failures).
    pub retries: u32,
    /// A hard cap on an answer's size, streamed or not; `None`: answers that stream have no
    /// cap (the memory budget protects the process) and the others [`BUFFERED_MAX`].
    pub max_response_bytes: Option<usize>,
    /// An answer larger than this is streamed to the caller while it arrives (when the
    /// route's answer can be streamed); smaller ones are read whole.
    pub stream_threshold: usize,
    /// Extra HTTP headers sent with every call.
    pub headers: Vec<(String, String)>,
    pub basic_auth: Option<(String, String)>,
    /// The backend speaks MTOM: answers are asked for as `application/xop+xml` too.
    pub mtom: bool,
    /// The circuit breaker's thresholds (the breaker itself is `gateway::breaker`).
    pub breaker: BreakerSettings,
    /// How retries are spaced and bounded.
    pub retry: RetrySettings,
    /// TLS to the backend beyond the system's defaults.
    pub tls: BackendTls,
    /// An explicit proxy (`None`: the `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` environment).
    pub proxy: Option<ProxySettings>,
}

/// TLS to one backend. Hostname verification and SNI are always on; only
/// `insecure_skip_verify` turns verification off, and the start-up log says so.
#[derive(Clone, Default)]
pub struct BackendTls {
    /// PEM CA bundle the backend's certificate must chain to; `None`: the system's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// With `ca_pem`: trust the system's roots too.
    pub add_system_roots: bool,
    /// PEM certificate chain and private key, for a backend that demands mutual TLS.
    pub client_identity_pem: Option<Vec<u8>>,
    pub insecure_skip_verify: bool,
}

impl std::fmt::Debug for BackendTls {
    /// Which parts are set, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendTls")
            .field("ca", &self.ca_pem.is_some())
            .field("add_system_roots", &self.add_system_roots)
            .field("client_certificate", &self.client_identity_pem.is_some())
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .finish()
    }
}

/// A proxy on the way to one backend.
#[derive(Clone)]
pub struct ProxySettings {
    /// `http://[user:password@]proxy:3128`.
    pub url: url::Url,
    /// Hosts, domains (`.corp.example`) and CIDR ranges reached directly.
    pub no_proxy: Vec<String>,
}

impl std::fmt::Debug for ProxySettings {
    /// The URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = self.url.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("redacted"));
        }
        f.debug_struct("ProxySettings")
            .field("url", &shown.as_str())
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl BackendTls {
    /// The reqwest client with these TLS settings.
    pub(super) fn apply(
        &self,
        mut b: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, String> {
        if let Some(pem) = &self.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| format!("the backend CA bundle is not PEM certificates: {e}"))?;
            b = if self.add_system_roots {
                b.tls_certs_merge(certs)
            } else {
                b.tls_certs_only(certs)
            };
        }
        if let Some(pem) = &self.client_identity_pem {
            let id = reqwest::Identity::from_pem(pem).map_err(|e| {
                format!("the client certificate and key are not a usable PEM pair: {e}")
            })?;
            b = b.identity(id);
        }
        if self.insecure_skip_verify {
            b = b.tls_danger_accept_invalid_certs(true);
        }
        Ok(b)
    }
}

/// When a backend's circuit opens and how it closes again. Failures are connection errors,
/// timeouts, HTTP 5xx that are not SOAP faults and unreadable answers; a SOAP fault is a
/// correct answer and never counts.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerSettings {
    pub enabled: bool,
    /// Open after this many failures in a row.
    pub consecutive_failures: u32,
    /// Or open when at least this share of the calls in `window` failed...
    pub failure_rate: f64,
    /// ...once the window holds at least this many calls.
    pub min_calls: u32,
    pub window: Duration,
    /// How long the circuit stays open before probe calls are let through.
    pub open_for: Duration,
    /// Probe calls let through at once while half-open; this many successes close it.
    pub probes: u32,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            consecutive_failures: 5,
            failure_rate: 0.5,
            min_calls: 20,
            window: Duration::from_secs(10),
            open_for: Duration::from_secs(5),
            probes: 3,
        }
    }
}

/// Backoff and the retry budget (Finagle/Envoy style: retries stay a small share of calls,
/// so retrying cannot multiply the load on a backend that is already failing).
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySettings {
    /// The first backoff; each retry doubles it, up to `max_backoff`, with full jitter.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Retries as a share of calls over `budget_window` (0.2: one retry per five calls)...
    pub budget_ratio: f32,
    /// ...plus this many retries per second whatever the traffic (so a quiet backend can be
    /// retried at all).
    pub budget_min_per_second: u32,
    /// Between 1 s and 60 s.
    pub budget_window: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(1),
            budget_ratio: 0.2,
            budget_min_per_second: 3,
            budget_window: Duration::from_secs(10),
        }
    }
}

impl std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("name", &self.name)
            .field("endpoint", &self.endpoint.as_str())
            .field("soap_version", &self.soap_version)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("queue_timeout", &self.queue_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_concurrency", &self.max_concurrency)
            .field("retries", &self.retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("stream_threshold", &self.stream_threshold)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|(u, _)| (u, "<redacted>")),
            )
            .field("breaker", &self.breaker)
            .field("retry", &self.retry)
            .field("tls", &self.tls)
            .field("proxy", &self.proxy)
            .finish()
    }
}

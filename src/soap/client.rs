//! The backend client: one pooled reqwest client per backend, a concurrency limit, a
//! timeout that covers the whole exchange, and retries only where nothing was sent.
//!
//! ```text
//! envelope ──permit (max_concurrency, waits)──> POST endpoint (SOAPAction | action=)
//!          ──> status, content type, body (size-limited) | CallError
//! ```
//!
//! Single-threaded SOAP servers (PHP's built-in server, wsgiref, SOAP::Lite's daemon) serve
//! one connection at a time; with `max_concurrency: 1` the bridge queues calls instead of
//! opening parallel connections that would hang.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::Semaphore;

use crate::mapping::Backend;
use crate::wsdl::SoapVersion;

/// Why a call produced no response to read.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("cannot connect to {endpoint}: {reason}")]
    Connect { endpoint: String, reason: String },
    #[error("no complete answer from {endpoint} within {}", humantime::format_duration(*timeout))]
    Timeout { endpoint: String, timeout: Duration },
    #[error("the answer from {endpoint} is larger than {limit} bytes")]
    TooLarge { endpoint: String, limit: usize },
    #[error("the exchange with {endpoint} failed: {reason}")]
    Transport { endpoint: String, reason: String },
}

/// What the backend answered.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
    pub elapsed: Duration,
}

/// The charset parameter of a Content-Type value.
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"'))
    })
}

/// A short, precise description of a transport error (the cause chain, not Debug output).
pub fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

/// A backend's HTTP client.
pub struct SoapClient {
    http: reqwest::Client,
    permits: Arc<Semaphore>,
    backend: Arc<Backend>,
}

impl std::fmt::Debug for SoapClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoapClient")
            .field("endpoint", &self.backend.endpoint.as_str())
            .finish()
    }
}

impl SoapClient {
    pub fn new(backend: Arc<Backend>) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(backend.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(backend.max_concurrency.min(32))
            .tcp_nodelay(true)
            .user_agent(concat!("soapbridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| describe_reqwest_error(&e))?;
        Ok(Self {
            http,
            permits: Arc::new(Semaphore::new(backend.max_concurrency)),
            backend,
        })
    }

    pub fn backend(&self) -> &Arc<Backend> {
        &self.backend
    }

    /// Sends `envelope` and reads the whole answer, within the backend's timeout (waiting
    /// for a free slot counts).
    pub async fn call(
        &self,
        soap_action: &str,
        envelope: String,
        request_id: &str,
    ) -> Result<RawResponse, CallError> {
        let b = &self.backend;
        let endpoint = b.endpoint.as_str().to_owned();
        let timeout = b.timeout;
        let started = Instant::now();
        let body = Bytes::from(envelope);
        let work = async {
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| CallError::Transport {
                    endpoint: endpoint.clone(),
                    reason: "the client is shutting down".into(),
                })?;
            let mut attempt = 0u32;
            loop {
                match self.send_once(soap_action, body.clone(), request_id).await {
                    Err(CallError::Connect { reason, .. }) if attempt < b.retries => {
                        attempt += 1;
                        tracing::warn!(
                            backend = %b.name,
                            attempt,
                            reason = %reason,
                            "Cannot connect to the backend; retrying."
                        );
                        tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                    }
                    other => return other,
                }
            }
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(Ok(mut r)) => {
                r.elapsed = started.elapsed();
                Ok(r)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(CallError::Timeout { endpoint, timeout }),
        }
    }

    async fn send_once(
        &self,
        soap_action: &str,
        body: Bytes,
        request_id: &str,
    ) -> Result<RawResponse, CallError> {
        let b = &self.backend;
        let endpoint = b.endpoint.as_str();
        let mut req = self.http.post(b.endpoint.clone());
        req = match b.soap_version {
            SoapVersion::V11 => req
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", format!("\"{soap_action}\"")),
            SoapVersion::V12 => {
                let ct = if soap_action.is_empty() {
                    "application/soap+xml; charset=utf-8".to_owned()
                } else {
                    format!("application/soap+xml; charset=utf-8; action=\"{soap_action}\"")
                };
                req.header("Content-Type", ct)
            }
        };
        req = req
            .header("Accept", "text/xml, application/soap+xml, */*;q=0.1")
            .header("X-Request-Id", request_id);
        for (k, v) in &b.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some((u, p)) = &b.basic_auth {
            req = req.basic_auth(u, Some(p));
        }
        let resp = req
            .body(body)
            .send()
            .await
            .map_err(|e| classify(endpoint, &e))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(len) = resp.content_length()
            && len > b.max_response_bytes as u64
        {
            return Err(CallError::TooLarge {
                endpoint: endpoint.to_owned(),
                limit: b.max_response_bytes,
            });
        }
        let mut resp = resp;
        let mut buf: Vec<u8> = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| classify(endpoint, &e))? {
            if buf.len() + chunk.len() > b.max_response_bytes {
                return Err(CallError::TooLarge {
                    endpoint: endpoint.to_owned(),
                    limit: b.max_response_bytes,
                });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            content_type,
            body: Bytes::from(buf),
            elapsed: Duration::ZERO,
        })
    }
}

fn classify(endpoint: &str, e: &reqwest::Error) -> CallError {
    let reason = describe_reqwest_error(e);
    if e.is_connect() {
        CallError::Connect {
            endpoint: endpoint.to_owned(),
            reason,
        }
    } else if e.is_timeout() {
        CallError::Timeout {
            endpoint: endpoint.to_owned(),
            timeout: Duration::ZERO,
        }
    } else {
        CallError::Transport {
            endpoint: endpoint.to_owned(),
            reason,
        }
    }
}

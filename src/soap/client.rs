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
//! opening parallel connections that would hang, and opens one connection per call
//! (`Connection: close`, no idle pool): an idle kept-alive connection would lock other
//! clients out of such a server, and a server that closes after each answer without saying
//! so (SOAP::Lite's daemon) would have its closing connection reused.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::Semaphore;

use crate::net::describe_reqwest_error;
use crate::wsdl::SoapVersion;

/// How to reach one backend: the client's own settings, built by the mapping compiler (so
/// this floor does not depend on the mapping model). `Debug` leaves secrets out.
#[derive(Clone)]
pub struct ClientSettings {
    /// The backend's name, for logs.
    pub name: String,
    pub endpoint: url::Url,
    pub soap_version: SoapVersion,
    /// Covers the whole exchange, waiting for a free slot included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Requests in flight to this backend at most; more wait their turn.
    pub max_concurrency: usize,
    /// Attempts after a failure to connect (the request was not sent, so it is safe).
    pub retries: u32,
    pub max_response_bytes: usize,
    /// Extra HTTP headers sent with every call.
    pub headers: Vec<(String, String)>,
    pub basic_auth: Option<(String, String)>,
}

impl std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("name", &self.name)
            .field("endpoint", &self.endpoint.as_str())
            .field("soap_version", &self.soap_version)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_concurrency", &self.max_concurrency)
            .field("retries", &self.retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|(u, _)| (u, "<redacted>")),
            )
            .finish()
    }
}

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

/// A backend's HTTP client.
pub struct SoapClient {
    http: reqwest::Client,
    permits: Arc<Semaphore>,
    backend: ClientSettings,
}

impl std::fmt::Debug for SoapClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoapClient")
            .field("endpoint", &self.backend.endpoint.as_str())
            .finish()
    }
}

impl SoapClient {
    pub fn new(backend: ClientSettings) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let idle = if one_at_a_time(&backend) {
            0
        } else {
            backend.max_concurrency.min(32)
        };
        let http = reqwest::Client::builder()
            .connect_timeout(backend.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(idle)
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

    pub fn settings(&self) -> &ClientSettings {
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
        if one_at_a_time(b) {
            req = req.header("Connection", "close");
        }
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

/// A backend that takes one call at a time (`max_concurrency: 1`): a single-threaded server,
/// which gets a fresh connection for every call.
fn one_at_a_time(b: &ClientSettings) -> bool {
    b.max_concurrency == 1
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

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Mutex;

    use super::*;

    /// Reads one request (head and announced body); `None` at the end of the connection.
    fn read_request(conn: &mut TcpStream) -> Option<String> {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            match conn.read(&mut byte) {
                Ok(1) => buf.push(byte[0]),
                _ => return None,
            }
        }
        let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
        let len = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        conn.read_exact(&mut body).ok()?;
        Some(head)
    }

    /// A single-threaded server answering like SOAP::Lite's daemon (HTTP/1.1, no
    /// `Connection` header, the recorded answer), one connection at a time. `keep_alive`:
    /// serve the connection until the client closes it (the daemon as shipped); otherwise
    /// close it after one answer, unannounced (the daemon with `force_last_request`).
    /// Returns its URL and, per connection accepted, the request heads read on it.
    fn soaplite_like(keep_alive: bool) -> (url::Url, Arc<Mutex<Vec<Vec<String>>>>) {
        let body =
            include_str!("../../tests/fixtures/interop/soaplite/EchoScalars.soap11.response.xml");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = url::Url::parse(&format!(
            "http://{}/CustomerService",
            listener.local_addr().expect("address")
        ))
        .expect("url");
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = log.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { return };
                let mut heads = Vec::new();
                while let Some(head) = read_request(&mut conn) {
                    let closes = head.contains("\r\nconnection: close");
                    heads.push(head);
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/xml; \
                         charset=utf-8\r\nSOAPServer: SOAP::Lite/Perl/1.27\r\n\r\n{body}",
                        body.len()
                    );
                    if conn.write_all(answer.as_bytes()).is_err() || !keep_alive || closes {
                        break;
                    }
                }
                seen.lock().expect("lock").push(heads);
            }
        });
        (url, log)
    }

    fn settings(endpoint: url::Url, max_concurrency: usize) -> ClientSettings {
        ClientSettings {
            name: "soaplite".into(),
            endpoint,
            soap_version: SoapVersion::V11,
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(1),
            max_concurrency,
            retries: 0,
            max_response_bytes: 1 << 20,
            headers: Vec::new(),
            basic_auth: None,
        }
    }

    async fn calls(client: &Arc<SoapClient>, n: usize) -> Vec<Result<u16, String>> {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let c = client.clone();
                tokio::spawn(async move {
                    c.call(
                        "http://example.com/interop/customer#EchoScalars",
                        "<x/>".into(),
                        "rid",
                    )
                    .await
                    .map(|r| r.status)
                    .map_err(|e| e.to_string())
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap_or_else(|e| Err(e.to_string())));
        }
        out
    }

    #[test]
    fn debug_output_leaves_secrets_out() {
        let mut s = settings(url::Url::parse("http://127.0.0.1:1/x").expect("url"), 1);
        s.basic_auth = Some(("svc".into(), "s3cret-pw".into()));
        s.headers = vec![("X-Api-Key".into(), "s3cret-key".into())];
        let text = format!("{s:?}");
        assert!(text.contains("svc") && text.contains("X-Api-Key"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[tokio::test]
    async fn one_at_a_time_backend_never_holds_a_connection_open() {
        // The daemon as shipped serves one keep-alive connection until its client closes
        // it; a connection the bridge kept would lock every other client out.
        const N: usize = 20;
        let (url, log) = soaplite_like(true);
        let client = Arc::new(SoapClient::new(settings(url, 1)).expect("client"));
        let results = calls(&client, N).await;
        assert!(results.iter().all(|r| r == &Ok(200)), "{results:?}");
        let log = log.lock().expect("lock");
        assert_eq!(log.len(), N, "one connection per call: {log:?}");
        assert!(
            log.iter()
                .all(|heads| heads.len() == 1 && heads[0].contains("\r\nconnection: close")),
            "{log:?}"
        );
    }

    #[tokio::test]
    async fn one_at_a_time_backend_that_closes_unannounced_never_fails() {
        // With `force_last_request` the daemon closes after each answer without saying so;
        // a pooled connection would be reused as it closes.
        const N: usize = 200;
        let (url, log) = soaplite_like(false);
        let client = Arc::new(SoapClient::new(settings(url, 1)).expect("client"));
        let results = calls(&client, N).await;
        let failed: Vec<_> = results.iter().filter(|r| r != &&Ok(200)).collect();
        assert!(
            failed.is_empty(),
            "{} of {N} failed: {:?}",
            failed.len(),
            failed[0]
        );
        assert_eq!(log.lock().expect("lock").len(), N);
    }
}

//! The backend client: pooled reqwest clients per backend (one per server thread, see
//! [`ThreadClients`]), a concurrency limit (the bulkhead) and single exchanges with a
//! timeout. Retries, deadlines and the circuit breaker
//! are the call pipeline's (`gateway::call`), which knows whether a route is idempotent.
//!
//! ```text
//! envelope ──permit (max_concurrency, waits)──> attempt: POST endpoint (SOAPAction | action=)
//!          ──> status, content type, body (size-limited) | CallError
//! ```
//!
//! Single-threaded SOAP servers (PHP's built-in server, wsgiref, SOAP::Lite's daemon) serve
//! one connection at a time; with `max_concurrency: 1` the bridge queues calls instead of
//! opening parallel connections that would hang, and opens one connection per call
//! (`Connection: close`, no idle pool): an idle kept-alive connection would lock other
//! clients out of such a server, and a server that closes after each answer without saying
//! so (SOAP::Lite's daemon) would have its closing connection reused.
//!
//! May import `net`, `tls`, `wsdl` (the SOAP version); never `mapping` or `gateway`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::budget::{MemoryBudget, Reservation};
use crate::net::describe_reqwest_error;
use crate::wsdl::SoapVersion;

mod settings;
pub use settings::*;

/// Why a call produced no response to read. `Display` is the full story, for the log (the
/// endpoint without its userinfo, the transport's cause chain); [`CallError::summary`] is
/// the short sentence a caller sees.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("cannot connect to {endpoint}: {reason}")]
    Connect {
        endpoint: String,
        reason: String,
        summary: &'static str,
    },
    #[error("no complete answer from {endpoint} within {}", humantime::format_duration(*timeout))]
    Timeout { endpoint: String, timeout: Duration },
    #[error("the answer from {endpoint} is larger than {limit} bytes")]
    TooLarge { endpoint: String, limit: usize },
    #[error("the memory budget for answers ({budget} bytes) is spent")]
    OverBudget { budget: usize },
    #[error("the exchange with {endpoint} failed: {reason}")]
    Transport {
        endpoint: String,
        reason: String,
        summary: &'static str,
    },
}

impl CallError {
    /// What a caller is told about the failed call to `backend`: stable wording, no
    /// endpoint, no library internals.
    pub fn summary(&self, backend: &str) -> String {
        match self {
            CallError::Connect { summary, .. } => {
                format!("cannot connect to the backend `{backend}`: {summary}")
            }
            CallError::Transport { summary, .. } => {
                format!("the exchange with the backend `{backend}` failed: {summary}")
            }
            CallError::Timeout { timeout, .. } => format!(
                "the backend `{backend}` gave no complete answer within {}",
                humantime::format_duration(*timeout)
            ),
            CallError::TooLarge { limit, .. } => format!(
                "the answer of the backend `{backend}` is larger than {limit} bytes (max_response_size)"
            ),
            CallError::OverBudget { budget } => format!(
                "soapbridge holds as many answer bytes as its memory budget allows ({} MiB); try again shortly",
                budget >> 20
            ),
        }
    }
}

/// What the backend answered.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub content_type: Option<String>,
    /// The whole answer, or its first part when `rest` is set.
    pub body: Bytes,
    /// The rest of an answer larger than the streaming threshold, still arriving.
    pub rest: Option<Rest>,
    /// The memory budget held for `body`.
    pub reservation: Reservation,
    pub elapsed: Duration,
}

impl RawResponse {
    /// A whole answer held outside any budget (tests, tools).
    pub fn whole(status: u16, content_type: Option<String>, body: Bytes) -> Self {
        Self {
            status,
            content_type,
            body,
            rest: None,
            reservation: Reservation::none(),
            elapsed: Duration::ZERO,
        }
    }
}

/// The part of an answer still to arrive.
pub struct Rest {
    resp: reqwest::Response,
    endpoint: String,
    raw_endpoint: String,
    /// The longest pause between two pieces.
    pub idle_timeout: Duration,
    /// Bytes still allowed (`max_response_size` less what was read); `None`: no cap.
    left: Option<usize>,
    limit: usize,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

impl Rest {
    /// The next piece, `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, CallError> {
        let next = tokio::time::timeout(self.idle_timeout, self.resp.chunk()).await;
        let chunk = match next {
            Err(_) => {
                return Err(CallError::Timeout {
                    endpoint: self.endpoint.clone(),
                    timeout: self.idle_timeout,
                });
            }
            Ok(r) => r.map_err(|e| classify(&self.raw_endpoint, &self.endpoint, &e))?,
        };
        if let (Some(c), Some(left)) = (&chunk, &mut self.left) {
            if c.len() > *left {
                return Err(CallError::TooLarge {
                    endpoint: self.endpoint.clone(),
                    limit: self.limit,
                });
            }
            *left -= c.len();
        }
        Ok(chunk)
    }
}

/// A backend's HTTP client.
pub struct SoapClient {
    http: ThreadClients,
    /// The endpoint as errors and logs show it (no userinfo).
    endpoint_text: String,
    permits: Arc<Semaphore>,
    queued: AtomicUsize,
    backend: ClientSettings,
}

impl std::fmt::Debug for SoapClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoapClient")
            .field("endpoint", &self.endpoint_text)
            .finish()
    }
}

impl SoapClient {
    pub fn new(backend: ClientSettings) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        if backend.tls.insecure_skip_verify {
            tracing::warn!(
                backend = %backend.name,
                endpoint = %crate::net::redact_url(&backend.endpoint),
                "TLS verification is OFF for this backend (insecure_skip_verify): anyone on the path can read and change its calls. Use it only on test systems."
            );
        }
        let http = ThreadClients::new(server_threads(), || http_client(&backend))?;
        Ok(Self {
            http,
            endpoint_text: crate::net::redact_url(&backend.endpoint),
            permits: Arc::new(Semaphore::new(backend.max_concurrency)),
            queued: AtomicUsize::new(0),
            backend,
        })
    }

    pub fn settings(&self) -> &ClientSettings {
        &self.backend
    }

    /// The endpoint as logs, traces and errors show it (no userinfo).
    pub fn endpoint_text(&self) -> &str {
        &self.endpoint_text
    }

    /// Waits for a free slot (`max_concurrency`); the slot is held until the permit drops.
    /// The caller bounds the wait (a full bulkhead must end in a refusal, not a pile-up).
    pub async fn permit(&self) -> Result<OwnedSemaphorePermit, CallError> {
        self.queued.fetch_add(1, Ordering::Relaxed);
        let permit = self.permits.clone().acquire_owned().await;
        self.queued.fetch_sub(1, Ordering::Relaxed);
        permit.map_err(|_| CallError::Transport {
            endpoint: self.endpoint_text.clone(),
            reason: "the client is shutting down".into(),
            summary: "soapbridge is shutting down",
        })
    }

    /// Calls holding a slot now.
    pub fn in_flight(&self) -> usize {
        self.backend.max_concurrency - self.permits.available_permits()
    }

    /// Calls waiting for a slot now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// One exchange: sends `body` and reads the whole answer within `timeout`. The caller
    /// holds a [`permit`](Self::permit) and decides about retries.
    #[allow(clippy::too_many_arguments)]
    pub async fn attempt(
        &self,
        soap_action: &str,
        body: &RequestBody,
        request_id: &str,
        timeout: Duration,
        extra_headers: &[(&'static str, String)],
        read: ReadPlan<'_>,
    ) -> Result<RawResponse, CallError> {
        let started = Instant::now();
        match tokio::time::timeout(
            timeout,
            self.send_once(soap_action, body, request_id, extra_headers, read),
        )
        .await
        {
            Ok(Ok(mut r)) => {
                r.elapsed = started.elapsed();
                Ok(r)
            }
            Ok(Err(CallError::Timeout { endpoint, .. })) => {
                Err(CallError::Timeout { endpoint, timeout })
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(CallError::Timeout {
                endpoint: self.endpoint_text.clone(),
                timeout,
            }),
        }
    }

    /// Waits its turn, then makes one exchange, all within the backend's timeout; no retry.
    pub async fn call(
        &self,
        soap_action: &str,
        envelope: String,
        request_id: &str,
    ) -> Result<RawResponse, CallError> {
        let timeout = self.backend.timeout;
        let started = Instant::now();
        let endpoint = || self.endpoint_text.clone();
        let _permit = tokio::time::timeout(timeout, self.permit())
            .await
            .map_err(|_| CallError::Timeout {
                endpoint: endpoint(),
                timeout,
            })??;
        let left = timeout.saturating_sub(started.elapsed());
        let read = ReadPlan {
            budget: None,
            stream: false,
        };
        self.attempt(
            soap_action,
            &RequestBody::soap(envelope),
            request_id,
            left,
            &[],
            read,
        )
        .await
        .map_err(|e| match e {
            CallError::Timeout { endpoint, .. } => CallError::Timeout { endpoint, timeout },
            other => other,
        })
    }

    async fn send_once(
        &self,
        soap_action: &str,
        body: &RequestBody,
        request_id: &str,
        extra_headers: &[(&'static str, String)],
        read: ReadPlan<'_>,
    ) -> Result<RawResponse, CallError> {
        let b = &self.backend;
        let endpoint = self.endpoint_text.as_str();
        let mut reservation = match read.budget {
            Some(budget) => budget
                .reserve()
                .await
                .map_err(|e| CallError::OverBudget { budget: e.budget })?,
            None => Reservation::none(),
        };
        let mut req = self.http.get().post(b.endpoint.clone());
        // Header names and fixed values as constants: parsing a name such as `SOAPAction`
        // from text allocates it again on every call.
        const SOAP_ACTION: HeaderName = HeaderName::from_static("soapaction");
        const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
        let action = || format!("\"{soap_action}\"");
        req = match (b.soap_version, &body.multipart) {
            // An MTOM package names the SOAP 1.2 action in its own Content-Type.
            (SoapVersion::V11, Some(ct)) => req
                .header(CONTENT_TYPE, ct.as_str())
                .header(SOAP_ACTION, action()),
            (SoapVersion::V12, Some(ct)) => req.header(CONTENT_TYPE, ct.as_str()),
            (SoapVersion::V11, None) => req
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/xml; charset=utf-8"),
                )
                .header(SOAP_ACTION, action()),
            (SoapVersion::V12, None) => {
                let ct = if soap_action.is_empty() {
                    "application/soap+xml; charset=utf-8".to_owned()
                } else {
                    format!("application/soap+xml; charset=utf-8; action=\"{soap_action}\"")
                };
                req.header(CONTENT_TYPE, ct)
            }
        };
        req = req
            .header(
                ACCEPT,
                HeaderValue::from_static(if b.mtom {
                    // Stacks such as JAX-WS answer MTOM only to a caller that names it.
                    "application/xop+xml, text/xml, application/soap+xml, */*;q=0.1"
                } else {
                    "text/xml, application/soap+xml, */*;q=0.1"
                }),
            )
            .header(REQUEST_ID, request_id);
        if one_at_a_time(b) {
            req = req.header("Connection", "close");
        }
        for (k, v) in &b.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        for (k, v) in extra_headers {
            req = req.header(*k, v.as_str());
        }
        if let Some((u, p)) = &b.basic_auth {
            req = req.basic_auth(u, Some(p));
        }
        let resp = req
            .body(body.bytes.clone())
            .send()
            .await
            .map_err(|e| classify(b.endpoint.as_str(), endpoint, &e))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // A multipart (MTOM) answer is read whole: its root part points at parts after it.
        let may_stream = read.stream
            && !content_type
                .as_deref()
                .is_some_and(super::mtom::is_multipart);
        // A hard cap, or for an answer that cannot stream, the buffered maximum.
        let cap = match (b.max_response_bytes, may_stream) {
            (Some(n), _) => Some(n),
            (None, true) => None,
            (None, false) => Some(BUFFERED_MAX),
        };
        let too_large = |limit: usize| CallError::TooLarge {
            endpoint: endpoint.to_owned(),
            limit,
        };
        if let (Some(len), Some(cap)) = (resp.content_length(), cap)
            && len > cap as u64
        {
            return Err(too_large(cap));
        }
        // The length the backend announces sizes the buffer once, instead of doubling and
        // copying it as the answer arrives; never beyond what is read before streaming
        // starts, nor beyond the buffered maximum (the length is the backend's claim).
        let keep = if may_stream {
            b.stream_threshold
        } else {
            cap.unwrap_or(BUFFERED_MAX)
        }
        .min(BUFFERED_MAX);
        let announced = resp.content_length().unwrap_or(0);
        let want = announced.min(keep as u64) as usize;
        // An answer that arrives in one chunk (most small ones) is kept as that chunk, not
        // copied; `buf` gathers the chunks of any longer one.
        let mut only: Option<Bytes> = None;
        let mut buf: Vec<u8> = Vec::new();
        let mut resp = resp;
        loop {
            let Some(chunk) = resp
                .chunk()
                .await
                .map_err(|e| classify(b.endpoint.as_str(), endpoint, &e))?
            else {
                break;
            };
            let len = only.as_ref().map_or(buf.len(), Bytes::len) + chunk.len();
            if let Some(cap) = cap
                && len > cap
            {
                return Err(too_large(cap));
            }
            // Past the threshold, or past what the budget can hold: the rest streams.
            let streams = may_stream
                && (len > b.stream_threshold
                    || (read.budget.is_some() && !reservation.try_grow(len)));
            if !streams && read.budget.is_some() && !reservation.try_grow(len) {
                return Err(CallError::OverBudget {
                    budget: read.budget.map_or(0, MemoryBudget::total),
                });
            }
            if only.is_none() && buf.is_empty() && !streams {
                only = Some(chunk);
                continue;
            }
            if buf.is_empty() {
                buf.reserve(want.max(len));
            }
            if let Some(first) = only.take() {
                buf.extend_from_slice(&first);
            }
            buf.extend_from_slice(&chunk);
            if streams {
                // The reservation keeps covering the part read so far until the stream
                // ends (the decoder goes through it as the rest arrives).
                return Ok(RawResponse {
                    status,
                    content_type,
                    body: Bytes::from(buf),
                    rest: Some(Rest {
                        resp,
                        endpoint: endpoint.to_owned(),
                        raw_endpoint: b.endpoint.as_str().to_owned(),
                        idle_timeout: b.timeout,
                        left: cap.map(|c| c - len),
                        limit: cap.unwrap_or(usize::MAX),
                    }),
                    reservation,
                    elapsed: Duration::ZERO,
                });
            }
        }
        Ok(RawResponse {
            status,
            content_type,
            body: only.unwrap_or_else(|| Bytes::from(buf)),
            rest: None,
            reservation,
            elapsed: Duration::ZERO,
        })
    }
}

/// What an attempt sends: the envelope as plain SOAP, or an MTOM package.
#[derive(Debug, Clone)]
pub struct RequestBody {
    pub bytes: Bytes,
    /// The `multipart/related` Content-Type of an MTOM request (`None`: plain SOAP).
    pub multipart: Option<String>,
}

impl RequestBody {
    /// A plain SOAP envelope.
    pub fn soap(envelope: String) -> Self {
        Self {
            bytes: Bytes::from(envelope),
            multipart: None,
        }
    }
}

/// How an attempt reads the answer: within which memory budget, and whether its rest may
/// stream past the threshold.
#[derive(Clone, Copy, Default)]
pub struct ReadPlan<'b> {
    pub budget: Option<&'b MemoryBudget>,
    pub stream: bool,
}

/// One pooled reqwest client with the backend's settings.
fn http_client(backend: &ClientSettings) -> Result<reqwest::Client, String> {
    // As many idle connections as calls may run at once: a smaller pool closes and
    // reopens connections under steady load (a tenth of the calls at 64 in flight).
    let idle = if one_at_a_time(backend) {
        0
    } else {
        backend.max_concurrency
    };
    let mut builder = reqwest::Client::builder()
        .connect_timeout(backend.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(idle)
        .tcp_nodelay(true)
        .tls_sni(true)
        .user_agent(concat!("soapbridge/", env!("CARGO_PKG_VERSION")))
        // The gateway decides about retries (idempotency, budget, backoff, the circuit) and
        // counts and traces each attempt: reqwest's own retry of HTTP/2 refusals is turned
        // off, and those refusals come back as nothing-sent errors the gateway may retry
        // (see `classify`). Its retry layer also copied every request's headers in case.
        .retry(no_retries());
    builder = backend.tls.apply(builder)?;
    if let Some(p) = &backend.proxy {
        let proxy = reqwest::Proxy::all(p.url.as_str())
            .map_err(|e| format!("proxy: {}", describe_reqwest_error(&e)))?
            .no_proxy(reqwest::NoProxy::from_string(&p.no_proxy.join(",")));
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(|e| describe_reqwest_error(&e))
}

/// A backend's reqwest clients, one per server thread. hyper drives each pooled connection
/// on the runtime that opened it; actix runs one single-threaded runtime per worker, so a
/// pool shared by all workers would answer most calls on another thread than the one that
/// asked (a wake-up and a context switch per call, as measured under load). Each thread
/// keeps to the client of its slot; the semaphore still bounds calls across all of them.
/// Threads beyond the count share clients, which stays correct.
struct ThreadClients<C = reqwest::Client>(Box<[C]>);

impl<C> ThreadClients<C> {
    fn new(count: usize, build: impl Fn() -> Result<C, String>) -> Result<Self, String> {
        let all = (0..count.max(1))
            .map(|_| build())
            .collect::<Result<_, _>>()?;
        Ok(Self(all))
    }

    /// The calling thread's client.
    fn get(&self) -> &C {
        &self.0[thread_slot() % self.0.len()]
    }
}

/// The server's worker threads, fixed once for the process: by `--workers` at start-up, or
/// else, the first time it is asked, one per CPU the process may use (actix's own default).
/// Fixed, so that clients built on a later reload match the workers the server started
/// with even if the container's CPU limit changed meanwhile, and the cgroup files are read
/// once.
static SERVER_THREADS: OnceLock<usize> = OnceLock::new();

/// Sets how many server threads call backends: every client has one pooled client per
/// thread, and the server runs as many workers (see [`server_threads`]). Call it before
/// anything asks; once the count is fixed it cannot change, and the fixed count is the
/// error.
pub fn set_server_threads(n: usize) -> Result<(), usize> {
    SERVER_THREADS.set(n).map_err(|_| server_threads())
}

/// How many worker threads the server runs, and so how many clients each backend has.
pub fn server_threads() -> usize {
    *SERVER_THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The calling thread's number: threads are numbered in the order they first ask, so the
/// server's workers, which all call early, take consecutive numbers.
fn thread_slot() -> usize {
    static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SLOT: usize = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
    }
    SLOT.with(|s| *s)
}

/// A backend that takes one call at a time (`max_concurrency: 1`): a single-threaded server,
/// which gets a fresh connection for every call.
fn one_at_a_time(b: &ClientSettings) -> bool {
    b.max_concurrency == 1
}

/// `raw` is the endpoint as configured, `endpoint` as it may be shown: reqwest's message
/// names the URL, userinfo included, so it is replaced.
fn classify(raw: &str, endpoint: &str, e: &reqwest::Error) -> CallError {
    let reason = describe_reqwest_error(e).replace(raw, endpoint);
    let summary = crate::net::transport_summary(e);
    if e.is_connect() || refused_unread(e) {
        CallError::Connect {
            endpoint: endpoint.to_owned(),
            reason,
            summary,
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
            summary,
        }
    }
}

/// reqwest's retry policy that never retries, nor copies a request in case it might.
fn no_retries() -> reqwest::retry::Builder {
    reqwest::retry::never().max_retries_per_request(0)
}

/// An HTTP/2 refusal that guarantees the request was not processed: the stream refused
/// (`REFUSED_STREAM`), or the connection shut down gracefully (`GOAWAY` with `NO_ERROR`)
/// before the stream was taken (RFC 9113, 8.7). Like a failed connect, it may be retried.
fn refused_unread(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(h2) = s.downcast_ref::<h2::Error>() {
            let reason = h2.reason();
            return h2.is_remote()
                && ((h2.is_reset() && reason == Some(h2::Reason::REFUSED_STREAM))
                    || (h2.is_go_away() && reason == Some(h2::Reason::NO_ERROR)));
        }
        source = s.source();
    }
    false
}

#[cfg(test)]
mod tests;

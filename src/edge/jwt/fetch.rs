//! Getting the issuer's key set and keeping it current: the start-up load, the background
//! refresh of a JWKS URL (on `Cache-Control: max-age`, else `refresh`), and the re-fetch a
//! token with an unknown `kid` triggers (at most one per `min_refetch_interval`).
//!
//! ```text
//! start-up ──load──> KeySet (generation 1) ──ArcSwap──> verify
//! refresh task: sleep(max-age | refresh) ──load──> changed? swap (generation + 1)
//! unknown kid: lock ─ someone else swapped meanwhile? done ─ fetched on demand within
//!              min_refetch_interval? refuse ─ else load and swap
//! ```
//!
//! Written by hand because it is glue: reqwest does HTTP, jsonwebtoken reads the keys,
//! arc-swap publishes them; what is left is when to fetch and what to keep on failure
//! (the last good set: stale keys beat none).
//!
//! May import: tls, net.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use jsonwebtoken::Algorithm;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::keys::{KeySet, MAX_JWKS_BYTES};
use super::settings::JwksSource;
use crate::net::describe_reqwest_error;

/// The longest a refresh waits, whatever `max-age` says.
const MAX_REFRESH: Duration = Duration::from_secs(24 * 60 * 60);

/// The key set of one issuer and how to fetch it again.
pub(crate) struct KeySource {
    pub(crate) keys: ArcSwap<KeySet>,
    source: JwksSource,
    allowed: Vec<Algorithm>,
    http: Option<reqwest::Client>,
    min_refetch_interval: Duration,
    /// Held for every fetch, so that fetches never overlap; holds the time of the last
    /// fetch caused by an unknown `kid`.
    fetching: Mutex<Option<Instant>>,
}

impl KeySource {
    /// Loads the key set once; an error says what to fix.
    pub(crate) async fn start(
        source: JwksSource,
        allowed: Vec<Algorithm>,
        fetch_timeout: Duration,
        min_refetch_interval: Duration,
    ) -> Result<(Self, Option<Duration>), String> {
        let http = match &source {
            JwksSource::File(_) => None,
            JwksSource::Url(_) => {
                crate::tls::install_crypto_provider();
                let client = reqwest::Client::builder()
                    .timeout(fetch_timeout)
                    .connect_timeout(fetch_timeout)
                    .user_agent(concat!("soapbridge/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| {
                        format!(
                            "jwks: cannot build the HTTP client: {}",
                            describe_reqwest_error(&e)
                        )
                    })?;
                Some(client)
            }
        };
        let (body, max_age) = read(&source, http.as_ref()).await?;
        let keys = parse(&source, &body, &allowed, 1)?;
        tracing::info!(jwks = %source, kids = ?keys.kids(), "loaded the token signing keys");
        let this = Self {
            keys: ArcSwap::from_pointee(keys),
            source,
            allowed,
            http,
            min_refetch_interval,
            fetching: Mutex::new(None),
        };
        Ok((this, max_age))
    }

    pub(crate) fn source(&self) -> &JwksSource {
        &self.source
    }

    /// Fetches again and swaps the set in if it changed; returns the answer's max-age.
    /// The caller holds `fetching`.
    async fn reload(&self) -> Result<Option<Duration>, String> {
        let (body, max_age) = read(&self.source, self.http.as_ref()).await?;
        let digest: [u8; 32] = Sha256::digest(&body).into();
        let current = self.keys.load();
        if current.digest == digest {
            return Ok(max_age);
        }
        let keys = parse(&self.source, &body, &self.allowed, current.generation + 1)?;
        tracing::info!(jwks = %self.source, kids = ?keys.kids(), "the token signing keys changed");
        self.keys.store(Arc::new(keys));
        Ok(max_age)
    }

    /// Fetches again because a token named a key the set (of `seen_generation`) lacks.
    /// True when the set changed since, so that the caller looks again.
    pub(crate) async fn refetch_for_unknown_kid(&self, seen_generation: u64) -> bool {
        let mut last = self.fetching.lock().await;
        if self.keys.load().generation != seen_generation {
            return true;
        }
        if last.is_some_and(|t| t.elapsed() < self.min_refetch_interval) {
            return false;
        }
        *last = Some(Instant::now());
        match self.reload().await {
            Ok(_) => self.keys.load().generation != seen_generation,
            Err(e) => {
                tracing::warn!(jwks = %self.source, error = %e, "could not fetch the token signing keys again for an unknown key id; keeping the last good set");
                false
            }
        }
    }

    /// One background refresh; the delay until the next one.
    async fn refresh_once(&self, refresh: Duration, failures: &mut u32) -> Duration {
        let _turn = self.fetching.lock().await;
        match self.reload().await {
            Ok(max_age) => {
                *failures = 0;
                next_refresh(max_age, refresh, self.min_refetch_interval)
            }
            Err(e) => {
                *failures = failures.saturating_add(1);
                let wait = self
                    .min_refetch_interval
                    .saturating_mul(1 << (*failures - 1).min(16))
                    .min(refresh);
                tracing::warn!(jwks = %self.source, error = %e, retry_in = ?wait, "could not refresh the token signing keys; keeping the last good set");
                wait
            }
        }
    }
}

/// Aborts the background refresh when the verifier goes away.
pub(crate) struct RefreshTask(tokio::task::JoinHandle<()>);

impl Drop for RefreshTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts refreshing a URL source in the background (a file source is only read again on
/// an unknown `kid`). The task ends when the source is dropped.
pub(crate) fn spawn_refresh(
    source: &Arc<KeySource>,
    first_delay: Option<Duration>,
    refresh: Duration,
) -> Option<RefreshTask> {
    if !matches!(source.source, JwksSource::Url(_)) {
        return None;
    }
    let weak: Weak<KeySource> = Arc::downgrade(source);
    let mut delay = next_refresh(first_delay, refresh, source.min_refetch_interval);
    let handle = tokio::spawn(async move {
        let mut failures = 0;
        loop {
            tokio::time::sleep(delay).await;
            let Some(source) = weak.upgrade() else {
                return;
            };
            delay = source.refresh_once(refresh, &mut failures).await;
        }
    });
    Some(RefreshTask(handle))
}

/// The wait before the next refresh: the answer's max-age, else `refresh`; never less than
/// `min_refetch_interval` (a `max-age=0` must not turn into a busy loop), never more than a day.
fn next_refresh(max_age: Option<Duration>, refresh: Duration, min: Duration) -> Duration {
    max_age
        .unwrap_or(refresh)
        .min(MAX_REFRESH.max(refresh))
        .max(min)
}

fn parse(
    source: &JwksSource,
    body: &[u8],
    allowed: &[Algorithm],
    generation: u64,
) -> Result<KeySet, String> {
    let digest: [u8; 32] = Sha256::digest(body).into();
    let mut skipped = Vec::new();
    let keys = KeySet::parse(body, allowed, generation, digest, &mut skipped)
        .map_err(|e| format!("jwks {source}: {e}"))?;
    for why in &skipped {
        tracing::warn!(jwks = %source, "skipped a key of the key set: {why}");
    }
    Ok(keys)
}

/// The document and, for a URL, how long it stays fresh.
async fn read(
    source: &JwksSource,
    http: Option<&reqwest::Client>,
) -> Result<(Vec<u8>, Option<Duration>), String> {
    match (source, http) {
        (JwksSource::File(path), _) => {
            let body = tokio::fs::read(path).await.map_err(|e| {
                format!("jwks: cannot read the key set file {}: {e}", path.display())
            })?;
            Ok((body, None))
        }
        (JwksSource::Url(url), Some(http)) => fetch(source, url, http).await,
        (JwksSource::Url(_), None) => Err(format!("jwks {source}: no HTTP client")),
    }
}

async fn fetch(
    source: &JwksSource,
    url: &url::Url,
    http: &reqwest::Client,
) -> Result<(Vec<u8>, Option<Duration>), String> {
    let fail = |why: String| format!("jwks: cannot fetch the key set from {source}: {why}");
    let mut resp = http
        .get(url.clone())
        .header(
            reqwest::header::ACCEPT,
            "application/json, application/jwk-set+json",
        )
        .send()
        .await
        .map_err(|e| fail(describe_reqwest_error(&e)))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(fail(format!("the server answered HTTP {status}")));
    }
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
    {
        return Err(fail(format!(
            "the answer is larger than {MAX_JWKS_BYTES} bytes"
        )));
    }
    let headers = resp.headers();
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let max_age = header(reqwest::header::CACHE_CONTROL)
        .and_then(max_age)
        .map(|fresh| {
            let age = header(reqwest::header::AGE)
                .and_then(|a| a.trim().parse::<u64>().ok())
                .unwrap_or(0);
            fresh.saturating_sub(Duration::from_secs(age))
        });
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| fail(describe_reqwest_error(&e)))?
    {
        if body.len() + chunk.len() > MAX_JWKS_BYTES {
            return Err(fail(format!(
                "the answer is larger than {MAX_JWKS_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, max_age))
}

/// How long a response stays fresh by its Cache-Control value: `max-age`, or zero for
/// `no-cache` / `no-store`.
pub(crate) fn max_age(cache_control: &str) -> Option<Duration> {
    let mut found = None;
    for directive in cache_control.split(',') {
        let (name, value) = match directive.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim().trim_matches('"'))),
            None => (directive.trim(), None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return Some(Duration::ZERO);
        }
        if name.eq_ignore_ascii_case("max-age")
            && let Some(secs) = value.and_then(|v| v.parse::<u64>().ok())
        {
            found = Some(Duration::from_secs(secs));
        }
    }
    found
}

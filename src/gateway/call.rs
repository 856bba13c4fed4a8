//! The call stage: one request's exchanges with its backend, made safe for the backend.
//!
//! ```text
//! breaker open? ──> 503 backend-circuit-open + Retry-After (no connection attempted)
//! permit (bulkhead) before the deadline? ──no──> 503 backend-busy
//! attempt (per-attempt timeout ≤ time left) ──> read the answer ──> breaker outcome
//!    retry? connect failure: always (nothing was sent); timeout, broken exchange, 502/503/504
//!           without a SOAP fault: idempotent routes only; while attempts, budget and
//!           deadline allow; exponential backoff with full jitter
//! ```
//!
//! The deadline is one for the whole request: the backend's `timeout`, or the caller's
//! deadline when that is sooner; queueing for a permit, every attempt and every backoff
//! count against it. Each attempt is a client span whose context goes to the backend as
//! `traceparent`. May import `soap::client`, `metrics`, `telemetry`, and the gateway's own
//! modules.

use std::time::{Duration, Instant};

use tower::retry::budget::{Budget as _, TpsBudget};
use tracing::Instrument as _;

use super::breaker::{Breaker, State, Transition};
use super::problem::Problem;
use super::stream::{self, Streamed};
use super::{Body, Caller, Core, answer};
use crate::mapping::Route;
use std::borrow::Cow;
use std::sync::OnceLock;

use crate::metrics::{BackendSeries, CallSeries, Metrics};
use crate::soap::client::{CallError, ClientSettings, ReadPlan, RequestBody, SoapClient};
use crate::telemetry;
use crate::translate::Limits;
use crate::wsdl::Use;

/// What a backend's calls share beyond its client: the breaker, the retry budget and the
/// metric series its calls count in.
pub struct Guard {
    pub breaker: Breaker,
    budget: TpsBudget,
    /// The backend's series, created at its first call (so they show zero, not nothing)
    /// and then used without a lookup.
    series: OnceLock<BackendSeries>,
    /// Each operation's call series, by its index in the backend's binding.
    operations: Box<[OnceLock<CallSeries>]>,
}

impl Guard {
    /// `operations`: how many operations the backend's binding has.
    pub fn new(s: &ClientSettings, operations: usize) -> Self {
        let r = &s.retry;
        Self {
            breaker: Breaker::new(s.breaker.clone()),
            // TpsBudget panics outside these ranges; the mapping compiler refuses them, and
            // the clamp keeps a hand-built setting safe too.
            budget: TpsBudget::new(
                r.budget_window
                    .clamp(Duration::from_secs(1), Duration::from_secs(60)),
                r.budget_min_per_second.min(1_000_000),
                r.budget_ratio.clamp(0.0, 1000.0),
            ),
            series: OnceLock::new(),
            operations: (0..operations).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The backend's series, made at the first call.
    pub fn series(&self, metrics: &Metrics, backend: &str) -> &BackendSeries {
        self.series.get_or_init(|| {
            let s = BackendSeries::new(metrics, backend);
            s.circuit_state.set(self.breaker.state().gauge());
            s
        })
    }

    /// The call series of `route`'s operation, made at its first call.
    fn calls(&self, metrics: &Metrics, route: &Route) -> Cow<'_, CallSeries> {
        let make = || CallSeries::new(metrics, &route.backend.name, &route.operation().name);
        match self.operations.get(route.operation) {
            Some(slot) => Cow::Borrowed(slot.get_or_init(make)),
            // Not this guard's backend's operation: counted all the same, looked up.
            None => Cow::Owned(make()),
        }
    }
}

/// Why an attempt failed, for the retry decision and the breaker.
struct Verdict {
    result: Result<Body, Problem>,
    /// Counts as a failure for the breaker.
    failure: bool,
    retry: Retry,
    outcome: &'static str,
}

/// Whether another attempt may follow.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    Never,
    /// The request may have reached the backend: only an idempotent route is retried.
    IfIdempotent,
    /// Nothing reached the backend: any route may be retried.
    Always,
}

/// Calls the backend for one request and reads its answer: whole, or (past the backend's
/// streaming threshold) as a stream.
pub async fn call(
    core: &Core,
    route: &std::sync::Arc<Route>,
    client: &SoapClient,
    guard: &Guard,
    body: RequestBody,
    message_id: Option<&str>,
    caller: &Caller,
) -> Result<Body, Problem> {
    let metrics = &core.metrics;
    let limits = core.xml_limits;
    let settings = client.settings();
    let backend = &settings.name;
    let op = route.operation();
    let started = Instant::now();
    let deadline = match caller.deadline {
        Some(d) => d.min(started + settings.timeout),
        None => started + settings.timeout,
    };
    let series = guard.series(metrics, backend);
    let calls = guard.calls(metrics, route);
    // Refuse at once while the circuit is open, before queueing.
    if let Err(wait) = guard.breaker.check(started) {
        series.circuit_rejected.inc();
        calls.calls("circuit_open").inc();
        return Err(Problem::backend_circuit_open(backend, wait));
    }
    let permit = {
        let _queued = Gauged::new(&series.queued);
        let until = settings
            .queue_timeout
            .map_or(deadline, |q| deadline.min(started + q));
        tokio::time::timeout_at(until.into(), client.permit()).await
    };
    let permit = match permit {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return Err(Problem::backend_unavailable(e.to_string())),
        Err(_) => {
            calls.calls("busy").inc();
            return Err(Problem::backend_busy(backend, settings.max_concurrency));
        }
    };
    let _in_flight = Gauged::new(&series.in_flight);
    guard.budget.deposit();
    let idempotent = is_idempotent(route);
    let read = ReadPlan {
        budget: Some(&core.budget),
        stream: streamable(route),
    };
    let mut attempt = 0u32;
    loop {
        let now = Instant::now();
        let ticket = match guard.breaker.acquire(now) {
            Ok((t, tr)) => {
                note(series, backend, tr);
                t
            }
            Err(wait) => {
                series.circuit_rejected.inc();
                calls.calls("circuit_open").inc();
                return Err(Problem::backend_circuit_open(backend, wait));
            }
        };
        let left = deadline.saturating_duration_since(now);
        let per_attempt = settings.attempt_timeout.map_or(left, |t| t.min(left));
        let v = if per_attempt.is_zero() {
            Verdict {
                result: Err(Problem::backend_timeout(format!(
                    "no answer from {} within {}",
                    settings.endpoint,
                    humantime::format_duration(settings.timeout)
                ))),
                failure: false,
                retry: Retry::Never,
                outcome: "timeout",
            }
        } else {
            let span = tracing::info_span!(
                "attempt",
                otel.name = format!("SOAP {}", op.name),
                otel.kind = "client",
                server.address = settings.endpoint.host_str().unwrap_or(""),
                // Without userinfo, as OpenTelemetry's conventions ask.
                url.full = client.endpoint_text(),
                soapbridge.attempt = attempt + 1,
                http.response.status_code = tracing::field::Empty,
                otel.status_code = tracing::field::Empty,
            );
            let trace = telemetry::trace_headers(&span);
            let r = client
                .attempt(
                    &op.soap_action,
                    &body,
                    &caller.request_id,
                    per_attempt,
                    &trace,
                    read,
                )
                .instrument(span.clone())
                .await;
            match &r {
                Ok(raw) => {
                    span.record("http.response.status_code", raw.status);
                    if raw.status >= 500 {
                        span.record("otel.status_code", "ERROR");
                    }
                }
                Err(_) => {
                    span.record("otel.status_code", "ERROR");
                }
            }
            if let Ok(raw) = &r {
                calls.seconds.observe(raw.elapsed.as_secs_f64());
            }
            match r {
                Ok(raw) if raw.rest.is_some() => {
                    let status = raw.status;
                    // A streamed answer cannot be read twice: a lenient backend's is read
                    // leniently from the start.
                    let limits = Limits {
                        lenient: route.backend.lenient,
                        ..limits
                    };
                    let read =
                        stream::start(route, raw, limits, series, &caller.request_id, message_id)
                            .instrument(span)
                            .await
                            .map(|s| match s {
                                Streamed::Whole(json) => Body::Json(json),
                                Streamed::Stream(s) => Body::Stream(s),
                            });
                    judge_answer(status, read)
                }
                r => {
                    if let Err(CallError::OverBudget { .. }) = &r {
                        metrics.answer_memory_refused.inc();
                    }
                    judge(series, route, r, limits, message_id, per_attempt < left)
                }
            }
        };
        let tr = guard.breaker.record(ticket, v.failure, Instant::now());
        note(series, backend, tr);
        // A retry the circuit would refuse is not tried: the caller gets the real failure.
        let retryable = (v.retry == Retry::Always
            || (idempotent && v.retry == Retry::IfIdempotent))
            && guard.breaker.check(Instant::now()).is_ok();
        if retryable && attempt < settings.retries {
            let pause = backoff(&settings.retry, attempt);
            let time_left = deadline.saturating_duration_since(Instant::now());
            if pause < time_left && guard.budget.withdraw() {
                attempt += 1;
                let reason = v.outcome;
                series.retry(reason).inc();
                tracing::warn!(
                    attempt,
                    reason,
                    pause_ms = pause.as_millis() as u64,
                    "The backend call failed; retrying."
                );
                tokio::time::sleep(pause).await;
                continue;
            }
            if pause < time_left {
                tracing::info!("The retry budget is spent; not retrying.");
            }
        }
        calls.calls(v.outcome).inc();
        let mut result = v.result;
        // A streamed answer holds the backend's connection slot until the caller has it all.
        if let Ok(Body::Stream(s)) = &mut result {
            s.hold(permit);
        }
        return result;
    }
}

/// Whether an answer may stream: not a SOAP-encoded one (multiRef needs it whole), nor one
/// whose signature is checked (a signature covers the whole message).
fn streamable(route: &Route) -> bool {
    route.backend.verify_answers.is_none()
        && route
            .operation()
            .output
            .as_ref()
            .is_some_and(|m| m.use_ != Use::Encoded)
}

/// Idempotent routes may be retried after the request reached the backend: GET and HEAD
/// routes, or routes marked `idempotent: true`.
fn is_idempotent(route: &Route) -> bool {
    route.idempotent
}

/// The backoff before retry `attempt + 1`: exponential, capped, with full jitter.
fn backoff(r: &crate::soap::client::RetrySettings, attempt: u32) -> Duration {
    let base = r
        .backoff
        .saturating_mul(1u32 << attempt.min(16))
        .min(r.max_backoff);
    base.mul_f64(fastrand::f64())
}

fn judge(
    series: &BackendSeries,
    route: &Route,
    r: Result<crate::soap::client::RawResponse, CallError>,
    limits: Limits,
    message_id: Option<&str>,
    attempt_capped: bool,
) -> Verdict {
    match r {
        Err(e) => {
            // The caller gets a stable sentence; the log gets the endpoint and the chain.
            let text = e.summary(&route.backend.name);
            let cause = e.to_string();
            let (problem, failure, retry, outcome) = match e {
                CallError::Connect { .. } => (
                    Problem::backend_unavailable(text),
                    true,
                    Retry::Always,
                    "unavailable",
                ),
                CallError::Transport { .. } => (
                    Problem::backend_unavailable(text),
                    true,
                    Retry::IfIdempotent,
                    "unavailable",
                ),
                // Only a per-attempt timeout leaves time for another attempt.
                CallError::Timeout { .. } => (
                    Problem::backend_timeout(text),
                    true,
                    if attempt_capped {
                        Retry::IfIdempotent
                    } else {
                        Retry::Never
                    },
                    "timeout",
                ),
                CallError::TooLarge { .. } => (
                    Problem::backend_response_too_large(text),
                    false,
                    Retry::Never,
                    "invalid_response",
                ),
                // The bridge is short of memory, not the backend at fault.
                CallError::OverBudget { .. } => (
                    Problem::over_capacity(text),
                    false,
                    Retry::Never,
                    "over_capacity",
                ),
            };
            Verdict {
                result: Err(problem.cause(cause)),
                failure,
                retry,
                outcome,
            }
        }
        Ok(raw) => {
            let mut result = answer::read_answer(route, &raw, limits, message_id);
            // A lenient backend's answer that breaks its contract is read again, leniently:
            // only answers that break it are read twice.
            if route.backend.lenient
                && let Err(p) = &result
                && p.is_contract_violation()
            {
                tracing::warn!(
                    backend = %route.backend.name,
                    detail = p.detail.as_deref().unwrap_or(""),
                    "The backend's answer breaks its contract; accepted because the backend is lenient."
                );
                series.answers_lenient.inc();
                let lenient = Limits {
                    lenient: true,
                    ..limits
                };
                result = answer::read_answer(route, &raw, lenient, message_id);
            }
            judge_answer(raw.status, result.map(Body::Json))
        }
    }
}

/// The verdict on an answer that arrived with HTTP `status` and was read (or refused).
fn judge_answer(status: u16, result: Result<Body, Problem>) -> Verdict {
    let (failure, outcome) = match &result {
        Ok(_) => (false, "ok"),
        Err(p) if p.code == "soap-fault" => (false, "fault"),
        Err(p) => (
            status >= 500
                || matches!(
                    p.code,
                    "backend-not-xml"
                        | "backend-not-soap"
                        | "backend-invalid-xml"
                        | "backend-empty-response"
                ),
            "invalid_response",
        ),
    };
    let gateway_error = matches!(status, 502..=504) && outcome != "fault";
    Verdict {
        result,
        failure,
        retry: if gateway_error {
            Retry::IfIdempotent
        } else {
            Retry::Never
        },
        outcome,
    }
}

/// Logs and counts a breaker's state change.
fn note(series: &BackendSeries, backend: &str, tr: Option<Transition>) {
    let Some(t) = tr else { return };
    series.circuit_state.set(t.to.gauge());
    match t.to {
        State::Open => tracing::warn!(
            backend,
            from = t.from.label(),
            "The backend's circuit opened; calls are refused until a probe succeeds."
        ),
        State::HalfOpen => tracing::info!(
            backend,
            "The backend's circuit is half-open; probe calls go through."
        ),
        State::Closed => {
            tracing::info!(backend, "The backend's circuit closed; calls go through.")
        }
    }
}

/// Raises a per-backend gauge for as long as it lives.
struct Gauged<'g> {
    gauge: &'g prometheus_client::metrics::gauge::Gauge,
}

impl<'g> Gauged<'g> {
    fn new(gauge: &'g prometheus_client::metrics::gauge::Gauge) -> Self {
        gauge.inc();
        Self { gauge }
    }
}

impl Drop for Gauged<'_> {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

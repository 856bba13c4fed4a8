//! Prometheus metrics, per route and per backend operation, served at `/metrics`.
//!
//! One registry for the whole process: the call pipeline (`gateway`) counts backend calls,
//! the faces count their requests, the CLI counts reloads. May import nothing from
//! soapbridge.

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

// Route label values are shared (`Arc<str>`, made once per route), so counting a request
// clones two pointers instead of allocating two strings.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: Arc<str>,
    pub route: Arc<str>,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteTimeLabels {
    pub method: Arc<str>,
    pub route: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    pub backend: String,
    pub operation: String,
    /// One of [`OUTCOMES`].
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallTimeLabels {
    pub backend: String,
    pub operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BackendLabels {
    pub backend: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RetryLabels {
    pub backend: String,
    /// What failed: unavailable, timeout, invalid_response.
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AbortLabels {
    pub backend: String,
    /// Why a streamed answer stopped after its first byte: invalid (the rest did not decode),
    /// cut (the backend's connection broke or paused too long), client_gone.
    pub reason: &'static str,
}

/// Calls by authenticated consumer (anonymous calls are not counted here).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConsumerLabels {
    pub consumer: String,
    pub route: Arc<str>,
    pub status: u16,
}

/// Calls refused at the edge, by policy and reason (unauthenticated, forbidden,
/// rate_limited).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EdgeLabels {
    pub policy: String,
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    pub result: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RouteLabels, Counter>,
    pub request_seconds: Family<RouteTimeLabels, Histogram>,
    pub calls: Family<CallLabels, Counter>,
    pub call_seconds: Family<CallTimeLabels, Histogram>,
    pub routes: Gauge,
    pub reloads: Family<ReloadLabels, Counter>,
    /// 0 closed, 1 half-open, 2 open.
    pub circuit_state: Family<BackendLabels, Gauge>,
    pub circuit_rejected: Family<BackendLabels, Counter>,
    pub retries: Family<RetryLabels, Counter>,
    pub in_flight: Family<BackendLabels, Gauge>,
    pub queued: Family<BackendLabels, Gauge>,
    pub consumer_requests: Family<ConsumerLabels, Counter>,
    pub edge_refused: Family<EdgeLabels, Counter>,
    pub answers_streamed: Family<BackendLabels, Counter>,
    pub answers_lenient: Family<BackendLabels, Counter>,
    pub answers_aborted: Family<AbortLabels, Counter>,
    /// Bytes of the answer memory budget held now, and the budget.
    pub answer_memory: Gauge,
    pub answer_memory_budget: Gauge,
    pub answer_memory_refused: Counter,
}

fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("soapbridge");
        let requests = Family::<RouteLabels, Counter>::default();
        let request_seconds = Family::<RouteTimeLabels, Histogram>::new_with_constructor(
            seconds_histogram as fn() -> Histogram,
        );
        let calls = Family::<CallLabels, Counter>::default();
        let call_seconds = Family::<CallTimeLabels, Histogram>::new_with_constructor(
            seconds_histogram as fn() -> Histogram,
        );
        let routes = Gauge::default();
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            request_seconds.clone(),
        );
        registry.register(
            "backend_calls",
            "SOAP calls by backend, operation and outcome",
            calls.clone(),
        );
        registry.register(
            "backend_call_duration_seconds",
            "Time the SOAP backend took to answer",
            call_seconds.clone(),
        );
        registry.register("routes", "Routes served", routes.clone());
        registry.register(
            "config_reloads",
            "Mapping reloads by result",
            reloads.clone(),
        );
        let circuit_state = Family::<BackendLabels, Gauge>::default();
        let circuit_rejected = Family::<BackendLabels, Counter>::default();
        let retries = Family::<RetryLabels, Counter>::default();
        let in_flight = Family::<BackendLabels, Gauge>::default();
        let queued = Family::<BackendLabels, Gauge>::default();
        registry.register(
            "backend_circuit_state",
            "Circuit breaker state per backend: 0 closed, 1 half-open, 2 open",
            circuit_state.clone(),
        );
        registry.register(
            "backend_circuit_rejected",
            "Calls refused at once because the backend's circuit was open",
            circuit_rejected.clone(),
        );
        registry.register(
            "backend_retries",
            "Retried backend attempts by backend and reason",
            retries.clone(),
        );
        registry.register(
            "backend_in_flight",
            "Backend calls holding a connection slot",
            in_flight.clone(),
        );
        registry.register(
            "backend_queued",
            "Backend calls waiting for a connection slot",
            queued.clone(),
        );
        let consumer_requests = Family::<ConsumerLabels, Counter>::default();
        registry.register(
            "consumer_requests",
            "REST requests by authenticated consumer, route and status",
            consumer_requests.clone(),
        );
        let edge_refused = Family::<EdgeLabels, Counter>::default();
        registry.register(
            "edge_refused",
            "Requests refused at the edge by policy and reason: unauthenticated, forbidden, rate_limited",
            edge_refused.clone(),
        );
        let answers_streamed = Family::<BackendLabels, Counter>::default();
        registry.register(
            "backend_answers_streamed",
            "Answers larger than the streaming threshold, streamed to the caller while they arrived",
            answers_streamed.clone(),
        );
        let answers_lenient = Family::<BackendLabels, Counter>::default();
        registry.register(
            "backend_answers_lenient",
            "Answers that broke their contract, accepted because the backend is lenient",
            answers_lenient.clone(),
        );
        let answers_aborted = Family::<AbortLabels, Counter>::default();
        registry.register(
            "backend_answers_aborted",
            "Streamed answers broken off after their first byte, by reason: invalid, cut, client_gone",
            answers_aborted.clone(),
        );
        let answer_memory = Gauge::default();
        registry.register(
            "answer_memory_bytes",
            "Bytes of backend answers held in memory now (the memory budget in use)",
            answer_memory.clone(),
        );
        let answer_memory_budget = Gauge::default();
        registry.register(
            "answer_memory_budget_bytes",
            "The memory budget for backend answers",
            answer_memory_budget.clone(),
        );
        let answer_memory_refused = Counter::default();
        registry.register(
            "answer_memory_refused",
            "Calls refused because the answer memory budget was spent",
            answer_memory_refused.clone(),
        );
        Self {
            answers_streamed,
            answers_lenient,
            answers_aborted,
            answer_memory,
            answer_memory_budget,
            answer_memory_refused,
            consumer_requests,
            edge_refused,
            registry,
            circuit_state,
            circuit_rejected,
            retries,
            in_flight,
            queued,
            requests,
            request_seconds,
            calls,
            call_seconds,
            routes,
            reloads,
        }
    }
}

/// A backend call's outcomes, in the order [`CallSeries`] keeps their counters.
pub const OUTCOMES: [&str; 8] = [
    "ok",
    "fault",
    "timeout",
    "unavailable",
    "invalid_response",
    "circuit_open",
    "busy",
    "over_capacity",
];

/// What a retry was for, in the order [`BackendSeries`] keeps their counters.
pub const RETRY_REASONS: [&str; 3] = ["unavailable", "timeout", "invalid_response"];

/// Why a streamed answer stopped, in the order [`BackendSeries`] keeps their counters.
pub const ABORT_REASONS: [&str; 3] = ["invalid", "cut", "client_gone"];

/// One backend's series, looked up once: a call then touches its counters directly, with
/// no label to allocate, hash or find under the family's lock. Creating it makes every
/// series appear (at zero) in `/metrics`.
#[derive(Clone, Debug)]
pub struct BackendSeries {
    pub circuit_state: Gauge,
    pub circuit_rejected: Counter,
    pub in_flight: Gauge,
    pub queued: Gauge,
    pub answers_streamed: Counter,
    pub answers_lenient: Counter,
    retries: [Counter; 3],
    aborted: [Counter; 3],
}

impl BackendSeries {
    pub fn new(m: &Metrics, backend: &str) -> Self {
        let labels = BackendLabels {
            backend: backend.to_owned(),
        };
        Self {
            circuit_state: m.circuit_state.get_or_create(&labels).clone(),
            circuit_rejected: m.circuit_rejected.get_or_create(&labels).clone(),
            in_flight: m.in_flight.get_or_create(&labels).clone(),
            queued: m.queued.get_or_create(&labels).clone(),
            answers_streamed: m.answers_streamed.get_or_create(&labels).clone(),
            answers_lenient: m.answers_lenient.get_or_create(&labels).clone(),
            retries: RETRY_REASONS.map(|reason| {
                m.retries
                    .get_or_create(&RetryLabels {
                        backend: backend.to_owned(),
                        reason,
                    })
                    .clone()
            }),
            aborted: ABORT_REASONS.map(|reason| {
                m.answers_aborted
                    .get_or_create(&AbortLabels {
                        backend: backend.to_owned(),
                        reason,
                    })
                    .clone()
            }),
        }
    }

    /// The retry counter for `reason` (one of [`RETRY_REASONS`]; any other counts as the
    /// last).
    pub fn retry(&self, reason: &str) -> &Counter {
        &self.retries[index(&RETRY_REASONS, reason)]
    }

    /// The abort counter for `reason` (one of [`ABORT_REASONS`]).
    pub fn aborted(&self, reason: &str) -> &Counter {
        &self.aborted[index(&ABORT_REASONS, reason)]
    }
}

/// One operation's call series on one backend, looked up once.
#[derive(Clone, Debug)]
pub struct CallSeries {
    calls: [Counter; 8],
    pub seconds: Histogram,
}

impl CallSeries {
    pub fn new(m: &Metrics, backend: &str, operation: &str) -> Self {
        Self {
            calls: OUTCOMES.map(|outcome| {
                m.calls
                    .get_or_create(&CallLabels {
                        backend: backend.to_owned(),
                        operation: operation.to_owned(),
                        outcome,
                    })
                    .clone()
            }),
            seconds: m
                .call_seconds
                .get_or_create(&CallTimeLabels {
                    backend: backend.to_owned(),
                    operation: operation.to_owned(),
                })
                .clone(),
        }
    }

    /// The call counter for `outcome` (one of [`OUTCOMES`]).
    pub fn calls(&self, outcome: &str) -> &Counter {
        &self.calls[index(&OUTCOMES, outcome)]
    }
}

/// One REST route's request series, looked up once. Its usual status keeps its counter;
/// another status is counted through the family.
#[derive(Debug)]
pub struct RouteSeries {
    method: Arc<str>,
    route: Arc<str>,
    usual: (u16, Counter),
    seconds: Histogram,
}

impl RouteSeries {
    pub fn new(m: &Metrics, method: &Arc<str>, route: &Arc<str>, usual_status: u16) -> Self {
        let labels = |status| RouteLabels {
            method: method.clone(),
            route: route.clone(),
            status,
        };
        Self {
            method: method.clone(),
            route: route.clone(),
            usual: (
                usual_status,
                m.requests.get_or_create(&labels(usual_status)).clone(),
            ),
            seconds: m
                .request_seconds
                .get_or_create(&RouteTimeLabels {
                    method: method.clone(),
                    route: route.clone(),
                })
                .clone(),
        }
    }

    /// Counts one request answered with `status` after `seconds`.
    pub fn observe(&self, m: &Metrics, status: u16, seconds: f64) {
        if status == self.usual.0 {
            self.usual.1.inc();
        } else {
            m.requests
                .get_or_create(&RouteLabels {
                    method: self.method.clone(),
                    route: self.route.clone(),
                    status,
                })
                .inc();
        }
        self.seconds.observe(seconds);
    }
}

/// Where `name` is in `names`; the last place for a name that is not there (a debug build
/// stops on it: every name passed is one of the constants).
fn index(names: &[&str], name: &str) -> usize {
    let i = names.iter().position(|n| *n == name);
    debug_assert!(i.is_some(), "`{name}` is not one of {names:?}");
    i.unwrap_or(names.len() - 1)
}

impl Metrics {
    /// Counts one request of a route that keeps no [`RouteSeries`] (an unmatched path, the
    /// GraphQL endpoint): its labels looked up in the families.
    pub fn count_request(&self, method: Arc<str>, route: Arc<str>, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RouteLabels {
                method: method.clone(),
                route: route.clone(),
                status,
            })
            .inc();
        self.request_seconds
            .get_or_create(&RouteTimeLabels { method, route })
            .observe(seconds);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_count_in_the_families_they_were_taken_from() {
        let m = Metrics::default();
        let calls = CallSeries::new(&m, "crm", "GetCustomer");
        calls.calls("ok").inc();
        calls.calls("busy").inc();
        calls.calls("busy").inc();
        calls.seconds.observe(0.002);
        let backend = BackendSeries::new(&m, "crm");
        backend.retry("timeout").inc();
        backend.aborted("cut").inc();
        let route = RouteSeries::new(&m, &Arc::from("GET"), &Arc::from("/customers/{id}"), 200);
        route.observe(&m, 200, 0.003);
        route.observe(&m, 404, 0.001);
        route.observe(&m, 200, 0.004);
        let text = m.render();
        for line in [
            r#"soapbridge_backend_calls_total{backend="crm",operation="GetCustomer",outcome="ok"} 1"#,
            r#"soapbridge_backend_calls_total{backend="crm",operation="GetCustomer",outcome="busy"} 2"#,
            // Every outcome shows from the first call on, at zero until it happens.
            r#"soapbridge_backend_calls_total{backend="crm",operation="GetCustomer",outcome="fault"} 0"#,
            r#"soapbridge_backend_call_duration_seconds_count{backend="crm",operation="GetCustomer"} 1"#,
            r#"soapbridge_backend_retries_total{backend="crm",reason="timeout"} 1"#,
            r#"soapbridge_backend_retries_total{backend="crm",reason="unavailable"} 0"#,
            r#"soapbridge_backend_answers_aborted_total{backend="crm",reason="cut"} 1"#,
            r#"soapbridge_backend_in_flight{backend="crm"} 0"#,
            r#"soapbridge_http_requests_total{method="GET",route="/customers/{id}",status="200"} 2"#,
            r#"soapbridge_http_requests_total{method="GET",route="/customers/{id}",status="404"} 1"#,
            r#"soapbridge_http_request_duration_seconds_count{method="GET",route="/customers/{id}"} 3"#,
        ] {
            assert!(text.contains(line), "no `{line}` in\n{text}");
        }
    }

    #[test]
    fn a_series_taken_again_is_the_same_series() {
        let m = Metrics::default();
        CallSeries::new(&m, "crm", "ListOrders")
            .calls("fault")
            .inc();
        // A reload builds the backend's series again: the count goes on.
        CallSeries::new(&m, "crm", "ListOrders")
            .calls("fault")
            .inc();
        let text = m.render();
        let line = r#"soapbridge_backend_calls_total{backend="crm",operation="ListOrders",outcome="fault"} 2"#;
        assert!(text.contains(line), "no `{line}` in\n{text}");
    }
}

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
    /// ok, fault, timeout, unavailable, invalid_response, circuit_open, busy.
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

impl Metrics {
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

//! Traces: OpenTelemetry spans exported over OTLP/HTTP, and the W3C trace context carried
//! from the caller, through the bridge, to the backend.
//!
//! ```text
//! caller ──traceparent──> server span "GET /customers/{id}" (http face)
//!                           └─ call span (gateway: operation, backend)
//!                               └─ client span per attempt ──traceparent──> backend
//! ```
//!
//! Off unless asked for: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, or `telemetry.otlp_endpoint` in the gateway
//! configuration, and `OTEL_SDK_DISABLED` not `true`. The standard variables win over the
//! configuration's keys ([`Settings`]); the SDK reads the rest itself:
//! `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_HEADERS`. When off, no span
//! context exists, so nothing is exported and no `traceparent` is sent.
//!
//! May import nothing from soapbridge.

use std::sync::OnceLock;

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator as _};
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Trace settings from the gateway configuration; each applies only when its standard
/// variable is not set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// The OTLP/HTTP base URL (`http://collector:4318`); traces go to `{url}/v1/traces`.
    pub otlp_endpoint: Option<String>,
    pub service_name: Option<String>,
    /// One of [`SAMPLERS`].
    pub sampler: Option<String>,
    /// The ratio of the `traceidratio` samplers, 0 to 1.
    pub sampler_arg: Option<f64>,
}

/// The samplers [`Settings::sampler`] may name (as `OTEL_TRACES_SAMPLER` does).
pub const SAMPLERS: [&str; 6] = [
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
];

fn env_set(k: &str) -> bool {
    std::env::var(k).is_ok_and(|v| !v.trim().is_empty())
}

/// Whether the environment switches tracing on.
pub fn enabled_by_env() -> bool {
    enabled(&Settings::default())
}

/// Whether the environment or `settings` switch tracing on.
pub fn enabled(settings: &Settings) -> bool {
    let disabled =
        std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"));
    !disabled
        && (env_set("OTEL_EXPORTER_OTLP_ENDPOINT")
            || env_set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            || settings.otlp_endpoint.is_some())
}

fn sampler(name: &str, arg: f64) -> Option<opentelemetry_sdk::trace::Sampler> {
    use opentelemetry_sdk::trace::Sampler;
    Some(match name {
        "always_on" => Sampler::AlwaysOn,
        "always_off" => Sampler::AlwaysOff,
        "traceidratio" => Sampler::TraceIdRatioBased(arg),
        "parentbased_always_on" => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        "parentbased_always_off" => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
        "parentbased_traceidratio" => {
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(arg)))
        }
        _ => return None,
    })
}

/// The tracing layer that turns spans into OpenTelemetry spans, when the environment or
/// `settings` ask for traces; the exporter runs on its own thread and is flushed by
/// [`shutdown`].
pub fn layer<S>(settings: &Settings) -> Result<Option<impl tracing_subscriber::Layer<S>>, String>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use opentelemetry_otlp::WithExportConfig as _;
    if !enabled(settings) {
        return Ok(None);
    }
    crate::tls::install_crypto_provider();
    let mut exporter = opentelemetry_otlp::SpanExporter::builder().with_http();
    if !env_set("OTEL_EXPORTER_OTLP_ENDPOINT")
        && !env_set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        && let Some(base) = &settings.otlp_endpoint
    {
        let base = base.trim_end_matches('/');
        let url = if base.ends_with("/v1/traces") {
            base.to_owned()
        } else {
            format!("{base}/v1/traces")
        };
        exporter = exporter.with_endpoint(url);
    }
    let exporter = exporter
        .build()
        .map_err(|e| format!("the OTLP exporter cannot be built: {e}"))?;
    let mut resource = opentelemetry_sdk::Resource::builder().with_attribute(
        opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
    );
    if !env_set("OTEL_SERVICE_NAME")
        && let Some(name) = &settings.service_name
    {
        resource = resource.with_service_name(name.clone());
    }
    let mut provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource.build());
    if !env_set("OTEL_TRACES_SAMPLER")
        && let Some(name) = &settings.sampler
    {
        let s = sampler(name, settings.sampler_arg.unwrap_or(1.0))
            .ok_or_else(|| format!("sampler `{name}` is not known"))?;
        provider = provider.with_sampler(s);
    }
    let provider = provider.build();
    let tracer = provider.tracer("soapbridge");
    let _ = PROVIDER.set(provider);
    Ok(Some(tracing_opentelemetry::layer().with_tracer(tracer)))
}

/// Exports what is left; call before the process exits.
pub fn shutdown() {
    if let Some(p) = PROVIDER.get()
        && let Err(e) = p.shutdown()
    {
        tracing::warn!(error = %e, "The trace exporter did not shut down cleanly.");
    }
}

/// Makes `span` continue the caller's trace, from its `traceparent`/`tracestate` headers.
pub fn continue_trace<'h>(span: &tracing::Span, header: impl Fn(&str) -> Option<&'h str>) {
    if PROVIDER.get().is_none() {
        return;
    }
    let carrier = Carrier {
        traceparent: header("traceparent"),
        tracestate: header("tracestate"),
    };
    let cx = TraceContextPropagator::new().extract(&carrier);
    if cx.span().span_context().is_valid() {
        let _ = span.set_parent(cx);
    }
}

/// The `traceparent` (and `tracestate`) headers that make the backend's work a child of
/// `span`; empty when tracing is off.
pub fn trace_headers(span: &tracing::Span) -> Vec<(&'static str, String)> {
    if PROVIDER.get().is_none() {
        return Vec::new();
    }
    let mut out = Headers(Vec::new());
    TraceContextPropagator::new().inject_context(&span.context(), &mut out);
    out.0
}

struct Carrier<'h> {
    traceparent: Option<&'h str>,
    tracestate: Option<&'h str>,
}

impl Extractor for Carrier<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            "traceparent" => self.traceparent,
            "tracestate" => self.tracestate,
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent", "tracestate"]
    }
}

struct Headers(Vec<(&'static str, String)>);

impl Injector for Headers {
    fn set(&mut self, key: &str, value: String) {
        let key = match key {
            "traceparent" => "traceparent",
            "tracestate" => "tracestate",
            _ => return,
        };
        if !value.is_empty() {
            self.0.push((key, value));
        }
    }
}

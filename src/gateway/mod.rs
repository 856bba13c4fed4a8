//! The call pipeline every face uses: one compiled route, the caller's input and context in;
//! the shaped output or a [`Problem`] out.
//!
//! ```text
//! face (REST http/, GraphQL, ...) ──Input + Caller──> Core::invoke(target)
//!   bind      mapping::bind: path/query/header/body → input JSON, SOAP headers   (400)
//!   encode    soap::build_request ─ translate::Encoder: JSON → envelope         (400)
//!   call      call::call: breaker, bulkhead, deadline, attempts, retries  (502/503/504)
//!   read      answer::read_answer: HTML? empty? not XML? fault? decode    (502 / fault)
//!             straight to JSON text, the route's response selection applied while decoding
//! face <──Output { status, body } | Problem
//! ```
//!
//! A face only turns its protocol into [`Input`] and [`Caller`], and [`Output`] or
//! [`Problem`] back into its protocol; it never re-implements a stage. The per-call span,
//! the problem's log line and the backend-call metrics live here, so they are the same
//! whatever face a call came through.
//!
//! May import `mapping`, `soap`, `translate`, `metrics`, `net`, `xmlutil`; never a face.

pub mod answer;
pub mod breaker;
pub mod call;
pub mod problem;
pub mod stream;

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde_json::Value;
use tracing::Instrument as _;

use crate::mapping::bind::{self, RequestParts};
use crate::mapping::{Backend, Route};
use crate::metrics::Metrics;
use crate::soap::addressing::AddressingHeader;
use crate::soap::budget::MemoryBudget;
use crate::soap::client::{RequestBody, SoapClient};
use crate::soap::envelope::HeaderWriter;
use crate::soap::security::SecurityHeader;
use crate::soap::{mtom, signature};
use crate::translate::Limits;
use crate::wsdl::SoapVersion;
pub use call::Guard;
pub use problem::{Invalid, Problem};

/// Who is calling, as the edge established it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Identity {
    /// The route is public, or no policy applies.
    #[default]
    Anonymous,
    Authenticated(Arc<Principal>),
}

impl Identity {
    /// The values `{auth.*}` placeholders read: `consumer`, `sub`, `provider` and
    /// `claims.<name>` for each claim that is text, a number or a boolean.
    pub fn template_values(&self) -> Vec<(String, String)> {
        let Identity::Authenticated(p) = self else {
            return Vec::new();
        };
        let mut out = vec![
            ("consumer".to_owned(), p.consumer.clone()),
            ("provider".to_owned(), p.provider.clone()),
        ];
        if let Some(sub) = &p.subject {
            out.push(("sub".to_owned(), sub.clone()));
        }
        for (k, v) in &p.claims {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            out.push((format!("claims.{k}"), text));
        }
        out
    }

    /// The consumer's name when the caller is authenticated.
    pub fn named_consumer(&self) -> Option<&str> {
        match self {
            Identity::Anonymous => None,
            Identity::Authenticated(p) => Some(&p.consumer),
        }
    }

    /// The consumer's name, for logs and metrics (`-` when anonymous).
    pub fn consumer(&self) -> &str {
        match self {
            Identity::Anonymous => "-",
            Identity::Authenticated(p) => &p.consumer,
        }
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    /// The provider that authenticated it (a name from the gateway configuration).
    pub provider: String,
    /// The consumer: an API key's consumer, a token's subject, a certificate's subject.
    pub consumer: String,
    /// A token's `sub`.
    pub subject: Option<String>,
    /// Granted scopes or roles.
    pub scopes: Vec<String>,
    /// A token's claims (empty for other providers).
    pub claims: serde_json::Map<String, Value>,
}

/// The caller's context: what every stage may read about the call besides its input.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Sent to the backend as `X-Request-Id` and logged on every line of the call.
    pub request_id: String,
    pub identity: Identity,
    /// When the caller stops waiting; the call is cut there (504) even if the backend's own
    /// timeout is longer. `None`: the backend's timeout alone.
    pub deadline: Option<Instant>,
}

impl Caller {
    pub fn new(request_id: impl Into<String>) -> Self {
        Self {
            request_id: request_id.into(),
            identity: Identity::Anonymous,
            deadline: None,
        }
    }
}

/// What the caller supplies, in the vocabulary of the mapping's request templates: named
/// path, query and header values (text) and a JSON body. The REST face takes them from the
/// HTTP request; another face builds them from its own arguments.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub path: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    /// Lower-cased header names; only those the route reads are needed.
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

/// A successful call: the status the route answers with and the shaped body (`None` when
/// the operation has no output).
#[derive(Debug)]
pub struct Output {
    pub status: u16,
    pub body: Option<Body>,
}

/// The JSON text of an answer, the route's selection applied.
#[derive(Debug)]
pub enum Body {
    /// Read whole.
    Json(Vec<u8>),
    /// Larger than the backend's streaming threshold: decoded while it arrives.
    Stream(stream::JsonStream),
}

impl Body {
    /// The whole text, or `None` for a stream.
    pub fn as_json(&self) -> Option<&[u8]> {
        match self {
            Body::Json(j) => Some(j),
            Body::Stream(_) => None,
        }
    }
}

/// A route and what its backend's calls share, as a face resolved them.
#[derive(Clone, Copy)]
pub struct Target<'t> {
    pub route: &'t Arc<Route>,
    pub client: &'t Arc<SoapClient>,
    pub guard: &'t Guard,
}

/// Per backend: its pooled client, circuit breaker and retry budget, built with the routes
/// and swapped with them on reload (a reload starts every breaker closed).
#[derive(Default)]
pub struct Backends {
    entries: Vec<(Arc<Backend>, Arc<SoapClient>, Guard)>,
}

impl Backends {
    pub fn build(backends: &[Arc<Backend>]) -> Result<Self, String> {
        let mut entries = Vec::with_capacity(backends.len());
        for b in backends {
            let c = SoapClient::new(b.client.clone())
                .map_err(|e| format!("backend {}: {e}", b.name))?;
            entries.push((
                b.clone(),
                Arc::new(c),
                Guard::new(&b.client, b.binding().operations.len()),
            ));
        }
        Ok(Self { entries })
    }

    /// The client and guard of `route`'s backend.
    pub fn target<'t>(&'t self, route: &'t Arc<Route>) -> Option<Target<'t>> {
        self.entries
            .iter()
            .find(|(b, _, _)| Arc::ptr_eq(b, &route.backend))
            .map(|(_, client, guard)| Target {
                route,
                client,
                guard,
            })
    }

    /// Each backend's name, breaker state, calls in flight and calls waiting, for the
    /// status endpoint.
    pub fn status(&self) -> Vec<BackendStatus> {
        self.entries
            .iter()
            .map(|(b, c, g)| BackendStatus {
                name: b.name.clone(),
                circuit: g.breaker.state(),
                in_flight: c.in_flight(),
                queued: c.queued(),
            })
            .collect()
    }
}

/// One backend as the status endpoint shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendStatus {
    pub name: String,
    pub circuit: breaker::State,
    pub in_flight: usize,
    pub queued: usize,
}

/// What the pipeline needs besides the route: shared by every worker and every face.
pub struct Core {
    pub metrics: Metrics,
    /// Bounds on backend XML.
    pub xml_limits: Limits,
    /// The bytes of answers the process holds at once (`--answer-memory`).
    pub budget: MemoryBudget,
}

impl Core {
    pub fn new(xml_limits: Limits, budget: MemoryBudget) -> Self {
        let metrics = Metrics::default();
        metrics.answer_memory_budget.set(budget.total() as i64);
        let budget = budget.with_gauge(metrics.answer_memory.clone());
        Self {
            metrics,
            xml_limits,
            budget,
        }
    }

    /// Runs one call through the pipeline, in a span naming the route, operation and
    /// backend; a problem is logged once, here.
    pub async fn invoke(
        &self,
        target: Target<'_>,
        input: Input,
        caller: &Caller,
    ) -> Result<Output, Problem> {
        let route = target.route;
        let span = tracing::info_span!(
            "call",
            request_id = %caller.request_id,
            route = %route.path,
            operation = %route.operation().name,
            backend = %route.backend.name,
        );
        // The call's state (a few KiB: the backend exchange, the answer being read) is
        // made once on the heap. Held in line, it was copied into each enclosing future as
        // that one was made, up to the face's handler: about 16 KiB copied per request.
        let run = Box::pin(self.run(target, input, caller));
        let result = match caller.deadline {
            None => run.instrument(span.clone()).await,
            Some(at) => {
                let at = tokio::time::Instant::from_std(at);
                match tokio::time::timeout_at(at, run)
                    .instrument(span.clone())
                    .await
                {
                    Ok(r) => r,
                    Err(_) => Err(Problem::backend_timeout(
                        "the caller's deadline passed before the backend answered",
                    )),
                }
            }
        };
        if let Err(p) = &result {
            span.in_scope(|| log_problem(p));
        }
        result
    }

    async fn run(
        &self,
        target: Target<'_>,
        input: Input,
        caller: &Caller,
    ) -> Result<Output, Problem> {
        let Target {
            route,
            client,
            guard,
        } = target;
        let op = route.operation();
        let auth = if route.reads_auth {
            caller.identity.template_values()
        } else {
            Vec::new()
        };
        // 1-2. Bind and encode.
        let Encoded { body, message_id } = encode_request(route, input, &auth)?;
        tracing::debug!(
            bytes = body.bytes.len(),
            mtom = body.multipart.is_some(),
            "Calling the backend."
        );
        // 3. Call and read the answer (retries, breaker, deadline).
        let output = call::call(
            self,
            route,
            client,
            guard,
            body,
            message_id.as_deref(),
            caller,
        )
        .await?;
        let status = route.response.status;
        if op.output.is_none() {
            return Ok(Output { status, body: None });
        }
        Ok(Output {
            status,
            body: Some(output),
        })
    }
}

/// A request ready to send (signed, packaged as MTOM when the backend asks), with the
/// WS-Addressing `MessageID` it carries when the backend uses addressing (the answer must
/// relate to it).
#[derive(Debug)]
pub struct Encoded {
    pub body: RequestBody,
    pub message_id: Option<String>,
}

/// The bind and encode stages: the caller's input as the request envelope for `route`, or
/// the caller's mistake (400). `auth` holds the `{auth.*}` values of the caller.
pub fn encode_request(
    route: &Route,
    input: Input,
    auth: &[(String, String)],
) -> Result<Encoded, Problem> {
    let backend = &route.backend;
    let schema = &backend.wsdl.schema;
    let parts = RequestParts {
        path: &input.path,
        query: &input.query,
        headers: &input.headers,
        auth,
        body: input.body,
    };
    // Headers first: the input takes the body. The problems of both are reported together;
    // the body is encoded only once it is bound (a value that failed to bind would come
    // back from the encoder as a second, "missing", problem).
    let soap_headers = bind::bind_headers(schema, route, &parts);
    let input = bind::bind_input(schema, route, parts);
    let (soap_headers, input) = match (soap_headers, input) {
        (Ok(h), Ok(i)) => (h, i),
        (h, i) => {
            let errs = h.err().into_iter().chain(i.err()).flatten();
            return Err(Problem::invalid_fields(errs.map(bind_problem).collect()));
        }
    };
    let security = backend
        .ws_security
        .as_ref()
        .map(|s| SecurityHeader::fresh(s, backend.soap_version.envelope_ns()));
    let addressing = backend.addressing.map(|version| AddressingHeader {
        version,
        env_ns: backend.soap_version.envelope_ns(),
        action: &route.operation().input_action,
        to: backend.endpoint.as_str(),
        message_id: crate::soap::addressing::new_message_id(),
    });
    let extra: Vec<&dyn HeaderWriter> = addressing
        .iter()
        .map(|a| a as &dyn HeaderWriter)
        .chain(security.iter().map(|s| s as &dyn HeaderWriter))
        .collect();
    let built = crate::soap::envelope::build_message_noting_binaries(
        schema,
        &route.operation().input,
        backend.soap_version,
        &input,
        soap_headers.as_ref(),
        &extra,
        backend.mtom_threshold,
    )
    .map_err(|e| Problem::invalid_fields(e.into_all().into_iter().map(encode_problem).collect()))?;
    let (envelope, binaries) = match &backend.signature {
        None => (built.envelope, built.binaries),
        // Signed over the inline base64 (the infoset an MTOM receiver rebuilds), then the
        // same texts are found again for packaging.
        Some(settings) => {
            let signed = signature::sign(&built.envelope, settings, SystemTime::now())
                .map_err(sign_problem)?;
            let texts = built.binaries.iter().map(|r| &built.envelope[r.clone()]);
            let binaries = mtom::request::relocate(&signed, texts);
            (signed, binaries)
        }
    };
    let body = if binaries.is_empty() {
        RequestBody::soap(envelope)
    } else {
        let package = mtom::request::package(
            &envelope,
            &binaries,
            backend.soap_version == SoapVersion::V12,
            &route.operation().soap_action,
        );
        RequestBody {
            bytes: package.body,
            multipart: Some(package.content_type),
        }
    };
    Ok(Encoded {
        body,
        message_id: addressing.map(|a| a.message_id),
    })
}

/// A request that could not be signed: too deep to read back is the caller's (400), the
/// rest is soapbridge's own failure (500, logged with the cause).
fn sign_problem(e: signature::SignError) -> Problem {
    match e {
        signature::SignError::Envelope(signature::DomError::TooDeep) => Problem::invalid_request(
            format!("the request is too deeply nested to be signed ({e})"),
            None,
        ),
        e => Problem::internal("the request could not be signed").cause(e.to_string()),
    }
}

fn bind_problem(e: bind::BindError) -> Invalid {
    Invalid {
        pointer: e.pointer(),
        expected: e.expected().map(str::to_owned),
        reason: e.reason(),
        detail: e.to_string(),
    }
}

fn encode_problem(e: crate::translate::EncodeError) -> Invalid {
    Invalid {
        expected: e.kind.expected().map(str::to_owned),
        reason: e.kind.reason(),
        detail: e.to_string(),
        pointer: Some(e.pointer),
    }
}

/// A refused or failed call's log line: a warning when soapbridge or the backend failed.
pub fn log_problem(p: &Problem) {
    let detail = p.detail.as_deref().unwrap_or("");
    match (p.cause_text(), p.status >= 500) {
        (Some(cause), true) => tracing::warn!(code = p.code, detail, cause, "Request failed."),
        (None, true) => tracing::warn!(code = p.code, detail, "Request failed."),
        (Some(cause), false) => tracing::info!(code = p.code, detail, cause, "Request refused."),
        (None, false) => tracing::info!(code = p.code, detail, "Request refused."),
    }
}

//! One root field, one call of the shared pipeline, as the REST face makes it.
//!
//! ```text
//! root field ──route's policy: admit (once per policy and request) ─ 401/403 → field error
//!            ──rate limit (the route's bucket, shared with REST) ─ 429 → field error
//!            ──arguments → gateway::Input ──Core::invoke(target, input, caller)
//!            ──Output JSON (a stream is read whole, up to the backend's size limit)
//!                 → the field's value; object fields read it, borrowed
//!            ──Problem → error on the field: message, extensions { code, status, fault, … }
//! ```
//!
//! The face (`http::graphql`) puts a [`Host`] (the pipeline and the route table it serves)
//! and a [`Call`] (the request's id, credentials and deadline) into each request's data.
//!
//! May import `gateway`, `edge`, `mapping`, `metrics`, and the sibling files.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::dynamic::{FieldFuture, FieldValue, ObjectAccessor, ResolverContext};
use async_graphql::{ErrorExtensions as _, Value};
use futures_util::StreamExt as _;

use super::args::{self, Arg};
use super::scalars;
use super::types::{InObject, Out, field_value};
use crate::edge::limit::ceil_secs;
use crate::edge::{Credentials, Denied, Policy};
use crate::gateway::{Body, Caller, Core, Identity, Problem, Target, log_problem};
use crate::metrics::EdgeLabels;

/// What a root field needs from the face: the pipeline, and the route table the schema was
/// built from (routes by index).
pub trait Host: Send + Sync {
    fn core(&self) -> &Core;
    fn target(&self, route: usize) -> Option<Target<'_>>;
    fn policy(&self, route: usize) -> Option<&Arc<Policy>>;
}

/// One GraphQL request as the edge sees it.
pub struct Call {
    pub request_id: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    /// The verified client certificate: (subject, subjectAltNames).
    pub client_cert: Option<(String, Vec<String>)>,
    /// The peer's address, for rate limits by client.
    pub peer: String,
    pub deadline: Option<Instant>,
    /// Each policy's answer for this request, asked once.
    admitted: Mutex<HashMap<String, Result<Identity, Denied>>>,
}

impl Call {
    pub fn new(request_id: impl Into<String>) -> Self {
        Self {
            request_id: request_id.into(),
            headers: Vec::new(),
            query: Vec::new(),
            client_cert: None,
            peer: "-".into(),
            deadline: None,
            admitted: Mutex::new(HashMap::new()),
        }
    }

    /// The consumers the request was admitted as, for the access log.
    pub fn consumers(&self) -> Vec<String> {
        let Ok(m) = self.admitted.lock() else {
            return Vec::new();
        };
        let mut out: Vec<String> = m
            .values()
            .filter_map(|r| r.as_ref().ok())
            .filter_map(|i| i.named_consumer().map(str::to_owned))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    async fn admit(&self, policy: &Policy) -> Result<Identity, Denied> {
        if let Ok(m) = self.admitted.lock()
            && let Some(r) = m.get(&policy.name)
        {
            return r.clone();
        }
        let header = |name: &str| {
            self.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let creds = Credentials {
            header: &header,
            query: &self.query,
            client_cert: self
                .client_cert
                .as_ref()
                .map(|(s, sans)| (s.as_str(), sans.as_slice())),
        };
        let r = policy.admit(&creds).await;
        if let Ok(mut m) = self.admitted.lock() {
            m.insert(policy.name.clone(), r.clone());
        }
        r
    }
}

/// A root field's plan: its route, arguments and result.
pub struct RootPlan {
    pub route: usize,
    pub args: Vec<Arg>,
    pub plans: Arc<Vec<InObject>>,
    /// `None`: a one-way operation (the field answers `true` once the backend took it).
    pub out: Option<Out>,
}

/// The resolver of a root field.
pub fn resolve<'a>(plan: &Arc<RootPlan>, ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    let plan = plan.clone();
    FieldFuture::new(async move {
        let host = ctx.data::<Arc<dyn Host>>()?;
        let call = ctx.data::<Arc<Call>>()?;
        match run(host.as_ref(), call, &plan, &ctx.args).await {
            Ok(v) => Ok(v),
            Err(p) => Err(field_error(&p, &call.request_id)),
        }
    })
}

async fn run(
    host: &dyn Host,
    call: &Call,
    plan: &RootPlan,
    values: &ObjectAccessor<'_>,
) -> Result<Option<FieldValue<'static>>, Problem> {
    let Some(target) = host.target(plan.route) else {
        return Err(Problem::internal("the route has no backend client"));
    };
    let mut caller = Caller::new(call.request_id.clone());
    caller.deadline = call.deadline;
    if let Some(policy) = host.policy(plan.route) {
        caller.identity = match call.admit(policy).await {
            Ok(identity) => identity,
            Err(denied) => {
                let p = Problem::from(denied);
                return Err(refused(host, call, target, policy, p));
            }
        };
        if let Some(limit) = &policy.rate_limit {
            let route = format_args!("{} {}", target.route.method, target.route.path);
            if let Err(over) = limit.check(route, caller.identity.named_consumer(), &call.peer) {
                let p = Problem::rate_limited(&policy.name, over.retry_after);
                return Err(refused(host, call, target, policy, p));
            }
        }
    }
    let input = match args::input(values, &plan.args, &plan.plans) {
        Ok(i) => i,
        Err(p) => {
            let span = tracing::info_span!("request", request_id = %call.request_id, route = %target.route.path);
            span.in_scope(|| log_problem(&p));
            return Err(p);
        }
    };
    let out = host.core().invoke(target, input, &caller).await?;
    let Some(shape) = &plan.out else {
        return Ok(Some(FieldValue::value(Value::Boolean(true))));
    };
    let bytes = match out.body {
        None => return Ok(None),
        Some(Body::Json(b)) => b,
        Some(Body::Stream(mut s)) => {
            let limit = target
                .route
                .backend
                .client
                .max_response_bytes
                .unwrap_or(crate::soap::client::BUFFERED_MAX);
            let mut all = Vec::new();
            while let Some(chunk) = s.next().await {
                let chunk = chunk.map_err(|e| {
                    Problem::new(
                        502,
                        "bad-backend-response",
                        "The backend's answer broke off",
                    )
                    .detail(e.to_string())
                })?;
                if all.len() + chunk.len() > limit {
                    return Err(Problem::new(
                        502,
                        "backend-response-too-large",
                        "The backend's answer is too large",
                    )
                    .detail(format!(
                        "a GraphQL answer is held whole; this one passed {limit} bytes"
                    )));
                }
                all.extend_from_slice(&chunk);
            }
            all
        }
    };
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Problem::internal(format!("the answer's JSON does not parse: {e}")))?;
    Ok(owned_value(json, shape))
}

/// The answer as the root field's value (owned: it outlives the resolver).
fn owned_value(v: serde_json::Value, out: &Out) -> Option<FieldValue<'static>> {
    match (out, v) {
        (_, serde_json::Value::Null) => None,
        (Out::Object, v) => Some(FieldValue::owned_any(v)),
        (Out::List(item), serde_json::Value::Array(items)) => Some(FieldValue::list(
            items
                .into_iter()
                .map(|i| owned_value(i, item).unwrap_or(FieldValue::NULL)),
        )),
        (out, v) => field_value(&v, out).map(|f| match f.as_value() {
            Some(x) => FieldValue::value(x.clone()),
            None => FieldValue::value(scalars::from_json(&v)),
        }),
    }
}

/// A call refused at the edge: logged (never a credential) and counted, as REST does.
fn refused(
    host: &dyn Host,
    call: &Call,
    target: Target<'_>,
    policy: &Policy,
    p: Problem,
) -> Problem {
    tracing::info!(
        request_id = %call.request_id,
        route = %target.route.path,
        policy = %policy.name,
        code = p.code,
        reason = p.detail.as_deref().unwrap_or(""),
        face = "graphql",
        "Request refused at the edge."
    );
    let reason = match p.code {
        "rate-limited" => "rate_limited",
        "forbidden" => "forbidden",
        _ => "unauthenticated",
    };
    host.core()
        .metrics
        .edge_refused
        .get_or_create(&EdgeLabels {
            policy: policy.name.clone(),
            reason,
        })
        .inc();
    p
}

/// A problem as a GraphQL error: its detail (else title) as the message, and the
/// problem+json members as extensions (`code`, `status`, `title`, `fault`, `errors`…).
pub fn field_error(p: &Problem, request_id: &str) -> async_graphql::Error {
    let message = p.detail.clone().unwrap_or_else(|| p.title.clone());
    let p = p.clone();
    let rid = request_id.to_owned();
    async_graphql::Error::new(message).extend_with(move |_, e| {
        e.set("code", p.code);
        e.set("status", p.status);
        e.set("title", p.title.clone());
        e.set("request_id", rid.clone());
        for (k, v) in &p.extra {
            e.set(*k, scalars::from_json(v));
        }
        if let Some(h) = &p.hints {
            if let Some(r) = h.retry_after {
                e.set("retry_after", ceil_secs(r));
            }
            if let Some(c) = &h.challenge {
                e.set("www_authenticate", c.clone());
            }
        }
    })
}

//! The error side of the document: the shared problem+json schema (`components.schemas.Problem`)
//! and, per route, each error status with what leads to it; a status only declared faults
//! lead to also says which faults, with their detail's schema.
//!
//! May import: `mapping`, `gateway::problem` (the problem type prefix), and the sibling files
//! of `openapi`; nothing else above.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

use crate::mapping::{FaultMatch, Route};

use super::components::Gen;
use super::json_schema::{schema_ref, set};

/// The shared problem+json schema's name in `components.schemas`.
pub const PROBLEM_SCHEMA: &str = "Problem";

impl<'a> Gen<'a> {
    /// The route's policy as the document describes it.
    pub(super) fn route_policy(&self, r: &Route) -> Option<&'a super::PolicyDoc> {
        self.security?.policy(r.auth.as_deref()?)
    }

    /// Error statuses of a route: what causes each, and the problem schema.
    pub(super) fn problem_responses(
        &mut self,
        s: usize,
        r: &Route,
    ) -> BTreeMap<u16, (Vec<String>, Value)> {
        let mut lines: BTreeMap<u16, Vec<String>> = BTreeMap::new();
        let mut add = |status: u16, line: String| lines.entry(status).or_default().push(line);
        add(
            400,
            "`invalid-request`: a parameter is missing or does not convert to its type, the \
             query has a parameter the route does not read, or the input does not fit the \
             operation (`errors[].pointer` points into the body)."
                .into(),
        );
        if r.body.is_some() {
            add(400, "`malformed-json`: the body is not JSON.".into());
            add(
                400,
                "`unreadable-body`: the body could not be read to its end.".into(),
            );
            add(
                413,
                "`body-too-large`: the body is larger than the server accepts (`limit`).".into(),
            );
            add(
                415,
                "`unsupported-media-type`: the body is sent with a Content-Type that is not JSON."
                    .into(),
            );
        }
        add(
            404,
            "`route-not-found`: no route matches the method and path.".into(),
        );
        if let Some(p) = self.route_policy(r) {
            for (status, line) in p.problems() {
                add(status, line);
            }
        }
        let op = r.operation();
        let mut declared: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
        let mut undeclared: HashSet<u16> = HashSet::new();
        for rule in &r.faults {
            let what = match &rule.matches {
                FaultMatch::Declared(name) => {
                    declared.entry(rule.status).or_default().push(name.as_str());
                    format!("the declared fault `{name}`")
                }
                FaultMatch::Code(code) => {
                    undeclared.insert(rule.status);
                    format!("a fault with code `{code}`")
                }
                FaultMatch::Any => {
                    undeclared.insert(rule.status);
                    "any fault".to_owned()
                }
            };
            let when = if rule.when.is_empty() {
                String::new()
            } else {
                let conds: Vec<String> = rule
                    .when
                    .iter()
                    .map(|(path, v)| format!("`{}` = `{v}`", path.join(".")))
                    .collect();
                format!(" whose detail has {}", conds.join(" and "))
            };
            add(
                rule.status,
                format!("`soap-fault`: the backend answered with {what}{when}."),
            );
        }
        add(
            400,
            "`soap-fault`: the backend answered with a Client/Sender fault no rule maps.".into(),
        );
        add(
            502,
            "`soap-fault`: the backend answered with a Server/Receiver fault no rule maps.".into(),
        );
        add(
            502,
            "`backend-unavailable`: the backend cannot be reached; `backend-http-error`, \
             `backend-empty-response`, `backend-not-soap`, `backend-not-xml`, \
             `backend-invalid-xml`, `backend-forbidden-xml`: it answered with something \
             other than SOAP (`backend_status`); `backend-invalid-response`: its answer does \
             not fit the contract; `backend-signature-invalid`: a backend whose answers \
             must be signed sent one that is not; `backend-response-too-large`."
                .into(),
        );
        add(
            504,
            "`backend-timeout`: the backend did not answer in time.".into(),
        );
        let mut out = BTreeMap::new();
        for (status, l) in lines {
            let mut schema = problem_ref();
            // Statuses only declared faults lead to: say which, with their detail.
            if let Some(names) = declared.get(&status)
                && !undeclared.contains(&status)
                && status != 400
                && status != 502
            {
                let mut alts = Vec::new();
                let mut seen = HashSet::new();
                for name in names {
                    let Some(fd) = op.faults.iter().find(|f| {
                        f.name == *name
                            || f.element
                                .is_some_and(|e| *self.schemas[s].element(e).name.local == **name)
                    }) else {
                        continue;
                    };
                    if !seen.insert(fd.name.clone()) {
                        continue;
                    }
                    let detail = match fd.element {
                        Some(e) => self.global_element_schema(s, e),
                        None => json!({}),
                    };
                    alts.push(json!({
                        "type": "object",
                        "properties": { "name": { "const": fd.name }, "detail": detail },
                    }));
                }
                if !alts.is_empty() {
                    let fault = if alts.len() == 1 {
                        alts.remove(0)
                    } else {
                        json!({ "anyOf": alts })
                    };
                    set(&mut schema, "properties", json!({ "fault": fault }));
                }
            }
            out.insert(status, (l, schema));
        }
        out
    }
}

fn problem_ref() -> Value {
    schema_ref(PROBLEM_SCHEMA)
}

/// The problem+json body every error carries (see `gateway::problem`).
pub(super) fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "An error, as application/problem+json (RFC 9457). `code` is stable \
            and is also the last part of `type`; see docs/errors.md.",
        "required": ["type", "title", "status", "instance", "code", "request_id"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri",
                "examples": [format!("{}backend-timeout", crate::gateway::problem::TYPE_PREFIX)],
            },
            "title": { "type": "string" },
            "status": { "type": "integer", "minimum": 400, "maximum": 599 },
            "detail": { "type": "string" },
            "instance": { "type": "string", "description": "The request path." },
            "code": {
                "type": "string",
                "examples": ["invalid-request", "soap-fault", "backend-timeout"],
            },
            "request_id": { "type": "string" },
            "errors": {
                "type": "array",
                "description": "For `invalid-request`: every problem of the request, in document order (at most 100); `detail` is the first one's.",
                "items": {
                    "type": "object",
                    "required": ["reason", "detail"],
                    "properties": {
                        "pointer": {
                            "type": "string",
                            "format": "json-pointer",
                            "description": "The body's value at fault (RFC 6901; `\"\"` is the body itself); absent for a path or query parameter or a header.",
                        },
                        "expected": { "type": "string", "description": "The XSD type the value should have (`xsd:int`), when the problem is about one." },
                        "reason": { "type": "string", "description": "What is wrong, in a few words." },
                        "detail": { "type": "string", "description": "The whole sentence, pointer included." },
                    },
                },
            },
            "fault": {
                "type": "object",
                "description": "For `soap-fault`: the SOAP fault the backend answered.",
                "required": ["code", "string"],
                "properties": {
                    "code": { "type": "string", "description": "The fault code's local part (`Client`, `Server.Busy`)." },
                    "string": { "type": "string" },
                    "actor": { "type": "string" },
                    "name": { "type": "string", "description": "The declared fault the detail matched." },
                    "detail": { "description": "The detail as JSON: the declared fault's content when it matched." },
                    "subcodes": {
                        "type": "array",
                        "items": { "type": "string" },
                        "description": "SOAP 1.2 subcodes, outermost first, named by namespace: `{urn:x}BadId` (the local name alone when it has no namespace).",
                    },
                },
            },
            "backend_status": {
                "type": "integer",
                "description": "The HTTP status the backend answered with.",
            },
            "limit": { "type": "integer", "description": "For `body-too-large`: the limit in bytes." },
            "line": { "type": "integer", "description": "For `malformed-json`." },
            "column": { "type": "integer", "description": "For `malformed-json`." },
        },
    })
}

//! OpenAPI 3.1 for the REST routes: the compiled route table as an API description, with the
//! JSON forms of the contracts' XSD types as JSON Schema (draft 2020-12).
//!
//! ```text
//! routes ──> paths: one path item per path, one operation per method
//!              parameters (path, query, header) · requestBody · responses (success, problems)
//!   │
//!   └─ XSD types reached ──> named types, and anonymous ones that recur ──> components.schemas
//!                            other anonymous types ──> inline
//! ```
//!
//! The schemas describe the JSON that `translate` reads and writes (docs/json-xml.md); how
//! each XSD construct maps is written down in docs/openapi.md. Types are addressed by
//! (contract, `TypeId`), so recursion ends at a `$ref` and two contracts never mix.
//!
//! ```text
//! mod.rs         the document: info, servers, tags, paths, components
//! paths.rs       one operation per route: parameters, request body, success response
//! problems.rs    the problem+json schema and each route's error responses
//! components.rs  the generator's state: which types become components, which stay inline
//! schema.rs      complex types: objects, arrays, derived types (`$type`)
//! choices.rs     `xsd:choice` as `oneOf` rules on which keys are present
//! security.rs    security schemes, each operation's `security`, 401/403/429 problems
//! simple.rs      simple types: built-ins, facets, lists, unions
//! names.rs       component names and operation ids
//! json_schema.rs small builders of JSON Schema values
//! ```
//!
//! May import (the folder as a whole): `mapping`, `translate`, `wsdl`, `xmlutil`, and
//! `gateway::problem` for the problem type prefix; nothing else above. This file itself:
//! `mapping` and its own files.

mod choices;
mod components;
mod json_schema;
mod names;
mod paths;
mod problems;
mod schema;
mod security;
mod simple;

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::mapping::{Mappings, Route};

use components::Gen;
pub use problems::PROBLEM_SCHEMA;
use problems::problem_schema;
pub use security::{PolicyDoc, Security};
pub use simple::ecma_pattern;

/// The OpenAPI version written.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The OpenAPI document of every route of `m`.
pub fn spec(m: &Mappings, server_url: Option<&str>) -> Value {
    spec_for_routes(&m.routes, server_url, None)
}

/// The OpenAPI document of `routes` (the route table's, or a mapping set's), with who may
/// call them when the routes name policies of a gateway configuration.
pub fn spec_for_routes(
    routes: &[Arc<Route>],
    server_url: Option<&str>,
    security: Option<&Security>,
) -> Value {
    let mut g = Gen {
        security,
        ..Gen::default()
    };
    g.taken.insert(PROBLEM_SCHEMA.to_owned());
    let mut paths = Map::new();
    let mut tags: Vec<Value> = Vec::new();
    let mut tag_names: HashSet<String> = HashSet::new();
    for r in routes {
        let op = g.operation(r);
        let item = paths
            .entry(r.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(r.method.as_str().to_ascii_lowercase(), op);
        }
        if tag_names.insert(r.backend.name.clone()) {
            let b = r.backend.binding();
            tags.push(json!({
                "name": r.backend.name,
                "description": format!(
                    "SOAP {} backend, binding `{}` of `{}`.",
                    r.backend.soap_version.label(),
                    b.name.local,
                    r.backend.wsdl.target_namespace
                ),
            }));
        }
    }
    g.drain();
    let mut schemas = Map::new();
    schemas.insert(PROBLEM_SCHEMA.to_owned(), problem_schema());
    for (name, s) in std::mem::take(&mut g.components) {
        schemas.insert(name, s);
    }
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!(OPENAPI_VERSION));
    doc.insert(
        "info".into(),
        json!({
            "title": "soapbridge",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "REST/JSON routes over SOAP backends. Request and response bodies \
                follow the JSON conventions of soapbridge (docs/json-xml.md); errors are \
                application/problem+json.",
        }),
    );
    if let Some(url) = server_url {
        doc.insert("servers".into(), json!([{ "url": url }]));
    }
    if !tags.is_empty() {
        doc.insert("tags".into(), Value::Array(tags));
    }
    doc.insert("paths".into(), Value::Object(paths));
    let mut components = Map::new();
    components.insert("schemas".into(), Value::Object(schemas));
    if let Some(schemes) = security.and_then(Security::components) {
        components.insert("securitySchemes".into(), schemes);
    }
    doc.insert("components".into(), Value::Object(components));
    Value::Object(doc)
}

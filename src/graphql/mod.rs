//! The GraphQL face's schema and execution: the compiled routes as a GraphQL schema, each
//! root field one call of the shared pipeline (`gateway::Core::invoke`).
//!
//! ```text
//! routes (mapping files with `graphql: true`, or all with the configuration's
//!         `graphql.enabled`; a route's `graphql: { enabled: false }` leaves it out)
//!   ──> root fields   GET routes (or `kind: query`) → Query, the rest → Mutation
//!         arguments   what the REST caller supplies, after the request template (args.rs)
//!         result      the XSD output after the response selection (types.rs)
//!   ──> async-graphql dynamic schema: depth and complexity limits, root-field limit,
//!       introspection switch ──> built with the route table, swapped with it on reload
//!
//! execution: http::graphql ──Request + Host + Call──> async-graphql
//!   ──> each root field: edge policy, rate limit, Core::invoke (execute.rs)
//! ```
//!
//! ```text
//! mod.rs      settings, the schema of a route table, running a request
//! document.rs parsed documents by text, root fields (limit, order, error paths)
//! names.rs    valid, deterministic, collision-free names
//! scalars.rs  XSD built-ins → scalars; exact JSON ⇄ GraphQL values
//! types.rs    XSD types → objects, input objects, enums
//! args.rs     a route's arguments and the way back to gateway::Input
//! execute.rs  a root field's resolver: edge, invoke, answer or error
//! ```
//!
//! May import (the folder as a whole): `gateway`, `edge`, `mapping`, `metrics`, `soap` (the
//! client's size limit), `translate` (the JSON keys), `wsdl`, `xmlutil`; never a face
//! (`http`). docs/graphql.md says what a user sees.

mod args;
mod document;
mod execute;
pub mod names;
mod scalars;
mod types;

use std::sync::Arc;

use async_graphql::ValidationMode;
use async_graphql::dynamic::{Field, Object, Schema, TypeRef};

pub use document::Parsed;
pub use execute::{Call, Host, field_error};
pub use scalars::from_json as value_from_json;

use crate::mapping::{GraphqlKind, Route};
use names::{Taken, field_name};
use types::Types;

/// The GraphQL face's switch and limits (gateway configuration `graphql:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Serve mapping files that do not say (`graphql:` in the file wins).
    pub enabled: bool,
    pub introspection: bool,
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Most fields one query may select, all levels together.
    pub max_complexity: usize,
    /// Most root fields (backend calls) one operation may hold.
    pub max_root_fields: usize,
    /// Largest request body (POST) or query string (GET).
    pub max_body_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enabled: false,
            introspection: true,
            max_depth: 15,
            max_complexity: 1000,
            max_root_fields: 10,
            max_body_bytes: 256 << 10,
        }
    }
}

/// A root field: its name, root type and route (index into the route table's routes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootField {
    pub name: String,
    pub kind: GraphqlKind,
    pub route: usize,
}

/// The schema of one route table.
pub struct Face {
    /// The schema, validating every request with all of GraphQL's rules.
    pub schema: Schema,
    /// The same schema with async-graphql's fast validation (depth, complexity, fragment
    /// cycles only), for a text and operation that already passed `schema`'s validation
    /// with no variables: that validation depends only on the schema, the text and the
    /// operation, and was a sixth of a small query's cost.
    checked: Schema,
    pub fields: Vec<RootField>,
    pub settings: Settings,
    /// Parsed documents by query text. Parsing (a pest grammar) was the largest single cost
    /// of a small query, more than the SOAP call it makes, and clients send the same few
    /// texts again and again. Only documents that parsed are kept; the depth, directive and
    /// root-field checks still run on every request. Built empty with the schema, so a
    /// reload starts afresh.
    documents: document::Documents,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("fields", &self.fields)
            .finish()
    }
}

impl Face {
    /// The schema in SDL.
    pub fn sdl(&self) -> String {
        self.schema.sdl()
    }
}

/// Whether `r` is served on `/graphql` with `settings`.
pub fn serves(r: &Route, settings: &Settings) -> bool {
    r.graphql.enabled != Some(false) && r.backend.graphql.unwrap_or(settings.enabled)
}

/// The root type of `r`'s field.
pub fn kind_of(r: &Route) -> GraphqlKind {
    r.graphql
        .kind
        .unwrap_or(if r.method == actix_web::http::Method::GET {
            GraphqlKind::Query
        } else {
            GraphqlKind::Mutation
        })
}

/// The GraphQL schema of the routes `settings` switches on (`None`: no route is).
pub fn build(routes: &[Arc<Route>], settings: &Settings) -> Result<Option<Face>, String> {
    let chosen: Vec<usize> = (0..routes.len())
        .filter(|i| serves(&routes[*i], settings))
        .collect();
    if chosen.is_empty() {
        return Ok(None);
    }
    // Names: the mappings' own first (a clash between two is an error), then the derived
    // ones, in route order.
    let mut root_names = Taken::default();
    let mut names: Vec<Option<String>> = vec![None; routes.len()];
    let mut owners: std::collections::HashMap<String, &str> = Default::default();
    for &i in &chosen {
        if let Some(n) = &routes[i].graphql.name {
            if let Some(other) = owners.get(n.as_str()) {
                return Err(format!(
                    "{}: graphql name `{n}` is taken by the route at {other}; choose another",
                    routes[i].origin
                ));
            }
            owners.insert(n.clone(), &routes[i].origin);
            root_names.claim(n);
            names[i] = Some(n.clone());
        }
    }
    for &i in &chosen {
        if names[i].is_none() {
            let r = &routes[i];
            names[i] = Some(root_names.claim_in(&field_name(&r.operation().name), &r.backend.name));
        }
    }

    let strict = schema(routes, &chosen, &names, settings, ValidationMode::Strict)?;
    let checked = schema(routes, &chosen, &names, settings, ValidationMode::Fast)?;
    let fields = chosen
        .iter()
        .map(|&i| RootField {
            name: names[i].clone().unwrap_or_default(),
            kind: kind_of(&routes[i]),
            route: i,
        })
        .collect();
    Ok(Some(Face {
        schema: strict,
        checked,
        fields,
        settings: settings.clone(),
        documents: document::Documents::new(settings.max_root_fields),
    }))
}

/// The schema of the `chosen` routes under their root-field `names`, validating with `mode`.
fn schema(
    routes: &[Arc<Route>],
    chosen: &[usize],
    names: &[Option<String>],
    settings: &Settings,
    mode: ValidationMode,
) -> Result<Schema, String> {
    let mut types = Types::new(&reserved());
    let mut query = Object::new("Query").description("Read operations: the GET routes.");
    let mut mutation = Object::new("Mutation").description("The other operations.");
    let (mut n_query, mut n_mutation) = (0, 0);
    let mut pending = Vec::new();
    for &i in chosen {
        let r = &routes[i];
        let name = names[i].clone().unwrap_or_default();
        let s = types.contract(&r.backend.wsdl);
        let (arg_values, args) = args::arguments(&mut types, s, r, &name);
        let (ty, out) = match (r.response.ty, &r.response.soap_headers) {
            (None, _) if r.operation().output.is_none() => (TypeRef::named(TypeRef::BOOLEAN), None),
            (None, _) | (_, Some(_)) => (TypeRef::named(scalars::JSON), Some(types::Out::Scalar)),
            (Some(t), None) => {
                let hint = r.response.path.last().map_or_else(
                    || format!("{}Response", r.operation().name),
                    |k| k.to_string(),
                );
                let (g, out) = types.output(s, t, &hint);
                if r.response.repeated {
                    (
                        types::G::List(Box::new(g), true).type_ref(false),
                        Some(types::Out::List(Box::new(out))),
                    )
                } else {
                    (g.type_ref(false), Some(out))
                }
            }
        };
        let kind = kind_of(r);
        pending.push((i, name, kind, ty, arg_values, args, out));
    }
    types.drain();
    let plans = Arc::new(std::mem::take(&mut types.plans));
    for (i, name, kind, ty, arg_values, args, out) in pending {
        let r = &routes[i];
        let plan = Arc::new(execute::RootPlan {
            route: i,
            args,
            plans: plans.clone(),
            out,
        });
        let mut f =
            Field::new(name, ty, move |ctx| execute::resolve(&plan, ctx)).description(describe(r));
        for a in arg_values {
            f = f.argument(a);
        }
        match kind {
            GraphqlKind::Query => {
                query = query.field(f);
                n_query += 1;
            }
            GraphqlKind::Mutation => {
                mutation = mutation.field(f);
                n_mutation += 1;
            }
        }
    }
    if n_query == 0 {
        query = query.field(
            Field::new("_empty", TypeRef::named(TypeRef::BOOLEAN), |_| {
                async_graphql::dynamic::FieldFuture::Value(None)
            })
            .description(
                "Always null: no route is a read operation, and GraphQL needs a query field.",
            ),
        );
    }
    let mut b = Schema::build("Query", (n_mutation > 0).then_some("Mutation"), None)
        .register(query)
        .limit_depth(settings.max_depth)
        .limit_complexity(settings.max_complexity)
        .validation_mode(mode);
    if n_mutation > 0 {
        b = b.register(mutation);
    }
    if !settings.introspection {
        b = b.disable_introspection();
    }
    for s in scalars::custom() {
        b = b.register(s);
    }
    for e in types.enum_types {
        b = b.register(e);
    }
    for o in types.objects {
        b = b.register(o);
    }
    for o in types.inputs {
        b = b.register(o);
    }
    b.finish()
        .map_err(|e| format!("the GraphQL schema does not build: {e}"))
}

/// Names no generated type may take.
fn reserved() -> Vec<&'static str> {
    let mut v = scalars::ALL.to_vec();
    v.extend(["Query", "Mutation", "Subscription"]);
    v
}

/// A root field's description: the route's words, the operation, the REST route.
fn describe(r: &Route) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &r.summary {
        parts.push(s.clone());
    }
    if let Some(d) = &r.description {
        parts.push(d.clone());
    } else if let Some(d) = &r.operation().documentation
        && r.summary.as_ref() != Some(d)
    {
        parts.push(d.clone());
    }
    parts.push(format!(
        "Calls the SOAP operation `{}` of backend `{}`, as `{} {}` does.",
        r.operation().name,
        r.backend.name,
        r.method,
        r.path
    ));
    parts.join("\n\n")
}

impl Face {
    /// Gives `request` its parsed document: the one kept for its text, or a new one (kept
    /// when the text is short). A text that does not parse is left for execution to report.
    pub fn parse(&self, request: &mut async_graphql::Request) -> Option<Arc<Parsed>> {
        self.documents.parse(request)
    }

    /// Runs a request `parse` was given (`parsed`: what it answered): the schema's answer,
    /// with each failed root field's error at its path and its key present as `null`, and
    /// the root fields in the order the query asks for them (they resolve concurrently and
    /// finish in any order).
    pub async fn execute(
        &self,
        mut request: async_graphql::Request,
        parsed: Option<Arc<Parsed>>,
    ) -> async_graphql::Response {
        let operation = request.operation_name.clone();
        let roots = match request.parsed_query() {
            Ok(doc) => {
                let over = match &parsed {
                    Some(p) => p.over_limit.clone(),
                    None => document::too_many_roots(doc, self.settings.max_root_fields),
                };
                if let Some(e) = over {
                    return async_graphql::Response::from_errors(vec![e]);
                }
                document::roots(doc, operation.as_deref())
            }
            Err(_) => Vec::new(),
        };
        let plain = request.variables.is_empty();
        let checked = plain
            && parsed
                .as_ref()
                .is_some_and(|p| p.checked(operation.as_deref()));
        let schema = if checked { &self.checked } else { &self.schema };
        let mut response = schema.execute(request).await;
        document::root_error_paths(&mut response.errors, &roots);
        if let async_graphql::Value::Object(data) = &mut response.data {
            // Data means the request passed validation.
            if plain
                && !checked
                && let Some(p) = &parsed
            {
                p.mark_checked(operation.as_deref());
            }
            for e in &response.errors {
                document::null_at(data, &e.path);
            }
            document::order(data, &roots);
        }
        response
    }
}

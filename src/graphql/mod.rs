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
//! mod.rs      settings, the schema of a route table, the root-field limit
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
mod execute;
pub mod names;
mod scalars;
mod types;

use std::sync::Arc;

use async_graphql::dynamic::{Field, Object, Schema, TypeRef};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, Variables};

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
    pub schema: Schema,
    pub fields: Vec<RootField>,
    pub settings: Settings,
    /// Parsed documents by query text. Parsing (a pest grammar) was the largest single cost
    /// of a small query, more than the SOAP call it makes, and clients send the same few
    /// texts again and again. Only documents that parsed are kept; the depth, directive,
    /// root-field and validation checks still run on every request. Built empty with the
    /// schema, so a reload starts afresh.
    parsed: quick_cache::sync::Cache<String, ExecutableDocument>,
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

    let mut types = Types::new(&reserved());
    let mut query = Object::new("Query").description("Read operations: the GET routes.");
    let mut mutation = Object::new("Mutation").description("The other operations.");
    let (mut n_query, mut n_mutation) = (0, 0);
    let mut fields = Vec::new();
    let mut pending = Vec::new();
    for &i in &chosen {
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
        pending.push((i, name.clone(), kind, ty, arg_values, args, out));
        fields.push(RootField {
            name,
            kind,
            route: i,
        });
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
        .extension(RootFieldLimit(settings.max_root_fields))
        .extension(ErrorPaths);
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
    let schema = b
        .finish()
        .map_err(|e| format!("the GraphQL schema does not build: {e}"))?;
    Ok(Some(Face {
        parsed: quick_cache::sync::Cache::new(PARSED_QUERIES),
        schema,
        fields,
        settings: settings.clone(),
    }))
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
    pub fn parse(&self, request: &mut async_graphql::Request) {
        let cacheable = request.query.len() <= CACHED_QUERY_BYTES;
        if cacheable && let Some(doc) = self.parsed.get(request.query.as_str()) {
            request.set_parsed_query(doc);
            return;
        }
        if let Ok(doc) = request.parsed_query()
            && cacheable
        {
            let doc = doc.clone();
            self.parsed.insert(request.query.clone(), doc);
        }
    }

    /// Runs a request: the schema's answer, with each failed field's key present as `null`
    /// (at its path) and the root fields in the order the query asks for them (they resolve
    /// concurrently and finish in any order).
    pub async fn execute(&self, mut request: async_graphql::Request) -> async_graphql::Response {
        self.parse(&mut request);
        let operation = request.operation_name.clone();
        let order = request
            .parsed_query()
            .ok()
            .map(|doc| root_keys(doc, operation.as_deref()));
        let mut response = self.schema.execute(request).await;
        let errored: Vec<Vec<async_graphql::PathSegment>> = response
            .errors
            .iter()
            .filter(|e| !e.path.is_empty())
            .map(|e| e.path.clone())
            .collect();
        if let async_graphql::Value::Object(data) = &mut response.data {
            for path in errored {
                null_at(data, &path);
            }
            if let Some(order) = order {
                let mut sorted = async_graphql::indexmap::IndexMap::with_capacity(data.len());
                for k in order {
                    if let Some(v) = data.shift_remove(k.as_str()) {
                        sorted.insert(async_graphql::Name::new(&k), v);
                    }
                }
                sorted.extend(std::mem::take(data));
                *data = sorted;
            }
        }
        response
    }
}

/// Puts `null` at `path` when the key is missing and its parent object exists.
fn null_at(
    data: &mut async_graphql::indexmap::IndexMap<async_graphql::Name, async_graphql::Value>,
    path: &[async_graphql::PathSegment],
) {
    use async_graphql::{PathSegment, Value};
    let Some((PathSegment::Field(first), rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        data.entry(async_graphql::Name::new(first))
            .or_insert(Value::Null);
        return;
    }
    let mut cur = data.get_mut(first.as_str());
    let mut rest = rest;
    while let Some((seg, more)) = rest.split_first() {
        match (cur, seg) {
            (Some(Value::List(items)), PathSegment::Index(i)) => {
                if more.is_empty() {
                    return;
                }
                cur = items.get_mut(*i);
            }
            (Some(Value::Object(m)), PathSegment::Field(f)) => {
                if more.is_empty() {
                    m.entry(async_graphql::Name::new(f)).or_insert(Value::Null);
                    return;
                }
                cur = m.get_mut(f.as_str());
            }
            _ => return,
        }
        rest = more;
    }
}

/// The response keys of the selected operation's root fields, in query order.
fn root_keys(doc: &ExecutableDocument, operation: Option<&str>) -> Vec<String> {
    fn walk(doc: &ExecutableDocument, set: &SelectionSet, depth: u32, out: &mut Vec<String>) {
        if depth > 32 {
            return;
        }
        for s in &set.items {
            match &s.node {
                Selection::Field(f) => {
                    let k = f.node.response_key().node.to_string();
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
                Selection::InlineFragment(f) => {
                    walk(doc, &f.node.selection_set.node, depth + 1, out)
                }
                Selection::FragmentSpread(f) => {
                    if let Some(d) = doc.fragments.get(&f.node.fragment_name.node) {
                        walk(doc, &d.node.selection_set.node, depth + 1, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (name, op) in doc.operations.iter() {
        if operation.is_none() || name.map(|n| n.as_str()) == operation {
            walk(doc, &op.node.selection_set.node, 0, &mut out);
            break;
        }
    }
    out
}

/// Gives a resolver's error the path of its field (async-graphql's dynamic schema leaves it
/// empty).
struct ErrorPaths;

impl ExtensionFactory for ErrorPaths {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorPaths)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorPaths {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<async_graphql::Value>> {
        let node = info.path_node;
        next.run(ctx, info).await.map_err(|mut e| {
            if e.path.is_empty() {
                let mut path = Vec::new();
                let mut cur = Some(node);
                while let Some(n) = cur {
                    path.push(match &n.segment {
                        async_graphql::QueryPathSegment::Name(name) => {
                            async_graphql::PathSegment::Field((*name).to_owned())
                        }
                        async_graphql::QueryPathSegment::Index(i) => {
                            async_graphql::PathSegment::Index(*i)
                        }
                    });
                    cur = n.parent;
                }
                path.reverse();
                e.path = path;
            }
            e
        })
    }
}

/// Refuses an operation with more root fields than `max` (each is a backend call), before
/// anything runs.
struct RootFieldLimit(usize);

impl ExtensionFactory for RootFieldLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RootFieldLimit(self.0))
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for RootFieldLimit {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        for (_, op) in doc.operations.iter() {
            let n = count_root_fields(&doc, &op.node.selection_set, 0);
            if n > self.0 {
                return Err(ServerError::new(
                    format!(
                        "the operation has {n} root fields; at most {} are allowed in one request (each is a backend call)",
                        self.0
                    ),
                    Some(op.pos),
                ));
            }
        }
        Ok(doc)
    }
}

/// How many parsed query texts a schema keeps.
const PARSED_QUERIES: usize = 512;
/// Longer query texts are parsed every time (the cache stays a few MiB at most).
const CACHED_QUERY_BYTES: usize = 4 << 10;

/// The fields (introspection aside) a root selection set selects, fragments followed.
fn count_root_fields(
    doc: &ExecutableDocument,
    set: &Positioned<SelectionSet>,
    depth: u32,
) -> usize {
    if depth > 32 {
        return 0;
    }
    set.node
        .items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => usize::from(!f.node.name.node.starts_with("__")),
            Selection::InlineFragment(f) => {
                count_root_fields(doc, &f.node.selection_set, depth + 1)
            }
            Selection::FragmentSpread(f) => doc
                .fragments
                .get(&f.node.fragment_name.node)
                .map_or(0, |d| {
                    count_root_fields(doc, &d.node.selection_set, depth + 1)
                }),
        })
        .sum()
}

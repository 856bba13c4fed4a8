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

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::mapping::compile::required_keys;
use crate::mapping::{FaultMatch, Input, Mappings, Param, Route};
use crate::translate::scalar;
use crate::translate::{ANY_KEY, ATTRS_KEY, TEXT_KEY, TYPE_KEY, VALUE_KEY};
use crate::wsdl::{
    Builtin, ComplexType, Content, ElemId, JsonKind, Particle, Schema, SlotKind, Term, Type,
    TypeId, Variety, Wsdl, well_known,
};
use crate::xmlutil::XSD_NS;

/// The OpenAPI version written.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The shared problem+json schema's name in `components.schemas`.
pub const PROBLEM_SCHEMA: &str = "Problem";

const MEDIA_JSON: &str = "application/json";
const MEDIA_PROBLEM: &str = "application/problem+json";

/// The OpenAPI document of every route of `m`.
pub fn spec(m: &Mappings, server_url: Option<&str>) -> Value {
    spec_for_routes(&m.routes, server_url)
}

/// The OpenAPI document of `routes` (the route table's, or a mapping set's).
pub fn spec_for_routes(routes: &[Arc<Route>], server_url: Option<&str>) -> Value {
    let mut g = Gen::default();
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
    doc.insert("components".into(), json!({ "schemas": schemas }));
    Value::Object(doc)
}

/// `soapbridge openapi`: compiles the mapping files under `paths` (default `mappings/`) and
/// prints their document as pretty JSON; on mapping errors, prints every diagnostic to
/// stderr and fails.
pub fn print(paths: &[PathBuf], server_url: Option<&str>) -> std::io::Result<ExitCode> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("mappings")]
    } else {
        paths.to_vec()
    };
    match crate::mapping::load(&paths, crate::mapping::Options::default()) {
        Ok(m) => {
            let text = serde_json::to_string_pretty(&spec(&m, server_url))
                .map_err(std::io::Error::other)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            for d in &diags {
                eprintln!("error: {d}");
            }
            eprintln!(
                "{} error{}",
                diags.len(),
                if diags.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Which schema of a type a component holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Form {
    /// What an element declared with the type holds: with derived types, any of them.
    Use,
    /// The type itself, without derived types (for polymorphic types only).
    Exact,
}

type Key = (usize, TypeId, Form);

#[derive(Default)]
struct Gen<'a> {
    /// Contracts met so far; index = the first member of a [`Key`].
    schemas: Vec<&'a Schema>,
    wsdl_index: HashMap<*const Wsdl, usize>,
    /// Anonymous complex types used in more than one place, per contract.
    shared_anon: Vec<HashSet<TypeId>>,
    names: HashMap<Key, String>,
    taken: HashSet<String>,
    queue: VecDeque<Key>,
    components: BTreeMap<String, Value>,
    /// Anonymous types being written inline (a repeat means recursion).
    inline_stack: Vec<(usize, TypeId)>,
    operation_ids: HashSet<String>,
}

impl<'a> Gen<'a> {
    fn contract(&mut self, w: &'a Arc<Wsdl>) -> usize {
        let ptr = Arc::as_ptr(w);
        if let Some(i) = self.wsdl_index.get(&ptr) {
            return *i;
        }
        let i = self.schemas.len();
        self.schemas.push(&w.schema);
        self.shared_anon.push(shared_anonymous_types(&w.schema));
        self.wsdl_index.insert(ptr, i);
        i
    }

    // ----- operations -----------------------------------------------------------------

    fn operation(&mut self, r: &'a Route) -> Value {
        let s = self.contract(&r.backend.wsdl);
        let op = r.operation();
        let mut o = Map::new();
        o.insert("operationId".into(), json!(self.operation_id(r)));
        if let Some(summary) = &r.summary {
            o.insert("summary".into(), json!(summary));
        }
        let mut description = Vec::new();
        if let Some(d) = &r.description {
            description.push(d.clone());
        } else if let Some(d) = &op.documentation
            && r.summary.as_ref() != Some(d)
        {
            description.push(d.clone());
        }
        description.push(format!(
            "Calls the SOAP operation `{}` of backend `{}`.",
            op.name, r.backend.name
        ));
        o.insert("description".into(), json!(description.join("\n\n")));
        o.insert("tags".into(), json!([r.backend.name]));

        let mut params = Vec::new();
        let mut in_path: HashSet<&str> = HashSet::new();
        for p in &r.path_params {
            in_path.insert(&p.name);
            params.push(self.parameter(s, p, "path"));
        }
        // Every template name needs a parameter, even one the route reads as plain text.
        for name in crate::mapping::compile::path_params(&r.path) {
            if !in_path.contains(name.as_str()) {
                params.push(json!({
                    "name": name, "in": "path", "required": true, "schema": {"type": "string"},
                }));
            }
        }
        for p in &r.query_params {
            params.push(self.parameter(s, p, "query"));
        }
        for p in &r.header_params {
            params.push(self.parameter(s, p, "header"));
        }
        if !params.is_empty() {
            o.insert("parameters".into(), Value::Array(params));
        }
        if let Some(body) = self.request_body(s, r) {
            o.insert("requestBody".into(), body);
        }
        o.insert("responses".into(), self.responses(s, r));
        Value::Object(o)
    }

    fn operation_id(&mut self, r: &Route) -> String {
        let base = format!(
            "{}_{}_{}",
            sanitize_id(&r.backend.name),
            sanitize_id(&r.operation().name),
            r.method.as_str().to_ascii_lowercase()
        );
        let mut id = base.clone();
        let mut n = 2;
        while !self.operation_ids.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        id
    }

    fn parameter(&mut self, s: usize, p: &Param, location: &str) -> Value {
        let schema = self.schemas[s];
        let mut sch = match p.ty {
            Some(t) => self.type_schema(s, t, &p.name),
            None => json!({"type": "string"}),
        };
        let default = p.default.as_ref().map(|d| {
            p.ty.and_then(|t| scalar::to_json(schema, t, d).ok())
                .unwrap_or_else(|| Value::String(d.clone()))
        });
        if p.repeated {
            sch = json!({"type": "array", "items": sch});
            if let Some(d) = default {
                set(&mut sch, "default", Value::Array(vec![d]));
            }
        } else if let Some(d) = default {
            set(&mut sch, "default", d);
        }
        let mut m = Map::new();
        m.insert("name".into(), json!(p.name));
        m.insert("in".into(), json!(location));
        m.insert(
            "required".into(),
            json!(location == "path" || (p.required && p.default.is_none())),
        );
        m.insert("schema".into(), sch);
        if location == "query" && p.repeated {
            m.insert("style".into(), json!("form"));
            m.insert("explode".into(), json!(true));
        }
        Value::Object(m)
    }

    fn request_body(&mut self, s: usize, r: &Route) -> Option<Value> {
        let b = r.body.as_ref()?;
        let sch = if b.fields.is_empty() {
            let filled_elsewhere: Vec<&str> = match &r.input {
                Input::Auto { fields } => fields.iter().map(|(_, p)| p.name.as_str()).collect(),
                Input::Template(_) => Vec::new(),
            };
            let mut v = if filled_elsewhere.is_empty() {
                self.type_schema(s, b.ty, "body")
            } else {
                // Path and query parameters fill top-level fields, so the body may leave
                // them out.
                let mut v = self.inline_type(s, b.ty, "body");
                unrequire(&mut v, &filled_elsewhere);
                v
            };
            if b.repeated {
                v = array_of(v);
            }
            v
        } else {
            let mut root = Map::new();
            for f in &b.fields {
                let name = f.path.rsplit('.').next().unwrap_or(&f.path);
                let mut leaf = self.type_schema(s, f.ty, name);
                if f.repeated {
                    leaf = array_of(leaf);
                }
                let segs: Vec<&str> = f.path.split('.').filter(|x| !x.is_empty()).collect();
                insert_field(&mut root, &segs, leaf, f.required);
            }
            object_from_fields(root)
        };
        Some(json!({
            "required": b.required,
            "description": format!("The input of `{}`, as JSON.", r.operation().name),
            "content": { MEDIA_JSON: { "schema": sch } },
        }))
    }

    fn responses(&mut self, s: usize, r: &Route) -> Value {
        let mut out = Map::new();
        let status = r.response.status;
        let reason = reason_phrase(status);
        match r.response.ty {
            None => {
                out.insert(status.to_string(), json!({ "description": reason }));
            }
            Some(ty) => {
                let hint = r.response.path.last().map_or_else(
                    || format!("{}Response", r.operation().name),
                    |k| k.to_string(),
                );
                let mut v = self.type_schema(s, ty, &hint);
                if r.response.repeated {
                    v = array_of(v);
                } else if self.response_may_be_null(s, r) {
                    v = nullable(v);
                }
                out.insert(
                    status.to_string(),
                    json!({
                        "description": format!("{reason}: the output of `{}`.", r.operation().name),
                        "content": { MEDIA_JSON: { "schema": v } },
                    }),
                );
            }
        }
        for (code, (lines, schema)) in self.problem_responses(s, r) {
            let description = lines
                .iter()
                .map(|l| format!("- {l}"))
                .collect::<Vec<_>>()
                .join("\n");
            out.insert(
                code.to_string(),
                json!({
                    "description": format!("{}:\n\n{description}", reason_phrase(code)),
                    "content": { MEDIA_PROBLEM: { "schema": schema } },
                }),
            );
        }
        Value::Object(out)
    }

    /// Whether `shape` may answer `null`: an element on the response path may be absent.
    fn response_may_be_null(&self, s: usize, r: &Route) -> bool {
        let schema = self.schemas[s];
        let Some(out) = &r.operation().output else {
            return false;
        };
        let mut cur = out.body.content;
        for key in &r.response.path {
            let Some(c) = schema.complex(cur) else {
                return true;
            };
            let Some(slot) = c.slot(key) else {
                return true;
            };
            match slot.kind {
                SlotKind::Element(e) => {
                    if !required_keys(schema, cur).iter().any(|k| k == key) {
                        return true;
                    }
                    cur = schema.element(e).ty;
                }
                SlotKind::Attribute(i) => {
                    let a = &c.attributes[i];
                    return !a.required && a.default.is_none() && a.fixed.is_none();
                }
            }
        }
        false
    }

    /// Error statuses of a route: what causes each, and the problem schema.
    fn problem_responses(&mut self, s: usize, r: &Route) -> BTreeMap<u16, (Vec<String>, Value)> {
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
             not fit the contract; `backend-response-too-large`."
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

    // ----- types --------------------------------------------------------------------------

    /// The schema of a value whose declared type is `ty`: a `$ref` for named types, inline
    /// for built-ins and anonymous types. `hint` names an anonymous type that must become a
    /// component (the element's name).
    fn type_schema(&mut self, s: usize, ty: TypeId, hint: &str) -> Value {
        let schema = self.schemas[s];
        if ty == well_known::ANY_TYPE {
            return json!({});
        }
        match schema.ty(ty) {
            Type::Simple(st) => match &st.name {
                Some(n) if &*n.ns != XSD_NS => self.component(s, ty, Form::Use, &n.local, &n.ns),
                _ => self.simple_schema(s, ty),
            },
            Type::Complex(c) => {
                if let Some(n) = &c.name {
                    return self.component(s, ty, Form::Use, &n.local, &n.ns);
                }
                if self.names.contains_key(&(s, ty, Form::Use))
                    || self.inline_stack.contains(&(s, ty))
                    || self.shared_anon[s].contains(&ty)
                {
                    return self.component(s, ty, Form::Use, hint, "");
                }
                self.inline_type(s, ty, hint)
            }
        }
    }

    /// The schema of a global element's content; an anonymous complex type becomes a
    /// component named after the element (fault details recur across routes).
    fn global_element_schema(&mut self, s: usize, e: ElemId) -> Value {
        let schema = self.schemas[s];
        let el = schema.element(e);
        if el.ty != well_known::ANY_TYPE && schema.complex(el.ty).is_some_and(|c| c.name.is_none())
        {
            return self.component(s, el.ty, Form::Use, &el.name.local, &el.name.ns);
        }
        self.type_schema(s, el.ty, &el.name.local)
    }

    /// The schema of `ty` written out (never a `$ref` to `ty` itself).
    fn inline_type(&mut self, s: usize, ty: TypeId, hint: &str) -> Value {
        if ty == well_known::ANY_TYPE {
            return json!({});
        }
        match self.schemas[s].ty(ty) {
            Type::Simple(_) => self.simple_schema(s, ty),
            Type::Complex(_) => {
                self.inline_stack.push((s, ty));
                let v = if self.is_polymorphic(s, ty) {
                    self.polymorphic(s, ty)
                } else {
                    self.complex_exact(s, ty, hint)
                };
                self.inline_stack.pop();
                v
            }
        }
    }

    /// A `$ref` to the component of (`ty`, `form`), named and queued on first use.
    fn component(&mut self, s: usize, ty: TypeId, form: Form, local: &str, ns: &str) -> Value {
        let key = (s, ty, form);
        if let Some(n) = self.names.get(&key) {
            return schema_ref(n);
        }
        let base = match form {
            Form::Use => sanitize_name(local),
            Form::Exact => format!("{}.exact", sanitize_name(local)),
        };
        let mut name = base.clone();
        if self.taken.contains(&name) {
            let suffix = ns_suffix(ns);
            name = if suffix.is_empty() {
                String::new()
            } else {
                format!("{base}_{suffix}")
            };
            let mut n = 2;
            while name.is_empty() || self.taken.contains(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
        }
        self.taken.insert(name.clone());
        self.names.insert(key, name.clone());
        self.queue.push_back(key);
        schema_ref(&name)
    }

    /// Writes the queued components (which may queue more).
    fn drain(&mut self) {
        while let Some(key) = self.queue.pop_front() {
            let (s, ty, form) = key;
            let hint = self.names.get(&key).cloned().unwrap_or_default();
            let body = match form {
                Form::Use => self.inline_type(s, ty, &hint),
                Form::Exact => {
                    self.inline_stack.push((s, ty));
                    let v = self.complex_exact(s, ty, &hint);
                    self.inline_stack.pop();
                    v
                }
            };
            self.components.insert(hint, body);
        }
    }

    fn is_polymorphic(&self, s: usize, ty: TypeId) -> bool {
        ty != well_known::ANY_TYPE
            && self.schemas[s]
                .complex(ty)
                .is_some_and(|c| c.array.is_none() && !c.derived.is_empty())
    }

    /// The type or any concrete type derived from it, told apart by `$type`.
    fn polymorphic(&mut self, s: usize, ty: TypeId) -> Value {
        let schema = self.schemas[s];
        let Some(c) = schema.complex(ty) else {
            return json!({});
        };
        let mut members = Vec::new();
        if !c.is_abstract {
            members.push(ty);
        }
        for d in &c.derived {
            if schema.complex(*d).is_some_and(|dc| !dc.is_abstract) {
                members.push(*d);
            }
        }
        let local = c.name.as_ref().map_or("", |n| &*n.local).to_owned();
        if members.is_empty() {
            return self.complex_exact(s, ty, &local);
        }
        let mut variants = Vec::new();
        let mut all_objects = true;
        for t in members {
            let Some(name) = schema.ty(t).name().cloned() else {
                continue;
            };
            let form = if self.is_polymorphic(s, t) {
                Form::Exact
            } else {
                Form::Use
            };
            let mut v = self.component(s, t, form, &name.local, &name.ns);
            if self.is_object_form(s, t) {
                set(
                    &mut v,
                    "properties",
                    json!({ TYPE_KEY: { "const": &*name.local } }),
                );
                if t != ty {
                    set(&mut v, "required", json!([TYPE_KEY]));
                }
            } else {
                all_objects = false;
            }
            variants.push(v);
        }
        let combinator = if all_objects { "oneOf" } else { "anyOf" };
        json!({
            "description": format!(
                "`{local}` or a type derived from it; `{TYPE_KEY}` names the derived type."
            ),
            combinator: variants,
        })
    }

    /// Whether the JSON form of a complex type is an object.
    fn is_object_form(&self, s: usize, ty: TypeId) -> bool {
        match self.schemas[s].ty(ty) {
            Type::Simple(_) => false,
            Type::Complex(c) => {
                c.array.is_none()
                    && !matches!(c.content, Content::Simple(_)
                        if c.attributes.is_empty() && !c.any_attribute)
            }
        }
    }

    /// The JSON form of a complex type itself (derived types aside).
    fn complex_exact(&mut self, s: usize, ty: TypeId, hint: &str) -> Value {
        let schema = self.schemas[s];
        let Some(c) = schema.complex(ty) else {
            return self.simple_schema(s, ty);
        };
        if let Some(a) = &c.array {
            let items = self.type_schema(s, a.item, "item");
            return array_of(items);
        }
        if let Content::Simple(st) = c.content
            && c.attributes.is_empty()
            && !c.any_attribute
        {
            return self.type_schema(s, st, hint);
        }
        let mut props = Map::new();
        let mut required: Vec<String> = Vec::new();
        if let Content::Simple(st) = c.content {
            let v = self.type_schema(s, st, hint);
            props.insert(VALUE_KEY.into(), v);
        }
        for slot in &c.slots {
            let v = match slot.kind {
                SlotKind::Element(e) => {
                    let d = schema.element(e);
                    let local = d.name.local.clone();
                    let mut v = self.type_schema(s, d.ty, &local);
                    if d.nillable {
                        v = nullable(v);
                    }
                    if slot.repeated {
                        v = array_of(v);
                    }
                    v
                }
                SlotKind::Attribute(i) => {
                    let a = &c.attributes[i];
                    let local = a.name.local.clone();
                    let mut v = self.type_schema(s, a.ty, &local);
                    if let Some(f) = &a.fixed {
                        let fv = scalar::to_json(schema, a.ty, f)
                            .unwrap_or_else(|_| Value::String(f.to_string()));
                        set(&mut v, "const", fv);
                    } else if let Some(d) = &a.default {
                        let dv = scalar::to_json(schema, a.ty, d)
                            .unwrap_or_else(|_| Value::String(d.to_string()));
                        set(&mut v, "default", dv);
                    }
                    if a.required && a.fixed.is_none() {
                        required.push(slot.key.to_string());
                    }
                    v
                }
            };
            props.insert(slot.key.to_string(), v);
        }
        if c.open {
            props.insert(
                ANY_KEY.into(),
                json!({
                    "type": "array",
                    "items": { "type": "string" },
                    "description": "Elements the schema does not declare, each as a self-contained XML string.",
                }),
            );
        }
        if c.any_attribute {
            props.insert(
                ATTRS_KEY.into(),
                json!({
                    "type": "object",
                    "additionalProperties": { "type": "string" },
                    "description": "Attributes the schema does not declare, by name (`{namespace}name` when qualified).",
                }),
            );
        }
        if c.mixed {
            props.insert(TEXT_KEY.into(), json!({ "type": "string" }));
        }
        for k in required_keys(schema, ty) {
            let with_substitutes = c.slot(&k).is_some_and(|sl| match sl.kind {
                SlotKind::Element(e) => !schema.element(e).substitutes.is_empty(),
                SlotKind::Attribute(_) => false,
            });
            if !with_substitutes && props.contains_key(&*k) && !required.iter().any(|r| *r == *k) {
                required.push(k.to_string());
            }
        }
        let mut m = Map::new();
        m.insert("type".into(), json!("object"));
        m.insert("properties".into(), Value::Object(props));
        if !required.is_empty() {
            m.insert("required".into(), json!(required));
        }
        let mut choices = Vec::new();
        if let Content::Elements(p) = &c.content {
            choice_constraints(schema, c, p, false, false, &mut choices);
        }
        match choices.len() {
            0 => {}
            1 => {
                if let Some(Value::Object(only)) = choices.pop() {
                    m.extend(only);
                }
            }
            _ => {
                m.insert("allOf".into(), Value::Array(choices));
            }
        }
        Value::Object(m)
    }

    /// A simple type written out: built-in, facets, list or union.
    fn simple_schema(&mut self, s: usize, ty: TypeId) -> Value {
        let schema = self.schemas[s];
        let Some(st) = schema.simple(ty) else {
            return json!({});
        };
        let f = &st.facets;
        let enumeration = |m: &mut Map<String, Value>| {
            if !f.enumeration.is_empty() {
                let values: Vec<Value> = f
                    .enumeration
                    .iter()
                    .map(|v| {
                        scalar::to_json(schema, ty, v)
                            .unwrap_or_else(|_| Value::String(v.to_string()))
                    })
                    .collect();
                m.insert("enum".into(), Value::Array(values));
            }
        };
        match &st.variety {
            Variety::List(item) => {
                let items = self.type_schema(s, *item, "item");
                let mut m = Map::new();
                m.insert("type".into(), json!("array"));
                m.insert("items".into(), items);
                if let Some(n) = f.length {
                    m.insert("minItems".into(), json!(n));
                    m.insert("maxItems".into(), json!(n));
                }
                if let Some(n) = f.min_length {
                    m.insert("minItems".into(), json!(n));
                }
                if let Some(n) = f.max_length {
                    m.insert("maxItems".into(), json!(n));
                }
                enumeration(&mut m);
                Value::Object(m)
            }
            Variety::Union(members) => {
                let alts: Vec<Value> = members
                    .iter()
                    .map(|t| self.type_schema(s, *t, "member"))
                    .collect();
                let mut m = Map::new();
                if !alts.is_empty() {
                    m.insert("anyOf".into(), Value::Array(alts));
                }
                enumeration(&mut m);
                Value::Object(m)
            }
            Variety::Atomic => {
                let b = st.builtin;
                let mut m = builtin_schema(b);
                if !f.enumeration.is_empty() {
                    enumeration(&mut m);
                    return Value::Object(m);
                }
                for p in &f.patterns {
                    if p.regex.is_some()
                        && let Some(ecma) = ecma_pattern(&p.source)
                    {
                        add_pattern(&mut m, ecma);
                    }
                }
                let text_length = matches!(b.json_kind(), JsonKind::String)
                    && !matches!(b, Builtin::Base64Binary);
                let scale = if b == Builtin::HexBinary { 2 } else { 1 };
                if text_length {
                    if let Some(n) = f.length {
                        m.insert("minLength".into(), json!(n.saturating_mul(scale)));
                        m.insert("maxLength".into(), json!(n.saturating_mul(scale)));
                    }
                    if let Some(n) = f.min_length {
                        m.insert("minLength".into(), json!(n.saturating_mul(scale)));
                    }
                    if let Some(n) = f.max_length {
                        m.insert("maxLength".into(), json!(n.saturating_mul(scale)));
                    }
                }
                if matches!(b.json_kind(), JsonKind::Integer | JsonKind::Number) {
                    let bound = |text: &Option<Arc<str>>| {
                        text.as_ref()
                            .and_then(|t| scalar::to_json(schema, ty, t).ok())
                            .filter(Value::is_number)
                    };
                    for (facet, key) in [
                        (&f.min_inclusive, "minimum"),
                        (&f.max_inclusive, "maximum"),
                        (&f.min_exclusive, "exclusiveMinimum"),
                        (&f.max_exclusive, "exclusiveMaximum"),
                    ] {
                        if let Some(v) = bound(facet) {
                            m.insert(key.into(), v);
                        }
                    }
                }
                Value::Object(m)
            }
        }
    }
}

// ----- XSD scalars ------------------------------------------------------------------------

fn builtin_schema(b: Builtin) -> Map<String, Value> {
    use Builtin::*;
    let mut m = Map::new();
    match b.json_kind() {
        JsonKind::Boolean => {
            m.insert("type".into(), json!("boolean"));
        }
        JsonKind::Integer => {
            m.insert("type".into(), json!("integer"));
            match b {
                Long => {
                    m.insert("format".into(), json!("int64"));
                }
                Int => {
                    m.insert("format".into(), json!("int32"));
                }
                _ => {}
            }
            let (lo, hi) = b.integer_bounds();
            if let Some(lo) = lo {
                m.insert("minimum".into(), int(lo));
            }
            if let Some(hi) = hi {
                m.insert("maximum".into(), int(hi));
            }
        }
        JsonKind::Number => {
            m.insert("type".into(), json!("number"));
            let format = match b {
                Float => "float",
                Double => "double",
                _ => "decimal",
            };
            m.insert("format".into(), json!(format));
        }
        JsonKind::String => {
            m.insert("type".into(), json!("string"));
            match b {
                DateTime => {
                    m.insert("format".into(), json!("date-time"));
                }
                Date => {
                    m.insert("format".into(), json!("date"));
                }
                Time => {
                    m.insert("format".into(), json!("time"));
                }
                Duration => {
                    m.insert("format".into(), json!("duration"));
                }
                AnyUri => {
                    m.insert("format".into(), json!("uri-reference"));
                }
                Base64Binary => {
                    m.insert("contentEncoding".into(), json!("base64"));
                }
                HexBinary => {
                    m.insert("pattern".into(), json!("^(?:[0-9a-fA-F]{2})*$"));
                }
                _ => {}
            }
        }
    }
    m
}

fn int(i: i128) -> Value {
    if let Ok(v) = i64::try_from(i) {
        Value::from(v)
    } else if let Ok(v) = u64::try_from(i) {
        Value::from(v)
    } else {
        serde_json::from_str(&i.to_string()).unwrap_or(Value::Null)
    }
}

fn add_pattern(m: &mut Map<String, Value>, pattern: String) {
    if !m.contains_key("pattern") {
        m.insert("pattern".into(), Value::String(pattern));
        return;
    }
    let all = m.entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = all {
        items.push(json!({ "pattern": pattern }));
    }
}

/// An XSD pattern as an anchored ECMA-262 regular expression (what JSON Schema uses), or
/// `None` for constructs ECMA-262 lacks (class subtraction, Unicode block names).
pub fn ecma_pattern(xsd: &str) -> Option<String> {
    crate::wsdl::xsd_regex(xsd, crate::wsdl::RegexDialect::Ecma)
}

// ----- choices ----------------------------------------------------------------------------

/// For each `xsd:choice` that does not repeat: exactly one branch's keys (or none, when the
/// choice may be left out), as a `oneOf` of key presence rules.
fn choice_constraints(
    schema: &Schema,
    c: &ComplexType,
    p: &Particle,
    optional: bool,
    repeated: bool,
    out: &mut Vec<Value>,
) {
    let optional = optional || p.min == 0;
    let repeated = repeated || p.max > 1;
    match &p.term {
        Term::Element(_) | Term::Any(_) => {}
        Term::Sequence(items) | Term::All(items) => {
            for i in items {
                choice_constraints(schema, c, i, optional, repeated, out);
            }
        }
        Term::Choice(items) => {
            if !repeated && let Some(rule) = one_choice(schema, c, items, optional) {
                out.push(rule);
            }
            // A choice inside a branch applies only when its branch is taken.
            for i in items {
                choice_constraints(schema, c, i, true, repeated, out);
            }
        }
    }
}

fn one_choice(
    schema: &Schema,
    c: &ComplexType,
    items: &[Particle],
    optional: bool,
) -> Option<Value> {
    let branches: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            schema
                .particle_keys(i)
                .iter()
                .map(|k| k.to_string())
                .collect()
        })
        .collect();
    let mut all: Vec<String> = Vec::new();
    for b in &branches {
        for k in b {
            if !all.contains(k) {
                all.push(k.clone());
            }
        }
    }
    if all.is_empty() {
        return None;
    }
    let mut none_allowed = optional;
    let mut alts = Vec::new();
    for (item, keys) in items.iter().zip(&branches) {
        if keys.is_empty() || item.may_be_empty() {
            none_allowed = true;
        }
        if keys.is_empty() {
            continue;
        }
        // Keys the branch needs once taken.
        let req: Vec<String> = schema
            .required_keys(item)
            .iter()
            .map(|k| k.to_string())
            .collect();
        // A required key that is not an array already says the branch is there.
        let implied = req.iter().any(|k| c.slot(k).is_some_and(|sl| !sl.repeated));
        let mut alt = if implied {
            Map::new()
        } else {
            match any_present(c, keys) {
                Value::Object(m) => m,
                _ => Map::new(),
            }
        };
        if !req.is_empty() {
            let list = alt
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                for k in req {
                    if !list.iter().any(|x| *x == *k) {
                        list.push(Value::String(k));
                    }
                }
            }
        }
        let others: Vec<String> = all.iter().filter(|k| !keys.contains(k)).cloned().collect();
        if !others.is_empty() {
            alt.insert("not".into(), any_present(c, &others));
        }
        alts.push(Value::Object(alt));
    }
    if none_allowed {
        alts.push(json!({ "not": any_present(c, &all) }));
    }
    Some(json!({ "oneOf": alts }))
}

/// "The value has one of `keys`".
fn any_present(c: &ComplexType, keys: &[String]) -> Value {
    match keys {
        [one] => present(c, one),
        _ => json!({ "anyOf": keys.iter().map(|k| present(c, k)).collect::<Vec<_>>() }),
    }
}

/// "The value has key `k`": for an array key, a non-empty one (absent repeated elements
/// read as `[]`).
fn present(c: &ComplexType, k: &str) -> Value {
    if c.slot(k).is_some_and(|sl| sl.repeated) {
        json!({ "required": [k], "properties": { k: { "minItems": 1 } } })
    } else {
        json!({ "required": [k] })
    }
}

// ----- helpers ----------------------------------------------------------------------------

/// Anonymous complex types that more than one element or attribute declaration uses.
fn shared_anonymous_types(schema: &Schema) -> HashSet<TypeId> {
    let mut uses: HashMap<TypeId, u32> = HashMap::new();
    let mut count = |ty: TypeId| {
        if schema.complex(ty).is_some_and(|c| c.name.is_none()) {
            *uses.entry(ty).or_default() += 1;
        }
    };
    for t in &schema.types {
        if let Type::Complex(c) = t {
            if let Content::Elements(p) = &c.content {
                let mut stack = vec![p];
                while let Some(p) = stack.pop() {
                    match &p.term {
                        Term::Element(e) => count(schema.element(*e).ty),
                        Term::Sequence(v) | Term::Choice(v) | Term::All(v) => stack.extend(v),
                        Term::Any(_) => {}
                    }
                }
            }
            if let Some(a) = &c.array {
                count(a.item);
            }
        }
    }
    uses.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(t, _)| t)
        .collect()
}

/// Puts a body field's schema at its dotted path, as nested object schemas.
fn insert_field(root: &mut Map<String, Value>, segs: &[&str], leaf: Value, required: bool) {
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    let props = root
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(props) = props else {
        return;
    };
    if rest.is_empty() {
        props.entry(first.to_string()).or_insert(leaf);
    } else {
        let child = props
            .entry(first.to_string())
            .or_insert_with(|| json!({ "type": "object" }));
        if let Value::Object(child) = child
            && child.get("type") == Some(&json!("object"))
        {
            insert_field(child, rest, leaf, required);
        }
    }
    if required {
        let req = root
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(req) = req
            && !req.iter().any(|r| r == *first)
        {
            req.push(json!(first));
        }
    }
}

fn object_from_fields(root: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    m.extend(root);
    Value::Object(m)
}

/// Takes `keys` out of an object schema's `required`.
fn unrequire(v: &mut Value, keys: &[&str]) {
    let Value::Object(m) = v else {
        return;
    };
    if let Some(Value::Array(req)) = m.get_mut("required") {
        req.retain(|r| !r.as_str().is_some_and(|r| keys.contains(&r)));
        if req.is_empty() {
            m.remove("required");
        }
    }
}

fn array_of(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

/// `v` or `null` (for nillable elements).
fn nullable(v: Value) -> Value {
    let Value::Object(mut m) = v else {
        return v;
    };
    if m.is_empty() {
        // `{}` already allows null.
        return Value::Object(m);
    }
    let combined = ["$ref", "oneOf", "anyOf", "allOf", "not", "const"]
        .iter()
        .any(|k| m.contains_key(*k));
    if !combined && let Some(Value::String(t)) = m.get("type").cloned() {
        m.insert("type".into(), json!([t, "null"]));
        if let Some(Value::Array(values)) = m.get_mut("enum") {
            values.push(Value::Null);
        }
        return Value::Object(m);
    }
    json!({ "oneOf": [Value::Object(m), { "type": "null" }] })
}

/// Adds a keyword to a schema object (beside a `$ref` too: 3.1 allows it).
fn set(v: &mut Value, key: &str, value: Value) {
    if let Value::Object(m) = v {
        m.insert(key.to_owned(), value);
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn problem_ref() -> Value {
    schema_ref(PROBLEM_SCHEMA)
}

/// A component name: letters, digits, `.`, `-` and `_` only (what OpenAPI allows).
fn sanitize_name(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        "Anonymous".into()
    } else {
        out
    }
}

fn sanitize_id(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The last meaningful part of a namespace URI (`urn:a:orders` → `orders`), for names.
fn ns_suffix(ns: &str) -> String {
    ns.split(['/', ':', '#', '?'])
        .rev()
        .find(|p| p.chars().any(|c| c.is_ascii_alphanumeric()))
        .map(sanitize_name)
        .unwrap_or_default()
}

fn reason_phrase(status: u16) -> String {
    actix_web::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Response")
        .to_owned()
}

/// The problem+json body every error carries (see `http::problem`).
fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "An error, as application/problem+json (RFC 9457). `code` is stable \
            and is also the last part of `type`; see docs/errors.md.",
        "required": ["type", "title", "status", "instance", "code", "request_id"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri",
                "examples": [format!("{}backend-timeout", crate::http::problem::TYPE_PREFIX)],
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
                "description": "For `invalid-request`: where the request is wrong.",
                "items": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {
                        "pointer": { "type": "string", "format": "json-pointer" },
                        "detail": { "type": "string" },
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
                    "subcodes": { "type": "array", "items": { "type": "string" } },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_become_anchored_ecma_regexes() {
        assert_eq!(
            ecma_pattern("[A-Z]{3}-[0-9]{4}").as_deref(),
            Some("^(?:[A-Z]{3}-[0-9]{4})$")
        );
        assert_eq!(ecma_pattern("a$b^").as_deref(), Some("^(?:a\\$b\\^)$"));
        assert_eq!(
            ecma_pattern("\\i\\c*").as_deref(),
            Some("^(?:[_:A-Za-z][\\-._:A-Za-z0-9]*)$")
        );
        assert_eq!(ecma_pattern("a\\-b").as_deref(), Some("^(?:a-b)$"));
        assert_eq!(ecma_pattern("[a\\-z]").as_deref(), Some("^(?:[a\\-z])$"));
        assert_eq!(ecma_pattern("\\p{Lu}+").as_deref(), Some("^(?:\\p{Lu}+)$"));
        assert_eq!(ecma_pattern("[a-z-[aeiou]]"), None);
        assert_eq!(ecma_pattern("\\p{IsBasicLatin}"), None);
        assert_eq!(ecma_pattern("a\\"), None);
    }

    #[test]
    fn nullable_keeps_one_schema_when_it_can() {
        assert_eq!(
            nullable(json!({"type": "string", "format": "date-time"})),
            json!({"type": ["string", "null"], "format": "date-time"})
        );
        assert_eq!(
            nullable(json!({"type": "string", "enum": ["A"]})),
            json!({"type": ["string", "null"], "enum": ["A", null]})
        );
        assert_eq!(
            nullable(json!({"$ref": "#/components/schemas/X"})),
            json!({"oneOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})
        );
        assert_eq!(nullable(json!({})), json!({}));
    }

    #[test]
    fn names_are_sanitized_and_namespaces_give_suffixes() {
        assert_eq!(sanitize_name("Größe"), "Gr__e");
        assert_eq!(sanitize_name(""), "Anonymous");
        assert_eq!(ns_suffix("http://example.com/orders/"), "orders");
        assert_eq!(ns_suffix("urn:a:b:v2.1"), "v2.1");
        assert_eq!(ns_suffix(""), "");
    }

    #[test]
    fn dotted_body_fields_nest() {
        let mut root = Map::new();
        insert_field(&mut root, &["a", "b"], json!({"type": "integer"}), true);
        insert_field(&mut root, &["a", "c"], json!({"type": "string"}), false);
        insert_field(&mut root, &["d"], json!({"type": "boolean"}), false);
        let v = object_from_fields(root);
        assert_eq!(
            v,
            json!({
                "type": "object",
                "properties": {
                    "a": {
                        "type": "object",
                        "properties": {"b": {"type": "integer"}, "c": {"type": "string"}},
                        "required": ["b"],
                    },
                    "d": {"type": "boolean"},
                },
                "required": ["a"],
            })
        );
    }
}

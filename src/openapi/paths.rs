//! One operation per route: its parameters (path, query, header), its request body (the
//! input type, or the body fields a template reads, nested by their dotted paths), and its
//! success response; the error responses come from `problems`.
//!
//! May import: `mapping`, `translate::scalar`, `wsdl`, and the sibling files of `openapi`;
//! nothing above.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::mapping::compile::required_keys;
use crate::mapping::{Param, Route};
use crate::translate::scalar;
use crate::wsdl::SlotKind;

use super::components::Gen;
use super::json_schema::{array_of, nullable, set};
use super::names::claim_operation_id;

const MEDIA_JSON: &str = "application/json";
const MEDIA_PROBLEM: &str = "application/problem+json";

impl<'a> Gen<'a> {
    pub(super) fn operation(&mut self, r: &'a Route) -> Value {
        let s = self.contract(&r.backend.wsdl);
        let op = r.operation();
        let mut o = Map::new();
        o.insert(
            "operationId".into(),
            json!(claim_operation_id(&mut self.operation_ids, r)),
        );
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
        if let Some(p) = self.route_policy(r) {
            o.insert("security".into(), p.requirements());
        }

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
            let filled_elsewhere = r.filled_by_parameters();
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
                let mut description = format!("{reason}: the output of `{}`.", r.operation().name);
                if r.response.repeated {
                    v = array_of(v);
                } else if let Some(key) = &r.response.soap_headers {
                    // Never null: an absent output still answers the headers' key.
                    v = json!({ "allOf": [v, self.soap_headers_schema(s, r, key)] });
                    description.push_str(&format!(" The answer's SOAP headers are under `{key}`."));
                } else if self.response_may_be_null(s, r) {
                    v = nullable(v);
                }
                out.insert(
                    status.to_string(),
                    json!({
                        "description": description,
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

    /// The body member `response.soap_headers` adds: the header blocks the binding declares
    /// for the answer, by key, each present when the backend sent it.
    fn soap_headers_schema(&mut self, s: usize, r: &Route, key: &str) -> Value {
        let mut props = Map::new();
        for h in r.operation().output.iter().flat_map(|m| m.headers.iter()) {
            props.insert(h.key.to_string(), self.global_element_schema(s, h.element));
        }
        json!({
            "type": "object",
            "required": [key],
            "properties": {
                key: {
                    "type": "object",
                    "description": "The SOAP header blocks of the answer the binding declares, by element name; those the backend did not send are absent.",
                    "properties": props,
                },
            },
        })
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

fn reason_phrase(status: u16) -> String {
    actix_web::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Response")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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

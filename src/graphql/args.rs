//! A root field's arguments: what the REST caller of its route supplies, after the mapping's
//! request template, and the way back from argument values to [`gateway::Input`].
//!
//! ```text
//! path parameter   {path.id}       id: String!   (its type when the template gives one)
//! query parameter  {query.limit}   limit: Long   required only when REST requires it;
//!                                                repeated → a list; defaults stay REST's
//! header           {header.x-tenant}  x_tenant: String
//! body             no template      body: <Type>Input   (top-level fields that parameters
//!                                                fill become optional in <Field>Body)
//!                  {body.a.b}       body: <Field>Body { a: <Field>Body_a { b: … } }
//! ```
//!
//! Argument names are the parameters' names sanitized (names.rs), `body` for the body, each
//! once per field. May import `gateway` (Input), `mapping` (the route), `xmlutil`, and the
//! sibling files.

use std::sync::Arc;

use async_graphql::Value;
use async_graphql::dynamic::{InputObject, InputValue, ObjectAccessor, TypeRef};

use super::names::{Taken, sanitize, type_name};
use super::types::{G, In, InObject, Types, input_json};
use crate::gateway::{Input, Invalid, Problem};
use crate::mapping::{BodyField, Param, Route};

/// Where an argument's value goes.
#[derive(Clone, Debug)]
pub enum To {
    Path(String),
    Query(String),
    Header(String),
    Body,
}

/// One argument of a root field.
#[derive(Clone, Debug)]
pub struct Arg {
    pub name: String,
    pub to: To,
    pub plan: In,
}

/// The arguments of `r`'s root field (named `field`), and their plans.
pub fn arguments(
    types: &mut Types<'_>,
    s: usize,
    r: &Route,
    field: &str,
) -> (Vec<InputValue>, Vec<Arg>) {
    let mut taken = Taken::default();
    let mut values = Vec::new();
    let mut args = Vec::new();
    let mut param = |types: &mut Types<'_>, p: &Param, to: To, required: bool, what: &str| {
        let (g, plan) = match p.ty {
            Some(t) => types.input(s, t, &p.name),
            None => (G::Named(TypeRef::STRING.into()), In::Scalar),
        };
        let (tr, plan) = if p.repeated {
            (
                G::List(Box::new(g), true).type_ref(required),
                In::List(Box::new(plan)),
            )
        } else {
            (g.type_ref(required), plan)
        };
        let name = taken.claim(&sanitize(&p.name));
        let mut doc = format!("The {what} `{}` of the REST route.", p.name);
        if let Some(d) = &p.default {
            doc.push_str(&format!(" Default: `{d}`."));
        }
        values.push(InputValue::new(name.clone(), tr).description(doc));
        args.push(Arg { name, to, plan });
    };
    let mut in_path: Vec<&str> = Vec::new();
    for p in &r.path_params {
        in_path.push(&p.name);
        param(types, p, To::Path(p.name.clone()), true, "path parameter");
    }
    for name in crate::mapping::compile::path_params(&r.path) {
        if !in_path.contains(&name.as_str()) {
            let p = Param {
                name: name.clone(),
                ty: None,
                required: true,
                repeated: false,
                default: None,
            };
            param(types, &p, To::Path(name), true, "path parameter");
        }
    }
    for p in &r.query_params {
        let required = p.required && p.default.is_none();
        param(
            types,
            p,
            To::Query(p.name.clone()),
            required,
            "query parameter",
        );
    }
    for p in &r.header_params {
        let required = p.required && p.default.is_none();
        param(types, p, To::Header(p.name.clone()), required, "header");
    }
    if let Some(b) = &r.body {
        let made = if b.fields.is_empty() {
            let schema = types.schema(s);
            let empty = schema.complex(b.ty).is_some() && !types.has_keys(s, b.ty);
            if empty {
                None
            } else {
                let optional = r.filled_by_parameters();
                let (g, plan) = if optional.is_empty() || schema.complex(b.ty).is_none() {
                    types.input(s, b.ty, "body")
                } else {
                    types.input_variant(s, b.ty, &format!("{field}Body"), &optional)
                };
                Some(if b.repeated {
                    (G::List(Box::new(g), true), In::List(Box::new(plan)))
                } else {
                    (g, plan)
                })
            }
        } else {
            Some(body_fields(types, s, &b.fields, &format!("{field}Body")))
        };
        if let Some((g, plan)) = made {
            let name = taken.claim("body");
            values.push(
                InputValue::new(name.clone(), g.type_ref(b.required)).description(format!(
                    "The JSON body of the REST route: the input of `{}`.",
                    r.operation().name
                )),
            );
            args.push(Arg {
                name,
                to: To::Body,
                plan,
            });
        }
    }
    (values, args)
}

/// The input objects of `{body.a.b}` placeholders, nested by their dotted paths.
fn body_fields(types: &mut Types<'_>, s: usize, fields: &[BodyField], name: &str) -> (G, In) {
    let name = types.taken.claim(&type_name(name));
    let plan = types.plans.len();
    types.plans.push(InObject::default());
    let mut obj = InputObject::new(name.clone())
        .description("The body fields the route's request template reads.");
    let mut taken = Taken::default();
    let mut plan_fields = Vec::new();
    // First segments, in order, each once.
    let mut heads: Vec<&str> = Vec::new();
    for f in fields {
        let head = f.path.split('.').find(|x| !x.is_empty()).unwrap_or(&f.path);
        if !heads.contains(&head) {
            heads.push(head);
        }
    }
    for head in heads {
        let under: Vec<&BodyField> = fields
            .iter()
            .filter(|f| f.path.split('.').find(|x| !x.is_empty()) == Some(head))
            .collect();
        let required = under.iter().any(|f| f.required);
        let gname = taken.claim(&sanitize(head));
        let (tr, p) = match under.as_slice() {
            [one] if !one.path.contains('.') => {
                let (g, p) = types.input(s, one.ty, head);
                if one.repeated {
                    (
                        G::List(Box::new(g), true).type_ref(required),
                        In::List(Box::new(p)),
                    )
                } else {
                    (g.type_ref(required), p)
                }
            }
            _ => {
                let nested: Vec<BodyField> = under
                    .iter()
                    .filter_map(|f| {
                        let rest = f.path.split_once('.')?.1;
                        Some(BodyField {
                            path: rest.to_owned(),
                            ..(*f).clone()
                        })
                    })
                    .collect();
                let (g, p) = body_fields(types, s, &nested, &format!("{name}_{head}"));
                (g.type_ref(required), p)
            }
        };
        obj = obj.field(InputValue::new(gname.clone(), tr));
        plan_fields.push((gname, Arc::from(head), p));
    }
    types.plans[plan] = InObject {
        fields: plan_fields,
    };
    types.inputs.push(obj);
    (G::Named(name), In::Object(plan))
}

/// The REST input the argument values stand for; characters XML cannot carry are refused
/// as REST refuses them.
pub fn input(
    values: &ObjectAccessor<'_>,
    args: &[Arg],
    plans: &[InObject],
) -> Result<Input, Problem> {
    let mut input = Input::default();
    for a in args {
        let Some(v) = values.get(&a.name) else {
            continue;
        };
        let v = v.as_value();
        if matches!(v, Value::Null) {
            continue;
        }
        let json = input_json(v, &a.plan, plans);
        if let Some((pointer, ch)) = forbidden(&json, String::new()) {
            return Err(Problem::invalid_fields(vec![Invalid {
                pointer: matches!(a.to, To::Body).then(|| pointer.clone()),
                expected: None,
                reason: format!("holds U+{:04X}, which XML 1.0 cannot carry", u32::from(ch)),
                detail: format!(
                    "the argument `{}`{} holds the character U+{:04X}, which XML 1.0 cannot carry; remove it",
                    a.name,
                    if pointer.is_empty() {
                        String::new()
                    } else {
                        format!(" at {pointer}")
                    },
                    u32::from(ch)
                ),
            }]));
        }
        let (to, name) = match &a.to {
            To::Body => {
                input.body = Some(json);
                continue;
            }
            To::Path(n) => (&mut input.path, n),
            To::Query(n) => (&mut input.query, n),
            To::Header(n) => (&mut input.headers, n),
        };
        match json {
            serde_json::Value::Array(items) => {
                to.extend(items.iter().filter_map(text).map(|t| (name.clone(), t)));
            }
            other => {
                if let Some(t) = text(&other) {
                    to.push((name.clone(), t));
                }
            }
        }
    }
    Ok(input)
}

/// A scalar as the text a URL or header would carry.
fn text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The first string (or key) holding a character XML 1.0 forbids, with its JSON Pointer.
fn forbidden(v: &serde_json::Value, at: String) -> Option<(String, char)> {
    use crate::xmlutil::forbidden_char;
    match v {
        serde_json::Value::String(s) => forbidden_char(s).map(|c| (at, c)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| forbidden(x, format!("{at}/{i}"))),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
            let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
            forbidden_char(k)
                .map(|c| (here.clone(), c))
                .or_else(|| forbidden(x, here))
        }),
        _ => None,
    }
}

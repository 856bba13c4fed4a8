//! GET or POST for an operation, from its name and the shape of its input; and the schema
//! questions asked of an input on the way (a field's type, the fields inside a choice).
//!
//! May import: `wsdl`, `mapping::compile`, `super::naming`.

use std::collections::HashSet;

use super::naming::read_verb;
use crate::mapping::compile::scalar_target;
use crate::wsdl::{Content, Operation, Particle, Schema, SlotKind, Term, TypeId};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Verb {
    Get,
    Post,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
        }
    }
}

/// How an operation is served, and why.
#[derive(Clone, Debug)]
pub struct Classification {
    pub verb: Verb,
    /// The comment that explains the choice.
    pub why: String,
}

/// GET when the operation reads (see [`read_verb`]), answers, and every top-level input is
/// a simple value a path or query parameter can carry; POST otherwise.
pub fn classify(schema: &Schema, op: &Operation) -> Classification {
    let post = |why: String| Classification {
        verb: Verb::Post,
        why,
    };
    let Some(verb) = read_verb(&op.name) else {
        return post(format!(
            "POST with the JSON body as the input: `{}` does not start with {}, so it may change data.",
            op.name, READ_VERBS_LABEL
        ));
    };
    if op.output.is_none() {
        return post(format!(
            "POST: `{}` starts with `{verb}` but is one-way (no answer), so it is not served as a read.",
            op.name
        ));
    }
    if let Some(why) = non_scalar_input(schema, op.input.body.content) {
        return post(format!(
            "POST with the JSON body as the input: `{}` reads (it starts with `{verb}`), but {why}, which a query string cannot carry.",
            op.name
        ));
    }
    Classification {
        verb: Verb::Get,
        why: format!(
            "GET: `{}` reads (it starts with `{verb}`) and every input is a simple value, so the path and the query carry them. For a JSON body instead, make it POST and drop `request`.",
            op.name
        ),
    }
}

pub(super) const READ_VERBS_LABEL: &str = "Get, Find, List, Search, Query or Read";

/// Why the input content cannot come from the path and query, if it cannot.
fn non_scalar_input(schema: &Schema, content: TypeId) -> Option<String> {
    if schema.is_any_type(content) {
        return Some("its input is free-form (xsd:anyType)".into());
    }
    let Some(c) = schema.complex(content) else {
        return Some("its input is not a set of fields".into());
    };
    if c.array.is_some() || !matches!(c.content, Content::Elements(_) | Content::Empty) {
        return Some("its input is not a set of fields".into());
    }
    for s in &c.slots {
        let ty = slot_type(schema, content, s.key.as_ref());
        if ty.is_none_or(|t| scalar_target(schema, t).is_none() || schema.is_any_type(t)) {
            let label = ty.map_or_else(|| "unknown".to_owned(), |t| schema.type_label(t));
            return Some(format!("input `{}` is {label}, not a simple value", s.key));
        }
    }
    None
}

pub(super) fn slot_type(schema: &Schema, content: TypeId, key: &str) -> Option<TypeId> {
    let c = schema.complex(content)?;
    let s = c.slot(key)?;
    Some(match s.kind {
        SlotKind::Element(e) => schema.element(e).ty,
        SlotKind::Attribute(i) => c.attributes.get(i)?.ty,
    })
}

/// Element names that sit inside an `xsd:choice` of a content model.
pub(super) fn choice_members(schema: &Schema, content: TypeId) -> HashSet<String> {
    fn walk(schema: &Schema, p: &Particle, in_choice: bool, out: &mut HashSet<String>) {
        match &p.term {
            Term::Element(e) => {
                if in_choice {
                    out.insert(schema.element(*e).name.local.to_string());
                }
            }
            Term::Sequence(items) | Term::All(items) => {
                for i in items {
                    walk(schema, i, in_choice, out);
                }
            }
            Term::Choice(items) => {
                for i in items {
                    walk(schema, i, true, out);
                }
            }
            Term::Any(_) => {}
        }
    }
    let mut out = HashSet::new();
    if let Some(c) = schema.complex(content)
        && let Content::Elements(p) = &c.content
    {
        walk(schema, p, false, &mut out);
    }
    out
}

//! `xsd:choice` in JSON Schema: the JSON form of a choice is just the keys of the branch
//! taken, so each choice that does not repeat becomes a `oneOf` of rules on which keys are
//! present.
//!
//! May import: `wsdl`; nothing above.

use serde_json::{Map, Value, json};

use crate::wsdl::{ComplexType, Particle, Schema, Term};

/// For each `xsd:choice` that does not repeat: exactly one branch's keys (or none, when the
/// choice may be left out), as a `oneOf` of key presence rules.
pub(super) fn choice_constraints(
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

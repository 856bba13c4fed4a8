//! Route planning: for each operation, in order, the verb, the candidate paths and the first
//! that is free in a router built as `mapping::compile` builds its own, numbering the path
//! when none is; path parameters after a shared prefix share one name.
//!
//! May import: `wsdl`, `mapping::compile`, `super::{naming, classify, paths}`.

use std::collections::HashMap;

use super::classify::{Classification, Verb, classify};
use super::naming::{kebab_case, param_name};
use super::paths::{get_path, id_input, resource_name};
use crate::mapping::compile::{is_reserved, path_params};
use crate::wsdl::{Operation, Schema};

/// Routes already taken, per method, as `mapping::compile` registers them.
pub(super) struct Taken {
    routers: HashMap<Verb, matchit::Router<String>>,
    /// Path parameter name used after each static prefix, so that routes sharing a prefix
    /// share the name (the router refuses two names in one place).
    param_names: HashMap<String, String>,
}

impl Taken {
    pub(super) fn new() -> Self {
        Self {
            routers: HashMap::new(),
            param_names: HashMap::new(),
        }
    }

    /// Registers `base + path` for `op` if it is free; `Err` names the reason it is not.
    fn try_insert(&mut self, verb: Verb, base: &str, path: &str, op: &str) -> Result<(), String> {
        let full = format!("{base}{path}");
        if is_reserved(&full) {
            return Err(format!("`{full}` is served by soapbridge itself"));
        }
        let router = self.routers.entry(verb).or_default();
        match router.insert(full.clone(), op.to_owned()) {
            Ok(()) => Ok(()),
            Err(matchit::InsertError::Conflict { with }) => {
                let by = router
                    .at(&with)
                    .map(|m| m.value.clone())
                    .unwrap_or_default();
                Err(format!("`{} {full}` is taken by {by}", verb.as_str()))
            }
            Err(e) => Err(format!("`{full}`: {e}")),
        }
    }
}

/// A path to try, with the comment explaining it.
type Candidate = (String, String);

/// A route planned for one operation.
pub(super) struct Planned<'w> {
    pub(super) op: &'w Operation,
    pub(super) class: Classification,
    pub(super) path: String,
    pub(super) path_why: String,
    /// (input key, path parameter) of the id in the path.
    pub(super) id: Option<(String, String)>,
}

pub(super) fn plan_route<'w>(
    schema: &Schema,
    op: &'w Operation,
    base: &str,
    taken: &mut Taken,
) -> Planned<'w> {
    let class = classify(schema, op);
    let content = op.input.body.content;
    let op_kebab = {
        let k = kebab_case(&op.name);
        if k.is_empty() {
            "operation".to_owned()
        } else {
            k
        }
    };
    let (mut candidates, id): (Vec<Candidate>, Option<(String, String)>) = match class.verb {
        Verb::Get => {
            let resource = resource_name(&op.name);
            let resource = if resource.is_empty() {
                op_kebab.clone()
            } else {
                resource
            };
            let id = id_input(schema, content, &resource).map(|k| {
                let p = param_name(&k);
                (k, p)
            });
            let (primary, why) = get_path(
                &resource,
                id.as_ref().map(|(k, p)| (k.as_str(), p.as_str())),
            );
            let fallback = match &id {
                Some((_, p)) => format!("/{op_kebab}/{{{p}}}"),
                None => format!("/{op_kebab}"),
            };
            let mut c = vec![(primary, why)];
            if c[0].0 != fallback {
                c.push((
                    fallback.clone(),
                    format!("`{fallback}`: the operation's name in kebab-case."),
                ));
            }
            (c, id)
        }
        Verb::Post => (
            vec![(
                format!("/{op_kebab}"),
                format!("`/{op_kebab}`: the operation's name in kebab-case."),
            )],
            None,
        ),
    };
    // Share the parameter name of an earlier route with the same prefix.
    let mut id = id;
    if let Some((_, param)) = &mut id {
        for (path, _) in &mut candidates {
            let marker = format!("{{{param}}}");
            if let Some(at) = path.find(&marker) {
                let prefix = format!("{base}{}", &path[..at]);
                if let Some(name) = taken.param_names.get(&prefix) {
                    *path = path.replacen(&marker, &format!("{{{name}}}"), 1);
                }
            }
        }
    }
    let mut refused = Vec::new();
    let mut chosen = None;
    for (path, why) in &candidates {
        match taken.try_insert(class.verb, base, path, &op.name) {
            Ok(()) => {
                chosen = Some((path.clone(), why.clone()));
                break;
            }
            Err(e) => refused.push(e),
        }
    }
    let (path, mut path_why) = match chosen {
        Some(c) => c,
        None => {
            let (last, _) = candidates
                .last()
                .cloned()
                .unwrap_or_else(|| (format!("/{op_kebab}"), String::new()));
            let (head, tail) = match last.find("/{") {
                Some(at) => (last[..at].to_owned(), last[at..].to_owned()),
                None => (last.clone(), String::new()),
            };
            let mut n = 2;
            loop {
                let path = format!("{head}-{n}{tail}");
                let free = taken.try_insert(class.verb, base, &path, &op.name).is_ok();
                if free || n > 10_000 {
                    break (path.clone(), format!("`{path}`: numbered to be unique."));
                }
                n += 1;
            }
        }
    };
    if !refused.is_empty() {
        path_why = format!("{} {path_why}", refused.join("; ") + ", so");
    }
    // The path parameter finally used, remembered for later routes with the same prefix.
    let id = id.map(|(k, _)| {
        let p = path_params(&path)
            .into_iter()
            .next()
            .unwrap_or_else(|| param_name(&k));
        if let Some(at) = path.find('{') {
            taken
                .param_names
                .entry(format!("{base}{}", &path[..at]))
                .or_insert_with(|| p.clone());
        }
        (k, p)
    });
    Planned {
        op,
        class,
        path,
        path_why,
        id,
    }
}

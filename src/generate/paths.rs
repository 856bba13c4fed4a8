//! The REST path of a GET route: the resource an operation's name reads, the id-like
//! input that goes in the path, and the path built from the two.
//!
//! May import: `wsdl`, `mapping::compile`, `super::{naming, inflect, classify}`.

use super::classify::slot_type;
use super::inflect::{plural, singular};
use super::naming::{id_stem, is_id_name, kebab_words, read_verb, words};
use crate::mapping::compile::{required_keys, scalar_target};
use crate::wsdl::{self, Schema, SlotKind, TypeId, Variety};

/// The id-like required input of a GET operation, preferring one named after `resource`.
pub fn id_input(schema: &Schema, content: TypeId, resource: &str) -> Option<String> {
    let c = schema.complex(content)?;
    let required = required_keys(schema, content);
    let candidates: Vec<&str> = c
        .slots
        .iter()
        .filter(|s| !s.repeated && matches!(s.kind, SlotKind::Element(_)))
        .filter(|s| required.iter().any(|r| **r == *s.key))
        .filter(|s| is_id_name(&s.key))
        .filter(|s| {
            slot_type(schema, content, &s.key)
                .and_then(|t| scalar_target(schema, t))
                .and_then(|t| schema.simple(t))
                .is_some_and(|st| {
                    st.builtin.json_kind() != wsdl::JsonKind::Boolean
                        && !matches!(st.variety, Variety::List(_))
                })
        })
        .map(|s| &*s.key)
        .collect();
    candidates
        .iter()
        .find(|k| names_resource(&id_stem(k), resource))
        .or_else(|| candidates.first())
        .map(|k| (*k).to_owned())
}

/// Whether an id's stem names the resource: `customer` for `customers`, and for
/// `video-source-configuration` the stem `configuration` (the resource is a kind of it).
fn names_resource(stem: &str, resource: &str) -> bool {
    let one = singular(resource);
    !stem.is_empty()
        && (stem == resource
            || stem == one
            || plural(stem) == resource
            || one.ends_with(&format!("-{stem}"))
            || resource.ends_with(&format!("-{stem}")))
}

/// Words that, right after the verb, make the rest of the name no resource
/// (`list_by_category`).
const PREPOSITIONS: &[&str] = &["by", "for", "from", "with", "since", "of", "in", "on", "to"];

/// The resource an operation reads: its name without the read verb, cut before `By`/`For`
/// (`GetCustomerById` → `customer`), in kebab-case; the whole name when nothing is left or
/// the rest starts with a preposition (`list_by_category` → `list-by-category`).
pub fn resource_name(op_name: &str) -> String {
    let w = words(op_name);
    let after_verb = w.get(1).map(|x| x.to_lowercase());
    let rest: Vec<String> = if read_verb(op_name).is_some()
        && !after_verb.is_some_and(|x| PREPOSITIONS.contains(&x.as_str()))
    {
        let rest = &w[1..];
        let cut = rest
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, x)| matches!(x.to_lowercase().as_str(), "by" | "for"))
            .map_or(rest.len(), |(i, _)| i);
        rest[..cut].to_vec()
    } else {
        w.clone()
    };
    let k = kebab_words(&rest);
    if k.is_empty() { kebab_words(&w) } else { k }
}

/// The REST path of a GET route: `/{plural}/{param}`, `/{parents}/{param}/{resource}`, or
/// `/{resource}` without an id; with the comment explaining it.
pub(super) fn get_path(resource: &str, id: Option<(&str, &str)>) -> (String, String) {
    match id {
        None => (
            format!("/{resource}"),
            format!("`/{resource}`: the operation's name without its verb, in kebab-case."),
        ),
        Some((key, param)) => {
            let stem = id_stem(key);
            if stem.is_empty() || names_resource(&stem, resource) {
                let p = plural(resource);
                (
                    format!("/{p}/{{{param}}}"),
                    format!(
                        "`/{p}/{{{param}}}`: the resource (the name without its verb, plural) and the id-like input `{key}`."
                    ),
                )
            } else {
                let rest = resource
                    .strip_prefix(&format!("{stem}-"))
                    .unwrap_or(resource);
                let parents = plural(&stem);
                (
                    format!("/{parents}/{{{param}}}/{rest}"),
                    format!(
                        "`/{parents}/{{{param}}}/{rest}`: the id-like input `{key}` names the parent resource, `{rest}` comes from the operation's name."
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_and_paths() {
        assert_eq!(resource_name("GetCustomer"), "customer");
        assert_eq!(resource_name("GetCustomerById"), "customer");
        assert_eq!(resource_name("ListOrdersForCustomer"), "orders");
        assert_eq!(resource_name("getRates"), "rates");
        assert_eq!(resource_name("Search"), "search");
        assert_eq!(resource_name("list_by_category"), "list-by-category");
        assert_eq!(resource_name("PlaceOrder"), "place-order");
        assert_eq!(
            get_path("customer", Some(("customerId", "customerId"))).0,
            "/customers/{customerId}"
        );
        assert_eq!(
            get_path("customer", Some(("id", "id"))).0,
            "/customers/{id}"
        );
        assert_eq!(
            get_path("orders", Some(("customerId", "customerId"))).0,
            "/customers/{customerId}/orders"
        );
        assert_eq!(
            get_path("customer-address", Some(("customerId", "customerId"))).0,
            "/customers/{customerId}/address"
        );
        assert_eq!(get_path("customers", None).0, "/customers");
        assert_eq!(
            get_path(
                "video-source-configuration",
                Some(("ConfigurationToken", "ConfigurationToken"))
            )
            .0,
            "/video-source-configurations/{ConfigurationToken}"
        );
    }
}

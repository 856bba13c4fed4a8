//! Names in the document: component names (what OpenAPI allows, unique, told apart by the
//! namespace when local names clash) and operation ids (unique per document).
//!
//! May import: `mapping::Route` and the sibling files of `openapi`; nothing else above.

use std::collections::HashSet;

use crate::mapping::Route;

/// Which schema of a type a component holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum Form {
    /// What an element declared with the type holds: with derived types, any of them.
    Use,
    /// The type itself, without derived types (for polymorphic types only).
    Exact,
}

/// Claims a new component name for a type's schema in `taken`: its sanitized local name
/// (`.exact` appended for the exact form), else that with the namespace's suffix, else
/// numbered.
pub(super) fn claim_component_name(
    taken: &mut HashSet<String>,
    form: Form,
    local: &str,
    ns: &str,
) -> String {
    let base = match form {
        Form::Use => sanitize_name(local),
        Form::Exact => format!("{}.exact", sanitize_name(local)),
    };
    let mut name = base.clone();
    if taken.contains(&name) {
        let suffix = ns_suffix(ns);
        name = if suffix.is_empty() {
            String::new()
        } else {
            format!("{base}_{suffix}")
        };
        let mut n = 2;
        while name.is_empty() || taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
    }
    taken.insert(name.clone());
    name
}

/// Claims a new operation id for `r` in `taken`: `backend_operation_method`, numbered when
/// taken.
pub(super) fn claim_operation_id(taken: &mut HashSet<String>, r: &Route) -> String {
    let base = format!(
        "{}_{}_{}",
        sanitize_id(&r.backend.name),
        sanitize_id(&r.operation().name),
        r.method.as_str().to_ascii_lowercase()
    );
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}_{n}");
        n += 1;
    }
    id
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized_and_namespaces_give_suffixes() {
        assert_eq!(sanitize_name("Größe"), "Gr__e");
        assert_eq!(sanitize_name(""), "Anonymous");
        assert_eq!(ns_suffix("http://example.com/orders/"), "orders");
        assert_eq!(ns_suffix("urn:a:b:v2.1"), "v2.1");
        assert_eq!(ns_suffix(""), "");
    }
}

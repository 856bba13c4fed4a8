//! GraphQL names: valid, deterministic, collision-free.
//!
//! ```text
//! any text ──sanitize──> /[_A-Za-z][_0-9A-Za-z]*/, never `__…`
//!   every other character → `_` ($value → _value, order-id → order_id, Größe → Gr__e)
//!   a leading digit gets `_` in front (2fa → _2fa); `__x` → `_x`; empty → `_`
//! type names      first letter upper-cased (customer → Customer); input types add `Input`
//! root fields     the operation's name, first letter lower-cased (GetCustomer → getCustomer)
//! enum values     sanitized only (`true`, `false`, `null` get a `_` after them)
//! a name taken    type: `_` + the namespace's last part (Customer_orders), then `_2`, `_3`…
//!                 field, argument, enum value: `_2`, `_3`… in the order the schema lists them
//! ```
//!
//! The order is the route table's, then the contract's (slots in schema order), so the same
//! mappings always give the same names. May import nothing from soapbridge.

use std::collections::HashSet;

/// `s` as a GraphQL name (see the module's rules).
pub fn sanitize(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c == '_' || c.is_ascii_alphanumeric() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        return "_".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    while out.starts_with("__") {
        out.remove(0);
    }
    out
}

/// A type name: sanitized, first letter upper-cased.
pub fn type_name(s: &str) -> String {
    let mut out = sanitize(s);
    if let Some(first) = out.get(0..1) {
        let up = first.to_ascii_uppercase();
        out.replace_range(0..1, &up);
    }
    out
}

/// A root field's name: sanitized, first letter lower-cased.
pub fn field_name(s: &str) -> String {
    let mut out = sanitize(s);
    if let Some(first) = out.get(0..1) {
        let low = first.to_ascii_lowercase();
        out.replace_range(0..1, &low);
    }
    out
}

/// An enum value's name: sanitized, and never `true`, `false` or `null`.
pub fn enum_value(s: &str) -> String {
    let out = sanitize(s);
    if matches!(out.as_str(), "true" | "false" | "null") {
        format!("{out}_")
    } else {
        out
    }
}

/// Names used in one scope (the schema's types, one type's fields, one field's arguments).
#[derive(Debug, Default)]
pub struct Taken(HashSet<String>);

impl Taken {
    /// A scope where `reserved` are already taken.
    pub fn with(reserved: &[&str]) -> Self {
        Self(reserved.iter().map(|s| (*s).to_owned()).collect())
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    /// Claims `base`, else `base_2`, `base_3`…
    pub fn claim(&mut self, base: &str) -> String {
        self.claim_in(base, "")
    }

    /// Claims `base`, else `base_` + the last part of `ns`, else `base_2`, `base_3`…
    pub fn claim_in(&mut self, base: &str, ns: &str) -> String {
        if self.0.insert(base.to_owned()) {
            return base.to_owned();
        }
        let suffix = ns_suffix(ns);
        if !suffix.is_empty() {
            let name = format!("{base}_{suffix}");
            if self.0.insert(name.clone()) {
                return name;
            }
        }
        let mut n = 2;
        loop {
            let name = format!("{base}_{n}");
            if self.0.insert(name.clone()) {
                return name;
            }
            n += 1;
        }
    }
}

/// The last meaningful part of a namespace URI (`urn:a:orders` → `orders`), sanitized.
fn ns_suffix(ns: &str) -> String {
    ns.split(['/', ':', '#', '?'])
        .rev()
        .find(|p| p.chars().any(|c| c.is_ascii_alphanumeric()))
        .map(|p| {
            p.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_graphql_names() {
        assert_eq!(sanitize("$value"), "_value");
        assert_eq!(sanitize("order-id"), "order_id");
        assert_eq!(sanitize("Größe"), "Gr__e");
        assert_eq!(sanitize("2fa"), "_2fa");
        assert_eq!(sanitize("__typename"), "_typename");
        assert_eq!(sanitize(""), "_");
        assert_eq!(type_name("customer"), "Customer");
        assert_eq!(type_name("1x"), "_1x");
        assert_eq!(field_name("GetCustomer"), "getCustomer");
        assert_eq!(enum_value("in-progress"), "in_progress");
        assert_eq!(enum_value("true"), "true_");
        for s in ["$any", "a.b", "ü", "__", "9", "-"] {
            assert!(
                crate::mapping::compile::is_graphql_name(&sanitize(s)),
                "{s} → {}",
                sanitize(s)
            );
        }
    }

    #[test]
    fn taken_names_get_the_namespace_then_a_number() {
        let mut t = Taken::with(&["Query"]);
        assert_eq!(t.claim_in("Query", ""), "Query_2");
        assert_eq!(t.claim_in("Customer", "urn:a:crm"), "Customer");
        assert_eq!(t.claim_in("Customer", "urn:a:orders"), "Customer_orders");
        assert_eq!(t.claim_in("Customer", "urn:b:orders"), "Customer_2");
        assert_eq!(t.claim("id"), "id");
        assert_eq!(t.claim("id"), "id_2");
    }
}

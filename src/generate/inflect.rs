//! English number for the last word of a kebab-case path segment (`customer` ↔
//! `customers`), and "1 route" / "2 routes" in messages.
//!
//! Our own small rules rather than `pluralizer` or `cruet`: both turn `status` into
//! `statuses`, `v2` into `v2s` and `info` into `infos`, and take `data` back to `datum`,
//! which would move routes users already call (`/status/{id}` would become `/statuses/{id}`).
//!
//! May import: nothing of the crate.

/// Nouns left alone when a path wants a plural.
const UNCOUNTABLE: &[&str] = &[
    "data",
    "info",
    "information",
    "metadata",
    "media",
    "equipment",
    "software",
    "firmware",
    "hardware",
    "news",
    "feedback",
    "health",
];

/// The plural of the last word of a kebab-case name: `customer` → `customers`,
/// `category` → `categories`, `address` → `addresses`; words already ending in `s`, words
/// ending in a digit and a few uncountable nouns stay as they are.
pub fn plural(kebab: &str) -> String {
    let (head, last) = match kebab.rsplit_once('-') {
        Some((h, l)) => (format!("{h}-"), l),
        None => (String::new(), kebab),
    };
    let keep = last.is_empty()
        || UNCOUNTABLE.contains(&last)
        || last.ends_with(|c: char| c.is_ascii_digit())
        || last.ends_with("us")
        || (last.ends_with('s') && !last.ends_with("ss"));
    let word = if keep {
        last.to_owned()
    } else if ["ss", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| last.ends_with(e))
    {
        format!("{last}es")
    } else if let Some(stem) = last.strip_suffix('y')
        && stem.ends_with(|c: char| !"aeiou".contains(c))
        && !stem.is_empty()
    {
        format!("{stem}ies")
    } else {
        format!("{last}s")
    };
    format!("{head}{word}")
}

/// The singular of the last word of a kebab-case name (the reverse of [`plural`]).
pub fn singular(kebab: &str) -> String {
    let (head, last) = match kebab.rsplit_once('-') {
        Some((h, l)) => (format!("{h}-"), l),
        None => (String::new(), kebab),
    };
    let word =
        if UNCOUNTABLE.contains(&last) || ["ss", "us", "is"].iter().any(|e| last.ends_with(e)) {
            last.to_owned()
        } else if let Some(stem) = last.strip_suffix("ies")
            && !stem.is_empty()
        {
            format!("{stem}y")
        } else if let Some(stem) = ["sses", "shes", "ches", "xes", "zes"].iter().find_map(|e| {
            last.strip_suffix(e)
                .map(|s| format!("{s}{}", &e[..e.len() - 2]))
        }) {
            stem
        } else if let Some(stem) = last.strip_suffix('s') {
            stem.to_owned()
        } else {
            last.to_owned()
        };
    format!("{head}{word}")
}

pub(super) fn plural_s(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_and_singulars() {
        assert_eq!(plural("customer"), "customers");
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("box"), "boxes");
        assert_eq!(plural("orders"), "orders");
        assert_eq!(plural("status"), "status");
        assert_eq!(plural("data"), "data");
        assert_eq!(plural("customer-address"), "customer-addresses");
        assert_eq!(plural("v2"), "v2");
        assert_eq!(singular("customers"), "customer");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("order"), "order");
    }
}

//! Names: splitting a WSDL name into words, kebab-case, read verbs, id-like input names,
//! path parameter names and environment variable names.
//!
//! The splitting is our own rather than `heck`'s: `heck` keeps no case in its output (a
//! read verb is echoed as written, `Get`), cuts `Dot1X` into `dot1`, `x` and runs `V2DATA`
//! together as `v2data`, where routes users already call read `dot1x` and `v2-data`.
//!
//! May import: nothing of the crate.

/// First words of operation names that read (compared in lower case).
pub const READ_VERBS: &[&str] = &["get", "find", "list", "search", "query", "read"];

/// Last words of input names that identify a resource (compared in lower case).
pub const ID_WORDS: &[&str] = &["id", "key", "code", "uuid", "guid", "number", "token"];

/// Words that make an input a credential, never an id in a path (logs keep paths).
pub const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "session",
    "api",
    "apikey",
    "auth",
    "access",
    "bearer",
    "refresh",
    "security",
    "credential",
    "credentials",
    "login",
    "csrf",
    "otp",
];

/// Splits a name into words: at `_`, `-`, `.` and other separators, before an upper-case
/// letter that follows a lower-case letter or a digit, and before the last capital of an
/// acronym (`HTTPStatus` → `HTTP`, `Status`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p))
            && !cur.is_empty()
            && c.is_uppercase()
        {
            let after_lower = prev.is_lowercase() || prev.is_numeric();
            let acronym_end =
                prev.is_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if after_lower || acronym_end {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    // A lone capital after a digit belongs to it: `Dot1X` → `Dot1X`, not `Dot1`, `X`.
    let mut merged: Vec<String> = Vec::with_capacity(out.len());
    for w in out {
        let lone_capital = w.chars().count() == 1 && w.chars().all(char::is_uppercase);
        match merged.last_mut() {
            Some(prev) if lone_capital && prev.ends_with(|c: char| c.is_numeric()) => {
                prev.push_str(&w);
            }
            _ => merged.push(w),
        }
    }
    merged
}

/// Words in lower case, ASCII letters and digits only, joined by `-`: `GetCustomer` →
/// `get-customer`. Empty when the name has no ASCII letter or digit.
pub fn kebab_case(name: &str) -> String {
    kebab_words(&words(name))
}

pub(super) fn kebab_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The read verb an operation name starts with (`Get`, `findAll` → `find`), if any.
pub fn read_verb(op_name: &str) -> Option<String> {
    let first = words(op_name).into_iter().next()?;
    let lower = first.to_lowercase();
    READ_VERBS.contains(&lower.as_str()).then_some(first)
}

/// Whether an input name looks like an identifier: its last word is one of [`ID_WORDS`]
/// (`id`, `customerId`, `customer_id`, `orderID`, `ProfileToken`, `countryCode`), and no
/// word makes it a credential ([`SECRET_WORDS`]: `sessionId`, `apiKey`, `accessToken`).
pub fn is_id_name(name: &str) -> bool {
    let w: Vec<String> = words(name).iter().map(|w| w.to_lowercase()).collect();
    let Some(last) = w.last() else { return false };
    ID_WORDS.contains(&last.as_str()) && !w.iter().any(|x| SECRET_WORDS.contains(&x.as_str()))
}

/// What an id-like name identifies: its words but the last, in kebab-case
/// (`customerId` → `customer`, `id` → empty).
pub(super) fn id_stem(name: &str) -> String {
    let w = words(name);
    kebab_words(&w[..w.len().saturating_sub(1)])
}

/// A path parameter name (`[A-Za-z0-9_]+`) for an input key.
pub fn param_name(key: &str) -> String {
    let s: String = key
        .trim_start_matches('@')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.chars().all(|c| c == '_') {
        "id".into()
    } else {
        s
    }
}

/// An environment variable name for a service's URL: `CustomerService` →
/// `CUSTOMER_SERVICE_URL`.
pub fn env_name(name: &str) -> String {
    let mut s = kebab_case(name).replace('-', "_").to_ascii_uppercase();
    if s.is_empty() {
        s = "SOAP_BACKEND".into();
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("SOAP_{s}");
    }
    format!("{s}_URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("GetCustomer"), ["Get", "Customer"]);
        assert_eq!(words("getRates"), ["get", "Rates"]);
        assert_eq!(words("GetHTTPStatus"), ["Get", "HTTP", "Status"]);
        assert_eq!(words("customer_id"), ["customer", "id"]);
        assert_eq!(words("orderID"), ["order", "ID"]);
        assert_eq!(words("GetV2Data"), ["Get", "V2", "Data"]);
        assert_eq!(
            words("GetDot1XConfiguration"),
            ["Get", "Dot1X", "Configuration"]
        );
        assert!(words("__").is_empty());
    }

    #[test]
    fn kebab_case_is_lower_ascii_with_dashes() {
        assert_eq!(kebab_case("PlaceOrder"), "place-order");
        assert_eq!(
            kebab_case("GetSystemDateAndTime"),
            "get-system-date-and-time"
        );
        assert_eq!(kebab_case("update_customer.email"), "update-customer-email");
        assert_eq!(kebab_case("XMLExport"), "xml-export");
        assert_eq!(kebab_case("Größe"), "gre");
        assert_eq!(kebab_case("日本"), "");
    }
    #[test]
    fn read_verbs_are_words_in_any_case() {
        for name in [
            "GetCustomer",
            "getRates",
            "FindCustomers",
            "ListOrders",
            "SearchItems",
            "QueryStock",
            "ReadFile",
            "get_customer",
            "Get",
        ] {
            assert!(read_verb(name).is_some(), "{name} reads");
        }
        for name in [
            "Getaway",
            "PlaceOrder",
            "Listen",
            "Ping",
            "UpdateCustomer",
            "Readjust",
        ] {
            assert!(read_verb(name).is_none(), "{name} does not read");
        }
    }

    #[test]
    fn id_names() {
        for name in [
            "id",
            "ID",
            "customerId",
            "customer_id",
            "orderID",
            "productKey",
            "countryCode",
            "ProfileToken",
            "uuid",
            "accountNumber",
        ] {
            assert!(is_id_name(name), "{name} is id-like");
        }
        for name in [
            "paid",
            "name",
            "apiKey",
            "sessionId",
            "accessToken",
            "password",
            "identity",
            "valid",
        ] {
            assert!(!is_id_name(name), "{name} is not id-like");
        }
        assert_eq!(param_name("customer-id"), "customer_id");
        assert_eq!(param_name("@id"), "id");
        assert_eq!(param_name("--"), "id");
    }
    #[test]
    fn env_names() {
        assert_eq!(env_name("CustomerService"), "CUSTOMER_SERVICE_URL");
        assert_eq!(env_name("AXLAPIService"), "AXLAPI_SERVICE_URL");
        assert_eq!(env_name("3dService"), "SOAP_3D_SERVICE_URL");
        assert_eq!(env_name("服务"), "SOAP_BACKEND_URL");
    }
}

//! The HTTP status a fault's name suggests (`CustomerNotFound` → 404).
//!
//! May import: nothing of the crate.

/// A status suggested by a fault's name, with the words that suggested it.
pub fn fault_status(name: &str) -> Option<(u16, &'static str)> {
    const RULES: &[(&[&str], u16, &str)] = &[
        (
            &["notfound", "nosuch", "doesnotexist", "notexist"],
            404,
            "not found",
        ),
        (
            &[
                "unauthorized",
                "unauthenticated",
                "notauthenticated",
                "authentication",
                "credential",
                "login",
            ],
            401,
            "authentication",
        ),
        (
            &[
                "forbidden",
                "accessdenied",
                "permission",
                "notallowed",
                "notauthorized",
            ],
            403,
            "permission",
        ),
        (&["alreadyexist", "duplicate", "conflict"], 409, "conflict"),
        (
            &["quota", "ratelimit", "throttl", "toomany"],
            429,
            "rate limit",
        ),
        (&["unavailable", "maintenance", "busy"], 503, "unavailable"),
        (
            &[
                "invalid",
                "validation",
                "rejected",
                "illegal",
                "malformed",
                "badrequest",
            ],
            422,
            "invalid input",
        ),
    ];
    let flat: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    RULES
        .iter()
        .find(|(keys, _, _)| keys.iter().any(|k| flat.contains(k)))
        .map(|(_, status, what)| (*status, *what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_statuses_follow_the_name() {
        assert_eq!(fault_status("CustomerNotFound").map(|s| s.0), Some(404));
        assert_eq!(fault_status("NoSuchEntity").map(|s| s.0), Some(404));
        assert_eq!(fault_status("OrderRejected").map(|s| s.0), Some(422));
        assert_eq!(fault_status("InvalidCredentials").map(|s| s.0), Some(401));
        assert_eq!(fault_status("AccessDenied").map(|s| s.0), Some(403));
        assert_eq!(fault_status("DuplicateKey").map(|s| s.0), Some(409));
        assert_eq!(fault_status("AXLError"), None);
    }
}

//! "Did you mean": the closest known name to a misspelled one.
//!
//! A low floor shared by the mapping compiler (unknown operations, fields, sources) and the
//! request encoder (unknown JSON keys); it imports nothing from soapbridge.

/// The closest known name, for "did you mean" hints: a case-insensitive match first, else
/// the best Jaro-Winkler similarity of at least 0.8.
pub fn closest<'a>(given: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = given.to_lowercase();
    known
        .iter()
        .map(|k| {
            let score = if k.to_lowercase() == lower {
                1.0
            } else {
                strsim::jaro_winkler(&lower, &k.to_lowercase())
            };
            (score, *k)
        })
        .filter(|(s, _)| *s >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// "did you mean `x`?" for the closest of `known`, if any is close.
pub fn did_you_mean(given: &str, known: &[&str]) -> Option<String> {
    closest(given, known).map(|s| format!("did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_small_typos_are_found_and_far_names_are_not() {
        let known = ["customerId", "name", "limit"];
        assert_eq!(closest("CUSTOMERID", &known), Some("customerId"));
        assert_eq!(closest("custmerId", &known), Some("customerId"));
        assert_eq!(closest("zzz", &known), None);
        assert_eq!(
            did_you_mean("limt", &known).as_deref(),
            Some("did you mean `limit`?")
        );
    }
}

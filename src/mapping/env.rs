//! `${VAR}` and `${VAR:-default}` in mapping values, expanded at load time.
//!
//! May import nothing from soapbridge.

/// Expands environment references with `lookup`. Returns the variable name that is unset
/// and has no default as the error.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[at..]);
            return Ok(out);
        };
        let inner = &after[..end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        match lookup(name).filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(&v),
            None => match default {
                Some(d) => out.push_str(d),
                None => return Err(name.to_owned()),
            },
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Expands with the process environment.
pub fn expand_env(text: &str) -> Result<String, String> {
    expand(text, &|name| std::env::var(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(name: &str) -> Option<String> {
        (name == "HOST").then(|| "backend.local".to_owned())
    }

    #[test]
    fn expands_set_and_default() {
        assert_eq!(
            expand("http://${HOST}:${PORT:-8081}/x", &look).as_deref(),
            Ok("http://backend.local:8081/x")
        );
    }

    #[test]
    fn unset_without_default_is_named() {
        assert_eq!(expand("${NOPE}/x", &look), Err("NOPE".into()));
    }

    #[test]
    fn text_without_references_is_unchanged() {
        assert_eq!(expand("plain $ {x}", &look).as_deref(), Ok("plain $ {x}"));
    }
}

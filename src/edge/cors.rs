//! Cross-origin resource sharing (the Fetch standard's CORS protocol), per route.
//!
//! ```text
//! OPTIONS + Origin + Access-Control-Request-Method ──route's policy──> 204 + Allow-* | 403
//! any other request with Origin ──allowed?──> Access-Control-Allow-Origin, Vary: Origin
//! ```
//!
//! Written here rather than taken from `actix-cors`: that middleware wraps a whole app or
//! scope with one policy fixed when the server starts, while soapbridge's routes live in a
//! table that is swapped on reload and whose policy is chosen per route. The protocol part
//! is small and pure: the face asks `preflight` or `simple` and writes the headers it gets.
//!
//! May import nothing from soapbridge.

use std::time::Duration;

/// Response headers always readable by scripts.
const ALWAYS_EXPOSED: [&str; 5] = [
    "x-request-id",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "retry-after",
];

/// A compiled CORS policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorsPolicy {
    pub name: String,
    /// Exact origins, lower-cased; empty with `any_origin`.
    pub origins: Vec<String>,
    pub any_origin: bool,
    /// Upper-case methods a preflight may ask for; empty: the route's own method.
    pub methods: Vec<String>,
    /// Lower-case request headers a preflight may ask for.
    pub headers: Vec<String>,
    /// Lower-case response headers scripts may read, beyond the always exposed ones.
    pub expose_headers: Vec<String>,
    pub credentials: bool,
    pub max_age: Duration,
}

/// Headers to add to an answer.
pub type Headers = Vec<(&'static str, String)>;

/// Why a preflight is refused (said in the 403 problem).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

impl CorsPolicy {
    fn origin_allowed(&self, origin: &str) -> bool {
        self.any_origin || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }

    /// `Access-Control-Allow-Origin` (and credentials): the origin itself, or `*` when any
    /// origin is allowed without credentials.
    fn allow_origin(&self, origin: &str, out: &mut Headers) {
        let value = if self.any_origin && !self.credentials {
            "*".to_owned()
        } else {
            origin.to_owned()
        };
        out.push(("access-control-allow-origin", value));
        if self.credentials {
            out.push(("access-control-allow-credentials", "true".to_owned()));
        }
        out.push(("vary", "Origin".to_owned()));
    }

    /// The answer to a preflight for a route whose own method is `route_method`.
    pub fn preflight(
        &self,
        origin: &str,
        requested_method: &str,
        requested_headers: Option<&str>,
        route_method: &str,
    ) -> Result<Headers, Refused> {
        if !self.origin_allowed(origin) {
            return Err(Refused(format!(
                "origin `{origin}` is not allowed (CORS policy `{}`)",
                self.name
            )));
        }
        let method_ok = if self.methods.is_empty() {
            requested_method.eq_ignore_ascii_case(route_method)
        } else {
            self.methods
                .iter()
                .any(|m| m.eq_ignore_ascii_case(requested_method))
        };
        if !method_ok {
            return Err(Refused(format!(
                "method `{requested_method}` is not allowed (CORS policy `{}`)",
                self.name
            )));
        }
        let mut asked: Vec<String> = Vec::new();
        for h in requested_headers
            .unwrap_or("")
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
        {
            // The CORS-safelisted request headers need no permission; Content-Type is
            // allowed for JSON bodies, which are not safelisted.
            let free = matches!(
                h.as_str(),
                "accept" | "accept-language" | "content-language" | "content-type"
            );
            if !free && !self.headers.contains(&h) {
                return Err(Refused(format!(
                    "request header `{h}` is not allowed (CORS policy `{}`)",
                    self.name
                )));
            }
            asked.push(h);
        }
        let mut out = Headers::new();
        self.allow_origin(origin, &mut out);
        let methods = if self.methods.is_empty() {
            route_method.to_owned()
        } else {
            self.methods.join(", ")
        };
        out.push(("access-control-allow-methods", methods));
        if !asked.is_empty() {
            out.push(("access-control-allow-headers", asked.join(", ")));
        }
        out.push(("access-control-max-age", self.max_age.as_secs().to_string()));
        // The answer differs by these too, so caches must key on them.
        out.retain(|(k, _)| *k != "vary");
        out.push((
            "vary",
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers".to_owned(),
        ));
        Ok(out)
    }

    /// The headers for an actual cross-origin request (none when the origin is not
    /// allowed: the browser then withholds the answer from the script).
    pub fn simple(&self, origin: &str) -> Headers {
        let mut out = Headers::new();
        if !self.origin_allowed(origin) {
            out.push(("vary", "Origin".to_owned()));
            return out;
        }
        self.allow_origin(origin, &mut out);
        let exposed: Vec<&str> = ALWAYS_EXPOSED
            .iter()
            .copied()
            .chain(self.expose_headers.iter().map(String::as_str))
            .collect();
        out.push(("access-control-expose-headers", exposed.join(", ")));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CorsPolicy {
        CorsPolicy {
            name: "web".into(),
            origins: vec!["https://app.example.com".into()],
            any_origin: false,
            methods: Vec::new(),
            headers: vec!["authorization".into(), "x-api-key".into()],
            expose_headers: Vec::new(),
            credentials: false,
            max_age: Duration::from_secs(600),
        }
    }

    fn get<'h>(h: &'h Headers, name: &str) -> Option<&'h str> {
        h.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn an_allowed_preflight_names_origin_method_and_headers() {
        let h = policy()
            .preflight(
                "https://app.example.com",
                "GET",
                Some("Authorization, Content-Type"),
                "GET",
            )
            .expect("allowed");
        assert_eq!(
            get(&h, "access-control-allow-origin"),
            Some("https://app.example.com")
        );
        assert_eq!(get(&h, "access-control-allow-methods"), Some("GET"));
        assert_eq!(
            get(&h, "access-control-allow-headers"),
            Some("authorization, content-type")
        );
        assert_eq!(get(&h, "access-control-max-age"), Some("600"));
    }

    #[test]
    fn another_origin_method_or_header_is_refused() {
        let p = policy();
        assert!(
            p.preflight("https://evil.example", "GET", None, "GET")
                .is_err()
        );
        assert!(
            p.preflight("https://app.example.com", "DELETE", None, "GET")
                .is_err()
        );
        let e = p
            .preflight("https://app.example.com", "GET", Some("X-Secret"), "GET")
            .expect_err("refused");
        assert!(e.0.contains("x-secret"), "{e:?}");
    }

    #[test]
    fn simple_requests_get_the_origin_only_when_allowed() {
        let p = policy();
        let ok = p.simple("https://app.example.com");
        assert_eq!(
            get(&ok, "access-control-allow-origin"),
            Some("https://app.example.com")
        );
        assert!(
            get(&ok, "access-control-expose-headers")
                .is_some_and(|v| v.contains("ratelimit-remaining"))
        );
        let no = p.simple("https://evil.example");
        assert_eq!(get(&no, "access-control-allow-origin"), None);
    }

    #[test]
    fn any_origin_is_a_star_unless_credentials_are_allowed() {
        let mut p = policy();
        p.any_origin = true;
        p.origins.clear();
        assert_eq!(
            get(
                &p.simple("https://x.example"),
                "access-control-allow-origin"
            ),
            Some("*")
        );
        p.credentials = true;
        let h = p.simple("https://x.example");
        assert_eq!(
            get(&h, "access-control-allow-origin"),
            Some("https://x.example")
        );
        assert_eq!(get(&h, "access-control-allow-credentials"), Some("true"));
    }
}

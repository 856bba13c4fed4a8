//! The `cors:` section: named cross-origin policies that mappings refer to by `cors:`.
//!
//! May import `edge::cors`, `mapping::diag`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::raw::RawCors;
use crate::edge::cors::CorsPolicy;
use crate::mapping::diag::{Diagnostic, loc};

const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

pub(super) fn policies(
    path: &Path,
    raw: &BTreeMap<String, RawCors>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Arc<CorsPolicy>> {
    let mut out = BTreeMap::new();
    for (name, c) in raw {
        let before = diags.len();
        let any_origin = c.origins.iter().any(|o| o.value == "*");
        let credentials = c.credentials.unwrap_or(false);
        let mut origins = Vec::new();
        for o in &c.origins {
            if o.value == "*" {
                if credentials {
                    diags.push(
                        Diagnostic::new(path, loc(o), format!("CORS policy `{name}`: `*` with `credentials: true` would let any site act as the signed-in user"))
                            .hint("list the exact origins of your web apps"),
                    );
                }
                continue;
            }
            match url::Url::parse(&o.value) {
                Ok(u)
                    if matches!(u.scheme(), "http" | "https")
                        && u.path() == "/"
                        && !o.value.ends_with('/')
                        && u.query().is_none() =>
                {
                    origins.push(o.value.to_ascii_lowercase());
                }
                _ => diags.push(
                    Diagnostic::new(path, loc(o), format!("`{}` is not an origin", o.value))
                        .hint("an origin is scheme, host and port, without a path: `https://app.example.com`"),
                ),
            }
        }
        if c.origins.is_empty() {
            diags.push(
                Diagnostic::new(path, None, format!("CORS policy `{name}` lists no origin"))
                    .hint("list the origins of the web apps that call these routes"),
            );
        }
        let mut methods = Vec::new();
        for m in &c.methods {
            let up = m.value.to_ascii_uppercase();
            if METHODS.contains(&up.as_str()) {
                methods.push(up);
            } else {
                diags.push(
                    Diagnostic::new(path, loc(m), format!("`{}` is not an HTTP method", m.value))
                        .hint("GET, HEAD, POST, PUT, PATCH, DELETE"),
                );
            }
        }
        let header_names = |list: &[serde_saphyr::Spanned<String>], diags: &mut Vec<Diagnostic>| {
            let mut names = Vec::new();
            for h in list {
                if actix_web::http::header::HeaderName::from_bytes(h.value.as_bytes()).is_ok() {
                    names.push(h.value.to_ascii_lowercase());
                } else {
                    diags.push(Diagnostic::new(
                        path,
                        loc(h),
                        format!("`{}` is not a valid HTTP header name", h.value),
                    ));
                }
            }
            names
        };
        let headers = header_names(&c.headers, diags);
        let expose_headers = header_names(&c.expose_headers, diags);
        let max_age = match &c.max_age {
            None => Duration::from_secs(600),
            Some(m) => match humantime::parse_duration(m.value.trim()) {
                Ok(d) => d,
                Err(_) => {
                    diags.push(
                        Diagnostic::new(path, loc(m), format!("`{}` is not a duration", m.value))
                            .hint("write a number with a unit: `10m`, `1h`"),
                    );
                    Duration::ZERO
                }
            },
        };
        if diags.len() == before {
            out.insert(
                name.clone(),
                Arc::new(CorsPolicy {
                    name: name.clone(),
                    origins,
                    any_origin,
                    methods,
                    headers,
                    expose_headers,
                    credentials,
                    max_age,
                }),
            );
        }
    }
    out
}
